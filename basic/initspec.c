/* SPDX-License-Identifier: Apache-2.0 */
/* The pod description of podrt-init: builders, validation, the writer and
 * the parser of its line-based format (docs/podrt-init.md).
 *
 * A line is a key followed by tokens separated by spaces or tabs.  Tokens
 * are escaped so that any string survives: \\ \s \t \n \r \xHH, and "" is
 * the empty string.  The first line that is not blank or a comment is
 * "podrt-init 1"; pod keys come next, then one "app NAME" line per app,
 * followed by that app's keys. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "caps.h"
#include "initspec.h"
#include "strv.h"

#define MOUNT_FLAGS_KNOWN (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

static const struct {
        unsigned long flag;
        const char *name;
} mount_flag_names[] = {
        { MS_RDONLY, "ro" },
        { MS_NOSUID, "nosuid" },
        { MS_NODEV, "nodev" },
        { MS_NOEXEC, "noexec" },
};

/* ---- small helpers ---- */

static int parse_u32(const char *s, uint32_t *ret) {
        if (!s || !*s || strlen(s) > 10)
                return -EINVAL;
        uint64_t v = 0;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t)(*p - '0');
        }
        if (v >= UINT32_MAX)    /* (uint32_t)-1 means "unchanged" to the kernel */
                return -ERANGE;
        *ret = (uint32_t)v;
        return 0;
}

static bool name_is_valid(const char *s) {
        size_t n = s ? strlen(s) : 0;
        if (n == 0 || n > 63)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
                if (!alnum && (i == 0 || (c != '.' && c != '-')))
                        return false;
        }
        return true;
}

static bool path_is_absolute(const char *p) {
        return p && p[0] == '/';
}

/* Absolute and without a ".." component: a path inside an app's root. */
static bool path_is_inside(const char *p) {
        if (!path_is_absolute(p))
                return false;
        for (const char *c = p; (c = strstr(c, "..")); c += 2)
                if (c[-1] == '/' && (c[2] == '/' || c[2] == '\0'))
                        return false;
        return true;
}

static bool env_is_valid(const char *e) {
        const char *eq = e ? strchr(e, '=') : NULL;
        return eq && eq != e;
}

static char *strdup_or_null(const char *s, bool *oom) {
        if (!s)
                return NULL;
        char *c = strdup(s);
        if (!c)
                *oom = true;
        return c;
}

/* ---- construction and destruction ---- */

struct initspec *initspec_new(void) {
        return calloc(1, sizeof(struct initspec));
}

static void app_clear(struct initspec_app *a) {
        free(a->name);
        free(a->root);
        strv_free(a->argv);
        strv_free(a->env);
        free(a->workdir);
        free(a->groups);
        strv_free(a->caps_drop);
        for (size_t i = 0; i < a->n_binds; i++) {
                free(a->binds[i].source);
                free(a->binds[i].target);
        }
        free(a->binds);
        strv_free(a->pre_start);
        strv_free(a->post_stop);
        free(a->stdout_path);
        free(a->stderr_path);
        free(a->status_path);
        free(a->pid_path);
}

struct initspec *initspec_free(struct initspec *s) {
        if (!s)
                return NULL;
        free(s->hostname);
        free(s->stop_path);
        for (size_t i = 0; i < s->n_modules; i++) {
                free(s->modules[i].path);
                free(s->modules[i].params);
        }
        free(s->modules);
        for (size_t i = 0; i < s->n_mounts; i++) {
                free(s->mounts[i].fstype);
                free(s->mounts[i].source);
                free(s->mounts[i].target);
                free(s->mounts[i].data);
        }
        free(s->mounts);
        for (size_t i = 0; i < s->n_apps; i++)
                app_clear(&s->apps[i]);
        free(s->apps);
        free(s);
        return NULL;
}

/* Grows *array of *n elements of size by one zeroed element. */
static void *grow(void *array_ptr, size_t *n, size_t size) {
        void **array = array_ptr;
        void *a = realloc(*array, (*n + 1) * size);
        if (!a)
                return NULL;
        *array = a;
        void *e = (char *)a + *n * size;
        memset(e, 0, size);
        return e;
}

int initspec_add_app(struct initspec *s, const char *name, const char *root,
                     struct initspec_app **ret) {
        bool oom = false;
        char *n = strdup_or_null(name, &oom), *r = strdup_or_null(root, &oom);
        struct initspec_app *a = oom ? NULL : grow(&s->apps, &s->n_apps, sizeof(*a));
        if (!a) {
                free(n);
                free(r);
                return -ENOMEM;
        }
        a->name = n;
        a->root = r;
        s->n_apps++;
        if (ret)
                *ret = a;
        return 0;
}

int initspec_add_module(struct initspec *s, const char *path, const char *params) {
        bool oom = false;
        char *p = strdup_or_null(path, &oom), *q = strdup_or_null(params, &oom);
        struct initspec_module *m = oom ? NULL : grow(&s->modules, &s->n_modules, sizeof(*m));
        if (!m) {
                free(p);
                free(q);
                return -ENOMEM;
        }
        m->path = p;
        m->params = q;
        s->n_modules++;
        return 0;
}

