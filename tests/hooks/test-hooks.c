/* SPDX-License-Identifier: Apache-2.0 */
/* The hooks plugin's parsing, matching, loading and running, tested on the
 * plugin's own sources (no libpodrt needed). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cunit-main.h"
#include "errors.h"
#include "exec.h"
#include "hookfile.h"
#include "regexbound.h"
#include "load.h"
#include "match.h"
#include "render.h"

/* ---- helpers -------------------------------------------------------------- */

static char tmp_root[256];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

static int suite_init(void) {
        strcpy(tmp_root, "/tmp/podrt-test-hooks-XXXXXX");
        return mkdtemp(tmp_root) ? 0 : -1;
}

static int suite_cleanup(void) {
        if (tmp_root[0])
                nftw(tmp_root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        return 0;
}

/* A fresh directory under the suite's temp dir. */
static const char *new_dir(void) {
        static char path[512];
        static int n;
        snprintf(path, sizeof(path), "%s/d%d", tmp_root, ++n);
        CU_ASSERT_FATAL(mkdir(path, 0755) == 0);
        return path;
}

static void write_file(const char *dir, const char *name, const char *text, mode_t mode) {
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
        close(fd);
        chmod(path, mode);
}

static char *read_path(const char *path) {
        static char buf[65536];
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n < 0)
                return NULL;
        buf[n] = '\0';
        return buf;
}

static char *read_fd(int fd) {
        static char buf[65536];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        buf[n < 0 ? 0 : n] = '\0';
        return buf;
}

static struct hook *parse_ok(const char *json) {
        struct hook *h = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = hook_parse("test.json", json, strlen(json), &h, &e);
        if (r < 0)
                fprintf(stderr, "unexpected error for %s: %s\n", json, podrt_error_message(e));
        CU_ASSERT_EQUAL(r, 0);
        return h;
}

/* The error message for json (a static copy), or "" when it parsed. */
static const char *parse_err(const char *json) {
        static char msg[1024];
        struct hook *h = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = hook_parse("test.json", json, strlen(json), &h, &e);
        CU_ASSERT(r < 0);
        CU_ASSERT_PTR_NULL(h);
        hook_free(h);
        snprintf(msg, sizeof(msg), "%s", r < 0 ? podrt_error_message(e) : "");
        return msg;
}

#define V1(hook, when, stages)                                                            \
        "{\"version\": \"1.0.0\", \"hook\": " hook ", \"when\": " when ", \"stages\": " stages "}"

/* ---- schema 1.0.0 ----------------------------------------------------------- */

static void test_parse_every_field(void) {
        struct hook *h = parse_ok(
                "{\"version\": \"1.0.0\",\n"
                " \"hook\": {\"path\": \"/usr/bin/env\", \"args\": [\"env\", \"-i\"],\n"
                "          \"env\": [\"A=1\", \"B=two=2\"], \"timeout\": 7},\n"
                " \"when\": {\"always\": true, \"annotations\": {\"^org\\\\.x$\": \"y\"},\n"
                "          \"commands\": [\"sh$\", \"^/init\"], \"hasBindMounts\": false},\n"
                " \"stages\": [\"prestart\", \"createRuntime\", \"createContainer\",\n"
                "            \"startContainer\", \"poststart\", \"poststop\"]}");
        CU_ASSERT_PTR_NOT_NULL_FATAL(h);
        CU_ASSERT_STRING_EQUAL(h->version, "1.0.0");
        CU_ASSERT_STRING_EQUAL(h->file, "test.json");
        CU_ASSERT_STRING_EQUAL(h->path, "/usr/bin/env");
        CU_ASSERT_STRING_EQUAL(h->args[0], "env");
        CU_ASSERT_STRING_EQUAL(h->args[1], "-i");
        CU_ASSERT_PTR_NULL(h->args[2]);
        CU_ASSERT_STRING_EQUAL(h->env[0], "A=1");
        CU_ASSERT_STRING_EQUAL(h->env[1], "B=two=2");
        CU_ASSERT_PTR_NULL(h->env[2]);
        CU_ASSERT_EQUAL(h->timeout, 7);
        CU_ASSERT_EQUAL(h->when.always, 1);
        CU_ASSERT_EQUAL(h->when.has_bind_mounts, 0);
        CU_ASSERT_EQUAL(h->when.n_annotations, 1);
        CU_ASSERT_STRING_EQUAL(h->when.annotation_keys[0], "^org\\.x$");
        CU_ASSERT_STRING_EQUAL(h->when.annotation_values[0], "y");
        CU_ASSERT_EQUAL(h->when.n_commands, 2);
        CU_ASSERT_STRING_EQUAL(h->when.commands[1], "^/init");
        CU_ASSERT_FALSE(h->when.any);
        CU_ASSERT_EQUAL(h->stages, (1u << PODRT_HOOK_N_STAGES) - 1);
        hook_free(h);

        /* Only what is required: no args, env or timeout. */
        h = parse_ok(V1("{\"path\": \"/bin/true\"}", "{\"commands\": [\"x\"]}", "[\"poststop\"]"));
        CU_ASSERT_PTR_NOT_NULL_FATAL(h);
        CU_ASSERT_PTR_NULL(h->args);
        CU_ASSERT_PTR_NULL(h->env);
        CU_ASSERT_EQUAL(h->timeout, 0);
        CU_ASSERT_EQUAL(h->when.always, -1);
        CU_ASSERT_EQUAL(h->when.has_bind_mounts, -1);
        CU_ASSERT_EQUAL(h->stages, 1u << PODRT_HOOK_POSTSTOP);
        hook_free(h);
}

