/* SPDX-License-Identifier: Apache-2.0 */
/* The end of a pod: waiting for its monitor to end, undoing create
 * (backend, network, storage), removing its directory and name.  What both
 * lifecycle.c and monitor.c (for --rm) do. */
#include <errno.h>
#include <time.h>

#include "errors.h"
#include "lifecycle.h"

/* Remembers the first error, keeps going. */
static void keep_first(struct podrt_error **first, struct podrt_error **e) {
        if (*e && !*first)
                *first = TAKE_PTR(*e);
        *e = podrt_error_free(*e);
}

int pod_teardown(struct runtime *rt, struct podrt_pod *pod, struct podrt_error **err) {
        _cleanup_error_ struct podrt_error *first = NULL, *e = NULL;
        struct plugin *p;
        if (runtime_plugin(rt, pod->backend, "pod", &p, &e) >= 0) {
                const struct podrt_pod_ops *ops = plugin_pod_ops(p);
                if (OPS_HAS(ops, delete))
                        ops->delete(plugin_data(p), pod, PODRT_DELETE_FORCE, &e);
        }
        keep_first(&first, &e);
        if (runtime_plugin(rt, pod->network, "network", &p, &e) >= 0)
                PLUGIN_CALL(p, plugin_network_ops(p), "network", teardown, &e, pod, 0);
        keep_first(&first, &e);
        /* The storage last, once what ran on it has ended.  (Released on a
         * side job beside the backend's delete, for a stopped pod, an
         * overlay took 0.5 ms instead of 0.07: its umount waited for the
         * other CPU.) */
        if (runtime_plugin(rt, pod->storage, "storage", &p, &e) >= 0)
                for (size_t i = 0; i < pod->spec->n_apps; i++) {
                        PLUGIN_CALL(p, plugin_storage_ops(p), "storage", release, &e, &pod->apps[i], 0);
                        keep_first(&first, &e);
                }
        keep_first(&first, &e);
        if (first) {
                if (err && !*err)
                        *err = TAKE_PTR(first);
                return -podrt_error_code(err ? *err : NULL);
        }
        return 0;
}

int pod_destroy(struct runtime *rt, struct podrt_pod *pod, struct podrt_error **err) {
        struct store *s;
        int r = pod_teardown(rt, pod, err);
        if (r < 0)
                return r;
        if ((r = runtime_store(rt, &s, err)) < 0)
                return r;
        return store_remove(s, pod->id, pod->name, err);
}

int pod_wait_monitor(struct runtime *rt, const char *id, unsigned timeout_ms) {
        for (unsigned waited = 0;; waited += 10) {
                if (!pod_monitor_alive(rt, id))
                        return 1;
                if (waited >= timeout_ms)
                        return 0;
                nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
        }
}
