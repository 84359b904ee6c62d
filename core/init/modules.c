/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errors.h"
#include "fileio.h"
#include "modules.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A module the host cut the signature off, refused by a kernel that wants
 * one (EKEYREJECTED: module.sig_enforce; EPERM: lockdown): the module with
 * its signature put back, from memory.  0, -errno (-ENOENT: no signature to
 * put back). */
static int load_signed(const struct initspec_module *m) {
        char sig_path[PATH_MAX];
        if (snprintf(sig_path, sizeof(sig_path), "%s%s", m->path, INITSPEC_MODULE_SIG_SUFFIX) >=
            (int)sizeof(sig_path))
                return -ENAMETOOLONG;
        _cleanup_free_ char *sig = NULL, *mod = NULL;
        size_t sig_size = 0, mod_size = 0;
        int r = read_file(sig_path, 1 << 20, &sig, &sig_size);
        if (r < 0 || (r = read_file(m->path, 0, &mod, &mod_size)) < 0)
                return r;
        char *whole = realloc(mod, mod_size + sig_size);
        if (!whole)
                return -ENOMEM;
        mod = whole;
        memcpy(mod + mod_size, sig, sig_size);
        if (syscall(SYS_init_module, mod, mod_size + sig_size, m->params ? m->params : "") < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

int modules_load(const struct initspec *s, struct podrt_error **err) {
        for (size_t i = 0; i < s->n_modules; i++) {
                const struct initspec_module *m = &s->modules[i];
                _cleanup_close_ int fd = open(m->path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return podrt_error_set(err, errno, "module %s: %m", m->path);
                int flags = ends_with(m->path, ".xz") || ends_with(m->path, ".zst") ||
                                            ends_with(m->path, ".gz")
                                    ? MODULE_INIT_COMPRESSED_FILE
                                    : 0;
                if (syscall(SYS_finit_module, fd, m->params ? m->params : "", flags) == 0 ||
                    errno == EEXIST)
                        continue;
                int e = errno;
                if (e == EKEYREJECTED || e == EPERM) {
                        int r = load_signed(m);
                        if (r == 0)
                                continue;
                        if (r != -ENOENT)
                                return podrt_error_set(err, -r, "module %s with its signature: %s", m->path,
                                                       strerror(-r));
                }
                return podrt_error_set(err, e, "module %s: %s%s", m->path, strerror(e),
                                       e == ENOENT ? " (an unknown symbol: is a module it needs listed before it?)"
                                                   : "");
        }
        return 0;
}
