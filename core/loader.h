/* SPDX-License-Identifier: Apache-2.0 */
/* The plugin loader: finds <name>.so on the plugin path, dlopen()s it with
 * RTLD_NOW | RTLD_LOCAL, checks its descriptor, and calls its init. */
#ifndef PODRT_LOADER_H
#define PODRT_LOADER_H

#include <podrt/plugin.h>
#include "internal.h"

struct loader;
struct plugin;

/* dirs: the search path, in order (config_plugin_path()).  cfg and state_dir
 * are handed to plugins in their struct podrt_host.  log_level: PODRT_LOG_*. */
PODRT_INTERNAL int loader_new(const char *const *dirs, const struct podrt_config *cfg,
                              const char *state_dir, const char *libexec_dir, int log_level,
                              struct loader **ret, struct podrt_error **err);
/* Calls every loaded plugin's fini, dlclose()s them; NULL is fine. */
PODRT_INTERNAL struct loader *loader_free(struct loader *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct loader *, loader_free)

/* Registers a plugin compiled into libpodrt (network "none"/"host", storage
 * "dir"); found by name before the path is searched. */
PODRT_INTERNAL int loader_add_builtin(struct loader *l, const struct podrt_plugin *desc,
                                      struct podrt_error **err);

/* Loads (once; later calls return the same) the plugin named name: a builtin,
 * else the first <dir>/<name>.so on the path.  Refusals, each with a message
 * naming the file and a distinct errno:
 *   -EINVAL   name empty or containing '/'
 *   -ENOENT   not found ("plugin 'x' not found in: /a, /b")
 *   -EBADF    not a regular file
 *   -EPERM    the file or its directory is world-writable
 *   -ELIBBAD  dlopen() failed (its dlerror() in the message)
 *   -ENOSYS   no podrt_plugin_entry symbol, or it returned NULL
 *   -EPROTO   ABI major differs ("built for ABI 2.x, podrt has 1.0")
 *   -EPROTONOSUPPORT  ABI minor newer than the core's
 *   -EMSGSIZE descriptor size smaller than ABI 1.0's, or an ops table
 *             whose size does not cover its own header
 *   -EEXIST   a plugin of the same name is already loaded from another file,
 *             or the descriptor's name differs from the file's
 *   whatever init returned, wrapped with the plugin's name. */
PODRT_INTERNAL int loader_load(struct loader *l, const char *name, struct plugin **ret,
                               struct podrt_error **err);

/* The same, but a plugin found neither among the builtins nor on the path
 * is not an error: 0 with *ret NULL.  Every other refusal still fails. */
PODRT_INTERNAL int loader_load_optional(struct loader *l, const char *name, struct plugin **ret,
                                        struct podrt_error **err);

/* For `podrt plugins`: every *.so on the path (and the builtins), loaded or
 * refused.  Calls fn for each; error is NULL for a loaded plugin. */
typedef void (*loader_scan_fn)(const char *path, const struct plugin *p,
                               const struct podrt_error *error, void *userdata);
PODRT_INTERNAL int loader_scan(struct loader *l, loader_scan_fn fn, void *userdata,
                               struct podrt_error **err);

PODRT_INTERNAL const struct podrt_plugin *plugin_desc(const struct plugin *p);
PODRT_INTERNAL void *plugin_data(const struct plugin *p);
PODRT_INTERNAL const char *plugin_name(const struct plugin *p);
/* The file it came from, or "(builtin)". */
PODRT_INTERNAL const char *plugin_path(const struct plugin *p);

/* Fails with -EOPNOTSUPP: "plugin 'x' does not support <what>.<method>". */
PODRT_INTERNAL int plugin_unsupported(const struct plugin *p, const char *what,
                                      const char *method, struct podrt_error **err);

/* The ops tables of p, each NULL when the plugin does not provide it or its
 * descriptor is too small to hold the pointer. */
PODRT_INTERNAL const struct podrt_pod_ops *plugin_pod_ops(const struct plugin *p);
PODRT_INTERNAL const struct podrt_container_ops *plugin_container_ops(const struct plugin *p);
PODRT_INTERNAL const struct podrt_hypervisor_ops *plugin_hypervisor_ops(const struct plugin *p);
PODRT_INTERNAL const struct podrt_network_ops *plugin_network_ops(const struct plugin *p);
PODRT_INTERNAL const struct podrt_storage_ops *plugin_storage_ops(const struct plugin *p);
PODRT_INTERNAL const struct podrt_hook_ops *plugin_hook_ops(const struct plugin *p);

/* Calls method of p's ops table when the table covers and sets it, with
 * plugin_data(p) first and err last; otherwise plugin_unsupported().
 *   r = PLUGIN_CALL(p, plugin_pod_ops(p), "pod", start, err, pod, 0);  */
#define PLUGIN_CALL(p, ops, what, method, err, ...)                                \
        (OPS_HAS((ops), method)                                                     \
                 ? plugin_result((p), (what), #method,                              \
                                 (ops)->method(plugin_data(p), __VA_ARGS__, (err)), (err)) \
                 : plugin_unsupported((p), (what), #method, (err)))

/* What a method returned, r; when it failed without setting *err, the core
 * says which plugin and method failed and how:
 * "plugin 'kvm' pod.create: Input/output error". */
PODRT_INTERNAL int plugin_result(const struct plugin *p, const char *what, const char *method,
                                 int r, struct podrt_error **err);

#endif
