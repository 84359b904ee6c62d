/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sched.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "process.h"
#include "timeutil.h"

#define VERSION_TIMEOUT_MS 2000

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

void signals_reset(void) {
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        signal(s, SIG_DFL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
}

void fds_close_from(int first, int cloexec) {
#ifdef SYS_close_range
        if (syscall(SYS_close_range, (unsigned)first, ~0U, cloexec ? CLOSE_RANGE_CLOEXEC : 0U) == 0)
                return;
#endif
        long max = sysconf(_SC_OPEN_MAX);
        if (max < 0 || max > 65536)
                max = 65536;
        for (int fd = first; fd < max; fd++) {
                if (cloexec) {
                        int f = fcntl(fd, F_GETFD);
                        if (f >= 0)
                                fcntl(fd, F_SETFD, f | FD_CLOEXEC);
                } else {
                        close(fd);
                }
        }
}

void fds_close_except(const int *keep, size_t n) {
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return;
        int self = dirfd(d);
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] < '0' || de->d_name[0] > '9')
                        continue;
                int fd = atoi(de->d_name);
                bool k = fd <= 2 || fd == self;
                for (size_t i = 0; i < n && !k; i++)
                        k = keep[i] == fd;
                if (!k)
                        close(fd);
        }
        closedir(d);
}

void relay_child_setup(const char *name, const int *keep, size_t n) {
        signals_reset();
        signal(SIGPIPE, SIG_IGN);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        prctl(PR_SET_NAME, name);
        fds_close_except(keep, n);
}

void child_setup(int in_fd, int out_fd, int err_fd, unsigned flags) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        /* Move the wanted fds above 2 first, so that dup2 cannot clobber. */
        int fds[3] = { in_fd, out_fd, err_fd };
        for (int i = 0; i < 3; i++)
                fds[i] = fds[i] >= 0 ? fcntl(fds[i], F_DUPFD_CLOEXEC, 3) : null;
        for (int i = 0; i < 3; i++)
                if (fds[i] >= 0)
                        dup2(fds[i], i);
        fds_close_from(3, 0);
        if (flags & CHILD_SETSID)
                setsid();
        signals_reset();
}

int run_program(char *const *argv, int out_fd, int timeout_ms, int *ret_status) {
        int pfd = -1;
        fflush(NULL);
        pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD | CLONE_PIDFD, NULL, &pfd, NULL, 0);
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                child_setup(-1, out_fd, out_fd, CHILD_SETSID);
                execvp(argv[0], argv);
                _exit(errno == ENOENT ? 127 : 126);
        }
        int64_t deadline = now_ms() + timeout_ms;
        int r = 0;
        for (;;) {
                int64_t left = deadline - now_ms();
                struct pollfd p = { .fd = pfd, .events = POLLIN };
                int k = left > 0 ? poll(&p, 1, (int)left) : 0;
                if (k < 0 && errno == EINTR)
                        continue;
                if (k == 0) {
                        kill(pid, SIGKILL);
                        r = -ETIMEDOUT;
                }
                break;
        }
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        close(pfd);
        if (r == 0 && ret_status)
                *ret_status = status;
        return r;
}

char *find_program(const char *name) {
        struct stat st;
        if (!name || !*name)
                return NULL;
        if (strchr(name, '/'))
                return stat(name, &st) == 0 && S_ISREG(st.st_mode) && access(name, X_OK) == 0
                        ? strdup(name) : NULL;
        const char *path = getenv("PATH");
        if (!path || !*path)
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return NULL;
        char *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                char *full = path_join(dir, name);
                if (full && stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
                        return full;
                free(full);
        }
        return NULL;
}

void report_write(int fd, int code, const char *msg) {
        char buf[4096];
        int n = snprintf(buf, sizeof(buf), "%d %s", code, msg ? msg : "");
        if (n >= (int)sizeof(buf))
                n = snprintf(buf, sizeof(buf), "%d (report too long)", code);
        (void)write_all(fd, buf, (size_t)n);
        close(fd);
}

