/* SPDX-License-Identifier: Apache-2.0 */
/* The podrt command, end to end: the built binary run with fork/exec on a
 * temporary --root with the mock backend (apps are host processes whose cwd
 * is the rootfs), asserting what a user sees: stdout, stderr, exit codes,
 * and what is left in the store. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli-harness.h"
#include "cunit-main.h"
#include "podrt-build.h"

static void test_help(void) {
        CU_ASSERT_EQUAL(PODRT_RAW("help"), 0);
        ASSERT_CONTAINS(OUT, "Usage: podrt");
        ASSERT_CONTAINS(OUT, "delete, rm");
        ASSERT_CONTAINS(OUT, "--backend NAME");
        CU_ASSERT_STRING_EQUAL(ERR, "");

        CU_ASSERT_EQUAL(PODRT_RAW("--help"), 0);
        ASSERT_CONTAINS(OUT, "Usage: podrt");
        ASSERT_CONTAINS(OUT, "\n  PODRT_CONFIG ");
        ASSERT_CONTAINS(OUT, "\n  PODRT_PLUGIN_PATH ");

        CU_ASSERT_EQUAL(PODRT_RAW("run", "--help"), 0);
        ASSERT_CONTAINS(OUT, "Usage: podrt run [-d|--detach] [--rm] [--name NAME] MANIFEST");

        CU_ASSERT_EQUAL(PODRT_RAW("help", "inspect"), 0);
        ASSERT_CONTAINS(OUT, "Usage: podrt status [--json] POD");
        ASSERT_CONTAINS(OUT, "Alias: inspect");

        CU_ASSERT_EQUAL(PODRT_RAW("exec", "-h"), 0);
        ASSERT_CONTAINS(OUT, "POD -- CMD [ARG...]");

        CU_ASSERT_EQUAL(PODRT_RAW("version"), 0);
        CU_ASSERT_STRING_EQUAL(OUT, "podrt " PODRT_VERSION " (plugin ABI 1.2)\n");
        CU_ASSERT_EQUAL(PODRT_RAW("--version"), 0);
        CU_ASSERT_STRING_EQUAL(OUT, "podrt " PODRT_VERSION " (plugin ABI 1.2)\n");
}

static void test_usage_errors(void) {
        CU_ASSERT_EQUAL(PODRT_RAW("frob"), 125);
        ASSERT_CONTAINS(ERR, "podrt: unknown command 'frob'");
        CU_ASSERT_STRING_EQUAL(OUT, "");

        CU_ASSERT_EQUAL(PODRT_RAW(NULL), 125);
        ASSERT_CONTAINS(ERR, "podrt: missing command");

        CU_ASSERT_EQUAL(PODRT("run"), 125);
        ASSERT_CONTAINS(ERR, "podrt: run: missing MANIFEST");
        CU_ASSERT_EQUAL(PODRT("create"), 125);
        ASSERT_CONTAINS(ERR, "podrt: create: missing MANIFEST");
        CU_ASSERT_EQUAL(PODRT("status"), 125);
        ASSERT_CONTAINS(ERR, "podrt: status: missing POD");
        CU_ASSERT_EQUAL(PODRT("rm"), 125);
        ASSERT_CONTAINS(ERR, "podrt: rm: missing POD");
        CU_ASSERT_EQUAL(PODRT("start", "a", "b"), 125);
        ASSERT_CONTAINS(ERR, "podrt: start: too many arguments");
        CU_ASSERT_EQUAL(PODRT("exec", "somepod"), 125);
        ASSERT_CONTAINS(ERR, "podrt: exec: missing CMD");
        CU_ASSERT_EQUAL(PODRT("exec", "somepod", "--"), 125);
        ASSERT_CONTAINS(ERR, "podrt: exec: missing CMD");

        CU_ASSERT_EQUAL(PODRT("list", "--bogus"), 125);
        ASSERT_CONTAINS(ERR, "podrt: list: unknown option '--bogus'");
        CU_ASSERT_EQUAL(PODRT("stop", "--timeout", "soon", "x"), 125);
        ASSERT_CONTAINS(ERR, "podrt: stop: --timeout: 'soon' is not a number of seconds");
        CU_ASSERT_EQUAL(PODRT("stop", "x", "--timeout"), 125);   /* options first */
        ASSERT_CONTAINS(ERR, "podrt: stop: too many arguments");
        CU_ASSERT_EQUAL(PODRT("kill", "--signal", "NOPE", "x"), 125);
        ASSERT_CONTAINS(ERR, "podrt: kill: --signal: unknown signal 'NOPE'");
        CU_ASSERT_EQUAL(PODRT("logs", "--app"), 125);
        ASSERT_CONTAINS(ERR, "podrt: logs: option '--app' needs a value");
        CU_ASSERT_EQUAL(PODRT("gc", "--grace", "-1"), 125);
        ASSERT_CONTAINS(ERR, "podrt: gc: --grace: '-1' is not a number of seconds");

        CU_ASSERT_EQUAL(PODRT_RAW("--log-level", "loud", "list"), 125);
        ASSERT_CONTAINS(ERR, "podrt: --log-level: unknown level 'loud'");
        CU_ASSERT_EQUAL(PODRT_RAW("--root"), 125);
        ASSERT_CONTAINS(ERR, "podrt: option '--root' needs a value");
        CU_ASSERT_EQUAL(PODRT_RAW("help", "frob"), 125);
        ASSERT_CONTAINS(ERR, "podrt: help: unknown command 'frob'");
        CU_ASSERT_STRING_EQUAL(OUT, "");
}

