/* SPDX-License-Identifier: Apache-2.0 */
/* What a storage plugin's prepare sets with podrt_app_set_rootfs() lasts:
 * state.json keeps it and every later command (start, the monitor, exec,
 * status, delete and release) sees it, not the manifest's rootfs.  Through
 * the runtime API, the real loader, the mock backend (apps are host
 * processes whose cwd is their rootfs) and the copystore test plugin; and a
 * state.json written before "rootfs" existed still loads. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cunit-main.h"
#include "errors.h"
#include "fileio.h"
#include "lifecycle.h"
#include "pod.h"
#include "runtime.h"

static char tmp[] = "/tmp/podrt-storage-XXXXXX";
static char root[256], rootfs[256], conf[256];
static struct runtime *rt;

static int suite_init(void) {
        const char *build = getenv("PODRT_BUILD_DIR");
        char path[1024], cfg[512];
        if (!build || !mkdtemp(tmp))
                return -1;
        snprintf(root, sizeof(root), "%s/root", tmp);
        snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmp);
        snprintf(conf, sizeof(conf), "%s/podrt.conf", tmp);
        if (mkdir(rootfs, 0755) < 0)
                return -1;
        snprintf(path, sizeof(path), "%s/original", rootfs);
        if (write_file_new(path, "from the original\n", 18, 0644) < 0)
                return -1;
        int n = snprintf(cfg, sizeof(cfg), "storage = \"copystore\";\n");
        if (write_file_new(conf, cfg, (size_t)n, 0644) < 0)
                return -1;
        snprintf(path, sizeof(path), "%s/tests/mock:%s/tests/storage", build, build);
        setenv("PODRT_PLUGIN_PATH", path, 1);
        unsetenv("PODRT_CONFIG");
        struct runtime_options o = { .backend = "mock", .root = root, .config_path = conf };
        _cleanup_error_ struct podrt_error *e = NULL;
        if (runtime_new(&o, &rt, &e) < 0) {
                fprintf(stderr, "runtime_new: %s\n", podrt_error_message(e));
                return -1;
        }
        return 0;
}

static int suite_cleanup(void) {
        runtime_free(rt);
        return rm_rf(tmp) < 0 ? -1 : 0;
}

static const char *manifest(const char *name, const char *script) {
        static char path[512];
        char text[2048];
        snprintf(path, sizeof(path), "%s/%s.json", tmp, name);
        int n = snprintf(text, sizeof(text),
                         "{\"apiVersion\":\"podrt/v1\",\"kind\":\"Pod\",\"name\":\"%s\",\"containers\":"
                         "[{\"name\":\"app\",\"rootfs\":\"rootfs\",\"command\":[\"/bin/sh\",\"-c\",\"%s\"]}]}",
                         name, script);
        (void)unlink(path);
        CU_ASSERT_FATAL(write_file_new(path, text, (size_t)n, 0644) == 0);
        return path;
}

/* apps[0].rootfs of `status --json`, malloc'd; NULL when null or absent. */
static char *status_rootfs(const char *ref) {
        struct json_object *o = NULL, *apps, *v;
        _cleanup_error_ struct podrt_error *e = NULL;
        char *r = NULL;
        if (runtime_status(rt, ref, &o, &e) < 0) {
                fprintf(stderr, "status %s: %s\n", ref, podrt_error_message(e));
                return NULL;
        }
        if (json_object_object_get_ex(o, "apps", &apps) &&
            json_object_object_get_ex(json_object_array_get_idx(apps, 0), "rootfs", &v) && v)
                r = strdup(json_object_get_string(v));
        json_object_put(o);
        return r;
}

static int exists(const char *dir, const char *name) {
        char p[1024];
        snprintf(p, sizeof(p), "%s/%s", dir, name);
        return access(p, F_OK) == 0;
}

static char *slurp(const char *dir, const char *name) {
        char p[1024];
        char *text = NULL;
        snprintf(p, sizeof(p), "%s/%s", dir, name);
        return read_file(p, 0, &text, NULL) < 0 ? NULL : text;
}

/* Runs argv through runtime_exec with stdout to a file; returns its text. */
static char *exec_output(const char *ref, char *const *argv, int *ret_status) {
        char p[512];
        snprintf(p, sizeof(p), "%s/exec.out", tmp);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int saved = dup(STDOUT_FILENO);
        if (fd < 0 || saved < 0)
                return NULL;
        fflush(stdout);
        dup2(fd, STDOUT_FILENO);
        close(fd);
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = runtime_exec(rt, ref, NULL, argv, 0, NULL, ret_status, &e);
        fflush(stdout);
        dup2(saved, STDOUT_FILENO);
        close(saved);
        if (r < 0) {
                fprintf(stderr, "exec %s: %s\n", ref, podrt_error_message(e));
                return NULL;
        }
        return slurp(tmp, "exec.out");
}

/* ---- tests -------------------------------------------------------------- */

