/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's bundles: what create writes (one bundle per container in its app
 * directory, the pod's shared /etc files and namespaces) and what delete
 * removes.  Few files, no directory of its own: each file made costs a
 * create on the state dir's filesystem (~0.1-0.3 ms on these hosts' ext4).
 *
 *   <pod dir>/oci-{hosts,resolv.conf,hostname}   shared by the containers
 *   <pod dir>/oci-{uts,ipc}            namespaces, pods of several containers
 *   <app dir>/config.json              the bundle (root.path: the rootfs);
 *                                      its annotations io.podrt.oci.runtime
 *                                      and io.podrt.oci.root record the
 *                                      runtime the pod was created with
 *   <app dir>/containerenv             /run/.containerenv
 *   <app dir>/runtime.log              the runtime's own log (JSON lines)
 */
#ifndef PODRT_OCI_BUNDLE_H
#define PODRT_OCI_BUNDLE_H

#include <podrt/objects.h>
#include <podrt/error.h>

#include "runtime.h"
#include "spec.h"

/* One container's description, with the storage it points into. */
struct oci_app_input {
        struct oci_container c;
        struct oci_bind *binds;
        const char **annotation_keys;
        const char **annotation_values;
        char **owned;           /* strings to free */
};

/* Fills in from app's accessors; release with oci_app_input_done().  rt
 * (may be NULL) is recorded in the annotations. */
int oci_app_input(struct podrt_app *app, const struct oci_runtime *rt, uint64_t nofile,
                  struct oci_app_input *in, struct podrt_error **err);
void oci_app_input_done(struct oci_app_input *in);

/* "<pod dir>/oci-<name>" and "<app dir>/<name>" (malloc'd, NULL on ENOMEM). */
char *oci_pod_path(const struct podrt_pod *pod, const char *name);
char *oci_app_path(const struct podrt_app *app, const char *name);

/* Writes every file of the pod's bundles and makes its shared namespaces.
 * On failure removes what it made. */
int oci_bundles_create(struct podrt_pod *pod, const struct oci_runtime *rt, uint64_t nofile,
                       struct podrt_error **err);
/* One app's bundle (its config.json and containerenv), and removing its
 * files (config.json, containerenv, runtime.log, exec leftovers). */
int oci_bundle_write_app(struct podrt_app *app, const struct oci_runtime *rt, uint64_t nofile,
                         struct podrt_error **err);
void oci_bundle_remove_app(struct podrt_app *app);
/* Removes the files and namespaces of oci_bundles_create(); again is fine. */
int oci_bundles_remove(struct podrt_pod *pod, struct podrt_error **err);

/* The runtime the pod was created with (from the first bundle); -ENOENT
 * (err untouched) when there is none: create did not get that far. */
int oci_bundles_runtime(const struct podrt_pod *pod, struct oci_runtime **ret,
                        struct podrt_error **err);

#endif
