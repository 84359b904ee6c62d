/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errors.h"
#include "namespaces.h"

static int touch(const char *path) {
        int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0444);
        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

int oci_ns_create(const char *uts_path, const char *ipc_path, const char *hostname,
                  struct podrt_error **err) {
        int r;
        if ((r = touch(uts_path)) < 0)
                return podrt_error_set(err, r, "%s: %s", uts_path, strerror(-r));
        if ((r = touch(ipc_path)) < 0)
                return podrt_error_set(err, r, "%s: %s", ipc_path, strerror(-r));

        /* A short-lived child unshares and binds its own namespaces; the
         * caller's stay as they are.  Only system calls between fork and
         * _exit; a failure travels back through a pipe as {step, errno}. */
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return podrt_error_set(err, errno, "pipe: %s", strerror(errno));
        pid_t pid = fork();
        if (pid < 0) {
                r = -errno;
                close(p[0]);
                close(p[1]);
                return podrt_error_set(err, r, "fork: %s", strerror(-r));
        }
        if (pid == 0) {
                int fail[2] = {1, 0};
                if (unshare(CLONE_NEWUTS | CLONE_NEWIPC) < 0)
                        goto fail;
                fail[0] = 2;
                if (hostname && sethostname(hostname, strlen(hostname)) < 0)
                        goto fail;
                fail[0] = 3;
                if (mount("/proc/self/ns/uts", uts_path, NULL, MS_BIND, NULL) < 0)
                        goto fail;
                fail[0] = 4;
                if (mount("/proc/self/ns/ipc", ipc_path, NULL, MS_BIND, NULL) < 0)
                        goto fail;
                _exit(0);
        fail:
                fail[1] = errno;
                (void)!write(p[1], fail, sizeof fail);
                _exit(1);
        }
        close(p[1]);
        int fail[2] = {0, 0};
        ssize_t n;
        do
                n = read(p[0], fail, sizeof fail);
        while (n < 0 && errno == EINTR);
        close(p[0]);
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return podrt_error_set(err, errno, "waitpid: %s", strerror(errno));
        if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
                return 0;
        static const char *const what[] = {"namespaces helper", "unshare(uts, ipc)", "sethostname",
                                           "bind uts namespace", "bind ipc namespace"};
        int step = n == (ssize_t)sizeof fail && fail[0] > 0 && fail[0] < 5 ? fail[0] : 0;
        int e = step ? fail[1] : EIO;
        return podrt_error_set(err, e ? e : EIO, "%s: %s", what[step], strerror(e ? e : EIO));
}

int oci_ns_remove(const char *path, struct podrt_error **err) {
        /* Stacked mounts (a retried create): unmount until none is left. */
        for (int i = 0; i < 8; i++)
                if (umount2(path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0) {
                        if (errno == EINVAL || errno == ENOENT)
                                break;
                        return podrt_error_set(err, errno, "umount %s: %s", path, strerror(errno));
                }
        if (unlink(path) < 0 && errno != ENOENT)
                return podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
        return 0;
}
