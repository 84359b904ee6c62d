/* SPDX-License-Identifier: Apache-2.0 */
/* The kvm backend: each pod in its own lightweight VM, run by the
 * hypervisor plugin kvm.hypervisor names (qemu: QEMU's microvm, the
 * default; lkvm; or a third party's), with podrt-init as the guest's /init.
 * See docs/kvm.md.
 *
 * Files of a pod, in <pod dir>/kvm/:
 *   vm.json      the VM (hypervisor, kernel, initrd, command line, shares)
 *   pod.conf     the description podrt-init reads (also inside initrd.img)
 *   initrd.img   the cached base initramfs + the description
 *   status/      the status share: exit/<app>, out/<app>, err/<app>, pid/<app>,
 *                and stop (podrt stop's request to podrt-init)
 *   console.log  the guest's serial console; <hypervisor>.log: its own messages
 *   qmp.sock     the hypervisor's control socket (QEMU's QMP); vm.pid: its pid
 *   signal       the signal that ended the VM (kill, stop), for exit codes */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <podrt/podrt.h>

#include "kvm.h"
#include "strv.h"

static char *kvm_dir_of(const struct podrt_pod *pod) {
        return path_join(podrt_pod_dir(pod), "kvm");
}

/* Where the vmlinux and the base initramfs are cached: beside the kernel
 * when that folder is writable (they survive reboots, and the 60 MiB
 * vmlinux stays out of the tmpfs of /run), else under the state dir. */
static char *cache_dir_for(const struct kvm *k, const char *kernel) {
        _cleanup_free_ char *copy = strdup(kernel);
        if (!copy)
                return NULL;
        char *slash = strrchr(copy, '/');
        if (slash && slash != copy) {
                *slash = '\0';
                if (access(copy, W_OK) == 0)
                        return path_join(copy, "cache");
        }
        _cleanup_free_ char *base = path_join(k->host->state_dir, "kvm");
        return base ? path_join(base, "cache") : NULL;
}

static int kvm_init(const struct podrt_host *host, void **ret_data, struct podrt_error **err) {
        struct kvm *k = calloc(1, sizeof(*k));
        if (!k)
                return podrt_error_set(err, ENOMEM, "out of memory");
        k->host = host;
        k->cfg = host->config;
        *ret_data = k;
        return 0;
}

static void kvm_fini(void *data) {
        free(data);
}

/* ---- create ---- */

static int guest_modules(const struct kvm *k, const char *kernel, bool net, char **ret_moddir,
                         char **ret_guest_moddir, char ***ret_rel, struct podrt_error **err) {
        _cleanup_free_ char *version = NULL;
        int r = vmlinux_kernel_version(kernel, &version, err);
        if (r < 0)
                return r;
        const char *modules = podrt_config_string(k->cfg, "kvm.modules", "/var/lib/podrt/kernel/modules");
        _cleanup_free_ char *moddir = path_join(modules, version), *dep = NULL;
        _cleanup_free_ char *guest = NULL;
        if (!moddir || !(dep = path_join(moddir, "modules.dep")) ||
            asprintf(&guest, "/lib/modules/%s", version) < 0)
                return -ENOMEM;
        if (access(dep, R_OK) < 0) {
                /* A kernel with virtio-mmio and 9p built in needs none. */
                kvm_log(k, PODRT_LOG_NOTICE, "no module tree for kernel %s in %s (kvm.modules): "
                        "the guest kernel must have virtio_mmio, 9pnet_virtio and 9p built in",
                        version, modules);
                *ret_rel = NULL;
                *ret_moddir = TAKE_PTR(moddir);
                *ret_guest_moddir = TAKE_PTR(guest);
                return 0;
        }
        static const char *const names[] = KVM_GUEST_MODULES, *const net_names[] = KVM_GUEST_NET_MODULES;
        _cleanup_strv_free_ char **rel = NULL;
        if ((r = modules_resolve(moddir, net ? net_names : names, &rel, err)) < 0)
                return r;
        *ret_rel = TAKE_PTR(rel);
        *ret_moddir = TAKE_PTR(moddir);
        *ret_guest_moddir = TAKE_PTR(guest);
        return 0;
}

