/* SPDX-License-Identifier: Apache-2.0 */
/* File-system helpers of podrt-init: directories made on demand and small
 * files written atomically. */
#ifndef PODRT_INIT_PATHS_H
#define PODRT_INIT_PATHS_H

#include <sys/types.h>

#include <podrt/error.h>

/* Creates path and its missing parents (mode); an existing directory is
 * fine. */
int init_mkdir_p(const char *path, mode_t mode, struct podrt_error **err);

/* Creates the missing parents of path. */
int init_mkdir_parents(const char *path, mode_t mode, struct podrt_error **err);

/* Writes text to path atomically: a temporary file in the same directory,
 * renamed over path (mode 0644).  Missing parent directories are created.
 * Nothing is left behind on failure. */
int init_write_file(const char *path, const char *text, struct podrt_error **err);

#endif
