/* SPDX-License-Identifier: Apache-2.0 */
/* The watcher: QEMU that stopped for good must not be waited on.
 *
 * After a "KVM internal error" (or a guest panic, an I/O error) QEMU 7.2
 * pauses the VM and stays there: no option makes it exit.  So the plugin
 * gives every VM a second, private QMP socket (work_dir/qmp-watch.sock; the
 * control socket serves one client at a time, and `podrt pause` and stop
 * use it) and a watcher process that listens to it: on a STOP event (and
 * every second in any case) it asks query-status, and when the status says
 * the guest cannot go on it writes the status into
 * work_dir/hypervisor-stopped and quits QEMU.  The kvm backend's keeper,
 * which waits for QEMU's exit, then finds the file and says why.  The
 * watcher ends when QEMU closes the socket. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu.h"

bool qemu_status_is_fatal(const char *status) {
        static const char *const fatal[] = { "internal-error", "guest-panicked", "io-error", "shutdown", NULL };
        for (size_t i = 0; fatal[i]; i++)
                if (!strcmp(status, fatal[i]))
                        return true;
        return false;
}

int qemu_watch(const char *path, pid_t pid, const char *stopped_path, int64_t deadline_ms,
               char *status, size_t size) {
        status[0] = '\0';
        struct qmp *q = NULL;
        /* QEMU makes the socket a moment after it starts. */
        for (;;) {
                _cleanup_(podrt_error_freep) struct podrt_error *e = NULL;
                if (qmp_open(path, 2000, &q, &e) >= 0)
                        break;
                if (kill(pid, 0) < 0 || (deadline_ms && now_ms() >= deadline_ms))
                        return 0;
                usleep(10000);
        }
        int fatal = 0;
        for (;;) {
                char event[64] = "", st[64] = "";
                int r = qmp_wait_event(q, 1000, event, sizeof(event));
                if (r < 0 && r != -ETIMEDOUT)
                        break;   /* QEMU is gone */
                _cleanup_(podrt_error_freep) struct podrt_error *e = NULL;
                if (qmp_status(q, 2000, st, sizeof(st), &e) < 0)
                        break;
                if (qemu_status_is_fatal(st)) {
                        snprintf(status, size, "%s", st);
                        fatal = 1;
                        if (stopped_path) {
                                char line[80];
                                snprintf(line, sizeof(line), "%s\n", st);
                                (void)write_file_atomic(stopped_path, line, strlen(line), 0644, 0);
                        }
                        _cleanup_(podrt_error_freep) struct podrt_error *e2 = NULL;
                        qmp_command(q, "quit", 2000, &e2);
                        break;
                }
                if (deadline_ms && now_ms() >= deadline_ms)
                        break;
        }
        qmp_close(q);
        return fatal;
}

int qemu_watch_spawn(const char *work_dir, pid_t pid) {
        _cleanup_free_ char *sock = path_join(work_dir, QEMU_WATCH_SOCKET);
        _cleanup_free_ char *stopped = path_join(work_dir, QEMU_STOPPED_FILE);
        if (!sock || !stopped)
                return -ENOMEM;
        unlink(stopped);
        pid_t child = fork();
        if (child < 0)
                return -errno;
        if (child == 0) {
                /* Detached (a grandchild, reaped by init) so that whoever
                 * started QEMU waits for QEMU alone. */
                if (fork() != 0)
                        _exit(0);
                signals_reset();
                signal(SIGPIPE, SIG_IGN);
                /* Nothing of the caller's (the apps' pipes): stdio only. */
                fds_close_from(3, 0);
                prctl(PR_SET_NAME, "podrt-qemu-watch");
                char status[64];
                qemu_watch(sock, pid, stopped, 0, status, sizeof(status));
                _exit(0);
        }
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
                ;
        return 0;
}
