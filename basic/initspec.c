/* SPDX-License-Identifier: Apache-2.0 */
/* The pod description of podrt-init (docs/podrt-init.md): building one and
 * the rules it must follow, which the writer (initspec-write.c) and the
 * parser (initspec-parse.c) both check.
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
#include "initspec-internal.h"
#include "initspec.h"
#include "strv.h"

const struct initspec_mount_flag initspec_mount_flags[INITSPEC_N_MOUNT_FLAGS] = {
        { MS_RDONLY, "ro" },
        { MS_NOSUID, "nosuid" },
        { MS_NODEV, "nodev" },
        { MS_NOEXEC, "noexec" },
};

/* ---- small helpers ---- */

bool initspec_name_is_valid(const char *s) {
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

bool initspec_path_is_absolute(const char *p) {
        return p && p[0] == '/';
}

/* Absolute and without a ".." component: a path inside an app's root. */
bool initspec_path_is_inside(const char *p) {
        if (!initspec_path_is_absolute(p))
                return false;
        for (const char *c = p; (c = strstr(c, "..")); c += 2)
                if (c[-1] == '/' && (c[2] == '/' || c[2] == '\0'))
                        return false;
        return true;
}

bool initspec_env_is_valid(const char *e) {
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
        free(a->stdin_path);
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
        free(s->exec_port);
        free(s->control_path);
        free(s->request_dir);
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
        initspec_net_clear(s);
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

void initspec_remove_app(struct initspec *s, size_t i) {
        if (i >= s->n_apps)
                return;
        app_clear(&s->apps[i]);
        memmove(&s->apps[i], &s->apps[i + 1], (s->n_apps - i - 1) * sizeof(s->apps[0]));
        s->n_apps--;
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
        if (!initspec_path_is_absolute(a->root))
                return podrt_error_set(err, EINVAL, "root: \"%s\" must be absolute", a->root);
        if ((r = check_argv(a->argv, "exec", true, err)) < 0 ||
            (r = check_argv(a->pre_start, "pre-start", false, err)) < 0 ||
            (r = check_argv(a->post_stop, "post-stop", false, err)) < 0)
                return r;
        for (size_t i = 0; a->env && a->env[i]; i++) {
                if (!initspec_env_is_valid(a->env[i]))
                        return podrt_error_set(err, EINVAL, "env: \"%s\" is not KEY=VALUE", a->env[i]);
                size_t klen = strcspn(a->env[i], "=") + 1;
                for (size_t j = 0; j < i; j++)
                        if (strncmp(a->env[i], a->env[j], klen) == 0)
                                return podrt_error_set(err, EINVAL, "env: %.*s set twice",
                                                       (int)klen - 1, a->env[i]);
        }
        if (a->workdir && !initspec_path_is_inside(a->workdir))
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
                if (!initspec_path_is_absolute(b->source))
                        return podrt_error_set(err, EINVAL, "bind: source \"%s\" must be absolute",
                                               b->source ? b->source : "");
                if (!initspec_path_is_inside(b->target))
                        return podrt_error_set(err, EINVAL,
                                               "bind: target \"%s\" must be absolute, without \"..\"",
                                               b->target ? b->target : "");
        }
        const struct {
                const char *key, *value;
        } paths[] = {
                { "stdin", a->stdin_path },
                { "stdout", a->stdout_path },
                { "stderr", a->stderr_path },
                { "status", a->status_path },
                { "pidfile", a->pid_path },
        };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (paths[i].value && !initspec_path_is_absolute(paths[i].value))
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
        if (!initspec_path_is_absolute(m->path))
                return podrt_error_set(err, EINVAL, "module: \"%s\" must be an absolute path",
                                       m->path ? m->path : "");
        return 0;
}

static int check_mount(const struct initspec_mount *m, struct podrt_error **err) {
        if (!m->fstype || !*m->fstype)
                return podrt_error_set(err, EINVAL, "mount: no file system type");
        if (!m->source || !*m->source)
                return podrt_error_set(err, EINVAL, "mount: no source");
        if (!initspec_path_is_absolute(m->target))
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
        if (s->stop_path && !initspec_path_is_absolute(s->stop_path))
                return podrt_error_set(err, EINVAL, "stop-file: \"%s\" must be absolute", s->stop_path);
        if (s->request_dir && !initspec_path_is_absolute(s->request_dir))
                return podrt_error_set(err, EINVAL, "request-dir: \"%s\" must be absolute", s->request_dir);
        if (s->control_path && (!initspec_path_is_absolute(s->control_path) ||
                                strlen(s->control_path) > INITSPEC_CONTROL_PATH_MAX))
                return podrt_error_set(err, EINVAL, "control: \"%s\" must be an absolute path of at most %d bytes",
                                       s->control_path, INITSPEC_CONTROL_PATH_MAX);
        for (size_t i = 0; i < s->n_modules; i++)
                if ((r = check_module(&s->modules[i], err)) < 0)
                        return r;
        for (size_t i = 0; i < s->n_mounts; i++)
                if ((r = check_mount(&s->mounts[i], err)) < 0)
                        return r;
        for (size_t i = 0; i < s->n_apps; i++) {
                const struct initspec_app *a = &s->apps[i];
                if (!initspec_name_is_valid(a->name))
                        return podrt_error_set(err, EINVAL,
                                               "app \"%s\": a name is [a-z0-9][a-z0-9.-]{0,62}",
                                               a->name ? a->name : "");
                for (size_t j = 0; j < i; j++)
                        if (strcmp(a->name, s->apps[j].name) == 0)
                                return podrt_error_set(err, EINVAL, "app %s: listed twice", a->name);
                if ((r = check_app(a, err)) < 0)
                        return podrt_error_set(err, r, "app %s", a->name);
        }
        return initspec_net_validate(s, err);
}

