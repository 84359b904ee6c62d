/* SPDX-License-Identifier: Apache-2.0 */
/* Broken on purpose: the entry point returns no descriptor. */
#include <podrt/podrt.h>

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return NULL;
}
