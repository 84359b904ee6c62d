/* SPDX-License-Identifier: Apache-2.0 */
/* Printing for people and scripts: JSON, tables, times and ages. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

void print_json(struct json_object *obj, FILE *f) {
        if (json_object_is_type(obj, json_type_array) && json_object_array_length(obj) == 0) {
                fputs("[]\n", f);
                return;
        }
        if (json_object_is_type(obj, json_type_object) && json_object_object_length(obj) == 0) {
                fputs("{}\n", f);
                return;
        }
        const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
                                                                       JSON_C_TO_STRING_SPACED |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE);
        /* json-c prints an empty array or object as "[\n    ]": make it "[]".
         * A newline in the text is always structure (strings escape theirs). */
        for (const char *p = text; *p; p++) {
                fputc(*p, f);
                if (*p == '[' || *p == '{') {
                        const char *q = p + 1;
                        if (*q != '\n')
                                continue;
                        q += strspn(q, "\n ");
                        if (*q == (*p == '[' ? ']' : '}')) {
                                fputc(*q, f);
                                p = q;
                        }
                }
        }
        fputc('\n', f);
}

const char *json_get_string(struct json_object *obj, const char *key) {
        struct json_object *v;
        if (!obj || !json_object_object_get_ex(obj, key, &v) ||
            !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *ret) {
        int v = 0;
        for (int i = 0; i < n; i++, (*p)++) {
                if (!isdigit((unsigned char)**p))
                        return -1;
                v = v * 10 + (**p - '0');
        }
        *ret = v;
        return 0;
}

long long parse_rfc3339(const char *s) {
        if (!s)
                return -1;
        struct tm tm = { 0 };
        int year, mon, mday, hour, min, sec;
        const char *p = s;
        if (digits(&p, 4, &year) < 0 || *p++ != '-' || digits(&p, 2, &mon) < 0 || *p++ != '-' ||
            digits(&p, 2, &mday) < 0 || (*p != 'T' && *p != 't' && *p != ' '))
                return -1;
        p++;
        if (digits(&p, 2, &hour) < 0 || *p++ != ':' || digits(&p, 2, &min) < 0 ||
            *p++ != ':' || digits(&p, 2, &sec) < 0)
                return -1;
        if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                        return -1;
                while (isdigit((unsigned char)*p))
                        p++;
        }
        long offset = 0;
        if (*p == 'Z' || *p == 'z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                int sign = *p++ == '-' ? -1 : 1, oh, om;
                if (digits(&p, 2, &oh) < 0 || *p++ != ':' || digits(&p, 2, &om) < 0)
                        return -1;
                offset = sign * (oh * 3600L + om * 60L);
        } else {
                return -1;
        }
        if (*p || mon < 1 || mon > 12 || mday < 1 || mday > 31 || hour > 23 || min > 59 ||
            sec > 60)
                return -1;
        tm.tm_year = year - 1900;
        tm.tm_mon = mon - 1;
        tm.tm_mday = mday;
        tm.tm_hour = hour;
        tm.tm_min = min;
        tm.tm_sec = sec;
        time_t t = timegm(&tm);
        if (t == (time_t)-1)
                return -1;
        return (long long)t - offset;
}

const char *format_age(long long then, long long now, char *buf, size_t size) {
        static const struct {
                long long secs;
                const char *unit;
        } units[] = {
                { 7 * 86400LL, "week" }, { 86400, "day" }, { 3600, "hour" },
                { 60, "minute" },        { 1, "second" },
        };
        long long d = now - then;
        if (d < 1) {
                snprintf(buf, size, "just now");
                return buf;
        }
        if (d >= 8 * 7 * 86400LL) {
                time_t t = (time_t)then;
                struct tm tm;
                if (gmtime_r(&t, &tm) && strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0)
                        return buf;
        }
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (d >= units[i].secs) {
                        long long n = d / units[i].secs;
                        snprintf(buf, size, "%lld %s%s ago", n, units[i].unit, n == 1 ? "" : "s");
                        break;
                }
        return buf;
}

struct table {
        size_t n_cols, n_rows;
        char **cells;   /* n_rows * n_cols */
};

struct table *table_new(size_t n_cols, const char *const *header) {
        struct table *t = calloc(1, sizeof(*t));
        if (!t)
                return NULL;
        t->n_cols = n_cols;
        if (table_add(t, header) < 0)
                return table_free(t);
        return t;
}

int table_add(struct table *t, const char *const *cells) {
        char **c = realloc(t->cells, (t->n_rows + 1) * t->n_cols * sizeof(char *));
        if (!c)
                return -ENOMEM;
        t->cells = c;
        char **row = c + t->n_rows * t->n_cols;
        for (size_t i = 0; i < t->n_cols; i++) {
                row[i] = strdup(cells[i] ? cells[i] : "-");
                if (!row[i]) {
                        while (i > 0)
                                free(row[--i]);
                        return -ENOMEM;
                }
        }
        t->n_rows++;
        return 0;
}

void table_print(const struct table *t, FILE *f) {
        size_t width[t->n_cols];
        memset(width, 0, sizeof width);
        for (size_t r = 0; r < t->n_rows; r++)
                for (size_t i = 0; i < t->n_cols; i++) {
                        size_t l = strlen(t->cells[r * t->n_cols + i]);
                        if (l > width[i])
                                width[i] = l;
                }
        for (size_t r = 0; r < t->n_rows; r++) {
                for (size_t i = 0; i < t->n_cols; i++) {
                        const char *cell = t->cells[r * t->n_cols + i];
                        if (i == t->n_cols - 1)
                                fprintf(f, "%s\n", cell);
                        else
                                fprintf(f, "%-*s  ", (int)width[i], cell);
                }
        }
}

struct table *table_free(struct table *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t);
        return NULL;
}
