/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "random.h"

int read_file_at(int dirfd, const char *name, size_t max, char **ret, size_t *ret_size) {
        if (max == 0)
                max = READ_FILE_MAX_DEFAULT;
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if ((uint64_t)st.st_size > max)
                return -EFBIG;
        /* /proc and /sys files say 0 bytes: read until EOF. */
        size_t cap = (size_t)st.st_size + 1, len = 0;
        if (cap < 4096)
                cap = 4096;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (len + 1 >= cap) {
                        if (len > max)
                                return -EFBIG;
                        size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
                        char *nb = realloc(buf, ncap);
                        if (!nb)
                                return -ENOMEM;
                        buf = nb;
                        cap = ncap;
                }
                ssize_t n = read(fd, buf + len, cap - 1 - len);
                if (n < 0) {
                        if (errno == EINTR || errno == EAGAIN)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        if (len > max)
                return -EFBIG;
        buf[len] = '\0';
        if (ret_size)
                *ret_size = len;
        *ret = TAKE_PTR(buf);
        return 0;
}

int read_file(const char *path, size_t max, char **ret, size_t *ret_size) {
        return read_file_at(AT_FDCWD, path, max, ret, ret_size);
}

int write_all(int fd, const void *data, size_t size) {
        const char *p = data;
        while (size > 0) {
                ssize_t n = write(fd, p, size);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        return -EIO;
                p += n;
                size -= (size_t)n;
        }
        return 0;
}

/* Splits name into its folder (opened relative to dirfd) and last part. */
static int open_parent(int dirfd, const char *name, int *ret_fd, const char **ret_base) {
        const char *slash = strrchr(name, '/');
        _cleanup_free_ char *dir = slash ? strndup(name, (size_t)(slash - name)) : strdup(".");
        if (!dir)
                return -ENOMEM;
        int fd = openat(dirfd, *dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        *ret_base = slash ? slash + 1 : name;
        return 0;
}

int write_file_atomic_at(int dirfd, const char *name, const void *data, size_t size, mode_t mode,
                         unsigned flags) {
        if (!name || !*name)
                return -EINVAL;
        _cleanup_close_ int dfd = -1;
        const char *base = NULL;
        int r = open_parent(dirfd, name, &dfd, &base);
        if (r < 0)
                return r;
        if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
                return -EINVAL;

        _cleanup_free_ char *tmp = NULL;
        _cleanup_close_ int fd = -1;
        for (unsigned attempt = 0; fd < 0; attempt++) {
                char suffix[7];
                r = random_suffix(suffix);
                if (r < 0)
                        return r;
                free(tmp);
                if (asprintf(&tmp, ".%s.tmp-%s", base, suffix) < 0) {
                        tmp = NULL;
                        return -ENOMEM;
                }
                fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0 && (errno != EEXIST || attempt >= 100))
                        return -errno;
        }
        r = write_all(fd, data, size);
        if (r == 0 && (flags & WRITE_FILE_SYNC) && fsync(fd) < 0)
                r = -errno;
        if (r == 0 && fchmod(fd, mode & 07777) < 0)
                r = -errno;
        if (r == 0 && renameat(dfd, tmp, dfd, base) < 0)
                r = -errno;
        /* No fsync of the folder: atomicity does not depend on it (after a
         * crash the name holds the old file or the new one, whole). */
        if (r < 0)
                unlinkat(dfd, tmp, 0);
        return r;
}

int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode,
                      unsigned flags) {
        return write_file_atomic_at(AT_FDCWD, path, data, size, mode, flags);
}

int write_file_new(const char *path, const void *data, size_t size, mode_t mode) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        int r = write_all(fd, data, size);
        if (r == 0 && fchmod(fd, mode & 07777) < 0)
                r = -errno;
        if (close(fd) < 0 && r == 0)
                r = -errno;
        if (r < 0)
                unlink(path);
        return r;
}

int write_string_file(const char *path, const char *text) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        size_t n = strlen(text);
        ssize_t w;
        while ((w = write(fd, text, n)) < 0 && errno == EINTR)
                ;
        if (w < 0)
                return -errno;
        return (size_t)w == n ? 0 : -EIO;
}

