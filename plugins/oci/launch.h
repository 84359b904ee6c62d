/* SPDX-License-Identifier: Apache-2.0 */
/* Starting an app's container with no runtime process left behind:
 * `<runtime> run --detach`, its stdio the app's (the runtime's detached
 * pass-through mode), the container's own process then a child of the
 * pod's monitor (a child subreaper) once the runtime has exited; and
 * removing the container the runtime keeps after its process ended. */
#ifndef PODRT_OCI_LAUNCH_H
#define PODRT_OCI_LAUNCH_H

#include <podrt/podrt.h>

#include "runtime.h"

/* Starts app's container and waits for the runtime to return.  Started:
 * podrt_app_set_pid() with the container's process.  The runtime could not
 * start it (the command is missing, ...): the app exited with what that
 * means for the command line's contract (127, 126, else 125), the
 * runtime's message on the app's stderr; still 0.  -errno when the runtime
 * itself could not be run. */
int oci_app_launch(const struct oci_runtime *rt, struct podrt_app *app, struct podrt_error **err);

/* Removes app's container from the runtime's state, if the runtime knows
 * it (`<runtime> delete --force`; a frozen container is thawed first, since
 * a frozen process cannot die).  0, or -errno. */
int oci_container_remove(const struct oci_runtime *rt, struct podrt_pod *pod, struct podrt_app *app,
                   struct podrt_error **err);

/* What `<runtime> run` in the foreground did as its container ended:
 * removes app's container from the runtime's state (and so its cgroup)
 * once its process has been reaped.  Not before: the runtime takes a
 * zombie for a running process.  0, or -errno. */
int oci_container_forget_ended(const struct oci_runtime *rt, struct podrt_app *app,
                         struct podrt_error **err);

#endif
