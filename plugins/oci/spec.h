/* SPDX-License-Identifier: Apache-2.0 */
/* config.json (OCI runtime-spec 1.0.2) as a pure function of one container's
 * description.  oci.c/bundle.c fill struct oci_container from the podrt_*
 * accessors; nothing here touches the pod or the filesystem, so the unit
 * tests compare the output with golden files. */
#ifndef PODRT_OCI_SPEC_H
#define PODRT_OCI_SPEC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <podrt/error.h>

/* A bind mount into the container. */
struct oci_bind {
        const char *source;      /* host path */
        const char *destination; /* absolute path inside the container */
        bool read_only;
        bool file;               /* a single file (bind, not rbind) */
};

struct oci_container {
        /* Where the container is in the manifest ("containers[1]"), to
         * prefix error messages with; may be NULL. */
        const char *where;
        const char *pod_id;
        const char *pod_name;
        const char *name;        /* the app's name */
        const char *id;          /* the OCI container ID (<pod id>-<name>) */
        const char *hostname;

        const char *rootfs;
        bool read_only_rootfs;

        const char *const *args;
        const char *const *env;  /* KEY=VALUE */
        const char *cwd;
        uint32_t uid, gid;
        const uint32_t *groups;
        size_t n_groups;
        const char *const *caps_add;   /* NULL or NULL-terminated */
        const char *const *caps_drop;
        uint64_t nofile;         /* RLIMIT_NOFILE, soft and hard; 0: 1048576 */

        /* Volume mounts and generated /etc files, in this order. */
        const struct oci_bind *binds;
        size_t n_binds;

        /* Namespaces: a path joins, NULL makes a new one, except network
         * where host_network means "no network namespace at all". */
        const char *netns_path;
        bool host_network;
        const char *uts_path;
        const char *ipc_path;
        bool cgroup_ns;          /* cgroup v2 hosts: a private cgroup namespace */

        const char *cgroups_path;
        int64_t memory;          /* bytes, 0 none */
        int64_t cpu_millis;      /* 0 none */
        int64_t pids;            /* 0 none */

        /* The runtime that runs the bundle, recorded as the annotations
         * io.podrt.oci.runtime and io.podrt.oci.root (may be NULL). */
        const char *runtime_path;
        const char *runtime_root;

        /* Annotations: keys[i] = values[i]. */
        const char *const *annotation_keys;
        const char *const *annotation_values;
        size_t n_annotations;
};

/* The CFS period podrt uses; quota = millis * period / 1000. */
#define OCI_CPU_PERIOD 100000

/* The whole config.json.  Fails (-EINVAL) on an unknown capability name,
 * naming it. */
int oci_spec_build(const struct oci_container *c, struct json_object **ret,
                   struct podrt_error **err);

/* The "process" object alone, for `runtime exec --process`: the container's
 * env, cwd, user and capabilities with args replaced. */
int oci_spec_process(const struct oci_container *c, const char *const *args, bool terminal,
                     struct json_object **ret, struct podrt_error **err);

/* The capability set the container's process gets, after add/drop, in the
 * order of the kernel's numbers (NULL-terminated, static strings; free the
 * vector only).  "ALL" is understood in add and drop; names may be given
 * without "CAP_" and in lower case.  where prefixes errors (may be NULL). */
int oci_caps_resolve(const char *where, const char *const *add, const char *const *drop,
                     const char ***ret, struct podrt_error **err);

/* The default set (Docker's and podman's historical one). */
extern const char *const oci_default_caps[];

#endif
