/* SPDX-License-Identifier: Apache-2.0 */
/* podrt: the core's objects as plugins see them.
 *
 * A pod, its apps (containers) and its volumes are opaque: plugins read them
 * through these functions and never depend on their layout.  Strings and
 * vectors returned are owned by the object and live as long as it does.
 * Vectors are NULL-terminated.  Index arguments out of range give NULL / 0.
 */
#ifndef PODRT_OBJECTS_H
#define PODRT_OBJECTS_H

#include <podrt/common.h>

PODRT_BEGIN_DECLS

struct podrt_pod;
struct podrt_app;
struct podrt_volume;

/* ---- pod ---------------------------------------------------------------- */

/* 32 lower-case hex digits. */
PODRT_EXPORT const char *podrt_pod_id(const struct podrt_pod *pod);
PODRT_EXPORT const char *podrt_pod_name(const struct podrt_pod *pod);
/* The manifest's hostname, or the pod's name when the manifest has none. */
PODRT_EXPORT const char *podrt_pod_hostname(const struct podrt_pod *pod);
/* The backend plugin's name ("oci", "nspawn", "kvm", ...). */
PODRT_EXPORT const char *podrt_pod_backend(const struct podrt_pod *pod);
/* The pod's state directory: <state_dir>/pods/<id>.  A backend keeps its own
 * files here (bundles, sockets, pid files); delete removes it. */
PODRT_EXPORT const char *podrt_pod_dir(const struct podrt_pod *pod);
/* PODRT_POD_CREATED ... PODRT_POD_STOPPED. */
PODRT_EXPORT uint32_t podrt_pod_state(const struct podrt_pod *pod);

/* Annotations, in manifest order. */
PODRT_EXPORT size_t podrt_pod_n_annotations(const struct podrt_pod *pod);
PODRT_EXPORT const char *podrt_pod_annotation_key(const struct podrt_pod *pod, size_t i);
PODRT_EXPORT const char *podrt_pod_annotation_value(const struct podrt_pod *pod, size_t i);
/* The value for key, or NULL. */
PODRT_EXPORT const char *podrt_pod_annotation(const struct podrt_pod *pod, const char *key);
/* The annotation that makes a pod a sandbox ("true"): it stays running when
 * all its apps have ended, for apps added later (docs/manifest.md). */
#define PODRT_SANDBOX_ANNOTATION "io.podrt.sandbox"

/* DNS settings from the manifest (each NULL-terminated, possibly empty). */
PODRT_EXPORT const char *const *podrt_pod_dns_servers(const struct podrt_pod *pod);
PODRT_EXPORT const char *const *podrt_pod_dns_searches(const struct podrt_pod *pod);
PODRT_EXPORT const char *const *podrt_pod_dns_options(const struct podrt_pod *pod);

/* Extra /etc/hosts entries. */
PODRT_EXPORT size_t podrt_pod_n_hosts(const struct podrt_pod *pod);
PODRT_EXPORT const char *podrt_pod_host_ip(const struct podrt_pod *pod, size_t i);
PODRT_EXPORT const char *const *podrt_pod_host_names(const struct podrt_pod *pod, size_t i);

/* Apps, in manifest order. */
PODRT_EXPORT size_t podrt_pod_n_apps(const struct podrt_pod *pod);
PODRT_EXPORT struct podrt_app *podrt_pod_app(const struct podrt_pod *pod, size_t i);
PODRT_EXPORT struct podrt_app *podrt_pod_app_by_name(const struct podrt_pod *pod, const char *name);

/* Volumes, in manifest order. */
PODRT_EXPORT size_t podrt_pod_n_volumes(const struct podrt_pod *pod);
PODRT_EXPORT struct podrt_volume *podrt_pod_volume(const struct podrt_pod *pod, size_t i);
PODRT_EXPORT struct podrt_volume *podrt_pod_volume_by_name(const struct podrt_pod *pod,
                                                           const char *name);

