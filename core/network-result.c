/* SPDX-License-Identifier: Apache-2.0 */
/* What a network plugin recorded for a pod (network.json in its folder:
 * the cni plugin writes it), applied to the pod before the backend builds
 * it: DNS and the pod's own hosts entry. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "fileio.h"
#include "pod.h"
#include "spec.h"
#include "strv.h"

static int strv_from_json(struct json_object *arr, char ***ret) {
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; json_object_is_type(arr, json_type_array) && i < json_object_array_length(arr); i++) {
                const char *s = json_object_get_string(json_object_array_get_idx(arr, i));
                if (s && *s && strv_push(&v, s) < 0)
                        return -ENOMEM;
        }
        strv_free(*ret);
        *ret = TAKE_PTR(v);
        return 0;
}

/* What the network plugin recorded (network.json: cni does) reaches the
 * backend's create: the result's DNS when the manifest gives none, and the
 * pod's own address with its hostname as a hosts entry. */
int pod_apply_network(struct podrt_pod *pod, struct podrt_error **err) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        if (asprintf(&path, "%s/network.json", pod->dir) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if (read_file(path, 1 << 20, &text, NULL) < 0)
                return 0;
        struct json_object *rec = json_tokener_parse(text), *dns, *ips, *v;
        if (!rec)
                return podrt_error_set(err, EBADMSG, "%s: not JSON", path);
        struct pod_spec *spec = pod->spec;
        int r = 0;
        if (json_object_object_get_ex(rec, "dns", &dns) && strv_length(spec->dns_servers) == 0 &&
            strv_length(spec->dns_searches) == 0 && strv_length(spec->dns_options) == 0) {
                if ((json_object_object_get_ex(dns, "nameservers", &v) && (r = strv_from_json(v, &spec->dns_servers)) < 0) ||
                    (json_object_object_get_ex(dns, "search", &v) && (r = strv_from_json(v, &spec->dns_searches)) < 0) ||
                    (json_object_object_get_ex(dns, "options", &v) && (r = strv_from_json(v, &spec->dns_options)) < 0))
                        goto out;
        }
        if (json_object_object_get_ex(rec, "ips", &ips) && json_object_is_type(ips, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(ips); i++) {
                        _cleanup_free_ char *ip = strdup(json_object_get_string(json_object_array_get_idx(ips, i)));
                        if (!ip) {
                                r = -ENOMEM;
                                goto out;
                        }
                        char *slash = strchr(ip, '/');
                        if (slash)
                                *slash = '\0';
                        struct spec_host *h = realloc(spec->hosts, (spec->n_hosts + 1) * sizeof(*h));
                        if (!h) {
                                r = -ENOMEM;
                                goto out;
                        }
                        spec->hosts = h;
                        h = &spec->hosts[spec->n_hosts];
                        *h = (struct spec_host){ .ip = TAKE_PTR(ip), .names = calloc(1, sizeof(char *)) };
                        spec->n_hosts++;
                        if (!h->names || strv_push(&h->names, spec->hostname) < 0 ||
                            (strcmp(spec->hostname, spec->name) != 0 && strv_push(&h->names, spec->name) < 0)) {
                                r = -ENOMEM;
                                goto out;
                        }
                }
        }
out:
        json_object_put(rec);
        return r < 0 ? podrt_error_set(err, r, "%s: %s", path, strerror(-r)) : 0;
}

