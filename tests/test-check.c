/* SPDX-License-Identifier: Apache-2.0 */
/* Host checks: module status, cgroup mode, runtimes found on PATH and their
 * versions, missing binaries, the KVM probe closing what it opens. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "conf.h"
#include "cunit-main.h"
#include "errors.h"

static char tmpdir[] = "/tmp/podrt-test-check.XXXXXX";
static char *saved_path;

static int count_fds(void) {
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return -1;
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d)))
                if (e->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

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

static struct podrt_config *load_conf(const char *text) {
        write_file("podrt.conf", text, 0644);
        char path[512];
        snprintf(path, sizeof(path), "%s/podrt.conf", tmpdir);
        struct podrt_config *cfg = NULL;
        struct podrt_error *err = NULL;
        int r = config_load(path, &cfg, &err);
        if (r < 0)
                fprintf(stderr, "config: %s\n", podrt_error_message(err));
        CU_ASSERT_EQUAL_FATAL(r, 0);
        return cfg;
}

static struct json_object *report_for(const struct podrt_config *cfg) {
        struct json_object *rep = NULL;
        struct podrt_error *err = NULL;
        CU_ASSERT_EQUAL_FATAL(check_host(cfg, &rep, &err), 0);
        CU_ASSERT_PTR_NULL(err);
        CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
        return rep;
}

static struct json_object *get(struct json_object *o, const char *key) {
        struct json_object *v = NULL;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
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

static void use_path(const char *path) {
        setenv("PATH", path, 1);
}

static void test_module_status(void) {
        CU_ASSERT_STRING_EQUAL(check_module_status("podrt_no_such_module_xyz"), "missing");
        CU_ASSERT_STRING_EQUAL(check_module_status(""), "missing");

        struct utsname u;
        CU_ASSERT_EQUAL_FATAL(uname(&u), 0);
        char moddir[sizeof(u.release) + 16];
        snprintf(moddir, sizeof(moddir), "/lib/modules/%s", u.release);
        int have_moddir = access(moddir, F_OK) == 0;

        struct podrt_config *cfg = NULL;
        CU_ASSERT_EQUAL_FATAL(config_defaults(&cfg, NULL), 0);
        struct json_object *rep = report_for(cfg);
        struct json_object *mods = get(get(rep, "host"), "modules");
        CU_ASSERT_EQUAL(json_object_array_length(mods), 7);
        const char *names[] = { "kvm", "kvm_intel", "kvm_amd", "vhost_vsock", "vhost_net",
                                "tun", "overlay" };
        for (size_t i = 0; i < 7; i++) {
                struct json_object *m = find_named(mods, names[i]);
                CU_ASSERT_PTR_NOT_NULL_FATAL(m);
                const char *s = json_object_get_string(get(m, "status"));
                CU_ASSERT(strcmp(s, "loaded") == 0 || strcmp(s, "builtin") == 0 ||
                          strcmp(s, "loadable") == 0 || strcmp(s, "missing") == 0);
                /* Without a module tree nothing can be "loadable". */
                if (!have_moddir)
                        CU_ASSERT(strcmp(s, "loadable") != 0);
                /* What /sys/module says: a folder with initstate "live" is a
                 * loaded module, one without initstate a built-in one. */
                char sys[256];
                snprintf(sys, sizeof(sys), "/sys/module/%s/initstate", names[i]);
                FILE *f = fopen(sys, "re");
                if (f) {
                        char state[32] = "";
                        if (fgets(state, sizeof(state), f) && strncmp(state, "live", 4) == 0)
                                CU_ASSERT_STRING_EQUAL(s, "loaded");
                        fclose(f);
                } else {
                        snprintf(sys, sizeof(sys), "/sys/module/%s", names[i]);
                        if (access(sys, F_OK) == 0)
                                CU_ASSERT_STRING_EQUAL(s, "builtin");
                }
                /* The report and the single lookup agree. */
                CU_ASSERT_STRING_EQUAL(s, check_module_status(names[i]));
        }
        /* The calm note exactly when there is no module tree. */
        const char *note = json_object_get_string(get(get(rep, "host"), "modules_note"));
        if (have_moddir) {
                CU_ASSERT_PTR_NULL(note);
        } else {
                ASSERT_CONTAINS(note, moddir);
        }
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(get(rep, "host"), "kernel")), u.release);
        json_object_put(rep);
        config_free(cfg);
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

