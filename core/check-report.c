/* SPDX-License-Identifier: Apache-2.0 */
/* The `podrt check` report: the host's facts, one section per installed
 * plugin that has a check method (or that failed to load: its refusal),
 * and the configuration's sections no installed plugin reads.  And its
 * human-readable form. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conf.h"
#include "errors.h"
#include "strv.h"

struct scan {
        struct json_object *sections;
        char **names;          /* every plugin found, loaded or refused */
        int r;
};

/* The plugin's own name, or its file's ("/a/b/oci.so" -> "oci"). */
static char *name_of(const char *path, const struct plugin *p) {
        if (p)
                return strdup(plugin_name(p));
        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        size_t n = strlen(base);
        return strndup(base, n > 3 && strcmp(base + n - 3, ".so") == 0 ? n - 3 : n);
}

/* The plugin's check method, when its descriptor's size covers it. */
static int (*check_method(const struct plugin *p))(void *, struct podrt_check *, uint64_t,
                                                    struct podrt_error **) {
        const struct podrt_plugin *d = plugin_desc(p);
        if (!d || d->size < offsetof(struct podrt_plugin, check) + sizeof(d->check))
                return NULL;
        return d->check;
}

static int section_of(const char *path, const struct plugin *p, const struct podrt_error *error,
                      const char *name, struct json_object **ret) {
        *ret = NULL;
        if (p && !check_method(p))
                return 0;     /* nothing to say about the host */
        _cleanup_(check_section_freep) struct podrt_check *c =
                check_section_new(name, strcmp(path, "(builtin)") == 0 ? NULL : path);
        if (!c)
                return -ENOMEM;
        int r;
        if (!p)
                r = podrt_check_add(c, "plugin", 0, "%s",
                                    error ? podrt_error_message(error) : "refused");
        else {
                _cleanup_error_ struct podrt_error *e = NULL;
                r = check_method(p)(plugin_data(p), c, 0, &e);
                if (r < 0) {
                        plugin_result(p, "plugin", "check", r, &e);
                        r = podrt_check_add(c, "check", 0, "%s", podrt_error_message(e));
                }
        }
        if (r < 0)
                return r;
        *ret = check_section_finish(TAKE_PTR(c));
        if (!*ret)
                return -ENOMEM;
        /* What it is, for people: a backend (pod ops), or another plugin
         * (a network, a hypervisor, a storage); unknown when refused. */
        json_object_object_add(*ret, "kind", json_object_new_string(
                                       !p || plugin_pod_ops(p) ? "backend" : "plugin"));
        return 0;
}

static void scan_cb(const char *path, const struct plugin *p, const struct podrt_error *error,
                    void *userdata) {
        struct scan *s = userdata;
        if (s->r < 0)
                return;
        _cleanup_free_ char *name = name_of(path, p);
        struct json_object *section = NULL;
        /* A second file of a plugin found earlier on the path (loaded, or
         * shadowed) is not that plugin's state: `podrt plugins` shows it. */
        if (name && !p && error && podrt_error_code(error) == EEXIST && strv_contains(s->names, name))
                return;
        if (!name || strv_push(&s->names, name) < 0) {
                s->r = -ENOMEM;
                return;
        }
        s->r = section_of(path, p, error, name, &section);
        if (section && json_object_array_add(s->sections, section) < 0) {
                json_object_put(section);
                s->r = -ENOMEM;
        }
}

/* A note for each section of the configuration that no plugin found
 * claims: a typo in a group's name must not pass silently. */
static int unclaimed_notes(const struct podrt_config *cfg, char *const *names,
                           struct json_object *notes) {
        _cleanup_strv_free_ char **sections = config_plugin_sections(cfg);
        if (!sections)
                return -ENOMEM;
        for (size_t i = 0; sections[i]; i++) {
                const char *plugin = strncmp(sections[i], "plugins.", 8) == 0 ? sections[i] + 8
                                                                              : sections[i];
                if (strv_contains(names, plugin))
                        continue;
                _cleanup_error_ struct podrt_error *e = NULL;
                podrt_config_error(cfg, sections[i], &e, "no installed plugin '%s' reads this section",
                                   plugin);
                struct json_object *n = json_object_new_string(podrt_error_message(e));
                if (!n || json_object_array_add(notes, n) < 0) {
                        json_object_put(n);
                        return -ENOMEM;
                }
        }
        return 0;
}

