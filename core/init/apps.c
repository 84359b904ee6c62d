/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apps.h"
#include "cgroups.h"
#include "control.h"
#include "errors.h"
#include "exec.h"
#include "paths.h"
#include "status.h"
#include "supervisor.h"
#include "timeutil.h"

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP };

/* How often the description's stop-file is looked for: it lives on a share
 * without inotify (9p), and a stop should feel immediate. */
#define STOP_POLL_MS 100

/* systemd's requests to an init (halt, poweroff, reboot: what
 * systemd-nspawn --kill-signal and machinectl send) and SIGPWR: the apps get
 * a SIGTERM for each. */
static int as_sigterm(int sig) {
        return sig == SIGPWR || (sig >= SIGRTMIN + 3 && sig <= SIGRTMIN + 5);
}

static void nothing(int sig) {
        (void)sig;
}

void apps_signal_set(sigset_t *set) {
        sigemptyset(set);
        sigaddset(set, SIGCHLD);
        for (size_t i = 0; i < ELEMENTSOF(forwarded); i++)
                sigaddset(set, forwarded[i]);
        sigaddset(set, SIGPWR);
        for (int i = 3; i <= 5; i++)
                sigaddset(set, SIGRTMIN + i);
}

void apps_block_signals(void) {
        sigset_t set;
        apps_signal_set(&set);
        sigprocmask(SIG_BLOCK, &set, NULL);
        /* A handler, not SIG_DFL: PID 1 of a namespace gets no signal it
         * has not asked for. */
        struct sigaction sa = { .sa_handler = nothing };
        sigemptyset(&sa.sa_mask);
        for (int sig = 1; sig < NSIG; sig++)
                if (sigismember(&set, sig) == 1)
                        sigaction(sig, &sa, NULL);
}

static void warn(const struct initspec_app *app, const char *fmt, ...) PODRT_PRINTF(2, 3);
static void warn(const struct initspec_app *app, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "podrt-init: app %s: ", app->name);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}

#define SPAWN_SYNC_MS 5000

static pid_t spawn(const struct initspec_app *app, char *const *argv, const char *what) {
        /* Returns once the child is in the app's namespace and root (at
         * its exec, or its failure, the pipe's end closes): the pid file
         * written then leads `podrt exec` into the app, never into the pod
         * root the child is still leaving. */
        int sync[2] = { -1, -1 };
        if (pipe2(sync, O_CLOEXEC) < 0)
                sync[0] = sync[1] = -1;
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0)
                exec_app_child(app, argv, what);
        int e = errno;
        if (sync[1] >= 0)
                close(sync[1]);
        if (pid > 0 && sync[0] >= 0) {
                /* A setup that hangs (a stuck mount) does not hang PID 1. */
                struct pollfd p = { .fd = sync[0], .events = POLLIN };
                while (poll(&p, 1, SPAWN_SYNC_MS) < 0 && errno == EINTR)
                        ;
        }
        if (sync[0] >= 0)
                close(sync[0]);
        if (pid < 0) {
                warn(app, "%scannot fork: %s", what, strerror(e));
                return -1;
        }
        /* Also done by the child: whichever runs first, the group exists
         * before a signal is forwarded to it. */
        setpgid(pid, pid);
        return pid;
}

/* The app is over (it exited, or it never ran): its status now, then its
 * post-stop. */
static void app_ended(struct supervisor *sv, struct app_run *r, int code) {
        const struct initspec_app *app = r->app;
        if (app->status_path) {
                _cleanup_error_ struct podrt_error *e = NULL;
                if (status_file_write(app->status_path, code, &e) < 0)
                        warn(app, "status: %s", podrt_error_message(e));
        }
        /* The pod's status is its own apps': an added app stopped on its
         * own is no failure of the pod. */
        if (!r->spec)
                pod_outcome_record(&sv->outcome, code);
        r->code = code;
        r->pid = 0;
        r->phase = PHASE_DONE;
        if (app->post_stop) {
                pid_t pid = spawn(app, app->post_stop, "post-stop: ");
                if (pid > 0) {
                        r->pid = pid;
                        r->phase = PHASE_POST_STOP;
                        return;
                }
        }
        control_finished(r);
}

