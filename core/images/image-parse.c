/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI image layout's JSON: index.json, image manifests and configs,
 * checked for the fields the import uses (image-internal.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image-internal.h"
#include "strv.h"

#define MT_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

void image_descriptor_clear(struct image_descriptor *d) {
        free(d->media_type);
        free(d->digest);
        free(d->ref_name);
        *d = (struct image_descriptor){ 0 };
}

static void descriptors_free(struct image_descriptor *d, size_t n) {
        for (size_t i = 0; d && i < n; i++)
                image_descriptor_clear(&d[i]);
        free(d);
}

static struct json_object *parse_object(const char *text, size_t len, const char *what,
                                        struct podrt_error **err) {
        struct json_tokener *tok = json_tokener_new();
        if (!tok) {
                podrt_error_set(err, ENOMEM, "images: out of memory");
                return NULL;
        }
        struct json_object *o = json_tokener_parse_ex(tok, text, (int)len);
        enum json_tokener_error e = json_tokener_get_error(tok);
        size_t used = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (!o || e != json_tokener_success || used != len) {
                json_object_put(o);
                podrt_error_set(err, EBADMSG, "%s: invalid JSON", what);
                return NULL;
        }
        if (!json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                podrt_error_set(err, EBADMSG, "%s: not a JSON object", what);
                return NULL;
        }
        return o;
}

static int parse_descriptor(struct json_object *o, const char *what, const char *path,
                            struct image_descriptor *d, struct podrt_error **err) {
        struct json_object *v, *ann;
        if (!json_object_is_type(o, json_type_object))
                return podrt_error_set(err, EBADMSG, "%s: %s: not a descriptor", what, path);
        if (!json_object_object_get_ex(o, "digest", &v) || !json_object_is_type(v, json_type_string) ||
            !image_digest_valid(json_object_get_string(v)))
                return podrt_error_set(err, EBADMSG, "%s: %s.digest: not a sha256 digest", what, path);
        if (!(d->digest = strdup(json_object_get_string(v))))
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        if (!json_object_object_get_ex(o, "size", &v) || !json_object_is_type(v, json_type_int) ||
            json_object_get_int64(v) < 0)
                return podrt_error_set(err, EBADMSG, "%s: %s.size: not a size", what, path);
        d->size = json_object_get_int64(v);
        if (json_object_object_get_ex(o, "mediaType", &v) && json_object_is_type(v, json_type_string) &&
            !(d->media_type = strdup(json_object_get_string(v))))
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        if (json_object_object_get_ex(o, "annotations", &ann) && json_object_is_type(ann, json_type_object) &&
            json_object_object_get_ex(ann, "org.opencontainers.image.ref.name", &v) &&
            json_object_is_type(v, json_type_string) && !(d->ref_name = strdup(json_object_get_string(v))))
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        return 0;
}

static int parse_descriptors(struct json_object *root, const char *key, const char *what,
                             struct image_descriptor **ret, size_t *ret_n, struct podrt_error **err) {
        struct json_object *a;
        if (!json_object_object_get_ex(root, key, &a) || !json_object_is_type(a, json_type_array))
                return podrt_error_set(err, EBADMSG, "%s: %s: must be an array", what, key);
        size_t n = json_object_array_length(a);
        struct image_descriptor *d = calloc(n ? n : 1, sizeof(*d));
        if (!d)
                return podrt_error_set(err, ENOMEM, "images: out of memory");
        for (size_t i = 0; i < n; i++) {
                char path[64];
                snprintf(path, sizeof(path), "%s[%zu]", key, i);
                int r = parse_descriptor(json_object_array_get_idx(a, i), what, path, &d[i], err);
                if (r < 0) {
                        descriptors_free(d, n);
                        return r;
                }
        }
        *ret = d;
        *ret_n = n;
        return 0;
}

int image_parse_index(const char *text, size_t len, const char *what, struct image_descriptor **ret,
                      size_t *ret_n, struct podrt_error **err) {
        struct json_object *o = parse_object(text, len, what, err), *v;
        if (!o)
                return -EBADMSG;
        int r = 0;
        if (!json_object_object_get_ex(o, "schemaVersion", &v) || !json_object_is_type(v, json_type_int) ||
            json_object_get_int64(v) != 2)
                r = podrt_error_set(err, EBADMSG, "%s: schemaVersion: must be 2", what);
        if (r == 0)
                r = parse_descriptors(o, "manifests", what, ret, ret_n, err);
        json_object_put(o);
        return r;
}

int image_parse_manifest(const char *text, size_t len, const char *what,
                         struct image_descriptor *ret_config, struct image_descriptor **ret_layers,
                         size_t *ret_n, struct podrt_error **err) {
        struct json_object *o = parse_object(text, len, what, err), *v;
        if (!o)
                return -EBADMSG;
        int r = 0;
        struct image_descriptor config = { 0 };
        if (json_object_object_get_ex(o, "mediaType", &v) && json_object_is_type(v, json_type_string) &&
            strcmp(json_object_get_string(v), MT_MANIFEST) != 0 &&
            strcmp(json_object_get_string(v), MT_DOCKER_MANIFEST) != 0)
                r = podrt_error_set(err, EOPNOTSUPP, "%s: media type %s: not an image manifest%s", what,
                                    json_object_get_string(v),
                                    strcmp(json_object_get_string(v), MT_INDEX) == 0
                                            ? " (an index of manifests: give the tag of one)" : "");
        if (r == 0 && (!json_object_object_get_ex(o, "schemaVersion", &v) ||
                       !json_object_is_type(v, json_type_int) || json_object_get_int64(v) != 2))
                r = podrt_error_set(err, EBADMSG, "%s: schemaVersion: must be 2", what);
        if (r == 0 && !json_object_object_get_ex(o, "config", &v))
                r = podrt_error_set(err, EBADMSG, "%s: config: is required", what);
        if (r == 0)
                r = parse_descriptor(v, what, "config", &config, err);
        if (r == 0)
                r = parse_descriptors(o, "layers", what, ret_layers, ret_n, err);
        json_object_put(o);
        if (r < 0) {
                image_descriptor_clear(&config);
                return r;
        }
        *ret_config = config;
        return 0;
}

int image_parse_config(const char *text, size_t len, const char *what, char ***ret_diff_ids,
                       struct podrt_error **err) {
        struct json_object *o = parse_object(text, len, what, err), *rootfs, *ids;
        if (!o)
                return -EBADMSG;
        int r = 0;
        _cleanup_strv_free_ char **out = calloc(1, sizeof(char *));
        if (!out)
                r = podrt_error_set(err, ENOMEM, "images: out of memory");
        else if (!json_object_object_get_ex(o, "rootfs", &rootfs) ||
                 !json_object_object_get_ex(rootfs, "diff_ids", &ids) ||
                 !json_object_is_type(ids, json_type_array))
                r = podrt_error_set(err, EBADMSG, "%s: rootfs.diff_ids: must be an array", what);
        for (size_t i = 0; r == 0 && i < json_object_array_length(ids); i++) {
                struct json_object *d = json_object_array_get_idx(ids, i);
                if (!json_object_is_type(d, json_type_string) || !image_digest_valid(json_object_get_string(d)))
                        r = podrt_error_set(err, EBADMSG, "%s: rootfs.diff_ids[%zu]: not a sha256 digest",
                                            what, i);
                else if (strv_push(&out, json_object_get_string(d)) < 0)
                        r = podrt_error_set(err, ENOMEM, "images: out of memory");
        }
        json_object_put(o);
        if (r < 0)
                return r;
        *ret_diff_ids = TAKE_PTR(out);
        return 0;
}
