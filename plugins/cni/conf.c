/* SPDX-License-Identifier: Apache-2.0 */
/* The cni plugin's settings and the choice of a network's conflist.
 *
 * Settings live in the group `cni` (CONTRACTS.md §5), which the core leaves
 * to this plugin's config_check.
 *
 * Conflists are picked as libcni (podman, containerd) picks them: every
 * *.conflist, *.conf and *.json of each conf dir in turn, sorted by file
 * name, the first whose "name" is the network's. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni.h"
#include "fileio.h"
#include "macro.h"
#include "strv.h"

static const char *const default_conf_dirs[] = { "/etc/cni/net.d", NULL };
static const char *const default_plugin_dirs[] = { "/usr/lib/cni", "/usr/libexec/cni",
                                                   "/opt/cni/bin", NULL };

void cni_settings_free(struct cni_settings *s) {
        free(s->network);
        strv_free(s->conf_dirs);
        strv_free(s->plugin_dirs);
        *s = (struct cni_settings){ 0 };
}

static char **strings_or(const struct podrt_config *cfg, const char *path,
                         const char *const *fallback) {
        const char *const *v = podrt_config_strings(cfg, path);
        return strv_copy((char *const *)(v ? v : fallback));
}

int cni_settings_read(const struct podrt_config *cfg, struct cni_settings *ret,
                      struct podrt_error **err) {
        struct cni_settings s = { 0 };
        s.network = strdup(podrt_config_string(cfg, "cni.network", CNI_DEFAULT_NETWORK));
        s.conf_dirs = strings_or(cfg, "cni.conf_dirs", default_conf_dirs);
        s.plugin_dirs = strings_or(cfg, "cni.plugin_dirs", default_plugin_dirs);
        if (!s.network || !s.conf_dirs || !s.plugin_dirs) {
                cni_settings_free(&s);
                return podrt_error_set(err, ENOMEM, "out of memory");
        }
        *ret = s;
        return 0;
}

/* libcni's rule for a network's name. */
static bool network_name_ok(const char *s) {
        if (!s[0] || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
                       (s[0] >= '0' && s[0] <= '9')))
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                      (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
                        return false;
        return true;
}

static int check_dirs(const struct podrt_config *cfg, const char *path, struct podrt_error **err) {
        uint32_t kind = podrt_config_kind(cfg, path);
        if (kind == PODRT_CONFIG_ABSENT)
                return 0;
        if (kind != PODRT_CONFIG_LIST && kind != PODRT_CONFIG_STRING)
                return podrt_config_error(cfg, path, err, "must be a list of directories");
        const char *const *v = podrt_config_strings(cfg, path);
        if (!v)
                return podrt_config_error(cfg, path, err, "must be a list of strings");
        if (!v[0])
                return podrt_config_error(cfg, path, err, "must name at least one directory");
        for (size_t i = 0; v[i]; i++)
                if (v[i][0] != '/')
                        return podrt_config_error(cfg, path, err,
                                                  "must hold absolute paths, not '%s'", v[i]);
        return 0;
}

int cni_config_check(const struct podrt_config *cfg, uint64_t flags, struct podrt_error **err) {
        uint32_t kind = podrt_config_kind(cfg, "cni");
        if (kind == PODRT_CONFIG_ABSENT)
                return 0;
        if (kind != PODRT_CONFIG_GROUP)
                return podrt_config_error(cfg, "cni", err, "must be a group ({ ... })");
        const char *const *keys = podrt_config_keys(cfg, "cni");
        for (size_t i = 0; keys && keys[i]; i++)
                if (strcmp(keys[i], "network") != 0 && strcmp(keys[i], "conf_dirs") != 0 &&
                    strcmp(keys[i], "plugin_dirs") != 0) {
                        char path[128];
                        snprintf(path, sizeof(path), "cni.%s", keys[i]);
                        return podrt_config_error(cfg, path, err,
                                                  "unknown setting (network, conf_dirs or plugin_dirs)");
                }
        kind = podrt_config_kind(cfg, "cni.network");
        if (kind != PODRT_CONFIG_ABSENT) {
                const char *name = podrt_config_string(cfg, "cni.network", NULL);
                if (kind != PODRT_CONFIG_STRING || !name)
                        return podrt_config_error(cfg, "cni.network", err, "must be a string");
                if (!network_name_ok(name))
                        return podrt_config_error(cfg, "cni.network", err,
                                                  "'%s' is not a CNI network name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)",
                                                  name);
        }
        int r = check_dirs(cfg, "cni.conf_dirs", err);
        if (r < 0)
                return r;
        return check_dirs(cfg, "cni.plugin_dirs", err);
}

