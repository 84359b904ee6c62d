/* SPDX-License-Identifier: Apache-2.0 */
/* A manifest's containers: each one's rootfs, command, user, mounts,
 * resources, capabilities, lifecycle hooks and environment. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "caps.h"
#include "manifest-parser.h"

/* MAX_ARG_STRLEN: one argument or environment string of execve(). */
#define EXEC_STRING_MAX (128u * 1024)
#include "manifest.h"
#include "fileio.h"
#include "image-store.h"
#include "strv.h"

/* Where images are looked up (manifest_set_images_dir()). */
static char *images_dir;

void manifest_set_images_dir(const char *dir) {
        free(images_dir);
        images_dir = dir ? strdup(dir) : NULL;
}

static void json_putp(json_object **o) {
        json_object_put(*o);
}

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* ---- capabilities ------------------------------------------------------------- */

static int get_capabilities(struct parser *p, json_object *obj, const char *key, char ***ret) {
        _cleanup_strv_free_ char **raw = NULL, **caps = calloc(1, sizeof(char *));
        int r;

        if (!caps)
                return parser_oom(p);
        r = parser_get_strv(p, obj, key, 0, &raw);
        if (r < 0)
                return r;
        for (size_t i = 0; raw && raw[i]; i++) {
                const char *cap = cap_canonical(raw[i]);
                if (!cap)
                        return parser_fail_item(p, key, i, EINVAL, "unknown capability \"%s\"", raw[i]);
                if (!strv_contains(caps, cap) && strv_push(&caps, cap) < 0)
                        return parser_oom(p);
        }
        strv_free(*ret);
        *ret = TAKE_PTR(caps);
        return 0;
}

/* ---- containers ---------------------------------------------------------------- */


static int parse_mount(struct parser *p, json_object *o, size_t index, void *userdata) {
        static const char *const fields[] = { "volume", "path", "readOnly", NULL };
        const struct pod_spec *spec = ((struct app_of *)userdata)->spec;
        struct spec_app *app = ((struct app_of *)userdata)->app;
        const char *volume, *path;
        size_t vi;
        int r;

        if ((r = parser_check_fields(p, o, fields)) < 0 || (r = parser_get_string(p, o, "volume", true, &volume)) < 0)
                return r;
        for (vi = 0; vi < spec->n_volumes; vi++)
                if (strcmp(spec->volumes[vi].name, volume) == 0)
                        break;
        if (vi == spec->n_volumes)
                return parser_fail(p, "volume", EINVAL, "no volume named \"%s\" is declared in volumes",
                                   volume);

        struct spec_mount *m = &app->mounts[app->n_mounts];
        if (!(m->volume = strdup(volume)))
                return parser_oom(p);
        m->volume_index = vi;
        app->n_mounts++;
        if ((r = parser_get_string(p, o, "path", true, &path)) < 0 ||
            (r = parser_container_path(p, "path", path, &m->path)) < 0)
                return r;
        if (strcmp(m->path, "/") == 0)
                return parser_fail(p, "path", EINVAL, "cannot mount a volume on the container's root");
        for (size_t j = 0; j + 1 < app->n_mounts; j++)
                if (strcmp(app->mounts[j].path, m->path) == 0)
                        return parser_fail(p, "path", EINVAL, "%s is already mounted by mounts[%zu]",
                                           m->path, j);
        /* An image app: no layer may lead the path out. */
        for (size_t l = 0; app->image_layers && app->image_layers[l]; l++)
                if ((r = parser_check_path_in_rootfs(p, "path", app->image_layers[l], m->path)) < 0)
                        return r;
        if ((app->rootfs && (r = parser_check_path_in_rootfs(p, "path", app->rootfs, m->path)) < 0) ||
            (r = parser_get_bool(p, o, "readOnly", &m->read_only)) < 0)
                return r;
        if (spec->volumes[vi].read_only)
                m->read_only = true;
        return 0;
}

/* A quantity given as a string v at key, parsed (parse_memory, parse_cpu)
 * into *ret: 1; examples say what is meant when it is not one.  0 when v is
 * not a string. */
static int quantity_string(struct parser *p, const char *key, json_object *v,
                           int (*parse)(const char *s, int64_t *ret), int64_t *ret,
                           const char *examples) {
        if (!json_object_is_type(v, json_type_string) || json_string_has_nul(v))
                return 0;
        const char *s = json_object_get_string(v);
        int r = parse(s, ret);
        if (r == -ERANGE)
                return parser_fail(p, key, ERANGE, "\"%s\" is out of range (must be greater than 0)", s);
        if (r < 0)
                return parser_fail(p, key, EINVAL, "invalid quantity \"%s\" (expected e.g. %s)", s,
                                   examples);
        return 1;
}

