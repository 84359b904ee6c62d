/* SPDX-License-Identifier: Apache-2.0 */
/* The oci backend's container ops (container.c): an app added to a running
 * pod is one more `<runtime> run` of its own bundle, joining the pod's
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

/* oci.c: 1 when the app's container is there and its process alive. */
int container_alive(const struct oci_runtime *rt, struct podrt_app *app);
/* oci.c: 1 when pid is a live process (not a zombie). */
int process_alive(pid_t pid);
/* oci.c: waits for the app's container while its runtime process runs; 1
 * when it is there. */
int wait_container(const struct oci_runtime *rt, struct podrt_app *app);
/* oci.c: `<runtime> run` of the app's bundle, its output on the app's fds
 * (or its log), as a child of the caller. */
int spawn_app(const struct oci_runtime *rt, struct podrt_app *app, pid_t *ret_pid, struct podrt_error **err);
/* oci.c: signo to the app's container; one that ended is no error. */
int kill_app(const struct oci_runtime *rt, struct podrt_app *app, int signo, struct podrt_error **err);
/* oci.c: the runtime's own failure from the app's runtime.log, or NULL. */
char *runtime_failure(const struct oci_runtime *rt, struct podrt_app *app);
/* oci.c: pod ops exec. */
int oci_exec(void *data, struct podrt_pod *pod, struct podrt_app *app, const char *const *argv, uint64_t flags,
             struct podrt_error **err);

#endif
