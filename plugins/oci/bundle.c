/* SPDX-License-Identifier: Apache-2.0 */
/* Writing and removing a pod's bundles. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "passthrough.h"
#include "cgroup.h"
#include "errors.h"
#include "etcfiles.h"
#include "fileio.h"
#include "namespaces.h"
#include "strv.h"

#define ENGINE "podrt-oci"

char *oci_pod_path(const struct podrt_pod *pod, const char *name) {
        char *p = NULL;
        return asprintf(&p, "%s/oci-%s", podrt_pod_dir(pod), name) < 0 ? NULL : p;
}

char *oci_app_path(const struct podrt_app *app, const char *name) {
        char *p = NULL;
        return asprintf(&p, "%s/%s", podrt_app_dir(app), name) < 0 ? NULL : p;
}

/* Keeps s in in->owned; returns it (NULL when s was NULL or on ENOMEM). */
static char *own(struct oci_app_input *in, char *s) {
        if (!s)
                return NULL;
        if (strv_consume(&in->owned, s) < 0) {
                free(s);
                return NULL;
        }
        return s;
}

void oci_app_input_done(struct oci_app_input *in) {
        free(in->binds);
        free(in->annotation_keys);
        free(in->annotation_values);
        strv_free(in->owned);
        *in = (struct oci_app_input){0};
}

int oci_app_input(struct podrt_app *app, const struct oci_runtime *rt, uint64_t nofile,
                  struct oci_app_input *in, struct podrt_error **err) {
        struct podrt_pod *pod = podrt_app_pod(app);
        size_t n_mounts = podrt_app_n_mounts(app);
        size_t n_apps = podrt_pod_n_apps(pod);
        size_t n_ann = podrt_pod_n_annotations(pod);
        int r = -ENOMEM;

        *in = (struct oci_app_input){0};
        in->binds = calloc(n_mounts + 4, sizeof(struct oci_bind));
        in->annotation_keys = calloc(n_ann + 1, sizeof(char *));
        in->annotation_values = calloc(n_ann + 1, sizeof(char *));
        if (!in->binds || !in->annotation_keys || !in->annotation_values)
                goto fail;

        struct oci_container *c = &in->c;
        char *where = NULL;
        if (asprintf(&where, "containers[%zu]", podrt_app_index(app)) < 0 || !own(in, where))
                goto fail;
        c->where = where;
        /* Who: the pod, the app, its user. */
        c->pod_id = podrt_pod_id(pod);
        c->pod_name = podrt_pod_name(pod);
        c->name = podrt_app_name(app);
        c->id = podrt_app_id(app);
        c->hostname = podrt_pod_hostname(pod);
        c->uid = podrt_app_uid(app);
        c->gid = podrt_app_gid(app);
        c->groups = podrt_app_groups(app, &c->n_groups);
        /* What it runs, where, with which limits and capabilities. */
        c->rootfs = podrt_app_rootfs(app);
        c->read_only_rootfs = podrt_app_read_only_rootfs(app);
        c->args = podrt_app_command(app);
        c->env = podrt_app_env(app);
        c->cwd = podrt_app_working_dir(app);
        c->nofile = nofile;
        c->caps_add = podrt_app_caps_add(app);
        c->caps_drop = podrt_app_caps_drop(app);
        c->runtime_path = rt ? rt->path : NULL;
        c->runtime_root = rt ? rt->root : NULL;

        size_t nb = 0;
        for (size_t i = 0; i < n_mounts; i++) {
                struct podrt_volume *vol = podrt_app_mount_volume(app, i);
                in->binds[nb++] = (struct oci_bind){
                        .source = podrt_volume_source(vol),
                        .destination = podrt_app_mount_path(app, i),
                        .read_only = podrt_app_mount_read_only(app, i),
                };
        }
        static const char *const etc[][2] = {
                {"hosts", "/etc/hosts"}, {"resolv.conf", "/etc/resolv.conf"}, {"hostname", "/etc/hostname"}};
        for (size_t i = 0; i < ELEMENTSOF(etc); i++) {
                char *src = own(in, oci_pod_path(pod, etc[i][0]));
                if (!src)
                        goto fail;
                in->binds[nb++] = (struct oci_bind){src, etc[i][1], false, true};
        }
        char *cenv = own(in, oci_app_path(app, "containerenv"));
        if (!cenv)
                goto fail;
        in->binds[nb++] = (struct oci_bind){cenv, "/run/.containerenv", true, true};
        c->binds = in->binds;
        c->n_binds = nb;

        c->netns_path = podrt_pod_netns_path(pod);
        c->host_network = c->netns_path == NULL;
        if (n_apps > 1) {
                if (!(c->uts_path = own(in, oci_pod_path(pod, "uts"))) ||
                    !(c->ipc_path = own(in, oci_pod_path(pod, "ipc"))))
                        goto fail;
        }
        c->cgroup_ns = oci_cgroup_is_v2();
        if (!(c->cgroups_path = own(in, oci_cgroup_app_path(c->pod_id, c->name))))
                goto fail;
        c->memory = podrt_app_memory_limit(app);
        c->cpu_millis = podrt_app_cpu_millis(app);
        c->pids = podrt_app_pids_limit(app);

        for (size_t i = 0; i < n_ann; i++) {
                in->annotation_keys[i] = podrt_pod_annotation_key(pod, i);
                in->annotation_values[i] = podrt_pod_annotation_value(pod, i);
        }
        c->annotation_keys = in->annotation_keys;
        c->annotation_values = in->annotation_values;
        c->n_annotations = n_ann;
        return 0;
fail:
        oci_app_input_done(in);
        return podrt_error_set(err, r, "out of memory");
}

