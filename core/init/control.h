/* SPDX-License-Identifier: Apache-2.0 */
/* The control socket of podrt-init (the description's control path): apps
 * added to the running pod, and signals to one app (docs/podrt-init.md, "The
 * control channel"). */
#ifndef PODRT_INIT_CONTROL_H
#define PODRT_INIT_CONTROL_H

#include "supervisor.h"

/* Listens on path (a stale socket there is replaced): the fd, or -errno
 * (it says why on stderr). */
int control_listen(const char *path);

/* Serves one connection waiting on listen_fd: reads its request, answers
 * it; a started app's connection is kept as its watcher. */
void control_serve(struct supervisor *sv, int listen_fd);

/* Serves the request files waiting in dir (NAME.req, answered in NAME.ans;
 * the description's request-dir). */
void control_serve_dir(struct supervisor *sv, const char *dir);

/* Tells a run's watcher that the app is over (its code), and closes what
 * came with it. */
void control_finished(struct app_run *r);

#endif