static void test_parse_errors(void) {
        static const struct {
                const char *json;
                const char *message;
        } cases[] = {
                /* version */
                { "{\"hook\": {\"path\": \"/bin/true\"}, \"when\": {\"always\": true}, "
                  "\"stages\": [\"prestart\"]}",
                  "version: required property missing" },
                { "{\"version\": \"2.0.0\", \"hook\": {\"path\": \"/bin/true\"}, "
                  "\"when\": {\"always\": true}, \"stages\": [\"prestart\"]}",
                  "version: unsupported \"2.0.0\" (expected \"1.0.0\" or \"0.1.0\")" },
                { "{\"version\": 1, \"hook\": {\"path\": \"/bin/true\"}}", "version: must be a string" },
                /* hook */
                { "{\"version\": \"1.0.0\", \"when\": {\"always\": true}, \"stages\": [\"prestart\"]}",
                  "hook: required property missing" },
                { V1("\"/bin/true\"", "{\"always\": true}", "[\"prestart\"]"), "hook: must be an object" },
                { V1("{}", "{\"always\": true}", "[\"prestart\"]"), "hook.path: required property missing" },
                { V1("{\"path\": \"bin/true\"}", "{\"always\": true}", "[\"prestart\"]"),
                  "hook.path: \"bin/true\" is not an absolute path" },
                { V1("{\"path\": \"\"}", "{\"always\": true}", "[\"prestart\"]"),
                  "hook.path: \"\" is not an absolute path" },
                { V1("{\"path\": 5}", "{\"always\": true}", "[\"prestart\"]"), "hook.path: must be a string" },
                { V1("{\"path\": \"/bin/true\", \"args\": \"x\"}", "{\"always\": true}", "[\"prestart\"]"),
                  "hook.args: must be an array of strings" },
                { V1("{\"path\": \"/bin/true\", \"args\": [\"a\", 1]}", "{\"always\": true}", "[\"prestart\"]"),
                  "hook.args[1]: must be a string" },
                { V1("{\"path\": \"/bin/true\", \"env\": [\"NOEQUALS\"]}", "{\"always\": true}", "[\"prestart\"]"),
                  "hook.env[0]: \"NOEQUALS\" is not of the form NAME=VALUE" },
                { V1("{\"path\": \"/bin/true\", \"timeout\": 0}", "{\"always\": true}", "[\"prestart\"]"),
                  "hook.timeout: must be greater than 0, got 0" },
                { V1("{\"path\": \"/bin/true\", \"timeout\": -3}", "{\"always\": true}", "[\"prestart\"]"),
                  "hook.timeout: must be greater than 0, got -3" },
                { V1("{\"path\": \"/bin/true\", \"timeout\": 1.5}", "{\"always\": true}", "[\"prestart\"]"),
                  "hook.timeout: must be a whole number of seconds" },
                { V1("{\"path\": \"/bin/true\", \"timeout\": \"5\"}", "{\"always\": true}", "[\"prestart\"]"),
                  "hook.timeout: must be a whole number of seconds" },
                { V1("{\"path\": \"/bin/true\", \"timout\": 5}", "{\"always\": true}", "[\"prestart\"]"),
                  "hook.timout: unknown property" },
                /* when */
                { "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"/bin/true\"}, \"stages\": [\"prestart\"]}",
                  "when: required property missing" },
                { V1("{\"path\": \"/bin/true\"}", "{}", "[\"prestart\"]"),
                  "when: needs at least one condition (always, annotations, commands or hasBindMounts)" },
                { V1("{\"path\": \"/bin/true\"}", "{\"commands\": [], \"annotations\": {}}", "[\"prestart\"]"),
                  "when: needs at least one condition" },
                { V1("{\"path\": \"/bin/true\"}", "[]", "[\"prestart\"]"), "when: must be an object" },
                { V1("{\"path\": \"/bin/true\"}", "{\"always\": \"yes\"}", "[\"prestart\"]"),
                  "when.always: must be true or false" },
                { V1("{\"path\": \"/bin/true\"}", "{\"hasBindMounts\": 1}", "[\"prestart\"]"),
                  "when.hasBindMounts: must be true or false" },
                { V1("{\"path\": \"/bin/true\"}", "{\"commands\": [\"(\"]}", "[\"prestart\"]"),
                  "when.commands[0]: invalid regular expression \"(\"" },
                { V1("{\"path\": \"/bin/true\"}", "{\"commands\": [\"ok\", \"a{1\"]}", "[\"prestart\"]"),
                  "when.commands[1]: invalid regular expression \"a{1\"" },
                /* bounded patterns: glibc's regcomp would take gigabytes on these */
                { V1("{\"path\": \"/bin/true\"}", "{\"commands\": [\"h++++++++++++++++++++++++\"]}", "[\"prestart\"]"),
                  "when.commands[0]: regular expression \"h++++++++++++++++++++++++\" refused: a repetition of a repetition" },
                { V1("{\"path\": \"/bin/true\"}", "{\"commands\": [\"((a+)+)+\"]}", "[\"prestart\"]"),
                  "when.commands[0]: regular expression \"((a+)+)+\" refused: repeated groups nested more than 2 deep" },
                { V1("{\"path\": \"/bin/true\"}", "{\"annotations\": {\"k\": \"x{1000}\"}}", "[\"prestart\"]"),
                  "when.annotations[\"k\"]: regular expression \"x{1000}\" refused: an interval repeats more than 100 times" },
                { V1("{\"path\": \"/bin/true\"}", "{\"commands\": \"sh\"}", "[\"prestart\"]"),
                  "when.commands: must be an array of strings" },
                { V1("{\"path\": \"/bin/true\"}", "{\"annotations\": {\"[\": \"x\"}}", "[\"prestart\"]"),
                  "when.annotations: key: invalid regular expression \"[\"" },
                { V1("{\"path\": \"/bin/true\"}", "{\"annotations\": {\"k\": \"a((\"}}", "[\"prestart\"]"),
                  "when.annotations[\"k\"]: invalid regular expression \"a((\"" },
                { V1("{\"path\": \"/bin/true\"}", "{\"annotations\": {\"k\": true}}", "[\"prestart\"]"),
                  "when.annotations[\"k\"]: must be a string" },
                { V1("{\"path\": \"/bin/true\"}", "{\"annotations\": [\"k\"]}", "[\"prestart\"]"),
                  "when.annotations: must be an object" },
                { V1("{\"path\": \"/bin/true\"}", "{\"command\": [\"sh\"]}", "[\"prestart\"]"),
                  "when.command: unknown property" },
                /* stages */
                { "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"/bin/true\"}, \"when\": {\"always\": true}}",
                  "stages: required property missing" },
                { V1("{\"path\": \"/bin/true\"}", "{\"always\": true}", "[]"), "stages: must not be empty" },
                { V1("{\"path\": \"/bin/true\"}", "{\"always\": true}", "[\"prestart\", \"prestrat\"]"),
                  "stages[1]: unknown stage \"prestrat\"" },
                { V1("{\"path\": \"/bin/true\"}", "{\"always\": true}", "[\"PreStart\"]"),
                  "stages[0]: unknown stage \"PreStart\"" },
                { V1("{\"path\": \"/bin/true\"}", "{\"always\": true}", "\"prestart\""),
                  "stages: must be an array of strings" },
                /* the document */
                { "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"/bin/true\"}, \"when\": {\"always\": true}, "
                  "\"stages\": [\"prestart\"], \"stage\": [\"poststop\"]}",
                  "stage: unknown property" },
                { "{\"version\": \"1.0.0\",\n \"hook\": {\"path\": \"/bin/true\",}", "invalid JSON at line 2" },
                { "{\"version\": \"1.0.0\", \"hook\": ", "invalid JSON: unexpected end of the file" },
                { "", "invalid JSON" },
                { "{\"version\": \"1.0.0\",\n\n \"hook\" {}}", "invalid JSON at line 3" },
                { "{'version': '1.0.0'}", "invalid JSON at line 1" },
                { "{\"version\": \"1.0.0\"} {}", "invalid JSON at line 1" },
                { "[\"version\"]", "must be a JSON object" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                ASSERT_CONTAINS(parse_err(cases[i].json), cases[i].message);
}

/* The bound lets ordinary patterns through, and takes microseconds on the
 * pathological ones that glibc's regcomp would spend gigabytes on. */
static void test_regex_bound(void) {
        static const char *const ok[] = {
                "^/usr/bin/(sh|bash)$", "a{1,3}", "[+*]+", "x\\++", "(ab|cd)*e?", "^[[:alpha:]]+$",
                "((a+)b)+", "", NULL,
        };
        for (size_t i = 0; ok[i]; i++) {
                const char *why = regex_over_bound(ok[i]);
                if (why)
                        fprintf(stderr, "\n%s: %s\n", ok[i], why);
                CU_ASSERT_PTR_NULL(why);
        }
        CU_ASSERT_PTR_NOT_NULL(regex_over_bound("a**"));
        CU_ASSERT_PTR_NOT_NULL(regex_over_bound("a+{2}"));
        CU_ASSERT_PTR_NOT_NULL(regex_over_bound("(((a)+)+)+"));
        char many[200] = "";
        for (int i = 0; i < 40; i++)
                strcat(many, "a*");
        CU_ASSERT_STRING_EQUAL(regex_over_bound(many), "more than 32 repetition operators");
        char *long_pattern = calloc(1, 2000);
        memset(long_pattern, 'a', 1500);
        CU_ASSERT_STRING_EQUAL(regex_over_bound(long_pattern), "longer than 1024 characters");
        free(long_pattern);
        /* The hook file of the bug report: refused at once. */
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int i = 0; i < 1000; i++)
                CU_ASSERT_PTR_NOT_NULL(regex_over_bound("h++++++++++++++++++++++++"));
        clock_gettime(CLOCK_MONOTONIC, &t1);
        CU_ASSERT((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec) < 100000000L);
}

static void test_load_file_errors(void) {
        const char *dir = new_dir();
        char file[1024];

        write_file(dir, "missing.json",
                   V1("{\"path\": \"/nonexistent/podrt-hook\"}", "{\"always\": true}", "[\"prestart\"]"),
                   0644);
        snprintf(file, sizeof(file), "%s/missing.json", dir);
        struct hook *h = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL(hook_load_file(file, &h, &e), -ENOENT);
        CU_ASSERT_PTR_NULL(h);
        char expected[1200];
        snprintf(expected, sizeof(expected),
                 "%s: hook.path: /nonexistent/podrt-hook: No such file or directory", file);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), expected);
        e = podrt_error_free(e);

        write_file(dir, "bad.json", V1("{\"path\": \"/bin/true\"}", "{\"always\": true}", "[\"later\"]"),
                   0644);
        snprintf(file, sizeof(file), "%s/bad.json", dir);
        CU_ASSERT_EQUAL(hook_load_file(file, &h, &e), -EINVAL);
        snprintf(expected, sizeof(expected), "%s: stages[0]: unknown stage \"later\"", file);
        ASSERT_CONTAINS(podrt_error_message(e), expected);
        e = podrt_error_free(e);

        write_file(dir, "good.json", V1("{\"path\": \"/bin/true\"}", "{\"always\": true}", "[\"prestart\"]"),
                   0644);
        snprintf(file, sizeof(file), "%s/good.json", dir);
        CU_ASSERT_EQUAL(hook_load_file(file, &h, &e), 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(h);
        CU_ASSERT_STRING_EQUAL(h->file, file);
        hook_free(h);
        h = NULL;

        /* A FIFO among the hook files: refused at once, never waited on. */
        snprintf(file, sizeof(file), "%s/fifo.json", dir);
        CU_ASSERT_EQUAL_FATAL(mkfifo(file, 0600), 0);
        time_t t0 = time(NULL);
        CU_ASSERT_EQUAL(hook_load_file(file, &h, &e), -EINVAL);
        CU_ASSERT(time(NULL) - t0 <= 1);
        snprintf(expected, sizeof(expected), "%s: not a regular file", file);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), expected);
        unlink(file);
}

