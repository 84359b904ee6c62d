/* SPDX-License-Identifier: Apache-2.0 */
/* What only the core needs beyond the helper library: the marker of its
 * internal (non-ABI) functions, and the method check of ops tables. */
#ifndef PODRT_INTERNAL_H
#define PODRT_INTERNAL_H

#include <stddef.h>
#include "macro.h"

/* Functions the podrt command and the tests call but that are not part of
 * the installed ABI: declared only in core/ headers, never exported from
 * libpodrt.so (its version script exports podrt_* only).  The podrt command
 * and the tests link the core statically. */
#define PODRT_INTERNAL

/* True when an ops table (with version/size first) has method set and its
 * size covers it. */
#define OPS_HAS(ops, method)                                                    \
        ((ops) && (ops)->size >= offsetof(__typeof__(*(ops)), method) +         \
                                          sizeof((ops)->method) &&              \
         (ops)->method)

#endif
