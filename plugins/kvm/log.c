/* SPDX-License-Identifier: Apache-2.0 */
/* The kvm backend's log lines, through the core's host (one line each:
 * "podrt: kvm: <message>"). */
#include <stdarg.h>
#include <stdio.h>

#include "kvm.h"

void kvm_log(const struct kvm *k, int level, const char *fmt, ...) {
        if (!k || !k->host || !k->host->log)
                return;
        char buf[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        k->host->log(k->host, level, "%s", buf);
}