/* ---- matching --------------------------------------------------------------- */

struct app {
        const char *keys[4];
        const char *values[4];
        size_t n;
        const char *command;
        bool mounts;
};

static int match_json(const char *json, const struct app *a, const char **why) {
        struct hook *h = parse_ok(json);
        CU_ASSERT_PTR_NOT_NULL_FATAL(h);
        struct match_target t = {
                .n_annotations = a->n,
                .annotation_keys = a->keys,
                .annotation_values = a->values,
                .command = a->command,
                .has_bind_mounts = a->mounts,
        };
        const char *w = NULL;
        int r = hook_match(h, &t, &w);
        if (why)
                *why = w;
        hook_free(h);
        return r;
}

#define WHEN(when) V1("{\"path\": \"/bin/true\"}", when, "[\"prestart\"]")

static const struct app app_plain = {
        .keys = { "org.example.team", "io.podrt.gpu" },
        .values = { "infra", "nvidia-a100" },
        .n = 2,
        .command = "/bin/sh",
        .mounts = false,
};

static const struct app app_mounts = {
        .n = 0,
        .command = "/usr/lib/systemd/systemd",
        .mounts = true,
};

static void test_match_annotations(void) {
        static const struct {
                const char *when;
                int expected;
        } cases[] = {
                { WHEN("{\"annotations\": {\"^org\\\\.example\\\\.team$\": \"^infra$\"}}"), 1 },
                { WHEN("{\"annotations\": {\"team\": \"nfr\"}}"), 1 },          /* unanchored */
                { WHEN("{\"annotations\": {\"^team$\": \"infra\"}}"), 0 },      /* key anchored */
                { WHEN("{\"annotations\": {\"team\": \"^nfr\"}}"), 0 },         /* value anchored */
                { WHEN("{\"annotations\": {\"team\": \"nvidia\"}}"), 0 },       /* value of another key */
                { WHEN("{\"annotations\": {\"gpu$\": \"a(100|200)$\"}}"), 1 },  /* ERE */
                { WHEN("{\"annotations\": {\".*\": \"a100\"}}"), 1 },
                { WHEN("{\"annotations\": {\"team\": \"infra\", \"gpu\": \"h100\"}}"), 0 }, /* all pairs */
                { WHEN("{\"annotations\": {\"team\": \"infra\", \"gpu\": \"a100\"}}"), 1 },
                { WHEN("{\"annotations\": {\"ORG\": \"infra\"}}"), 0 },         /* case matters */
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                const char *why = NULL;
                int r = match_json(cases[i].when, &app_plain, &why);
                if (r != cases[i].expected)
                        fprintf(stderr, "case %zu: %s: got %d\n", i, cases[i].when, r);
                CU_ASSERT_EQUAL(r, cases[i].expected);
                if (!cases[i].expected)
                        CU_ASSERT_STRING_EQUAL(why, "annotations did not match");
        }
        /* An app without annotations matches no annotation condition. */
        CU_ASSERT_EQUAL(match_json(WHEN("{\"annotations\": {\".*\": \".*\"}}"), &app_mounts, NULL), 0);
}