static void start_app(struct supervisor *sv, struct app_run *r) {
        const struct initspec_app *app = r->app;
        if (sv->stop_signal || r->stop_signal) {
                app_ended(sv, r, 128 + (sv->stop_signal ? sv->stop_signal : r->stop_signal));
                return;
        }
        pid_t pid = spawn(app, app->argv, "");
        if (pid < 0) {
                app_ended(sv, r, INIT_EXIT_FAILURE);
                return;
        }
        r->pid = pid;
        r->phase = PHASE_APP;
        if (app->pid_path) {
                char text[24];
                _cleanup_error_ struct podrt_error *e = NULL;
                snprintf(text, sizeof(text), "%d\n", (int)pid);
                if (init_write_file(app->pid_path, text, &e) < 0)
                        warn(app, "pidfile: %s", podrt_error_message(e));
        }
}

static void start(struct supervisor *sv, struct app_run *r) {
        if (!r->app->pre_start || sv->stop_signal || r->stop_signal) {
                start_app(sv, r);
                return;
        }
        pid_t pid = spawn(r->app, r->app->pre_start, "pre-start: ");
        if (pid < 0) {
                app_ended(sv, r, INIT_EXIT_FAILURE);
                return;
        }
        r->pid = pid;
        r->phase = PHASE_PRE_START;
}

static void exited(struct supervisor *sv, struct app_run *r, int wstatus) {
        int code = exit_code_from_wait(wstatus);
        r->pid = 0;
        switch (r->phase) {
        case PHASE_PRE_START:
                if (code == 0) {
                        start_app(sv, r);
                        break;
                }
                warn(r->app, "pre-start failed with status %d: the app does not run", code);
                app_ended(sv, r, code);
                break;
        case PHASE_APP:
                app_ended(sv, r, code);
                break;
        case PHASE_POST_STOP:
                if (code != 0)
                        warn(r->app, "post-stop failed with status %d", code);
                r->phase = PHASE_DONE;
                control_finished(r);
                break;
        case PHASE_DONE:
                break;
        }
}

static void reap(struct supervisor *sv) {
        for (;;) {
                int wstatus;
                pid_t pid = waitpid(-1, &wstatus, WNOHANG);
                if (pid <= 0)
                        return;
                /* Orphans that were reparented to us are reaped and forgotten. */
                for (size_t i = 0; i < sv->n_runs; i++)
                        if (sv->runs[i].pid == pid) {
                                exited(sv, &sv->runs[i], wstatus);
                                break;
                        }
        }
}

static void forward(struct supervisor *sv, int sig) {
        if (as_sigterm(sig))
                sig = SIGTERM;
        if (!sv->stop_signal)
                sv->stop_signal = sig;
        for (size_t i = 0; i < sv->n_runs; i++) {
                pid_t pid = sv->runs[i].pid;
                if (pid > 0 && kill(-pid, sig) < 0)
                        kill(pid, sig);
        }
}

static bool all_done(const struct supervisor *sv) {
        for (size_t i = 0; i < sv->n_runs; i++)
                if (sv->runs[i].phase != PHASE_DONE)
                        return false;
        return true;
}

/* The host's stop request (a VM's: the file appears on the status share):
 * the apps are stopped as by a SIGTERM to init.  True once seen: it is acted
 * on once. */
static bool stop_requested(struct supervisor *sv, const char *path) {
        if (access(path, F_OK) < 0)
                return false;
        forward(sv, SIGTERM);
        return true;
}

/* ---- apps added while the pod runs (control.c) ---- */

