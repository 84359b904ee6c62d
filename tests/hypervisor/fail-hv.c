/* SPDX-License-Identifier: Apache-2.0 */
/* testhv: a third party's hypervisor plugin, as the kvm backend sees one
 * (kvm.hypervisor = "testhv"), built only with the installed ABI
 * (<podrt/plugin.h>).  Its start always fails with its own message,
 * "testhv: refusing to start <vm name>", and starts nothing; the other
 * methods work without a VM.  With $PODRT_TESTHV_LOG set, every call
 * appends a line: "<method> <vm name>", and for build_argv and start the
 * shares it was given ("shares _rootfs0 _status"), read through share_list
 * (podrt_vm_config version 2). */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <podrt/plugin.h>

static void log_call(const char *method, const struct podrt_vm_config *vm) {
        const char *path = getenv("PODRT_TESTHV_LOG");
        if (!path || !path[0])
                return;
        char line[2048];
        size_t n = (size_t)snprintf(line, sizeof(line), "%s %s", method, vm && vm->name ? vm->name : "-");
        if (vm && vm->size >= offsetof(struct podrt_vm_config, share_list) + sizeof(vm->share_list) &&
            vm->share_list && n < sizeof(line)) {
                n += (size_t)snprintf(line + n, sizeof(line) - n, " shares");
                for (uint32_t i = 0; i < vm->n_shares && n < sizeof(line); i++)
                        n += (size_t)snprintf(line + n, sizeof(line) - n, " %s", vm->share_list[i]->tag);
        }
        if (n >= sizeof(line) - 1)
                n = sizeof(line) - 2;
        line[n++] = '\n';
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return;
        ssize_t w = write(fd, line, n);
        (void)w;
        close(fd);
}

static int testhv_build_argv(void *data, const struct podrt_vm_config *vm, char ***ret_argv,
                             struct podrt_error **err) {
        log_call("build_argv", vm);
        char **v = calloc(3, sizeof(char *));
        if (!v || !(v[0] = strdup("testhv")) || !(v[1] = strdup(vm->name))) {
                if (v)
                        free(v[0]);
                free(v);
                return podrt_error_set(err, ENOMEM, "testhv: out of memory");
        }
        *ret_argv = v;
        return 0;
}

static int testhv_start(void *data, const struct podrt_vm_config *vm, pid_t *ret_pid,
                        struct podrt_error **err) {
        log_call("start", vm);
        return podrt_error_set(err, EPERM, "testhv: refusing to start %s", vm->name);
}

static int testhv_stop(void *data, const struct podrt_vm_config *vm, uint32_t timeout_sec,
                       struct podrt_error **err) {
        log_call("stop", vm);
        return 0;   /* nothing ever runs */
}

static int testhv_probe(void *data, uint32_t accel, struct podrt_error **err) {
        if (accel == PODRT_ACCEL_TCG)
                return 1;
        podrt_error_set(err, ENODEV, "testhv: no KVM here");
        return 0;
}

/* No pause or resume: the backend must say so, not crash. */
static const struct podrt_hypervisor_ops testhv_ops = {
        .version = PODRT_HYPERVISOR_OPS_VERSION,
        .size = sizeof(struct podrt_hypervisor_ops),
        .build_argv = testhv_build_argv,
        .start = testhv_start,
        .stop = testhv_stop,
        .probe = testhv_probe,
        .features = 0,
};

static const struct podrt_plugin testhv_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "testhv",
        .version = "1.0",
        .description = "a test hypervisor whose start always fails",
        .hypervisor = &testhv_ops,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &testhv_plugin;
}