static void test_match_commands(void) {
        static const struct {
                const char *when;
                const char *command;
                int expected;
        } cases[] = {
                { WHEN("{\"commands\": [\"^/bin/sh$\"]}"), "/bin/sh", 1 },
                { WHEN("{\"commands\": [\"^/bin/sh$\"]}"), "/bin/bash", 0 },
                { WHEN("{\"commands\": [\"sh\"]}"), "/bin/bash", 1 },       /* unanchored */
                { WHEN("{\"commands\": [\".*/init$\", \".*/systemd$\"]}"), "/usr/lib/systemd/systemd", 1 },
                { WHEN("{\"commands\": [\".*/init$\", \".*/systemd$\"]}"), "/sbin/init", 1 },
                { WHEN("{\"commands\": [\".*/init$\", \".*/systemd$\"]}"), "/sbin/initctl", 0 },
                { WHEN("{\"commands\": [\"^(nginx|httpd)$\"]}"), "httpd", 1 },
                { WHEN("{\"commands\": [\"^(nginx|httpd)$\"]}"), "/usr/sbin/httpd", 0 },
                { WHEN("{\"commands\": [\"x\"]}"), NULL, 0 },               /* no command */
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct app a = { .command = cases[i].command };
                const char *why = NULL;
                int r = match_json(cases[i].when, &a, &why);
                if (r != cases[i].expected)
                        fprintf(stderr, "case %zu: %s on %s: got %d\n", i, cases[i].when,
                                cases[i].command, r);
                CU_ASSERT_EQUAL(r, cases[i].expected);
                if (!cases[i].expected)
                        CU_ASSERT_STRING_EQUAL(why, "commands did not match");
        }
}

static void test_match_bind_mounts_and_always(void) {
        const char *why = NULL;
        CU_ASSERT_EQUAL(match_json(WHEN("{\"hasBindMounts\": true}"), &app_mounts, NULL), 1);
        CU_ASSERT_EQUAL(match_json(WHEN("{\"hasBindMounts\": true}"), &app_plain, &why), 0);
        CU_ASSERT_STRING_EQUAL(why, "hasBindMounts did not match (no mounts)");
        /* As podman: false is never a match, with or without mounts. */
        CU_ASSERT_EQUAL(match_json(WHEN("{\"hasBindMounts\": false}"), &app_plain, &why), 0);
        CU_ASSERT_STRING_EQUAL(why, "hasBindMounts is false");
        CU_ASSERT_EQUAL(match_json(WHEN("{\"hasBindMounts\": false}"), &app_mounts, NULL), 0);

        CU_ASSERT_EQUAL(match_json(WHEN("{\"always\": true}"), &app_plain, NULL), 1);
        CU_ASSERT_EQUAL(match_json(WHEN("{\"always\": true}"), &app_mounts, NULL), 1);
        CU_ASSERT_EQUAL(match_json(WHEN("{\"always\": false}"), &app_plain, &why), 0);
        CU_ASSERT_STRING_EQUAL(why, "always is false");
}

static void test_match_all_must_match(void) {
        const char *why = NULL;
        CU_ASSERT_EQUAL(match_json(WHEN("{\"always\": true, \"commands\": [\"sh$\"]}"), &app_plain, NULL), 1);
        CU_ASSERT_EQUAL(match_json(WHEN("{\"always\": true, \"commands\": [\"nginx\"]}"), &app_plain, &why), 0);
        CU_ASSERT_STRING_EQUAL(why, "commands did not match");
        CU_ASSERT_EQUAL(match_json(WHEN("{\"always\": false, \"commands\": [\"sh$\"]}"), &app_plain, &why), 0);
        CU_ASSERT_STRING_EQUAL(why, "always is false");
        CU_ASSERT_EQUAL(match_json(WHEN("{\"commands\": [\"sh$\"], \"hasBindMounts\": true}"), &app_plain, &why),
                        0);
        CU_ASSERT_STRING_EQUAL(why, "hasBindMounts did not match (no mounts)");
        CU_ASSERT_EQUAL(match_json(WHEN("{\"commands\": [\"systemd\"], \"hasBindMounts\": true}"), &app_mounts,
                                   NULL),
                        1);
        CU_ASSERT_EQUAL(match_json(WHEN("{\"annotations\": {\"team\": \"infra\"}, \"commands\": [\"sh\"], "
                                        "\"hasBindMounts\": true, \"always\": true}"),
                                   &app_plain, &why),
                        0);
        CU_ASSERT_EQUAL(match_json(WHEN("{\"annotations\": {\"team\": \"infra\"}, \"commands\": [\"sh\"], "
                                        "\"always\": true}"),
                                   &app_plain, NULL),
                        1);
        CU_ASSERT_EQUAL(match_json(WHEN("{\"annotations\": {\"team\": \"ops\"}, \"commands\": [\"sh\"]}"),
                                   &app_plain, &why),
                        0);
        CU_ASSERT_STRING_EQUAL(why, "annotations did not match");
}

/* ---- 0.1.0 ------------------------------------------------------------------ */

