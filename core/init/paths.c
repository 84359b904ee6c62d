/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "fileio.h"
#include "paths.h"

int init_mkdir_p(const char *path, mode_t mode, struct podrt_error **err) {
        int r = mkdir_p(path, mode);
        if (r == -ENOTDIR)
                return podrt_error_set(err, ENOTDIR, "%s: not a directory", path);
        if (r < 0)
                return podrt_error_set(err, r, "mkdir %s: %s", path, strerror(-r));
        return 0;
}

int init_mkdir_parents(const char *path, mode_t mode, struct podrt_error **err) {
        const char *slash = strrchr(path, '/');
        if (!slash || slash == path)
                return 0;
        _cleanup_free_ char *dir = strndup(path, (size_t)(slash - path));
        if (!dir)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", path);
        return init_mkdir_p(dir, mode, err);
}

int init_write_file(const char *path, const char *text, struct podrt_error **err) {
        /* The folder first only when it is missing: on a VM's 9p share each
         * mkdir and stat is a round trip to the host. */
        int r = write_file_atomic(path, text, strlen(text), 0644, 0);
        if (r == -ENOENT) {
                if ((r = init_mkdir_parents(path, 0755, err)) < 0)
                        return r;
                r = write_file_atomic(path, text, strlen(text), 0644, 0);
        }
        if (r < 0)
                return podrt_error_set(err, r, "write %s: %s", path, strerror(-r));
        return 0;
}