static void test_prepared_rootfs_lasts(void) {
        char id[POD_ID_LEN + 1], copy[512];
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL_FATAL(runtime_create(rt, manifest("lasts", "echo hi > marker; cat marker; "
                                                                   "cat original; sleep 30"),
                                             NULL, id, &e), 0);
        snprintf(copy, sizeof(copy), "%s/pods/%s/apps/app/copy-rootfs", root, id);
        CU_ASSERT_TRUE(exists(copy, "original"));

        /* status (a later command: the pod loaded again) shows the copy. */
        _cleanup_free_ char *shown = status_rootfs("lasts");
        CU_ASSERT_PTR_NOT_NULL_FATAL(shown);
        CU_ASSERT_STRING_EQUAL(shown, copy);

        /* start (the monitor loads the pod again): the app runs in the copy. */
        CU_ASSERT_EQUAL_FATAL(runtime_start(rt, "lasts", &e), 0);
        for (int i = 0; i < 100 && !exists(copy, "marker"); i++)
                usleep(50 * 1000);
        CU_ASSERT_TRUE(exists(copy, "marker"));
        CU_ASSERT_FALSE(exists(rootfs, "marker"));

        /* exec runs in the copy too. */
        char *argv[] = { "/bin/sh", "-c", "cat marker; pwd", NULL };
        int st = -1;
        _cleanup_free_ char *out = exec_output("lasts", argv, &st);
        CU_ASSERT_EQUAL(st, 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(out);
        char want[600];
        snprintf(want, sizeof(want), "hi\n%s\n", copy);
        CU_ASSERT_STRING_EQUAL(out, want);

        /* The log: the app read its own marker and the copied file (wait
         * for both lines: a loaded machine may still be at the first). */
        char appdir[512];
        snprintf(appdir, sizeof(appdir), "%s/pods/%s/apps/app", root, id);
        for (int i = 0; i < 200; i++) {
                _cleanup_free_ char *early = slurp(appdir, "output.log");
                if (early && strstr(early, "from the original"))
                        break;
                usleep(50 * 1000);
        }
        CU_ASSERT_EQUAL(runtime_kill(rt, "lasts", 9, &e), 0);
        CU_ASSERT(pod_wait_monitor(rt, id, 5000));
        _cleanup_free_ char *log = slurp(appdir, "output.log");
        CU_ASSERT_PTR_NOT_NULL_FATAL(log);
        CU_ASSERT_STRING_EQUAL(log, "hi\nfrom the original\n");

        /* After the monitor saved the pod, state.json still has the copy. */
        free(shown);
        shown = status_rootfs(id);
        CU_ASSERT_PTR_NOT_NULL_FATAL(shown);
        CU_ASSERT_STRING_EQUAL(shown, copy);

        /* delete releases the copy; the original is as it was. */
        CU_ASSERT_EQUAL(runtime_delete(rt, id, 0, &e), 0);
        CU_ASSERT_FALSE(exists(copy, "."));
        CU_ASSERT_TRUE(exists(rootfs, "original"));
        CU_ASSERT_FALSE(exists(rootfs, "marker"));
}

/* A state.json from before "rootfs": the manifest's rootfs, as then. */
static void test_old_state_file(void) {
        char id[POD_ID_LEN + 1], dir[512];
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL_FATAL(runtime_create(rt, manifest("old", "true"), NULL, id, &e), 0);
        snprintf(dir, sizeof(dir), "%s/pods/%s", root, id);

        _cleanup_free_ char *text = slurp(dir, "state.json");
        CU_ASSERT_PTR_NOT_NULL_FATAL(text);
        struct json_object *o = json_tokener_parse(text), *apps;
        CU_ASSERT_FATAL(o && json_object_object_get_ex(o, "apps", &apps));
        json_object_object_del(json_object_array_get_idx(apps, 0), "rootfs");
        const char *old = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        CU_ASSERT_FATAL(strstr(old, "copy-rootfs") == NULL);
        char path[600];
        snprintf(path, sizeof(path), "%s/state.json", dir);
        CU_ASSERT_EQUAL_FATAL(write_file_atomic(path, old, strlen(old), 0600, 0), 0);
        json_object_put(o);

        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        CU_ASSERT_EQUAL_FATAL(pod_load(dir, &pod, &e), 0);
        CU_ASSERT_STRING_EQUAL(podrt_app_rootfs(podrt_pod_app(pod, 0)), rootfs);
        CU_ASSERT_EQUAL(podrt_pod_state(pod), PODRT_POD_CREATED);
        /* delete still releases the copy (copystore finds it by app dir). */
        CU_ASSERT_EQUAL(runtime_delete(rt, id, 0, &e), 0);
        CU_ASSERT_EQUAL(access(dir, F_OK), -1);
}

/* Saved and loaded again: the rootfs storage set, byte for byte. */
static void test_save_load_round_trip(void) {
        char id[POD_ID_LEN + 1], dir[512];
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL_FATAL(runtime_create(rt, manifest("trip", "true"), NULL, id, &e), 0);
        snprintf(dir, sizeof(dir), "%s/pods/%s", root, id);
        {
                _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
                CU_ASSERT_EQUAL_FATAL(pod_load(dir, &pod, &e), 0);
                CU_ASSERT_EQUAL(podrt_app_set_rootfs(podrt_pod_app(pod, 0), "/somewhere/else"), 0);
                CU_ASSERT_EQUAL(pod_save(pod, &e), 0);
        }
        {
                _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
                CU_ASSERT_EQUAL_FATAL(pod_load(dir, &pod, &e), 0);
                CU_ASSERT_STRING_EQUAL(podrt_app_rootfs(podrt_pod_app(pod, 0)), "/somewhere/else");
        }
        CU_ASSERT_EQUAL(runtime_delete(rt, id, 0, &e), 0);
        CU_ASSERT_EQUAL(access(dir, F_OK), -1);
}

void register_tests(void) {
        CU_pSuite s = add_suite("storage", suite_init, suite_cleanup);
        ADD_TEST(s, test_prepared_rootfs_lasts);
        ADD_TEST(s, test_old_state_file);
        ADD_TEST(s, test_save_load_round_trip);
}
