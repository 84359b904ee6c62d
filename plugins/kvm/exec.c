/* SPDX-License-Identifier: Apache-2.0 */
/* `podrt exec` into a VM pod: the exec channel (KVM_EXEC_SOCKET, the host end
 * of the guest's virtio-serial port KVM_EXEC_PORT) to podrt-init's agent
 * (core/init/agent.c), in frames (basic/initspec.h, INITSPEC_EXEC_*).  One
 * session at a time per VM (the port has one host end): a lock in the work
 * dir queues concurrent execs.  The caller's stdin goes in, the command's
 * stdout and stderr come out onto the caller's, and its exit code is the
 * op's result. */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "initspec.h"
#include "kvm.h"

static int send_frame(int fd, char type, const void *data, size_t n) {
        unsigned char h[5] = { (unsigned char)type, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >> 24) & 0xff };
        int r = write_all(fd, h, sizeof(h));
        return r < 0 || !n ? r : write_all(fd, data, n);
}

/* The request: app NUL tty NUL argv... */
static int send_request(int fd, const char *app, bool tty, const char *const *argv) {
        size_t n = strlen(app) + 3;
        for (size_t i = 0; argv[i]; i++)
                n += strlen(argv[i]) + 1;
        if (n > INITSPEC_EXEC_MAX_FRAME)
                return -E2BIG;
        _cleanup_free_ char *buf = malloc(n);
        if (!buf)
                return -ENOMEM;
        char *p = buf;
        p = stpcpy(p, app) + 1;
        p = stpcpy(p, tty ? "1" : "0") + 1;
        for (size_t i = 0; argv[i]; i++)
                p = stpcpy(p, argv[i]) + 1;
        return send_frame(fd, INITSPEC_EXEC_REQUEST, buf, n);
}

/* The process frame (INITSPEC_EXEC_PROCESS) for proc, when it sets anything. */
static int send_process(int fd, const struct podrt_exec_process *proc) {
        if (!proc || !(proc->env || proc->cwd || (proc->flags & PODRT_EXEC_PROCESS_USER)))
                return 0;
        char *buf = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&buf, &n);
        if (!f)
                return -ENOMEM;
        if (proc->cwd)
                fprintf(f, "cwd=%s%c", proc->cwd, 0);
        if (proc->flags & PODRT_EXEC_PROCESS_USER) {
                fprintf(f, "uid=%u%cgid=%u%c", proc->uid, 0, proc->gid, 0);
                for (size_t i = 0; i < proc->n_groups; i++)
                        fprintf(f, "group=%u%c", proc->groups[i], 0);
        }
        for (size_t i = 0; proc->env && proc->env[i]; i++)
                fprintf(f, "env=%s%c", proc->env[i], 0);
        int r = fclose(f) == 0 ? 0 : -ENOMEM;
        if (r == 0)
                r = n > INITSPEC_EXEC_MAX_FRAME ? -E2BIG : send_frame(fd, INITSPEC_EXEC_PROCESS, buf, n);
        free(buf);
        return r;
}

int kvm_exec_session(const char *work_dir, const char *app, const char *const *argv, bool tty,
                     const struct podrt_exec_process *proc, int in_fd, int out_fd, int err_fd,
                     struct podrt_error **err) {
        _cleanup_free_ char *sock = path_join(work_dir, KVM_EXEC_SOCKET), *lockpath = path_join(work_dir, "exec.lock");
        if (!sock || !lockpath)
                return -ENOMEM;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(sock) >= sizeof(sa.sun_path))
                return podrt_error_set(err, ENAMETOOLONG, "exec: %s: path too long", sock);
        strcpy(sa.sun_path, sock);
        if (access(sock, F_OK) < 0)
                return podrt_error_set(err, EOPNOTSUPP, "exec: this VM has no exec channel (%s): its hypervisor plugin does not offer one",
                                       sock);
        /* One session at a time: the port has one host end. */
        _cleanup_close_ int lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (lock >= 0)
                while (flock(lock, LOCK_EX) < 0 && errno == EINTR)
                        ;
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return podrt_error_set(err, errno, "exec: connect to the VM's exec channel %s: %m", sock);
        int r = send_process(fd, proc);
        if (r >= 0)
                r = send_request(fd, app, tty, argv);
        if (r < 0)
                return podrt_error_set(err, -r, "exec: send the request: %s", strerror(-r));

        struct termios saved;
        bool raw = tty && isatty(in_fd) && tcgetattr(in_fd, &saved) == 0;
        if (raw) {
                struct termios t = saved;
                cfmakeraw(&t);
                tcsetattr(in_fd, TCSANOW, &t);
        }
        static unsigned char buf[5 + INITSPEC_EXEC_MAX_FRAME];
        size_t len = 0;
        int code = -1;
        bool in_open = in_fd >= 0;
        while (code < 0) {
                struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = in_open ? in_fd : -1, .events = POLLIN } };
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = podrt_error_set(err, errno, "exec: poll: %m");
                        break;
                }
                if (p[1].revents) {
                        char data[16384];
                        ssize_t n = read(in_fd, data, sizeof(data));
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n > 0)
                                send_frame(fd, INITSPEC_EXEC_STDIN, data, (size_t)n);
                        else {
                                send_frame(fd, INITSPEC_EXEC_STDIN_EOF, NULL, 0);
                                in_open = false;
                        }
                }
                if (!p[0].revents)
                        continue;
                ssize_t n = read(fd, buf + len, sizeof(buf) - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        r = podrt_error_set(err, ECONNRESET, "exec: the VM closed the exec channel before the command ended (did the pod stop?)");
                        break;
                }
                len += (size_t)n;
                while (len >= 5) {
                        size_t flen = buf[1] | buf[2] << 8 | (size_t)buf[3] << 16 | (size_t)buf[4] << 24;
                        if (flen > INITSPEC_EXEC_MAX_FRAME) {
                                r = podrt_error_set(err, EPROTO, "exec: a garbled frame from the guest");
                                code = 125;
                                break;
                        }
                        if (len < 5 + flen)
                                break;
                        char type = (char)buf[0];
                        if (type == INITSPEC_EXEC_STDOUT)
                                write_all(out_fd, buf + 5, flen);
                        else if (type == INITSPEC_EXEC_STDERR)
                                write_all(err_fd, buf + 5, flen);
                        else if (type == INITSPEC_EXEC_EXIT) {
                                char num[16];
                                snprintf(num, sizeof(num), "%.*s", (int)(flen < 15 ? flen : 15), (char *)buf + 5);
                                code = atoi(num);
                        }
                        memmove(buf, buf + 5 + flen, len - 5 - flen);
                        len -= 5 + flen;
                        if (code >= 0)
                                break;
                }
        }
        if (raw)
                tcsetattr(in_fd, TCSANOW, &saved);
        if (code >= 0 && r >= 0)
                return code;
        return r < 0 ? r : podrt_error_set(err, EIO, "exec: no exit code from the guest");
}