/* The network namespace the pod's apps join: a path (bind-mounted nsfs file)
 * set up by the network ops, or NULL for the host's namespace. */
PODRT_EXPORT const char *podrt_pod_netns_path(const struct podrt_pod *pod);
/* For network ops: record the namespace path (copied). NULL = host. */
PODRT_EXPORT int podrt_pod_set_netns_path(struct podrt_pod *pod, const char *path);
/* The network mode of the pod ("none", "host", or a plugin's name). */
PODRT_EXPORT const char *podrt_pod_network(const struct podrt_pod *pod);

/* A backend's per-pod private pointer, for the life of this process. */
PODRT_EXPORT void *podrt_pod_backend_data(const struct podrt_pod *pod);
PODRT_EXPORT void podrt_pod_set_backend_data(struct podrt_pod *pod, void *data);

/* ---- app (container) ---------------------------------------------------- */

PODRT_EXPORT struct podrt_pod *podrt_app_pod(const struct podrt_app *app);
PODRT_EXPORT size_t podrt_app_index(const struct podrt_app *app);
PODRT_EXPORT const char *podrt_app_name(const struct podrt_app *app);
/* "<pod id>-<app name>": a name for the app that is unique on the host, used
 * as the OCI container ID and in hook state. */
PODRT_EXPORT const char *podrt_app_id(const struct podrt_app *app);
/* <pod dir>/apps/<name>: the app's own directory (bundle, status, logs). */
PODRT_EXPORT const char *podrt_app_dir(const struct podrt_app *app);
/* The absolute host path of the app's root filesystem (after storage). */
PODRT_EXPORT const char *podrt_app_rootfs(const struct podrt_app *app);
/* For storage ops: set the prepared root filesystem (copied). */
PODRT_EXPORT int podrt_app_set_rootfs(struct podrt_app *app, const char *path);
PODRT_EXPORT const char *const *podrt_app_command(const struct podrt_app *app);
/* "KEY=VALUE" strings: the manifest's env over the defaults (PATH, HOME,
 * USER, LOGNAME, SHELL, HOSTNAME, container=podrt). */
PODRT_EXPORT const char *const *podrt_app_env(const struct podrt_app *app);
PODRT_EXPORT const char *podrt_app_working_dir(const struct podrt_app *app);
PODRT_EXPORT uint32_t podrt_app_uid(const struct podrt_app *app);
PODRT_EXPORT uint32_t podrt_app_gid(const struct podrt_app *app);
/* Supplementary groups; *ret_n receives their number. */
PODRT_EXPORT const uint32_t *podrt_app_groups(const struct podrt_app *app, size_t *ret_n);

/* Mounts, in manifest order: the volume, the normalised absolute path inside
 * the app's root, and whether it is read-only (asked, or the volume is). */
PODRT_EXPORT size_t podrt_app_n_mounts(const struct podrt_app *app);
PODRT_EXPORT struct podrt_volume *podrt_app_mount_volume(const struct podrt_app *app, size_t i);
PODRT_EXPORT const char *podrt_app_mount_path(const struct podrt_app *app, size_t i);
PODRT_EXPORT bool podrt_app_mount_read_only(const struct podrt_app *app, size_t i);

/* Ports, in manifest order (since ABI 1.1): Kubernetes' containerPort,
 * hostPort (0: none, the pod's address only), protocol ("tcp", "udp",
 * "sctp"), hostIP (NULL: every address of the host) and name (or NULL).
 * What a network plugin maps (cni: portmap's portMappings). */
PODRT_EXPORT size_t podrt_app_n_ports(const struct podrt_app *app);
PODRT_EXPORT uint32_t podrt_app_port_container(const struct podrt_app *app, size_t i);
PODRT_EXPORT uint32_t podrt_app_port_host(const struct podrt_app *app, size_t i);
PODRT_EXPORT const char *podrt_app_port_protocol(const struct podrt_app *app, size_t i);
PODRT_EXPORT const char *podrt_app_port_host_ip(const struct podrt_app *app, size_t i);
PODRT_EXPORT const char *podrt_app_port_name(const struct podrt_app *app, size_t i);

