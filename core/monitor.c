/* SPDX-License-Identifier: Apache-2.0 */
/* The per-pod monitor (no daemon): a child subreaper that starts the pod
 * through its backend, copies each app's output into its log (and, in the
 * foreground, to our stdout/stderr), records exits, runs the poststop hooks
 * and marks the pod stopped.  It holds monitor.lock for as long as it runs:
 * a free monitor.lock with a pod "running" means the monitor died. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <limits.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errors.h"
#include "fileio.h"
#include "lifecycle.h"
#include "quantity.h"
#include "monitor.h"
#include "process.h"
#include "states.h"

static int signal_pipe[2] = { -1, -1 };

static void on_signal(int signo) {
        int e = errno;
        unsigned char c = (unsigned char)signo;
        (void)!write(signal_pipe[1], &c, 1);
        errno = e;
}

static const int handled_signals[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };

static int signals_install(struct podrt_error **err) {
        if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
                return podrt_error_set(err, errno, "monitor: pipe: %m");
        struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART | SA_NOCLDSTOP };
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < ELEMENTSOF(handled_signals); i++)
                sigaction(handled_signals[i], &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
        return 0;
}

static void signals_restore(void) {
        prctl(PR_SET_CHILD_SUBREAPER, 0);
        for (size_t i = 0; i < ELEMENTSOF(handled_signals); i++)
                signal(handled_signals[i], SIG_DFL);
        for (int i = 0; i < 2; i++)
                if (signal_pipe[i] >= 0)
                        close(signal_pipe[i]), signal_pipe[i] = -1;
}

/* An app's log file, bounded: past max bytes it is renamed to <log>.1
 * (the one before is dropped) and a new one begun, as conmon's
 * log_size_max does.  stdout and stderr of the app share it. */
struct applog {
        int fd;
        uint64_t size;
        uint64_t max;  /* 0: no limit */
        const char *path;
};

static int applog_open(struct applog *l, const char *path, uint64_t max) {
        l->path = path;
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

struct stream {
        int fd;                /* read end, -1 once closed */
        struct applog *log;    /* the app's log */
        int echo;              /* 1 or 2 in the foreground, else -1 */
};

/* Copies what is readable; closes the stream at EOF.  Returns bytes read. */
static ssize_t stream_pump(struct stream *s) {
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
                applog_write(s->log, buf, (size_t)n);
                if (s->echo >= 0)
                        (void)write_all(s->echo, buf, (size_t)n);
                total += n;
        }
        return total;
}

/* Saves the pod under its lock, keeping a pause recorded by another command
 * while the pod runs. */
static int monitor_save(struct runtime *rt, struct podrt_pod *pod, struct podrt_error **err) {
        struct store *s;
        _cleanup_close_ int lock = -1;
        int r = runtime_store(rt, &s, err);
        if (r < 0 || (r = store_lock(s, pod->id, LOCK_EX, &lock, err)) < 0)
                return r;
        if (pod->state == PODRT_POD_RUNNING || pod->state == PODRT_POD_PAUSED) {
                _cleanup_(pod_unrefp) struct podrt_pod *disk = NULL;
                _cleanup_error_ struct podrt_error *e = NULL;
                if (pod_load(pod->dir, &disk, &e) >= 0 &&
                    (disk->state == PODRT_POD_PAUSED || disk->state == PODRT_POD_RUNNING))
                        pod->state = disk->state;
        }
        return pod_save(pod, err);
}

static size_t n_exited(const struct podrt_pod *pod) {
        size_t n = 0;
        for (size_t i = 0; i < pod->spec->n_apps; i++)
                n += pod->apps[i].state == PODRT_APP_EXITED;
        return n;
}

static int all_exited(const struct podrt_pod *pod) {
        return n_exited(pod) == pod->spec->n_apps;
}

/* The exit code of the first app that failed, by exit time. */
static int pod_exit_status(const struct podrt_pod *pod) {
        int status = 0;
        int64_t first = 0;
        for (size_t i = 0; i < pod->spec->n_apps; i++) {
                const struct podrt_app *a = &pod->apps[i];
                if (a->exit_code > 0 && (!first || a->finished_at < first)) {
                        first = a->finished_at;
                        status = a->exit_code;
                }
        }
        return status;
}

static void backend_refresh(struct plugin *p, struct podrt_pod *pod) {
        const struct podrt_pod_ops *ops = plugin_pod_ops(p);
        _cleanup_error_ struct podrt_error *e = NULL;
        if (OPS_HAS(ops, state) && PLUGIN_CALL(p, ops, "pod", state, &e, pod, 0) < 0)
                log_msg(PODRT_LOG_WARNING, "%s: state: %s", pod->name, podrt_error_message(e));
}

