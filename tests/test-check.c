/* SPDX-License-Identifier: Apache-2.0 */
/* `podrt check`: the host's facts, one section per installed plugin with a
 * check method (the real oci and nspawn plugins, a third party's, loaded
 * through the loader from the build tree), runtimes found on PATH and their
 * versions, missing binaries, refused plugins, configuration sections no
 * plugin reads, the configured backend's verdict. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cunit-main.h"
#include "errors.h"
#include "runtime.h"

static char tmpdir[] = "/tmp/podrt-test-check.XXXXXX";
static char *saved_path;
static char conf_path[512];
static char search_path[4096];
static int nconf;

static void write_file(const char *name, const char *text, mode_t mode) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
        unlink(path);
        FILE *f = fopen(path, "we");
        CU_ASSERT_FATAL(f != NULL);
        fputs(text, f);
        fclose(f);
        chmod(path, mode);
}

/* A configuration of text, with a state dir and plugin_path of the test's
 * own (no installed plugin is found); its path in conf_path. */
static void write_conf(const char *text) {
        char name[64], full[4096];
        snprintf(name, sizeof(name), "podrt-%d.conf", ++nconf);
        snprintf(full, sizeof(full), "plugin_path = [ \"%s/no-plugins\" ];\nstate_dir = \"%s/state\";\n%s",
                 tmpdir, tmpdir, text);
        write_file(name, full, 0644);
        snprintf(conf_path, sizeof(conf_path), "%s/%s", tmpdir, name);
}

/* The report of runtime_check() for the configuration text (backend: NULL
 * for the configured one); *ret_ready its verdict. */
