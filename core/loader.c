/* SPDX-License-Identifier: Apache-2.0 */
/* The plugin loader: finds <name>.so on the plugin path, checks the file,
 * dlopen()s it with RTLD_NOW | RTLD_LOCAL, checks its descriptor against the
 * core's ABI, and calls its init with a struct podrt_host of its own. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "loader.h"
#include "podrt-build.h"
#include "strv.h"

/* ABI 1.0's descriptor ends with the pointer to the hook ops. */
#define DESC_MIN_SIZE (offsetof(struct podrt_plugin, hooks) + sizeof(void *))
/* Every ops table starts with uint32_t version and uint32_t size. */
#define OPS_HEADER_SIZE (2 * sizeof(uint32_t))

struct plugin {
        char *name;
        char *path;                        /* the file, or "(builtin)" */
        void *handle;                      /* dlopen() handle; NULL for builtins */
        const struct podrt_plugin *desc;
        void *data;                        /* what init returned */
        bool initialized;                  /* init ran (or there is none) */
        struct podrt_host host;
        struct loader *loader;             /* for host.plugin_ops */
};

struct loader {
        char **dirs;
        const struct podrt_config *cfg;
        char *state_dir;
        char *libexec_dir;
        int log_level;

        struct plugin **builtins;          /* registered, initialised on first load */
        size_t n_builtins;
        struct plugin **loaded;            /* in the order their init ran */
        size_t n_loaded;
};

static void host_logv(const struct podrt_host *host, int level, const char *fmt, va_list ap) {
        if (!host || !fmt || level > host->log_level)
                return;

        char *msg = NULL;
        int r = vasprintf(&msg, fmt, ap);
        if (r < 0)
                return;

        size_t n = strlen(msg);
        while (n > 0 && msg[n - 1] == '\n')
                msg[--n] = '\0';

        /* One write per line, so lines of different processes do not mix. */
        char *line = NULL;
        r = asprintf(&line, "podrt: %s: %s\n", host->plugin_name ? host->plugin_name : "?", msg);
        free(msg);
        if (r < 0)
                return;
        fflush(stderr);
        ssize_t w = write(STDERR_FILENO, line, (size_t)r);
        (void)w;
        free(line);
}

static void host_log(const struct podrt_host *host, int level, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        host_logv(host, level, fmt, ap);
        va_end(ap);
}

static int host_plugin_ops(const struct podrt_host *host, const char *name, uint32_t kind,
                           const void **ret_ops, void **ret_data, struct podrt_error **err);

static struct plugin *plugin_free(struct plugin *p) {
        if (!p)
                return NULL;
        if (p->handle)
                dlclose(p->handle);
        free(p->name);
        free(p->path);
        free(p);
        return NULL;
}
DEFINE_TRIVIAL_CLEANUP_FUNC(struct plugin *, plugin_free)

static int push_plugin(struct plugin ***v, size_t *n, struct plugin *p) {
        struct plugin **w = realloc(*v, (*n + 1) * sizeof(*w));
        if (!w)
                return -ENOMEM;
        w[(*n)++] = p;
        *v = w;
        return 0;
}

int loader_new(const char *const *dirs, const struct podrt_config *cfg, const char *state_dir,
               const char *libexec_dir, int log_level, struct loader **ret,
               struct podrt_error **err) {
        struct loader *l = calloc(1, sizeof(*l));
        if (!l)
                return podrt_error_set(err, ENOMEM, "plugin loader: out of memory");

        l->cfg = cfg;
        l->log_level = log_level;
        l->state_dir = strdup(state_dir ? state_dir : PODRT_STATE_DIR);
        l->libexec_dir = strdup(libexec_dir ? libexec_dir : PODRT_LIBEXECDIR);
        l->dirs = calloc(1, sizeof(char *));
        if (!l->state_dir || !l->libexec_dir || !l->dirs)
                goto oom;

        for (size_t i = 0; dirs && dirs[i]; i++) {
                /* An empty entry (PODRT_PLUGIN_PATH="a::b") or one seen
                 * already would only be searched again. */
                if (!dirs[i][0] || strv_contains(l->dirs, dirs[i]))
                        continue;
                if (strv_push(&l->dirs, dirs[i]) < 0)
                        goto oom;
        }

        *ret = l;
        return 0;

oom:
        loader_free(l);
        return podrt_error_set(err, ENOMEM, "plugin loader: out of memory");
}

