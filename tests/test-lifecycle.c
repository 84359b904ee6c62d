/* SPDX-License-Identifier: Apache-2.0 */
/* The pod lifecycle through the runtime API, the real loader and the mock
 * backend (apps are plain host processes): create, start, run, stop with a
 * timeout, kill, pause, resume, exec, logs, delete, gc, exit codes, and
 * failure paths that must leave nothing behind. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
#include "fileio.h"
#include "lifecycle.h"
#include "runtime.h"

static char tmp[] = "/tmp/podrt-lifecycle-XXXXXX";
static char root[256], rootfs[256];
static struct runtime *rt;

static int suite_init(void) {
        if (!mkdtemp(tmp))
                return -1;
        snprintf(root, sizeof(root), "%s/root", tmp);
        snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmp);
        mkdir(rootfs, 0755);
        struct runtime_options o = { .backend = "mock", .root = root, .config_path = NULL };
        struct podrt_error *e = NULL;
        setenv("PODRT_CONFIG", "/nonexistent-podrt.conf", 1);
        unsetenv("PODRT_CONFIG");
        if (runtime_new(&o, &rt, &e) < 0) {
                fprintf(stderr, "runtime_new: %s\n", podrt_error_message(e));
                return -1;
        }
        return 0;
}

static int suite_cleanup(void) {
        runtime_free(rt);
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
        return system(cmd) == 0 ? 0 : -1;
}

/* Writes a one-pod manifest with the given containers JSON; returns its path. */
static const char *manifest(const char *name, const char *containers) {
        static char path[512];
        snprintf(path, sizeof(path), "%s/%s.json", tmp, name);
        FILE *f = fopen(path, "w");
        fprintf(f, "{\"apiVersion\":\"podrt/v1\",\"kind\":\"Pod\",\"name\":\"%s\",\"containers\":%s}", name, containers);
        fclose(f);
        return path;
}

static char *app_json(const char *name, const char *script) {
        static char buf[8][1024];
        static int k;
        char *b = buf[k++ % 8];
        snprintf(b, 1024, "{\"name\":\"%s\",\"rootfs\":\"%s\",\"command\":[\"/bin/sh\",\"-c\",\"%s\"]}", name, rootfs, script);
        return b;
}

static const char *one_app(const char *script) {
        static char buf[1100];
        snprintf(buf, sizeof(buf), "[%s]", app_json("app", script));
        return buf;
}

static struct json_object *status(const char *ref) {
        struct json_object *o = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        if (runtime_status(rt, ref, &o, &e) < 0)
                fprintf(stderr, "status %s: %s\n", ref, podrt_error_message(e));
        return o;
}

