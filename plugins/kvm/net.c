/* SPDX-License-Identifier: Apache-2.0 */
/* A kvm pod on a network (docs/kvm.md, "Networking"): the VM is wired to
 * the interface the network plugin made in the pod's namespace (CNI's veth
 * eth0) as Kata's tcfilter does it, with no bridge and no change to the
 * veth:
 *
 *   - a persistent tap, tap0, is made in the namespace (/dev/net/tun,
 *     IFF_TAP | IFF_NO_PI | IFF_VNET_HDR), with the veth's MTU, up;
 *   - an ingress qdisc on each of eth0 and tap0, and on each a u32 filter
 *     matching every packet with the action "mirred egress redirect" to the
 *     other: what reaches eth0 leaves through tap0 into the VM, and what the
 *     VM sends leaves through eth0;
 *   - the guest's virtio-net gets the veth's MAC, and podrt-init gives it
 *     the veth's IPv4 addresses, MTU and routes (the description's iface
 *     and route lines), so that the peer's ARP and the routes see the same
 *     host as before;
 *   - the hypervisor is started inside the namespace (the keeper enters it),
 *     where it opens tap0 by name.
 *
 * The namespace's state is read in a thread that joined it (setns with
 * CLONE_NEWNET is per thread), and tc runs as that thread's child: /usr/sbin/tc
 * (iproute2) with a timeout.  The tap goes with the namespace: delete has
 * nothing of its own to undo. */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <json-c/json.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <podrt/check.h>
#include <podrt/objects.h>

#include "initspec.h"
#include "kvm.h"

struct kvm_net *kvm_net_free(struct kvm_net *n) {
        if (!n)
                return NULL;
        free(n->netns);
        free(n->ifname);
        free(n->tap);
        strv_free(n->addresses);
        for (size_t i = 0; i < n->n_routes; i++) {
                free(n->routes[i].dst);
                free(n->routes[i].gateway);
        }
        free(n->routes);
        free(n);
        return NULL;
}

int kvm_net_add_route(struct kvm_net *n, const char *dst, const char *gateway) {
        struct kvm_net_route *r = realloc(n->routes, (n->n_routes + 1) * sizeof(*r));
        if (!r)
                return -ENOMEM;
        n->routes = r;
        r[n->n_routes] = (struct kvm_net_route){ .dst = strdup(dst), .gateway = gateway ? strdup(gateway) : NULL };
        if (!r[n->n_routes].dst || (gateway && !r[n->n_routes].gateway)) {
                free(r[n->n_routes].dst);
                free(r[n->n_routes].gateway);
                return -ENOMEM;
        }
        n->n_routes++;
        return 0;
}

/* ---- pure parts ---- */

static unsigned prefix_of(uint32_t mask_net) {
        uint32_t m = ntohl(mask_net);
        unsigned p = 0;
        while (p < 32 && (m & (0x80000000u >> p)))
                p++;
        return p;
}

int kvm_net_parse_routes(const char *text, const char *ifname, struct kvm_net *n) {
        /* Iface Destination Gateway Flags RefCnt Use Metric Mask MTU Window IRTT,
         * the addresses in hex of their network-order bytes as read by
         * the host (little-endian here). */
        const char *line = text;
        bool header = true;
        while (line && *line) {
                const char *next = strchr(line, '\n');
                char buf[256];
                size_t len = next ? (size_t)(next - line) : strlen(line);
                if (len >= sizeof(buf))
                        len = sizeof(buf) - 1;
                memcpy(buf, line, len);
                buf[len] = '\0';
                line = next ? next + 1 : NULL;
                if (header) {
                        header = false;
                        continue;
                }
                char dev[IFNAMSIZ + 1];
                unsigned dst, gw, flags, refcnt, use, metric, mask;
                if (sscanf(buf, "%16s %x %x %x %u %u %u %x", dev, &dst, &gw, &flags, &refcnt, &use, &metric,
                           &mask) != 8)
                        continue;
                if (strcmp(dev, ifname) != 0 || !(flags & 0x0001 /* RTF_UP */))
                        continue;
                uint32_t d = (uint32_t)dst, g = (uint32_t)gw, m = (uint32_t)mask;
                unsigned prefix = prefix_of(m);
                /* The route the kernel makes for an address: the guest
                 * gets it with the address. */
                bool connected = false;
                if (!(flags & 0x0002 /* RTF_GATEWAY */))
                        for (size_t i = 0; n->addresses && n->addresses[i]; i++) {
                                uint32_t a;
                                unsigned p;
                                if (initspec_parse_ipv4(n->addresses[i], true, &a, &p) == 0 && p == prefix &&
                                    p > 0 && (a & m) == d)
                                        connected = true;
                        }
                if (connected)
                        continue;
                char ds[INET_ADDRSTRLEN], gs[INET_ADDRSTRLEN], cidr[INET_ADDRSTRLEN + 4];
                struct in_addr ia = { .s_addr = d }, ga = { .s_addr = g };
                inet_ntop(AF_INET, &ia, ds, sizeof(ds));
                inet_ntop(AF_INET, &ga, gs, sizeof(gs));
                snprintf(cidr, sizeof(cidr), "%s/%u", ds, prefix);
                if (kvm_net_add_route(n, cidr, (flags & 0x0002) ? gs : NULL) < 0)
                        return -ENOMEM;
        }
        return 0;
}

