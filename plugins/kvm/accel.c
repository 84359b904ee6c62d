/* SPDX-License-Identifier: Apache-2.0 */
/* Acceleration: KVM when it really works for the hypervisor, else TCG.
 *
 * "/dev/kvm exists" is not enough (on nested hosts QEMU aborts at the first
 * vCPU MSR write, or the guest dies later): the hypervisor's own probe
 * decides (QEMU's boots a tiny real guest under KVM, plugins/qemu/probe.c).
 * Its answer, and why, is cached per boot (keyed by
 * /proc/sys/kernel/random/boot_id) and per hypervisor in the state dir. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "kvm.h"

uint64_t accel_tsc_khz(void) {
        /* Count the TSC over 20 ms of CLOCK_MONOTONIC_RAW; TCG guests read
         * the host's TSC, and a kernel that knows its rate boots without
         * calibrating against the PIT (which under a loaded TCG host may
         * fail and hang the guest). */
        struct timespec a, b;
        uint64_t best = 0;
        for (int round = 0; round < 3; round++) {
                clock_gettime(CLOCK_MONOTONIC_RAW, &a);
                uint64_t t0 = __rdtsc();
                struct timespec d = { 0, 20 * 1000 * 1000 };
                nanosleep(&d, NULL);
                uint64_t t1 = __rdtsc();
                clock_gettime(CLOCK_MONOTONIC_RAW, &b);
                int64_t ns = (int64_t)(b.tv_sec - a.tv_sec) * 1000000000 + (b.tv_nsec - a.tv_nsec);
                if (ns <= 0 || t1 <= t0)
                        continue;
                uint64_t khz = (uint64_t)((double)(t1 - t0) * 1e6 / (double)ns);
                if (!best || khz < best)
                        best = khz;
        }
        return best;
}

/* ---- the choice ---- */

int accel_choose(const char *wanted, const struct kvm_hv *hv, int kvm_works,
                 const char *detail, uint32_t *ret_accel, bool *ret_warn,
                 struct podrt_error **err) {
        bool warn = false, tcg = !(hv->features & PODRT_HYPERVISOR_NO_TCG);
        uint32_t accel;
        if (!strcmp(wanted, "tcg")) {
                if (!tcg)
                        return podrt_error_set(err, ENOTSUP, "%s cannot run without KVM (kvm.accel = \"tcg\"): use kvm.hypervisor = \"qemu\"",
                                               hv->name);
                accel = PODRT_ACCEL_TCG;
        } else if (!strcmp(wanted, "kvm") || !strcmp(wanted, "auto")) {
                if (kvm_works)
                        accel = PODRT_ACCEL_KVM;
                else if (!strcmp(wanted, "kvm"))
                        return podrt_error_set(err, ENODEV, "kvm.accel = \"kvm\", but KVM does not work here: %s", detail);
                else if (!tcg)
                        return podrt_error_set(err, ENODEV, "%s needs KVM, and KVM does not work here (%s): use kvm.hypervisor = \"qemu\", which falls back to TCG",
                                               hv->name, detail);
                else
                        accel = PODRT_ACCEL_TCG, warn = true;
        } else
                return podrt_error_set(err, EINVAL, "kvm.accel: must be one of auto, kvm, tcg, not '%s'", wanted);
        *ret_accel = accel;
        if (ret_warn)
                *ret_warn = warn;
        return 0;
}

static char *boot_id(void) {
        char *id = NULL;
        if (read_file("/proc/sys/kernel/random/boot_id", 256, &id, NULL) < 0)
                return NULL;
        id[strcspn(id, "\n")] = '\0';
        return id;
}

/* The cache, cache_dir/kvm-works:
 * "boot <boot_id>\nhypervisor <name>\nworks <0|1>\ndetail <text>\n". */
int accel_cached(const char *cache_dir, const char *hypervisor, char *detail, size_t size) {
        _cleanup_free_ char *boot = boot_id(), *path = path_join(cache_dir, "kvm-works"), *text = NULL;
        if (!boot || !path || read_file(path, 4096, &text, NULL) < 0)
                return -1;
        char *b = strstr(text, "boot "), *h = strstr(text, "\nhypervisor "), *w = strstr(text, "\nworks "),
             *d = strstr(text, "\ndetail ");
        if (!b || !h || !w || !d || strncmp(b + 5, boot, strlen(boot)) != 0 || b[5 + strlen(boot)] != '\n')
                return -1;
        h += 12;
        if (strncmp(h, hypervisor, strlen(hypervisor)) != 0 || h[strlen(hypervisor)] != '\n')
                return -1;
        d += 8;
        d[strcspn(d, "\n")] = '\0';
        snprintf(detail, size, "%s", d);
        return w[7] == '1';
}

int accel_resolve(const struct kvm *k, const char *wanted, const struct kvm_hv *hv,
                  const char *cache_dir, uint32_t *ret_accel, struct podrt_error **err) {
        int works = 0;
        char detail[512] = "";
        if (strcmp(wanted, "tcg") != 0 && (works = accel_cached(cache_dir, hv->name, detail, sizeof(detail))) < 0) {
                _cleanup_error_ struct podrt_error *e = NULL;
                int r = kvm_hv_probe(hv, PODRT_ACCEL_KVM, &e);
                if (r == -EOPNOTSUPP) {
                        /* No probe: /dev/kvm it is. */
                        r = access("/dev/kvm", R_OK | W_OK) == 0;
                        snprintf(detail, sizeof(detail), "%s has no probe; /dev/kvm: %s", hv->name,
                                 r ? "usable" : strerror(errno));
                } else if (r < 0)
                        return podrt_error_set(err, -r, "KVM probe: %s", podrt_error_message(e));
                else if (r > 0)
                        snprintf(detail, sizeof(detail), "KVM works for %s", hv->name);
                else
                        snprintf(detail, sizeof(detail), "%s", podrt_error_message(e));
                works = r > 0;
                _cleanup_free_ char *boot = boot_id(), *path = path_join(cache_dir, "kvm-works"), *text = NULL;
                if (boot && path && mkdir_p(cache_dir, 0755) >= 0 &&
                    asprintf(&text, "boot %s\nhypervisor %s\nworks %d\ndetail %s\n", boot, hv->name, works, detail) >= 0)
                        (void)write_file_atomic(path, text, strlen(text), 0644, 0);
                kvm_log(k, PODRT_LOG_INFO, "KVM probe of %s: %s", hv->name, detail);
        }
        bool warn = false;
        int r = accel_choose(wanted, hv, works, detail, ret_accel, &warn, err);
        if (r >= 0 && warn)
                kvm_log(k, PODRT_LOG_WARNING, "KVM does not work here (%s): running the VM under TCG (slower)",
                        detail);
        return r;
}
