/* SPDX-License-Identifier: Apache-2.0 */
/* File I/O for the whole tree: bounded whole-file reads, atomic writes,
 * mkdir -p, and rm -rf that stops at mount points.  Every function returns
 * 0 (or a count) or -errno, opens its fds with O_CLOEXEC and never follows a
 * symlink where it creates or removes. */
#ifndef PODRT_BASIC_FILEIO_H
#define PODRT_BASIC_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

/* What read_file_at() reads at most when max is 0. */
#define READ_FILE_MAX_DEFAULT ((size_t)64 << 20)

/* The whole of name (relative to dirfd; AT_FDCWD for a path), with a NUL
 * after it.  Regular files only: the file is opened O_NONBLOCK so that a
 * FIFO never blocks, and anything but a regular file is -EINVAL.  More than
 * max bytes (0: READ_FILE_MAX_DEFAULT) is -EFBIG.  *ret_size may be NULL. */
int read_file_at(int dirfd, const char *name, size_t max, char **ret, size_t *ret_size);
int read_file(const char *path, size_t max, char **ret, size_t *ret_size);

/* Writes all of data to fd, across short writes and EINTR. */
int write_all(int fd, const void *data, size_t size);

/* write_file_atomic_at() flags. */
#define WRITE_FILE_SYNC (1u << 0)   /* fsync the data before the rename */

/* Writes name (relative to dirfd) through a temporary file in the same
 * folder (".NAME.tmp-XXXXXX") renamed over it: readers see the old or the
 * new content, whole, never a part. */
int write_file_atomic_at(int dirfd, const char *name, const void *data, size_t size, mode_t mode,
                         unsigned flags);
int write_file_atomic(const char *path, const void *data, size_t size, mode_t mode,
                      unsigned flags);
/* Writes a file no one reads yet straight (created or truncated); on
 * failure the file is removed. */
int write_file_new(const char *path, const void *data, size_t size, mode_t mode);
/* Writes text to a file that exists (cgroupfs, /proc, /sys) in one write(). */
int write_string_file(const char *path, const char *text);

/* mkdir -p: missing parents get 0755, the last one mode.  An existing
 * directory is fine; an existing non-directory is -ENOTDIR. */
int mkdir_p(const char *path, mode_t mode);

/* rm -rf: removes path and all it holds, never following a symlink and never
 * descending into another mount (a bind mount on the same file system
 * included).  A mount point found inside is -EBUSY with nothing of it
 * touched; *ret_busy (may be NULL) then names it.  With RM_CHECK_ONLY it
 * only looks (so that a refused removal can leave the tree whole).  An
 * absent path is fine. */
#define RM_CHECK_ONLY (1u << 0)
int rm_rf_at(int dirfd, const char *name, unsigned flags, char **ret_busy);
int rm_rf(const char *path);

/* a "/" b, with one slash between; malloc'd, NULL when out of memory. */
char *path_join(const char *a, const char *b);
/* 1 when path is a mount point (statx's mount root attribute), 0 when not. */
int path_is_mount_point(const char *path);

#endif