static void test_relative_mount_refused(void) {
        delete_all();
        char path[4200];
        snprintf(path, sizeof path, "%s/relmount.json", tmpdir);
        write_file(path,
                   "{ \"apiVersion\": \"podrt/v1\", \"kind\": \"Pod\", \"name\": \"relmount\",\n"
                   "  \"volumes\": [ { \"name\": \"scratch\", \"kind\": \"empty\" } ],\n"
                   "  \"containers\": [ { \"name\": \"app\", \"rootfs\": \"rootfs\",\n"
                   "      \"command\": [\"/bin/true\"],\n"
                   "      \"mounts\": [ { \"volume\": \"scratch\", \"path\": \"data\" } ] } ] }\n");
        CU_ASSERT_EQUAL(PODRT("create", path), 125);
        ASSERT_CONTAINS(ERR, "containers[0].mounts[0].path");
        ASSERT_CONTAINS(ERR, "podrt: create ");
        CU_ASSERT_STRING_EQUAL(OUT, "");
        /* one line: the error is printed once */
        CU_ASSERT_PTR_NULL(strchr(ERR, '\n') ? strchr(strchr(ERR, '\n') + 1, '\n') : NULL);
        CU_ASSERT_EQUAL(PODRT("list", "--json"), 0);
        CU_ASSERT_STRING_EQUAL(OUT, "[]\n");

        CU_ASSERT_EQUAL(PODRT("run", path), 125);
        ASSERT_CONTAINS(ERR, "containers[0].mounts[0].path");
        CU_ASSERT_EQUAL(pod_count(), 0);
}

static void test_misspelled_field(void) {
        delete_all();
        char path[4200];
        snprintf(path, sizeof path, "%s/typo.json", tmpdir);
        write_file(path,
                   "{ \"apiVersion\": \"podrt/v1\", \"kind\": \"Pod\", \"name\": \"typo\",\n"
                   "  \"containers\": [ { \"name\": \"app\", \"rootfs\": \"rootfs\",\n"
                   "      \"comand\": [\"/bin/true\"] } ] }\n");
        CU_ASSERT_EQUAL(PODRT("create", path), 125);
        ASSERT_CONTAINS(ERR, "comand");
        CU_ASSERT_STRING_EQUAL(OUT, "");
        CU_ASSERT_EQUAL(pod_count(), 0);
}

