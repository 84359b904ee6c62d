/* SPDX-License-Identifier: Apache-2.0 */
/* Acceleration: KVM when it really works for the hypervisor, else TCG.
 *
 * "/dev/kvm exists" is not enough (on nested hosts QEMU aborts at the first
 * vCPU MSR write, or the guest dies later): the hypervisor's own probe
 * decides (QEMU's boots a tiny real guest under KVM, plugins/qemu/probe.c).
 * Its answer, and why, is cached per boot (keyed by
 * /proc/sys/kernel/random/boot_id) and per hypervisor in the state dir. */
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "kvm.h"

static char *boot_id(void);

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

uint64_t accel_tsc_khz_cached(const char *cache_dir) {
        /* The rate is the host's for as long as it runs: measured once a
         * boot (60 ms of sleeping on every create before), kept as
         * "boot <boot_id>\nkhz <rate>\n". */
        _cleanup_free_ char *boot = boot_id(), *path = cache_dir ? path_join(cache_dir, "tsc-khz") : NULL,
                            *text = NULL, *entry = NULL;
        if (boot && path && read_file(path, 4096, &text, NULL) == 0 && strncmp(text, "boot ", 5) == 0 &&
            strncmp(text + 5, boot, strlen(boot)) == 0 && strncmp(text + 5 + strlen(boot), "\nkhz ", 5) == 0) {
                unsigned long long khz = strtoull(text + 5 + strlen(boot) + 5, NULL, 10);
                if (khz > 0)
                        return khz;
        }
        uint64_t khz = accel_tsc_khz();
        if (khz && boot && path && mkdir_p(cache_dir, 0755) >= 0 &&
            asprintf(&entry, "boot %s\nkhz %llu\n", boot, (unsigned long long)khz) >= 0)
                (void)write_file_atomic(path, entry, strlen(entry), 0644, 0);
        return khz;
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
static int cached_in(const char *cache_dir, const char *file, const char *hypervisor, char *detail,
                     size_t size) {
        _cleanup_free_ char *boot = boot_id(), *path = path_join(cache_dir, file), *text = NULL;
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

int accel_cached(const char *cache_dir, const char *hypervisor, char *detail, size_t size) {
        return cached_in(cache_dir, "kvm-works", hypervisor, detail, size);
}

int accel_boot_last(const char *cache_dir, const char *hypervisor, char *detail, size_t size) {
        return cached_in(cache_dir, "kvm-boot-last", hypervisor, detail, size);
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

/* ---- the boot verdict ---- */

static char *boot_path(const char *cache_dir, const char *key) {
        char name[128];
        snprintf(name, sizeof(name), "kvm-boot-%s", key);
        return path_join(cache_dir, name);
}

int accel_boot_cached(const char *cache_dir, const char *key, char *detail, size_t size) {
        _cleanup_free_ char *boot = boot_id(), *path = boot_path(cache_dir, key), *text = NULL;
        if (!boot || !path || read_file(path, 4096, &text, NULL) < 0)
                return -1;
        char *w = strstr(text, "\nworks "), *d = strstr(text, "\ndetail ");
        if (strncmp(text, "boot ", 5) != 0 || !w || !d || strncmp(text + 5, boot, strlen(boot)) != 0 ||
            text[5 + strlen(boot)] != '\n')
                return -1;
        d += 8;
        d[strcspn(d, "\n")] = '\0';
        snprintf(detail, size, "%s", d);
        return w[7] == '1';
}

void accel_boot_record(const char *cache_dir, const char *hypervisor, const char *key, int works,
                       const char *detail) {
        _cleanup_free_ char *boot = boot_id(), *path = boot_path(cache_dir, key), *text = NULL;
        _cleanup_free_ char *last = path_join(cache_dir, "kvm-boot-last");
        _cleanup_free_ char *one = strdup(detail ? detail : "");
        if (!boot || !path || !last || !one || mkdir_p(cache_dir, 0755) < 0)
                return;
        one[strcspn(one, "\n")] = '\0';
        /* One format for both: accel_cached's (the key is in the name). */
        if (asprintf(&text, "boot %s\nhypervisor %s\nworks %d\ndetail %s\n", boot, hypervisor, works, one) < 0)
                return;
        (void)write_file_atomic(path, text, strlen(text), 0644, 0);
        (void)write_file_atomic(last, text, strlen(text), 0644, 0);
}

/* ---- the boot probe: the real guest kernel, under KVM ---- */

/* The probe VM, in cache_dir/probe: the pods' own command line for KVM
 * with podrt-init's --probe, no shares. */
struct probe_vm {
        struct podrt_vm_config cfg;
        char *dir, *console, *control, *cmdline;
};

static void probe_vm_done(struct probe_vm *p) {
        free(p->dir), free(p->console), free(p->control), free(p->cmdline);
}

static int probe_vm_init(struct probe_vm *p, const char *cache_dir, const char *kernel, const char *initrd) {
        *p = (struct probe_vm){ 0 };
        _cleanup_free_ char *cmdline = kvm_vm_cmdline(PODRT_ACCEL_KVM, 0);
        p->dir = path_join(cache_dir, "probe");
        if (!cmdline || !p->dir || !(p->console = path_join(p->dir, "console.log")) ||
            !(p->control = path_join(p->dir, "qmp.sock")) || asprintf(&p->cmdline, "%s --probe", cmdline) < 0)
                return -ENOMEM;
        p->cfg = (struct podrt_vm_config){
                .version = PODRT_VM_CONFIG_VERSION,
                .size = sizeof(struct podrt_vm_config),
                .name = "podrt-kvm-probe",
                .kernel = kernel,
                .initrd = initrd,
                .cmdline = p->cmdline,
                .memory_mib = 128,
                .vcpus = 1,
                .accel = PODRT_ACCEL_KVM,
                .console_path = p->console,
                .control_path = p->control,
                .work_dir = p->dir,
        };
        return 0;
}

int accel_probe_key(const struct kvm_hv *hv, const char *cache_dir, const char *kernel,
                    const char *initrd, char **ret_key, struct podrt_error **err) {
        struct probe_vm p;
        int r = probe_vm_init(&p, cache_dir, kernel, initrd);
        _cleanup_strv_free_ char **argv = NULL;
        if (r >= 0)
                r = kvm_hv_build_argv(hv, &p.cfg, &argv, err);
        probe_vm_done(&p);
        if (r < 0)
                return r;
        /* The hypervisor, its binary and options, the kernel (its cached
         * name carries its contents' CRC), the command line. */
        uint64_t crc = lzma_crc64((const uint8_t *)hv->name, strlen(hv->name) + 1, 0);
        for (size_t i = 0; argv[i]; i++)
                crc = lzma_crc64((const uint8_t *)argv[i], strlen(argv[i]) + 1, crc);
        _cleanup_free_ char *bin = find_program(argv[0]);
        struct stat st;
        if (bin && stat(bin, &st) == 0) {
                uint64_t id[3] = { (uint64_t)st.st_ino, (uint64_t)st.st_size, (uint64_t)st.st_mtime };
                crc = lzma_crc64((const uint8_t *)id, sizeof(id), crc);
        }
        if (asprintf(ret_key, "%016llx", (unsigned long long)crc) < 0)
                return -ENOMEM;
        return 0;
}

int accel_boot_probe(const struct kvm *k, const struct kvm_hv *hv, const char *cache_dir,
                     const char *kernel, const char *initrd, const char *key, char *detail,
                     size_t size) {
        int cached = accel_boot_cached(cache_dir, key, detail, size);
        if (cached >= 0)
                return cached;
        struct probe_vm p;
        if (probe_vm_init(&p, cache_dir, kernel, initrd) < 0 || mkdir_p(p.dir, 0755) < 0) {
                probe_vm_done(&p);
                snprintf(detail, size, "cannot prepare the KVM boot probe in %s", cache_dir);
                return 0;
        }
        /* One probe at a time (two creates racing share the folder). */
        _cleanup_free_ char *lockpath = path_join(p.dir, "lock");
        _cleanup_close_ int lock = lockpath ? open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644) : -1;
        if (lock >= 0)
                flock(lock, LOCK_EX);
        if ((cached = accel_boot_cached(cache_dir, key, detail, size)) >= 0) {
                probe_vm_done(&p);
                return cached;
        }
        _cleanup_free_ char *stopped = path_join(p.dir, KVM_HV_STOPPED_FILE), *logname = NULL, *log = NULL;
        if (asprintf(&logname, "%s.log", hv->name) >= 0)
                log = path_join(p.dir, logname);
        if (stopped)
                unlink(stopped);
        unlink(p.console);
        int64_t t0 = now_ms();
        pid_t pid = 0;
        int works = 0, status = 0;
        _cleanup_error_ struct podrt_error *e = NULL;
        if (kvm_hv_start(hv, &p.cfg, &pid, &e) < 0) {
                snprintf(detail, size, "the KVM boot probe could not start %s: %s", hv->name, podrt_error_message(e));
                goto done;
        }
        bool exited = false, timed_out = false;
        int64_t stopped_at = 0;
        for (;;) {
                if (waitpid(pid, &status, WNOHANG) == pid) {
                        exited = true;
                        break;
                }
                if (now_ms() - t0 >= KVM_PROBE_BOOT_TIMEOUT_MS) {
                        timed_out = true;
                        break;
                }
                /* A VM the watcher found stopped: it quits QEMU, which
                 * ends the loop at once; give it 5 s before we kill. */
                if (stopped && !stopped_at && access(stopped, F_OK) == 0)
                        stopped_at = now_ms();
                if (stopped_at && now_ms() - stopped_at >= 5000)
                        break;
                usleep(20000);
        }
        if (!exited) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
        }
        int64_t ms = now_ms() - t0;
        _cleanup_free_ char *console = NULL, *reason = NULL;
        read_file(p.console, 1 << 20, &console, NULL);
        if (stopped)
                read_file(stopped, 256, &reason, NULL);
        if (reason)
                reason[strcspn(reason, "\r\n")] = '\0';
        char line[256] = "";
        if (log) {
                _cleanup_free_ char *text = NULL;
                if (read_file(log, 1 << 20, &text, NULL) >= 0) {
                        char *l = strstr(text, "KVM internal error");
                        if (l) {
                                l[strcspn(l, "\r\n")] = '\0';
                                snprintf(line, sizeof(line), "%s", l);
                        }
                }
        }
        if (console && strstr(console, KVM_PROBE_LINE)) {
                works = 1;
                snprintf(detail, size, "KVM works: the guest kernel reached userspace under KVM in %lld ms",
                         (long long)ms);
        } else if ((reason && !strcmp(reason, "internal-error")) || line[0])
                snprintf(detail, size, "KVM is present but cannot run this guest kernel: %s at boot (%s)",
                         strstr(line, "Suberror: 1") ? "emulation failure" : "KVM internal error",
                         line[0] ? line : "QEMU status internal-error");
        else if (reason && *reason)
                snprintf(detail, size, "KVM is present but cannot run this guest kernel: the VM stopped at boot (%s)",
                         reason);
        else if (timed_out)
                snprintf(detail, size, "KVM is present but the guest kernel did not reach userspace under KVM within %d s",
                         KVM_PROBE_BOOT_TIMEOUT_MS / 1000);
        else
                snprintf(detail, size, "KVM is present but the guest kernel did not reach userspace under KVM (%s %s %d)",
                         hv->name, WIFEXITED(status) ? "exited with status" : "died of signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
done:
        accel_boot_record(cache_dir, hv->name, key, works, detail);
        kvm_log(k, PODRT_LOG_INFO, "KVM boot probe of %s: %s", hv->name, detail);
        probe_vm_done(&p);
        return works;
}
