/* SPDX-License-Identifier: Apache-2.0 */
/* Child processes of the kvm backend: a clean fd table and signal state for
 * what it execs, short helper runs with a deadline, and checks on a VM's
 * process that another podrt command started. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kvm.h"

void proc_child_setup(int out_fd, int err_fd) {
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        /* Move the wanted fds above 2 first, so that dup2 cannot clobber. */
        int o = out_fd >= 0 ? fcntl(out_fd, F_DUPFD_CLOEXEC, 3) : null;
        int e = err_fd >= 0 ? fcntl(err_fd, F_DUPFD_CLOEXEC, 3) : null;
        dup2(null, 0);
        dup2(o, 1);
        dup2(e, 2);
        /* Everything else goes at exec (and now, where we can). */
        if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
                for (int fd = 3; fd < 1024; fd++)
                        close(fd);
        /* Its own session: a terminal's ^C reaches the monitor, which asks
         * the backend (kill) instead of the hypervisor dying on its own. */
        setsid();
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        signal(s, SIG_DFL);
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int proc_run(char *const *argv, int log_fd, int timeout_ms, struct podrt_error **err) {
        int pfd = -1;
        pid_t pid;
        fflush(NULL);
        pid = (pid_t)syscall(SYS_clone, SIGCHLD | CLONE_PIDFD, NULL, &pfd, NULL, 0);
        if (pid < 0)
                return podrt_error_set(err, errno, "fork: %m");
        if (pid == 0) {
                proc_child_setup(log_fd, log_fd);
                execvp(argv[0], argv);
                _exit(127);
        }
        int status = 0;
        int64_t deadline = now_ms() + timeout_ms;
        for (;;) {
                int64_t left = deadline - now_ms();
                struct pollfd p = { .fd = pfd, .events = POLLIN };
                int k = left > 0 ? poll(&p, 1, (int)left) : 0;
                if (k < 0 && errno == EINTR)
                        continue;
                if (k == 0) {
                        kill(pid, SIGKILL);
                        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                                ;
                        close(pfd);
                        return podrt_error_set(err, ETIMEDOUT, "%s did not finish within %d ms",
                                               argv[0], timeout_ms);
                }
                break;
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        close(pfd);
        return status;
}

int proc_matches(pid_t pid, const char *needle) {
        if (pid <= 0)
                return 0;
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
        _cleanup_free_ char *buf = NULL;
        size_t n = 0;
        if (kvm_read_file(path, 1 << 20, &buf, &n) < 0 || n == 0)
                return 0;
        for (size_t i = 0; i < n; i++)
                if (!buf[i])
                        buf[i] = ' ';
        return strstr(buf, needle) != NULL;
}

int proc_wait_gone(pid_t pid, int timeout_ms) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        int64_t deadline = now_ms() + timeout_ms;
        for (;;) {
                _cleanup_free_ char *buf = NULL;
                if (kvm_read_file(path, 4096, &buf, NULL) < 0)
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

char *proc_find_program(const char *name) {
        if (strchr(name, '/'))
                return access(name, X_OK) == 0 ? strdup(name) : NULL;
        const char *path = getenv("PATH");
        if (!path || !*path)
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return NULL;
        char *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                char *full = kvm_path_join(dir, name);
                struct stat st;
                if (full && stat(full, &st) == 0 && S_ISREG(st.st_mode) && access(full, X_OK) == 0)
                        return full;
                free(full);
        }
        return NULL;
}
