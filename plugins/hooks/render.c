/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "render.h"

static struct json_object *string_array(char *const *v) {
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; a && v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

char *hook_state_json(const char *id, const char *status, pid_t pid, const char *bundle,
                      size_t n_annotations, const char *const *keys, const char *const *values) {
        struct json_object *o = json_object_new_object(), *ann = json_object_new_object();
        if (!o || !ann) {
                json_object_put(o);
                json_object_put(ann);
                return NULL;
        }
        json_object_object_add(o, "ociVersion", json_object_new_string("1.0.2"));
        json_object_object_add(o, "id", json_object_new_string(id ? id : ""));
        json_object_object_add(o, "status", json_object_new_string(status ? status : ""));
        if (pid > 0)
                json_object_object_add(o, "pid", json_object_new_int64(pid));
        json_object_object_add(o, "bundle", json_object_new_string(bundle ? bundle : ""));
        for (size_t i = 0; i < n_annotations; i++)
                json_object_object_add(ann, keys[i], json_object_new_string(values[i]));
        json_object_object_add(o, "annotations", ann);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                    JSON_C_TO_STRING_NOSLASHESCAPE);
        char *copy = text ? strdup(text) : NULL;
        json_object_put(o);
        return copy;
}

struct json_object *hook_oci_entry(const struct hook *h) {
        struct json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        json_object_object_add(o, "path", json_object_new_string(h->path));
        if (h->args)
                json_object_object_add(o, "args", string_array(h->args));
        if (h->env)
                json_object_object_add(o, "env", string_array(h->env));
        if (h->timeout > 0)
                json_object_object_add(o, "timeout", json_object_new_int(h->timeout));
        return o;
}
