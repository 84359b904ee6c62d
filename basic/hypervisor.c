/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "fileio.h"
#include "hypervisor.h"
#include "process.h"

const struct podrt_vm_share *vm_config_share(const struct podrt_vm_config *vm, uint32_t i) {
        const struct podrt_vm_share *s;
        if (vm->size >= offsetof(struct podrt_vm_config, share_list) + sizeof(vm->share_list) &&
            vm->share_list)
                s = vm->share_list[i];
        else
                s = vm->shares ? &vm->shares[i] : NULL;
        if (s && s->size < offsetof(struct podrt_vm_share, read_only) + sizeof(s->read_only))
                return NULL;
        return s;
}

uint32_t vm_config_n_nets(const struct podrt_vm_config *vm) {
        if (vm->size < offsetof(struct podrt_vm_config, net_list) + sizeof(vm->net_list) || !vm->net_list)
                return 0;
        return vm->n_nets;
}

const struct podrt_vm_net *vm_config_net(const struct podrt_vm_config *vm, uint32_t i) {
        if (i >= vm_config_n_nets(vm))
                return NULL;
        const struct podrt_vm_net *n = vm->net_list[i];
        if (!n || n->size < offsetof(struct podrt_vm_net, mtu) + sizeof(n->mtu))
                return NULL;
        return n;
}

int vm_open_log(const struct podrt_vm_config *vm, const char *name, char **ret_path) {
        *ret_path = vm->work_dir ? path_join(vm->work_dir, name) : strdup("/dev/null");
        if (!*ret_path)
                return -ENOMEM;
        return open(*ret_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
}

int vm_spawn(const char *bin, char *const *argv, int out_fd, int err_fd, pid_t *ret_pid) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                /* The VM must not outlive what watches it. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                child_setup(-1, out_fd, err_fd, CHILD_SETSID);
                execv(bin, argv);
                _exit(127);
        }
        *ret_pid = pid;
        return 0;
}
