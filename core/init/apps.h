/* SPDX-License-Identifier: Apache-2.0 */
/* The supervision of a pod's apps by PID 1: each app's pre-start, the app
 * and its post-stop in turn, all apps at once; reaping, signal forwarding and
 * the per-app status files. */
#ifndef PODRT_INIT_APPS_H
#define PODRT_INIT_APPS_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "initspec.h"

/* The signals PID 1 waits for: SIGCHLD and the ones it forwards (SIGTERM,
 * SIGINT, SIGHUP; SIGPWR and systemd's SIGRTMIN+3..5 become SIGTERM). */
void apps_signal_set(sigset_t *set);

/* Blocks apps_signal_set() (waited for with sigwaitinfo()).  Call it first
 * thing, so that a signal that comes early is forwarded, not lost. */
void apps_block_signals(void);

/* Runs every app to its end; returns the pod's exit code: the code of the
 * first app that failed, by exit order, else 0.  started (or NULL) is
 * called once the pod's own apps were started (the VM's exec agent: its
 * fork and its search for its port then no longer delay the apps' start).  SIGTERM, SIGINT and SIGHUP
 * are forwarded to the process group of each app's current process; once
 * one came, apps whose pre-start is still running do not start.  With a
 * control path, apps added while the pod runs are supervised the same way
 * (control.c); limits: give an added app's limits a cgroup (PID 1 of a VM,
 * as cgroups_setup() did for the others).  The pod ends when every app,
 * its own and added, is over. */
int apps_run(const struct initspec *s, bool limits, pid_t (*started)(const struct initspec *s));

#endif
