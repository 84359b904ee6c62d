/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime context (configuration, store, plugins) and the read-only
 * commands: status, list, plugins, check, hooks. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "podrt-build.h"
#include "builtins.h"
#include "check.h"
#include "errors.h"
#include "image-runtime.h"
#include "manifest.h"
#include "fileio.h"
#include "lifecycle.h"
#include "manifest.h"
#include "strv.h"

int runtime_new(const struct runtime_options *opts, struct runtime **ret, struct podrt_error **err) {
        struct runtime *rt = calloc(1, sizeof(*rt));
        if (!rt)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = config_load(opts->config_path, &rt->cfg, err);
        if (r < 0)
                goto fail;
        rt->log_level = opts->log_level > 0 ? opts->log_level
                                            : log_level_from_string(podrt_config_string(rt->cfg, "log_level", "warning"));
        if (rt->log_level < 0)
                rt->log_level = PODRT_LOG_WARNING;
        log_set_level(rt->log_level);
        manifest_set_images_dir(runtime_images_dir(rt));
        rt->backend = strdup(opts->backend ? opts->backend : podrt_config_string(rt->cfg, "backend", "oci"));
        rt->state_dir = strdup(opts->root ? opts->root : podrt_config_string(rt->cfg, "state_dir", PODRT_STATE_DIR));
        if (opts->network && runtime_set_network(rt, opts->network) < 0) {
                r = podrt_error_set(err, ENOMEM, "out of memory");
                goto fail;
        }
        const char *libexec = secure_getenv("PODRT_LIBEXEC_DIR");
        rt->libexec_dir = strdup(libexec && *libexec ? libexec : PODRT_LIBEXECDIR);
        if (!rt->backend || !rt->state_dir || !rt->libexec_dir) {
                r = podrt_error_set(err, ENOMEM, "out of memory");
                goto fail;
        }
        if (rt->state_dir[0] != '/') {
                r = podrt_error_set(err, EINVAL, "state directory %s: must be an absolute path", rt->state_dir);
                goto fail;
        }
        r = loader_new(config_plugin_path(rt->cfg), rt->cfg, rt->state_dir, rt->libexec_dir,
                       rt->log_level, &rt->loader, err);
        if (r < 0)
                goto fail;
        const struct podrt_plugin *builtins[] = { &builtin_network_none, &builtin_network_host,
                                                  &builtin_storage_dir };
        for (size_t i = 0; i < ELEMENTSOF(builtins); i++)
                if ((r = loader_add_builtin(rt->loader, builtins[i], err)) < 0)
                        goto fail;
        *ret = rt;
        return 0;
fail:
        runtime_free(rt);
        return r;
}

struct runtime *runtime_free(struct runtime *rt) {
        if (!rt)
                return NULL;
        loader_free(rt->loader);
        store_free(rt->store);
        config_free(rt->cfg);
        free(rt->backend);
        free(rt->network);
        free(rt->storage);
        free(rt->state_dir);
        free(rt->libexec_dir);
        free(rt);
        return NULL;
}

const char *runtime_backend(const struct runtime *rt) { return rt->backend; }

bool runtime_overlay_usable(struct runtime *rt) {
        _cleanup_free_ char *fs = NULL;
        if (read_file("/proc/filesystems", 1 << 16, &fs, NULL) < 0 || !strstr(fs, "\toverlay\n"))
                return false;
        struct plugin *p = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        return loader_load_optional(rt->loader, "overlay", &p, &e) >= 0 && p && plugin_storage_ops(p);
}

int runtime_set_storage(struct runtime *rt, const char *storage) {
        char *n = strdup(storage);
        if (!n)
                return -ENOMEM;
        free(rt->storage);
        rt->storage = n;
        return 0;
}

int runtime_set_network(struct runtime *rt, const char *network) {
        char *n = strdup(network);
        if (!n)
                return -ENOMEM;
        free(rt->network);
        rt->network = n;
        return 0;
}
const char *runtime_state_dir(const struct runtime *rt) { return rt->state_dir; }

int runtime_store(struct runtime *rt, struct store **ret, struct podrt_error **err) {
        if (!rt->store) {
                int r = store_open(rt->state_dir, &rt->store, err);
                if (r < 0)
                        return r;
        }
        *ret = rt->store;
        return 0;
}

int runtime_pod_ids(struct runtime *rt, struct store **ret_store, char (**ret_ids)[POD_ID_LEN + 1],
                    size_t *ret_n, struct podrt_error **err) {
        struct store *s;
        int r = runtime_store(rt, &s, err);
        if (r < 0 || (r = store_list(s, ret_ids, ret_n, err)) < 0)
                return r;
        if (ret_store)
                *ret_store = s;
        return 0;
}

