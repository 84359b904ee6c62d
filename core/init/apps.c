/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apps.h"
#include "errors.h"
#include "exec.h"
#include "paths.h"
#include "status.h"

enum app_phase {
        PHASE_PRE_START,
        PHASE_APP,
        PHASE_POST_STOP,
        PHASE_DONE,
};

struct app_run {
        const struct initspec_app *app;
        enum app_phase phase;
        pid_t pid;              /* the current phase's process, 0 when none */
};

struct supervisor {
        struct app_run *runs;
        size_t n_runs;
        struct pod_outcome outcome;
        int stop_signal;        /* the first forwarded signal, 0 before */
};

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

static pid_t spawn(const struct initspec_app *app, char *const *argv, const char *what) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0)
                exec_app_child(app, argv, what);
        if (pid < 0) {
                warn(app, "%scannot fork: %s", what, strerror(errno));
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
        pod_outcome_record(&sv->outcome, code);
        r->pid = 0;
        r->phase = PHASE_DONE;
        if (app->post_stop) {
                pid_t pid = spawn(app, app->post_stop, "post-stop: ");
                if (pid > 0) {
                        r->pid = pid;
                        r->phase = PHASE_POST_STOP;
                }
        }
}

static void start_app(struct supervisor *sv, struct app_run *r) {
        const struct initspec_app *app = r->app;
        if (sv->stop_signal) {
                app_ended(sv, r, 128 + sv->stop_signal);
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
        if (!r->app->pre_start || sv->stop_signal) {
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

int apps_run(const struct initspec *s) {
        struct supervisor sv = { .n_runs = s->n_apps };
        sigset_t set;
        /* Only a description with a stop-file costs a poll. */
        bool polling = s->stop_path;

        apps_block_signals();
        apps_signal_set(&set);
        if (s->n_apps == 0)
                return 0;
        sv.runs = calloc(s->n_apps, sizeof(*sv.runs));
        if (!sv.runs) {
                fprintf(stderr, "podrt-init: out of memory\n");
                return INIT_EXIT_FAILURE;
        }
        /* A stop requested while the VM booted: no app starts. */
        if (polling && stop_requested(&sv, s->stop_path))
                polling = false;
        for (size_t i = 0; i < s->n_apps; i++) {
                sv.runs[i].app = &s->apps[i];
                start(&sv, &sv.runs[i]);
        }
        while (!all_done(&sv)) {
                siginfo_t si;
                int sig;
                if (polling) {
                        const struct timespec tick = { .tv_nsec = STOP_POLL_MS * 1000000L };
                        sig = sigtimedwait(&set, &si, &tick);
                        /* After a timeout and after each signal: at least
                         * every STOP_POLL_MS whatever comes. */
                        if (stop_requested(&sv, s->stop_path))
                                polling = false;
                } else
                        sig = sigwaitinfo(&set, &si);
                if (sig < 0)
                        continue;       /* EINTR, EAGAIN: the poll's tick */
                if (sig == SIGCHLD)
                        reap(&sv);
                else
                        forward(&sv, sig);
        }
        free(sv.runs);
        return sv.outcome.code;
}
