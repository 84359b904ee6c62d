/* SPDX-License-Identifier: Apache-2.0 */
/* The oci backend's container ops: apps added to a running pod (`podrt app
 * add/start/stop/rm`).
 *
 * An added app is what each of the pod's apps is: one `<runtime> run` of
 * its own bundle in its app directory, started by the pod's monitor, its
 * exit the app's.  Its bundle joins the pod's network namespace, the UTS
 * and IPC namespaces the pod's containers share (<pod dir>/oci-uts and
 * oci-ipc) and the pod's cgroup parent (/podrt/<pod id>/<app>).  A pod
 * created with one container has no shared UTS and IPC namespaces yet:
 * its running container's are bound there first, so that the added app
 * and every later one join them (and the pod's delete unmounts them as it
 * does for pods created with several).  The next start of the whole pod
 * writes its bundles anew when its app set changed that way. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <podrt/podrt.h>

#include "bundle.h"
#include "command.h"
#include "container.h"
#include "errors.h"
#include "fileio.h"
#include "namespaces.h"
#include "runtime.h"

/* Binds /proc/<pid>/ns/<ns> on path (made as an empty file). */
static int bind_ns(pid_t pid, const char *ns, const char *path, struct podrt_error **err) {
        char src[64];
        snprintf(src, sizeof src, "/proc/%d/ns/%s", (int)pid, ns);
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0444);
        if (fd < 0)
                return podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
        close(fd);
        if (mount(src, path, NULL, MS_BIND, NULL) < 0)
                return podrt_error_set(err, errno, "bind %s on %s: %s", src, path, strerror(errno));
        return 0;
}

/* The pod's shared UTS and IPC namespaces, from a running container of
 * another app of the pod when the pod has none yet. */
static int shared_namespaces(const struct oci_runtime *rt, struct podrt_app *app, struct podrt_error **err) {
        struct podrt_pod *pod = podrt_app_pod(app);
        static const char *const ns[] = { "uts", "ipc" };
        for (size_t k = 0; k < ELEMENTSOF(ns); k++) {
                _cleanup_free_ char *path = oci_pod_path(pod, ns[k]);
                if (!path)
                        return podrt_error_set(err, ENOMEM, "out of memory");
                if (path_is_mount_point(path) > 0)
                        continue;
                pid_t pid = 0;
                for (size_t i = 0; pid <= 0 && i < podrt_pod_n_apps(pod); i++) {
                        struct podrt_app *other = podrt_pod_app(pod, i);
                        if (other != app && podrt_app_state(other) == PODRT_APP_RUNNING && wait_container(rt, other))
                                pid = oci_runtime_container_pid(rt, podrt_app_id(other));
                }
                if (pid <= 0)
                        return podrt_error_set(err, ESRCH,
                                               "pod %s: no running container whose namespaces app %s could join",
                                               podrt_pod_name(pod), podrt_app_name(app));
                int r = bind_ns(pid, ns[k], path, err);
                if (r < 0)
                        return r;
                /* The first container's bundle joins none: the next pod
                 * start writes the bundles anew (oci_bundles_refresh). */
                _cleanup_free_ char *mark = oci_pod_path(pod, "rebundle");
                int fd = mark ? open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0600) : -1;
                if (fd >= 0)
                        close(fd);
        }
        return 0;
}

int oci_bundles_refresh(struct podrt_pod *pod, const struct oci_runtime *rt, struct podrt_error **err) {
        _cleanup_free_ char *mark = oci_pod_path(pod, "rebundle");
        bool stale = mark && access(mark, F_OK) == 0;
        for (size_t i = 0; !stale && i < podrt_pod_n_apps(pod); i++) {
                _cleanup_free_ char *cfg = oci_app_path(podrt_pod_app(pod, i), "config.json");
                stale = cfg && access(cfg, F_OK) < 0;   /* an app added, never started */
        }
        if (!stale)
                return 0;
        static const char *const ns[] = { "uts", "ipc" };
        for (size_t k = 0; k < ELEMENTSOF(ns); k++) {
                _cleanup_free_ char *path = oci_pod_path(pod, ns[k]);
                int r = path ? oci_ns_remove(path, err) : podrt_error_set(err, ENOMEM, "out of memory");
                if (r < 0)
                        return r;
        }
        int r = oci_bundles_create(pod, rt, oci_nofile_limit(), err);
        if (r >= 0 && mark)
                (void)unlink(mark);
        return r;
}

