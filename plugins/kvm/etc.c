/* SPDX-License-Identifier: Apache-2.0 */
/* The /etc files a pod's apps see in the guest: hosts (localhost, the
 * manifest's entries, the hostname), hostname, and resolv.conf (the
 * manifest's dns; the guest has no network yet, so nothing of the host's).
 * They are written on the status share and bound read-only over the app's
 * own file, where its root has one: podrt never creates files in an app's
 * root filesystem (it is the user's folder, shared over 9p). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <podrt/objects.h>

#include "kvm.h"

static char *etc_hosts(const struct podrt_pod *pod) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        const char *hostname = podrt_pod_hostname(pod);
        fputs("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n", f);
        bool named = false;
        for (size_t i = 0; i < podrt_pod_n_hosts(pod); i++) {
                const char *const *names = podrt_pod_host_names(pod, i);
                fputs(podrt_pod_host_ip(pod, i), f);
                for (size_t j = 0; names && names[j]; j++) {
                        fprintf(f, "%c%s", j ? ' ' : '\t', names[j]);
                        named = named || !strcmp(names[j], hostname);
                }
                fputc('\n', f);
        }
        if (!named && hostname && *hostname)
                fprintf(f, "127.0.1.1\t%s\n", hostname);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

static char *etc_resolv(const struct podrt_pod *pod) {
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);
        if (!f)
                return NULL;
        const char *const *searches = podrt_pod_dns_searches(pod);
        for (size_t i = 0; searches && searches[i]; i++)
                fprintf(f, "%s%s", i ? " " : "search ", searches[i]);
        if (searches && searches[0])
                fputc('\n', f);
        const char *const *servers = podrt_pod_dns_servers(pod);
        for (size_t i = 0; servers && servers[i]; i++)
                fprintf(f, "nameserver %s\n", servers[i]);
        const char *const *options = podrt_pod_dns_options(pod);
        for (size_t i = 0; options && options[i]; i++)
                fprintf(f, "%s%s", i ? " " : "options ", options[i]);
        if (options && options[0])
                fputc('\n', f);
        if (fclose(f) != 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

int kvm_etc_write(const struct podrt_pod *pod, const char *etc_dir, struct podrt_error **err) {
        int r = mkdir_p(etc_dir, 0755);
        if (r < 0)
                return podrt_error_set(err, -r, "%s: %s", etc_dir, strerror(-r));
        _cleanup_free_ char *hosts = etc_hosts(pod), *resolv = etc_resolv(pod), *hostname = NULL;
        if (!hosts || !resolv || asprintf(&hostname, "%s\n", podrt_pod_hostname(pod)) < 0)
                return -ENOMEM;
        const char *names[] = { "hosts", "resolv.conf", "hostname" };
        const char *texts[] = { hosts, resolv, hostname };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *path = path_join(etc_dir, names[i]);
                if (!path)
                        return -ENOMEM;
                if ((r = write_file_atomic(path, texts[i], strlen(texts[i]), 0644, 0)) < 0)
                        return podrt_error_set(err, -r, "%s: %s", path, strerror(-r));
        }
        return 0;
}

bool kvm_etc_bindable(const struct podrt_app *app, const char *name) {
        const char *root = podrt_app_rootfs(app);
        if (!root)
                return false;
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/etc/%s", root, name) < 0)
                return false;
        struct stat st;
        return lstat(path, &st) == 0 && S_ISREG(st.st_mode);
}