static void test_legacy_fields(void) {
        struct hook *h = parse_ok("{\"hook\": \"/bin/echo\", \"arguments\": [\"a\", \"b\"], "
                                  "\"stages\": [\"prestart\", \"poststop\"], \"cmds\": [\"sh$\"]}");
        CU_ASSERT_PTR_NOT_NULL_FATAL(h);
        CU_ASSERT_STRING_EQUAL(h->version, "0.1.0");
        CU_ASSERT_STRING_EQUAL(h->path, "/bin/echo");
        CU_ASSERT_STRING_EQUAL(h->args[0], "/bin/echo"); /* args = [hook] + arguments */
        CU_ASSERT_STRING_EQUAL(h->args[1], "a");
        CU_ASSERT_STRING_EQUAL(h->args[2], "b");
        CU_ASSERT_PTR_NULL(h->args[3]);
        CU_ASSERT_PTR_NULL(h->env);
        CU_ASSERT_EQUAL(h->stages, (1u << PODRT_HOOK_PRESTART) | (1u << PODRT_HOOK_POSTSTOP));
        CU_ASSERT_EQUAL(h->when.n_commands, 1);
        CU_ASSERT_TRUE(h->when.any);
        hook_free(h);

        /* Explicit version, the singular synonyms, no arguments. */
        h = parse_ok("{\"version\": \"0.1.0\", \"hook\": \"/bin/true\", \"stage\": [\"poststart\"], "
                     "\"cmd\": [\"^/bin/sh$\"], \"annotation\": [\"infra\", \"ops\"], "
                     "\"hasbindmounts\": true}");
        CU_ASSERT_PTR_NOT_NULL_FATAL(h);
        CU_ASSERT_PTR_NULL(h->args);
        CU_ASSERT_EQUAL(h->stages, 1u << PODRT_HOOK_POSTSTART);
        CU_ASSERT_STRING_EQUAL(h->when.commands[0], "^/bin/sh$");
        CU_ASSERT_EQUAL(h->when.n_annotations, 1);
        CU_ASSERT_STRING_EQUAL(h->when.annotation_keys[0], ".*");
        CU_ASSERT_STRING_EQUAL(h->when.annotation_values[0], "infra|ops");
        CU_ASSERT_EQUAL(h->when.has_bind_mounts, 1);
        hook_free(h);

        /* Both spellings of hasBindMounts, as Go's decoder reads them. */
        h = parse_ok("{\"hook\": \"/bin/true\", \"stages\": [\"prestart\"], \"hasBindMounts\": true}");
        CU_ASSERT_PTR_NOT_NULL_FATAL(h);
        CU_ASSERT_EQUAL(h->when.has_bind_mounts, 1);
        hook_free(h);
}

static void test_legacy_errors(void) {
        ASSERT_CONTAINS(parse_err("{\"version\": \"0.1.0\", \"stages\": [\"prestart\"]}"),
                        "hook: required property missing");
        ASSERT_CONTAINS(parse_err("{\"hook\": \"/bin/true\"}"), "stages: required property missing");
        ASSERT_CONTAINS(parse_err("{\"hook\": \"true\", \"stages\": [\"prestart\"]}"),
                        "hook: \"true\" is not an absolute path");
        ASSERT_CONTAINS(parse_err("{\"hook\": \"/bin/true\", \"stages\": [\"prestart\"], \"stage\": [\"prestart\"]}"),
                        "cannot set both 'stage' and 'stages'");
        ASSERT_CONTAINS(parse_err("{\"hook\": \"/bin/true\", \"stages\": [\"prestart\"], \"cmds\": [\"a\"], "
                                  "\"cmd\": [\"b\"]}"),
                        "cannot set both 'cmd' and 'cmds'");
        ASSERT_CONTAINS(parse_err("{\"hook\": \"/bin/true\", \"stages\": [\"prestart\"], \"annotations\": [\"a\"], "
                                  "\"annotation\": [\"b\"]}"),
                        "cannot set both 'annotation' and 'annotations'");
        ASSERT_CONTAINS(parse_err("{\"hook\": \"/bin/true\", \"stages\": [\"prestart\"], \"cmds\": [\"(\"]}"),
                        "cmds[0]: invalid regular expression \"(\"");
        ASSERT_CONTAINS(parse_err("{\"hook\": \"/bin/true\", \"stages\": [\"prestart\"], \"annotations\": [\"ok\", \"[\"]}"),
                        "annotations[1]: invalid regular expression \"[\"");
        ASSERT_CONTAINS(parse_err("{\"hook\": \"/bin/true\", \"stages\": [\"prestop\"]}"),
                        "stages[0]: unknown stage \"prestop\"");
        ASSERT_CONTAINS(parse_err("{\"hook\": \"/bin/true\", \"stages\": [\"prestart\"], \"argument\": [\"x\"]}"),
                        "argument: unknown property");
}

static void test_legacy_matching(void) {
        /* 0.1.0: any one condition suffices. */
        const char *cmds_or_mounts = "{\"hook\": \"/bin/true\", \"stages\": [\"prestart\"], \"cmds\": [\"nginx\"], "
                                     "\"hasbindmounts\": true}";
        CU_ASSERT_EQUAL(match_json(cmds_or_mounts, &app_mounts, NULL), 1);   /* mounts, not nginx */
        CU_ASSERT_EQUAL(match_json(cmds_or_mounts, &app_plain, NULL), 0);    /* neither */
        struct app nginx = { .command = "/usr/sbin/nginx" };
        CU_ASSERT_EQUAL(match_json(cmds_or_mounts, &nginx, NULL), 1);

        /* annotations: any annotation value matching one of the entries. */
        const char *ann = "{\"hook\": \"/bin/true\", \"stages\": [\"prestart\"], \"annotations\": [\"^ops$\", \"a100\"]}";
        CU_ASSERT_EQUAL(match_json(ann, &app_plain, NULL), 1);
        CU_ASSERT_EQUAL(match_json(ann, &app_mounts, NULL), 0);
        const char *ann2 = "{\"hook\": \"/bin/true\", \"stages\": [\"prestart\"], \"annotations\": [\"^ops$\"]}";
        CU_ASSERT_EQUAL(match_json(ann2, &app_plain, NULL), 0);

        /* No condition at all: read (as podman does) but never injected. */
        const char *why = NULL;
        CU_ASSERT_EQUAL(match_json("{\"hook\": \"/bin/true\", \"stage\": [\"prestart\"]}", &app_plain, &why), 0);
        CU_ASSERT_STRING_EQUAL(why, "no condition given");
}

/* ---- directories ------------------------------------------------------------ */

