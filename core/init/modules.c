/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "errors.h"
#include "modules.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0;
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
                return podrt_error_set(err, e, "module %s: %s%s", m->path, strerror(e),
                                       e == ENOENT ? " (an unknown symbol: is a module it needs listed before it?)"
                                                   : "");
        }
        return 0;
}
