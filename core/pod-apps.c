/* SPDX-License-Identifier: Apache-2.0 */
/* A running pod's app set grows (`podrt app add`) and shrinks (`podrt app
 * rm`): the spec's apps and the pod's, kept side by side, each app pointing
 * at its spec and knowing its index. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "manifest.h"
#include "pod.h"

/* After spec->apps moved or shrank: every app's spec and index anew. */
static void relink(struct podrt_pod *pod) {
        for (size_t i = 0; i < pod->spec->n_apps; i++) {
                pod->apps[i].spec = &pod->spec->apps[i];
                pod->apps[i].index = i;
                pod->apps[i].pod = pod;
        }
}

int pod_add_app(struct podrt_pod *pod, const char *text, size_t len, const char *source,
                const char *base_dir, struct json_object **ret_json, struct podrt_error **err) {
        size_t n = pod->spec->n_apps;
        struct json_object *j = NULL;
        int r = manifest_parse_app(pod->spec, text, len, source, base_dir, &j, err);
        relink(pod);   /* spec->apps may have moved, even on failure */
        if (r < 0)
                return r;
        struct podrt_app *apps = realloc(pod->apps, (n + 2) * sizeof(*apps));
        if (apps) {
                pod->apps = apps;
                memset(&apps[n], 0, 2 * sizeof(*apps));
                relink(pod);
                if ((r = pod_app_init(pod, n)) >= 0) {
                        *ret_json = j;
                        return 0;
                }
                pod_app_done(&apps[n]);
                memset(&apps[n], 0, sizeof(*apps));
        }
        json_object_put(j);
        spec_app_done(&pod->spec->apps[n]);
        memset(&pod->spec->apps[n], 0, sizeof(pod->spec->apps[n]));
        pod->spec->n_apps = n;
        relink(pod);
        return podrt_error_set(err, ENOMEM, "out of memory");
}

void pod_remove_app(struct podrt_pod *pod, size_t i) {
        size_t n = pod->spec->n_apps;
        if (i >= n)
                return;
        pod_app_done(&pod->apps[i]);
        spec_app_done(&pod->spec->apps[i]);
        memmove(&pod->apps[i], &pod->apps[i + 1], (n - i - 1) * sizeof(pod->apps[0]));
        memmove(&pod->spec->apps[i], &pod->spec->apps[i + 1], (n - i - 1) * sizeof(pod->spec->apps[0]));
        memset(&pod->apps[n - 1], 0, sizeof(pod->apps[0]));
        memset(&pod->spec->apps[n - 1], 0, sizeof(pod->spec->apps[0]));
        pod->spec->n_apps = n - 1;
        relink(pod);
}
