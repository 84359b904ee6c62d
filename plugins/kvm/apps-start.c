/* SPDX-License-Identifier: Apache-2.0 */
/* A VM pod started again (podrt start of a stopped pod) after apps were
 * added to it or removed: its initrd's description is create's, so the
 * description is made again from the pod as it is now, and the VM boots an
 * initrd that is create's plus that description (the kernel unpacks the
 * archives in order; the later /podrt/pod.conf wins).  An app whose rootfs
 * is the one shared at create (tag _rootfsN) keeps it; any other (added,
 * or removed and added again) has its rootfs bound below the apps share,
 * at /podrt/apps/<app> in the guest, as container start does (apps.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <podrt/objects.h>

#include "initspec.h"
#include "kvm.h"

/* The guest root of app: create's share of its rootfs, or NULL. */
static char *shared_root(const struct kvm_vm *vm, const struct initspec *s, const struct podrt_app *app) {
        char *target = NULL;
        if (asprintf(&target, KVM_GUEST_STAGE2 "/%s/rootfs", podrt_app_name(app)) < 0)
                return NULL;
        for (size_t i = 0; i < s->n_mounts; i++) {
                if (strcmp(s->mounts[i].target, target) != 0)
                        continue;
                for (uint32_t k = 0; k < vm->cfg.n_shares; k++)
                        if (!strcmp(vm->shares[k].tag, s->mounts[i].source) &&
                            !strcmp(vm->shares[k].path, podrt_app_rootfs(app)))
                                return target;
        }
        free(target);
        return NULL;
}

/* Whether the apps of a and b are described alike, in the same order. */
static bool same_apps(const struct initspec *a, const struct initspec *b) {
        if (a->n_apps != b->n_apps)
                return false;
        for (size_t i = 0; i < a->n_apps; i++) {
                _cleanup_free_ char *x = NULL, *y = NULL;
                if (initspec_app_text(&a->apps[i], &x, NULL) < 0 || initspec_app_text(&b->apps[i], &y, NULL) < 0 ||
                    strcmp(x, y) != 0)
                        return false;
        }
        return true;
}

int kvm_apps_prepare_start(struct kvm_vm *vm, const struct podrt_pod *pod, const char *kvm_dir,
                           struct podrt_error **err) {
        _cleanup_free_ char *desc = path_join(kvm_dir, "pod.conf"), *base = path_join(kvm_dir, "initrd.img");
        _cleanup_free_ char *conf = path_join(kvm_dir, "pod-now.conf"), *img = path_join(kvm_dir, "initrd-now.img");
        if (!desc || !base || !conf || !img)
                return podrt_error_set(err, ENOMEM, "out of memory");
        _cleanup_(initspec_freep) struct initspec *was = NULL, *now = NULL;
        int r = initspec_load(desc, &was, err);
        if (r < 0)
                return r;
        if ((r = initspec_load(desc, &now, err)) < 0)
                return r;
        while (now->n_apps > 0)
                initspec_remove_app(now, now->n_apps - 1);
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                _cleanup_free_ char *root = shared_root(vm, was, app);
                if (!root) {
                        if (asprintf(&root, KVM_GUEST_APPS "/%s", podrt_app_name(app)) < 0)
                                return podrt_error_set(err, ENOMEM, "out of memory");
                        if ((r = kvm_apps_bind_root(vm, kvm_dir, app, err)) < 0)
                                return r;
                }
                if (kvm_describe_app(app, root, now, NULL) < 0)
                        return podrt_error_set(err, ENOMEM, "out of memory");
        }
        if (same_apps(was, now))
                return 0;   /* create's initrd is right */
        if ((r = initspec_write_file(now, conf, err)) < 0 || (r = initramfs_pod(base, conf, img, err)) < 0)
                return r;
        char *copy = strdup(img);
        if (!copy)
                return podrt_error_set(err, ENOMEM, "out of memory");
        free(vm->initrd);
        vm->initrd = copy;
        vm->cfg.initrd = copy;
        return 0;
}
