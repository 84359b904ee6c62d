/* SPDX-License-Identifier: Apache-2.0 */
/* exec into a running app, as nsenter does: join the app's namespaces and
 * cgroups, enter its root, take its user, capabilities and environment,
 * and run a command attached to the caller's stdio. */
#ifndef PODRT_NSPAWN_ENTER_H
#define PODRT_NSPAWN_ENTER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <podrt/error.h>

struct nspawn_enter {
        pid_t target;                 /* the app's process (host pid) */
        const char *const *argv;      /* the command */
        const char *const *env;       /* exactly its environment */
        const char *workdir;          /* NULL: "/" */
        uint32_t uid, gid;
        const uint32_t *groups;
        size_t n_groups;
        uint64_t caps;                /* the bounding set to keep */
        int cap_last;
        char *const *cgroup_dirs;     /* joined first (may be NULL) */
};

/* Runs the command and waits for it: its exit code (128+N for signal N;
 * 127 when not found, 126 when it cannot be run, 125 when entering the app
 * failed, with one line on stderr). */
int nspawn_enter_exec(const struct nspawn_enter *e, struct podrt_error **err);

#endif
