/* SPDX-License-Identifier: Apache-2.0 */
/* The control socket: a unix stream socket at the description's control
 * path, served by PID 1 between signals.  One request a connection, in the
 * exec channel's frames (basic/initspec.h): APP_START (a one-app
 * description, with its stdout and stderr as descriptors when the host has
 * them) or APP_SIGNAL.  The nspawn backend's relay connects from the host
 * (the socket is in the pod root); in a VM, the exec agent passes the
 * host's requests on.  Only the pod's own side reaches it: the apps run in
 * roots of their own, where the path does not exist. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
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
#include "fileio.h"
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

/* Where a request's answers go: its connection, or the text of its answer
 * file. */
struct reply {
        int fd;         /* -1 for a file request */
        FILE *f;        /* a file request's answer */
};

static void answer(struct reply *rp, char type, const char *fmt, ...) PODRT_PRINTF(3, 4);
static void answer(struct reply *rp, char type, const char *fmt, ...) {
        char text[1024];
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        if (k < 0)
                return;
        size_t n = (size_t)k < sizeof(text) ? (size_t)k : sizeof(text) - 1;
        if (rp->f) {
                unsigned char h[INITSPEC_FRAME_HEADER];
                initspec_frame_header(h, type, n);
                fwrite(h, 1, sizeof(h), rp->f);
                fwrite(text, 1, n, rp->f);
        } else
                (void)initspec_frame_send(rp->fd, type, text, n, NULL, 0);
}

/* STDERR (why) and EXIT (code): a refused request. */
static void refuse(struct reply *rp, int code, const char *why) {
        answer(rp, INITSPEC_EXEC_STDERR, "podrt-init: %s\n", why);
        answer(rp, INITSPEC_EXEC_EXIT, "%d", code);
}

/* The app started, or NULL (refused, said). */
static struct app_run *start_request(struct supervisor *sv, struct reply *rp, const char *text, int *fds,
                                     size_t n_fds) {
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
                refuse(rp, INIT_EXIT_FAILURE, podrt_error_message(e));
                return NULL;
        }
        struct app_run *r = NULL;
        if (supervisor_add(sv, spec, out, errfd, in, &r, &e) < 0) {
                refuse(rp, INIT_EXIT_FAILURE, podrt_error_message(e));
                return NULL;
        }
        answer(rp, INITSPEC_EXEC_APP_STARTED, "%d", (int)r->pid);
        return r;
}

static void signal_request(struct supervisor *sv, struct reply *rp, const char *data, size_t n) {
        /* NAME NUL SIGNO */
        size_t len = strnlen(data, n);
        int sig = len + 1 < n ? atoi(data + len + 1) : 0;
        int r = sig > 0 && sig < NSIG ? supervisor_signal(sv, data, sig) : -EINVAL;
        answer(rp, INITSPEC_EXEC_EXIT, "%d", r < 0 ? -1 : r);
}

/* One request: the app started by an APP_START, else NULL. */
static struct app_run *dispatch(struct supervisor *sv, struct reply *rp, char type, const char *data, size_t n,
                                int *fds, size_t n_fds) {
        if (type == INITSPEC_EXEC_APP_START)
                return start_request(sv, rp, data, fds, n_fds);
        for (size_t i = 0; i < n_fds; i++)
                close(fds[i]);
        if (type == INITSPEC_EXEC_APP_SIGNAL)
                signal_request(sv, rp, data, n);
        else
                refuse(rp, INIT_EXIT_FAILURE, "control: unknown request");
        return NULL;
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
        struct reply rp = { .fd = fd };
        struct app_run *r = dispatch(sv, &rp, type, data, n, fds, n_fds);
        free(data);
        if (r)
                r->watcher = fd;   /* told again when the app is over (control_finished) */
        else
                close(fd);
}

/* One request file, dir/name (NAME.req), answered in dir/NAME.ans. */
static void serve_file(struct supervisor *sv, const char *dir, const char *name) {
        char path[PATH_MAX], ans[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        snprintf(ans, sizeof(ans), "%s/%.*s.ans", dir, (int)(strlen(name) - 4), name);
        _cleanup_free_ char *text = NULL, *out = NULL;
        size_t len = 0, out_len = 0;
        int r = read_file(path, INITSPEC_FRAME_HEADER + INITSPEC_EXEC_MAX_FRAME, &text, &len);
        (void)unlink(path);
        if (r < 0)
                return;
        FILE *f = open_memstream(&out, &out_len);
        if (!f)
                return;
        struct reply rp = { .fd = -1, .f = f };
        char type;
        size_t n;
        if (initspec_frame_parse((const unsigned char *)text, len, &type, &n) == 1) {
                /* The data, NUL-terminated where the header was. */
                char *data = text + INITSPEC_FRAME_HEADER;
                memmove(text, data, n);
                text[n] = '\0';
                dispatch(sv, &rp, type, text, n, NULL, 0);
        } else
                refuse(&rp, INIT_EXIT_FAILURE, "control: a garbled request file");
        if (fclose(f) != 0)
                return;
        if ((r = write_file_atomic(ans, out, out_len, 0644, 0)) < 0)
                fprintf(stderr, "podrt-init: control: %s: %s\n", ans, strerror(-r));
}

void control_serve_dir(struct supervisor *sv, const char *dir) {
        DIR *d = opendir(dir);
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t len = strlen(de->d_name);
                if (de->d_name[0] != '.' && len > 4 && !strcmp(de->d_name + len - 4, ".req"))
                        serve_file(sv, dir, de->d_name);
        }
        closedir(d);
}

void control_finished(struct app_run *r) {
        if (r->watcher >= 0) {
                struct reply rp = { .fd = r->watcher };
                answer(&rp, INITSPEC_EXEC_EXIT, "%d", r->code);
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
