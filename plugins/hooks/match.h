/* SPDX-License-Identifier: Apache-2.0 */
/* Whether a hook applies to an app (container), as podman decides it. */
#ifndef PODRT_HOOKS_MATCH_H
#define PODRT_HOOKS_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "hookfile.h"

/* What a hook is matched against: the pod's annotations, the app's
 * command[0] (NULL when it has none) and whether it has any mount. */
struct match_target {
        size_t n_annotations;
        const char *const *annotation_keys;
        const char *const *annotation_values;
        const char *command;
        bool has_bind_mounts;
};

/* 1 when h applies to t, else 0 with *ret_why (static text) saying which
 * condition did not match: "annotations did not match". */
int hook_match(const struct hook *h, const struct match_target *t, const char **ret_why);

#endif
