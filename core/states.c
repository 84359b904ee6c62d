/* SPDX-License-Identifier: Apache-2.0 */
/* The pod and app states: their names in state.json and the pod's state
 * machine (virtcontainers' table). */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <podrt/common.h>

#include "states.h"

static const char *const pod_states[] = {
        [PODRT_POD_CREATED] = "created",
        [PODRT_POD_RUNNING] = "running",
        [PODRT_POD_PAUSED] = "paused",
        [PODRT_POD_STOPPED] = "stopped",
};

static const char *const app_states[] = {
        [PODRT_APP_CREATED] = "created",
        [PODRT_APP_RUNNING] = "running",
        [PODRT_APP_EXITED] = "exited",
};

int pod_state_transition_ok(uint32_t from, uint32_t to) {
        /* allowed[from] is a bit set of the states "to" may be. */
        static const uint8_t allowed[] = {
                [PODRT_POD_CREATED] = 1u << PODRT_POD_RUNNING | 1u << PODRT_POD_STOPPED,
                [PODRT_POD_RUNNING] = 1u << PODRT_POD_PAUSED | 1u << PODRT_POD_STOPPED,
                [PODRT_POD_PAUSED] = 1u << PODRT_POD_RUNNING | 1u << PODRT_POD_STOPPED,
                [PODRT_POD_STOPPED] = 1u << PODRT_POD_RUNNING,
        };
        if (from >= ELEMENTSOF(allowed) || to >= ELEMENTSOF(pod_states))
                return 0;
        return (allowed[from] >> to) & 1;
}

/* The index of s in names (n of them), as a state. */
static int state_lookup(const char *const *names, uint32_t n, const char *s, uint32_t *ret) {
        for (uint32_t i = 0; s && i < n; i++)
                if (strcmp(s, names[i]) == 0) {
                        *ret = i;
                        return 0;
                }
        return -EINVAL;
}

const char *pod_state_to_string(uint32_t state) {
        return state < ELEMENTSOF(pod_states) ? pod_states[state] : "unknown";
}

int pod_state_from_string(const char *s, uint32_t *ret) {
        return state_lookup(pod_states, ELEMENTSOF(pod_states), s, ret);
}

const char *app_state_to_string(uint32_t state) {
        return state < ELEMENTSOF(app_states) ? app_states[state] : "unknown";
}

int app_state_from_string(const char *s, uint32_t *ret) {
        return state_lookup(app_states, ELEMENTSOF(app_states), s, ret);
}
