/* SPDX-License-Identifier: Apache-2.0 */
/* /proc/self/mountinfo, and the cgroup layout it shows. */
#ifndef PODRT_BASIC_MOUNTINFO_H
#define PODRT_BASIC_MOUNTINFO_H

/* Undoes mountinfo's octal escapes (\040 for a space) in place. */
void mountinfo_unescape(char *s);

/* Calls fn(mount point, fstype, super options, u) for each line of the
 * mountinfo text (escapes undone); stops at the first non-zero return and
 * returns it. */
int mountinfo_each(const char *mountinfo,
                   int (*fn)(const char *mnt, const char *fstype, const char *super_opts, void *u),
                   void *u);

#define CGROUP_V1 1       /* controllers on cgroup v1 only */
#define CGROUP_HYBRID 2   /* v1 controllers, and a cgroup2 tree beside them */
#define CGROUP_V2 3       /* unified: cgroup2 at /sys/fs/cgroup */

/* The layout the mountinfo text shows. */
int cgroup_mode_from_mountinfo(const char *mountinfo);
/* The host's (this process's mount namespace); CGROUP_V1 when unreadable. */
int cgroup_mode(void);
/* "v1", "hybrid", "v2". */
const char *cgroup_mode_name(int mode);

#endif