static const char *field(struct json_object *o, const char *key) {
        struct json_object *v;
        return o && json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static struct json_object *app_status(struct json_object *o, size_t i) {
        struct json_object *apps;
        return o && json_object_object_get_ex(o, "apps", &apps) ? json_object_array_get_idx(apps, i) : NULL;
}

static int app_exit(struct json_object *o, size_t i) {
        struct json_object *v;
        struct json_object *a = app_status(o, i);
        return a && json_object_object_get_ex(a, "exitCode", &v) && v ? json_object_get_int(v) : -1;
}

static int count_pods(void) {
        struct json_object *arr = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        if (runtime_list(rt, &arr, &e) < 0)
                return -1;
        int n = (int)json_object_array_length(arr);
        json_object_put(arr);
        return n;
}

static int dir_entries(const char *path) {
        DIR *d = opendir(path);
        int n = 0;
        if (!d)
                return -1;
        for (struct dirent *de; (de = readdir(d));)
                n += de->d_name[0] != '.';
        closedir(d);
        return n;
}

static void delete_all(void) {
        struct json_object *arr = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        if (runtime_list(rt, &arr, &e) < 0)
                return;
        for (size_t i = 0; i < json_object_array_length(arr); i++) {
                struct podrt_error *de = NULL;
                runtime_delete(rt, field(json_object_array_get_idx(arr, i), "id"), 1, &de);
                podrt_error_free(de);
        }
        json_object_put(arr);
}

static double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

static pid_t app_pid(const char *ref, size_t i) {
        struct json_object *o = status(ref), *v;
        pid_t pid = json_object_object_get_ex(app_status(o, i), "pid", &v) ? json_object_get_int(v) : 0;
        json_object_put(o);
        return pid;
}

/* ---- tests -------------------------------------------------------------- */

static void test_create_then_start(void) {
        char id[POD_ID_LEN + 1];
        struct podrt_error *e = NULL;
        const char *path_cs = manifest("cs", one_app("echo out; echo err >&2; sleep 0.2"));
        CU_ASSERT_EQUAL_FATAL(runtime_create(rt, path_cs, NULL, id, &e), 0);
        CU_ASSERT_EQUAL(strlen(id), 32);
        /* manifest.json is the text that was validated, byte for byte. */
        _cleanup_free_ char *given = NULL, *kept = NULL, *kept_path = NULL;
        size_t given_len = 0, kept_len = 0;
        CU_ASSERT_EQUAL(read_file(path_cs, 0, &given, &given_len), 0);
        CU_ASSERT(asprintf(&kept_path, "%s/pods/%s/manifest.json", root, id) > 0);
        CU_ASSERT_EQUAL(read_file(kept_path, 0, &kept, &kept_len), 0);
        CU_ASSERT_EQUAL(kept_len, given_len);
        CU_ASSERT(given && kept && memcmp(given, kept, given_len) == 0);
        struct json_object *o = status("cs");
        CU_ASSERT_STRING_EQUAL(field(o, "state"), "created");
        CU_ASSERT_STRING_EQUAL(field(o, "id"), id);
        CU_ASSERT_STRING_EQUAL(field(o, "backend"), "mock");
        CU_ASSERT_STRING_EQUAL(field(app_status(o, 0), "state"), "created");
        json_object_put(o);

        CU_ASSERT_EQUAL_FATAL(runtime_start(rt, "cs", &e), 0);
        o = status("cs");
        CU_ASSERT_STRING_EQUAL(field(o, "state"), "running");
        CU_ASSERT(app_pid("cs", 0) > 0);
        json_object_put(o);
        /* Starting twice is refused. */
        CU_ASSERT_EQUAL(runtime_start(rt, "cs", &e), -EBUSY);
        ASSERT_CONTAINS(podrt_error_message(e), "running");
        e = podrt_error_free(e);

        CU_ASSERT(pod_wait_monitor(rt, id, 5000));
        o = status(id);
        CU_ASSERT_STRING_EQUAL(field(o, "state"), "stopped");
        CU_ASSERT_EQUAL(app_exit(o, 0), 0);
        CU_ASSERT_PTR_NOT_NULL(field(o, "finished"));
        json_object_put(o);

        /* Output lands in the app's log, stdout and stderr both. */
        char path[512];
        snprintf(path, sizeof(path), "%s/pods/%s/apps/app/output.log", root, id);
        FILE *f = fopen(path, "r");
        char buf[256] = "";
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        buf[n] = 0;
        fclose(f);
        ASSERT_CONTAINS(buf, "out\n");
        ASSERT_CONTAINS(buf, "err\n");

        /* A stopped pod starts again. */
        CU_ASSERT_EQUAL(runtime_start(rt, id, &e), 0);
        CU_ASSERT(pod_wait_monitor(rt, id, 5000));
        CU_ASSERT_EQUAL(runtime_delete(rt, id, 0, &e), 0);
        CU_ASSERT_EQUAL(count_pods(), 0);
        podrt_error_free(e);
}

static void test_run_foreground_exit_codes(void) {
        char id[POD_ID_LEN + 1];
        int st = -1;
        struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL(runtime_run(rt, manifest("seven", one_app("exit 7")), NULL, 0, id, &st, &e), 0);
        CU_ASSERT_EQUAL(st, 7);
        struct json_object *o = status("seven");
        CU_ASSERT_STRING_EQUAL(field(o, "state"), "stopped");
        CU_ASSERT_EQUAL(app_exit(o, 0), 7);
        json_object_put(o);

        /* The first app to fail decides, not the first in the manifest. */
        char apps[4096];
        snprintf(apps, sizeof(apps), "[%s,%s,%s]", app_json("ok", "exit 0"), app_json("late", "sleep 0.6; exit 6"),
                 app_json("early", "sleep 0.2; exit 5"));
        CU_ASSERT_EQUAL(runtime_run(rt, manifest("three", apps), NULL, RUN_RM, id, &st, &e), 0);
        CU_ASSERT_EQUAL(st, 5);
        /* --rm: nothing left. */
        CU_ASSERT_EQUAL(count_pods(), 1);

        /* A signal is 128+N. */
        CU_ASSERT_EQUAL(runtime_run(rt, manifest("sig", one_app("kill -9 $$")), NULL, RUN_RM, id, &st, &e), 0);
        CU_ASSERT_EQUAL(st, 137);
        /* A command that does not exist is 127. */
        CU_ASSERT_EQUAL(runtime_run(rt, manifest("nocmd", "[{\"name\":\"a\",\"rootfs\":\"/tmp\",\"command\":[\"/no/such/binary\"]}]"),
                                    NULL, RUN_RM, id, &st, &e), 0);
        CU_ASSERT_EQUAL(st, 127);
        delete_all();
        CU_ASSERT_EQUAL(count_pods(), 0);
        podrt_error_free(e);
}

static void test_stop_timeout(void) {
        char id[POD_ID_LEN + 1];
        int st;
        struct podrt_error *e = NULL;
        char apps[4096];
        char polite[512], stubborn_sh[512], ready1[300], ready2[300];
        snprintf(ready1, sizeof(ready1), "%s/polite.ready", tmp);
        snprintf(ready2, sizeof(ready2), "%s/stubborn.ready", tmp);
        /* Each app says when its trap is set: a stop before that would
         * not test the timeout. */
        snprintf(polite, sizeof(polite), "trap 'exit 0' TERM; touch %s; while :; do sleep 0.05; done", ready1);
        snprintf(stubborn_sh, sizeof(stubborn_sh), "trap '' TERM; touch %s; while :; do sleep 0.05; done", ready2);
        snprintf(apps, sizeof(apps), "[%s,%s]", app_json("polite", polite), app_json("stubborn", stubborn_sh));
        CU_ASSERT_EQUAL_FATAL(runtime_run(rt, manifest("stop", apps), NULL, RUN_DETACH, id, &st, &e), 0);
        for (int i = 0; i < 500 && (access(ready1, F_OK) < 0 || access(ready2, F_OK) < 0); i++)
                usleep(10000);
        CU_ASSERT_FATAL(access(ready1, F_OK) == 0 && access(ready2, F_OK) == 0);
        pid_t stubborn = app_pid(id, 1);
        CU_ASSERT(stubborn > 0);
        double t0 = now_s();
        CU_ASSERT_EQUAL(runtime_stop(rt, "stop", 1, &e), 0);
        double took = now_s() - t0;
        CU_ASSERT(took >= 0.9 && took < 10.0);   /* generous: CI machines may be loaded */
        struct json_object *o = status(id);
        CU_ASSERT_STRING_EQUAL(field(o, "state"), "stopped");
        CU_ASSERT_EQUAL(app_exit(o, 0), 0);
        CU_ASSERT_EQUAL(app_exit(o, 1), 137);
        json_object_put(o);
        CU_ASSERT(kill(stubborn, 0) < 0 && errno == ESRCH);
        /* Stopping a stopped pod is fine. */
        CU_ASSERT_EQUAL(runtime_stop(rt, id, 1, &e), 0);
        CU_ASSERT_EQUAL(runtime_delete(rt, id, 0, &e), 0);
        podrt_error_free(e);
}

static char proc_state(pid_t pid) {
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        FILE *f = fopen(path, "r");
        char st = '?';
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, "State:", 6) == 0)
                        sscanf(line + 6, " %c", &st);
        if (f)
                fclose(f);
        return st;
}

