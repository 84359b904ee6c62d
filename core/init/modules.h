/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel modules podrt-init loads for the VM (virtio, 9p), in the order the
 * description lists them: the host side resolved the dependencies. */
#ifndef PODRT_INIT_MODULES_H
#define PODRT_INIT_MODULES_H

#include <podrt/error.h>

#include "initspec.h"

/* finit_module() of each listed module in order; one already loaded (EEXIST)
 * is fine.  Compressed modules (.xz, .zst, .gz) are handed to the kernel to
 * decompress.  A module refused for want of a signature is loaded again with
 * PATH.sig appended, when there is one (INITSPEC_MODULE_SIG_SUFFIX). */
int modules_load(const struct initspec *s, struct podrt_error **err);

#endif
