/* SPDX-License-Identifier: Apache-2.0 */
/* Apps added to and removed from a running pod, by its monitor (the one
 * writer of its state while it runs), through the backend's container ops.
 *
 * add: validated as a manifest's container (against the pod's volumes and
 * apps), written into the pod's manifest.json first (so that a crash from
 * there on leaves an app that delete and gc tear down with the pod), its
 * folder, storage prepare, the create-time hooks (prestart, createRuntime,
 * createContainer) for it, state.json.  start: its output piped into its
 * log as the first apps', startContainer hooks, container start, poststart.
 * rm (a stopped app): container remove, poststop hooks when it ran, storage
 * release, its folder and log, its entries in manifest.json and state.json. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "errors.h"
#include "fileio.h"
#include "manifest.h"
#include "monitor-internal.h"

static const struct podrt_container_ops *container_ops(struct monitor *m) {
        return plugin_container_ops(m->backend);
}

static int need_container_ops(struct monitor *m, struct podrt_error **err) {
        if (OPS_HAS(container_ops(m), start))
                return 0;
        return podrt_error_set(err, EOPNOTSUPP,
                               "backend %s cannot change a running pod's apps (it has no container ops)",
                               m->pod->backend);
}

/* manifest.json with the app j added, or the one named name removed, and
 * state.json, under the pod's lock. */
