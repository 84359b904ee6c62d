/* SPDX-License-Identifier: Apache-2.0 */
/* What the commands that report fetch and how they print it for people:
 * list, status, plugins, check, hooks.  commands.c parses their options,
 * prints --json, and reports errors. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "cli.h"

static struct json_object *get(struct json_object *obj, const char *key) {
        struct json_object *v;
        return obj && json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

/* "app:exited(0) web:running" */
static int format_apps(struct json_object *apps, char **ret) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return -ENOMEM;
        size_t n = json_object_is_type(apps, json_type_array) ? json_object_array_length(apps) : 0;
        for (size_t i = 0; i < n; i++) {
                struct json_object *app = json_object_array_get_idx(apps, i);
                const char *name = json_get_string(app, "name"),
                           *state = json_get_string(app, "state");
                struct json_object *code = get(app, "exitCode");
                fprintf(f, "%s%s:%s", i ? " " : "", name ? name : "?", state ? state : "?");
                if (state && streq(state, "exited") && json_object_is_type(code, json_type_int))
                        fprintf(f, "(%d)", json_object_get_int(code));
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        return 0;
}

/* "2026-11-23T10:00:00.123456789Z (3 minutes ago)", or "-". */
static const char *format_time_and_age(const char *t, char *buf, size_t size) {
        if (!t)
                return "-";
        char age[64];
        long long then = parse_rfc3339(t);
        if (then < 0)
                snprintf(buf, size, "%s", t);
        else
                snprintf(buf, size, "%s (%s)", t, format_age(then, (long long)time(NULL), age, sizeof age));
        return buf;
}

/* The pod's first IP (status's network.ips[0]), without its prefix length. */
static void first_ip(struct json_object *pod, char *buf, size_t size) {
        struct json_object *ips = get(get(pod, "network"), "ips");
        const char *ip = json_object_is_type(ips, json_type_array) && json_object_array_length(ips)
                ? json_object_get_string(json_object_array_get_idx(ips, 0)) : NULL;
        snprintf(buf, size, "%s", ip ? ip : "-");
        char *slash = strchr(buf, '/');
        if (slash)
                *slash = '\0';
}

/* "cni: 10.89.0.5/16, fd00::5/64" */
static void network_line(struct json_object *net, char *buf, size_t size) {
        const char *name = json_get_string(net, "name");
        struct json_object *ips = get(net, "ips");
        snprintf(buf, size, "%s", name ? name : "-");
        for (size_t i = 0; json_object_is_type(ips, json_type_array) && i < json_object_array_length(ips); i++) {
                size_t len = strlen(buf);
                snprintf(buf + len, size - len, "%s%s", i ? ", " : ": ",
                         json_object_get_string(json_object_array_get_idx(ips, i)));
        }
}

int print_list(struct json_object *pods, FILE *f) {
        static const char *const header[] = { "POD ID", "NAME", "BACKEND", "STATE", "IP", "CREATED", "APPS" };
        _cleanup_(table_freep) struct table *t = table_new(ELEMENTSOF(header), header);
        if (!t)
                return -ENOMEM;
        long long now = (long long)time(NULL);
        size_t n = json_object_array_length(pods);
        for (size_t i = 0; i < n; i++) {
                struct json_object *pod = json_object_array_get_idx(pods, i);
                const char *id = json_get_string(pod, "id"), *created = json_get_string(pod, "created");
                char short_id[13] = "-", age[64] = "-";
                _cleanup_free_ char *apps = NULL;
                if (id)
                        snprintf(short_id, sizeof short_id, "%s", id);
                if (created) {
                        long long then = parse_rfc3339(created);
                        if (then >= 0)
                                format_age(then, now, age, sizeof age);
                        else
                                snprintf(age, sizeof age, "%s", created);
                }
                if (format_apps(get(pod, "apps"), &apps) < 0)
                        return -ENOMEM;
                char state[64];
                snprintf(state, sizeof state, "%s%s", json_get_string(pod, "state") ?: "-",
                         json_get_string(pod, "monitor") ? " (monitor lost)" : "");
                char ip[64];
                first_ip(pod, ip, sizeof ip);
                const char *row[] = { short_id, json_get_string(pod, "name"),
                                      json_get_string(pod, "backend"), state, ip, age, apps };
                if (table_add(t, row) < 0)
                        return -ENOMEM;
        }
        table_print(t, f);
        /* Pods that could not be read: why, under the table. */
        for (size_t i = 0; i < n; i++) {
                struct json_object *pod = json_object_array_get_idx(pods, i);
                if (json_get_string(pod, "error"))
                        fprintf(f, "%s: %s\n", json_get_string(pod, "id"), json_get_string(pod, "error"));
        }
        return 0;
}

