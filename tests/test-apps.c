/* SPDX-License-Identifier: Apache-2.0 */
/* podrt app add|start|stop|rm|list, kill/exec/logs --app on added apps,
 * end to end: the built podrt on a temporary --root with the mock backend
 * (through the real loader), asserting exit codes, messages, status and
 * what the pod's state.json and manifest.json hold. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli-harness.h"
#include "cunit-main.h"
#include "fileio.h"
#include "macro.h"

static char pod_id[64];

/* tmpdir/NAME.json: one app object. */
static const char *app_file(const char *name, const char *script, const char *extra) {
        static char path[8][4200];
        static int k;
        char *p = path[k++ % 8];
        snprintf(p, 4200, "%s/%s.json", tmpdir, name);
        char text[8192];
        snprintf(text, sizeof text, "{\"name\":\"%s\",\"rootfs\":\"rootfs\",\"command\":[\"/bin/sh\",\"-c\",\"%s\"]%s}",
                 name, script, extra ? extra : "");
        write_file(p, text);
        return p;
}

/* A running pod NAME whose app "first" sleeps, with an empty volume; with
 * conf, run with that configuration and env. */
static void start_pod_as(const char *name, const char *annotations, char **env, const char *conf) {
        char path[4200], text[4096];
        snprintf(path, sizeof path, "%s/%s.json", tmpdir, name);
        snprintf(text, sizeof text,
                 "{\"apiVersion\":\"podrt/v1\",\"kind\":\"Pod\",\"name\":\"%s\",%s"
                 "\"volumes\":[{\"name\":\"scratch\",\"kind\":\"empty\"}],"
                 "\"containers\":[{\"name\":\"first\",\"rootfs\":\"rootfs\",\"command\":[\"sleep\",\"60\"]}]}",
                 name, annotations ? annotations : "");
        write_file(path, text);
        CU_ASSERT_EQUAL_FATAL(conf ? PODRT_ENV(env, "--config", conf, "run", "-d", path) : PODRT("run", "-d", path), 0);
        snprintf(pod_id, sizeof pod_id, "%.32s", OUT);
}

static void start_pod(const char *annotations) {
        start_pod_as("p", annotations, NULL, NULL);
}

/* tmpdir/NAME.d for hook files (*ret_dir), tmpdir/NAME.conf naming it
 * (*ret_conf); the env that puts the hooks plugin on the plugin path. */
static char **hooks_setup(const char *name, char ret_dir[4200], char ret_conf[4300]) {
        static char plugin_path[8192];
        static char *env[] = { plugin_path, NULL };
        char text[8192];
        snprintf(ret_dir, 4200, "%s/%s.d", tmpdir, name);
        snprintf(ret_conf, 4300, "%s/%s.conf", tmpdir, name);
        mkdir(ret_dir, 0755);
        snprintf(text, sizeof text, "hooks = { dirs = [ \"%s\" ]; };\n", ret_dir);
        write_file(ret_conf, text);
        snprintf(plugin_path, sizeof plugin_path, "PODRT_PLUGIN_PATH=%s/plugins/hooks:%s/tests/mock",
                 getenv("PODRT_BUILD_DIR"), getenv("PODRT_BUILD_DIR"));
        return env;
}

/* What a file of the pod's folder holds (malloc'd), or NULL. */
static char *pod_file(const char *name) {
        char path[8192];
        char *text = NULL;
        snprintf(path, sizeof path, "%s/pods/%s/%s", root, pod_id, name);
        return read_file(path, 1 << 20, &text, NULL) < 0 ? NULL : text;
}

/* `status --json`'s app name: its field key as a string ("" when absent). */
static const char *app_field(const char *name, const char *key) {
        static char value[8][256];
        static int k;
        char *v = value[k++ % 8];
        v[0] = 0;
        if (PODRT("status", "--json", "p") != 0)
                return v;
        json_object *o = parse_out(), *apps, *f;
        for (size_t i = 0; json_object_object_get_ex(o, "apps", &apps) && i < json_object_array_length(apps); i++) {
                json_object *a = json_object_array_get_idx(apps, i), *n;
                if (json_object_object_get_ex(a, "name", &n) && strcmp(json_object_get_string(n), name) == 0 &&
                    json_object_object_get_ex(a, key, &f) && f)
                        snprintf(v, 256, "%s", json_object_get_string(f));
        }
        json_object_put(o);
        return v;
}

