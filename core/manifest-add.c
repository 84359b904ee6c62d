/* SPDX-License-Identifier: Apache-2.0 */
/* Apps added to a running pod (`podrt app add`): one object of the
 * manifest's containers[] form, validated as the manifest's containers are,
 * against the pod's volumes and its other apps; and the pod's manifest.json
 * text with that app added or one removed. */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "manifest-parser.h"
#include "manifest.h"

/* The app object as manifest.json keeps it: its rootfs made absolute (the
 * pod's manifest folder is not the one of the app's file). */
static int app_json_for_manifest(json_object *o, const struct spec_app *app, json_object **ret) {
        json_object *copy = NULL;
        if (json_object_deep_copy(o, &copy, NULL) < 0 || !copy)
                return -ENOMEM;
        if (app->rootfs && !app->image &&
            json_object_object_add(copy, "rootfs", json_object_new_string(app->rootfs)) < 0) {
                json_object_put(copy);
                return -ENOMEM;
        }
        *ret = copy;
        return 0;
}

int manifest_parse_app(struct pod_spec *spec, const char *text, size_t len, const char *source,
                       const char *base_dir, json_object **ret_json, struct podrt_error **err) {
        struct parser p;
        _cleanup_free_ char *norm = NULL;
        _cleanup_(json_object_putp) json_object *o = NULL;
        int r = parser_begin(&p, text, source, base_dir, &norm, err);
        if (r < 0)
                return r;
        if ((r = parser_parse_json(&p, text, len, &o)) < 0 || (r = parser_check_duplicate_keys(&p, text)) < 0)
                goto out;
        json_object *name;
        if (json_object_object_get_ex(o, "name", &name) && json_object_is_type(name, json_type_string))
                for (size_t i = 0; i < spec->n_apps; i++)
                        if (strcmp(spec->apps[i].name, json_object_get_string(name)) == 0) {
                                r = parser_fail(&p, "name", EEXIST, "the pod already has an app named \"%s\"",
                                                spec->apps[i].name);
                                goto out;
                        }
        size_t n = spec->n_apps;
        struct spec_app *apps = realloc(spec->apps, (n + 2) * sizeof(*apps));
        if (!apps) {
                r = parser_oom(&p);
                goto out;
        }
        spec->apps = apps;
        memset(&apps[n], 0, 2 * sizeof(*apps));
        r = parser_parse_app(&p, o, n, spec);
        if (r >= 0 && (r = app_json_for_manifest(o, &spec->apps[n], ret_json)) < 0)
                r = parser_oom(&p);
        if (r < 0 && spec->n_apps > n) {
                spec_app_done(&spec->apps[n]);
                memset(&spec->apps[n], 0, sizeof(*apps));
                spec->n_apps = n;
        }
out:
        free(p.path);
        return r;
}

/* text's containers array (a manifest.json that parsed at create). */
static int containers_of(const char *text, json_object **ret_root, json_object **ret_containers) {
        json_object *root = json_tokener_parse(text), *c;
        if (!root || !json_object_object_get_ex(root, "containers", &c) ||
            !json_object_is_type(c, json_type_array)) {
                json_object_put(root);
                return -EBADMSG;
        }
        *ret_root = root;
        *ret_containers = c;
        return 0;
}

static int root_text(json_object *root, char **ret) {
        const char *s = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN |
                                                                     JSON_C_TO_STRING_NOSLASHESCAPE);
        char *copy = s ? strdup(s) : NULL;
        json_object_put(root);
        if (!copy)
                return -ENOMEM;
        *ret = copy;
        return 0;
}

int manifest_text_add_app(const char *text, json_object *app, char **ret) {
        json_object *root, *containers;
        int r = containers_of(text, &root, &containers);
        if (r < 0)
                return r;
        if (json_object_array_add(containers, json_object_get(app)) < 0) {
                json_object_put(app);
                json_object_put(root);
                return -ENOMEM;
        }
        return root_text(root, ret);
}

int manifest_text_remove_app(const char *text, const char *name, char **ret) {
        json_object *root, *containers, *v;
        int r = containers_of(text, &root, &containers);
        if (r < 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(containers); i++) {
                json_object *c = json_object_array_get_idx(containers, i);
                if (json_object_object_get_ex(c, "name", &v) && strcmp(json_object_get_string(v), name) == 0) {
                        json_object_array_del_idx(containers, i, 1);
                        return root_text(root, ret);
                }
        }
        json_object_put(root);
        return -ENOENT;
}
