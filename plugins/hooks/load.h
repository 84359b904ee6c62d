/* SPDX-License-Identifier: Apache-2.0 */
/* The hook directories: which files count, and in which order. */
#ifndef PODRT_HOOKS_LOAD_H
#define PODRT_HOOKS_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "hookfile.h"

/* The hooks in effect, in injection order. */
struct hook_set {
        size_t n;
        struct hook **hooks;
        char **dirs;             /* the directories read, in order */
};

/* Reads every *.json file of dirs (in order).  A file in a later directory
 * masks a file of the same name in an earlier one; the files left are
 * ordered by their names compared in lower case (then as written) and each
 * is read and checked: the first broken one fails the whole load with
 * "FILE: what is wrong".  A directory that does not exist is skipped unless
 * explicit (then: "DIR: No such file or directory"). */
int hook_set_load(const char *const *dirs, bool explicit, struct hook_set **ret_set,
                  struct podrt_error **err);
struct hook_set *hook_set_free(struct hook_set *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct hook_set *, hook_set_free)

/* strcmp() of the names in lower case (ASCII letters only, so that UTF-8
 * keeps code point order), ties broken by strcmp(). */
int hook_name_compare(const char *a, const char *b);

#endif
