/* SPDX-License-Identifier: Apache-2.0 */
/* Built-in storage "dir": each app runs on its rootfs directory in place. */
#include <errno.h>
#include <sys/stat.h>

#include "podrt-build.h"
#include "builtins.h"

static int dir_prepare(void *data, struct podrt_app *app, uint64_t flags, struct podrt_error **err) {
        struct stat st;
        const char *root = podrt_app_rootfs(app);
        if (podrt_app_image_layers(app))
                return podrt_error_set(err, EOPNOTSUPP,
                                       "storage dir: app %s runs image %s: dir cannot stack layers (storage = \"overlay\")",
                                       podrt_app_name(app), podrt_app_image(app));
        if (stat(root, &st) < 0)
                return podrt_error_set(err, errno, "storage dir: %s: rootfs of %s: %m", root,
                                       podrt_app_name(app));
        if (!S_ISDIR(st.st_mode))
                return podrt_error_set(err, ENOTDIR, "storage dir: %s: rootfs of %s: not a directory",
                                       root, podrt_app_name(app));
        return 0;
}

static int dir_release(void *data, struct podrt_app *app, uint64_t flags, struct podrt_error **err) {
        return 0;
}

static const struct podrt_storage_ops dir_ops = {
        .version = PODRT_STORAGE_OPS_VERSION,
        .size = sizeof(struct podrt_storage_ops),
        .prepare = dir_prepare,
        .release = dir_release,
};

const struct podrt_plugin builtin_storage_dir = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "dir",
        .version = PODRT_VERSION,
        .description = "storage: app root filesystems used in place",
        .storage = &dir_ops,
};
