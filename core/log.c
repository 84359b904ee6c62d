/* SPDX-License-Identifier: Apache-2.0 */
/* The core's log: one line per message on stderr, "podrt: <message>". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <podrt/common.h>
#include "runtime.h"

static int log_level = PODRT_LOG_WARNING;

void log_set_level(int level) {
        log_level = level;
}

int log_get_level(void) {
        return log_level;
}

void log_msg(int level, const char *fmt, ...) {
        if (level > log_level)
                return;
        char line[4096];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(line, sizeof(line), fmt, ap);
        va_end(ap);
        fprintf(stderr, "podrt: %s%s\n", level <= PODRT_LOG_WARNING && level > PODRT_LOG_ERR ? "warning: " : "", line);
}

int log_level_from_string(const char *s) {
        static const struct { const char *name; int level; } levels[] = {
                { "err", PODRT_LOG_ERR },         { "error", PODRT_LOG_ERR },
                { "warning", PODRT_LOG_WARNING }, { "warn", PODRT_LOG_WARNING },
                { "notice", PODRT_LOG_NOTICE },   { "info", PODRT_LOG_INFO },
                { "debug", PODRT_LOG_DEBUG },
        };
        for (size_t i = 0; s && i < sizeof(levels) / sizeof(levels[0]); i++)
                if (strcasecmp(s, levels[i].name) == 0)
                        return levels[i].level;
        return -1;
}
