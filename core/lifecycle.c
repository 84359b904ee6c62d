/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's life after its create (create.c): start and run (through the
 * monitor), stop, kill, pause, resume, exec, logs, delete and gc. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "fileio.h"
#include "lifecycle.h"
#include "process.h"
#include "manifest.h"
#include "monitor.h"
#include "states.h"
#include "strv.h"

/* ---- start, run --------------------------------------------------------- */

int runtime_start(struct runtime *rt, const char *ref, struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        _cleanup_close_ int lock = -1;
        int r = runtime_open_pod(rt, ref, LOCK_SH, &pod, &lock, err);
        if (r < 0)
                return r;
        if (!pod_state_transition_ok(pod->state, PODRT_POD_RUNNING))
                return podrt_error_set(err, EBUSY, "pod %s is %s", pod->name, pod_state_to_string(pod->state));
        close(TAKE_FD(lock));
        return monitor_spawn(rt, pod->id, NULL, 0, err);
}

int runtime_run(struct runtime *rt, const char *manifest_path, const char *name, unsigned flags,
                char ret_id[POD_ID_LEN + 1], int *ret_status, struct podrt_error **err) {
        char id[POD_ID_LEN + 1];
        _cleanup_(pod_unrefp) struct podrt_pod *made = NULL;
        int r = runtime_create_pod(rt, manifest_path, name, &made, err);
        if (r < 0)
                return r;
        memcpy(id, made->id, sizeof(id));
        memcpy(ret_id, id, sizeof(id));
        /* The monitor starts the pod create left in memory: nothing of it is
         * read back from its files. */
        if (flags & RUN_DETACH) {
                r = monitor_spawn(rt, id, made, (flags & RUN_RM) ? MONITOR_RM : 0, err);
                *ret_status = 0;
        } else
                r = monitor_run_pod(rt, made, MONITOR_FOREGROUND | ((flags & RUN_RM) ? MONITOR_RM : 0), -1,
                                    ret_status, err);
        if (r < 0) {
                /* A pod that never started is not left behind. */
                _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
                _cleanup_close_ int lock = -1;
                if (runtime_open_pod(rt, id, LOCK_EX, &pod, &lock, NULL) >= 0 &&
                    pod->state != PODRT_POD_RUNNING && !pod_monitor_alive(rt, id))
                        pod_destroy(rt, pod, NULL);
        }
        return r;
}

/* ---- stop, kill, pause, resume ------------------------------------------ */

static int pod_backend(struct runtime *rt, struct podrt_pod *pod, struct plugin **ret, const struct podrt_pod_ops **ret_ops,
                       struct podrt_error **err) {
        int r = runtime_plugin(rt, pod->backend, "pod", ret, err);
        if (r >= 0)
                *ret_ops = plugin_pod_ops(*ret);
        return r;
}

/* Marks a pod whose monitor is gone as stopped. */
static int pod_mark_stopped(struct runtime *rt, const char *id, struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        _cleanup_close_ int lock = -1;
        int r = runtime_open_pod(rt, id, LOCK_EX, &pod, &lock, err);
        if (r < 0 || pod->state == PODRT_POD_STOPPED)
                return r;
        pod->state = PODRT_POD_STOPPED;
        pod->finished_at = now_ns();
        for (size_t i = 0; i < pod->spec->n_apps; i++)
                if (pod->apps[i].state != PODRT_APP_EXITED)
                        podrt_app_set_exited(&pod->apps[i], 137);
        return pod_save(pod, err);
}

static int pod_kill_locked(struct runtime *rt, struct podrt_pod *pod, int signo, struct podrt_error **err) {
        struct plugin *p;
        const struct podrt_pod_ops *ops;
        int r = pod_backend(rt, pod, &p, &ops, err);
        return r < 0 ? r : PLUGIN_CALL(p, ops, "pod", kill, err, pod, signo, 0);
}

/* Whether any app of pod still runs, as the backend knows it (state) and
 * as /proc shows the process each app's start named: what a stop checks
 * when no monitor is there to notice the apps end. */
