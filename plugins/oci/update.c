/* SPDX-License-Identifier: Apache-2.0 */
/* update: new limits for a running pod's containers, through
 * `<runtime> update --resources FILE ID` (the OCI linux.resources form). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <podrt/objects.h>

#include "bundle.h"
#include "fileio.h"
#include "macro.h"
#include "runtime.h"
#include "update.h"

/* {"memory":{"limit":N},"cpu":{"quota":Q,"period":P},"pids":{"limit":L}}:
 * what is set; -1 is "no limit" for runc as for us. */
static int resources_json(const struct podrt_resources *res, char *buf, size_t size) {
        int n = snprintf(buf, size, "{");
        if (res->memory_bytes)
                n += snprintf(buf + n, size - (size_t)n, "\"memory\":{\"limit\":%" PRId64 "}", res->memory_bytes);
        if (res->cpu_millis)
                n += snprintf(buf + n, size - (size_t)n, "%s\"cpu\":{\"quota\":%" PRId64 ",\"period\":100000}",
                              n > 1 ? "," : "", res->cpu_millis < 0 ? -1 : res->cpu_millis * 100);
        if (res->pids)
                n += snprintf(buf + n, size - (size_t)n, "%s\"pids\":{\"limit\":%" PRId64 "}", n > 1 ? "," : "",
                              res->pids);
        n += snprintf(buf + n, size - (size_t)n, "}");
        return n;
}

static int update_app(const struct oci_runtime *rt, struct podrt_app *app, const char *json,
                      struct podrt_error **err) {
        char name[64];
        snprintf(name, sizeof name, "update-%d.json", (int)getpid());   /* as exec's: one per caller */
        _cleanup_free_ char *path = oci_app_path(app, name);
        if (!path)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = write_file_new(path, json, strlen(json), 0600);
        if (r < 0)
                return podrt_error_set(err, r, "%s: %s", path, strerror(-r));
        const char *args[] = {"update", "--resources", path, podrt_app_id(app), NULL};
        r = oci_runtime_run(rt, args, NULL, NULL, err);
        (void)unlink(path);
        return r < 0 ? podrt_error_set(err, -r, "app %s", podrt_app_name(app)) : 0;
}

int oci_update(void *data, struct podrt_pod *pod, struct podrt_app *app, const struct podrt_resources *res,
               uint64_t flags, struct podrt_error **err) {
        (void)data;
        if (flags)
                return podrt_error_set(err, EINVAL, "oci: update: unknown flags 0x%llx", (unsigned long long)flags);
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        int r = oci_bundles_runtime(pod, &rt, err);
        if (r == -ENOENT)
                return podrt_error_set(err, ESRCH, "pod %s is not running", podrt_pod_name(pod));
        if (r < 0)
                return r;
        char json[256];
        resources_json(res, json, sizeof json);
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *a = podrt_pod_app(pod, i);
                if ((!app || a == app) && (r = update_app(rt, a, json, err)) < 0)
                        return r;
        }
        return 0;
}
