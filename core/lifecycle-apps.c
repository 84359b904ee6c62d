/* SPDX-License-Identifier: Apache-2.0 */
/* `podrt app add|start|stop|rm` and `kill --app`: what changes the pod's
 * app set goes to its monitor (monitor-control.c), the one writer of its
 * state; signals go through the backend's container ops from here. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <json-c/json.h>

#include "errors.h"
#include "lifecycle.h"
#include "manifest.h"
#include "monitor.h"
#include "states.h"

/* The running pod ref and its backend, which must have container ops. */
static int open_running(struct runtime *rt, const char *ref, struct podrt_pod **ret_pod, struct plugin **ret_backend,
                        struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        _cleanup_close_ int lock = -1;
        struct plugin *p;
        int r = runtime_open_pod(rt, ref, LOCK_SH, &pod, &lock, err);
        if (r < 0 || (r = pod_require_running(rt, pod, err)) < 0 ||
            (r = runtime_plugin(rt, pod->backend, "pod", &p, err)) < 0)
                return r;
        if (pod->state == PODRT_POD_PAUSED)
                return podrt_error_set(err, EINVAL, "pod %s is paused: resume it first", pod->name);
        if (!OPS_HAS(plugin_container_ops(p), start))
                return podrt_error_set(err, EOPNOTSUPP,
                                       "backend %s cannot change a running pod's apps (it has no container ops)",
                                       pod->backend);
        *ret_pod = TAKE_PTR(pod);
        *ret_backend = p;
        return 0;
}

static int request(struct podrt_pod *pod, const char *op, const char *name, struct podrt_error **err) {
        struct json_object *req = json_object_new_object();
        json_object_object_add(req, "op", json_object_new_string(op));
        json_object_object_add(req, "name", json_object_new_string(name));
        int r = monitor_request(pod, req, err);
        json_object_put(req);
        return r;
}

int runtime_app_add_text(struct runtime *rt, const char *ref, const char *text, const char *source,
                         const char *base_dir, bool start, struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        struct plugin *p;
        int r = open_running(rt, ref, &pod, &p, err);
        if (r < 0)
                return r;
        struct json_object *req = json_object_new_object();
        json_object_object_add(req, "op", json_object_new_string("add"));
        json_object_object_add(req, "app", json_object_new_string(text));
        json_object_object_add(req, "source", json_object_new_string(source ? source : "app"));
        if (base_dir)
                json_object_object_add(req, "baseDir", json_object_new_string(base_dir));
        json_object_object_add(req, "start", json_object_new_boolean(start));
        r = monitor_request(pod, req, err);
        json_object_put(req);
        return r;
}

int runtime_app_add(struct runtime *rt, const char *ref, const char *path, bool start, struct podrt_error **err) {
        _cleanup_free_ char *text = NULL, *dir = NULL;
        size_t len;
        /* The pod first: "not running" beats what the file holds. */
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        struct plugin *p;
        int r = open_running(rt, ref, &pod, &p, err);
        if (r < 0 || (r = manifest_read(path, &text, &len, &dir, err)) < 0)
                return r;
        if (strlen(text) != len)
                return podrt_error_set(err, EINVAL, "%s: holds a NUL byte", path);
        return runtime_app_add_text(rt, pod->id, text, path, dir, start, err);
}

int runtime_app_start(struct runtime *rt, const char *ref, const char *name, struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        struct plugin *p;
        int r = open_running(rt, ref, &pod, &p, err);
        return r < 0 ? r : request(pod, "start", name, err);
}

/* The app's state as the monitor last recorded it: its app state, or
 * PODRT_APP_EXITED when the pod or its monitor is gone. */
static uint32_t recorded_state(struct runtime *rt, const char *id, const char *name) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        _cleanup_close_ int lock = -1;
        if (runtime_open_pod(rt, id, LOCK_SH, &pod, &lock, NULL) < 0 || !pod_monitor_alive(rt, id))
                return PODRT_APP_EXITED;
        struct podrt_app *a = podrt_pod_app_by_name(pod, name);
        return a ? a->state : PODRT_APP_EXITED;
}

/* The monitor sees an added app's own process end; one of the pod's own
 * apps on nspawn or kvm ends inside the process they share, which the
 * backend's state tells: asked every 200 ms. */
static bool wait_exited(struct runtime *rt, struct podrt_pod *pod, const char *name, unsigned timeout_ms) {
        int64_t deadline = now_ms() + timeout_ms, next_refresh = now_ms() + 200;
        for (;;) {
                if (recorded_state(rt, pod->id, name) != PODRT_APP_RUNNING)
                        return true;
                if (now_ms() >= deadline)
                        return false;
                if (now_ms() >= next_refresh) {
                        _cleanup_error_ struct podrt_error *e = NULL;
                        (void)request(pod, "refresh", name, &e);
                        next_refresh = now_ms() + 200;
                }
                usleep(20000);
        }
}

/* Sends signo to one app of a running pod through container kill. */
static int app_signal(struct runtime *rt, struct podrt_pod *pod, struct plugin *p, const char *name, int signo,
                      struct podrt_error **err) {
        struct podrt_app *a = podrt_pod_app_by_name(pod, name);
        if (!a)
                return podrt_error_set(err, ENOENT, "pod %s has no app named %s", pod->name, name);
        if (a->state != PODRT_APP_RUNNING)
                return podrt_error_set(err, ESRCH, "app %s of pod %s is not running", name, pod->name);
        return PLUGIN_CALL(p, plugin_container_ops(p), "container", kill, err, a, signo, 0);
}

int runtime_app_kill(struct runtime *rt, const char *ref, const char *name, int signo, struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        struct plugin *p;
        int r = open_running(rt, ref, &pod, &p, err);
        return r < 0 ? r : app_signal(rt, pod, p, name, signo, err);
}

int runtime_app_stop(struct runtime *rt, const char *ref, const char *name, unsigned timeout_sec,
                     struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        struct plugin *p;
        int r = open_running(rt, ref, &pod, &p, err);
        if (r < 0)
                return r;
        struct podrt_app *a = podrt_pod_app_by_name(pod, name);
        if (!a)
                return podrt_error_set(err, ENOENT, "pod %s has no app named %s", pod->name, name);
        if (a->state != PODRT_APP_RUNNING)
                return 0;
        if ((r = app_signal(rt, pod, p, name, SIGTERM, err)) < 0)
                return r;
        if (wait_exited(rt, pod, name, timeout_sec * 1000))
                return 0;
        log_msg(PODRT_LOG_INFO, "app %s of pod %s did not stop within %us: killing it", name, pod->name, timeout_sec);
        _cleanup_error_ struct podrt_error *e = NULL;
        if ((r = app_signal(rt, pod, p, name, SIGKILL, &e)) < 0 && recorded_state(rt, pod->id, name) == PODRT_APP_RUNNING) {
                *err = TAKE_PTR(e);
                return r;
        }
        if (!wait_exited(rt, pod, name, 10000))
                return podrt_error_set(err, ETIMEDOUT, "app %s of pod %s did not stop after SIGKILL", name, pod->name);
        return 0;
}

int runtime_app_rm(struct runtime *rt, const char *ref, const char *name, bool force, struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        struct plugin *p;
        int r = open_running(rt, ref, &pod, &p, err);
        if (r < 0)
                return r;
        if (force && podrt_pod_app_by_name(pod, name) && (r = runtime_app_stop(rt, pod->id, name, 0, err)) < 0)
                return r;
        return request(pod, "rm", name, err);
}
