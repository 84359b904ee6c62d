/* SPDX-License-Identifier: Apache-2.0 */
/* The control socket: a unix stream socket at the description's control
 * path, served by PID 1 between signals.  One request a connection, in the
 * exec channel's frames (basic/initspec.h): APP_START (a one-app
 * description, with its stdout and stderr as descriptors when the host has
 * them) or APP_SIGNAL.  The nspawn backend's relay connects from the host
 * (the socket is in the pod root); in a VM, the exec agent passes the
 * host's requests on.  Only the pod's own side reaches it: the apps run in
 * roots of their own, where the path does not exist. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "errors.h"
#include "paths.h"

/* A request must come at once: PID 1 does nothing else meanwhile. */
#define REQUEST_TIMEOUT_MS 2000

int control_listen(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_error_ struct podrt_error *e = NULL;
        if (strlen(path) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "podrt-init: control %s: path too long\n", path);
                return -ENAMETOOLONG;
        }
        strcpy(sa.sun_path, path);
        if (init_mkdir_parents(path, 0755, &e) < 0) {
                fprintf(stderr, "podrt-init: control: %s\n", podrt_error_message(e));
                return -ENOENT;
        }
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
                int r = -errno;
                fprintf(stderr, "podrt-init: control: socket: %s\n", strerror(errno));
                return r;
        }
        (void)unlink(path);
        mode_t old = umask(0077);
        int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
        umask(old);
        if (r < 0 || listen(fd, 16) < 0) {
                r = -errno;
                fprintf(stderr, "podrt-init: control %s: %s: apps cannot be added to this pod\n", path,
                        strerror(errno));
                close(fd);
                return r;
        }
        return fd;
}

static void answer(int fd, char type, const char *fmt, ...) PODRT_PRINTF(3, 4);
static void answer(int fd, char type, const char *fmt, ...) {
        char text[1024];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        (void)initspec_frame_send(fd, type, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1,
                                  NULL, 0);
}

/* STDERR (why) and EXIT (code): a refused request. */
static void refuse(int fd, int code, const char *why) {
        answer(fd, INITSPEC_EXEC_STDERR, "podrt-init: %s\n", why);
        answer(fd, INITSPEC_EXEC_EXIT, "%d", code);
}

static void start_request(struct supervisor *sv, int fd, const char *text, int *fds, size_t n_fds) {
        _cleanup_error_ struct podrt_error *e = NULL;
        struct initspec *spec = NULL;
        /* stdout and stderr, and stdin: two or three; one is no use. */
        if (n_fds == 1)
                close(fds[0]);
        int out = n_fds >= 2 ? fds[0] : -1, errfd = n_fds >= 2 ? fds[1] : -1, in = n_fds == 3 ? fds[2] : -1;
        if (initspec_app_parse(text, &spec, &e) < 0) {
                int mine[] = { out, errfd, in };
                for (size_t i = 0; i < ELEMENTSOF(mine); i++)
                        if (mine[i] >= 0)
                                close(mine[i]);
                refuse(fd, INIT_EXIT_FAILURE, podrt_error_message(e));
                close(fd);
                return;
        }
        struct app_run *r = NULL;
        if (supervisor_add(sv, spec, out, errfd, in, &r, &e) < 0) {
                refuse(fd, INIT_EXIT_FAILURE, podrt_error_message(e));
                close(fd);
                return;
        }
        answer(fd, INITSPEC_EXEC_APP_STARTED, "%d", (int)r->pid);
        /* Told again when the app is over (control_finished). */
        r->watcher = fd;
}

static void signal_request(struct supervisor *sv, int fd, const char *data, size_t n) {
        /* NAME NUL SIGNO */
        size_t len = strnlen(data, n);
        int sig = len + 1 < n ? atoi(data + len + 1) : 0;
        int r = sig > 0 && sig < NSIG ? supervisor_signal(sv, data, sig) : -EINVAL;
        answer(fd, INITSPEC_EXEC_EXIT, "%d", r < 0 ? -1 : r);
        close(fd);
}

void control_serve(struct supervisor *sv, int listen_fd) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
                return;
        char type, *data = NULL;
        size_t n = 0, n_fds = 0;
        int fds[3];
        if (initspec_frame_recv(fd, REQUEST_TIMEOUT_MS, &type, &data, &n, fds, &n_fds) < 0) {
                close(fd);
                return;
        }
        if (type == INITSPEC_EXEC_APP_START)
                start_request(sv, fd, data, fds, n_fds);
        else {
                for (size_t i = 0; i < n_fds; i++)
                        close(fds[i]);
                if (type == INITSPEC_EXEC_APP_SIGNAL)
                        signal_request(sv, fd, data, n);
                else {
                        refuse(fd, INIT_EXIT_FAILURE, "control: unknown request");
                        close(fd);
                }
        }
        free(data);
}

void control_finished(struct app_run *r) {
        if (r->watcher >= 0) {
                answer(r->watcher, INITSPEC_EXEC_EXIT, "%d", r->code);
                close(r->watcher);
                r->watcher = -1;
        }
        if (r->out_fd >= 0)
                close(r->out_fd);
        if (r->err_fd >= 0)
                close(r->err_fd);
        if (r->in_fd >= 0)
                close(r->in_fd);
        r->out_fd = r->err_fd = r->in_fd = -1;
}
