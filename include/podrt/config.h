/* SPDX-License-Identifier: Apache-2.0 */
/* podrt: read-only access to the configuration (libconfig file merged over
 * the embedded defaults).  Paths are libconfig paths: "oci.runtime",
 * "kvm.memory_mib", "hooks.dirs".  A plugin of a third party reads its own
 * settings from the group "plugins.<its name>". */
#ifndef PODRT_CONFIG_H
#define PODRT_CONFIG_H

#include <podrt/common.h>
#include <podrt/error.h>

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

/* ---- since ABI 1.1: for a plugin's config_check ---- */

/* What the setting at path is. */
#define PODRT_CONFIG_ABSENT 0u
#define PODRT_CONFIG_STRING 1u
#define PODRT_CONFIG_INT 2u
#define PODRT_CONFIG_BOOL 3u
#define PODRT_CONFIG_FLOAT 4u
#define PODRT_CONFIG_LIST 5u     /* a list or an array */
#define PODRT_CONFIG_GROUP 6u
PODRT_EXPORT uint32_t podrt_config_kind(const struct podrt_config *cfg, const char *path);
/* The names of the settings a configuration file sets directly inside the
 * group at path ("kvm"), NULL-terminated, owned by cfg; NULL when the file
 * has no such group. */
PODRT_EXPORT const char *const *podrt_config_keys(const struct podrt_config *cfg,
                                                  const char *path);
/* Sets *err to EINVAL with "FILE:LINE: PATH: <message>", the place the file
 * sets path (its group's, or the file's alone, when path is not set there),
 * and returns -EINVAL. */
PODRT_EXPORT int podrt_config_error(const struct podrt_config *cfg, const char *path,
                                    struct podrt_error **err, const char *fmt, ...)
        PODRT_PRINTF(4, 5);

PODRT_END_DECLS

#endif