/* Reaps every child; returns 1 when children remain, 0 when none.  When the
 * process of an app ends, the backend's state() is asked first: for
 * backends whose apps live inside one process (nspawn, kvm) it records each
 * app's own status, in the order they exited; what it leaves is the
 * process's status.  waited[i] is the process start gave for app i: the
 * one to wait for, even when the backend's state has since told the app's
 * own pid (an OCI runtime's container process, not our child). */
static int reap(struct plugin *backend, struct podrt_pod *pod, const pid_t *waited) {
        for (;;) {
                int st;
                pid_t pid = waitpid(-1, &st, WNOHANG);
                if (pid == 0)
                        return 1;
                if (pid < 0)
                        return errno == EINTR ? 1 : 0;
                int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                int ours = 0;
                for (size_t i = 0; i < pod->spec->n_apps; i++)
                        ours |= waited[i] == pid && pod->apps[i].state != PODRT_APP_EXITED;
                if (!ours)
                        continue;   /* an orphan we inherited as subreaper */
                backend_refresh(backend, pod);
                for (size_t i = 0; i < pod->spec->n_apps; i++)
                        if (waited[i] == pid && pod->apps[i].state != PODRT_APP_EXITED)
                                podrt_app_set_exited(&pod->apps[i], code);
        }
}

static void report(int fd, int r, const struct podrt_error *e) {
        if (fd < 0)
                return;
        char buf[4096];
        int n = r < 0 ? snprintf(buf, sizeof(buf), "%d %s", podrt_error_code(e), podrt_error_message(e))
                      : snprintf(buf, sizeof(buf), "0");
        (void)write_all(fd, buf, (size_t)(n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1));
        close(fd);
}

/* log_size_max (validated at load): bytes, 0 for no limit. */
static uint64_t monitor_log_max(struct runtime *rt) {
        const char *v = podrt_config_string(rt->cfg, "log_size_max", "16Mi");
        int64_t bytes = 0;
        if (strcmp(v, "0") == 0 || parse_memory(v, &bytes) < 0)
                return 0;
        return (uint64_t)bytes;
}

