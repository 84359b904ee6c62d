/* SPDX-License-Identifier: Apache-2.0 */
/* A container's ports: Kubernetes' ContainerPort fields, validated. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "manifest-parser.h"

/* ports[i]: Kubernetes' ContainerPort (name, containerPort, hostPort,
 * protocol, hostIP), validated: ranges, protocols, addresses, and no two
 * ports of the pod alike (the same container port, or the same host port
 * on the same address and protocol). */
int parser_parse_port(struct parser *p, json_object *o, size_t index, void *userdata) {
        static const char *const fields[] = { "name", "containerPort", "hostPort", "protocol",
                                              "hostIP", NULL };
        const struct pod_spec *spec = ((struct app_of *)userdata)->spec;
        struct spec_app *app = ((struct app_of *)userdata)->app;
        struct spec_port *port = &app->ports[app->n_ports++];
        const char *name, *protocol, *host_ip;
        json_object *v;
        int64_t n;
        int r;

        if ((r = parser_check_fields(p, o, fields)) < 0 ||
            (r = parser_get_string(p, o, "name", false, &name)) < 0 ||
            (r = parser_get_string(p, o, "protocol", false, &protocol)) < 0 ||
            (r = parser_get_string(p, o, "hostIP", false, &host_ip)) < 0)
                return r;
        if (!json_object_object_get_ex(o, "containerPort", &v))
                return parser_fail(p, "containerPort", EINVAL, "is required");
        if (json_int_range(v, 1, 65535, &n) < 0)
                return parser_fail(p, "containerPort", ERANGE, "must be a port number from 1 to 65535");
        port->container_port = (uint32_t)n;
        if (json_object_object_get_ex(o, "hostPort", &v)) {
                if (json_int_range(v, 1, 65535, &n) < 0)
                        return parser_fail(p, "hostPort", ERANGE, "must be a port number from 1 to 65535");
                port->host_port = (uint32_t)n;
        }
        if (protocol && strcmp(protocol, "tcp") != 0 && strcmp(protocol, "udp") != 0 &&
            strcmp(protocol, "sctp") != 0)
                return parser_fail(p, "protocol", EINVAL, "must be tcp, udp or sctp, not \"%s\"", protocol);
        unsigned char addr[sizeof(struct in6_addr)];
        if (host_ip && *host_ip && inet_pton(AF_INET, host_ip, addr) != 1 &&
            inet_pton(AF_INET6, host_ip, addr) != 1)
                return parser_fail(p, "hostIP", EINVAL, "\"%s\" is not an IP address", host_ip);
        if (host_ip && *host_ip && !port->host_port)
                return parser_fail(p, "hostIP", EINVAL, "needs a hostPort");
        if ((name && !(port->name = strdup(name))) ||
            !(port->protocol = strdup(protocol ? protocol : "tcp")) ||
            (host_ip && *host_ip && !(port->host_ip = strdup(host_ip))))
                return parser_oom(p);
        /* Against the ports before it, in this app and the pod's others. */
        for (size_t a = 0; a < spec->n_apps; a++) {
                const struct spec_app *other = &spec->apps[a];
                size_t m = other == app ? app->n_ports - 1 : other->n_ports;
                for (size_t j = 0; j < m; j++) {
                        const struct spec_port *q = &other->ports[j];
                        if (strcmp(q->protocol, port->protocol) != 0)
                                continue;
                        if (q->container_port == port->container_port && q->host_port == port->host_port)
                                return parser_fail(p, "containerPort", EEXIST,
                                                   "%u/%s is also a port of container \"%s\" (the pod shares one address)",
                                                   port->container_port, port->protocol,
                                                   other->name ? other->name : app->name);
                        if (port->host_port && q->host_port == port->host_port &&
                            (!q->host_ip || !port->host_ip || strcmp(q->host_ip, port->host_ip) == 0))
                                return parser_fail(p, "hostPort", EEXIST, "%u/%s is mapped twice",
                                                   port->host_port, port->protocol);
                }
                if (other == app)
                        break;
        }
        if (name && *name && (strlen(name) > 15 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(name)))
                return parser_fail(p, "name", EINVAL, "\"%s\" is not a port name (at most 15 of [a-z0-9-])", name);
        return 0;
}

