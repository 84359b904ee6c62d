/* SPDX-License-Identifier: Apache-2.0 */
/* The kvm backend's configuration section (the descriptor's config_check,
 * ABI 1.1): every setting the file sets in the group kvm, checked when the
 * plugin is loaded, with the file's name and line in the message. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "kvm.h"

bool kvm_name_is_valid(const char *name) {
        if (!name || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9')))
                return false;
        for (const char *p = name; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
                        return false;
        return true;
}

enum { KVM_STRING, KVM_NAME, KVM_ACCEL, KVM_POSITIVE, KVM_BOOL, KVM_SECONDS };

static const struct {
        const char *key;
        int kind;
} kvm_settings[] = {
        { "hypervisor", KVM_NAME },       /* any installed hypervisor plugin */
        { "accel", KVM_ACCEL },
        { "kernel", KVM_STRING },
        { "modules", KVM_STRING },
        { "memory_mib", KVM_POSITIVE },   /* absent: computed from the pod */
        { "vcpus", KVM_POSITIVE },
        { "load_modules", KVM_BOOL },
        { "boot_timeout", KVM_SECONDS },   /* seconds; default KVM_BOOT_TIMEOUT_DEFAULT */
};

static int check_one(const struct podrt_config *cfg, const char *path, int kind,
                     struct podrt_error **err) {
        uint32_t type = podrt_config_kind(cfg, path);
        switch (kind) {
        case KVM_STRING:
        case KVM_NAME:
        case KVM_ACCEL: {
                if (type != PODRT_CONFIG_STRING)
                        return podrt_config_error(cfg, path, err, "must be a string");
                const char *v = podrt_config_string(cfg, path, "");
                if (!v[0])
                        return podrt_config_error(cfg, path, err, "must not be empty");
                if (kind == KVM_NAME && !kvm_name_is_valid(v))
                        return podrt_config_error(cfg, path, err,
                                                  "'%s' is not a plugin name ([a-z0-9][a-z0-9_-]*)", v);
                if (kind == KVM_ACCEL && strcmp(v, "auto") && strcmp(v, "kvm") && strcmp(v, "tcg"))
                        return podrt_config_error(cfg, path, err, "must be one of auto, kvm, tcg, not '%s'", v);
                return 0;
        }
        case KVM_POSITIVE: {
                if (type != PODRT_CONFIG_INT)
                        return podrt_config_error(cfg, path, err, "must be an integer");
                int64_t v = podrt_config_int(cfg, path, 0);
                if (v <= 0 || v > UINT32_MAX)
                        return podrt_config_error(cfg, path, err, "must be greater than 0%s, not %lld",
                                                  v > 0 ? " and at most 4294967295" : "", (long long)v);
                return 0;
        }
        case KVM_SECONDS: {
                if (type != PODRT_CONFIG_INT)
                        return podrt_config_error(cfg, path, err, "must be an integer (seconds)");
                int64_t v = podrt_config_int(cfg, path, 0);
                if (v <= 0 || v > 86400)
                        return podrt_config_error(cfg, path, err, "must be between 1 and 86400 seconds, not %lld",
                                                  (long long)v);
                return 0;
        }
        case KVM_BOOL:
                if (type != PODRT_CONFIG_BOOL)
                        return podrt_config_error(cfg, path, err, "must be a boolean (true or false)");
                return 0;
        }
        return 0;
}

int kvm_config_check(const struct podrt_config *cfg, uint64_t flags, struct podrt_error **err) {
        if (flags)
                return podrt_error_set(err, EINVAL, "kvm: config_check: unknown flags 0x%llx",
                                       (unsigned long long)flags);
        if (podrt_config_is_set(cfg, "kvm") && podrt_config_kind(cfg, "kvm") != PODRT_CONFIG_GROUP)
                return podrt_config_error(cfg, "kvm", err, "must be a group ({ ... })");
        const char *const *keys = podrt_config_keys(cfg, "kvm");
        for (size_t i = 0; keys && keys[i]; i++) {
                char path[256];
                snprintf(path, sizeof(path), "kvm.%s", keys[i]);
                size_t j = 0;
                while (j < ELEMENTSOF(kvm_settings) && strcmp(kvm_settings[j].key, keys[i]) != 0)
                        j++;
                if (j == ELEMENTSOF(kvm_settings))
                        return podrt_config_error(cfg, path, err,
                                                  "unknown setting (known: hypervisor, accel, kernel, modules, memory_mib, vcpus, load_modules, boot_timeout)");
                int r = check_one(cfg, path, kvm_settings[j].kind, err);
                if (r < 0)
                        return r;
        }
        return 0;
}