#define HOOK_JSON(path) V1("{\"path\": \"" path "\"}", "{\"always\": true}", "[\"prestart\"]")

static void test_dirs_precedence_and_masking(void) {
        char a[512], b[512];
        snprintf(a, sizeof(a), "%s", new_dir());
        snprintf(b, sizeof(b), "%s", new_dir());
        write_file(a, "01-only-a.json", HOOK_JSON("/bin/true"), 0644);
        write_file(a, "02-both.json", HOOK_JSON("/bin/true"), 0644);
        write_file(b, "02-both.json", HOOK_JSON("/bin/false"), 0644);
        /* A broken file masked by a later directory does no harm. */
        write_file(a, "03-fixed.json", "{ broken", 0644);
        write_file(b, "03-fixed.json", HOOK_JSON("/bin/sh"), 0644);
        /* Not hooks: other names, a directory named *.json. */
        write_file(a, "README", "not json", 0644);
        write_file(a, "04-x.json.disabled", "{", 0644);
        char sub[600];
        snprintf(sub, sizeof(sub), "%s/05-dir.json", b);
        CU_ASSERT_FATAL(mkdir(sub, 0755) == 0);

        const char *dirs[] = { a, b, NULL };
        struct hook_set *s = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = hook_set_load(dirs, true, &s, &e);
        if (r < 0)
                fprintf(stderr, "%s\n", podrt_error_message(e));
        CU_ASSERT_EQUAL_FATAL(r, 0);
        CU_ASSERT_EQUAL_FATAL(s->n, 3);
        char expected[1024];
        snprintf(expected, sizeof(expected), "%s/01-only-a.json", a);
        CU_ASSERT_STRING_EQUAL(s->hooks[0]->file, expected);
        snprintf(expected, sizeof(expected), "%s/02-both.json", b);
        CU_ASSERT_STRING_EQUAL(s->hooks[1]->file, expected);
        CU_ASSERT_STRING_EQUAL(s->hooks[1]->path, "/bin/false");
        CU_ASSERT_STRING_EQUAL(s->hooks[2]->path, "/bin/sh");
        CU_ASSERT_STRING_EQUAL(s->dirs[0], a);
        CU_ASSERT_STRING_EQUAL(s->dirs[1], b);
        hook_set_free(s);

        /* The other way round, a's files win. */
        const char *dirs2[] = { b, a, NULL };
        s = NULL;
        r = hook_set_load(dirs2, true, &s, &e);
        CU_ASSERT_EQUAL(r, -EINVAL); /* now a's broken 03-fixed.json is in effect */
        snprintf(expected, sizeof(expected), "%s/03-fixed.json: invalid JSON", a);
        ASSERT_CONTAINS(podrt_error_message(e), expected);
        CU_ASSERT_PTR_NULL(s);
}

static void test_dirs_order_lower_case(void) {
        const char *d = new_dir();
        write_file(d, "b.json", HOOK_JSON("/bin/true"), 0644);
        write_file(d, "A.json", HOOK_JSON("/bin/true"), 0644);
        write_file(d, "c.json", HOOK_JSON("/bin/true"), 0644);
        write_file(d, "01-Z.json", HOOK_JSON("/bin/true"), 0644);
        write_file(d, "02-y.json", HOOK_JSON("/bin/true"), 0644);
        write_file(d, "B2.json", HOOK_JSON("/bin/true"), 0644);
        const char *dirs[] = { d, NULL };
        struct hook_set *s = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL_FATAL(hook_set_load(dirs, true, &s, &e), 0);
        static const char *const order[] = { "01-Z.json", "02-y.json", "A.json", "b.json", "B2.json", "c.json" };
        CU_ASSERT_EQUAL_FATAL(s->n, ELEMENTSOF(order));
        for (size_t i = 0; i < s->n; i++) {
                const char *base = strrchr(s->hooks[i]->file, '/') + 1;
                if (strcmp(base, order[i]) != 0)
                        fprintf(stderr, "position %zu: %s, expected %s\n", i, base, order[i]);
                CU_ASSERT_STRING_EQUAL(base, order[i]);
        }
        hook_set_free(s);

        CU_ASSERT(hook_name_compare("a.json", "B.json") < 0);
        CU_ASSERT(hook_name_compare("B.json", "a.json") > 0);
        CU_ASSERT(hook_name_compare("01-UPPER.json", "01-my.json") > 0); /* "upper" > "my" */
        CU_ASSERT(hook_name_compare("A.json", "a.json") != 0);            /* a stable order */
}

static void test_dirs_missing(void) {
        char missing[600];
        snprintf(missing, sizeof(missing), "%s/no-such-dir", tmp_root);
        const char *d = new_dir();
        write_file(d, "x.json", HOOK_JSON("/bin/true"), 0644);
        const char *dirs[] = { missing, d, NULL };
        struct hook_set *s = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;

        /* Defaults: a missing directory is skipped. */
        CU_ASSERT_EQUAL_FATAL(hook_set_load(dirs, false, &s, &e), 0);
        CU_ASSERT_EQUAL(s->n, 1);
        hook_set_free(s);
        s = NULL;

        /* Configured explicitly: an error naming it. */
        CU_ASSERT_EQUAL(hook_set_load(dirs, true, &s, &e), -ENOENT);
        CU_ASSERT_PTR_NULL(s);
        char expected[700];
        snprintf(expected, sizeof(expected), "%s: No such file or directory", missing);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), expected);
        e = podrt_error_free(e);

        /* No directories, or empty ones: no hooks. */
        const char *none[] = { NULL };
        CU_ASSERT_EQUAL_FATAL(hook_set_load(none, true, &s, &e), 0);
        CU_ASSERT_EQUAL(s->n, 0);
        hook_set_free(s);
}

static void test_dirs_first_broken_file(void) {
        const char *d = new_dir();
        write_file(d, "01-good.json", HOOK_JSON("/bin/true"), 0644);
        write_file(d, "02-bad.json", V1("{\"path\": \"/bin/true\", \"timeout\": 0}", "{\"always\": true}",
                                        "[\"prestart\"]"),
                   0644);
        write_file(d, "03-bad.json", "nonsense", 0644);
        const char *dirs[] = { d, NULL };
        struct hook_set *s = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL(hook_set_load(dirs, true, &s, &e), -EINVAL);
        CU_ASSERT_PTR_NULL(s);
        char expected[700];
        snprintf(expected, sizeof(expected), "%s/02-bad.json: hook.timeout: must be greater than 0, got 0", d);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), expected);
}

