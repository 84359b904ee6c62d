/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PODRT_OCI_UPDATE_H
#define PODRT_OCI_UPDATE_H

#include <podrt/ops.h>

/* The pod op update: every app's container (or app's alone). */
int oci_update(void *data, struct podrt_pod *pod, struct podrt_app *app, const struct podrt_resources *res,
               uint64_t flags, struct podrt_error **err);

#endif