static void test_cgroup_mode(void) {
        struct podrt_config *cfg = NULL;
        CU_ASSERT_EQUAL_FATAL(config_defaults(&cfg, NULL), 0);
        struct json_object *rep = report_for(cfg);
        const char *mode = json_object_get_string(get(get(rep, "host"), "cgroup"));
        CU_ASSERT_PTR_NOT_NULL_FATAL(mode);
        CU_ASSERT(strcmp(mode, "v1") == 0 || strcmp(mode, "hybrid") == 0 ||
                  strcmp(mode, "v2") == 0);
        CU_ASSERT_STRING_EQUAL(mode, cgroup_from_mountinfo());
        /* PID 1 is systemd exactly when /run/systemd/system exists. */
        struct stat st;
        int systemd = lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
        CU_ASSERT_EQUAL(is_true(get(rep, "host"), "systemd"), systemd);
        json_object_put(rep);
        config_free(cfg);
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

        struct podrt_config *cfg = NULL;
        CU_ASSERT_EQUAL_FATAL(config_defaults(&cfg, NULL), 0);
        struct json_object *rep = report_for(cfg);
        close(57);

        struct json_object *runc = check_of(rep, "oci", "runc");
        CU_ASSERT_PTR_NOT_NULL_FATAL(runc);
        CU_ASSERT(is_true(runc, "ok"));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(runc, "detail")),
                               "runc version 9.9.9-fake");
        /* runtime = auto: crun is looked for too, and is not here. */
        struct json_object *crun = check_of(rep, "oci", "crun");
        CU_ASSERT_PTR_NOT_NULL_FATAL(crun);
        CU_ASSERT(!is_true(crun, "ok"));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(crun, "detail")),
                               "crun: not found on PATH");
        CU_ASSERT(is_true(backend(rep, "oci"), "ready"));
        /* oci is the default backend, so the host is ready for it. */
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(rep, "backend")), "oci");
        CU_ASSERT(is_true(rep, "ready"));

        /* The readable form: one line per check. */
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        check_print(rep, f);
        fclose(f);
        ASSERT_CONTAINS(text, "backend oci: ready\n");
        ASSERT_CONTAINS(text, "runc version 9.9.9-fake\n");
        ASSERT_CONTAINS(text, "MISSING  crun                 crun: not found on PATH (optional)\n");
        ASSERT_CONTAINS(text, "ok       runc                 runc version 9.9.9-fake\n");
        ASSERT_CONTAINS(text, "backend in use: oci (ready)\n");
        free(text);
        json_object_put(rep);
        config_free(cfg);
        use_path(saved_path);
}

static void test_version_timeout_and_failure(void) {
        write_file("runc", "#!/bin/sh\nexec /bin/sleep 20\n", 0755);
        write_file("crun", "#!/bin/sh\necho 'crun: broken' >&2\nexit 3\n", 0755);
        use_path(tmpdir);
        struct podrt_config *cfg = NULL;
        CU_ASSERT_EQUAL_FATAL(config_defaults(&cfg, NULL), 0);
        time_t start = time(NULL);
        struct json_object *rep = report_for(cfg);
        CU_ASSERT(time(NULL) - start < 10);

        struct json_object *runc = check_of(rep, "oci", "runc");
        CU_ASSERT(!is_true(runc, "ok"));
        ASSERT_CONTAINS(json_object_get_string(get(runc, "detail")),
                        "runc --version: no answer within 2 s");
        struct json_object *crun = check_of(rep, "oci", "crun");
        CU_ASSERT(!is_true(crun, "ok"));
        ASSERT_CONTAINS(json_object_get_string(get(crun, "detail")),
                        "crun --version: exit status 3: crun: broken");
        CU_ASSERT(!is_true(backend(rep, "oci"), "ready"));
        CU_ASSERT(!is_true(rep, "ready"));
        json_object_put(rep);
        config_free(cfg);

        char path[512];
        snprintf(path, sizeof(path), "%s/crun", tmpdir);
        unlink(path);
        snprintf(path, sizeof(path), "%s/runc", tmpdir);
        unlink(path);
        use_path(saved_path);
}

