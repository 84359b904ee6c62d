/* SPDX-License-Identifier: Apache-2.0 */
/* The frames of podrt-init's channels (the exec channel and the control
 * socket, basic/initspec.h), and the one-app descriptions an APP_START
 * request carries. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "initspec.h"

#define MAX_FDS 3

void initspec_frame_header(unsigned char h[INITSPEC_FRAME_HEADER], char type, size_t n) {
        h[0] = (unsigned char)type;
        h[1] = n & 0xff;
        h[2] = (n >> 8) & 0xff;
        h[3] = (n >> 16) & 0xff;
        h[4] = (n >> 24) & 0xff;
}

/* The data length a whole header says. */
static size_t header_length(const unsigned char *h) {
        return h[1] | h[2] << 8 | (size_t)h[3] << 16 | (size_t)h[4] << 24;
}

int initspec_frame_parse(const unsigned char *buf, size_t len, char *ret_type, size_t *ret_n) {
        if (len < INITSPEC_FRAME_HEADER)
                return 0;
        size_t n = header_length(buf);
        if (n > INITSPEC_EXEC_MAX_FRAME)
                return -EPROTO;
        if (len < INITSPEC_FRAME_HEADER + n)
                return 0;
        *ret_type = (char)buf[0];
        *ret_n = n;
        return 1;
}

static int send_all(int fd, const unsigned char *p, size_t n, const int *fds, size_t n_fds) {
        while (n > 0) {
                struct iovec iov = { .iov_base = (void *)p, .iov_len = n };
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)];
                } u;
                struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
                if (n_fds > 0) {
                        memset(&u, 0, sizeof(u));
                        m.msg_control = u.buf;
                        m.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
                        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
                        c->cmsg_level = SOL_SOCKET;
                        c->cmsg_type = SCM_RIGHTS;
                        c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
                        memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
                }
                ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                n_fds = 0;   /* they went with the first byte */
                p += w, n -= (size_t)w;
        }
        return 0;
}

int initspec_frame_send(int fd, char type, const void *data, size_t n, const int *fds,
                        size_t n_fds) {
        if (n > INITSPEC_EXEC_MAX_FRAME || n_fds > MAX_FDS)
                return -EINVAL;
        _cleanup_free_ unsigned char *buf = malloc(INITSPEC_FRAME_HEADER + n);
        if (!buf)
                return -ENOMEM;
        initspec_frame_header(buf, type, n);
        if (n)
                memcpy(buf + INITSPEC_FRAME_HEADER, data, n);
        return send_all(fd, buf, INITSPEC_FRAME_HEADER + n, fds, n_fds);
}

static int64_t mono_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Keeps the descriptors of a control message, closing what does not fit. */
static void take_fds(struct msghdr *m, int *fds, size_t *n_fds) {
        for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                int got[16];
                if (k > 16)
                        k = 16;
                memcpy(got, CMSG_DATA(c), k * sizeof(int));
                for (size_t i = 0; i < k; i++) {
                        if (fds && *n_fds < MAX_FDS)
                                fds[(*n_fds)++] = got[i];
                        else
                                close(got[i]);
                }
        }
}

int initspec_frame_recv(int fd, int timeout_ms, char *ret_type, char **ret_data, size_t *ret_n,
                        int *ret_fds, size_t *ret_n_fds) {
        unsigned char h[INITSPEC_FRAME_HEADER];
        _cleanup_free_ unsigned char *buf = NULL;
        size_t want = INITSPEC_FRAME_HEADER, have = 0, n = 0, n_fds = 0;
        int fds[MAX_FDS];
        int64_t deadline = timeout_ms >= 0 ? mono_ms() + timeout_ms : 0;
        int r = 0;
        char type = 0;
        for (;;) {
                if (have == want) {
                        if (buf)
                                break;   /* the data is in */
                        type = (char)h[0];
                        n = header_length(h);
                        if (n > INITSPEC_EXEC_MAX_FRAME) {
                                r = -EPROTO;
                                goto fail;
                        }
                        if (!(buf = malloc(n + 1))) {
                                r = -ENOMEM;
                                goto fail;
                        }
                        want = n, have = 0;
                        if (n == 0)
                                break;
                        continue;
                }
                if (timeout_ms >= 0) {
                        int64_t left = deadline - mono_ms();
                        struct pollfd p = { .fd = fd, .events = POLLIN };
                        int k = left > 0 ? poll(&p, 1, (int)left) : 0;
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k <= 0) {
                                r = k < 0 ? -errno : -ETIMEDOUT;
                                goto fail;
                        }
                }
                unsigned char *to = buf ? buf + have : h + have;
                struct iovec iov = { .iov_base = to, .iov_len = want - have };
                union {
                        struct cmsghdr h;
                        char buf[CMSG_SPACE(sizeof(int) * 16)];
                } u;
                struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                                    .msg_controllen = sizeof(u.buf) };
                ssize_t got = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
                if (got < 0 && errno == EINTR)
                        continue;
                if (got < 0) {
                        r = -errno;
                        goto fail;
                }
                take_fds(&m, fds, &n_fds);
                if (got == 0) {
                        r = -ECONNRESET;
                        goto fail;
                }
                have += (size_t)got;
        }
        buf[n] = '\0';
        *ret_type = type;
        *ret_data = (char *)TAKE_PTR(buf);
        *ret_n = n;
        if (ret_fds) {
                memcpy(ret_fds, fds, n_fds * sizeof(int));
                *ret_n_fds = n_fds;
        } else
                for (size_t i = 0; i < n_fds; i++)
                        close(fds[i]);
        return 0;
fail:
        for (size_t i = 0; i < n_fds; i++)
                close(fds[i]);
        return r;
}

int initspec_connect(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int path_fd = -1;
        if (strlen(path) < sizeof(sa.sun_path))
                strcpy(sa.sun_path, path);
        else {
                if ((path_fd = open(path, O_PATH | O_CLOEXEC)) < 0)
                        return -errno;
                snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", path_fd);
        }
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* ---- one app ---- */

int initspec_app_text(const struct initspec_app *app, char **ret_text, struct podrt_error **err) {
        /* A description of this app alone (not copied: written, not freed). */
        struct initspec one = { .apps = (struct initspec_app *)app, .n_apps = 1 };
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = initspec_write(&one, f, err);
        if (fclose(f) != 0 && r >= 0)
                r = podrt_error_set(err, ENOMEM, "out of memory");
        if (r < 0) {
                free(text);
                return r;
        }
        *ret_text = text;
        return 0;
}

int initspec_app_parse(const char *text, struct initspec **ret, struct podrt_error **err) {
        _cleanup_(initspec_freep) struct initspec *s = NULL;
        int r = initspec_parse_string(text, "app", &s, err);
        if (r < 0)
                return r;
        if (s->n_apps != 1)
                return podrt_error_set(err, EINVAL, "app: %zu apps described, not one", s->n_apps);
        if (s->hostname || s->poweroff || s->linger || s->n_modules || s->n_mounts || s->stop_path || s->exec_port ||
            s->control_path || s->request_dir || s->n_ifaces || s->n_routes)
                return podrt_error_set(err, EINVAL, "app %s: pod keys in an app's description",
                                       s->apps[0].name);
        *ret = TAKE_PTR(s);
        return 0;
}
