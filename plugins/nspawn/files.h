/* SPDX-License-Identifier: Apache-2.0 */
/* Small file helpers of the nspawn plugin. */
#ifndef PODRT_NSPAWN_FILES_H
#define PODRT_NSPAWN_FILES_H

#include <sys/types.h>

/* The whole file as a NUL-terminated string; -errno. */
int nspawn_read_file(const char *path, char **ret);
/* Writes text to an existing file (cgroupfs, /proc); -errno. */
int nspawn_write_string(const char *path, const char *text);
/* Writes text to path through a temporary file renamed over it; -errno. */
int nspawn_write_atomic(const char *path, const char *text, mode_t mode);

#endif
