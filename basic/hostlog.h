/* SPDX-License-Identifier: Apache-2.0 */
/* A plugin's printf-like log wrapper, through the core's host: its logv
 * (since ABI 1.1), or its log with the line formatted here (a version 1
 * host).  Header-only: it uses nothing but <podrt/plugin.h>. */
#ifndef PODRT_BASIC_HOSTLOG_H
#define PODRT_BASIC_HOSTLOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <podrt/plugin.h>

#define HOST_HAS(host, member) \
        ((host)->size >= offsetof(struct podrt_host, member) + sizeof((host)->member) && (host)->member)

/* Nothing without a host, or a host without either. */
static inline void plugin_logv(const struct podrt_host *host, int level, const char *fmt, va_list ap) {
        if (!host)
                return;
        if (HOST_HAS(host, logv)) {
                host->logv(host, level, fmt, ap);
                return;
        }
        if (!HOST_HAS(host, log))
                return;
        char line[2048];
        vsnprintf(line, sizeof(line), fmt, ap);
        host->log(host, level, "%s", line);
}

#endif
