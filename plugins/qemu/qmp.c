/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal QMP client: connect, qmp_capabilities, one command, its answer
 * (events in between are skipped). */
#include <errno.h>
#include <stdbool.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "qemu.h"

struct qmp {
        int fd;
        char buf[65536];
        size_t len;
        int64_t deadline;
};

/* The next line, as a JSON object (the caller puts it). */
static int qmp_read(struct qmp *q, struct json_object **ret) {
        for (;;) {
                char *nl = memchr(q->buf, '\n', q->len);
                if (nl) {
                        *nl = '\0';
                        struct json_object *o = json_tokener_parse(q->buf);
                        size_t used = (size_t)(nl - q->buf) + 1;
                        memmove(q->buf, nl + 1, q->len - used);
                        q->len -= used;
                        if (!o)
                                continue;
                        *ret = o;
                        return 0;
                }
                if (q->len == sizeof(q->buf))
                        q->len = 0;   /* an absurd line: drop it */
                int64_t left = q->deadline - now_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                struct pollfd p = { .fd = q->fd, .events = POLLIN };
                int k = poll(&p, 1, (int)left);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                if (k == 0)
                        return -ETIMEDOUT;
                ssize_t n = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -ECONNRESET;
                q->len += (size_t)n;
        }
}

/* Sends one command and waits for its return or error. */
static int qmp_call(struct qmp *q, const char *command, const char *arguments,
                    struct podrt_error **err) {
        char *line = NULL;
        int n = arguments ? asprintf(&line, "{\"execute\":\"%s\",\"arguments\":%s}\n", command, arguments)
                          : asprintf(&line, "{\"execute\":\"%s\"}\n", command);
        if (n < 0)
                return -ENOMEM;
        ssize_t w = send(q->fd, line, (size_t)n, MSG_NOSIGNAL);
        free(line);
        if (w != n)
                return podrt_error_set(err, errno ? errno : EIO, "QMP %s: send: %m", command);
        for (;;) {
                struct json_object *o = NULL;
                int r = qmp_read(q, &o);
                if (r < 0) {
                        /* quit: QEMU may close the socket before answering. */
                        if (r == -ECONNRESET && !strcmp(command, "quit"))
                                return 0;
                        return podrt_error_set(err, -r, "QMP %s: %s", command,
                                               r == -ECONNRESET ? "QEMU closed the connection" : strerror(-r));
                }
                struct json_object *v;
                if (json_object_object_get_ex(o, "return", &v)) {
                        json_object_put(o);
                        return 0;
                }
                if (json_object_object_get_ex(o, "error", &v)) {
                        struct json_object *d = NULL;
                        json_object_object_get_ex(v, "desc", &d);
                        r = podrt_error_set(err, EIO, "QMP %s: %s", command,
                                            d ? json_object_get_string(d) : "error");
                        json_object_put(o);
                        return r;
                }
                json_object_put(o);   /* an event */
        }
}

static int qmp_connect(const char *path, int timeout_ms, struct qmp **ret, struct podrt_error **err) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return podrt_error_set(err, ENAMETOOLONG, "QMP socket %s: path too long", path);
        strcpy(sa.sun_path, path);
        struct qmp *q = calloc(1, sizeof(*q));
        if (!q)
                return -ENOMEM;
        q->deadline = now_ms() + timeout_ms;
        q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int r = 0;
        if (q->fd < 0)
                r = podrt_error_set(err, errno, "QMP: socket: %m");
        else if (connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                r = podrt_error_set(err, errno, "QMP socket %s: %m", path);
        struct json_object *greeting = NULL;
        if (r >= 0 && (r = qmp_read(q, &greeting)) < 0)
                r = podrt_error_set(err, -r, "QMP socket %s: no greeting: %s", path, strerror(-r));
        json_object_put(greeting);
        if (r >= 0)
                r = qmp_call(q, "qmp_capabilities", NULL, err);
        if (r < 0) {
                qmp_close(q);
                return r;
        }
        *ret = q;
        return 0;
}

int qmp_execute(const char *path, const char *command, const char *arguments, int timeout_ms,
                struct podrt_error **err) {
        struct qmp *q = NULL;
        int r = qmp_connect(path, timeout_ms, &q, err);
        if (r < 0)
                return r;
        r = qmp_call(q, command, arguments, err);
        qmp_close(q);
        return r;
}

int qmp_open(const char *path, int timeout_ms, struct qmp **ret, struct podrt_error **err) {
        return qmp_connect(path, timeout_ms, ret, err);
}

struct qmp *qmp_close(struct qmp *q) {
        if (q) {
                if (q->fd >= 0)
                        close(q->fd);
                free(q);
        }
        return NULL;
}

int qmp_command(struct qmp *q, const char *command, int timeout_ms, struct podrt_error **err) {
        q->deadline = now_ms() + timeout_ms;
        return qmp_call(q, command, NULL, err);
}

int qmp_status(struct qmp *q, int timeout_ms, char *status, size_t size, struct podrt_error **err) {
        q->deadline = now_ms() + timeout_ms;
        static const char line[] = "{\"execute\":\"query-status\"}\n";
        if (send(q->fd, line, sizeof(line) - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof(line) - 1))
                return podrt_error_set(err, errno ? errno : EIO, "QMP query-status: send: %m");
        for (;;) {
                struct json_object *o = NULL, *v, *st;
                int r = qmp_read(q, &o);
                if (r < 0)
                        return podrt_error_set(err, -r, "QMP query-status: %s",
                                               r == -ECONNRESET ? "QEMU closed the connection" : strerror(-r));
                if (json_object_object_get_ex(o, "return", &v)) {
                        snprintf(status, size, "%s",
                                 json_object_object_get_ex(v, "status", &st) ? json_object_get_string(st) : "unknown");
                        json_object_put(o);
                        return 0;
                }
                bool error = json_object_object_get_ex(o, "error", &v);
                json_object_put(o);
                if (error)
                        return podrt_error_set(err, EIO, "QMP query-status: error");
        }
}

int qmp_wait_event(struct qmp *q, int timeout_ms, char *event, size_t size) {
        q->deadline = now_ms() + timeout_ms;
        for (;;) {
                struct json_object *o = NULL, *v;
                int r = qmp_read(q, &o);
                if (r < 0)
                        return r;
                bool got = json_object_object_get_ex(o, "event", &v);
                if (got)
                        snprintf(event, size, "%s", json_object_get_string(v));
                json_object_put(o);
                if (got)
                        return 0;
        }
}
