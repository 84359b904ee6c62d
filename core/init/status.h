/* SPDX-License-Identifier: Apache-2.0 */
/* Exit statuses: an app's code from its wait status, the pod's code from
 * the apps' codes in the order they exited, and the per-app status file. */
#ifndef PODRT_INIT_STATUS_H
#define PODRT_INIT_STATUS_H

#include <stdbool.h>

#include <podrt/error.h>

/* What podrt-init itself exits with when it cannot run the pod, and what
 * an app's process exits with when its setup fails before exec. */
#define INIT_EXIT_FAILURE 125
/* An app's program exists but cannot be executed. */
#define INIT_EXIT_CANNOT_EXEC 126
/* An app's program is not found. */
#define INIT_EXIT_NOT_FOUND 127

/* What `podrt-init --probe` says on the console (the kvm backend's KVM
 * probe looks for it: plugins/kvm/accel.c). */
#define INIT_PROBE_LINE "podrt-init: probe: userspace reached"

/* The code of a wait status: the exit status, or 128+N for signal N. */
int exit_code_from_wait(int wstatus);

/* The pod's outcome: the code of the first app that failed, by exit
 * order, else 0. */
struct pod_outcome {
        int code;
        bool failed;
};

/* Records an app's code as it exits; the first non-zero code sticks. */
void pod_outcome_record(struct pod_outcome *o, int code);

/* Writes "CODE\n" to path atomically (parents created). */
int status_file_write(const char *path, int code, struct podrt_error **err);

#endif
