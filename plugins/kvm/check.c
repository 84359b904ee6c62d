/* SPDX-License-Identifier: Apache-2.0 */
/* The kvm backend's `podrt check` lines (the descriptor's check, ABI 1.1):
 * the hypervisor plugin kvm.hypervisor names and whether it can run here,
 * podrt-init, /dev/kvm, whether KVM works (a few real-mode instructions
 * through KVM_RUN, in a child with a deadline; the hypervisor's own probe,
 * cached per boot by create, has the last word when it has run), the guest
 * kernel and its module trees, and the host modules a VM may want. */
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <limits.h>
#include <linux/kvm.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <podrt/check.h>

#include "kvm.h"

#define KVM_PROBE_TIMEOUT_MS 2000

/* ---- host modules ---- */

static void kmod_silent(void *data, int priority, const char *file, int line, const char *fn,
                        const char *format, va_list args) {
}

static bool have_module_dir(void) {
        struct utsname u;
        char path[sizeof(u.release) + 16];
        struct stat st;
        if (uname(&u) < 0)
                return false;
        snprintf(path, sizeof(path), "/lib/modules/%s", u.release);
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *module_status(struct kmod_ctx *ctx, bool moddir, const char *name) {
        if (!ctx)
                return "missing";
        struct kmod_module *mod = NULL;
        if (kmod_module_new_from_name(ctx, name, &mod) < 0)
                return "missing";
        int state = kmod_module_get_initstate(mod);
        if (state == KMOD_MODULE_COMING) {
                /* libkmod says "coming" for a /sys/module/NAME without an
                 * initstate file: that is a built-in module with parameters
                 * (a loaded module always has initstate). */
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "/sys/module/%s/initstate", kmod_module_get_name(mod));
                if (access(path, F_OK) < 0)
                        state = KMOD_MODULE_BUILTIN;
        }
        kmod_module_unref(mod);
        if (state == KMOD_MODULE_LIVE || state == KMOD_MODULE_COMING)
                return "loaded";
        if (state == KMOD_MODULE_BUILTIN)
                return "builtin";
        if (!moddir)
                return "missing";

        struct kmod_list *list = NULL, *l;
        const char *status = "missing";
        if (kmod_module_new_from_lookup(ctx, name, &list) < 0)
                return status;
        kmod_list_foreach(l, list) {
                struct kmod_module *m = kmod_module_get_module(l);
                if (kmod_module_get_path(m))
                        status = "loadable";
                kmod_module_unref(m);
        }
        kmod_module_unref_list(list);
        return status;
}


const char *kvm_host_module_status(const char *name) {
        if (!name || !name[0])
                return "missing";
        struct kmod_ctx *ctx = kmod_new(NULL, NULL);
        if (ctx)
                kmod_set_log_fn(ctx, kmod_silent, NULL);
        const char *s = module_status(ctx, have_module_dir(), name);
        if (ctx)
                kmod_unref(ctx);
        return s;
}

/* ---- KVM ---- */

struct kvm_probe {
        int works;
        char detail[240];
};

static void munmapp(void *p, size_t size) {
        if (p && p != MAP_FAILED)
                munmap(p, size);
}

/* Runs a few real-mode instructions in a new VM: they add 2 and 2, write
 * the digit to port 0x3f8, and halt. */
