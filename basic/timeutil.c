/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <time.h>

#include "timeutil.h"

int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

const char *format_time(int64_t ns, char *buf, size_t size) {
        time_t sec = (time_t)(ns / 1000000000);
        struct tm tm;
        char base[32];
        if (!gmtime_r(&sec, &tm) || !strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm))
                return NULL;
        snprintf(buf, size, "%s.%09lldZ", base, (long long)(ns % 1000000000));
        return buf;
}

int64_t parse_time(const char *s) {
        struct tm tm = { 0 };
        const char *rest = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
        if (!rest)
                return 0;
        long long frac = 0;
        if (*rest == '.') {
                int digits = 0;
                for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
                        if (digits < 9)
                                frac = frac * 10 + (*rest - '0');
                for (; digits < 9; digits++)
                        frac *= 10;
        }
        time_t sec = timegm(&tm);
        /* A time int64_t nanoseconds cannot hold (after 2262) is no time. */
        if (sec < 0 || (int64_t)sec > INT64_MAX / 1000000000 - 1)
                return 0;
        return (int64_t)sec * 1000000000 + frac;
}
