/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "macro.h"
#include "quantity.h"

/* Parses "<digits>[.<digits>]" followed by one of suffixes (scales, in the
 * same order), rounding a fraction up: *ret = value * scale.  -EINVAL for
 * what is not a quantity, -ERANGE above INT64_MAX. */
struct unit {
        const char *suffix;
        uint64_t scale;
};

static int parse_quantity(const char *s, const struct unit *units, size_t n_units,
                          int64_t *ret) {
        unsigned __int128 whole = 0, frac = 0, frac_div = 1;
        bool digits = false, inexact = false;
        const char *c = s;

        if (!s)
                return -EINVAL;
        for (; *c >= '0' && *c <= '9'; c++) {
                whole = whole * 10 + (unsigned) (*c - '0');
                if (whole > INT64_MAX)
                        return -ERANGE;
                digits = true;
        }
        if (*c == '.') {
                c++;
                for (; *c >= '0' && *c <= '9'; c++) {
                        if (frac_div < 1000000000000000000ull) {
                                frac = frac * 10 + (unsigned) (*c - '0');
                                frac_div *= 10;
                        } else if (*c != '0') {
                                inexact = true;
                        }
                        digits = true;
                }
        }
        if (!digits)
                return -EINVAL;
        for (size_t i = 0; i < n_units; i++) {
                if (strcmp(c, units[i].suffix) != 0)
                        continue;
                unsigned __int128 v = whole * units[i].scale;
                unsigned __int128 f = frac * units[i].scale;
                v += f / frac_div + ((f % frac_div) || (inexact && frac_div > 1) ? 1 : 0);
                if (v > INT64_MAX)
                        return -ERANGE;
                *ret = (int64_t) v;
                return 0;
        }
        return -EINVAL;
}

static const struct unit memory_units[] = {
        { "", 1 },
        { "k", 1000ull },
        { "M", 1000ull * 1000 },
        { "G", 1000ull * 1000 * 1000 },
        { "T", 1000ull * 1000 * 1000 * 1000 },
        { "P", 1000ull * 1000 * 1000 * 1000 * 1000 },
        { "E", 1000ull * 1000 * 1000 * 1000 * 1000 * 1000 },
        { "Ki", 1ull << 10 },
        { "Mi", 1ull << 20 },
        { "Gi", 1ull << 30 },
        { "Ti", 1ull << 40 },
        { "Pi", 1ull << 50 },
        { "Ei", 1ull << 60 },
};

static const struct unit cpu_units[] = {
        { "", 1000 },
        { "m", 1 },
};

int parse_memory(const char *s, int64_t *ret_bytes) {
        int64_t v;
        int r = parse_quantity(s, memory_units, ELEMENTSOF(memory_units), &v);
        if (r < 0)
                return r;
        if (v <= 0)
                return -ERANGE;
        *ret_bytes = v;
        return 0;
}

int parse_cpu(const char *s, int64_t *ret_millis) {
        int64_t v;
        int r = parse_quantity(s, cpu_units, ELEMENTSOF(cpu_units), &v);
        if (r < 0)
                return r;
        if (v <= 0)
                return -ERANGE;
        *ret_millis = v;
        return 0;
}