static int manifest_update(struct monitor *m, struct json_object *j, const char *name,
                           struct podrt_error **err) {
        struct store *s;
        _cleanup_close_ int lock = -1, dfd = -1;
        _cleanup_free_ char *text = NULL, *next = NULL;
        int r = runtime_store(m->rt, &s, err);
        if (r < 0 || (r = store_lock(s, m->pod->id, LOCK_EX, &lock, err)) < 0)
                return r;
        if ((dfd = open(m->pod->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return podrt_error_set(err, errno, "%s: %m", m->pod->dir);
        if ((r = store_read_file(dfd, "manifest.json", &text, NULL, err)) < 0)
                return r;
        r = j ? manifest_text_add_app(text, j, &next) : manifest_text_remove_app(text, name, &next);
        if (r < 0)
                return podrt_error_set(err, r, "%s/manifest.json: %s", m->pod->dir, strerror(-r));
        return store_write_file(dfd, "manifest.json", next, strlen(next), 0600, err);
}

static int find_app(struct monitor *m, const char *name, size_t *ret, struct podrt_error **err) {
        struct podrt_app *a = podrt_pod_app_by_name(m->pod, name);
        if (!a)
                return podrt_error_set(err, ENOENT, "pod %s has no app named %s", m->pod->name, name);
        *ret = a->index;
        return 0;
}

/* Takes app i out of the pod, as far as add had brought it (its storage
 * prepared when prepared, its entry in manifest.json when listed). */
static int app_undo(struct monitor *m, size_t i, bool prepared, bool listed, struct podrt_error **err) {
        struct podrt_app *a = &m->pod->apps[i];
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *storage;
        int ret = 0, r = 0;
        if (prepared && (r = runtime_plugin(m->rt, m->pod->storage, "storage", &storage, &e)) >= 0)
                r = PLUGIN_CALL(storage, plugin_storage_ops(storage), "storage", release, &e, a, 0);
        if (prepared && r < 0)
                ret = podrt_error_set(err, -r, "storage release of %s: %s", a->spec->name, podrt_error_message(e));
        e = podrt_error_free(e);
        if (listed && (r = manifest_update(m, NULL, a->spec->name, &e)) < 0 && ret == 0)
                ret = podrt_error_set(err, -r, "%s", podrt_error_message(e));
        if ((r = rm_rf(a->dir)) < 0 && r != -ENOENT && ret == 0)
                ret = podrt_error_set(err, r, "%s: %s", a->dir, strerror(-r));
        size_t n = m->pod->spec->n_apps;
        monitor_app_close(&m->apps[i]);
        memmove(&m->apps[i], &m->apps[i + 1], (n - i - 1) * sizeof(m->apps[0]));
        m->apps[n - 1] = (struct mapp){ .log.fd = -1, .out = { -1, -1 }, .err = { -1, -1 } };
        pod_remove_app(m->pod, i);
        return ret;
}

/* Starts app i (created, or exited: again) through container start. */
static int app_start(struct monitor *m, size_t i, struct podrt_error **err) {
        struct podrt_app *a = &m->pod->apps[i];
        const struct podrt_container_ops *ops = container_ops(m);
        int writers[2];
        if (a->state == PODRT_APP_RUNNING)
                return podrt_error_set(err, EBUSY, "app %s of pod %s is running already", a->spec->name, m->pod->name);
        int r = need_container_ops(m, err);
        if (r < 0)
                return r;
        a->state = PODRT_APP_CREATED, a->pid = 0, a->exit_code = -1, a->started_at = a->finished_at = 0;
        if ((r = monitor_app_streams(m, i, writers, err)) < 0)
                return r;
        r = pod_run_app_hooks(m->rt, a, PODRT_HOOK_START_CONTAINER, "created", err);
        if (r >= 0)
                r = PLUGIN_CALL(m->backend, ops, "container", start, err, a, 0);
        monitor_app_streams_started(m, i, writers);
        if (r >= 0 && (a->state != PODRT_APP_RUNNING || a->pid <= 0))
                r = podrt_error_set(err, EIO, "backend %s: container start of %s gave no process", m->pod->backend,
                                    a->spec->name);
        if (r < 0) {
                /* What began ends; the app stays as it was before. */
                if (a->pid > 0) {
                        if (OPS_HAS(ops, kill))
                                ops->kill(plugin_data(m->backend), a, SIGKILL, 0, NULL);
                        kill(a->pid, SIGKILL);
                        while (waitpid(a->pid, NULL, 0) < 0 && errno == EINTR)
                                ;
                }
                a->state = PODRT_APP_CREATED, a->pid = 0, a->started_at = 0;
                return r;
        }
        m->apps[i].waited = a->pid;
        m->apps[i].started = true;
        _cleanup_error_ struct podrt_error *e = NULL;
        if (monitor_save(m, &e) < 0)
                log_msg(PODRT_LOG_WARNING, "%s: %s", m->pod->name, podrt_error_message(e));
        e = podrt_error_free(e);
        if (pod_run_app_hooks(m->rt, a, PODRT_HOOK_POSTSTART, "running", &e) < 0)
                log_msg(PODRT_LOG_WARNING, "%s: %s", m->pod->name, podrt_error_message(e));
        return 0;
}

int monitor_app_add(struct monitor *m, const char *text, size_t len, const char *source, const char *base_dir,
                    bool start, struct podrt_error **err) {
        struct podrt_pod *pod = m->pod;
        struct json_object *j = NULL;
        struct plugin *storage;
        int r = need_container_ops(m, err);
        if (r < 0)
                return r;
        if (monitor_grow(m) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if ((r = pod_add_app(pod, text, len, source ? source : "app", base_dir, &j, err)) < 0)
                return r;
        size_t i = pod->spec->n_apps - 1;
        struct podrt_app *a = &pod->apps[i];
        m->apps[i] = (struct mapp){ .log.fd = -1, .out = { -1, -1 }, .err = { -1, -1 } };
        /* The pod's network mapped its ports at create. */
        for (size_t k = 0; k < a->spec->n_ports; k++)
                if (a->spec->ports[k].host_port) {
                        r = podrt_error_set(err, EINVAL,
                                            "%s: ports[%zu].hostPort: an app added to a running pod cannot publish a host port (the pod's network mapped its ports when it was created)",
                                            source ? source : "app", k);
                        json_object_put(j);
                        app_undo(m, i, false, false, NULL);
                        return r;
                }
        /* manifest.json first: from here on delete and gc know the app. */
        r = manifest_update(m, j, NULL, err);
        json_object_put(j);
        if (r < 0) {
                app_undo(m, i, false, false, NULL);
                return r;
        }
        bool prepared = false;
        if ((r = mkdir_p(a->dir, 0755)) < 0)
                r = podrt_error_set(err, r, "%s: %s", a->dir, strerror(-r));
        if (r >= 0 && (r = runtime_plugin(m->rt, pod->storage, "storage", &storage, err)) >= 0) {
                r = PLUGIN_CALL(storage, plugin_storage_ops(storage), "storage", prepare, err, a, 0);
                prepared = r >= 0;
        }
        for (uint32_t st = PODRT_HOOK_PRESTART; r >= 0 && st <= PODRT_HOOK_CREATE_CONTAINER; st++)
                r = pod_run_app_hooks(m->rt, a, st, "created", err);
        if (r >= 0)
                r = monitor_save(m, err);
        if (r >= 0 && start)
                r = app_start(m, i, err);
        if (r < 0) {
                const struct podrt_container_ops *ops = container_ops(m);
                if (OPS_HAS(ops, remove))
                        ops->remove(plugin_data(m->backend), &pod->apps[i], 0, NULL);
                app_undo(m, i, prepared, true, NULL);
                _cleanup_error_ struct podrt_error *e = NULL;
                if (monitor_save(m, &e) < 0)
                        log_msg(PODRT_LOG_WARNING, "%s: %s", pod->name, podrt_error_message(e));
                return r;
        }
        return 0;
}

int monitor_app_start(struct monitor *m, const char *name, struct podrt_error **err) {
        size_t i = 0;
        int r = find_app(m, name, &i, err);
        return r < 0 ? r : app_start(m, i, err);
}

int monitor_app_rm(struct monitor *m, const char *name, struct podrt_error **err) {
        size_t i = 0;
        int r = find_app(m, name, &i, err);
        if (r < 0)
                return r;
        struct podrt_app *a = &m->pod->apps[i];
        if (a->state == PODRT_APP_RUNNING)
                return podrt_error_set(err, EBUSY, "app %s of pod %s is running: stop it first (podrt app stop), or rm --force",
                                       name, m->pod->name);
        if (m->pod->spec->n_apps == 1)
                return podrt_error_set(err, EBUSY, "app %s is the only app of pod %s: delete the pod instead",
                                       name, m->pod->name);
        if ((r = need_container_ops(m, err)) < 0)
                return r;
        const struct podrt_container_ops *ops = container_ops(m);
        if (OPS_HAS(ops, remove) && (r = PLUGIN_CALL(m->backend, ops, "container", remove, err, a, 0)) < 0)
                return r;
        if (m->apps[i].started || a->state == PODRT_APP_EXITED) {
                _cleanup_error_ struct podrt_error *e = NULL;
                if (pod_run_app_hooks(m->rt, a, PODRT_HOOK_POSTSTOP, "stopped", &e) < 0)
                        log_msg(PODRT_LOG_WARNING, "%s: %s", m->pod->name, podrt_error_message(e));
        }
        if ((r = app_undo(m, i, true, true, err)) < 0)
                return r;
        return monitor_save(m, err);
}
