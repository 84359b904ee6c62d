/* SPDX-License-Identifier: Apache-2.0 */
/* podrt: the error object.
 *
 * Fallible functions return 0 (or a count) on success and -errno on failure;
 * the human story travels in a struct podrt_error passed last:
 *
 *     return podrt_error_set(err, ENOENT, "rootfs %s: not found", path);
 *
 * podrt_error_set() returns -errnum.  When *err already holds an error, the
 * new text is prepended ("runc create: exit status 1") and the original errno
 * is kept: callers add context on the way up.  err may be NULL.
 */
#ifndef PODRT_ERROR_H
#define PODRT_ERROR_H

#include <podrt/common.h>

PODRT_BEGIN_DECLS

struct podrt_error;

/* errnum may be given as EIO or -EIO; 0 is taken as EIO. Returns -errnum
 * (or the kept errno when wrapping). */
PODRT_EXPORT int podrt_error_set(struct podrt_error **err, int errnum, const char *fmt, ...)
        PODRT_PRINTF(3, 4);

/* The full message ("a: b: c"), never NULL for a set error. */
PODRT_EXPORT const char *podrt_error_message(const struct podrt_error *err);

/* The positive errno of the innermost cause. */
PODRT_EXPORT int podrt_error_code(const struct podrt_error *err);

/* Frees err (NULL is fine); returns NULL. */
PODRT_EXPORT struct podrt_error *podrt_error_free(struct podrt_error *err);

PODRT_END_DECLS

#endif
