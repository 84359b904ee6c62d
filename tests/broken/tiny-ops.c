/* SPDX-License-Identifier: Apache-2.0 */
/* Broken on purpose: its pod ops table claims a size smaller than the
 * table's own header (version and size). */
#include <podrt/podrt.h>

static const struct podrt_pod_ops tiny_pod_ops = {
        .version = PODRT_POD_OPS_VERSION,
        .size = 4,
};

static const struct podrt_plugin plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "tiny-ops",
        .version = "1.0",
        .pod = &tiny_pod_ops,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &plugin;
}
