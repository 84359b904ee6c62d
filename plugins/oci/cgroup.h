/* SPDX-License-Identifier: Apache-2.0 */
/* Cgroups of an OCI pod: one parent per pod (/podrt/<pod id>), one child per
 * container (/podrt/<pod id>/<app name>), as cgroupsPath for the runtime's
 * cgroupfs driver, on cgroup v1, hybrid and v2 hosts.  The runtime creates
 * and fills them; delete removes what is left in every hierarchy. */
#ifndef PODRT_OCI_CGROUP_H
#define PODRT_OCI_CGROUP_H

#include <podrt/error.h>

#include "mountinfo.h"   /* CGROUP_V1, CGROUP_HYBRID, CGROUP_V2, cgroup_mode() */

/* The top of podrt's cgroups, below each hierarchy's root. */
#define OCI_CGROUP_PARENT "podrt"

/* 1 when /sys/fs/cgroup is a cgroup2 (pure v2) mount: one statfs(), for
 * the hot path. */
int oci_cgroup_is_v2(void);

/* The mount points of every cgroup and cgroup2 hierarchy in mountinfo, in
 * its order (a NULL-terminated malloc'd vector of malloc'd strings). */
int oci_cgroup_mounts(const char *mountinfo, char ***ret_mounts);

/* cgroupsPath values: "/podrt/<pod id>" and "/podrt/<pod id>/<app>". */
char *oci_cgroup_pod_path(const char *pod_id);
char *oci_cgroup_app_path(const char *pod_id, const char *app_name);

/* The directories of the pod in every hierarchy: "<mount>/podrt/<pod id>". */
int oci_cgroup_pod_dirs(const char *mountinfo, const char *pod_id, char ***ret_dirs);

/* Reads the host's cgroup mounts for the pod and app cgroup functions
 * below, once a process (they are mounted at boot); each calls it. */
int oci_cgroup_host_mounts_read(void);

/* Removes the pod's cgroups (its containers' left-overs, then the parent) in
 * every hierarchy of this host; processes still inside are killed.  Absent
 * directories are fine. */
int oci_cgroup_remove_pod(const char *pod_id, struct podrt_error **err);

/* Removes the app's cgroup (empty: its processes have ended) in every
 * hierarchy, one rmdir each; what is busy or missing stays as it is. */
void oci_cgroup_remove_app(const char *pod_id, const char *app_name);
/* Removes the cgroups a runtime's state file records (runc's state.json
 * "cgroup_paths": one folder per hierarchy, below /sys/fs/cgroup): what
 * `runc delete` removes, for a container whose cgroupsPath the client
 * chose (a passed-through bundle). */
void oci_cgroup_remove_recorded(const char *state_path);

/* 1 when the app's cgroup is frozen (v1 freezer.state FROZEN or FREEZING,
 * v2 cgroup.freeze 1) in some hierarchy, else 0. */
int oci_cgroup_app_frozen(const char *pod_id, const char *app_name);

#endif