static int n_apps(void) {
        if (PODRT("app", "list", "--json", "p") != 0)
                return -1;
        json_object *o = parse_out();
        int n = json_object_is_type(o, json_type_array) ? (int)json_object_array_length(o) : -1;
        json_object_put(o);
        return n;
}

static int wait_app_state(const char *name, const char *state) {
        for (int i = 0; i < 100; i++) {
                if (strcmp(app_field(name, "state"), state) == 0)
                        return 1;
                usleep(50 * 1000);
        }
        return 0;
}

static int log_has(const char *line) {
        _cleanup_free_ char *text = NULL;
        return read_file(mock_log, 1 << 20, &text, NULL) == 0 && strstr(text, line) != NULL;
}

static void test_add_start_stop_rm(void) {
        setenv("PODRT_MOCK_LOG", mock_log, 1);
        unlink(mock_log);
        start_pod(NULL);
        const char *second = app_file("second", "echo hello from second; exec sleep 60", NULL);

        CU_ASSERT_EQUAL(PODRT("app", "add", "--start", "p", second), 0);
        CU_ASSERT_STRING_EQUAL(OUT, "");
        CU_ASSERT_STRING_EQUAL(ERR, "");
        CU_ASSERT_STRING_EQUAL(app_field("second", "state"), "running");
        CU_ASSERT(atoi(app_field("second", "pid")) > 0);
        CU_ASSERT_STRING_EQUAL(app_field("first", "state"), "running");
        CU_ASSERT(log_has("container.start p\n"));

        /* state.json and manifest.json name it: what every later command loads. */
        _cleanup_free_ char *state = pod_file("state.json"), *manifest = pod_file("manifest.json");
        CU_ASSERT_PTR_NOT_NULL_FATAL(state);
        CU_ASSERT_PTR_NOT_NULL_FATAL(manifest);
        ASSERT_CONTAINS(state, "\"name\":\"second\"");
        ASSERT_CONTAINS(manifest, "\"name\":\"second\"");

        CU_ASSERT_EQUAL(PODRT("app", "list", "p"), 0);
        ASSERT_CONTAINS(OUT, "APP ");
        ASSERT_CONTAINS(OUT, "\nfirst ");
        ASSERT_CONTAINS(OUT, "\nsecond ");
        CU_ASSERT_EQUAL(PODRT("list"), 0);
        ASSERT_CONTAINS(OUT, "running");

        /* logs, exec and kill reach the added app. */
        for (int i = 0; i < 50 && (PODRT("logs", "--app", "second", "p"), !strstr(OUT, "hello from second")); i++)
                usleep(50 * 1000);
        CU_ASSERT_STRING_EQUAL(OUT, "hello from second\n");
        CU_ASSERT_EQUAL(PODRT("exec", "--app", "second", "p", "--", "/bin/sh", "-c", "exit 7"), 7);
        CU_ASSERT_EQUAL(PODRT("kill", "--app", "second", "--signal", "CONT", "p"), 0);
        CU_ASSERT(log_has("container.kill p\n"));
        CU_ASSERT_STRING_EQUAL(app_field("second", "state"), "running");

        /* stop: only it; returns once its exit is recorded. */
        CU_ASSERT_EQUAL(PODRT("app", "stop", "--timeout", "5", "p", "second"), 0);
        CU_ASSERT_STRING_EQUAL(app_field("second", "state"), "exited");
        CU_ASSERT_STRING_EQUAL(app_field("second", "exitCode"), "143");
        CU_ASSERT_STRING_EQUAL(app_field("first", "state"), "running");
        CU_ASSERT_STRING_EQUAL(pod_state("p"), "running");

        /* start again, stop again; then rm. */
        CU_ASSERT_EQUAL(PODRT("app", "start", "p", "second"), 0);
        CU_ASSERT_STRING_EQUAL(app_field("second", "state"), "running");
        CU_ASSERT_EQUAL(PODRT("app", "stop", "p", "second"), 0);
        CU_ASSERT_EQUAL(PODRT("app", "rm", "p", "second"), 0);
        CU_ASSERT(log_has("container.remove p\n"));
        CU_ASSERT_EQUAL(n_apps(), 1);
        char dir[8192];
        snprintf(dir, sizeof dir, "%s/pods/%s/apps/second", root, pod_id);
        CU_ASSERT(access(dir, F_OK) < 0);
        free(manifest);
        manifest = pod_file("manifest.json");
        CU_ASSERT_PTR_NULL(strstr(manifest ? manifest : "second", "second"));

        /* The same name again. */
        CU_ASSERT_EQUAL(PODRT("app", "add", "--start", "p", second), 0);
        CU_ASSERT_STRING_EQUAL(app_field("second", "state"), "running");
        CU_ASSERT_EQUAL(n_apps(), 2);

        /* rm --force stops it first. */
        CU_ASSERT_EQUAL(PODRT("app", "rm", "--force", "p", "second"), 0);
        CU_ASSERT_EQUAL(n_apps(), 1);

        CU_ASSERT_EQUAL(PODRT("delete", "--force", "p"), 0);
        CU_ASSERT_EQUAL(pod_count(), 0);
        unsetenv("PODRT_MOCK_LOG");
}

