/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 (FIPS 180-4), a small code path: the image store hashes every
 * blob and layer stream it reads with it. */
#ifndef PODRT_SHA256_H
#define PODRT_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
        uint32_t h[8];
        uint64_t len;           /* bytes hashed */
        uint8_t buf[64];
        size_t n;               /* bytes in buf */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t size);
/* The digest as 64 lower-case hex digits and a NUL. */
void sha256_hex(struct sha256 *s, char out[65]);

#endif