/* ---- running ---------------------------------------------------------------- */

static int out_file(void) {
        char path[600];
        snprintf(path, sizeof(path), "%s/out-XXXXXX", tmp_root);
        int fd = mkostemp(path, O_CLOEXEC);
        CU_ASSERT_FATAL(fd >= 0);
        unlink(path);
        return fd;
}

/* A hook running "/bin/sh -c script" with the given extra JSON fields. */
static struct hook *sh_hook(const char *script, const char *extra) {
        struct json_object *o = json_object_new_object(), *hk = json_object_new_object(),
                           *args = json_object_new_array(), *when = json_object_new_object(),
                           *stages = json_object_new_array();
        json_object_array_add(args, json_object_new_string("hook-sh"));
        json_object_array_add(args, json_object_new_string("-c"));
        json_object_array_add(args, json_object_new_string(script));
        json_object_object_add(hk, "path", json_object_new_string("/bin/sh"));
        json_object_object_add(hk, "args", args);
        if (extra) {
                struct json_object *x = json_tokener_parse(extra);
                CU_ASSERT_PTR_NOT_NULL_FATAL(x);
                json_object_object_foreach(x, k, v) json_object_object_add(hk, k, json_object_get(v));
                json_object_put(x);
        }
        json_object_object_add(when, "always", json_object_new_boolean(1));
        json_object_array_add(stages, json_object_new_string("prestart"));
        json_object_object_add(o, "version", json_object_new_string("1.0.0"));
        json_object_object_add(o, "hook", hk);
        json_object_object_add(o, "when", when);
        json_object_object_add(o, "stages", stages);
        struct hook *h = parse_ok(json_object_to_json_string(o));
        json_object_put(o);
        CU_ASSERT_PTR_NOT_NULL_FATAL(h);
        return h;
}

static void test_state_json(void) {
        const char *keys[] = { "org.example.team", "b" };
        const char *values[] = { "infra", "x/y" };
        char *s = hook_state_json("0123-app", "created", 0, "/run/podrt/pods/0123/apps/app", 2, keys, values);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_STRING_EQUAL(s, "{\"ociVersion\":\"1.0.2\",\"id\":\"0123-app\",\"status\":\"created\","
                                  "\"bundle\":\"/run/podrt/pods/0123/apps/app\","
                                  "\"annotations\":{\"org.example.team\":\"infra\",\"b\":\"x/y\"}}");
        free(s);
        s = hook_state_json("id", "running", 4242, "/b", 0, NULL, NULL);
        CU_ASSERT_STRING_EQUAL(s, "{\"ociVersion\":\"1.0.2\",\"id\":\"id\",\"status\":\"running\","
                                  "\"pid\":4242,\"bundle\":\"/b\",\"annotations\":{}}");
        free(s);
}

static void test_oci_entry(void) {
        struct hook *h = parse_ok(V1("{\"path\": \"/bin/true\", \"args\": [\"t\"], \"env\": [\"A=1\"], \"timeout\": 5}",
                                     "{\"always\": true}", "[\"prestart\"]"));
        struct json_object *o = hook_oci_entry(h);
        CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                               "{\"path\":\"/bin/true\",\"args\":[\"t\"],\"env\":[\"A=1\"],\"timeout\":5}");
        json_object_put(o);
        hook_free(h);
        h = parse_ok(HOOK_JSON("/bin/true"));
        o = hook_oci_entry(h);
        CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                               "{\"path\":\"/bin/true\"}");
        json_object_put(o);
        hook_free(h);
}

static void test_run_state_on_stdin(void) {
        const char *d = new_dir();
        char script[800];
        snprintf(script, sizeof(script), "cat > %s/state; echo \"argv0=$0 cwd=$(pwd)\" > %s/info", d, d);
        struct hook *h = sh_hook(script, NULL);
        const char *state = "{\"ociVersion\":\"1.0.2\",\"id\":\"x\",\"status\":\"created\"}";
        int out = out_file();
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = hook_exec(h, state, strlen(state), d, out, &e);
        if (r < 0)
                fprintf(stderr, "%s\n", podrt_error_message(e));
        CU_ASSERT_EQUAL(r, 0);
        char path[900];
        snprintf(path, sizeof(path), "%s/state", d);
        CU_ASSERT_STRING_EQUAL(read_path(path), state);
        snprintf(path, sizeof(path), "%s/info", d);
        char expected[900];
        snprintf(expected, sizeof(expected), "argv0=hook-sh cwd=%s\n", d); /* args[0] as given */
        CU_ASSERT_STRING_EQUAL(read_path(path), expected);
        close(out);
        hook_free(h);

        /* A large state (bigger than a pipe's default buffer) still arrives
         * whole, and a hook that does not read it does not hang. */
        size_t big = 300 * 1024;
        char *large = malloc(big + 1);
        memset(large, 'x', big);
        large[big] = '\0';
        snprintf(script, sizeof(script), "wc -c > %s/count", d);
        h = sh_hook(script, NULL);
        out = out_file();
        CU_ASSERT_EQUAL(hook_exec(h, large, big, d, out, &e), 0);
        snprintf(path, sizeof(path), "%s/count", d);
        CU_ASSERT_EQUAL(atol(read_path(path)), (long)big);
        hook_free(h);
        h = sh_hook("exit 0", NULL);
        CU_ASSERT_EQUAL(hook_exec(h, large, big, d, out, &e), 0);
        hook_free(h);
        free(large);
        close(out);
}

static void test_run_env_isolation(void) {
        setenv("PODRT_TEST_SECRET", "leaked", 1);
        int out = out_file();
        _cleanup_error_ struct podrt_error *e = NULL;

        /* Its own env only. */
        struct hook *h = sh_hook("env", "{\"env\": [\"HOOK_A=1\", \"HOOK_B=two\"]}");
        CU_ASSERT_EQUAL(hook_exec(h, "{}", 2, NULL, out, &e), 0);
        const char *text = read_fd(out);
        ASSERT_CONTAINS(text, "HOOK_A=1\n");
        ASSERT_CONTAINS(text, "HOOK_B=two\n");
        CU_ASSERT_PTR_NULL(strstr(text, "PODRT_TEST_SECRET"));
        CU_ASSERT_PTR_NULL(strstr(text, "HOME="));
        hook_free(h);
        close(out);

        /* No env given: an empty environment (sh adds only PWD, maybe). */
        out = out_file();
        h = sh_hook("env", NULL);
        CU_ASSERT_EQUAL(hook_exec(h, "{}", 2, NULL, out, &e), 0);
        text = read_fd(out);
        CU_ASSERT_PTR_NULL(strstr(text, "PODRT_TEST_SECRET"));
        CU_ASSERT_PTR_NULL(strstr(text, "PATH=/"));
        hook_free(h);
        close(out);
        unsetenv("PODRT_TEST_SECRET");
}