int kvm_net_tc_argv(const char *tc, const char *from, const char *to, bool filter, char ***ret) {
        _cleanup_strv_free_ char **v = NULL;
        const char *qdisc[] = { tc, "qdisc", "add", "dev", from, "ingress", NULL };
        /* u32 matching every packet: matchall is not built everywhere. */
        const char *redirect[] = { tc, "filter", "add", "dev", from, "parent", "ffff:", "protocol", "all",
                                   "u32", "match", "u8", "0", "0", "action", "mirred", "egress",
                                   "redirect", "dev", to, NULL };
        if (!(v = strv_copy((char *const *)(filter ? redirect : qdisc))))
                return -ENOMEM;
        *ret = TAKE_PTR(v);
        return 0;
}

int kvm_net_describe(const struct kvm_net *n, struct initspec *s) {
        struct initspec_iface *f;
        if (initspec_add_iface(s, n->mac, n->mtu, &f) < 0)
                return -ENOMEM;
        for (size_t i = 0; n->addresses && n->addresses[i]; i++)
                if (initspec_iface_add_address(f, n->addresses[i]) < 0)
                        return -ENOMEM;
        for (size_t i = 0; i < n->n_routes; i++)
                if (initspec_add_route(s, n->mac, n->routes[i].dst, n->routes[i].gateway) < 0)
                        return -ENOMEM;
        return 0;
}

/* ---- inside the namespace ---- */

struct in_ns {
        const char *netns;
        int (*fn)(struct kvm_net *n, struct podrt_error **err);
        struct kvm_net *n;
        struct podrt_error *err;
        int r;
};

static void *in_ns_thread(void *arg) {
        struct in_ns *t = arg;
        int fd = open(t->netns, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                t->r = podrt_error_set(&t->err, errno, "network namespace %s: %m", t->netns);
                return NULL;
        }
        if (setns(fd, CLONE_NEWNET) < 0) {
                t->r = podrt_error_set(&t->err, errno, "setns %s: %m", t->netns);
                close(fd);
                return NULL;
        }
        close(fd);
        t->r = t->fn(t->n, &t->err);
        return NULL;
}

/* fn(n) in a thread inside n->netns. */
static int in_netns(struct kvm_net *n, int (*fn)(struct kvm_net *, struct podrt_error **),
                    struct podrt_error **err) {
        struct in_ns t = { .netns = n->netns, .fn = fn, .n = n };
        pthread_t th;
        int r = pthread_create(&th, NULL, in_ns_thread, &t);
        if (r != 0)
                return podrt_error_set(err, r, "network: a thread: %s", strerror(r));
        pthread_join(th, NULL);
        if (t.r < 0) {
                r = podrt_error_set(err, t.r, "%s", t.err ? podrt_error_message(t.err) : strerror(-t.r));
                podrt_error_free(t.err);
                return r;
        }
        podrt_error_free(t.err);
        return 0;
}