int monitor_run(struct runtime *rt, const char *id, unsigned flags, int ready_fd, int *ret_status,
                struct podrt_error **err) {
        struct store *s;
        _cleanup_close_ int mlock = -1;
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        struct plugin *backend = NULL;
        int r = runtime_store(rt, &s, &e);
        if (r >= 0 && (r = store_monitor_lock(s, id, LOCK_EX | LOCK_NB, &mlock, &e)) == -EWOULDBLOCK)
                r = podrt_error_set(&e, EBUSY, "pod %s is running already", id);
        if (r >= 0) {
                _cleanup_close_ int lock = -1;
                if ((r = runtime_open_pod(rt, id, LOCK_EX, &pod, &lock, &e)) >= 0 &&
                    !pod_state_transition_ok(pod->state, PODRT_POD_RUNNING))
                        r = podrt_error_set(&e, EBUSY, "pod %s is %s", pod->name, pod_state_to_string(pod->state));
        }
        if (r >= 0)
                r = runtime_plugin(rt, pod->backend, "pod", &backend, &e);
        if (r < 0) {
                report(ready_fd, r, e);
                *err = TAKE_PTR(e);
                return r;
        }

        size_t n = pod->spec->n_apps;
        _cleanup_free_ struct applog *logs = calloc(n, sizeof(*logs));
        _cleanup_free_ struct stream *streams = calloc(2 * n, sizeof(*streams));
        _cleanup_free_ int *writers = calloc(2 * n, sizeof(*writers));
        _cleanup_free_ pid_t *waited = calloc(n, sizeof(*waited));
        _cleanup_free_ struct pollfd *pfd = calloc(1 + 2 * n, sizeof(*pfd));
        if (!logs || !streams || !writers || !waited || !pfd) {
                r = podrt_error_set(&e, ENOMEM, "monitor: out of memory");
                report(ready_fd, r, e);
                *err = TAKE_PTR(e);
                return r;
        }
        for (size_t i = 0; i < n; i++)
                logs[i].fd = -1;
        for (size_t i = 0; i < 2 * n; i++)
                streams[i] = (struct stream){ .fd = -1, .log = &logs[i / 2], .echo = -1 }, writers[i] = -1;
        uint64_t log_max = monitor_log_max(rt);

        prctl(PR_SET_CHILD_SUBREAPER, 1);
        r = signals_install(&e);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                struct podrt_app *a = &pod->apps[i];
                a->state = PODRT_APP_CREATED, a->pid = 0, a->exit_code = -1, a->finished_at = 0;
                a->stdin_fd = i == 0 && (flags & (MONITOR_STDIN | MONITOR_TTY)) ? STDIN_FILENO : -1;
                if ((r = applog_open(&logs[i], a->log_path, log_max)) < 0) {
                        r = podrt_error_set(&e, r, "%s: %s", a->log_path, strerror(-r));
                        break;
                }
                if (i == 0 && (flags & MONITOR_TTY)) {
                        a->stdout_fd = STDOUT_FILENO, a->stderr_fd = STDERR_FILENO;
                        continue;
                }
                for (int k = 0; k < 2; k++) {
                        int p[2];
                        if (pipe2(p, O_CLOEXEC) < 0) {
                                r = podrt_error_set(&e, errno, "pipe: %m");
                                break;
                        }
                        fcntl(p[0], F_SETFL, O_NONBLOCK);
                        streams[2 * i + k] = (struct stream){
                                .fd = p[0],
                                .log = &logs[i],
                                .echo = (flags & MONITOR_FOREGROUND) ? 1 + k : -1,
                        };
                        writers[2 * i + k] = p[1];
                }
                a->stdout_fd = writers[2 * i];
                a->stderr_fd = writers[2 * i + 1];
        }
        if (r >= 0)
                r = pod_run_hooks(rt, pod, PODRT_HOOK_START_CONTAINER, "created", &e);
        if (r >= 0) {
                r = PLUGIN_CALL(backend, plugin_pod_ops(backend), "pod", start, &e, pod, 0);
        }
        for (size_t i = 0; i < 2 * n; i++)
                if (writers[i] >= 0)
                        close(writers[i]);
        for (size_t i = 0; i < n; i++)
                pod->apps[i].stdout_fd = pod->apps[i].stderr_fd = pod->apps[i].stdin_fd = -1;
        if (r >= 0) {
                pod->state = PODRT_POD_RUNNING;
                pod->started_at = now_ns();
                pod->finished_at = 0;
                pod->monitor_pid = getpid();
                r = monitor_save(rt, pod, &e);
        }
        if (r < 0) {
                /* Undo a partial start: end what began, reap it. */
                const struct podrt_pod_ops *ops = plugin_pod_ops(backend);
                if (OPS_HAS(ops, kill))
                        ops->kill(plugin_data(backend), pod, SIGKILL, 0, NULL);
                while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
                        ;
                for (size_t i = 0; i < 2 * n; i++)
                        if (streams[i].fd >= 0) close(streams[i].fd);
                for (size_t i = 0; i < n; i++)
                        if (logs[i].fd >= 0) close(logs[i].fd);
                signals_restore();
                report(ready_fd, r, e);
                *err = TAKE_PTR(e);
                return r;
        }
        report(ready_fd, 0, NULL);
        for (size_t i = 0; i < n; i++)
                waited[i] = pod->apps[i].pid;

        if (pod_run_hooks(rt, pod, PODRT_HOOK_POSTSTART, "running", &e) < 0)
                log_msg(PODRT_LOG_WARNING, "%s: %s", pod->name, podrt_error_message(e));
        e = podrt_error_free(e);

        int children = 1, drain_rounds = 0;
        for (;;) {
                int done = all_exited(pod) || !children;
                pfd[0] = (struct pollfd){ .fd = signal_pipe[0], .events = POLLIN };
                for (size_t i = 0; i < 2 * n; i++)
                        pfd[1 + i] = (struct pollfd){ .fd = streams[i].fd, .events = POLLIN };
                int open_streams = 0;
                for (size_t i = 0; i < 2 * n; i++)
                        open_streams += streams[i].fd >= 0;
                if (done && (!open_streams || drain_rounds > 20))
                        break;
                int k = poll(pfd, 1 + 2 * n, done ? 50 : 1000);
                if (k < 0 && errno != EINTR)
                        break;
                ssize_t moved = 0;
                for (size_t i = 0; i < 2 * n; i++)
                        if (pfd[1 + i].revents)
                                moved += stream_pump(&streams[i]);
                if (done && !moved)
                        drain_rounds++;
                unsigned char sig;
                int reaped = 0;
                while (read(signal_pipe[0], &sig, 1) == 1) {
                        if (sig == SIGCHLD)
                                reaped = 1;
                        else {
                                _cleanup_error_ struct podrt_error *ke = NULL;
                                const struct podrt_pod_ops *ops = plugin_pod_ops(backend);
                                if (OPS_HAS(ops, kill) && PLUGIN_CALL(backend, ops, "pod", kill, &ke, pod, sig, 0) < 0)
                                        log_msg(PODRT_LOG_WARNING, "%s: forwarding signal %d: %s", pod->name,
                                                sig, podrt_error_message(ke));
                        }
                }
                if (reaped || k == 0) {
                        size_t before = n_exited(pod);
                        children = reap(backend, pod, waited);
                        /* Record an app's end while others run; the last
                         * one's is recorded with the pod's. */
                        if (n_exited(pod) != before && !all_exited(pod)) {
                                if (monitor_save(rt, pod, &e) < 0)
                                        log_msg(PODRT_LOG_WARNING, "%s: %s", pod->name, podrt_error_message(e));
                                e = podrt_error_free(e);
                        }
                }
        }
        backend_refresh(backend, pod);
        for (size_t i = 0; i < n; i++)
                if (pod->apps[i].state != PODRT_APP_EXITED) {
                        log_msg(PODRT_LOG_WARNING, "%s: app %s: exit status unknown", pod->name, pod->apps[i].spec->name);
                        podrt_app_set_exited(&pod->apps[i], 255);
                }
        for (size_t i = 0; i < 2 * n; i++)
                if (streams[i].fd >= 0) close(streams[i].fd);
        for (size_t i = 0; i < n; i++)
                if (logs[i].fd >= 0) close(logs[i].fd);
        while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
        signals_restore();

        pod->state = PODRT_POD_STOPPED;
        pod->finished_at = now_ns();
        if (pod_run_hooks(rt, pod, PODRT_HOOK_POSTSTOP, "stopped", &e) < 0)
                log_msg(PODRT_LOG_WARNING, "%s: %s", pod->name, podrt_error_message(e));
        e = podrt_error_free(e);
        *ret_status = pod_exit_status(pod);
        /* With --rm the pod is removed right away: no need to record its end
         * (a crash before the removal leaves a pod gc cleans up). */
        r = (flags & MONITOR_RM) ? 0 : monitor_save(rt, pod, &e);
        if (r >= 0 && (flags & MONITOR_RM)) {
                _cleanup_close_ int lock = -1;
                if ((r = store_lock(s, pod->id, LOCK_EX, &lock, &e)) >= 0)
                        r = pod_destroy(rt, pod, &e);
        }
        if (r < 0)
                *err = TAKE_PTR(e);
        return r;
}