/* ---- create ------------------------------------------------------------------ */

static int write_text(const char *path, const char *text, mode_t mode, struct podrt_error **err) {
        if (!text)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = write_file_new(path, text, strlen(text), mode);
        if (r < 0)
                return podrt_error_set(err, r, "%s: %s", path, strerror(-r));
        return 0;
}

static int write_etc_files(struct podrt_pod *pod, struct podrt_error **err) {
        bool host_network = podrt_pod_netns_path(pod) == NULL;
        const char *hostname = podrt_pod_hostname(pod);
        _cleanup_free_ char *host_hosts = NULL, *host_resolv = NULL, *hosts = NULL, *resolv = NULL,
                            *hn = NULL, *p_hosts = NULL, *p_resolv = NULL, *p_hostname = NULL;
        size_t n = podrt_pod_n_hosts(pod);
        _cleanup_free_ struct oci_host_entry *entries = calloc(n + 1, sizeof(*entries));
        if (!entries)
                return podrt_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
                entries[i] = (struct oci_host_entry){podrt_pod_host_ip(pod, i),
                                                     podrt_pod_host_names(pod, i)};

        if (host_network)
                (void)read_file("/etc/hosts", 0, &host_hosts, NULL);
        (void)read_file("/etc/resolv.conf", 0, &host_resolv, NULL);

        hosts = oci_etc_hosts(host_hosts, host_network, hostname, entries, n);
        resolv = oci_etc_resolv(host_resolv, host_network, podrt_pod_dns_servers(pod),
                                podrt_pod_dns_searches(pod), podrt_pod_dns_options(pod));
        hn = oci_etc_hostname(hostname);
        p_hosts = oci_pod_path(pod, "hosts");
        p_resolv = oci_pod_path(pod, "resolv.conf");
        p_hostname = oci_pod_path(pod, "hostname");
        if (!p_hosts || !p_resolv || !p_hostname)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r;
        if ((r = write_text(p_hosts, hosts, 0644, err)) < 0 ||
            (r = write_text(p_resolv, resolv, 0644, err)) < 0 ||
            (r = write_text(p_hostname, hn, 0644, err)) < 0)
                return r;
        return 0;
}

