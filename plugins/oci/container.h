/* SPDX-License-Identifier: Apache-2.0 */
/* The oci backend's container ops (container.c): an app added to a running
 * pod is one more `<runtime> run --detach` of its own bundle (launch.h),
 * joining the pod's
 * network, UTS and IPC namespaces and its cgroup parent; and what of
 * oci.c's pod ops they share. */
#ifndef PODRT_OCI_CONTAINER_H
#define PODRT_OCI_CONTAINER_H

#include <podrt/ops.h>

#include "runtime.h"

extern const struct podrt_container_ops oci_container_ops;

/* For pod start: the pod's bundles written anew (and its shared namespaces
 * made anew) when its apps changed while it ran: an app added and never
 * started has none, and a pod created with one container has bundles that
 * join no shared UTS and IPC namespaces. */
int oci_bundles_refresh(struct podrt_pod *pod, const struct oci_runtime *rt, struct podrt_error **err);

/* oci.c: 1 when the app's container is there and its process alive (not
 * a zombie the monitor has yet to reap). */
int container_alive(const struct oci_runtime *rt, struct podrt_app *app);
/* oci.c: 1 when pid is a live process (not a zombie). */
int process_alive(pid_t pid);
/* oci.c: signo to the app's container; one that ended is no error. */
int kill_app(const struct oci_runtime *rt, struct podrt_app *app, int signo, struct podrt_error **err);
/* oci.c: pod ops exec. */
int oci_exec(void *data, struct podrt_pod *pod, struct podrt_app *app, const char *const *argv, uint64_t flags,
             struct podrt_error **err);

#endif
