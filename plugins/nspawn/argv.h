/* SPDX-License-Identifier: Apache-2.0 */
/* The systemd-nspawn command line of a pod: what it is built from (struct
 * nspawn_config, plain data that tests fill by hand or from a pod) and the
 * builder, a pure function. */
#ifndef PODRT_NSPAWN_ARGV_H
#define PODRT_NSPAWN_ARGV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <podrt/error.h>
#include "macro.h"

/* Where things are inside the pod root (what nspawn's --directory shows). */
#define NSPAWN_INIT_PATH "/podrt-init"
#define NSPAWN_STAGE2 "/opt/stage2"
#define NSPAWN_VOLUMES "/podrt/volumes"
/* The machine name: this prefix and the pod's ID. */
#define NSPAWN_MACHINE_PREFIX "podrt-"

/* A --bind or --bind-ro: a host path shown at target inside the pod root. */
struct nspawn_bind {
        char *source;
        char *target;
        bool read_only;
};

struct nspawn_config {
        char *binary;          /* "systemd-nspawn" (looked up on PATH) or a path */
        char *directory;       /* the pod root: --directory */
        char *pod_id;          /* 32 hex digits: --uuid, and the machine name */
        char *hostname;        /* --hostname */
        bool systemd;          /* the host's PID 1 is systemd (else --register=no --keep-unit) */
        char *network;         /* the pod's network mode ("none", "host", ...) */
        char *netns_path;      /* the namespace to join, or NULL */
        char *init;            /* host path of podrt-init, bound read-only at /podrt-init */
        struct nspawn_bind *binds;
        size_t n_binds;
        char **caps_add;       /* --capability= (strv, may be NULL) */
        char **caps_drop;      /* --drop-capability= (strv, may be NULL) */
        /* Pod-wide limits, 0 for none: --property= on systemd hosts only
         * (elsewhere podrt writes them to cgroupfs itself). */
        int64_t memory_bytes;
        int64_t cpu_millis;
        int64_t pids;
};

struct nspawn_config *nspawn_config_free(struct nspawn_config *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct nspawn_config *, nspawn_config_free)

/* Appends a bind (strings copied); -ENOMEM. */
int nspawn_config_add_bind(struct nspawn_config *c, const char *source, const char *target,
                           bool read_only);

/* The machine name of a pod ("podrt-<id>"), malloc'd; NULL on ENOMEM. */
char *nspawn_machine_name(const char *pod_id);

/* The whole command line, argv[0] the binary and the last element
 * /podrt-init, as a malloc'd strv.  Starts nothing.  Refuses (naming the
 * field) what nspawn could not be given: a missing directory, pod ID or
 * hostname, a relative path. */
int nspawn_build_argv(const struct nspawn_config *c, char ***ret_argv, struct podrt_error **err);

#endif