static void test_kill_pause_resume_exec_delete(void) {
        char id[POD_ID_LEN + 1];
        int st;
        struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL_FATAL(runtime_run(rt, manifest("kpr", one_app("exec sleep 100")), NULL, RUN_DETACH, id, &st, &e), 0);
        pid_t pid = app_pid(id, 0);
        CU_ASSERT_EQUAL(runtime_pause(rt, "kpr", &e), 0);
        struct json_object *o = status(id);
        CU_ASSERT_STRING_EQUAL(field(o, "state"), "paused");
        json_object_put(o);
        /* SIGSTOP is asynchronous too: the process stops when it next runs
         * (on a busy machine, some time after pause returned). */
        for (int i = 0; i < 100 && proc_state(pid) != 'T'; i++)
                usleep(10000);
        CU_ASSERT_EQUAL(proc_state(pid), 'T');
        CU_ASSERT_EQUAL(runtime_pause(rt, "kpr", &e), -EINVAL);
        e = podrt_error_free(e);
        /* exec into a paused pod is refused. */
        char *argv[] = { "true", NULL };
        CU_ASSERT(runtime_exec(rt, id, NULL, argv, 0, NULL, &st, &e) < 0);
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(runtime_resume(rt, "kpr", &e), 0);
        /* SIGCONT is asynchronous: the process leaves 'T' soon after. */
        for (int i = 0; i < 100 && proc_state(pid) == 'T'; i++)
                usleep(10000);
        CU_ASSERT(proc_state(pid) == 'S' || proc_state(pid) == 'R');
        o = status(id);
        CU_ASSERT_STRING_EQUAL(field(o, "state"), "running");
        json_object_put(o);

        char *argv2[] = { "/bin/sh", "-c", "exit 4", NULL };
        CU_ASSERT_EQUAL(runtime_exec(rt, id, "app", argv2, 0, NULL, &st, &e), 0);
        CU_ASSERT_EQUAL(st, 4);
        CU_ASSERT(runtime_exec(rt, id, "nope", argv2, 0, NULL, &st, &e) == -ENOENT);
        e = podrt_error_free(e);
        /* The mock has neither exec_process nor update: both are refused,
         * naming the backend; an exec_process that sets nothing is an exec. */
        const char *env[] = { "A=1", NULL };
        struct podrt_exec_process proc = { .size = sizeof proc };
        CU_ASSERT_EQUAL(runtime_exec(rt, id, "app", argv2, 0, &proc, &st, &e), 0);
        CU_ASSERT_EQUAL(st, 4);
        proc.env = env;
        CU_ASSERT_EQUAL(runtime_exec(rt, id, "app", argv2, 0, &proc, &st, &e), -EOPNOTSUPP);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "backend mock cannot set an exec's environment, working directory or user");
        e = podrt_error_free(e);
        struct podrt_resources res = { .size = sizeof res, .pids = 10 };
        CU_ASSERT_EQUAL(runtime_update(rt, id, NULL, &res, &e), -EOPNOTSUPP);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "backend mock cannot change a running pod's limits");
        e = podrt_error_free(e);

        /* A running pod is not deleted without force. */
        CU_ASSERT_EQUAL(runtime_delete(rt, id, 0, &e), -EBUSY);
        ASSERT_CONTAINS(podrt_error_message(e), "--force");
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(runtime_kill(rt, id, SIGKILL, &e), 0);
        CU_ASSERT(pod_wait_monitor(rt, id, 5000));
        o = status(id);
        CU_ASSERT_EQUAL(app_exit(o, 0), 137);
        json_object_put(o);
        CU_ASSERT_EQUAL(runtime_kill(rt, id, SIGTERM, &e), -EINVAL);
        ASSERT_CONTAINS(podrt_error_message(e), "not running");
        e = podrt_error_free(e);

        /* Forced delete of a running pod kills it and leaves nothing. */
        CU_ASSERT_EQUAL_FATAL(runtime_run(rt, manifest("kpr2", one_app("exec sleep 100")), NULL, RUN_DETACH, id, &st, &e), 0);
        pid = app_pid(id, 0);
        CU_ASSERT_EQUAL(runtime_delete(rt, "kpr2", 1, &e), 0);
        CU_ASSERT(kill(pid, 0) < 0 && errno == ESRCH);
        char dir[512];
        snprintf(dir, sizeof(dir), "%s/pods/%s", root, id);
        CU_ASSERT(access(dir, F_OK) < 0);
        delete_all();
        podrt_error_free(e);
}