int initspec_add_mount(struct initspec *s, const char *fstype, const char *source,
                       const char *target, const char *data, unsigned long flags) {
        bool oom = false;
        char *f = strdup_or_null(fstype, &oom), *so = strdup_or_null(source, &oom),
             *t = strdup_or_null(target, &oom), *d = strdup_or_null(data, &oom);
        struct initspec_mount *m = oom ? NULL : grow(&s->mounts, &s->n_mounts, sizeof(*m));
        if (!m) {
                free(f);
                free(so);
                free(t);
                free(d);
                return -ENOMEM;
        }
        *m = (struct initspec_mount){ .fstype = f, .source = so, .target = t, .data = d,
                                      .flags = flags };
        s->n_mounts++;
        return 0;
}

int initspec_app_add_bind(struct initspec_app *app, const char *source, const char *target,
                          bool read_only) {
        bool oom = false;
        char *so = strdup_or_null(source, &oom), *t = strdup_or_null(target, &oom);
        struct initspec_bind *b = oom ? NULL : grow(&app->binds, &app->n_binds, sizeof(*b));
        if (!b) {
                free(so);
                free(t);
                return -ENOMEM;
        }
        *b = (struct initspec_bind){ .source = so, .target = t, .read_only = read_only };
        app->n_binds++;
        return 0;
}

int initspec_app_add_group(struct initspec_app *app, uint32_t gid) {
        uint32_t *g = grow(&app->groups, &app->n_groups, sizeof(*g));
        if (!g)
                return -ENOMEM;
        *g = gid;
        app->n_groups++;
        return 0;
}

/* ---- validation (shared by the writer and the parser) ---- */

static int check_argv(char *const *argv, const char *what, bool required,
                      struct podrt_error **err) {
        if (!argv || !argv[0]) {
                if (required)
                        return podrt_error_set(err, EINVAL, "%s: missing (at least the program)", what);
                return 0;
        }
        if (!argv[0][0])
                return podrt_error_set(err, EINVAL, "%s: the program is an empty string", what);
        return 0;
}

static int check_app(const struct initspec_app *a, struct podrt_error **err) {
        int r;
        if (!a->root)
                return podrt_error_set(err, EINVAL, "root: missing");
        if (!path_is_absolute(a->root))
                return podrt_error_set(err, EINVAL, "root: \"%s\" must be absolute", a->root);
        if ((r = check_argv(a->argv, "exec", true, err)) < 0 ||
            (r = check_argv(a->pre_start, "pre-start", false, err)) < 0 ||
            (r = check_argv(a->post_stop, "post-stop", false, err)) < 0)
                return r;
        for (size_t i = 0; a->env && a->env[i]; i++) {
                if (!env_is_valid(a->env[i]))
                        return podrt_error_set(err, EINVAL, "env: \"%s\" is not KEY=VALUE", a->env[i]);
                size_t klen = strcspn(a->env[i], "=") + 1;
                for (size_t j = 0; j < i; j++)
                        if (strncmp(a->env[i], a->env[j], klen) == 0)
                                return podrt_error_set(err, EINVAL, "env: %.*s set twice",
                                                       (int)klen - 1, a->env[i]);
        }
        if (a->workdir && !path_is_inside(a->workdir))
                return podrt_error_set(err, EINVAL, "workdir: \"%s\" must be absolute, without \"..\"",
                                       a->workdir);
        for (size_t i = 0; a->caps_drop && a->caps_drop[i]; i++)
                if (cap_from_name(a->caps_drop[i]) < 0)
                        return podrt_error_set(err, EINVAL, "cap-drop: unknown capability \"%s\"",
                                               a->caps_drop[i]);
        for (size_t i = 0; i < a->n_groups; i++)
                if (a->groups[i] == UINT32_MAX)
                        return podrt_error_set(err, ERANGE, "groups: %u is out of range", a->groups[i]);
        if (a->uid == UINT32_MAX || a->gid == UINT32_MAX)
                return podrt_error_set(err, ERANGE, "%s: 4294967295 is out of range",
                                       a->uid == UINT32_MAX ? "uid" : "gid");
        for (size_t i = 0; i < a->n_binds; i++) {
                const struct initspec_bind *b = &a->binds[i];
                if (!path_is_absolute(b->source))
                        return podrt_error_set(err, EINVAL, "bind: source \"%s\" must be absolute",
                                               b->source ? b->source : "");
                if (!path_is_inside(b->target))
                        return podrt_error_set(err, EINVAL,
                                               "bind: target \"%s\" must be absolute, without \"..\"",
                                               b->target ? b->target : "");
        }
        const struct {
                const char *key, *value;
        } paths[] = {
                { "stdout", a->stdout_path },
                { "stderr", a->stderr_path },
                { "status", a->status_path },
                { "pidfile", a->pid_path },
        };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (paths[i].value && !path_is_absolute(paths[i].value))
                        return podrt_error_set(err, EINVAL, "%s: \"%s\" must be absolute",
                                               paths[i].key, paths[i].value);
        return 0;
}