static void run_clear(struct app_run *r) {
        initspec_free(r->spec);
        int fds[] = { r->watcher, r->out_fd, r->err_fd, r->in_fd };
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        *r = (struct app_run){ .watcher = -1, .out_fd = -1, .err_fd = -1, .in_fd = -1 };
}

static struct app_run *find_run(struct supervisor *sv, const char *name) {
        for (size_t i = 0; i < sv->n_runs; i++)
                if (!strcmp(sv->runs[i].app->name, name))
                        return &sv->runs[i];
        return NULL;
}

/* "/proc/self/fd/N": what the app's process opens as its stdout/stderr. */
static int fd_path(int fd, char **slot) {
        char *p = NULL;
        if (asprintf(&p, "/proc/self/fd/%d", fd) < 0)
                return -ENOMEM;
        free(*slot);
        *slot = p;
        return 0;
}

/* The added app's description where the exec agent finds it (it forked
 * before the app came). */
static void keep_description(const struct initspec_app *app) {
        _cleanup_error_ struct podrt_error *e = NULL;
        _cleanup_free_ char *text = NULL, *path = NULL;
        if (asprintf(&path, INITSPEC_ADDED_DIR "/%s", app->name) < 0 || initspec_app_text(app, &text, &e) < 0 ||
            init_write_file(path, text, &e) < 0)
                warn(app, "its description for exec: %s", e ? podrt_error_message(e) : "out of memory");
}

int supervisor_add(struct supervisor *sv, struct initspec *spec, int out_fd, int err_fd, int in_fd,
                   struct app_run **ret_run, struct podrt_error **err) {
        _cleanup_(initspec_freep) struct initspec *owned = spec;
        _cleanup_close_ int out = out_fd, errfd = err_fd, in = in_fd;
        struct initspec_app *app = &spec->apps[0];
        if (sv->stop_signal)
                return podrt_error_set(err, ESHUTDOWN, "app %s: the pod is stopping", app->name);
        struct app_run *r = find_run(sv, app->name);
        if (r && r->phase != PHASE_DONE)
                return podrt_error_set(err, EEXIST, "app %s: an app of that name is running", app->name);
        if ((out >= 0 && fd_path(out, &app->stdout_path) < 0) ||
            (errfd >= 0 && fd_path(errfd, &app->stderr_path) < 0) || (in >= 0 && fd_path(in, &app->stdin_path) < 0))
                return podrt_error_set(err, ENOMEM, "out of memory");
        if (!r) {
                struct app_run *n = realloc(sv->runs, (sv->n_runs + 1) * sizeof(*n));
                if (!n)
                        return podrt_error_set(err, ENOMEM, "out of memory");
                sv->runs = n;
                r = &sv->runs[sv->n_runs++];
                *r = (struct app_run){ 0 };
        } else if (r->spec)
                run_clear(r);
        /* (One of the pod's own apps that ended: its description stays the
         * pod's, the new one is the run's.) */
        *r = (struct app_run){ .app = app, .spec = TAKE_PTR(owned), .watcher = -1,
                               .out_fd = TAKE_FD(out), .err_fd = TAKE_FD(errfd), .in_fd = TAKE_FD(in) };
        if (sv->limits)
                cgroups_setup_app(app);
        if (sv->keep_added)
                keep_description(app);
        start(sv, r);
        if (r->phase == PHASE_DONE || r->phase == PHASE_POST_STOP)
                return podrt_error_set(err, EIO, "app %s: could not start (status %d)", app->name, r->code);
        *ret_run = r;
        return 0;
}

int supervisor_signal(struct supervisor *sv, const char *name, int sig) {
        struct app_run *r = find_run(sv, name);
        if (!r)
                return -ENOENT;
        if (r->pid <= 0 || r->phase == PHASE_DONE)
                return 0;
        if (r->phase != PHASE_POST_STOP && !r->stop_signal)
                r->stop_signal = sig;
        if (kill(-r->pid, sig) < 0 && kill(r->pid, sig) < 0)
                return 0;
        return 1;
}

