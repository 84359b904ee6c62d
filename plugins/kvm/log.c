/* SPDX-License-Identifier: Apache-2.0 */
/* The kvm backend's log lines, through the core's host (one line each:
 * "podrt: kvm: <message>"). */
#include <stdarg.h>

#include "hostlog.h"
#include "kvm.h"

void kvm_log(const struct kvm *k, int level, const char *fmt, ...) {
        if (!k)
                return;
        va_list ap;
        va_start(ap, fmt);
        plugin_logv(k->host, level, fmt, ap);
        va_end(ap);
}