static void test_truncated_manifest(void) {
        delete_all();
        char path[4200];
        snprintf(path, sizeof path, "%s/truncated.json", tmpdir);
        write_file(path, "{ \"apiVersion\": \"podrt/v1\", \"kind\": \"Pod\", \"name\": \"trunc\",\n"
                         "  \"containers\": [ { \"name\": \"app\", \"rootf");
        CU_ASSERT_EQUAL(PODRT("create", path), 125);
        ASSERT_CONTAINS(ERR, "podrt: create ");
        ASSERT_CONTAINS(ERR, "truncated.json");
        CU_ASSERT_STRING_EQUAL(OUT, "");
        CU_ASSERT_EQUAL(pod_count(), 0);

        snprintf(path, sizeof path, "%s/no-such-manifest.json", tmpdir);
        CU_ASSERT_EQUAL(PODRT("run", path), 125);
        ASSERT_CONTAINS(ERR, "no-such-manifest.json");
        CU_ASSERT_EQUAL(pod_count(), 0);
}

static void test_run_foreground(void) {
        delete_all();
        const char *m = manifest_sh("fg", "echo hi; echo oops >&2; exit 3");
        CU_ASSERT_EQUAL(PODRT("run", m), 3);
        ASSERT_CONTAINS(OUT, "hi\n");
        ASSERT_CONTAINS(ERR, "oops");
        CU_ASSERT_STRING_EQUAL(pod_state("fg"), "stopped");
        CU_ASSERT_EQUAL(app_exit_code("fg"), 3);
        /* the name is taken while the pod exists */
        CU_ASSERT_EQUAL(PODRT("create", m), 125);
        ASSERT_CONTAINS(ERR, "fg");
        CU_ASSERT_EQUAL(PODRT("delete", "fg"), 0);
        CU_ASSERT_EQUAL(pod_count(), 0);

        m = manifest_sh("fgmissing", "exec /no/such/program");
        CU_ASSERT_EQUAL(PODRT("run", "--rm", m), 127);
        CU_ASSERT_EQUAL(pod_count(), 0);

        m = manifest_sh("fgok", "echo fine");
        CU_ASSERT_EQUAL(PODRT("run", "--rm", m), 0);
        CU_ASSERT_STRING_EQUAL(OUT, "fine\n");
        CU_ASSERT_EQUAL(pod_count(), 0);

        /* --name overrides the manifest's name */
        CU_ASSERT_EQUAL(PODRT("run", "--name", "other", m), 0);
        CU_ASSERT_STRING_EQUAL(pod_state("other"), "stopped");
        CU_ASSERT_EQUAL(PODRT("rm", "other"), 0);
        CU_ASSERT_EQUAL(pod_count(), 0);
}

static void test_detached_lifecycle(void) {
        delete_all();
        const char *m = manifest_sh("web", "exec sleep 300");
        char id[64];
        CU_ASSERT_EQUAL(PODRT("run", "-d", m), 0);
        CU_ASSERT(is_pod_id_line(OUT));
        CU_ASSERT(OUT_EOF);     /* id=$(podrt run -d ...) does not hang */
        snprintf(id, sizeof id, "%.32s", OUT);
        char prefix[9];
        snprintf(prefix, sizeof prefix, "%.8s", id);

        CU_ASSERT_EQUAL(PODRT("status", "--json", "web"), 0);
        json_object *o = parse_out(), *v;
        CU_ASSERT_PTR_NOT_NULL_FATAL(o);
        CU_ASSERT(json_object_object_get_ex(o, "id", &v) &&
                  strcmp(json_object_get_string(v), id) == 0);
        CU_ASSERT(json_object_object_get_ex(o, "state", &v) &&
                  strcmp(json_object_get_string(v), "running") == 0);
        CU_ASSERT(json_object_object_get_ex(o, "backend", &v) &&
                  strcmp(json_object_get_string(v), "mock") == 0);
        json_object_put(o);

        CU_ASSERT_EQUAL(PODRT("inspect", prefix), 0);
        ASSERT_CONTAINS(OUT, id);
        ASSERT_CONTAINS(OUT, "State: running");
        ASSERT_CONTAINS(OUT, "app");

        CU_ASSERT_EQUAL(PODRT("list", "--json"), 0);
        ASSERT_CONTAINS(OUT, id);
        CU_ASSERT_EQUAL(PODRT("ps"), 0);
        ASSERT_CONTAINS(OUT, "POD ID");
        ASSERT_CONTAINS(OUT, "CREATED");
        char short_id[13];
        snprintf(short_id, sizeof short_id, "%.12s", id);
        ASSERT_CONTAINS(OUT, short_id);
        CU_ASSERT_PTR_NULL(strstr(OUT, id));    /* cut to 12 */
        ASSERT_CONTAINS(OUT, "app:running");
        ASSERT_CONTAINS(OUT, "web");

        CU_ASSERT_EQUAL(PODRT("stop", "--timeout", "5", "web"), 0);
        CU_ASSERT_STRING_EQUAL(ERR, "");
        CU_ASSERT_STRING_EQUAL(pod_state("web"), "stopped");
        CU_ASSERT_EQUAL(PODRT("list"), 0);
        ASSERT_CONTAINS(OUT, "app:exited(");

        /* a stopped pod starts again */
        CU_ASSERT_EQUAL(PODRT("start", prefix), 0);
        CU_ASSERT_STRING_EQUAL(pod_state("web"), "running");
        CU_ASSERT_EQUAL(PODRT("stop", "-t", "5", id), 0);

        CU_ASSERT_EQUAL(PODRT("delete", prefix), 0);
        CU_ASSERT_EQUAL(PODRT("status", "web"), 125);
        ASSERT_CONTAINS(ERR, "no such pod");
        CU_ASSERT_EQUAL(pod_count(), 0);
}