int fetch_list(struct cli_args *a, struct json_object **ret, struct podrt_error **err) {
        return runtime_list(a->rt, ret, err) < 0 ? -1 : 0;
}

static void print_scalar(struct json_object *v, FILE *f) {
        if (!v)
                fputs("-", f);
        else if (json_object_is_type(v, json_type_string))
                fputs(json_object_get_string(v), f);
        else
                fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), f);
}

int print_status(struct json_object *pod, FILE *f) {
        static const struct {
                const char *key, *label;
                bool time;
        } fields[] = {
                { "id", "ID", false },           { "name", "Name", false },
                { "monitor", "Monitor", false },
                { "backend", "Backend", false }, { "network", "Network", false },
                { "storage", "Storage", false }, { "state", "State", false },
                { "created", "Created", true },  { "started", "Started", true },
                { "finished", "Finished", true }, { "monitorPid", "Monitor PID", false },
                { "netns", "Network namespace", false }, { "dir", "Directory", false },
        };
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                struct json_object *v = get(pod, fields[i].key);
                if (!v && !json_object_object_get_ex(pod, fields[i].key, NULL))
                        continue;       /* absent: not this runtime's field */
                fprintf(f, "%s: ", fields[i].label);
                if (json_object_is_type(v, json_type_object) && strcmp(fields[i].key, "network") == 0) {
                        char line[512];
                        network_line(v, line, sizeof line);
                        fputs(line, f);
                } else if (fields[i].time) {
                        char buf[128];
                        fputs(format_time_and_age(json_object_is_type(v, json_type_string)
                                                          ? json_object_get_string(v)
                                                          : NULL,
                                                  buf, sizeof buf),
                              f);
                } else {
                        print_scalar(v, f);
                }
                fputc('\n', f);
        }

        struct json_object *apps = get(pod, "apps");
        if (!json_object_is_type(apps, json_type_array) || json_object_array_length(apps) == 0)
                return 0;
        fputc('\n', f);
        return print_apps(apps, f);
}

int print_apps(struct json_object *apps, FILE *f) {
        size_t n = json_object_is_type(apps, json_type_array) ? json_object_array_length(apps) : 0;
        static const char *const header[] = { "APP", "STATE", "PID", "EXIT CODE", "STARTED", "FINISHED" };
        _cleanup_(table_freep) struct table *t = table_new(ELEMENTSOF(header), header);
        if (!t)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                struct json_object *app = json_object_array_get_idx(apps, i);
                struct json_object *pid = get(app, "pid"), *code = get(app, "exitCode");
                char pid_s[32] = "-", code_s[32] = "-";
                if (json_object_is_type(pid, json_type_int) && json_object_get_int(pid) > 0)
                        snprintf(pid_s, sizeof pid_s, "%d", json_object_get_int(pid));
                if (json_object_is_type(code, json_type_int) && json_object_get_int(code) >= 0)
                        snprintf(code_s, sizeof code_s, "%d", json_object_get_int(code));
                const char *row[] = { json_get_string(app, "name"), json_get_string(app, "state"),
                                      pid_s, code_s, json_get_string(app, "started"),
                                      json_get_string(app, "finished") };
                if (table_add(t, row) < 0)
                        return -ENOMEM;
        }
        table_print(t, f);
        return ferror(f) ? -EIO : 0;
}

int fetch_status(struct cli_args *a, struct json_object **ret, struct podrt_error **err) {
        return runtime_status(a->rt, a->operand, ret, err) < 0 ? -1 : 0;
}

