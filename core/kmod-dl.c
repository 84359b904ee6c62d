/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

#include <libkmod.h>

#define KMOD_DL_NO_RENAME
#include "kmod-dl.h"

#define KMOD_DL_DEFINE(fn) __typeof__(fn) *sym_##fn;
KMOD_DL_SYMBOLS(KMOD_DL_DEFINE)

int dlopen_libkmod(void) {
        static int result = 1;
        if (result <= 0)
                return result;
        void *h = dlopen("libkmod.so.2", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (!h)
                return result = -EOPNOTSUPP;
#define KMOD_DL_LOAD(fn) if (!(sym_##fn = (__typeof__(fn) *)dlsym(h, #fn))) goto fail;
        KMOD_DL_SYMBOLS(KMOD_DL_LOAD)
        return result = 0;
fail:
#define KMOD_DL_CLEAR(fn) sym_##fn = NULL;
        KMOD_DL_SYMBOLS(KMOD_DL_CLEAR)
        dlclose(h);
        return result = -EOPNOTSUPP;
}