static void kvm_probe_run(struct kvm_probe *res) {
        static const uint8_t code[] = {
                0xba, 0xf8, 0x03, /* mov $0x3f8, %dx */
                0x00, 0xd8,       /* add %bl, %al */
                0x04, '0',        /* add $'0', %al */
                0xee,             /* out %al, (%dx) */
                0xf4,             /* hlt */
        };
        const size_t mem_size = 0x1000;
        void *mem = MAP_FAILED;
        struct kvm_run *run = MAP_FAILED;
        size_t run_size = 0;
        const char *step = NULL;
        /* Declared before the first goto: the cleanups run at every exit. */
        _cleanup_close_ int kvm = -1, vm = -1, vcpu = -1;

        res->works = 0;
        kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (kvm < 0) {
                snprintf(res->detail, sizeof(res->detail), "cannot open /dev/kvm: %s",
                         strerror(errno));
                return;
        }
        int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
        if (api != KVM_API_VERSION) {
                snprintf(res->detail, sizeof(res->detail), "KVM_GET_API_VERSION: %d, expected %d",
                         api, KVM_API_VERSION);
                return;
        }
        vm = ioctl(kvm, KVM_CREATE_VM, 0UL);
        if (vm < 0) {
                step = "KVM_CREATE_VM";
                goto fail;
        }
        fcntl(vm, F_SETFD, FD_CLOEXEC);

        mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED) {
                step = "mmap";
                goto fail;
        }
        memcpy(mem, code, sizeof(code));
        struct kvm_userspace_memory_region region = {
                .slot = 0,
                .guest_phys_addr = 0x1000,
                .memory_size = mem_size,
                .userspace_addr = (uintptr_t)mem,
        };
        if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
                step = "KVM_SET_USER_MEMORY_REGION";
                goto fail;
        }

        vcpu = ioctl(vm, KVM_CREATE_VCPU, 0UL);
        if (vcpu < 0) {
                step = "KVM_CREATE_VCPU";
                goto fail;
        }
        fcntl(vcpu, F_SETFD, FD_CLOEXEC);
        int n = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, NULL);
        if (n < (int)sizeof(struct kvm_run)) {
                step = "KVM_GET_VCPU_MMAP_SIZE";
                goto fail;
        }
        run_size = (size_t)n;
        run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
        if (run == MAP_FAILED) {
                step = "mmap of the vCPU";
                goto fail;
        }

        struct kvm_sregs sregs;
        if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) {
                step = "KVM_GET_SREGS";
                goto fail;
        }
        sregs.cs.base = 0;
        sregs.cs.selector = 0;
        if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) {
                step = "KVM_SET_SREGS";
                goto fail;
        }
        struct kvm_regs regs = { .rip = 0x1000, .rax = 2, .rbx = 2, .rflags = 0x2 };
        if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) {
                step = "KVM_SET_REGS";
                goto fail;
        }

        bool wrote = false;
        for (int i = 0; i < 16; i++) {
                if (ioctl(vcpu, KVM_RUN, NULL) < 0) {
                        if (errno == EINTR)
                                continue;
                        step = "KVM_RUN";
                        goto fail;
                }
                switch (run->exit_reason) {
                case KVM_EXIT_IO: {
                        const char *data = (const char *)run + run->io.data_offset;
                        if (run->io.direction != KVM_EXIT_IO_OUT || run->io.port != 0x3f8 ||
                            run->io.size != 1 || run->io.count != 1 || *data != '4') {
                                snprintf(res->detail, sizeof(res->detail),
                                         "test guest: unexpected I/O exit (port 0x%x, value 0x%02x)",
                                         run->io.port, (unsigned)(uint8_t)*data);
                                goto out;
                        }
                        wrote = true;
                        break;
                }
                case KVM_EXIT_HLT:
                        if (!wrote) {
                                snprintf(res->detail, sizeof(res->detail),
                                         "test guest halted without computing 2+2");
                                goto out;
                        }
                        res->works = 1;
                        snprintf(res->detail, sizeof(res->detail),
                                 "KVM works (API %d; a test guest ran and halted)", api);
                        goto out;
                case KVM_EXIT_FAIL_ENTRY:
                        snprintf(res->detail, sizeof(res->detail),
                                 "KVM_RUN: entry failed, hardware reason 0x%llx",
                                 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
                        goto out;
                case KVM_EXIT_INTERNAL_ERROR:
                        snprintf(res->detail, sizeof(res->detail),
                                 "KVM_RUN: KVM internal error, suberror %u",
                                 run->internal.suberror);
                        goto out;
                case KVM_EXIT_SHUTDOWN:
                        snprintf(res->detail, sizeof(res->detail),
                                 "KVM_RUN: the test guest shut down (triple fault)");
                        goto out;
                default:
                        snprintf(res->detail, sizeof(res->detail),
                                 "KVM_RUN: unexpected exit reason %u", run->exit_reason);
                        goto out;
                }
        }
        snprintf(res->detail, sizeof(res->detail), "test guest did not halt");
        goto out;

fail:
        snprintf(res->detail, sizeof(res->detail), "%s: %s", step, strerror(errno));
out:
        munmapp(run, run_size);
        munmapp(mem, mem_size);
}