static int code_is_error(const char *buf, size_t len) {
        return len == 0 || strtol(buf, NULL, 10) != 0;
}

int monitor_spawn(struct runtime *rt, const char *id, unsigned flags, struct podrt_error **err) {
        struct report_pipe rp;
        pid_t pid = fork_reporting(&rp);
        if (pid < 0)
                return podrt_error_set(err, errno, "%s: %m", rp.failed);
        if (pid == 0) {
                setsid();
                pid_t m = fork();
                if (m != 0)
                        _exit(m < 0 ? 1 : 0);
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                char path[4096];
                snprintf(path, sizeof(path), "%s/pods/%s/monitor.log", rt->state_dir, id);
                int log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
                dup2(null, 0), dup2(null, 1), dup2(log >= 0 ? log : null, 2);
                int status = 0;
                _cleanup_error_ struct podrt_error *e = NULL;
                int r = monitor_run(rt, id, flags & MONITOR_RM, rp.fd[1], &status, &e);
                if (r < 0)
                        log_msg(PODRT_LOG_ERR, "%s", podrt_error_message(e));
                _exit(r < 0 ? 125 : status);
        }
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        char buf[4096];
        size_t len = read_report(rp.fd[0], buf, sizeof(buf));
        if (code_is_error(buf, len))
                /* The monitor gives up its lock as it exits: wait for that,
                 * so that the caller can clean up the pod it did not start. */
                pod_wait_monitor(rt, id, 5000);
        if (len == 0)
                return podrt_error_set(err, EIO, "the pod's monitor exited before starting it (see %s/pods/%s/monitor.log)",
                                       rt->state_dir, id);
        char *msg = NULL;
        long code = strtol(buf, &msg, 10);
        if (code == 0)
                return 0;
        return podrt_error_set(err, (int)code, "%s", msg && *msg == ' ' ? msg + 1 : buf);
}
