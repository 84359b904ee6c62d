/* SPDX-License-Identifier: Apache-2.0 */
/* A manifest's paths and its rootfs: paths normalised lexically, mount paths
 * that must not leave a rootfs through its symlinks, and user and group names
 * looked up in a rootfs's etc/passwd and etc/group.  The file system is only
 * read. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "manifest-parser.h"
#include "strv.h"

#define ROOTFS_FILE_MAX_SIZE (4 * 1024 * 1024)
#define SYMLINKS_MAX 40

/* ---- paths ------------------------------------------------------------------ */

/* Normalises an absolute path lexically: "//a/./b/" -> "/a/b", ".." taken
 * back one component.  -EINVAL when ".." would climb above "/" (unless clamp,
 * as the kernel does for host paths: "/.." is "/"). */
int path_normalise(const char *path, bool clamp, char **ret) {
        size_t n = strlen(path);
        _cleanup_free_ char *out = malloc(n + 2);
        size_t o = 1;

        if (!out)
                return -ENOMEM;
        out[0] = '/';
        for (const char *s = path; *s;) {
                while (*s == '/')
                        s++;
                if (!*s)
                        break;
                const char *e = strchrnul(s, '/');
                size_t l = (size_t) (e - s);
                if (l == 1 && s[0] == '.') {
                        /* nothing */
                } else if (l == 2 && s[0] == '.' && s[1] == '.') {
                        if (o == 1) {
                                if (!clamp)
                                        return -EINVAL;
                        } else {
                                while (out[o - 1] != '/')
                                        o--;
                                if (o > 1)
                                        o--;
                        }
                } else {
                        if (o > 1)
                                out[o++] = '/';
                        memcpy(out + o, s, l);
                        o += l;
                }
                s = e;
        }
        out[o] = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

static int readlink_malloc(const char *path, char **ret) {
        for (size_t size = 256;; size *= 2) {
                _cleanup_free_ char *buf = malloc(size);
                if (!buf)
                        return -ENOMEM;
                ssize_t n = readlink(path, buf, size);
                if (n < 0)
                        return -errno;
                if ((size_t) n < size) {
                        buf[n] = '\0';
                        *ret = TAKE_PTR(buf);
                        return 0;
                }
                if (size > PATH_MAX * 4)
                        return -ENAMETOOLONG;
        }
}

/* Walks path (absolute, normalised, inside the container) through rootfs
 * with lstat: a symlink whose target is absolute, or relative and climbing
 * out of the rootfs, is refused; relative ones that stay inside are followed
 * (lexically, from the rootfs).  What does not exist yet is fine. */
int parser_check_path_in_rootfs(struct parser *p, const char *key, const char *rootfs,
                                const char *path) {
        const char *prefix = strcmp(rootfs, "/") == 0 ? "" : rootfs;
        _cleanup_free_ char *todo = strdup(path), *done = strdup("");
        unsigned links = 0;

        if (!todo || !done)
                return parser_oom(p);
        for (const char *rest = todo;;) {
                while (*rest == '/')
                        rest++;
                if (!*rest)
                        return 0;
                const char *e = strchrnul(rest, '/');
                _cleanup_free_ char *cand = NULL, *host = NULL;
                if (asprintf(&cand, "%s/%.*s", done, (int) (e - rest), rest) < 0 ||
                    asprintf(&host, "%s%s", prefix, cand) < 0)
                        return parser_oom(p);

                struct stat st;
                if (lstat(host, &st) < 0) {
                        if (errno == ENOENT)
                                return 0;
                        return parser_fail(p, key, errno, "cannot inspect %s in the rootfs: %s", cand,
                                           strerror(errno));
                }
                if (S_ISLNK(st.st_mode)) {
                        _cleanup_free_ char *target = NULL, *joined = NULL, *norm = NULL;
                        int r = readlink_malloc(host, &target);
                        if (r < 0)
                                return parser_fail(p, key, r, "cannot read the symlink %s in the rootfs: %s",
                                                   cand, strerror(-r));
                        if (++links > SYMLINKS_MAX)
                                return parser_fail(p, key, ELOOP, "%s: too many levels of symbolic links",
                                                   path);
                        if (target[0] == '/')
                                return parser_fail(p, key, EINVAL,
                                                   "%s is a symlink to %s, which leaves the container's root",
                                                   cand, target);
                        if (asprintf(&joined, "%s/%s%s", done, target, e) < 0)
                                return parser_oom(p);
                        r = path_normalise(joined, false, &norm);
                        if (r == -ENOMEM)
                                return parser_oom(p);
                        if (r < 0)
                                return parser_fail(p, key, EINVAL,
                                                   "%s is a symlink to %s, which leaves the container's root",
                                                   cand, target);
                        /* Start again from the root with the resolved path. */
                        free(todo);
                        todo = TAKE_PTR(norm);
                        done[0] = '\0';
                        rest = todo;
                        continue;
                }
                if (!S_ISDIR(st.st_mode) && *e)
                        return parser_fail(p, key, ENOTDIR, "%s in the rootfs is not a directory", cand);
                free(done);
                done = TAKE_PTR(cand);
                rest = e;
        }
}

/* A path inside the container: absolute, normalised, never above "/". */
int parser_container_path(struct parser *p, const char *key, const char *s, char **ret) {
        if (s[0] != '/')
                return parser_fail(p, key, EINVAL, "must be absolute");
        int r = path_normalise(s, false, ret);
        if (r == -ENOMEM)
                return parser_oom(p);
        if (r < 0)
                return parser_fail(p, key, EINVAL, "%s escapes the container's root", s);
        return 0;
}

/* A host path: relative ones are taken from the manifest's folder. */
int parser_host_path(struct parser *p, const char *s, char **ret) {
        _cleanup_free_ char *joined = NULL;
        if (s[0] != '/') {
                if (asprintf(&joined, "%s/%s", p->base_dir, s) < 0)
                        return parser_oom(p);
                s = joined;
        }
        if (path_normalise(s, true, ret) < 0)
                return parser_oom(p);
        return 0;
}


static bool is_digits(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}


/* Opens rel (relative, e.g. "etc/passwd") for reading inside rootfs as if
 * rootfs were "/": symlinks are followed but never out of it (openat2's
 * RESOLVE_IN_ROOT; where the kernel lacks openat2, symlinks are refused). */
static int open_in_rootfs(const char *rootfs, const char *rel) {
        _cleanup_close_ int dfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return -errno;

        struct open_how how = {
                .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd = (int) syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
        if (fd >= 0)
                return fd;
        if (errno != ENOSYS && errno != EPERM)
                return -errno;

        /* No openat2 (or a seccomp filter refusing it): walk without symlinks. */
        _cleanup_free_ char *copy = strdup(rel);
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                bool last = !save || !*save;
                int flags = last ? O_RDONLY | O_NOCTTY | O_NONBLOCK
                                 : O_PATH | O_DIRECTORY;
                if (strcmp(c, "..") == 0)
                        return -EINVAL;
                int nfd = openat(dfd, c, flags | O_NOFOLLOW | O_CLOEXEC);
                if (nfd < 0)
                        return -errno;
                close(dfd);
                dfd = nfd;
                if (last)
                        return TAKE_FD(dfd);
        }
        return -EINVAL;
}

/* Reads rel inside rootfs (see open_in_rootfs): a regular file. */
static int read_rootfs_file(const char *rootfs, const char *rel, char **ret) {
        _cleanup_close_ int fd = open_in_rootfs(rootfs, rel);
        struct stat st;

        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        if (st.st_size > ROOTFS_FILE_MAX_SIZE)
                return -EFBIG;

        size_t cap = (size_t) st.st_size + 1, len = 0;
        _cleanup_free_ char *buf = malloc(cap);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                ssize_t n = read(fd, buf + len, cap - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len == cap - 1)
                        break;
        }
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        return 0;
}