static int read_link(struct kvm_net *n, struct podrt_error **err) {
        _cleanup_close_ int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return podrt_error_set(err, errno, "socket: %m");
        struct ifreq ifr = { 0 };
        snprintf(ifr.ifr_name, IFNAMSIZ, "%s", n->ifname);
        if (ioctl(sock, SIOCGIFHWADDR, &ifr) < 0) {
                if (errno == ENODEV) {
                        n->missing = true;
                        return 0;
                }
                return podrt_error_set(err, errno, "%s: %m", n->ifname);
        }
        if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
                return podrt_error_set(err, EPROTONOSUPPORT, "%s: not an Ethernet interface", n->ifname);
        const unsigned char *h = (const unsigned char *)ifr.ifr_hwaddr.sa_data;
        snprintf(n->mac, sizeof(n->mac), "%02x:%02x:%02x:%02x:%02x:%02x", h[0], h[1], h[2], h[3], h[4], h[5]);
        if (ioctl(sock, SIOCGIFMTU, &ifr) < 0)
                return podrt_error_set(err, errno, "%s: mtu: %m", n->ifname);
        n->mtu = (uint32_t)ifr.ifr_mtu;

        struct ifaddrs *ifa = NULL;
        if (getifaddrs(&ifa) < 0)
                return podrt_error_set(err, errno, "getifaddrs: %m");
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
                if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_netmask ||
                    strcmp(i->ifa_name, n->ifname) != 0)
                        continue;
                char a[INET_ADDRSTRLEN], cidr[INET_ADDRSTRLEN + 4];
                inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, a, sizeof(a));
                snprintf(cidr, sizeof(cidr), "%s/%u", a,
                         prefix_of(((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr));
                if (strv_push(&n->addresses, cidr) < 0) {
                        freeifaddrs(ifa);
                        return -ENOMEM;
                }
        }
        freeifaddrs(ifa);
        /* This thread's namespace: /proc/self/net is the main thread's. */
        _cleanup_free_ char *routes = NULL;
        int r = read_file("/proc/thread-self/net/route", 1 << 20, &routes, NULL);
        if (r < 0)
                return podrt_error_set(err, -r, "/proc/thread-self/net/route: %s", strerror(-r));
        return kvm_net_parse_routes(routes, n->ifname, n);
}

static const char *tc_binary(void) {
        static const char *const paths[] = { "/usr/sbin/tc", "/sbin/tc", "/usr/bin/tc", "/bin/tc" };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (access(paths[i], X_OK) == 0)
                        return paths[i];
        return NULL;
}

static int run_tc(char **argv, struct podrt_error **err) {
        _cleanup_close_ int out = memfd_create("podrt-tc", MFD_CLOEXEC);
        int status = 0;
        int r = run_program(argv, out, 10000, &status);
        if (r == -ETIMEDOUT)
                return podrt_error_set(err, ETIMEDOUT, "%s %s: timed out after 10 s", argv[0], argv[1]);
        if (r < 0)
                return podrt_error_set(err, -r, "%s: %s", argv[0], strerror(-r));
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
        char text[512] = "";
        if (out >= 0) {
                ssize_t k = pread(out, text, sizeof(text) - 1, 0);
                text[k > 0 ? k : 0] = '\0';
                text[strcspn(text, "\n")] = '\0';
        }
        _cleanup_free_ char *cmd = strv_join(argv, " ");
        return podrt_error_set(err, EIO, "%s: %s", cmd ? cmd : argv[0],
                               text[0] ? text : WIFEXITED(status) ? "failed" : "killed");
}

