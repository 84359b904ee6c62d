/* SPDX-License-Identifier: Apache-2.0 */
/* overlay: a storage plugin.  prepare mounts an overlayfs at
 * <app dir>/overlay/merged: lowerdir the image's layers, top first
 * (podrt_app_image_layers()), or the app's rootfs directory, which then
 * stays untouched; upperdir and workdir next to it (mounted volatile: never
 * synced), so every app writes only to its own layer.  readOnlyRootfs: the
 * backend makes that root read-only (see overlay_prepare).  release
 * unmounts it and removes the app's overlay dir, and succeeds on a
 * half-prepared app and when called again. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <podrt/podrt.h>

#include "fileio.h"
#include "macro.h"

#define OVERLAY_DIR "overlay"

static char *overlay_path(const struct podrt_app *app, const char *sub) {
        _cleanup_free_ char *base = path_join(podrt_app_dir(app), OVERLAY_DIR);
        return base && sub ? path_join(base, sub) : TAKE_PTR(base);
}

/* Unmounts merged (lazily: an exec'd process may linger) while it is one. */
static int overlay_unmount(const char *merged) {
        for (int i = 0; i < 8 && path_is_mount_point(merged) > 0; i++)
                if (umount2(merged, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                        return -errno;
        return 0;
}

static int overlay_release(void *data, struct podrt_app *app, uint64_t flags, struct podrt_error **err) {
        _cleanup_free_ char *base = overlay_path(app, NULL), *merged = overlay_path(app, "merged");
        if (!base || !merged)
                return podrt_error_set(err, ENOMEM, "overlay: out of memory");
        int r = overlay_unmount(merged);
        if (r < 0)
                return podrt_error_set(err, -r, "overlay: unmount %s: %s", merged, strerror(-r));
        if ((r = rm_rf(base)) < 0)
                return podrt_error_set(err, -r, "overlay: removing %s: %s", base, strerror(-r));
        return 0;
}

/* Appends ":dir" (or "dir" first) to the lowerdir list. */
static int lower_add(char **list, const char *dir, struct podrt_error **err) {
        if (strpbrk(dir, ":,\\"))
                return podrt_error_set(err, EINVAL, "overlay: %s: a ':', ',' or '\\' in a layer path", dir);
        char *n;
        if (asprintf(&n, "%s%s%s", *list ? *list : "", *list ? ":" : "", dir) < 0)
                return podrt_error_set(err, ENOMEM, "overlay: out of memory");
        free(*list);
        *list = n;
        return 0;
}

static int overlay_prepare(void *data, struct podrt_app *app, uint64_t flags, struct podrt_error **err) {
        const char *const *layers = podrt_app_image_layers(app);
        const char *rootfs = podrt_app_rootfs(app);
        _cleanup_free_ char *base = overlay_path(app, NULL), *upper = overlay_path(app, "upper"),
                            *work = overlay_path(app, "work"), *merged = overlay_path(app, "merged"),
                            *lower = NULL, *opts = NULL;
        struct stat st;
        int r;

        if (!base || !upper || !work || !merged)
                return podrt_error_set(err, ENOMEM, "overlay: out of memory");
        /* A root an earlier, failed prepare left is not reused. */
        if ((r = overlay_release(data, app, 0, err)) < 0)
                return r;
        size_t n = 0;
        if (layers) {
                for (; layers[n]; n++)
                        if ((r = lower_add(&lower, layers[n], err)) < 0)
                                return r;
                if (n == 0)
                        return podrt_error_set(err, EINVAL, "overlay: app %s: image %s has no layers",
                                               podrt_app_name(app), podrt_app_image(app));
        } else {
                if (!rootfs || !rootfs[0] || stat(rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
                        return podrt_error_set(err, ENOENT, "overlay: app %s: rootfs %s: not a directory",
                                               podrt_app_name(app), rootfs ? rootfs : "(none)");
                if ((r = lower_add(&lower, rootfs, err)) < 0)
                        return r;
                n = 1;
        }
        if ((r = mkdir_p(merged, 0755)) < 0)
                return podrt_error_set(err, -r, "overlay: %s: %s", merged, strerror(-r));
        /* readOnlyRootfs: an upper all the same, and the backend makes the
         * root read-only (runc's root.readonly, nspawn's --read-only) once
         * it has made its mount points in it (runc's /run/.containerenv),
         * which a mount without an upper refuses. */
        if ((r = mkdir_p(upper, 0755)) < 0 || (r = mkdir_p(work, 0700)) < 0)
                return podrt_error_set(err, -r, "overlay: %s: %s", base, strerror(-r));
        /* volatile (Linux 5.10): no sync of the upper layer, at umount
         * above all, which otherwise flushes the upper file system's journal
         * (1.7 ms a umount here, 30 ms with the files runc writes in it).
         * An upper is never mounted twice (prepare starts afresh), so what
         * a crash could lose is never read again; podman's --rm does the
         * same.  Older kernels refuse the option: mounted without it. */
        r = asprintf(&opts, "lowerdir=%s,upperdir=%s,workdir=%s,volatile", lower, upper, work);
        if (r < 0)
                return podrt_error_set(err, ENOMEM, "overlay: out of memory");
        if ((size_t)r >= (size_t)sysconf(_SC_PAGESIZE) - 1)
                return podrt_error_set(err, E2BIG, "overlay: app %s: %zu layers: the mount options are longer than a page",
                                       podrt_app_name(app), n);
        int m = mount("overlay", merged, "overlay", 0, opts);
        if (m < 0 && errno == EINVAL) {
                opts[strlen(opts) - strlen(",volatile")] = '\0';
                m = mount("overlay", merged, "overlay", 0, opts);
        }
        if (m < 0) {
                int e = errno;
                (void)rm_rf(base);
                return podrt_error_set(err, e, "overlay: app %s: mount overlay on %s: %s", podrt_app_name(app),
                                       merged, strerror(e));
        }
        if (podrt_app_set_rootfs(app, merged) < 0) {
                (void)overlay_release(data, app, 0, NULL);
                return podrt_error_set(err, ENOMEM, "overlay: out of memory");
        }
        return 0;
}

static int overlay_check(void *data, struct podrt_check *check, uint64_t flags, struct podrt_error **err) {
        _cleanup_free_ char *fs = NULL;
        int r = read_file("/proc/filesystems", 0, &fs, NULL);
        bool has = r == 0 && strstr(fs, "\toverlay\n");
        podrt_check_add(check, "overlayfs", has ? PODRT_CHECK_OK : 0, "%s",
                        has ? "in /proc/filesystems" : "not in /proc/filesystems (modprobe overlay)");
        return 0;
}

static const struct podrt_storage_ops overlay_ops = {
        .version = PODRT_STORAGE_OPS_VERSION,
        .size = sizeof(struct podrt_storage_ops),
        .prepare = overlay_prepare,
        .release = overlay_release,
};

static const struct podrt_plugin overlay_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "overlay",
        .version = "1.0",
        .description = "storage: app roots as overlayfs of image layers or a rootfs, writes per app",
        .storage = &overlay_ops,
        .check = overlay_check,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &overlay_plugin;
}
