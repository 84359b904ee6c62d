/* SPDX-License-Identifier: Apache-2.0 */
/* What translate.c and translate-mounts.c share. */
#ifndef PODRT_OCI_TRANSLATE_INTERNAL_H
#define PODRT_OCI_TRANSLATE_INTERNAL_H

#include <json-c/json.h>
#include <stdbool.h>

#include "errors.h"
#include "macro.h"
#include "strv.h"
#include "translate.h"

/* A config.json field that cannot be: the path in config.json, and why. */
#define FAIL(err, path, ...) podrt_error_set((err), EINVAL, "config.json: " path ": " __VA_ARGS__)

struct json_object *tr_get(struct json_object *o, const char *key);
bool tr_is(struct json_object *o, enum json_type t);
void tr_warn(struct oci_translation *t, const char *fmt, ...) PODRT_PRINTF(2, 3);
int tr_strv_of(struct json_object *a, char ***ret);
void tr_add(struct json_object *o, const char *k, struct json_object *v);
int translate_mounts(struct json_object *mounts, const char *bundle, struct json_object *manifest, struct json_object *app, struct oci_translation *t, struct podrt_error **err) ;

#endif
