/* SPDX-License-Identifier: Apache-2.0 */
/* podrt: what a plugin exports.
 *
 * A plugin is a shared object that exports one function, podrt_plugin_entry,
 * returning a pointer to a static descriptor:
 *
 *     static const struct podrt_plugin plugin = {
 *             .abi_major = PODRT_ABI_MAJOR,
 *             .abi_minor = PODRT_ABI_MINOR,
 *             .size = sizeof(struct podrt_plugin),
 *             .name = "example",
 *             .version = "1.0",
 *             .pod = &example_pod_ops,
 *     };
 *     PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) { return &plugin; }
 *
 * The core refuses a plugin whose abi_major differs from its own, whose
 * abi_minor is newer, or whose size is smaller than the fields up to and
 * including the pointers to the ops tables of ABI 1.0.
 */
#ifndef PODRT_PLUGIN_H
#define PODRT_PLUGIN_H

#include <stdarg.h>

#include <podrt/check.h>
#include <podrt/common.h>
#include <podrt/config.h>
#include <podrt/error.h>
#include <podrt/ops.h>

PODRT_BEGIN_DECLS

#define PODRT_PLUGIN_ENTRY_SYMBOL "podrt_plugin_entry"

/* Kinds of ops tables, for podrt_host.plugin_ops (since ABI 1.1). */
#define PODRT_OPS_POD 0u
#define PODRT_OPS_CONTAINER 1u
#define PODRT_OPS_HYPERVISOR 2u
#define PODRT_OPS_NETWORK 3u
#define PODRT_OPS_STORAGE 4u
#define PODRT_OPS_HOOKS 5u

/* What the core hands a plugin at init: one per plugin.  Check version (or
 * size) before using a member added after version 1. */
struct podrt_host {
#define PODRT_HOST_VERSION 2
        uint32_t version;
        uint32_t size;
        const char *plugin_name;          /* the plugin's own name */
        const struct podrt_config *config;
        const char *state_dir;            /* e.g. /run/podrt */
        const char *libexec_dir;          /* where podrt-init and helpers live */
        /* Log a line through the core ("podrt: <plugin>: <message>"). */
        void (*log)(const struct podrt_host *host, int level, const char *fmt, ...)
                PODRT_PRINTF(3, 4);
        int32_t log_level;                /* PODRT_LOG_*: lines above it are dropped */
        uint32_t reserved;
        /* ---- since version 2 (ABI 1.1) ---- */
        /* log with a va_list, for a plugin's own printf-like wrappers. */
        void (*logv)(const struct podrt_host *host, int level, const char *fmt, va_list ap);
        /* The ops table of kind (PODRT_OPS_*) of the plugin called name,
         * loaded and initialised through the core's loader as any plugin
         * (plugin path, ABI checks, its config_check): how a backend reaches
         * a plugin it delegates to, e.g. the kvm backend the hypervisor that
         * kvm.hypervisor names.  *ret_data is that plugin's private data,
         * the first argument of its methods.  The plugin stays loaded until
         * the caller is unloaded.  -ENOENT when no such plugin is installed,
         * -EOPNOTSUPP when it provides no table of that kind. */
        int (*plugin_ops)(const struct podrt_host *host, const char *name, uint32_t kind,
                          const void **ret_ops, void **ret_data, struct podrt_error **err);
};

struct podrt_plugin {
        uint32_t abi_major;
        uint32_t abi_minor;
        uint32_t size;                    /* sizeof(struct podrt_plugin) at build */
        uint32_t reserved;
        const char *name;                 /* [a-z0-9][a-z0-9_-]*, unique */
        const char *version;
        const char *description;
        /* Both optional.  init may store private data in *ret_data, which
         * every method receives first. */
        int (*init)(const struct podrt_host *host, void **ret_data, struct podrt_error **err);
        void (*fini)(void *data);
        /* The tables provided; NULL for what the plugin does not do. */
        const struct podrt_pod_ops *pod;
        const struct podrt_container_ops *container;
        const struct podrt_hypervisor_ops *hypervisor;
        const struct podrt_network_ops *network;
        const struct podrt_storage_ops *storage;
        const struct podrt_hook_ops *hooks;
        /* ---- since ABI 1.1 (the core reads them when size covers them) ---- */
        /* `podrt check`: adds this plugin's lines to the report with
         * podrt_check_add() and podrt_check_note() (<podrt/check.h>).  A
         * missing tool is a line, not a failure: return -errno only when the
         * check itself could not run.  flags: 0. */
        int (*check)(void *data, struct podrt_check *check, uint64_t flags,
                     struct podrt_error **err);
        /* Validates the plugin's own configuration section (the group named
         * as the plugin, or plugins.<name>): called when the plugin is
         * loaded, before init.  Fail with podrt_config_error() so that the
         * message names the file and line.  flags: 0. */
        int (*config_check)(const struct podrt_config *cfg, uint64_t flags,
                            struct podrt_error **err);
};

typedef const struct podrt_plugin *(*podrt_plugin_entry_fn)(void);

/* What every plugin defines (and the core looks up by name). */
PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void);

PODRT_END_DECLS

#endif