/* Takes the channel's lock: at once (wait_ms 0), or waiting up to wait_ms
 * for an exec session to end.  The lock's fd, or -EBUSY. */
static int take_lock(const char *path, int wait_ms) {
        int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (lock < 0)
                return -errno;
        for (int64_t deadline = now_ms() + wait_ms; flock(lock, LOCK_EX | LOCK_NB) < 0;) {
                if (errno != EWOULDBLOCK && errno != EINTR)
                        break;   /* a lock that does not work: go ahead */
                if (now_ms() >= deadline) {
                        close(lock);
                        return -EBUSY;
                }
                usleep(20000);
        }
        return lock;
}

int kvm_agent_request(const char *work_dir, char type, const void *data, size_t n, int wait_ms,
                      char *answer, size_t size, struct podrt_error **err) {
        _cleanup_free_ char *sock = path_join(work_dir, KVM_EXEC_SOCKET), *lockpath = path_join(work_dir, "exec.lock");
        if (!sock || !lockpath)
                return -ENOMEM;
        if (access(sock, F_OK) < 0)
                return podrt_error_set(err, EOPNOTSUPP, "this VM has no exec channel");
        _cleanup_close_ int lock = take_lock(lockpath, wait_ms);
        if (lock == -EBUSY)
                return podrt_error_set(err, EBUSY, "the exec channel is busy");
        _cleanup_close_ int fd = initspec_connect(sock);
        if (fd < 0)
                return podrt_error_set(err, -fd, "connect to %s: %s", sock, strerror(-fd));
        int r = initspec_frame_send(fd, type, data, n, NULL, 0);
        if (r < 0)
                return podrt_error_set(err, -r, "send: %s", strerror(-r));
        /* The answer, within a few seconds (the guest may be busy, TCG is
         * slow); none: the agent is not there.  STDERR frames say why a
         * request was refused. */
        char why[1024] = "";
        for (;;) {
                char t, *text = NULL;
                size_t len;
                r = initspec_frame_recv(fd, 10000, &t, &text, &len, NULL, NULL);
                if (r == -ETIMEDOUT)
                        return podrt_error_set(err, ETIMEDOUT, "no answer from podrt-init's agent");
                if (r < 0)
                        return podrt_error_set(err, -r, "the exec channel: %s", strerror(-r));
                if (t == INITSPEC_EXEC_STDERR)
                        snprintf(why + strlen(why), sizeof(why) - strlen(why), "%.*s", (int)strcspn(text, "\n"), text);
                else if (t == INITSPEC_EXEC_APP_STARTED || t == INITSPEC_EXEC_EXIT) {
                        snprintf(answer, size, "%s", t == INITSPEC_EXEC_EXIT && why[0] ? why : text);
                        free(text);
                        return t;
                }
                free(text);
        }
}

/* A request answered by an EXIT frame's number (a signal, an update),
 * without waiting for an exec session: the number, or -errno. */
static int agent_number(const char *work_dir, char type, const char *payload, size_t n, int *ret,
                        struct podrt_error **err) {
        char answer[1024];
        int r = kvm_agent_request(work_dir, type, payload, n, 0, answer, sizeof(answer), err);
        if (r < 0)
                return r;
        if (r != INITSPEC_EXEC_EXIT)
                return podrt_error_set(err, EPROTO, "a garbled answer from podrt-init's agent");
        *ret = atoi(answer);
        return 0;
}

int kvm_signal_apps(const char *work_dir, int signo, struct podrt_error **err) {
        char num[16];
        int n = snprintf(num, sizeof(num), "%d", signo), reached = -1;
        int r = agent_number(work_dir, INITSPEC_EXEC_SIGNAL, num, (size_t)n, &reached, err);
        if (r < 0)
                return r;
        if (reached < 0)
                return podrt_error_set(err, EINVAL, "podrt-init refused signal %d", signo);
        return reached;
}

int kvm_update_apps(const char *work_dir, const char *app, const struct podrt_resources *res,
                    struct podrt_error **err) {
        char req[256];
        int n = snprintf(req, sizeof req, "%s%c%" PRId64 "%c%" PRId64 "%c%" PRId64, app ? app : "", 0,
                         res->memory_bytes, 0, res->cpu_millis, 0, res->pids);
        int answer = -1;
        int r = agent_number(work_dir, INITSPEC_EXEC_UPDATE, req, (size_t)n, &answer, err);
        if (r < 0)
                return r;
        if (answer < 0)
                return podrt_error_set(err, -answer, "podrt-init: the new limits: %s", strerror(-answer));
        return 0;
}
