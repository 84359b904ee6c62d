/* SPDX-License-Identifier: Apache-2.0 */
/* The pod spec (spec.h): releasing it.  manifest*.c build it. */
#include <stdlib.h>

#include "spec.h"
#include "strv.h"

void spec_app_done(struct spec_app *a) {
        for (size_t i = 0; i < a->n_ports; i++) {
                free(a->ports[i].name);
                free(a->ports[i].protocol);
                free(a->ports[i].host_ip);
        }
        free(a->ports);
        free(a->name);
        free(a->rootfs);
        free(a->image);
        free(a->image_id);
        strv_free(a->image_layers);
        strv_free(a->command);
        strv_free(a->env);
        free(a->working_dir);
        free(a->groups);
        for (size_t i = 0; a->mounts && i < a->n_mounts; i++) {
                free(a->mounts[i].volume);
                free(a->mounts[i].path);
        }
        free(a->mounts);
        strv_free(a->caps_add);
        strv_free(a->caps_drop);
        strv_free(a->pre_start);
        strv_free(a->post_stop);
}

struct pod_spec *pod_spec_free(struct pod_spec *spec) {
        if (!spec)
                return NULL;

        free(spec->api_version);
        free(spec->name);
        free(spec->hostname);
        for (size_t i = 0; spec->annotations && i < spec->n_annotations; i++) {
                free(spec->annotations[i].key);
                free(spec->annotations[i].value);
        }
        free(spec->annotations);
        strv_free(spec->dns_servers);
        strv_free(spec->dns_searches);
        strv_free(spec->dns_options);
        for (size_t i = 0; spec->hosts && i < spec->n_hosts; i++) {
                free(spec->hosts[i].ip);
                strv_free(spec->hosts[i].names);
        }
        free(spec->hosts);
        for (size_t i = 0; spec->volumes && i < spec->n_volumes; i++) {
                free(spec->volumes[i].name);
                free(spec->volumes[i].source);
        }
        free(spec->volumes);
        for (size_t i = 0; spec->apps && i < spec->n_apps; i++)
                spec_app_done(&spec->apps[i]);
        free(spec->apps);
        free(spec);
        return NULL;
}