int mkdir_p(const char *path, mode_t mode) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = '\0';
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *s = '/';
        }
        if (mkdir(p, mode) == 0)
                return 0;
        if (errno != EEXIST)
                return -errno;
        struct stat st;
        if (stat(p, &st) < 0)
                return -errno;
        return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* Whether stx (an entry of a folder on parent_dev) is a mount point: another
 * device, or (a bind mount of the same file system) the mount-root bit. */
static bool stx_is_mount(const struct statx *stx, dev_t parent_dev) {
        if (makedev(stx->stx_dev_major, stx->stx_dev_minor) != parent_dev)
                return true;
        return (stx->stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
               (stx->stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static int statx_nofollow(int dirfd, const char *name, struct statx *ret) {
        if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE | STATX_INO,
                  ret) < 0)
                return -errno;
        return 0;
}

int path_is_mount_point(const char *path) {
        struct statx stx;
        if (statx_nofollow(AT_FDCWD, path, &stx) < 0)
                return 0;
        return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
               (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static int set_busy(char **ret_busy, const char *path, const char *name) {
        if (ret_busy && !*ret_busy && asprintf(ret_busy, "%s/%s", path, name) < 0)
                *ret_busy = NULL;
        return -EBUSY;
}

/* Walks (and unless RM_CHECK_ONLY, empties) the folder fd shown as path.
 * fd is consumed. */
static int tree_walk(int fd, const char *path, dev_t dev, unsigned flags, char **ret_busy) {
        DIR *d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return r;
        }
        bool remove = !(flags & RM_CHECK_ONLY);
        int r = 0;
        struct dirent *de;
        for (errno = 0; r == 0 && (de = readdir(d)); errno = 0) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                struct statx stx;
                r = statx_nofollow(dirfd(d), de->d_name, &stx);
                if (r == -ENOENT) {
                        r = 0;
                        continue;
                }
                if (r < 0)
                        break;
                if (stx_is_mount(&stx, dev)) {
                        r = set_busy(ret_busy, path, de->d_name);
                        break;
                }
                if (!S_ISDIR(stx.stx_mode)) {
                        if (remove && unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT) {
                                r = -errno;
                                if (r == -EBUSY)   /* a bind-mounted file */
                                        set_busy(ret_busy, path, de->d_name);
                        }
                        continue;
                }
                int cfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (cfd < 0) {
                        if (errno != ENOENT)
                                r = -errno;
                        continue;
                }
                struct stat cst;
                if (fstat(cfd, &cst) < 0 || cst.st_dev != dev || cst.st_ino != stx.stx_ino) {
                        /* Swapped or mounted over under us. */
                        close(cfd);
                        r = set_busy(ret_busy, path, de->d_name);
                        break;
                }
                _cleanup_free_ char *child = NULL;
                if (asprintf(&child, "%s/%s", path, de->d_name) < 0) {
                        close(cfd);
                        r = -ENOMEM;
                        break;
                }
                r = tree_walk(cfd, child, dev, flags, ret_busy);
                if (r == 0 && remove && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) < 0 &&
                    errno != ENOENT) {
                        r = -errno;
                        if (r == -EBUSY)
                                set_busy(ret_busy, path, de->d_name);
                }
        }
        if (r == 0 && errno != 0)
                r = -errno;
        closedir(d);
        return r;
}

int rm_rf_at(int dirfd, const char *name, unsigned flags, char **ret_busy) {
        struct statx stx;
        int r = statx_nofollow(dirfd, name, &stx);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        bool remove = !(flags & RM_CHECK_ONLY);
        if (!S_ISDIR(stx.stx_mode)) {
                if (remove && unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
                        return -errno;
                return 0;
        }
        if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
            (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
                if (ret_busy && !*ret_busy)
                        *ret_busy = strdup(name);
                return -EBUSY;
        }
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        r = tree_walk(fd, name, makedev(stx.stx_dev_major, stx.stx_dev_minor), flags, ret_busy);
        if (r < 0)
                return r;
        if (remove && unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

int rm_rf(const char *path) {
        return rm_rf_at(AT_FDCWD, path, 0, NULL);
}

char *path_join(const char *a, const char *b) {
        char *s;
        size_t la = strlen(a);
        while (*b == '/')
                b++;
        if (asprintf(&s, "%s%s%s", a, la && a[la - 1] == '/' ? "" : "/", b) < 0)
                return NULL;
        return s;
}
