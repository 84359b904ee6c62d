/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PODRT_OCI_CLI_CRI_H
#define PODRT_OCI_CLI_CRI_H

#include <stdbool.h>
#include <json-c/json.h>

#include "oci-cli.h"

/* The sandbox a CRI container's annotations name, or NULL (a sandbox, or
 * not a CRI bundle). */
const char *cri_sandbox_of(struct json_object *annotations);
/* Makes k (its id, bundle and annotations set) an app of the sandbox's
 * pod: k->pod and k->app set.  -1 with the error said. */
int cri_add(struct ctx *c, struct container *k, struct oci_translation *t, const char *sandbox, const char *source);
/* The container's OCI status from its pod's status JSON. */
const char *cri_status(struct json_object *pod_status, const struct container *k, bool keeper_alive);
/* The keeper of an app container: waits for start, starts the app, copies
 * its log to stdout, exits with its status. */
_Noreturn void cri_keeper_main(struct ctx *c, struct container *k, int start_fd);
/* An app container's delete: the app leaves its running pod, and the pod
 * goes when no other record names it.  0, else -(exit code) said. */
int cri_remove_app(struct ctx *c, const struct container *k);
/* Another record names k's pod (a sandbox whose containers remain). */
bool cri_pod_shared(struct ctx *c, const struct container *k);

#endif
