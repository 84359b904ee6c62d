/* SPDX-License-Identifier: Apache-2.0 */
/* What loader.c and plugin.c share: a loaded plugin and the loader.
 * Private to the loader. */
#ifndef PODRT_LOADER_INTERNAL_H
#define PODRT_LOADER_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include "loader.h"

struct plugin {
        char *name;
        char *path;                        /* the file, or "(builtin)" */
        void *handle;                      /* dlopen() handle; NULL for builtins */
        const struct podrt_plugin *desc;
        void *data;                        /* what init returned */
        bool initialized;                  /* init ran (or there is none) */
        struct podrt_host host;
        struct loader *loader;             /* for host.plugin_ops */
};

struct loader {
        char **dirs;
        const struct podrt_config *cfg;
        char *state_dir;
        char *libexec_dir;
        int log_level;

        struct plugin **builtins;          /* registered, initialised on first load */
        size_t n_builtins;
        struct plugin **loaded;            /* in the order their init ran */
        size_t n_loaded;
};

/* The host callbacks every plugin's struct podrt_host carries. */
void plugin_host_logv(const struct podrt_host *host, int level, const char *fmt, va_list ap);
void plugin_host_log(const struct podrt_host *host, int level, const char *fmt, ...)
        PODRT_PRINTF(3, 4);
int plugin_host_ops(const struct podrt_host *host, const char *name, uint32_t kind,
                    const void **ret_ops, void **ret_data, struct podrt_error **err);

#endif
