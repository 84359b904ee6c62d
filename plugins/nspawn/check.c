/* SPDX-License-Identifier: Apache-2.0 */
/* What the nspawn backend needs of the host (`podrt check`): systemd-nspawn
 * and its version, podrt-init (the pod's PID 1), and whether PID 1 is
 * systemd (when not, nspawn runs with --register=no --keep-unit).  And the
 * check of the nspawn section of the configuration. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "errors.h"
#include "process.h"

int nspawn_host_check(const struct podrt_host *host, struct podrt_check *check,
                      struct podrt_error **err) {
        const char *binary = podrt_config_string(host->config, "nspawn.binary", "systemd-nspawn");
        _cleanup_free_ char *path = find_program(binary);
        char version[512];
        int r;
        if (!path)
                r = podrt_check_add(check, binary, 0, "%s: not found%s", binary,
                                    strchr(binary, '/') ? "" : " on PATH");
        else if (program_version(path, version, sizeof(version)) < 0)
                r = podrt_check_add(check, binary, 0, "%s", version);
        else
                r = podrt_check_add(check, binary, PODRT_CHECK_OK, "%s", version);

        _cleanup_free_ char *init = NULL;
        if (r >= 0 && asprintf(&init, "%s/podrt-init", host->libexec_dir ? host->libexec_dir : "") < 0)
                r = -ENOMEM;
        if (r >= 0) {
                bool ok = access(init, X_OK) == 0;
                r = podrt_check_add(check, "podrt-init", ok ? PODRT_CHECK_OK : 0, "%s%s", init,
                                    ok ? "" : ": not found");
        }
        /* sd_booted(): systemd's own test for "PID 1 is systemd". */
        if (r >= 0 && access("/run/systemd/system/", F_OK) < 0)
                r = podrt_check_note(check, "PID 1 is not systemd: will pass --register=no --keep-unit");
        if (r < 0)
                return podrt_error_set(err, -r, "nspawn: check: %s", strerror(-r));
        return 0;
}

int nspawn_config_check(const struct podrt_config *cfg, uint64_t flags, struct podrt_error **err) {
        const char *const *keys = podrt_config_keys(cfg, "nspawn");
        for (size_t i = 0; keys && keys[i]; i++)
                if (strcmp(keys[i], "binary") != 0) {
                        char path[256];
                        snprintf(path, sizeof(path), "nspawn.%s", keys[i]);
                        return podrt_config_error(cfg, path, err,
                                                  "unknown setting (nspawn knows: binary)");
                }
        uint32_t kind = podrt_config_kind(cfg, "nspawn.binary");
        if (kind == PODRT_CONFIG_ABSENT)
                return 0;
        if (kind != PODRT_CONFIG_STRING)
                return podrt_config_error(cfg, "nspawn.binary", err, "must be a string");
        if (!podrt_config_string(cfg, "nspawn.binary", "")[0])
                return podrt_config_error(cfg, "nspawn.binary", err, "must not be empty");
        return 0;
}
