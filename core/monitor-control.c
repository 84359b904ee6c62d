/* SPDX-License-Identifier: Apache-2.0 */
/* The monitor's control socket, <pod dir>/monitor.sock: how `podrt app`
 * reaches the running pod, whose monitor alone writes its state.json.
 *
 * AF_UNIX, SOCK_SEQPACKET, mode 0600 in the pod's 0700 directory, peers
 * checked to be root or the monitor's own user.  One request per
 * connection, one JSON object per message:
 *   {"op":"add","app":"<the app's JSON text>","source":"app.json",
 *    "baseDir":"/dir/of/app.json","start":true}
 *   {"op":"start","name":"web"}
 *   {"op":"rm","name":"web"}
 *   {"op":"refresh"}                  the backend's app states asked now
 *   {"op":"shutdown"}                 a sandbox ends once its apps have
 * and one reply: {"error":0}, or {"error":<errno>,"message":"..."}. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "errors.h"
#include "fileio.h"
#include "monitor-internal.h"
#include "monitor.h"

#define CONTROL_NAME "monitor.sock"
/* The largest request: an app's JSON of up to CONTROL_APP_MAX bytes. */
#define CONTROL_APP_MAX (256 * 1024)
#define CONTROL_MSG_MAX (CONTROL_APP_MAX + 8192)
#define CONTROL_REPLY_MAX 8192

/* The socket's address; a pod dir too long for sun_path is reached
 * through an O_PATH fd of it (*ret_dirfd, closed by the caller). */
static int control_address(const char *dir, struct sockaddr_un *sa, int *ret_dirfd) {
        *sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
        *ret_dirfd = -1;
        if (snprintf(sa->sun_path, sizeof(sa->sun_path), "%s/" CONTROL_NAME, dir) < (int)sizeof(sa->sun_path))
                return 0;
        int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/" CONTROL_NAME, fd);
        *ret_dirfd = fd;
        return 0;
}

