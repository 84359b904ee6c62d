/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration: a libconfig file, validated (config-validate.c), looked
 * up before the embedded defaults (CONTRACTS.md §3); the accessors of
 * <podrt/config.h>, those for plugins' config_check included. */
#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"

/* A configuration file is a few lines: more is a mistake (a log, a
 * binary), and libconfig takes seconds on megabytes. */
#define CONFIG_FILE_MAX (256u << 10)
#include "config-validate.h"
#include "errors.h"
#include "podrt-build.h"
#include "strv.h"

/* The embedded defaults: the core's own settings.  A plugin's section (oci,
 * nspawn, kvm, hooks, plugins.NAME) has its defaults in the plugin, which
 * reads each setting with its own fallback. */
static const char default_text[] =
        "backend = \"oci\";\n"
        "state_dir = \"" PODRT_STATE_DIR "\";\n"
        "plugin_path = [ \"" PODRT_PLUGINDIR "\" ];\n"
        "network = \"none\";\n"
        "storage = \"dir\";\n"
        "log_level = \"warning\";\n"
        "log_size_max = \"16Mi\";\n"
        "images = { dir = \"/var/lib/podrt/images\"; };\n"
        "plugins = { };\n";

/* Vectors handed out by podrt_config_strings(), kept until the config is
 * freed so that the pointers stay valid. */
struct strv_cache {
        char *path;
        char **strv;
        struct strv_cache *next;
};

struct podrt_config {
        config_t defaults;
        config_t file;
        bool have_file;
        char *source;             /* the file's name, or "(defaults)" */
        char **plugin_path;       /* $PODRT_PLUGIN_PATH, then plugin_path */
        pthread_mutex_t lock;     /* guards cache */
        struct strv_cache *cache;
};

/* ---- loading ---- */

static struct podrt_config *config_new(void) {
        struct podrt_config *cfg = calloc(1, sizeof(*cfg));
        if (!cfg)
                return NULL;
        config_init(&cfg->defaults);
        config_init(&cfg->file);
        pthread_mutex_init(&cfg->lock, NULL);
        return cfg;
}

struct podrt_config *config_free(struct podrt_config *cfg) {
        if (!cfg)
                return NULL;
        config_destroy(&cfg->defaults);
        config_destroy(&cfg->file);
        free(cfg->source);
        strv_free(cfg->plugin_path);
        for (struct strv_cache *c = cfg->cache, *next; c; c = next) {
                next = c->next;
                free(c->path);
                strv_free(c->strv);
                free(c);
        }
        pthread_mutex_destroy(&cfg->lock);
        free(cfg);
        return NULL;
}

/* config_lookup() of path, where an element of a list may also be written
 * "hooks.dirs[1]" (libconfig itself wants "hooks.dirs.[1]"). */
static config_setting_t *find_setting(const config_t *c, const char *path) {
        if (!strchr(path, '['))
                return config_lookup(c, path);
        size_t n = strlen(path);
        _cleanup_free_ char *p = malloc(2 * n + 1);
        if (!p)
                return NULL;
        char *o = p;
        for (size_t i = 0; i < n; i++) {
                if (path[i] == '[' && i > 0 && path[i - 1] != '.')
                        *o++ = '.';
                *o++ = path[i];
        }
        *o = '\0';
        return config_lookup(c, p);
}

/* The strings at path in one libconfig tree: NULL when absent (or not
 * strings), else a new vector (possibly empty). */
static int strings_at(const config_t *c, const char *path, char ***ret) {
        const config_setting_t *s = find_setting(c, path);
        if (!s)
                return 0;
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        int type = config_setting_type(s);
        if (type == CONFIG_TYPE_STRING) {
                if (strv_push(&v, config_setting_get_string(s)) < 0)
                        return -ENOMEM;
        } else if (type == CONFIG_TYPE_LIST || type == CONFIG_TYPE_ARRAY) {
                for (int i = 0; i < config_setting_length(s); i++) {
                        const config_setting_t *e = config_setting_get_elem(s, i);
                        if (config_setting_type(e) != CONFIG_TYPE_STRING)
                                return 0;
                        if (strv_push(&v, config_setting_get_string(e)) < 0)
                                return -ENOMEM;
                }
        } else
                return 0;
        *ret = TAKE_PTR(v);
        return 1;
}

