/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's create: validate, store, storage and network (side by side),
 * backend, hooks.  The rest of a pod's life: lifecycle.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "builtins.h"
#include "errors.h"
#include "fileio.h"
#include "lifecycle.h"
#include "manifest.h"
#include "sidejob.h"

static int mkdir_in(const char *dir, const char *sub, const char *name) {
        char path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%s", dir, sub) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        if (mkdir(path, 0700) < 0 && errno != EEXIST)
                return -errno;
        if (!name)
                return 0;
        if (snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name) >= (int)sizeof(path))
                return -ENAMETOOLONG;
        return mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
}

static int pod_make_dirs(struct podrt_pod *pod, struct podrt_error **err) {
        int r = mkdir_in(pod->dir, "apps", NULL);
        for (size_t i = 0; r >= 0 && i < pod->spec->n_apps; i++)
                r = mkdir_in(pod->dir, "apps", pod->spec->apps[i].name);
        if (r >= 0 && pod->spec->n_volumes)
                r = mkdir_in(pod->dir, "volumes", NULL);
        for (size_t i = 0; r >= 0 && i < pod->spec->n_volumes; i++)
                if (pod->spec->volumes[i].kind == PODRT_VOLUME_EMPTY) {
                        r = mkdir_in(pod->dir, "volumes", pod->spec->volumes[i].name);
                        /* Empty volumes are shared by apps of any uid. */
                        if (r >= 0)
                                chmod(pod->volumes[i].source, 01777);
                }
        return r < 0 ? podrt_error_set(err, r, "%s: making the pod's folders: %m", pod->dir) : 0;
}

/* The network's setup runs on a thread of its own while the apps' storage is
 * prepared: the two do not depend on each other, and a network namespace
 * takes 0.3-0.4 ms of the kernel's time to make (CNI much longer).  For the
 * built-in "none", whose path is known at once and which has no results for
 * the backend, the thread also runs beside the backend's create. */
struct network_job {
        struct plugin *network;
        struct podrt_pod *pod;
        bool none;             /* the path is recorded: only the namespace to make */
        struct side_job side;
        int r;
        struct podrt_error *err;
};

static void network_setup(void *p) {
        struct network_job *j = p;
        j->r = j->none ? network_none_make(j->pod, &j->err)
                       : PLUGIN_CALL(j->network, plugin_network_ops(j->network), "network", setup, &j->err,
                                     j->pod, 0);
}

/* Waits for the setup; its error in *err unless r (what the caller did
 * meanwhile) failed first.  Returns r, else the setup's result. */
static int network_join(struct network_job *j, int r, struct podrt_error **err) {
        side_job_join(&j->side);
        if (r >= 0 && j->r < 0 && err && !*err)
                *err = TAKE_PTR(j->err);
        j->err = podrt_error_free(j->err);
        return r < 0 ? r : j->r;
}

static int storage_prepare(struct plugin *storage, struct podrt_pod *pod, int dfd, const char *manifest_text,
                           size_t manifest_len, struct podrt_error **err) {
        int r;
        if ((r = store_write_file(dfd, "manifest.json", manifest_text, manifest_len, 0600, err)) < 0 ||
            (r = pod_make_dirs(pod, err)) < 0)
                return r;
        for (size_t i = 0; i < pod->spec->n_apps; i++)
                if ((r = PLUGIN_CALL(storage, plugin_storage_ops(storage), "storage", prepare, err,
                                     &pod->apps[i], 0)) < 0)
                        return r;
        return 0;
}