int runtime_plugin(struct runtime *rt, const char *name, const char *kind, struct plugin **ret,
                   struct podrt_error **err) {
        struct plugin *p = NULL;
        int r = loader_load(rt->loader, name, &p, err);
        if (r < 0)
                return r;
        const void *ops = strcmp(kind, "pod") == 0       ? (const void *)plugin_pod_ops(p)
                          : strcmp(kind, "network") == 0 ? (const void *)plugin_network_ops(p)
                          : strcmp(kind, "storage") == 0 ? (const void *)plugin_storage_ops(p)
                                                         : NULL;
        if (!ops)
                return podrt_error_set(err, EOPNOTSUPP, "plugin '%s' (%s) is not a %s plugin", name,
                                       plugin_path(p), strcmp(kind, "pod") == 0 ? "backend" : kind);
        *ret = p;
        return 0;
}

int runtime_hooks_plugin(struct runtime *rt, struct plugin **ret, struct podrt_error **err) {
        struct plugin *p = NULL;
        int r = loader_load_optional(rt->loader, "hooks", &p, err);
        if (r < 0)
                return r;
        if (!p)
                log_msg(PODRT_LOG_DEBUG, "no hooks plugin installed: no hooks run");
        *ret = p && plugin_hook_ops(p) ? p : NULL;
        return 0;
}

int runtime_open_pod(struct runtime *rt, const char *ref, int lock_op, struct podrt_pod **ret_pod,
                     int *ret_lock_fd, struct podrt_error **err) {
        struct store *s;
        char id[POD_ID_LEN + 1];
        int r = runtime_store(rt, &s, err);
        if (r < 0 || (r = store_resolve(s, ref, id, err)) < 0)
                return r;
        _cleanup_close_ int fd = -1;
        if ((r = store_lock(s, id, lock_op, &fd, err)) < 0)
                return r;
        /* A delete that held the lock before us may have removed the pod
         * meanwhile: its folder, whose lock we hold, then has no links. */
        struct stat st;
        if (fstat(fd, &st) == 0 && st.st_nlink == 0)
                return podrt_error_set(err, ENOENT, "no such pod: %s", ref);
        _cleanup_free_ char *dir = store_pod_dir(s, id);
        if (!dir)
                return podrt_error_set(err, ENOMEM, "out of memory");
        struct podrt_pod *pod = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        if ((r = pod_load(dir, &pod, &e)) < 0) {
                if (r == -ENOENT && access(dir, F_OK) < 0)
                        return podrt_error_set(err, ENOENT, "no such pod: %s", ref);
                if (err)
                        *err = TAKE_PTR(e);
                return r;
        }
        *ret_pod = pod;
        if (ret_lock_fd)
                *ret_lock_fd = TAKE_FD(fd);
        return 0;
}

int pod_monitor_alive(struct runtime *rt, const char *id) {
        struct store *s;
        _cleanup_close_ int fd = -1;
        if (runtime_store(rt, &s, NULL) < 0)
                return 0;
        int r = store_monitor_lock(s, id, LOCK_SH | LOCK_NB, &fd, NULL);
        return r == -EWOULDBLOCK || r == -EAGAIN;
}

/* The state as users should see it: a pod whose monitor died is stopped. */
/* status's "network": { name, interfaces, ips, gateway, ports }: the
 * network plugin's name, and what it recorded in the pod's network.json
 * (cni does; none and host record nothing: no interface, no address). */
struct json_object *runtime_network_json(int dfd, const char *network) {
        struct json_object *n = json_object_new_object();
        json_object_object_add(n, "name", json_object_new_string(network ? network : ""));
        _cleanup_free_ char *text = NULL;
        struct json_object *rec = NULL;
        if (read_file_at(dfd, "network.json", 1 << 20, &text, NULL) == 0)
                rec = json_tokener_parse(text);
        static const char *const keys[] = { "interfaces", "ips", "gateway", "ports" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                struct json_object *v = NULL;
                if (rec && json_object_object_get_ex(rec, keys[i], &v))
                        json_object_object_add(n, keys[i], json_object_get(v));
                else
                        json_object_object_add(n, keys[i],
                                               strcmp(keys[i], "gateway") == 0 ? NULL : json_object_new_array());
        }
        json_object_put(rec);
        return n;
}

static struct json_object *status_json(struct runtime *rt, struct podrt_pod *pod) {
        struct json_object *o = pod_state_json(pod);
        json_object_object_del(o, "manifestDir");
        _cleanup_close_ int dfd = open(pod->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        json_object_object_add(o, "network", runtime_network_json(dfd, pod->network));
        /* A pod whose monitor died is not stopped: its apps may run on.
         * It says so; stop, kill and delete reach the apps without it. */
        if ((pod->state == PODRT_POD_RUNNING || pod->state == PODRT_POD_PAUSED) &&
            !pod_monitor_alive(rt, pod->id))
                json_object_object_add(o, "monitor", json_object_new_string("lost"));
        return o;
}

int runtime_status(struct runtime *rt, const char *ref, struct json_object **ret, struct podrt_error **err) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        _cleanup_close_ int lock = -1;
        int r = runtime_open_pod(rt, ref, LOCK_SH, &pod, &lock, err);
        if (r < 0)
                return r;
        *ret = status_json(rt, pod);
        return 0;
}

struct plugins_ctx {
        struct json_object *arr;
};

