/* SPDX-License-Identifier: Apache-2.0 */
/* Broken on purpose: the file is misnamed.so, the descriptor says "other". */
#include <podrt/podrt.h>

static const struct podrt_plugin plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "other",
        .version = "1.0",
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &plugin;
}
