/* SPDX-License-Identifier: Apache-2.0 */
/* Pod manifests (CONTRACTS.md §1, docs/manifest.md): JSON text to a validated
 * struct pod_spec.  Everything is checked before anything is returned, and
 * nothing is created: the file system is only read, to check rootfs
 * directories and host volume sources, to resolve user and group names in a
 * rootfs, and to refuse mount paths that leave a rootfs through symlinks.
 *
 * Every message reads "<source>: <json path>: <what>", the path written with
 * dots and [i]: "pod.json: containers[0].mounts[0].path: must be absolute". */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "errors.h"
#include "manifest.h"
#include "store.h"
#include "strv.h"

#define API_VERSION "podrt/v1"
#define MANIFEST_MAX_SIZE (4 * 1024 * 1024)
#define ROOTFS_FILE_MAX_SIZE (4 * 1024 * 1024)
#define ID_MAX 4294967294u          /* (uint32_t) -1 means "no id" to the kernel */
#define HOSTNAME_MAX 64             /* the kernel's limit for sethostname() */
#define DOMAIN_MAX 253
#define SYMLINKS_MAX 40
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define NO_INDEX ((size_t) -1)

static void json_object_putp(json_object **o) {
        if (*o)
                json_object_put(*o);
}

static void json_tokener_freep(json_tokener **t) {
        if (*t)
                json_tokener_free(*t);
}

/* ---- the parser: where we are, and how to say what is wrong --------------- */

struct parser {
        const char *source;         /* names the manifest in messages */
        const char *base_dir;       /* absolute: relative rootfs paths */
        struct podrt_error **err;
        char *path;                 /* JSON path of the object being read */
        size_t len, cap;
        bool oom;
};

static int path_append(struct parser *p, const char *seg, size_t n) {
        if (p->len + n + 1 > p->cap) {
                size_t cap = (p->len + n + 1) * 2;
                char *np = realloc(p->path, cap < 64 ? 64 : cap);
                if (!np) {
                        p->oom = true;
                        return -ENOMEM;
                }
                p->path = np;
                p->cap = cap < 64 ? 64 : cap;
        }
        memcpy(p->path + p->len, seg, n);
        p->len += n;
        p->path[p->len] = '\0';
        return 0;
}

static int oom(struct parser *p) {
        return podrt_error_set(p->err, ENOMEM, "%s: out of memory", p->source);
}

/* Enters field key of the current object; *saved restores with path_pop(). */
static int path_push_key(struct parser *p, const char *key, size_t *saved) {
        *saved = p->len;
        if ((p->len > 0 && path_append(p, ".", 1) < 0) || path_append(p, key, strlen(key)) < 0)
                return oom(p);
        return 0;
}

static int path_push_index(struct parser *p, size_t i, size_t *saved) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "[%zu]", i);
        *saved = p->len;
        if (path_append(p, buf, (size_t) n) < 0)
                return oom(p);
        return 0;
}

static void path_pop(struct parser *p, size_t saved) {
        p->len = saved;
        if (p->path)
                p->path[saved] = '\0';
}

/* "<source>: <path>[.key][[index]]: <what>".  Returns -errnum. */
static int vfail(struct parser *p, const char *key, size_t index, int errnum, const char *fmt,
                 va_list ap) {
        _cleanup_free_ char *what = NULL, *where = NULL;
        char idx[32] = "";

        if (vasprintf(&what, fmt, ap) < 0)
                what = NULL;
        if (index != NO_INDEX)
                snprintf(idx, sizeof(idx), "[%zu]", index);
        if (asprintf(&where, "%s%s%s%s", p->len > 0 ? p->path : "",
                     p->len > 0 && key ? "." : "", key ? key : "", idx) < 0)
                where = NULL;
        return podrt_error_set(p->err, errnum, "%s: %s%s%s", p->source, where ? where : "",
                               where && where[0] ? ": " : "", what ? what : strerror(errnum));
}

PODRT_PRINTF(5, 6)
static int fail_item(struct parser *p, const char *key, size_t index, int errnum, const char *fmt,
                     ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = vfail(p, key, index, errnum, fmt, ap);
        va_end(ap);
        return r;
}

PODRT_PRINTF(4, 5)
static int fail(struct parser *p, const char *key, int errnum, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = vfail(p, key, NO_INDEX, errnum, fmt, ap);
        va_end(ap);
        return r;
}

/* ---- JSON values ------------------------------------------------------------ */

/* 1 and *ret (NULL for a JSON null) when obj has key, 0 when it has not. */
static int lookup(json_object *obj, const char *key, json_object **ret) {
        return json_object_object_get_ex(obj, key, ret) ? 1 : 0;
}

/* Refuses any field of obj that is not in allowed (NULL-terminated). */
static int check_fields(struct parser *p, json_object *obj, const char *const *allowed) {
        json_object_object_foreach(obj, key, val) {
                (void) val;
                bool known = false;
                for (size_t i = 0; allowed[i] && !known; i++)
                        known = strcmp(allowed[i], key) == 0;
                if (!known)
                        return fail(p, key, EINVAL, "unknown field");
        }
        return 0;
}

static bool has_nul(json_object *s) {
        return (size_t) json_object_get_string_len(s) != strlen(json_object_get_string(s));
}

static int object_value(struct parser *p, const char *key, json_object *v) {
        if (!json_object_is_type(v, json_type_object))
                return fail(p, key, EINVAL, "must be an object");
        return 0;
}

/* The string at key: 1 (and *ret) when present, 0 (*ret = NULL) when absent. */
static int get_string(struct parser *p, json_object *obj, const char *key, bool required,
                      const char **ret) {
        json_object *v;
        *ret = NULL;
        if (!lookup(obj, key, &v)) {
                if (required)
                        return fail(p, key, EINVAL, "is required");
                return 0;
        }
        if (!json_object_is_type(v, json_type_string))
                return fail(p, key, EINVAL, "must be a string");
        if (has_nul(v))
                return fail(p, key, EINVAL, "must not contain a NUL character");
        *ret = json_object_get_string(v);
        return 1;
}

static int get_bool(struct parser *p, json_object *obj, const char *key, bool *ret) {
        json_object *v;
        if (!lookup(obj, key, &v))
                return 0;
        if (!json_object_is_type(v, json_type_boolean))
                return fail(p, key, EINVAL, "must be a boolean");
        *ret = json_object_get_boolean(v);
        return 1;
}