int monitor_control_open(struct monitor *m, struct podrt_error **err) {
        struct sockaddr_un sa;
        _cleanup_close_ int dirfd = -1;
        int r = control_address(m->pod->dir, &sa, &dirfd);
        if (r < 0)
                return podrt_error_set(err, r, "%s: %s", m->pod->dir, strerror(-r));
        _cleanup_free_ char *path = path_join(m->pod->dir, CONTROL_NAME);
        if (!path)
                return podrt_error_set(err, ENOMEM, "out of memory");
        (void)unlink(path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return podrt_error_set(err, errno, "control socket: %m");
        mode_t old = umask(0077);
        r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
        umask(old);
        if (r < 0 || listen(fd, 16) < 0)
                return podrt_error_set(err, r < 0 ? -r : errno, "%s: %s", path, strerror(r < 0 ? -r : errno));
        m->control_fd = TAKE_FD(fd);
        return 0;
}

void monitor_control_close(struct monitor *m) {
        if (m->control_fd < 0)
                return;
        close(m->control_fd);
        m->control_fd = -1;
        _cleanup_free_ char *path = m->pod ? path_join(m->pod->dir, CONTROL_NAME) : NULL;
        if (path)
                (void)unlink(path);
}

static const char *jstring(struct json_object *o, const char *key) {
        struct json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                       ? json_object_get_string(v)
                       : NULL;
}

static int dispatch(struct monitor *m, struct json_object *req, struct podrt_error **err) {
        const char *op = jstring(req, "op");
        struct json_object *v;
        if (!op)
                return podrt_error_set(err, EPROTO, "control: request without an op");
        if (strcmp(op, "shutdown") == 0) {
                m->shutdown = true;
                return 0;
        }
        if (strcmp(op, "refresh") == 0)
                return monitor_refresh(m, err);
        if (m->shutdown)
                return podrt_error_set(err, EINVAL, "pod %s is stopping", m->pod->name);
        if (strcmp(op, "add") == 0) {
                const char *text = jstring(req, "app");
                bool start = json_object_object_get_ex(req, "start", &v) && json_object_get_boolean(v);
                if (!text)
                        return podrt_error_set(err, EPROTO, "control: add without an app");
                return monitor_app_add(m, text, strlen(text), jstring(req, "source"), jstring(req, "baseDir"),
                                       start, err);
        }
        const char *name = jstring(req, "name");
        if (!name)
                return podrt_error_set(err, EPROTO, "control: %s without a name", op);
        if (strcmp(op, "start") == 0)
                return monitor_app_start(m, name, err);
        if (strcmp(op, "rm") == 0)
                return monitor_app_rm(m, name, err);
        return podrt_error_set(err, EPROTO, "control: unknown op \"%s\"", op);
}

void monitor_control_serve(struct monitor *m) {
        _cleanup_close_ int fd = accept4(m->control_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
                return;
        struct ucred cred;
        socklen_t len = sizeof(cred);
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
            (cred.uid != 0 && cred.uid != geteuid()))
                return;
        struct timeval tv = { .tv_sec = 5 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        _cleanup_free_ char *buf = malloc(CONTROL_MSG_MAX + 1);
        if (!buf)
                return;
        ssize_t n = recv(fd, buf, CONTROL_MSG_MAX, MSG_TRUNC);
        if (n <= 0)
                return;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r;
        struct json_object *req = NULL;
        if (n > CONTROL_MSG_MAX)
                r = podrt_error_set(&e, EMSGSIZE, "control: request larger than %d bytes", CONTROL_MSG_MAX);
        else {
                buf[n] = 0;
                req = json_tokener_parse(buf);
                r = req && json_object_is_type(req, json_type_object)
                            ? dispatch(m, req, &e)
                            : podrt_error_set(&e, EPROTO, "control: the request is not a JSON object");
        }
        json_object_put(req);
        struct json_object *reply = json_object_new_object();
        json_object_object_add(reply, "error", json_object_new_int(r < 0 ? podrt_error_code(e) : 0));
        if (r < 0)
                json_object_object_add(reply, "message", json_object_new_string(podrt_error_message(e)));
        const char *text = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
        size_t tl = strlen(text);
        (void)!send(fd, text, tl < CONTROL_REPLY_MAX ? tl : CONTROL_REPLY_MAX - 1, MSG_NOSIGNAL);
        json_object_put(reply);
}

/* ---- the client --------------------------------------------------------- */

/* Connects to the pod's monitor and sends req: the connected socket. */
static int control_send(const struct podrt_pod *pod, struct json_object *req, struct podrt_error **err) {
        const char *text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
        size_t len = strlen(text);
        if (len > CONTROL_MSG_MAX)
                return podrt_error_set(err, EMSGSIZE, "the request is larger than %d bytes", CONTROL_MSG_MAX);
        struct sockaddr_un sa;
        _cleanup_close_ int dirfd = -1;
        int r = control_address(pod->dir, &sa, &dirfd);
        if (r < 0)
                return podrt_error_set(err, r, "%s: %s", pod->dir, strerror(-r));
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return podrt_error_set(err, errno, "socket: %m");
        int size = CONTROL_MSG_MAX + 65536;
        if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
                (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
        struct timeval tv = { .tv_sec = 300 };
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                if (errno == ENOENT || errno == ECONNREFUSED)
                        return podrt_error_set(err, EINVAL, "pod %s is not running", pod->name);
                return podrt_error_set(err, errno, "pod %s: its monitor's socket: %m", pod->name);
        }
        if (send(fd, text, len, MSG_NOSIGNAL) < 0)
                return podrt_error_set(err, errno, "pod %s: sending to its monitor: %m", pod->name);
        return TAKE_FD(fd);
}

int monitor_request(const struct podrt_pod *pod, struct json_object *req, struct podrt_error **err) {
        _cleanup_close_ int fd = control_send(pod, req, err);
        if (fd < 0)
                return fd;
        int r = 0;
        char buf[CONTROL_REPLY_MAX];
        ssize_t n;
        while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) < 0 && errno == EINTR)
                ;
        if (n <= 0)
                return podrt_error_set(err, n < 0 ? errno : EPIPE,
                                       "pod %s: its monitor ended without an answer (see monitor.log in %s)",
                                       pod->name, pod->dir);
        buf[n] = 0;
        struct json_object *reply = json_tokener_parse(buf), *v;
        int code = reply && json_object_object_get_ex(reply, "error", &v) ? json_object_get_int(v) : EPROTO;
        if (code != 0)
                r = podrt_error_set(err, code, "%s", jstring(reply, "message") ? jstring(reply, "message")
                                                                                : "the monitor's answer is garbled");
        json_object_put(reply);
        return r < 0 ? r : 0;
}

void monitor_request_shutdown(const struct podrt_pod *pod) {
        struct json_object *req = json_object_new_object();
        json_object_object_add(req, "op", json_object_new_string("shutdown"));
        /* Not waiting for the answer: the caller may hold the pod's lock,
         * which the monitor may be waiting for. */
        int fd = control_send(pod, req, NULL);
        if (fd >= 0)
                close(fd);
        json_object_put(req);
}
