/* SPDX-License-Identifier: Apache-2.0 */
/* The guest's network (a VM pod on a network): each "iface" of the
 * description, found by its MAC, gets its MTU and IPv4 addresses and is
 * brought up, then the "route" lines are added (docs/podrt-init.md). */
#ifndef PODRT_INIT_NET_H
#define PODRT_INIT_NET_H

#include <podrt/error.h>

#include "initspec.h"

/* Nothing to do without iface lines.  Otherwise lo comes up too.  An
 * interface that does not appear within 5 s is an error naming its MAC. */
int net_configure(const struct initspec *s, struct podrt_error **err);

#endif
