/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's VM: its size, kernel command line, 9p shares, the description
 * podrt-init reads, and vm.json (what later commands need to reach it). */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <podrt/config.h>
#include <podrt/objects.h>

#include "initspec.h"
#include "caps.h"
#include "kvm.h"
#include "strv.h"

struct kvm_vm *kvm_vm_free(struct kvm_vm *vm) {
        if (!vm)
                return NULL;
        free(vm->shares);
        free(vm->share_list);
        free(vm->hypervisor);
        free(vm->name);
        free(vm->kernel);
        free(vm->initrd);
        free(vm->cmdline);
        free(vm->console_path);
        free(vm->control_path);
        free(vm->work_dir);
        strv_free(vm->share_paths);
        strv_free(vm->share_tags);
        free(vm->net_tap);
        free(vm->net_mac);
        free(vm->netns);
        free(vm->accel_wanted);
        free(vm->probe_cache);
        free(vm->probe_key);
        free(vm);
        return NULL;
}

void kvm_vm_size(const struct podrt_pod *pod, const struct podrt_config *cfg,
                 uint32_t *ret_memory_mib, uint32_t *ret_vcpus) {
        int64_t mem = 0, millis = 0;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                const struct podrt_app *a = podrt_pod_app(pod, i);
                int64_t m = podrt_app_memory_limit(a);
                if (m > 0)
                        mem += (m + (1 << 20) - 1) >> 20;
                int64_t c = podrt_app_cpu_millis(a);
                if (c > 0)
                        millis += c;
        }
        mem += 128;   /* rkt's rule: the apps' limits + 128 MiB for the guest */
        int64_t vcpus = (millis + 999) / 1000;
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        if (online > 0 && vcpus > online)
                vcpus = online;
        if (vcpus < 1)
                vcpus = 1;
        if (cfg && podrt_config_is_set(cfg, "kvm.memory_mib"))
                mem = podrt_config_int(cfg, "kvm.memory_mib", mem);
        if (cfg && podrt_config_is_set(cfg, "kvm.vcpus"))
                vcpus = podrt_config_int(cfg, "kvm.vcpus", vcpus);
        if (mem > UINT32_MAX)
                mem = UINT32_MAX;
        if (vcpus > 255)
                vcpus = 255;
        *ret_memory_mib = (uint32_t)(mem > 0 ? mem : 128);
        *ret_vcpus = (uint32_t)vcpus;
}

char *kvm_vm_cmdline(uint32_t accel, uint64_t tsc_khz) {
        /* quiet: a serial console is slow under TCG.  panic=-1 with QEMU's
         * -no-reboot: a panicking guest ends the VM instead of hanging.
         * tsc_early_khz (TCG): no PIT calibration, which a loaded host can
         * make fail and hang the boot.  After "--": podrt-init's own
         * arguments: power off even when the description is unreadable. */
        char *s = NULL;
        int n;
        if (accel == PODRT_ACCEL_TCG && tsc_khz)
                n = asprintf(&s, "console=ttyS0 quiet panic=-1 tsc_early_khz=%llu rdinit=/init -- --poweroff",
                             (unsigned long long)tsc_khz);
        else
                n = asprintf(&s, "console=ttyS0 quiet panic=-1 rdinit=/init -- --poweroff");
        return n < 0 ? NULL : s;
}

