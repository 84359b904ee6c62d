/* SPDX-License-Identifier: Apache-2.0 */
/* Plugins compiled into libpodrt: network "none" and "host", storage "dir". */
#ifndef PODRT_BUILTINS_H
#define PODRT_BUILTINS_H

#include <stdbool.h>

#include <podrt/plugin.h>

extern const struct podrt_plugin builtin_network_none;
extern const struct podrt_plugin builtin_network_host;

extern const struct podrt_plugin builtin_storage_dir;

/* network.c: network "none" in two halves, for create (create.c): begin
 * makes <pod dir>/netns and records it as the pod's netns path; make
 * (any thread, once begin returned) makes the namespace, with lo up, and
 * binds it there.  Teardown undoes either. */
int network_none_begin(struct podrt_pod *pod, struct podrt_error **err);
int network_none_make(const struct podrt_pod *pod, struct podrt_error **err);
/* Whether ops are network "none"'s. */
bool network_is_none(const struct podrt_network_ops *ops);

#endif
