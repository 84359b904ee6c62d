/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing option values: seconds, signals, log levels. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* A decimal number in [0, max], nothing else (no sign, no spaces). */
static int parse_uint(const char *s, unsigned long max, unsigned long *ret) {
        if (!s || !isdigit((unsigned char)s[0]))
                return -EINVAL;
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno == ERANGE || v > max)
                return -ERANGE;
        if (*end)
                return -EINVAL;
        *ret = v;
        return 0;
}

int parse_seconds(const char *s, unsigned *ret) {
        unsigned long v;
        int r = parse_uint(s, UINT_MAX, &v);
        if (r < 0)
                return r;
        *ret = (unsigned)v;
        return 0;
}

/* SIGTERM, TERM, term, 15, RTMIN+2. */
int parse_signal(const char *s, int *ret) {
        unsigned long v;
        if (parse_uint(s, INT_MAX, &v) == 0) {
                if (v < 1 || v >= (unsigned long)NSIG)
                        return -EINVAL;
                *ret = (int)v;
                return 0;
        }
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        if (!*s)
                return -EINVAL;
        for (int i = 1; i < NSIG; i++) {
                const char *name = sigabbrev_np(i);
                if (name && strcasecmp(name, s) == 0) {
                        *ret = i;
                        return 0;
                }
        }
        if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
                int min = strncasecmp(s, "RTMIN", 5) == 0;
                const char *rest = s + 5;
                unsigned long off = 0;
                if (*rest) {
                        if ((min && *rest != '+') || (!min && *rest != '-'))
                                return -EINVAL;
                        if (parse_uint(rest + 1, (unsigned long)(SIGRTMAX - SIGRTMIN), &off) < 0)
                                return -EINVAL;
                }
                *ret = min ? SIGRTMIN + (int)off : SIGRTMAX - (int)off;
                return 0;
        }
        return -EINVAL;
}

int parse_log_level(const char *s, int *ret) {
        static const struct {
                const char *name;
                int level;
        } levels[] = {
                { "err", PODRT_LOG_ERR },       { "error", PODRT_LOG_ERR },
                { "warning", PODRT_LOG_WARNING }, { "warn", PODRT_LOG_WARNING },
                { "notice", PODRT_LOG_NOTICE }, { "info", PODRT_LOG_INFO },
                { "debug", PODRT_LOG_DEBUG },
        };
        for (size_t i = 0; i < ELEMENTSOF(levels); i++)
                if (strcasecmp(s, levels[i].name) == 0) {
                        *ret = levels[i].level;
                        return 0;
                }
        return -EINVAL;
}
