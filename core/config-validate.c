/* SPDX-License-Identifier: Apache-2.0 */
/* The settings the core owns (backend, state_dir, plugin_path, network,
 * storage, log_level, plugins) and what each must be.  Every other
 * top-level group of a file is a plugin's section, which the plugin's
 * config_check validates when it is loaded. */
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-validate.h"
#include "errors.h"
#include "quantity.h"

enum kind {
        KIND_STRING,
        KIND_STRINGS,       /* a list or array of strings, or one string */
        KIND_PLUGIN_GROUPS, /* a group of groups, free-form inside */
        KIND_IMAGES,        /* images = { dir = "/abs"; } */
};

struct where {
        const char *file;   /* the file being read, for settings without one */
        struct podrt_error **err;
};

typedef int (*check_fn)(const struct where *w, const config_setting_t *s, const char *key,
                        const char *value);

struct known {
        const char *key;
        enum kind kind;
        check_fn check;     /* for strings, called on each string value */
};

PODRT_PRINTF(3, 4)
static int fail_at(const struct where *w, const config_setting_t *s, const char *fmt, ...) {
        _cleanup_free_ char *text = FORMAT_ARGS(fmt);
        if (!text)
                return podrt_error_set(w->err, ENOMEM, "out of memory");
        const char *file = config_setting_source_file(s);
        return podrt_error_set(w->err, EINVAL, "%s:%u: %s", file ? file : w->file,
                               config_setting_source_line(s), text);
}

static int one_of(const struct where *w, const config_setting_t *s, const char *key,
                  const char *value, const char *const *allowed) {
        for (size_t i = 0; allowed[i]; i++)
                if (strcmp(value, allowed[i]) == 0)
                        return 0;
        char list[256] = "";
        for (size_t i = 0; allowed[i]; i++) {
                if (i > 0)
                        strncat(list, ", ", sizeof(list) - strlen(list) - 1);
                strncat(list, allowed[i], sizeof(list) - strlen(list) - 1);
        }
        return fail_at(w, s, "%s: must be one of %s, not '%s'", key, list, value);
}

static int check_log_level(const struct where *w, const config_setting_t *s, const char *key,
                           const char *value) {
        static const char *const levels[] = { "err", "warning", "notice", "info", "debug", NULL };
        return one_of(w, s, key, value, levels);
}

static int check_absolute(const struct where *w, const config_setting_t *s, const char *key,
                          const char *value) {
        if (value[0] != '/')
                return fail_at(w, s, "%s: must be an absolute path, not '%s'", key, value);
        return 0;
}

/* A log size: a memory quantity of at least 4 KiB ("16Mi", "1G"), or "0"
 * for no limit. */
static int check_log_size(const struct where *w, const config_setting_t *s, const char *key,
                          const char *value) {
        int64_t bytes;
        if (strcmp(value, "0") == 0)
                return 0;
        if (parse_memory(value, &bytes) < 0 || bytes < 4096)
                return fail_at(w, s, "%s: must be a size of at least 4Ki (\"16Mi\", \"1G\") or \"0\" for no limit, not '%s'",
                               key, value);
        return 0;
}

/* A plugin's name, as the loader takes it: [a-z0-9][a-z0-9_-]*. */
static int check_plugin_name(const struct where *w, const config_setting_t *s, const char *key,
                             const char *value) {
        bool ok = value[0] != '\0' && value[0] != '-' && value[0] != '_';
        for (const char *p = value; ok && *p; p++)
                ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                     *p == '_';
        if (!ok)
                return fail_at(w, s, "%s: '%s' is not a plugin name ([a-z0-9][a-z0-9_-]*)", key,
                               value);
        return 0;
}

