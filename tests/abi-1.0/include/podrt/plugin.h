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

#include <podrt/common.h>
#include <podrt/config.h>
#include <podrt/error.h>
#include <podrt/ops.h>

PODRT_BEGIN_DECLS

#define PODRT_PLUGIN_ENTRY_SYMBOL "podrt_plugin_entry"

/* What the core hands a plugin at init: one per plugin. */
struct podrt_host {
#define PODRT_HOST_VERSION 1
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
};

typedef const struct podrt_plugin *(*podrt_plugin_entry_fn)(void);

PODRT_END_DECLS

#endif
