/* SPDX-License-Identifier: Apache-2.0 */
/* The image store as the podrt command reaches it: opened at the
 * configuration's images.dir, and which pods use an image. */
#ifndef PODRT_IMAGE_RUNTIME_H
#define PODRT_IMAGE_RUNTIME_H

#include "image-store.h"
#include "runtime.h"

#define IMAGES_DIR_DEFAULT "/var/lib/podrt/images"

/* images.dir of rt's configuration. */
PODRT_INTERNAL const char *runtime_images_dir(struct runtime *rt);
PODRT_INTERNAL int runtime_images(struct runtime *rt, struct image_store **ret,
                                  struct podrt_error **err);
/* The names of the pods one of whose apps runs image id (strv, maybe
 * empty). */
PODRT_INTERNAL int runtime_image_users(struct runtime *rt, const char *id, char ***ret,
                                       struct podrt_error **err);

/* The ids of the images pods use (strv, maybe empty). */
PODRT_INTERNAL int runtime_images_in_use(struct runtime *rt, char ***ret, struct podrt_error **err);

#endif
