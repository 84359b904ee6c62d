/* SPDX-License-Identifier: Apache-2.0 */
/* The end of a pod: waiting for its monitor to end, undoing create
 * (backend, network, storage), removing its directory and name.  What both
 * lifecycle.c and monitor.c (for --rm) do. */
#include <errno.h>
#include <stdbool.h>
#include <time.h>

#include "errors.h"
#include "lifecycle.h"
#include "sidejob.h"

/* Remembers the first error, keeps going. */
static void keep_first(struct podrt_error **first, struct podrt_error **e) {
        if (*e && !*first)
                *first = TAKE_PTR(*e);
        *e = podrt_error_free(*e);
}

struct storage_job {
        struct plugin *storage;
        struct podrt_pod *pod;
        struct podrt_error *first;
};

static void storage_release(void *p) {
        struct storage_job *j = p;
        _cleanup_error_ struct podrt_error *e = NULL;
        for (size_t i = 0; j->storage && i < j->pod->spec->n_apps; i++) {
                PLUGIN_CALL(j->storage, plugin_storage_ops(j->storage), "storage", release, &e, &j->pod->apps[i], 0);
                keep_first(&j->first, &e);
        }
}

int pod_teardown(struct runtime *rt, struct podrt_pod *pod, struct podrt_error **err) {
        _cleanup_error_ struct podrt_error *first = NULL, *e = NULL;
        struct plugin *p;
        /* With nothing of the pod running (stopped, or never started), its
         * storage is released beside the backend's delete and the network's
         * teardown (a volatile overlay's umount and removal: 0.1-0.4 ms);
         * else only once the backend has ended what ran on it. */
        struct storage_job sj = { .pod = pod };
        struct side_job side = { .joined = true };
        if (runtime_plugin(rt, pod->storage, "storage", &sj.storage, &e) < 0)
                sj.storage = NULL;
        keep_first(&first, &e);
        bool quiet = pod->state == PODRT_POD_STOPPED || pod->state == PODRT_POD_CREATED;
        if (quiet && sj.storage)
                side_job_start(&side, storage_release, &sj);
        if (runtime_plugin(rt, pod->backend, "pod", &p, &e) >= 0) {
                const struct podrt_pod_ops *ops = plugin_pod_ops(p);
                if (OPS_HAS(ops, delete))
                        ops->delete(plugin_data(p), pod, PODRT_DELETE_FORCE, &e);
        }
        keep_first(&first, &e);
        if (runtime_plugin(rt, pod->network, "network", &p, &e) >= 0)
                PLUGIN_CALL(p, plugin_network_ops(p), "network", teardown, &e, pod, 0);
        keep_first(&first, &e);
        if (quiet && sj.storage)
                side_job_join(&side);
        else
                storage_release(&sj);
        keep_first(&first, &sj.first);
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