/* "pod,container" from ["pod","container"]. */
static void join_strings(struct json_object *arr, char *buf, size_t size) {
        size_t n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
        size_t used = 0;
        buf[0] = 0;
        for (size_t i = 0; i < n && used < size; i++) {
                const char *s = json_object_get_string(json_object_array_get_idx(arr, i));
                int w = snprintf(buf + used, size - used, "%s%s", i ? "," : "", s ? s : "?");
                if (w < 0)
                        break;
                used += (size_t)w;
        }
        if (!buf[0])
                snprintf(buf, size, "-");
}

int print_plugins(struct json_object *plugins, FILE *f) {
        static const char *const header[] = { "NAME", "VERSION", "ABI", "PROVIDES", "PATH" };
        _cleanup_(table_freep) struct table *t = table_new(ELEMENTSOF(header), header);
        if (!t)
                return -ENOMEM;
        size_t n = json_object_array_length(plugins), refused = 0;
        for (size_t i = 0; i < n; i++) {
                struct json_object *p = json_object_array_get_idx(plugins, i);
                char provides[256];
                if (json_get_string(p, "error")) {
                        snprintf(provides, sizeof provides, "(refused)");
                        refused++;
                } else {
                        join_strings(get(p, "provides"), provides, sizeof provides);
                }
                const char *name = json_get_string(p, "name"), *path = json_get_string(p, "path");
                char file_name[256];
                if (!name && path) {
                        /* refused before it said its name: the file's */
                        const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
                        snprintf(file_name, sizeof file_name, "%.*s", (int)strcspn(base, "."), base);
                        name = file_name;
                }
                const char *row[] = { name, json_get_string(p, "version"),
                                      json_get_string(p, "abi"), provides,
                                      json_get_string(p, "path") };
                if (table_add(t, row) < 0)
                        return -ENOMEM;
        }
        table_print(t, f);
        if (refused) {
                fputs("\nRefused:\n", f);
                for (size_t i = 0; i < n; i++) {
                        struct json_object *p = json_object_array_get_idx(plugins, i);
                        const char *e = json_get_string(p, "error"), *path = json_get_string(p, "path");
                        if (!e)
                                continue;
                        if (path && strncmp(e, path, strlen(path)) == 0)
                                fprintf(f, "  %s\n", e);       /* it names the file already */
                        else
                                fprintf(f, "  %s: %s\n", path ? path : "?", e);
                }
        }
        return 0;
}

int fetch_plugins(struct cli_args *a, struct json_object **ret, struct podrt_error **err) {
        return runtime_plugins(a->rt, ret, err) < 0 ? -1 : 0;
}

/* Exit code 1 when the configured backend is not ready. */
int fetch_check(struct cli_args *a, struct json_object **ret, struct podrt_error **err) {
        int ready = 0;
        if (runtime_check(a->rt, ret, &ready, err) < 0)
                return -1;
        return ready ? 0 : 1;
}

int print_check(struct json_object *report, FILE *f) {
        check_print(report, f);
        return 0;
}

/* Any JSON, for people: "key: value" lines, nested blocks indented, array
 * items as "- ". */
static void print_human(struct json_object *v, int indent, FILE *f);

static bool is_container(struct json_object *v) {
        return json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array);
}

static bool is_empty(struct json_object *v) {
        return (json_object_is_type(v, json_type_object) && json_object_object_length(v) == 0) ||
               (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0);
}

static void print_human(struct json_object *v, int indent, FILE *f) {
        if (json_object_is_type(v, json_type_object)) {
                json_object_object_foreach(v, key, val) {
                        fprintf(f, "%*s%s:", indent, "", key);
                        if (is_container(val) && !is_empty(val)) {
                                fputc('\n', f);
                                print_human(val, indent + 2, f);
                        } else {
                                fputc(' ', f);
                                if (is_empty(val))
                                        fputs("(none)", f);
                                else
                                        print_scalar(val, f);
                                fputc('\n', f);
                        }
                }
        } else if (json_object_is_type(v, json_type_array)) {
                size_t n = json_object_array_length(v);
                for (size_t i = 0; i < n; i++) {
                        struct json_object *item = json_object_array_get_idx(v, i);
                        if (is_container(item) && !is_empty(item)) {
                                fprintf(f, "%*s-\n", indent, "");
                                print_human(item, indent + 2, f);
                        } else {
                                fprintf(f, "%*s- ", indent, "");
                                print_scalar(item, f);
                                fputc('\n', f);
                        }
                }
        } else {
                fprintf(f, "%*s", indent, "");
                print_scalar(v, f);
                fputc('\n', f);
        }
}

