/* SPDX-License-Identifier: Apache-2.0 */
/* Inside podrt-init: the supervisor of the pod's apps (apps.c) as the
 * control channel (control.c) reaches it, to start an app added to the
 * running pod and to signal one app. */
#ifndef PODRT_INIT_SUPERVISOR_H
#define PODRT_INIT_SUPERVISOR_H

#include <stdbool.h>
#include <sys/types.h>

#include <podrt/error.h>

#include "initspec.h"
#include "status.h"

enum app_phase {
        PHASE_PRE_START,
        PHASE_APP,
        PHASE_POST_STOP,
        PHASE_DONE,
};

struct app_run {
        struct initspec_app *app;
        struct initspec *spec;  /* an added app's own description (owns app), else NULL */
        enum app_phase phase;
        pid_t pid;              /* the current phase's process, 0 when none */
        int code;               /* the app's exit code, once it ended */
        int stop_signal;        /* a signal this app alone was sent (its pre-start's
                                 * success then does not start it) */
        int watcher;            /* the control connection told when the app is over, or -1 */
        int out_fd, err_fd;     /* its stdout and stderr as they came with it, or -1 */
        int in_fd;              /* its stdin as it came with it, or -1 */
};

struct supervisor {
        struct app_run *runs;
        size_t n_runs;
        struct pod_outcome outcome;
        int stop_signal;        /* the first forwarded signal, 0 before */
        bool limits;            /* PID 1 of a VM: an added app's limits in a cgroup */
        bool keep_added;        /* an exec agent runs: added apps' descriptions kept for it */
};

/* Starts the app of spec (a one-app description, taken), added to the
 * running pod; out_fd, err_fd and in_fd (or -1, taken) become its stdout,
 * stderr and stdin.  *ret_pid: the process started (its pre-start or itself).  Fails
 * (-EEXIST) when an app of that name has not ended, (-ESHUTDOWN) when the
 * pod is stopping; an app of that name that ended is replaced. */
int supervisor_add(struct supervisor *sv, struct initspec *spec, int out_fd, int err_fd, int in_fd,
                   struct app_run **ret_run, struct podrt_error **err);

/* Sends sig to the process group of app name's current process: 1 sent, 0
 * the app is not running, -ENOENT no such app. */
int supervisor_signal(struct supervisor *sv, const char *name, int sig);

#endif
