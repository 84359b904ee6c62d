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
#include "monitor-internal.h"
#include "process.h"
#include "states.h"

static int signal_pipe[2] = { -1, -1 };
static pid_t signal_owner;

static void on_signal(int signo) {
        int e = errno;
        /* A child a backend forked that has not exec'd yet has our handler:
         * what is sent to it is its own, not the monitor's (an app stopped
         * right after its start would otherwise stop the whole pod). */
        if (getpid() != signal_owner) {
                signal(signo, SIG_DFL);
                raise(signo);
                errno = e;
                return;
        }
        unsigned char c = (unsigned char)signo;
        (void)!write(signal_pipe[1], &c, 1);
        errno = e;
}

static const int handled_signals[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };

static int signals_install(struct podrt_error **err) {
        signal_owner = getpid();
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

/* Saves the pod under its lock, keeping a pause recorded by another command
 * while the pod runs. */
int monitor_save(struct monitor *m, struct podrt_error **err) {
        struct podrt_pod *pod = m->pod;
        struct store *s;
        _cleanup_close_ int lock = -1;
        int r = runtime_store(m->rt, &s, err);
        if (r < 0 || (r = store_lock(s, pod->id, LOCK_EX, &lock, err)) < 0)
                return r;
        /* Only a pod state.json says is running can have been paused since
         * (the save at start reads nothing back); state.json alone says. */
        if (m->saved_running && (pod->state == PODRT_POD_RUNNING || pod->state == PODRT_POD_PAUSED)) {
                _cleanup_close_ int dfd = open(pod->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                struct json_object *o = NULL;
                uint32_t st;
                if (dfd >= 0 && pod_state_read(dfd, pod->dir, &o, NULL) >= 0 &&
                    pod_state_from_string(pod_json_string(o, "state"), &st) >= 0 &&
                    (st == PODRT_POD_PAUSED || st == PODRT_POD_RUNNING))
                        pod->state = st;
                json_object_put(o);
        }
        r = pod_save(pod, err);
        if (r >= 0 && (pod->state == PODRT_POD_RUNNING || pod->state == PODRT_POD_PAUSED))
                m->saved_running = true;
        return r;
}

static size_t n_exited(const struct podrt_pod *pod) {
        size_t n = 0;
        for (size_t i = 0; i < pod->spec->n_apps; i++)
                n += pod->apps[i].state == PODRT_APP_EXITED;
        return n;
}

/* Whether an app this monitor started has not exited yet. */
static bool apps_running(const struct monitor *m) {
        for (size_t i = 0; i < m->pod->spec->n_apps; i++)
                if (m->apps[i].started && m->pod->apps[i].state != PODRT_APP_EXITED)
                        return true;
        return false;
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

int monitor_refresh(struct monitor *m, struct podrt_error **err) {
        size_t before = n_exited(m->pod);
        backend_refresh(m->backend, m->pod);
        if (n_exited(m->pod) == before || (!apps_running(m) && !m->sandbox))
                return 0;   /* the last app's end is recorded with the pod's */
        return monitor_save(m, err);
}

/* Reaps every child; returns 1 when children remain, 0 when none.  When the
 * process of an app ends, the backend's state() is asked first: for
 * backends whose apps live inside one process (nspawn, kvm) it records each
 * app's own status, in the order they exited; what it leaves is the
 * process's status.  m->apps[i].waited is the process start gave for app
 * i: the one to wait for, even when the backend's state has since told the
 * app's own pid (an OCI runtime's container process, not our child). */
static int reap(struct monitor *m) {
        struct podrt_pod *pod = m->pod;
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
                        ours |= m->apps[i].waited == pid && pod->apps[i].state != PODRT_APP_EXITED;
                if (!ours)
                        continue;   /* an orphan we inherited as subreaper */
                backend_refresh(m->backend, pod);
                for (size_t i = 0; i < pod->spec->n_apps; i++)
                        if (m->apps[i].waited == pid) {
                                if (pod->apps[i].state != PODRT_APP_EXITED)
                                        podrt_app_set_exited(&pod->apps[i], code);
                                m->apps[i].waited = 0;
                        }
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

/* ---- the monitor ------------------------------------------------------------ */

static void monitor_done(struct monitor *m) {
        for (size_t i = 0; i < m->cap; i++)
                monitor_app_close(&m->apps[i]);
        free(m->apps);
        m->apps = NULL;
        m->cap = 0;
        monitor_control_close(m);
}

/* Opens the pod for its monitor: the monitor lock, the pod (given, or
 * loaded), its backend. */
static int monitor_open(struct monitor *m, const char *id, struct podrt_pod *given, int *mlock,
                        struct podrt_error **err) {
        struct store *s;
        int r = runtime_store(m->rt, &s, err);
        if (r >= 0 && (r = store_monitor_lock(s, id, LOCK_EX | LOCK_NB, mlock, err)) == -EWOULDBLOCK)
                r = podrt_error_set(err, EBUSY, "pod %s is running already", id);
        if (r >= 0 && given) {
                /* Still there: a delete may have come between its create and
                 * now (its folder, the lock, is gone before it lets go). */
                _cleanup_close_ int lock = -1;
                struct stat st;
                m->pod = pod_ref(given);
                if ((r = store_lock(s, id, LOCK_EX, &lock, err)) == -ENOENT ||
                    (r >= 0 && fstat(lock, &st) == 0 && st.st_nlink == 0)) {
                        podrt_error_free(err ? TAKE_PTR(*err) : NULL);
                        r = podrt_error_set(err, ENOENT, "no such pod: %s", id);
                }
        } else if (r >= 0) {
                _cleanup_close_ int lock = -1;
                r = runtime_open_pod(m->rt, id, LOCK_EX, &m->pod, &lock, err);
        }
        if (r >= 0 && !pod_state_transition_ok(m->pod->state, PODRT_POD_RUNNING))
                r = podrt_error_set(err, EBUSY, "pod %s is %s", m->pod->name, pod_state_to_string(m->pod->state));
        if (r >= 0)
                r = runtime_plugin(m->rt, m->pod->backend, "pod", &m->backend, err);
        if (r >= 0 && monitor_grow(m) < 0)
                r = podrt_error_set(err, ENOMEM, "monitor: out of memory");
        if (r >= 0) {
                const char *sb = podrt_pod_annotation(m->pod, POD_SANDBOX_ANNOTATION);
                m->sandbox = sb && strcmp(sb, "true") == 0;
                m->log_max = monitor_log_max(m->rt);
        }
        return r;
}

/* Starts the pod's apps through the backend's pod start. */
static int monitor_start(struct monitor *m, struct podrt_error **err) {
        struct podrt_pod *pod = m->pod;
        size_t n = pod->spec->n_apps;
        _cleanup_free_ int *writers = calloc(2 * n, sizeof(int));
        if (!writers)
                return podrt_error_set(err, ENOMEM, "monitor: out of memory");
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        int r = signals_install(err);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                struct podrt_app *a = &pod->apps[i];
                a->state = PODRT_APP_CREATED, a->pid = 0, a->exit_code = -1, a->finished_at = 0;
                a->stdin_fd = i == 0 && (m->flags & (MONITOR_STDIN | MONITOR_TTY)) ? STDIN_FILENO : -1;
                writers[2 * i] = writers[2 * i + 1] = -1;
                if (i == 0 && (m->flags & MONITOR_TTY)) {
                        /* The terminal itself: its log stays empty. */
                        a->stdout_fd = STDOUT_FILENO, a->stderr_fd = STDERR_FILENO;
                        if ((r = monitor_applog_open(&m->apps[i].log, a->log_path, m->log_max)) < 0)
                                r = podrt_error_set(err, r, "%s: %s", a->log_path, strerror(-r));
                        continue;
                }
                r = monitor_app_streams(m, i, &writers[2 * i], err);
        }
        if (r >= 0)
                r = monitor_control_open(m, err);
        if (r >= 0)
                r = pod_run_hooks(m->rt, pod, PODRT_HOOK_START_CONTAINER, "created", err);
        if (r >= 0)
                r = PLUGIN_CALL(m->backend, plugin_pod_ops(m->backend), "pod", start, err, pod, 0);
        for (size_t i = 0; i < n; i++) {
                monitor_app_streams_started(m, i, &writers[2 * i]);
                pod->apps[i].stdin_fd = -1;
        }
        if (r >= 0) {
                pod->state = PODRT_POD_RUNNING;
                pod->started_at = now_ns();
                pod->finished_at = 0;
                pod->monitor_pid = getpid();
                r = monitor_save(m, err);
        }
        if (r < 0) {
                /* Undo a partial start: end what began, reap it. */
                const struct podrt_pod_ops *ops = plugin_pod_ops(m->backend);
                if (OPS_HAS(ops, kill))
                        ops->kill(plugin_data(m->backend), pod, SIGKILL, 0, NULL);
                while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
                        ;
                return r;
        }
        for (size_t i = 0; i < n; i++) {
                m->apps[i].waited = pod->apps[i].pid;
                m->apps[i].started = true;
        }
        return 0;
}

/* Handles what the signal pipe holds: 1 when a child ended. */
static int monitor_signals(struct monitor *m) {
        unsigned char sig;
        int reaped = 0;
        while (read(signal_pipe[0], &sig, 1) == 1) {
                if (sig == SIGCHLD) {
                        reaped = 1;
                        continue;
                }
                /* Forwarded to the apps; a sandbox ends with them. */
                m->shutdown = true;
                _cleanup_error_ struct podrt_error *ke = NULL;
                const struct podrt_pod_ops *ops = plugin_pod_ops(m->backend);
                if (OPS_HAS(ops, kill) && PLUGIN_CALL(m->backend, ops, "pod", kill, &ke, m->pod, sig, 0) < 0)
                        log_msg(PODRT_LOG_WARNING, "%s: forwarding signal %d: %s", m->pod->name, sig,
                                podrt_error_message(ke));
        }
        return reaped;
}

/* Until the apps it started have ended (a sandbox: until it is also asked
 * to end): their output copied, their exits recorded, control requests
 * served. */
static void monitor_loop(struct monitor *m) {
        struct podrt_pod *pod = m->pod;
        _cleanup_free_ struct pollfd *pfd = NULL;
        size_t pfd_cap = 0;
        int children = 1, drain_rounds = 0;
        _cleanup_error_ struct podrt_error *e = NULL;
        for (;;) {
                size_t n = pod->spec->n_apps;
                if (!children && apps_running(m) && m->sandbox) {
                        for (size_t i = 0; i < n; i++)
                                if (m->apps[i].started && pod->apps[i].state != PODRT_APP_EXITED)
                                        podrt_app_set_exited(&pod->apps[i], 255);
                }
                int done = (!apps_running(m) || !children) && (!m->sandbox || m->shutdown);
                if (done)
                        monitor_control_close(m);   /* no new apps from here on */
                if (pfd_cap < 2 + 2 * n) {
                        struct pollfd *p = realloc(pfd, (2 + 2 * n) * sizeof(*p));
                        if (!p)
                                break;
                        pfd = p;
                        pfd_cap = 2 + 2 * n;
                }
                pfd[0] = (struct pollfd){ .fd = signal_pipe[0], .events = POLLIN };
                pfd[1] = (struct pollfd){ .fd = m->control_fd, .events = POLLIN };
                int open_streams = 0;
                for (size_t i = 0; i < n; i++) {
                        pfd[2 + 2 * i] = (struct pollfd){ .fd = m->apps[i].out.fd, .events = POLLIN };
                        pfd[3 + 2 * i] = (struct pollfd){ .fd = m->apps[i].err.fd, .events = POLLIN };
                        open_streams += (m->apps[i].out.fd >= 0) + (m->apps[i].err.fd >= 0);
                }
                if (done && (!open_streams || drain_rounds > 20))
                        break;
                int k = poll(pfd, 2 + 2 * n, done ? 50 : 1000);
                if (k < 0 && errno != EINTR)
                        break;
                ssize_t moved = 0;
                for (size_t i = 0; i < n; i++) {
                        if (pfd[2 + 2 * i].revents)
                                moved += monitor_stream_pump(&m->apps[i].out, &m->apps[i].log);
                        if (pfd[3 + 2 * i].revents)
                                moved += monitor_stream_pump(&m->apps[i].err, &m->apps[i].log);
                }
                if (done && !moved)
                        drain_rounds++;
                if (monitor_signals(m) || k == 0) {
                        size_t before = n_exited(pod);
                        children = reap(m);
                        /* Record an app's end while others run; the last
                         * one's is recorded with the pod's. */
                        if (n_exited(pod) != before && (apps_running(m) || m->sandbox)) {
                                if (monitor_save(m, &e) < 0)
                                        log_msg(PODRT_LOG_WARNING, "%s: %s", pod->name, podrt_error_message(e));
                                e = podrt_error_free(e);
                        }
                }
                /* Last: a request may add or remove apps (and the fds
                 * polled above with them). */
                if (k > 0 && m->control_fd >= 0 && (pfd[1].revents & POLLIN)) {
                        monitor_control_serve(m);
                        children = 1;
                }
        }
}

static int run(struct runtime *rt, const char *id, struct podrt_pod *given, unsigned flags, int ready_fd,
               int *ret_status, struct podrt_error **err) {
        struct monitor m = { .rt = rt, .flags = flags, .control_fd = -1 };
        _cleanup_close_ int mlock = -1;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = monitor_open(&m, id, given, &mlock, &e);
        if (r >= 0 && (r = monitor_start(&m, &e)) < 0) {
                monitor_done(&m);
                signals_restore();
        }
        if (r < 0) {
                report(ready_fd, r, e);
                pod_unref(m.pod);
                free(m.apps);
                *err = TAKE_PTR(e);
                return r;
        }
        _cleanup_(pod_unrefp) struct podrt_pod *pod = m.pod;
        report(ready_fd, 0, NULL);

        if (pod_run_hooks(rt, pod, PODRT_HOOK_POSTSTART, "running", &e) < 0)
                log_msg(PODRT_LOG_WARNING, "%s: %s", pod->name, podrt_error_message(e));
        e = podrt_error_free(e);

        monitor_loop(&m);
        backend_refresh(m.backend, pod);
        for (size_t i = 0; i < pod->spec->n_apps; i++)
                if (pod->apps[i].state == PODRT_APP_RUNNING) {
                        log_msg(PODRT_LOG_WARNING, "%s: app %s: exit status unknown", pod->name, pod->apps[i].spec->name);
                        podrt_app_set_exited(&pod->apps[i], 255);
                }
        monitor_done(&m);
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
        r = (flags & MONITOR_RM) ? 0 : monitor_save(&m, &e);
        if (r >= 0 && (flags & MONITOR_RM)) {
                struct store *s;
                _cleanup_close_ int lock = -1;
                if ((r = runtime_store(rt, &s, &e)) >= 0 && (r = store_lock(s, pod->id, LOCK_EX, &lock, &e)) >= 0)
                        r = pod_destroy(rt, pod, &e);
        }
        if (r < 0)
                *err = TAKE_PTR(e);
        return r;
}

int monitor_run(struct runtime *rt, const char *id, unsigned flags, int ready_fd, int *ret_status,
                struct podrt_error **err) {
        return run(rt, id, NULL, flags, ready_fd, ret_status, err);
}

int monitor_run_pod(struct runtime *rt, struct podrt_pod *pod, unsigned flags, int ready_fd, int *ret_status,
                    struct podrt_error **err) {
        return run(rt, pod->id, pod, flags, ready_fd, ret_status, err);
}

static int code_is_error(const char *buf, size_t len) {
        return len == 0 || strtol(buf, NULL, 10) != 0;
}

int monitor_spawn(struct runtime *rt, const char *id, struct podrt_pod *pod, unsigned flags,
                  struct podrt_error **err) {
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
                int r = run(rt, id, pod, flags & MONITOR_RM, rp.fd[1], &status, &e);
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
