/* SPDX-License-Identifier: Apache-2.0 */
/* The check of the hooks section of the configuration. */
#ifndef PODRT_HOOKS_CONFIG_H
#define PODRT_HOOKS_CONFIG_H

#include <podrt/plugin.h>

/* struct podrt_plugin.config_check: hooks.dirs is a string or a list of
 * strings, none empty; no other key. */
int hooks_config_check(const struct podrt_config *cfg, uint64_t flags, struct podrt_error **err);

#endif