/* ---- conflists ---- */

static const char builtin[] =
        "{\n"
        "  \"cniVersion\": \"1.0.0\",\n"
        "  \"name\": \"podrt\",\n"
        "  \"plugins\": [\n"
        "    { \"type\": \"bridge\", \"bridge\": \"podrt0\", \"isGateway\": true, \"ipMasq\": true,\n"
        "      \"hairpinMode\": true,\n"
        "      \"ipam\": { \"type\": \"host-local\", \"routes\": [ { \"dst\": \"0.0.0.0/0\" } ],\n"
        "                \"ranges\": [ [ { \"subnet\": \"10.89.0.0/16\", \"gateway\": \"10.89.0.1\" } ] ] } },\n"
        "    { \"type\": \"portmap\", \"capabilities\": { \"portMappings\": true }, \"snat\": true },\n"
        "    { \"type\": \"firewall\" },\n"
        "    { \"type\": \"tuning\" }\n"
        "  ]\n"
        "}\n";

const char *cni_builtin_conflist(void) {
        return builtin;
}

void cni_conflist_done(struct cni_conflist *c) {
        if (c->json)
                json_object_put(c->json);
        free(c->source);
        *c = (struct cni_conflist){ 0 };
}

static const char *jstr(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

const char *cni_conflist_name(const struct cni_conflist *c) {
        return jstr(c->json, "name");
}

const char *cni_conflist_version(const struct cni_conflist *c) {
        return jstr(c->json, "cniVersion");
}

size_t cni_conflist_n_plugins(const struct cni_conflist *c) {
        json_object *p;
        return json_object_object_get_ex(c->json, "plugins", &p) ? json_object_array_length(p) : 0;
}

json_object *cni_conflist_plugin(const struct cni_conflist *c, size_t i) {
        json_object *p;
        if (!json_object_object_get_ex(c->json, "plugins", &p) || i >= json_object_array_length(p))
                return NULL;
        return json_object_array_get_idx(p, i);
}

const char *cni_plugin_type(json_object *plugin) {
        return plugin ? jstr(plugin, "type") : NULL;
}

/* The versions whose results podrt reads: 0.3.0 and later (0.1 and 0.2
 * had "ip4"/"ip6" results). */
static bool version_ok(const char *v) {
        static const char *const ok[] = { "0.3.0", "0.3.1", "0.4.0", "1.0.0", NULL };
        for (size_t i = 0; ok[i]; i++)
                if (strcmp(v, ok[i]) == 0)
                        return true;
        return false;
}

int cni_conflist_parse(const char *text, const char *source, bool single,
                       struct cni_conflist *ret, struct podrt_error **err) {
        enum json_tokener_error jerr = json_tokener_success;
        json_object *o = json_tokener_parse_verbose(text, &jerr);
        if (!o)
                return podrt_error_set(err, EINVAL, "cni: %s: not JSON: %s", source,
                                       json_tokener_error_desc(jerr));
        struct cni_conflist c = { .json = o };
        int r = 0;
        if (!json_object_is_type(o, json_type_object)) {
                r = podrt_error_set(err, EINVAL, "cni: %s: not a JSON object", source);
                goto fail;
        }
        const char *name = jstr(o, "name"), *version = jstr(o, "cniVersion");
        if (!name || !network_name_ok(name)) {
                r = podrt_error_set(err, EINVAL, "cni: %s: no valid \"name\"", source);
                goto fail;
        }
        if (!version) {
                r = podrt_error_set(err, EINVAL, "cni: %s: no \"cniVersion\"", source);
                goto fail;
        }
        if (!version_ok(version)) {
                r = podrt_error_set(err, ENOTSUP,
                                    "cni: %s: cniVersion %s is not supported (0.3.0 to 1.0.0)",
                                    source, version);
                goto fail;
        }
        json_object *v;
        if (single && !jstr(o, "type") && json_object_object_get_ex(o, "plugins", &v))
                single = false;   /* a conflist in a .conf or .json file */
        if (single) {
                /* A .conf file: one plugin, its conflist made around it. */
                json_object *list = json_object_new_object(), *plugins = json_object_new_array();
                json_object_object_add(list, "cniVersion", json_object_new_string(version));
                json_object_object_add(list, "name", json_object_new_string(name));
                json_object_array_add(plugins, json_object_get(o));
                json_object_object_add(list, "plugins", plugins);
                json_object_put(o);
                c.json = list;
        }
        json_object *plugins;
        if (!json_object_object_get_ex(c.json, "plugins", &plugins) ||
            !json_object_is_type(plugins, json_type_array) || json_object_array_length(plugins) == 0) {
                r = podrt_error_set(err, EINVAL, "cni: %s: \"plugins\" must be a non-empty array",
                                    source);
                goto fail;
        }
        for (size_t i = 0; i < json_object_array_length(plugins); i++) {
                json_object *p = json_object_array_get_idx(plugins, i);
                const char *type = json_object_is_type(p, json_type_object) ? jstr(p, "type") : NULL;
                if (!type || !type[0] || strchr(type, '/') || strcmp(type, ".") == 0 ||
                    strcmp(type, "..") == 0) {
                        r = podrt_error_set(err, EINVAL,
                                            "cni: %s: plugins[%zu]: \"type\" must be a plugin's name",
                                            source, i);
                        goto fail;
                }
        }
        c.source = strdup(source);
        if (!c.source) {
                r = podrt_error_set(err, ENOMEM, "out of memory");
                goto fail;
        }
        *ret = c;
        return 0;
fail:
        cni_conflist_done(&c);
        return r;
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), k = strlen(suffix);
        return n > k && strcmp(s + n - k, suffix) == 0;
}

