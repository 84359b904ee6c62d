/* SPDX-License-Identifier: Apache-2.0 */
/* Running one hook.
 *
 * The child gets: stdin a pipe holding the whole state (written before the
 * fork, the pipe grown to fit, so the parent never blocks on a hook that does
 * not read it), stdout the caller's out_fd, stderr a pipe the parent copies
 * to out_fd while keeping its tail, default signal dispositions and an empty
 * signal mask, its own process group, nothing but fds 0-2, and exactly the
 * hook's env (empty when none).  argv is the hook's args (args[0] as given)
 * or just its path; the path is what is executed. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "exec.h"
#include "timeutil.h"

#define TAIL_SIZE 4096
#define QUOTE_MAX 240

static void write_all(int fd, const char *buf, size_t len) {
        while (len > 0) {
                ssize_t n = write(fd, buf, len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return; /* the caller's stderr is gone: nothing to do */
                }
                buf += n;
                len -= (size_t)n;
        }
}

/* The last bytes a hook wrote to its stderr. */
struct tail {
        char buf[TAIL_SIZE];
        size_t len;
};

static void tail_add(struct tail *t, const char *data, size_t n) {
        if (n >= TAIL_SIZE) {
                memcpy(t->buf, data + n - TAIL_SIZE, TAIL_SIZE);
                t->len = TAIL_SIZE;
                return;
        }
        if (t->len + n > TAIL_SIZE) {
                size_t drop = t->len + n - TAIL_SIZE;
                memmove(t->buf, t->buf + drop, t->len - drop);
                t->len -= drop;
        }
        memcpy(t->buf + t->len, data, n);
        t->len += n;
}

/* The last non-empty line of the tail, at most QUOTE_MAX bytes, into out. */
static void tail_last_line(const struct tail *t, char *out, size_t size) {
        size_t end = t->len;
        while (end > 0 && strchr(" \t\r\n", t->buf[end - 1]))
                end--;
        size_t start = end;
        while (start > 0 && t->buf[start - 1] != '\n')
                start--;
        if (end - start > QUOTE_MAX)
                start = end - QUOTE_MAX;
        size_t n = end - start < size - 1 ? end - start : size - 1;
        for (size_t i = 0; i < n; i++) {
                char c = t->buf[start + i];
                out[i] = (c >= 0 && c < 0x20 && c != '\t') ? '?' : c;
        }
        out[n] = '\0';
}

/* Reads what is available on fd into out_fd and the tail; 0 at EOF, 1 when
 * more may come. */
static int pump(int fd, int out_fd, struct tail *t) {
        char buf[4096];
        for (;;) {
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == EAGAIN ? 1 : 0;
                }
                if (n == 0)
                        return 0;
                write_all(out_fd, buf, (size_t)n);
                tail_add(t, buf, (size_t)n);
        }
}

/* Moves fd to a number >= 4 (close-on-exec), so that dup2() onto 0-3 cannot
 * clobber it. */
static int move_high(int fd) {
        return fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 4) : -1;
}

static void close_from(int first) {
#ifdef SYS_close_range
        if (syscall(SYS_close_range, (unsigned)first, ~0u, 0u) == 0)
                return;
#endif
        long max = sysconf(_SC_OPEN_MAX);
        if (max < 0 || max > 65536)
                max = 65536;
        for (int fd = first; fd < max; fd++)
                close(fd);
}

static _Noreturn void child(const struct hook *h, int in_fd, int out_fd, int err_fd,
                            int report_fd, const char *cwd) {
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_UNBLOCK, &all, NULL);
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        signal(s, SIG_DFL);
        setpgid(0, 0);

        int in = move_high(in_fd), out = move_high(out_fd), errw = move_high(err_fd),
            rep = move_high(report_fd);
        if (out < 0) /* the caller has no stderr: output goes nowhere */
                out = move_high(open("/dev/null", O_WRONLY | O_CLOEXEC));
        if (in < 0 || out < 0 || errw < 0 || rep < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 ||
            dup2(errw, 2) < 0 || dup2(rep, 3) < 0 || fcntl(3, F_SETFD, FD_CLOEXEC) < 0) {
                int e = errno;
                if (rep >= 0)
                        (void)!write(rep, &e, sizeof(e));
                _exit(127);
        }
        close_from(4);

        if (!cwd || chdir(cwd) < 0)
                (void)!chdir("/");

        char *fallback_argv[] = { h->path, NULL };
        char *empty_env[] = { NULL };
        execve(h->path, h->args && h->args[0] ? h->args : fallback_argv,
               h->env ? h->env : empty_env);
        int e = errno;
        (void)!write(3, &e, sizeof(e));
        _exit(127);
}

