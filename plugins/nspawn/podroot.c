/* SPDX-License-Identifier: Apache-2.0 */
/* The pod root of a pod under nspawn, its description and its nspawn
 * configuration (see podroot.h for the layout). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capsets.h"
#include "errors.h"
#include "fileio.h"
#include "nspawn.h"
#include "podroot.h"
#include "strv.h"

#define OS_RELEASE "ID=podrt\nNAME=\"podrt pod\"\n"

char *nspawn_pod_path(const struct podrt_pod *pod, const char *rel) {
        char *s = NULL;
        return asprintf(&s, "%s/%s", podrt_pod_dir(pod), rel) < 0 ? NULL : s;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *format(const char *fmt, ...) {
        va_list ap;
        char *s = NULL;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

/* ---- capabilities --------------------------------------------------------- */

static int app_caps(struct podrt_app *app, uint64_t *ret, struct podrt_error **err) {
        if (nspawn_caps_app(podrt_app_caps_add(app), podrt_app_caps_drop(app), ret) < 0)
                return podrt_error_set(err, EINVAL, "app %s: unknown capability", podrt_app_name(app));
        return 0;
}

int nspawn_pod_caps(struct podrt_pod *pod, int cap_last, char ***ret_add, char ***ret_drop,
                    struct podrt_error **err) {
        uint64_t any = 0;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                uint64_t m;
                int r = app_caps(podrt_pod_app(pod, i), &m, err);
                if (r < 0)
                        return r;
                any |= m;
        }
        uint64_t nd = nspawn_caps_nspawn_default();
        /* Added: what an app has beyond nspawn's default.  Dropped: what no
         * app has, unless podrt-init needs it to set the apps up. */
        _cleanup_strv_free_ char **add = nspawn_caps_names(any & ~nd, cap_last);
        _cleanup_strv_free_ char **drop = nspawn_caps_names(nd & ~any & ~nspawn_caps_init_needs(),
                                                            cap_last);
        if (!add || !drop)
                return podrt_error_set(err, ENOMEM, "out of memory");
        *ret_add = TAKE_PTR(add);
        *ret_drop = TAKE_PTR(drop);
        return 0;
}

/* ---- the nspawn configuration ------------------------------------------------- */

/* The sum of every app's limit, or 0 when one app has none. */
static int64_t pod_limit(struct podrt_pod *pod, int64_t (*get)(const struct podrt_app *)) {
        int64_t sum = 0;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                int64_t v = get(podrt_pod_app(pod, i));
                if (v <= 0)
                        return 0;
                sum += v;
        }
        return sum;
}

static int config_binds(struct podrt_pod *pod, struct nspawn_config *c, struct podrt_error **err) {
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                const char *rootfs = podrt_app_rootfs(app);
                if (!rootfs || rootfs[0] != '/')
                        return podrt_error_set(err, ENOENT, "app %s: no root filesystem (does the pod's manifest still load?)",
                                               podrt_app_name(app));
                _cleanup_free_ char *target = format(NSPAWN_STAGE2 "/%s/rootfs", podrt_app_name(app));
                if (!target || nspawn_config_add_bind(c, rootfs, target, false) < 0)
                        return podrt_error_set(err, ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < podrt_pod_n_volumes(pod); i++) {
                struct podrt_volume *vol = podrt_pod_volume(pod, i);
                _cleanup_free_ char *target = format(NSPAWN_VOLUMES "/%s", podrt_volume_name(vol));
                if (!target || nspawn_config_add_bind(c, podrt_volume_source(vol), target,
                                                      podrt_volume_read_only(vol)) < 0)
                        return podrt_error_set(err, ENOMEM, "out of memory");
        }
        return 0;
}

