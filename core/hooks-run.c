/* SPDX-License-Identifier: Apache-2.0 */
/* Running a pod's hooks at a stage of its life (create, start, stop),
 * through the hooks plugin, unless the backend runs them itself. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "errors.h"
#include "lifecycle.h"

static const char *const hook_stage_names[] = {
        "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static int backend_runs_hooks(const struct plugin *p) {
        const struct podrt_pod_ops *ops = plugin_pod_ops(p);
        return ops && ops->size >= offsetof(struct podrt_pod_ops, features) + sizeof(ops->features) &&
               (ops->features & PODRT_POD_RUNS_HOOKS);
}

/* 1 when some app of pod has hooks at stage, 0 when none; 1 also when the
 * hooks plugin cannot say (no describe). */
static int hooks_at_stage(struct plugin *hooks, struct podrt_pod *pod, uint32_t stage) {
        _cleanup_free_ char *text = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        if (PLUGIN_CALL(hooks, plugin_hook_ops(hooks), "hooks", describe, &e, pod, &text, 0) < 0)
                return 1;
        struct json_object *o = json_tokener_parse(text), *apps, *stages, *list;
        int found = !o || !json_object_object_get_ex(o, "apps", &apps);
        for (size_t i = 0; !found && i < json_object_array_length(apps); i++)
                found = !json_object_object_get_ex(json_object_array_get_idx(apps, i), "stages", &stages) ||
                        !json_object_object_get_ex(stages, hook_stage_names[stage], &list) ||
                        json_object_array_length(list) > 0;
        json_object_put(o);
        return found;
}

/* The hooks of stage for every app of pod, or only for only (when set). */
static int run_hooks(struct runtime *rt, struct podrt_pod *pod, struct podrt_app *only, uint32_t stage,
                     const char *status, struct podrt_error **err) {
        struct plugin *backend, *hooks;
        int r = runtime_plugin(rt, pod->backend, "pod", &backend, err);
        if (r < 0 || (r = runtime_hooks_plugin(rt, &hooks, err)) < 0)
                return r;
        if (!hooks || backend_runs_hooks(backend))
                return 0;
        /* A poststart hook is told the pid of the app's process.  What start
         * recorded is the process the monitor waits for (an OCI runtime's
         * `run`, which is not in the container); the backend's state knows
         * the app's own, once it runs.  Asked only when there are such hooks:
         * the backend may wait for the app to be up. */
        if (stage == PODRT_HOOK_POSTSTART && hooks_at_stage(hooks, pod, stage)) {
                const struct podrt_pod_ops *ops = plugin_pod_ops(backend);
                _cleanup_error_ struct podrt_error *e = NULL;
                if (OPS_HAS(ops, state) && PLUGIN_CALL(backend, ops, "pod", state, &e, pod, 0) < 0)
                        log_msg(PODRT_LOG_WARNING, "%s: state: %s", pod->name, podrt_error_message(e));
        }
        /* Before start the first failure ends it; at poststart and poststop
         * every app's hooks run, and the first failure is returned. */
        bool keep_going = stage == PODRT_HOOK_POSTSTART || stage == PODRT_HOOK_POSTSTOP;
        _cleanup_error_ struct podrt_error *first = NULL;
        int ret = 0;
        for (size_t i = 0; i < pod->spec->n_apps; i++) {
                _cleanup_error_ struct podrt_error *e = NULL;
                if (only && &pod->apps[i] != only)
                        continue;
                r = PLUGIN_CALL(hooks, plugin_hook_ops(hooks), "hooks", run, &e, &pod->apps[i], stage,
                                status, 0);
                if (r >= 0)
                        continue;
                if (!first) {
                        ret = podrt_error_set(&e, r, "%s hook of %s", hook_stage_names[stage],
                                              pod->apps[i].spec->name);
                        first = TAKE_PTR(e);
                } else
                        log_msg(PODRT_LOG_WARNING, "%s: %s hook of %s: %s", pod->name, hook_stage_names[stage],
                                pod->apps[i].spec->name, podrt_error_message(e));
                if (!keep_going)
                        break;
        }
        if (first && err && !*err)
                *err = TAKE_PTR(first);
        return ret;
}

int pod_run_hooks(struct runtime *rt, struct podrt_pod *pod, uint32_t stage, const char *status,
                  struct podrt_error **err) {
        return run_hooks(rt, pod, NULL, stage, status, err);
}

int pod_run_app_hooks(struct runtime *rt, struct podrt_app *app, uint32_t stage, const char *status,
                      struct podrt_error **err) {
        return run_hooks(rt, app->pod, app, stage, status, err);
}
