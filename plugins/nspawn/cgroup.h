/* SPDX-License-Identifier: Apache-2.0 */
/* The cgroups of a pod under nspawn on a host whose PID 1 is not systemd:
 * one directory per hierarchy podrt uses (freezer, memory, cpu, pids,
 * name=systemd, and the cgroup2 one), <mount>/<the monitor's cgroup>/podrt/<pod
 * id>, nested below the monitor's own cgroup so that the pod stays inside
 * whatever limits its caller has.  nspawn joins them before it runs (it
 * makes its "supervisor" and "payload" cgroups inside, in the name=systemd
 * and cgroup2 hierarchies); pause freezes them; delete empties and removes
 * them.  The directories are recorded in <pod dir>/nspawn/cgroups before
 * they are made, so that delete finds them from any process. */
#ifndef PODRT_NSPAWN_CGROUP_H
#define PODRT_NSPAWN_CGROUP_H

#include <stdbool.h>
#include <stdint.h>

#include <podrt/podrt.h>

/* What a directory is for (the record's first column). */
#define NSPAWN_CG_FREEZER "freezer"
#define NSPAWN_CG_MEMORY "memory"
#define NSPAWN_CG_CPU "cpu"
#define NSPAWN_CG_PIDS "pids"
#define NSPAWN_CG_SYSTEMD "systemd"
#define NSPAWN_CG_UNIFIED "unified"   /* the cgroup2 hierarchy */

struct nspawn_cgroups {
        char **kinds;     /* strv: NSPAWN_CG_* */
        char **dirs;      /* strv, same length */
        bool v2;          /* pure cgroup v2: the unified one freezes and limits */
};

void nspawn_cgroups_done(struct nspawn_cgroups *cg);

/* The pod's directories from the text of /proc/self/mountinfo and of
 * /proc/self/cgroup (pure, for tests). */
int nspawn_cgroups_plan_from(const char *mountinfo, const char *self_cgroup, const char *pod_id,
                             struct nspawn_cgroups *ret);

/* Plans from this host, records the plan, makes the directories and writes
 * the limits (0: none).  On v1 the memory, cpu and pids hierarchies are
 * used only for a limit.  On failure nothing is left. */
int nspawn_cgroups_create(struct podrt_pod *pod, int64_t memory_bytes, int64_t cpu_millis,
                          int64_t pids, struct nspawn_cgroups *ret, struct podrt_error **err);

/* Moves the calling process into every directory (for the child about to
 * exec nspawn).  -errno of the first failure, *ret_dir naming it. */
int nspawn_cgroups_join(const struct nspawn_cgroups *cg, const char **ret_dir);

/* The recorded directories of pod; -ENOENT when none were recorded. */
int nspawn_cgroups_load(struct podrt_pod *pod, struct nspawn_cgroups *ret);

/* Sends signo to every process of the pod's cgroups (frozen first, so that
 * none forks away, for SIGKILL).  Returns how many were signalled. */
int nspawn_cgroups_kill(const struct nspawn_cgroups *cg, int signo);

/* Freezes (or thaws) the pod and waits until it is. */
int nspawn_cgroups_freeze(const struct nspawn_cgroups *cg, bool freeze, struct podrt_error **err);

/* Kills what is left and removes every recorded directory (and the podrt
 * parent when it is empty), then the record.  Absent directories are fine. */
int nspawn_cgroups_remove(struct podrt_pod *pod, struct podrt_error **err);

/* New limits on the pod's directories (0: unchanged, -1: none). */
int nspawn_cgroups_update(struct podrt_pod *pod, int64_t memory_bytes, int64_t cpu_millis, int64_t pids,
                          struct podrt_error **err);

#endif
