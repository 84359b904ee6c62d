/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/types.h>

#include "random.h"

int random_bytes(void *buf, size_t len) {
        uint8_t *p = buf;
        while (len > 0) {
                ssize_t n = getrandom(p, len, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

/* Six random characters from [a-zA-Z0-9] for temporary names. */
int random_suffix(char buf[7]) {
        static const char chars[] =
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        uint8_t raw[6];
        int r = random_bytes(raw, sizeof(raw));
        if (r < 0)
                return r;
        for (size_t i = 0; i < 6; i++)
                buf[i] = chars[raw[i] % (sizeof(chars) - 1)];
        buf[6] = '\0';
        return 0;
}
