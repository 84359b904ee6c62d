/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime: what the podrt command does, as functions.  Not an installed
 * API (yet): the podrt command and the tests call it.  Every function fills
 * *err on failure and returns -errno. */
#ifndef PODRT_RUNTIME_H
#define PODRT_RUNTIME_H

#include <json-c/json.h>
#include <stdbool.h>
#include <podrt/error.h>
#include <podrt/ops.h>
#include "internal.h"
#include "store.h"

struct runtime_options {
        const char *config_path;   /* --config, or NULL */
        const char *backend;       /* --backend, or NULL (config, then default) */
        const char *network;       /* --network, or NULL (config's network) */
        const char *root;          /* --root, or NULL (config state_dir) */
        int log_level;             /* PODRT_LOG_*, default PODRT_LOG_WARNING */
};

struct runtime;

PODRT_INTERNAL int runtime_new(const struct runtime_options *opts, struct runtime **ret,
                               struct podrt_error **err);
PODRT_INTERNAL struct runtime *runtime_free(struct runtime *rt);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct runtime *, runtime_free)

#define RUN_DETACH (1u << 0)   /* run: start under a background monitor, return */
#define RUN_RM (1u << 1)       /* run: delete the pod when it has stopped */

/* create: validates the manifest, makes the pod, prints nothing. */
PODRT_INTERNAL int runtime_create(struct runtime *rt, const char *manifest_path,
                                  const char *name, char ret_id[POD_ID_LEN + 1],
                                  struct podrt_error **err);
/* start: a created or stopped pod, under a background monitor. */
PODRT_INTERNAL int runtime_start(struct runtime *rt, const char *ref, struct podrt_error **err);
/* run: create + start.  In the foreground the apps' output streams to
 * stdout/stderr and *ret_status is the exit code of the first app that
 * failed, else 0.  Detached: *ret_status 0 and the ID in ret_id. */
PODRT_INTERNAL int runtime_run(struct runtime *rt, const char *manifest_path, const char *name,
                               unsigned flags, char ret_id[POD_ID_LEN + 1], int *ret_status,
                               struct podrt_error **err);
PODRT_INTERNAL int runtime_stop(struct runtime *rt, const char *ref, unsigned timeout_sec,
                                struct podrt_error **err);
PODRT_INTERNAL int runtime_kill(struct runtime *rt, const char *ref, int signo,
                                struct podrt_error **err);
PODRT_INTERNAL int runtime_pause(struct runtime *rt, const char *ref, struct podrt_error **err);
PODRT_INTERNAL int runtime_resume(struct runtime *rt, const char *ref, struct podrt_error **err);
/* delete: a running pod needs force (then it is killed first). */
PODRT_INTERNAL int runtime_delete(struct runtime *rt, const char *ref, int force,
                                  struct podrt_error **err);
/* status: the pod's state.json shape (see pod.h), refreshed. */
PODRT_INTERNAL int runtime_status(struct runtime *rt, const char *ref,
                                  struct json_object **ret, struct podrt_error **err);
/* list: an array of status objects, oldest first. */
PODRT_INTERNAL int runtime_list(struct runtime *rt, struct json_object **ret,
                                struct podrt_error **err);
/* logs: copies the app's (or every app's) log to out_fd; follow: until the
 * pod stops. */
PODRT_INTERNAL int runtime_logs(struct runtime *rt, const char *ref, const char *app,
                                int follow, int out_fd, struct podrt_error **err);
/* exec: runs argv in app (NULL: the first app); *ret_status its exit code. */
/* proc (may be NULL) sets the command's env, working directory or user:
 * through the backend's exec_process, refused when it has none. */
PODRT_INTERNAL int runtime_exec(struct runtime *rt, const char *ref, const char *app,
                                char *const *argv, int tty, const struct podrt_exec_process *proc,
                                int *ret_status, struct podrt_error **err);
/* New limits for the running pod ref's apps (app NULL: the pod's). */
PODRT_INTERNAL int runtime_update(struct runtime *rt, const char *ref, const char *app,
                                  const struct podrt_resources *res, struct podrt_error **err);
