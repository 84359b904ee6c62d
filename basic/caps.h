/* SPDX-License-Identifier: Apache-2.0 */
/* Linux capabilities by name: the one table of the tree. */
#ifndef PODRT_BASIC_CAPS_H
#define PODRT_BASIC_CAPS_H

#include <stdint.h>

/* The highest capability podrt knows (CAP_CHECKPOINT_RESTORE). */
#define CAP_LAST_KNOWN 40

/* "CAP_NET_RAW", "cap_net_raw", "NET_RAW", "net_raw" or a number (0..63)
 * -> the capability's number; -EINVAL when unknown. */
int cap_from_name(const char *name);
/* The canonical name ("CAP_NET_RAW") of number c, or NULL when podrt does
 * not know it. */
const char *cap_to_name(int c);
/* The canonical name of what cap_from_name() accepts, or NULL. */
const char *cap_canonical(const char *name);
/* The mask of the names (unknown names are skipped). */
uint64_t cap_mask_of(const char *const *names);
/* The OCI/Docker default set of an app (what rkt and runc give): chown,
 * dac_override, fowner, fsetid, kill, setgid, setuid, setpcap,
 * net_bind_service, net_raw, sys_chroot, mknod, audit_write, setfcap. */
uint64_t cap_default_app_set(void);
/* The host's highest capability (/proc/sys/kernel/cap_last_cap), at most
 * CAP_LAST_KNOWN. */
int cap_last_host(void);
/* The names of the capabilities in mask up to last (inclusive), in number
 * order, as a malloc'd strv; NULL when out of memory. */
char **cap_mask_names(uint64_t mask, int last);

#endif
