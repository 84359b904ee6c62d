/* SPDX-License-Identifier: Apache-2.0 */
/* The QEMU hypervisor plugin's private API: what its files share.  Nothing
 * here is exported from qemu.so (hidden visibility). */
#ifndef PODRT_QEMU_H
#define PODRT_QEMU_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
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

/* podrt exec's channel (the kvm backend's KVM_EXEC_SOCKET and
 * KVM_EXEC_PORT): a virtio-serial port of that name, its host end a socket
 * of that name in the work dir. */
#define QEMU_EXEC_SOCKET "exec.sock"
#define QEMU_EXEC_PORT "podrt.exec"

/* A connection kept open (the keeper's watcher, the probe). */
struct qmp;
int qmp_open(const char *path, int timeout_ms, struct qmp **ret, struct podrt_error **err);
struct qmp *qmp_close(struct qmp *q);
/* A command without arguments, its answer awaited. */
int qmp_command(struct qmp *q, const char *command, int timeout_ms, struct podrt_error **err);
/* query-status: its "status" ("running", "paused", "internal-error",
 * "guest-panicked", "io-error", "shutdown", ...). */
int qmp_status(struct qmp *q, int timeout_ms, char *status, size_t size, struct podrt_error **err);
/* The next event's name; -ETIMEDOUT after timeout_ms, -ECONNRESET when QEMU
 * is gone. */
int qmp_wait_event(struct qmp *q, int timeout_ms, char *event, size_t size);

/* ---- the watcher (watch.c) ---- */

/* The private QMP socket of a VM, in its work dir (the control socket
 * serves one client at a time). */
#define QEMU_WATCH_SOCKET "qmp-watch.sock"
/* What the watcher leaves in the work dir when it ended a VM that stopped
 * (the kvm backend's keeper reads it): "<status>\n". */
#define QEMU_STOPPED_FILE "hypervisor-stopped"
/* Whether a query-status status means the guest cannot go on. */
bool qemu_status_is_fatal(const char *status);
/* Watches the VM of pid through the socket at path until QEMU is gone:
 * when it stops for good (internal error, guest panic, I/O error, shutdown
 * with QEMU still there) writes the status to stopped_path (when not NULL)
 * and quits QEMU.  Returns the fatal status seen in status (or "" when QEMU
 * ended by itself): 1, else 0. */
int qemu_watch(const char *path, pid_t pid, const char *stopped_path, int64_t deadline_ms,
               char *status, size_t size);
/* Forks a watcher process (detached) for the VM of pid in work_dir. */
int qemu_watch_spawn(const char *work_dir, pid_t pid);

/* ---- the KVM probe (probe.c) ---- */

/* Writes the tiny PVH test guest to path. */
int qemu_write_probe_image(const char *path);
/* Runs QEMU with -accel kvm -cpu host on the test guest (no cache), its
 * files (the image, kvm-probe.log when it fails) in dir: 1 works, 0 not;
 * detail says what happened either way. */
int qemu_probe_kvm(const char *dir, char *detail, size_t size);

#endif