static bool apps_alive(struct plugin *p, const struct podrt_pod_ops *ops, struct podrt_pod *pod) {
        if (OPS_HAS(ops, state)) {
                _cleanup_error_ struct podrt_error *e = NULL;
                (void)PLUGIN_CALL(p, ops, "pod", state, &e, pod, 0);
        }
        for (size_t i = 0; i < pod->spec->n_apps; i++) {
                const struct podrt_app *a = &pod->apps[i];
                if (a->state == PODRT_APP_RUNNING && a->pid > 0 && !pid_wait_gone(a->pid, 0))
                        return true;
        }
        return false;
}

static bool apps_wait_gone(struct plugin *p, const struct podrt_pod_ops *ops, struct podrt_pod *pod,
                           unsigned timeout_ms) {
        int64_t deadline = now_ms() + timeout_ms;
        for (;;) {
                if (!apps_alive(p, ops, pod))
                        return true;
                if (now_ms() >= deadline)
                        return false;
                usleep(20000);
        }
}

/* stop of a pod whose monitor died: the backend is asked as usual, and the
 * pod counts as stopped only once its apps are gone. */
static int stop_without_monitor(struct runtime *rt, struct podrt_pod *pod, unsigned timeout_sec,
                                struct podrt_error **err) {
        struct plugin *p;
        const struct podrt_pod_ops *ops;
        int r = pod_backend(rt, pod, &p, &ops, err);
        if (r < 0)
                return r;
        log_msg(PODRT_LOG_NOTICE, "pod %s: its monitor is gone; stopping its apps through %s",
                pod->name, pod->backend);
        if (pod->state == PODRT_POD_PAUSED && OPS_HAS(ops, resume))
                (void)PLUGIN_CALL(p, ops, "pod", resume, NULL, pod, 0);
        if (apps_alive(p, ops, pod)) {
                r = OPS_HAS(ops, stop) ? PLUGIN_CALL(p, ops, "pod", stop, err, pod, timeout_sec, 0)
                                       : PLUGIN_CALL(p, ops, "pod", kill, err, pod, SIGTERM, 0);
                if (r < 0)
                        return r;
                if (!apps_wait_gone(p, ops, pod, timeout_sec * 1000)) {
                        if ((r = PLUGIN_CALL(p, ops, "pod", kill, err, pod, SIGKILL, 0)) < 0)
                                return r;
                        if (!apps_wait_gone(p, ops, pod, 10000))
                                return podrt_error_set(err, ETIMEDOUT, "pod %s did not stop after SIGKILL",
                                                       pod->name);
                }
        }
        for (size_t i = 0; i < pod->spec->n_apps; i++)
                if (pod->apps[i].state == PODRT_APP_RUNNING)
                        pod->apps[i].state = PODRT_APP_EXITED;   /* its status: unknown */
        pod->state = PODRT_POD_STOPPED;
        pod->finished_at = now_ns();
        return pod_save(pod, err);
}

