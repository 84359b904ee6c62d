/* SPDX-License-Identifier: Apache-2.0 */
/* The guest's interfaces and routes, with the classic ioctls (no netlink
 * library in the static podrt-init): SIOCSIFMTU, SIOCSIFADDR,
 * SIOCSIFNETMASK, SIOCSIFFLAGS, SIOCADDRT.  IPv4 only. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "net.h"

/* The name of the interface whose MAC is mac, in name (IFNAMSIZ): 0, or
 * -ENOENT. */
static int find_by_mac(int sock, const char *mac, char *name) {
        for (int idx = 1; idx < 1024; idx++) {
                struct ifreq ifr = { .ifr_ifindex = idx };
                if (ioctl(sock, SIOCGIFNAME, &ifr) < 0)
                        continue;
                if (ioctl(sock, SIOCGIFHWADDR, &ifr) < 0 || ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
                        continue;
                const unsigned char *h = (const unsigned char *)ifr.ifr_hwaddr.sa_data;
                char text[18];
                snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", h[0], h[1], h[2], h[3], h[4], h[5]);
                if (strcasecmp(text, mac) == 0) {
                        memcpy(name, ifr.ifr_name, IFNAMSIZ);
                        name[IFNAMSIZ - 1] = '\0';
                        return 0;
                }
        }
        return -ENOENT;
}

static void set_in(struct sockaddr *sa, uint32_t addr) {
        struct sockaddr_in in = { .sin_family = AF_INET, .sin_addr.s_addr = addr };
        memcpy(sa, &in, sizeof(in));
}

static uint32_t mask_of(unsigned prefix) {
        return prefix == 0 ? 0 : htonl(~0u << (32 - prefix));
}

static int if_up(int sock, const char *name) {
        struct ifreq ifr = { 0 };
        snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
        if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        ifr.ifr_flags |= IFF_UP;
        return ioctl(sock, SIOCSIFFLAGS, &ifr) < 0 ? -errno : 0;
}

static int set_address(int sock, const char *name, const char *cidr, struct podrt_error **err) {
        uint32_t addr;
        unsigned prefix;
        if (initspec_parse_ipv4(cidr, true, &addr, &prefix) < 0)
                return podrt_error_set(err, EINVAL, "%s: \"%s\" is not ADDRESS/PREFIX", name, cidr);
        struct ifreq ifr = { 0 };
        snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
        set_in(&ifr.ifr_addr, addr);
        if (ioctl(sock, SIOCSIFADDR, &ifr) < 0)
                return podrt_error_set(err, errno, "%s: address %s: %m", name, cidr);
        set_in(&ifr.ifr_netmask, mask_of(prefix));
        if (ioctl(sock, SIOCSIFNETMASK, &ifr) < 0)
                return podrt_error_set(err, errno, "%s: netmask of %s: %m", name, cidr);
        return 0;
}

static int add_route(int sock, const char *name, const struct initspec_route *rt, struct podrt_error **err) {
        uint32_t dst, gw = 0;
        unsigned prefix;
        if (initspec_parse_ipv4(rt->dst, true, &dst, &prefix) < 0 ||
            (rt->gateway && initspec_parse_ipv4(rt->gateway, false, &gw, NULL) < 0))
                return podrt_error_set(err, EINVAL, "route %s: not IPv4", rt->dst);
        char dev[IFNAMSIZ];
        snprintf(dev, sizeof(dev), "%s", name);
        struct rtentry r = { 0 };
        set_in(&r.rt_dst, dst & mask_of(prefix));
        set_in(&r.rt_genmask, mask_of(prefix));
        set_in(&r.rt_gateway, gw);
        r.rt_flags = RTF_UP | (rt->gateway ? RTF_GATEWAY : 0) | (prefix == 32 ? RTF_HOST : 0);
        r.rt_dev = dev;
        if (ioctl(sock, SIOCADDRT, &r) < 0 && errno != EEXIST)
                return podrt_error_set(err, errno, "route %s%s%s dev %s: %m", rt->dst,
                                       rt->gateway ? " via " : "", rt->gateway ? rt->gateway : "", name);
        return 0;
}

static int64_t now_ms(void) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int net_configure(const struct initspec *s, struct podrt_error **err) {
        if (s->n_ifaces == 0)
                return 0;
        _cleanup_close_ int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return podrt_error_set(err, errno, "network: socket: %m");
        (void)if_up(sock, "lo");   /* the apps' localhost */
        char names[s->n_ifaces][IFNAMSIZ];
        for (size_t i = 0; i < s->n_ifaces; i++) {
                const struct initspec_iface *f = &s->ifaces[i];
                /* The driver (virtio_net, loaded just before) may still be
                 * probing its device. */
                int64_t t0 = now_ms();
                while (find_by_mac(sock, f->mac, names[i]) < 0) {
                        if (now_ms() - t0 > 5000)
                                return podrt_error_set(err, ENODEV, "network: no interface with MAC %s", f->mac);
                        usleep(10000);
                }
                if (f->mtu) {
                        struct ifreq ifr = { .ifr_mtu = (int)f->mtu };
                        snprintf(ifr.ifr_name, IFNAMSIZ, "%s", names[i]);
                        if (ioctl(sock, SIOCSIFMTU, &ifr) < 0)
                                return podrt_error_set(err, errno, "network: %s: mtu %u: %m", names[i], f->mtu);
                }
                for (size_t j = 0; f->addresses && f->addresses[j]; j++) {
                        /* The first on the interface, the others on aliases. */
                        char alias[IFNAMSIZ];
                        if (j == 0)
                                memcpy(alias, names[i], IFNAMSIZ);
                        else
                                snprintf(alias, sizeof(alias), "%.11s:%u", names[i], (unsigned)(j % 100));
                        int r = set_address(sock, alias, f->addresses[j], err);
                        if (r < 0)
                                return podrt_error_set(err, r, "network");
                }
                int r = if_up(sock, names[i]);
                if (r < 0)
                        return podrt_error_set(err, -r, "network: %s: up: %s", names[i], strerror(-r));
        }
        /* Routes on the link first: a gateway must be reachable when its
         * route is added. */
        for (int pass = 0; pass < 2; pass++)
                for (size_t i = 0; i < s->n_routes; i++) {
                        const struct initspec_route *rt = &s->routes[i];
                        if ((rt->gateway != NULL) != (pass == 1))
                                continue;
                        for (size_t k = 0; k < s->n_ifaces; k++) {
                                if (strcasecmp(rt->mac, s->ifaces[k].mac) != 0)
                                        continue;
                                int r = add_route(sock, names[k], rt, err);
                                if (r < 0)
                                        return podrt_error_set(err, r, "network");
                        }
                }
        return 0;
}
