/* SPDX-License-Identifier: Apache-2.0 */
/* Cleanup for the public error object (<podrt/error.h>). */
#ifndef PODRT_BASIC_ERRORS_H
#define PODRT_BASIC_ERRORS_H

#include <podrt/error.h>
#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct podrt_error *, podrt_error_free)
#define _cleanup_error_ _cleanup_(podrt_error_freep)

#endif
