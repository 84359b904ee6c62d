/* SPDX-License-Identifier: Apache-2.0 */
/* Built-in networks.  "none": a fresh network namespace with only lo, up,
 * kept alive by a bind mount on <pod dir>/netns (as `ip netns add` does), so
 * that every app of the pod joins the same one.  "host": the host's. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "podrt-build.h"
#include "builtins.h"
#include "internal.h"

static int loopback_up(struct podrt_error **err) {
        _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr = { .ifr_name = "lo" };
        if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                return podrt_error_set(err, errno, "lo: %m");
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                return podrt_error_set(err, errno, "lo up: %m");
        return 0;
}

static char *netns_file(struct podrt_pod *pod) {
        char *p = NULL;
        return asprintf(&p, "%s/netns", podrt_pod_dir(pod)) < 0 ? NULL : p;
}

static int none_teardown(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        _cleanup_free_ char *path = netns_file(pod);
        if (!path)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return podrt_error_set(err, errno, "network none: umount %s: %m", path);
        if (unlink(path) < 0 && errno != ENOENT)
                return podrt_error_set(err, errno, "network none: %s: %m", path);
        podrt_pod_set_netns_path(pod, NULL);
        return 0;
}

int network_none_begin(struct podrt_pod *pod, struct podrt_error **err) {
        _cleanup_free_ char *path = netns_file(pod);
        if (!path)
                return podrt_error_set(err, ENOMEM, "out of memory");
        _cleanup_close_ int file = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (file < 0)
                return podrt_error_set(err, errno, "network none: %s: %m", path);
        return podrt_pod_set_netns_path(pod, path) < 0 ? podrt_error_set(err, ENOMEM, "out of memory") : 0;
}

int network_none_make(const struct podrt_pod *pod, struct podrt_error **err) {
        const char *path = podrt_pod_netns_path(pod);
        _cleanup_close_ int host = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (host < 0)
                return podrt_error_set(err, errno, "network none: /proc/thread-self/ns/net: %m");
        if (unshare(CLONE_NEWNET) < 0)
                return podrt_error_set(err, errno, "network none: unshare: %m");
        int r = loopback_up(err);
        if (r >= 0 && mount("/proc/thread-self/ns/net", path, NULL, MS_BIND, NULL) < 0)
                r = podrt_error_set(err, errno, "network none: bind %s: %m", path);
        /* Back to the host's namespace whatever happened. */
        if (setns(host, CLONE_NEWNET) < 0 && r >= 0)
                r = podrt_error_set(err, errno, "network none: setns back: %m");
        return r;
}

static int none_setup(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        int r = network_none_begin(pod, err);
        if (r >= 0 && (r = network_none_make(pod, err)) < 0)
                none_teardown(data, pod, 0, NULL);
        return r;
}


static int host_setup(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        return podrt_pod_set_netns_path(pod, NULL);
}

static int host_teardown(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        return 0;
}

static const struct podrt_network_ops none_ops = {
        .version = PODRT_NETWORK_OPS_VERSION,
        .size = sizeof(struct podrt_network_ops),
        .setup = none_setup,
        .teardown = none_teardown,
};

static const struct podrt_network_ops host_ops = {
        .version = PODRT_NETWORK_OPS_VERSION,
        .size = sizeof(struct podrt_network_ops),
        .setup = host_setup,
        .teardown = host_teardown,
};

const struct podrt_plugin builtin_network_none = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "none",
        .version = PODRT_VERSION,
        .description = "network: a private namespace with only loopback",
        .network = &none_ops,
};

const struct podrt_plugin builtin_network_host = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "host",
        .version = PODRT_VERSION,
        .description = "network: the host's namespace",
        .network = &host_ops,
};

bool network_is_none(const struct podrt_network_ops *ops) {
        return ops == &none_ops;
}