static int create_files(struct kvm *k, struct podrt_pod *pod, const char *kvm_dir,
                        struct podrt_error **err) {
        const char *hvname = podrt_config_string(k->cfg, "kvm.hypervisor", "qemu");
        struct kvm_hv hv;
        int r = kvm_hv_get(k, hvname, &hv, err);
        if (r < 0)
                return r;
        const char *kernel = podrt_config_string(k->cfg, "kvm.kernel", "/var/lib/podrt/kernel/vmlinuz");
        struct stat st;
        if (stat(kernel, &st) < 0 || !S_ISREG(st.st_mode))
                return podrt_error_set(err, ENOENT, "guest kernel %s (kvm.kernel): not found; scripts/fetch-kernel.sh fetches Debian's",
                                       kernel);
        _cleanup_free_ char *init = path_join(k->host->libexec_dir, "podrt-init");
        if (!init)
                return -ENOMEM;
        if (access(init, R_OK) < 0)
                return podrt_error_set(err, errno, "podrt-init %s: %m", init);

        /* The host's modules, when asked: before the KVM probe. */
        if (podrt_config_bool(k->cfg, "kvm.load_modules", false)) {
                _cleanup_free_ char *cpuinfo = NULL;
                read_file("/proc/cpuinfo", 1 << 22, &cpuinfo, NULL);
                bool amd = cpuinfo && strstr(cpuinfo, "AuthenticAMD");
                const char *const host_modules[] = { "kvm", amd ? "kvm_amd" : "kvm_intel", "vhost_vsock",
                                                     "vhost_net", "tun", NULL };
                char report[512];
                modules_load_host(host_modules, report, sizeof(report));
                kvm_log(k, PODRT_LOG_INFO, "host modules: %s", report);
        }

        /* The hypervisor, the acceleration. */
        _cleanup_free_ char *state_kvm = path_join(k->host->state_dir, "kvm");
        _cleanup_free_ char *cache = cache_dir_for(k, kernel);
        if (!state_kvm || !cache)
                return -ENOMEM;
        uint32_t accel;
        const char *wanted = podrt_config_string(k->cfg, "kvm.accel", "auto");
        r = accel_resolve(k, wanted, &hv, state_kvm, &accel, err);
        if (r < 0)
                return r;

        /* The kernel QEMU boots (vmlinux), the modules, the initramfs. */
        _cleanup_free_ char *boot = NULL;
        if (hv.features & PODRT_HYPERVISOR_NEEDS_BZIMAGE)
                boot = strdup(kernel);
        else if ((r = vmlinux_get(kernel, cache, &boot, err)) < 0)
                return r;
        if (!boot)
                return -ENOMEM;
        _cleanup_free_ char *moddir = NULL, *guest_moddir = NULL;
        _cleanup_strv_free_ char **rel = NULL, **guest_paths = NULL;
        /* A pod on a network (net.c): its interface, read, not changed yet. */
        _cleanup_(kvm_net_freep) struct kvm_net *net = NULL;
        if ((r = kvm_net_probe(pod, &net, err)) < 0)
                return r;
        if (net && !(hv.features & PODRT_HYPERVISOR_NET))
                return podrt_error_set(err, EOPNOTSUPP, "pod %s is on a network, and hypervisor plugin '%s' cannot attach a network device (PODRT_HYPERVISOR_NET; qemu can)",
                                       podrt_pod_name(pod), hv.name);
        if ((r = guest_modules(k, kernel, net != NULL, &moddir, &guest_moddir, &rel, err)) < 0)
                return r;
        for (size_t i = 0; rel && rel[i]; i++)
                if (strv_consume(&guest_paths, path_join(guest_moddir, rel[i])) < 0)
                        return -ENOMEM;
        _cleanup_free_ char *base = NULL;
        if ((r = initramfs_base(cache, init, moddir, guest_moddir, rel, &base, err)) < 0)
                return r;

        /* auto: KVM only when this kernel really boots under it here (the
         * probe's second stage, cached per boot); kvm forced: as asked, and
         * the keeper says clearly when the guest dies. */
        _cleanup_free_ char *probe_key = NULL;
        if (accel == PODRT_ACCEL_KVM && !strcmp(wanted, "auto") &&
            !(hv.features & PODRT_HYPERVISOR_NO_TCG)) {
                if ((r = accel_probe_key(&hv, state_kvm, boot, base, &probe_key, err)) < 0)
                        return r;
                char detail[512];
                if (!accel_boot_probe(k, &hv, state_kvm, boot, base, probe_key, detail, sizeof(detail))) {
                        kvm_log(k, PODRT_LOG_WARNING, "%s; running the VM under TCG (slower)", detail);
                        accel = PODRT_ACCEL_TCG;
                }
        }

        /* The shares' host folders. */
        static const char *const sub[] = { "status", "status/exit", "status/out", "status/err", "status/pid",
                                           "status/" KVM_REQUESTS_DIR, KVM_APPS_DIR };
        for (size_t i = 0; i < ELEMENTSOF(sub); i++) {
                _cleanup_free_ char *d = path_join(kvm_dir, sub[i]);
                if (!d || (r = mkdir_p(d, 0755)) < 0)
                        return podrt_error_set(err, d ? -r : ENOMEM, "%s/%s: %s", kvm_dir, sub[i], strerror(d ? -r : ENOMEM));
        }
        for (size_t i = 0; i < podrt_pod_n_volumes(pod); i++) {
                const struct podrt_volume *v = podrt_pod_volume(pod, i);
                if (podrt_volume_kind(v) == PODRT_VOLUME_EMPTY && (r = mkdir_p(podrt_volume_source(v), 0755)) < 0)
                        return podrt_error_set(err, -r, "volume %s: %s: %s", podrt_volume_name(v),
                                               podrt_volume_source(v), strerror(-r));
                if (stat(podrt_volume_source(v), &st) < 0 || !S_ISDIR(st.st_mode))
                        return podrt_error_set(err, ENOTDIR, "volume %s: %s: the kvm backend shares folders only",
                                               podrt_volume_name(v), podrt_volume_source(v));
        }

        _cleanup_free_ char *etc = path_join(kvm_dir, "status/etc");
        if (!etc)
                return -ENOMEM;
        if ((r = kvm_etc_write(pod, etc, err)) < 0)
                return r;

        /* The description, then the pod's initrd. */
        _cleanup_free_ char *desc = path_join(kvm_dir, "pod.conf"), *initrd = path_join(kvm_dir, "initrd.img");
        if (!desc || !initrd)
                return -ENOMEM;
        if ((r = kvm_write_description_net(pod, guest_paths, net, desc, err)) < 0 ||
            (r = initramfs_pod(base, desc, initrd, err)) < 0)
                return r;

        /* The VM, checked by building its command line now. */
        uint32_t mem, vcpus;
        kvm_vm_size(pod, k->cfg, &mem, &vcpus);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = NULL;
        if ((r = kvm_vm_new(pod, hv.name, boot, initrd, accel, accel == PODRT_ACCEL_TCG ? accel_tsc_khz_cached(state_kvm) : 0,
                            mem, vcpus, kvm_dir, &vm, err)) < 0)
                return r;
        if (net && (r = kvm_vm_set_net(vm, net)) < 0)
                return r;
        _cleanup_strv_free_ char **argv = NULL;
        if ((r = kvm_hv_build_argv(&hv, &vm->cfg, &argv, err)) < 0)
                return r;
        vm->boot_timeout = (uint32_t)podrt_config_int(k->cfg, "kvm.boot_timeout", KVM_BOOT_TIMEOUT_DEFAULT);
        if (!(vm->accel_wanted = strdup(podrt_config_string(k->cfg, "kvm.accel", "auto"))) ||
            !(vm->probe_cache = strdup(state_kvm)))
                return -ENOMEM;
        if (probe_key && !(vm->probe_key = strdup(probe_key)))
                return -ENOMEM;
        _cleanup_free_ char *json = path_join(kvm_dir, "vm.json");
        if (!json)
                return -ENOMEM;
        /* Last: the tap and the redirects (they go with the namespace). */
        if (net && (r = kvm_net_wire(net, err)) < 0)
                return r;
        return kvm_vm_save(vm, json, err);
}