struct loader *loader_free(struct loader *l) {
        if (!l)
                return NULL;

        /* Last loaded, first finished: a plugin may use what an earlier one
         * set up. */
        for (size_t i = l->n_loaded; i > 0; i--) {
                struct plugin *p = l->loaded[i - 1];
                if (p->initialized && p->desc->fini)
                        p->desc->fini(p->data);
                p->initialized = false;
                if (!p->handle)
                        continue;      /* a builtin: freed below */
                plugin_free(p);
        }
        for (size_t i = 0; i < l->n_builtins; i++)
                plugin_free(l->builtins[i]);

        free(l->loaded);
        free(l->builtins);
        strv_free(l->dirs);
        free(l->state_dir);
        free(l->libexec_dir);
        free(l);
        return NULL;
}

static struct plugin *find_loaded(const struct loader *l, const char *name) {
        for (size_t i = 0; i < l->n_loaded; i++)
                if (strcmp(l->loaded[i]->name, name) == 0)
                        return l->loaded[i];
        return NULL;
}

static struct plugin *find_builtin(const struct loader *l, const char *name) {
        for (size_t i = 0; i < l->n_builtins; i++)
                if (strcmp(l->builtins[i]->name, name) == 0)
                        return l->builtins[i];
        return NULL;
}

/* The checks every descriptor passes, from a file or built in.  where names
 * it in messages. */
static int check_descriptor(const struct podrt_plugin *d, const char *where,
                            struct podrt_error **err) {
        if (d->abi_major != PODRT_ABI_MAJOR)
                return podrt_error_set(err, EPROTO, "%s: built for ABI %u.x, podrt has %u.%u",
                                       where, d->abi_major, PODRT_ABI_MAJOR, PODRT_ABI_MINOR);
        if (d->abi_minor > PODRT_ABI_MINOR)
                return podrt_error_set(err, EPROTONOSUPPORT,
                                       "%s: built for ABI %u.%u, newer than podrt's %u.%u",
                                       where, d->abi_major, d->abi_minor, PODRT_ABI_MAJOR,
                                       PODRT_ABI_MINOR);
        if (d->size < DESC_MIN_SIZE)
                return podrt_error_set(err, EMSGSIZE,
                                       "%s: descriptor too small (%u bytes, ABI %u.0 needs %zu)",
                                       where, d->size, PODRT_ABI_MAJOR, (size_t)DESC_MIN_SIZE);
        if (!d->name || !d->name[0])
                return podrt_error_set(err, EINVAL, "%s: descriptor has no name", where);

        /* The ops tables: each must at least hold its version and size. */
        const struct {
                const char *what;
                const void *ops;
        } tables[] = {
                { "pod", d->pod },
                { "container", d->container },
                { "hypervisor", d->hypervisor },
                { "network", d->network },
                { "storage", d->storage },
                { "hooks", d->hooks },
        };
        for (size_t i = 0; i < ELEMENTSOF(tables); i++) {
                if (!tables[i].ops)
                        continue;
                /* Every table has the same header: read it as the pod's. */
                uint32_t size = ((const struct podrt_pod_ops *)tables[i].ops)->size;
                if (size < OPS_HEADER_SIZE)
                        return podrt_error_set(err, EMSGSIZE,
                                               "%s: %s ops table too small (%u bytes, its header needs %zu)",
                                               where, tables[i].what, size,
                                               (size_t)OPS_HEADER_SIZE);
        }
        return 0;
}

