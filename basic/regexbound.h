/* SPDX-License-Identifier: Apache-2.0 */
/* A bound on the POSIX extended regular expressions podrt accepts from
 * files (hook files' "when" patterns), checked before regcomp(): glibc's
 * regcomp() is exponential in stacked repetitions ("h+++++++" takes
 * gigabytes and tens of seconds), so a pattern is refused when it is longer
 * than REGEX_MAX_LEN, has more than REGEX_MAX_REPEATS repetition operators,
 * stacks one repetition on another ("a++", "a*{2}"), nests repeated groups
 * more than REGEX_MAX_NESTING deep ("((a+)+)+"), or repeats more than
 * REGEX_MAX_INTERVAL times in an interval ("a{1000}"). */
#ifndef PODRT_BASIC_REGEXBOUND_H
#define PODRT_BASIC_REGEXBOUND_H

#define REGEX_MAX_LEN 1024
#define REGEX_MAX_REPEATS 32
#define REGEX_MAX_NESTING 2
#define REGEX_MAX_INTERVAL 100

/* NULL when pattern is within the bound, else why not (static text). */
const char *regex_over_bound(const char *pattern);

#endif
