/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PODRT_OCI_PASSTHROUGH_H
#define PODRT_OCI_PASSTHROUGH_H

#include <json-c/json.h>
#include <podrt/error.h>
#include <podrt/objects.h>

#include "runtime.h"

/* The annotation podrt-runtime puts on a pod made from a client's bundle. */
#define OCI_BUNDLE_ANNOTATION "io.podrt.oci.bundle"

/* The bundle's config.json as app's runtime spec (passthrough.c says what
 * changes). */
int oci_passthrough_spec(struct podrt_app *app, const char *bundle, const struct oci_runtime *rt,
                         struct json_object **ret, struct podrt_error **err);

#endif