static void test_add_then_start(void) {
        start_pod(NULL);
        const char *late = app_file("late", "exit 3", NULL);
        CU_ASSERT_EQUAL(PODRT("app", "add", "p", late), 0);
        CU_ASSERT_STRING_EQUAL(app_field("late", "state"), "created");
        CU_ASSERT_EQUAL(PODRT("app", "start", "p", "late"), 0);
        CU_ASSERT(wait_app_state("late", "exited"));
        CU_ASSERT_STRING_EQUAL(app_field("late", "exitCode"), "3");
        /* The pod runs on with its first app. */
        CU_ASSERT_STRING_EQUAL(pod_state("p"), "running");

        /* Added apps are the pod's: a stopped pod starts with them. */
        CU_ASSERT_EQUAL(PODRT("app", "add", "p", app_file("idle", "exec sleep 60", NULL)), 0);
        CU_ASSERT_EQUAL(PODRT("stop", "--timeout", "5", "p"), 0);
        CU_ASSERT_STRING_EQUAL(pod_state("p"), "stopped");
        CU_ASSERT_EQUAL(PODRT("start", "p"), 0);
        CU_ASSERT_STRING_EQUAL(app_field("first", "state"), "running");
        CU_ASSERT_STRING_EQUAL(app_field("idle", "state"), "running");
        CU_ASSERT_EQUAL(n_apps(), 3);
        CU_ASSERT_EQUAL(PODRT("delete", "--force", "p"), 0);
        CU_ASSERT_EQUAL(pod_count(), 0);
}

/* Runs podrt app ARGS, expecting 125 with msg on stderr and manifest.json
 * and state.json's apps as they were. */
#define REFUSED(msg, ...)                                                                   \
        do {                                                                                \
                _cleanup_free_ char *before = pod_file("manifest.json");                    \
                int n = n_apps();                                                           \
                CU_ASSERT_EQUAL(PODRT("app", __VA_ARGS__), 125);                            \
                ASSERT_CONTAINS(ERR, msg);                                                  \
                _cleanup_free_ char *after = pod_file("manifest.json");                     \
                CU_ASSERT_STRING_EQUAL(before ? before : "", after ? after : "");           \
                CU_ASSERT_EQUAL(n_apps(), n);                                               \
        } while (0)