static int add(struct json_object *o, const char *key, struct json_object *value) {
        if (!value || json_object_object_add(o, key, value) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 0;
}

int check_report(struct loader *l, const struct podrt_config *cfg, struct json_object **ret,
                 struct podrt_error **err) {
        struct scan s = { .sections = json_object_new_array(), .names = calloc(1, sizeof(char *)) };
        struct json_object *report = json_object_new_object();
        struct json_object *notes = json_object_new_array();
        int r = report && s.sections && s.names && notes ? 0 : -ENOMEM;

        if (r >= 0)
                r = add(report, "host", check_host_facts());
        if (r >= 0)
                r = loader_scan(l, scan_cb, &s, err);
        if (r >= 0)
                r = s.r;
        if (r >= 0) {
                r = add(report, "backends", s.sections);
                s.sections = NULL;
        }
        if (r >= 0)
                r = unclaimed_notes(cfg, s.names, notes);
        if (r >= 0) {
                r = add(report, "notes", notes);
                notes = NULL;
        }
        if (r >= 0)
                r = add(report, "config", json_object_new_string(podrt_config_source(cfg)));

        strv_free(s.names);
        json_object_put(s.sections);
        json_object_put(notes);
        if (r < 0) {
                json_object_put(report);
                if (err && *err)
                        return r;
                return podrt_error_set(err, r, "check: %s", strerror(-r));
        }
        *ret = report;
        return 0;
}

/* ---- reading the report ---- */

static struct json_object *get(struct json_object *o, const char *key) {
        struct json_object *v;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static const char *str_of(struct json_object *o, const char *key, const char *fallback) {
        struct json_object *v = get(o, key);
        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : fallback;
}

static bool bool_of(struct json_object *o, const char *key) {
        struct json_object *v = get(o, key);
        return v && json_object_get_boolean(v);
}

struct json_object *check_report_section(struct json_object *report, const char *name) {
        struct json_object *backends = get(report, "backends");
        for (size_t i = 0; name && backends && i < json_object_array_length(backends); i++) {
                struct json_object *b = json_object_array_get_idx(backends, i);
                if (strcmp(str_of(b, "name", ""), name) == 0)
                        return b;
        }
        return NULL;
}

static void print_notes(struct json_object *notes, FILE *f) {
        for (size_t j = 0; notes && j < json_object_array_length(notes); j++)
                fprintf(f, "  %-8s %s\n", "note",
                        json_object_get_string(json_object_array_get_idx(notes, j)));
}

void check_print(struct json_object *report, FILE *f) {
        if (!report || !f)
                return;
        struct json_object *host = get(report, "host");
        fprintf(f, "host\n");
        fprintf(f, "  %-8s %-20s %s\n", "", "kernel", str_of(host, "kernel", "unknown"));
        fprintf(f, "  %-8s %-20s %s\n", "", "cgroup", str_of(host, "cgroup", "unknown"));
        fprintf(f, "  %-8s %-20s %s\n", "", "init",
                bool_of(host, "systemd") ? "systemd" : "not systemd");

        struct json_object *backends = get(report, "backends");
        for (size_t i = 0; backends && i < json_object_array_length(backends); i++) {
                struct json_object *b = json_object_array_get_idx(backends, i);
                fprintf(f, "%s %s: %s\n", str_of(b, "kind", "backend"), str_of(b, "name", "?"),
                        bool_of(b, "ready") ? "ready" : "NOT READY");
                struct json_object *checks = get(b, "checks");
                for (size_t j = 0; checks && j < json_object_array_length(checks); j++) {
                        struct json_object *c = json_object_array_get_idx(checks, j);
                        /* A line without "required" counts as required. */
                        bool required = !get(c, "required") || bool_of(c, "required");
                        fprintf(f, "  %-8s %-20s %s%s\n", bool_of(c, "ok") ? "ok" : "MISSING",
                                str_of(c, "name", "?"), str_of(c, "detail", ""),
                                required || bool_of(c, "ok") ? "" : " (optional)");
                }
                print_notes(get(b, "notes"), f);
        }
        /* The backend in use may have been replaced after the report was
         * made (--backend): its own section says whether it is ready. */
        const char *name = str_of(report, "backend", "?");
        struct json_object *b = check_report_section(report, name);
        bool ready = b ? bool_of(b, "ready") : bool_of(report, "ready");
        fprintf(f, "configuration: %s\n", str_of(report, "config", "(defaults)"));
        print_notes(get(report, "notes"), f);
        fprintf(f, "backend in use: %s (%s)\n", name, ready ? "ready" : "NOT READY");
        if (get(report, "storage"))
                fprintf(f, "storage in use: %s%s\n", str_of(report, "storage", "?"),
                        strcmp(str_of(report, "storage", ""), "overlay") == 0
                                ? " (overlayfs: each pod writes to layers of its own)" : "");
}