static void test_run_clean_fds(void) {
        int leak = open("/dev/null", O_RDONLY); /* deliberately without O_CLOEXEC */
        CU_ASSERT_FATAL(leak >= 0);
        CU_ASSERT_FATAL(dup2(leak, 42) == 42);
        close(leak);
        int out = out_file();
        _cleanup_error_ struct podrt_error *e = NULL;
        struct hook *h = sh_hook("for f in /proc/$$/fd/*; do echo \"fd ${f##*/}\"; done", NULL);
        CU_ASSERT_EQUAL(hook_exec(h, "{}", 2, NULL, out, &e), 0);
        const char *text = read_fd(out);
        ASSERT_CONTAINS(text, "fd 0\n");
        ASSERT_CONTAINS(text, "fd 1\n");
        ASSERT_CONTAINS(text, "fd 2\n");
        CU_ASSERT_PTR_NULL(strstr(text, "fd 42\n"));
        hook_free(h);
        close(out);
        close(42);
}

static void test_run_failure(void) {
        int out = out_file();
        _cleanup_error_ struct podrt_error *e = NULL;
        struct hook *h = sh_hook("echo to-stdout; echo 'first line' >&2; echo 'boom: disk full' >&2; exit 3", NULL);
        CU_ASSERT_EQUAL(hook_exec(h, "{}", 2, NULL, out, &e), -EIO);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e),
                               "hook test.json (/bin/sh) failed: exit status 3: boom: disk full");
        /* stdout and stderr reached the caller's fd. */
        const char *text = read_fd(out);
        ASSERT_CONTAINS(text, "to-stdout\n");
        ASSERT_CONTAINS(text, "first line\nboom: disk full\n");
        e = podrt_error_free(e);
        hook_free(h);

        h = sh_hook("exit 1", NULL);
        CU_ASSERT_EQUAL(hook_exec(h, "{}", 2, NULL, out, &e), -EIO);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "hook test.json (/bin/sh) failed: exit status 1");
        e = podrt_error_free(e);
        hook_free(h);

        h = sh_hook("kill -SEGV $$", NULL);
        CU_ASSERT_EQUAL(hook_exec(h, "{}", 2, NULL, out, &e), -EIO);
        ASSERT_CONTAINS(podrt_error_message(e), "hook test.json (/bin/sh) failed: killed by signal 11");
        e = podrt_error_free(e);
        hook_free(h);

        /* Not executable. */
        const char *d = new_dir();
        write_file(d, "noexec", "#!/bin/sh\nexit 0\n", 0644);
        char json[1200];
        snprintf(json, sizeof(json), V1("{\"path\": \"%s/noexec\"}", "{\"always\": true}", "[\"prestart\"]"), d);
        h = parse_ok(json);
        CU_ASSERT_EQUAL(hook_exec(h, "{}", 2, NULL, out, &e), -EACCES);
        char expected[1200];
        snprintf(expected, sizeof(expected), "hook test.json (%s/noexec) failed: cannot execute: Permission denied", d);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), expected);
        hook_free(h);
        close(out);
}

static bool process_gone(pid_t pid) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        char *s = read_path(path);
        if (!s)
                return true;
        char *p = strrchr(s, ')');
        return p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'); /* a zombie is gone */
}

static void test_run_timeout(void) {
        const char *d = new_dir();
        char script[800];
        /* The hook and a child of it, both outliving the timeout. */
        snprintf(script, sizeof(script), "sleep 30 & echo $! > %s/child; echo $$ > %s/pid; sleep 30", d, d);
        struct hook *h = sh_hook(script, "{\"timeout\": 1}");
        int out = out_file();
        _cleanup_error_ struct podrt_error *e = NULL;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int r = hook_exec(h, "{}", 2, NULL, out, &e);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double elapsed = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        CU_ASSERT_EQUAL(r, -ETIMEDOUT);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "hook test.json (/bin/sh) timed out after 1 s");
        CU_ASSERT(elapsed >= 0.9);
        CU_ASSERT(elapsed < 3.0);
        char path[900];
        snprintf(path, sizeof(path), "%s/pid", d);
        const char *text = read_path(path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        pid_t pid = (pid_t)atoi(text);
        snprintf(path, sizeof(path), "%s/child", d);
        text = read_path(path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        pid_t child = (pid_t)atoi(text);
        CU_ASSERT(pid > 0 && child > 0);
        CU_ASSERT(process_gone(pid));
        for (int i = 0; i < 100 && !process_gone(child); i++)
                usleep(10000); /* SIGKILL to the group is delivered at once; be fair */
        CU_ASSERT(process_gone(child));
        hook_free(h);

        /* Within its timeout a hook runs to its end. */
        h = sh_hook("sleep 0.2", "{\"timeout\": 2}");
        CU_ASSERT_EQUAL(hook_exec(h, "{}", 2, NULL, out, &e), 0);
        hook_free(h);
        close(out);
}

void register_tests(void) {
        CU_pSuite s = add_suite("hooks", suite_init, suite_cleanup);
        ADD_TEST(s, test_parse_every_field);
        ADD_TEST(s, test_parse_errors);
        ADD_TEST(s, test_load_file_errors);
        ADD_TEST(s, test_regex_bound);
        ADD_TEST(s, test_match_annotations);
        ADD_TEST(s, test_match_commands);
        ADD_TEST(s, test_match_bind_mounts_and_always);
        ADD_TEST(s, test_match_all_must_match);
        ADD_TEST(s, test_legacy_fields);
        ADD_TEST(s, test_legacy_errors);
        ADD_TEST(s, test_legacy_matching);
        ADD_TEST(s, test_dirs_precedence_and_masking);
        ADD_TEST(s, test_dirs_order_lower_case);
        ADD_TEST(s, test_dirs_missing);
        ADD_TEST(s, test_dirs_first_broken_file);
        ADD_TEST(s, test_state_json);
        ADD_TEST(s, test_oci_entry);
        ADD_TEST(s, test_run_state_on_stdin);
        ADD_TEST(s, test_run_env_isolation);
        ADD_TEST(s, test_run_clean_fds);
        ADD_TEST(s, test_run_failure);
        ADD_TEST(s, test_run_timeout);
}