int runtime_stop(struct runtime *rt, const char *ref, unsigned timeout_sec, struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        _cleanup_close_ int lock = -1;
        int r = runtime_open_pod(rt, ref, LOCK_SH, &pod, &lock, err);
        if (r < 0)
                return r;
        if (pod->state == PODRT_POD_STOPPED)
                return 0;
        if (pod->state == PODRT_POD_CREATED) {
                close(TAKE_FD(lock));
                return pod_mark_stopped(rt, pod->id, err);
        }
        if (!pod_monitor_alive(rt, pod->id)) {
                /* Exclusive now: no monitor will write the end for us. */
                close(TAKE_FD(lock));
                pod = pod_unref(pod);
                if ((r = runtime_open_pod(rt, ref, LOCK_EX, &pod, &lock, err)) < 0)
                        return r;
                if (pod->state == PODRT_POD_STOPPED || pod->state == PODRT_POD_CREATED ||
                    pod_monitor_alive(rt, pod->id))
                        return 0;
                return stop_without_monitor(rt, pod, timeout_sec, err);
        }
        struct plugin *p;
        const struct podrt_pod_ops *ops;
        if ((r = pod_backend(rt, pod, &p, &ops, err)) < 0)
                return r;
        if (pod->state == PODRT_POD_PAUSED &&
            (r = PLUGIN_CALL(p, ops, "pod", resume, err, pod, 0)) < 0)
                return r;
        close(TAKE_FD(lock));
        monitor_request_shutdown(pod);
        if (OPS_HAS(ops, stop))
                r = PLUGIN_CALL(p, ops, "pod", stop, err, pod, timeout_sec, 0);
        else
                r = PLUGIN_CALL(p, ops, "pod", kill, err, pod, SIGTERM, 0);
        if (r < 0)
                return r;
        if (!pod_wait_monitor(rt, pod->id, timeout_sec * 1000)) {
                log_msg(PODRT_LOG_INFO, "pod %s did not stop within %us: killing it", pod->name, timeout_sec);
                if ((r = PLUGIN_CALL(p, ops, "pod", kill, err, pod, SIGKILL, 0)) < 0)
                        return r;
                if (!pod_wait_monitor(rt, pod->id, 10000))
                        return podrt_error_set(err, ETIMEDOUT, "pod %s did not stop after SIGKILL", pod->name);
        }
        return pod_mark_stopped(rt, pod->id, err);
}

int pod_require_running(struct runtime *rt, struct podrt_pod *pod, struct podrt_error **err) {
        if ((pod->state == PODRT_POD_RUNNING || pod->state == PODRT_POD_PAUSED) && pod_monitor_alive(rt, pod->id))
                return 0;
        return podrt_error_set(err, EINVAL, "pod %s is not running", pod->name);
}

int runtime_kill(struct runtime *rt, const char *ref, int signo, struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        _cleanup_close_ int lock = -1;
        int r = runtime_open_pod(rt, ref, LOCK_SH, &pod, &lock, err);
        if (r < 0 || (r = pod_require_running(rt, pod, err)) < 0)
                return r;
        return pod_kill_locked(rt, pod, signo, err);
}

static int pause_resume(struct runtime *rt, const char *ref, int pause, struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        _cleanup_close_ int lock = -1;
        int r = runtime_open_pod(rt, ref, LOCK_EX, &pod, &lock, err);
        if (r < 0 || (r = pod_require_running(rt, pod, err)) < 0)
                return r;
        uint32_t to = pause ? PODRT_POD_PAUSED : PODRT_POD_RUNNING;
        if (!pod_state_transition_ok(pod->state, to))
                return podrt_error_set(err, EINVAL, "pod %s is %s", pod->name, pod_state_to_string(pod->state));
        struct plugin *p;
        const struct podrt_pod_ops *ops;
        if ((r = pod_backend(rt, pod, &p, &ops, err)) < 0)
                return r;
        r = pause ? PLUGIN_CALL(p, ops, "pod", pause, err, pod, 0) : PLUGIN_CALL(p, ops, "pod", resume, err, pod, 0);
        if (r < 0)
                return r;
        pod->state = to;
        return pod_save(pod, err);
}

int runtime_pause(struct runtime *rt, const char *ref, struct podrt_error **err) {
        return pause_resume(rt, ref, 1, err);
}

int runtime_resume(struct runtime *rt, const char *ref, struct podrt_error **err) {
        return pause_resume(rt, ref, 0, err);
}

/* ---- delete, gc --------------------------------------------------------- */

/* delete --force of a pod whose state cannot be read (a crash, garbage, a
 * foreign file): what the folder alone tells is removed. */