static struct json_object *report_ready(const char *text, const char *backend, int *ret_ready) {
        write_conf(text);
        setenv("PODRT_PLUGIN_PATH", search_path, 1);
        struct runtime_options opts = { .config_path = conf_path, .backend = backend };
        struct runtime *rt = NULL;
        struct podrt_error *err = NULL;
        int r = runtime_new(&opts, &rt, &err);
        if (r < 0)
                fprintf(stderr, "runtime: %s\n", podrt_error_message(err));
        CU_ASSERT_EQUAL_FATAL(r, 0);
        struct json_object *rep = NULL;
        int ready = -1;
        r = runtime_check(rt, &rep, &ready, &err);
        if (r < 0)
                fprintf(stderr, "check: %s\n", podrt_error_message(err));
        CU_ASSERT_EQUAL_FATAL(r, 0);
        CU_ASSERT_PTR_NULL(err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
        CU_ASSERT(ready == 0 || ready == 1);
        runtime_free(rt);
        if (ret_ready)
                *ret_ready = ready;
        return rep;
}

static struct json_object *report_for(const char *text) {
        return report_ready(text, NULL, NULL);
}

static struct json_object *get(struct json_object *o, const char *key) {
        struct json_object *v = NULL;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *str(struct json_object *o, const char *key) {
        return json_object_get_string(get(o, key));
}

static struct json_object *find_named(struct json_object *array, const char *name) {
        for (size_t i = 0; array && i < json_object_array_length(array); i++) {
                struct json_object *e = json_object_array_get_idx(array, i);
                const char *n = json_object_get_string(get(e, "name"));
                if (n && strcmp(n, name) == 0)
                        return e;
        }
        return NULL;
}

static struct json_object *backend(struct json_object *rep, const char *name) {
        return find_named(get(rep, "backends"), name);
}

static struct json_object *check_of(struct json_object *rep, const char *b, const char *name) {
        return find_named(get(backend(rep, b), "checks"), name);
}

static int is_true(struct json_object *o, const char *key) {
        struct json_object *v = get(o, key);
        return v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

static int has_note(struct json_object *notes, const char *text) {
        for (size_t i = 0; notes && i < json_object_array_length(notes); i++)
                if (strcmp(json_object_get_string(json_object_array_get_idx(notes, i)), text) == 0)
                        return 1;
        return 0;
}

/* check_print()'s text (malloc'd). */
static char *printed(struct json_object *rep) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        check_print(rep, f);
        fclose(f);
        return text;
}

static void use_path(const char *path) {
        setenv("PATH", path, 1);
}

/* What /proc/self/mountinfo says: the last mount at each point wins. */
static const char *cgroup_from_mountinfo(void) {
        FILE *f = fopen("/proc/self/mountinfo", "re");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        char line[4096];
        int root_v2 = 0, unified_v2 = 0;
        while (fgets(line, sizeof(line), f)) {
                char mnt[1024], fstype[256];
                const char *sep = strstr(line, " - ");
                if (!sep || sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1 ||
                    sscanf(sep + 3, "%255s", fstype) != 1)
                        continue;
                if (strcmp(mnt, "/sys/fs/cgroup") == 0)
                        root_v2 = strcmp(fstype, "cgroup2") == 0;
                else if (strcmp(mnt, "/sys/fs/cgroup/unified") == 0)
                        unified_v2 = strcmp(fstype, "cgroup2") == 0;
        }
        fclose(f);
        return root_v2 ? "v2" : unified_v2 ? "hybrid" : "v1";
}

/* The ABI 1.1 API a check method fills, and the section it makes. */
static void test_check_api(void) {
        struct podrt_check *c = check_section_new("demo", "/x/demo.so");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT_EQUAL(podrt_check_add(c, "tool", PODRT_CHECK_OK, "version %d", 3), 0);
        CU_ASSERT_EQUAL(podrt_check_add(c, "extra", PODRT_CHECK_OPTIONAL, "%s", "absent"), 0);
        CU_ASSERT_EQUAL(podrt_check_add(c, "nofmt", PODRT_CHECK_OK | PODRT_CHECK_OPTIONAL, NULL), 0);
        CU_ASSERT_EQUAL(podrt_check_note(c, "a note about %s", "it"), 0);
        /* What a caller gets wrong. */
        CU_ASSERT_EQUAL(podrt_check_add(c, "bad", 1u << 2, "x"), -EINVAL);
        CU_ASSERT_EQUAL(podrt_check_add(c, "", 0, "x"), -EINVAL);
        CU_ASSERT_EQUAL(podrt_check_add(c, NULL, 0, "x"), -EINVAL);
        CU_ASSERT_EQUAL(podrt_check_add(NULL, "x", 0, "x"), -EINVAL);
        CU_ASSERT_EQUAL(podrt_check_note(c, NULL), -EINVAL);
        CU_ASSERT_EQUAL(podrt_check_note(NULL, "x"), -EINVAL);
        struct json_object *b = check_section_finish(c);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        CU_ASSERT_STRING_EQUAL(str(b, "name"), "demo");
        CU_ASSERT_STRING_EQUAL(str(b, "path"), "/x/demo.so");
        /* Only the optional line failed: ready. */
        CU_ASSERT(is_true(b, "ready"));
        struct json_object *checks = get(b, "checks");
        CU_ASSERT_EQUAL_FATAL(json_object_array_length(checks), 3);
        struct json_object *l = json_object_array_get_idx(checks, 0);
        CU_ASSERT_STRING_EQUAL(str(l, "name"), "tool");
        CU_ASSERT(is_true(l, "ok"));
        CU_ASSERT(is_true(l, "required"));
        CU_ASSERT_STRING_EQUAL(str(l, "detail"), "version 3");
        l = json_object_array_get_idx(checks, 1);
        CU_ASSERT(!is_true(l, "ok"));
        CU_ASSERT(!is_true(l, "required"));
        CU_ASSERT_STRING_EQUAL(str(l, "detail"), "absent");
        CU_ASSERT_STRING_EQUAL(str(json_object_array_get_idx(checks, 2), "detail"), "");
        CU_ASSERT_EQUAL(json_object_array_length(get(b, "notes")), 1);
        CU_ASSERT(has_note(get(b, "notes"), "a note about it"));
        json_object_put(b);

        /* One required line that failed: not ready; no path: none. */
        c = check_section_new("demo2", NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT_EQUAL(podrt_check_add(c, "a", PODRT_CHECK_OK, "x"), 0);
        CU_ASSERT_EQUAL(podrt_check_add(c, "b", 0, "missing"), 0);
        b = check_section_finish(c);
        CU_ASSERT(!is_true(b, "ready"));
        CU_ASSERT_PTR_NULL(get(b, "path"));
        json_object_put(b);
        CU_ASSERT_PTR_NULL(check_section_free(NULL));
}

static void test_host_facts(void) {
        struct json_object *rep = report_for("");
        struct json_object *host = get(rep, "host");
        CU_ASSERT_PTR_NOT_NULL_FATAL(host);
        /* Only what every backend shares: the rest is the plugins'. */
        CU_ASSERT_EQUAL(json_object_object_length(host), 3);
        struct utsname u;
        CU_ASSERT_EQUAL_FATAL(uname(&u), 0);
        CU_ASSERT_STRING_EQUAL(str(host, "kernel"), u.release);
        CU_ASSERT_STRING_EQUAL(str(host, "cgroup"), cgroup_from_mountinfo());
        struct stat st;
        int systemd = lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
        CU_ASSERT_EQUAL(is_true(host, "systemd"), systemd);
        CU_ASSERT_PTR_NULL(get(host, "kvm"));
        CU_ASSERT_PTR_NULL(get(host, "modules"));

        char *text = printed(rep);
        char line[512];
        snprintf(line, sizeof(line), "host\n           kernel               %s\n", u.release);
        ASSERT_CONTAINS(text, line);
        snprintf(line, sizeof(line), "           cgroup               %s\n", cgroup_from_mountinfo());
        ASSERT_CONTAINS(text, line);
        ASSERT_CONTAINS(text, systemd ? "           init                 systemd\n"
                                      : "           init                 not systemd\n");
        free(text);
        json_object_put(rep);
}

/* One section per plugin with a check method; the others have none, but
 * the backend in use always has one. */
static void test_sections(void) {
        struct json_object *rep = report_for("");
        CU_ASSERT_PTR_NOT_NULL(backend(rep, "oci"));
        CU_ASSERT_PTR_NOT_NULL(backend(rep, "nspawn"));
        CU_ASSERT_PTR_NOT_NULL(backend(rep, "extcheck"));
        /* The mock backend has no check method; the builtins neither. */
        CU_ASSERT_PTR_NULL(backend(rep, "mock"));
        CU_ASSERT_PTR_NULL(backend(rep, "none"));
        char want[4200];
        snprintf(want, sizeof(want), "%s/plugins/oci/oci.so", getenv("PODRT_BUILD_DIR"));
        CU_ASSERT_STRING_EQUAL(str(backend(rep, "oci"), "path"), want);
        CU_ASSERT_STRING_EQUAL(str(rep, "backend"), "oci");
        CU_ASSERT_STRING_EQUAL(str(rep, "config"), conf_path);
        json_object_put(rep);

        /* The mock backend in use: ready because it loads. */
        int ready = -1;
        rep = report_ready("backend = \"mock\";\n", NULL, &ready);
        CU_ASSERT_EQUAL(ready, 1);
        CU_ASSERT(is_true(rep, "ready"));
        struct json_object *c = check_of(rep, "mock", "plugin");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT(is_true(c, "ok"));
        snprintf(want, sizeof(want), "%s/tests/mock/mock.so", getenv("PODRT_BUILD_DIR"));
        CU_ASSERT_STRING_EQUAL(str(c, "detail"), want);
        char *text = printed(rep);
        ASSERT_CONTAINS(text, "backend mock: ready\n");
        ASSERT_CONTAINS(text, "backend in use: mock (ready)\n");
        free(text);
        json_object_put(rep);

        /* A backend that is not installed: not ready, and why. */
        rep = report_ready("", "nosuchbackend", &ready);
        CU_ASSERT_EQUAL(ready, 0);
        CU_ASSERT(!is_true(rep, "ready"));
        c = check_of(rep, "nosuchbackend", "plugin");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT(!is_true(c, "ok"));
        ASSERT_CONTAINS(str(c, "detail"), "plugin 'nosuchbackend' not found (searched: ");
        text = printed(rep);
        ASSERT_CONTAINS(text, "backend in use: nosuchbackend (NOT READY)\n");
        free(text);
        json_object_put(rep);
}

static void test_fake_runc(void) {
        /* A runc that also proves it got a clean fd table and /dev/null as
         * stdin: fd 57 is open (without O_CLOEXEC) in the test. */
        write_file("runc",
                   "#!/bin/sh\n"
                   "PATH=/usr/bin:/bin\n"
                   "if [ -e /proc/$$/fd/57 ]; then echo 'leaked fd 57'; exit 0; fi\n"
                   "if [ \"$(readlink /proc/$$/fd/0)\" != /dev/null ]; then echo 'stdin'; exit 0; fi\n"
                   "[ \"$1\" = --version ] || { echo \"args: $*\"; exit 0; }\n"
                   "echo 'runc version 9.9.9-fake'\n"
                   "echo 'commit: v9.9.9-0-gdeadbeef'\n",
                   0755);
        int fd = open("/dev/null", O_RDONLY);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_EQUAL_FATAL(dup2(fd, 57), 57);
        close(fd);
        use_path(tmpdir);
        int ready = -1;
        struct json_object *rep = report_ready("", NULL, &ready);
        use_path(saved_path);
        close(57);

        struct json_object *runc = check_of(rep, "oci", "runc");
        CU_ASSERT_PTR_NOT_NULL_FATAL(runc);
        CU_ASSERT(is_true(runc, "ok"));
        CU_ASSERT(!is_true(runc, "required"));   /* auto: any one will do */
        CU_ASSERT_STRING_EQUAL(str(runc, "detail"), "runc version 9.9.9-fake");
        /* runtime = auto: crun is looked for too, and is not here. */
        struct json_object *crun = check_of(rep, "oci", "crun");
        CU_ASSERT_PTR_NOT_NULL_FATAL(crun);
        CU_ASSERT(!is_true(crun, "ok"));
        CU_ASSERT_STRING_EQUAL(str(crun, "detail"), "crun: not found on PATH");
        struct json_object *rt = check_of(rep, "oci", "runtime");
        CU_ASSERT_PTR_NOT_NULL_FATAL(rt);
        CU_ASSERT(is_true(rt, "ok"));
        CU_ASSERT(is_true(rt, "required"));
        CU_ASSERT_STRING_EQUAL(str(rt, "detail"), "runc (oci.runtime = auto)");
        CU_ASSERT(is_true(backend(rep, "oci"), "ready"));
        /* oci is the default backend, so the host is ready for it. */
        CU_ASSERT_STRING_EQUAL(str(rep, "backend"), "oci");
        CU_ASSERT(is_true(rep, "ready"));
        CU_ASSERT_EQUAL(ready, 1);

        /* The readable form: one line per check. */
        char *text = printed(rep);
        ASSERT_CONTAINS(text, "backend oci: ready\n");
        ASSERT_CONTAINS(text, "MISSING  crun                 crun: not found on PATH (optional)\n");
        ASSERT_CONTAINS(text, "ok       runc                 runc version 9.9.9-fake\n");
        ASSERT_CONTAINS(text, "ok       runtime              runc (oci.runtime = auto)\n");
        ASSERT_CONTAINS(text, "backend in use: oci (ready)\n");
        free(text);
        json_object_put(rep);
}

static void test_crun_refused_on_hybrid(void) {
        /* A crun that works, on a hybrid host whose cgroup2 tree holds
         * controllers: refused without a probe, and auto says so. */
        char controllers[256] = "";
        FILE *f = fopen("/sys/fs/cgroup/unified/cgroup.controllers", "re");
        if (f) {
                if (!fgets(controllers, sizeof(controllers), f))
                        controllers[0] = 0;
                fclose(f);
        }
        controllers[strcspn(controllers, "\n")] = 0;
        if (strcmp(cgroup_from_mountinfo(), "hybrid") != 0 || !controllers[0]) {
                fprintf(stderr, "not a hybrid host with cgroup2 controllers: skipped\n");
                return;
        }
        write_file("crun", "#!/bin/sh\necho 'crun version 0.0-fake'\n", 0755);
        write_file("runc", "#!/bin/sh\necho 'runc version 9.9.9-fake'\n", 0755);
        use_path(tmpdir);
        struct json_object *rep = report_for("");
        use_path(saved_path);
        struct json_object *crun = check_of(rep, "oci", "crun");
        CU_ASSERT(!is_true(crun, "ok"));
        char want[512];
        snprintf(want, sizeof(want),
                 "crun version 0.0-fake; unusable here: cgroup hybrid mode with controllers on "
                 "cgroup2 (%s)", controllers);
        CU_ASSERT_STRING_EQUAL(str(crun, "detail"), want);
        CU_ASSERT(is_true(backend(rep, "oci"), "ready"));
        CU_ASSERT(has_note(get(backend(rep, "oci"), "notes"),
                           "crun refuses cgroup hybrid mode with controllers on cgroup2: "
                           "oci.runtime = auto uses runc"));
        json_object_put(rep);
        char path[600];
        snprintf(path, sizeof(path), "%s/crun", tmpdir);
        unlink(path);
        snprintf(path, sizeof(path), "%s/runc", tmpdir);
        unlink(path);
}

static void test_version_timeout_and_failure(void) {
        write_file("runc", "#!/bin/sh\nexec /bin/sleep 20\n", 0755);
        write_file("crun", "#!/bin/sh\necho 'crun: broken' >&2\nexit 3\n", 0755);
        use_path(tmpdir);
        time_t start = time(NULL);
        int ready = -1;
        struct json_object *rep = report_ready("", NULL, &ready);
        CU_ASSERT(time(NULL) - start < 10);
        use_path(saved_path);

        char want[600];
        struct json_object *runc = check_of(rep, "oci", "runc");
        CU_ASSERT(!is_true(runc, "ok"));
        snprintf(want, sizeof(want), "%s/runc --version: no answer within 2 s", tmpdir);
        CU_ASSERT_STRING_EQUAL(str(runc, "detail"), want);
        struct json_object *crun = check_of(rep, "oci", "crun");
        CU_ASSERT(!is_true(crun, "ok"));
        snprintf(want, sizeof(want), "%s/crun --version: exit status 3: crun: broken", tmpdir);
        CU_ASSERT_STRING_EQUAL(str(crun, "detail"), want);
        struct json_object *rt = check_of(rep, "oci", "runtime");
        CU_ASSERT(!is_true(rt, "ok"));
        CU_ASSERT_STRING_EQUAL(str(rt, "detail"), "no usable OCI runtime: install runc or crun");
        CU_ASSERT(!is_true(backend(rep, "oci"), "ready"));
        CU_ASSERT(!is_true(rep, "ready"));
        CU_ASSERT_EQUAL(ready, 0);
        json_object_put(rep);

        char path[600];
        snprintf(path, sizeof(path), "%s/crun", tmpdir);
        unlink(path);
        snprintf(path, sizeof(path), "%s/runc", tmpdir);
        unlink(path);
}

static void test_missing_binary(void) {
        int ready = -1;
        struct json_object *rep = report_ready("backend = \"nspawn\";\n"
                                               "nspawn = { binary = \"/nonexistent/systemd-nspawn\"; };\n"
                                               "oci = { runtime = \"/nonexistent/runc\"; };\n",
                                               NULL, &ready);

        struct json_object *c = check_of(rep, "nspawn", "/nonexistent/systemd-nspawn");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT(!is_true(c, "ok"));
        CU_ASSERT(is_true(c, "required"));
        CU_ASSERT_STRING_EQUAL(str(c, "detail"), "/nonexistent/systemd-nspawn: not found");
        CU_ASSERT(!is_true(backend(rep, "nspawn"), "ready"));

        c = check_of(rep, "oci", "/nonexistent/runc");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT(!is_true(c, "ok"));
        CU_ASSERT_STRING_EQUAL(str(c, "detail"), "/nonexistent/runc: not found");
        /* An explicit runtime: only that one is checked. */
        CU_ASSERT_PTR_NULL(check_of(rep, "oci", "runc"));
        CU_ASSERT_PTR_NULL(check_of(rep, "oci", "runtime"));
        CU_ASSERT(!is_true(backend(rep, "oci"), "ready"));
        CU_ASSERT(has_note(get(backend(rep, "oci"), "notes"),
                           "the configured oci.runtime is not usable"));

        /* The configured backend (nspawn) is not ready. */
        CU_ASSERT_STRING_EQUAL(str(rep, "backend"), "nspawn");
        CU_ASSERT(!is_true(rep, "ready"));
        CU_ASSERT_EQUAL(ready, 0);

        char *text = printed(rep);
        ASSERT_CONTAINS(text, "backend nspawn: NOT READY\n");
        ASSERT_CONTAINS(text, "backend in use: nspawn (NOT READY)\n");
        ASSERT_CONTAINS(text, "MISSING  /nonexistent/systemd-nspawn /nonexistent/systemd-nspawn: not found\n");
        free(text);
        json_object_put(rep);

        /* A caller that picks another backend (--backend oci) replaces
         * "backend": the printed verdict follows that backend's section. */
        rep = report_ready("nspawn = { binary = \"/nonexistent/systemd-nspawn\"; };\n", "mock", &ready);
        CU_ASSERT_EQUAL(ready, 1);
        json_object_object_add(rep, "backend", json_object_new_string("nspawn"));
        text = printed(rep);
        ASSERT_CONTAINS(text, "backend in use: nspawn (NOT READY)\n");
        free(text);
        json_object_put(rep);
}

static void test_nspawn(void) {
        /* A systemd-nspawn that answers, and the podrt-init just built. */
        write_file("systemd-nspawn", "#!/bin/sh\necho 'systemd 252 (252.0-fake)'\necho '+PAM'\n", 0755);
        use_path(tmpdir);
        struct json_object *rep = report_for("");
        use_path(saved_path);
        struct json_object *c = check_of(rep, "nspawn", "systemd-nspawn");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT(is_true(c, "ok"));
        CU_ASSERT_STRING_EQUAL(str(c, "detail"), "systemd 252 (252.0-fake)");
        const char *libexec = getenv("PODRT_LIBEXEC_DIR");
        CU_ASSERT_PTR_NOT_NULL_FATAL(libexec);
        char want[4200];
        snprintf(want, sizeof(want), "%s/podrt-init", libexec);
        c = check_of(rep, "nspawn", "podrt-init");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT_EQUAL(is_true(c, "ok"), access(want, X_OK) == 0);
        CU_ASSERT_STRING_EQUAL(str(c, "detail"), want);
        CU_ASSERT_EQUAL(is_true(backend(rep, "nspawn"), "ready"), access(want, X_OK) == 0);
        int systemd = access("/run/systemd/system/", F_OK) == 0;
        CU_ASSERT_EQUAL(has_note(get(backend(rep, "nspawn"), "notes"),
                                 "PID 1 is not systemd: will pass --register=no --keep-unit"),
                        !systemd);
        char *text = printed(rep);
        if (!systemd)
                ASSERT_CONTAINS(text, "  note     PID 1 is not systemd: will pass --register=no --keep-unit\n");
        free(text);
        json_object_put(rep);

        /* No podrt-init where podrt looks: not ready. */
        char *saved = strdup(libexec);
        setenv("PODRT_LIBEXEC_DIR", tmpdir, 1);
        use_path(tmpdir);
        rep = report_for("");
        use_path(saved_path);
        setenv("PODRT_LIBEXEC_DIR", saved, 1);
        free(saved);
        c = check_of(rep, "nspawn", "podrt-init");
        CU_ASSERT(!is_true(c, "ok"));
        snprintf(want, sizeof(want), "%s/podrt-init: not found", tmpdir);
        CU_ASSERT_STRING_EQUAL(str(c, "detail"), want);
        CU_ASSERT(!is_true(backend(rep, "nspawn"), "ready"));
        json_object_put(rep);
        char path[600];
        snprintf(path, sizeof(path), "%s/systemd-nspawn", tmpdir);
        unlink(path);
}

/* A plugin whose section of the configuration is wrong is refused: its
 * section says why, naming the file and line. */
static void test_refused_plugin(void) {
        int ready = -1;
        struct json_object *rep = report_ready("oci = {\n  runtime = \"bin/runc\";\n};\n", NULL, &ready);
        struct json_object *b = backend(rep, "oci");
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        CU_ASSERT(!is_true(b, "ready"));
        struct json_object *c = check_of(rep, "oci", "plugin");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT(!is_true(c, "ok"));
        char want[1024];
        snprintf(want, sizeof(want),
                 "%s:4: oci.runtime: must be auto, crun, runc or an absolute path, not 'bin/runc'",
                 conf_path);
        CU_ASSERT_STRING_EQUAL(str(c, "detail"), want);
        /* oci is the configured backend. */
        CU_ASSERT_EQUAL(ready, 0);
        char *text = printed(rep);
        ASSERT_CONTAINS(text, "backend oci: NOT READY\n");
        ASSERT_CONTAINS(text, want);
        free(text);
        /* The other plugins still have their say. */
        CU_ASSERT_PTR_NOT_NULL(check_of(rep, "nspawn", "podrt-init"));
        json_object_put(rep);
}

/* A section no installed plugin reads is a note (a typo in a group's name
 * must not pass silently); plugins.NAME counts for the plugin NAME. */
static void test_unclaimed_sections(void) {
        struct json_object *rep = report_for("acme = { x = 1; };\n"
                                             "oci = { };\n"
                                             "plugins = {\n"
                                             "  nobody = { };\n"
                                             "  extcheck = { tool = \"/bin/sh\"; };\n"
                                             "};\n");
        struct json_object *notes = get(rep, "notes");
        CU_ASSERT_EQUAL(json_object_array_length(notes), 2);
        char acme[2048], nobody[2048];
        snprintf(acme, sizeof(acme), "%s:3: acme: no installed plugin 'acme' reads this section",
                 conf_path);
        snprintf(nobody, sizeof(nobody),
                 "%s:6: plugins.nobody: no installed plugin 'nobody' reads this section", conf_path);
        CU_ASSERT(has_note(notes, acme));
        CU_ASSERT(has_note(notes, nobody));
        char *text = printed(rep);
        char line[4200];
        snprintf(line, sizeof(line), "configuration: %s\n  note     %s\n", conf_path, acme);
        ASSERT_CONTAINS(text, line);
        free(text);
        json_object_put(rep);

        rep = report_for("");
        CU_ASSERT_EQUAL(json_object_array_length(get(rep, "notes")), 0);
        json_object_put(rep);
}

/* The podrt command with env added; its stdout in *ret_out (malloc'd);
 * returns the exit status. */
static int run_podrt(const char *env, const char *args, char **ret_out) {
        char cmd[8192];
        snprintf(cmd, sizeof(cmd), "env %s '%s/core/cli/podrt' --config '%s' %s 2>&1", env,
                 getenv("PODRT_BUILD_DIR"), conf_path, args);
        FILE *p = popen(cmd, "re");
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        char *out = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&out, &len);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
                fwrite(buf, 1, n, m);
        fclose(m);
        int status = pclose(p);
        *ret_out = out;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* A third party's backend brings its own lines to `podrt check`. */
static void test_third_party(void) {
        char env[4300];
        snprintf(env, sizeof(env), "PODRT_PLUGIN_PATH='%s/tests/thirdparty'", getenv("PODRT_BUILD_DIR"));
        write_conf("backend = \"extcheck\";\n");
        char *out = NULL;
        CU_ASSERT_EQUAL(run_podrt(env, "check --json", &out), 0);
        struct json_object *rep = json_tokener_parse(out);
        CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
        struct json_object *b = backend(rep, "extcheck");
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        CU_ASSERT(is_true(b, "ready"));
        char want[4300];
        snprintf(want, sizeof(want), "%s/tests/thirdparty/extcheck.so", getenv("PODRT_BUILD_DIR"));
        CU_ASSERT_STRING_EQUAL(str(b, "path"), want);
        struct json_object *c = check_of(rep, "extcheck", "ext-tool");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT(is_true(c, "ok"));
        CU_ASSERT(is_true(c, "required"));
        CU_ASSERT_STRING_EQUAL(str(c, "detail"), "/bin/sh");
        c = check_of(rep, "extcheck", "ext-extra");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT(!is_true(c, "ok"));
        CU_ASSERT(!is_true(c, "required"));
        CU_ASSERT(has_note(get(b, "notes"), "extcheck runs nothing; it only checks"));
        CU_ASSERT_STRING_EQUAL(str(rep, "backend"), "extcheck");
        CU_ASSERT(is_true(rep, "ready"));
        json_object_put(rep);
        free(out);

        /* Its own setting (plugins.extcheck), its own verdict: exit 1. */
        write_conf("backend = \"extcheck\";\nplugins = { extcheck = { tool = \"/nonexistent/tool\"; }; };\n");
        CU_ASSERT_EQUAL(run_podrt(env, "check", &out), 1);
        ASSERT_CONTAINS(out, "backend extcheck: NOT READY\n");
        ASSERT_CONTAINS(out, "  MISSING  ext-tool             /nonexistent/tool: not found (plugins.extcheck.tool)\n");
        ASSERT_CONTAINS(out, "  MISSING  ext-extra            never here (optional)\n");
        ASSERT_CONTAINS(out, "  note     extcheck runs nothing; it only checks\n");
        ASSERT_CONTAINS(out, "backend in use: extcheck (NOT READY)\n");
        free(out);

        /* A check method that could not run: a line that says why. */
        write_conf("backend = \"extcheck\";\n");
        char env2[4400];
        snprintf(env2, sizeof(env2), "%s PODRT_EXTCHECK_FAIL=1", env);
        CU_ASSERT_EQUAL(run_podrt(env2, "check", &out), 1);
        ASSERT_CONTAINS(out, "backend extcheck: NOT READY\n"
                             "  MISSING  check                extcheck: cannot read its own state\n");
        free(out);
        snprintf(env2, sizeof(env2), "%s PODRT_EXTCHECK_FAIL=quiet", env);
        CU_ASSERT_EQUAL(run_podrt(env2, "check", &out), 1);
        ASSERT_CONTAINS(out, "  MISSING  check                plugin 'extcheck' plugin.check: Input/output error\n");
        free(out);

        /* Its config_check validates plugins.extcheck. */
        write_conf("backend = \"extcheck\";\nplugins = { extcheck = { tol = \"/bin/sh\"; }; };\n");
        CU_ASSERT_EQUAL(run_podrt(env, "check --json", &out), 1);
        rep = json_tokener_parse(out);
        c = check_of(rep, "extcheck", "plugin");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        snprintf(want, sizeof(want), "%s:4: plugins.extcheck.tol: unknown setting", conf_path);
        CU_ASSERT_STRING_EQUAL(str(c, "detail"), want);
        json_object_put(rep);
        free(out);
}

static int suite_init(void) {
        const char *p = getenv("PATH");
        const char *build = getenv("PODRT_BUILD_DIR");
        if (!build || !mkdtemp(tmpdir))
                return -1;
        saved_path = strdup(p ? p : "/usr/sbin:/usr/bin:/sbin:/bin");
        snprintf(search_path, sizeof(search_path),
                 "%s/plugins/oci:%s/plugins/nspawn:%s/tests/mock:%s/tests/thirdparty", build, build,
                 build, build);
        unsetenv("PODRT_CONFIG");
        return 0;
}

static int suite_cleanup(void) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        free(saved_path);
        return system(cmd) == 0 ? 0 : -1;
}

void register_tests(void) {
        CU_pSuite s = add_suite("check", suite_init, suite_cleanup);
        ADD_TEST(s, test_check_api);
        ADD_TEST(s, test_host_facts);
        ADD_TEST(s, test_sections);
        ADD_TEST(s, test_fake_runc);
        ADD_TEST(s, test_crun_refused_on_hybrid);
        ADD_TEST(s, test_version_timeout_and_failure);
        ADD_TEST(s, test_missing_binary);
        ADD_TEST(s, test_nspawn);
        ADD_TEST(s, test_refused_plugin);
        ADD_TEST(s, test_unclaimed_sections);
        ADD_TEST(s, test_third_party);
}