static int kvm_create(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        struct kvm *k = data;
        _cleanup_free_ char *kvm_dir = kvm_dir_of(pod);
        if (!kvm_dir)
                return -ENOMEM;
        int r = mkdir_p(kvm_dir, 0755);
        if (r < 0)
                return podrt_error_set(err, -r, "%s: %s", kvm_dir, strerror(-r));
        r = create_files(k, pod, kvm_dir, err);
        if (r < 0)
                rm_rf(kvm_dir);   /* nothing half-made */
        return r;
}

/* ---- the running VM ---- */

/* vm.json, and the hypervisor it names (the one that made the VM, whatever
 * kvm.hypervisor says now: stop, kill or delete may come from another
 * process with another configuration); ret_hv NULL: not loaded (see
 * vm_hypervisor).  ret_hv->name points into *ret_vm. */
static int load_vm(const struct kvm *k, const struct podrt_pod *pod, char **ret_dir,
                   struct kvm_vm **ret_vm, struct kvm_hv *ret_hv, struct podrt_error **err) {
        _cleanup_free_ char *dir = kvm_dir_of(pod), *json = NULL;
        if (!dir || !(json = path_join(dir, "vm.json")))
                return -ENOMEM;
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = NULL;
        int r = kvm_vm_load(json, &vm, err);
        if (r < 0)
                return r;
        if (ret_hv && (r = kvm_hv_get(k, vm->hypervisor, ret_hv, err)) < 0)
                return podrt_error_set(err, r, "%s", json);
        if (ret_dir)
                *ret_dir = TAKE_PTR(dir);
        *ret_vm = TAKE_PTR(vm);
        return 0;
}

