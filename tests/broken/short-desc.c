/* SPDX-License-Identifier: Apache-2.0 */
/* Broken on purpose: the descriptor's size ends before the hooks pointer,
 * which every ABI 1.0 descriptor holds. */
#include <podrt/podrt.h>

static const struct podrt_plugin plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = offsetof(struct podrt_plugin, hooks),
        .name = "short-desc",
        .version = "1.0",
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &plugin;
}