static void test_create_start(void) {
        delete_all();
        const char *m = manifest_sh("made", "echo started");
        CU_ASSERT_EQUAL(PODRT("create", m), 0);
        CU_ASSERT(is_pod_id_line(OUT));
        CU_ASSERT_STRING_EQUAL(pod_state("made"), "created");
        CU_ASSERT_EQUAL(PODRT("start", "made"), 0);
        CU_ASSERT(wait_state("made", "stopped"));
        CU_ASSERT_EQUAL(PODRT("logs", "made"), 0);
        CU_ASSERT_STRING_EQUAL(OUT, "started\n");
        CU_ASSERT_EQUAL(PODRT("delete", "made"), 0);
}

static void test_status_no_such_pod(void) {
        CU_ASSERT_EQUAL(PODRT("status", "no-such-pod"), 125);
        ASSERT_CONTAINS(ERR, "podrt: status no-such-pod: ");
        ASSERT_CONTAINS(ERR, "no such pod");
        CU_ASSERT_STRING_EQUAL(OUT, "");
        CU_ASSERT_EQUAL(PODRT("stop", "no-such-pod"), 125);
        ASSERT_CONTAINS(ERR, "podrt: stop no-such-pod: ");
        CU_ASSERT_EQUAL(PODRT("logs", "no-such-pod"), 125);
        ASSERT_CONTAINS(ERR, "no such pod");
}

static void test_logs(void) {
        delete_all();
        const char *m = manifest_sh("talk", "echo hello-logs; echo to-stderr >&2");
        CU_ASSERT_EQUAL(PODRT("run", "-d", m), 0);
        CU_ASSERT(wait_state("talk", "stopped"));
        CU_ASSERT_EQUAL(PODRT("logs", "talk"), 0);
        ASSERT_CONTAINS(OUT, "hello-logs\n");
        ASSERT_CONTAINS(OUT, "to-stderr\n");
        CU_ASSERT_EQUAL(PODRT("logs", "--app", "app", "talk"), 0);
        ASSERT_CONTAINS(OUT, "hello-logs\n");
        CU_ASSERT_EQUAL(PODRT("logs", "-f", "talk"), 0);   /* stopped: returns */
        ASSERT_CONTAINS(OUT, "hello-logs\n");
        CU_ASSERT_EQUAL(PODRT("logs", "--app", "nope", "talk"), 125);
        ASSERT_CONTAINS(ERR, "podrt: logs talk: ");
        ASSERT_CONTAINS(ERR, "nope");
        CU_ASSERT_EQUAL(PODRT("delete", "talk"), 0);

        /* -f follows a running pod until it stops */
        m = manifest_sh("slow", "echo first; sleep 1; echo second");
        CU_ASSERT_EQUAL(PODRT("run", "-d", m), 0);
        CU_ASSERT_EQUAL(PODRT("logs", "--follow", "slow"), 0);
        CU_ASSERT_STRING_EQUAL(OUT, "first\nsecond\n");
        CU_ASSERT_STRING_EQUAL(pod_state("slow"), "stopped");
        CU_ASSERT_EQUAL(PODRT("delete", "slow"), 0);
}

