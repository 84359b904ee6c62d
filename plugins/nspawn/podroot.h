/* SPDX-License-Identifier: Apache-2.0 */
/* A pod under nspawn, on disk: the pod root given to --directory, the pod
 * description podrt-init reads there, the nspawn configuration derived from
 * the pod, and the plugin's own files.
 *
 *   <pod dir>/nspawn/                      a small tmpfs (a plain directory
 *                                          where mounting is not allowed)
 *       pid, cgroups, nspawn.log           the plugin's own files
 *       root/                              systemd-nspawn --directory
 *           usr/lib/os-release             so that nspawn accepts it
 *           podrt-init                     (empty) bound from libexec_dir
 *           podrt/pod.conf                 the description
 *           podrt/status/<app>             written by podrt-init
 *           podrt/pids/<app>               written by podrt-init
 *           podrt/volumes/<volume>         (empty) bound from the volume
 *           podrt/etc/hosts, resolv.conf   when the manifest sets them
 *           opt/stage2/<app>/rootfs        (empty) bound from the app's rootfs
 *
 * The tmpfs is the only mount on the host: nspawn makes every bind inside
 * the container's own mount namespace.  On a disk file system each of the
 * twenty-odd directories and files made per run (a third of them by nspawn
 * itself) costs a journal write; on the tmpfs they cost nothing, and delete
 * is one unmount. */
#ifndef PODRT_NSPAWN_PODROOT_H
#define PODRT_NSPAWN_PODROOT_H

#include <stdbool.h>
#include <stdint.h>

#include <podrt/podrt.h>
#include "argv.h"
#include "initspec.h"

/* What the host contributes to a pod's configuration. */
struct nspawn_host_info {
        const char *binary;        /* nspawn.binary */
        const char *init;          /* absolute path of podrt-init */
        bool systemd;              /* PID 1 is systemd */
        int cap_last;              /* the host's highest capability */
};

/* "<pod dir>/<rel>", malloc'd; NULL on ENOMEM. */
char *nspawn_pod_path(const struct podrt_pod *pod, const char *rel);

/* The nspawn configuration of pod.  Apps' limits are summed into the pod's
 * (a resource is limited only when every app limits it). */
int nspawn_pod_config(struct podrt_pod *pod, const struct nspawn_host_info *h,
                      struct nspawn_config **ret, struct podrt_error **err);

/* The pod description of pod.  App i's stdout and stderr are the
 * descriptors 3+2i and 4+2i that nspawn passes to podrt-init (LISTEN_FDS),
 * reopened through /proc/self/fd. */
int nspawn_pod_spec(struct podrt_pod *pod, int cap_last, struct initspec **ret,
                    struct podrt_error **err);

/* Appends app's entry to s, its root at root (a path in the pod root); its
 * stdout and stderr the descriptors of app stdio_index as for
 * nspawn_pod_spec(), or (stdio_index < 0) none: passed along with the
 * request of an app added to the running pod.  -ENOMEM, or -errno with *err
 * set. */
int nspawn_app_spec(struct podrt_app *app, const char *root, int stdio_index, int cap_last,
                    struct initspec *s, struct podrt_error **err);

/* The pod-wide capabilities: what nspawn adds to and drops from its default
 * set so that every app can have its own set.  ret_* are strvs. */
int nspawn_pod_caps(struct podrt_pod *pod, int cap_last, char ***ret_add, char ***ret_drop,
                    struct podrt_error **err);

/* Builds <pod dir>/nspawn (mounted) and its root for spec; on failure
 * nothing of them is left. */
int nspawn_podroot_create(struct podrt_pod *pod, const struct initspec *spec,
                          struct podrt_error **err);

/* The pod root of an existing pod made again for spec (every start: the
 * apps' mount points, the description), keeping what is there. */
int nspawn_podroot_refresh(struct podrt_pod *pod, const struct initspec *spec,
                           struct podrt_error **err);

/* Unmounts and removes <pod dir>/nspawn (absent is fine).  Never crosses
 * into another file system. */
int nspawn_podroot_remove(struct podrt_pod *pod, struct podrt_error **err);


#endif
