/* SPDX-License-Identifier: Apache-2.0 */
/* NULL-terminated string vectors. */
#ifndef PODRT_BASIC_STRV_H
#define PODRT_BASIC_STRV_H

#include <stddef.h>
#include "macro.h"

size_t strv_length(char *const *v);
/* Frees every string and the vector; returns NULL. */
char **strv_free(char **v);
/* Appends a copy of s; -ENOMEM on failure (v untouched). */
int strv_push(char ***v, const char *s);
/* Appends s itself (takes ownership on success). */
int strv_consume(char ***v, char *s);
/* A deep copy (of NULL: an empty vector); NULL when out of memory. */
char **strv_copy(char *const *v);
int strv_contains(char *const *v, const char *s);
/* The strings of v with sep between them (of NULL: ""); malloc'd, NULL
 * when out of memory. */
char *strv_join(char *const *v, const char *sep);

DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free)
#define _cleanup_strv_free_ _cleanup_(strv_freep)

#endif
