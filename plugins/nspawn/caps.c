/* SPDX-License-Identifier: Apache-2.0 */
/* Capability sets of a pod under nspawn. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "initspec.h"
#include "macro.h"

static const char *const cap_names[NSPAWN_CAP_LAST + 1] = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
        "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
        "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
        "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
        "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

static uint64_t mask_of(const char *const *names) {
        uint64_t m = 0;
        for (size_t i = 0; names[i]; i++) {
                int c = initspec_cap_from_name(names[i]);
                if (c >= 0)
                        m |= UINT64_C(1) << c;
        }
        return m;
}

uint64_t nspawn_caps_app_default(void) {
        static const char *const names[] = {
                "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",
                "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP", NULL,
        };
        return mask_of(names);
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
        return mask_of(names);
}

uint64_t nspawn_caps_init_needs(void) {
        static const char *const names[] = {
                "CAP_SYS_ADMIN", "CAP_SETPCAP", "CAP_SETUID", "CAP_SETGID", "CAP_KILL",
                "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_CHOWN",
                "CAP_SYS_CHROOT", NULL,
        };
        return mask_of(names);
}

int nspawn_caps_app(const char *const *add, const char *const *drop, uint64_t *ret_mask) {
        uint64_t m = nspawn_caps_app_default();
        for (size_t i = 0; add && add[i]; i++) {
                int c = initspec_cap_from_name(add[i]);
                if (c < 0 || c > NSPAWN_CAP_LAST)
                        return -EINVAL;
                m |= UINT64_C(1) << c;
        }
        for (size_t i = 0; drop && drop[i]; i++) {
                int c = initspec_cap_from_name(drop[i]);
                if (c < 0 || c > NSPAWN_CAP_LAST)
                        return -EINVAL;
                m &= ~(UINT64_C(1) << c);
        }
        *ret_mask = m;
        return 0;
}

char **nspawn_caps_names(uint64_t mask, int last) {
        size_t n = 0;
        char **v = calloc(NSPAWN_CAP_LAST + 2, sizeof(char *));
        if (!v)
                return NULL;
        for (int c = 0; c <= last && c <= NSPAWN_CAP_LAST; c++) {
                if (!(mask & (UINT64_C(1) << c)))
                        continue;
                if (!(v[n++] = strdup(cap_names[c]))) {
                        for (size_t i = 0; i < n; i++)
                                free(v[i]);
                        free(v);
                        return NULL;
                }
        }
        return v;
}

int nspawn_caps_last(void) {
        FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
        int last = NSPAWN_CAP_LAST;
        if (f) {
                if (fscanf(f, "%d", &last) != 1 || last < 0)
                        last = NSPAWN_CAP_LAST;
                fclose(f);
        }
        return last < NSPAWN_CAP_LAST ? last : NSPAWN_CAP_LAST;
}
