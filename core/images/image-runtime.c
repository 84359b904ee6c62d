/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image-runtime.h"
#include "lifecycle.h"
#include "strv.h"

const char *runtime_images_dir(struct runtime *rt) {
        return podrt_config_string(rt->cfg, "images.dir", IMAGES_DIR_DEFAULT);
}

int runtime_images(struct runtime *rt, struct image_store **ret, struct podrt_error **err) {
        return image_store_open(runtime_images_dir(rt), IMAGE_STORE_CREATE, ret, err);
}

int runtime_image_users(struct runtime *rt, const char *id, char ***ret, struct podrt_error **err) {
        struct json_object *pods;
        int r = runtime_list(rt, &pods, err);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **users = calloc(1, sizeof(char *));
        for (size_t i = 0; users && i < json_object_array_length(pods); i++) {
                struct json_object *pod = json_object_array_get_idx(pods, i), *apps, *name, *v;
                if (!json_object_object_get_ex(pod, "apps", &apps) || !json_object_object_get_ex(pod, "name", &name))
                        continue;
                for (size_t j = 0; j < json_object_array_length(apps); j++)
                        if (json_object_object_get_ex(json_object_array_get_idx(apps, j), "imageId", &v) &&
                            json_object_is_type(v, json_type_string) && strcmp(json_object_get_string(v), id) == 0) {
                                if (!strv_contains(users, json_object_get_string(name)) &&
                                    strv_push(&users, json_object_get_string(name)) < 0)
                                        r = -ENOMEM;
                                break;
                        }
        }
        json_object_put(pods);
        if (!users || r < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        *ret = TAKE_PTR(users);
        return 0;
}

int runtime_images_in_use(struct runtime *rt, char ***ret, struct podrt_error **err) {
        struct json_object *pods;
        int r = runtime_list(rt, &pods, err);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **ids = calloc(1, sizeof(char *));
        for (size_t i = 0; ids && i < json_object_array_length(pods); i++) {
                struct json_object *apps, *v;
                if (!json_object_object_get_ex(json_object_array_get_idx(pods, i), "apps", &apps))
                        continue;
                for (size_t j = 0; j < json_object_array_length(apps); j++)
                        if (json_object_object_get_ex(json_object_array_get_idx(apps, j), "imageId", &v) &&
                            json_object_is_type(v, json_type_string) && !strv_contains(ids, json_object_get_string(v)) &&
                            strv_push(&ids, json_object_get_string(v)) < 0)
                                r = -ENOMEM;
        }
        json_object_put(pods);
        if (!ids || r < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        *ret = TAKE_PTR(ids);
        return 0;
}
