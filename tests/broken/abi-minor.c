/* SPDX-License-Identifier: Apache-2.0 */
/* Broken on purpose: built for a minor newer than the core's. */
#include <podrt/podrt.h>

static const struct podrt_plugin plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR + 1,
        .size = sizeof(struct podrt_plugin),
        .name = "abi-minor",
        .version = "1.0",
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &plugin;
}
