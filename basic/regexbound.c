/* SPDX-License-Identifier: Apache-2.0 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "regexbound.h"

#define MAX_GROUPS 64

/* Skips a bracket expression starting at p ('['); returns what follows it
 * (or the end: regcomp then reports the missing ']'). */
static const char *skip_bracket(const char *p) {
        p++;
        if (*p == '^')
                p++;
        if (*p == ']')
                p++;
        while (*p && *p != ']') {
                if (p[0] == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
                        char close = p[1];
                        const char *e = p + 2;
                        while (*e && !(e[0] == close && e[1] == ']'))
                                e++;
                        p = *e ? e + 2 : e;
                        continue;
                }
                p++;
        }
        return *p ? p + 1 : p;
}

const char *regex_over_bound(const char *pattern) {
        if (!pattern)
                return NULL;
        if (strlen(pattern) > REGEX_MAX_LEN)
                return "longer than 1024 characters";
        /* nesting[d]: how deep repetitions nest inside the open group d. */
        int nesting[MAX_GROUPS + 1] = { 0 };
        int depth = 0, repeats = 0;
        int atom = -1;            /* nesting of the last atom; -1: none */
        bool after_repeat = false;
        for (const char *p = pattern; *p;) {
                char c = *p;
                if (c == '*' || c == '+' || c == '?' || c == '{') {
                        if (c == '{') {
                                char *end = NULL;
                                long lo = strtol(p + 1, &end, 10), hi = lo;
                                if (end && *end == ',') {
                                        hi = end[1] == '}' ? REGEX_MAX_INTERVAL + 1
                                                           : strtol(end + 1, &end, 10);
                                        if (end && *end == ',')
                                                end++;
                                }
                                if (lo > REGEX_MAX_INTERVAL || hi > REGEX_MAX_INTERVAL)
                                        return "an interval repeats more than 100 times";
                                const char *close = strchr(p, '}');
                                p = close ? close + 1 : p + strlen(p);
                        } else
                                p++;
                        if (after_repeat)
                                return "a repetition of a repetition";
                        if (atom < 0)
                                continue;   /* a literal at the start: regcomp decides */
                        if (++repeats > REGEX_MAX_REPEATS)
                                return "more than 32 repetition operators";
                        if (atom + 1 > REGEX_MAX_NESTING)
                                return "repeated groups nested more than 2 deep";
                        if (nesting[depth] < atom + 1)
                                nesting[depth] = atom + 1;
                        after_repeat = true;
                        continue;
                }
                after_repeat = false;
                if (c == '\\') {
                        p += p[1] ? 2 : 1;
                        atom = 0;
                } else if (c == '[') {
                        p = skip_bracket(p);
                        atom = 0;
                } else if (c == '(') {
                        if (depth >= MAX_GROUPS)
                                return "groups nested more than 64 deep";
                        nesting[++depth] = 0;
                        p++;
                        atom = -1;
                } else if (c == ')' && depth > 0) {
                        atom = nesting[depth--];
                        p++;
                } else if (c == '|') {
                        p++;
                        atom = -1;
                } else {
                        p++;
                        atom = 0;
                }
        }
        return NULL;
}
