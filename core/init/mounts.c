/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "errors.h"
#include "mounts.h"
#include "paths.h"

/* ---- the pod's mounts ---- */

static bool is_fs(const char *path, long magic) {
        struct statfs sfs;
        return statfs(path, &sfs) == 0 && (long)sfs.f_type == magic;
}

static bool is_chardev(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

static int do_mount(const char *source, const char *target, const char *fstype,
                    unsigned long flags, const char *data, struct podrt_error **err) {
        if (mount(source, target, fstype, flags, data) < 0)
                return podrt_error_set(err, errno, "mount %s on %s (%s%s%s): %m", source, target,
                                       fstype ? fstype : "bind", data ? ", " : "", data ? data : "");
        return 0;
}

/* The nodes a /dev needs when it is a plain tmpfs. */
static int make_dev_nodes(const char *dev, struct podrt_error **err) {
        static const struct {
                const char *name;
                unsigned major, minor;
        } nodes[] = {
                { "null", 1, 3 }, { "zero", 1, 5 },    { "full", 1, 7 },
                { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
        };
        static const struct {
                const char *name, *target;
        } links[] = {
                { "fd", "/proc/self/fd" },
                { "stdin", "/proc/self/fd/0" },
                { "stdout", "/proc/self/fd/1" },
                { "stderr", "/proc/self/fd/2" },
        };
        char path[PATH_MAX];
        for (size_t i = 0; i < ELEMENTSOF(nodes); i++) {
                snprintf(path, sizeof(path), "%s/%s", dev, nodes[i].name);
                if (mknod(path, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) < 0 &&
                    errno != EEXIST)
                        return podrt_error_set(err, errno, "mknod %s: %m", path);
                chmod(path, 0666);      /* whatever the umask said */
        }
        for (size_t i = 0; i < ELEMENTSOF(links); i++) {
                snprintf(path, sizeof(path), "%s/%s", dev, links[i].name);
                if (symlink(links[i].target, path) < 0 && errno != EEXIST)
                        return podrt_error_set(err, errno, "symlink %s: %m", path);
        }
        snprintf(path, sizeof(path), "%s/pts", dev);
        mkdir(path, 0755);
        snprintf(path, sizeof(path), "%s/shm", dev);
        mkdir(path, 01777);
        return 0;
}

static int mount_dev(const char *dev, struct podrt_error **err) {
        if (mount("devtmpfs", dev, "devtmpfs", MS_NOSUID, "mode=0755") == 0)
                return 0;
        /* devtmpfs refused (a user namespace, a kernel without it): a tmpfs
         * with the basic nodes. */
        int r = do_mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755", err);
        if (r < 0)
                return r;
        return make_dev_nodes(dev, err);
}

int mounts_basic(struct podrt_error **err) {
        int r;
        if (!is_fs("/proc", PROC_SUPER_MAGIC)) {
                if ((r = init_mkdir_p("/proc", 0555, err)) < 0 ||
                    (r = do_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err)) < 0)
                        return r;
        }
        if (!is_fs("/sys", SYSFS_MAGIC)) {
                if ((r = init_mkdir_p("/sys", 0555, err)) < 0 ||
                    (r = do_mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err)) < 0)
                        return r;
        }
        if (!is_chardev("/dev/null")) {
                if ((r = init_mkdir_p("/dev", 0755, err)) < 0 || (r = mount_dev("/dev", err)) < 0)
                        return r;
        }
        return 0;
}