static void test_missing_binary(void) {
        struct podrt_config *cfg = load_conf("backend = \"nspawn\";\n"
                                             "nspawn = { binary = \"/nonexistent/systemd-nspawn\"; };\n"
                                             "oci = { runtime = \"/nonexistent/runc\"; };\n");
        struct json_object *rep = report_for(cfg);

        struct json_object *c = check_of(rep, "nspawn", "/nonexistent/systemd-nspawn");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT(!is_true(c, "ok"));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(c, "detail")),
                               "/nonexistent/systemd-nspawn: not found");
        CU_ASSERT(!is_true(backend(rep, "nspawn"), "ready"));

        c = check_of(rep, "oci", "/nonexistent/runc");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT(!is_true(c, "ok"));
        /* An explicit runtime: only that one is checked. */
        CU_ASSERT_PTR_NULL(check_of(rep, "oci", "runc"));
        CU_ASSERT(!is_true(backend(rep, "oci"), "ready"));

        /* The configured backend (nspawn) is not ready. */
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(rep, "backend")), "nspawn");
        CU_ASSERT(!is_true(rep, "ready"));

        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        check_print(rep, f);
        fclose(f);
        ASSERT_CONTAINS(text, "backend nspawn: NOT READY\n");
        ASSERT_CONTAINS(text, "backend in use: nspawn (NOT READY)\n");
        ASSERT_CONTAINS(text, "MISSING  /nonexistent/systemd-nspawn /nonexistent/systemd-nspawn: not found\n");
        free(text);
        json_object_put(rep);
        config_free(cfg);

        /* kvm: no hypervisor on PATH and no kernel file: not ready. */
        cfg = load_conf("kvm = { kernel = \"/nonexistent/vmlinuz\"; };\n");
        use_path(tmpdir);
        rep = report_for(cfg);
        use_path(saved_path);
        c = check_of(rep, "kvm", "qemu-system-x86_64");
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT(!is_true(c, "ok"));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(c, "detail")),
                               "qemu-system-x86_64: not found on PATH");
        c = check_of(rep, "kvm", "kernel");
        CU_ASSERT(!is_true(c, "ok"));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(c, "detail")),
                               "/nonexistent/vmlinuz: not found (kvm.kernel)");
        CU_ASSERT(!is_true(backend(rep, "kvm"), "ready"));
        /* The mock backend is not reported. */
        CU_ASSERT_PTR_NULL(backend(rep, "mock"));
        json_object_put(rep);
        config_free(cfg);
}