static int parse_resources(struct parser *p, json_object *o, struct spec_app *app) {
        static const char *const fields[] = { "memory", "cpu", "pids", NULL };
        json_object *res, *v;
        size_t saved;
        int r;

        if ((r = parser_enter_object(p, o, "resources", fields, &res, &saved)) <= 0)
                return r;

        if (json_field_get(res, "memory", &v)) {
                if (json_object_is_type(v, json_type_int)) {
                        if (json_int_range(v, 1, INT64_MAX, &app->memory) < 0)
                                return parser_fail(p, "memory", ERANGE, "must be greater than 0");
                } else if ((r = quantity_string(p, "memory", v, parse_memory, &app->memory,
                                                "64M, 1Gi, 512k or 1000")) <= 0) {
                        return r < 0 ? r : parser_fail(p, "memory", EINVAL, "must be a string or an integer");
                }
        }
        if (json_field_get(res, "cpu", &v)) {
                if (json_object_is_type(v, json_type_int)) {
                        if (json_int_range(v, 1, INT64_MAX / 1000, &app->cpu_millis) < 0)
                                return parser_fail(p, "cpu", ERANGE, json_object_get_int64(v) < 1
                                                                ? "must be greater than 0"
                                                                : "is too large");
                        app->cpu_millis *= 1000;
                } else if (json_object_is_type(v, json_type_double)) {
                        double d = json_object_get_double(v);
                        if (!(d > 0))
                                return parser_fail(p, "cpu", ERANGE, "must be greater than 0");
                        if (d > 1e12)
                                return parser_fail(p, "cpu", ERANGE, "is too large");
                        int64_t m = (int64_t) (d * 1000);
                        app->cpu_millis = (double) m < d * 1000 ? m + 1 : m;
                } else if ((r = quantity_string(p, "cpu", v, parse_cpu, &app->cpu_millis,
                                                "500m, 2 or 0.5")) <= 0) {
                        return r < 0 ? r : parser_fail(p, "cpu", EINVAL, "must be a string or a number");
                }
        }
        if (json_field_get(res, "pids", &v)) {
                if (!json_object_is_type(v, json_type_int))
                        return parser_fail(p, "pids", EINVAL, "must be an integer");
                if (json_int_range(v, 1, INT64_MAX, &app->pids) < 0)
                        return parser_fail(p, "pids", ERANGE, "must be greater than 0");
        }
        parser_pop(p, saved);
        return 0;
}

static int parse_capabilities(struct parser *p, json_object *o, struct spec_app *app) {
        static const char *const fields[] = { "add", "drop", NULL };
        json_object *caps;
        size_t saved;
        int r;

        if (!(app->caps_add = calloc(1, sizeof(char *))) || !(app->caps_drop = calloc(1, sizeof(char *))))
                return parser_oom(p);
        if ((r = parser_enter_object(p, o, "capabilities", fields, &caps, &saved)) <= 0)
                return r;
        if ((r = get_capabilities(p, caps, "add", &app->caps_add)) < 0 ||
            (r = get_capabilities(p, caps, "drop", &app->caps_drop)) < 0)
                return r;
        for (size_t i = 0; app->caps_drop[i]; i++)
                if (strv_contains(app->caps_add, app->caps_drop[i]))
                        return parser_fail_item(p, "drop", i, EINVAL, "%s is also in add",
                                                app->caps_drop[i]);
        parser_pop(p, saved);
        return 0;
}