/* The hypervisor of a loaded vm.json, when it is needed after all. */
static int vm_hypervisor(const struct kvm *k, const char *kvm_dir, const struct kvm_vm *vm,
                         struct kvm_hv *ret_hv, struct podrt_error **err) {
        int r = kvm_hv_get(k, vm->hypervisor, ret_hv, err);
        return r < 0 ? podrt_error_set(err, r, "%s/vm.json", kvm_dir) : 0;
}

/* The hypervisor's pid, when it still runs this pod's VM; else 0. */
pid_t kvm_vm_pid(const char *kvm_dir, const struct podrt_pod *pod) {
        _cleanup_free_ char *path = path_join(kvm_dir, "vm.pid"), *text = NULL;
        if (!path || read_file(path, 64, &text, NULL) < 0)
                return 0;
        pid_t pid = (pid_t)atoi(text);
        return pid_cmdline_contains(pid, podrt_pod_id(pod)) ? pid : 0;
}

static void clear_run_files(const char *kvm_dir, const char *hypervisor) {
        _cleanup_free_ char *log = NULL;
        if (asprintf(&log, "%s.log", hypervisor) < 0)
                log = NULL;
        const char *const files[] = { "signal", "vm.pid", "console.log", "status/" KVM_STOP_FILE, log };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *p = files[i] ? path_join(kvm_dir, files[i]) : NULL;
                if (p)
                        unlink(p);
        }
        static const char *const dirs[] = { "status/exit", "status/out", "status/err", "status/pid",
                                            "status/" KVM_REQUESTS_DIR };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *p = path_join(kvm_dir, dirs[i]);
                if (p) {
                        rm_rf(p);
                        mkdir_p(p, 0755);
                }
        }
}

static int kvm_start(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = NULL;
        struct kvm_hv hv;
        int r = load_vm(data, pod, &dir, &vm, &hv, err);
        if (r < 0)
                return r;
        clear_run_files(dir, hv.name);
        /* Apps added or removed since create (apps-start.c). */
        if ((r = kvm_apps_prepare_start(vm, pod, dir, err)) < 0)
                return r;
        pid_t pid;
        /* The keeper's message names the hypervisor already. */
        if ((r = keeper_start(&hv, vm, pod, dir, &pid, err)) < 0)
                return r;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++)
                podrt_app_set_pid(podrt_pod_app(pod, i), pid);
        return 0;
}

int kvm_app_state(const char *kvm_dir, struct podrt_app *a) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        if (asprintf(&path, "%s/status/exit/%s", kvm_dir, podrt_app_name(a)) < 0)
                return -ENOMEM;
        if (read_file(path, 64, &text, NULL) < 0)
                return 0;
        char *end = NULL;
        long code = strtol(text, &end, 10);
        if (end == text || code < 0 || code > 255)
                return 0;
        if (podrt_app_state(a) != PODRT_APP_EXITED || podrt_app_exit_code(a) != (int)code)
                podrt_app_set_exited(a, (int)code);
        return 1;
}

static int kvm_state(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        _cleanup_free_ char *dir = kvm_dir_of(pod);
        if (!dir)
                return -ENOMEM;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++)
                if (kvm_app_state(dir, podrt_pod_app(pod, i)) == -ENOMEM)
                        return -ENOMEM;
        return 0;
}

/* load_vm() without the hypervisor, and the pid of the hypervisor still
 * running the VM (vm_pid(): 0 when none). */
static int load_vm_pid(const struct kvm *k, const struct podrt_pod *pod, char **ret_dir,
                       struct kvm_vm **ret_vm, pid_t *ret_pid, struct podrt_error **err) {
        int r = load_vm(k, pod, ret_dir, ret_vm, NULL, err);
        if (r < 0)
                return r;
        *ret_pid = kvm_vm_pid(*ret_dir, pod);
        return 0;
}

