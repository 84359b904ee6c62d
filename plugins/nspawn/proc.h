/* SPDX-License-Identifier: Apache-2.0 */
/* The processes of a pod under nspawn, as the host sees them: systemd-nspawn
 * (its pid recorded in <pod dir>/nspawn/pid), the container's leader
 * (podrt-init, PID 1 inside) and each app's process (podrt-init writes its
 * pid inside the pod to /podrt/pids/<app>). */
#ifndef PODRT_NSPAWN_PROC_H
#define PODRT_NSPAWN_PROC_H

#include <sys/types.h>

#include <podrt/podrt.h>

/* Records nspawn's pid; -errno. */
int nspawn_pid_save(struct podrt_pod *pod, pid_t pid);
/* The pod's nspawn when it still runs (checked against its command line, so
 * that a reused pid is never taken for it), else 0. */
pid_t nspawn_pid_running(struct podrt_pod *pod);
/* The container's PID 1 (a child of nspawn in its own PID namespace), or 0. */
pid_t nspawn_leader(pid_t nspawn);
/* The host pid of app (through its pid file and the leader's PID namespace),
 * or 0 when it is not running. */
pid_t nspawn_app_pid(struct podrt_pod *pod, struct podrt_app *app, pid_t leader);
/* What podrt-init wrote for app in the pod root's podrt/<dir> ("status":
 * its exit code, "pids": its pid): 1 with *code (when code is not NULL) and
 * the file's time in *when (when not NULL), 0 when there is none. */
struct timespec;
int nspawn_read_status(struct podrt_pod *pod, struct podrt_app *app, const char *dir, int *code,
                       struct timespec *when);
/* Waits up to timeout_ms for pid to end: 1 ended, 0 still there. */
int nspawn_wait_gone(pid_t pid, int timeout_ms);

#endif
