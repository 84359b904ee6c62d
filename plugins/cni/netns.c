/* SPDX-License-Identifier: Apache-2.0 */
/* The pod's network namespace, made as the core's `none` network makes it
 * (core/network.c): a fresh namespace with lo up, kept alive by a bind
 * mount on <pod dir>/netns (as `ip netns add` does), so that every app of
 * the pod and every CNI plugin reach the same one by its path. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cni.h"
#include "macro.h"

static int loopback_up(struct podrt_error **err) {
        _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr = { .ifr_name = "lo" };
        if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                return podrt_error_set(err, errno, "cni: lo: %m");
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                return podrt_error_set(err, errno, "cni: lo up: %m");
        return 0;
}

int cni_netns_remove(const char *path, struct podrt_error **err) {
        if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return podrt_error_set(err, errno, "cni: umount %s: %m", path);
        if (unlink(path) < 0 && errno != ENOENT)
                return podrt_error_set(err, errno, "cni: %s: %m", path);
        return 0;
}

int cni_netns_create(const char *path, struct podrt_error **err) {
        _cleanup_close_ int file = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (file < 0)
                return podrt_error_set(err, errno, "cni: %s: %m", path);
        _cleanup_close_ int host = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        if (host < 0) {
                int r = podrt_error_set(err, errno, "cni: /proc/self/ns/net: %m");
                unlink(path);
                return r;
        }
        if (unshare(CLONE_NEWNET) < 0) {
                int r = podrt_error_set(err, errno, "cni: unshare: %m");
                unlink(path);
                return r;
        }
        int r = loopback_up(err);
        if (r >= 0 && mount("/proc/thread-self/ns/net", path, NULL, MS_BIND, NULL) < 0)
                r = podrt_error_set(err, errno, "cni: bind %s: %m", path);
        /* Back to our own namespace whatever happened. */
        if (setns(host, CLONE_NEWNET) < 0 && r >= 0)
                r = podrt_error_set(err, errno, "cni: setns back: %m");
        if (r < 0)
                cni_netns_remove(path, NULL);
        return r;
}
