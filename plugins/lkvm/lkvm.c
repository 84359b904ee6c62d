/* SPDX-License-Identifier: Apache-2.0 */
/* The lkvm (kvmtool) hypervisor plugin (kvm.hypervisor = "lkvm"), as rkt's
 * kvm flavour used kvmtool:
 *   lkvm run --name N --kernel K --initrd I --params CMDLINE --mem MIB
 *            --cpus N --console serial --network mode=none --9p SRC,TAG ...
 * (a pod on a network: --network mode=tap,tapif=TAP,guest_mac=MAC,script=none,
 * the tap made by the kvm backend in the namespace lkvm is started in)
 * and `lkvm stop|pause|resume --name N`.  kvmtool needs working KVM (no
 * TCG), boots a bzImage (not a vmlinux ELF), writes the serial console on
 * its stdout, and cannot export a 9p share read-only: a VM with a read-only
 * share is refused rather than run with a writable one.  Its features say
 * so to the kvm backend (NEEDS_BZIMAGE, NO_TCG); its own messages go to
 * <work_dir>/lkvm.log. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <podrt/plugin.h>

#include "errors.h"
#include "fileio.h"
#include "hypervisor.h"
#include "process.h"
#include "strv.h"

static const char *lkvm_binary(void) {
        const char *q = secure_getenv("PODRT_LKVM");
        return q && *q ? q : "lkvm";
}

static int lkvm_build_argv(void *data, const struct podrt_vm_config *vm, char ***ret_argv,
                           struct podrt_error **err) {
        if (!vm || !vm->name || !vm->kernel || !vm->initrd || !vm->cmdline)
                return podrt_error_set(err, EINVAL, "lkvm: incomplete VM configuration");
        if (vm->accel != PODRT_ACCEL_KVM)
                return podrt_error_set(err, ENOTSUP, "lkvm runs only on KVM (it has no TCG): use kvm.hypervisor = \"qemu\"");
        if (vm->memory_mib == 0 || vm->vcpus == 0)
                return podrt_error_set(err, EINVAL, "lkvm: memory and vcpus must be > 0");
        _cleanup_strv_free_ char **v = NULL;
        int r = 0;
        char num[32];
        r |= strv_push(&v, lkvm_binary());
        r |= strv_push(&v, "run");
        r |= strv_push(&v, "--name");
        r |= strv_push(&v, vm->name);
        r |= strv_push(&v, "--kernel");
        r |= strv_push(&v, vm->kernel);
        r |= strv_push(&v, "--initrd");
        r |= strv_push(&v, vm->initrd);
        r |= strv_push(&v, "--params");
        r |= strv_push(&v, vm->cmdline);
        r |= strv_push(&v, "--mem");
        snprintf(num, sizeof(num), "%u", vm->memory_mib);
        r |= strv_push(&v, num);
        r |= strv_push(&v, "--cpus");
        snprintf(num, sizeof(num), "%u", vm->vcpus);
        r |= strv_push(&v, num);
        r |= strv_push(&v, "--console");
        r |= strv_push(&v, "serial");
        /* A pod on a network: its tap, which lkvm opens by name in the
         * namespace the kvm backend starts it in; else no NIC at all. */
        if (vm_config_n_nets(vm) == 0) {
                r |= strv_push(&v, "--network");
                r |= strv_push(&v, "mode=none");
        }
        for (uint32_t i = 0; i < vm_config_n_nets(vm); i++) {
                const struct podrt_vm_net *n = vm_config_net(vm, i);
                if (!n || !n->tap || !*n->tap || strchr(n->tap, ',') || !n->mac || strchr(n->mac, ','))
                        return podrt_error_set(err, EINVAL, "lkvm: network device %u has no usable tap or MAC", i);
                char net[128];
                snprintf(net, sizeof(net), "mode=tap,tapif=%s,guest_mac=%s,script=none", n->tap, n->mac);
                r |= strv_push(&v, "--network");
                r |= strv_push(&v, net);
        }
        for (uint32_t i = 0; i < vm->n_shares; i++) {
                const struct podrt_vm_share *s = vm_config_share(vm, i);
                if (!s || !s->path || !s->tag || !*s->tag)
                        return podrt_error_set(err, EINVAL, "lkvm: share %u has no path or tag", i);
                if (s->read_only)
                        return podrt_error_set(err, ENOTSUP, "lkvm cannot export share '%s' (%s) read-only: use kvm.hypervisor = \"qemu\"",
                                               s->tag, s->path);
                if (strchr(s->path, ',') || strchr(s->tag, ','))
                        return podrt_error_set(err, EINVAL, "lkvm: share '%s' (%s): a comma cannot be passed to --9p",
                                               s->tag, s->path);
                r |= strv_push(&v, "--9p");
                char *arg = NULL;
                if (asprintf(&arg, "%s,%s", s->path, s->tag) < 0)
                        return -ENOMEM;
                r |= strv_consume(&v, arg);
        }
        if (r < 0)
                return -ENOMEM;
        *ret_argv = TAKE_PTR(v);
        return 0;
}