static int delete_broken(struct runtime *rt, const char *id, struct podrt_error **err) {
        struct store *s;
        int r = runtime_store(rt, &s, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *dir = store_pod_dir(s, id);
        if (!dir || access(dir, F_OK) < 0)
                return 0;   /* gone meanwhile */
        log_msg(PODRT_LOG_NOTICE, "pod %s: removing what its folder holds (its state cannot be read)", id);
        return store_remove_broken(s, id, err);
}

static int delete_id(struct runtime *rt, const char *id, int force, struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        _cleanup_close_ int lock = -1;
        _cleanup_error_ struct podrt_error *open_err = NULL;
        int r = runtime_open_pod(rt, id, LOCK_EX, &pod, &lock, &open_err);
        if (r < 0 && force && r != -EWOULDBLOCK)
                return delete_broken(rt, id, err);
        if (r < 0) {
                if (err)
                        *err = TAKE_PTR(open_err);
                return r;
        }
        if (pod_monitor_alive(rt, pod->id)) {
                if (!force)
                        return podrt_error_set(err, EBUSY, "pod %s is %s: stop it first, or delete --force",
                                               pod->name, pod_state_to_string(pod->state));
                if (pod->state == PODRT_POD_PAUSED) {
                        struct plugin *p;
                        const struct podrt_pod_ops *ops;
                        if (pod_backend(rt, pod, &p, &ops, NULL) >= 0 && OPS_HAS(ops, resume))
                                ops->resume(plugin_data(p), pod, 0, NULL);
                }
                monitor_request_shutdown(pod);
                if ((r = pod_kill_locked(rt, pod, SIGKILL, err)) < 0)
                        return r;
                /* The monitor needs the lock to record the end.  A monitor
                 * that was still starting the apps may start them after
                 * this kill: kill again until it is gone. */
                close(TAKE_FD(lock));
                bool gone = false;
                for (int round = 0; round < 10 && !gone; round++) {
                        gone = pod_wait_monitor(rt, pod->id, 1000);
                        if (gone)
                                break;
                        _cleanup_(pod_unrefp) struct podrt_pod *again = NULL;
                        _cleanup_close_ int l2 = -1;
                        if (runtime_open_pod(rt, id, LOCK_EX, &again, &l2, NULL) >= 0)
                                pod_kill_locked(rt, again, SIGKILL, NULL);
                }
                if (!gone)
                        return podrt_error_set(err, ETIMEDOUT, "pod %s: its monitor did not exit", pod->name);
                pod = pod_unref(pod);
                _cleanup_error_ struct podrt_error *e = NULL;
                r = runtime_open_pod(rt, id, LOCK_EX, &pod, &lock, &e);
                if (r == -ENOENT)
                        return 0;   /* a run --rm pod: its monitor removed it */
                if (r < 0) {
                        *err = TAKE_PTR(e);
                        return r;
                }
        }
        return pod_destroy(rt, pod, err);
}

int runtime_delete(struct runtime *rt, const char *ref, int force, struct podrt_error **err) {
        struct store *s;
        char id[POD_ID_LEN + 1];
        int r = runtime_store(rt, &s, err);
        if (r < 0 || (r = store_resolve(s, ref, id, err)) < 0)
                return r;
        return delete_id(rt, id, force, err);
}

int runtime_gc(struct runtime *rt, unsigned grace_sec, struct podrt_error **err) {
        struct store *s;
        char(*ids)[POD_ID_LEN + 1] = NULL;
        size_t n = 0;
        int r = runtime_pod_ids(rt, &s, &ids, &n, err);
        if (r < 0)
                return r;
        /* Creates that died before their pod existed, dangling names. */
        int removed = store_sweep(s, 1);
        int64_t now = now_ns();
        for (size_t i = 0; i < n; i++) {
                const char *id = ids[i];
                if (pod_monitor_alive(rt, id))
                        continue;
                _cleanup_close_ int lock = -1;
                _cleanup_error_ struct podrt_error *e = NULL;
                /* Held: being created or changed right now. */
                r = store_lock(s, id, LOCK_EX | LOCK_NB, &lock, &e);
                if (r == -EWOULDBLOCK)
                        continue;
                _cleanup_free_ char *dir = store_pod_dir(s, id);
                _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
                if (!dir)
                        continue;
                if (r < 0 || pod_load(dir, &pod, &e) < 0) {
                        /* No lock file, no or a corrupt state: what the
                         * folder holds goes (mounts below it first). */
                        log_msg(PODRT_LOG_NOTICE, "gc: removing %s: %s", id,
                                e ? podrt_error_message(e) : "unreadable");
                        e = podrt_error_free(e);
                        if (store_remove_broken(s, id, &e) >= 0)
                                removed++;
                        else
                                log_msg(PODRT_LOG_WARNING, "gc: %s: %s", id, podrt_error_message(e));
                        continue;
                }
                int dead_monitor = pod->state == PODRT_POD_RUNNING || pod->state == PODRT_POD_PAUSED;
                int expired = pod->state == PODRT_POD_STOPPED &&
                              now - pod->finished_at >= (int64_t)grace_sec * 1000000000;
                /* A create whose process died (its lock is ours now). */
                int crashed_create = pod->creating;
                if (!dead_monitor && !expired && !crashed_create)
                        continue;
                if (dead_monitor)
                        pod_kill_locked(rt, pod, SIGKILL, NULL);
                e = podrt_error_free(e);
                if (pod_destroy(rt, pod, &e) < 0)
                        log_msg(PODRT_LOG_WARNING, "gc: %s: %s", pod->name, podrt_error_message(e));
                else
                        removed++;
        }
        free(ids);
        return removed;
}

/* ---- update, exec, logs ------------------------------------------------- */

int runtime_update(struct runtime *rt, const char *ref, const char *app, const struct podrt_resources *res,
                   struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        _cleanup_close_ int lock = -1;
        int r = runtime_open_pod(rt, ref, LOCK_SH, &pod, &lock, err);
        if (r < 0 || (r = pod_require_running(rt, pod, err)) < 0)
                return r;
        struct podrt_app *a = app ? podrt_pod_app_by_name(pod, app) : NULL;
        if (app && !a)
                return podrt_error_set(err, ENOENT, "pod %s has no app named %s", pod->name, app);
        struct plugin *p;
        const struct podrt_pod_ops *ops;
        if ((r = pod_backend(rt, pod, &p, &ops, err)) < 0)
                return r;
        if (!OPS_HAS(ops, update))
                return podrt_error_set(err, EOPNOTSUPP, "backend %s cannot change a running pod's limits", pod->backend);
        return PLUGIN_CALL(p, ops, "pod", update, err, pod, a, res, 0);
}

int runtime_exec(struct runtime *rt, const char *ref, const char *app, char *const *argv, int tty,
                 const struct podrt_exec_process *proc, int *ret_status, struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        _cleanup_close_ int lock = -1;
        int r = runtime_open_pod(rt, ref, LOCK_SH, &pod, &lock, err);
        if (r < 0 || (r = pod_require_running(rt, pod, err)) < 0)
                return r;
        if (pod->state == PODRT_POD_PAUSED)
                return podrt_error_set(err, EINVAL, "pod %s is paused", pod->name);
        struct podrt_app *a = app ? podrt_pod_app_by_name(pod, app) : podrt_pod_app(pod, 0);
        if (!a)
                return podrt_error_set(err, ENOENT, "pod %s has no app named %s", pod->name, app);
        if (!argv || !argv[0])
                return podrt_error_set(err, EINVAL, "no command to run");
        struct plugin *p;
        const struct podrt_pod_ops *ops;
        if ((r = pod_backend(rt, pod, &p, &ops, err)) < 0)
                return r;
        close(TAKE_FD(lock));
        uint64_t flags = tty ? PODRT_EXEC_TTY : 0;
        if (proc && (proc->env || proc->cwd || (proc->flags & PODRT_EXEC_PROCESS_USER))) {
                if (!OPS_HAS(ops, exec_process))
                        return podrt_error_set(err, EOPNOTSUPP, "backend %s cannot set an exec's environment, "
                                               "working directory or user", pod->backend);
                r = PLUGIN_CALL(p, ops, "pod", exec_process, err, pod, a, (const char *const *)argv, proc, flags);
        } else
                r = PLUGIN_CALL(p, ops, "pod", exec, err, pod, a, (const char *const *)argv, flags);
        if (r < 0)
                return r;
        *ret_status = r;
        return 0;
}
