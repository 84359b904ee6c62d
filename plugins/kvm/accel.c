/* SPDX-License-Identifier: Apache-2.0 */
/* Acceleration: KVM when it really works, else TCG.
 *
 * "/dev/kvm exists" is not enough (on nested hosts QEMU aborts at the first
 * vCPU MSR write, or the guest dies later), nor is a few real-mode
 * instructions run through KVM_RUN.  The probe boots a real QEMU with the
 * options podrt uses (-M microvm -accel kvm -cpu host), on a tiny PVH guest
 * that counts down a loop and writes to the isa-debug-exit port: QEMU then
 * exits with status 67.  The result, and how long it took, is cached per
 * boot (keyed by /proc/sys/kernel/random/boot_id) in the state dir. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "kvm.h"

#define PROBE_LOAD 0x100000u
#define PROBE_EXIT_PORT 0xf4
#define PROBE_EXIT_VALUE 0x21   /* QEMU exits with (0x21 << 1) | 1 = 67 */
#define PROBE_TIMEOUT_MS 5000

static void put16(uint8_t *p, uint16_t v) { p[0] = v & 0xff, p[1] = v >> 8; }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (v >> (8 * i)) & 0xff; }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (v >> (8 * i)) & 0xff; }

int accel_write_probe_image(const char *path) {
        /* 32-bit protected mode, as PVH enters: a countdown, then the exit. */
        static const uint8_t code[] = {
                0xb9, 0x40, 0x42, 0x0f, 0x00,          /* mov $1000000, %ecx */
                0x49,                                  /* 1: dec %ecx */
                0x75, 0xfd,                            /* jnz 1b */
                0xb0, PROBE_EXIT_VALUE,                /* mov $0x21, %al */
                0xe6, PROBE_EXIT_PORT,                 /* out %al, $0xf4 */
                0xf4,                                  /* 2: hlt */
                0xeb, 0xfd,                            /* jmp 2b */
        };
        enum { EH = 64, PH = 56, NOTE = 20, CODE = EH + 2 * PH + 24 };
        uint8_t img[CODE + sizeof(code)];
        memset(img, 0, sizeof(img));
        memcpy(img, "\177ELF\2\1\1", 7);          /* ELF64, little endian, v1 */
        put16(img + 16, 2);                           /* ET_EXEC */
        put16(img + 18, 62);                          /* EM_X86_64 */
        put32(img + 20, 1);
        put64(img + 24, PROBE_LOAD);                  /* e_entry */
        put64(img + 32, EH);                          /* e_phoff */
        put16(img + 52, EH);
        put16(img + 54, PH);
        put16(img + 56, 2);                           /* e_phnum */
        uint8_t *ph = img + EH;                       /* PT_LOAD, R+X */
        put32(ph, 1), put32(ph + 4, 5);
        put64(ph + 8, CODE), put64(ph + 16, PROBE_LOAD), put64(ph + 24, PROBE_LOAD);
        put64(ph + 32, sizeof(code)), put64(ph + 40, sizeof(code)), put64(ph + 48, 16);
        ph += PH;                                     /* PT_NOTE */
        put32(ph, 4), put32(ph + 4, 4);
        put64(ph + 8, EH + 2 * PH), put64(ph + 32, NOTE), put64(ph + 40, NOTE), put64(ph + 48, 4);
        uint8_t *note = img + EH + 2 * PH;            /* XEN_ELFNOTE_PHYS32_ENTRY */
        put32(note, 4), put32(note + 4, 4), put32(note + 8, 18);
        memcpy(note + 12, "Xen", 4);
        put32(note + 16, PROBE_LOAD);
        memcpy(img + CODE, code, sizeof(code));
        return write_file_atomic(path, img, sizeof(img), 0644, 0);
}