int nspawn_pod_config(struct podrt_pod *pod, const struct nspawn_host_info *h,
                      struct nspawn_config **ret, struct podrt_error **err) {
        _cleanup_(nspawn_config_freep) struct nspawn_config *c = calloc(1, sizeof(*c));
        if (!c)
                return podrt_error_set(err, ENOMEM, "out of memory");
        const char *netns = podrt_pod_netns_path(pod), *network = podrt_pod_network(pod);
        c->binary = strdup(h->binary);
        c->directory = nspawn_pod_path(pod, "nspawn/root");
        c->pod_id = strdup(podrt_pod_id(pod));
        c->hostname = strdup(podrt_pod_hostname(pod));
        c->systemd = h->systemd;
        c->network = strdup(network ? network : "none");
        c->netns_path = netns ? strdup(netns) : NULL;
        c->init = strdup(h->init);
        if (!c->binary || !c->directory || !c->pod_id || !c->hostname || !c->network ||
            (netns && !c->netns_path) || !c->init)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = config_binds(pod, c, err);
        if (r < 0)
                return r;
        r = nspawn_pod_caps(pod, h->cap_last, &c->caps_add, &c->caps_drop, err);
        if (r < 0)
                return r;
        c->memory_bytes = pod_limit(pod, podrt_app_memory_limit);
        c->cpu_millis = pod_limit(pod, podrt_app_cpu_millis);
        c->pids = pod_limit(pod, podrt_app_pids_limit);
        *ret = TAKE_PTR(c);
        return 0;
}

/* ---- the description -------------------------------------------------------- */

static bool has_dns(struct podrt_pod *pod) {
        const char *const *s = podrt_pod_dns_servers(pod), *const *q = podrt_pod_dns_searches(pod),
                          *const *o = podrt_pod_dns_options(pod);
        return (s && s[0]) || (q && q[0]) || (o && o[0]);
}

static int copy_strv(const char *const *from, char ***to) {
        if (!from)
                return 0;
        *to = strv_copy((char *const *)from);
        return *to ? 0 : -ENOMEM;
}

int nspawn_app_spec(struct podrt_app *app, const char *root, int stdio_index, int cap_last,
                    struct initspec *s, struct podrt_error **err) {
        struct podrt_pod *pod = podrt_app_pod(app);
        const char *name = podrt_app_name(app);
        struct initspec_app *a;
        uint64_t caps;
        int r;
        if (initspec_add_app(s, name, root, &a) < 0)
                return -ENOMEM;
        if ((r = app_caps(app, &caps, err)) < 0)
                return r;
        const char *wd = podrt_app_working_dir(app);
        size_t n_groups = 0;
        const uint32_t *groups = podrt_app_groups(app, &n_groups);
        if (copy_strv(podrt_app_command(app), &a->argv) < 0 ||
            copy_strv(podrt_app_env(app), &a->env) < 0 ||
            (wd && *wd && !(a->workdir = strdup(wd))) ||
            !(a->caps_drop = nspawn_caps_names(~caps, cap_last)) ||
            copy_strv(podrt_app_pre_start(app), &a->pre_start) < 0 ||
            copy_strv(podrt_app_post_stop(app), &a->post_stop) < 0 ||
            (stdio_index >= 0 && !(a->stdout_path = format("/proc/self/fd/%d", 3 + 2 * stdio_index))) ||
            (stdio_index >= 0 && !(a->stderr_path = format("/proc/self/fd/%d", 4 + 2 * stdio_index))) ||
            /* The first app's stdin: the descriptor after the outputs. */
            (stdio_index == 0 && !(a->stdin_path = format("/proc/self/fd/%zu", 3 + 2 * podrt_pod_n_apps(pod)))) ||
            !(a->status_path = format("/podrt/status/%s", name)) ||
            !(a->pid_path = format("/podrt/pids/%s", name)))
                return -ENOMEM;
        a->uid = podrt_app_uid(app);
        a->gid = podrt_app_gid(app);
        for (size_t k = 0; k < n_groups; k++)
                if (initspec_app_add_group(a, groups[k]) < 0)
                        return -ENOMEM;
        a->read_only_root = podrt_app_read_only_rootfs(app);
        for (size_t k = 0; k < podrt_app_n_mounts(app); k++) {
                _cleanup_free_ char *src = format(NSPAWN_VOLUMES "/%s",
                                                  podrt_volume_name(podrt_app_mount_volume(app, k)));
                if (!src || initspec_app_add_bind(a, src, podrt_app_mount_path(app, k),
                                                  podrt_app_mount_read_only(app, k)) < 0)
                        return -ENOMEM;
        }
        if (podrt_pod_n_hosts(pod) > 0 && initspec_app_add_bind(a, "/podrt/etc/hosts", "/etc/hosts", true) < 0)
                return -ENOMEM;
        if (has_dns(pod) && initspec_app_add_bind(a, "/podrt/etc/resolv.conf", "/etc/resolv.conf", true) < 0)
                return -ENOMEM;
        return 0;
}