/* The hooks plugin's describe(): {"dirs":[...], "apps":[{"name", "stages":
 * {"prestart":[{"file","path","timeout"}], ...}, "unmatched":[{"file",
 * "path","why"}]}]} as a table.  -EBADMSG when the shape differs. */
static int print_hooks_table(struct json_object *o, FILE *f) {
        struct json_object *dirs = get(o, "dirs"), *apps = get(o, "apps");
        if (!json_object_is_type(apps, json_type_array))
                return -EBADMSG;
        static const char *const header[] = { "APP", "STAGE", "HOOK", "TIMEOUT", "FILE" };
        _cleanup_(table_freep) struct table *t = table_new(ELEMENTSOF(header), header);
        if (!t)
                return -ENOMEM;
        size_t n_apps = json_object_array_length(apps), n_hooks = 0, n_unmatched = 0;
        for (size_t a = 0; a < n_apps; a++) {
                struct json_object *app = json_object_array_get_idx(apps, a);
                struct json_object *stages = get(app, "stages"), *unmatched = get(app, "unmatched");
                if (json_object_is_type(unmatched, json_type_array))
                        n_unmatched += json_object_array_length(unmatched);
                if (!json_object_is_type(stages, json_type_object))
                        continue;
                json_object_object_foreach(stages, stage, list) {
                        size_t n = json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;
                        for (size_t i = 0; i < n; i++) {
                                struct json_object *h = json_object_array_get_idx(list, i);
                                struct json_object *timeout = get(h, "timeout");
                                char timeout_s[32] = "-";
                                if (json_object_is_type(timeout, json_type_int))
                                        snprintf(timeout_s, sizeof timeout_s, "%ds", json_object_get_int(timeout));
                                const char *row[] = { json_get_string(app, "name"), stage,
                                                      json_get_string(h, "path"), timeout_s,
                                                      json_get_string(h, "file") };
                                if (table_add(t, row) < 0)
                                        return -ENOMEM;
                                n_hooks++;
                        }
                }
        }

        size_t n_dirs = json_object_is_type(dirs, json_type_array) ? json_object_array_length(dirs) : 0;
        fputs("Hook directories:", f);
        for (size_t i = 0; i < n_dirs; i++)
                fprintf(f, " %s", json_object_get_string(json_object_array_get_idx(dirs, i)));
        fputs(n_dirs ? "\n\n" : " (none)\n\n", f);
        if (n_hooks)
                table_print(t, f);
        else
                fputs("No hooks would run.\n", f);
        if (n_unmatched) {
                fputs("\nNot matched:\n", f);
                for (size_t a = 0; a < n_apps; a++) {
                        struct json_object *app = json_object_array_get_idx(apps, a);
                        struct json_object *unmatched = get(app, "unmatched");
                        size_t n = json_object_is_type(unmatched, json_type_array) ? json_object_array_length(unmatched) : 0;
                        for (size_t i = 0; i < n; i++) {
                                struct json_object *u = json_object_array_get_idx(unmatched, i);
                                const char *file = json_get_string(u, "file"), *why = json_get_string(u, "why");
                                fprintf(f, "  %s: %s: %s\n", json_get_string(app, "name") ?: "?",
                                        file ? file : "?", why ? why : "did not match");
                        }
                }
        }
        return 0;
}

int fetch_hooks(struct cli_args *a, struct json_object **ret, struct podrt_error **err) {
        return runtime_hooks(a->rt, a->operand, ret, err) < 0 ? -1 : 0;
}

/* The hooks plugin's describe() as a table; of another shape, as it is. */
int print_hooks(struct json_object *hooks, FILE *f) {
        int r = print_hooks_table(hooks, f);
        if (r == -EBADMSG) {
                print_human(hooks, 0, f);
                return 0;
        }
        return r;
}
