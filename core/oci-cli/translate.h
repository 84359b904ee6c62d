/* SPDX-License-Identifier: Apache-2.0 */
/* config.json (OCI runtime-spec 1.0/1.1) to a podrt manifest: a pure
 * function, unit-tested.  What maps goes into the manifest; what podrt-runtime
 * applies itself (rlimits, hooks, terminal, the network choice) comes back
 * beside it; what no backend does is a warning, or an error where ignoring
 * it would weaken isolation. */
#ifndef PODRT_OCI_CLI_TRANSLATE_H
#define PODRT_OCI_CLI_TRANSLATE_H

#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include <podrt/error.h>

#define OCI_MAX_RLIMITS 16

struct oci_rlimit {
        int resource;              /* RLIMIT_* */
        uint64_t soft, hard;
};

struct oci_translation {
        struct json_object *manifest;  /* the podrt/v1 manifest */
        char **warnings;               /* NULL-terminated, may be empty */
        bool terminal;                 /* process.terminal */
        const char *network;           /* "none" (own netns) or "host" */
        char *netns_path;              /* a network namespace to join, or NULL */
        struct oci_rlimit rlimits[OCI_MAX_RLIMITS];
        size_t n_rlimits;
        bool has_oom_score_adj;
        int oom_score_adj;
        struct json_object *hooks;     /* config.json's hooks (a reference), or NULL */
};

/* A pod name made of a container ID: lower case, [a-z0-9.-], at most 63. */
void oci_pod_name(const char *id, char ret[64]);

/* Translates config (parsed config.json of the bundle in bundle_dir, an
 * absolute path) for the container id on backend (for its warnings).
 * Errors read "config.json: <json path>: <what>". */
int oci_translate(struct json_object *config, const char *bundle_dir, const char *id,
                  const char *backend, struct oci_translation *ret, struct podrt_error **err);
void oci_translation_done(struct oci_translation *t);

/* RLIMIT_NOFILE and "NOFILE" style names: the resource, or -1. */
int oci_rlimit_from_name(const char *name);

#endif