enum {
        STRV_NONEMPTY = 1 << 0,         /* at least one element */
        STRV_NO_EMPTY_ITEMS = 1 << 1,   /* no "" */
};

/* The array of strings at key: 1 and *ret when present, 0 (*ret untouched)
 * when absent. */
static int get_strv(struct parser *p, json_object *obj, const char *key, unsigned flags,
                    char ***ret) {
        json_object *v;
        if (!lookup(obj, key, &v))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return fail(p, key, EINVAL, "must be an array of strings");
        size_t n = json_object_array_length(v);
        if (n == 0 && (flags & STRV_NONEMPTY))
                return fail(p, key, EINVAL, "must not be empty");

        _cleanup_strv_free_ char **l = calloc(n + 1, sizeof(char *));
        if (!l)
                return oom(p);
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string))
                        return fail_item(p, key, i, EINVAL, "must be a string");
                if (has_nul(e))
                        return fail_item(p, key, i, EINVAL, "must not contain a NUL character");
                if ((flags & STRV_NO_EMPTY_ITEMS) && json_object_get_string_len(e) == 0)
                        return fail_item(p, key, i, EINVAL, "must not be empty");
                if (!(l[i] = strdup(json_object_get_string(e))))
                        return oom(p);
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 1;
}

/* An integer JSON value in [min, max]. */
static int int_value(json_object *v, int64_t min, int64_t max, int64_t *ret) {
        if (!json_object_is_type(v, json_type_int))
                return -EINVAL;
        int64_t i = json_object_get_int64(v);
        if (i < min || i > max)
                return -ERANGE;
        /* json-c keeps integers above INT64_MAX as unsigned and clamps. */
        if (i == INT64_MAX && json_object_get_uint64(v) != (uint64_t) INT64_MAX)
                return -ERANGE;
        *ret = i;
        return 0;
}

/* ---- paths ------------------------------------------------------------------ */

/* Normalises an absolute path lexically: "//a/./b/" -> "/a/b", ".." taken
 * back one component.  -EINVAL when ".." would climb above "/" (unless clamp,
 * as the kernel does for host paths: "/.." is "/"). */
