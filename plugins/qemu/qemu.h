/* SPDX-License-Identifier: Apache-2.0 */
/* The QEMU hypervisor plugin's private API: what its files share.  Nothing
 * here is exported from qemu.so (hidden visibility). */
#ifndef PODRT_QEMU_H
#define PODRT_QEMU_H

#include <stddef.h>
#include <stdint.h>

#include <podrt/plugin.h>
#include "errors.h"
#include "fileio.h"
#include "hypervisor.h"
#include "process.h"
#include "strv.h"
#include "timeutil.h"

/* QEMU's binary: PODRT_QEMU overrides it (tests). */
const char *qemu_binary(void);

/* QEMU option values double their commas ("a,b" -> "a,,b"). */
char *qemu_escape(const char *s);

/* ---- QMP (qmp.c) ---- */

/* Connects to the QMP socket at path, negotiates, runs one command
 * (arguments: a JSON object text, or NULL) and waits for its answer
 * (timeout_ms in all).  0 on {"return":...}, -EIO with QEMU's "desc" on
 * {"error":...}. */
int qmp_execute(const char *path, const char *command, const char *arguments, int timeout_ms,
                struct podrt_error **err);

/* ---- the KVM probe (probe.c) ---- */

/* Writes the tiny PVH test guest to path. */
int qemu_write_probe_image(const char *path);
/* Runs QEMU with -accel kvm -cpu host on the test guest (no cache), its
 * files (the image, kvm-probe.log when it fails) in dir: 1 works, 0 not;
 * detail says what happened either way. */
int qemu_probe_kvm(const char *dir, char *detail, size_t size);

#endif