/* The setting at path: the file's, else the default. */
static const config_setting_t *lookup(const struct podrt_config *cfg, const char *path) {
        if (!cfg || !path)
                return NULL;
        const config_setting_t *s = NULL;
        if (cfg->have_file)
                s = find_setting(&cfg->file, path);
        if (!s)
                s = find_setting(&cfg->defaults, path);
        return s;
}

static int build_plugin_path(struct podrt_config *cfg) {
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        const char *env = secure_getenv("PODRT_PLUGIN_PATH");
        if (env) {
                _cleanup_free_ char *copy = strdup(env);
                if (!copy)
                        return -ENOMEM;
                char *save = NULL;
                for (char *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save))
                        if (strv_push(&v, p) < 0)
                                return -ENOMEM;
        }
        _cleanup_strv_free_ char **conf = NULL;
        int r = 0;
        if (cfg->have_file)
                r = strings_at(&cfg->file, "plugin_path", &conf);
        if (r == 0)
                r = strings_at(&cfg->defaults, "plugin_path", &conf);
        if (r < 0)
                return r;
        for (size_t i = 0; conf && conf[i]; i++)
                if (strv_push(&v, conf[i]) < 0)
                        return -ENOMEM;
        cfg->plugin_path = TAKE_PTR(v);
        return 0;
}

/* A new config holding the defaults; source and file are left to the
 * caller. */
static int config_with_defaults(struct podrt_config **ret, struct podrt_error **err) {
        _cleanup_(config_freep) struct podrt_config *cfg = config_new();
        if (!cfg)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if (!config_read_string(&cfg->defaults, default_text))
                return podrt_error_set(err, EINVAL, "embedded defaults:%d: %s",
                                       config_error_line(&cfg->defaults),
                                       config_error_text(&cfg->defaults));
        *ret = TAKE_PTR(cfg);
        return 0;
}

