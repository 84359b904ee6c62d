/* SPDX-License-Identifier: Apache-2.0 */
/* podrt list: each pod's state.json and nothing else.  No manifest parse,
 * no plugin, no lock: state.json is only ever replaced whole (a rename), so
 * it is read consistent without the pod's lock, and a pod being created or
 * deleted meanwhile is listed as its file says or not at all, never waited
 * for.  What status --json says of a pod, list says the same way. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "lifecycle.h"
#include "store-internal.h"

struct entry {
        const char *created;       /* in obj, "" when none */
        struct json_object *obj;
};

static int cmp_created(const void *a, const void *b) {
        return strcmp(((const struct entry *)a)->created, ((const struct entry *)b)->created);
}

static struct json_object *unreadable(const char *id, const char *msg) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(id));
        json_object_object_add(o, "state", json_object_new_string("unknown"));
        json_object_object_add(o, "error", json_object_new_string(msg));
        return o;
}

/* The status object of pod id, NULL (no error) when it is gone. */
static struct json_object *pod_entry(struct runtime *rt, struct store *s, const char *id) {
        _cleanup_close_ int dfd = openat(s->pods_fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *dir = store_pod_dir(s, id);
        if (!dir)
                return unreadable(id, "out of memory");
        if (dfd < 0)
                return errno == ENOENT ? NULL : unreadable(id, strerror(errno));
        struct json_object *o = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        if (pod_state_read(dfd, dir, &o, &e) < 0) {
                /* Being removed (its files go before its folder), or
                 * broken: under the pod's lock (its folder's), which a
                 * delete holds until the folder is gone, it is one or the
                 * other. */
                _cleanup_close_ int lock = -1;
                struct stat st;
                e = podrt_error_free(e);
                int r = store_lock(s, id, LOCK_SH, &lock, NULL);
                if (r == -ENOENT || (r >= 0 && fstat(lock, &st) == 0 && st.st_nlink == 0))
                        return NULL;
                if (pod_state_read(dfd, dir, &o, &e) < 0)
                        return faccessat(s->pods_fd, id, F_OK, AT_SYMLINK_NOFOLLOW) < 0
                                       ? NULL
                                       : unreadable(id, podrt_error_message(e));
        }
        json_object_object_del(o, "manifestDir");
        json_object_object_add(o, "network", runtime_network_json(dfd, pod_json_string(o, "network")));
        const char *state = pod_json_string(o, "state");
        if ((strcmp(state, "running") == 0 || strcmp(state, "paused") == 0) && !pod_monitor_alive(rt, id))
                json_object_object_add(o, "monitor", json_object_new_string("lost"));
        return o;
}

int runtime_list(struct runtime *rt, struct json_object **ret, struct podrt_error **err) {
        char(*ids)[POD_ID_LEN + 1] = NULL;
        size_t n = 0;
        struct store *s;
        int r = runtime_pod_ids(rt, &s, &ids, &n, err);
        if (r < 0)
                return r;
        _cleanup_free_ struct entry *entries = calloc(n ? n : 1, sizeof(*entries));
        if (!entries) {
                free(ids);
                return podrt_error_set(err, ENOMEM, "list: out of memory");
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = pod_entry(rt, s, ids[i]);
                if (!o)
                        continue;
                const char *created = pod_json_string(o, "created");
                entries[k++] = (struct entry){ .created = created ? created : "", .obj = o };
        }
        free(ids);
        qsort(entries, k, sizeof(*entries), cmp_created);
        struct json_object *arr = json_object_new_array_ext((int)(k ? k : 1));
        for (size_t i = 0; i < k; i++)
                json_object_array_add(arr, entries[i].obj);
        *ret = arr;
        return 0;
}