static int app_runtime(struct podrt_app *app, struct oci_runtime **ret, struct podrt_error **err) {
        int r = oci_bundles_runtime(podrt_app_pod(app), ret, err);
        if (r == -ENOENT)
                return podrt_error_set(err, ENOENT, "pod %s has no bundles: create it again",
                                       podrt_pod_name(podrt_app_pod(app)));
        return r;
}

static int oci_app_start(void *data, struct podrt_app *app, uint64_t flags, struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        pid_t pid;
        int r = app_runtime(app, &rt, err);
        if (r < 0 || (r = shared_namespaces(rt, app, err)) < 0 ||
            (r = oci_bundle_write_app(app, rt, oci_nofile_limit(), err)) < 0)
                return r;
        /* A container of the same ID left by an earlier run of the app. */
        if (oci_runtime_has(rt, podrt_app_id(app))) {
                const char *del[] = { "delete", "--force", podrt_app_id(app), NULL };
                int st;
                oci_runtime_run(rt, del, &st, NULL, NULL);
        }
        if ((r = spawn_app(rt, app, &pid, err)) < 0)
                return r;
        podrt_app_set_pid(app, pid);
        return 0;
}

static int oci_app_kill(void *data, struct podrt_app *app, int signo, uint64_t flags, struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        int r = app_runtime(app, &rt, err);
        if (r < 0)
                return r;
        if (!wait_container(rt, app))
                return 0;   /* ended meanwhile */
        return kill_app(rt, app, signo, err);
}

static int oci_app_exec(void *data, struct podrt_app *app, const char *const *argv, uint64_t flags,
                        struct podrt_error **err) {
        return oci_exec(data, podrt_app_pod(app), app, argv, flags, err);
}

/* As the pod's state, for one app: a running app's pid becomes its
 * container's process; one whose runtime could not start it gets the
 * command line's status for that. */
static int oci_app_state(void *data, struct podrt_app *app, uint64_t flags, struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        if (oci_bundles_runtime(podrt_app_pod(app), &rt, NULL) < 0)
                return 0;
        if (podrt_app_state(app) == PODRT_APP_RUNNING && process_alive(podrt_app_pid(app))) {
                if (wait_container(rt, app)) {
                        pid_t pid = oci_runtime_container_pid(rt, podrt_app_id(app));
                        if (pid > 0)
                                podrt_app_set_pid(app, pid);
                }
                return 0;
        }
        int code = podrt_app_exit_code(app);
        if (podrt_app_state(app) == PODRT_APP_EXITED && code != 1 && code != 255)
                return 0;
        _cleanup_free_ char *msg = runtime_failure(rt, app);
        if (msg && podrt_app_state(app) != PODRT_APP_CREATED)
                podrt_app_set_exited(app, oci_failure_exit_code(msg));
        return 0;
}

/* The runtime's record of the app's container (gone already after a `run`
 * that ended) and its bundle files. */
static int oci_app_remove(void *data, struct podrt_app *app, uint64_t flags, struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        int r = oci_bundles_runtime(podrt_app_pod(app), &rt, err);
        if (r < 0 && r != -ENOENT)
                return r;
        const char *id = podrt_app_id(app);
        if (rt && oci_runtime_has(rt, id)) {
                const char *del[] = { "delete", "--force", id, NULL };
                _cleanup_free_ char *output = NULL;
                int status;
                if ((r = oci_runtime_run(rt, del, &status, &output, err)) < 0)
                        return r;
                if (status != 0 && oci_runtime_has(rt, id)) {
                        char line[1024];
                        return podrt_error_set(err, EIO, "app %s: %s delete: exit status %d: %s",
                                               podrt_app_name(app), rt->name, status,
                                               oci_last_line(output, line, sizeof line));
                }
        }
        oci_bundle_remove_app(app);
        return 0;
}

const struct podrt_container_ops oci_container_ops = {
        .version = PODRT_CONTAINER_OPS_VERSION,
        .size = sizeof(struct podrt_container_ops),
        .start = oci_app_start,
        .kill = oci_app_kill,
        .exec = oci_app_exec,
        .state = oci_app_state,
        .remove = oci_app_remove,
};
