/* SPDX-License-Identifier: Apache-2.0 */
/* Running one CNI plugin, as SPEC.md says a runtime does: the CNI_*
 * variables and PATH as its whole environment, the network config on stdin,
 * the result (or error) on stdout.  The config is in the pipe before the
 * plugin starts (so a plugin that never reads it cannot block us, and we
 * never write to a pipe whose reader is gone); stdout and stderr are read
 * until the plugin exits or its timeout, when its session gets SIGKILL. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cni.h"
#include "fileio.h"
#include "macro.h"
#include "process.h"
#include "strv.h"
#include "timeutil.h"

#define OUT_MAX ((size_t)16 << 20)
#define TAIL_MAX 4096
#define PLUGIN_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

char *cni_find_plugin(char *const *dirs, const char *type) {
        if (!type || !type[0] || strchr(type, '/'))
                return NULL;
        for (size_t i = 0; dirs && dirs[i]; i++) {
                char *p = path_join(dirs[i], type);
                struct stat st;
                if (p && stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

static int env_push(char ***env, const char *key, const char *value) {
        char *s = NULL;
        if (asprintf(&s, "%s=%s", key, value ? value : "") < 0)
                return -ENOMEM;
        return strv_consume(env, s);
}

struct buf {
        char *data;
        size_t len, cap;
};

static int buf_add(struct buf *b, const char *data, size_t n, size_t max, bool tail) {
        if (tail && b->len + n > max) {
                /* Keep the last max bytes only. */
                if (n >= max) {
                        data += n - max;
                        n = max;
                        b->len = 0;
                } else {
                        size_t drop = b->len + n - max;
                        memmove(b->data, b->data + drop, b->len - drop);
                        b->len -= drop;
                }
        } else if (!tail && b->len + n > max)
                return -EFBIG;
        if (b->len + n + 1 > b->cap) {
                size_t cap = (b->len + n + 1) * 2;
                char *d = realloc(b->data, cap);
                if (!d)
                        return -ENOMEM;
                b->data = d;
                b->cap = cap;
        }
        memcpy(b->data + b->len, data, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

/* The last non-empty line of text, without control characters, in buf. */
static const char *last_line(const char *text, char *buf, size_t size) {
        size_t end = text ? strlen(text) : 0;
        while (end > 0 && strchr(" \t\r\n", text[end - 1]))
                end--;
        size_t start = end;
        while (start > 0 && text[start - 1] != '\n')
                start--;
        if (end - start > 300)
                start = end - 300;
        size_t n = end - start < size - 1 ? end - start : size - 1;
        for (size_t i = 0; i < n; i++) {
                char c = text[start + i];
                buf[i] = (c >= 0 && c < 0x20) ? ' ' : c;
        }
        buf[n] = '\0';
        return buf;
}

int cni_exec_plugin(const struct cni_exec *e, const char *type, const char *stdin_text,
                    char **ret_out, struct podrt_error **err) {
        _cleanup_free_ char *path = cni_find_plugin(e->plugin_dirs, type);
        _cleanup_free_ char *cni_path = strv_join(e->plugin_dirs, ":");
        if (!cni_path)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if (!path)
                return podrt_error_set(err, ENOENT, "cni: %s: plugin not found (searched: %s)", type,
                                       cni_path);

        _cleanup_strv_free_ char **env = calloc(1, sizeof(char *));
        if (!env || env_push(&env, "CNI_COMMAND", cni_command_name(e->command)) < 0 ||
            (e->container_id && env_push(&env, "CNI_CONTAINERID", e->container_id) < 0) ||
            (e->netns && env_push(&env, "CNI_NETNS", e->netns) < 0) ||
            (e->ifname && env_push(&env, "CNI_IFNAME", e->ifname) < 0) ||
            (e->args && env_push(&env, "CNI_ARGS", e->args) < 0) ||
            env_push(&env, "CNI_PATH", cni_path) < 0 || env_push(&env, "PATH", PLUGIN_PATH) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");

        int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 };
        struct buf o = { 0 }, t = { 0 };
        _cleanup_free_ char *msg = NULL;
        int r = 0;
        size_t len = strlen(stdin_text);
        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
                r = podrt_error_set(err, errno, "cni: %s: pipe: %m", type);
                goto done;
        }
        if (len >= 65536 && fcntl(in[1], F_SETPIPE_SZ, (int)len + 1) < 0) {
                r = podrt_error_set(err, E2BIG, "cni: %s: a network config of %zu bytes is too large",
                                    type, len);
                goto done;
        }
        if (write_all(in[1], stdin_text, len) < 0) {
                r = podrt_error_set(err, errno, "cni: %s: writing its config: %m", type);
                goto done;
        }
        close(TAKE_FD(in[1]));

        char *argv[] = { path, NULL };
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                r = podrt_error_set(err, errno, "cni: %s: fork: %m", type);
                goto done;
        }
        if (pid == 0) {
                child_setup(in[0], out[1], errp[1], CHILD_SETSID);
                execve(path, argv, env);
                _exit(errno == ENOENT ? 127 : 126);
        }
        close(TAKE_FD(in[0]));
        close(TAKE_FD(out[1]));
        close(TAKE_FD(errp[1]));

        /* Until the plugin exits and its output is read: a daemon it leaves
         * behind may hold the pipes, so once it is gone what is there is
         * read, and no more is waited for. */
        fcntl(out[0], F_SETFL, O_NONBLOCK);
        fcntl(errp[0], F_SETFL, O_NONBLOCK);
        int64_t deadline = now_ms() + e->timeout_ms;
        bool timed_out = false, too_big = false, exited = false;
        int status = 0;
        while (out[0] >= 0 || errp[0] >= 0) {
                struct pollfd p[2] = { { .fd = out[0], .events = POLLIN },
                                       { .fd = errp[0], .events = POLLIN } };
                int64_t left = deadline - now_ms();
                if (left <= 0) {
                        timed_out = !exited;
                        break;
                }
                int k = poll(p, 2, exited ? 0 : (int)(left < 200 ? left : 200));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        break;
                for (int i = 0; i < 2; i++) {
                        int *fd = i == 0 ? &out[0] : &errp[0];
                        if (*fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        char chunk[4096];
                        ssize_t n = read(*fd, chunk, sizeof(chunk));
                        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                                continue;
                        if (n <= 0) {
                                close(TAKE_FD(*fd));
                                continue;
                        }
                        int q = i == 0 ? buf_add(&o, chunk, (size_t)n, OUT_MAX, false)
                                       : buf_add(&t, chunk, (size_t)n, TAIL_MAX, true);
                        if (q == -EFBIG)
                                too_big = true;
                        else if (q < 0) {
                                r = podrt_error_set(err, ENOMEM, "out of memory");
                                too_big = true;
                        }
                }
                if (too_big)
                        break;
                if (exited) {
                        if (k == 0)
                                break;
                } else if (waitpid(pid, &status, WNOHANG) == pid)
                        exited = true;
        }
        if (!exited) {
                if (timed_out || too_big) {
                        kill(-pid, SIGKILL);
                        kill(pid, SIGKILL);
                }
                pid_t w;
                while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
                        ;
                if (w < 0 && r >= 0 && !timed_out && !too_big) {
                        r = podrt_error_set(err, errno, "cni: %s: waiting for it: %m", type);
                        goto done;
                }
        }
        if (r < 0)
                goto done;
        if (timed_out) {
                r = podrt_error_set(err, ETIMEDOUT, "cni: %s: %s timed out after %d s", type,
                                    cni_command_name(e->command), e->timeout_ms / 1000);
                goto done;
        }
        if (too_big) {
                r = podrt_error_set(err, EFBIG, "cni: %s: more than %zu bytes of output", type,
                                    OUT_MAX);
                goto done;
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                *ret_out = o.data ? TAKE_PTR(o.data) : strdup("");
                if (!*ret_out)
                        r = podrt_error_set(err, ENOMEM, "out of memory");
                goto done;
        }
        /* A CNI error on stdout says it best; else what the plugin said last
         * on stderr, else how it ended. */
        int code = 0;
        if (cni_error_parse(o.data, &msg, &code) > 0 || cni_error_parse(t.data, &msg, &code) > 0) {
                r = podrt_error_set(err, EIO, "cni: %s: %s", type, msg);
                goto done;
        }
        char line[320];
        last_line(t.data, line, sizeof(line));
        if (!line[0])
                last_line(o.data, line, sizeof(line));
        if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
                r = podrt_error_set(err, EACCES, "cni: %s: %s: cannot execute", type, path);
        else if (WIFEXITED(status))
                r = podrt_error_set(err, EIO, "cni: %s: %s failed: exit status %d%s%s", type,
                                    cni_command_name(e->command), WEXITSTATUS(status),
                                    line[0] ? ": " : "", line);
        else
                r = podrt_error_set(err, EIO, "cni: %s: %s failed: killed by signal %d", type,
                                    cni_command_name(e->command), WTERMSIG(status));
done:
        for (int i = 0; i < 2; i++) {
                if (in[i] >= 0)
                        close(in[i]);
                if (out[i] >= 0)
                        close(out[i]);
                if (errp[i] >= 0)
                        close(errp[i]);
        }
        free(o.data);
        free(t.data);
        return r;
}
