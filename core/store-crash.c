/* SPDX-License-Identifier: Apache-2.0 */
/* What crashes leave in the store, and its removal from the folder alone:
 * unreadable pods, ".new-" folders of creates that died, dangling names. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "fileio.h"
#include "mountinfo.h"
#include "store-internal.h"
#include "strv.h"

struct mounts_below {
        const char *prefix;       /* "<root>/pods/<id>" */
        size_t len;
        char **found;
};

static int collect_mount(const char *mnt, const char *fstype, const char *super_opts, void *u) {
        struct mounts_below *m = u;
        if (strncmp(mnt, m->prefix, m->len) == 0 && (mnt[m->len] == '/' || mnt[m->len] == '\0'))
                return strv_push(&m->found, mnt) < 0 ? -ENOMEM : 0;
        return 0;
}

static int by_length_desc(const void *a, const void *b) {
        return (int)strlen(*(char *const *)b) - (int)strlen(*(char *const *)a);
}

/* Detaches every mount at or below path, deepest first. */
static int unmount_below(const char *path) {
        _cleanup_free_ char *mi = NULL;
        int r = read_file("/proc/self/mountinfo", 0, &mi, NULL);
        if (r < 0)
                return r;
        struct mounts_below m = { .prefix = path, .len = strlen(path) };
        r = mountinfo_each(mi, collect_mount, &m);
        _cleanup_strv_free_ char **found = m.found;
        if (r < 0)
                return r;
        size_t n = strv_length(found);
        if (n > 1)
                qsort(found, n, sizeof(char *), by_length_desc);
        for (size_t i = 0; i < n; i++)
                if (umount2(found[i], MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                        r = -errno;
        return r;
}

/* Every name link that points at id goes. */
static void names_release_id(struct store *s, const char *id) {
        int fd = openat(s->names_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                char other[POD_ID_LEN + 1];
                if (de->d_name[0] != '.' && store_name_link_read(dirfd(d), de->d_name, other) == 0 &&
                    strcmp(other, id) == 0)
                        (void)store_name_release(s, de->d_name, id);
        }
        closedir(d);
}

int store_remove_broken(struct store *s, const char *id, struct podrt_error **err) {
        if (!store_id_is_valid(id))
                return podrt_error_set(err, EINVAL, "invalid pod ID '%s'", id ? id : "");
        _cleanup_free_ char *path = store_pod_dir(s, id);
        if (!path)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = unmount_below(path);
        if (r < 0)
                return podrt_error_set(err, r, "remove %s: unmounting what is below it: %s", path,
                                       strerror(-r));
        names_release_id(s, id);
        return store_pod_dir_remove(s, id, false, err);
}

int store_sweep(struct store *s, unsigned min_age_sec) {
        int removed = 0;
        int fd = openat(s->pods_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return 0;
        }
        time_t now = time(NULL);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (strncmp(de->d_name, STORE_NEW_PREFIX, strlen(STORE_NEW_PREFIX)) != 0)
                        continue;
                struct stat st;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    now - st.st_mtime < (time_t)min_age_sec)
                        continue;
                /* Its creator holds the lock until the rename: a free lock
                 * (or none) is a create that died before its pod existed. */
                char lock[PATH_MAX];
                snprintf(lock, sizeof(lock), "%s/lock", de->d_name);
                _cleanup_close_ int lfd = openat(dirfd(d), lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                if (lfd >= 0 && flock(lfd, LOCK_EX | LOCK_NB) < 0)
                        continue;
                if (rm_rf_at(dirfd(d), de->d_name, 0, NULL) == 0)
                        removed++;
        }
        closedir(d);

        /* Name links left by a crash between the name and the folder. */
        fd = openat(s->names_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        d = fd >= 0 ? fdopendir(fd) : NULL;
        if (!d) {
                if (fd >= 0)
                        close(fd);
                return removed;
        }
        while ((de = readdir(d))) {
                char other[POD_ID_LEN + 1];
                if (de->d_name[0] == '.' || store_name_link_read(dirfd(d), de->d_name, other) < 0 ||
                    store_pod_dir_exists(s, other))
                        continue;
                if (store_name_release(s, de->d_name, other) == 0)
                        removed++;
        }
        closedir(d);
        return removed;
}
