/* SPDX-License-Identifier: Apache-2.0 */
/* The nspawn backend's private data and what its pod ops (nspawn.c) and
 * container ops (apps.c) share. */
#ifndef PODRT_NSPAWN_NSPAWN_H
#define PODRT_NSPAWN_NSPAWN_H

#include <stdbool.h>

#include <podrt/podrt.h>

#include "podroot.h"

struct nspawn_data {
        const struct podrt_host *host;
        char *binary;
        char *init;          /* <libexec_dir>/podrt-init */
        bool systemd;
        int cap_last;
};

/* Where podrt-init listens for apps added to the running pod (the pod
 * description's control key), and where an added app's root is mounted,
 * inside the pod root. */
#define NSPAWN_CONTROL "/podrt/control"
#define NSPAWN_APPS "/podrt/apps"

/* What the host contributes to a pod's configuration (podroot.h). */
struct nspawn_host_info nspawn_host_info_of(const struct nspawn_data *d);

/* The pod op exec (nspawn.c): argv in app, as nsenter does. */
int nspawn_exec(void *data, struct podrt_pod *pod, struct podrt_app *app, const char *const *argv,
                uint64_t flags, struct podrt_error **err);

/* The container ops (apps.c). */
extern const struct podrt_container_ops nspawn_container_ops;

#endif