static void test_errors(void) {
        start_pod(NULL);
        REFUSED("first.json: name: the pod already has an app named \"first\"", "add", "p",
                app_file("first", "true", NULL));
        REFUSED("nope.json: mounts[0].volume: no volume named \"nope\" is declared in volumes", "add", "p",
                app_file("nope", "true", ",\"mounts\":[{\"volume\":\"nope\",\"path\":\"/x\"}]"));
        REFUSED("typo.json: comand: unknown field", "add", "p", app_file("typo", "true", ",\"comand\":[]"));
        REFUSED("port.json: ports[0].hostPort: an app added to a running pod cannot publish a host port", "add", "p",
                app_file("port", "true", ",\"ports\":[{\"containerPort\":80,\"hostPort\":18080}]"));
        char bad[4200];
        snprintf(bad, sizeof bad, "%s/bad.json", tmpdir);
        write_file(bad, "{\"name\": \"bad\",");
        REFUSED("bad.json: invalid JSON", "add", "p", bad);
        REFUSED("podrt: app start p: pod p has no app named nope", "start", "p", "nope");
        REFUSED("podrt: app stop p: pod p has no app named nope", "stop", "p", "nope");
        REFUSED("podrt: app rm p: pod p has no app named nope", "rm", "p", "nope");
        REFUSED("app first of pod p is running: stop it first", "rm", "p", "first");
        REFUSED("app first of pod p is running already", "start", "p", "first");
        REFUSED("missing APP.json", "add", "p");
        REFUSED("no such pod: q", "add", "q", app_file("ok", "true", NULL));

        /* A start that fails leaves nothing of the app. */
        char *fail[] = { "PODRT_MOCK_FAIL=container.start:EIO", NULL };
        CU_ASSERT_EQUAL(PODRT("delete", "--force", "p"), 0);
        char path[4200];
        snprintf(path, sizeof path, "%s/p.json", tmpdir);
        CU_ASSERT_EQUAL_FATAL(PODRT_ENV(fail, "run", "-d", path), 0);
        snprintf(pod_id, sizeof pod_id, "%.32s", OUT);
        REFUSED("podrt: app add p: mock: container.start failed on request", "add", "--start", "p",
                app_file("ok", "true", NULL));
        snprintf(path, sizeof path, "%s/pods/%s/apps/ok", root, pod_id);
        CU_ASSERT(access(path, F_OK) < 0);

        /* Paused. */
        CU_ASSERT_EQUAL(PODRT("pause", "p"), 0);
        REFUSED("podrt: app add p: pod p is paused: resume it first", "add", "p", app_file("ok", "true", NULL));
        CU_ASSERT_EQUAL(PODRT("resume", "p"), 0);

        /* Not running. */
        CU_ASSERT_EQUAL(PODRT("stop", "p"), 0);
        REFUSED("podrt: app add p: pod p is not running", "add", "p", app_file("ok", "true", NULL));
        CU_ASSERT_EQUAL(PODRT("delete", "p"), 0);
}

/* A backend without container ops: said so, nothing changed. */
static void test_backend_without_container_ops(void) {
        char path[4200];
        snprintf(path, sizeof path, "%s/p.json", tmpdir);
        write_file(path, "{\"apiVersion\":\"podrt/v1\",\"kind\":\"Pod\",\"name\":\"p\","
                         "\"containers\":[{\"name\":\"first\",\"rootfs\":\"rootfs\",\"command\":[\"sleep\",\"60\"]}]}");
        CU_ASSERT_EQUAL_FATAL(PODRT_RAW("--root", root, "--backend", "mock-pods", "run", "-d", path), 0);
        snprintf(pod_id, sizeof pod_id, "%.32s", OUT);
        REFUSED("podrt: app add p: backend mock-pods cannot change a running pod's apps (it has no container ops)",
                "add", "--start", "p", app_file("second", "true", NULL));
        CU_ASSERT_EQUAL(PODRT("kill", "--app", "first", "p"), 125);
        ASSERT_CONTAINS(ERR, "backend mock-pods cannot change a running pod's apps");
        CU_ASSERT_EQUAL(PODRT("delete", "--force", "p"), 0);
}

/* A sandbox stays up when its apps end; stop ends it. */
static void test_sandbox(void) {
        char path[4200];
        snprintf(path, sizeof path, "%s/s.json", tmpdir);
        write_file(path, "{\"apiVersion\":\"podrt/v1\",\"kind\":\"Pod\",\"name\":\"s\","
                         "\"annotations\":{\"io.podrt.sandbox\":\"true\"},"
                         "\"containers\":[{\"name\":\"first\",\"rootfs\":\"rootfs\",\"command\":[\"true\"]}]}");
        CU_ASSERT_EQUAL_FATAL(PODRT("run", "-d", path), 0);
        for (int i = 0; i < 100 && PODRT("status", "--json", "s") == 0 && !strstr(OUT, "\"exited\""); i++)
                usleep(50 * 1000);
        ASSERT_CONTAINS(OUT, "\"exited\"");
        usleep(300 * 1000);
        CU_ASSERT_STRING_EQUAL(pod_state("s"), "running");
        CU_ASSERT_EQUAL(PODRT("app", "add", "--start", "s", app_file("late", "exec sleep 60", NULL)), 0);
        CU_ASSERT_EQUAL(PODRT("stop", "--timeout", "5", "s"), 0);
        CU_ASSERT_STRING_EQUAL(pod_state("s"), "stopped");
        CU_ASSERT_EQUAL(PODRT("delete", "s"), 0);
}