int mounts_pod(const struct initspec *s, struct podrt_error **err) {
        for (size_t i = 0; i < s->n_mounts; i++) {
                const struct initspec_mount *m = &s->mounts[i];
                int r = init_mkdir_p(m->target, 0755, err);
                if (r < 0)
                        return r;
                r = do_mount(m->source, m->target, m->fstype, m->flags, m->data, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- an app's mounts ---- */

/* Opens path inside the directory rootfd as if rootfd were "/": symlinks and
 * ".." never leave it (openat2 RESOLVE_IN_ROOT).  With create, missing
 * components are made: directories, and the last one a directory or (when
 * as_file) an empty file.  Returns an O_PATH fd. */
static int open_in_root(int rootfd, const char *root, const char *path, bool create, bool as_file,
                        struct podrt_error **err) {
        struct open_how how = {
                .flags = O_PATH | O_CLOEXEC,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        if (fd >= 0)
                return fd;
        int e = errno;
        if (e == ENOSYS) {
                /* Kernels before 5.6: a plain path under the root. */
                _cleanup_free_ char *full = NULL;
                if (asprintf(&full, "%s%s", root, path) < 0)
                        return podrt_error_set(err, ENOMEM, "out of memory");
                if (create) {
                        int r = as_file ? init_mkdir_parents(full, 0755, err) : init_mkdir_p(full, 0755, err);
                        if (r < 0)
                                return r;
                        if (as_file) {
                                int c = open(full, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
                                if (c >= 0)
                                        close(c);
                        }
                }
                fd = open(full, O_PATH | O_CLOEXEC);
                if (fd < 0)
                        return podrt_error_set(err, errno, "%s: %m", full);
                return fd;
        }
        if (e != ENOENT || !create)
                return podrt_error_set(err, e, "%s in %s: %s", path, root, strerror(e));

        /* Make the parent, then the last component inside it. */
        const char *slash = strrchr(path, '/');
        _cleanup_free_ char *parent = strndup(path, slash == path ? 1 : (size_t)(slash - path));
        if (!parent)
                return podrt_error_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int pfd = -1;
        if (strcmp(parent, path) != 0) {
                /* An O_PATH directory serves as mkdirat()'s and openat()'s dirfd. */
                pfd = open_in_root(rootfd, root, parent, true, false, err);
                if (pfd < 0)
                        return pfd;
        }
        const char *last = slash + 1;
        if (pfd >= 0 && *last) {
                if (as_file) {
                        int c = openat(pfd, last, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
                        if (c < 0 && errno != EEXIST)
                                return podrt_error_set(err, errno, "create %s in %s: %m", path, root);
                        if (c >= 0)
                                close(c);
                } else if (mkdirat(pfd, last, 0755) < 0 && errno != EEXIST)
                        return podrt_error_set(err, errno, "mkdir %s in %s: %m", path, root);
        }
        fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        if (fd < 0)
                return podrt_error_set(err, errno, "%s in %s: %m", path, root);
        return fd;
}

static void fd_path(char buf[static 64], int fd) {
        snprintf(buf, 64, "/proc/self/fd/%d", fd);
}

/* Remounts the mount at the top of fd read-only, keeping its other flags. */
static int remount_ro(int fd, const char *what, struct podrt_error **err) {
        struct statvfs sv;
        unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
        if (fstatvfs(fd, &sv) == 0) {
                if (sv.f_flag & ST_NOSUID)
                        flags |= MS_NOSUID;
                if (sv.f_flag & ST_NODEV)
                        flags |= MS_NODEV;
                if (sv.f_flag & ST_NOEXEC)
                        flags |= MS_NOEXEC;
        }
        char p[64];
        fd_path(p, fd);
        if (mount(NULL, p, NULL, flags, NULL) < 0)
                return podrt_error_set(err, errno, "remount %s read-only: %m", what);
        return 0;
}

/* Binds source onto path inside the root (created as a directory or a file
 * like the source), read-only when asked. */
static int bind_in_root(int rootfd, const char *root, const char *source, const char *path,
                        bool read_only, struct podrt_error **err) {
        struct stat st;
        if (stat(source, &st) < 0)
                return podrt_error_set(err, errno, "bind %s: %m", source);
        _cleanup_close_ int fd = open_in_root(rootfd, root, path, true, !S_ISDIR(st.st_mode), err);
        if (fd < 0)
                return podrt_error_set(err, fd, "bind %s on %s", source, path);
        char p[64];
        fd_path(p, fd);
        if (mount(source, p, NULL, MS_BIND | MS_REC, NULL) < 0)
                return podrt_error_set(err, errno, "bind %s on %s: %m", source, path);
        if (!read_only)
                return 0;
        /* Reopen: the fd above names the directory under the new mount. */
        _cleanup_close_ int top = open_in_root(rootfd, root, path, false, false, err);
        if (top < 0)
                return top;
        return remount_ro(top, path, err);
}

static int switch_root(int rootfd, const char *root, struct podrt_error **err) {
        if (fchdir(rootfd) < 0)
                return podrt_error_set(err, errno, "chdir %s: %m", root);
        if (syscall(SYS_pivot_root, ".", ".") == 0) {
                /* The old root is stacked on the new one: detach it. */
                if (umount2(".", MNT_DETACH) < 0)
                        return podrt_error_set(err, errno, "detach the old root: %m");
        } else if (errno == EINVAL) {
                /* An initramfs root cannot be pivoted away: move the app's
                 * root onto / and chroot there, as switch_root does. */
                if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
                        return podrt_error_set(err, errno, "move %s onto /: %m", root);
                if (chroot(".") < 0)
                        return podrt_error_set(err, errno, "chroot %s: %m", root);
        } else
                return podrt_error_set(err, errno, "pivot_root %s: %m", root);
        if (chdir("/") < 0)
                return podrt_error_set(err, errno, "chdir /: %m");
        return 0;
}

int mounts_enter_app(const struct initspec_app *app, struct podrt_error **err) {
        const char *root = app->root;
        int r;
        struct stat st;

        if (stat(root, &st) < 0)
                return podrt_error_set(err, errno, "root %s: %m", root);
        if (!S_ISDIR(st.st_mode))
                return podrt_error_set(err, ENOTDIR, "root %s: not a directory", root);
        if (unshare(CLONE_NEWNS) < 0)
                return podrt_error_set(err, errno, "a mount namespace: %m");
        /* EINVAL: "/" is no mount point (podrt-init under a plain chroot);
         * the app's own tree is made private just below. */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 && errno != EINVAL)
                return podrt_error_set(err, errno, "make mounts private: %m");
        if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0)
                return podrt_error_set(err, errno, "bind %s onto itself: %m", root);
        if (mount(NULL, root, NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return podrt_error_set(err, errno, "make %s private: %m", root);
        _cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return podrt_error_set(err, errno, "root %s: %m", root);

        /* proc of the pod's PID namespace. */
        {
                _cleanup_close_ int fd = open_in_root(rootfd, root, "/proc", true, false, err);
                if (fd < 0)
                        return fd;
                char p[64];
                fd_path(p, fd);
                if (mount("proc", p, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                        return podrt_error_set(err, errno, "mount proc in %s: %m", root);
        }
        /* /dev: the pod's, or a tmpfs with the basic nodes. */
        if (is_chardev("/dev/null")) {
                if ((r = bind_in_root(rootfd, root, "/dev", "/dev", false, err)) < 0)
                        return r;
        } else {
                _cleanup_close_ int fd = open_in_root(rootfd, root, "/dev", true, false, err);
                if (fd < 0)
                        return fd;
                char p[64];
                fd_path(p, fd);
                if (mount("tmpfs", p, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755") < 0)
                        return podrt_error_set(err, errno, "mount a /dev in %s: %m", root);
                _cleanup_free_ char *dev = NULL;
                if (asprintf(&dev, "%s/dev", root) < 0)
                        return podrt_error_set(err, ENOMEM, "out of memory");
                if ((r = make_dev_nodes(dev, err)) < 0)
                        return r;
        }
        /* /sys, read-only, when the root has a place for it. */
        if (is_fs("/sys", SYSFS_MAGIC)) {
                _cleanup_close_ int fd = open_in_root(rootfd, root, "/sys", false, false, NULL);
                if (fd >= 0 && (r = bind_in_root(rootfd, root, "/sys", "/sys", true, err)) < 0)
                        return r;
        }
        for (size_t i = 0; i < app->n_binds; i++) {
                const struct initspec_bind *b = &app->binds[i];
                if ((r = bind_in_root(rootfd, root, b->source, b->target, b->read_only, err)) < 0)
                        return r;
        }
        if (app->read_only_root && (r = remount_ro(rootfd, root, err)) < 0)
                return r;
        if ((r = switch_root(rootfd, root, err)) < 0)
                return r;
        const char *wd = app->workdir ? app->workdir : "/";
        if (chdir(wd) < 0)
                return podrt_error_set(err, errno, "workdir %s: %m", wd);
        return 0;
}