static int parse_lifecycle(struct parser *p, json_object *o, struct spec_app *app) {
        static const char *const fields[] = { "preStart", "postStop", NULL };
        json_object *lc;
        size_t saved;
        int r;

        if ((r = parser_enter_object(p, o, "lifecycle", fields, &lc, &saved)) <= 0)
                return r;
        if ((r = parser_get_strv(p, lc, "preStart", STRV_NONEMPTY, &app->pre_start)) < 0 ||
            (r = parser_get_strv(p, lc, "postStop", STRV_NONEMPTY, &app->post_stop)) < 0)
                return r;
        if (app->pre_start && !app->pre_start[0][0])
                return parser_fail_item(p, "preStart", 0, EINVAL, "must not be empty");
        if (app->post_stop && !app->post_stop[0][0])
                return parser_fail_item(p, "postStop", 0, EINVAL, "must not be empty");
        parser_pop(p, saved);
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
                     struct spec_app *app, const char *user_name, const char *home,
                     json_object *image_env) {
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
                return parser_oom(p);
        /* The image's Env over the defaults; the manifest's over both. */
        for (size_t i = 0; image_env && i < json_object_array_length(image_env); i++) {
                const char *kv = json_object_get_string(json_object_array_get_idx(image_env, i));
                const char *eq = kv ? strchr(kv, '=') : NULL;
                if (!eq || eq == kv)
                        continue;
                _cleanup_free_ char *key = strndup(kv, (size_t)(eq - kv));
                if (!key || env_set(&env, key, eq + 1) < 0)
                        return parser_oom(p);
        }

        if ((r = parser_enter_object(p, o, "env", NULL, &v, &saved)) < 0)
                return r;
        if (r > 0) {
                json_object_object_foreach(v, key, val) {
                        if (!*key)
                                return parser_fail(p, NULL, EINVAL, "variable names must not be empty");
                        if (strchr(key, '='))
                                return parser_fail(p, key, EINVAL, "variable names must not contain '='");
                        if (!json_object_is_type(val, json_type_string))
                                return parser_fail(p, key, EINVAL, "must be a string");
                        if (json_string_has_nul(val))
                                return parser_fail(p, key, EINVAL, "must not contain a NUL character");
                        if (strlen(key) + 1 + strlen(json_object_get_string(val)) + 1 > EXEC_STRING_MAX)
                                return parser_fail(p, key, E2BIG,
                                                   "longer than the kernel takes for one exec string (128 KiB, with its name)");
                        if (env_set(&env, key, json_object_get_string(val)) < 0)
                                return parser_oom(p);
                }
                parser_pop(p, saved);
        }
        app->env = TAKE_PTR(env);
        return 0;
}

