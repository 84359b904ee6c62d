/* SPDX-License-Identifier: Apache-2.0 */
/* The pod description's network keys (docs/podrt-init.md): the guest's
 * interfaces, found by MAC, with their MTU and IPv4 addresses, and the IPv4
 * routes through them.  The kvm backend writes them for a pod on a network
 * (plugins/kvm/net.c); podrt-init configures them (core/init/net.c).
 *
 *   iface MAC [mtu=N] [ADDRESS/PREFIX...]
 *   route MAC DESTINATION/PREFIX [GATEWAY]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "initspec-internal.h"
#include "initspec.h"
#include "strv.h"

bool initspec_mac_is_valid(const char *s) {
        if (!s || strlen(s) != 17)
                return false;
        for (size_t i = 0; i < 17; i++) {
                char c = s[i];
                if (i % 3 == 2) {
                        if (c != ':')
                                return false;
                } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
                        return false;
        }
        return true;
}

int initspec_parse_ipv4(const char *s, bool with_prefix, uint32_t *ret_addr, unsigned *ret_prefix) {
        if (!s)
                return -EINVAL;
        char buf[32];
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        if (n == 0 || n >= sizeof(buf) || (with_prefix != (slash != NULL)))
                return -EINVAL;
        memcpy(buf, s, n);
        buf[n] = '\0';
        struct in_addr a;
        if (inet_pton(AF_INET, buf, &a) != 1)
                return -EINVAL;
        unsigned prefix = 32;
        if (slash) {
                const char *p = slash + 1;
                if (!*p || strlen(p) > 2)
                        return -EINVAL;
                prefix = 0;
                for (; *p; p++) {
                        if (*p < '0' || *p > '9')
                                return -EINVAL;
                        prefix = prefix * 10 + (unsigned)(*p - '0');
                }
                if (prefix > 32)
                        return -EINVAL;
        }
        if (ret_addr)
                *ret_addr = a.s_addr;
        if (ret_prefix)
                *ret_prefix = prefix;
        return 0;
}

int initspec_add_iface(struct initspec *s, const char *mac, uint32_t mtu,
                       struct initspec_iface **ret) {
        struct initspec_iface *n = realloc(s->ifaces, (s->n_ifaces + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        s->ifaces = n;
        struct initspec_iface *i = &n[s->n_ifaces];
        *i = (struct initspec_iface){ .mtu = mtu };
        if (!(i->mac = strdup(mac)))
                return -ENOMEM;
        s->n_ifaces++;
        if (ret)
                *ret = i;
        return 0;
}

int initspec_iface_add_address(struct initspec_iface *i, const char *cidr) {
        return strv_push(&i->addresses, cidr) < 0 ? -ENOMEM : 0;
}

int initspec_add_route(struct initspec *s, const char *mac, const char *dst, const char *gateway) {
        struct initspec_route *n = realloc(s->routes, (s->n_routes + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        s->routes = n;
        struct initspec_route *rt = &n[s->n_routes];
        *rt = (struct initspec_route){ 0 };
        rt->mac = strdup(mac);
        rt->dst = strdup(dst);
        rt->gateway = gateway ? strdup(gateway) : NULL;
        if (!rt->mac || !rt->dst || (gateway && !rt->gateway)) {
                free(rt->mac);
                free(rt->dst);
                free(rt->gateway);
                return -ENOMEM;
        }
        s->n_routes++;
        return 0;
}

void initspec_net_clear(struct initspec *s) {
        for (size_t i = 0; i < s->n_ifaces; i++) {
                free(s->ifaces[i].mac);
                strv_free(s->ifaces[i].addresses);
        }
        free(s->ifaces);
        for (size_t i = 0; i < s->n_routes; i++) {
                free(s->routes[i].mac);
                free(s->routes[i].dst);
                free(s->routes[i].gateway);
        }
        free(s->routes);
}

int initspec_net_validate(const struct initspec *s, struct podrt_error **err) {
        for (size_t i = 0; i < s->n_ifaces; i++) {
                const struct initspec_iface *f = &s->ifaces[i];
                if (!initspec_mac_is_valid(f->mac))
                        return podrt_error_set(err, EINVAL, "iface \"%s\": not a MAC address (aa:bb:cc:dd:ee:ff)",
                                               f->mac ? f->mac : "");
                for (size_t j = 0; j < i; j++)
                        if (strcasecmp(f->mac, s->ifaces[j].mac) == 0)
                                return podrt_error_set(err, EINVAL, "iface %s: listed twice", f->mac);
                if (f->mtu != 0 && (f->mtu < 68 || f->mtu > 65535))
                        return podrt_error_set(err, EINVAL, "iface %s: mtu %u is not 68 to 65535", f->mac, f->mtu);
                for (size_t j = 0; f->addresses && f->addresses[j]; j++)
                        if (initspec_parse_ipv4(f->addresses[j], true, NULL, NULL) < 0)
                                return podrt_error_set(err, EINVAL, "iface %s: \"%s\" is not an IPv4 ADDRESS/PREFIX",
                                                       f->mac, f->addresses[j]);
        }
        for (size_t i = 0; i < s->n_routes; i++) {
                const struct initspec_route *rt = &s->routes[i];
                bool known = false;
                for (size_t j = 0; rt->mac && j < s->n_ifaces; j++)
                        known = known || strcasecmp(rt->mac, s->ifaces[j].mac) == 0;
                if (!known)
                        return podrt_error_set(err, EINVAL, "route %s: no iface line for %s",
                                               rt->dst ? rt->dst : "", rt->mac ? rt->mac : "");
                if (initspec_parse_ipv4(rt->dst, true, NULL, NULL) < 0)
                        return podrt_error_set(err, EINVAL, "route: \"%s\" is not an IPv4 DESTINATION/PREFIX",
                                               rt->dst ? rt->dst : "");
                if (rt->gateway && initspec_parse_ipv4(rt->gateway, false, NULL, NULL) < 0)
                        return podrt_error_set(err, EINVAL, "route %s: gateway \"%s\" is not an IPv4 address",
                                               rt->dst, rt->gateway);
        }
        return 0;
}

int initspec_net_key(struct initspec *s, char **v, size_t n, struct podrt_error **err) {
        if (strcmp(v[0], "iface") == 0) {
                if (n < 2)
                        return podrt_error_set(err, EINVAL, "iface: expects MAC [mtu=N] [ADDRESS/PREFIX...]");
                if (!initspec_mac_is_valid(v[1]))
                        return podrt_error_set(err, EINVAL, "iface: \"%s\" is not a MAC address (aa:bb:cc:dd:ee:ff)", v[1]);
                uint32_t mtu = 0;
                size_t first = 2;
                if (n > 2 && strncmp(v[2], "mtu=", 4) == 0) {
                        char *end = NULL;
                        unsigned long m = strtoul(v[2] + 4, &end, 10);
                        if (!v[2][4] || *end || m < 68 || m > 65535)
                                return podrt_error_set(err, EINVAL, "iface %s: \"%s\": mtu is 68 to 65535", v[1], v[2]);
                        mtu = (uint32_t)m;
                        first = 3;
                }
                struct initspec_iface *f;
                if (initspec_add_iface(s, v[1], mtu, &f) < 0)
                        return -ENOMEM;
                for (size_t i = first; i < n; i++) {
                        if (initspec_parse_ipv4(v[i], true, NULL, NULL) < 0)
                                return podrt_error_set(err, EINVAL, "iface %s: \"%s\" is not an IPv4 ADDRESS/PREFIX",
                                                       v[1], v[i]);
                        if (initspec_iface_add_address(f, v[i]) < 0)
                                return -ENOMEM;
                }
                return 0;
        }
        if (strcmp(v[0], "route") == 0) {
                if (n < 3 || n > 4)
                        return podrt_error_set(err, EINVAL, "route: expects MAC DESTINATION/PREFIX [GATEWAY]");
                if (initspec_parse_ipv4(v[2], true, NULL, NULL) < 0)
                        return podrt_error_set(err, EINVAL, "route: \"%s\" is not an IPv4 DESTINATION/PREFIX", v[2]);
                if (n == 4 && initspec_parse_ipv4(v[3], false, NULL, NULL) < 0)
                        return podrt_error_set(err, EINVAL, "route %s: gateway \"%s\" is not an IPv4 address",
                                               v[2], v[3]);
                return initspec_add_route(s, v[1], v[2], n == 4 ? v[3] : NULL) < 0 ? -ENOMEM : 0;
        }
        return 1;
}

void initspec_net_write(const struct initspec *s, FILE *f) {
        /* MACs, MTUs, addresses: nothing to escape (validated). */
        for (size_t i = 0; i < s->n_ifaces; i++) {
                const struct initspec_iface *it = &s->ifaces[i];
                fprintf(f, "iface %s", it->mac);
                if (it->mtu)
                        fprintf(f, " mtu=%u", it->mtu);
                for (size_t j = 0; it->addresses && it->addresses[j]; j++)
                        fprintf(f, " %s", it->addresses[j]);
                fputc('\n', f);
        }
        for (size_t i = 0; i < s->n_routes; i++) {
                const struct initspec_route *rt = &s->routes[i];
                fprintf(f, "route %s %s%s%s\n", rt->mac, rt->dst, rt->gateway ? " " : "",
                        rt->gateway ? rt->gateway : "");
        }
}