static void test_logs(void) {
        char id[POD_ID_LEN + 1];
        int st;
        struct podrt_error *e = NULL;
        char apps[4096];
        snprintf(apps, sizeof(apps), "[%s,%s]", app_json("one", "echo from-one"), app_json("two", "echo from-two >&2"));
        CU_ASSERT_EQUAL_FATAL(runtime_run(rt, manifest("logs", apps), NULL, RUN_DETACH, id, &st, &e), 0);
        CU_ASSERT(pod_wait_monitor(rt, id, 5000));
        char path[512];
        snprintf(path, sizeof(path), "%s/logs.out", tmp);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        CU_ASSERT_EQUAL(runtime_logs(rt, "logs", "two", 0, fd, &e), 0);
        close(fd);
        char buf[256] = "";
        fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        buf[n > 0 ? n : 0] = 0;
        CU_ASSERT_STRING_EQUAL(buf, "from-two\n");
        CU_ASSERT_EQUAL(runtime_logs(rt, "logs", "three", 0, 1, &e), -ENOENT);
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(runtime_delete(rt, id, 0, &e), 0);
        podrt_error_free(e);
}

static void test_gc(void) {
        char stopped[POD_ID_LEN + 1], running[POD_ID_LEN + 1], orphan[POD_ID_LEN + 1];
        int st;
        struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL_FATAL(runtime_run(rt, manifest("gcstopped", one_app("true")), NULL, 0, stopped, &st, &e), 0);
        CU_ASSERT_EQUAL_FATAL(runtime_run(rt, manifest("gcrunning", one_app("exec sleep 100")), NULL, RUN_DETACH, running, &st, &e), 0);
        CU_ASSERT_EQUAL_FATAL(runtime_run(rt, manifest("gcorphan", one_app("exec sleep 100")), NULL, RUN_DETACH, orphan, &st, &e), 0);
        /* The orphan's monitor dies: its lock is free, its state says running. */
        struct json_object *o = status(orphan), *v;
        pid_t monitor = json_object_object_get_ex(o, "monitorPid", &v) ? json_object_get_int(v) : 0;
        json_object_put(o);
        pid_t app = app_pid(orphan, 0);
        CU_ASSERT_FATAL(monitor > 0);
        kill(monitor, SIGKILL);
        CU_ASSERT(pod_wait_monitor(rt, orphan, 5000));
        /* A grace period keeps the fresh stopped pod. */
        CU_ASSERT_EQUAL(runtime_gc(rt, 3600, &e), 1);
        CU_ASSERT_EQUAL(count_pods(), 2);
        /* The orphan's app was killed: gone, or a zombie that init has not
         * reaped yet (some sandboxes' PID 1 never reaps). */
        for (int i = 0; i < 100 && proc_state(app) != '?' && proc_state(app) != 'Z'; i++)
                usleep(10000);
        CU_ASSERT(proc_state(app) == '?' || proc_state(app) == 'Z');
        CU_ASSERT_EQUAL(runtime_gc(rt, 0, &e), 1);
        CU_ASSERT_EQUAL(count_pods(), 1);
        o = status(running);
        CU_ASSERT_STRING_EQUAL(field(o, "state"), "running");
        json_object_put(o);
        /* A crash during create: a pod directory with no state at all. */
        char dir[512];
        snprintf(dir, sizeof(dir), "%s/pods/0123456789abcdef0123456789abcdef", root);
        mkdir(dir, 0700);
        CU_ASSERT_EQUAL(runtime_gc(rt, 0, &e), 1);
        CU_ASSERT(access(dir, F_OK) < 0);
        delete_all();
        CU_ASSERT_EQUAL(count_pods(), 0);
        podrt_error_free(e);
}