/* Runs p's config_check and init (once) and records it as loaded. */
static int plugin_start(struct loader *l, struct plugin *p, struct podrt_error **err) {
        p->loader = l;
        p->host = (struct podrt_host) {
                .version = PODRT_HOST_VERSION,
                .size = sizeof(struct podrt_host),
                .plugin_name = p->name,
                .config = l->cfg,
                .state_dir = l->state_dir,
                .libexec_dir = l->libexec_dir,
                .log = host_log,
                .log_level = l->log_level,
                .logv = host_logv,
                .plugin_ops = host_plugin_ops,
        };

        if (p->desc->size >= offsetof(struct podrt_plugin, config_check) + sizeof(void *) &&
            p->desc->config_check) {
                int r = p->desc->config_check(l->cfg, 0, err);
                if (r < 0)
                        return plugin_result(p, "plugin", "config_check", r, err);
        }

        /* Room first, so that a plugin whose init ran is always finished. */
        struct plugin **w = realloc(l->loaded, (l->n_loaded + 1) * sizeof(*w));
        if (!w)
                return podrt_error_set(err, ENOMEM, "plugin '%s': out of memory", p->name);
        l->loaded = w;

        if (p->desc->init) {
                _cleanup_error_ struct podrt_error *e = NULL;
                void *data = NULL;
                int r = p->desc->init(&p->host, &data, &e);
                if (r < 0) {
                        if (!e)
                                podrt_error_set(&e, r, "init failed: %s", strerror(-r));
                        r = podrt_error_code(e);
                        return podrt_error_set(err, r, "plugin '%s': %s", p->name,
                                               podrt_error_message(e));
                }
                p->data = data;
        }
        p->initialized = true;
        /* init may have loaded other plugins (host->plugin_ops), using the
         * room made above: make sure of it again. */
        w = realloc(l->loaded, (l->n_loaded + 1) * sizeof(*w));
        if (!w) {
                if (p->desc->fini)
                        p->desc->fini(p->data);
                p->initialized = false;
                return podrt_error_set(err, ENOMEM, "plugin '%s': out of memory", p->name);
        }
        l->loaded = w;
        l->loaded[l->n_loaded++] = p;
        return 0;
}

int loader_add_builtin(struct loader *l, const struct podrt_plugin *desc,
                       struct podrt_error **err) {
        if (!desc)
                return podrt_error_set(err, EINVAL, "builtin plugin: no descriptor");

        const char *name = desc->size >= DESC_MIN_SIZE && desc->name ? desc->name : "?";
        _cleanup_free_ char *where = NULL;
        if (asprintf(&where, "builtin plugin '%s'", name) < 0)
                return podrt_error_set(err, ENOMEM, "builtin plugin: out of memory");

        int r = check_descriptor(desc, where, err);
        if (r < 0)
                return r;
        if (strchr(desc->name, '/'))
                return podrt_error_set(err, EINVAL, "%s: a name cannot contain '/'", where);
        if (find_builtin(l, desc->name) || find_loaded(l, desc->name))
                return podrt_error_set(err, EEXIST, "%s: a plugin of that name is already registered",
                                       where);

        _cleanup_(plugin_freep) struct plugin *p = calloc(1, sizeof(*p));
        if (!p)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", where);
        p->desc = desc;
        p->name = strdup(desc->name);
        p->path = strdup("(builtin)");
        if (!p->name || !p->path)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", where);
        if (push_plugin(&l->builtins, &l->n_builtins, p) < 0)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", where);
        TAKE_PTR(p);
        return 0;
}

static int check_world_writable(const char *path, struct podrt_error **err) {
        _cleanup_free_ char *dir = strdup(path);
        if (!dir)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", path);
        char *slash = strrchr(dir, '/');
        if (!slash)
                strcpy(dir, ".");
        else if (slash == dir)
                dir[1] = '\0';
        else
                *slash = '\0';

        struct stat st;
        if (stat(dir, &st) < 0)
                return podrt_error_set(err, errno, "%s: cannot check its directory %s: %m", path,
                                       dir);
        if (st.st_mode & S_IWOTH)
                return podrt_error_set(err, EPERM,
                                       "%s: its directory %s is world-writable, refusing to load it",
                                       path, dir);
        return 0;
}

