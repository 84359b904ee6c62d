/* SPDX-License-Identifier: Apache-2.0 */
/* The per-pod monitor (monitor.c), which lifecycle.c starts; the monitor
 * itself calls only the shared steps of lifecycle.h (hooks-run.c,
 * teardown.c), never lifecycle.c. */
#ifndef PODRT_MONITOR_H
#define PODRT_MONITOR_H

#include "lifecycle.h"

#define MONITOR_FOREGROUND (1u << 0)   /* stream output to our stdout/stderr */
#define MONITOR_RM (1u << 1)           /* delete the pod when it stopped */
#define MONITOR_STDIN (1u << 2)        /* the first app reads our stdin */
#define MONITOR_TTY (1u << 3)          /* the first app's stdio are our terminal
                                        * (fds 0-2), as runc's terminal: its output
                                        * reaches no log */

/* Becomes the pod's monitor in this process: starts the pod, captures
 * output, records exits, marks it stopped.  ready_fd >= 0: the start's
 * result is written there (detached start).  *ret_status: the exit code of
 * the first app that failed, else 0. */
PODRT_INTERNAL int monitor_run(struct runtime *rt, const char *id, unsigned flags, int ready_fd, int *ret_status,
                struct podrt_error **err);
/* The same for a pod this process has in hand (run: the one create just
 * made), not loaded again from its files. */
PODRT_INTERNAL int monitor_run_pod(struct runtime *rt, struct podrt_pod *pod, unsigned flags, int ready_fd,
                                   int *ret_status, struct podrt_error **err);
/* Starts the pod under a detached monitor process and waits for its start;
 * pod: the pod in hand, or NULL to load it there. */
PODRT_INTERNAL int monitor_spawn(struct runtime *rt, const char *id, struct podrt_pod *pod, unsigned flags,
                                 struct podrt_error **err);

/* monitor-control.c: sends req (a JSON object, see there) to the running
 * pod's monitor and waits for its answer: 0, or its error.  A pod without a
 * listening monitor: -EINVAL, "pod NAME is not running". */
PODRT_INTERNAL int monitor_request(const struct podrt_pod *pod, struct json_object *req, struct podrt_error **err);
/* Tells the monitor that the pod is being stopped: a sandbox pod's
 * monitor then ends once its apps have (stop, delete --force). */
PODRT_INTERNAL void monitor_request_shutdown(const struct podrt_pod *pod);

#endif