/* The VM of a pod that must be running for what (exec, update): its work
 * dir; -ESRCH when it is not running. */
static int running_vm(void *data, const struct podrt_pod *pod, const char *what, struct kvm_vm **ret_vm,
                      struct podrt_error **err) {
        _cleanup_free_ char *dir = NULL;
        pid_t pid;
        int r = load_vm_pid(data, pod, &dir, ret_vm, &pid, err);
        if (r < 0)
                return r;
        if (!pid)
                return podrt_error_set(err, ESRCH, "%s: the VM of pod %s is not running", what, podrt_pod_name(pod));
        return 0;
}

static int record_signal(const char *dir, int signo) {
        _cleanup_free_ char *path = path_join(dir, "signal");
        char num[16];
        snprintf(num, sizeof(num), "%d\n", signo);
        return path ? write_file_atomic(path, num, strlen(num), 0644, 0) : -ENOMEM;
}

/* Graceful first, hypervisor-independent: the stop request file on the
 * status share, which podrt-init polls (docs/podrt-init.md, stop-file): the
 * apps get their SIGTERM inside the guest, their statuses are written as
 * usual, and the VM powers itself off.  Only after the timeout does the
 * hypervisor end the VM (QMP quit, lkvm stop); the apps still running then
 * get 143. */
static int kvm_stop(void *data, struct podrt_pod *pod, uint32_t timeout_sec, uint64_t flags,
                    struct podrt_error **err) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = NULL;
        pid_t pid;
        /* The hypervisor only when podrt-init did not end the VM in time:
         * a graceful stop works without its plugin. */
        int r = load_vm_pid(data, pod, &dir, &vm, &pid, err);
        if (r < 0 || !pid)
                return r;
        record_signal(dir, SIGTERM);
        _cleanup_free_ char *request = path_join(dir, "status/" KVM_STOP_FILE);
        if (!request)
                return -ENOMEM;
        if (timeout_sec > 0) {
                r = write_file_atomic(request, "SIGTERM\n", 8, 0644, 0);
                if (r < 0)
                        kvm_log(data, PODRT_LOG_WARNING, "stop %s: %s: %s: ending the VM without asking its apps",
                                podrt_pod_name(pod), request, strerror(-r));
                else if (pid_wait_gone(pid, (int)(timeout_sec > 86400 ? 86400 : timeout_sec) * 1000))
                        return 0;
                else
                        kvm_log(data, PODRT_LOG_INFO, "stop %s: the VM did not power off within %us: ending it",
                                podrt_pod_name(pod), timeout_sec);
        }
        struct kvm_hv hv;
        _cleanup_error_ struct podrt_error *e = NULL;
        if ((r = vm_hypervisor(data, dir, vm, &hv, &e)) < 0) {
                /* Its plugin is gone: the VM must end all the same. */
                kvm_log(data, PODRT_LOG_WARNING, "stop %s: %s: killing the VM (pid %d)", podrt_pod_name(pod),
                        podrt_error_message(e), (int)pid);
                if (kill(pid, SIGKILL) < 0 && errno != ESRCH)
                        return podrt_error_set(err, errno, "kill %s (pid %d): %m", vm->hypervisor, (int)pid);
                return 0;
        }
        return kvm_hv_stop(&hv, &vm->cfg, 0, err);
}

static int kvm_kill(void *data, struct podrt_pod *pod, int signo, uint64_t flags,
                    struct podrt_error **err) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = NULL;
        pid_t pid;
        int r = load_vm_pid(data, pod, &dir, &vm, &pid, err);
        if (r < 0 || !pid || signo == 0)
                return r;
        if (signo == SIGSTOP || signo == SIGCONT) {
                struct kvm_hv hv;
                if ((r = vm_hypervisor(data, dir, vm, &hv, err)) < 0)
                        return r;
                return signo == SIGSTOP ? kvm_hv_pause(&hv, &vm->cfg, err) : kvm_hv_resume(&hv, &vm->cfg, err);
        }
        /* Into the guest, through podrt-init's agent (exec.c): the apps get
         * the signal there, and what they do with it is theirs. */
        if (signo != SIGKILL) {
                _cleanup_error_ struct podrt_error *e = NULL;
                if (kvm_signal_apps(vm->work_dir, signo, &e) >= 0)
                        return 0;
                kvm_log(data, PODRT_LOG_INFO, "kill %s: signal %d cannot reach the apps in the VM (%s): ending the VM",
                        podrt_pod_name(pod), signo, podrt_error_message(e));
        }
        /* Else the signal ends the VM, and the apps still running get
         * 128 + signo. */
        record_signal(dir, signo);
        if (kill(pid, signo == SIGKILL ? SIGKILL : SIGTERM) < 0 && errno != ESRCH)
                return podrt_error_set(err, errno, "kill %s (pid %d): %m", vm->hypervisor, (int)pid);
        return 0;
}

