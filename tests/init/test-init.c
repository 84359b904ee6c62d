/* SPDX-License-Identifier: Apache-2.0 */
/* podrt-init's pure parts: the pod description (write -> parse round trips,
 * parse errors naming the line, the writer refusing bad descriptions) and
 * the exit-status rules. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "../cunit-main.h"
#include "errors.h"
#include "initspec.h"
#include "status.h"
#include "strv.h"

/* Strings that break naive formats. */
static const char *const awkward[] = {
        "two  spaces", "new\nline", "tab\there", "back\\slash", "\"quoted\"", "'single'",
        "#not a comment", "", "\\s literal", "trailing ", " leading", "cr\rlf", "\x01\x1f\x7f",
        "utf-8 caf\xc3\xa9", "$HOME ${x} `y`", "semi;colon", "=", "\\x41",
};

static char *write_to_string(const struct initspec *s, struct podrt_error **err) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        int r = initspec_write(s, f, err);
        fclose(f);
        if (r < 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static struct initspec *full_spec(void) {
        struct initspec *s = initspec_new();
        struct initspec_app *a;
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        s->hostname = strdup("pod host");
        s->poweroff = true;
        s->stop_path = strdup("/podrt/status/stop request");
        s->exec_port = strdup("podrt.exec");
        CU_ASSERT_EQUAL(initspec_add_module(s, "/lib/modules/virtio_ring.ko", NULL), 0);
        CU_ASSERT_EQUAL(initspec_add_module(s, "/lib/modules/9p.ko.xz", "debug=1 x=\"a b\""), 0);
        CU_ASSERT_EQUAL(initspec_add_mount(s, "proc", "proc", "/proc", NULL, MS_NOSUID | MS_NOEXEC), 0);
        CU_ASSERT_EQUAL(initspec_add_mount(s, "9p", "vol data", "/mnt/vol data",
                                           "trans=virtio,version=9p2000.L", MS_RDONLY | MS_NODEV), 0);

        CU_ASSERT_EQUAL_FATAL(initspec_add_app(s, "web", "/opt/stage2/web/rootfs", &a), 0);
        for (size_t i = 0; i < ELEMENTSOF(awkward); i++)
                CU_ASSERT_EQUAL(strv_push(&a->argv, i == 0 ? "/bin/sh" : awkward[i]), 0);
        for (size_t i = 0; i < ELEMENTSOF(awkward); i++) {
                char *kv = NULL;
                CU_ASSERT(asprintf(&kv, "K%zu=%s", i, awkward[i]) > 0);
                CU_ASSERT_EQUAL(strv_consume(&a->env, kv), 0);
        }
        a->workdir = strdup("/srv/my dir");
        a->uid = 1000;
        a->gid = 4294967294u;
        CU_ASSERT_EQUAL(initspec_app_add_group(a, 10), 0);
        CU_ASSERT_EQUAL(initspec_app_add_group(a, 0), 0);
        CU_ASSERT_EQUAL(strv_push(&a->caps_drop, "CAP_NET_RAW"), 0);
        CU_ASSERT_EQUAL(strv_push(&a->caps_drop, "sys_admin"), 0);
        CU_ASSERT_EQUAL(strv_push(&a->caps_drop, "39"), 0);
        a->no_new_privs = true;
        a->read_only_root = true;
        CU_ASSERT_EQUAL(initspec_app_add_bind(a, "/podrt/volumes/a b", "/data\nx", true), 0);
        CU_ASSERT_EQUAL(initspec_app_add_bind(a, "/etc/hosts", "/etc/hosts", false), 0);
        CU_ASSERT_EQUAL(strv_push(&a->pre_start, "/bin/echo"), 0);
        CU_ASSERT_EQUAL(strv_push(&a->pre_start, ""), 0);
        CU_ASSERT_EQUAL(strv_push(&a->pre_start, "pre start"), 0);
        CU_ASSERT_EQUAL(strv_push(&a->post_stop, "post"), 0);
        a->stdout_path = strdup("/podrt/logs/web out");
        a->stderr_path = strdup("/podrt/logs/web.err");
        a->status_path = strdup("/podrt/status/web");
        a->pid_path = strdup("/podrt/pids/web");
        a->memory_max = 8388608;
        a->cpu_millis = 1500;
        a->pids_max = 64;

        /* A second app with every default. */
        CU_ASSERT_EQUAL_FATAL(initspec_add_app(s, "db-1.x", "/opt/stage2/db/rootfs", &a), 0);
        CU_ASSERT_EQUAL(strv_push(&a->argv, "true"), 0);
        return s;
}

static void assert_strv_equal(char *const *a, char *const *b) {
        CU_ASSERT_EQUAL(strv_length(a), strv_length(b));
        for (size_t i = 0; a && b && a[i] && b[i]; i++)
                if (strcmp(a[i], b[i]) != 0) {
                        fprintf(stderr, "strv[%zu]: \"%s\" != \"%s\"\n", i, a[i], b[i]);
                        CU_FAIL("strv differ");
                }
}

static void assert_str_equal(const char *a, const char *b) {
        if (!a || !b) {
                CU_ASSERT_PTR_EQUAL(a, b);
        } else {
                CU_ASSERT_STRING_EQUAL(a, b);
        }
}

static void assert_spec_equal(const struct initspec *x, const struct initspec *y) {
        assert_str_equal(x->hostname, y->hostname);
        CU_ASSERT_EQUAL(x->poweroff, y->poweroff);
        assert_str_equal(x->stop_path, y->stop_path);
        CU_ASSERT_EQUAL_FATAL(x->n_modules, y->n_modules);
        for (size_t i = 0; i < x->n_modules; i++) {
                assert_str_equal(x->modules[i].path, y->modules[i].path);
                assert_str_equal(x->modules[i].params, y->modules[i].params);
        }
        CU_ASSERT_EQUAL_FATAL(x->n_mounts, y->n_mounts);
        for (size_t i = 0; i < x->n_mounts; i++) {
                assert_str_equal(x->mounts[i].fstype, y->mounts[i].fstype);
                assert_str_equal(x->mounts[i].source, y->mounts[i].source);
                assert_str_equal(x->mounts[i].target, y->mounts[i].target);
                assert_str_equal(x->mounts[i].data, y->mounts[i].data);
                CU_ASSERT_EQUAL(x->mounts[i].flags, y->mounts[i].flags);
        }
        CU_ASSERT_EQUAL_FATAL(x->n_apps, y->n_apps);
        for (size_t i = 0; i < x->n_apps; i++) {
                const struct initspec_app *a = &x->apps[i], *b = &y->apps[i];
                assert_str_equal(a->name, b->name);
                assert_str_equal(a->root, b->root);
                assert_strv_equal(a->argv, b->argv);
                assert_strv_equal(a->env, b->env);
                assert_str_equal(a->workdir, b->workdir);
                CU_ASSERT_EQUAL(a->uid, b->uid);
                CU_ASSERT_EQUAL(a->gid, b->gid);
                CU_ASSERT_EQUAL_FATAL(a->n_groups, b->n_groups);
                for (size_t j = 0; j < a->n_groups; j++)
                        CU_ASSERT_EQUAL(a->groups[j], b->groups[j]);
                assert_strv_equal(a->caps_drop, b->caps_drop);
                CU_ASSERT_EQUAL(a->no_new_privs, b->no_new_privs);
                CU_ASSERT_EQUAL(a->read_only_root, b->read_only_root);
                CU_ASSERT_EQUAL_FATAL(a->n_binds, b->n_binds);
                for (size_t j = 0; j < a->n_binds; j++) {
                        assert_str_equal(a->binds[j].source, b->binds[j].source);
                        assert_str_equal(a->binds[j].target, b->binds[j].target);
                        CU_ASSERT_EQUAL(a->binds[j].read_only, b->binds[j].read_only);
                }
                assert_strv_equal(a->pre_start, b->pre_start);
                assert_strv_equal(a->post_stop, b->post_stop);
                assert_str_equal(a->stdout_path, b->stdout_path);
                assert_str_equal(a->stderr_path, b->stderr_path);
                assert_str_equal(a->status_path, b->status_path);
                assert_str_equal(a->pid_path, b->pid_path);
                CU_ASSERT_EQUAL(a->memory_max, b->memory_max);
                CU_ASSERT_EQUAL(a->cpu_millis, b->cpu_millis);
                CU_ASSERT_EQUAL(a->pids_max, b->pids_max);
        }
        assert_str_equal(x->exec_port, y->exec_port);
}

static void test_round_trip_every_field(void) {
        _cleanup_(initspec_freep) struct initspec *s = full_spec();
        _cleanup_error_ struct podrt_error *e = NULL;
        _cleanup_free_ char *text = write_to_string(s, &e);
        if (!text)
                fprintf(stderr, "write: %s\n", podrt_error_message(e));
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);

        _cleanup_(initspec_freep) struct initspec *back = NULL;
        int r = initspec_parse_string(text, "pod.conf", &back, &e);
        if (r < 0)
                fprintf(stderr, "parse: %s\n--\n%s--\n", podrt_error_message(e), text);
        CU_ASSERT_EQUAL_FATAL(r, 0);
        assert_spec_equal(s, back);

        /* Writing what was parsed gives the same text again. */
        _cleanup_free_ char *again = write_to_string(back, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(again);
        CU_ASSERT_STRING_EQUAL(text, again);

        /* One line per entry: no raw newline or tab leaked into a token. */
        size_t lines = 0;
        for (const char *c = text; *c; c++) {
                lines += *c == '\n';
                CU_ASSERT(*c != '\t' && *c != '\r');
        }
        CU_ASSERT(lines < 60);
}

static void test_writer_text(void) {
        _cleanup_(initspec_freep) struct initspec *s = initspec_new();
        struct initspec_app *a;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL_FATAL(initspec_add_app(s, "hello", "/opt/stage2/hello/rootfs", &a), 0);
        strv_push(&a->argv, "/bin/sh");
        strv_push(&a->argv, "-c");
        strv_push(&a->argv, "echo \"hi\"\tthere\\");
        strv_push(&a->env, "A=b c");
        strv_push(&a->caps_drop, "CAP_NET_RAW");
        initspec_app_add_bind(a, "/podrt/volumes/scratch", "/scratch", false);
        initspec_app_add_bind(a, "/srv/data", "/data", true);
        a->status_path = strdup("/podrt/status/hello");
        initspec_add_mount(s, "9p", "data", "/podrt/volumes/data", "trans=virtio", MS_RDONLY);
        _cleanup_free_ char *text = write_to_string(s, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        CU_ASSERT_STRING_EQUAL(text,
                               "# podrt-init pod description (docs/podrt-init.md)\n"
                               "podrt-init 1\n"
                               "mount 9p data /podrt/volumes/data ro data=trans=virtio\n"
                               "\n"
                               "app hello\n"
                               "root /opt/stage2/hello/rootfs\n"
                               "exec /bin/sh -c echo\\s\\x22hi\\x22\\tthere\\\\\n"
                               "env A=b\\sc\n"
                               "uid 0\n"
                               "gid 0\n"
                               "cap-drop CAP_NET_RAW\n"
                               "bind /podrt/volumes/scratch /scratch\n"
                               "bind /srv/data /data ro\n"
                               "stdout inherit\n"
                               "stderr inherit\n"
                               "status /podrt/status/hello\n");
}

static void test_escape(void) {
        const struct {
                const char *in, *out;
        } cases[] = {
                { "plain", "plain" },     { "", "\"\"" },         { "a b", "a\\sb" },
                { "\n\t\r", "\\n\\t\\r" }, { "\\", "\\\\" },       { "\"", "\\x22" },
                { "\x01\x7f", "\\x01\\x7f" }, { "caf\xc3\xa9", "caf\xc3\xa9" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *e = initspec_escape(cases[i].in);
                CU_ASSERT_PTR_NOT_NULL_FATAL(e);
                CU_ASSERT_STRING_EQUAL(e, cases[i].out);
        }
}

static void test_parse_handwritten(void) {
        const char *text = "# a pod, by hand\n"
                           "\n"
                           "  podrt-init 1  \n"
                           "hostname\tdemo\n"
                           "mount proc proc /proc nosuid nodev noexec\n"
                           "app a\n"
                           "   # comments anywhere, even with C:\\bad \\q escapes\n"
                           "root /r\n"
                           "exec sh -c echo\\x20hi \"\" \\x41\n"
                           "groups 1 2\n"
                           "groups 3\n"
                           "cap-drop net_raw 12\n"
                           "cap-drop CAP_SYS_ADMIN\n"
                           "stdout /log\n"
                           "stderr inherit\n"
                           "bind /a /b rw\n";
        _cleanup_(initspec_freep) struct initspec *s = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = initspec_parse_string(text, "pod.conf", &s, &e);
        if (r < 0)
                fprintf(stderr, "%s\n", podrt_error_message(e));
        CU_ASSERT_EQUAL_FATAL(r, 0);
        CU_ASSERT_STRING_EQUAL(s->hostname, "demo");
        CU_ASSERT_FALSE(s->poweroff);
        CU_ASSERT_PTR_NULL(s->stop_path);   /* no stop-file: nothing polled */
        CU_ASSERT_EQUAL(s->mounts[0].flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
        CU_ASSERT_PTR_NULL(s->mounts[0].data);
        const struct initspec_app *a = &s->apps[0];
        CU_ASSERT_EQUAL(strv_length(a->argv), 5);
        CU_ASSERT_STRING_EQUAL(a->argv[2], "echo hi");
        CU_ASSERT_STRING_EQUAL(a->argv[3], "");
        CU_ASSERT_STRING_EQUAL(a->argv[4], "A");
        CU_ASSERT_PTR_NULL(a->env);
        CU_ASSERT_PTR_NULL(a->workdir);
        CU_ASSERT_EQUAL(a->n_groups, 3);
        CU_ASSERT_EQUAL(a->groups[2], 3);
        CU_ASSERT_EQUAL(strv_length(a->caps_drop), 3);
        CU_ASSERT_STRING_EQUAL(a->stdout_path, "/log");
        CU_ASSERT_PTR_NULL(a->stderr_path);
        CU_ASSERT_FALSE(a->binds[0].read_only);
        CU_ASSERT_EQUAL(a->uid, 0);
}

/* Each bad description fails with exactly this message. */
static void test_parse_errors_name_the_line(void) {
        const struct {
                const char *text, *message;
        } cases[] = {
                { "", "pod.conf: empty (the first line must be \"podrt-init 1\")" },
                { "app a\n", "pod.conf:1: not a podrt-init pod description (the first line must be \"podrt-init 1\")" },
                { "podrt-init 2\n", "pod.conf:1: format version 2 is not supported (this podrt-init reads 1)" },
                { "podrt-init 1\n# c\nfrob 1\n", "pod.conf:3: unknown key \"frob\"" },
                { "podrt-init 1\nroot /x\n", "pod.conf:2: unknown key \"root\"" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nhostname h\n",
                  "pod.conf:5: \"hostname\" is a pod key: it belongs before the first app" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nwrokdir /\n", "pod.conf:5: unknown key \"wrokdir\"" },
                { "podrt-init 1\napp a\nroot /r\nexec a\\qb\n",
                  "pod.conf:4: unknown escape \"\\q\" in \"a\\qb\"" },
                { "podrt-init 1\napp a\nroot /r\nexec a\\x4\n",
                  "pod.conf:4: \\x needs two hex digits in \"a\\x4\"" },
                { "podrt-init 1\napp a\nroot /r\nexec a\\x00\n",
                  "pod.conf:4: \\x00 is not allowed in \"a\\x00\"" },
                { "podrt-init 1\napp a\nroot /r\nexec a\\\n",
                  "pod.conf:4: a backslash ends the token \"a\\\"" },
                { "podrt-init 1\napp a\nroot /r\n\napp b\n", "pod.conf:2: app a: no \"exec\" line" },
                { "podrt-init 1\n\napp a\nexec /x\n", "pod.conf:3: app a: no \"root\" line" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nroot /s\n", "pod.conf:5: app a: \"root\" given twice" },
                { "podrt-init 1\napp a\nroot r\n", "pod.conf:3: root: \"r\" must be an absolute path" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nuid -1\n",
                  "pod.conf:5: uid: \"-1\" is not a number below 4294967295" },
                { "podrt-init 1\napp a\nroot /r\nexec x\ngid 4294967295\n",
                  "pod.conf:5: gid: \"4294967295\" is not a number below 4294967295" },
                { "podrt-init 1\napp a\nroot /r\nexec x\ncap-drop CAP_NET_RAWW\n",
                  "pod.conf:5: cap-drop: unknown capability \"CAP_NET_RAWW\"" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nbind /a /b/../../etc\n",
                  "pod.conf:5: bind: target \"/b/../../etc\" must be absolute, without \"..\"" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nbind /a /b maybe\n",
                  "pod.conf:5: bind: expects SOURCE TARGET [ro|rw]" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nenv NOEQUALS\n",
                  "pod.conf:5: env: \"NOEQUALS\" is not KEY=VALUE" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nenv A=1\nenv A=2\n", "pod.conf:6: env: A set twice" },
                { "podrt-init 1\napp a\nroot /r\nexec \"\"\n", "pod.conf:4: exec: the program is an empty string" },
                { "podrt-init 1\napp a\nroot /r\nexec\n", "pod.conf:4: exec: expects the program and its arguments" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nno-new-privs true\n",
                  "pod.conf:5: no-new-privs: \"true\" is not yes or no" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nworkdir /a b\n", "pod.conf:5: workdir: expects one value" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nstdout log\n",
                  "pod.conf:5: stdout: \"log\" must be an absolute path" },
                { "podrt-init 1\napp a\nroot /r\nexec x\napp a\n", "pod.conf:5: app a: listed twice" },
                { "podrt-init 1\napp Web\n", "pod.conf:2: app \"Web\": a name is [a-z0-9][a-z0-9.-]{0,62}" },
                { "podrt-init 1\nmount proc proc /proc ro sync\n",
                  "pod.conf:2: mount /proc: unknown option \"sync\" (ro, rw, nosuid, nodev, noexec, data=...)" },
                { "podrt-init 1\nmount proc proc proc\n", "pod.conf:2: mount: target \"proc\" must be absolute" },
                { "podrt-init 1\nmodule virtio.ko\n", "pod.conf:2: module: \"virtio.ko\" must be an absolute path" },
                { "podrt-init 1\npoweroff maybe\n", "pod.conf:2: poweroff: \"maybe\" is not yes or no" },
                { "podrt-init 1\nhostname a\nhostname b\n", "pod.conf:3: hostname: given twice" },
                { "podrt-init 1\nstop-file stop\n", "pod.conf:2: stop-file: \"stop\" must be an absolute path" },
                { "podrt-init 1\nstop-file /a\nstop-file /b\n", "pod.conf:3: stop-file: given twice" },
                { "podrt-init 1\nstop-file\n", "pod.conf:2: stop-file: expects one path" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nstop-file /s\n",
                  "pod.conf:5: \"stop-file\" is a pod key: it belongs before the first app" },
                { "podrt-init 1\npodrt-init 1\n", "pod.conf:2: \"podrt-init\" given twice" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nmemory-max 8M\n", "pod.conf:5: memory-max: \"8M\" is not a positive number" },
                { "podrt-init 1\napp a\nroot /r\nexec x\npids-max 0\n", "pod.conf:5: pids-max: \"0\" is not a positive number" },
                { "podrt-init 1\napp a\nroot /r\nexec x\ncpu-max 1\ncpu-max 2\n", "pod.conf:6: app a: \"cpu-max\" given twice" },
                { "podrt-init 1\nexec-port a/b\n", "pod.conf:2: exec-port: \"a/b\" is not a port name" },
                { "podrt-init 1\nexec-port a\nexec-port b\n", "pod.conf:3: exec-port: given twice" },
                { "podrt-init 1\nexec-port\n", "pod.conf:2: exec-port: expects one port name" },
                { "podrt-init 1\napp a\nroot /r\nexec x\nexec-port p\n",
                  "pod.conf:5: \"exec-port\" is a pod key: it belongs before the first app" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct initspec *s = (struct initspec *)0x1;   /* untouched on failure */
                _cleanup_error_ struct podrt_error *e = NULL;
                int r = initspec_parse_string(cases[i].text, "pod.conf", &s, &e);
                CU_ASSERT_EQUAL(r, -EINVAL);
                CU_ASSERT_PTR_EQUAL(s, (struct initspec *)0x1);
                if (!e || strcmp(podrt_error_message(e), cases[i].message) != 0) {
                        fprintf(stderr, "case %zu: expected \"%s\", got \"%s\"\n", i, cases[i].message,
                                e ? podrt_error_message(e) : "(no error)");
                        CU_FAIL("wrong message");
                }
        }
}

static void test_parse_nul_byte(void) {
        const char text[] = "podrt-init 1\nhostname a\0b\n";
        FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        struct initspec *s = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL(initspec_parse(f, "x.conf", &s, &e), -EINVAL);
        fclose(f);
        CU_ASSERT_PTR_NULL(s);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "x.conf:2: a NUL byte in the line");
}

/* A VM's stop request: the pod key follows poweroff; a relative path is
 * refused by the writer, naming the key. */
static void test_writer_stop_file(void) {
        _cleanup_(initspec_freep) struct initspec *s = initspec_new();
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        s->poweroff = true;
        s->stop_path = strdup("/podrt/status/stop");
        _cleanup_free_ char *text = write_to_string(s, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        CU_ASSERT_STRING_EQUAL(text,
                               "# podrt-init pod description (docs/podrt-init.md)\n"
                               "podrt-init 1\n"
                               "poweroff yes\n"
                               "stop-file /podrt/status/stop\n");
        /* The exec channel's port: written, and read back. */
        s->exec_port = strdup("podrt.exec");
        _cleanup_free_ char *with_port = write_to_string(s, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(with_port);
        ASSERT_CONTAINS(with_port, "stop-file /podrt/status/stop\nexec-port podrt.exec\n");
        _cleanup_(initspec_freep) struct initspec *back = NULL;
        CU_ASSERT_FATAL(initspec_parse_string(with_port, "pod.conf", &back, &e) == 0);
        CU_ASSERT_STRING_EQUAL(back->exec_port, "podrt.exec");
        free(s->exec_port);
        s->exec_port = NULL;
        free(s->stop_path);
        s->stop_path = strdup("stop");
        _cleanup_free_ char *bad = write_to_string(s, &e);
        CU_ASSERT_PTR_NULL(bad);
        CU_ASSERT_PTR_NOT_NULL_FATAL(e);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "pod description: stop-file: \"stop\" must be absolute");
}

static void test_writer_refuses_bad_spec(void) {
        char dir[] = "/tmp/test-init.XXXXXX";
        CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
        char path[256];
        snprintf(path, sizeof(path), "%s/pod.conf", dir);

        _cleanup_(initspec_freep) struct initspec *s = initspec_new();
        struct initspec_app *a;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL_FATAL(initspec_add_app(s, "web", "/r", &a), 0);
        strv_push(&a->argv, "/bin/true");
        a->workdir = strdup("relative");
        CU_ASSERT_EQUAL(initspec_write_file(s, path, &e), -EINVAL);
        char expected[512];
        snprintf(expected, sizeof(expected),
                 "%s: pod description: app web: workdir: \"relative\" must be absolute, without \"..\"",
                 path);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), expected);
        /* Nothing left behind: no file, no temporary. */
        DIR *d = opendir(dir);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        int entries = 0;
        for (struct dirent *de; (de = readdir(d));)
                entries += de->d_name[0] != '.';
        closedir(d);
        CU_ASSERT_EQUAL(entries, 0);

        /* Fixed, it writes; and what it wrote loads. */
        free(a->workdir);
        a->workdir = NULL;
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(initspec_write_file(s, path, &e), 0);
        _cleanup_(initspec_freep) struct initspec *back = NULL;
        CU_ASSERT_EQUAL(initspec_load(path, &back, &e), 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(back);
        CU_ASSERT_STRING_EQUAL(back->apps[0].argv[0], "/bin/true");
        struct stat st;
        CU_ASSERT_EQUAL(stat(path, &st), 0);
        CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
        unlink(path);
        rmdir(dir);

        /* Other rules the writer enforces. */
        e = podrt_error_free(e);
        _cleanup_(initspec_freep) struct initspec *t = initspec_new();
        CU_ASSERT_EQUAL_FATAL(initspec_add_app(t, "a", "/r", &a), 0);
        CU_ASSERT_EQUAL(initspec_write(t, stdout, &e), -EINVAL);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "pod description: app a: exec: missing (at least the program)");
        strv_push(&t->apps[0].argv, "x");
        CU_ASSERT_EQUAL_FATAL(initspec_add_app(t, "a", "/r", &a), 0);
        strv_push(&a->argv, "x");
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(initspec_write(t, stdout, &e), -EINVAL);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "pod description: app a: listed twice");
        free(a->name);
        a->name = strdup("b");
        strv_push(&a->caps_drop, "CAP_BOGUS");
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(initspec_write(t, stdout, &e), -EINVAL);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "pod description: app b: cap-drop: unknown capability \"CAP_BOGUS\"");
}

static void test_cap_names(void) {
        CU_ASSERT_EQUAL(cap_from_name("CAP_NET_RAW"), 13);
        CU_ASSERT_EQUAL(cap_from_name("net_raw"), 13);
        CU_ASSERT_EQUAL(cap_from_name("Cap_Net_Raw"), 13);
        CU_ASSERT_EQUAL(cap_from_name("13"), 13);
        CU_ASSERT_EQUAL(cap_from_name("CAP_CHOWN"), 0);
        CU_ASSERT_EQUAL(cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
        CU_ASSERT_EQUAL(cap_from_name("63"), 63);
        CU_ASSERT_EQUAL(cap_from_name("64"), -EINVAL);
        CU_ASSERT_EQUAL(cap_from_name("1x"), -EINVAL);
        CU_ASSERT_EQUAL(cap_from_name("CAP_"), -EINVAL);
        CU_ASSERT_EQUAL(cap_from_name(""), -EINVAL);
}

/* ---- exit-status rules ---- */

static int wait_status_of(int how) {
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0) {
                if (how < 0)
                        raise(-how);
                _exit(how < 0 ? 99 : how);
        }
        int ws;
        CU_ASSERT_EQUAL(waitpid(pid, &ws, 0), pid);
        return ws;
}

static void test_exit_code_from_wait(void) {
        CU_ASSERT_EQUAL(exit_code_from_wait(wait_status_of(0)), 0);
        CU_ASSERT_EQUAL(exit_code_from_wait(wait_status_of(3)), 3);
        CU_ASSERT_EQUAL(exit_code_from_wait(wait_status_of(255)), 255);
        CU_ASSERT_EQUAL(exit_code_from_wait(wait_status_of(-SIGTERM)), 143);
        CU_ASSERT_EQUAL(exit_code_from_wait(wait_status_of(-SIGKILL)), 137);
        CU_ASSERT_EQUAL(exit_code_from_wait(wait_status_of(-SIGINT)), 130);
}

static int outcome_of(const int *codes, size_t n) {
        struct pod_outcome o = { 0 };
        for (size_t i = 0; i < n; i++)
                pod_outcome_record(&o, codes[i]);
        return o.code;
}

static void test_pod_outcome(void) {
        CU_ASSERT_EQUAL(outcome_of(NULL, 0), 0);
        CU_ASSERT_EQUAL(outcome_of((int[]){ 0, 0, 0 }, 3), 0);
        /* The first that failed, by exit order, not the largest or last. */
        CU_ASSERT_EQUAL(outcome_of((int[]){ 0, 3, 5 }, 3), 3);
        CU_ASSERT_EQUAL(outcome_of((int[]){ 5, 3, 0 }, 3), 5);
        CU_ASSERT_EQUAL(outcome_of((int[]){ 0, 143, 1 }, 3), 143);
        CU_ASSERT_EQUAL(outcome_of((int[]){ 0, 0, 127 }, 3), 127);
}

static void test_status_file(void) {
        char dir[] = "/tmp/test-init.XXXXXX";
        CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
        char path[600], sub[512], buf[32] = { 0 };
        snprintf(sub, sizeof(sub), "%s/status", dir);
        snprintf(path, sizeof(path), "%s/web", sub);
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL(status_file_write(path, 143, &e), 0);
        CU_ASSERT_EQUAL(status_file_write(path, 3, &e), 0);   /* replaced whole */
        FILE *f = fopen(path, "re");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        CU_ASSERT(fread(buf, 1, sizeof(buf) - 1, f) > 0);
        fclose(f);
        CU_ASSERT_STRING_EQUAL(buf, "3\n");
        /* No temporary left beside it. */
        DIR *d = opendir(sub);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        int entries = 0;
        for (struct dirent *de; (de = readdir(d));)
                entries += de->d_name[0] != '.';
        closedir(d);
        CU_ASSERT_EQUAL(entries, 1);
        unlink(path);
        rmdir(sub);

        /* A status path under a file fails with the path named. */
        snprintf(path, sizeof(path), "%s/file", dir);
        f = fopen(path, "we");
        fclose(f);
        snprintf(sub, sizeof(sub), "%s/file/web", dir);
        CU_ASSERT(status_file_write(sub, 1, &e) < 0);
        ASSERT_CONTAINS(podrt_error_message(e), "/file");
        unlink(path);
        rmdir(dir);
}

void register_tests(void) {
        CU_pSuite s = add_suite("initspec", NULL, NULL);
        ADD_TEST(s, test_round_trip_every_field);
        ADD_TEST(s, test_writer_text);
        ADD_TEST(s, test_escape);
        ADD_TEST(s, test_parse_handwritten);
        ADD_TEST(s, test_parse_errors_name_the_line);
        ADD_TEST(s, test_parse_nul_byte);
        ADD_TEST(s, test_writer_refuses_bad_spec);
        ADD_TEST(s, test_writer_stop_file);
        ADD_TEST(s, test_cap_names);
        CU_pSuite x = add_suite("exit-status", NULL, NULL);
        ADD_TEST(x, test_exit_code_from_wait);
        ADD_TEST(x, test_pod_outcome);
        ADD_TEST(x, test_status_file);
}
