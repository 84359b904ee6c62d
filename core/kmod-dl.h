/* SPDX-License-Identifier: Apache-2.0 */
/* libkmod, loaded when first needed.  Only `podrt check` asks about kernel
 * modules, and linking libkmod (which pulls in libcrypto, libzstd, liblzma)
 * into libpodrt cost every podrt command ~2/3 of its instructions in symbol
 * relocation.  Include this after <libkmod.h>: the names below then call
 * through the pointers dlopen_libkmod() fills. */
#ifndef PODRT_KMOD_DL_H
#define PODRT_KMOD_DL_H

#include <libkmod.h>

#define KMOD_DL_SYMBOLS(X)                                      \
        X(kmod_new)                                             \
        X(kmod_unref)                                           \
        X(kmod_set_log_fn)                                      \
        X(kmod_list_next)                                       \
        X(kmod_module_new_from_name)                            \
        X(kmod_module_new_from_lookup)                          \
        X(kmod_module_get_initstate)                            \
        X(kmod_module_get_name)                                 \
        X(kmod_module_get_module)                               \
        X(kmod_module_get_path)                                 \
        X(kmod_module_unref)                                    \
        X(kmod_module_unref_list)

#define KMOD_DL_DECLARE(fn) extern __typeof__(fn) *sym_##fn;
KMOD_DL_SYMBOLS(KMOD_DL_DECLARE)
#undef KMOD_DL_DECLARE

/* 0 when libkmod.so.2 is loaded (once per process), -EOPNOTSUPP when not. */
int dlopen_libkmod(void);

#ifndef KMOD_DL_NO_RENAME
#define kmod_new sym_kmod_new
#define kmod_unref sym_kmod_unref
#define kmod_set_log_fn sym_kmod_set_log_fn
#define kmod_list_next sym_kmod_list_next
#define kmod_module_new_from_name sym_kmod_module_new_from_name
#define kmod_module_new_from_lookup sym_kmod_module_new_from_lookup
#define kmod_module_get_initstate sym_kmod_module_get_initstate
#define kmod_module_get_name sym_kmod_module_get_name
#define kmod_module_get_module sym_kmod_module_get_module
#define kmod_module_get_path sym_kmod_module_get_path
#define kmod_module_unref sym_kmod_module_unref
#define kmod_module_unref_list sym_kmod_module_unref_list
#endif

#endif
