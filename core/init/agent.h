/* SPDX-License-Identifier: Apache-2.0 */
/* The exec agent: `podrt exec` into a VM's apps, over the description's
 * exec-port (a virtio-serial port). */
#ifndef PODRT_INIT_AGENT_H
#define PODRT_INIT_AGENT_H

#include <sys/types.h>

#include "initspec.h"

/* Forks the agent, a child of PID 1 that serves s->exec_port for as long as
 * the VM runs, with no fd of PID 1's but stdio.  Its pid, or -1 (it says
 * why on stderr). */
pid_t agent_spawn(const struct initspec *s);

#endif
