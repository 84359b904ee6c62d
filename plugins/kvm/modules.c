/* SPDX-License-Identifier: Apache-2.0 */
/* The guest's kernel modules: the ones podrt-init needs and what they
 * depend on, resolved with libkmod in the guest kernel's module tree (made
 * by depmod: scripts/fetch-kernel.sh), in load order.  virtio_ring must come
 * before virtio, or the kernel refuses virtio with "Unknown symbol". */
#include <errno.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kvm.h"
#include "strv.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_ctx *, kmod_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_module *, kmod_module_unref)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct kmod_list *, kmod_module_unref_list)

static void kmod_silent(void *data, int priority, const char *file, int line, const char *fn,
                        const char *format, va_list args) {
}

/* A depth-first walk: dependencies are pushed before the module. */
static int add_module(struct kmod_module *mod, const char *moddir, char ***order, char ***seen,
                      unsigned depth, struct podrt_error **err) {
        const char *name = kmod_module_get_name(mod);
        if (strv_contains(*seen, name))
                return 0;
        if (depth > 64)
                return podrt_error_set(err, ELOOP, "module %s: dependencies nested too deep", name);
        if (strv_push(seen, name) < 0)
                return -ENOMEM;

        _cleanup_(kmod_module_unref_listp) struct kmod_list *deps = kmod_module_get_dependencies(mod);
        struct kmod_list *l;
        kmod_list_foreach(l, deps) {
                _cleanup_(kmod_module_unrefp) struct kmod_module *d = kmod_module_get_module(l);
                int r = add_module(d, moddir, order, seen, depth + 1, err);
                if (r < 0)
                        return podrt_error_set(err, r, "module %s", name);
        }

        const char *path = kmod_module_get_path(mod);
        if (!path)
                return 0;   /* built into the kernel */
        size_t n = strlen(moddir);
        const char *rel = path;
        if (!strncmp(path, moddir, n) && path[n] == '/')
                rel = path + n + 1;
        else if (path[0] == '/')
                return podrt_error_set(err, EINVAL, "module %s: %s is outside the module tree %s", name, path,
                                       moddir);
        return strv_push(order, rel) < 0 ? -ENOMEM : 0;
}

int modules_resolve(const char *moddir, const char *const *names, char ***ret_paths,
                    struct podrt_error **err) {
        _cleanup_free_ char *dep = path_join(moddir, "modules.dep");
        struct stat st;
        if (!dep)
                return -ENOMEM;
        if (stat(dep, &st) < 0)
                return podrt_error_set(err, errno, "guest modules: %s: %m (run depmod, or scripts/fetch-kernel.sh)",
                                       dep);
        _cleanup_(kmod_unrefp) struct kmod_ctx *ctx = kmod_new(moddir, NULL);
        if (!ctx)
                return podrt_error_set(err, ENOMEM, "guest modules: libkmod cannot open %s", moddir);
        kmod_set_log_fn(ctx, kmod_silent, NULL);
        if (kmod_load_resources(ctx) < 0)
                return podrt_error_set(err, EINVAL, "guest modules: libkmod cannot read the indexes of %s", moddir);

        _cleanup_strv_free_ char **order = NULL, **seen = NULL;
        for (size_t i = 0; names && names[i]; i++) {
                _cleanup_(kmod_module_unref_listp) struct kmod_list *list = NULL;
                int r = kmod_module_new_from_lookup(ctx, names[i], &list);
                if (r < 0)
                        return podrt_error_set(err, -r, "guest module %s: lookup in %s failed", names[i], moddir);
                if (!list)   /* built-in modules are found too (modules.builtin), without a path */
                        return podrt_error_set(err, ENOENT, "guest module %s: not found in %s", names[i], moddir);
                struct kmod_list *l;
                kmod_list_foreach(l, list) {
                        _cleanup_(kmod_module_unrefp) struct kmod_module *m = kmod_module_get_module(l);
                        r = add_module(m, moddir, &order, &seen, 0, err);
                        if (r < 0)
                                return podrt_error_set(err, r, "guest modules");
                }
        }
        if (!order && !(order = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret_paths = TAKE_PTR(order);
        return 0;
}

/* ---- the host's modules ---- */

int modules_load_host(const char *const *names, char *report, size_t size) {
        _cleanup_(kmod_unrefp) struct kmod_ctx *ctx = kmod_new(NULL, NULL);
        size_t used = 0;
        int loaded = 0;
        report[0] = '\0';
        if (!ctx) {
                snprintf(report, size, "libkmod: cannot open the host's module tree");
                return 0;
        }
        kmod_set_log_fn(ctx, kmod_silent, NULL);
        for (size_t i = 0; names[i]; i++) {
                _cleanup_(kmod_module_unrefp) struct kmod_module *m = NULL;
                const char *what;
                if (kmod_module_new_from_name(ctx, names[i], &m) < 0) {
                        what = "cannot be looked up";
                } else {
                        int st = kmod_module_get_initstate(m);
                        if (st == KMOD_MODULE_LIVE || st == KMOD_MODULE_COMING)
                                what = "loaded";
                        else if (st == KMOD_MODULE_BUILTIN)
                                what = "built in";
                        else {
                                int r = kmod_module_probe_insert_module(m, KMOD_PROBE_IGNORE_LOADED, NULL, NULL,
                                                                        NULL, NULL);
                                if (r == 0) {
                                        what = "loaded now";
                                        loaded++;
                                } else
                                        what = r == -ENOENT ? "missing" : "failed to load";
                        }
                }
                int n = snprintf(report + used, size - used, "%s%s %s", i ? ", " : "", names[i], what);
                if (n > 0 && (size_t)n < size - used)
                        used += (size_t)n;
        }
        return loaded;
}
