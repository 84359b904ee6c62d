/* SPDX-License-Identifier: Apache-2.0 */
/* One OCI hook file: the 1.0.0 schema (version, hook, when, stages) and the
 * legacy 0.1.0 one (hook, arguments, stages, cmds, annotations,
 * hasbindmounts), read into the same struct hook, as podman does. */
#ifndef PODRT_HOOKS_HOOKFILE_H
#define PODRT_HOOKS_HOOKFILE_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <podrt/error.h>
#include <podrt/ops.h>

#include "macro.h"

/* The conditions under which a hook is injected. */
struct hook_when {
        int always;              /* -1 when absent, else 0 or 1 */
        int has_bind_mounts;     /* -1 when absent, else 0 or 1 */
        size_t n_annotations;    /* pairs of (key regex, value regex) */
        char **annotation_keys;
        char **annotation_values;
        regex_t *annotation_key_re;
        regex_t *annotation_value_re;
        size_t n_commands;       /* regexes on the app's command[0] */
        char **commands;
        regex_t *command_re;
        bool any;                /* 0.1.0: one matching condition suffices */
};

struct hook {
        char *file;              /* where it was read from (or "<name>") */
        char *version;           /* "1.0.0" or "0.1.0" */
        char *path;              /* absolute */
        char **args;             /* NULL when not given */
        char **env;              /* NULL when not given */
        int timeout;             /* seconds, 0 when not given */
        uint32_t stages;         /* bit (1u << PODRT_HOOK_*) per stage */
        struct hook_when when;
};

/* "prestart", "createRuntime", ...; NULL out of range. */
const char *hook_stage_name(uint32_t stage);
/* PODRT_HOOK_* for name, or -EINVAL. */
int hook_stage_from_name(const char *name);

/* Parses the text of a hook file.  file is recorded in the hook.  Errors
 * name the property: "hook.timeout: must be greater than 0, got 0". */
int hook_parse(const char *file, const char *text, size_t len, struct hook **ret_hook,
               struct podrt_error **err);
/* Reads and parses file, and checks that hook.path exists.  Errors are
 * prefixed with the file: "/etc/.../01-x.json: stages: must not be empty". */
int hook_load_file(const char *file, struct hook **ret_hook, struct podrt_error **err);

struct hook *hook_free(struct hook *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct hook *, hook_free)

#endif
