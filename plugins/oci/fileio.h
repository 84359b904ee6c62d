/* SPDX-License-Identifier: Apache-2.0 */
/* Small file helpers of the oci plugin.  Every one returns 0 or -errno and
 * opens its fds with O_CLOEXEC. */
#ifndef PODRT_OCI_FILEIO_H
#define PODRT_OCI_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* The whole file, NUL-terminated (*ret_size may be NULL). */
int oci_read_file(const char *path, char **ret, size_t *ret_size);
/* Writes path through a temporary file in the same directory and rename():
 * readers see the old or the new content, never a part.  No fsync: the
 * files are run-time state (the state dir is a tmpfs). */
int oci_write_file(const char *path, const char *data, size_t size, mode_t mode);
/* Writes a file that no one reads yet (a pod's bundle while create makes
 * it): straight, without the temporary file and rename() of
 * oci_write_file(), which cost about three times as much on ext4. */
int oci_write_new_file(const char *path, const char *data, size_t size, mode_t mode);
/* mkdir -p; existing directories are fine. */
int oci_mkdir_p(const char *path, mode_t mode);
/* rm -rf that never follows a symlink and never descends into another
 * mount (a left-over bind mount stays, and the call fails with -EBUSY).
 * An absent path is fine. */
int oci_rm_rf(const char *path);

#endif