int oci_bundle_write_app(struct podrt_app *app, const struct oci_runtime *rt, uint64_t nofile,
                     struct podrt_error **err) {
        struct podrt_pod *pod = podrt_app_pod(app);
        const char *dir = podrt_app_dir(app);
        const char *rootfs = podrt_app_rootfs(app);
        struct stat st;
        int r;

        size_t idx = podrt_app_index(app);
        if (!rootfs)
                return podrt_error_set(err, ENOENT, "containers[%zu].rootfs: not set", idx);
        if (stat(rootfs, &st) < 0)
                return podrt_error_set(err, errno, "containers[%zu].rootfs: %s: %s", idx, rootfs,
                                       strerror(errno));
        if (!S_ISDIR(st.st_mode))
                return podrt_error_set(err, ENOTDIR, "containers[%zu].rootfs: %s: not a directory",
                                       idx, rootfs);
        r = mkdir_p(dir, 0755);
        if (r < 0)
                return podrt_error_set(err, r, "%s: %s", dir, strerror(-r));

        _cleanup_free_ char *cenv_path = oci_app_path(app, "containerenv");
        _cleanup_free_ char *config_path = oci_app_path(app, "config.json");
        _cleanup_free_ char *cenv = oci_containerenv(ENGINE, podrt_pod_name(pod), podrt_pod_id(pod),
                                                     podrt_app_name(app), podrt_app_id(app));
        if (!cenv_path || !config_path)
                return podrt_error_set(err, ENOMEM, "out of memory");
        r = write_text(cenv_path, cenv, 0644, err);
        if (r < 0)
                return r;

        struct json_object *spec = NULL;
        const char *bundle = podrt_pod_annotation(pod, OCI_BUNDLE_ANNOTATION);
        if (bundle && idx == 0) {
                if ((r = oci_passthrough_spec(app, bundle, rt, &spec, err)) < 0)
                        return r;
        } else {
                struct oci_app_input in;
                r = oci_app_input(app, rt, nofile, &in, err);
                if (r < 0)
                        return r;
                r = oci_spec_build(&in.c, &spec, err);
                oci_app_input_done(&in);
                if (r < 0)
                        return r;
        }
        r = write_text(config_path, json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PLAIN |
                                                                         JSON_C_TO_STRING_NOSLASHESCAPE),
                       0600, err);
        json_object_put(spec);
        return r;
}

int oci_bundles_create(struct podrt_pod *pod, const struct oci_runtime *rt, uint64_t nofile,
                       struct podrt_error **err) {
        int r;

        /* Empty volumes (the core makes them too): one directory per pod,
         * shared by its containers, writable by any of their users. */
        for (size_t i = 0; i < podrt_pod_n_volumes(pod); i++) {
                struct podrt_volume *vol = podrt_pod_volume(pod, i);
                const char *src = podrt_volume_source(vol);
                if (podrt_volume_kind(vol) != PODRT_VOLUME_EMPTY || !src)
                        continue;
                struct stat st;
                if (stat(src, &st) == 0 && S_ISDIR(st.st_mode))
                        continue;
                r = mkdir_p(src, 0755);
                if (r == 0 && chmod(src, 01777) < 0)
                        r = -errno;
                if (r < 0) {
                        r = podrt_error_set(err, r, "volume %s: %s: %s", podrt_volume_name(vol), src,
                                            strerror(-r));
                        goto fail;
                }
        }

        r = write_etc_files(pod, err);
        if (r < 0)
                goto fail;

        if (podrt_pod_n_apps(pod) > 1) {
                _cleanup_free_ char *uts = oci_pod_path(pod, "uts"), *ipc = oci_pod_path(pod, "ipc");
                if (!uts || !ipc) {
                        r = podrt_error_set(err, ENOMEM, "out of memory");
                        goto fail;
                }
                r = oci_ns_create(uts, ipc, podrt_pod_hostname(pod), err);
                if (r < 0)
                        goto fail;
        }

        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                r = oci_bundle_write_app(podrt_pod_app(pod, i), rt, nofile, err);
                if (r < 0)
                        goto fail;
        }
        return 0;