static void test_failures_leave_nothing(void) {
        char id[POD_ID_LEN + 1];
        int st;
        struct podrt_error *e = NULL;
        char pods[512];
        snprintf(pods, sizeof(pods), "%s/pods", root);

        setenv("PODRT_MOCK_FAIL", "create:ENOSPC", 1);
        CU_ASSERT_EQUAL(runtime_create(rt, manifest("fc", one_app("true")), NULL, id, &e), -ENOSPC);
        ASSERT_CONTAINS(podrt_error_message(e), "mock: create failed on request");
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(dir_entries(pods), 0);

        setenv("PODRT_MOCK_FAIL", "start:EIO", 1);
        CU_ASSERT_EQUAL(runtime_run(rt, manifest("fs", one_app("true")), NULL, 0, id, &st, &e), -EIO);
        ASSERT_CONTAINS(podrt_error_message(e), "mock: start failed on request");
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(dir_entries(pods), 0);
        CU_ASSERT_EQUAL(runtime_run(rt, manifest("fsd", one_app("true")), NULL, RUN_DETACH, id, &st, &e), -EIO);
        ASSERT_CONTAINS(podrt_error_message(e), "start failed on request");
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(dir_entries(pods), 0);
        unsetenv("PODRT_MOCK_FAIL");

        /* A bad manifest or an unknown backend: nothing is made. */
        CU_ASSERT(runtime_create(rt, manifest("bad", "[]"), NULL, id, &e) < 0);
        e = podrt_error_free(e);
        struct runtime *other = NULL;
        struct runtime_options o = { .backend = "no-such-backend", .root = root };
        CU_ASSERT_EQUAL_FATAL(runtime_new(&o, &other, &e), 0);
        CU_ASSERT_EQUAL(runtime_create(other, manifest("nb", one_app("true")), NULL, id, &e), -ENOENT);
        ASSERT_CONTAINS(podrt_error_message(e), "no-such-backend");
        e = podrt_error_free(e);
        runtime_free(other);
        CU_ASSERT_EQUAL(dir_entries(pods), 0);

        /* Names are unique. */
        CU_ASSERT_EQUAL(runtime_create(rt, manifest("dup", one_app("true")), NULL, id, &e), 0);
        CU_ASSERT_EQUAL(runtime_create(rt, manifest("dup", one_app("true")), NULL, id, &e), -EEXIST);
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(runtime_create(rt, manifest("dup", one_app("true")), "dup2", id, &e), 0);
        CU_ASSERT_EQUAL(count_pods(), 2);
        delete_all();
        CU_ASSERT_EQUAL(dir_entries(pods), 0);
        podrt_error_free(e);
}

