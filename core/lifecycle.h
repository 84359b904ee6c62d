/* SPDX-License-Identifier: Apache-2.0 */
/* What runtime.c, lifecycle.c and monitor.c share: the runtime context and
 * the steps of a pod's life that both lifecycle.c and the monitor take
 * (hooks-run.c, teardown.c).  lifecycle.c starts the monitor (monitor.h);
 * the monitor never calls into lifecycle.c. */
#ifndef PODRT_LIFECYCLE_H
#define PODRT_LIFECYCLE_H

#include "conf.h"
#include "loader.h"
#include "pod.h"
#include "runtime.h"
#include "store.h"

struct runtime {
        struct podrt_config *cfg;
        char *backend;
        char *network;             /* --network, or NULL: the config's */
        char *storage;             /* runtime_set_storage(), or NULL: the config's */
        char *state_dir;
        char *libexec_dir;
        int log_level;
        struct store *store;       /* opened on first use */
        struct loader *loader;
};

/* The store, opened (and created) on first use. */
PODRT_INTERNAL int runtime_store(struct runtime *rt, struct store **ret, struct podrt_error **err);
/* The ids of every pod in the store (malloc'd), and the store unless
 * ret_store is NULL. */
PODRT_INTERNAL int runtime_pod_ids(struct runtime *rt, struct store **ret_store, char (**ret_ids)[POD_ID_LEN + 1],
                                   size_t *ret_n, struct podrt_error **err);
/* A plugin by name that must provide the named kind of ops ("pod",
 * "network", "storage"). */
PODRT_INTERNAL int runtime_plugin(struct runtime *rt, const char *name, const char *kind, struct plugin **ret,
                   struct podrt_error **err);
/* The hooks plugin, or *ret NULL when none is installed. */
PODRT_INTERNAL int runtime_hooks_plugin(struct runtime *rt, struct plugin **ret, struct podrt_error **err);

/* create.c: runtime_create() that gives the pod it made (for run: its
 * monitor starts the pod as create left it, not loaded again). */
PODRT_INTERNAL int runtime_create_pod(struct runtime *rt, const char *manifest_path, const char *name,
                                      struct podrt_pod **ret, struct podrt_error **err);
/* Resolves ref, takes the pod's lock (LOCK_SH or LOCK_EX) and loads it. */
PODRT_INTERNAL int runtime_open_pod(struct runtime *rt, const char *ref, int lock_op, struct podrt_pod **ret_pod,
                     int *ret_lock_fd, struct podrt_error **err);

/* hooks-run.c: runs the hooks of stage for every app, unless the backend
 * runs them. */
PODRT_INTERNAL int pod_run_hooks(struct runtime *rt, struct podrt_pod *pod, uint32_t stage, const char *status,
                  struct podrt_error **err);
/* The same for one app (an app added to a running pod). */
PODRT_INTERNAL int pod_run_app_hooks(struct runtime *rt, struct podrt_app *app, uint32_t stage,
                                     const char *status, struct podrt_error **err);
/* teardown.c: undoes create: backend delete, network teardown, storage
 * release.  Keeps going on errors and reports the first. */
PODRT_INTERNAL int pod_teardown(struct runtime *rt, struct podrt_pod *pod, struct podrt_error **err);
/* Teardown, then the pod's directory and name. */
PODRT_INTERNAL int pod_destroy(struct runtime *rt, struct podrt_pod *pod, struct podrt_error **err);

/* runtime.c: 1 when the pod's monitor runs (monitor.lock is held), 0 when
 * not. */
PODRT_INTERNAL int pod_monitor_alive(struct runtime *rt, const char *id);
/* lifecycle.c: 0 when the pod runs (or is paused) under its monitor, else
 * -EINVAL "pod NAME is not running". */
PODRT_INTERNAL int pod_require_running(struct runtime *rt, struct podrt_pod *pod, struct podrt_error **err);
/* teardown.c: waits up to timeout_ms for the monitor to end: 1 ended, 0
 * still there. */
PODRT_INTERNAL int pod_wait_monitor(struct runtime *rt, const char *id, unsigned timeout_ms);

#endif
