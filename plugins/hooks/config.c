/* SPDX-License-Identifier: Apache-2.0 */
/* The hooks section of the configuration:
 *     hooks = { dirs = [ "/usr/share/containers/oci/hooks.d", ... ]; };
 * checked when the plugin is loaded, each error naming the file and line. */
#include <stdio.h>
#include <string.h>

#include "config.h"

static int check_dir(const struct podrt_config *cfg, const char *path, struct podrt_error **err) {
        if (podrt_config_kind(cfg, path) != PODRT_CONFIG_STRING)
                return podrt_config_error(cfg, path, err, "must be a string");
        if (!podrt_config_string(cfg, path, "")[0])
                return podrt_config_error(cfg, path, err, "must not be empty");
        return 0;
}

int hooks_config_check(const struct podrt_config *cfg, uint64_t flags, struct podrt_error **err) {
        const char *const *keys = podrt_config_keys(cfg, "hooks");
        for (size_t i = 0; keys && keys[i]; i++)
                if (strcmp(keys[i], "dirs") != 0) {
                        char path[256];
                        snprintf(path, sizeof(path), "hooks.%s", keys[i]);
                        return podrt_config_error(cfg, path, err,
                                                  "unknown setting (hooks knows: dirs)");
                }

        switch (podrt_config_kind(cfg, "hooks.dirs")) {
        case PODRT_CONFIG_ABSENT:
                return 0;
        case PODRT_CONFIG_STRING:
                return check_dir(cfg, "hooks.dirs", err);
        case PODRT_CONFIG_LIST:
                for (unsigned i = 0;; i++) {
                        char path[64];
                        snprintf(path, sizeof(path), "hooks.dirs[%u]", i);
                        if (podrt_config_kind(cfg, path) == PODRT_CONFIG_ABSENT)
                                return 0;
                        int r = check_dir(cfg, path, err);
                        if (r < 0)
                                return r;
                }
        default:
                return podrt_config_error(cfg, "hooks.dirs", err, "must be a list of strings");
        }
}