static int wire(struct kvm_net *n, struct podrt_error **err) {
        const char *tc = tc_binary();
        if (!tc)
                return podrt_error_set(err, ENOENT, "tc not found in /usr/sbin, /sbin, /usr/bin (apt-get install iproute2)");
        _cleanup_close_ int tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
        if (tun < 0)
                return podrt_error_set(err, errno, "/dev/net/tun: %m (modprobe tun)");
        struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
        snprintf(ifr.ifr_name, IFNAMSIZ, "%s", n->tap);
        if (ioctl(tun, TUNSETIFF, &ifr) < 0)
                return podrt_error_set(err, errno, "tap %s: TUNSETIFF: %m", n->tap);
        if (ioctl(tun, TUNSETPERSIST, 1) < 0)
                return podrt_error_set(err, errno, "tap %s: TUNSETPERSIST: %m", n->tap);
        _cleanup_close_ int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (sock < 0)
                return podrt_error_set(err, errno, "socket: %m");
        struct ifreq m = { .ifr_mtu = (int)n->mtu };
        snprintf(m.ifr_name, IFNAMSIZ, "%s", n->tap);
        if (n->mtu && ioctl(sock, SIOCSIFMTU, &m) < 0)
                return podrt_error_set(err, errno, "tap %s: mtu %u: %m", n->tap, n->mtu);
        if (ioctl(sock, SIOCGIFFLAGS, &m) < 0)
                return podrt_error_set(err, errno, "tap %s: %m", n->tap);
        m.ifr_flags |= IFF_UP;
        if (ioctl(sock, SIOCSIFFLAGS, &m) < 0)
                return podrt_error_set(err, errno, "tap %s: up: %m", n->tap);
        const char *pairs[2][2] = { { n->ifname, n->tap }, { n->tap, n->ifname } };
        for (size_t p = 0; p < 2; p++)
                for (int filter = 0; filter <= 1; filter++) {
                        _cleanup_strv_free_ char **argv = NULL;
                        if (kvm_net_tc_argv(tc, pairs[p][0], pairs[p][1], filter, &argv) < 0)
                                return -ENOMEM;
                        int r = run_tc(argv, err);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* ---- the backend's calls ---- */

/* The namespace's interface from network.json (the interface with a
 * sandbox), else "eth0". */
static char *iface_from_network_json(const char *pod_dir, bool *ret_found) {
        _cleanup_free_ char *path = path_join(pod_dir, "network.json");
        *ret_found = false;
        if (!path)
                return NULL;
        struct json_object *o = json_object_from_file(path), *ifs;
        char *name = NULL;
        if (o) {
                *ret_found = true;
                if (json_object_object_get_ex(o, "interfaces", &ifs) && json_object_is_type(ifs, json_type_array))
                        for (size_t i = 0; !name && i < json_object_array_length(ifs); i++) {
                                struct json_object *it = json_object_array_get_idx(ifs, i), *sb, *nm;
                                if (json_object_object_get_ex(it, "sandbox", &sb) &&
                                    json_object_is_type(sb, json_type_string) && *json_object_get_string(sb) &&
                                    json_object_object_get_ex(it, "name", &nm) && json_object_is_type(nm, json_type_string))
                                        name = strdup(json_object_get_string(nm));
                        }
                json_object_put(o);
        }
        return name ? name : strdup(KVM_NET_IFNAME);
}

int kvm_net_probe(const struct podrt_pod *pod, struct kvm_net **ret, struct podrt_error **err) {
        *ret = NULL;
        const char *netns = podrt_pod_netns_path(pod);
        if (!netns || !*netns)
                return 0;   /* the host's network, or none made */
        _cleanup_(kvm_net_freep) struct kvm_net *n = calloc(1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        bool has_json = false;
        n->ifname = iface_from_network_json(podrt_pod_dir(pod), &has_json);
        n->netns = strdup(netns);
        n->tap = strdup(KVM_NET_TAP);
        if (!n->ifname || !n->netns || !n->tap)
                return -ENOMEM;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = in_netns(n, read_link, &e);
        if (r < 0 && !has_json)
                return 0;   /* a namespace we cannot read (none's, rootless): as before, no device */
        if (r < 0)
                return podrt_error_set(err, r, "network of pod %s: %s", podrt_pod_name(pod), podrt_error_message(e));
        if (n->missing) {
                if (has_json)
                        return podrt_error_set(err, ENODEV, "network of pod %s: network.json names %s, not in %s",
                                               podrt_pod_name(pod), n->ifname, netns);
                return 0;   /* only loopback: no device for the guest */
        }
        *ret = TAKE_PTR(n);
        return 0;
}

int kvm_net_wire(struct kvm_net *n, struct podrt_error **err) {
        int r = in_netns(n, wire, err);
        return r < 0 ? podrt_error_set(err, r, "wiring the VM to %s in %s", n->ifname, n->netns) : 0;
}

int kvm_net_enter(const char *netns, struct podrt_error **err) {
        if (!netns || !*netns)
                return 0;
        _cleanup_close_ int fd = open(netns, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return podrt_error_set(err, errno, "the pod's network namespace %s: %m", netns);
        if (setns(fd, CLONE_NEWNET) < 0)
                return podrt_error_set(err, errno, "setns %s: %m", netns);
        return 0;
}

int kvm_net_check(struct podrt_check *check) {
        const char *tc = tc_binary();
        int r = podrt_check_add(check, "tc", (tc ? PODRT_CHECK_OK : 0) | PODRT_CHECK_OPTIONAL, "%s",
                                tc ? tc : "not found (apt-get install iproute2): kvm pods on a network need it");
        if (r < 0)
                return r;
        bool tun = access("/dev/net/tun", R_OK | W_OK) == 0;
        return podrt_check_add(check, "/dev/net/tun", (tun ? PODRT_CHECK_OK : 0) | PODRT_CHECK_OPTIONAL, "%s",
                               tun ? "usable" : "missing (modprobe tun): kvm pods on a network need it");
}