/* app add: the app of the JSON file at path (one object of a manifest's
 * containers[] form) joins the running pod ref, and starts with start.
 * app start|stop|rm, kill --app: one app of a running pod.  Each needs a
 * backend with container ops; errors name what and where (-EEXIST: a name
 * the pod has; -ENOENT: no such app; -EINVAL: the pod is not running). */
PODRT_INTERNAL int runtime_app_add(struct runtime *rt, const char *ref, const char *path, bool start,
                                   struct podrt_error **err);
/* The same for the app's JSON text (from source, which names it in
 * messages; a relative rootfs taken from base_dir, or NULL: the current
 * directory of the pod's monitor), e.g. a CRI container's. */
PODRT_INTERNAL int runtime_app_add_text(struct runtime *rt, const char *ref, const char *text,
                                        const char *source, const char *base_dir, bool start,
                                        struct podrt_error **err);
/* The pod annotation of a sandbox: "true" keeps the pod running when all
 * its apps have ended, for apps added later, until it is stopped. */
#define POD_SANDBOX_ANNOTATION "io.podrt.sandbox"
PODRT_INTERNAL int runtime_app_start(struct runtime *rt, const char *ref, const char *name,
                                     struct podrt_error **err);
/* SIGTERM, SIGKILL after timeout_sec; returns once the monitor recorded
 * the app's exit. */
PODRT_INTERNAL int runtime_app_stop(struct runtime *rt, const char *ref, const char *name,
                                    unsigned timeout_sec, struct podrt_error **err);
/* A stopped app (force: stopped first, at once) leaves the pod. */
PODRT_INTERNAL int runtime_app_rm(struct runtime *rt, const char *ref, const char *name, bool force,
                                  struct podrt_error **err);
PODRT_INTERNAL int runtime_app_kill(struct runtime *rt, const char *ref, const char *name, int signo,
                                    struct podrt_error **err);
/* gc: removes stopped pods finished more than grace_sec ago, and pods whose
 * monitor died (state says running, monitor.lock is free).  Returns how
 * many it removed. */
PODRT_INTERNAL int runtime_gc(struct runtime *rt, unsigned grace_sec, struct podrt_error **err);
/* plugins: [{"name","path","version","abi":"1.0","provides":["pod",...],
 *           "error":null|"..."}] */
PODRT_INTERNAL int runtime_plugins(struct runtime *rt, struct json_object **ret,
                                   struct podrt_error **err);
/* check: check_report()'s report (check.h) with "backend" and "ready";
 * *ret_ready 1 when the backend in use is ready. */
PODRT_INTERNAL int runtime_check(struct runtime *rt, struct json_object **ret, int *ret_ready,
                                 struct podrt_error **err);
/* hooks: the hooks plugin's describe() for the pod of manifest_path. */
PODRT_INTERNAL int runtime_hooks(struct runtime *rt, const char *manifest_path,
                                 struct json_object **ret, struct podrt_error **err);
/* The backend in use, and the state dir. */
PODRT_INTERNAL const char *runtime_backend(const struct runtime *rt);
/* Whether the default storage is overlay here: the kernel has overlayfs
 * and the overlay plugin loads. */
PODRT_INTERNAL bool runtime_overlay_usable(struct runtime *rt);
/* The network plugin of pods created from now on (create/run --network). */
PODRT_INTERNAL int runtime_set_network(struct runtime *rt, const char *network);
/* The storage plugin new pods get, over the configuration's. */
PODRT_INTERNAL int runtime_set_storage(struct runtime *rt, const char *storage);
PODRT_INTERNAL const char *runtime_state_dir(const struct runtime *rt);

/* The core's log: "podrt: <message>" to stderr when level <= the set level. */
PODRT_INTERNAL void log_set_level(int level);
PODRT_INTERNAL int log_get_level(void);
PODRT_INTERNAL void log_msg(int level, const char *fmt, ...) PODRT_PRINTF(2, 3);
PODRT_INTERNAL int log_level_from_string(const char *s);

#endif