/* Everything of create after the pod's directory exists. */
static int pod_build(struct runtime *rt, struct podrt_pod *pod, const char *manifest_text,
                     size_t manifest_len, struct podrt_error **err) {
        struct plugin *backend, *network, *storage;
        int r;
        if ((r = runtime_plugin(rt, pod->backend, "pod", &backend, err)) < 0 ||
            (r = runtime_plugin(rt, pod->network, "network", &network, err)) < 0 ||
            (r = runtime_plugin(rt, pod->storage, "storage", &storage, err)) < 0)
                return r;
        _cleanup_close_ int dfd = open(pod->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return podrt_error_set(err, errno, "%s: %m", pod->dir);
        struct network_job job = { .network = network, .pod = pod,
                                   .none = network_is_none(plugin_network_ops(network)) };
        if (job.none && (r = network_none_begin(pod, err)) < 0)
                return r;
        side_job_start(&job.side, network_setup, &job);
        r = storage_prepare(storage, pod, dfd, manifest_text, manifest_len, err);
        /* What any other network found (CNI's addresses) goes into the
         * backend's files: joined before its create.  "none" has nothing for
         * them: joined after it (a second join is a no-op), and before the
         * hooks, as a prestart hook may configure the namespace.  Either way
         * both have run to their end before anything returns: what either
         * made, delete removes. */
        if (!job.none && (r = network_join(&job, r, err)) >= 0)
                r = pod_apply_network(pod, err);
        if (r >= 0)
                r = PLUGIN_CALL(backend, plugin_pod_ops(backend), "pod", create, err, pod, 0);
        if ((r = network_join(&job, r, err)) < 0)
                return r;
        for (uint32_t st = PODRT_HOOK_PRESTART; st <= PODRT_HOOK_CREATE_CONTAINER; st++)
                if ((r = pod_run_hooks(rt, pod, st, "created", err)) < 0)
                        return r;
        pod->state = PODRT_POD_CREATED;
        pod->creating = false;
        return pod_save(pod, err);
}

int runtime_create(struct runtime *rt, const char *manifest_path, const char *name,
                   char ret_id[POD_ID_LEN + 1], struct podrt_error **err) {
        struct podrt_pod *pod = NULL;
        int r = runtime_create_pod(rt, manifest_path, name, &pod, err);
        if (r < 0)
                return r;
        memcpy(ret_id, pod->id, sizeof(pod->id));
        pod_unref(pod);
        return 0;
}

int runtime_create_pod(struct runtime *rt, const char *manifest_path, const char *name,
                       struct podrt_pod **ret, struct podrt_error **err) {
        /* Everything that can be checked is checked before anything exists.
         * The file is read once: what is validated is what manifest.json
         * keeps. */
        _cleanup_free_ char *text = NULL, *manifest_dir = NULL;
        size_t len;
        struct pod_spec *spec = NULL;
        int r = manifest_read(manifest_path, &text, &len, &manifest_dir, err);
        if (r < 0 || (r = manifest_parse(text, len, manifest_path, manifest_dir, &spec, err)) < 0)
                return r;
        _cleanup_(pod_spec_freep) struct pod_spec *owned = spec;
        if (name && !name_is_valid(name))
                return podrt_error_set(err, EINVAL, "--name %s: must match [a-z0-9]([a-z0-9.-]{0,62})", name);
        const char *network_name = rt->network ? rt->network : podrt_config_string(rt->cfg, "network", "none");
        /* A host port needs a network that maps ports: "none" has no
         * address to map to. */
        if (strcmp(network_name, "none") == 0)
                for (size_t i = 0; i < spec->n_apps; i++)
                        for (size_t j = 0; j < spec->apps[i].n_ports; j++)
                                if (spec->apps[i].ports[j].host_port)
                                        return podrt_error_set(err, EINVAL,
                                                               "%s: containers[%zu].ports[%zu].hostPort: network \"none\" maps no ports (network = \"cni\" in the configuration, or --network cni)",
                                                               manifest_path, i, j);
        /* storage left unset: "overlay" where the kernel has overlayfs and
         * the plugin is installed (each pod writes to its own layer, the
         * rootfs or image stays as it was), else "dir". */
        const char *storage_name = rt->storage ? rt->storage : podrt_config_string(rt->cfg, "storage", "dir");
        if (!rt->storage && !podrt_config_is_set(rt->cfg, "storage") && runtime_overlay_usable(rt))
                storage_name = "overlay";
        struct plugin *p;
        if ((r = runtime_plugin(rt, rt->backend, "pod", &p, err)) < 0 ||
            (r = runtime_plugin(rt, network_name, "network", &p, err)) < 0 ||
            (r = runtime_plugin(rt, storage_name, "storage", &p, err)) < 0 ||
            (r = runtime_hooks_plugin(rt, &p, err)) < 0)
                return r;

        struct store *s;
        char id[POD_ID_LEN + 1];
        _cleanup_close_ int lock = -1;
        if ((r = runtime_store(rt, &s, err)) < 0 ||
            (r = store_create(s, name ? name : spec->name, id, &lock, err)) < 0)
                return r;
        _cleanup_free_ char *dir = store_pod_dir(s, id);
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        if (!dir) {
                store_remove(s, id, name ? name : spec->name, NULL);
                return podrt_error_set(err, ENOMEM, "out of memory");
        }
        if ((r = pod_new(TAKE_PTR(owned), id, name, dir, rt->backend, network_name, storage_name, &pod, err)) < 0) {
                store_remove(s, id, name ? name : spec->name, NULL);
                return r;
        }
        pod->manifest_dir = TAKE_PTR(manifest_dir);
        pod->created_at = now_ns();
        /* state.json first, saying "creating": from here on the pod names
         * its plugins, so a create killed at any later point leaves a pod
         * that gc (whose lock is then free) and delete tear down. */
        pod->creating = true;
        if ((r = pod_save(pod, err)) < 0 || (r = pod_build(rt, pod, text, len, err)) < 0) {
                pod_destroy(rt, pod, NULL);
                return r;
        }
        *ret = TAKE_PTR(pod);
        return 0;
}

