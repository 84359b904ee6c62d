/* SPDX-License-Identifier: Apache-2.0 */
/* What the hypervisor plugins (plugins/qemu, plugins/lkvm) share: a VM
 * configuration's shares as any version of it holds them, the log file in
 * the VM's work directory, and the VM process itself. */
#ifndef PODRT_BASIC_HYPERVISOR_H
#define PODRT_BASIC_HYPERVISOR_H

#include <stdint.h>
#include <sys/types.h>

#include <podrt/ops.h>

/* Share i: through share_list when the config is new enough to have it
 * (version 2), else the array, whose stride is our sizeof.  NULL when the
 * share is too old to say read_only. */
const struct podrt_vm_share *vm_config_share(const struct podrt_vm_config *vm, uint32_t i);

/* Network device i (0 <= i < vm_config_n_nets(vm)): NULL when the config or
 * the device is too old (version < 3) to have them. */
uint32_t vm_config_n_nets(const struct podrt_vm_config *vm);
const struct podrt_vm_net *vm_config_net(const struct podrt_vm_config *vm, uint32_t i);

/* Opens (truncates) name in the VM's work directory, /dev/null without one,
 * for writing; *ret_path says which.  The fd, -1 with errno set, or -ENOMEM
 * (*ret_path NULL) when out of memory. */
int vm_open_log(const struct podrt_vm_config *vm, const char *name, char **ret_path);

/* Forks the VM process: it dies with its parent (PR_SET_PDEATHSIG), gets
 * child_setup(-1, out_fd, err_fd, CHILD_SETSID) and execs bin with argv
 * (exit status 127 when it cannot).  0 with *ret_pid, or -errno (errno
 * still set) when fork fails. */
int vm_spawn(const char *bin, char *const *argv, int out_fd, int err_fd, pid_t *ret_pid);

#endif
