/* SPDX-License-Identifier: Apache-2.0 */
/* Starting systemd-nspawn as a child of the caller (the pod's monitor). */
#ifndef PODRT_NSPAWN_SPAWN_H
#define PODRT_NSPAWN_SPAWN_H

#include <stddef.h>
#include <sys/types.h>

#include <podrt/error.h>
#include "cgroup.h"

/* Forks and execs argv (argv[0] looked up on PATH) in its own session,
 * inside cg's directories (cg may be NULL), with stdin /dev/null, stdout and
 * stderr on log_fd, and fds[0..n_fds-1] passed as 3, 4, ... with LISTEN_FDS
 * and LISTEN_PID set, so that nspawn hands them to the container's PID 1.
 * Every other descriptor is closed.  Returns at once, without waiting for
 * the exec: joining cgroups takes the child an RCU grace period (~10 ms on
 * cgroup v1), which the caller spends on its own work meanwhile.  A
 * failure before or at exec is one line on log_fd and exit status 125
 * (127: the program is not there, 126: it cannot be run). */
int nspawn_spawn(char *const *argv, const int *fds, size_t n_fds, int log_fd,
                 const struct nspawn_cgroups *cg, pid_t *ret_pid, struct podrt_error **err);

#endif