/* ---- the loop ---- */

static void handle_signal(struct supervisor *sv, int sig) {
        if (sig == SIGCHLD)
                reap(sv);
        else
                forward(sv, sig);
}

/* Waits for a signal, a control connection or the tick (at *next_tick, on
 * CLOCK_MONOTONIC), and acts on what came.  The stop-file and the request
 * files are looked for at the tick only, after the signals: on a VM's 9p
 * share each look is a few round trips to the host (~4 ms under TCG), which
 * an app's end no longer waits for. */
static void wait_events(struct supervisor *sv, const struct initspec *s, int sfd, int lfd,
                        const sigset_t *set, bool *polling, int64_t *next_tick) {
        struct pollfd p[2] = { { .fd = sfd, .events = POLLIN }, { .fd = lfd, .events = POLLIN } };
        /* Without a signalfd: a tick, and the signals taken below.  Request
         * files (a VM's) are looked for at the same tick. */
        bool ticking = *polling || sfd < 0 || s->request_dir;
        int64_t wait = *next_tick - now_ms();
        if (wait < 0)
                wait = 0;
        (void)poll(p, 2, ticking ? (int)(wait < STOP_POLL_MS ? wait : STOP_POLL_MS) : -1);
        struct signalfd_siginfo ssi;
        while (sfd >= 0 && read(sfd, &ssi, sizeof(ssi)) == sizeof(ssi))
                handle_signal(sv, (int)ssi.ssi_signo);
        for (;;) {
                siginfo_t si;
                const struct timespec zero = { 0 };
                int sig = sigtimedwait(set, &si, &zero);
                if (sig < 0)
                        break;
                handle_signal(sv, sig);
        }
        if (lfd >= 0 && (p[1].revents & POLLIN))
                control_serve(sv, lfd);
        if (!ticking || now_ms() < *next_tick)
                return;
        *next_tick = now_ms() + STOP_POLL_MS;
        if (*polling && stop_requested(sv, s->stop_path))
                *polling = false;
        if (s->request_dir)
                control_serve_dir(sv, s->request_dir);
}

int apps_run(const struct initspec *s, bool limits, pid_t (*started)(const struct initspec *s)) {
        struct supervisor sv = { .n_runs = s->n_apps, .limits = limits, .keep_added = s->exec_port != NULL };
        sigset_t set;
        /* Only a description with a stop-file costs a poll. */
        bool polling = s->stop_path;

        apps_block_signals();
        apps_signal_set(&set);
        if (s->n_apps == 0 && !s->linger)
                return 0;
        sv.runs = calloc(s->n_apps + 1, sizeof(*sv.runs));
        if (!sv.runs) {
                fprintf(stderr, "podrt-init: out of memory\n");
                return INIT_EXIT_FAILURE;
        }
        int lfd = s->control_path ? control_listen(s->control_path) : -1;
        int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        /* A stop requested while the VM booted: no app starts. */
        if (polling && stop_requested(&sv, s->stop_path))
                polling = false;
        int64_t next_tick = now_ms() + STOP_POLL_MS;
        for (size_t i = 0; i < s->n_apps; i++) {
                sv.runs[i] = (struct app_run){ .app = &s->apps[i], .watcher = -1, .out_fd = -1, .err_fd = -1,
                                               .in_fd = -1 };
                start(&sv, &sv.runs[i]);
        }
        if (started)
                started(s);
        /* A sandbox (linger) waits for apps added later, until a stop. */
        while (!all_done(&sv) || (s->linger && !sv.stop_signal))
                wait_events(&sv, s, sfd, lfd, &set, &polling, &next_tick);
        if (lfd >= 0) {
                close(lfd);
                unlink(s->control_path);
        }
        if (sfd >= 0)
                close(sfd);
        for (size_t i = 0; i < sv.n_runs; i++)
                run_clear(&sv.runs[i]);
        free(sv.runs);
        return sv.outcome.code;
}
