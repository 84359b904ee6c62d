/* SPDX-License-Identifier: Apache-2.0 */
/* Pod and app states (PODRT_POD_*, PODRT_APP_*): names and transitions. */
#ifndef PODRT_STATES_H
#define PODRT_STATES_H

#include <stdint.h>

#include "internal.h"

/* Pod state machine (virtcontainers' table): created -> running|stopped,
 * running -> paused|stopped, paused -> running|stopped, stopped -> running. */
PODRT_INTERNAL int pod_state_transition_ok(uint32_t from, uint32_t to);
PODRT_INTERNAL const char *pod_state_to_string(uint32_t state);
PODRT_INTERNAL int pod_state_from_string(const char *s, uint32_t *ret);
PODRT_INTERNAL const char *app_state_to_string(uint32_t state);
PODRT_INTERNAL int app_state_from_string(const char *s, uint32_t *ret);

#endif