int report_wait(int fd, char *msg, size_t size, const char *died) {
        char buf[4096];
        size_t len = read_report(fd, buf, sizeof(buf));
        char *rest = NULL;
        long code = len ? strtol(buf, &rest, 10) : EIO;
        if (code == 0)
                return 0;
        if (code < 0 || code > 4095)
                code = EIO;
        snprintf(msg, size, "%s", !len ? died : rest && *rest == ' ' ? rest + 1 : buf);
        return (int)code;
}

int pid_cmdline_contains(pid_t pid, const char *needle) {
        if (pid <= 0)
                return 0;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        if (read_file(path, 1 << 20, &buf, &n) < 0 || n == 0)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (!buf[i])
                        buf[i] = ' ';
        return strstr(buf, needle) != NULL;
}

const char *pid_stat_fields(pid_t pid, char **ret) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        *ret = NULL;
        if (read_file(path, 0, ret, NULL) < 0)
                return NULL;
        const char *p = strrchr(*ret, ')');
        return p ? p + 1 : NULL;
}

int pid_wait_gone(pid_t pid, int timeout_ms) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        int64_t deadline = now_ms() + timeout_ms;
        for (;;) {
                _cleanup_free_ char *buf = NULL;
                if (read_file(path, 4096, &buf, NULL) < 0)
                        return 1;
                /* A zombie is gone for us: its parent reaps it. */
                char *p = strrchr(buf, ')');
                if (p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
                        return 1;
                if (now_ms() >= deadline)
                        return 0;
                usleep(10000);
        }
}

int program_version(const char *path, char *out, size_t size) {
        _cleanup_close_ int fd = memfd_create("podrt-version", MFD_CLOEXEC);
        if (fd < 0) {
                snprintf(out, size, "memfd_create: %s", strerror(errno));
                return -errno;
        }
        char *argv[] = { (char *)path, (char *)"--version", NULL };
        int status = 0;
        int r = run_program(argv, fd, VERSION_TIMEOUT_MS, &status);
        if (r == -ETIMEDOUT) {
                snprintf(out, size, "%s --version: no answer within %d s", path,
                         VERSION_TIMEOUT_MS / 1000);
                return r;
        }
        if (r < 0) {
                snprintf(out, size, "cannot run %s: %s", path, strerror(-r));
                return r;
        }
        char buf[4096];
        ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
        buf[n > 0 ? n : 0] = '\0';
        char *line = buf + strspn(buf, "\r\n ");
        line[strcspn(line, "\r\n")] = '\0';
        if (WIFSIGNALED(status)) {
                snprintf(out, size, "%s --version: killed by signal %d", path, WTERMSIG(status));
                return -EIO;
        }
        if (WEXITSTATUS(status) != 0) {
                snprintf(out, size, "%s --version: exit status %d%s%.200s", path,
                         WEXITSTATUS(status), line[0] ? ": " : "", line);
                return -EIO;
        }
        if (!line[0]) {
                snprintf(out, size, "%s --version: printed nothing", path);
                return -ENODATA;
        }
        snprintf(out, size, "%.300s", line);
        return 0;
}

pid_t fork_reporting(struct report_pipe *rp) {
        int *p = rp->fd;
        if (pipe2(p, O_CLOEXEC) < 0) {
                rp->failed = "pipe";
                return -1;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(p[0]), close(p[1]);
                errno = e;
                rp->failed = "fork";
                return -1;
        }
        close(p[pid == 0 ? 0 : 1]);
        p[pid == 0 ? 0 : 1] = -1;
        rp->failed = NULL;
        return pid;
}

size_t read_report(int fd, char *buf, size_t size) {
        size_t len = 0;
        for (;;) {
                ssize_t k = read(fd, buf + len, size - 1 - len);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                len += (size_t)k;
        }
        close(fd);
        buf[len] = '\0';
        return len;
}