int nspawn_pod_spec(struct podrt_pod *pod, int cap_last, struct initspec **ret,
                    struct podrt_error **err) {
        _cleanup_(initspec_freep) struct initspec *s = initspec_new();
        /* control: apps added to the running pod (apps.c). */
        if (!s || !(s->hostname = strdup(podrt_pod_hostname(pod))) || !(s->control_path = strdup(NSPAWN_CONTROL)))
                return podrt_error_set(err, ENOMEM, "out of memory");
        /* A sandbox: podrt-init stays for apps added later, until a stop. */
        const char *sandbox = podrt_pod_annotation(pod, PODRT_SANDBOX_ANNOTATION);
        s->linger = sandbox && !strcmp(sandbox, "true");
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                _cleanup_free_ char *root = format(NSPAWN_STAGE2 "/%s/rootfs", podrt_app_name(app));
                int r = root ? nspawn_app_spec(app, root, (int)i, cap_last, s, err) : -ENOMEM;
                if (r == -ENOMEM)
                        return podrt_error_set(err, ENOMEM, "out of memory");
                if (r < 0)
                        return r;
        }
        int r = initspec_validate(s, err);
        if (r < 0)
                return podrt_error_set(err, r, "pod description");
        *ret = TAKE_PTR(s);
        return 0;
}

/* ---- /etc files ----------------------------------------------------------------- */

static void put_list(FILE *f, const char *key, const char *const *v) {
        if (!v || !v[0])
                return;
        fputs(key, f);
        for (size_t i = 0; v[i]; i++)
                fprintf(f, " %s", v[i]);
        fputc('\n', f);
}

static char *hosts_text(struct podrt_pod *pod) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
                return NULL;
        fprintf(f, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                   "127.0.1.1\t%s\n", podrt_pod_hostname(pod));
        for (size_t i = 0; i < podrt_pod_n_hosts(pod); i++) {
                const char *const *names = podrt_pod_host_names(pod, i);
                fputs(podrt_pod_host_ip(pod, i), f);
                for (size_t k = 0; names && names[k]; k++)
                        fprintf(f, "%c%s", k ? ' ' : '\t', names[k]);
                fputc('\n', f);
        }
        if (fclose(f) != 0) {
                free(text);
                return NULL;
        }
        return text;
}

static char *resolv_text(struct podrt_pod *pod) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f)
                return NULL;
        const char *const *servers = podrt_pod_dns_servers(pod);
        for (size_t i = 0; servers && servers[i]; i++)
                fprintf(f, "nameserver %s\n", servers[i]);
        put_list(f, "search", podrt_pod_dns_searches(pod));
        put_list(f, "options", podrt_pod_dns_options(pod));
        if (fclose(f) != 0) {
                free(text);
                return NULL;
        }
        return text;
}

/* ---- building and removing the pod root ---------------------------------------- */

static int write_text(const char *path, const char *text, mode_t mode, struct podrt_error **err) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
        size_t n = strlen(text);
        ssize_t w = write(fd, text, n);
        int e = w < 0 ? errno : (size_t)w != n ? EIO : 0;
        if (close(fd) < 0 && !e)
                e = errno;
        return e ? podrt_error_set(err, e, "%s: %s", path, strerror(e)) : 0;
}

/* mkdir -p of rel below base (base exists). */
static int make_dirs(const char *base, const char *rel, struct podrt_error **err) {
        _cleanup_free_ char *p = format("%s/%s", base, rel);
        if (!p)
                return podrt_error_set(err, ENOMEM, "out of memory");
        for (char *s = p + strlen(base) + 1;; s++) {
                if (*s != '/' && *s != '\0')
                        continue;
                char c = *s;
                *s = '\0';
                if (mkdir(p, 0755) < 0 && errno != EEXIST)
                        return podrt_error_set(err, errno, "%s: %s", p, strerror(errno));
                *s = c;
                if (!c)
                        return 0;
        }
}

