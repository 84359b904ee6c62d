/* SPDX-License-Identifier: Apache-2.0 */
/* Capabilities of a pod under nspawn: each app's bounding set, what nspawn
 * is asked to add and drop for the whole pod, and what podrt-init drops per
 * app. */
#ifndef PODRT_NSPAWN_CAPS_H
#define PODRT_NSPAWN_CAPS_H

#include <stdint.h>

#include "caps.h"

/* The highest capability podrt knows (CAP_CHECKPOINT_RESTORE). */
#define NSPAWN_CAP_LAST CAP_LAST_KNOWN

/* An app's set when its manifest adds and drops nothing: the OCI/Docker
 * default set, as rkt gave its apps (not nspawn's, which holds
 * CAP_SYS_ADMIN). */
uint64_t nspawn_caps_app_default(void);
/* What systemd-nspawn keeps by default (systemd 252). */
uint64_t nspawn_caps_nspawn_default(void);
/* What podrt-init needs as PID 1 to set the apps up (mounts, pivot_root,
 * ids, signals, bind targets): never dropped for the whole pod. */
uint64_t nspawn_caps_init_needs(void);

/* The set for an app: the default, plus add, minus drop (names as the
 * manifest keeps them, "CAP_NET_RAW").  -EINVAL for an unknown name. */
int nspawn_caps_app(const char *const *add, const char *const *drop, uint64_t *ret_mask);

/* The names of the capabilities in mask up to last (inclusive), in number
 * order, as a malloc'd strv; NULL on ENOMEM. */
char **nspawn_caps_names(uint64_t mask, int last);

/* The host's highest capability (/proc/sys/kernel/cap_last_cap), at most
 * NSPAWN_CAP_LAST. */
int nspawn_caps_last(void);

#endif
