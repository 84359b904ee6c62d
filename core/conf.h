/* SPDX-License-Identifier: Apache-2.0 */
/* Loading the configuration (libconfig, CONTRACTS.md §3).  The public
 * accessors are in <podrt/config.h>. */
#ifndef PODRT_CONF_H
#define PODRT_CONF_H

#include <podrt/config.h>
#include <podrt/error.h>
#include "internal.h"

/* Loads the configuration.  path NULL: $PODRT_CONFIG, else
 * /etc/podrt/podrt.conf; a missing default file means the embedded defaults,
 * a missing file that was asked for (path or $PODRT_CONFIG) is an error.
 * The file is merged over the embedded defaults.  Errors name the file and
 * line ("/etc/podrt/podrt.conf:3: syntax error"); an unknown key or a value
 * of the wrong type is an error naming it. */
PODRT_INTERNAL int config_load(const char *path, struct podrt_config **ret,
                               struct podrt_error **err);
/* The embedded defaults only. */
PODRT_INTERNAL int config_defaults(struct podrt_config **ret, struct podrt_error **err);
PODRT_INTERNAL struct podrt_config *config_free(struct podrt_config *cfg);
/* The plugin search path: $PODRT_PLUGIN_PATH (':'-separated, read with
 * secure_getenv) followed by plugin_path.  Owned by cfg. */
PODRT_INTERNAL const char *const *config_plugin_path(const struct podrt_config *cfg);

/* The plugins' sections the configuration file holds: each top-level group
 * the core does not own ("oci", "kvm", "acme"), then "plugins.NAME" for each
 * group inside plugins.  A new vector (strv_free()), empty without a file;
 * NULL when out of memory. */
PODRT_INTERNAL char **config_plugin_sections(const struct podrt_config *cfg);

DEFINE_TRIVIAL_CLEANUP_FUNC(struct podrt_config *, config_free)

#endif
