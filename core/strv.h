/* SPDX-License-Identifier: Apache-2.0 */
/* NULL-terminated string vectors. */
#ifndef PODRT_STRV_H
#define PODRT_STRV_H

#include <stddef.h>
#include "macro.h"

PODRT_INTERNAL size_t strv_length(char *const *v);
/* Frees every string and the vector; returns NULL. */
PODRT_INTERNAL char **strv_free(char **v);
/* Appends a copy of s; -ENOMEM on failure (v untouched). */
PODRT_INTERNAL int strv_push(char ***v, const char *s);
/* Appends s itself (takes ownership on success). */
PODRT_INTERNAL int strv_consume(char ***v, char *s);
PODRT_INTERNAL char **strv_copy(char *const *v);
PODRT_INTERNAL int strv_contains(char *const *v, const char *s);

DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free)
#define _cleanup_strv_free_ _cleanup_(strv_freep)

#endif