static void plugins_cb(const char *path, const struct plugin *p, const struct podrt_error *error, void *userdata) {
        struct plugins_ctx *c = userdata;
        struct json_object *o = json_object_new_object();
        const struct podrt_plugin *d = p ? plugin_desc(p) : NULL;
        json_object_object_add(o, "name", p ? json_object_new_string(plugin_name(p)) : NULL);
        json_object_object_add(o, "path", json_object_new_string(path ? path : "(builtin)"));
        if (d) {
                char abi[32];
                snprintf(abi, sizeof(abi), "%u.%u", d->abi_major, d->abi_minor);
                json_object_object_add(o, "version", json_object_new_string(d->version ? d->version : ""));
                json_object_object_add(o, "abi", json_object_new_string(abi));
                json_object_object_add(o, "description",
                                       d->description ? json_object_new_string(d->description) : NULL);
                struct json_object *prov = json_object_new_array();
                if (plugin_pod_ops(p)) json_object_array_add(prov, json_object_new_string("pod"));
                if (plugin_container_ops(p)) json_object_array_add(prov, json_object_new_string("container"));
                if (plugin_hypervisor_ops(p)) json_object_array_add(prov, json_object_new_string("hypervisor"));
                if (plugin_network_ops(p)) json_object_array_add(prov, json_object_new_string("network"));
                if (plugin_storage_ops(p)) json_object_array_add(prov, json_object_new_string("storage"));
                if (plugin_hook_ops(p)) json_object_array_add(prov, json_object_new_string("hooks"));
                json_object_object_add(o, "provides", prov);
        }
        json_object_object_add(o, "error", error ? json_object_new_string(podrt_error_message(error)) : NULL);
        json_object_array_add(c->arr, o);
}

int runtime_plugins(struct runtime *rt, struct json_object **ret, struct podrt_error **err) {
        struct plugins_ctx c = { .arr = json_object_new_array() };
        int r = loader_scan(rt->loader, plugins_cb, &c, err);
        if (r < 0) {
                json_object_put(c.arr);
                return r;
        }
        *ret = c.arr;
        return 0;
}

int runtime_check(struct runtime *rt, struct json_object **ret, int *ret_ready, struct podrt_error **err) {
        struct json_object *report = NULL;
        int r = check_report(rt->loader, rt->cfg, &report, err);
        if (r < 0)
                return r;
        struct json_object *b = check_report_section(report, rt->backend), *v;
        int ready;
        if (b)
                ready = json_object_object_get_ex(b, "ready", &v) && json_object_get_boolean(v);
        else {
                /* A backend without a check method (or not installed):
                 * ready when it loads as a backend. */
                struct plugin *p;
                _cleanup_error_ struct podrt_error *e = NULL;
                ready = runtime_plugin(rt, rt->backend, "pod", &p, &e) >= 0;
                _cleanup_(check_section_freep) struct podrt_check *c =
                        check_section_new(rt->backend, ready ? plugin_path(p) : NULL);
                if (!c || podrt_check_add(c, "plugin", ready ? PODRT_CHECK_OK : 0, "%s",
                                          ready ? plugin_path(p) : podrt_error_message(e)) < 0 ||
                    !(b = check_section_finish(TAKE_PTR(c))) ||
                    json_object_array_add(json_object_object_get(report, "backends"), b) < 0) {
                        json_object_put(b);
                        json_object_put(report);
                        return podrt_error_set(err, ENOMEM, "check: out of memory");
                }
        }
        json_object_object_add(report, "backend", json_object_new_string(rt->backend));
        json_object_object_add(report, "ready", json_object_new_boolean(ready));
        /* The storage new pods get: the configured one, else overlay where
         * the kernel has overlayfs and the plugin loads, else dir. */
        const char *storage = podrt_config_is_set(rt->cfg, "storage")
                ? podrt_config_string(rt->cfg, "storage", "dir")
                : runtime_overlay_usable(rt) ? "overlay" : "dir";
        json_object_object_add(report, "storage", json_object_new_string(storage));
        *ret = report;
        *ret_ready = ready;
        return 0;
}

int runtime_hooks(struct runtime *rt, const char *manifest_path, struct json_object **ret,
                  struct podrt_error **err) {
        struct pod_spec *spec = NULL;
        int r = manifest_load(manifest_path, &spec, err);
        if (r < 0)
                return r;
        _cleanup_(pod_unrefp) struct podrt_pod *pod = NULL;
        if ((r = pod_new(spec, "00000000000000000000000000000000", NULL, "/nonexistent", rt->backend,
                         NULL, NULL, &pod, err)) < 0)
                return r;
        struct plugin *hooks;
        if ((r = runtime_hooks_plugin(rt, &hooks, err)) < 0)
                return r;
        if (!hooks)
                return podrt_error_set(err, ENOENT, "no hooks plugin is installed");
        _cleanup_free_ char *text = NULL;
        r = PLUGIN_CALL(hooks, plugin_hook_ops(hooks), "hooks", describe, err, pod, &text, 0);
        if (r < 0)
                return r;
        struct json_object *o = json_tokener_parse(text);
        if (!o)
                return podrt_error_set(err, EBADMSG, "hooks: describe returned invalid JSON");
        *ret = o;
        return 0;
}
