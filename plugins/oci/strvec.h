/* SPDX-License-Identifier: Apache-2.0 */
/* NULL-terminated vectors of malloc'd strings, the plugin's own (a plugin
 * uses only the installed ABI of libpodrt). */
#ifndef PODRT_OCI_STRVEC_H
#define PODRT_OCI_STRVEC_H

#include <stddef.h>
#include "macro.h"

size_t oci_strv_length(char *const *v);
/* Frees every string and the vector; NULL is fine; returns NULL. */
char **oci_strv_free(char **v);
/* Appends a copy of s (-ENOMEM, v untouched, on failure). */
int oci_strv_push(char ***v, const char *s);
/* Appends s itself, taking it on success. */
int oci_strv_consume(char ***v, char *s);

DEFINE_TRIVIAL_CLEANUP_FUNC(char **, oci_strv_free)
#define _cleanup_oci_strv_ _cleanup_(oci_strv_freep)

#endif