/* The line of a passwd(5) or group(5) text whose first field is name, split
 * on ':' into *ret_fields (at least min fields).  0 when absent. */
static int find_db_entry(const char *text, const char *name, size_t min, char ***ret_fields) {
        for (const char *l = text; *l;) {
                const char *e = strchrnul(l, '\n');
                size_t nl = strlen(name);
                if ((size_t) (e - l) > nl && strncmp(l, name, nl) == 0 && l[nl] == ':') {
                        _cleanup_strv_free_ char **fields = NULL;
                        for (const char *f = l;;) {
                                const char *fe = f;
                                while (fe < e && *fe != ':')
                                        fe++;
                                char *s = strndup(f, (size_t) (fe - f));
                                if (!s || strv_consume(&fields, s) < 0) {
                                        free(s);
                                        return -ENOMEM;
                                }
                                if (fe >= e)
                                        break;
                                f = fe + 1;
                        }
                        if (strv_length(fields) < min)
                                return -EBADMSG;
                        *ret_fields = TAKE_PTR(fields);
                        return 1;
                }
                l = *e ? e + 1 : e;
        }
        return 0;
}

static int parse_id(const char *s, uint32_t *ret) {
        if (!is_digits(s) || strlen(s) > 10)
                return -EINVAL;
        unsigned long long v = strtoull(s, NULL, 10);
        if (v > ID_MAX)
                return -ERANGE;
        *ret = (uint32_t) v;
        return 0;
}