/* Loads <dir>/<name>.so, known to exist.  Not registered anywhere yet. */
static int plugin_open(const char *path, const char *name, struct plugin **ret,
                       struct podrt_error **err) {
        struct stat st;
        if (stat(path, &st) < 0)
                return podrt_error_set(err, errno, "%s: %m", path);
        if (!S_ISREG(st.st_mode))
                return podrt_error_set(err, EBADF, "%s: not a regular file", path);
        if (st.st_mode & S_IWOTH)
                return podrt_error_set(err, EPERM, "%s: world-writable, refusing to load it",
                                       path);
        int r = check_world_writable(path, err);
        if (r < 0)
                return r;

        _cleanup_(plugin_freep) struct plugin *p = calloc(1, sizeof(*p));
        if (!p)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", path);
        p->name = strdup(name);
        p->path = strdup(path);
        if (!p->name || !p->path)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", path);

        dlerror();
        p->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!p->handle) {
                const char *why = dlerror();
                return podrt_error_set(err, ELIBBAD, "%s: cannot load: %s", path,
                                       why ? why : "unknown dlopen() error");
        }

        dlerror();
        podrt_plugin_entry_fn entry;
        entry = (podrt_plugin_entry_fn)dlsym(p->handle, PODRT_PLUGIN_ENTRY_SYMBOL);
        if (!entry)
                return podrt_error_set(err, ENOSYS, "%s: no %s symbol: not a podrt plugin",
                                       path, PODRT_PLUGIN_ENTRY_SYMBOL);
        p->desc = entry();
        if (!p->desc)
                return podrt_error_set(err, ENOSYS, "%s: %s() returned no descriptor", path,
                                       PODRT_PLUGIN_ENTRY_SYMBOL);

        r = check_descriptor(p->desc, path, err);
        if (r < 0)
                return r;
        if (strcmp(p->desc->name, name) != 0)
                return podrt_error_set(err, EEXIST,
                                       "%s: the plugin calls itself '%s', not '%s' as its file does",
                                       path, p->desc->name, name);

        *ret = TAKE_PTR(p);
        return 0;
}

/* Loads the plugin name from path (or returns the one loaded already from
 * that very file), and starts it. */
