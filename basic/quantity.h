/* SPDX-License-Identifier: Apache-2.0 */
/* Kubernetes quantities: memory ("64Mi", "1G", "512") and cpu ("500m",
 * "1.5").  -EINVAL for what is not one, -ERANGE for 0 or beyond int64. */
#ifndef PODRT_BASIC_QUANTITY_H
#define PODRT_BASIC_QUANTITY_H

#include <stdint.h>

int parse_memory(const char *s, int64_t *ret_bytes);
int parse_cpu(const char *s, int64_t *ret_millis);

#endif
