/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON the hooks plugin writes: the OCI state a hook reads on stdin and
 * the runtime-spec form of a hook. */
#ifndef PODRT_HOOKS_RENDER_H
#define PODRT_HOOKS_RENDER_H

#include <json-c/json.h>
#include <sys/types.h>

#include "hookfile.h"

/* The OCI state (runtime-spec 1.0.2):
 * {"ociVersion":"1.0.2","id":...,"status":...,"pid":N (omitted when 0),
 *  "bundle":...,"annotations":{...}}, as malloc'd text; NULL when out of
 * memory. */
char *hook_state_json(const char *id, const char *status, pid_t pid, const char *bundle,
                      size_t n_annotations, const char *const *keys, const char *const *values);

/* {"path":...,"args":[...],"env":[...],"timeout":N}, each of args, env and
 * timeout only when the hook file gave it. */
struct json_object *hook_oci_entry(const struct hook *h);

#endif
