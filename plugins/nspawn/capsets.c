/* SPDX-License-Identifier: Apache-2.0 */
/* Capability sets of a pod under nspawn. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "capsets.h"
#include "initspec.h"
#include "macro.h"

uint64_t nspawn_caps_app_default(void) {
        return cap_default_app_set();
}

uint64_t nspawn_caps_nspawn_default(void) {
        static const char *const names[] = {
                "CAP_AUDIT_CONTROL", "CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE",
                "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_IPC_OWNER", "CAP_KILL",
                "CAP_LEASE", "CAP_LINUX_IMMUTABLE", "CAP_MKNOD", "CAP_NET_BIND_SERVICE",
                "CAP_NET_BROADCAST", "CAP_NET_RAW", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
                "CAP_SETUID", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_CHROOT", "CAP_SYS_NICE",
                "CAP_SYS_PTRACE", "CAP_SYS_RESOURCE", "CAP_SYS_TTY_CONFIG", NULL,
        };
        return cap_mask_of(names);
}

uint64_t nspawn_caps_init_needs(void) {
        static const char *const names[] = {
                "CAP_SYS_ADMIN", "CAP_SETPCAP", "CAP_SETUID", "CAP_SETGID", "CAP_KILL",
                "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_CHOWN",
                "CAP_SYS_CHROOT", NULL,
        };
        return cap_mask_of(names);
}

int nspawn_caps_app(const char *const *add, const char *const *drop, uint64_t *ret_mask) {
        uint64_t m = nspawn_caps_app_default();
        for (size_t i = 0; add && add[i]; i++) {
                int c = cap_from_name(add[i]);
                if (c < 0 || c > NSPAWN_CAP_LAST)
                        return -EINVAL;
                m |= UINT64_C(1) << c;
        }
        for (size_t i = 0; drop && drop[i]; i++) {
                int c = cap_from_name(drop[i]);
                if (c < 0 || c > NSPAWN_CAP_LAST)
                        return -EINVAL;
                m &= ~(UINT64_C(1) << c);
        }
        *ret_mask = m;
        return 0;
}

char **nspawn_caps_names(uint64_t mask, int last) {
        return cap_mask_names(mask, last);
}

int nspawn_caps_last(void) {
        return cap_last_host();
}
