/* SPDX-License-Identifier: Apache-2.0 */
/* The nspawn backend's `podrt check` lines and the check of its
 * configuration section (nspawn = { binary = ...; }). */
#ifndef PODRT_NSPAWN_CHECK_H
#define PODRT_NSPAWN_CHECK_H

#include <podrt/plugin.h>

/* systemd-nspawn (nspawn.binary) and its version, podrt-init, and a note
 * when PID 1 is not systemd. */
int nspawn_host_check(const struct podrt_host *host, struct podrt_check *check,
                      struct podrt_error **err);

/* struct podrt_plugin.config_check: nspawn.binary a non-empty string; no
 * other key. */
int nspawn_config_check(const struct podrt_config *cfg, uint64_t flags, struct podrt_error **err);

#endif
