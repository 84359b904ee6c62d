/* SPDX-License-Identifier: Apache-2.0 */
/* podrt: `podrt check` lines of a plugin (since ABI 1.1).
 *
 * A plugin's check method (struct podrt_plugin.check) adds what it needs
 * and whether the host has it:
 *
 *     podrt_check_add(check, "runc", found ? PODRT_CHECK_OK : 0, "%s", version);
 *     podrt_check_note(check, "PID 1 is not systemd: will pass --register=no");
 *
 * The report shows one section per plugin; the plugin is ready when every
 * line without PODRT_CHECK_OPTIONAL passed.
 */
#ifndef PODRT_CHECK_H
#define PODRT_CHECK_H

#include <podrt/common.h>

PODRT_BEGIN_DECLS

struct podrt_check;

#define PODRT_CHECK_OK (1u << 0)        /* the host has it */
#define PODRT_CHECK_OPTIONAL (1u << 1)  /* without it the plugin still works */

/* One line: what (a tool, a file, a feature) and the detail a user acts on.
 * 0, or -ENOMEM. */
PODRT_EXPORT int podrt_check_add(struct podrt_check *check, const char *what, uint32_t flags,
                                 const char *fmt, ...) PODRT_PRINTF(4, 5);
/* A note under the plugin's lines. */
PODRT_EXPORT int podrt_check_note(struct podrt_check *check, const char *fmt, ...)
        PODRT_PRINTF(2, 3);

PODRT_END_DECLS

#endif
