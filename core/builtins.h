/* SPDX-License-Identifier: Apache-2.0 */
/* Plugins compiled into libpodrt: network "none" and "host", storage "dir". */
#ifndef PODRT_BUILTINS_H
#define PODRT_BUILTINS_H

#include <podrt/plugin.h>

extern const struct podrt_plugin builtin_network_none;
extern const struct podrt_plugin builtin_network_host;
extern const struct podrt_plugin builtin_storage_dir;

#endif