/* A monitor that dies with an added app: gc ends the app and the pod. */
static void test_crash_cleaned_by_gc(void) {
        start_pod(NULL);
        CU_ASSERT_EQUAL(PODRT("app", "add", "--start", "p", app_file("second", "exec sleep 60", NULL)), 0);
        pid_t app = atoi(app_field("second", "pid"));
        CU_ASSERT_EQUAL(PODRT("status", "--json", "p"), 0);
        json_object *o = parse_out(), *m;
        pid_t monitor = json_object_object_get_ex(o, "monitorPid", &m) ? json_object_get_int(m) : 0;
        json_object_put(o);
        CU_ASSERT_FATAL(monitor > 0 && app > 0);
        CU_ASSERT_EQUAL(kill(monitor, SIGKILL), 0);
        for (int i = 0; i < 100 && kill(monitor, 0) == 0; i++)
                usleep(20 * 1000);
        CU_ASSERT_EQUAL(PODRT("gc"), 0);
        CU_ASSERT_STRING_EQUAL(OUT, "removed 1 pod\n");
        for (int i = 0; i < 100 && kill(app, 0) == 0; i++)
                usleep(20 * 1000);
        CU_ASSERT(kill(app, 0) < 0);
        CU_ASSERT_EQUAL(pod_count(), 0);
}


/* The added app's own hooks run at their stages (the first app's do not
 * run again): prestart, createRuntime, createContainer at add,
 * startContainer and poststart at start, poststop at rm. */
static void test_hooks_of_added_app(void) {
        char hooks[4200], script[4300], conf[4300], calls[4300], path[4300];
        char **env = hooks_setup("hooks", hooks, conf);
        snprintf(script, sizeof script, "%s/record.sh", tmpdir);
        snprintf(calls, sizeof calls, "%s/calls", tmpdir);
        char text[16384];
        snprintf(text, sizeof text, "#!/bin/sh\nid=$(tr -d ' \\n' | sed -n 's/.*\"id\":\"\\([^\"]*\\)\".*/\\1/p')\n"
                                    "echo \"$1 ${id##*-}\" >> %s\n", calls);
        write_file(script, text);
        chmod(script, 0755);
        static const char *const stages[] = { "prestart", "createRuntime", "createContainer",
                                              "startContainer", "poststart", "poststop" };
        for (size_t i = 0; i < 6; i++) {
                snprintf(path, sizeof path, "%s/%zu-%s.json", hooks, i, stages[i]);
                snprintf(text, sizeof text, "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"%s\",\"args\":[\"record.sh\",\"%s\"]},"
                                            "\"when\":{\"always\":true},\"stages\":[\"%s\"]}", script, stages[i], stages[i]);
                write_file(path, text);
        }
#define HPODRT(...) PODRT_ENV(env, "--config", conf, __VA_ARGS__)
        start_pod_as("h", NULL, env, conf);
        /* The pod's poststart hooks run after run -d returned. */
        for (int i = 0; i < 200; i++) {
                _cleanup_free_ char *text = NULL;
                if (read_file(calls, 1 << 16, &text, NULL) == 0 && strstr(text, "poststart first\n"))
                        break;
                usleep(25 * 1000);
        }
        unlink(calls);
        CU_ASSERT_EQUAL(HPODRT("app", "add", "h", app_file("second", "exec sleep 60", NULL)), 0);
        _cleanup_free_ char *after_add = NULL;
        CU_ASSERT_EQUAL(read_file(calls, 1 << 16, &after_add, NULL), 0);
        CU_ASSERT_STRING_EQUAL(after_add ? after_add : "",
                               "prestart second\ncreateRuntime second\ncreateContainer second\n");
        CU_ASSERT_EQUAL(HPODRT("app", "start", "h", "second"), 0);
        CU_ASSERT_EQUAL(HPODRT("app", "stop", "h", "second"), 0);
        CU_ASSERT_EQUAL(HPODRT("app", "rm", "h", "second"), 0);
        _cleanup_free_ char *all = NULL;
        CU_ASSERT_EQUAL(read_file(calls, 1 << 16, &all, NULL), 0);
        CU_ASSERT_STRING_EQUAL(all ? all : "",
                               "prestart second\ncreateRuntime second\ncreateContainer second\n"
                               "startContainer second\npoststart second\npoststop second\n");
        CU_ASSERT_EQUAL(HPODRT("delete", "--force", "h"), 0);
#undef HPODRT
}

/* A monitor killed in the middle of an add (while the app's createContainer
 * hook runs): the app is in manifest.json already, and gc tears the pod
 * down with it. */