static int64_t now_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int accel_probe_kvm(const char *cache_dir, char *detail, size_t size) {
        if (access("/dev/kvm", R_OK | W_OK) < 0) {
                snprintf(detail, size, "/dev/kvm: %s", strerror(errno));
                return 0;
        }
        int r = mkdir_p(cache_dir, 0755);
        _cleanup_free_ char *image = path_join(cache_dir, "kvm-probe.elf");
        _cleanup_free_ char *log = path_join(cache_dir, "kvm-probe.log");
        if (r < 0 || !image || !log || (r = accel_write_probe_image(image)) < 0) {
                snprintf(detail, size, "cannot write the probe guest in %s: %s", cache_dir,
                         strerror(r < 0 ? -r : ENOMEM));
                return 0;
        }
        char *argv[] = {
                (char *)qemu_binary(), "-M", "microvm,x-option-roms=off", "-accel", "kvm",
                "-cpu", "host", "-m", "16", "-nodefaults", "-no-user-config", "-display", "none",
                "-no-reboot", "-kernel", image, "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                NULL,
        };
        _cleanup_close_ int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        _cleanup_(podrt_error_freep) struct podrt_error *e = NULL;
        int64_t t0 = now_us();
        int status = proc_run(argv, logfd, PROBE_TIMEOUT_MS, &e);
        int64_t ms = (now_us() - t0) / 1000;
        unlink(image);
        if (status < 0) {
                snprintf(detail, size, "QEMU's KVM test guest: %s", podrt_error_message(e));
                return 0;
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == ((PROBE_EXIT_VALUE << 1) | 1)) {
                unlink(log);
                snprintf(detail, size, "KVM works (a test guest ran under QEMU in %lld ms)", (long long)ms);
                return 1;
        }
        /* QEMU's last line says why ("failed to set MSR 0x10a"). */
        _cleanup_free_ char *text = NULL;
        char why[160] = "";
        if (read_file(log, 1 << 16, &text, NULL) >= 0) {
                char *end = text + strlen(text);
                while (end > text && (end[-1] == '\n' || end[-1] == ' '))
                        *--end = '\0';
                char *line = strrchr(text, '\n');
                line = line ? line + 1 : text;
                /* An assertion follows the real reason: prefer an "error" line. */
                char *errline = strstr(text, "error: ");
                if (errline) {
                        char *nl = strchr(errline, '\n');
                        if (nl)
                                *nl = '\0';
                        line = errline;
                }
                snprintf(why, sizeof(why), ": %s", line);
        }
        if (WIFSIGNALED(status))
                snprintf(detail, size, "QEMU's KVM test guest died of signal %d after %lld ms%s",
                         WTERMSIG(status), (long long)ms, why);
        else
                snprintf(detail, size, "QEMU's KVM test guest exited with status %d after %lld ms%s",
                         WEXITSTATUS(status), (long long)ms, why);
        return 0;
}

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

int accel_choose(const char *wanted, const struct kvm_hypervisor *hv, int kvm_works,
                 const char *detail, uint32_t *ret_accel, bool *ret_warn,
                 struct podrt_error **err) {
        bool warn = false;
        uint32_t accel;
        if (!strcmp(wanted, "tcg")) {
                if (!hv->has_tcg)
                        return podrt_error_set(err, ENOTSUP, "%s cannot run without KVM (kvm.accel = \"tcg\"): use kvm.hypervisor = \"qemu\"",
                                               hv->name);
                accel = PODRT_ACCEL_TCG;
        } else if (!strcmp(wanted, "kvm") || !strcmp(wanted, "auto")) {
                if (kvm_works)
                        accel = PODRT_ACCEL_KVM;
                else if (!strcmp(wanted, "kvm"))
                        return podrt_error_set(err, ENODEV, "kvm.accel = \"kvm\", but KVM does not work here: %s", detail);
                else if (!hv->has_tcg)
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

/* The cache: "boot <boot_id>\nworks <0|1>\ndetail <text>\n". */
static int cache_read(const char *path, const char *boot, int *works, char *detail, size_t size) {
        _cleanup_free_ char *text = NULL;
        if (!boot || read_file(path, 4096, &text, NULL) < 0)
                return 0;
        char *b = strstr(text, "boot "), *w = strstr(text, "\nworks "), *d = strstr(text, "\ndetail ");
        if (!b || !w || !d || strncmp(b + 5, boot, strlen(boot)) != 0)
                return 0;
        *works = w[7] == '1';
        d += 8;
        d[strcspn(d, "\n")] = '\0';
        snprintf(detail, size, "%s", d);
        return 1;
}

int accel_resolve(const struct kvm *k, const char *wanted, const struct kvm_hypervisor *hv,
                  const char *cache_dir, uint32_t *ret_accel, struct podrt_error **err) {
        int works = 0;
        char detail[512] = "";
        if (strcmp(wanted, "tcg") != 0) {
                _cleanup_free_ char *boot = boot_id();
                _cleanup_free_ char *cache = path_join(cache_dir, "kvm-works");
                if (!cache)
                        return -ENOMEM;
                if (!cache_read(cache, boot, &works, detail, sizeof(detail))) {
                        works = accel_probe_kvm(cache_dir, detail, sizeof(detail));
                        _cleanup_free_ char *text = NULL;
                        if (boot && asprintf(&text, "boot %s\nworks %d\ndetail %s\n", boot, works, detail) >= 0)
                                (void)write_file_atomic(cache, text, strlen(text), 0644, 0);
                        kvm_log(k, PODRT_LOG_INFO, "KVM probe: %s", detail);
                }
        }
        bool warn = false;
        int r = accel_choose(wanted, hv, works, detail, ret_accel, &warn, err);
        if (r >= 0 && warn)
                kvm_log(k, PODRT_LOG_WARNING, "KVM does not work here (%s): running the VM under TCG (slower)",
                        detail);
        return r;
}
