/* SPDX-License-Identifier: Apache-2.0 */
/* Pod manifests (JSON, CONTRACTS.md §1): parse and validate completely. */
#ifndef PODRT_MANIFEST_H
#define PODRT_MANIFEST_H

#include <podrt/error.h>
#include "spec.h"

/* Parses text (len bytes) as a manifest.  source names it in messages (a file
 * name); base_dir resolves relative rootfs paths.  Errors name the source and
 * the JSON path: "pod.json: containers[1].mounts[0].path: must be absolute".
 * Checks the file system only to verify rootfs directories and that mount
 * paths do not escape through symlinks inside the rootfs. */
PODRT_INTERNAL int manifest_parse(const char *text, size_t len, const char *source,
                                  const char *base_dir, struct pod_spec **ret,
                                  struct podrt_error **err);

/* Reads the manifest file at path (a regular file of at most 4 MiB): its
 * text (NUL-terminated, *ret_len bytes) and the absolute folder it is in,
 * which manifest_parse() takes as base_dir.  Errors name path. */
PODRT_INTERNAL int manifest_read(const char *path, char **ret_text, size_t *ret_len,
                                 char **ret_dir, struct podrt_error **err);

/* manifest_read(), then manifest_parse(). */
PODRT_INTERNAL int manifest_load(const char *path, struct pod_spec **ret,
                                 struct podrt_error **err);

/* An app added to a running pod (manifest-add.c): text (len bytes, one
 * object of the manifest's containers[] form, read from source; a relative
 * rootfs is taken from base_dir) parsed and validated as the manifest's
 * containers are, against spec: its volumes, its other apps' names (a name
 * it has already: -EEXIST).  Appended to spec->apps, which may move (what
 * points into it must be renewed, also on failure).  *ret_json: the app
 * object as manifest.json keeps it (rootfs absolute).  Errors read
 * "<source>: <json path>: <what>". */
struct json_object;
PODRT_INTERNAL int manifest_parse_app(struct pod_spec *spec, const char *text, size_t len,
                                      const char *source, const char *base_dir,
                                      struct json_object **ret_json, struct podrt_error **err);
/* A manifest.json text with app appended to its containers, or without the
 * container named name (-ENOENT when it has none); *ret malloc'd.
 * -EBADMSG when text has no containers array. */
PODRT_INTERNAL int manifest_text_add_app(const char *text, struct json_object *app, char **ret);
PODRT_INTERNAL int manifest_text_remove_app(const char *text, const char *name, char **ret);

/* Where a container's "image" is looked up: the image store's directory
 * (the configuration's images.dir; runtime_new() sets it).  NULL: the
 * default, /var/lib/podrt/images. */
PODRT_INTERNAL void manifest_set_images_dir(const char *dir);

/* parse_memory(), parse_cpu(): Kubernetes quantities, the helper library's. */
#include "quantity.h"

#endif
