/* SPDX-License-Identifier: Apache-2.0 */
/* Starting systemd-nspawn (see spawn.h). */
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

/* A failure in the child, before exec: one line on its stderr (nspawn's
 * log, which the plugin reports when the pod never started) and the exit
 * status a shell would give. */
static _Noreturn void child_fail(int status, const char *what, int e) {
        dprintf(STDERR_FILENO, "podrt: %s: %s\n", what, strerror(e));
        _exit(status);
}

static _Noreturn void child(char *const *argv, const int *fds, size_t n_fds, int log_fd,
                            const struct nspawn_cgroups *cg) {
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

        /* Every fd we keep goes above the final layout first, so that no
         * dup2 clobbers one not yet moved. */
        int top = (int)(3 + n_fds + 1);
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null < 0)
                child_fail(125, "/dev/null", errno);
        int moved[n_fds + 2];
        const int src[2] = { null, log_fd };
        for (size_t i = 0; i < n_fds + 2; i++) {
                int from = i < 2 ? src[i] : fds[i - 2];
                moved[i] = fcntl(from, F_DUPFD_CLOEXEC, top);
                if (moved[i] < 0)
                        child_fail(125, "dup", errno);
        }
        if (dup2(moved[0], 0) < 0 || dup2(moved[1], 1) < 0 || dup2(moved[1], 2) < 0)
                child_fail(125, "stdio", errno);
        for (size_t i = 0; i < n_fds; i++)
                if (dup2(moved[i + 2], (int)(3 + i)) < 0)
                        child_fail(125, "dup2", errno);
        /* Everything above the passed descriptors closes at exec. */
        if (syscall(SYS_close_range, (unsigned)(3 + n_fds), ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) < 0) {
                long max = sysconf(_SC_OPEN_MAX);
                for (int fd = (int)(3 + n_fds); fd < (max > 0 && max < 65536 ? max : 65536); fd++)
                        fcntl(fd, F_SETFD, FD_CLOEXEC);
        }

        if (cg && cg->dirs) {
                const char *dir = NULL;
                int r = nspawn_cgroups_join(cg, &dir);
                if (r < 0) {
                        char what[4200];
                        snprintf(what, sizeof what, "joining cgroup %s", dir);
                        child_fail(125, what, -r);
                }
        }
        char n[32], pid[32];
        snprintf(n, sizeof n, "%zu", n_fds);
        snprintf(pid, sizeof pid, "%d", (int)getpid());
        if (setenv("LISTEN_FDS", n, 1) < 0 || setenv("LISTEN_PID", pid, 1) < 0)
                child_fail(125, "environment", errno);
        unsetenv("LISTEN_FDNAMES");
        unsetenv("NOTIFY_SOCKET");
        execvp(argv[0], argv);
        child_fail(errno == ENOENT ? 127 : 126, argv[0], errno);
}

int nspawn_spawn(char *const *argv, const int *fds, size_t n_fds, int log_fd,
                 const struct nspawn_cgroups *cg, pid_t *ret_pid, struct podrt_error **err) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
                return podrt_error_set(err, errno, "fork: %s", strerror(errno));
        if (pid == 0)
                child(argv, fds, n_fds, log_fd, cg);
        *ret_pid = pid;
        return 0;
}