static const struct known known_settings[] = {
        { "backend", KIND_STRING, check_plugin_name },
        { "state_dir", KIND_STRING, check_absolute },
        { "plugin_path", KIND_STRINGS, check_absolute },
        { "network", KIND_STRING, check_plugin_name },
        { "storage", KIND_STRING, check_plugin_name },
        { "log_level", KIND_STRING, check_log_level },
        { "log_size_max", KIND_STRING, check_log_size },
        { "plugins", KIND_PLUGIN_GROUPS, NULL },
        { "images", KIND_IMAGES, check_absolute },
};

static const struct known *find_known(const char *key) {
        for (size_t i = 0; i < ELEMENTSOF(known_settings); i++)
                if (strcmp(known_settings[i].key, key) == 0)
                        return &known_settings[i];
        return NULL;
}

static int validate_setting(const struct where *w, const config_setting_t *s, const char *key) {
        const struct known *k = find_known(key);
        int type = config_setting_type(s);
        if (!k) {
                /* A group the core does not own is a plugin's section
                 * (oci, nspawn, hooks, ...): the plugin's config_check
                 * validates it when the plugin is loaded. */
                if (type == CONFIG_TYPE_GROUP)
                        return 0;
                return fail_at(w, s, "unknown setting '%s'", key);
        }

        switch (k->kind) {
        case KIND_PLUGIN_GROUPS:
                if (type != CONFIG_TYPE_GROUP)
                        return fail_at(w, s, "%s: must be a group ({ ... })", key);
                for (int i = 0; i < config_setting_length(s); i++) {
                        const config_setting_t *m = config_setting_get_elem(s, i);
                        if (config_setting_type(m) != CONFIG_TYPE_GROUP)
                                return fail_at(w, m, "%s.%s: must be a group ({ ... })", key,
                                               config_setting_name(m));
                }
                return 0;

        case KIND_IMAGES:
                if (type != CONFIG_TYPE_GROUP)
                        return fail_at(w, s, "%s: must be a group ({ dir = \"/var/lib/podrt/images\"; })", key);
                for (int i = 0; i < config_setting_length(s); i++) {
                        const config_setting_t *m = config_setting_get_elem(s, i);
                        if (strcmp(config_setting_name(m), "dir") != 0)
                                return fail_at(w, m, "%s: unknown setting '%s'", key, config_setting_name(m));
                        if (config_setting_type(m) != CONFIG_TYPE_STRING)
                                return fail_at(w, m, "%s.dir: must be a string", key);
                        int r = check_absolute(w, m, "images.dir", config_setting_get_string(m));
                        if (r < 0)
                                return r;
                }
                return 0;

        case KIND_STRING:
                if (type != CONFIG_TYPE_STRING)
                        return fail_at(w, s, "%s: must be a string", key);
                return k->check ? k->check(w, s, key, config_setting_get_string(s)) : 0;

        case KIND_STRINGS:
                if (type == CONFIG_TYPE_STRING)
                        return k->check ? k->check(w, s, key, config_setting_get_string(s)) : 0;
                if (type != CONFIG_TYPE_LIST && type != CONFIG_TYPE_ARRAY)
                        return fail_at(w, s, "%s: must be a list of strings", key);
                for (int i = 0; i < config_setting_length(s); i++) {
                        const config_setting_t *e = config_setting_get_elem(s, i);
                        char name[128];
                        snprintf(name, sizeof(name), "%s[%d]", key, i);
                        if (config_setting_type(e) != CONFIG_TYPE_STRING)
                                return fail_at(w, e, "%s: must be a string", name);
                        if (k->check) {
                                int r = k->check(w, e, name, config_setting_get_string(e));
                                if (r < 0)
                                        return r;
                        }
                }
                return 0;
        }
        return 0;
}

bool config_core_key(const char *name) {
        return find_known(name) != NULL;
}

int config_validate(const config_setting_t *root, const char *file, struct podrt_error **err) {
        struct where w = { .file = file, .err = err };
        for (int i = 0; i < config_setting_length(root); i++) {
                const config_setting_t *s = config_setting_get_elem(root, i);
                int r = validate_setting(&w, s, config_setting_name(s));
                if (r < 0)
                        return r;
        }
        return 0;
}