static void test_exec(void) {
        delete_all();
        const char *m = manifest_sh("ex", "exec sleep 300");
        CU_ASSERT_EQUAL(PODRT("run", "-d", m), 0);
        CU_ASSERT_STRING_EQUAL(pod_state("ex"), "running");
        CU_ASSERT_EQUAL(PODRT("exec", "ex", "--", "/bin/sh", "-c", "echo in-pod; exit 7"), 7);
        ASSERT_CONTAINS(OUT, "in-pod");
        CU_ASSERT_EQUAL(PODRT("exec", "--app", "app", "ex", "--", "/bin/sh", "-c", "exit 0"), 0);
        CU_ASSERT_EQUAL(PODRT("exec", "ex", "/bin/sh", "-c", "exit 5"), 5);  /* -- optional */
        CU_ASSERT_EQUAL(PODRT("exec", "ex", "--", "/no/such/command"), 127);
        char notexec[4200];
        snprintf(notexec, sizeof notexec, "%s/not-executable", tmpdir);
        write_file(notexec, "#!/bin/sh\n");
        chmod(notexec, 0644);
        CU_ASSERT_EQUAL(PODRT("exec", "ex", "--", notexec), 126);
        CU_ASSERT_EQUAL(PODRT("exec", "no-such-pod", "--", "/bin/true"), 125);
        ASSERT_CONTAINS(ERR, "podrt: exec no-such-pod: ");
        CU_ASSERT_EQUAL(PODRT("delete", "--force", "ex"), 0);
}

static void test_kill(void) {
        delete_all();
        const char *m = manifest_sh("victim", "trap 'exit 42' USR1; while :; do sleep 0.1; done");
        CU_ASSERT_EQUAL(PODRT("run", "-d", m), 0);
        usleep(300 * 1000);     /* let the shell set its trap */
        CU_ASSERT_EQUAL(PODRT("kill", "--signal", "SIGUSR1", "victim"), 0);
        CU_ASSERT(wait_state("victim", "stopped"));
        CU_ASSERT_EQUAL(app_exit_code("victim"), 42);
        CU_ASSERT_EQUAL(PODRT("delete", "victim"), 0);

        /* default: TERM */
        m = manifest_sh("victim2", "exec sleep 300");
        CU_ASSERT_EQUAL(PODRT("run", "-d", m), 0);
        CU_ASSERT_EQUAL(PODRT("kill", "victim2"), 0);
        CU_ASSERT(wait_state("victim2", "stopped"));
        CU_ASSERT_EQUAL(PODRT("delete", "victim2"), 0);
}

static void test_pause_resume(void) {
        delete_all();
        const char *m = manifest_sh("nap", "exec sleep 300");
        CU_ASSERT_EQUAL(PODRT("run", "-d", m), 0);
        CU_ASSERT_EQUAL(PODRT("pause", "nap"), 0);
        CU_ASSERT_STRING_EQUAL(pod_state("nap"), "paused");
        CU_ASSERT_EQUAL(PODRT("resume", "nap"), 0);
        CU_ASSERT_STRING_EQUAL(pod_state("nap"), "running");
        CU_ASSERT_EQUAL(PODRT("delete", "--force", "nap"), 0);
        CU_ASSERT_EQUAL(pod_count(), 0);
}

static void test_delete_needs_force(void) {
        delete_all();
        char env_log[4200];
        snprintf(env_log, sizeof env_log, "PODRT_MOCK_LOG=%s", mock_log);
        char *env[] = { env_log, NULL };
        const char *m = manifest_sh("busy", "exec sleep 300");
        CU_ASSERT_EQUAL(PODRT("run", "-d", m), 0);
        unlink(mock_log);
        CU_ASSERT_EQUAL(PODRT_ENV(env, "delete", "busy"), 125);
        ASSERT_CONTAINS(ERR, "podrt: delete busy: ");
        CU_ASSERT_STRING_EQUAL(pod_state("busy"), "running");
        CU_ASSERT(access(mock_log, F_OK) < 0);  /* the backend was not asked */

        /* several pods: each tried, each error reported, 125 overall */
        CU_ASSERT_EQUAL(PODRT("delete", "--force", "no-such-pod", "busy"), 125);
        ASSERT_CONTAINS(ERR, "podrt: delete no-such-pod: ");
        CU_ASSERT_EQUAL(pod_count(), 0);
}