static int path_normalise(const char *path, bool clamp, char **ret) {
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
static int check_path_in_rootfs(struct parser *p, const char *key, const char *rootfs,
                                const char *path) {
        const char *prefix = strcmp(rootfs, "/") == 0 ? "" : rootfs;
        _cleanup_free_ char *todo = strdup(path), *done = strdup("");
        unsigned links = 0;

        if (!todo || !done)
                return oom(p);
        for (const char *rest = todo;;) {
                while (*rest == '/')
                        rest++;
                if (!*rest)
                        return 0;
                const char *e = strchrnul(rest, '/');
                _cleanup_free_ char *cand = NULL, *host = NULL;
                if (asprintf(&cand, "%s/%.*s", done, (int) (e - rest), rest) < 0 ||
                    asprintf(&host, "%s%s", prefix, cand) < 0)
                        return oom(p);

                struct stat st;
                if (lstat(host, &st) < 0) {
                        if (errno == ENOENT)
                                return 0;
                        return fail(p, key, errno, "cannot inspect %s in the rootfs: %s", cand,
                                    strerror(errno));
                }
                if (S_ISLNK(st.st_mode)) {
                        _cleanup_free_ char *target = NULL, *joined = NULL, *norm = NULL;
                        int r = readlink_malloc(host, &target);
                        if (r < 0)
                                return fail(p, key, r, "cannot read the symlink %s in the rootfs: %s",
                                            cand, strerror(-r));
                        if (++links > SYMLINKS_MAX)
                                return fail(p, key, ELOOP, "%s: too many levels of symbolic links",
                                            path);
                        if (target[0] == '/')
                                return fail(p, key, EINVAL,
                                            "%s is a symlink to %s, which leaves the container's root",
                                            cand, target);
                        if (asprintf(&joined, "%s/%s%s", done, target, e) < 0)
                                return oom(p);
                        r = path_normalise(joined, false, &norm);
                        if (r == -ENOMEM)
                                return oom(p);
                        if (r < 0)
                                return fail(p, key, EINVAL,
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
                        return fail(p, key, ENOTDIR, "%s in the rootfs is not a directory", cand);
                free(done);
                done = TAKE_PTR(cand);
                rest = e;
        }
}

/* A path inside the container: absolute, normalised, never above "/". */
static int container_path(struct parser *p, const char *key, const char *s, char **ret) {
        if (s[0] != '/')
                return fail(p, key, EINVAL, "must be absolute");
        int r = path_normalise(s, false, ret);
        if (r == -ENOMEM)
                return oom(p);
        if (r < 0)
                return fail(p, key, EINVAL, "%s escapes the container's root", s);
        return 0;
}

/* A host path: relative ones are taken from the manifest's folder. */
static int host_path(struct parser *p, const char *s, char **ret) {
        _cleanup_free_ char *joined = NULL;
        if (s[0] != '/') {
                if (asprintf(&joined, "%s/%s", p->base_dir, s) < 0)
                        return oom(p);
                s = joined;
        }
        if (path_normalise(s, true, ret) < 0)
                return oom(p);
        return 0;
}

/* ---- names, addresses, quantities ------------------------------------------- */

static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_digits(const char *s) {
        if (!*s)
                return false;
        for (; *s; s++)
                if (*s < '0' || *s > '9')
                        return false;
        return true;
}

/* RFC 1123: dot-separated labels of 1-63 letters, digits and '-', neither
 * starting nor ending with '-'. */
static bool hostname_is_valid(const char *s, size_t max) {
        size_t n = strlen(s);
        if (n == 0 || n > max)
                return false;
        for (const char *l = s;;) {
                const char *e = strchrnul(l, '.');
                size_t ln = (size_t) (e - l);
                if (ln == 0 || ln > 63 || l[0] == '-' || e[-1] == '-')
                        return false;
                for (const char *c = l; c < e; c++)
                        if (!is_alnum(*c) && *c != '-')
                                return false;
                if (!*e)
                        return true;
                l = e + 1;
        }
}

static bool ip_is_valid(const char *s) {
        unsigned char buf[sizeof(struct in6_addr)];
        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int check_name(struct parser *p, const char *key, const char *s) {
        if (name_is_valid(s) <= 0)
                return fail(p, key, EINVAL,
                            "invalid name \"%s\": must match [a-z0-9]([a-z0-9.-]{0,62})", s);
        return 0;
}

/* ---- capabilities ------------------------------------------------------------- */

static int get_capabilities(struct parser *p, json_object *obj, const char *key, char ***ret) {
        _cleanup_strv_free_ char **raw = NULL, **caps = calloc(1, sizeof(char *));
        int r;

        if (!caps)
                return oom(p);
        r = get_strv(p, obj, key, 0, &raw);
        if (r < 0)
                return r;
        for (size_t i = 0; raw && raw[i]; i++) {
                const char *cap = cap_canonical(raw[i]);
                if (!cap)
                        return fail_item(p, key, i, EINVAL, "unknown capability \"%s\"", raw[i]);
                if (!strv_contains(caps, cap) && strv_push(&caps, cap) < 0)
                        return oom(p);
        }
        strv_free(*ret);
        *ret = TAKE_PTR(caps);
        return 0;
}

/* ---- files in a rootfs --------------------------------------------------------- */

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
static int resolve_name(struct parser *p, const char *key, const char *rootfs, bool user,
                        const char *name, uint32_t *ret_id, uint32_t *ret_gid, char **ret_home) {
        const char *file = user ? "etc/passwd" : "etc/group";
        const char *what = user ? "user" : "group";
        _cleanup_free_ char *text = NULL;
        _cleanup_strv_free_ char **fields = NULL;

        int r = read_rootfs_file(rootfs, file, &text);
        if (r == -ENOMEM)
                return oom(p);
        if (r == -ENOENT)
                return fail(p, key, ENOENT, "unknown %s \"%s\": the rootfs has no /%s", what, name,
                            file);
        if (r < 0)
                return fail(p, key, r, "cannot read /%s in the rootfs: %s", file,
                            r == -EINVAL ? "not a regular file" : strerror(-r));

        r = find_db_entry(text, name, user ? 7 : 3, &fields);
        if (r == -ENOMEM)
                return oom(p);
        if (r == 0)
                return fail(p, key, ENOENT, "unknown %s \"%s\" (not in the rootfs's /%s)", what,
                            name, file);
        if (r < 0 || parse_id(fields[2], ret_id) < 0 ||
            (user && parse_id(fields[3], ret_gid) < 0))
                return fail(p, key, EBADMSG, "the rootfs's /%s has a malformed entry for \"%s\"",
                            file, name);
        if (user) {
                if (!(*ret_home = strdup(fields[5][0] ? fields[5] : "/")))
                        return oom(p);
        }
        return 0;
}

/* "user" or "group": a JSON integer, a numeric string, or a name.  *ret_name
 * is set (borrowed) for a name, left NULL otherwise. */
static int get_id(struct parser *p, json_object *obj, const char *key, uint32_t *ret_id,
                  const char **ret_name) {
        json_object *v;
        int64_t i;

        *ret_name = NULL;
        if (!lookup(obj, key, &v))
                return 0;
        if (json_object_is_type(v, json_type_int)) {
                if (int_value(v, 0, ID_MAX, &i) < 0)
                        return fail(p, key, ERANGE, "must be between 0 and %u", ID_MAX);
                *ret_id = (uint32_t) i;
                return 1;
        }
        if (!json_object_is_type(v, json_type_string))
                return fail(p, key, EINVAL, "must be a string or an integer");
        const char *s = json_object_get_string(v);
        if (has_nul(v) || !*s || strpbrk(s, ":\n"))
                return fail(p, key, EINVAL, "invalid %s \"%s\"", key, s);
        if (is_digits(s)) {
                if (parse_id(s, ret_id) < 0)
                        return fail(p, key, ERANGE, "must be between 0 and %u", ID_MAX);
                return 1;
        }
        *ret_name = s;
        return 1;
}

/* ---- the pod ------------------------------------------------------------------- */

static int parse_annotations(struct parser *p, json_object *root, struct pod_spec *spec) {
        json_object *v;
        size_t saved;
        int r;

        if (!lookup(root, "annotations", &v))
                return 0;
        if ((r = object_value(p, "annotations", v)) < 0)
                return r;
        size_t n = (size_t) json_object_object_length(v);
        if (!(spec->annotations = calloc(n ? n : 1, sizeof(struct spec_kv))))
                return oom(p);
        if ((r = path_push_key(p, "annotations", &saved)) < 0)
                return r;
        json_object_object_foreach(v, key, val) {
                if (!*key)
                        return fail(p, NULL, EINVAL, "keys must not be empty");
                if (!json_object_is_type(val, json_type_string))
                        return fail(p, key, EINVAL, "must be a string");
                if (has_nul(val))
                        return fail(p, key, EINVAL, "must not contain a NUL character");
                struct spec_kv *kv = &spec->annotations[spec->n_annotations++];
                if (!(kv->key = strdup(key)) || !(kv->value = strdup(json_object_get_string(val))))
                        return oom(p);
        }
        path_pop(p, saved);
        return 0;
}

static int parse_dns(struct parser *p, json_object *root, struct pod_spec *spec) {
        static const char *const fields[] = { "servers", "searches", "options", NULL };
        json_object *v;
        size_t saved;
        int r;

        if (!(spec->dns_servers = calloc(1, sizeof(char *))) ||
            !(spec->dns_searches = calloc(1, sizeof(char *))) ||
            !(spec->dns_options = calloc(1, sizeof(char *))))
                return oom(p);
        if (!lookup(root, "dns", &v))
                return 0;
        if ((r = object_value(p, "dns", v)) < 0 || (r = path_push_key(p, "dns", &saved)) < 0)
                return r;
        if ((r = check_fields(p, v, fields)) < 0 ||
            (r = get_strv(p, v, "servers", 0, &spec->dns_servers)) < 0 ||
            (r = get_strv(p, v, "searches", 0, &spec->dns_searches)) < 0 ||
            (r = get_strv(p, v, "options", 0, &spec->dns_options)) < 0)
                return r;
        for (size_t i = 0; spec->dns_servers[i]; i++)
                if (!ip_is_valid(spec->dns_servers[i]))
                        return fail_item(p, "servers", i, EINVAL,
                                         "\"%s\" is not an IPv4 or IPv6 address",
                                         spec->dns_servers[i]);
        for (size_t i = 0; spec->dns_searches[i]; i++)
                if (!hostname_is_valid(spec->dns_searches[i], DOMAIN_MAX))
                        return fail_item(p, "searches", i, EINVAL,
                                         "\"%s\" is not a valid domain name",
                                         spec->dns_searches[i]);
        for (size_t i = 0; spec->dns_options[i]; i++)
                if (!spec->dns_options[i][0] || strpbrk(spec->dns_options[i], " \t\r\n"))
                        return fail_item(p, "options", i, EINVAL,
                                         "\"%s\" is not a resolver option (one word, as ndots:2)",
                                         spec->dns_options[i]);
        path_pop(p, saved);
        return 0;
}

static int parse_hosts(struct parser *p, json_object *root, struct pod_spec *spec) {
        static const char *const fields[] = { "ip", "names", NULL };
        json_object *v;
        size_t saved, saved_i;
        int r;

        if (!lookup(root, "hosts", &v))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return fail(p, "hosts", EINVAL, "must be an array");
        size_t n = json_object_array_length(v);
        if (!(spec->hosts = calloc(n ? n : 1, sizeof(struct spec_host))))
                return oom(p);
        if ((r = path_push_key(p, "hosts", &saved)) < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                json_object *h = json_object_array_get_idx(v, i);
                const char *ip;
                if (!json_object_is_type(h, json_type_object))
                        return fail_item(p, NULL, i, EINVAL, "must be an object");
                if ((r = path_push_index(p, i, &saved_i)) < 0 || (r = check_fields(p, h, fields)) < 0 ||
                    (r = get_string(p, h, "ip", true, &ip)) < 0)
                        return r;
                if (!ip_is_valid(ip))
                        return fail(p, "ip", EINVAL, "\"%s\" is not an IPv4 or IPv6 address", ip);
                struct spec_host *host = &spec->hosts[spec->n_hosts++];
                if (!(host->ip = strdup(ip)))
                        return oom(p);
                r = get_strv(p, h, "names", STRV_NONEMPTY, &host->names);
                if (r < 0)
                        return r;
                if (r == 0)
                        return fail(p, "names", EINVAL, "is required");
                for (size_t j = 0; host->names[j]; j++)
                        if (!hostname_is_valid(host->names[j], DOMAIN_MAX))
                                return fail_item(p, "names", j, EINVAL,
                                                 "\"%s\" is not a valid hostname", host->names[j]);
                path_pop(p, saved_i);
        }
        path_pop(p, saved);
        return 0;
}

static int parse_volume(struct parser *p, json_object *o, struct pod_spec *spec) {
        static const char *const fields[] = { "name", "kind", "source", "readOnly", NULL };
        const char *name, *kind, *source;
        int r;

        if ((r = check_fields(p, o, fields)) < 0 || (r = get_string(p, o, "name", true, &name)) < 0 ||
            (r = check_name(p, "name", name)) < 0)
                return r;
        for (size_t i = 0; i < spec->n_volumes; i++)
                if (strcmp(spec->volumes[i].name, name) == 0)
                        return fail(p, "name", EINVAL, "volume \"%s\" is declared twice (also volumes[%zu])",
                                    name, i);

        struct spec_volume *vol = &spec->volumes[spec->n_volumes++];
        if (!(vol->name = strdup(name)))
                return oom(p);
        if ((r = get_string(p, o, "kind", true, &kind)) < 0 ||
            (r = get_string(p, o, "source", false, &source)) < 0 ||
            (r = get_bool(p, o, "readOnly", &vol->read_only)) < 0)
                return r;

        if (strcmp(kind, "empty") == 0) {
                vol->kind = PODRT_VOLUME_EMPTY;
                if (source)
                        return fail(p, "source", EINVAL, "not allowed for a volume of kind \"empty\"");
                return 0;
        }
        if (strcmp(kind, "host") != 0)
                return fail(p, "kind", EINVAL, "must be \"host\" or \"empty\", not \"%s\"", kind);

        vol->kind = PODRT_VOLUME_HOST;
        if (!source)
                return fail(p, "source", EINVAL, "is required for a volume of kind \"host\"");
        if (source[0] != '/')
                return fail(p, "source", EINVAL, "must be absolute");
        if (path_normalise(source, true, &vol->source) < 0)
                return oom(p);
        struct stat st;
        if (stat(vol->source, &st) < 0) {
                if (errno == ENOENT)
                        return fail(p, "source", ENOENT, "%s does not exist on the host", vol->source);
                return fail(p, "source", errno, "cannot access %s: %s", vol->source, strerror(errno));
        }
        return 0;
}

static int parse_volumes(struct parser *p, json_object *root, struct pod_spec *spec) {
        json_object *v;
        size_t saved, saved_i;
        int r;

        if (!lookup(root, "volumes", &v))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return fail(p, "volumes", EINVAL, "must be an array");
        size_t n = json_object_array_length(v);
        if (!(spec->volumes = calloc(n ? n : 1, sizeof(struct spec_volume))))
                return oom(p);
        if ((r = path_push_key(p, "volumes", &saved)) < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(v, i);
                if (!json_object_is_type(o, json_type_object))
                        return fail_item(p, NULL, i, EINVAL, "must be an object");
                if ((r = path_push_index(p, i, &saved_i)) < 0 || (r = parse_volume(p, o, spec)) < 0)
                        return r;
                path_pop(p, saved_i);
        }
        path_pop(p, saved);
        return 0;
}

/* ---- containers ---------------------------------------------------------------- */

static int parse_mount(struct parser *p, json_object *o, const struct pod_spec *spec,
                       struct spec_app *app) {
        static const char *const fields[] = { "volume", "path", "readOnly", NULL };
        const char *volume, *path;
        size_t vi;
        int r;

        if ((r = check_fields(p, o, fields)) < 0 || (r = get_string(p, o, "volume", true, &volume)) < 0)
                return r;
        for (vi = 0; vi < spec->n_volumes; vi++)
                if (strcmp(spec->volumes[vi].name, volume) == 0)
                        break;
        if (vi == spec->n_volumes)
                return fail(p, "volume", EINVAL, "no volume named \"%s\" is declared in volumes",
                            volume);

        struct spec_mount *m = &app->mounts[app->n_mounts];
        if (!(m->volume = strdup(volume)))
                return oom(p);
        m->volume_index = vi;
        app->n_mounts++;
        if ((r = get_string(p, o, "path", true, &path)) < 0 ||
            (r = container_path(p, "path", path, &m->path)) < 0)
                return r;
        if (strcmp(m->path, "/") == 0)
                return fail(p, "path", EINVAL, "cannot mount a volume on the container's root");
        for (size_t j = 0; j + 1 < app->n_mounts; j++)
                if (strcmp(app->mounts[j].path, m->path) == 0)
                        return fail(p, "path", EINVAL, "%s is already mounted by mounts[%zu]",
                                    m->path, j);
        if ((r = check_path_in_rootfs(p, "path", app->rootfs, m->path)) < 0 ||
            (r = get_bool(p, o, "readOnly", &m->read_only)) < 0)
                return r;
        if (spec->volumes[vi].read_only)
                m->read_only = true;
        return 0;
}

static int parse_mounts(struct parser *p, json_object *o, const struct pod_spec *spec,
                        struct spec_app *app) {
        json_object *v;
        size_t saved, saved_i;
        int r;

        if (!lookup(o, "mounts", &v))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return fail(p, "mounts", EINVAL, "must be an array");
        size_t n = json_object_array_length(v);
        if (!(app->mounts = calloc(n ? n : 1, sizeof(struct spec_mount))))
                return oom(p);
        if ((r = path_push_key(p, "mounts", &saved)) < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                json_object *m = json_object_array_get_idx(v, i);
                if (!json_object_is_type(m, json_type_object))
                        return fail_item(p, NULL, i, EINVAL, "must be an object");
                if ((r = path_push_index(p, i, &saved_i)) < 0 || (r = parse_mount(p, m, spec, app)) < 0)
                        return r;
                path_pop(p, saved_i);
        }
        path_pop(p, saved);
        return 0;
}

static int quantity_error(struct parser *p, const char *key, int r, const char *s,
                          const char *examples) {
        if (r == -ERANGE)
                return fail(p, key, ERANGE, "\"%s\" is out of range (must be greater than 0)", s);
        return fail(p, key, EINVAL, "invalid quantity \"%s\" (expected e.g. %s)", s, examples);
}

static int parse_resources(struct parser *p, json_object *o, struct spec_app *app) {
        static const char *const fields[] = { "memory", "cpu", "pids", NULL };
        json_object *res, *v;
        size_t saved;
        int r;

        if (!lookup(o, "resources", &res))
                return 0;
        if ((r = object_value(p, "resources", res)) < 0 ||
            (r = path_push_key(p, "resources", &saved)) < 0 || (r = check_fields(p, res, fields)) < 0)
                return r;

        if (lookup(res, "memory", &v)) {
                if (json_object_is_type(v, json_type_int)) {
                        if (int_value(v, 1, INT64_MAX, &app->memory) < 0)
                                return fail(p, "memory", ERANGE, "must be greater than 0");
                } else if (json_object_is_type(v, json_type_string) && !has_nul(v)) {
                        const char *s = json_object_get_string(v);
                        if ((r = parse_memory(s, &app->memory)) < 0)
                                return quantity_error(p, "memory", r, s, "64M, 1Gi, 512k or 1000");
                } else {
                        return fail(p, "memory", EINVAL, "must be a string or an integer");
                }
        }
        if (lookup(res, "cpu", &v)) {
                if (json_object_is_type(v, json_type_int)) {
                        if (int_value(v, 1, INT64_MAX / 1000, &app->cpu_millis) < 0)
                                return fail(p, "cpu", ERANGE, json_object_get_int64(v) < 1
                                                                ? "must be greater than 0"
                                                                : "is too large");
                        app->cpu_millis *= 1000;
                } else if (json_object_is_type(v, json_type_double)) {
                        double d = json_object_get_double(v);
                        if (!(d > 0))
                                return fail(p, "cpu", ERANGE, "must be greater than 0");
                        if (d > 1e12)
                                return fail(p, "cpu", ERANGE, "is too large");
                        int64_t m = (int64_t) (d * 1000);
                        app->cpu_millis = (double) m < d * 1000 ? m + 1 : m;
                } else if (json_object_is_type(v, json_type_string) && !has_nul(v)) {
                        const char *s = json_object_get_string(v);
                        if ((r = parse_cpu(s, &app->cpu_millis)) < 0)
                                return quantity_error(p, "cpu", r, s, "500m, 2 or 0.5");
                } else {
                        return fail(p, "cpu", EINVAL, "must be a string or a number");
                }
        }
        if (lookup(res, "pids", &v)) {
                if (!json_object_is_type(v, json_type_int))
                        return fail(p, "pids", EINVAL, "must be an integer");
                if (int_value(v, 1, INT64_MAX, &app->pids) < 0)
                        return fail(p, "pids", ERANGE, "must be greater than 0");
        }
        path_pop(p, saved);
        return 0;
}

static int parse_capabilities(struct parser *p, json_object *o, struct spec_app *app) {
        static const char *const fields[] = { "add", "drop", NULL };
        json_object *caps;
        size_t saved;
        int r;

        if (!(app->caps_add = calloc(1, sizeof(char *))) || !(app->caps_drop = calloc(1, sizeof(char *))))
                return oom(p);
        if (!lookup(o, "capabilities", &caps))
                return 0;
        if ((r = object_value(p, "capabilities", caps)) < 0 ||
            (r = path_push_key(p, "capabilities", &saved)) < 0 ||
            (r = check_fields(p, caps, fields)) < 0 ||
            (r = get_capabilities(p, caps, "add", &app->caps_add)) < 0 ||
            (r = get_capabilities(p, caps, "drop", &app->caps_drop)) < 0)
                return r;
        for (size_t i = 0; app->caps_drop[i]; i++)
                if (strv_contains(app->caps_add, app->caps_drop[i]))
                        return fail_item(p, "drop", i, EINVAL, "%s is also in add",
                                         app->caps_drop[i]);
        path_pop(p, saved);
        return 0;
}

static int parse_lifecycle(struct parser *p, json_object *o, struct spec_app *app) {
        static const char *const fields[] = { "preStart", "postStop", NULL };
        json_object *lc;
        size_t saved;
        int r;

        if (!lookup(o, "lifecycle", &lc))
                return 0;
        if ((r = object_value(p, "lifecycle", lc)) < 0 ||
            (r = path_push_key(p, "lifecycle", &saved)) < 0 || (r = check_fields(p, lc, fields)) < 0 ||
            (r = get_strv(p, lc, "preStart", STRV_NONEMPTY, &app->pre_start)) < 0 ||
            (r = get_strv(p, lc, "postStop", STRV_NONEMPTY, &app->post_stop)) < 0)
                return r;
        if (app->pre_start && !app->pre_start[0][0])
                return fail_item(p, "preStart", 0, EINVAL, "must not be empty");
        if (app->post_stop && !app->post_stop[0][0])
                return fail_item(p, "postStop", 0, EINVAL, "must not be empty");
        path_pop(p, saved);
        return 0;
}

/* Sets KEY=value in env, in place when KEY is there already. */
static int env_set(char ***env, const char *key, const char *value) {
        size_t kl = strlen(key);
        char *kv;

        if (asprintf(&kv, "%s=%s", key, value) < 0)
                return -ENOMEM;
        for (size_t i = 0; *env && (*env)[i]; i++)
                if (strncmp((*env)[i], key, kl) == 0 && (*env)[i][kl] == '=') {
                        free((*env)[i]);
                        (*env)[i] = kv;
                        return 0;
                }
        int r = strv_consume(env, kv);
        if (r < 0)
                free(kv);
        return r;
}

/* The environment: rkt's defaults, then the manifest's env over them (in
 * place) and after them (in the JSON object's order). */
static int parse_env(struct parser *p, json_object *o, const struct pod_spec *spec,
                     struct spec_app *app, const char *user_name, const char *home) {
        _cleanup_strv_free_ char **env = NULL;
        char uid[16];
        json_object *v;
        size_t saved;
        int r;

        snprintf(uid, sizeof(uid), "%u", app->uid);
        if (app->uid == 0) {
                user_name = "root";
                home = "/root";
        }
        if (env_set(&env, "PATH", DEFAULT_PATH) < 0 || env_set(&env, "HOME", home ? home : "/") < 0 ||
            env_set(&env, "USER", user_name ? user_name : uid) < 0 ||
            env_set(&env, "LOGNAME", user_name ? user_name : uid) < 0 ||
            env_set(&env, "SHELL", "/bin/sh") < 0 || env_set(&env, "HOSTNAME", spec->hostname) < 0 ||
            env_set(&env, "container", "podrt") < 0)
                return oom(p);

        if (lookup(o, "env", &v)) {
                if ((r = object_value(p, "env", v)) < 0 || (r = path_push_key(p, "env", &saved)) < 0)
                        return r;
                json_object_object_foreach(v, key, val) {
                        if (!*key)
                                return fail(p, NULL, EINVAL, "variable names must not be empty");
                        if (strchr(key, '='))
                                return fail(p, key, EINVAL, "variable names must not contain '='");
                        if (!json_object_is_type(val, json_type_string))
                                return fail(p, key, EINVAL, "must be a string");
                        if (has_nul(val))
                                return fail(p, key, EINVAL, "must not contain a NUL character");
                        if (env_set(&env, key, json_object_get_string(val)) < 0)
                                return oom(p);
                }
                path_pop(p, saved);
        }
        app->env = TAKE_PTR(env);
        return 0;
}

static int parse_app(struct parser *p, json_object *o, struct pod_spec *spec, size_t index) {
        static const char *const fields[] = {
                "name", "rootfs", "command", "env", "workingDir", "user", "group",
                "supplementaryGroups", "mounts", "resources", "capabilities", "readOnlyRootfs",
                "lifecycle", NULL,
        };
        struct spec_app *app = &spec->apps[index];
        const char *name, *rootfs, *wd, *user_name, *group_name;
        _cleanup_free_ char *home = NULL;
        json_object *v;
        struct stat st;
        int r;

        if ((r = check_fields(p, o, fields)) < 0 || (r = get_string(p, o, "name", true, &name)) < 0 ||
            (r = check_name(p, "name", name)) < 0)
                return r;
        for (size_t i = 0; i < index; i++)
                if (strcmp(spec->apps[i].name, name) == 0)
                        return fail(p, "name", EINVAL,
                                    "container \"%s\" is declared twice (also containers[%zu])", name, i);
        if (!(app->name = strdup(name)))
                return oom(p);

        /* rootfs: an existing directory on the host. */
        if ((r = get_string(p, o, "rootfs", true, &rootfs)) < 0)
                return r;
        if (!*rootfs)
                return fail(p, "rootfs", EINVAL, "must not be empty");
        if ((r = host_path(p, rootfs, &app->rootfs)) < 0)
                return r;
        if (stat(app->rootfs, &st) < 0) {
                if (errno == ENOENT)
                        return fail(p, "rootfs", ENOENT, "%s does not exist", app->rootfs);
                return fail(p, "rootfs", errno, "cannot access %s: %s", app->rootfs, strerror(errno));
        }
        if (!S_ISDIR(st.st_mode))
                return fail(p, "rootfs", ENOTDIR, "%s is not a directory", app->rootfs);

        r = get_strv(p, o, "command", STRV_NONEMPTY, &app->command);
        if (r < 0)
                return r;
        if (r == 0)
                return fail(p, "command", EINVAL, "is required");
        if (!app->command[0][0])
                return fail_item(p, "command", 0, EINVAL, "must not be empty");

        if ((r = get_string(p, o, "workingDir", false, &wd)) < 0)
                return r;
        if (!wd)
                app->working_dir = strdup("/");
        else if ((r = container_path(p, "workingDir", wd, &app->working_dir)) < 0)
                return r;
        if (!app->working_dir)
                return oom(p);

        /* user and group: numbers, or names looked up in the rootfs. */
        if ((r = get_id(p, o, "user", &app->uid, &user_name)) < 0 ||
            (r = get_id(p, o, "group", &app->gid, &group_name)) < 0)
                return r;
        if (user_name) {
                uint32_t gid;
                if ((r = resolve_name(p, "user", app->rootfs, true, user_name, &app->uid, &gid,
                                      &home)) < 0)
                        return r;
                if (!lookup(o, "group", &v))
                        app->gid = gid;        /* the user's own group, as su does */
        }
        if (group_name &&
            (r = resolve_name(p, "group", app->rootfs, false, group_name, &app->gid, NULL, NULL)) < 0)
                return r;

        if (lookup(o, "supplementaryGroups", &v)) {
                if (!json_object_is_type(v, json_type_array))
                        return fail(p, "supplementaryGroups", EINVAL, "must be an array of integers");
                size_t n = json_object_array_length(v);
                if (!(app->groups = calloc(n ? n : 1, sizeof(uint32_t))))
                        return oom(p);
                for (size_t i = 0; i < n; i++) {
                        json_object *g = json_object_array_get_idx(v, i);
                        int64_t id;
                        if (!json_object_is_type(g, json_type_int))
                                return fail_item(p, "supplementaryGroups", i, EINVAL,
                                                 "must be an integer");
                        if (int_value(g, 0, ID_MAX, &id) < 0)
                                return fail_item(p, "supplementaryGroups", i, ERANGE,
                                                 "must be between 0 and %u", ID_MAX);
                        app->groups[app->n_groups++] = (uint32_t) id;
                }
        }

        if ((r = parse_mounts(p, o, spec, app)) < 0 || (r = parse_resources(p, o, app)) < 0 ||
            (r = parse_capabilities(p, o, app)) < 0 ||
            (r = get_bool(p, o, "readOnlyRootfs", &app->read_only_rootfs)) < 0 ||
            (r = parse_lifecycle(p, o, app)) < 0 ||
            (r = parse_env(p, o, spec, app, user_name, home)) < 0)
                return r;
        return 0;
}

static int parse_containers(struct parser *p, json_object *root, struct pod_spec *spec) {
        json_object *v;
        size_t saved, saved_i;
        int r;

        if (!lookup(root, "containers", &v))
                return fail(p, "containers", EINVAL, "is required");
        if (!json_object_is_type(v, json_type_array))
                return fail(p, "containers", EINVAL, "must be an array");
        size_t n = json_object_array_length(v);
        if (n == 0)
                return fail(p, "containers", EINVAL, "must have at least one container");
        if (!(spec->apps = calloc(n, sizeof(struct spec_app))))
                return oom(p);
        if ((r = path_push_key(p, "containers", &saved)) < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(v, i);
                if (!json_object_is_type(o, json_type_object))
                        return fail_item(p, NULL, i, EINVAL, "must be an object");
                /* Counted first, so that pod_spec_free() sees a half-read app. */
                spec->n_apps++;
                if ((r = path_push_index(p, i, &saved_i)) < 0 || (r = parse_app(p, o, spec, i)) < 0)
                        return r;
                path_pop(p, saved_i);
        }
        path_pop(p, saved);
        return 0;
}

static int parse_pod(struct parser *p, json_object *root, struct pod_spec *spec) {
        static const char *const fields[] = {
                "apiVersion", "kind", "name", "hostname", "annotations", "dns", "hosts",
                "volumes", "containers", NULL,
        };
        const char *s;
        int r;

        if (!json_object_is_type(root, json_type_object))
                return fail(p, NULL, EINVAL, "must be a JSON object");

        /* The version first: a newer manifest fails on it, not on its fields. */
        if ((r = get_string(p, root, "apiVersion", true, &s)) < 0)
                return r;
        if (strcmp(s, API_VERSION) != 0)
                return fail(p, "apiVersion", EINVAL, "unsupported version \"%s\" (expected \"%s\")",
                            s, API_VERSION);
        if (!(spec->api_version = strdup(s)))
                return oom(p);
        if ((r = get_string(p, root, "kind", true, &s)) < 0)
                return r;
        if (strcmp(s, "Pod") != 0)
                return fail(p, "kind", EINVAL, "must be \"Pod\", not \"%s\"", s);
        if ((r = check_fields(p, root, fields)) < 0)
                return r;

        if ((r = get_string(p, root, "name", true, &s)) < 0 || (r = check_name(p, "name", s)) < 0)
                return r;
        if (!(spec->name = strdup(s)))
                return oom(p);

        if ((r = get_string(p, root, "hostname", false, &s)) < 0)
                return r;
        if (s && !hostname_is_valid(s, HOSTNAME_MAX))
                return fail(p, "hostname", EINVAL,
                            "\"%s\" is not a valid hostname (RFC 1123: labels of letters, digits "
                            "and '-', at most %d characters)",
                            s, HOSTNAME_MAX);
        if (!(spec->hostname = strdup(s ? s : spec->name)))
                return oom(p);

        if ((r = parse_annotations(p, root, spec)) < 0 || (r = parse_dns(p, root, spec)) < 0 ||
            (r = parse_hosts(p, root, spec)) < 0 || (r = parse_volumes(p, root, spec)) < 0 ||
            (r = parse_containers(p, root, spec)) < 0)
                return r;
        return 0;
}

/* ---- JSON text ------------------------------------------------------------------- */

static int json_error(struct parser *p, const char *text, size_t offset, const char *reason) {
        size_t line = 1, column = 1;
        for (size_t i = 0; i < offset; i++) {
                if (text[i] == '\n') {
                        line++;
                        column = 1;
                } else {
                        column++;
                }
        }
        return podrt_error_set(p->err, EINVAL, "%s: invalid JSON at line %zu, column %zu: %s",
                               p->source, line, column, reason);
}

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* json-c keeps the last of two equal keys in an object silently; a second
 * "name" or "env" is as much a typo as an unknown field.  This walks the text
 * (valid JSON by now) and names the first key given twice.  Keys compare as
 * written, escapes and all. */
struct dup_scan {
        struct parser *p;
        const char *s;
        size_t i;
        struct { const char *k; size_t n; } *keys;
        size_t n_keys, cap_keys;
};

static void scan_ws(struct dup_scan *d) {
        while (is_space(d->s[d->i]))
                d->i++;
}

static void scan_string(struct dup_scan *d, const char **ret, size_t *ret_len) {
        size_t start = ++d->i;
        while (d->s[d->i] != '"')
                d->i += d->s[d->i] == '\\' ? 2 : 1;
        *ret = d->s + start;
        *ret_len = d->i - start;
        d->i++;
}

static int scan_value(struct dup_scan *d) {
        struct parser *p = d->p;
        size_t saved;
        int r;

        scan_ws(d);
        switch (d->s[d->i]) {
        case '{': {
                size_t first = d->n_keys;
                d->i++;
                for (;;) {
                        const char *k;
                        size_t n;
                        scan_ws(d);
                        if (d->s[d->i] == '}')
                                break;
                        scan_string(d, &k, &n);
                        for (size_t j = first; j < d->n_keys; j++)
                                if (d->keys[j].n == n && memcmp(d->keys[j].k, k, n) == 0) {
                                        _cleanup_free_ char *key = strndup(k, n);
                                        if (!key)
                                                return oom(p);
                                        return fail(p, key, EINVAL, "duplicate field");
                                }
                        if (d->n_keys == d->cap_keys) {
                                size_t cap = d->cap_keys ? d->cap_keys * 2 : 32;
                                void *nk = realloc(d->keys, cap * sizeof(*d->keys));
                                if (!nk)
                                        return oom(p);
                                d->keys = nk;
                                d->cap_keys = cap;
                        }
                        d->keys[d->n_keys].k = k;
                        d->keys[d->n_keys++].n = n;
                        scan_ws(d);
                        d->i++;         /* ':' */
                        saved = p->len;
                        if ((p->len > 0 && path_append(p, ".", 1) < 0) || path_append(p, k, n) < 0)
                                return oom(p);
                        if ((r = scan_value(d)) < 0)
                                return r;
                        path_pop(p, saved);
                        scan_ws(d);
                        if (d->s[d->i] != ',')
                                break;
                        d->i++;
                }
                d->i++;                 /* '}' */
                d->n_keys = first;
                return 0;
        }
        case '[':
                d->i++;
                scan_ws(d);
                if (d->s[d->i] == ']') {
                        d->i++;
                        return 0;
                }
                for (size_t idx = 0;; idx++) {
                        if ((r = path_push_index(p, idx, &saved)) < 0 || (r = scan_value(d)) < 0)
                                return r;
                        path_pop(p, saved);
                        scan_ws(d);
                        if (d->s[d->i++] != ',')
                                return 0;       /* ']' */
                }
        case '"': {
                const char *k;
                size_t n;
                scan_string(d, &k, &n);
                return 0;
        }
        default:
                while (d->s[d->i] && !strchr(",]} \t\r\n", d->s[d->i]))
                        d->i++;
                return 0;
        }
}

static int check_duplicate_keys(struct parser *p, const char *text) {
        struct dup_scan d = { .p = p, .s = text };
        int r = scan_value(&d);
        free(d.keys);
        if (r >= 0)
                path_pop(p, 0);
        return r;
}

static int parse_json(struct parser *p, const char *text, size_t len, json_object **ret) {
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        size_t i = 0;

        if (len > MANIFEST_MAX_SIZE)
                return podrt_error_set(p->err, EFBIG, "%s: larger than %d MiB", p->source,
                                       MANIFEST_MAX_SIZE >> 20);
        while (i < len && is_space(text[i]))
                i++;
        if (i == len)
                return podrt_error_set(p->err, EINVAL, "%s: empty manifest", p->source);
        const char *nul = memchr(text, '\0', len);
        if (nul)
                return json_error(p, text, (size_t) (nul - text), "unexpected NUL byte");
        if (text[i] != '{')
                return podrt_error_set(p->err, EINVAL, "%s: must be a JSON object", p->source);

        if (!(tok = json_tokener_new()))
                return oom(p);
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        _cleanup_(json_object_putp) json_object *obj = json_tokener_parse_ex(tok, text, (int) len);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        if (!obj || jerr != json_tokener_success) {
                if (jerr == json_tokener_continue || jerr == json_tokener_success)
                        return json_error(p, text, len, "unexpected end of data");
                size_t off = json_tokener_get_parse_end(tok);
                return json_error(p, text, off > len ? len : off, json_tokener_error_desc(jerr));
        }
        size_t end = json_tokener_get_parse_end(tok);
        for (i = end; i < len; i++)
                if (!is_space(text[i]))
                        return json_error(p, text, i, "unexpected data after the end of the document");
        *ret = TAKE_PTR(obj);
        return 0;
}

int manifest_parse(const char *text, size_t len, const char *source, const char *base_dir,
                   struct pod_spec **ret, struct podrt_error **err) {
        struct parser p = { .source = source ? source : "manifest", .err = err };
        _cleanup_free_ char *cwd = NULL, *base = NULL;
        _cleanup_(json_object_putp) json_object *root = NULL;
        _cleanup_(pod_spec_freep) struct pod_spec *spec = NULL;
        int r;

        if (!text)
                return podrt_error_set(err, EINVAL, "%s: no manifest text", p.source);
        /* base_dir: absolute, so that every rootfs in the spec is. */
        if (!base_dir || base_dir[0] != '/') {
                if (!(cwd = getcwd(NULL, 0)))
                        return podrt_error_set(err, errno, "%s: cannot get the current directory: %s",
                                               p.source, strerror(errno));
                if (base_dir && asprintf(&base, "%s/%s", cwd, base_dir) < 0)
                        return oom(&p);
        }
        _cleanup_free_ char *norm = NULL;
        if (path_normalise(base ? base : base_dir ? base_dir : cwd, true, &norm) < 0)
                return oom(&p);
        p.base_dir = norm;

        r = parse_json(&p, text, len, &root);
        if (r >= 0)
                r = check_duplicate_keys(&p, text);
        if (r >= 0) {
                if (!(spec = calloc(1, sizeof(*spec))))
                        r = oom(&p);
                else
                        r = parse_pod(&p, root, spec);
        }
        free(p.path);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(spec);
        return 0;
}

int manifest_load(const char *path, struct pod_spec **ret, struct podrt_error **err) {
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL, *real = NULL;
        struct stat st;
        size_t len = 0;

        if (!path)
                return podrt_error_set(err, EINVAL, "no manifest given");
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
        if (fstat(fd, &st) < 0)
                return podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
        if (S_ISDIR(st.st_mode))
                return podrt_error_set(err, EISDIR, "%s: is a directory, not a manifest file", path);
        if (!S_ISREG(st.st_mode))
                return podrt_error_set(err, EINVAL, "%s: not a regular file", path);
        if (st.st_size > MANIFEST_MAX_SIZE)
                return podrt_error_set(err, EFBIG, "%s: larger than %d MiB", path,
                                       MANIFEST_MAX_SIZE >> 20);

        /* One byte more than allowed, to notice a file that grew meanwhile. */
        if (!(buf = malloc(MANIFEST_MAX_SIZE + 2)))
                return podrt_error_set(err, ENOMEM, "%s: out of memory", path);
        for (;;) {
                ssize_t n = read(fd, buf + len, MANIFEST_MAX_SIZE + 1 - len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
                }
                if (n == 0)
                        break;
                len += (size_t) n;
                if (len > MANIFEST_MAX_SIZE)
                        return podrt_error_set(err, EFBIG, "%s: larger than %d MiB", path,
                                               MANIFEST_MAX_SIZE >> 20);
        }
        buf[len] = '\0';

        if (!(real = realpath(path, NULL)))
                return podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
        char *slash = strrchr(real, '/');
        if (slash == real)
                slash[1] = '\0';
        else
                *slash = '\0';
        return manifest_parse(buf, len, path, real, ret, err);
}