int parser_parse_app(struct parser *p, json_object *o, size_t index, void *userdata) {
        static const char *const fields[] = {
                "name", "rootfs", "command", "env", "workingDir", "user", "group",
                "supplementaryGroups", "mounts", "resources", "capabilities", "readOnlyRootfs",
                "lifecycle", "ports", "image", NULL,
        };
        struct pod_spec *spec = userdata;
        struct spec_app *app = &spec->apps[index];
        const char *name, *rootfs, *wd, *user_name, *group_name, *image;
        _cleanup_free_ char *home = NULL;
        _cleanup_(json_putp) json_object *iconfig = NULL;
        json_object *icfg = NULL;       /* iconfig's "config", or NULL */
        const char *lookup_root;        /* where user and group names are read */
        json_object *v;
        struct stat st;
        int r;

        /* Counted first, so that pod_spec_free() sees a half-read app. */
        spec->n_apps++;
        if ((r = parser_check_fields(p, o, fields)) < 0 || (r = parser_get_string(p, o, "name", true, &name)) < 0 ||
            (r = parser_check_name(p, "name", name)) < 0)
                return r;
        for (size_t i = 0; i < index; i++)
                if (strcmp(spec->apps[i].name, name) == 0)
                        return parser_fail(p, "name", EINVAL,
                                           "container \"%s\" is declared twice (also containers[%zu])", name, i);
        if (!(app->name = strdup(name)))
                return parser_oom(p);

        /* Exactly one of rootfs (a directory) and image (in the store). */
        if ((r = parser_get_string(p, o, "image", false, &image)) < 0 ||
            (r = parser_get_string(p, o, "rootfs", false, &rootfs)) < 0)
                return r;
        if (image && rootfs)
                return parser_fail(p, "image", EINVAL, "a container has a rootfs or an image, not both");
        if (!image && !rootfs)
                return parser_fail(p, "rootfs", EINVAL, "is required (or image)");
        if (image) {
                struct podrt_error *ierr = NULL;
                _cleanup_(image_store_freep) struct image_store *is = NULL;
                json_object *rec = NULL;
                const char *dir = images_dir ? images_dir : "/var/lib/podrt/images";
                if (!*image)
                        return parser_fail(p, "image", EINVAL, "must not be empty");
                r = image_store_open(dir, 0, &is, &ierr);
                if (r == 0)
                        r = image_find(is, image, &rec, &ierr);
                if (r == 0) {
                        r = image_config(is, rec, &iconfig, &ierr);
                        if (r == 0)
                                r = image_layer_dirs(is, rec, &app->image_layers, &ierr);
                }
                if (r < 0) {
                        json_object_put(rec);
                        r = parser_fail(p, "image", -r, r == -ENOENT ? "no image \"%s\" in the image store %s (podrt image list)"
                                                                      : "image \"%s\": %s", image,
                                        r == -ENOENT ? dir : podrt_error_message(ierr));
                        podrt_error_free(ierr);
                        return r;
                }
                json_object *v;
                _cleanup_free_ char *norm = image_name_normalize(image);
                if (json_object_object_get_ex(rec, "id", &v))
                        app->image_id = strdup(json_object_get_string(v));
                app->image = strdup(norm && image_record_names(rec, norm) ? norm : image);
                json_object_put(rec);
                if (!app->image || !app->image_id)
                        return parser_oom(p);
                if (json_object_object_get_ex(iconfig, "config", &icfg) &&
                    !json_object_is_type(icfg, json_type_object))
                        icfg = NULL;
                lookup_root = app->image_layers[0];
                for (size_t l = 0; app->image_layers[l]; l++) {
                        _cleanup_free_ char *pw = path_join(app->image_layers[l], "etc/passwd");
                        if (pw && access(pw, F_OK) == 0) {
                                lookup_root = app->image_layers[l];
                                break;
                        }
                }
                if (!lookup_root)
                        return parser_fail(p, "image", EINVAL, "image \"%s\" has no layers", image);
                goto command;
        }
        if (!*rootfs)
                return parser_fail(p, "rootfs", EINVAL, "must not be empty");
        if ((r = parser_host_path(p, rootfs, &app->rootfs)) < 0)
                return r;
        if (stat(app->rootfs, &st) < 0) {
                if (errno == ENOENT)
                        return parser_fail(p, "rootfs", ENOENT, "%s does not exist", app->rootfs);
                return parser_fail(p, "rootfs", errno, "cannot access %s: %s", app->rootfs, strerror(errno));
        }
        if (!S_ISDIR(st.st_mode))
                return parser_fail(p, "rootfs", ENOTDIR, "%s is not a directory", app->rootfs);
        lookup_root = app->rootfs;

command:
        /* command: the manifest's replaces the image's Entrypoint and Cmd
         * both (Kubernetes' command); without it, Entrypoint + Cmd. */
        r = parser_get_strv(p, o, "command", STRV_NONEMPTY, &app->command);
        if (r < 0)
                return r;
        if (r == 0 && icfg) {
                static const char *const parts[] = { "Entrypoint", "Cmd" };
                _cleanup_strv_free_ char **cmd = calloc(1, sizeof(char *));
                if (!cmd)
                        return parser_oom(p);
                for (size_t k = 0; k < 2; k++) {
                        json_object *a;
                        if (!json_object_object_get_ex(icfg, parts[k], &a) || !json_object_is_type(a, json_type_array))
                                continue;
                        for (size_t i = 0; i < json_object_array_length(a); i++) {
                                json_object *s = json_object_array_get_idx(a, i);
                                if (!json_object_is_type(s, json_type_string))
                                        return parser_fail(p, "image", EINVAL, "image's %s[%zu] is not a string",
                                                           parts[k], i);
                                if (strv_push(&cmd, json_object_get_string(s)) < 0)
                                        return parser_oom(p);
                        }
                }
                if (cmd[0])
                        app->command = TAKE_PTR(cmd);
        }
        if (!app->command)
                return parser_fail(p, "command", EINVAL, icfg || image ? "is required (the image has no Entrypoint or Cmd)"
                                                                   : "is required");
        if (!app->command[0][0])
                return parser_fail_item(p, "command", 0, EINVAL, "must not be empty");
        for (size_t i = 0; app->command[i]; i++)
                if (strlen(app->command[i]) + 1 > EXEC_STRING_MAX)
                        return parser_fail_item(p, "command", i, E2BIG,
                                                "longer than the kernel takes for one exec argument (128 KiB)");

        if ((r = parser_get_string(p, o, "workingDir", false, &wd)) < 0)
                return r;
        json_object *iv;
        if (!wd && icfg && json_object_object_get_ex(icfg, "WorkingDir", &iv) &&
            json_object_is_type(iv, json_type_string) && json_object_get_string(iv)[0])
                wd = json_object_get_string(iv);
        if (!wd)
                app->working_dir = strdup("/");
        else if ((r = parser_container_path(p, "workingDir", wd, &app->working_dir)) < 0)
                return r;
        if (!app->working_dir)
                return parser_oom(p);

        /* user and group: numbers, or names looked up in the rootfs. */
        if ((r = parser_get_id(p, o, "user", &app->uid, &user_name)) < 0 ||
            (r = parser_get_id(p, o, "group", &app->gid, &group_name)) < 0)
                return r;
        /* The image's User ("uid", "name", "uid:gid", "name:group") when
         * the manifest gives no user. */
        _cleanup_free_ char *iuser = NULL;
        bool image_group = false;
        if (icfg && !json_field_get(o, "user", &v) && json_object_object_get_ex(icfg, "User", &iv) &&
            json_object_is_type(iv, json_type_string) && json_object_get_string(iv)[0]) {
                if (!(iuser = strdup(json_object_get_string(iv))))
                        return parser_oom(p);
                char *colon = strchr(iuser, ':');
                if (colon) {
                        *colon = 0;
                        if (!json_field_get(o, "group", &v)) {
                                char *end;
                                unsigned long g = strtoul(colon + 1, &end, 10);
                                if (colon[1] && !*end && g <= ID_MAX) {
                                        app->gid = (uint32_t)g;
                                        group_name = NULL;
                                } else {
                                        group_name = colon + 1;
                                }
                                image_group = true;
                        }
                }
                char *end;
                unsigned long u = strtoul(iuser, &end, 10);
                if (iuser[0] && !*end && u <= ID_MAX)
                        app->uid = (uint32_t)u;
                else
                        user_name = iuser;
        }
        if (user_name) {
                uint32_t gid;
                if ((r = parser_resolve_name(p, "user", lookup_root, true, user_name, &app->uid, &gid,
                                             &home)) < 0)
                        return r;
                if (!json_field_get(o, "group", &v) && !image_group)
                        app->gid = gid;        /* the user's own group, as su does */
        }
        if (group_name &&
            (r = parser_resolve_name(p, "group", lookup_root, false, group_name, &app->gid, NULL, NULL)) < 0)
                return r;

        if (json_field_get(o, "supplementaryGroups", &v)) {
                if (!json_object_is_type(v, json_type_array))
                        return parser_fail(p, "supplementaryGroups", EINVAL, "must be an array of integers");
                size_t n = json_object_array_length(v);
                if (!(app->groups = calloc(n ? n : 1, sizeof(uint32_t))))
                        return parser_oom(p);
                for (size_t i = 0; i < n; i++) {
                        json_object *g = json_object_array_get_idx(v, i);
                        int64_t id;
                        if (!json_object_is_type(g, json_type_int))
                                return parser_fail_item(p, "supplementaryGroups", i, EINVAL,
                                                        "must be an integer");
                        if (json_int_range(g, 0, ID_MAX, &id) < 0)
                                return parser_fail_item(p, "supplementaryGroups", i, ERANGE,
                                                        "must be between 0 and %u", ID_MAX);
                        app->groups[app->n_groups++] = (uint32_t) id;
                }
        }

        if ((r = parser_each_object(p, o, "mounts", &app->mounts, sizeof(struct spec_mount),
                                    parse_mount, &(struct app_of){ spec, app })) < 0 ||
            (r = parser_each_object(p, o, "ports", &app->ports, sizeof(struct spec_port),
                                    parser_parse_port, &(struct app_of){ spec, app })) < 0 ||
            (r = parse_resources(p, o, app)) < 0 ||
            (r = parse_capabilities(p, o, app)) < 0 ||
            (r = parser_get_bool(p, o, "readOnlyRootfs", &app->read_only_rootfs)) < 0 ||
            (r = parse_lifecycle(p, o, app)) < 0 ||
            (r = parse_env(p, o, spec, app, user_name, home,
                           icfg && json_object_object_get_ex(icfg, "Env", &iv) &&
                                           json_object_is_type(iv, json_type_array) ? iv : NULL)) < 0)
                return r;
        /* What execve() takes in all (ARG_MAX): refused here, naming it,
         * rather than at start. */
        size_t total = 0;
        for (size_t i = 0; app->command[i]; i++)
                total += strlen(app->command[i]) + 1 + sizeof(char *);
        for (size_t i = 0; app->env && app->env[i]; i++)
                total += strlen(app->env[i]) + 1 + sizeof(char *);
        long arg_max = sysconf(_SC_ARG_MAX);
        if (arg_max > 0 && total > (size_t)arg_max)
                return parser_fail(p, "command", E2BIG,
                                   "with its env, %zu bytes: more than the kernel takes for exec (ARG_MAX %ld)",
                                   total, arg_max);
        return 0;
}

int parser_parse_containers(struct parser *p, json_object *root, struct pod_spec *spec) {
        json_object *v;
        size_t n;
        int r = parser_get_array(p, root, "containers", &v, &n);
        if (r < 0)
                return r;
        if (r == 0)
                return parser_fail(p, "containers", EINVAL, "is required");
        if (n == 0)
                return parser_fail(p, "containers", EINVAL, "must have at least one container");
        r = parser_each_object(p, root, "containers", &spec->apps, sizeof(struct spec_app),
                               parser_parse_app, spec);
        return r < 0 ? r : 0;
}
