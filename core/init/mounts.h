/* SPDX-License-Identifier: Apache-2.0 */
/* The mounts of podrt-init: what the pod needs (/proc, /sys, /dev when
 * absent, then the description's mounts) and, in each app's process, the
 * app's own mount namespace and root. */
#ifndef PODRT_INIT_MOUNTS_H
#define PODRT_INIT_MOUNTS_H

#include <podrt/error.h>

#include "initspec.h"

/* Mounts proc on /proc, sysfs on /sys and devtmpfs on /dev (a tmpfs with the
 * basic nodes when devtmpfs is refused) where they are absent. */
int mounts_basic(struct podrt_error **err);

/* Makes the description's pod mounts, in order, creating targets. */
int mounts_pod(const struct initspec *s, struct podrt_error **err);

/* In an app's process: a private mount namespace, the app's root bound onto
 * itself with proc, /dev, /sys (read-only, when the root has /sys) and the
 * app's binds inside, the root made read-only when asked; then the process
 * switches into that root (pivot_root, or chroot on an initramfs) and
 * changes to the working directory. */
int mounts_enter_app(const struct initspec_app *app, struct podrt_error **err);

#endif
