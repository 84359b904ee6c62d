/* SPDX-License-Identifier: Apache-2.0 */
/* The image store (docs/images.md): content-addressed blobs, layers
 * unpacked once per diff_id, and an index of images and their names.
 *
 *   DIR/blobs/sha256/HEX     every blob, verified (manifest, config, layers)
 *   DIR/layers/HEX           a layer (HEX: its diff_id) unpacked, overlayfs
 *                            whiteouts and opaque dirs in it
 *   DIR/index.json           {"images": [record, ...]}
 *   DIR/tmp/PID-XXXXXX       an import in progress; nothing in it counts
 *   DIR/lock, DIR/index.lock imports hold lock shared, prune exclusive;
 *                            index.json changes under index.lock
 *
 * A record: {"id": manifest hex, "names": ["example/bb:latest"],
 * "manifest": "sha256:..", "config": "sha256:..", "layers": [diff_id
 * hex, bottom first], "blobs": ["sha256:.."], "size": bytes of the blobs,
 * "created": the config's, "imported": RFC 3339}. */
#ifndef PODRT_IMAGE_STORE_H
#define PODRT_IMAGE_STORE_H

#include <stdbool.h>
#include <json-c/json.h>
#include <podrt/error.h>
#include "internal.h"

struct image_store;

/* Opens the store at dir; with IMAGE_STORE_CREATE it is made when missing,
 * else a missing store is -ENOENT. */
#define IMAGE_STORE_CREATE (1u << 0)
PODRT_INTERNAL int image_store_open(const char *dir, unsigned flags, struct image_store **ret,
                                    struct podrt_error **err);
PODRT_INTERNAL struct image_store *image_store_free(struct image_store *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct image_store *, image_store_free)
PODRT_INTERNAL const char *image_store_dir(const struct image_store *s);

/* A name as podman shows it: "example/bb" is "example/bb:latest".  NULL
 * (errno EINVAL) when it is not a name. */
PODRT_INTERNAL char *image_name_normalize(const char *name);

/* True when record has name. */
PODRT_INTERNAL bool image_record_names(struct json_object *record, const char *name);

/* import SOURCE (oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE)
 * under name (NULL: from the source); *ret the record added (may be NULL). */
PODRT_INTERNAL int image_import(struct image_store *s, const char *source, const char *name,
                                struct json_object **ret, struct podrt_error **err);
/* The records, oldest first. */
PODRT_INTERNAL int image_list(struct image_store *s, struct json_object **ret,
                              struct podrt_error **err);
/* The record of ref (a name, an id or a prefix of one of 12 digits or
 * more, "sha256:" allowed): -ENOENT naming it when there is none. */
PODRT_INTERNAL int image_find(struct image_store *s, const char *ref, struct json_object **ret,
                              struct podrt_error **err);
/* The image's config (the parsed config blob). */
PODRT_INTERNAL int image_config(struct image_store *s, struct json_object *record,
                                struct json_object **ret, struct podrt_error **err);
/* The image's layer dirs, top first (overlayfs' lowerdir order). */
PODRT_INTERNAL int image_layer_dirs(struct image_store *s, struct json_object *record,
                                    char ***ret, struct podrt_error **err);
/* rm: a name removes that name (the image when it was its last), an id
 * the image.  With IMAGE_REMOVE_KEEP the image stays, without names
 * ("<none>"): pods run on it.  Blobs stay until prune. */
#define IMAGE_REMOVE_KEEP (1u << 0)
PODRT_INTERNAL int image_remove(struct image_store *s, const char *ref, unsigned flags,
                                struct podrt_error **err);
/* prune: images without a name whose id in_use (strv, may be NULL) does
 * not hold, then blobs and layers no image references, and imports that
 * died.  The count of what it removed. */
PODRT_INTERNAL int image_prune(struct image_store *s, char *const *in_use, struct podrt_error **err);

/* Internal to the store's files. */
int image_extract_tar(const char *file, const char *dest, struct podrt_error **err);
int image_unpack_layer(int blob_fd, const char *dest, const char *diff_id_hex,
                       unsigned *ret_skipped, struct podrt_error **err);

#endif