static int compare_names(const void *a, const void *b) {
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The conf files of dir, sorted; an absent dir has none. */
static int conf_files(const char *dir, char ***ret) {
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        DIR *d = opendir(dir);
        if (d) {
                struct dirent *de;
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.' &&
                            (has_suffix(de->d_name, ".conflist") || has_suffix(de->d_name, ".conf") ||
                             has_suffix(de->d_name, ".json")) &&
                            strv_push(&v, de->d_name) < 0) {
                                closedir(d);
                                return -ENOMEM;
                        }
                closedir(d);
        }
        qsort(v, strv_length(v), sizeof(char *), compare_names);
        *ret = TAKE_PTR(v);
        return 0;
}

int cni_conflist_find(char *const *dirs, const char *name, struct cni_conflist *ret,
                      char ***ret_skipped, struct podrt_error **err) {
        for (size_t i = 0; dirs && dirs[i]; i++) {
                _cleanup_strv_free_ char **files = NULL;
                if (conf_files(dirs[i], &files) < 0)
                        return podrt_error_set(err, ENOMEM, "out of memory");
                for (size_t j = 0; files[j]; j++) {
                        _cleanup_free_ char *path = path_join(dirs[i], files[j]), *text = NULL;
                        if (!path)
                                return podrt_error_set(err, ENOMEM, "out of memory");
                        struct podrt_error *e = NULL;
                        struct cni_conflist c = { 0 };
                        int r = read_file(path, 1 << 20, &text, NULL);
                        if (r < 0)
                                podrt_error_set(&e, -r, "cni: %s: %s", path, strerror(-r));
                        else
                                r = cni_conflist_parse(text, path, !has_suffix(path, ".conflist"),
                                                       &c, &e);
                        if (r < 0) {
                                const char *m = podrt_error_message(e);
                                if (ret_skipped)
                                        strv_push(ret_skipped, strncmp(m, "cni: ", 5) == 0 ? m + 5 : m);
                                podrt_error_free(e);
                                continue;
                        }
                        if (strcmp(cni_conflist_name(&c), name) == 0) {
                                *ret = c;
                                return 0;
                        }
                        cni_conflist_done(&c);
                }
        }
        if (strcmp(name, CNI_DEFAULT_NETWORK) == 0)
                return cni_conflist_parse(builtin, "(built-in)", false, ret, err);
        _cleanup_free_ char *list = strv_join(dirs, ", ");
        if (!list)
                return podrt_error_set(err, ENOMEM, "out of memory");
        return podrt_error_set(err, ENOENT, "cni: no conflist names the network '%s' (searched: %s)",
                               name, list);
}
