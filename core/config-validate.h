/* SPDX-License-Identifier: Apache-2.0 */
/* Validation of a configuration file's settings (config-validate.c). */
#ifndef PODRT_CONFIG_VALIDATE_H
#define PODRT_CONFIG_VALIDATE_H

#include <libconfig.h>
#include <stdbool.h>

#include <podrt/error.h>
#include "internal.h"

/* Checks the file's top level: each core setting's type and value, and
 * that everything else is a group (a plugin's section).  file names the
 * file in messages for settings libconfig has no file for.  0, or -EINVAL
 * with "FILE:LINE: message". */
PODRT_INTERNAL int config_validate(const config_setting_t *root, const char *file,
                                   struct podrt_error **err);
/* Whether name is a top-level setting the core owns. */
PODRT_INTERNAL bool config_core_key(const char *name);

#endif
