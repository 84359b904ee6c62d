/* SPDX-License-Identifier: Apache-2.0 */
/* Hook files of the 0.1.0 format (podman's older one): hook, arguments,
 * stages, cmds, annotations, hasBindMounts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "hookfile-parse.h"

/* ---- 0.1.0 ---------------------------------------------------------------- */

struct v0_props {
        struct json_object *hook, *arguments, *stages, *stage, *cmds, *cmd, *annotations,
                *annotation, *hasbindmounts;
};

int parse_v0(struct hook *h, struct json_object *root, struct podrt_error **err) {
        struct v0_props p = {};
        struct {
                const char *name;
                struct json_object **slot;
        } props[] = {
                { "hook", &p.hook },
                { "arguments", &p.arguments },
                { "stages", &p.stages },
                { "stage", &p.stage },
                { "cmds", &p.cmds },
                { "cmd", &p.cmd },
                { "annotations", &p.annotations },
                { "annotation", &p.annotation },
                { "hasbindmounts", &p.hasbindmounts },
        };
        json_object_object_foreach(root, key, val) {
                if (strcasecmp(key, "version") == 0)
                        continue;
                bool known = false;
                for (size_t i = 0; i < ELEMENTSOF(props); i++)
                        if (strcasecmp(key, props[i].name) == 0) {
                                *props[i].slot = val;
                                known = true;
                                break;
                        }
                if (!known)
                        return podrt_error_set(err, EINVAL, "%s: unknown property (0.1.0 hook)",
                                               key);
        }

        if (!p.hook)
                return podrt_error_set(err, EINVAL, "hook: required property missing");
        int r = parse_path(h, p.hook, "hook", err);
        if (r < 0)
                return r;
        if (p.arguments) {
                _cleanup_(strv_free_allp) char **arguments = NULL;
                r = string_array(p.arguments, "arguments", &arguments, err);
                if (r < 0)
                        return r;
                size_t n = 0;
                while (arguments[n])
                        n++;
                if (!(h->args = calloc(n + 2, sizeof(char *))) || !(h->args[0] = strdup(h->path)))
                        return podrt_error_set(err, ENOMEM, "out of memory");
                for (size_t i = 0; i < n; i++)
                        h->args[i + 1] = TAKE_PTR(arguments[i]);
        }

        if (p.stages && p.stage)
                return podrt_error_set(err, EINVAL, "cannot set both 'stage' and 'stages'");
        if (!p.stages && !p.stage)
                return podrt_error_set(err, EINVAL, "stages: required property missing");
        r = parse_stages(h, p.stages ? p.stages : p.stage, p.stages ? "stages" : "stage", err);
        if (r < 0)
                return r;

        struct hook_when *w = &h->when;
        w->any = true;
        if (p.cmds && p.cmd)
                return podrt_error_set(err, EINVAL, "cannot set both 'cmd' and 'cmds'");
        if (p.cmds || p.cmd) {
                const char *what = p.cmds ? "cmds" : "cmd";
                char **v = NULL;
                r = string_array(p.cmds ? p.cmds : p.cmd, what, &v, err);
                if (r < 0)
                        return r;
                r = set_commands(w, v, what, err);
                if (r < 0)
                        return r;
        }

        if (p.annotations && p.annotation)
                return podrt_error_set(err, EINVAL,
                                       "cannot set both 'annotation' and 'annotations'");
        if (p.annotations || p.annotation) {
                const char *what = p.annotations ? "annotations" : "annotation";
                _cleanup_(strv_free_allp) char **v = NULL;
                r = string_array(p.annotations ? p.annotations : p.annotation, what, &v, err);
                if (r < 0)
                        return r;
                if (v[0]) {
                        /* Each entry alone must be a valid expression: say which. */
                        for (size_t i = 0; v[i]; i++) {
                                regex_t re;
                                char ctx[64];
                                snprintf(ctx, sizeof(ctx), "%s[%zu]", what, i);
                                r = compile_regex(&re, v[i], ctx, err);
                                if (r < 0)
                                        return r;
                                regfree(&re);
                        }
                        size_t len = 1;
                        for (size_t i = 0; v[i]; i++)
                                len += strlen(v[i]) + 1;
                        _cleanup_free_ char *joined = calloc(1, len);
                        if (!joined)
                                return podrt_error_set(err, ENOMEM, "out of memory");
                        for (size_t i = 0; v[i]; i++) {
                                if (i > 0)
                                        strcat(joined, "|");
                                strcat(joined, v[i]);
                        }
                        r = alloc_annotations(w, 1, err);
                        if (r < 0)
                                return r;
                        r = add_annotation(w, ".*", joined, what, err);
                        if (r < 0)
                                return r;
                }
        }

        if (p.hasbindmounts) {
                r = get_bool(p.hasbindmounts, "hasbindmounts", &w->has_bind_mounts, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

