/* SPDX-License-Identifier: Apache-2.0 */
/* Random bytes from the kernel (getrandom), for IDs and temporary names. */
#ifndef PODRT_BASIC_RANDOM_H
#define PODRT_BASIC_RANDOM_H

#include <stddef.h>

int random_bytes(void *buf, size_t len);
/* Six random characters from [a-zA-Z0-9] and a NUL, for a temporary name
 * (O_EXCL, retried): never waits for the kernel's CRNG (podrt-init runs
 * before it is ready in a VM); always 0. */
int random_suffix(char buf[7]);

#endif
