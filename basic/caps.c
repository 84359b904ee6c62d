/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "caps.h"
#include "fileio.h"
#include "macro.h"
#include "strv.h"

static const char *const cap_names[CAP_LAST_KNOWN + 1] = {
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

int cap_from_name(const char *name) {
        if (!name || !*name)
                return -EINVAL;
        if (name[0] >= '0' && name[0] <= '9') {
                char *end = NULL;
                errno = 0;
                unsigned long v = strtoul(name, &end, 10);
                if (errno || *end || v > 63)
                        return -EINVAL;
                return (int)v;
        }
        if (strncasecmp(name, "cap_", 4) == 0)
                name += 4;
        for (size_t i = 0; i < ELEMENTSOF(cap_names); i++)
                if (strcasecmp(name, cap_names[i] + 4) == 0)
                        return (int)i;
        return -EINVAL;
}

const char *cap_to_name(int c) {
        return c >= 0 && c <= CAP_LAST_KNOWN ? cap_names[c] : NULL;
}

const char *cap_canonical(const char *name) {
        if (name && name[0] >= '0' && name[0] <= '9')
                return NULL;
        return cap_to_name(cap_from_name(name));
}

uint64_t cap_mask_of(const char *const *names) {
        uint64_t m = 0;
        for (size_t i = 0; names && names[i]; i++) {
                int c = cap_from_name(names[i]);
                if (c >= 0)
                        m |= UINT64_C(1) << c;
        }
        return m;
}

uint64_t cap_default_app_set(void) {
        static const char *const names[] = {
                "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
                "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",
                "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP", NULL,
        };
        return cap_mask_of(names);
}

int cap_last_host(void) {
        _cleanup_free_ char *text = NULL;
        if (read_file("/proc/sys/kernel/cap_last_cap", 64, &text, NULL) < 0)
                return CAP_LAST_KNOWN;
        int v = atoi(text);
        return v <= 0 || v > CAP_LAST_KNOWN ? CAP_LAST_KNOWN : v;
}

char **cap_mask_names(uint64_t mask, int last) {
        char **v = calloc(1, sizeof(char *));
        if (!v)
                return NULL;
        for (int c = 0; c <= last && c <= CAP_LAST_KNOWN; c++)
                if ((mask & (UINT64_C(1) << c)) && strv_push(&v, cap_names[c]) < 0)
                        return strv_free(v);
        return v;
}