static void test_gc(void) {
        delete_all();
        const char *m = manifest_sh("done", "true");
        CU_ASSERT_EQUAL(PODRT("run", "-d", m), 0);
        CU_ASSERT(wait_state("done", "stopped"));
        m = manifest_sh("alive", "exec sleep 300");
        CU_ASSERT_EQUAL(PODRT("run", "-d", m), 0);

        CU_ASSERT_EQUAL(PODRT("gc"), 0);    /* default grace: 300 s */
        CU_ASSERT_STRING_EQUAL(OUT, "removed 0 pods\n");
        CU_ASSERT_EQUAL(pod_count(), 2);
        CU_ASSERT_EQUAL(PODRT("gc", "--grace", "0"), 0);
        CU_ASSERT_STRING_EQUAL(OUT, "removed 1 pod\n");
        CU_ASSERT_EQUAL(PODRT("status", "done"), 125);
        CU_ASSERT_STRING_EQUAL(pod_state("alive"), "running");
        CU_ASSERT_EQUAL(PODRT("delete", "-f", "alive"), 0);
}

static void test_failing_start_leaves_nothing(void) {
        delete_all();
        char *env[] = { "PODRT_MOCK_FAIL=start:EIO", NULL };
        const char *m = manifest_sh("doomed", "exec sleep 300");
        CU_ASSERT_EQUAL(PODRT_ENV(env, "run", "-d", m), 125);
        ASSERT_CONTAINS(ERR, "mock: start failed on request");
        ASSERT_CONTAINS(ERR, "podrt: run ");
        CU_ASSERT_STRING_EQUAL(OUT, "");
        CU_ASSERT_EQUAL(pod_count(), 0);

        char *env2[] = { "PODRT_MOCK_FAIL=create:ENOSPC", NULL };
        CU_ASSERT_EQUAL(PODRT_ENV(env2, "create", m), 125);
        ASSERT_CONTAINS(ERR, "mock: create failed on request");
        CU_ASSERT_EQUAL(pod_count(), 0);

        /* A plugin that fails without saying why: the core says which
         * plugin, which method, and the errno. */
        char *env3[] = { "PODRT_MOCK_FAIL=create:EIO", "PODRT_MOCK_SILENT=1", NULL };
        CU_ASSERT_EQUAL(PODRT_ENV(env3, "create", m), 125);
        ASSERT_CONTAINS(ERR, "plugin 'mock' pod.create: Input/output error");
        CU_ASSERT_EQUAL(pod_count(), 0);
}

static void test_backend_beats_config(void) {
        delete_all();
        char conf[4200];
        snprintf(conf, sizeof conf, "%s/other.conf", tmpdir);
        write_file(conf, "backend = \"nosuchbackend\";\n");
        const char *m = manifest_sh("cfg", "echo from-mock");
        CU_ASSERT_EQUAL(PODRT_RAW("--config", conf, "--root", root, "run", "--rm", m), 125);
        ASSERT_CONTAINS(ERR, "nosuchbackend");
        CU_ASSERT_EQUAL(PODRT_RAW("--config", conf, "--root", root, "--backend", "mock", "run",
                                  "--rm", m),
                        0);
        CU_ASSERT_STRING_EQUAL(OUT, "from-mock\n");
        CU_ASSERT_EQUAL(pod_count(), 0);
}

