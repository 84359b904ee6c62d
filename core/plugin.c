/* SPDX-License-Identifier: Apache-2.0 */
/* A loaded plugin as the core uses it: its descriptor's fields and tables,
 * the messages of unsupported and silently failed methods, and the host
 * callbacks (log, logv, plugin_ops) it is handed. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "loader-internal.h"

void plugin_host_logv(const struct podrt_host *host, int level, const char *fmt, va_list ap) {
        if (!host || !fmt || level > host->log_level)
                return;

        char *msg = NULL;
        int r = vasprintf(&msg, fmt, ap);
        if (r < 0)
                return;

        size_t n = strlen(msg);
        while (n > 0 && msg[n - 1] == '\n')
                msg[--n] = '\0';

        /* One write per line, so lines of different processes do not mix. */
        char *line = NULL;
        r = asprintf(&line, "podrt: %s: %s\n", host->plugin_name ? host->plugin_name : "?", msg);
        free(msg);
        if (r < 0)
                return;
        fflush(stderr);
        ssize_t w = write(STDERR_FILENO, line, (size_t)r);
        (void)w;
        free(line);
}

void plugin_host_log(const struct podrt_host *host, int level, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        plugin_host_logv(host, level, fmt, ap);
        va_end(ap);
}

const struct podrt_plugin *plugin_desc(const struct plugin *p) {
        return p ? p->desc : NULL;
}

void *plugin_data(const struct plugin *p) {
        return p ? p->data : NULL;
}

const char *plugin_name(const struct plugin *p) {
        return p ? p->name : NULL;
}

const char *plugin_path(const struct plugin *p) {
        return p ? p->path : NULL;
}

int plugin_unsupported(const struct plugin *p, const char *what, const char *method,
                       struct podrt_error **err) {
        return podrt_error_set(err, EOPNOTSUPP, "plugin '%s' does not support %s.%s",
                               p ? p->name : "?", what, method);
}

int plugin_host_ops(const struct podrt_host *host, const char *name, uint32_t kind,
                           const void **ret_ops, void **ret_data, struct podrt_error **err) {
        static const char *const kinds[] = { "pod", "container", "hypervisor", "network",
                                             "storage", "hook" };
        if (!host || !ret_ops || kind >= ELEMENTSOF(kinds))
                return podrt_error_set(err, EINVAL, "plugin_ops: invalid arguments");
        struct plugin *self = (struct plugin *)((char *)host - offsetof(struct plugin, host));
        struct plugin *q = NULL;
        int r = loader_load(self->loader, name, &q, err);
        if (r < 0)
                return r;
        const void *ops = kind == PODRT_OPS_POD          ? (const void *)plugin_pod_ops(q)
                          : kind == PODRT_OPS_CONTAINER  ? (const void *)plugin_container_ops(q)
                          : kind == PODRT_OPS_HYPERVISOR ? (const void *)plugin_hypervisor_ops(q)
                          : kind == PODRT_OPS_NETWORK    ? (const void *)plugin_network_ops(q)
                          : kind == PODRT_OPS_STORAGE    ? (const void *)plugin_storage_ops(q)
                                                         : (const void *)plugin_hook_ops(q);
        if (!ops)
                return podrt_error_set(err, EOPNOTSUPP, "plugin '%s' (%s) provides no %s ops",
                                       name, q->path, kinds[kind]);
        *ret_ops = ops;
        if (ret_data)
                *ret_data = q->data;
        return 0;
}

int plugin_result(const struct plugin *p, const char *what, const char *method, int r,
                  struct podrt_error **err) {
        if (r >= 0 || !err || *err)
                return r;
        return podrt_error_set(err, r, "plugin '%s' %s.%s: %s", p ? p->name : "?", what, method,
                               strerror(-r));
}

/* The descriptor's field, when its size covers it. */
#define DESC_FIELD(p, field)                                                        \
        ((p) && (p)->desc->size >= offsetof(struct podrt_plugin, field) +           \
                                           sizeof((p)->desc->field)                 \
                 ? (p)->desc->field                                                 \
                 : NULL)

const struct podrt_pod_ops *plugin_pod_ops(const struct plugin *p) {
        return DESC_FIELD(p, pod);
}

const struct podrt_container_ops *plugin_container_ops(const struct plugin *p) {
        return DESC_FIELD(p, container);
}

const struct podrt_hypervisor_ops *plugin_hypervisor_ops(const struct plugin *p) {
        return DESC_FIELD(p, hypervisor);
}

const struct podrt_network_ops *plugin_network_ops(const struct plugin *p) {
        return DESC_FIELD(p, network);
}

const struct podrt_storage_ops *plugin_storage_ops(const struct plugin *p) {
        return DESC_FIELD(p, storage);
}

const struct podrt_hook_ops *plugin_hook_ops(const struct plugin *p) {
        return DESC_FIELD(p, hooks);
}
