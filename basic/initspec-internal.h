/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the pod description (initspec*.c): the rules its writer and its
 * parser share. */
#ifndef PODRT_BASIC_INITSPEC_INTERNAL_H
#define PODRT_BASIC_INITSPEC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "initspec.h"

#define MOUNT_FLAGS_KNOWN (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)

/* The mount flags a "mount" line names: "ro", "nosuid", "nodev", "noexec". */
struct initspec_mount_flag {
        unsigned long flag;
        const char *name;
};
#define INITSPEC_N_MOUNT_FLAGS 4
extern const struct initspec_mount_flag initspec_mount_flags[INITSPEC_N_MOUNT_FLAGS];

/* [a-z0-9][a-z0-9.-]{0,62} */
bool initspec_name_is_valid(const char *s);
bool initspec_path_is_absolute(const char *p);
/* Absolute and without a ".." component: a path inside an app's root. */
bool initspec_path_is_inside(const char *p);
/* KEY=VALUE with a non-empty KEY. */
bool initspec_env_is_valid(const char *e);

/* The network keys (initspec-net.c): free, validate, parse one line (1:
 * not a network key; the error without the file and line), write. */
void initspec_net_clear(struct initspec *s);
int initspec_net_validate(const struct initspec *s, struct podrt_error **err);
int initspec_net_key(struct initspec *s, char **v, size_t n, struct podrt_error **err);
void initspec_net_write(const struct initspec *s, FILE *f);

#endif
