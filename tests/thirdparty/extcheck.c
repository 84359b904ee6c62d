/* SPDX-License-Identifier: Apache-2.0 */
/* A third party's backend, as one would write it out of tree: only the
 * installed headers and libpodrt.  It runs nothing; it is here for what the
 * core reaches through the ABI 1.1 descriptor:
 *  - check: a line "ext-tool" (the file plugins.extcheck.tool names, by
 *    default /bin/sh, exists), an optional line "ext-extra" that never
 *    passes, and a note;
 *    with $PODRT_EXTCHECK_FAIL set, the check itself fails (-EIO, and with
 *    "1" a message of its own, else none: the core then says which method);
 *  - config_check: plugins.extcheck holds only "tool", a non-empty string. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <podrt/podrt.h>

static int ext_create(void *data, struct podrt_pod *pod, uint64_t flags,
                      struct podrt_error **err) {
        return 0;
}

static int ext_start(void *data, struct podrt_pod *pod, uint64_t flags,
                     struct podrt_error **err) {
        return podrt_error_set(err, EOPNOTSUPP, "extcheck: a test plugin runs nothing");
}

static int ext_delete(void *data, struct podrt_pod *pod, uint64_t flags,
                      struct podrt_error **err) {
        return 0;
}

static const struct podrt_pod_ops ext_pod_ops = {
        .version = PODRT_POD_OPS_VERSION,
        .size = sizeof(struct podrt_pod_ops),
        .create = ext_create,
        .start = ext_start,
        .delete = ext_delete,
};

struct ext {
        const struct podrt_host *host;
};

static struct ext ext_data;

static int ext_init(const struct podrt_host *host, void **ret_data, struct podrt_error **err) {
        ext_data.host = host;
        *ret_data = &ext_data;
        return 0;
}

static int ext_check(void *data, struct podrt_check *check, uint64_t flags,
                     struct podrt_error **err) {
        const struct ext *x = data;
        const char *fail = getenv("PODRT_EXTCHECK_FAIL");
        if (fail)
                return strcmp(fail, "1") == 0
                               ? podrt_error_set(err, EIO, "extcheck: cannot read its own state")
                               : -EIO;
        const char *tool = podrt_config_string(x->host->config, "plugins.extcheck.tool", "/bin/sh");
        bool ok = access(tool, X_OK) == 0;
        int r = podrt_check_add(check, "ext-tool", ok ? PODRT_CHECK_OK : 0, "%s%s", tool,
                                ok ? "" : ": not found (plugins.extcheck.tool)");
        if (r >= 0)
                r = podrt_check_add(check, "ext-extra", PODRT_CHECK_OPTIONAL, "never here");
        if (r >= 0)
                r = podrt_check_note(check, "extcheck runs nothing; it only checks");
        return r < 0 ? podrt_error_set(err, r, "extcheck: check") : 0;
}

static int ext_config_check(const struct podrt_config *cfg, uint64_t flags,
                            struct podrt_error **err) {
        const char *const *keys = podrt_config_keys(cfg, "plugins.extcheck");
        for (size_t i = 0; keys && keys[i]; i++)
                if (strcmp(keys[i], "tool") != 0) {
                        char path[256];
                        snprintf(path, sizeof(path), "plugins.extcheck.%s", keys[i]);
                        return podrt_config_error(cfg, path, err, "unknown setting");
                }
        uint32_t kind = podrt_config_kind(cfg, "plugins.extcheck.tool");
        if (kind != PODRT_CONFIG_ABSENT &&
            (kind != PODRT_CONFIG_STRING || !podrt_config_string(cfg, "plugins.extcheck.tool", "")[0]))
                return podrt_config_error(cfg, "plugins.extcheck.tool", err,
                                          "must be a non-empty string");
        return 0;
}

static const struct podrt_plugin ext_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "extcheck",
        .version = "0.0.1",
        .description = "test: a third party's backend with its own check and config section",
        .init = ext_init,
        .pod = &ext_pod_ops,
        .check = ext_check,
        .config_check = ext_config_check,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &ext_plugin;
}