static int check_hostname(const char *h, struct podrt_error **err) {
        if (h && (!*h || strlen(h) > 64))
                return podrt_error_set(err, EINVAL, "hostname: must be 1 to 64 bytes long");
        return 0;
}

static int check_module(const struct initspec_module *m, struct podrt_error **err) {
        if (!path_is_absolute(m->path))
                return podrt_error_set(err, EINVAL, "module: \"%s\" must be an absolute path",
                                       m->path ? m->path : "");
        return 0;
}

static int check_mount(const struct initspec_mount *m, struct podrt_error **err) {
        if (!m->fstype || !*m->fstype)
                return podrt_error_set(err, EINVAL, "mount: no file system type");
        if (!m->source || !*m->source)
                return podrt_error_set(err, EINVAL, "mount: no source");
        if (!path_is_absolute(m->target))
                return podrt_error_set(err, EINVAL, "mount: target \"%s\" must be absolute",
                                       m->target ? m->target : "");
        if (m->flags & ~(unsigned long)MOUNT_FLAGS_KNOWN)
                return podrt_error_set(err, EINVAL, "mount %s: flags 0x%lx not supported", m->target,
                                       m->flags & ~(unsigned long)MOUNT_FLAGS_KNOWN);
        return 0;
}

int initspec_validate(const struct initspec *s, struct podrt_error **err) {
        int r;
        if ((r = check_hostname(s->hostname, err)) < 0)
                return r;
        if (s->stop_path && !path_is_absolute(s->stop_path))
                return podrt_error_set(err, EINVAL, "stop-file: \"%s\" must be absolute", s->stop_path);
        for (size_t i = 0; i < s->n_modules; i++)
                if ((r = check_module(&s->modules[i], err)) < 0)
                        return r;
        for (size_t i = 0; i < s->n_mounts; i++)
                if ((r = check_mount(&s->mounts[i], err)) < 0)
                        return r;
        for (size_t i = 0; i < s->n_apps; i++) {
                const struct initspec_app *a = &s->apps[i];
                if (!name_is_valid(a->name))
                        return podrt_error_set(err, EINVAL,
                                               "app \"%s\": a name is [a-z0-9][a-z0-9.-]{0,62}",
                                               a->name ? a->name : "");
                for (size_t j = 0; j < i; j++)
                        if (strcmp(a->name, s->apps[j].name) == 0)
                                return podrt_error_set(err, EINVAL, "app %s: listed twice", a->name);
                if ((r = check_app(a, err)) < 0)
                        return podrt_error_set(err, r, "app %s", a->name);
        }
        return 0;
}

/* ---- escaping ---- */

char *initspec_escape(const char *s) {
        size_t n = strlen(s);
        if (n == 0)
                return strdup("\"\"");
        char *out = malloc(n * 4 + 1), *o = out;
        if (!out)
                return NULL;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                unsigned char c = *p;
                switch (c) {
                case '\\': *o++ = '\\'; *o++ = '\\'; break;
                case ' ': *o++ = '\\'; *o++ = 's'; break;
                case '\t': *o++ = '\\'; *o++ = 't'; break;
                case '\n': *o++ = '\\'; *o++ = 'n'; break;
                case '\r': *o++ = '\\'; *o++ = 'r'; break;
                default:
                        if (c < 0x20 || c == 0x7f || c == '"')
                                o += sprintf(o, "\\x%02x", c);
                        else
                                *o++ = (char)c;
                }
        }
        *o = '\0';
        return out;
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Unescapes the token [t, t+n) into a new string; on a bad escape, a message
 * in err (without the line, the caller adds it). */