/* Resources: 0 means "no limit". */
PODRT_EXPORT int64_t podrt_app_memory_limit(const struct podrt_app *app);  /* bytes */
PODRT_EXPORT int64_t podrt_app_cpu_millis(const struct podrt_app *app);    /* 1000 = 1 CPU */
PODRT_EXPORT int64_t podrt_app_pids_limit(const struct podrt_app *app);

/* Capabilities to add to / drop from the default set ("CAP_NET_RAW"). */
PODRT_EXPORT const char *const *podrt_app_caps_add(const struct podrt_app *app);
PODRT_EXPORT const char *const *podrt_app_caps_drop(const struct podrt_app *app);
PODRT_EXPORT bool podrt_app_read_only_rootfs(const struct podrt_app *app);
/* An image app's layer directories in the image store, top first (the
 * order of overlayfs' lowerdir), or NULL for an app that runs on a rootfs
 * directory (since ABI 1.1).  A storage plugin stacks them; the app's
 * rootfs is then "" until storage prepare sets it. */
PODRT_EXPORT const char *const *podrt_app_image_layers(const struct podrt_app *app);
/* The image's name ("example/bb:latest"), or NULL (since ABI 1.1). */
PODRT_EXPORT const char *podrt_app_image(const struct podrt_app *app);
/* Lifecycle handlers, run in the app's root; NULL when none. */
PODRT_EXPORT const char *const *podrt_app_pre_start(const struct podrt_app *app);
PODRT_EXPORT const char *const *podrt_app_post_stop(const struct podrt_app *app);

/* Run-time state. */
PODRT_EXPORT uint32_t podrt_app_state(const struct podrt_app *app);
PODRT_EXPORT pid_t podrt_app_pid(const struct podrt_app *app);
/* The exit code (0-255; 128+N for a signal), or -1 while not exited. */
PODRT_EXPORT int podrt_app_exit_code(const struct podrt_app *app);

/* For backends, during start: the process whose exit is the app's exit (or
 * the process that carries the app, e.g. systemd-nspawn or QEMU).  The core's
 * monitor waits for it.  Marks the app running. */
PODRT_EXPORT void podrt_app_set_pid(struct podrt_app *app, pid_t pid);
/* For backends, from start or state: the app has exited with code. */
PODRT_EXPORT void podrt_app_set_exited(struct podrt_app *app, int exit_code);

/* For backends, during start: where the app's stdout and stderr go (fds the
 * backend dup2()s into the process it starts; -1 when the backend handles
 * output itself, writing to podrt_app_log_path()).  Valid during start only. */
PODRT_EXPORT int podrt_app_stdout_fd(const struct podrt_app *app);
PODRT_EXPORT int podrt_app_stderr_fd(const struct podrt_app *app);
/* For backends, during start: the fd the app's stdin reads (dup2() it into
 * the process), or -1 for /dev/null (since ABI 1.2).  podrt-runtime hands
 * its caller's stdin to the workload this way.  Valid during start only. */
PODRT_EXPORT int podrt_app_stdin_fd(const struct podrt_app *app);
/* The app's log file, which `podrt logs` reads. */
PODRT_EXPORT const char *podrt_app_log_path(const struct podrt_app *app);

/* ---- volume ------------------------------------------------------------- */

PODRT_EXPORT const char *podrt_volume_name(const struct podrt_volume *vol);
/* PODRT_VOLUME_HOST or PODRT_VOLUME_EMPTY. */
PODRT_EXPORT uint32_t podrt_volume_kind(const struct podrt_volume *vol);
/* The host directory: the manifest's source, or the per-pod directory of an
 * empty volume (<pod dir>/volumes/<name>). */
PODRT_EXPORT const char *podrt_volume_source(const struct podrt_volume *vol);
PODRT_EXPORT bool podrt_volume_read_only(const struct podrt_volume *vol);

PODRT_END_DECLS

#endif
