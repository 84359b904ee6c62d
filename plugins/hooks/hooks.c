/* SPDX-License-Identifier: Apache-2.0 */
/* The hooks plugin: OCI hooks 1.0.0 (and 0.1.0), as podman and CRI-O read
 * them, for every backend.  This file is the glue to the core: the
 * descriptor, init (loading the hook directories of "hooks.dirs") and the
 * hook ops, reading pods and apps through the accessors of
 * <podrt/objects.h>.  Parsing, matching and running live in hookfile.c,
 * match.c and exec.c, which know nothing of the core. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <podrt/podrt.h>



#include "config.h"
#include "exec.h"
#include "hookfile.h"
#include "hostlog.h"
#include "load.h"
#include "match.h"
#include "render.h"

static const char *const default_dirs[] = {
        "/usr/share/containers/oci/hooks.d",
        "/etc/containers/oci/hooks.d",
        NULL,
};

struct hooks {
        const struct podrt_host *host;
        struct hook_set *set;
};

static void hooks_log(const struct hooks *hk, int level, const char *fmt, ...)
        PODRT_PRINTF(3, 4);

static void hooks_log(const struct hooks *hk, int level, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        plugin_logv(hk->host, level, fmt, ap);
        va_end(ap);
}

static int hooks_init(const struct podrt_host *host, void **ret_data, struct podrt_error **err) {
        const struct podrt_config *cfg = host ? host->config : NULL;
        const char *const *dirs = cfg ? podrt_config_strings(cfg, "hooks.dirs") : NULL;
        bool explicit = cfg && podrt_config_is_set(cfg, "hooks.dirs") > 0;
        if (!dirs) {
                dirs = default_dirs;
                explicit = false;
        }

        struct hooks *hk = calloc(1, sizeof(*hk));
        if (!hk)
                return podrt_error_set(err, ENOMEM, "out of memory");
        hk->host = host;
        struct podrt_error *e = NULL;
        int r = hook_set_load(dirs, explicit, &hk->set, &e);
        if (r < 0) {
                free(hk);
                /* "hooks: /etc/containers/oci/hooks.d/01-x.json: stages: ...".
                 * Always EINVAL: the loader reports ENOENT as "no such
                 * plugin", and a missing directory or hook binary must not
                 * read as "no hooks plugin installed". */
                r = podrt_error_set(err, EINVAL, "hooks: %s", podrt_error_message(e));
                podrt_error_free(e);
                return r;
        }
        for (size_t i = 0; i < hk->set->n; i++)
                hooks_log(hk, PODRT_LOG_DEBUG, "loaded hook %s (%s)", hk->set->hooks[i]->file,
                          hk->set->hooks[i]->path);
        *ret_data = hk;
        return 0;
}

static void hooks_fini(void *data) {
        struct hooks *hk = data;
        if (!hk)
                return;
        hook_set_free(hk->set);
        free(hk);
}

/* The pod's annotations and the app's command and mounts, for matching. */
struct target {
        struct match_target t;
        const char **keys;
        const char **values;
};

static void target_done(struct target *tg) {
        free(tg->keys);
        free(tg->values);
}

