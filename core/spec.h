/* SPDX-License-Identifier: Apache-2.0 */
/* The pod spec: a manifest after parsing and validation (manifest*.c).
 * Everything here is already checked: names valid and unique, mounts naming
 * declared volumes, paths absolute and normalised, units converted, the
 * default environment applied.  Owned strings; free with pod_spec_free(). */
#ifndef PODRT_SPEC_H
#define PODRT_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

struct spec_kv {
        char *key;
        char *value;
};

struct spec_volume {
        char *name;
        uint32_t kind;      /* PODRT_VOLUME_HOST | PODRT_VOLUME_EMPTY */
        char *source;       /* host: absolute host path; empty: NULL */
        bool read_only;
};

struct spec_mount {
        char *volume;       /* a declared volume's name */
        size_t volume_index;/* its index in pod_spec.volumes */
        char *path;         /* absolute, normalised, inside the app's root */
        bool read_only;     /* asked here, or the volume is readOnly */
};

struct spec_port {
        char *name;         /* or NULL */
        uint32_t container_port;   /* 1-65535 */
        uint32_t host_port;        /* 0: none (the pod's IP only) */
        char *protocol;     /* "tcp" | "udp" | "sctp" */
        char *host_ip;      /* or NULL: every address of the host */
};

struct spec_host {
        char *ip;
        char **names;       /* strv */
};

struct spec_app {
        char *name;
        char *rootfs;       /* absolute host path (relative ones resolved
                             * against the manifest's folder), a directory */
        char **command;     /* strv, at least one element */
        char **env;         /* strv of "KEY=VALUE": manifest env over defaults */
        char *working_dir;  /* absolute; default "/" */
        uint32_t uid, gid;  /* default 0 */
        uint32_t *groups;   /* supplementary groups */
        size_t n_groups;
        struct spec_mount *mounts;
        size_t n_mounts;
        int64_t memory;     /* bytes, 0 = none */
        int64_t cpu_millis; /* 0 = none */
        int64_t pids;       /* 0 = none */
        char **caps_add;    /* strv, "CAP_*" upper case */
        char **caps_drop;   /* strv */
        bool read_only_rootfs;
        char **pre_start;   /* strv or NULL */
        char **post_stop;   /* strv or NULL */
        struct spec_port *ports;   /* Kubernetes' containerPort fields */
        size_t n_ports;
        char *image;        /* the image's name as the store has it, or NULL
                             * for a rootfs app (then rootfs is set) */
        char *image_id;     /* the store's id of it (its manifest's hex) */
        char **image_layers;        /* strv: the layer dirs, top first */
};

struct pod_spec {
        char *api_version;  /* "podrt/v1" */
        char *name;
        char *hostname;     /* defaults to name */
        struct spec_kv *annotations;
        size_t n_annotations;
        char **dns_servers, **dns_searches, **dns_options;   /* strv, maybe empty */
        struct spec_host *hosts;
        size_t n_hosts;
        struct spec_volume *volumes;
        size_t n_volumes;
        struct spec_app *apps;
        size_t n_apps;
};

PODRT_INTERNAL struct pod_spec *pod_spec_free(struct pod_spec *spec);
/* Frees what one app of a spec owns (not the struct itself). */
PODRT_INTERNAL void spec_app_done(struct spec_app *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct pod_spec *, pod_spec_free)

#endif
