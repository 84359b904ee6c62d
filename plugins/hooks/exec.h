/* SPDX-License-Identifier: Apache-2.0 */
/* Running one hook: the OCI state on stdin, its own args and env only, a
 * clean fd table, and its timeout enforced. */
#ifndef PODRT_HOOKS_EXEC_H
#define PODRT_HOOKS_EXEC_H

#include <stddef.h>

#include "hookfile.h"

/* Runs h with state (state_len bytes) on its stdin, its stdout and stderr
 * written to out_fd (its stderr also kept, to quote its last line), in cwd
 * (NULL or missing: "/").  The hook runs in its own process group; at its
 * timeout the group is sent SIGKILL.  Returns 0 when it exited with status
 * 0; otherwise -errno with *err:
 *   -ETIMEDOUT "hook FILE (PATH) timed out after N s"
 *   -EIO       "hook FILE (PATH) failed: exit status N: <last stderr line>"
 *   -EIO       "hook FILE (PATH) failed: killed by signal N (Name)"
 *   -errno     "hook FILE (PATH) failed: cannot execute: <strerror>" */
int hook_exec(const struct hook *h, const char *state, size_t state_len, const char *cwd,
              int out_fd, struct podrt_error **err);

#endif
