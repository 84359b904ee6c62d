/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "paths.h"

int mkdir_p(const char *path, mode_t mode, struct podrt_error **err) {
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", path);
        for (char *c = p + 1;; c++) {
                if (*c != '/' && *c != '\0')
                        continue;
                char saved = *c;
                *c = '\0';
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return podrt_error_set(err, errno, "mkdir %s: %m", p);
                *c = saved;
                if (!saved)
                        break;
        }
        struct stat st;
        if (stat(path, &st) < 0)
                return podrt_error_set(err, errno, "%s: %m", path);
        if (!S_ISDIR(st.st_mode))
                return podrt_error_set(err, ENOTDIR, "%s: not a directory", path);
        return 0;
}

int mkdir_parents(const char *path, mode_t mode, struct podrt_error **err) {
        const char *slash = strrchr(path, '/');
        if (!slash || slash == path)
                return 0;
        _cleanup_free_ char *dir = strndup(path, (size_t)(slash - path));
        if (!dir)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", path);
        return mkdir_p(dir, mode, err);
}

int write_file_atomic(const char *path, const char *text, struct podrt_error **err) {
        int r = mkdir_parents(path, 0755, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", path);
        _cleanup_close_ int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return podrt_error_set(err, errno, "%s: %m", tmp);
        size_t len = strlen(text);
        ssize_t n = write(fd, text, len);
        if (n != (ssize_t)len)
                r = podrt_error_set(err, n < 0 ? errno : EIO, "write %s: %m", path);
        else if (fchmod(fd, 0644) < 0)
                r = podrt_error_set(err, errno, "chmod %s: %m", path);
        else if (rename(tmp, path) < 0)
                r = podrt_error_set(err, errno, "rename to %s: %m", path);
        if (r < 0)
                unlink(tmp);
        return r;
}
