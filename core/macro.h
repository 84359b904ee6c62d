/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers used across the core: cleanup attributes, TAKE_PTR/TAKE_FD,
 * and the visibility of libpodrt's internal (non-ABI) functions. */
#ifndef PODRT_MACRO_H
#define PODRT_MACRO_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Functions the podrt command and the tests call but that are not part of the
 * installed ABI: exported from libpodrt.so, declared only in core/ headers. */
#define PODRT_INTERNAL __attribute__((visibility("default")))

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

static inline void freep(void *p) { free(*(void **)p); }
static inline void closep(int *fd) { if (*fd >= 0) { int e = errno; close(*fd); errno = e; } }
static inline void fclosep(FILE **f) { if (*f) fclose(*f); }

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Declares name##p(T **) calling func on *p, for _cleanup_(name##p). */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                 \
        static inline void func##p(type *p) {                   \
                if (*p) func(*p);                               \
        }

#define TAKE_PTR(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define TAKE_FD(fd) ({ int _t = (fd); (fd) = -1; _t; })

/* True when an ops table (with version/size first) has method set and its
 * size covers it. */
#define OPS_HAS(ops, method)                                                    \
        ((ops) && (ops)->size >= offsetof(__typeof__(*(ops)), method) +         \
                                          sizeof((ops)->method) &&              \
         (ops)->method)

#endif
