/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdint.h>
#include <sys/random.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

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

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x0004
#endif

/* Bytes that need not be unpredictable, never waiting: before the kernel's
 * CRNG is ready (early in a VM's boot: podrt-init's atomic writes in the kvm
 * guest waited ~1 s under TCG for it), getrandom(0) blocks.  GRND_INSECURE
 * (Linux 5.6) never does; older kernels get GRND_NONBLOCK, then the clock,
 * the pid and a counter (the callers retry a name that exists). */
static void weak_bytes(uint8_t *p, size_t len) {
        static uint64_t counter;
        while (len > 0) {
                ssize_t n = getrandom(p, len, GRND_INSECURE);
                if (n < 0 && errno == EINVAL)
                        n = getrandom(p, len, GRND_NONBLOCK);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                p += n;
                len -= (size_t)n;
        }
        if (len > 0) {
                struct timespec ts;
                clock_gettime(CLOCK_MONOTONIC, &ts);
                uint64_t x = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid() << 32 ^ ++counter;
                for (size_t i = 0; i < len; i++, x = x * 6364136223846793005ull + 1442695040888963407ull)
                        p[i] = (uint8_t)(x >> 56);
        }
}

/* Six random characters from [a-zA-Z0-9] for temporary names. */
int random_suffix(char buf[7]) {
        static const char chars[] =
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        uint8_t raw[6];
        weak_bytes(raw, sizeof(raw));
        for (size_t i = 0; i < 6; i++)
                buf[i] = chars[raw[i] % (sizeof(chars) - 1)];
        buf[6] = '\0';
        return 0;
}
