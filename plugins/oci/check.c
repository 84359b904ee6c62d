/* SPDX-License-Identifier: Apache-2.0 */
/* What the oci backend needs of the host (`podrt check`): the OCI runtime
 * oci.runtime names (auto: crun, then runc, as oci_runtime_resolve() picks),
 * its version, and whether it can run here (crun refuses a cgroup hybrid
 * host whose cgroup2 tree holds controllers; elsewhere the runtime probe of
 * runtime.c decides, with the same cache create uses).  And the check of
 * the oci section of the configuration. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "errors.h"
#include "fileio.h"
#include "mountinfo.h"
#include "process.h"
#include "runtime.h"

/* The controllers enabled on the cgroup2 tree of a hybrid host, or "". */
static void hybrid_controllers(char *buf, size_t size) {
        buf[0] = '\0';
        if (cgroup_mode() != CGROUP_HYBRID)
                return;
        _cleanup_free_ char *text = NULL;
        if (read_file("/sys/fs/cgroup/unified/cgroup.controllers", 0, &text, NULL) < 0)
                return;
        text[strcspn(text, "\n")] = '\0';
        snprintf(buf, size, "%s", text);
}

/* One runtime's line; *ret_usable when it can run containers here. */
static int check_runtime(const struct podrt_host *host, struct podrt_check *check,
                         const char *name, uint32_t flags, const char *controllers,
                         bool *ret_usable, bool *ret_hybrid) {
        _cleanup_free_ char *path = find_program(name);
        const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
        char version[512];
        *ret_usable = false;
        if (!path)
                return podrt_check_add(check, name, flags, "%s: not found%s", name,
                                       strchr(name, '/') ? "" : " on PATH");
        if (program_version(path, version, sizeof(version)) < 0)
                return podrt_check_add(check, name, flags, "%s", version);
        if (strcmp(base, "crun") != 0) {
                *ret_usable = true;
                return podrt_check_add(check, name, flags | PODRT_CHECK_OK, "%s", version);
        }
        /* crun refuses a hybrid host whose cgroup2 tree holds controllers
         * ("cgroups in hybrid mode not supported"): no need to probe. */
        if (controllers[0]) {
                *ret_hybrid = true;
                return podrt_check_add(check, name, flags,
                                       "%s; unusable here: cgroup hybrid mode with controllers "
                                       "on cgroup2 (%s)", version, controllers);
        }
        /* Elsewhere the probe that create runs, from its cache when it ran. */
        _cleanup_free_ char *work = NULL, *cache = NULL, *reason = NULL;
        bool cached = false;
        if (!host->state_dir || asprintf(&work, "%s/oci", host->state_dir) < 0 ||
            asprintf(&cache, "%s/oci/probe-crun", host->state_dir) < 0)
                return -ENOMEM;
        int r = oci_runtime_probe(path, work, cache, &reason, &cached);
        if (r < 0) {
                *ret_usable = true;
                return podrt_check_add(check, name, flags | PODRT_CHECK_OK,
                                       "%s (not probed: %s)", version, strerror(-r));
        }
        if (r == 0)
                return podrt_check_add(check, name, flags, "%s; cannot run containers here: %s",
                                       version, reason ? reason : "probe failed");
        *ret_usable = true;
        return podrt_check_add(check, name, flags | PODRT_CHECK_OK, "%s", version);
}

int oci_host_check(const struct podrt_host *host, struct podrt_check *check,
                   struct podrt_error **err) {
        const char *setting = podrt_config_string(host->config, "oci.runtime", "auto");
        bool is_auto = strcmp(setting, "auto") == 0;
        const char *auto_list[] = { "crun", "runc", NULL };
        const char *one[] = { setting, NULL };
        const char **list = is_auto ? auto_list : one;
        /* auto: any one of them will do, the "runtime" line says which. */
        uint32_t flags = is_auto ? PODRT_CHECK_OPTIONAL : 0;
        char controllers[256];
        const char *usable = NULL;
        bool crun_hybrid = false;
        int r = 0;

        hybrid_controllers(controllers, sizeof(controllers));
        for (size_t i = 0; list[i] && r >= 0; i++) {
                bool ok = false;
                r = check_runtime(host, check, list[i], flags, controllers, &ok, &crun_hybrid);
                if (ok && !usable)
                        usable = list[i];
        }
        if (r >= 0 && is_auto)
                r = usable ? podrt_check_add(check, "runtime", PODRT_CHECK_OK,
                                             "%s (oci.runtime = auto)", usable)
                           : podrt_check_add(check, "runtime", 0,
                                             "no usable OCI runtime: install runc or crun");
        if (r >= 0 && !is_auto && !usable)
                r = podrt_check_note(check, "the configured oci.runtime is not usable");
        if (r >= 0 && is_auto && crun_hybrid && usable)
                r = podrt_check_note(check, "crun refuses cgroup hybrid mode with controllers on "
                                            "cgroup2: oci.runtime = auto uses %s", usable);
        if (r < 0)
                return podrt_error_set(err, -r, "oci: check: %s", strerror(-r));
        return 0;
}

int oci_config_check(const struct podrt_config *cfg, uint64_t flags, struct podrt_error **err) {
        const char *const *keys = podrt_config_keys(cfg, "oci");
        for (size_t i = 0; keys && keys[i]; i++)
                if (strcmp(keys[i], "runtime") != 0) {
                        char path[256];
                        snprintf(path, sizeof(path), "oci.%s", keys[i]);
                        return podrt_config_error(cfg, path, err,
                                                  "unknown setting (oci knows: runtime)");
                }

        uint32_t kind = podrt_config_kind(cfg, "oci.runtime");
        if (kind == PODRT_CONFIG_ABSENT)
                return 0;
        if (kind != PODRT_CONFIG_STRING)
                return podrt_config_error(cfg, "oci.runtime", err, "must be a string");
        const char *v = podrt_config_string(cfg, "oci.runtime", "");
        if (v[0] == '/' || strcmp(v, "auto") == 0 || strcmp(v, "crun") == 0 ||
            strcmp(v, "runc") == 0)
                return 0;
        return podrt_config_error(cfg, "oci.runtime", err,
                                  "must be auto, crun, runc or an absolute path, not '%s'", v);
}
