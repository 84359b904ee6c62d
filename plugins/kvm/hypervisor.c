/* SPDX-License-Identifier: Apache-2.0 */
/* The kvm backend's hypervisor: any plugin with a hypervisor table (qemu,
 * lkvm, a third party's), named by kvm.hypervisor and loaded by the core's
 * loader (podrt_host.plugin_ops, ABI 1.1).  The backend calls it only
 * through these wrappers: a method the table lacks is -EOPNOTSUPP with a
 * message, and a method that fails without saying why gets a message. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "kvm.h"

/* The method, when the plugin's table is big enough to have it. */
#define HV_HAS(hv, method)                                                                  \
        ((hv)->ops && (hv)->ops->size >= offsetof(struct podrt_hypervisor_ops, method) +    \
                                                  sizeof((hv)->ops->method) &&              \
         (hv)->ops->method)

static int unsupported(const struct kvm_hv *hv, const char *method, struct podrt_error **err) {
        return podrt_error_set(err, EOPNOTSUPP, "hypervisor plugin '%s' does not support hypervisor.%s",
                               hv->name, method);
}

/* r < 0 with *err unset: say which method of which plugin failed. */
static int result(const struct kvm_hv *hv, const char *method, int r, struct podrt_error **err) {
        if (r >= 0 || !err || *err)
                return r;
        return podrt_error_set(err, -r, "hypervisor plugin '%s' %s: %s", hv->name, method, strerror(-r));
}

void kvm_hv_from_ops(const char *name, const struct podrt_hypervisor_ops *ops, void *data,
                     struct kvm_hv *ret) {
        *ret = (struct kvm_hv){ .name = name, .ops = ops, .data = data };
        if (ops && ops->size >= offsetof(struct podrt_hypervisor_ops, features) + sizeof(ops->features))
                ret->features = ops->features;
}

int kvm_hv_get(const struct kvm *k, const char *name, struct kvm_hv *ret, struct podrt_error **err) {
        if (!kvm_name_is_valid(name))
                return podrt_error_set(err, EINVAL, "kvm.hypervisor: '%s' is not a plugin name ([a-z0-9][a-z0-9_-]*)",
                                       name ? name : "");
        const struct podrt_host *host = k ? k->host : NULL;
        if (!host || host->version < 2 ||
            host->size < offsetof(struct podrt_host, plugin_ops) + sizeof(host->plugin_ops) || !host->plugin_ops)
                return podrt_error_set(err, EOPNOTSUPP, "hypervisor '%s': this podrt cannot load hypervisor plugins (podrt_host version %u, 2 needed)",
                                       name, host ? host->version : 0);
        const void *ops = NULL;
        void *data = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = host->plugin_ops(host, name, PODRT_OPS_HYPERVISOR, &ops, &data, &e);
        if (r < 0) {
                if (!e)
                        return podrt_error_set(err, -r, "hypervisor plugin '%s': %s", name, strerror(-r));
                return podrt_error_set(err, podrt_error_code(e), "kvm.hypervisor = \"%s\": %s", name,
                                       podrt_error_message(e));
        }
        if (!ops)
                return podrt_error_set(err, EOPNOTSUPP, "hypervisor plugin '%s': no hypervisor ops", name);
        kvm_hv_from_ops(name, ops, data, ret);
        return 0;
}

int kvm_hv_build_argv(const struct kvm_hv *hv, const struct podrt_vm_config *vm, char ***ret_argv,
                      struct podrt_error **err) {
        if (!HV_HAS(hv, build_argv))
                return unsupported(hv, "build_argv", err);
        return result(hv, "build_argv", hv->ops->build_argv(hv->data, vm, ret_argv, err), err);
}

int kvm_hv_start(const struct kvm_hv *hv, const struct podrt_vm_config *vm, pid_t *ret_pid,
                 struct podrt_error **err) {
        if (!HV_HAS(hv, start))
                return unsupported(hv, "start", err);
        return result(hv, "start", hv->ops->start(hv->data, vm, ret_pid, err), err);
}

int kvm_hv_stop(const struct kvm_hv *hv, const struct podrt_vm_config *vm, uint32_t timeout_sec,
                struct podrt_error **err) {
        if (!HV_HAS(hv, stop))
                return unsupported(hv, "stop", err);
        return result(hv, "stop", hv->ops->stop(hv->data, vm, timeout_sec, err), err);
}

int kvm_hv_pause(const struct kvm_hv *hv, const struct podrt_vm_config *vm, struct podrt_error **err) {
        if (!HV_HAS(hv, pause))
                return unsupported(hv, "pause", err);
        return result(hv, "pause", hv->ops->pause(hv->data, vm, err), err);
}

int kvm_hv_resume(const struct kvm_hv *hv, const struct podrt_vm_config *vm, struct podrt_error **err) {
        if (!HV_HAS(hv, resume))
                return unsupported(hv, "resume", err);
        return result(hv, "resume", hv->ops->resume(hv->data, vm, err), err);
}

int kvm_hv_probe(const struct kvm_hv *hv, uint32_t accel, struct podrt_error **err) {
        if (!HV_HAS(hv, probe))
                return unsupported(hv, "probe", err);
        int r = hv->ops->probe(hv->data, accel, err);
        if (r == 0 && err && !*err)
                podrt_error_set(err, ENODEV, "%s cannot run with %s here", hv->name,
                                accel == PODRT_ACCEL_KVM ? "KVM" : "TCG");
        return result(hv, "probe", r, err);
}