static int add_share(struct kvm_vm *vm, const char *path, const char *tag, bool ro) {
        struct podrt_vm_share *n = realloc(vm->shares, (vm->cfg.n_shares + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        vm->shares = n;
        const struct podrt_vm_share **l = realloc(vm->share_list, (vm->cfg.n_shares + 1) * sizeof(*l));
        if (!l)
                return -ENOMEM;
        vm->share_list = l;
        if (strv_push(&vm->share_paths, path) < 0 || strv_push(&vm->share_tags, tag) < 0)
                return -ENOMEM;
        vm->shares[vm->cfg.n_shares++] = (struct podrt_vm_share){
                .version = PODRT_VM_SHARE_VERSION,
                .size = sizeof(struct podrt_vm_share),
                .read_only = ro,
        };
        /* The vectors may have moved: point every share again. */
        for (uint32_t i = 0; i < vm->cfg.n_shares; i++) {
                vm->shares[i].path = vm->share_paths[i];
                vm->shares[i].tag = vm->share_tags[i];
                vm->share_list[i] = &vm->shares[i];
        }
        vm->cfg.shares = vm->shares;
        vm->cfg.share_list = vm->share_list;
        return 0;
}

int kvm_vm_add_shares(struct kvm_vm *vm, const struct podrt_pod *pod, const char *status_dir,
                      const char *apps_dir, struct podrt_error **err) {
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                const struct podrt_app *a = podrt_pod_app(pod, i);
                char tag[32];
                snprintf(tag, sizeof(tag), KVM_ROOTFS_TAG_PREFIX "%zu", i);
                if (!podrt_app_rootfs(a))
                        return podrt_error_set(err, EINVAL, "app %s: no root filesystem", podrt_app_name(a));
                if (add_share(vm, podrt_app_rootfs(a), tag, podrt_app_read_only_rootfs(a)) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < podrt_pod_n_volumes(pod); i++) {
                const struct podrt_volume *v = podrt_pod_volume(pod, i);
                if (add_share(vm, podrt_volume_source(v), podrt_volume_name(v), podrt_volume_read_only(v)) < 0)
                        return -ENOMEM;
        }
        if (status_dir && add_share(vm, status_dir, KVM_STATUS_TAG, false) < 0)
                return -ENOMEM;
        if (apps_dir && add_share(vm, apps_dir, KVM_APPS_TAG, false) < 0)
                return -ENOMEM;
        return 0;
}

/* The VM's configuration pointing at its strings, and the VM in *ret. */
static int vm_done(struct kvm_vm *vm, struct kvm_vm **ret) {
        vm->cfg.name = vm->name;
        vm->cfg.kernel = vm->kernel;
        vm->cfg.initrd = vm->initrd;
        vm->cfg.cmdline = vm->cmdline;
        vm->cfg.console_path = vm->console_path;
        vm->cfg.control_path = vm->control_path;
        vm->cfg.work_dir = vm->work_dir;
        *ret = vm;
        return 0;
}


int kvm_vm_new(const struct podrt_pod *pod, const char *hypervisor, const char *kernel,
               const char *initrd, uint32_t accel, uint64_t tsc_khz, uint32_t memory_mib,
               uint32_t vcpus, const char *kvm_dir, struct kvm_vm **ret,
               struct podrt_error **err) {
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = calloc(1, sizeof(*vm));
        if (!vm)
                return -ENOMEM;
        vm->hypervisor = strdup(hypervisor);
        vm->name = strdup(podrt_pod_id(pod));
        vm->kernel = strdup(kernel);
        vm->initrd = strdup(initrd);
        vm->cmdline = kvm_vm_cmdline(accel, tsc_khz);
        vm->console_path = path_join(kvm_dir, "console.log");
        vm->control_path = path_join(kvm_dir, "qmp.sock");
        vm->work_dir = strdup(kvm_dir);
        _cleanup_free_ char *status = path_join(kvm_dir, "status"), *apps = path_join(kvm_dir, KVM_APPS_DIR);
        if (!vm->hypervisor || !vm->name || !vm->kernel || !vm->initrd || !vm->cmdline ||
            !vm->console_path || !vm->control_path || !vm->work_dir || !status || !apps)
                return -ENOMEM;
        vm->cfg = (struct podrt_vm_config){
                .version = PODRT_VM_CONFIG_VERSION,
                .size = sizeof(struct podrt_vm_config),
                .memory_mib = memory_mib,
                .vcpus = vcpus,
                .accel = accel,
        };
        int r = kvm_vm_add_shares(vm, pod, status, apps, err);
        if (r < 0)
                return r;
        return vm_done(TAKE_PTR(vm), ret);
}

/* ---- vm.json ---- */

int kvm_vm_save(const struct kvm_vm *vm, const char *path, struct podrt_error **err) {
        struct json_object *o = json_object_new_object(), *shares = json_object_new_array();
        if (!o || !shares) {
                json_object_put(o);
                json_object_put(shares);
                return -ENOMEM;
        }
        json_object_object_add(o, "hypervisor", json_object_new_string(vm->hypervisor));
        json_object_object_add(o, "name", json_object_new_string(vm->name));
        json_object_object_add(o, "kernel", json_object_new_string(vm->kernel));
        json_object_object_add(o, "initrd", json_object_new_string(vm->initrd));
        json_object_object_add(o, "cmdline", json_object_new_string(vm->cmdline));
        json_object_object_add(o, "memoryMiB", json_object_new_int64(vm->cfg.memory_mib));
        json_object_object_add(o, "vcpus", json_object_new_int64(vm->cfg.vcpus));
        json_object_object_add(o, "accel", json_object_new_string(vm->cfg.accel == PODRT_ACCEL_KVM ? "kvm" : "tcg"));
        json_object_object_add(o, "console", json_object_new_string(vm->console_path));
        json_object_object_add(o, "control", json_object_new_string(vm->control_path));
        json_object_object_add(o, "workDir", json_object_new_string(vm->work_dir));
        if (vm->boot_timeout)
                json_object_object_add(o, "bootTimeout", json_object_new_int64(vm->boot_timeout));
        if (vm->accel_wanted)
                json_object_object_add(o, "accelWanted", json_object_new_string(vm->accel_wanted));
        if (vm->probe_cache)
                json_object_object_add(o, "probeCache", json_object_new_string(vm->probe_cache));
        if (vm->probe_key)
                json_object_object_add(o, "probeKey", json_object_new_string(vm->probe_key));
        for (uint32_t i = 0; i < vm->cfg.n_shares; i++) {
                struct json_object *s = json_object_new_object();
                json_object_object_add(s, "path", json_object_new_string(vm->shares[i].path));
                json_object_object_add(s, "tag", json_object_new_string(vm->shares[i].tag));
                json_object_object_add(s, "readOnly", json_object_new_boolean(vm->shares[i].read_only));
                json_object_array_add(shares, s);
        }
        json_object_object_add(o, "shares", shares);
        if (vm->net_tap) {
                struct json_object *net = json_object_new_object();
                json_object_object_add(net, "tap", json_object_new_string(vm->net_tap));
                json_object_object_add(net, "mac", json_object_new_string(vm->net_mac));
                json_object_object_add(net, "mtu", json_object_new_int64(vm->net.mtu));
                json_object_object_add(o, "net", net);
        }
        if (vm->netns)
                json_object_object_add(o, "netns", json_object_new_string(vm->netns));
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        int r = write_file_atomic(path, text, strlen(text), 0644, 0);
        json_object_put(o);
        if (r < 0)
                return podrt_error_set(err, -r, "%s: %s", path, strerror(-r));
        return 0;
}

static char *get_str(struct json_object *o, const char *key) {
        struct json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return strdup(json_object_get_string(v));
}

/* Points cfg at the network device and namespace (owned strings). */
static void net_done(struct kvm_vm *vm) {
        vm->cfg.netns_path = vm->netns;
        if (!vm->net_tap)
                return;
        uint32_t mtu = vm->net.mtu;
        vm->net = (struct podrt_vm_net){
                .version = PODRT_VM_NET_VERSION,
                .size = sizeof(struct podrt_vm_net),
                .tap = vm->net_tap,
                .mac = vm->net_mac,
                .mtu = mtu,
        };
        vm->net_list[0] = &vm->net;
        vm->cfg.net_list = vm->net_list;
        vm->cfg.n_nets = 1;
}

int kvm_vm_set_net(struct kvm_vm *vm, const struct kvm_net *n) {
        if (!(vm->net_tap = strdup(n->tap)) || !(vm->net_mac = strdup(n->mac)) || !(vm->netns = strdup(n->netns)))
                return -ENOMEM;
        vm->net.mtu = n->mtu;
        net_done(vm);
        return 0;
}

static int load_net(struct kvm_vm *vm, struct json_object *o) {
        struct json_object *net, *v;
        vm->netns = get_str(o, "netns");
        if (json_object_object_get_ex(o, "net", &net)) {
                vm->net_tap = get_str(net, "tap");
                vm->net_mac = get_str(net, "mac");
                if (!vm->net_tap || !vm->net_mac)
                        return -EINVAL;
                if (json_object_object_get_ex(net, "mtu", &v))
                        vm->net.mtu = (uint32_t)json_object_get_int64(v);
        }
        net_done(vm);
        return 0;
}

int kvm_vm_load(const char *path, struct kvm_vm **ret, struct podrt_error **err) {
        struct json_object *o = json_object_from_file(path);
        if (!o)
                return podrt_error_set(err, errno ? errno : EINVAL, "%s: cannot read the VM's description", path);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = calloc(1, sizeof(*vm));
        int r = 0;
        if (!vm) {
                json_object_put(o);
                return -ENOMEM;
        }
        vm->hypervisor = get_str(o, "hypervisor");
        vm->name = get_str(o, "name");
        vm->kernel = get_str(o, "kernel");
        vm->initrd = get_str(o, "initrd");
        vm->cmdline = get_str(o, "cmdline");
        vm->console_path = get_str(o, "console");
        vm->control_path = get_str(o, "control");
        vm->work_dir = get_str(o, "workDir");
        vm->accel_wanted = get_str(o, "accelWanted");
        vm->probe_cache = get_str(o, "probeCache");
        vm->probe_key = get_str(o, "probeKey");
        _cleanup_free_ char *accel = get_str(o, "accel");
        struct json_object *v;
        vm->cfg = (struct podrt_vm_config){
                .version = PODRT_VM_CONFIG_VERSION,
                .size = sizeof(struct podrt_vm_config),
                .accel = accel && !strcmp(accel, "kvm") ? PODRT_ACCEL_KVM : PODRT_ACCEL_TCG,
        };
        if (json_object_object_get_ex(o, "memoryMiB", &v))
                vm->cfg.memory_mib = (uint32_t)json_object_get_int64(v);
        if (json_object_object_get_ex(o, "vcpus", &v))
                vm->cfg.vcpus = (uint32_t)json_object_get_int64(v);
        if (json_object_object_get_ex(o, "bootTimeout", &v))
                vm->boot_timeout = (uint32_t)json_object_get_int64(v);
        if (json_object_object_get_ex(o, "shares", &v) && json_object_is_type(v, json_type_array)) {
                for (size_t i = 0; r >= 0 && i < json_object_array_length(v); i++) {
                        struct json_object *s = json_object_array_get_idx(v, i), *ro = NULL;
                        _cleanup_free_ char *p = get_str(s, "path"), *t = get_str(s, "tag");
                        json_object_object_get_ex(s, "readOnly", &ro);
                        if (!p || !t)
                                r = -EINVAL;
                        else
                                r = add_share(vm, p, t, ro && json_object_get_boolean(ro));
                }
        }
        if (r >= 0)
                r = load_net(vm, o);
        json_object_put(o);
        if (r < 0 || !vm->hypervisor || !vm->name || !vm->kernel || !vm->initrd || !vm->cmdline ||
            !vm->console_path || !vm->control_path || !vm->work_dir)
                return podrt_error_set(err, EINVAL, "%s: the VM's description is incomplete", path);
        return vm_done(TAKE_PTR(vm), ret);
}

/* ---- the description ---- */

static int app_paths(struct initspec_app *a, const char *name) {
        if (asprintf(&a->stdout_path, KVM_GUEST_STATUS "/out/%s", name) < 0 ||
            asprintf(&a->stderr_path, KVM_GUEST_STATUS "/err/%s", name) < 0 ||
            asprintf(&a->status_path, KVM_GUEST_STATUS "/exit/%s", name) < 0 ||
            asprintf(&a->pid_path, KVM_GUEST_STATUS "/pid/%s", name) < 0)
                return -ENOMEM;
        return 0;
}

int kvm_describe_app(const struct podrt_app *app, const char *root, struct initspec *s,
                     struct initspec_app **ret) {
        const char *name = podrt_app_name(app);
        struct initspec_app *a;
        if (initspec_add_app(s, name, root, &a) < 0)
                return -ENOMEM;
        if (!(a->argv = strv_copy((char *const *)podrt_app_command(app))) ||
            !(a->env = strv_copy((char *const *)podrt_app_env(app))))
                return -ENOMEM;
        const char *wd = podrt_app_working_dir(app);
        if (wd && !(a->workdir = strdup(wd)))
                return -ENOMEM;
        a->uid = podrt_app_uid(app);
        a->gid = podrt_app_gid(app);
        size_t ng = 0;
        const uint32_t *groups = podrt_app_groups(app, &ng);
        for (size_t g = 0; g < ng; g++)
                if (initspec_app_add_group(a, groups[g]) < 0)
                        return -ENOMEM;
        /* Capabilities as on nspawn and oci: the OCI default set,
         * plus add, minus drop; podrt-init drops the rest from the
         * app's bounding set in the guest. */
        uint64_t caps = cap_default_app_set();
        const char *const *add = podrt_app_caps_add(app), *const *drop = podrt_app_caps_drop(app);
        for (size_t k = 0; add && add[k]; k++)
                if (cap_from_name(add[k]) >= 0)
                        caps |= UINT64_C(1) << cap_from_name(add[k]);
        for (size_t k = 0; drop && drop[k]; k++)
                if (cap_from_name(drop[k]) >= 0)
                        caps &= ~(UINT64_C(1) << cap_from_name(drop[k]));
        if (!(a->caps_drop = cap_mask_names(~caps, CAP_LAST_KNOWN)))
                return -ENOMEM;
        a->read_only_root = podrt_app_read_only_rootfs(app);
        /* Enforced by podrt-init in a cgroup of the app's own. */
        int64_t mem = podrt_app_memory_limit(app), cpu = podrt_app_cpu_millis(app),
                pids = podrt_app_pids_limit(app);
        a->memory_max = mem > 0 ? (uint64_t)mem : 0;
        a->cpu_millis = cpu > 0 ? (uint64_t)cpu : 0;
        a->pids_max = pids > 0 ? (uint64_t)pids : 0;
        for (size_t m = 0; m < podrt_app_n_mounts(app); m++) {
                _cleanup_free_ char *src = NULL;
                if (asprintf(&src, KVM_GUEST_VOLUMES "/%s",
                             podrt_volume_name(podrt_app_mount_volume(app, m))) < 0 ||
                    initspec_app_add_bind(a, src, podrt_app_mount_path(app, m),
                                          podrt_app_mount_read_only(app, m)) < 0)
                        return -ENOMEM;
        }
        static const char *const etc[] = { "hosts", "resolv.conf", "hostname" };
        for (size_t k = 0; k < ELEMENTSOF(etc); k++) {
                _cleanup_free_ char *src = NULL, *dst = NULL;
                if (!kvm_etc_bindable(app, etc[k]))
                        continue;
                if (asprintf(&src, KVM_GUEST_STATUS "/etc/%s", etc[k]) < 0 ||
                    asprintf(&dst, "/etc/%s", etc[k]) < 0 ||
                    initspec_app_add_bind(a, src, dst, true) < 0)
                        return -ENOMEM;
        }
        const char *const *pre = podrt_app_pre_start(app), *const *post = podrt_app_post_stop(app);
        if (pre && pre[0] && !(a->pre_start = strv_copy((char *const *)pre)))
                return -ENOMEM;
        if (post && post[0] && !(a->post_stop = strv_copy((char *const *)post)))
                return -ENOMEM;
        if (app_paths(a, name) < 0)
                return -ENOMEM;
        if (ret)
                *ret = a;
        return 0;
}

int kvm_write_description(const struct podrt_pod *pod, char *const *modules, const char *path,
                          struct podrt_error **err) {
        return kvm_write_description_net(pod, modules, NULL, path, err);
}

int kvm_write_description_net(const struct podrt_pod *pod, char *const *modules,
                              const struct kvm_net *net, const char *path, struct podrt_error **err) {
        _cleanup_(initspec_freep) struct initspec *s = initspec_new();
        if (!s || !(s->hostname = strdup(podrt_pod_hostname(pod))))
                return -ENOMEM;
        if (net && kvm_net_describe(net, s) < 0)   /* eth0's address, MTU, routes (net.c) */
                return -ENOMEM;
        s->poweroff = true;
        /* A sandbox: podrt-init stays for apps added later, until a stop. */
        const char *sandbox = podrt_pod_annotation(pod, PODRT_SANDBOX_ANNOTATION);
        s->linger = sandbox && !strcmp(sandbox, "true");
        /* `podrt stop` writes it on the status share; podrt-init polls for
         * it and gives the apps a SIGTERM. */
        if (!(s->stop_path = strdup(KVM_GUEST_STATUS "/" KVM_STOP_FILE)) ||
            !(s->exec_port = strdup(KVM_EXEC_PORT)) || !(s->control_path = strdup(KVM_GUEST_CONTROL)) ||
            !(s->request_dir = strdup(KVM_GUEST_STATUS "/" KVM_REQUESTS_DIR)))
                return -ENOMEM;
        for (size_t i = 0; modules && modules[i]; i++)
                if (initspec_add_module(s, modules[i], NULL) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                const struct podrt_app *a = podrt_pod_app(pod, i);
                char tag[32];
                _cleanup_free_ char *target = NULL;
                snprintf(tag, sizeof(tag), KVM_ROOTFS_TAG_PREFIX "%zu", i);
                if (asprintf(&target, KVM_GUEST_STAGE2 "/%s/rootfs", podrt_app_name(a)) < 0 ||
                    initspec_add_mount(s, "9p", tag, target, KVM_9P_DATA,
                                       podrt_app_read_only_rootfs(a) ? MS_RDONLY : 0) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < podrt_pod_n_volumes(pod); i++) {
                const struct podrt_volume *v = podrt_pod_volume(pod, i);
                _cleanup_free_ char *target = NULL;
                if (asprintf(&target, KVM_GUEST_VOLUMES "/%s", podrt_volume_name(v)) < 0 ||
                    initspec_add_mount(s, "9p", podrt_volume_name(v), target, KVM_9P_DATA,
                                       podrt_volume_read_only(v) ? MS_RDONLY : 0) < 0)
                        return -ENOMEM;
        }
        if (initspec_add_mount(s, "9p", KVM_STATUS_TAG, KVM_GUEST_STATUS, KVM_9P_DATA, 0) < 0 ||
            initspec_add_mount(s, "9p", KVM_APPS_TAG, KVM_GUEST_APPS, KVM_9P_DATA, 0) < 0)
                return -ENOMEM;

        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                const struct podrt_app *app = podrt_pod_app(pod, i);
                _cleanup_free_ char *root = NULL;
                if (asprintf(&root, KVM_GUEST_STAGE2 "/%s/rootfs", podrt_app_name(app)) < 0 ||
                    kvm_describe_app(app, root, s, NULL) < 0)
                        return -ENOMEM;
        }
        return initspec_write_file(s, path, err);
}