static void test_crash_mid_add(void) {
        char hooks[4200], script[4300], conf[4300], path[4300], text[8192];
        char **env = hooks_setup("hang", hooks, conf);
        snprintf(script, sizeof script, "%s/hang.sh", tmpdir);
        write_file(script, "#!/bin/sh\ncat >/dev/null\nexec sleep 3\n");
        chmod(script, 0755);
        snprintf(path, sizeof path, "%s/hang.json", hooks);
        snprintf(text, sizeof text, "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"%s\"},"
                                    "\"when\":{\"commands\":[\"^/hang$\"]},\"stages\":[\"createContainer\"]}", script);
        write_file(path, text);
        start_pod_as("c", NULL, env, conf);
        CU_ASSERT_EQUAL(PODRT("status", "--json", "c"), 0);
        json_object *o = parse_out(), *m, *apps, *pid;
        pid_t monitor = json_object_object_get_ex(o, "monitorPid", &m) ? json_object_get_int(m) : 0;
        pid_t first = json_object_object_get_ex(o, "apps", &apps) &&
                      json_object_object_get_ex(json_object_array_get_idx(apps, 0), "pid", &pid) ? json_object_get_int(pid) : 0;
        json_object_put(o);
        CU_ASSERT_FATAL(monitor > 0 && first > 0);

        char app[4300];
        snprintf(app, sizeof app, "%s/hang-app.json", tmpdir);
        write_file(app, "{\"name\":\"hang\",\"rootfs\":\"rootfs\",\"command\":[\"/hang\"]}");
        pid_t killer = fork();
        if (killer == 0) {
                usleep(700 * 1000);
                kill(monitor, SIGKILL);
                _exit(0);
        }
        CU_ASSERT_EQUAL(PODRT_ENV(env, "--config", conf, "app", "add", "c", app), 125);
        ASSERT_CONTAINS(ERR, "its monitor ended without an answer");
        waitpid(killer, NULL, 0);
        _cleanup_free_ char *manifest = pod_file("manifest.json");
        ASSERT_CONTAINS(manifest ? manifest : "", "\"name\":\"hang\"");

        CU_ASSERT_EQUAL(PODRT("gc"), 0);
        CU_ASSERT_STRING_EQUAL(OUT, "removed 1 pod\n");
        CU_ASSERT_EQUAL(pod_count(), 0);
        for (int i = 0; i < 100 && kill(first, 0) == 0; i++)
                usleep(20 * 1000);
        CU_ASSERT(kill(first, 0) < 0);
}

/* A state dir too deep for a socket address (sun_path: 108 bytes): the
 * control socket is reached through the pod folder's fd. */
static void test_long_state_dir(void) {
        char deep[4200], pod[4300];
        snprintf(deep, sizeof deep, "%s/%0120d", tmpdir, 0);
        snprintf(pod, sizeof pod, "%s/long.json", tmpdir);
        write_file(pod, "{\"apiVersion\":\"podrt/v1\",\"kind\":\"Pod\",\"name\":\"long\","
                        "\"containers\":[{\"name\":\"first\",\"rootfs\":\"rootfs\",\"command\":[\"sleep\",\"60\"]}]}");
        CU_ASSERT_EQUAL_FATAL(PODRT_RAW("--root", deep, "--backend", "mock", "run", "-d", pod), 0);
        CU_ASSERT_EQUAL(PODRT_RAW("--root", deep, "--backend", "mock", "app", "add", "--start", "long",
                                  app_file("second", "exec sleep 60", NULL)), 0);
        CU_ASSERT_STRING_EQUAL(ERR, "");
        CU_ASSERT_EQUAL(PODRT_RAW("--root", deep, "--backend", "mock", "app", "list", "--json", "long"), 0);
        ASSERT_CONTAINS(OUT, "\"name\": \"second\"");
        CU_ASSERT_EQUAL(PODRT_RAW("--root", deep, "--backend", "mock", "delete", "--force", "long"), 0);
}

void register_tests(void) {
        CU_pSuite s = add_suite("apps", suite_init, suite_cleanup);
        ADD_TEST(s, test_add_start_stop_rm);
        ADD_TEST(s, test_add_then_start);
        ADD_TEST(s, test_errors);
        ADD_TEST(s, test_backend_without_container_ops);
        ADD_TEST(s, test_sandbox);
        ADD_TEST(s, test_crash_cleaned_by_gc);
        ADD_TEST(s, test_hooks_of_added_app);
        ADD_TEST(s, test_crash_mid_add);
        ADD_TEST(s, test_long_state_dir);
}
