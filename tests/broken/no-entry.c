/* SPDX-License-Identifier: Apache-2.0 */
/* Broken on purpose: a shared object without podrt_plugin_entry. */
#include <podrt/podrt.h>

PODRT_EXPORT int podrt_plugin_entry_misspelt(void);

PODRT_EXPORT int podrt_plugin_entry_misspelt(void) {
        return 0;
}
