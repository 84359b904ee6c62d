/* SPDX-License-Identifier: Apache-2.0 */
/* The state store: pod directories, name links, per-pod locks, atomic file
 * writes.  The states a pod and its apps are in: states.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <podrt/common.h>

#include "fileio.h"
#include "mountinfo.h"
#include "random.h"
#include "store.h"
#include "strv.h"

#include "store-internal.h"

/* ---- small helpers ---------------------------------------------------- */

static bool is_lower_hex(const char *s) {
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return true;
}

bool store_id_is_valid(const char *id) {
        return id && strlen(id) == POD_ID_LEN && is_lower_hex(id);
}

int store_flock_retry(int fd, int operation) {
        while (flock(fd, operation) < 0) {
                if (errno != EINTR)
                        return -errno;
        }
        return 0;
}

/* ---- opening ---------------------------------------------------------- */

static int open_subdir(int dirfd, const char *name, int *ret) {
        if (mkdirat(dirfd, name, 0700) < 0 && errno != EEXIST)
                return -errno;
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret = fd;
        return 0;
}

int store_open(const char *root, struct store **ret, struct podrt_error **err) {
        if (!root || !*root)
                return podrt_error_set(err, EINVAL, "state directory: empty path");

        int r = mkdir_p(root, 0700);
        if (r < 0)
                return podrt_error_set(err, r, "state directory %s: %s", root, strerror(-r));

        _cleanup_free_ char *abs = realpath(root, NULL);
        if (!abs)
                return podrt_error_set(err, errno, "state directory %s: %m", root);

        _cleanup_close_ int root_fd = open(abs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return podrt_error_set(err, errno, "state directory %s: %m", root);

        _cleanup_close_ int pods_fd = -1, names_fd = -1;
        r = open_subdir(root_fd, "pods", &pods_fd);
        if (r < 0)
                return podrt_error_set(err, r, "state directory %s/pods: %s", abs, strerror(-r));
        r = open_subdir(root_fd, "names", &names_fd);
        if (r < 0)
                return podrt_error_set(err, r, "state directory %s/names: %s", abs, strerror(-r));

        struct store *s = calloc(1, sizeof(*s));
        if (!s)
                return podrt_error_set(err, ENOMEM, "state directory %s: out of memory", abs);
        s->root = TAKE_PTR(abs);
        s->root_fd = TAKE_FD(root_fd);
        s->pods_fd = TAKE_FD(pods_fd);
        s->names_fd = TAKE_FD(names_fd);
        *ret = s;
        return 0;
}

struct store *store_free(struct store *s) {
        if (!s)
                return NULL;
        closep(&s->root_fd);
        closep(&s->pods_fd);
        closep(&s->names_fd);
        free(s->root);
        free(s);
        return NULL;
}

const char *store_root(const struct store *s) {
        return s ? s->root : NULL;
}

char *store_pod_dir(const struct store *s, const char *id) {
        char *p = NULL;
        if (!s || !id || asprintf(&p, "%s/pods/%s", s->root, id) < 0)
                return NULL;
        return p;
}

/* ---- IDs and names ---------------------------------------------------- */

int pod_id_new(char ret_id[POD_ID_LEN + 1]) {
        static const char hex[] = "0123456789abcdef";
        uint8_t raw[POD_ID_LEN / 2];
        int r = random_bytes(raw, sizeof(raw));
        if (r < 0)
                return r;
        for (size_t i = 0; i < sizeof(raw); i++) {
                ret_id[2 * i] = hex[raw[i] >> 4];
                ret_id[2 * i + 1] = hex[raw[i] & 0xf];
        }
        ret_id[POD_ID_LEN] = '\0';
        return 0;
}

int name_is_valid(const char *name) {
        if (!name || !*name)
                return 0;
        size_t n = strlen(name);
        if (n > 63)
                return 0;
        for (size_t i = 0; i < n; i++) {
                char c = name[i];
                bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
                if (!alnum && (i == 0 || (c != '.' && c != '-')))
                        return 0;
        }
        return 1;
}

/* ---- name links ------------------------------------------------------- */

/* A name link reads "../pods/<id>".  Fills ret_id (when given) with the ID
 * it points at; -ENOENT when there is no link, -EINVAL when it is not one
 * of ours. */
int store_name_link_read(int names_fd, const char *name, char ret_id[POD_ID_LEN + 1]) {
        char target[PATH_MAX];
        ssize_t n = readlinkat(names_fd, name, target, sizeof(target) - 1);
        if (n < 0)
                return errno == ENOENT ? -ENOENT : -errno;
        target[n] = '\0';
        const char *id = strrchr(target, '/');
        id = id ? id + 1 : target;
        if (strncmp(target, "../pods/", 8) != 0 || !store_id_is_valid(id))
                return -EINVAL;
        if (ret_id)
                memcpy(ret_id, id, POD_ID_LEN + 1);
        return 0;
}

/* Whether pods/<id> exists as a directory. */
bool store_pod_dir_exists(struct store *s, const char *id) {
        struct stat st;
        return fstatat(s->pods_fd, id, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
}

/* The names folder is locked (on a descriptor of our own, so that processes
 * sharing the store's descriptors still exclude each other) while a stale
 * link is replaced or a link removed.  Creating a fresh link needs no lock:
 * symlinkat() is atomic, and a name being replaced always exists. */
static int names_lock(struct store *s, int *ret_fd) {
        int fd = openat(s->names_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = store_flock_retry(fd, LOCK_EX);
        if (r < 0) {
                close(fd);
                return r;
        }
        *ret_fd = fd;
        return 0;
}

/* Claims name for id.  -EEXIST with the holder's ID in holder_id. */
static int name_claim(struct store *s, const char *name, const char *id,
                      char holder_id[POD_ID_LEN + 1]) {
        char target[sizeof("../pods/") + POD_ID_LEN];
        snprintf(target, sizeof(target), "../pods/%s", id);

        if (symlinkat(target, s->names_fd, name) == 0)
                return 0;
        if (errno != EEXIST)
                return -errno;

        _cleanup_close_ int lock_fd = -1;
        int r = names_lock(s, &lock_fd);
        if (r < 0)
                return r;

        for (unsigned attempt = 0; attempt < 8; attempt++) {
                if (symlinkat(target, s->names_fd, name) == 0)
                        return 0;
                if (errno != EEXIST)
                        return -errno;

                char other[POD_ID_LEN + 1] = "";
                r = store_name_link_read(s->names_fd, name, other);
                if (r == -ENOENT)
                        continue;       /* removed meanwhile: try again */
                if (r == 0 && store_pod_dir_exists(s, other)) {
                        memcpy(holder_id, other, POD_ID_LEN + 1);
                        return -EEXIST;
                }
                if (r < 0 && r != -EINVAL)
                        return r;
                if (r == -EINVAL) {
                        /* Not a link of ours (a file, a foreign link): keep it. */
                        holder_id[0] = '\0';
                        return -EEXIST;
                }

                /* A dangling link, left by a crash: replace it atomically. */
                char suffix[7];
                r = random_suffix(suffix);
                if (r < 0)
                        return r;
                _cleanup_free_ char *tmp = NULL;
                if (asprintf(&tmp, ".%s" TEMP_SUFFIX "%s", name, suffix) < 0)
                        return -ENOMEM;
                if (symlinkat(target, s->names_fd, tmp) < 0) {
                        if (errno == EEXIST)
                                continue;
                        return -errno;
                }
                if (renameat(s->names_fd, tmp, s->names_fd, name) < 0) {
                        r = -errno;
                        unlinkat(s->names_fd, tmp, 0);
                        return r;
                }
                return 0;
        }
        return -EAGAIN;
}

/* Unlinks names/<name> if it points at id. */
int store_name_release(struct store *s, const char *name, const char *id) {
        _cleanup_close_ int lock_fd = -1;
        int r = names_lock(s, &lock_fd);
        if (r < 0)
                return r;
        char other[POD_ID_LEN + 1];
        r = store_name_link_read(s->names_fd, name, other);
        if (r == -ENOENT || r == -EINVAL)
                return 0;
        if (r < 0)
                return r;
        if (strcmp(other, id) != 0)
                return 0;
        if (unlinkat(s->names_fd, name, 0) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

/* ---- removing trees --------------------------------------------------- */

/* Removes pods/<id>: first a walk that only looks for mount points (so a
 * refused removal leaves the pod whole), then the deletion. */
int store_pod_dir_remove(struct store *s, const char *id, bool check_only,
                          struct podrt_error **err) {
        _cleanup_free_ char *path = store_pod_dir(s, id);
        if (!path)
                return podrt_error_set(err, ENOMEM, "remove pod %s: out of memory", id);
        _cleanup_free_ char *busy = NULL;
        int r = rm_rf_at(s->pods_fd, id, check_only ? RM_CHECK_ONLY : 0, &busy);
        /* A process of the pod that is still exiting (runc writing its log)
         * may add a file while we remove: try again, briefly. */
        for (int i = 0; r == -ENOTEMPTY && i < 20; i++) {
                usleep(25000);
                r = rm_rf_at(s->pods_fd, id, 0, &busy);
        }
        if (r == -EBUSY && busy && strcmp(busy, id) == 0)
                return podrt_error_set(err, EBUSY,
                                       "remove %s: a file system is mounted there, not deleting through it",
                                       path);
        if (r == -EBUSY && busy)
                return podrt_error_set(err, EBUSY,
                                       "remove %s: a file system is mounted at %s/pods/%s, not deleting through it",
                                       path, store_root(s), busy);
        if (r < 0)
                return podrt_error_set(err, r, "remove %s: %s", path, strerror(-r));
        return 0;
}

/* ---- create, resolve, list, lock, remove ------------------------------ */

int store_create(struct store *s, const char *name, char ret_id[POD_ID_LEN + 1],
                 int *ret_lock_fd, struct podrt_error **err) {
        if (name && !name_is_valid(name))
                return podrt_error_set(err, EINVAL,
                                       "invalid pod name '%s': must match [a-z0-9]([a-z0-9.-]{0,62})",
                                       name);

        /* The folder is made under a temporary name, its lock taken, and
         * only then renamed to the pod's ID: nobody (gc, a delete, list) ever
         * sees a pod folder that is not locked by its creator or complete
         * enough to be removed.  A crash before the rename leaves a
         * ".new-<id>" that gc removes (nothing is mounted there yet). */
        char id[POD_ID_LEN + 1], tmp[POD_ID_LEN + 8];
        int r;
        for (unsigned attempt = 0;; attempt++) {
                r = pod_id_new(id);
                if (r < 0)
                        return podrt_error_set(err, r, "new pod ID: %s", strerror(-r));
                snprintf(tmp, sizeof(tmp), STORE_NEW_PREFIX "%s", id);
                if (faccessat(s->pods_fd, id, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                        errno = EEXIST;        /* taken: another ID */
                else if (mkdirat(s->pods_fd, tmp, 0700) == 0)
                        break;
                if (errno != EEXIST || attempt >= 8)
                        return podrt_error_set(err, errno, "create %s/pods/%s: %m", s->root, tmp);
        }

        /* The pod's lock is its folder's (flock on a descriptor of it): one
         * file fewer to make and remove per pod (25-50 us each on ext4). */
        _cleanup_close_ int lock_fd = -1, mon_fd = -1;
        lock_fd = openat(s->pods_fd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (lock_fd < 0) {
                r = podrt_error_set(err, errno, "open %s/pods/%s: %m", s->root, tmp);
                (void)unlinkat(s->pods_fd, tmp, AT_REMOVEDIR);
                return r;
        }
        mon_fd = openat(lock_fd, "monitor.lock", O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                        0600);
        if (mon_fd < 0) {
                r = podrt_error_set(err, errno, "create %s/pods/%s/monitor.lock: %m", s->root, id);
                goto fail;
        }
        r = store_flock_retry(lock_fd, LOCK_EX);
        if (r < 0) {
                r = podrt_error_set(err, r, "lock %s/pods/%s: %s", s->root, tmp, strerror(-r));
                goto fail;
        }
        if (renameat2(s->pods_fd, tmp, s->pods_fd, id, RENAME_NOREPLACE) < 0) {
                r = podrt_error_set(err, errno, "create %s/pods/%s: %m", s->root, id);
                goto fail;
        }
        tmp[0] = '\0';

        if (name) {
                char holder[POD_ID_LEN + 1] = "";
                r = name_claim(s, name, id, holder);
                if (r == -EEXIST && *holder) {
                        r = podrt_error_set(err, EEXIST, "a pod named '%s' exists already (%s)",
                                            name, holder);
                        goto fail;
                }
                if (r == -EEXIST) {
                        r = podrt_error_set(err, EEXIST,
                                            "a pod named '%s' exists already (%s/names/%s is not a pod's name link)",
                                            name, s->root, name);
                        goto fail;
                }
                if (r < 0) {
                        r = podrt_error_set(err, r, "claim pod name '%s' in %s/names: %s", name,
                                            s->root, strerror(-r));
                        goto fail;
                }
        }

        memcpy(ret_id, id, sizeof(id));
        *ret_lock_fd = TAKE_FD(lock_fd);
        return 0;

fail:
        if (tmp[0])
                rm_rf_at(s->pods_fd, tmp, 0, NULL);
        else
                store_pod_dir_remove(s, id, false, NULL);
        return r;
}

int store_resolve(struct store *s, const char *ref, char ret_id[POD_ID_LEN + 1],
                  struct podrt_error **err) {
        if (!ref || !*ref)
                return podrt_error_set(err, EINVAL, "empty pod reference");
        if (strchr(ref, '/'))
                return podrt_error_set(err, EINVAL, "invalid pod reference '%s': contains '/'", ref);

        /* A full ID. */
        if (store_id_is_valid(ref) && store_pod_dir_exists(s, ref)) {
                memcpy(ret_id, ref, POD_ID_LEN + 1);
                return 0;
        }

        /* A name. */
        if (name_is_valid(ref)) {
                char id[POD_ID_LEN + 1];
                int r = store_name_link_read(s->names_fd, ref, id);
                if (r == 0 && store_pod_dir_exists(s, id)) {
                        memcpy(ret_id, id, sizeof(id));
                        return 0;
                }
                if (r < 0 && r != -ENOENT && r != -EINVAL)
                        return podrt_error_set(err, r, "pod name '%s': %s", ref, strerror(-r));
        }

        /* A unique ID prefix. */
        size_t len = strlen(ref);
        if (len > POD_ID_LEN || !is_lower_hex(ref))
                return podrt_error_set(err, ENOENT, "no such pod: %s", ref);

        _cleanup_free_ char (*ids)[POD_ID_LEN + 1] = NULL;
        size_t n = 0;
        int r = store_list(s, &ids, &n, err);
        if (r < 0)
                return podrt_error_set(err, r, "resolve pod '%s'", ref);
        size_t matches = 0, found = 0;
        for (size_t i = 0; i < n; i++)
                if (strncmp(ids[i], ref, len) == 0) {
                        if (matches++ == 0)
                                found = i;
                }
        if (matches == 0)
                return podrt_error_set(err, ENOENT, "no such pod: %s", ref);
        if (matches > 1)
                return podrt_error_set(err, EINVAL, "pod ID prefix '%s' is ambiguous (%zu pods)",
                                       ref, matches);
        memcpy(ret_id, ids[found], POD_ID_LEN + 1);
        return 0;
}

static int compare_ids(const void *a, const void *b) {
        return strcmp(a, b);
}

int store_list(struct store *s, char (**ret)[POD_ID_LEN + 1], size_t *ret_n,
               struct podrt_error **err) {
        int fd = openat(s->pods_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return podrt_error_set(err, errno, "list %s/pods: %m", s->root);
        DIR *d = fdopendir(fd);
        if (!d) {
                int e = errno;
                close(fd);
                return podrt_error_set(err, e, "list %s/pods: %s", s->root, strerror(e));
        }

        char (*ids)[POD_ID_LEN + 1] = NULL;
        size_t n = 0, allocated = 0;
        int r = 0;
        struct dirent *de;
        for (errno = 0; (de = readdir(d)); errno = 0) {
                if (!store_id_is_valid(de->d_name))
                        continue;
                if (de->d_type != DT_DIR) {
                        struct stat st;
                        if (de->d_type != DT_UNKNOWN ||
                            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                            !S_ISDIR(st.st_mode))
                                continue;
                }
                if (n == allocated) {
                        size_t na = allocated ? allocated * 2 : 16;
                        void *p = realloc(ids, na * sizeof(*ids));
                        if (!p) {
                                r = -ENOMEM;
                                break;
                        }
                        ids = p;
                        allocated = na;
                }
                memcpy(ids[n++], de->d_name, POD_ID_LEN + 1);
        }
        if (r == 0 && errno != 0)
                r = -errno;
        closedir(d);
        if (r == 0 && !ids && !(ids = malloc(sizeof(*ids))))
                r = -ENOMEM;
        if (r < 0) {
                free(ids);
                return podrt_error_set(err, r, "list %s/pods: %s", s->root, strerror(-r));
        }
        qsort(ids, n, sizeof(*ids), compare_ids);
        *ret = ids;
        *ret_n = n;
        return 0;
}

static int lock_file(struct store *s, const char *id, const char *file, int operation,
                     int *ret_fd, struct podrt_error **err) {
        if (!store_id_is_valid(id))
                return podrt_error_set(err, EINVAL, "invalid pod ID '%s'", id ? id : "");
        int base = operation & ~LOCK_NB;
        if (base != LOCK_SH && base != LOCK_EX)
                return podrt_error_set(err, EINVAL, "lock pod %s: invalid lock operation %d", id,
                                       operation);

        char path[POD_ID_LEN + 32];
        snprintf(path, sizeof(path), "%s%s%s", id, file ? "/" : "", file ? file : "");
        /* flock() needs no write access: a shared lock is taken read-only,
         * so that reading commands work on a read-only state dir.  file
         * NULL: the pod's folder itself. */
        _cleanup_close_ int fd = openat(s->pods_fd, path,
                                        file ? (base == LOCK_SH ? O_RDONLY : O_RDWR) | O_NOFOLLOW | O_CLOEXEC
                                             : O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && file && base == LOCK_EX && (errno == EACCES || errno == EROFS))
                fd = openat(s->pods_fd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return podrt_error_set(err, ENOENT, "no such pod: %s", id);
                return podrt_error_set(err, errno, "open %s/pods/%s: %m", s->root, path);
        }
        int r = store_flock_retry(fd, operation);
        if (r == -EWOULDBLOCK)
                return podrt_error_set(err, EWOULDBLOCK, "pod %s: %s is held by another process",
                                       id, file ? file : "its lock");
        if (r < 0)
                return podrt_error_set(err, r, "lock %s/pods/%s: %s", s->root, path, strerror(-r));
        *ret_fd = TAKE_FD(fd);
        return 0;
}

int store_lock(struct store *s, const char *id, int operation, int *ret_fd,
               struct podrt_error **err) {
        return lock_file(s, id, NULL, operation, ret_fd, err);
}

int store_monitor_lock(struct store *s, const char *id, int operation, int *ret_fd,
                       struct podrt_error **err) {
        return lock_file(s, id, "monitor.lock", operation, ret_fd, err);
}

int store_remove(struct store *s, const char *id, const char *name, struct podrt_error **err) {
        if (!store_id_is_valid(id))
                return podrt_error_set(err, EINVAL, "invalid pod ID '%s'", id ? id : "");
        if (name && !name_is_valid(name))
                return podrt_error_set(err, EINVAL, "remove pod %s: invalid pod name '%s'", id, name);

        /* Refuse before touching anything when a mount is in the way. */
        int r = store_pod_dir_remove(s, id, true, err);
        if (r < 0)
                return r;
        if (name) {
                r = store_name_release(s, name, id);
                if (r < 0)
                        return podrt_error_set(err, r, "remove %s/names/%s: %s", s->root, name,
                                               strerror(-r));
        }
        return store_pod_dir_remove(s, id, false, err);
}

/* ---- files ------------------------------------------------------------ */

int store_write_file(int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                     struct podrt_error **err) {
        /* No fsync: a process that dies anywhere leaves the page cache,
         * hence the old file or the new one, whole; only a power loss
         * could tear it, and /run does not survive one (a torn state file
         * elsewhere is what gc removes).  runc does not fsync its own state
         * either.  4 fsyncs a `run --rm`, ~0.6-0.9 ms on ext4 here. */
        int r = write_file_atomic_at(dirfd, name, data, len, mode, 0);
        if (r < 0)
                return podrt_error_set(err, r, "write %s: %s", name, strerror(-r));
        return 0;
}

int store_read_file(int dirfd, const char *name, char **ret, size_t *ret_len,
                    struct podrt_error **err) {
        int r = read_file_at(dirfd, name, READ_FILE_MAX, ret, ret_len);
        if (r == -EINVAL)
                return podrt_error_set(err, EINVAL, "read %s: not a regular file", name);
        if (r == -EFBIG)
                return podrt_error_set(err, EFBIG, "read %s: larger than %u MiB", name,
                                       READ_FILE_MAX >> 20);
        if (r < 0)
                return podrt_error_set(err, r, "read %s: %s", name, strerror(-r));
        return 0;
}
