/* SPDX-License-Identifier: Apache-2.0 */
/* The exec agent's view of apps added to a running VM: it forked before
 * they came, so it reads their descriptions where PID 1 keeps them
 * (INITSPEC_ADDED_DIR/<app>), for `podrt exec --app` and for new limits. */
#ifndef PODRT_INIT_AGENT_APPS_H
#define PODRT_INIT_AGENT_APPS_H

#include <stddef.h>
#include <stdint.h>

#include "initspec.h"

/* The description of the added app called name, or NULL; valid until the
 * next call. */
const struct initspec_app *agent_added_app(const char *name);

/* New limits (as cgroups_update) for the added app called name ("": every
 * one), kept in its description for later execs: how many it found, with
 * *ret the first error (or 0). */
int agent_update_added(const char *name, int64_t memory, int64_t cpu_millis, int64_t pids, int *ret);

#endif
