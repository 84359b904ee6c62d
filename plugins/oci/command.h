/* SPDX-License-Identifier: Apache-2.0 */
/* Running the runtime's commands: posix_spawn with a clean fd table (only
 * 0, 1, 2), default signal dispositions and an empty signal mask, whatever
 * the caller (the CLI or the pod's monitor) had. */
#ifndef PODRT_OCI_COMMAND_H
#define PODRT_OCI_COMMAND_H

#include <sys/types.h>
#include <podrt/error.h>

/* Starts argv[0] (an absolute path) with fds in, out and err as its 0, 1
 * and 2 (-1: /dev/null). */
int oci_spawn(char *const *argv, int in, int out, int err_fd, pid_t *ret_pid,
              struct podrt_error **err);
/* The same with fd extra (>= 0) as its fd 3. */
int oci_spawn_fd3(char *const *argv, int in, int out, int err_fd, int extra, pid_t *ret_pid,
                  struct podrt_error **err);

/* Waits for pid; *ret_status is its exit code, 128+N for signal N.
 * -ECHILD when someone else reaped it. */
int oci_wait(pid_t pid, int *ret_status);

/* Runs argv with stdin /dev/null and stdout+stderr captured (up to 64 KiB
 * kept), killing it after timeout_ms (< 0: never).  *ret_status as
 * oci_wait(); *ret_output malloc'd, NUL-terminated (may be NULL). */
int oci_run_capture(char *const *argv, int timeout_ms, int *ret_status, char **ret_output,
                    struct podrt_error **err);

/* The last non-empty line of text, trimmed, in buf. */
const char *oci_last_line(const char *text, char *buf, size_t size);

/* Waits up to timeout_ms for the process pid to end (any process, not only
 * a child; it is not reaped).  1 ended, 0 still running, -errno. */
int oci_wait_exit(pid_t pid, int timeout_ms);

#endif