static int unescape(const char *t, size_t n, char **ret, struct podrt_error **err) {
        if (n == 2 && t[0] == '"' && t[1] == '"') {
                char *e = strdup("");
                if (!e)
                        return -ENOMEM;
                *ret = e;
                return 0;
        }
        _cleanup_free_ char *out = malloc(n + 1);
        if (!out)
                return -ENOMEM;
        char *o = out;
        for (size_t i = 0; i < n; i++) {
                if (t[i] != '\\') {
                        *o++ = t[i];
                        continue;
                }
                if (++i >= n)
                        return podrt_error_set(err, EINVAL, "a backslash ends the token \"%.*s\"",
                                               (int)n, t);
                switch (t[i]) {
                case '\\': *o++ = '\\'; break;
                case 's': *o++ = ' '; break;
                case 't': *o++ = '\t'; break;
                case 'n': *o++ = '\n'; break;
                case 'r': *o++ = '\r'; break;
                case 'x': {
                        int hi = i + 1 < n ? hexval(t[i + 1]) : -1;
                        int lo = i + 2 < n ? hexval(t[i + 2]) : -1;
                        if (hi < 0 || lo < 0)
                                return podrt_error_set(err, EINVAL,
                                                       "\\x needs two hex digits in \"%.*s\"", (int)n, t);
                        if (hi == 0 && lo == 0)
                                return podrt_error_set(err, EINVAL, "\\x00 is not allowed in \"%.*s\"",
                                                       (int)n, t);
                        *o++ = (char)(hi * 16 + lo);
                        i += 2;
                        break;
                }
                default:
                        return podrt_error_set(err, EINVAL, "unknown escape \"\\%c\" in \"%.*s\"", t[i],
                                               (int)n, t);
                }
        }
        *o = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

/* ---- the writer ---- */

static int put_tokens(FILE *f, const char *key, char *const *tokens) {
        fputs(key, f);
        for (size_t i = 0; tokens && tokens[i]; i++) {
                _cleanup_free_ char *e = initspec_escape(tokens[i]);
                if (!e)
                        return -ENOMEM;
                fputc(' ', f);
                fputs(e, f);
        }
        fputc('\n', f);
        return 0;
}

/* key followed by the given strings (NULL-terminated varargs). */
static int put(FILE *f, const char *key, ...) {
        const char *v[8];
        size_t n = 0;
        va_list ap;
        va_start(ap, key);
        for (const char *s; n < ELEMENTSOF(v) - 1 && (s = va_arg(ap, const char *));)
                v[n++] = s;
        va_end(ap);
        v[n] = NULL;
        return put_tokens(f, key, (char *const *)v);
}

static int write_app(const struct initspec_app *a, FILE *f) {
        int r;
        fputc('\n', f);
        if ((r = put(f, "app", a->name, NULL)) < 0 || (r = put(f, "root", a->root, NULL)) < 0 ||
            (r = put_tokens(f, "exec", a->argv)) < 0)
                return r;
        for (size_t i = 0; a->env && a->env[i]; i++)
                if ((r = put(f, "env", a->env[i], NULL)) < 0)
                        return r;
        if (a->workdir && (r = put(f, "workdir", a->workdir, NULL)) < 0)
                return r;
        fprintf(f, "uid %u\ngid %u\n", a->uid, a->gid);
        if (a->n_groups > 0) {
                fputs("groups", f);
                for (size_t i = 0; i < a->n_groups; i++)
                        fprintf(f, " %u", a->groups[i]);
                fputc('\n', f);
        }
        if (a->caps_drop && a->caps_drop[0] && (r = put_tokens(f, "cap-drop", a->caps_drop)) < 0)
                return r;
        if (a->no_new_privs)
                fputs("no-new-privs yes\n", f);
        if (a->read_only_root)
                fputs("read-only-root yes\n", f);
        for (size_t i = 0; i < a->n_binds; i++)
                if ((r = put(f, "bind", a->binds[i].source, a->binds[i].target,
                             a->binds[i].read_only ? "ro" : NULL, NULL)) < 0)
                        return r;
        if (a->pre_start && (r = put_tokens(f, "pre-start", a->pre_start)) < 0)
                return r;
        if (a->post_stop && (r = put_tokens(f, "post-stop", a->post_stop)) < 0)
                return r;
        if ((r = put(f, "stdout", a->stdout_path ? a->stdout_path : "inherit", NULL)) < 0 ||
            (r = put(f, "stderr", a->stderr_path ? a->stderr_path : "inherit", NULL)) < 0)
                return r;
        if (a->status_path && (r = put(f, "status", a->status_path, NULL)) < 0)
                return r;
        if (a->pid_path && (r = put(f, "pidfile", a->pid_path, NULL)) < 0)
                return r;
        return 0;
}

int initspec_write(const struct initspec *s, FILE *f, struct podrt_error **err) {
        int r = initspec_validate(s, err);
        if (r < 0)
                return podrt_error_set(err, r, "pod description");

        fprintf(f, "# podrt-init pod description (docs/podrt-init.md)\npodrt-init %d\n",
                INITSPEC_VERSION);
        if (s->hostname && (r = put(f, "hostname", s->hostname, NULL)) < 0)
                goto fail;
        if (s->poweroff)
                fputs("poweroff yes\n", f);
        if (s->stop_path && (r = put(f, "stop-file", s->stop_path, NULL)) < 0)
                goto fail;
        for (size_t i = 0; i < s->n_modules; i++)
                if ((r = put(f, "module", s->modules[i].path, s->modules[i].params, NULL)) < 0)
                        goto fail;
        for (size_t i = 0; i < s->n_mounts; i++) {
                const struct initspec_mount *m = &s->mounts[i];
                char *v[9] = { m->fstype, m->source, m->target };
                size_t n = 3;
                _cleanup_free_ char *data = NULL;
                for (size_t j = 0; j < ELEMENTSOF(mount_flag_names); j++)
                        if (m->flags & mount_flag_names[j].flag)
                                v[n++] = (char *)mount_flag_names[j].name;
                if (m->data) {
                        if (asprintf(&data, "data=%s", m->data) < 0) {
                                data = NULL;
                                r = -ENOMEM;
                                goto fail;
                        }
                        v[n++] = data;
                }
                if ((r = put_tokens(f, "mount", v)) < 0)
                        goto fail;
        }
        for (size_t i = 0; i < s->n_apps; i++)
                if ((r = write_app(&s->apps[i], f)) < 0)
                        goto fail;
        if (fflush(f) != 0 || ferror(f))
                return podrt_error_set(err, errno ? errno : EIO, "writing the pod description: %m");
        return 0;
fail:
        return podrt_error_set(err, r, "writing the pod description: %s", strerror(-r));
}

int initspec_write_file(const struct initspec *s, const char *path, struct podrt_error **err) {
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", path);
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return podrt_error_set(err, errno, "%s: cannot create a temporary file: %m", path);
        FILE *f = fdopen(fd, "w");
        if (!f) {
                int e = errno;
                close(fd);
                unlink(tmp);
                return podrt_error_set(err, e, "%s: %s", path, strerror(e));
        }
        int r = initspec_write(s, f, err);
        if (r >= 0 && fchmod(fd, 0644) < 0)
                r = podrt_error_set(err, errno, "%s: chmod: %m", path);
        if (r >= 0 && fsync(fd) < 0)
                r = podrt_error_set(err, errno, "%s: fsync: %m", path);
        if (fclose(f) != 0 && r >= 0)
                r = podrt_error_set(err, errno, "%s: close: %m", path);
        if (r >= 0 && rename(tmp, path) < 0)
                r = podrt_error_set(err, errno, "%s: rename: %m", path);
        if (r < 0) {
                unlink(tmp);
                return podrt_error_set(err, r, "%s", path);
        }
        return 0;
}

/* ---- the parser ---- */

enum {
        SEEN_ROOT = 1u << 0,
        SEEN_EXEC = 1u << 1,
        SEEN_WORKDIR = 1u << 2,
        SEEN_UID = 1u << 3,
        SEEN_GID = 1u << 4,
        SEEN_NNP = 1u << 5,
        SEEN_RO_ROOT = 1u << 6,
        SEEN_PRE = 1u << 7,
        SEEN_POST = 1u << 8,
        SEEN_STDOUT = 1u << 9,
        SEEN_STDERR = 1u << 10,
        SEEN_STATUS = 1u << 11,
        SEEN_PIDFILE = 1u << 12,
        SEEN_HOSTNAME = 1u << 13,
        SEEN_POWEROFF = 1u << 14,
        SEEN_STOP_FILE = 1u << 15,
};

struct parser {
        const char *name;
        unsigned line;
        struct initspec *s;
        bool have_version;
        unsigned pod_seen;
        /* the current app: s->apps[s->n_apps - 1] when in_app */
        bool in_app;
        unsigned app_line;
        unsigned app_seen;
};

#define PERR(p, errnum, fmt, ...) \
        podrt_error_set(err, (errnum), "%s:%u: " fmt, (p)->name, (p)->line, ##__VA_ARGS__)

static int split_line(struct parser *p, const char *line, char ***ret, struct podrt_error **err) {
        _cleanup_strv_free_ char **v = NULL;
        const char *c = line;
        for (;;) {
                c += strspn(c, " \t");
                if (!*c)
                        break;
                size_t n = strcspn(c, " \t");
                char *tok = NULL;
                _cleanup_error_ struct podrt_error *e = NULL;
                int r = unescape(c, n, &tok, &e);
                if (r == -ENOMEM)
                        return PERR(p, ENOMEM, "out of memory");
                if (r < 0)
                        return PERR(p, r, "%s", podrt_error_message(e));
                if (strv_consume(&v, tok) < 0) {
                        free(tok);
                        return PERR(p, ENOMEM, "out of memory");
                }
                c += n;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static int parse_bool(struct parser *p, const char *key, const char *v, bool *ret,
                      struct podrt_error **err) {
        if (strcmp(v, "yes") == 0)
                *ret = true;
        else if (strcmp(v, "no") == 0)
                *ret = false;
        else
                return PERR(p, EINVAL, "%s: \"%s\" is not yes or no", key, v);
        return 0;
}

/* Takes a copy of an absolute path argument. */
static int take_path(struct parser *p, const char *key, const char *v, bool inside, char **slot,
                     struct podrt_error **err) {
        if (inside ? !path_is_inside(v) : !path_is_absolute(v))
                return PERR(p, EINVAL, "%s: \"%s\" must be an absolute path%s", key, v,
                            inside ? " without \"..\"" : "");
        char *c = strdup(v);
        if (!c)
                return PERR(p, ENOMEM, "out of memory");
        free(*slot);
        *slot = c;
        return 0;
}

static int finish_app(struct parser *p, struct podrt_error **err) {
        if (!p->in_app)
                return 0;
        struct initspec_app *a = &p->s->apps[p->s->n_apps - 1];
        const char *missing = !(p->app_seen & SEEN_ROOT) ? "root"
                              : !(p->app_seen & SEEN_EXEC) ? "exec" : NULL;
        if (missing)
                return podrt_error_set(err, EINVAL, "%s:%u: app %s: no \"%s\" line", p->name,
                                       p->app_line, a->name, missing);
        p->in_app = false;
        return 0;
}

static int pod_key(struct parser *p, char **v, size_t n, struct podrt_error **err) {
        const char *key = v[0];
        struct initspec *s = p->s;
        int r;

        if (strcmp(key, "hostname") == 0) {
                if (n != 2)
                        return PERR(p, EINVAL, "hostname: expects one value");
                if (p->pod_seen & SEEN_HOSTNAME)
                        return PERR(p, EINVAL, "hostname: given twice");
                if (!*v[1] || strlen(v[1]) > 64)
                        return PERR(p, EINVAL, "hostname: must be 1 to 64 bytes long");
                if (!(s->hostname = strdup(v[1])))
                        return PERR(p, ENOMEM, "out of memory");
                p->pod_seen |= SEEN_HOSTNAME;
        } else if (strcmp(key, "poweroff") == 0) {
                if (n != 2)
                        return PERR(p, EINVAL, "poweroff: expects yes or no");
                if (p->pod_seen & SEEN_POWEROFF)
                        return PERR(p, EINVAL, "poweroff: given twice");
                if ((r = parse_bool(p, key, v[1], &s->poweroff, err)) < 0)
                        return r;
                p->pod_seen |= SEEN_POWEROFF;
        } else if (strcmp(key, "stop-file") == 0) {
                if (n != 2)
                        return PERR(p, EINVAL, "stop-file: expects one path");
                if (p->pod_seen & SEEN_STOP_FILE)
                        return PERR(p, EINVAL, "stop-file: given twice");
                if (!path_is_absolute(v[1]))
                        return PERR(p, EINVAL, "stop-file: \"%s\" must be an absolute path", v[1]);
                if (!(s->stop_path = strdup(v[1])))
                        return PERR(p, ENOMEM, "out of memory");
                p->pod_seen |= SEEN_STOP_FILE;
        } else if (strcmp(key, "module") == 0) {
                if (n < 2 || n > 3)
                        return PERR(p, EINVAL, "module: expects PATH [PARAMETERS]");
                if (!path_is_absolute(v[1]))
                        return PERR(p, EINVAL, "module: \"%s\" must be an absolute path", v[1]);
                if (initspec_add_module(s, v[1], n == 3 ? v[2] : NULL) < 0)
                        return PERR(p, ENOMEM, "out of memory");
        } else if (strcmp(key, "mount") == 0) {
                if (n < 4)
                        return PERR(p, EINVAL, "mount: expects TYPE SOURCE TARGET [OPTION...]");
                if (!*v[1] || !*v[2])
                        return PERR(p, EINVAL, "mount: empty type or source");
                if (!path_is_absolute(v[3]))
                        return PERR(p, EINVAL, "mount: target \"%s\" must be absolute", v[3]);
                unsigned long flags = 0;
                const char *data = NULL;
                for (size_t i = 4; i < n; i++) {
                        bool known = false;
                        for (size_t j = 0; j < ELEMENTSOF(mount_flag_names); j++)
                                if (strcmp(v[i], mount_flag_names[j].name) == 0) {
                                        flags |= mount_flag_names[j].flag;
                                        known = true;
                                }
                        if (known || strcmp(v[i], "rw") == 0)
                                continue;
                        if (strncmp(v[i], "data=", 5) == 0 && !data) {
                                data = v[i] + 5;
                                continue;
                        }
                        return PERR(p, EINVAL,
                                    "mount %s: unknown option \"%s\" (ro, rw, nosuid, nodev, noexec, data=...)",
                                    v[3], v[i]);
                }
                if (initspec_add_mount(s, v[1], v[2], v[3], data, flags) < 0)
                        return PERR(p, ENOMEM, "out of memory");
        } else
                return 1;
        return 0;
}

/* Replaces *slot with a copy of v[1..n). */
static int take_argv(struct parser *p, char **v, size_t n, char ***slot, struct podrt_error **err) {
        if (n < 2)
                return PERR(p, EINVAL, "%s: expects the program and its arguments", v[0]);
        if (!*v[1])
                return PERR(p, EINVAL, "%s: the program is an empty string", v[0]);
        char **c = strv_copy(v + 1);
        if (!c)
                return PERR(p, ENOMEM, "out of memory");
        strv_free(*slot);
        *slot = c;
        return 0;
}

static int app_key(struct parser *p, char **v, size_t n, struct podrt_error **err) {
        static const struct {
                const char *key;
                unsigned bit;
        } once[] = {
                { "root", SEEN_ROOT },       { "exec", SEEN_EXEC },
                { "workdir", SEEN_WORKDIR }, { "uid", SEEN_UID },
                { "gid", SEEN_GID },         { "no-new-privs", SEEN_NNP },
                { "read-only-root", SEEN_RO_ROOT }, { "pre-start", SEEN_PRE },
                { "post-stop", SEEN_POST },  { "stdout", SEEN_STDOUT },
                { "stderr", SEEN_STDERR },   { "status", SEEN_STATUS },
                { "pidfile", SEEN_PIDFILE },
        };
        static const char *const single[] = { "root", "workdir", "uid", "gid", "no-new-privs",
                                              "read-only-root", "stdout", "stderr", "status",
                                              "pidfile", "env" };
        struct initspec_app *a = &p->s->apps[p->s->n_apps - 1];
        const char *key = v[0];

        for (size_t i = 0; i < ELEMENTSOF(once); i++)
                if (strcmp(key, once[i].key) == 0) {
                        if (p->app_seen & once[i].bit)
                                return PERR(p, EINVAL, "app %s: \"%s\" given twice", a->name, key);
                        p->app_seen |= once[i].bit;
                }
        for (size_t i = 0; i < ELEMENTSOF(single); i++)
                if (strcmp(key, single[i]) == 0 && n != 2)
                        return PERR(p, EINVAL, "%s: expects one value", key);

        if (strcmp(key, "root") == 0)
                return take_path(p, key, v[1], false, &a->root, err);
        if (strcmp(key, "exec") == 0)
                return take_argv(p, v, n, &a->argv, err);
        if (strcmp(key, "pre-start") == 0)
                return take_argv(p, v, n, &a->pre_start, err);
        if (strcmp(key, "post-stop") == 0)
                return take_argv(p, v, n, &a->post_stop, err);
        if (strcmp(key, "env") == 0) {
                if (!env_is_valid(v[1]))
                        return PERR(p, EINVAL, "env: \"%s\" is not KEY=VALUE", v[1]);
                size_t klen = strcspn(v[1], "=") + 1;
                for (size_t i = 0; a->env && a->env[i]; i++)
                        if (strncmp(a->env[i], v[1], klen) == 0)
                                return PERR(p, EINVAL, "env: %.*s set twice", (int)klen - 1, v[1]);
                if (strv_push(&a->env, v[1]) < 0)
                        return PERR(p, ENOMEM, "out of memory");
                return 0;
        }
        if (strcmp(key, "workdir") == 0)
                return take_path(p, key, v[1], true, &a->workdir, err);
        if (strcmp(key, "uid") == 0 || strcmp(key, "gid") == 0) {
                uint32_t id;
                if (parse_u32(v[1], &id) < 0)
                        return PERR(p, EINVAL, "%s: \"%s\" is not a number below 4294967295", key, v[1]);
                *(key[0] == 'u' ? &a->uid : &a->gid) = id;
                return 0;
        }
        if (strcmp(key, "groups") == 0) {
                for (size_t i = 1; i < n; i++) {
                        uint32_t id;
                        if (parse_u32(v[i], &id) < 0)
                                return PERR(p, EINVAL, "groups: \"%s\" is not a number below 4294967295",
                                            v[i]);
                        if (initspec_app_add_group(a, id) < 0)
                                return PERR(p, ENOMEM, "out of memory");
                }
                return 0;
        }
        if (strcmp(key, "cap-drop") == 0) {
                if (n < 2)
                        return PERR(p, EINVAL, "cap-drop: expects capabilities");
                for (size_t i = 1; i < n; i++) {
                        if (cap_from_name(v[i]) < 0)
                                return PERR(p, EINVAL, "cap-drop: unknown capability \"%s\"", v[i]);
                        if (strv_push(&a->caps_drop, v[i]) < 0)
                                return PERR(p, ENOMEM, "out of memory");
                }
                return 0;
        }
        if (strcmp(key, "no-new-privs") == 0)
                return parse_bool(p, key, v[1], &a->no_new_privs, err);
        if (strcmp(key, "read-only-root") == 0)
                return parse_bool(p, key, v[1], &a->read_only_root, err);
        if (strcmp(key, "bind") == 0) {
                if (n < 3 || n > 4 || (n == 4 && strcmp(v[3], "ro") != 0 && strcmp(v[3], "rw") != 0))
                        return PERR(p, EINVAL, "bind: expects SOURCE TARGET [ro|rw]");
                if (!path_is_absolute(v[1]))
                        return PERR(p, EINVAL, "bind: source \"%s\" must be absolute", v[1]);
                if (!path_is_inside(v[2]))
                        return PERR(p, EINVAL, "bind: target \"%s\" must be absolute, without \"..\"",
                                    v[2]);
                if (initspec_app_add_bind(a, v[1], v[2], n == 4 && strcmp(v[3], "ro") == 0) < 0)
                        return PERR(p, ENOMEM, "out of memory");
                return 0;
        }
        if (strcmp(key, "stdout") == 0 || strcmp(key, "stderr") == 0) {
                char **slot = key[3] == 'o' ? &a->stdout_path : &a->stderr_path;
                if (strcmp(v[1], "inherit") == 0) {
                        free(*slot);
                        *slot = NULL;
                        return 0;
                }
                return take_path(p, key, v[1], false, slot, err);
        }
        if (strcmp(key, "status") == 0)
                return take_path(p, key, v[1], false, &a->status_path, err);
        if (strcmp(key, "pidfile") == 0)
                return take_path(p, key, v[1], false, &a->pid_path, err);
        return 1;
}

static int parse_line(struct parser *p, char *line, struct podrt_error **err) {
        _cleanup_strv_free_ char **v = NULL;
        const char *first = line + strspn(line, " \t");
        if (*first == '#' || *first == '\0')
                return 0;       /* a comment is never unescaped */
        int r = split_line(p, line, &v, err);
        if (r < 0)
                return r;
        size_t n = strv_length(v);
        const char *key = v[0];

        if (!p->have_version) {
                if (strcmp(key, "podrt-init") != 0)
                        return PERR(p, EINVAL, "not a podrt-init pod description (the first line must be \"podrt-init %d\")",
                                    INITSPEC_VERSION);
                uint32_t ver;
                if (n != 2 || parse_u32(v[1], &ver) < 0)
                        return PERR(p, EINVAL, "podrt-init: expects a version number");
                if (ver != INITSPEC_VERSION)
                        return PERR(p, EINVAL, "format version %u is not supported (this podrt-init reads %d)",
                                    ver, INITSPEC_VERSION);
                p->have_version = true;
                return 0;
        }
        if (strcmp(key, "podrt-init") == 0)
                return PERR(p, EINVAL, "\"podrt-init\" given twice");

        if (strcmp(key, "app") == 0) {
                if (n != 2)
                        return PERR(p, EINVAL, "app: expects a name");
                if (!name_is_valid(v[1]))
                        return PERR(p, EINVAL, "app \"%s\": a name is [a-z0-9][a-z0-9.-]{0,62}", v[1]);
                if ((r = finish_app(p, err)) < 0)
                        return r;
                for (size_t i = 0; i < p->s->n_apps; i++)
                        if (strcmp(p->s->apps[i].name, v[1]) == 0)
                                return PERR(p, EINVAL, "app %s: listed twice", v[1]);
                if (initspec_add_app(p->s, v[1], NULL, NULL) < 0)
                        return PERR(p, ENOMEM, "out of memory");
                p->in_app = true;
                p->app_line = p->line;
                p->app_seen = 0;
                return 0;
        }

        if (!p->in_app) {
                r = pod_key(p, v, n, err);
                if (r <= 0)
                        return r;
                return PERR(p, EINVAL, "unknown key \"%s\"", key);
        }
        r = app_key(p, v, n, err);
        if (r <= 0)
                return r;
        if (strcmp(key, "hostname") == 0 || strcmp(key, "poweroff") == 0 ||
            strcmp(key, "stop-file") == 0 || strcmp(key, "module") == 0 || strcmp(key, "mount") == 0)
                return PERR(p, EINVAL, "\"%s\" is a pod key: it belongs before the first app", key);
        return PERR(p, EINVAL, "unknown key \"%s\"", key);
}

int initspec_parse(FILE *f, const char *name, struct initspec **ret, struct podrt_error **err) {
        _cleanup_(initspec_freep) struct initspec *s = initspec_new();
        if (!s)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", name);
        struct parser p = { .name = name, .s = s };
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        int r;

        errno = 0;
        while ((len = getline(&line, &cap, f)) >= 0) {
                p.line++;
                if (len > 0 && line[len - 1] == '\n')
                        line[--len] = '\0';
                if (strlen(line) != (size_t)len)
                        return PERR(&p, EINVAL, "a NUL byte in the line");
                if ((r = parse_line(&p, line, err)) < 0)
                        return r;
        }
        if (ferror(f))
                return podrt_error_set(err, errno ? errno : EIO, "%s: read error", name);
        if (!p.have_version)
                return podrt_error_set(err, EINVAL, "%s: empty (the first line must be \"podrt-init %d\")",
                                       name, INITSPEC_VERSION);
        if ((r = finish_app(&p, err)) < 0)
                return r;
        if ((r = initspec_validate(s, err)) < 0)
                return podrt_error_set(err, r, "%s", name);
        *ret = TAKE_PTR(s);
        return 0;
}

int initspec_parse_string(const char *text, const char *name, struct initspec **ret,
                          struct podrt_error **err) {
        _cleanup_fclose_ FILE *f = fmemopen((void *)text, strlen(text), "r");
        if (!f)
                return podrt_error_set(err, errno, "%s: %m", name);
        return initspec_parse(f, name, ret, err);
}

int initspec_load(const char *path, struct initspec **ret, struct podrt_error **err) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return podrt_error_set(err, errno, "%s: %m", path);
        return initspec_parse(f, path, ret, err);
}