static int kvm_pause(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = NULL;
        struct kvm_hv hv;
        int r = load_vm(data, pod, NULL, &vm, &hv, err);
        return r < 0 ? r : kvm_hv_pause(&hv, &vm->cfg, err);
}

static int kvm_resume(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = NULL;
        struct kvm_hv hv;
        int r = load_vm(data, pod, NULL, &vm, &hv, err);
        return r < 0 ? r : kvm_hv_resume(&hv, &vm->cfg, err);
}

static int kvm_delete(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        _cleanup_free_ char *dir = kvm_dir_of(pod);
        if (!dir)
                return -ENOMEM;
        pid_t pid = kvm_vm_pid(dir, pod);
        if (pid) {
                record_signal(dir, SIGKILL);
                kill(pid, SIGKILL);
                if (!pid_wait_gone(pid, 5000))
                        return podrt_error_set(err, EBUSY, "the VM of pod %s (pid %d) does not end",
                                               podrt_pod_name(pod), (int)pid);
        }
        /* The added apps' roots, bound below the apps share (apps.c). */
        int r = kvm_apps_unmount(dir, NULL, err);
        if (r < 0)
                return r;
        r = rm_rf(dir);
        if (r < 0)
                return podrt_error_set(err, -r, "%s: %s", dir, strerror(-r));
        return 0;
}

static int kvm_exec_process(void *data, struct podrt_pod *pod, struct podrt_app *app,
                            const char *const *argv, const struct podrt_exec_process *proc,
                            uint64_t flags, struct podrt_error **err) {
        if (flags & ~PODRT_EXEC_TTY)
                return podrt_error_set(err, EINVAL, "kvm: exec: unknown flags 0x%llx", (unsigned long long)flags);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = NULL;
        int r = running_vm(data, pod, "exec", &vm, err);
        if (r < 0)
                return r;
        if (!argv || !argv[0])
                return podrt_error_set(err, EINVAL, "exec: no command");
        return kvm_exec_session(vm->work_dir, app ? podrt_app_name(app) : "", argv, flags & PODRT_EXEC_TTY,
                                proc, STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, err);
}

int kvm_exec(void *data, struct podrt_pod *pod, struct podrt_app *app,
             const char *const *argv, uint64_t flags, struct podrt_error **err) {
        return kvm_exec_process(data, pod, app, argv, NULL, flags, err);
}

static int kvm_update(void *data, struct podrt_pod *pod, struct podrt_app *app,
                      const struct podrt_resources *res, uint64_t flags, struct podrt_error **err) {
        if (flags)
                return podrt_error_set(err, EINVAL, "kvm: update: unknown flags 0x%llx", (unsigned long long)flags);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = NULL;
        int r = running_vm(data, pod, "update", &vm, err);
        if (r < 0)
                return r;
        return kvm_update_apps(vm->work_dir, app ? podrt_app_name(app) : NULL, res, err);
}

static const struct podrt_pod_ops kvm_pod_ops = {
        .version = PODRT_POD_OPS_VERSION,
        .size = sizeof(struct podrt_pod_ops),
        .features = 0,
        .create = kvm_create,
        .start = kvm_start,
        .stop = kvm_stop,
        .kill = kvm_kill,
        .pause = kvm_pause,
        .resume = kvm_resume,
        .delete = kvm_delete,
        .state = kvm_state,
        .exec = kvm_exec,   /* through podrt-init's agent (exec.c) */
        .exec_process = kvm_exec_process,
        .update = kvm_update,
};

static const struct podrt_plugin kvm_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "kvm",
        .version = "0.1.0",
        .description = "pods in lightweight VMs (the hypervisor plugin kvm.hypervisor names: qemu, lkvm, ...), podrt-init as the guest's /init",
        .init = kvm_init,
        .fini = kvm_fini,
        .pod = &kvm_pod_ops,
        .container = &kvm_container_ops,   /* apps.c */
        .check = kvm_check,
        .config_check = kvm_config_check,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &kvm_plugin;
}