/* 1 when a tiny guest ran under KVM, else 0; detail says what happened. */
static int kvm_works(char *detail, size_t detail_size) {
        struct kvm_probe res = { 0 };

        /* The probe runs in a child with a deadline: a broken KVM must not
         * hang `podrt check`.  Everything it opened dies with it. */
        int p[2];
        pid_t pid = -1;
        if (pipe2(p, O_CLOEXEC) == 0) {
                pid = fork();
                if (pid == 0) {
                        close(p[0]);
                        kvm_probe_run(&res);
                        ssize_t w = write(p[1], &res, sizeof(res));
                        _exit(w == (ssize_t)sizeof(res) ? 0 : 1);
                }
                close(p[1]);
                if (pid < 0)
                        close(p[0]);
        }

        if (pid < 0) {
                /* No child: probe here (it closes what it opens). */
                kvm_probe_run(&res);
        } else {
                struct pollfd pfd = { .fd = p[0], .events = POLLIN };
                int r;
                do
                        r = poll(&pfd, 1, KVM_PROBE_TIMEOUT_MS);
                while (r < 0 && errno == EINTR);
                ssize_t n = r > 0 ? read(p[0], &res, sizeof(res)) : -1;
                close(p[0]);
                if (r == 0) {
                        kill(pid, SIGKILL);
                        snprintf(res.detail, sizeof(res.detail),
                                 "the KVM test guest did not finish within %d s",
                                 KVM_PROBE_TIMEOUT_MS / 1000);
                        res.works = 0;
                } else if (n != (ssize_t)sizeof(res)) {
                        snprintf(res.detail, sizeof(res.detail), "the KVM probe died");
                        res.works = 0;
                }
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        res.detail[sizeof(res.detail) - 1] = '\0';
        if (detail && detail_size > 0)
                snprintf(detail, detail_size, "%s", res.detail);
        return res.works ? 1 : 0;
}

/* ---- the report ---- */

/* The hypervisor's line: its plugin loads, and its probe says it can run
 * here (under TCG when it can; a hypervisor without TCG is asked for KVM,
 * which for lkvm only looks for the binary).  QEMU's KVM probe boots a
 * guest: `podrt check` reads its cached answer instead (below). */
static int check_hypervisor(const struct kvm *k, const char *name, struct kvm_hv *hv, bool *ret_ok,
                            struct podrt_check *check) {
        _cleanup_error_ struct podrt_error *e = NULL;
        *ret_ok = false;
        if (kvm_hv_get(k, name, hv, &e) < 0)
                return podrt_check_add(check, "hypervisor", 0, "%s", podrt_error_message(e));
        bool tcg = !(hv->features & PODRT_HYPERVISOR_NO_TCG);
        int r = kvm_hv_probe(hv, tcg ? PODRT_ACCEL_TCG : PODRT_ACCEL_KVM, &e);
        *ret_ok = r > 0;
        if (r > 0)
                return podrt_check_add(check, "hypervisor", PODRT_CHECK_OK, "%s (plugin): usable%s", name,
                                       tcg ? "" : "; needs KVM");
        return podrt_check_add(check, "hypervisor", 0, "%s (plugin): %s", name, podrt_error_message(e));
}

int kvm_check(void *data, struct podrt_check *check, uint64_t flags, struct podrt_error **err) {
        const struct kvm *k = data;
        if (flags)
                return podrt_error_set(err, EINVAL, "kvm: check: unknown flags 0x%llx", (unsigned long long)flags);
        const struct podrt_config *cfg = k ? k->cfg : NULL;
        const char *hypervisor = podrt_config_string(cfg, "kvm.hypervisor", "qemu");
        const char *accel = podrt_config_string(cfg, "kvm.accel", "auto");
        const char *kernel = podrt_config_string(cfg, "kvm.kernel", "/var/lib/podrt/kernel/vmlinuz");
        const char *modules = podrt_config_string(cfg, "kvm.modules", "/var/lib/podrt/kernel/modules");

        struct kvm_hv hv = { .name = hypervisor };
        bool ok;
        int r = check_hypervisor(k, hypervisor, &hv, &ok, check);
        bool need_kvm = (hv.features & PODRT_HYPERVISOR_NO_TCG) || !strcmp(accel, "kvm");
        uint32_t optional = need_kvm ? 0 : PODRT_CHECK_OPTIONAL;

        /* podrt-init: the guest's /init. */
        _cleanup_free_ char *init = k && k->host && k->host->libexec_dir ? path_join(k->host->libexec_dir, "podrt-init") : NULL;
        if (r >= 0) {
                ok = init && access(init, X_OK) == 0;
                r = podrt_check_add(check, "podrt-init", ok ? PODRT_CHECK_OK : 0, "%s%s", init ? init : "podrt-init",
                                    ok ? "" : ": not found");
        }

        /* /dev/kvm, and whether KVM works. */
        struct stat st;
        bool dev = stat("/dev/kvm", &st) == 0 && S_ISCHR(st.st_mode);
        if (r >= 0)
                r = podrt_check_add(check, "/dev/kvm", (dev ? PODRT_CHECK_OK : 0) | optional, "%s",
                                    dev ? "present" : "not present");
        if (r >= 0) {
                char detail[768], probe[200];
                int works = dev ? kvm_works(detail, sizeof(detail)) : 0;
                if (!dev)
                        snprintf(detail, sizeof(detail), "no /dev/kvm");
                /* A tiny KVM_RUN can pass where real guests cannot (nested
                 * KVM, ENVIRONMENT.md): the hypervisor's own probe, cached
                 * per boot by the backend's create, has the last word. */
                _cleanup_free_ char *cache = k && k->host && k->host->state_dir ? path_join(k->host->state_dir, "kvm") : NULL;
                int cached = cache ? accel_cached(cache, hypervisor, probe, sizeof(probe)) : -1;
                char booted[512];
                /* The boot probe's verdict (the real guest kernel under
                 * KVM), when the hypervisor's own probe passed. */
                int boot = cached > 0 && cache ? accel_boot_last(cache, hypervisor, booted, sizeof(booted)) : -1;
                if (boot >= 0) {
                        works = boot;
                        snprintf(detail, sizeof(detail), "%s", booted);
                        if (!boot && !need_kvm) {
                                r = podrt_check_add(check, "kvm works", optional, "%s; using TCG", detail);
                                if (r >= 0)
                                        r = podrt_check_note(check, "KVM is not usable here: guests run under TCG (slower)");
                                goto kernel;
                        }
                } else if (cached >= 0) {
                        works = cached;
                        snprintf(detail, sizeof(detail), "%s (%s probe)", probe, hypervisor);
                        if (works)
                                r = podrt_check_note(check, "the %s probe passed; the first pod under kvm.accel = \"auto\" "
                                                            "boots the guest kernel under KVM before using it", hypervisor);
                } else if (works)
                        r = podrt_check_note(check, "KVM ran a test guest; the %s probe, run by the kvm backend on "
                                                    "first use, decides whether its guests use it", hypervisor);
                if (r >= 0)
                        r = podrt_check_add(check, "kvm works", (works ? PODRT_CHECK_OK : 0) | optional, "%s%s", detail,
                                            !works && !need_kvm ? "; TCG fallback" : "");
                if (r >= 0 && !works && !need_kvm)
                        r = podrt_check_note(check, "KVM is not usable here: guests run under TCG (slower)");
        }

        /* The guest kernel and its module trees. */
kernel:
        if (r >= 0) {
                ok = kernel[0] && stat(kernel, &st) == 0 && S_ISREG(st.st_mode);
                r = podrt_check_add(check, "kernel", ok ? PODRT_CHECK_OK : 0, "%s%s", kernel,
                                    ok ? "" : ": not found (kvm.kernel; scripts/fetch-kernel.sh fetches Debian's)");
        }
        if (r >= 0) {
                ok = modules[0] && stat(modules, &st) == 0 && S_ISDIR(st.st_mode);
                r = podrt_check_add(check, "modules", (ok ? PODRT_CHECK_OK : 0) | PODRT_CHECK_OPTIONAL, "%s%s",
                                    modules, ok ? "" : ": not found (kvm.modules)");
        }

        /* Pods on a network: tc and /dev/net/tun (net.c). */
        if (r >= 0)
                r = kvm_net_check(check);

        /* The host modules a VM may want (kvm.load_modules loads them). */
        static const char *const host_modules[] = { "kvm", "kvm_intel", "kvm_amd", "vhost_vsock", "vhost_net", "tun" };
        bool moddir = have_module_dir();
        struct kmod_ctx *ctx = kmod_new(NULL, NULL);
        if (ctx)
                kmod_set_log_fn(ctx, kmod_silent, NULL);
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(host_modules); i++) {
                const char *status = module_status(ctx, moddir, host_modules[i]);
                char what[64];
                snprintf(what, sizeof(what), "module %s", host_modules[i]);
                r = podrt_check_add(check, what, (strcmp(status, "missing") ? PODRT_CHECK_OK : 0) | PODRT_CHECK_OPTIONAL,
                                    "%s", status);
        }
        if (ctx)
                kmod_unref(ctx);
        if (r >= 0 && !moddir) {
                struct utsname u;
                r = podrt_check_note(check, "no /lib/modules/%s: modules that are neither loaded nor built in "
                                            "are reported missing", uname(&u) == 0 ? u.release : "?");
        }
        if (r < 0)
                return podrt_error_set(err, r, "kvm: check: %s", strerror(-r));
        return 0;
}
