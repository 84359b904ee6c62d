/* SPDX-License-Identifier: Apache-2.0 */
/* The state store: one directory per pod under <root>/pods/<id>, names in
 * <root>/names/<name> (a symlink to ../pods/<id>, created atomically so two
 * pods never share a name), and per pod two locks:
 *   the folder    flock: shared to read state.json, exclusive to change it
 *   monitor.lock  held exclusively by the pod's monitor for as long as it runs
 * Files are written atomically: temp file, fsync, rename. */
#ifndef PODRT_STORE_H
#define PODRT_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <podrt/error.h>
#include "internal.h"
#include "states.h"          /* what state.json holds */

#define POD_ID_LEN 32

struct store;

/* Opens (creating with mode 0700 when missing) the store at root. */
PODRT_INTERNAL int store_open(const char *root, struct store **ret, struct podrt_error **err);
PODRT_INTERNAL struct store *store_free(struct store *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct store *, store_free)
PODRT_INTERNAL const char *store_root(const struct store *s);

/* A fresh random ID: 32 lower-case hex digits from getrandom(). */
PODRT_INTERNAL int pod_id_new(char ret_id[POD_ID_LEN + 1]);
/* Pod and volume and container names: [a-z0-9]([a-z0-9.-]{0,62}). */
PODRT_INTERNAL int name_is_valid(const char *name);

/* Creates the pod's directory with a new ID and claims name.  On success the
 * pod's lock is held exclusively through *ret_lock_fd.  -EEXIST: "a pod named
 * 'x' exists already (<id>)".  Leaves nothing behind on failure. */
PODRT_INTERNAL int store_create(struct store *s, const char *name, char ret_id[POD_ID_LEN + 1],
                                int *ret_lock_fd, struct podrt_error **err);

/* Resolves ref (full ID, unique ID prefix, or name; a name wins over a
 * prefix) to an ID.  -ENOENT "no such pod: x"; -EINVAL "pod ID prefix 'ab'
 * is ambiguous (N pods)". */
PODRT_INTERNAL int store_resolve(struct store *s, const char *ref, char ret_id[POD_ID_LEN + 1],
                                 struct podrt_error **err);

/* All pod IDs, sorted; *ret is a malloc'd array of n entries. */
PODRT_INTERNAL int store_list(struct store *s, char (**ret)[POD_ID_LEN + 1], size_t *ret_n,
                              struct podrt_error **err);

/* <root>/pods/<id> (malloc'd). */
PODRT_INTERNAL char *store_pod_dir(const struct store *s, const char *id);

/* Takes the pod's lock (operation: LOCK_SH or LOCK_EX, | LOCK_NB to not
 * wait) and returns its fd (O_CLOEXEC).  -ENOENT when the pod is gone,
 * -EWOULDBLOCK when LOCK_NB and held. */
PODRT_INTERNAL int store_lock(struct store *s, const char *id, int operation, int *ret_fd,
                              struct podrt_error **err);
/* The same for monitor.lock. */
PODRT_INTERNAL int store_monitor_lock(struct store *s, const char *id, int operation,
                                      int *ret_fd, struct podrt_error **err);

/* Removes the pod's name link and its directory tree (never crossing into
 * another file system, never following symlinks).  Missing is fine. */
PODRT_INTERNAL int store_remove(struct store *s, const char *id, const char *name,
                                struct podrt_error **err);

/* Atomically replaces dirfd/name with data: name.tmp-XXXXXX, write,
 * rename (no fsync).  A process crash at any point leaves either the old or
 * the new file (and maybe a stale temp file, which store_remove and readers
 * ignore). */
PODRT_INTERNAL int store_write_file(int dirfd, const char *name, const void *data, size_t len,
                                    mode_t mode, struct podrt_error **err);
/* Reads a whole file (NUL-terminated, *ret_len may be NULL). */
PODRT_INTERNAL int store_read_file(int dirfd, const char *name, char **ret, size_t *ret_len,
                                   struct podrt_error **err);

/* Removes pods/<id> from the directory alone, whatever its state.json
 * holds (none, garbage, another pod's): every mount below it is detached
 * first, every name link to it goes.  For gc and delete --force. */
PODRT_INTERNAL int store_remove_broken(struct store *s, const char *id, struct podrt_error **err);
/* Removes what crashes leave outside any pod: ".new-<id>" folders of creates
 * that died before their pod existed (older than min_age_sec, their lock
 * free), and name links to no pod.  Returns how many it removed. */
PODRT_INTERNAL int store_sweep(struct store *s, unsigned min_age_sec);

#endif