static void test_kvm_ready_with_fakes(void) {
        /* A hypervisor and a kernel present: qemu with accel auto is ready
         * whether KVM works or not (TCG fallback). */
        write_file("qemu-system-x86_64", "#!/bin/sh\necho 'QEMU emulator version 0.0.1-fake'\n",
                   0755);
        write_file("vmlinuz", "not really a kernel\n", 0644);
        char conf[1024];
        /* Its own state dir: no QEMU probe cached by a real kvm pod here. */
        snprintf(conf, sizeof(conf),
                 "state_dir = \"%s/state\";\nkvm = { kernel = \"%s/vmlinuz\"; modules = \"%s\"; };\n",
                 tmpdir, tmpdir, tmpdir);
        struct podrt_config *cfg = load_conf(conf);
        use_path(tmpdir);
        struct json_object *rep = report_for(cfg);
        use_path(saved_path);
        struct json_object *c = check_of(rep, "kvm", "qemu-system-x86_64");
        CU_ASSERT(is_true(c, "ok"));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(c, "detail")),
                               "QEMU emulator version 0.0.1-fake");
        CU_ASSERT(is_true(check_of(rep, "kvm", "kernel"), "ok"));
        CU_ASSERT(is_true(check_of(rep, "kvm", "modules"), "ok"));
        CU_ASSERT(is_true(backend(rep, "kvm"), "ready"));
        struct json_object *works = check_of(rep, "kvm", "kvm works");
        CU_ASSERT_PTR_NOT_NULL_FATAL(works);
        CU_ASSERT_EQUAL(is_true(works, "ok"), is_true(get(get(rep, "host"), "kvm"), "works"));
        if (!is_true(works, "ok"))
                ASSERT_CONTAINS(json_object_get_string(get(works, "detail")), "TCG fallback");

        /* Once the kvm backend's QEMU probe has run this boot, its verdict
         * wins over the tiny KVM_RUN (nested KVM passes that one). */
        char boot[128] = "", dir[600], cache[700], line[512];
        FILE *b = fopen("/proc/sys/kernel/random/boot_id", "re");
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        CU_ASSERT_PTR_NOT_NULL(fgets(boot, sizeof(boot), b));
        fclose(b);
        boot[strcspn(boot, "\n")] = 0;
        snprintf(dir, sizeof(dir), "%s/state", tmpdir);
        mkdir(dir, 0700);
        snprintf(dir, sizeof(dir), "%s/state/kvm", tmpdir);
        mkdir(dir, 0700);
        snprintf(cache, sizeof(cache), "%s/kvm-works", dir);
        snprintf(line, sizeof(line), "boot %s\nworks 0\ndetail fake guest died of signal 6\n", boot);
        FILE *cf = fopen(cache, "we");
        CU_ASSERT_PTR_NOT_NULL_FATAL(cf);
        fputs(line, cf);
        fclose(cf);
        use_path(tmpdir);
        struct json_object *rep2 = report_for(cfg);
        use_path(saved_path);
        struct json_object *w2 = check_of(rep2, "kvm", "kvm works");
        CU_ASSERT_PTR_NOT_NULL_FATAL(w2);
        CU_ASSERT(!is_true(w2, "ok"));
        ASSERT_CONTAINS(json_object_get_string(get(w2, "detail")), "fake guest died of signal 6 (QEMU probe)");
        CU_ASSERT(is_true(backend(rep2, "kvm"), "ready"));   /* TCG fallback */
        json_object_put(rep2);
        unlink(cache);

        /* The configured backend (oci) has no runtime on this PATH; a caller
         * that picks another backend (--backend kvm) replaces "backend", and
         * the printed verdict follows that backend's own entry. */
        CU_ASSERT(!is_true(rep, "ready"));
        json_object_object_add(rep, "backend", json_object_new_string("kvm"));
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        check_print(rep, f);
        fclose(f);
        ASSERT_CONTAINS(text, "backend in use: kvm (ready)\n");
        ASSERT_CONTAINS(text, "ok       qemu-system-x86_64   QEMU emulator version 0.0.1-fake\n");
        free(text);
        json_object_put(rep);
        config_free(cfg);
}

static void test_kvm_probe(void) {
        int before = count_fds();
        char detail[256] = "";
        int r = check_kvm_works(detail, sizeof(detail));
        CU_ASSERT(r == 0 || r == 1);
        CU_ASSERT(detail[0] != '\0');
        CU_ASSERT_EQUAL(count_fds(), before);
        if (access("/dev/kvm", F_OK) < 0)
                CU_ASSERT_EQUAL(r, 0);
        if (r == 1)
                ASSERT_CONTAINS(detail, "KVM works");
        fprintf(stderr, "kvm probe: %d: %s\n", r, detail);

        /* The whole report leaves no fd behind either. */
        struct podrt_config *cfg = NULL;
        CU_ASSERT_EQUAL_FATAL(config_defaults(&cfg, NULL), 0);
        struct json_object *rep = report_for(cfg);
        CU_ASSERT_EQUAL(count_fds(), before);
        CU_ASSERT_EQUAL(is_true(get(get(rep, "host"), "kvm"), "works"), r);
        json_object_put(rep);
        config_free(cfg);
}

static int suite_init(void) {
        const char *p = getenv("PATH");
        saved_path = strdup(p ? p : "/usr/sbin:/usr/bin:/sbin:/bin");
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int suite_cleanup(void) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        free(saved_path);
        return system(cmd) == 0 ? 0 : -1;
}

void register_tests(void) {
        CU_pSuite s = add_suite("check", suite_init, suite_cleanup);
        ADD_TEST(s, test_module_status);
        ADD_TEST(s, test_cgroup_mode);
        ADD_TEST(s, test_fake_runc);
        ADD_TEST(s, test_version_timeout_and_failure);
        ADD_TEST(s, test_missing_binary);
        ADD_TEST(s, test_kvm_ready_with_fakes);
        ADD_TEST(s, test_kvm_probe);
}
