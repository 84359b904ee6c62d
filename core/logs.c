/* SPDX-License-Identifier: Apache-2.0 */
/* podrt logs: each app's log, across the rotation the monitor does
 * (output.log.1, then output.log), followed while the pod runs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "lifecycle.h"
#include "pod.h"

/* Copies fd's new bytes to out; returns bytes copied or -errno. */
static ssize_t copy_new(int fd, int out) {
        char buf[65536];
        ssize_t total = 0, n;
        while ((n = read(fd, buf, sizeof(buf))) > 0) {
                for (ssize_t off = 0; off < n;) {
                        ssize_t w = write(out, buf + off, n - off);
                        if (w < 0) {
                                if (errno == EINTR)
                                        continue;
                                return -errno;
                        }
                        off += w;
                }
                total += n;
        }
        return n < 0 ? -errno : total;
}

/* Copies path.1 (what rotation kept) and then path, whole, to out. */
static int copy_rotated(const char *path, int out, int *ret_fd) {
        char old[PATH_MAX];
        snprintf(old, sizeof(old), "%s.1", path);
        _cleanup_close_ int ofd = open(old, O_RDONLY | O_CLOEXEC);
        if (ofd >= 0 && copy_new(ofd, out) < 0)
                return -errno;
        *ret_fd = open(path, O_RDONLY | O_CLOEXEC);
        if (*ret_fd < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

/* When the log was rotated under fd (the monitor renamed it to .1): the
 * rest of the old file, then the new one from its start. */
static int follow_rotation(const char *path, int *fd, int out) {
        struct stat a, b;
        if (*fd < 0 || fstat(*fd, &a) < 0 || stat(path, &b) < 0 || a.st_ino == b.st_ino)
                return 0;
        if (copy_new(*fd, out) < 0)
                return -errno;
        close(*fd);
        *fd = open(path, O_RDONLY | O_CLOEXEC);
        return 0;
}

int runtime_logs(struct runtime *rt, const char *ref, const char *app, int follow, int out_fd,
                 struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        _cleanup_close_ int lock = -1;
        int r = runtime_open_pod(rt, ref, LOCK_SH, &pod, &lock, err);
        if (r < 0)
                return r;
        close(TAKE_FD(lock));
        if (app && !podrt_pod_app_by_name(pod, app))
                return podrt_error_set(err, ENOENT, "pod %s has no app named %s", pod->name, app);
        size_t n = pod->spec->n_apps;
        _cleanup_free_ int *fds = calloc(n, sizeof(int));
        if (!fds)
                return podrt_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                fds[i] = -1;
                if (app && strcmp(pod->apps[i].spec->name, app) != 0)
                        continue;
                int k = copy_rotated(pod->apps[i].log_path, out_fd, &fds[i]);
                if (k < 0 && r >= 0)
                        r = podrt_error_set(err, k, "%s: %s", pod->apps[i].log_path, strerror(-k));
        }
        for (int pass = 0; r >= 0; pass++) {
                int alive = follow && pod_monitor_alive(rt, pod->id);
                for (size_t i = 0; i < n && r >= 0; i++) {
                        if (app && strcmp(pod->apps[i].spec->name, app) != 0)
                                continue;
                        if (fds[i] < 0 && follow)
                                fds[i] = open(pod->apps[i].log_path, O_RDONLY | O_CLOEXEC);
                        if ((fds[i] >= 0 && copy_new(fds[i], out_fd) < 0) ||
                            (follow && follow_rotation(pod->apps[i].log_path, &fds[i], out_fd) < 0))
                                r = podrt_error_set(err, errno, "writing logs: %m");
                }
                if (!alive)
                        break;
                nanosleep(&(struct timespec){ .tv_nsec = 100 * 1000 * 1000 }, NULL);
        }
        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        return r < 0 ? r : 0;
}
