/* SPDX-License-Identifier: Apache-2.0 */
/* podrt: read-only access to the configuration (libconfig file merged over
 * the embedded defaults).  Paths are libconfig paths: "oci.runtime",
 * "kvm.memory_mib", "hooks.dirs".  A plugin of a third party reads its own
 * settings from the group "plugins.<its name>". */
#ifndef PODRT_CONFIG_H
#define PODRT_CONFIG_H

#include <podrt/common.h>

PODRT_BEGIN_DECLS

struct podrt_config;

/* The string at path, or fallback when absent or not a string. */
PODRT_EXPORT const char *podrt_config_string(const struct podrt_config *cfg, const char *path,
                                             const char *fallback);
/* The integer at path, or fallback. */
PODRT_EXPORT int64_t podrt_config_int(const struct podrt_config *cfg, const char *path,
                                      int64_t fallback);
/* The boolean at path, or fallback. */
PODRT_EXPORT bool podrt_config_bool(const struct podrt_config *cfg, const char *path, bool fallback);
/* The list (or array) of strings at path as a NULL-terminated vector owned by
 * the config, or NULL when absent.  A single string is returned as a vector of
 * one. */
PODRT_EXPORT const char *const *podrt_config_strings(const struct podrt_config *cfg,
                                                     const char *path);
/* 1 when path was set by a configuration file (not by the defaults), else 0. */
PODRT_EXPORT int podrt_config_is_set(const struct podrt_config *cfg, const char *path);
/* Where the configuration came from: a file name, or "(defaults)". */
PODRT_EXPORT const char *podrt_config_source(const struct podrt_config *cfg);

PODRT_END_DECLS

#endif
