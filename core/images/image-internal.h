/* SPDX-License-Identifier: Apache-2.0 */
/* What the image store's files share. */
#ifndef PODRT_IMAGE_INTERNAL_H
#define PODRT_IMAGE_INTERNAL_H

#include "image-store.h"

/* Manifests, indexes and configs are read whole: at most this. */
#define IMAGE_JSON_MAX (4u << 20)

struct image_store {
        char *dir;
        int dirfd;
};

/* An fd holding flock(op) on DIR/name, or -errno with *err set. */
int image_lock(struct image_store *s, const char *name, int op, struct podrt_error **err);
bool image_digest_valid(const char *digest);
int image_index_read(struct image_store *s, struct json_object **ret, struct podrt_error **err);
int image_index_write(struct image_store *s, struct json_object *index, struct podrt_error **err);
struct json_object *image_index_images(struct json_object *index);
const char *image_record_string(struct json_object *record, const char *key);
bool image_record_has_name(struct json_object *record, const char *name);

/* The parsers of what an image layout holds (image-parse.c; fuzzed):
 * each takes the text, checks its shape, and gives the parts the import
 * uses.  Errors name what (a digest, "index.json"). */
struct image_descriptor {
        char *media_type;
        char *digest;           /* sha256:HEX, checked */
        int64_t size;           /* >= 0 */
        char *ref_name;         /* org.opencontainers.image.ref.name, or NULL */
};
void image_descriptor_clear(struct image_descriptor *d);
/* index.json of a layout: its manifests. */
int image_parse_index(const char *text, size_t len, const char *what,
                      struct image_descriptor **ret, size_t *ret_n, struct podrt_error **err);
/* An image manifest: its config and layers (bottom first). */
int image_parse_manifest(const char *text, size_t len, const char *what,
                         struct image_descriptor *ret_config, struct image_descriptor **ret_layers,
                         size_t *ret_n, struct podrt_error **err);
/* An image config: rootfs.diff_ids (sha256:HEX each). */
int image_parse_config(const char *text, size_t len, const char *what, char ***ret_diff_ids,
                       struct podrt_error **err);

#endif
