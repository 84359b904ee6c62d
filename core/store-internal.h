/* SPDX-License-Identifier: Apache-2.0 */
/* What store.c and store-crash.c share: the store's layout and the helpers
 * of its folders and name links.  Private to the store. */
#ifndef PODRT_STORE_INTERNAL_H
#define PODRT_STORE_INTERNAL_H

#include <stdbool.h>
#include "store.h"

#define READ_FILE_MAX (16u * 1024 * 1024)
#define TEMP_SUFFIX ".tmp-"
#define STORE_NEW_PREFIX ".new-"

struct store {
        char *root;
        int root_fd;
        int pods_fd;
        int names_fd;
};

bool store_id_is_valid(const char *id);
int store_flock_retry(int fd, int operation);
/* The pod ID a name link points at: -ENOENT none, -EINVAL not ours. */
int store_name_link_read(int names_fd, const char *name, char ret_id[POD_ID_LEN + 1]);
bool store_pod_dir_exists(struct store *s, const char *id);
/* Removes the name link when it points at id. */
int store_name_release(struct store *s, const char *name, const char *id);
/* Removes pods/<id> (check_only: only looks for mounts in the way). */
int store_pod_dir_remove(struct store *s, const char *id, bool check_only, struct podrt_error **err);

#endif