static int target_of(const struct podrt_app *app, struct target *tg, struct podrt_error **err) {
        const struct podrt_pod *pod = podrt_app_pod(app);
        size_t n = pod ? podrt_pod_n_annotations(pod) : 0;
        *tg = (struct target){};
        tg->keys = calloc(n + 1, sizeof(char *));
        tg->values = calloc(n + 1, sizeof(char *));
        if (!tg->keys || !tg->values) {
                target_done(tg);
                return podrt_error_set(err, ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
                const char *k = podrt_pod_annotation_key(pod, i);
                const char *v = podrt_pod_annotation_value(pod, i);
                tg->keys[tg->t.n_annotations] = k ? k : "";
                tg->values[tg->t.n_annotations] = v ? v : "";
                tg->t.n_annotations++;
        }
        tg->t.annotation_keys = tg->keys;
        tg->t.annotation_values = tg->values;
        const char *const *cmd = podrt_app_command(app);
        tg->t.command = cmd ? cmd[0] : NULL;
        tg->t.has_bind_mounts = podrt_app_n_mounts(app) > 0;
        return 0;
}

static int hooks_run(void *data, struct podrt_app *app, uint32_t stage, const char *status,
                     uint64_t flags, struct podrt_error **err) {
        struct hooks *hk = data;
        if (flags != 0)
                return podrt_error_set(err, EINVAL, "hooks: run: unknown flags 0x%llx",
                                       (unsigned long long)flags);
        const char *stage_name = hook_stage_name(stage);
        if (!stage_name)
                return podrt_error_set(err, EINVAL, "hooks: run: unknown stage %u", stage);
        if (!hk || !hk->set || hk->set->n == 0)
                return 0;

        struct target tg;
        int r = target_of(app, &tg, err);
        if (r < 0)
                return r;
        char *state = hook_state_json(podrt_app_id(app), status, podrt_app_pid(app),
                                      podrt_app_dir(app), tg.t.n_annotations, tg.keys, tg.values);
        if (!state) {
                target_done(&tg);
                return podrt_error_set(err, ENOMEM, "out of memory");
        }

        /* A failing prestart, createRuntime, createContainer or startContainer
         * hook stops the others (runtime-spec: the start fails); at poststart
         * and poststop the others still run, and the first failure is
         * returned for the core to report as a warning. */
        bool keep_going = stage == PODRT_HOOK_POSTSTART || stage == PODRT_HOOK_POSTSTOP;
        int first = 0;
        for (size_t i = 0; i < hk->set->n; i++) {
                const struct hook *h = hk->set->hooks[i];
                if (!(h->stages & (1u << stage)) || !hook_match(h, &tg.t, NULL))
                        continue;
                hooks_log(hk, PODRT_LOG_DEBUG, "%s: %s hook %s (%s)", podrt_app_name(app),
                          stage_name, h->file, h->path);
                if (first < 0) {
                        struct podrt_error *e = NULL;
                        if (hook_exec(h, state, strlen(state), podrt_app_dir(app), STDERR_FILENO,
                                      &e) < 0)
                                hooks_log(hk, PODRT_LOG_WARNING, "%s: %s: %s",
                                          podrt_app_name(app), stage_name,
                                          podrt_error_message(e));
                        podrt_error_free(e);
                        continue;
                }
                r = hook_exec(h, state, strlen(state), podrt_app_dir(app), STDERR_FILENO, err);
                if (r < 0) {
                        first = r;
                        if (!keep_going)
                                break;
                }
        }
        free(state);
        target_done(&tg);
        return first;
}

static const char *json_text(struct json_object *o) {
        return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                         JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int hooks_oci_json(void *data, struct podrt_app *app, char **ret_json, uint64_t flags,
                          struct podrt_error **err) {
        struct hooks *hk = data;
        if (flags != 0)
                return podrt_error_set(err, EINVAL, "hooks: oci_json: unknown flags 0x%llx",
                                       (unsigned long long)flags);
        struct target tg;
        int r = target_of(app, &tg, err);
        if (r < 0)
                return r;
        struct json_object *o = json_object_new_object();
        for (uint32_t s = 0; o && s < PODRT_HOOK_N_STAGES; s++) {
                struct json_object *a = NULL;
                for (size_t i = 0; hk && hk->set && i < hk->set->n; i++) {
                        const struct hook *h = hk->set->hooks[i];
                        if (!(h->stages & (1u << s)) || !hook_match(h, &tg.t, NULL))
                                continue;
                        if (!a)
                                a = json_object_new_array();
                        json_object_array_add(a, hook_oci_entry(h));
                }
                if (a)
                        json_object_object_add(o, hook_stage_name(s), a);
        }
        target_done(&tg);
        const char *text = o ? json_text(o) : NULL;
        char *copy = text ? strdup(text) : NULL;
        json_object_put(o);
        if (!copy)
                return podrt_error_set(err, ENOMEM, "out of memory");
        *ret_json = copy;
        return 0;
}

static int hooks_describe(void *data, struct podrt_pod *pod, char **ret_json, uint64_t flags,
                          struct podrt_error **err) {
        struct hooks *hk = data;
        if (flags != 0)
                return podrt_error_set(err, EINVAL, "hooks: describe: unknown flags 0x%llx",
                                       (unsigned long long)flags);
        struct json_object *o = json_object_new_object(), *dirs = json_object_new_array(),
                           *apps = json_object_new_array();
        if (!o || !dirs || !apps) {
                json_object_put(o);
                json_object_put(dirs);
                json_object_put(apps);
                return podrt_error_set(err, ENOMEM, "out of memory");
        }
        for (size_t i = 0; hk && hk->set && hk->set->dirs && hk->set->dirs[i]; i++)
                json_object_array_add(dirs, json_object_new_string(hk->set->dirs[i]));
        json_object_object_add(o, "dirs", dirs);
        json_object_object_add(o, "apps", apps);

        size_t n_apps = podrt_pod_n_apps(pod);
        for (size_t a = 0; a < n_apps; a++) {
                struct podrt_app *app = podrt_pod_app(pod, a);
                struct target tg;
                int r = target_of(app, &tg, err);
                if (r < 0) {
                        json_object_put(o);
                        return r;
                }
                struct json_object *ao = json_object_new_object(),
                                   *stages = json_object_new_object(),
                                   *unmatched = json_object_new_array();
                json_object_object_add(ao, "name", json_object_new_string(podrt_app_name(app)));
                for (uint32_t s = 0; s < PODRT_HOOK_N_STAGES; s++)
                        json_object_object_add(stages, hook_stage_name(s),
                                               json_object_new_array());
                for (size_t i = 0; hk && hk->set && i < hk->set->n; i++) {
                        const struct hook *h = hk->set->hooks[i];
                        const char *why = NULL;
                        if (!hook_match(h, &tg.t, &why)) {
                                struct json_object *u = json_object_new_object();
                                json_object_object_add(u, "file", json_object_new_string(h->file));
                                json_object_object_add(u, "path", json_object_new_string(h->path));
                                json_object_object_add(u, "why", json_object_new_string(why));
                                json_object_array_add(unmatched, u);
                                continue;
                        }
                        for (uint32_t s = 0; s < PODRT_HOOK_N_STAGES; s++) {
                                if (!(h->stages & (1u << s)))
                                        continue;
                                struct json_object *e = json_object_new_object(), *arr = NULL;
                                json_object_object_add(e, "file", json_object_new_string(h->file));
                                json_object_object_add(e, "path", json_object_new_string(h->path));
                                if (h->timeout > 0)
                                        json_object_object_add(e, "timeout",
                                                               json_object_new_int(h->timeout));
                                json_object_object_get_ex(stages, hook_stage_name(s), &arr);
                                json_object_array_add(arr, e);
                        }
                }
                target_done(&tg);
                json_object_object_add(ao, "stages", stages);
                json_object_object_add(ao, "unmatched", unmatched);
                json_object_array_add(apps, ao);
        }

        const char *text = json_text(o);
        char *copy = text ? strdup(text) : NULL;
        json_object_put(o);
        if (!copy)
                return podrt_error_set(err, ENOMEM, "out of memory");
        *ret_json = copy;
        return 0;
}

static const struct podrt_hook_ops hooks_ops = {
        .version = PODRT_HOOK_OPS_VERSION,
        .size = sizeof(struct podrt_hook_ops),
        .run = hooks_run,
        .oci_json = hooks_oci_json,
        .describe = hooks_describe,
};

static const struct podrt_plugin hooks_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "hooks",
        .version = PODRT_VERSION,
        .description = "OCI hooks 1.0.0 (and 0.1.0), as podman and CRI-O read them",
        .init = hooks_init,
        .fini = hooks_fini,
        .hooks = &hooks_ops,
        .config_check = hooks_config_check,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &hooks_plugin;
}
