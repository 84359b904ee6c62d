/* SPDX-License-Identifier: Apache-2.0 */
/* The pod object behind the opaque struct podrt_pod of <podrt/objects.h>:
 * the spec from the manifest plus run-time state, and its (de)serialisation
 * to state.json. */
#ifndef PODRT_POD_H
#define PODRT_POD_H

#include <json-c/json.h>
#include <podrt/objects.h>
#include <podrt/error.h>

#include "internal.h"
#include "spec.h"
#include "store.h"

struct podrt_volume {
        struct podrt_pod *pod;
        struct spec_volume *spec;
        char *source;              /* host dir; for empty: <pod dir>/volumes/<name> */
};

struct podrt_app {
        struct podrt_pod *pod;
        size_t index;
        struct spec_app *spec;
        char *id;                  /* <pod id>-<name> */
        char *dir;                 /* <pod dir>/apps/<name> */
        char *rootfs;
        char *log_path;            /* <app dir>/output.log */
        char **env;                /* spec env, for the const accessor */
        uint32_t state;
        pid_t pid;
        int exit_code;             /* -1 while not exited */
        int64_t started_at, finished_at;   /* ns since the epoch, 0 unset */
        int stdout_fd, stderr_fd;  /* during start only */
        int stdin_fd;              /* during start only; -1: /dev/null */
};

struct podrt_pod {
        unsigned n_ref;
        char id[POD_ID_LEN + 1];
        char *name;
        char *backend;
        char *network;
        char *storage;
        char *dir;
        char *manifest_dir;        /* where the manifest was: relative rootfs */
        uint32_t state;
        int64_t created_at, started_at, finished_at;
        pid_t monitor_pid;
        char *netns_path;
        void *backend_data;
        struct pod_spec *spec;
        struct podrt_volume *volumes;
        struct podrt_app *apps;
        bool creating;             /* create has not finished (state.json says so) */
};

/* Builds a pod from spec (taken) for a new ID and dir. */
PODRT_INTERNAL int pod_new(struct pod_spec *spec, const char *id, const char *name,
                           const char *dir, const char *backend, const char *network,
                           const char *storage, struct podrt_pod **ret,
                           struct podrt_error **err);
/* App i of pod, from its spec (pod->spec->apps[i]): the run-time fields
 * set up, its strings made (-ENOMEM).  pod_app_done() frees them. */
PODRT_INTERNAL int pod_app_init(struct podrt_pod *pod, size_t i);
PODRT_INTERNAL void pod_app_done(struct podrt_app *a);
/* pod-apps.c: a running pod's app set grows and shrinks.  The apps array
 * (and the spec's) may move: pointers to apps are renewed from indexes.
 * pod_add_app: text (one container object from source, base_dir for a
 * relative rootfs) validated as manifest_parse_app() does, appended; its
 * manifest.json form in *ret_json. */
PODRT_INTERNAL int pod_add_app(struct podrt_pod *pod, const char *text, size_t len, const char *source,
                               const char *base_dir, struct json_object **ret_json,
                               struct podrt_error **err);
/* Removes app i (its strings and spec); the later ones move down. */
PODRT_INTERNAL void pod_remove_app(struct podrt_pod *pod, size_t i);
PODRT_INTERNAL struct podrt_pod *pod_ref(struct podrt_pod *pod);
PODRT_INTERNAL struct podrt_pod *pod_unref(struct podrt_pod *pod);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct podrt_pod *, pod_unref)

/* state.json: the run-time state, the shape `podrt status --json` prints:
 * {"id","name","backend","network","storage","state","created","started",
 *  "finished","monitorPid","netns","apps":[{"name","state","pid","exitCode",
 *  "started","finished","rootfs"}]}; times RFC 3339 UTC with nanoseconds, or
 *  null.  "rootfs" is the app's root after storage prepare (null when unset);
 *  pod_load() restores it over the manifest's, so every later op sees it. */
PODRT_INTERNAL struct json_object *pod_state_json(const struct podrt_pod *pod);
/* Writes state.json atomically into the pod's dir (lock held by caller). */
PODRT_INTERNAL int pod_save(const struct podrt_pod *pod, struct podrt_error **err);
/* Loads a pod from its dir: manifest.json (a copy of the manifest taken at
 * create, re-parsed with the original folder) and state.json. */
PODRT_INTERNAL int pod_load(const char *dir, struct podrt_pod **ret, struct podrt_error **err);

/* now_ns(), format_time(), parse_time(): the helper library's. */
#include "timeutil.h"

/* The network plugin's record (<pod dir>/network.json, when there is one)
 * applied to the pod's spec: its DNS when the manifest gives none, and each
 * of the pod's addresses with its hostname (and name) as a hosts entry.  For
 * the backend's create, right after network setup. */
PODRT_INTERNAL int pod_apply_network(struct podrt_pod *pod, struct podrt_error **err);

#endif
