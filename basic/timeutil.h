/* SPDX-License-Identifier: Apache-2.0 */
/* Clocks and RFC 3339 times. */
#ifndef PODRT_BASIC_TIMEUTIL_H
#define PODRT_BASIC_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in milliseconds (deadlines). */
int64_t now_ms(void);
/* CLOCK_REALTIME in nanoseconds (what state files record). */
int64_t now_ns(void);
/* ns since the epoch as "2026-11-23T10:00:00.123456789Z" into buf. */
const char *format_time(int64_t ns, char *buf, size_t size);
/* The reverse; 0 when s is not such a time. */
int64_t parse_time(const char *s);

#endif