int config_defaults(struct podrt_config **ret, struct podrt_error **err) {
        _cleanup_(config_freep) struct podrt_config *cfg = NULL;
        int r = config_with_defaults(&cfg, err);
        if (r < 0)
                return r;
        cfg->source = strdup("(defaults)");
        if (!cfg->source || build_plugin_path(cfg) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        *ret = TAKE_PTR(cfg);
        return 0;
}

int config_load(const char *path, struct podrt_config **ret, struct podrt_error **err) {
        bool asked = true;
        if (!path) {
                const char *env = secure_getenv("PODRT_CONFIG");
                if (env && env[0])
                        path = env;
                else {
                        path = PODRT_CONFIG_FILE;
                        asked = false;
                }
        }
        if (path[0] == '\0')
                return podrt_error_set(err, EINVAL, "configuration file: empty file name");

        /* O_NONBLOCK: a FIFO (or a device) given as the file must never
         * block; only a regular file of a bounded size is read. */
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                if (!asked && (errno == ENOENT || errno == ENOTDIR))
                        return config_defaults(ret, err);
                return podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
                return podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
        if (S_ISDIR(st.st_mode))
                return podrt_error_set(err, EISDIR, "%s: %s", path, strerror(EISDIR));
        if (!S_ISREG(st.st_mode))
                return podrt_error_set(err, EINVAL, "%s: not a regular file", path);
        if (st.st_size > CONFIG_FILE_MAX)
                return podrt_error_set(err, EFBIG, "%s: larger than %u KiB, not a configuration file",
                                       path, CONFIG_FILE_MAX >> 10);
        (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);

        _cleanup_(config_freep) struct podrt_config *cfg = NULL;
        int r = config_with_defaults(&cfg, err);
        if (r < 0)
                return r;

        _cleanup_fclose_ FILE *f = fdopen(fd, "r");
        if (!f)
                return podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
        TAKE_FD(fd);

        /* @include "x" is relative to the file's folder. */
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return podrt_error_set(err, ENOMEM, "out of memory");
        config_set_include_dir(&cfg->file, dirname(copy));

        if (!config_read(&cfg->file, f)) {
                const char *file = config_error_file(&cfg->file);
                if (config_error_type(&cfg->file) == CONFIG_ERR_FILE_IO)
                        return podrt_error_set(err, EIO, "%s: %s", file ? file : path,
                                               config_error_text(&cfg->file));
                return podrt_error_set(err, EINVAL, "%s:%d: %s", file ? file : path,
                                       config_error_line(&cfg->file),
                                       config_error_text(&cfg->file));
        }
        cfg->have_file = true;

        r = config_validate(config_root_setting(&cfg->file), path, err);
        if (r < 0)
                return r;

        cfg->source = strdup(path);
        if (!cfg->source || build_plugin_path(cfg) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        *ret = TAKE_PTR(cfg);
        return 0;
}

const char *const *config_plugin_path(const struct podrt_config *cfg) {
        static const char *const empty[] = { NULL };
        if (!cfg || !cfg->plugin_path)
                return empty;
        return (const char *const *)cfg->plugin_path;
}

char **config_plugin_sections(const struct podrt_config *cfg) {
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return NULL;
        if (!cfg || !cfg->have_file)
                return TAKE_PTR(v);
        const config_setting_t *root = config_root_setting(&cfg->file);
        for (int i = 0; i < config_setting_length(root); i++) {
                const config_setting_t *s = config_setting_get_elem(root, i);
                const char *name = config_setting_name(s);
                if (config_setting_type(s) != CONFIG_TYPE_GROUP)
                        continue;
                if (!config_core_key(name)) {
                        if (strv_push(&v, name) < 0)
                                return NULL;
                        continue;
                }
                if (strcmp(name, "plugins") != 0)
                        continue;
                for (int j = 0; j < config_setting_length(s); j++) {
                        char *p = NULL;
                        if (asprintf(&p, "plugins.%s",
                                     config_setting_name(config_setting_get_elem(s, j))) < 0)
                                return NULL;
                        if (strv_consume(&v, p) < 0) {
                                free(p);
                                return NULL;
                        }
                }
        }
        return TAKE_PTR(v);
}

/* ---- the public accessors ---- */

const char *podrt_config_string(const struct podrt_config *cfg, const char *path,
                                const char *fallback) {
        const config_setting_t *s = lookup(cfg, path);
        if (!s || config_setting_type(s) != CONFIG_TYPE_STRING)
                return fallback;
        return config_setting_get_string(s);
}

int64_t podrt_config_int(const struct podrt_config *cfg, const char *path, int64_t fallback) {
        const config_setting_t *s = lookup(cfg, path);
        if (!s)
                return fallback;
        int type = config_setting_type(s);
        if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
                return fallback;
        return config_setting_get_int64(s);
}

bool podrt_config_bool(const struct podrt_config *cfg, const char *path, bool fallback) {
        const config_setting_t *s = lookup(cfg, path);
        if (!s || config_setting_type(s) != CONFIG_TYPE_BOOL)
                return fallback;
        return config_setting_get_bool(s);
}

/* The cached vector for key, or NULL (c->lock held). */
static const char *const *cache_find(struct podrt_config *c, const char *key) {
        for (struct strv_cache *e = c->cache; e; e = e->next)
                if (strcmp(e->path, key) == 0)
                        return (const char *const *)e->strv;
        return NULL;
}

/* Caches v under key, taking both (c->lock held): v, or NULL (both freed)
 * when either is NULL or memory runs out. */
static const char *const *cache_add(struct podrt_config *c, char *key, char **v) {
        struct strv_cache *e = key && v ? calloc(1, sizeof(*e)) : NULL;
        if (!e) {
                free(key);
                strv_free(v);
                return NULL;
        }
        e->path = key;
        e->strv = v;
        e->next = c->cache;
        c->cache = e;
        return (const char *const *)v;
}

const char *const *podrt_config_strings(const struct podrt_config *cfg, const char *path) {
        if (!cfg || !path)
                return NULL;
        /* The cache belongs to the config; handing out vectors does not
         * change what the configuration says. */
        struct podrt_config *c = (struct podrt_config *)cfg;

        pthread_mutex_lock(&c->lock);
        const char *const *result = cache_find(c, path);
        if (!result) {
                char **v = NULL;
                int r;
                if (c->have_file && find_setting(&c->file, path))
                        r = strings_at(&c->file, path, &v);
                else
                        r = strings_at(&c->defaults, path, &v);
                if (r > 0)
                        result = cache_add(c, strdup(path), v);
        }
        pthread_mutex_unlock(&c->lock);
        return result;
}

int podrt_config_is_set(const struct podrt_config *cfg, const char *path) {
        if (!cfg || !path || !cfg->have_file)
                return 0;
        return find_setting(&cfg->file, path) ? 1 : 0;
}

const char *podrt_config_source(const struct podrt_config *cfg) {
        return cfg && cfg->source ? cfg->source : "(defaults)";
}

/* ---- for plugins' config_check (ABI 1.1) ---- */

uint32_t podrt_config_kind(const struct podrt_config *cfg, const char *path) {
        const config_setting_t *s = lookup(cfg, path);
        if (!s)
                return PODRT_CONFIG_ABSENT;
        switch (config_setting_type(s)) {
        case CONFIG_TYPE_STRING: return PODRT_CONFIG_STRING;
        case CONFIG_TYPE_INT:
        case CONFIG_TYPE_INT64: return PODRT_CONFIG_INT;
        case CONFIG_TYPE_BOOL: return PODRT_CONFIG_BOOL;
        case CONFIG_TYPE_FLOAT: return PODRT_CONFIG_FLOAT;
        case CONFIG_TYPE_LIST:
        case CONFIG_TYPE_ARRAY: return PODRT_CONFIG_LIST;
        case CONFIG_TYPE_GROUP: return PODRT_CONFIG_GROUP;
        default: return PODRT_CONFIG_ABSENT;
        }
}

const char *const *podrt_config_keys(const struct podrt_config *cfg, const char *path) {
        if (!cfg || !path || !cfg->have_file)
                return NULL;
        const config_setting_t *g = find_setting(&cfg->file, path);
        if (!g || config_setting_type(g) != CONFIG_TYPE_GROUP)
                return NULL;
        _cleanup_free_ char *key = NULL;
        if (asprintf(&key, "\001keys\001%s", path) < 0)
                return NULL;
        struct podrt_config *c = (struct podrt_config *)cfg;
        pthread_mutex_lock(&c->lock);
        const char *const *result = cache_find(c, key);
        if (!result) {
                char **v = calloc(1, sizeof(char *));
                for (int i = 0; v && i < config_setting_length(g); i++)
                        if (strv_push(&v, config_setting_name(config_setting_get_elem(g, i))) < 0)
                                v = strv_free(v);
                result = cache_add(c, TAKE_PTR(key), v);
        }
        pthread_mutex_unlock(&c->lock);
        return result;
}

int podrt_config_error(const struct podrt_config *cfg, const char *path, struct podrt_error **err,
                       const char *fmt, ...) {
        _cleanup_free_ char *text = FORMAT_ARGS(fmt);
        if (!text)
                return podrt_error_set(err, ENOMEM, "out of memory");
        /* The setting's place in the file, else its closest group's. */
        const config_setting_t *s = NULL;
        _cleanup_free_ char *p = path ? strdup(path) : NULL;
        while (cfg && cfg->have_file && p && *p && !(s = find_setting(&cfg->file, p))) {
                /* "a.b[2]" -> "a.b" -> "a" */
                char *dot = strrchr(p, '.'), *bracket = strrchr(p, '[');
                char *cut = bracket && (!dot || bracket > dot) ? bracket : dot;
                if (!cut)
                        break;
                *cut = '\0';
        }
        const char *file = s ? config_setting_source_file(s) : NULL;
        if (!file)
                file = podrt_config_source(cfg);
        if (s && config_setting_source_line(s) > 0)
                return podrt_error_set(err, EINVAL, "%s:%u: %s: %s", file,
                                       config_setting_source_line(s), path, text);
        return podrt_error_set(err, EINVAL, "%s: %s: %s", file, path ? path : "", text);
}