static void test_network_none(void) {
        char id[POD_ID_LEN + 1];
        struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL_FATAL(runtime_create(rt, manifest("net", one_app("true")), NULL, id, &e), 0);
        struct json_object *o = status(id);
        const char *ns = field(o, "netns");
        CU_ASSERT_PTR_NOT_NULL_FATAL(ns);
        /* A namespace of its own, not the host's. */
        struct stat a, b;
        CU_ASSERT_EQUAL(stat(ns, &a), 0);
        CU_ASSERT_EQUAL(stat("/proc/self/ns/net", &b), 0);
        CU_ASSERT(a.st_ino != b.st_ino);
        char path[512];
        snprintf(path, sizeof(path), "%s", ns);
        json_object_put(o);
        CU_ASSERT_EQUAL(runtime_delete(rt, id, 0, &e), 0);
        CU_ASSERT(access(path, F_OK) < 0);
        podrt_error_free(e);
}

void register_tests(void) {
        CU_pSuite s = add_suite("lifecycle", suite_init, suite_cleanup);
        ADD_TEST(s, test_create_then_start);
        ADD_TEST(s, test_run_foreground_exit_codes);
        ADD_TEST(s, test_stop_timeout);
        ADD_TEST(s, test_kill_pause_resume_exec_delete);
        ADD_TEST(s, test_logs);
        ADD_TEST(s, test_gc);
        ADD_TEST(s, test_failures_leave_nothing);
        ADD_TEST(s, test_network_none);
}
