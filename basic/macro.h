/* SPDX-License-Identifier: Apache-2.0 */
/* The helper library's basics: cleanup attributes (systemd's _cleanup_),
 * TAKE_PTR/TAKE_FD and ELEMENTSOF.  libc only; every file of the tree may
 * include it: the core, the CLI, podrt-init and every plugin. */
#ifndef PODRT_BASIC_MACRO_H
#define PODRT_BASIC_MACRO_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

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

/* In a printf-like function (fmt, ...): what they print, malloc'd, or NULL
 * when memory runs out. */
#define FORMAT_ARGS(fmt) ({                                     \
        char *_s = NULL;                                        \
        va_list _ap;                                            \
        va_start(_ap, fmt);                                     \
        if (vasprintf(&_s, fmt, _ap) < 0)                       \
                _s = NULL;                                      \
        va_end(_ap);                                            \
        _s;                                                     \
})

#define TAKE_PTR(p) ({ __typeof__(p) _t = (p); (p) = NULL; _t; })
#define TAKE_FD(fd) ({ int _t = (fd); (fd) = -1; _t; })

#endif
