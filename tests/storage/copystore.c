/* SPDX-License-Identifier: Apache-2.0 */
/* copystore: a third-party storage plugin for the tests, built like one
 * (include/ and the helper library, never core/), loaded through the real
 * loader from build/tests/storage/copystore.so.
 *
 * prepare copies the app's rootfs (cp -a) into <app dir>/copy-rootfs and
 * makes that the app's root with podrt_app_set_rootfs(); what the app writes
 * to its root then lands in the copy, never in the original.  release
 * removes the copy (whatever the app's rootfs says: only the copy in the
 * app's own dir is ever removed), and succeeds when there is none. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <podrt/podrt.h>

#include "fileio.h"
#include "macro.h"
#include "process.h"

#define COPYSTORE_DIR "copy-rootfs"
#define COPYSTORE_TIMEOUT_MS (5 * 60 * 1000)

static char *copy_path(const struct podrt_app *app) {
        return path_join(podrt_app_dir(app), COPYSTORE_DIR);
}

/* What cp said (its first line), for the error message. */
static void first_line(int fd, char *buf, size_t size) {
        buf[0] = 0;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return;
        ssize_t n = read(fd, buf, size - 1);
        buf[n > 0 ? n : 0] = 0;
        buf[strcspn(buf, "\n")] = 0;
}

static int copystore_prepare(void *data, struct podrt_app *app, uint64_t flags,
                             struct podrt_error **err) {
        const char *src = podrt_app_rootfs(app);
        struct stat st;
        if (!src || !src[0])
                return podrt_error_set(err, ENOENT, "copystore: app %s has no rootfs", podrt_app_name(app));
        if (stat(src, &st) < 0)
                return podrt_error_set(err, errno, "copystore: %s: rootfs of %s: %s", src,
                                       podrt_app_name(app), strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return podrt_error_set(err, ENOTDIR, "copystore: %s: rootfs of %s: not a directory", src,
                                       podrt_app_name(app));
        _cleanup_free_ char *dst = copy_path(app);
        if (!dst)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = mkdir_p(podrt_app_dir(app), 0755);
        if (r < 0)
                return podrt_error_set(err, -r, "copystore: %s: %s", podrt_app_dir(app), strerror(-r));
        /* A copy left by an earlier, failed prepare is not reused. */
        if ((r = rm_rf(dst)) < 0)
                return podrt_error_set(err, -r, "copystore: removing %s: %s", dst, strerror(-r));

        _cleanup_close_ int out = memfd_create("copystore-cp", MFD_CLOEXEC);
        char *argv[] = { "cp", "-a", "--", (char *)src, dst, NULL };
        int status = 0;
        r = run_program(argv, out, COPYSTORE_TIMEOUT_MS, &status);
        if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                char said[256] = "";
                if (out >= 0)
                        first_line(out, said, sizeof(said));
                (void)rm_rf(dst);
                if (r < 0)
                        return podrt_error_set(err, -r, "copystore: cp -a %s %s: %s", src, dst, strerror(-r));
                return podrt_error_set(err, EIO, "copystore: cp -a %s %s: %s %d%s%s", src, dst,
                                       WIFEXITED(status) ? "exit status" : "killed by signal",
                                       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
                                       said[0] ? ": " : "", said);
        }
        if (podrt_app_set_rootfs(app, dst) < 0) {
                (void)rm_rf(dst);
                return podrt_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

static int copystore_release(void *data, struct podrt_app *app, uint64_t flags,
                             struct podrt_error **err) {
        _cleanup_free_ char *dst = copy_path(app);
        if (!dst)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = rm_rf(dst);
        if (r < 0)
                return podrt_error_set(err, -r, "copystore: removing %s: %s", dst, strerror(-r));
        return 0;
}

static const struct podrt_storage_ops copystore_ops = {
        .version = PODRT_STORAGE_OPS_VERSION,
        .size = sizeof(struct podrt_storage_ops),
        .prepare = copystore_prepare,
        .release = copystore_release,
};

static const struct podrt_plugin copystore_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "copystore",
        .version = "1.0",
        .description = "test storage: each app runs on its own copy of its rootfs",
        .storage = &copystore_ops,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &copystore_plugin;
}