int hook_exec(const struct hook *h, const char *state, size_t state_len, const char *cwd,
              int out_fd, struct podrt_error **err) {
        int in[2] = { -1, -1 }, errp[2] = { -1, -1 }, rep[2] = { -1, -1 };
        int r;

        if (pipe2(in, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 || pipe2(rep, O_CLOEXEC) < 0) {
                r = podrt_error_set(err, errno, "hook %s (%s): pipe: %s", h->file, h->path,
                                    strerror(errno));
                goto out;
        }

        /* The whole state goes into the pipe before the hook starts. */
        if (state_len > 65536 && fcntl(in[1], F_SETPIPE_SZ, (int)state_len) < 0) {
                r = podrt_error_set(err, E2BIG, "hook %s (%s): state of %zu bytes is too large",
                                    h->file, h->path, state_len);
                goto out;
        }
        if (fcntl(in[1], F_SETFL, O_NONBLOCK) < 0) {
                r = podrt_error_set(err, errno, "hook %s (%s): %s", h->file, h->path,
                                    strerror(errno));
                goto out;
        }
        for (size_t done = 0; done < state_len;) {
                ssize_t n = write(in[1], state + done, state_len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        r = podrt_error_set(err, n < 0 ? errno : EIO,
                                            "hook %s (%s): writing its state: %s", h->file,
                                            h->path, n < 0 ? strerror(errno) : "short write");
                        goto out;
                }
                done += (size_t)n;
        }
        close(in[1]);
        in[1] = -1;

        pid_t pid = fork();
        if (pid < 0) {
                r = podrt_error_set(err, errno, "hook %s (%s): fork: %s", h->file, h->path,
                                    strerror(errno));
                goto out;
        }
        if (pid == 0)
                child(h, in[0], out_fd, errp[1], rep[1], cwd);
        /* Also here, so that a kill(-pid) at the timeout cannot miss. */
        (void)setpgid(pid, pid);

        close(in[0]);
        in[0] = -1;
        close(errp[1]);
        errp[1] = -1;
        close(rep[1]);
        rep[1] = -1;

        /* EOF on the report pipe: execve() worked (it closed the pipe). */
        int child_errno = 0;
        ssize_t n;
        do
                n = read(rep[0], &child_errno, sizeof(child_errno));
        while (n < 0 && errno == EINTR);
        if (n == (ssize_t)sizeof(child_errno)) {
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                r = podrt_error_set(err, child_errno, "hook %s (%s) failed: cannot execute: %s",
                                    h->file, h->path, strerror(child_errno));
                goto out;
        }

        (void)fcntl(errp[0], F_SETFL, O_NONBLOCK);
        struct tail tail = { .len = 0 };
        int64_t deadline = h->timeout > 0 ? now_ms() + (int64_t)h->timeout * 1000 : -1;
        bool pipe_open = true, timed_out = false;
        int status = 0;
        for (;;) {
                pid_t w = waitpid(pid, &status, WNOHANG);
                if (w < 0 && errno != EINTR) {
                        r = podrt_error_set(err, errno, "hook %s (%s): waitpid: %s", h->file,
                                            h->path, strerror(errno));
                        goto out;
                }
                if (w == pid)
                        break;

                int wait_ms = pipe_open ? 200 : 20;
                if (deadline >= 0) {
                        int64_t left = deadline - now_ms();
                        if (left <= 0) {
                                kill(-pid, SIGKILL);
                                kill(pid, SIGKILL);
                                while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                                        ;
                                timed_out = true;
                                break;
                        }
                        if (left < wait_ms)
                                wait_ms = (int)left;
                }
                struct pollfd p = { .fd = errp[0], .events = POLLIN };
                int pr = poll(&p, pipe_open ? 1 : 0, wait_ms);
                if (pr > 0 && pipe_open && pump(errp[0], out_fd, &tail) == 0)
                        pipe_open = false;
        }
        /* Whatever it wrote before it ended (its children may keep the pipe
         * open: take what is there, do not wait for EOF). */
        if (pipe_open)
                pump(errp[0], out_fd, &tail);

        char quote[QUOTE_MAX + 1];
        tail_last_line(&tail, quote, sizeof(quote));
        if (timed_out)
                r = podrt_error_set(err, ETIMEDOUT, "hook %s (%s) timed out after %d s", h->file,
                                    h->path, h->timeout);
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                r = 0;
        else if (WIFEXITED(status))
                r = podrt_error_set(err, EIO, "hook %s (%s) failed: exit status %d%s%s", h->file,
                                    h->path, WEXITSTATUS(status), quote[0] ? ": " : "", quote);
        else
                r = podrt_error_set(err, EIO, "hook %s (%s) failed: killed by signal %d (%s)%s%s",
                                    h->file, h->path, WTERMSIG(status),
                                    strsignal(WTERMSIG(status)), quote[0] ? ": " : "", quote);
out:
        for (size_t i = 0; i < 2; i++) {
                if (in[i] >= 0)
                        close(in[i]);
                if (errp[i] >= 0)
                        close(errp[i]);
                if (rep[i] >= 0)
                        close(rep[i]);
        }
        return r;
}
