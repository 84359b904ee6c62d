/* SPDX-License-Identifier: Apache-2.0 */
/* The oci backend's `podrt check` lines and the check of its configuration
 * section (oci = { runtime = ...; }). */
#ifndef PODRT_OCI_CHECK_H
#define PODRT_OCI_CHECK_H

#include <podrt/plugin.h>

/* The runtime oci.runtime names (auto: crun and runc), found or not, its
 * version, whether it can run here; a note on what auto picks. */
int oci_host_check(const struct podrt_host *host, struct podrt_check *check,
                   struct podrt_error **err);

/* struct podrt_plugin.config_check: oci.runtime is auto, crun, runc or an
 * absolute path; no other key. */
int oci_config_check(const struct podrt_config *cfg, uint64_t flags, struct podrt_error **err);

#endif