static int lkvm_start(void *data, const struct podrt_vm_config *vm, pid_t *ret_pid,
                      struct podrt_error **err) {
        _cleanup_strv_free_ char **argv = NULL;
        int r = lkvm_build_argv(data, vm, &argv, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *bin = find_program(argv[0]);
        if (!bin)
                return podrt_error_set(err, ENOENT, "lkvm: %s not found (kvmtool is not packaged in Debian 12: build it from https://git.kernel.org/pub/scm/linux/kernel/git/will/kvmtool.git)",
                                       argv[0]);
        _cleanup_free_ char *log = NULL;
        _cleanup_close_ int logfd = vm_open_log(vm, "lkvm.log", &log);
        if (!log)
                return -ENOMEM;
        _cleanup_close_ int confd = open(vm->console_path ? vm->console_path : "/dev/null",
                                         O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
        if (logfd < 0 || confd < 0)
                return podrt_error_set(err, errno, "lkvm: %s: %m", logfd < 0 ? log : vm->console_path);
        /* The serial console is lkvm's stdout. */
        if (vm_spawn(bin, argv, confd, logfd, ret_pid) < 0)
                return podrt_error_set(err, errno, "lkvm: fork: %m");
        return 0;
}

static int lkvm_command(const char *verb, const struct podrt_vm_config *vm, struct podrt_error **err) {
        char *argv[] = { (char *)lkvm_binary(), (char *)verb, "--name", (char *)vm->name, NULL };
        int st = 0, r = run_program(argv, -1, 10000, &st);
        if (r == -ETIMEDOUT)
                return podrt_error_set(err, ETIMEDOUT, "lkvm %s --name %s did not finish within 10 s", verb, vm->name);
        if (r < 0)
                return podrt_error_set(err, -r, "lkvm %s: %s", verb, strerror(-r));
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                return podrt_error_set(err, EIO, "lkvm %s --name %s: exit status %d", verb, vm->name,
                                       WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        return 0;
}

static int lkvm_stop(void *data, const struct podrt_vm_config *vm, uint32_t timeout_sec,
                     struct podrt_error **err) {
        /* kvmtool has no graceful request: stop ends the VM. */
        return lkvm_command("stop", vm, err);
}

static int lkvm_pause(void *data, const struct podrt_vm_config *vm, struct podrt_error **err) {
        return lkvm_command("pause", vm, err);
}

static int lkvm_resume(void *data, const struct podrt_vm_config *vm, struct podrt_error **err) {
        return lkvm_command("resume", vm, err);
}

static int lkvm_probe(void *data, uint32_t accel, struct podrt_error **err) {
        if (accel == PODRT_ACCEL_TCG) {
                podrt_error_set(err, ENOTSUP, "lkvm has no TCG: it needs working KVM");
                return 0;
        }
        _cleanup_free_ char *bin = find_program(lkvm_binary());
        if (!bin) {
                podrt_error_set(err, ENOENT, "%s not found", lkvm_binary());
                return 0;
        }
        return 1;
}

/* `podrt check`: the binary. */
static int lkvm_check(void *data, struct podrt_check *check, uint64_t flags, struct podrt_error **err) {
        const char *name = lkvm_binary();
        _cleanup_free_ char *bin = find_program(name);
        if (!bin)
                return podrt_check_add(check, name, 0, "%s: not found (kvmtool is not packaged in Debian 12)", name);
        return podrt_check_add(check, name, PODRT_CHECK_OK, "%s", bin);
}

static const struct podrt_hypervisor_ops lkvm_ops = {
        .version = PODRT_HYPERVISOR_OPS_VERSION,
        .size = sizeof(struct podrt_hypervisor_ops),
        .build_argv = lkvm_build_argv,
        .start = lkvm_start,
        .stop = lkvm_stop,
        .pause = lkvm_pause,
        .resume = lkvm_resume,
        .probe = lkvm_probe,
        /* kvmtool boots a bzImage itself and has no TCG. */
        .features = PODRT_HYPERVISOR_NEEDS_BZIMAGE | PODRT_HYPERVISOR_NO_TCG | PODRT_HYPERVISOR_NET,
};

static const struct podrt_plugin lkvm_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "lkvm",
        .version = PODRT_VERSION,
        .description = "kvmtool (lkvm) as the kvm backend's hypervisor (kvm.hypervisor = \"lkvm\")",
        .hypervisor = &lkvm_ops,
        .check = lkvm_check,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &lkvm_plugin;
}
