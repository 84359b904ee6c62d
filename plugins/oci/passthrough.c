/* SPDX-License-Identifier: Apache-2.0 */
/* The client's own bundle.  podrt-runtime on the oci backend annotates the
 * pod with the bundle it was given (io.podrt.oci.bundle); its one app then
 * runs that config.json as runc or crun would, with only what podrt itself
 * takes over changed:
 *   - root.path: the app's root after storage (the bundle's rootfs with
 *     storage "dir"), absolute;
 *   - hooks: removed, podrt-runtime runs them at the spec's stages;
 *   - process.terminal: false, the workload's stdio are already the
 *     terminal podrt-runtime made;
 *   - annotations: podrt's io.podrt.oci.runtime and .root added, which the
 *     plugin reads back to find the runtime.
 * Everything else (seccomp, capabilities, devices, sysctls, masked paths,
 * mounts, namespaces with their paths, cgroupsPath) reaches the runtime
 * unchanged. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <podrt/objects.h>

#include "fileio.h"
#include "macro.h"
#include "passthrough.h"

int oci_passthrough_spec(struct podrt_app *app, const char *bundle, const struct oci_runtime *rt,
                         struct json_object **ret, struct podrt_error **err) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        if (asprintf(&path, "%s/config.json", bundle) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = read_file(path, 4 << 20, &text, NULL);
        if (r < 0)
                return podrt_error_set(err, r, "%s: %s", path, strerror(-r));
        struct json_object *spec = json_tokener_parse(text), *root, *proc, *an;
        if (!spec || !json_object_is_type(spec, json_type_object)) {
                json_object_put(spec);
                return podrt_error_set(err, EINVAL, "%s: not a JSON object", path);
        }
        if (!json_object_object_get_ex(spec, "root", &root) || !json_object_is_type(root, json_type_object))
                json_object_object_add(spec, "root", root = json_object_new_object());
        json_object_object_add(root, "path", json_object_new_string(podrt_app_rootfs(app)));
        json_object_object_del(spec, "hooks");
        if (json_object_object_get_ex(spec, "process", &proc) && json_object_is_type(proc, json_type_object))
                json_object_object_add(proc, "terminal", json_object_new_boolean(0));
        if (!json_object_object_get_ex(spec, "annotations", &an) || !json_object_is_type(an, json_type_object))
                json_object_object_add(spec, "annotations", an = json_object_new_object());
        if (rt) {
                json_object_object_add(an, "io.podrt.oci.runtime", json_object_new_string(rt->path));
                json_object_object_add(an, "io.podrt.oci.root", json_object_new_string(rt->root));
        }
        *ret = spec;
        return 0;
}