static void test_config_syntax_error(void) {
        char conf[4200], where[4300];
        snprintf(conf, sizeof conf, "%s/broken.conf", tmpdir);
        write_file(conf, "backend = \"mock\";\nstate_dir = ;\n");
        snprintf(where, sizeof where, "%s:2", conf);
        CU_ASSERT_EQUAL(PODRT_RAW("--config", conf, "--root", root, "list"), 125);
        ASSERT_CONTAINS(ERR, where);
        ASSERT_CONTAINS(ERR, "podrt: list: ");
        CU_ASSERT_STRING_EQUAL(OUT, "");

        snprintf(conf, sizeof conf, "%s/no-such.conf", tmpdir);
        CU_ASSERT_EQUAL(PODRT_RAW("--config", conf, "--root", root, "list"), 125);
        ASSERT_CONTAINS(ERR, "no-such.conf");
}

static void test_plugins(void) {
        CU_ASSERT_EQUAL(PODRT("plugins", "--json"), 0);
        json_object *o = parse_out();
        CU_ASSERT_FATAL(json_object_is_type(o, json_type_array));
        int found = 0;
        for (size_t i = 0; i < json_object_array_length(o); i++) {
                json_object *p = json_object_array_get_idx(o, i), *v;
                /* a refused plugin may have no name (null) */
                if (json_object_object_get_ex(p, "name", &v) && json_object_get_string(v) &&
                    strcmp(json_object_get_string(v), "mock") == 0) {
                        found = 1;
                        CU_ASSERT(json_object_object_get_ex(p, "abi", &v) &&
                                  strcmp(json_object_get_string(v), "1.2") == 0);
                }
        }
        CU_ASSERT(found);
        json_object_put(o);

        CU_ASSERT_EQUAL(PODRT("plugins"), 0);
        ASSERT_CONTAINS(OUT, "NAME");
        ASSERT_CONTAINS(OUT, "PROVIDES");
        ASSERT_CONTAINS(OUT, "mock");
        ASSERT_CONTAINS(OUT, "mock.so");

        /* refused plugins are listed with why */
        char env_path[8400];
        snprintf(env_path, sizeof env_path, "PODRT_PLUGIN_PATH=%s/tests/broken:%s/tests/mock",
                 getenv("PODRT_BUILD_DIR"), getenv("PODRT_BUILD_DIR"));
        char *env[] = { env_path, NULL };
        CU_ASSERT_EQUAL(PODRT_ENV(env, "plugins"), 0);
        ASSERT_CONTAINS(OUT, "(refused)");
        ASSERT_CONTAINS(OUT, "\nRefused:\n");
        const char *refused = strstr(OUT, "Refused:");
        ASSERT_CONTAINS(refused, "/tests/broken/abi-major.so: ");
        ASSERT_CONTAINS(refused, "ABI 2");
        CU_ASSERT_EQUAL(PODRT_ENV(env, "plugins", "--json"), 0);
        o = parse_out();
        CU_ASSERT_FATAL(json_object_is_type(o, json_type_array));
        int refused_major = 0;
        for (size_t i = 0; i < json_object_array_length(o); i++) {
                json_object *p = json_object_array_get_idx(o, i), *v;
                if (json_object_object_get_ex(p, "path", &v) &&
                    strstr(json_object_get_string(v), "abi-major.so") &&
                    json_object_object_get_ex(p, "error", &v) &&
                    json_object_is_type(v, json_type_string))
                        refused_major = 1;
        }
        CU_ASSERT(refused_major);
        json_object_put(o);
}

static void test_check(void) {
        /* the mock backend is ready when its plugin loads */
        CU_ASSERT_EQUAL(PODRT("check", "--json"), 0);
        json_object *o = parse_out(), *v;
        CU_ASSERT(json_object_is_type(o, json_type_object));
        CU_ASSERT(json_object_object_get_ex(o, "backends", &v) &&
                  json_object_is_type(v, json_type_array));
        json_object_put(o);
        CU_ASSERT_EQUAL(PODRT("check"), 0);
        ASSERT_CONTAINS(OUT, "mock");

        /* a backend that is not there: reported, exit 1 (not 125) */
        CU_ASSERT_EQUAL(PODRT_RAW("--root", root, "--backend", "nosuchbackend", "check"), 1);
        ASSERT_CONTAINS(OUT, "nosuchbackend");
        CU_ASSERT_STRING_EQUAL(ERR, "");
}

