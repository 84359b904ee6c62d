/* SPDX-License-Identifier: Apache-2.0 */
/* The UTS and IPC namespaces the containers of a multi-container pod share:
 * made once at create, kept alive by bind mounts of their nsfs files in the
 * pod's directory (as `ip netns` keeps network namespaces), joined by path
 * from every container's config.json, unmounted at delete.  No infra
 * process is needed. */
#ifndef PODRT_OCI_NAMESPACES_H
#define PODRT_OCI_NAMESPACES_H

#include <podrt/error.h>

/* New UTS (with hostname set) and IPC namespaces, bound on uts_path and
 * ipc_path (created as empty files). */
int oci_ns_create(const char *uts_path, const char *ipc_path, const char *hostname,
                  struct podrt_error **err);

/* Unmounts path and removes the file; absent or unmounted is fine. */
int oci_ns_remove(const char *path, struct podrt_error **err);

#endif
