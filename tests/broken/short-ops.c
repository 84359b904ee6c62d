/* SPDX-License-Identifier: Apache-2.0 */
/* Loads fine, but its pod ops table's size ends before start: start is "not
 * supported" even though the pointer is set (a plugin built against an older
 * table never set it; the core must not read past the size). */
#include <errno.h>

#include <podrt/podrt.h>

static int short_ops_create(void *data, struct podrt_pod *pod, uint64_t flags,
                            struct podrt_error **err) {
        return 0;
}

static int short_ops_start(void *data, struct podrt_pod *pod, uint64_t flags,
                           struct podrt_error **err) {
        return podrt_error_set(err, EIO, "short-ops: start must never be called");
}

static const struct podrt_pod_ops short_pod_ops = {
        .version = PODRT_POD_OPS_VERSION,
        .size = offsetof(struct podrt_pod_ops, start),
        .create = short_ops_create,
        .start = short_ops_start,
};

static const struct podrt_plugin plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "short-ops",
        .version = "1.0",
        .pod = &short_pod_ops,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &plugin;
}
