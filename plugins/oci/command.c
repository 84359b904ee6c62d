/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "macro.h"
#include "command.h"
#include "timeutil.h"

extern char **environ;

int oci_spawn(char *const *argv, int in, int out, int err_fd, pid_t *ret_pid,
              struct podrt_error **err) {
        return oci_spawn_fd3(argv, in, out, err_fd, -1, ret_pid, err);
}

int oci_spawn_fd3(char *const *argv, int in, int out, int err_fd, int extra, pid_t *ret_pid,
                  struct podrt_error **err) {
        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t all, none;
        int r;

        sigfillset(&all);
        sigemptyset(&none);
        posix_spawn_file_actions_init(&fa);
        posix_spawnattr_init(&attr);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

        int fds[3] = {in, out, err_fd};
        for (int i = 0; i < 3; i++) {
                if (fds[i] < 0)
                        r = posix_spawn_file_actions_addopen(&fa, i, "/dev/null",
                                                             i == 0 ? O_RDONLY : O_WRONLY, 0);
                else
                        /* dup2 onto itself clears FD_CLOEXEC (glibc >= 2.29). */
                        r = posix_spawn_file_actions_adddup2(&fa, fds[i], i);
                if (r != 0)
                        goto out;
        }
        if (extra >= 0 && (r = posix_spawn_file_actions_adddup2(&fa, extra, 3)) != 0)
                goto out;
        r = posix_spawn_file_actions_addclosefrom_np(&fa, extra >= 0 ? 4 : 3);
        if (r != 0)
                goto out;

        pid_t pid;
        r = posix_spawn(&pid, argv[0], &fa, &attr, argv, environ);
        if (r == 0)
                *ret_pid = pid;
out:
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        if (r != 0)
                return podrt_error_set(err, r, "%s: %s", argv[0], strerror(r));
        return 0;
}

static int status_code(int st) {
        if (WIFEXITED(st))
                return WEXITSTATUS(st);
        if (WIFSIGNALED(st))
                return 128 + WTERMSIG(st);
        return 255;
}

int oci_wait(pid_t pid, int *ret_status) {
        int st;
        for (;;) {
                pid_t p = waitpid(pid, &st, 0);
                if (p == pid)
                        break;
                if (p < 0 && errno == EINTR)
                        continue;
                return -errno;
        }
        *ret_status = status_code(st);
        return 0;
}

int oci_run_capture(char *const *argv, int timeout_ms, int *ret_status, char **ret_output,
                    struct podrt_error **err) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return podrt_error_set(err, errno, "pipe: %s", strerror(errno));
        _cleanup_close_ int rd = p[0];
        pid_t pid;
        int r = oci_spawn(argv, -1, p[1], p[1], &pid, err);
        close(p[1]);
        if (r < 0)
                return r;

        size_t cap = 65536, len = 0;
        _cleanup_free_ char *buf = malloc(cap + 1);
        int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
        bool timed_out = false;
        for (;;) {
                int wait = -1;
                if (deadline >= 0) {
                        int64_t left = deadline - now_ms();
                        if (left <= 0) {
                                timed_out = true;
                                kill(pid, SIGKILL);
                                break;
                        }
                        wait = (int)left;
                }
                struct pollfd pfd = {.fd = rd, .events = POLLIN};
                int n = poll(&pfd, 1, wait);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        continue;
                char tmp[4096];
                ssize_t k = read(rd, tmp, sizeof tmp);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                if (buf && len < cap) {
                        size_t take = (size_t)k < cap - len ? (size_t)k : cap - len;
                        memcpy(buf + len, tmp, take);
                        len += take;
                }
        }
        int status = 255;
        r = oci_wait(pid, &status);
        if (r < 0 && r != -ECHILD)
                return podrt_error_set(err, r, "%s: wait: %s", argv[0], strerror(-r));
        if (timed_out)
                return podrt_error_set(err, ETIMEDOUT, "%s: timed out after %d ms", argv[0],
                                       timeout_ms);
        if (buf)
                buf[len] = '\0';
        *ret_status = status;
        if (ret_output)
                *ret_output = TAKE_PTR(buf);
        return 0;
}

const char *oci_last_line(const char *text, char *buf, size_t size) {
        buf[0] = '\0';
        if (!text)
                return buf;
        const char *end = text + strlen(text);
        while (end > text && (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\r'))
                end--;
        const char *start = end;
        while (start > text && start[-1] != '\n')
                start--;
        while (start < end && *start == ' ')
                start++;
        size_t n = (size_t)(end - start);
        if (n >= size)
                n = size - 1;
        memcpy(buf, start, n);
        buf[n] = '\0';
        return buf;
}

int oci_wait_exit(pid_t pid, int timeout_ms) {
        int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
                return errno == ESRCH ? 1 : -errno;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int64_t deadline = now_ms() + timeout_ms;
        int r;
        for (;;) {
                int64_t left = deadline - now_ms();
                r = poll(&pfd, 1, left > 0 ? (int)left : 0);
                if (r < 0 && errno == EINTR)
                        continue;
                break;
        }
        int e = errno;
        close(fd);
        if (r < 0)
                return -e;
        return r > 0 ? 1 : 0;
}
