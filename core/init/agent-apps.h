/* SPDX-License-Identifier: Apache-2.0 */
/* The exec agent's part in apps added to a running VM: the host's APP_START
 * and APP_SIGNAL requests, passed on to PID 1's control socket, and the
 * added apps' descriptions, for `podrt exec` into them. */
#ifndef PODRT_INIT_AGENT_APPS_H
#define PODRT_INIT_AGENT_APPS_H

#include <stddef.h>

#include "initspec.h"

/* One frame onto the port (agent.c). */
int agent_send_frame(int fd, char type, const void *data, size_t n);

/* Passes the request (type, data: n bytes) on to s's control socket and its
 * answer back onto port; an app started is remembered. */
void agent_app_request(const struct initspec *s, int port, char type, const char *data, size_t n);

/* The description of the app called name added last, or NULL. */
const struct initspec_app *agent_added_app(const char *name);
/* The added apps' descriptions, i < agent_n_added(): an update's new
 * limits go into them too, for later execs. */
size_t agent_n_added(void);
struct initspec_app *agent_added_at(size_t i);

#endif
