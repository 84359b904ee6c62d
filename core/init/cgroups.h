/* SPDX-License-Identifier: Apache-2.0 */
/* Limits inside a VM: cgroup2, one cgroup per app with its memory, cpu and
 * pids limits. */
#ifndef PODRT_INIT_CGROUPS_H
#define PODRT_INIT_CGROUPS_H

#include "initspec.h"

/* As PID 1 of a VM, when some app has a limit: mounts cgroup2 at
 * /sys/fs/cgroup, enables the memory, cpu and pids controllers, and makes
 * /sys/fs/cgroup/app-<name> for each app with its limits.  Never fails the
 * pod: what it cannot do it says on stderr (the apps then run unlimited). */
void cgroups_setup(const struct initspec *s);

/* The same for one app (one added to the running pod): its cgroup, cgroup2
 * mounted first when no app needed it before. */
void cgroups_setup_app(const struct initspec_app *app);

/* In an app's process (or an exec's), before it leaves init's mounts: into
 * the app's cgroup, when there is one. */
void cgroups_join(const struct initspec_app *app);

/* New limits for a running app (0: unchanged, -1: none), recorded in app
 * for its later execs; its process joins its cgroup.  0 or -errno. */
int cgroups_update(struct initspec_app *app, int64_t memory, int64_t cpu_millis, int64_t pids);

#endif
