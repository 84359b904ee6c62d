/* SPDX-License-Identifier: Apache-2.0 */
/* The monitor's per-app output: each app's log (rotated past log_size_max),
 * the pipes of its stdout and stderr, copied into the log and, in the
 * foreground, to ours.  The monitor itself: monitor.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "fileio.h"
#include "monitor.h"
#include "monitor-internal.h"

int monitor_applog_open(struct applog *l, const char *path, uint64_t max) {
        if (!(l->path = strdup(path)))
                return -ENOMEM;
        l->max = max;
        l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
        if (l->fd < 0)
                return -errno;
        struct stat st;
        l->size = fstat(l->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
        return 0;
}

static void applog_rotate(struct applog *l) {
        char old[PATH_MAX];
        snprintf(old, sizeof(old), "%s.1", l->path);
        if (rename(l->path, old) < 0)
                return;     /* keep writing where we are */
        int fd = open(l->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
        if (fd < 0)
                return;
        close(l->fd);
        l->fd = fd;
        l->size = 0;
}

static void applog_write(struct applog *l, const char *buf, size_t n) {
        if (l->fd < 0)
                return;
        if (l->max && l->size > 0 && l->size + n > l->max)
                applog_rotate(l);
        if (write_all(l->fd, buf, n) == 0)
                l->size += n;
}

/* Copies what is readable; closes the stream at EOF.  Returns bytes read. */
ssize_t monitor_stream_pump(struct stream *s, struct applog *log) {
        char buf[65536];
        ssize_t total = 0;
        while (s->fd >= 0) {
                ssize_t n = read(s->fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        break;   /* EAGAIN */
                if (n == 0) {
                        close(s->fd);
                        s->fd = -1;
                        break;
                }
                applog_write(log, buf, (size_t)n);
                if (s->echo >= 0)
                        (void)write_all(s->echo, buf, (size_t)n);
                total += n;
        }
        return total;
}

int monitor_grow(struct monitor *m) {
        size_t n = m->pod->spec->n_apps;
        if (n + 1 <= m->cap)
                return 0;
        size_t cap = 2 * (n + 1);
        struct mapp *a = realloc(m->apps, cap * sizeof(*a));
        if (!a)
                return -ENOMEM;
        for (size_t i = m->cap; i < cap; i++)
                a[i] = (struct mapp){ .log.fd = -1, .out = { -1, -1 }, .err = { -1, -1 } };
        m->apps = a;
        m->cap = cap;
        return 0;
}

void monitor_app_close(struct mapp *a) {
        if (a->out.fd >= 0)
                close(a->out.fd);
        if (a->err.fd >= 0)
                close(a->err.fd);
        if (a->log.fd >= 0)
                close(a->log.fd);
        free(a->log.path);
        *a = (struct mapp){ .log.fd = -1, .out = { -1, -1 }, .err = { -1, -1 } };
}

int monitor_app_streams(struct monitor *m, size_t i, int writers[2], struct podrt_error **err) {
        struct mapp *ma = &m->apps[i];
        struct podrt_app *a = &m->pod->apps[i];
        int r;
        writers[0] = writers[1] = -1;
        if (ma->log.fd < 0) {
                free(ma->log.path);
                ma->log.path = NULL;
                if ((r = monitor_applog_open(&ma->log, a->log_path, m->log_max)) < 0)
                        return podrt_error_set(err, r, "%s: %s", a->log_path, strerror(-r));
        }
        struct stream *s[2] = { &ma->out, &ma->err };
        for (int k = 0; k < 2; k++) {
                int p[2];
                if (pipe2(p, O_CLOEXEC) < 0) {
                        r = podrt_error_set(err, errno, "pipe: %m");
                        for (int j = 0; j < k; j++)
                                close(writers[j]), writers[j] = -1;
                        return r;
                }
                fcntl(p[0], F_SETFL, O_NONBLOCK);
                if (s[k]->fd >= 0)
                        close(s[k]->fd);   /* a restarted app's old output */
                *s[k] = (struct stream){ .fd = p[0], .echo = (m->flags & MONITOR_FOREGROUND) ? 1 + k : -1 };
                writers[k] = p[1];
        }
        a->stdout_fd = writers[0];
        a->stderr_fd = writers[1];
        return 0;
}

void monitor_app_streams_started(struct monitor *m, size_t i, int writers[2]) {
        for (int k = 0; k < 2; k++)
                if (writers[k] >= 0)
                        close(writers[k]), writers[k] = -1;
        m->pod->apps[i].stdout_fd = m->pod->apps[i].stderr_fd = -1;
}

