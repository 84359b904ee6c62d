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

/* Where a container's "image" is looked up: the image store's directory
 * (the configuration's images.dir; runtime_new() sets it).  NULL: the
 * default, /var/lib/podrt/images. */
PODRT_INTERNAL void manifest_set_images_dir(const char *dir);

/* parse_memory(), parse_cpu(): Kubernetes quantities, the helper library's. */
#include "quantity.h"

#endif
