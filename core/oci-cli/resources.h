/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PODRT_OCI_CLI_RESOURCES_H
#define PODRT_OCI_CLI_RESOURCES_H

#include <stddef.h>

#include <podrt/ops.h>

/* A linux.resources object's memory.limit, cpu.quota/period and pids.limit
 * as podrt's limits (0: unchanged, -1: none); -EINVAL with msg on a bad
 * or empty one. */
int oci_parse_resources(const char *text, struct podrt_resources *res, char *msg, size_t size);

#endif