static int load_file(struct loader *l, const char *path, const char *name, struct plugin **ret,
                     struct podrt_error **err) {
        struct plugin *old = find_loaded(l, name);
        if (!old)
                old = find_builtin(l, name);
        if (old) {
                if (strcmp(old->path, path) != 0)
                        return podrt_error_set(err, EEXIST,
                                               "%s: a plugin named '%s' is already loaded from %s",
                                               path, name, old->path);
                *ret = old;
                return 0;
        }

        _cleanup_(plugin_freep) struct plugin *p = NULL;
        int r = plugin_open(path, name, &p, err);
        if (r < 0)
                return r;
        r = plugin_start(l, p, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

static int load_builtin(struct loader *l, struct plugin *p, struct plugin **ret,
                        struct podrt_error **err) {
        if (!find_loaded(l, p->name)) {
                int r = plugin_start(l, p, err);
                if (r < 0)
                        return r;
        }
        *ret = p;
        return 0;
}

static bool plugin_name_is_valid(const char *name) {
        return name && name[0] && !strchr(name, '/');
}

/* Loads name when it is a builtin or on the path; 0 with *ret NULL when
 * it is neither (and missing is fine). */
static int load_named(struct loader *l, const char *name, bool optional, struct plugin **ret,
                      struct podrt_error **err) {
        if (!plugin_name_is_valid(name))
                return podrt_error_set(err, EINVAL, "invalid plugin name '%s': %s",
                                       name ? name : "",
                                       name && name[0] ? "a name cannot contain '/'"
                                                       : "the name is empty");

        struct plugin *p = find_loaded(l, name);
        if (p) {
                *ret = p;
                return 0;
        }
        p = find_builtin(l, name);
        if (p)
                return load_builtin(l, p, ret, err);

        for (size_t i = 0; l->dirs[i]; i++) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s.so", l->dirs[i], name) < 0)
                        return podrt_error_set(err, ENOMEM, "plugin '%s': out of memory", name);
                struct stat st;
                if (stat(path, &st) < 0) {
                        if (errno == ENOENT || errno == ENOTDIR)
                                continue;
                        return podrt_error_set(err, errno, "%s: %m", path);
                }
                return load_file(l, path, name, ret, err);
        }
        if (optional) {
                *ret = NULL;
                return 0;
        }

        /* "plugin 'x' not found (searched: /a, /b)" */
        size_t len = 1;
        for (size_t i = 0; l->dirs[i]; i++)
                len += strlen(l->dirs[i]) + 2;
        _cleanup_free_ char *searched = calloc(1, len);
        if (!searched)
                return podrt_error_set(err, ENOMEM, "plugin '%s': out of memory", name);
        for (size_t i = 0; l->dirs[i]; i++) {
                if (i > 0)
                        strcat(searched, ", ");
                strcat(searched, l->dirs[i]);
        }
        return podrt_error_set(err, ENOENT, "plugin '%s' not found (searched: %s)", name,
                               l->dirs[0] ? searched : "no plugin directories");
}

int loader_load(struct loader *l, const char *name, struct plugin **ret,
                struct podrt_error **err) {
        return load_named(l, name, false, ret, err);
}

int loader_load_optional(struct loader *l, const char *name, struct plugin **ret,
                         struct podrt_error **err) {
        return load_named(l, name, true, ret, err);
}

static int is_plugin_file(const struct dirent *de) {
        size_t n = strlen(de->d_name);
        return de->d_name[0] != '.' && n > 3 && strcmp(de->d_name + n - 3, ".so") == 0;
}

int loader_scan(struct loader *l, loader_scan_fn fn, void *userdata, struct podrt_error **err) {
        int count = 0;
        /* The files refused so far, by plugin name: a later file of the same
         * name is never the one `--backend NAME` gets (the first on the path
         * is), so it is reported as shadowed, not loaded. */
        _cleanup_strv_free_ char **refused_names = NULL, **refused_paths = NULL;

        for (size_t i = 0; i < l->n_builtins; i++) {
                _cleanup_error_ struct podrt_error *e = NULL;
                struct plugin *p = NULL;
                int r = load_builtin(l, l->builtins[i], &p, &e);
                if (fn)
                        fn(l->builtins[i]->path, r < 0 ? NULL : p, e, userdata);
                count++;
        }

        for (size_t i = 0; l->dirs[i]; i++) {
                struct dirent **entries = NULL;
                int n = scandir(l->dirs[i], &entries, is_plugin_file, alphasort);
                if (n < 0) {
                        if (errno == ENOENT || errno == ENOTDIR)
                                continue;      /* a directory on the path that is not there */
                        /* A loop, a directory we may not read: reported, and
                         * the rest of the path still counts. */
                        _cleanup_error_ struct podrt_error *e = NULL;
                        podrt_error_set(&e, errno, "plugin directory %s: %m (skipped)", l->dirs[i]);
                        if (fn)
                                fn(l->dirs[i], NULL, e, userdata);
                        count++;
                        continue;
                }
                for (int j = 0; j < n; j++) {
                        _cleanup_free_ struct dirent *de = entries[j];
                        _cleanup_free_ char *name = strndup(de->d_name, strlen(de->d_name) - 3);
                        _cleanup_free_ char *path = NULL;
                        if (!name || asprintf(&path, "%s/%s", l->dirs[i], de->d_name) < 0) {
                                for (int k = j + 1; k < n; k++)
                                        free(entries[k]);
                                free(entries);
                                return podrt_error_set(err, ENOMEM, "plugin directory %s: out of memory",
                                                       l->dirs[i]);
                        }

                        _cleanup_error_ struct podrt_error *e = NULL;
                        struct plugin *p = NULL;
                        int r;
                        size_t k;
                        for (k = 0; refused_names && refused_names[k]; k++)
                                if (strcmp(refused_names[k], name) == 0)
                                        break;
                        if (refused_names && refused_names[k])
                                r = podrt_error_set(&e, EEXIST,
                                                    "%s: shadowed by %s, which comes first on the plugin path and is refused",
                                                    path, refused_paths[k]);
                        else {
                                r = load_file(l, path, name, &p, &e);
                                if (r < 0 && !find_loaded(l, name) &&
                                    (strv_push(&refused_names, name) < 0 ||
                                     strv_push(&refused_paths, path) < 0))
                                        r = podrt_error_set(err, ENOMEM, "out of memory");
                        }
                        if (fn)
                                fn(path, r < 0 ? NULL : p, e, userdata);
                        count++;
                }
                free(entries);
        }
        return count;
}

const struct podrt_plugin *plugin_desc(const struct plugin *p) {
        return p ? p->desc : NULL;
}

void *plugin_data(const struct plugin *p) {
        return p ? p->data : NULL;
}

const char *plugin_name(const struct plugin *p) {
        return p ? p->name : NULL;
}

const char *plugin_path(const struct plugin *p) {
        return p ? p->path : NULL;
}

int plugin_unsupported(const struct plugin *p, const char *what, const char *method,
                       struct podrt_error **err) {
        return podrt_error_set(err, EOPNOTSUPP, "plugin '%s' does not support %s.%s",
                               p ? p->name : "?", what, method);
}

static int host_plugin_ops(const struct podrt_host *host, const char *name, uint32_t kind,
                           const void **ret_ops, void **ret_data, struct podrt_error **err) {
        static const char *const kinds[] = { "pod", "container", "hypervisor", "network",
                                             "storage", "hook" };
        if (!host || !ret_ops || kind >= ELEMENTSOF(kinds))
                return podrt_error_set(err, EINVAL, "plugin_ops: invalid arguments");
        struct plugin *self = (struct plugin *)((char *)host - offsetof(struct plugin, host));
        struct plugin *q = NULL;
        int r = loader_load(self->loader, name, &q, err);
        if (r < 0)
                return r;
        const void *ops = kind == PODRT_OPS_POD          ? (const void *)plugin_pod_ops(q)
                          : kind == PODRT_OPS_CONTAINER  ? (const void *)plugin_container_ops(q)
                          : kind == PODRT_OPS_HYPERVISOR ? (const void *)plugin_hypervisor_ops(q)
                          : kind == PODRT_OPS_NETWORK    ? (const void *)plugin_network_ops(q)
                          : kind == PODRT_OPS_STORAGE    ? (const void *)plugin_storage_ops(q)
                                                         : (const void *)plugin_hook_ops(q);
        if (!ops)
                return podrt_error_set(err, EOPNOTSUPP, "plugin '%s' (%s) provides no %s ops",
                                       name, q->path, kinds[kind]);
        *ret_ops = ops;
        if (ret_data)
                *ret_data = q->data;
        return 0;
}

int plugin_result(const struct plugin *p, const char *what, const char *method, int r,
                  struct podrt_error **err) {
        if (r >= 0 || !err || *err)
                return r;
        return podrt_error_set(err, r, "plugin '%s' %s.%s: %s", p ? p->name : "?", what, method,
                               strerror(-r));
}

/* The descriptor's field, when its size covers it. */
#define DESC_FIELD(p, field)                                                        \
        ((p) && (p)->desc->size >= offsetof(struct podrt_plugin, field) +           \
                                           sizeof((p)->desc->field)                 \
                 ? (p)->desc->field                                                 \
                 : NULL)

const struct podrt_pod_ops *plugin_pod_ops(const struct plugin *p) {
        return DESC_FIELD(p, pod);
}

const struct podrt_container_ops *plugin_container_ops(const struct plugin *p) {
        return DESC_FIELD(p, container);
}

const struct podrt_hypervisor_ops *plugin_hypervisor_ops(const struct plugin *p) {
        return DESC_FIELD(p, hypervisor);
}

const struct podrt_network_ops *plugin_network_ops(const struct plugin *p) {
        return DESC_FIELD(p, network);
}

const struct podrt_storage_ops *plugin_storage_ops(const struct plugin *p) {
        return DESC_FIELD(p, storage);
}

const struct podrt_hook_ops *plugin_hook_ops(const struct plugin *p) {
        return DESC_FIELD(p, hooks);
}