fail:
        oci_bundles_remove(pod, NULL);
        return r;
}

/* ---- remove ------------------------------------------------------------------ */

void oci_bundle_remove_app(struct podrt_app *app) {
        static const char *const names[] = {"config.json", "containerenv", "runtime.log"};
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *p = oci_app_path(app, names[i]);
                if (p)
                        (void)unlink(p);
        }
        /* Process files of execs that did not get to clean up. */
        DIR *d = opendir(podrt_app_dir(app));
        if (!d)
                return;
        struct dirent *de;
        while ((de = readdir(d)))
                if (strncmp(de->d_name, "exec-", 5) == 0)
                        (void)unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
}

int oci_bundles_remove(struct podrt_pod *pod, struct podrt_error **err) {
        int ret = 0, r;

        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++)
                oci_bundle_remove_app(podrt_pod_app(pod, i));

        static const char *const ns[] = {"uts", "ipc"};
        for (size_t i = 0; i < ELEMENTSOF(ns); i++) {
                _cleanup_free_ char *p = oci_pod_path(pod, ns[i]);
                if (p && (r = oci_ns_remove(p, ret < 0 ? NULL : err)) < 0 && ret == 0)
                        ret = r;
        }
        static const char *const files[] = {"hosts", "resolv.conf", "hostname"};
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *p = oci_pod_path(pod, files[i]);
                if (p && unlink(p) < 0 && errno != ENOENT && ret == 0)
                        ret = podrt_error_set(err, errno, "%s: %s", p, strerror(errno));
        }

        for (size_t i = 0; i < podrt_pod_n_volumes(pod); i++) {
                struct podrt_volume *vol = podrt_pod_volume(pod, i);
                const char *src = podrt_volume_source(vol);
                size_t len = strlen(podrt_pod_dir(pod));
                /* Only what create made: an empty volume inside the pod dir. */
                if (podrt_volume_kind(vol) != PODRT_VOLUME_EMPTY || !src ||
                    strncmp(src, podrt_pod_dir(pod), len) != 0 || src[len] != '/')
                        continue;
                r = rm_rf(src);
                if (r < 0 && ret == 0)
                        ret = podrt_error_set(err, r, "volume %s: %s: %s", podrt_volume_name(vol),
                                              src, strerror(-r));
        }
        return ret;
}

int oci_bundles_runtime(const struct podrt_pod *pod, struct oci_runtime **ret,
                        struct podrt_error **err) {
        struct podrt_app *app = podrt_pod_app(pod, 0);
        _cleanup_free_ char *path = app ? oci_app_path(app, "config.json") : NULL;
        _cleanup_free_ char *text = NULL;
        if (!app)
                return -ENOENT;
        if (!path)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = read_file(path, 0, &text, NULL);
        if (r == -ENOENT)
                return -ENOENT;
        if (r < 0)
                return podrt_error_set(err, r, "%s: %s", path, strerror(-r));
        struct json_object *spec = json_tokener_parse(text), *an, *prog, *root;
        if (!spec || !json_object_object_get_ex(spec, "annotations", &an) ||
            !json_object_object_get_ex(an, "io.podrt.oci.runtime", &prog) ||
            !json_object_object_get_ex(an, "io.podrt.oci.root", &root) ||
            json_object_get_string(prog)[0] != '/' || json_object_get_string(root)[0] != '/') {
                json_object_put(spec);
                return podrt_error_set(err, EBADMSG, "%s: no io.podrt.oci.runtime and io.podrt.oci.root annotations",
                                       path);
        }
        const char *p = json_object_get_string(prog);
        r = oci_runtime_new(strrchr(p, '/') + 1, p, json_object_get_string(root), ret);
        json_object_put(spec);
        if (r < 0)
                return podrt_error_set(err, r, "out of memory");
        return 0;
}