static void test_hooks(void) {
        char dir[4200], file[4300], conf[4200], env_path[8400];
        snprintf(dir, sizeof dir, "%s/hooks.d", tmpdir);
        mkdir(dir, 0755);
        snprintf(file, sizeof file, "%s/10-always.json", dir);
        write_file(file, "{ \"version\": \"1.0.0\", \"hook\": { \"path\": \"/bin/true\", "
                         "\"timeout\": 5 }, \"when\": { \"always\": true }, "
                         "\"stages\": [\"prestart\"] }\n");
        snprintf(file, sizeof file, "%s/20-never.json", dir);
        write_file(file, "{ \"version\": \"1.0.0\", \"hook\": { \"path\": \"/bin/echo\" }, "
                         "\"when\": { \"annotations\": { \"x\": \"y\" } }, "
                         "\"stages\": [\"poststop\"] }\n");
        snprintf(conf, sizeof conf, "%s/hooks.conf", tmpdir);
        char text[4400];
        snprintf(text, sizeof text, "hooks = { dirs = [ \"%s\" ]; };\n", dir);
        write_file(conf, text);
        snprintf(env_path, sizeof env_path, "PODRT_PLUGIN_PATH=%s/tests/mock:%s/plugins/hooks",
                 getenv("PODRT_BUILD_DIR"), getenv("PODRT_BUILD_DIR"));
        char *env[] = { env_path, NULL };
        const char *m = manifest_sh("hooked", "true");

        CU_ASSERT_EQUAL(PODRT_ENV(env, "--config", conf, "hooks", m), 0);
        ASSERT_CONTAINS(OUT, "Hook directories: ");
        ASSERT_CONTAINS(OUT, dir);
        ASSERT_CONTAINS(OUT, "prestart");
        ASSERT_CONTAINS(OUT, "/bin/true");
        ASSERT_CONTAINS(OUT, "10-always.json");
        ASSERT_CONTAINS(OUT, "Not matched:");
        ASSERT_CONTAINS(OUT, "20-never.json");

        CU_ASSERT_EQUAL(PODRT_ENV(env, "--config", conf, "hooks", "--json", m), 0);
        json_object *o = parse_out(), *apps, *stages, *pre;
        CU_ASSERT_FATAL(json_object_object_get_ex(o, "apps", &apps) &&
                        json_object_array_length(apps) == 1);
        CU_ASSERT_FATAL(json_object_object_get_ex(json_object_array_get_idx(apps, 0), "stages",
                                                  &stages) &&
                        json_object_object_get_ex(stages, "prestart", &pre));
        CU_ASSERT_EQUAL(json_object_array_length(pre), 1);
        json_object_put(o);
        /* nothing was created */
        CU_ASSERT_EQUAL(pod_count(), 0);

        CU_ASSERT_EQUAL(PODRT_ENV(env, "--config", conf, "hooks", "no-such.json"), 125);
        ASSERT_CONTAINS(ERR, "podrt: hooks no-such.json: ");
}

void register_tests(void) {
        CU_pSuite s = add_suite("cli", suite_init, suite_cleanup);
        ADD_TEST(s, test_help);
        ADD_TEST(s, test_usage_errors);
        ADD_TEST(s, test_relative_mount_refused);
        ADD_TEST(s, test_misspelled_field);
        ADD_TEST(s, test_truncated_manifest);
        ADD_TEST(s, test_status_no_such_pod);
        ADD_TEST(s, test_run_foreground);
        ADD_TEST(s, test_detached_lifecycle);
        ADD_TEST(s, test_create_start);
        ADD_TEST(s, test_logs);
        ADD_TEST(s, test_exec);
        ADD_TEST(s, test_kill);
        ADD_TEST(s, test_pause_resume);
        ADD_TEST(s, test_delete_needs_force);
        ADD_TEST(s, test_gc);
        ADD_TEST(s, test_failing_start_leaves_nothing);
        ADD_TEST(s, test_backend_beats_config);
        ADD_TEST(s, test_config_syntax_error);
        ADD_TEST(s, test_plugins);
        ADD_TEST(s, test_check);
        ADD_TEST(s, test_hooks);
}