/* Looks name up in the rootfs's etc/passwd or etc/group (what names
 * "user" or "group"): id, and for users their group and home. */
int parser_resolve_name(struct parser *p, const char *key, const char *rootfs, bool user,
                        const char *name, uint32_t *ret_id, uint32_t *ret_gid, char **ret_home) {
        const char *file = user ? "etc/passwd" : "etc/group";
        const char *what = user ? "user" : "group";
        _cleanup_free_ char *text = NULL;
        _cleanup_strv_free_ char **fields = NULL;

        int r = read_rootfs_file(rootfs, file, &text);
        if (r == -ENOMEM)
                return parser_oom(p);
        if (r == -ENOENT)
                return parser_fail(p, key, ENOENT, "unknown %s \"%s\": the rootfs has no /%s", what, name,
                                   file);
        if (r < 0)
                return parser_fail(p, key, r, "cannot read /%s in the rootfs: %s", file,
                                   r == -EINVAL ? "not a regular file" : strerror(-r));

        r = find_db_entry(text, name, user ? 7 : 3, &fields);
        if (r == -ENOMEM)
                return parser_oom(p);
        if (r == 0)
                return parser_fail(p, key, ENOENT, "unknown %s \"%s\" (not in the rootfs's /%s)", what,
                                   name, file);
        if (r < 0 || parse_id(fields[2], ret_id) < 0 ||
            (user && parse_id(fields[3], ret_gid) < 0))
                return parser_fail(p, key, EBADMSG, "the rootfs's /%s has a malformed entry for \"%s\"",
                                   file, name);
        if (user) {
                if (!(*ret_home = strdup(fields[5][0] ? fields[5] : "/")))
                        return parser_oom(p);
        }
        return 0;
}

/* "user" or "group": a JSON integer, a numeric string, or a name.  *ret_name
 * is set (borrowed) for a name, left NULL otherwise. */
int parser_get_id(struct parser *p, json_object *obj, const char *key, uint32_t *ret_id,
                  const char **ret_name) {
        json_object *v;
        int64_t i;

        *ret_name = NULL;
        if (!json_field_get(obj, key, &v))
                return 0;
        if (json_object_is_type(v, json_type_int)) {
                if (json_int_range(v, 0, ID_MAX, &i) < 0)
                        return parser_fail(p, key, ERANGE, "must be between 0 and %u", ID_MAX);
                *ret_id = (uint32_t) i;
                return 1;
        }
        if (!json_object_is_type(v, json_type_string))
                return parser_fail(p, key, EINVAL, "must be a string or an integer");
        const char *s = json_object_get_string(v);
        if (json_string_has_nul(v) || !*s || strpbrk(s, ":\n"))
                return parser_fail(p, key, EINVAL, "invalid %s \"%s\"", key, s);
        if (is_digits(s)) {
                if (parse_id(s, ret_id) < 0)
                        return parser_fail(p, key, ERANGE, "must be between 0 and %u", ID_MAX);
                return 1;
        }
        *ret_name = s;
        return 1;
}
