/* SPDX-License-Identifier: Apache-2.0 */
/* Broken on purpose: built for ABI 2.0, which this core does not speak. */
#include <podrt/podrt.h>

static const struct podrt_plugin plugin = {
        .abi_major = PODRT_ABI_MAJOR + 1,
        .abi_minor = 0,
        .size = sizeof(struct podrt_plugin),
        .name = "abi-major",
        .version = "1.0",
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &plugin;
}
