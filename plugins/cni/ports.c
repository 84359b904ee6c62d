/* SPDX-License-Identifier: Apache-2.0 */
/* A pod's port mappings: the manifest's per-container `ports` (through
 * podrt_app_port_*(), validated by the core), then, for pods made before
 * the manifest had them, the annotation io.podrt.ports (a JSON array in
 * Kubernetes' form). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "cni.h"

static int port_field(json_object *m, const char *key, const char *where, size_t i, bool required,
                      int *ret, struct podrt_error **err) {
        json_object *v;
        if (!json_object_object_get_ex(m, key, &v)) {
                if (required)
                        return podrt_error_set(err, EINVAL, "cni: %s: [%zu].%s: missing", where, i,
                                               key);
                *ret = 0;
                return 0;
        }
        if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1 ||
            json_object_get_int64(v) > 65535)
                return podrt_error_set(err, EINVAL, "cni: %s: [%zu].%s: must be a port (1-65535)",
                                       where, i, key);
        *ret = (int)json_object_get_int64(v);
        return 0;
}

int cni_ports_parse(const char *text, const char *where, json_object **ret,
                    struct podrt_error **err) {
        enum json_tokener_error jerr = json_tokener_success;
        json_object *in = json_tokener_parse_verbose(text, &jerr);
        if (!in)
                return podrt_error_set(err, EINVAL, "cni: %s: not JSON: %s", where,
                                       json_tokener_error_desc(jerr));
        int r = 0;
        json_object *out = json_object_new_array();
        if (!json_object_is_type(in, json_type_array)) {
                r = podrt_error_set(err, EINVAL, "cni: %s: must be a JSON array of port mappings",
                                    where);
                goto done;
        }
        for (size_t i = 0; i < json_object_array_length(in); i++) {
                json_object *m = json_object_array_get_idx(in, i);
                if (!json_object_is_type(m, json_type_object)) {
                        r = podrt_error_set(err, EINVAL, "cni: %s: [%zu]: must be an object", where, i);
                        goto done;
                }
                json_object_object_foreach(m, key, val) {
                        (void)val;
                        if (strcmp(key, "containerPort") != 0 && strcmp(key, "hostPort") != 0 &&
                            strcmp(key, "protocol") != 0 && strcmp(key, "hostIP") != 0 &&
                            strcmp(key, "name") != 0) {
                                r = podrt_error_set(err, EINVAL, "cni: %s: [%zu]: unknown field '%s'",
                                                    where, i, key);
                                goto done;
                        }
                }
                int container_port, host_port;
                if ((r = port_field(m, "containerPort", where, i, true, &container_port, err)) < 0 ||
                    (r = port_field(m, "hostPort", where, i, false, &host_port, err)) < 0)
                        goto done;
                const char *protocol = "tcp", *host_ip = "";
                json_object *v;
                if (json_object_object_get_ex(m, "protocol", &v)) {
                        protocol = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
                        if (strcmp(protocol, "tcp") != 0 && strcmp(protocol, "udp") != 0 &&
                            strcmp(protocol, "sctp") != 0) {
                                r = podrt_error_set(err, EINVAL,
                                                    "cni: %s: [%zu].protocol: must be tcp, udp or sctp",
                                                    where, i);
                                goto done;
                        }
                }
                if (json_object_object_get_ex(m, "hostIP", &v)) {
                        unsigned char buf[16];
                        host_ip = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
                        if (!host_ip || (host_ip[0] && inet_pton(AF_INET, host_ip, buf) != 1 &&
                                         inet_pton(AF_INET6, host_ip, buf) != 1)) {
                                r = podrt_error_set(err, EINVAL,
                                                    "cni: %s: [%zu].hostIP: must be an IP address",
                                                    where, i);
                                goto done;
                        }
                }
                if (json_object_object_get_ex(m, "name", &v) && !json_object_is_type(v, json_type_string)) {
                        r = podrt_error_set(err, EINVAL, "cni: %s: [%zu].name: must be a string",
                                            where, i);
                        goto done;
                }
                /* A containerPort alone declares a port; only a hostPort maps one. */
                if (host_port == 0)
                        continue;
                for (size_t j = 0; j < json_object_array_length(out); j++) {
                        json_object *o = json_object_array_get_idx(out, j), *hp, *pr, *ip;
                        json_object_object_get_ex(o, "hostPort", &hp);
                        json_object_object_get_ex(o, "protocol", &pr);
                        json_object_object_get_ex(o, "hostIP", &ip);
                        if (json_object_get_int(hp) == host_port &&
                            strcmp(json_object_get_string(pr), protocol) == 0 &&
                            (strcmp(json_object_get_string(ip), host_ip) == 0 ||
                             !host_ip[0] || !json_object_get_string(ip)[0])) {
                                r = podrt_error_set(err, EINVAL,
                                                    "cni: %s: [%zu].hostPort: %d/%s is mapped twice",
                                                    where, i, host_port, protocol);
                                goto done;
                        }
                }
                json_object *o = json_object_new_object();
                json_object_object_add(o, "hostPort", json_object_new_int(host_port));
                json_object_object_add(o, "containerPort", json_object_new_int(container_port));
                json_object_object_add(o, "protocol", json_object_new_string(protocol));
                json_object_object_add(o, "hostIP", json_object_new_string(host_ip));
                json_object_array_add(out, o);
        }
done:
        json_object_put(in);
        if (r < 0) {
                json_object_put(out);
                return r;
        }
        *ret = out;
        return 0;
}

int cni_pod_ports(struct podrt_pod *pod, json_object **ret, struct podrt_error **err) {
        const char *text = podrt_pod_annotation(pod, CNI_PORTS_ANNOTATION);
        json_object *out = NULL;
        if (text) {
                int r = cni_ports_parse(text, "annotation " CNI_PORTS_ANNOTATION, &out, err);
                if (r < 0)
                        return r;
        } else if (!(out = json_object_new_array()))
                return podrt_error_set(err, ENOMEM, "out of memory");
        /* The manifest's: portmap's runtimeConfig.portMappings entries. */
        for (size_t a = 0; a < podrt_pod_n_apps(pod); a++) {
                const struct podrt_app *app = podrt_pod_app(pod, a);
                for (size_t i = 0; i < podrt_app_n_ports(app); i++) {
                        if (!podrt_app_port_host(app, i))
                                continue;   /* declared, not mapped */
                        const char *ip = podrt_app_port_host_ip(app, i);
                        json_object *o = json_object_new_object();
                        json_object_object_add(o, "hostPort", json_object_new_int((int)podrt_app_port_host(app, i)));
                        json_object_object_add(o, "containerPort",
                                               json_object_new_int((int)podrt_app_port_container(app, i)));
                        json_object_object_add(o, "protocol", json_object_new_string(podrt_app_port_protocol(app, i)));
                        json_object_object_add(o, "hostIP", json_object_new_string(ip ? ip : ""));
                        json_object_array_add(out, o);
                }
        }
        *ret = out;
        return 0;
}
