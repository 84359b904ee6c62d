/* SPDX-License-Identifier: Apache-2.0 */
/* Starting systemd-nspawn (see spawn.h).  The child reports a failure before
 * exec through a close-on-exec pipe: EOF means the exec happened. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errors.h"
#include "spawn.h"

enum step { STEP_SETUP, STEP_CGROUP, STEP_FDS, STEP_EXEC };

struct report {
        int step;
        int err;
        char what[256];
};

static _Noreturn void child_fail(int pipe_fd, int step, int e, const char *what) {
        struct report rep = { .step = step, .err = e };
        snprintf(rep.what, sizeof rep.what, "%s", what ? what : "");
        (void)!write(pipe_fd, &rep, sizeof rep);
        _exit(127);
}

static _Noreturn void child(char *const *argv, const int *fds, size_t n_fds, int log_fd,
                            const struct nspawn_cgroups *cg, int pipe_fd) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        /* Ignored signals stay ignored across exec: the monitor ignores
         * SIGPIPE. */
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        signal(s, SIG_DFL);
        /* Its own session: the terminal's ^C reaches the monitor, which
         * forwards it to the pod. */
        setsid();
        if (cg && cg->dirs) {
                const char *dir = NULL;
                int r = nspawn_cgroups_join(cg, &dir);
                if (r < 0)
                        child_fail(pipe_fd, STEP_CGROUP, -r, dir);
        }

        /* Every fd we keep goes above the final layout first, so that no
         * dup2 clobbers one not yet moved. */
        int top = (int)(3 + n_fds + 1);
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null < 0)
                child_fail(pipe_fd, STEP_FDS, errno, "/dev/null");
        int moved[n_fds + 2];
        const int src[2] = { null, log_fd };
        for (size_t i = 0; i < n_fds + 2; i++) {
                int from = i < 2 ? src[i] : fds[i - 2];
                moved[i] = fcntl(from, F_DUPFD_CLOEXEC, top);
                if (moved[i] < 0)
                        child_fail(pipe_fd, STEP_FDS, errno, "dup");
        }
        if (pipe_fd < top) {
                int p = fcntl(pipe_fd, F_DUPFD_CLOEXEC, top);
                if (p < 0)
                        child_fail(pipe_fd, STEP_FDS, errno, "dup");
                pipe_fd = p;
        }
        if (dup2(moved[0], 0) < 0 || dup2(moved[1], 1) < 0 || dup2(moved[1], 2) < 0)
                child_fail(pipe_fd, STEP_FDS, errno, "stdio");
        for (size_t i = 0; i < n_fds; i++)
                if (dup2(moved[i + 2], (int)(3 + i)) < 0)
                        child_fail(pipe_fd, STEP_FDS, errno, "dup2");
        /* Everything above the passed descriptors closes at exec. */
        if (syscall(SYS_close_range, (unsigned)(3 + n_fds), ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) < 0) {
                long max = sysconf(_SC_OPEN_MAX);
                for (int fd = (int)(3 + n_fds); fd < (max > 0 && max < 65536 ? max : 65536); fd++)
                        if (fd != pipe_fd)
                                fcntl(fd, F_SETFD, FD_CLOEXEC);
        }

        char n[32], pid[32];
        snprintf(n, sizeof n, "%zu", n_fds);
        snprintf(pid, sizeof pid, "%d", (int)getpid());
        if (setenv("LISTEN_FDS", n, 1) < 0 || setenv("LISTEN_PID", pid, 1) < 0)
                child_fail(pipe_fd, STEP_SETUP, errno, "environment");
        unsetenv("LISTEN_FDNAMES");
        unsetenv("NOTIFY_SOCKET");
        execvp(argv[0], argv);
        child_fail(pipe_fd, STEP_EXEC, errno, argv[0]);
}

int nspawn_spawn(char *const *argv, const int *fds, size_t n_fds, int log_fd,
                 const struct nspawn_cgroups *cg, pid_t *ret_pid, struct podrt_error **err) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return podrt_error_set(err, errno, "pipe: %s", strerror(errno));
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                int e = errno;
                close(p[0]);
                close(p[1]);
                return podrt_error_set(err, e, "fork: %s", strerror(e));
        }
        if (pid == 0) {
                close(p[0]);
                child(argv, fds, n_fds, log_fd, cg, p[1]);
        }
        close(p[1]);
        struct report rep;
        ssize_t n;
        while ((n = read(p[0], &rep, sizeof rep)) < 0 && errno == EINTR)
                ;
        close(p[0]);
        if (n <= 0) {
                *ret_pid = pid;
                return 0;
        }
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        if (n != (ssize_t)sizeof rep)
                return podrt_error_set(err, EIO, "%s: the child failed before exec", argv[0]);
        rep.what[sizeof rep.what - 1] = '\0';
        switch (rep.step) {
        case STEP_CGROUP:
                return podrt_error_set(err, rep.err, "joining cgroup %s: %s", rep.what, strerror(rep.err));
        case STEP_EXEC:
                if (rep.err == ENOENT)
                        return podrt_error_set(err, rep.err, "%s: not found (nspawn.binary; is systemd-container installed?)",
                                               rep.what);
                return podrt_error_set(err, rep.err, "%s: %s", rep.what, strerror(rep.err));
        default:
                return podrt_error_set(err, rep.err, "starting %s: %s: %s", argv[0], rep.what,
                                       strerror(rep.err));
        }
}