static int build_root(struct podrt_pod *pod, const char *root, const struct initspec *spec,
                      struct podrt_error **err) {
        int r;
        if ((r = make_dirs(root, "usr/lib", err)) < 0 || (r = make_dirs(root, "podrt/status", err)) < 0 ||
            (r = make_dirs(root, "podrt/pids", err)) < 0 || (r = make_dirs(root, "podrt/apps", err)) < 0)
                return r;
        _cleanup_free_ char *os = format("%s/usr/lib/os-release", root);
        _cleanup_free_ char *init = format("%s" NSPAWN_INIT_PATH, root);
        if (!os || !init)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if ((r = write_text(os, OS_RELEASE, 0644, err)) < 0 || (r = write_text(init, "", 0755, err)) < 0)
                return r;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                _cleanup_free_ char *rel = format("opt/stage2/%s/rootfs", podrt_app_name(podrt_pod_app(pod, i)));
                if (!rel)
                        return podrt_error_set(err, ENOMEM, "out of memory");
                if ((r = make_dirs(root, rel, err)) < 0)
                        return r;
        }
        for (size_t i = 0; i < podrt_pod_n_volumes(pod); i++) {
                _cleanup_free_ char *rel = format("podrt/volumes/%s", podrt_volume_name(podrt_pod_volume(pod, i)));
                if (!rel)
                        return podrt_error_set(err, ENOMEM, "out of memory");
                if ((r = make_dirs(root, rel, err)) < 0)
                        return r;
        }
        if (podrt_pod_n_hosts(pod) > 0 || has_dns(pod)) {
                if ((r = make_dirs(root, "podrt/etc", err)) < 0)
                        return r;
                struct { bool want; const char *name; char *(*text)(struct podrt_pod *); } files[] = {
                        { podrt_pod_n_hosts(pod) > 0, "hosts", hosts_text },
                        { has_dns(pod), "resolv.conf", resolv_text },
                };
                for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                        if (!files[i].want)
                                continue;
                        _cleanup_free_ char *path = format("%s/podrt/etc/%s", root, files[i].name);
                        _cleanup_free_ char *text = files[i].text(pod);
                        if (!path || !text)
                                return podrt_error_set(err, ENOMEM, "out of memory");
                        if ((r = write_text(path, text, 0644, err)) < 0)
                                return r;
                }
        }
        _cleanup_free_ char *conf = format("%s" INITSPEC_DEFAULT_PATH, root);
        if (!conf)
                return podrt_error_set(err, ENOMEM, "out of memory");
        return initspec_write_file(spec, conf, err);
}

/* 1 when path is a mount point (on another device than its parent). */
int nspawn_podroot_create(struct podrt_pod *pod, const struct initspec *spec,
                          struct podrt_error **err) {
        _cleanup_free_ char *own = nspawn_pod_path(pod, "nspawn");
        _cleanup_free_ char *root = nspawn_pod_path(pod, "nspawn/root");
        if (!root || !own)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if (mkdir(own, 0700) < 0)
                return podrt_error_set(err, errno, "%s: %s", own, strerror(errno));
        /* A small tmpfs: the tree is a few files, made and removed at every
         * run, and nspawn adds its own mount points to it.  Where mounting
         * is not allowed, a plain directory does the same, slower. */
        if (mount("tmpfs", own, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700,size=4m") < 0 &&
            errno != EPERM && errno != EACCES) {
                int r = podrt_error_set(err, errno, "%s: mounting a tmpfs: %s", own, strerror(errno));
                rmdir(own);
                return r;
        }
        int r = 0;
        if (mkdir(root, 0755) < 0)
                r = podrt_error_set(err, errno, "%s: %s", root, strerror(errno));
        if (r >= 0)
                r = build_root(pod, root, spec, err);
        if (r < 0)
                nspawn_podroot_remove(pod, NULL);
        return r;
}

int nspawn_podroot_refresh(struct podrt_pod *pod, const struct initspec *spec, struct podrt_error **err) {
        _cleanup_free_ char *root = nspawn_pod_path(pod, "nspawn/root");
        if (!root)
                return podrt_error_set(err, ENOMEM, "out of memory");
        return build_root(pod, root, spec, err);
}

int nspawn_podroot_remove(struct podrt_pod *pod, struct podrt_error **err) {
        _cleanup_free_ char *own = nspawn_pod_path(pod, "nspawn");
        if (!own)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if (path_is_mount_point(own) && umount2(own, MNT_DETACH) < 0 && errno != EINVAL)
                return podrt_error_set(err, errno, "unmounting %s: %s", own, strerror(errno));
        int r = rm_rf(own);
        if (r < 0)
                return podrt_error_set(err, r, "removing %s: %s", own, strerror(-r));
        return 0;
}
