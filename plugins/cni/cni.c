/* SPDX-License-Identifier: Apache-2.0 */
/* The cni network plugin: a pod's network namespace, wired by the CNI
 * plugins of a conflist (docs/network.md).
 *
 * setup: the conflist and the pod's port mappings are resolved and every
 * plugin found before anything exists; then the conflist and the runtime
 * values are saved in the pod's directory (so that a crash from here on
 * leaves what DEL needs), the namespace is made, and ADD runs through the
 * conflist, each plugin getting the previous one's result.  A failed ADD is
 * undone with DEL (reverse order) and leaves nothing.  The final result is
 * kept (cni-result.json, the prevResult of DEL), with a summary
 * (network.json: name, interfaces, ips, gateway, routes, dns, ports).
 *
 * teardown: DEL from the saved files, in reverse order, by whatever process
 * deletes the pod; then the namespace goes.  DEL failures are reported as
 * warnings and do not keep the pod: CNI plugins tolerate a second DEL, and
 * a pod that cannot be deleted helps no one. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cni.h"
#include "errors.h"
#include "fileio.h"
#include "macro.h"
#include "process.h"
#include "strv.h"

#define IPTABLES_TIMEOUT_MS 10000
#define VERSION_TIMEOUT_MS 5000

struct cni {
        const struct podrt_host *host;
        struct cni_settings s;
        bool in_use;            /* the configuration's network is "cni" */
};

PODRT_PRINTF(3, 4)
static void cni_log(const struct cni *c, int level, const char *fmt, ...) {
        if (!c->host || !c->host->log || level > c->host->log_level)
                return;
        _cleanup_free_ char *text = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r >= 0)
                c->host->log(c->host, level, "%s", text);
}

static int cni_init(const struct podrt_host *host, void **ret_data, struct podrt_error **err) {
        struct cni *c = calloc(1, sizeof(*c));
        if (!c)
                return podrt_error_set(err, ENOMEM, "out of memory");
        c->host = host;
        c->in_use = strcmp(podrt_config_string(host->config, "network", "none"), "cni") == 0;
        int r = cni_settings_read(host->config, &c->s, err);
        if (r < 0) {
                free(c);
                return r;
        }
        *ret_data = c;
        return 0;
}

static void cni_fini(void *data) {
        struct cni *c = data;
        if (!c)
                return;
        cni_settings_free(&c->s);
        free(c);
}

/* ---- files in the pod's directory ---- */

static char *pod_file(struct podrt_pod *pod, const char *name) {
        return path_join(podrt_pod_dir(pod), name);
}

static int save_json(struct podrt_pod *pod, const char *name, json_object *o,
                     struct podrt_error **err) {
        _cleanup_free_ char *path = pod_file(pod, name);
        if (!path)
                return podrt_error_set(err, ENOMEM, "out of memory");
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
        int r = write_file_atomic(path, text, strlen(text), 0600, 0);
        if (r < 0)
                return podrt_error_set(err, -r, "cni: %s: %s", path, strerror(-r));
        return 0;
}

/* The JSON object in the pod's file name; NULL when it is not there (or
 * not an object). */
static json_object *load_json(struct podrt_pod *pod, const char *name, char **ret_text) {
        _cleanup_free_ char *path = pod_file(pod, name), *text = NULL;
        if (!path || read_file(path, 16 << 20, &text, NULL) < 0)
                return NULL;
        json_object *o = json_tokener_parse(text);
        if (o && !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return NULL;
        }
        if (ret_text)
                *ret_text = TAKE_PTR(text);
        return o;
}

static void remove_files(struct podrt_pod *pod) {
        static const char *const names[] = { CNI_RESULT_FILE, CNI_SUMMARY_FILE, CNI_RUNTIME_FILE,
                                             CNI_CONFLIST_FILE };
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ char *path = pod_file(pod, names[i]);
                if (path)
                        unlink(path);
        }
}

/* ---- running the conflist ---- */

static char *cni_args(struct podrt_pod *pod) {
        char *s = NULL;
        return asprintf(&s, "IgnoreUnknown=1;K8S_POD_NAMESPACE=podrt;K8S_POD_NAME=%s",
                        podrt_pod_name(pod)) < 0 ? NULL : s;
}

/* How a pod's plugins are run for command: its container ID, netns,
 * eth0, the plugin dirs, CNI_ARGS and the timeout. */
static struct cni_exec exec_for(struct cni *c, struct podrt_pod *pod, int command,
                                const char *netns, const char *args) {
        return (struct cni_exec){
                .command = command,
                .container_id = podrt_pod_id(pod),
                .netns = netns,
                .ifname = CNI_IFNAME,
                .plugin_dirs = c->s.plugin_dirs,
                .args = args,
                .timeout_ms = CNI_TIMEOUT_MS,
        };
}

/* DEL through the conflist in reverse order, every plugin even after one
 * failed; prev is the final ADD result (or the last one there was).  Plugins
 * that are not installed are skipped: they did nothing.  The first failure
 * is returned, each is logged. */
static int run_del(struct cni *c, struct podrt_pod *pod, const struct cni_conflist *list,
                   json_object *runtime, json_object *prev, const char *netns,
                   struct podrt_error **err) {
        _cleanup_free_ char *args = cni_args(pod);
        struct cni_exec e = exec_for(c, pod, CNI_DEL, netns, args);
        int first = 0;
        for (size_t i = cni_conflist_n_plugins(list); i-- > 0;) {
                const char *type = cni_plugin_type(cni_conflist_plugin(list, i));
                _cleanup_free_ char *found = cni_find_plugin(c->s.plugin_dirs, type);
                if (!found) {
                        cni_log(c, PODRT_LOG_DEBUG, "pod %s: DEL: %s is not installed, skipped",
                                podrt_pod_name(pod), type);
                        continue;
                }
                _cleanup_free_ char *in = NULL, *out = NULL;
                _cleanup_error_ struct podrt_error *e1 = NULL;
                int r = cni_stdin_config(list, i, prev, runtime, &in, &e1);
                if (r >= 0)
                        r = cni_exec_plugin(&e, type, in, &out, &e1);
                if (r < 0) {
                        cni_log(c, PODRT_LOG_WARNING, "pod %s: network %s: DEL: %s", podrt_pod_name(pod),
                                cni_conflist_name(list), podrt_error_message(e1));
                        if (!first) {
                                first = r;
                                if (err && !*err)
                                        *err = TAKE_PTR(e1);
                        }
                }
        }
        return first;
}

/* ADD through the conflist; *ret_result: the final result.  On failure
 * *ret_result is the last result there was (for DEL), or NULL. */
static int run_add(struct cni *c, struct podrt_pod *pod, const struct cni_conflist *list,
                   json_object *runtime, const char *netns, json_object **ret_result,
                   struct podrt_error **err) {
        _cleanup_free_ char *args = cni_args(pod);
        struct cni_exec e = exec_for(c, pod, CNI_ADD, netns, args);
        json_object *prev = NULL;
        int r = 0;
        for (size_t i = 0; i < cni_conflist_n_plugins(list); i++) {
                const char *type = cni_plugin_type(cni_conflist_plugin(list, i));
                _cleanup_free_ char *in = NULL, *out = NULL;
                if ((r = cni_stdin_config(list, i, prev, runtime, &in, err)) < 0 ||
                    (r = cni_exec_plugin(&e, type, in, &out, err)) < 0)
                        break;
                json_object *result = json_tokener_parse(out);
                if (!result || !json_object_is_type(result, json_type_object)) {
                        if (result)
                                json_object_put(result);
                        r = podrt_error_set(err, EPROTO, "cni: %s: ADD: its result is not a JSON object",
                                            type);
                        break;
                }
                if (prev)
                        json_object_put(prev);
                prev = result;
        }
        if (r >= 0 && !prev)
                r = podrt_error_set(err, EPROTO, "cni: network %s: no result", cni_conflist_name(list));
        *ret_result = prev;
        return r;
}

/* ---- network ops ---- */

static int cni_setup(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        struct cni *c = data;
        _cleanup_free_ char *netns = pod_file(pod, "netns");
        if (!netns)
                return podrt_error_set(err, ENOMEM, "out of memory");

        /* Everything that can be checked before anything exists. */
        json_object *ports = NULL;
        int r = cni_pod_ports(pod, &ports, err);
        if (r < 0)
                return r;
        struct cni_conflist list = { 0 };
        _cleanup_strv_free_ char **skipped = NULL;
        r = cni_conflist_find(c->s.conf_dirs, c->s.network, &list, &skipped, err);
        for (size_t i = 0; skipped && skipped[i]; i++)
                cni_log(c, PODRT_LOG_WARNING, "conflist skipped: %s", skipped[i]);
        if (r < 0) {
                json_object_put(ports);
                return r;
        }
        json_object *runtime = json_object_new_object(), *result = NULL;
        if (json_object_array_length(ports) > 0) {
                if (!cni_conflist_has_capability(&list, "portMappings")) {
                        r = podrt_error_set(err, EINVAL,
                                            "cni: network %s (%s): the pod maps ports, but no plugin "
                                            "of the conflist has the portMappings capability",
                                            cni_conflist_name(&list), list.source);
                        goto out;
                }
                json_object_object_add(runtime, "portMappings", json_object_get(ports));
        }
        for (size_t i = 0; i < cni_conflist_n_plugins(&list); i++) {
                const char *type = cni_plugin_type(cni_conflist_plugin(&list, i));
                _cleanup_free_ char *found = cni_find_plugin(c->s.plugin_dirs, type);
                if (!found) {
                        _cleanup_free_ char *text = strv_join(c->s.plugin_dirs, ", ");
                        r = podrt_error_set(err, ENOENT,
                                            "cni: network %s (%s): CNI plugin '%s' not found (searched: %s)",
                                            cni_conflist_name(&list), list.source, type,
                                            text ? text : "?");
                        goto out;
                }
        }

        /* From here on, what DEL needs is on disk first. */
        if ((r = save_json(pod, CNI_CONFLIST_FILE, list.json, err)) < 0 ||
            (r = save_json(pod, CNI_RUNTIME_FILE, runtime, err)) < 0 ||
            (r = cni_netns_create(netns, err)) < 0)
                goto fail;
        if (podrt_pod_set_netns_path(pod, netns) < 0) {
                r = podrt_error_set(err, ENOMEM, "out of memory");
                goto fail;
        }
        if ((r = run_add(c, pod, &list, runtime, netns, &result, err)) < 0) {
                run_del(c, pod, &list, runtime, result, netns, NULL);
                goto fail;
        }
        struct cni_result parsed = { 0 };
        if ((r = cni_result_parse(result, &parsed, err)) < 0) {
                run_del(c, pod, &list, runtime, result, netns, NULL);
                goto fail;
        }
        json_object *summary = cni_result_summary(&parsed, cni_conflist_name(&list), ports);
        if ((r = save_json(pod, CNI_RESULT_FILE, result, err)) >= 0)
                r = save_json(pod, CNI_SUMMARY_FILE, summary, err);
        json_object_put(summary);
        if (r >= 0)
                for (size_t i = 0; i < parsed.n_ips; i++)
                        cni_log(c, PODRT_LOG_INFO, "pod %s: %s on network %s", podrt_pod_name(pod),
                                parsed.ips[i].address, cni_conflist_name(&list));
        cni_result_done(&parsed);
        if (r < 0) {
                run_del(c, pod, &list, runtime, result, netns, NULL);
                goto fail;
        }
        goto out;
fail:
        /* Nothing left (DEL, where ADD ran, is done): the files, the namespace. */
        remove_files(pod);
        cni_netns_remove(netns, NULL);
        podrt_pod_set_netns_path(pod, NULL);
out:
        if (result)
                json_object_put(result);
        json_object_put(runtime);
        json_object_put(ports);
        cni_conflist_done(&list);
        return r;
}

static int cni_teardown(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        struct cni *c = data;
        _cleanup_free_ char *netns = pod_file(pod, "netns"), *text = NULL;
        if (!netns)
                return podrt_error_set(err, ENOMEM, "out of memory");
        json_object *saved = load_json(pod, CNI_CONFLIST_FILE, &text);
        if (saved) {
                struct cni_conflist list = { 0 };
                _cleanup_error_ struct podrt_error *e = NULL;
                _cleanup_free_ char *source = pod_file(pod, CNI_CONFLIST_FILE);
                if (cni_conflist_parse(text, source ? source : CNI_CONFLIST_FILE, false, &list, &e) < 0) {
                        cni_log(c, PODRT_LOG_WARNING, "pod %s: no DEL: %s", podrt_pod_name(pod),
                                podrt_error_message(e));
                } else {
                        json_object *runtime = load_json(pod, CNI_RUNTIME_FILE, NULL);
                        json_object *result = load_json(pod, CNI_RESULT_FILE, NULL);
                        /* A namespace that is gone (or never was) is "" for DEL. */
                        run_del(c, pod, &list, runtime, result,
                                path_is_mount_point(netns) == 1 ? netns : "", NULL);
                        if (runtime)
                                json_object_put(runtime);
                        if (result)
                                json_object_put(result);
                        cni_conflist_done(&list);
                }
                json_object_put(saved);
        }
        remove_files(pod);
        int r = cni_netns_remove(netns, err);
        if (r < 0)
                return r;
        podrt_pod_set_netns_path(pod, NULL);
        return 0;
}

/* ---- podrt check ---- */

/* "V1 V2 ..." of a plugin's VERSION answer; 1 when want is among them. */
static int plugin_versions(struct cni *c, const char *type, const char *want, char **ret_list,
                           struct podrt_error **err) {
        _cleanup_free_ char *in = NULL, *out = NULL;
        if (asprintf(&in, "{\"cniVersion\":\"%s\"}", want) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        struct cni_exec e = {
                .command = CNI_VERSION,
                .plugin_dirs = c->s.plugin_dirs,
                .timeout_ms = VERSION_TIMEOUT_MS,
        };
        int r = cni_exec_plugin(&e, type, in, &out, err);
        if (r < 0)
                return r;
        json_object *o = json_tokener_parse(out), *v;
        if (!o || !json_object_object_get_ex(o, "supportedVersions", &v) ||
            !json_object_is_type(v, json_type_array)) {
                if (o)
                        json_object_put(o);
                return podrt_error_set(err, EPROTO, "cni: %s: VERSION: no supportedVersions", type);
        }
        int found = 0;
        _cleanup_free_ char *list = strdup("");
        for (size_t i = 0; list && i < json_object_array_length(v); i++) {
                const char *s = json_object_get_string(json_object_array_get_idx(v, i));
                char *n = NULL;
                if (asprintf(&n, "%s%s%s", list, *list ? " " : "", s ? s : "?") < 0)
                        break;
                free(list);
                list = n;
                if (s && strcmp(s, want) == 0)
                        found = 1;
        }
        json_object_put(o);
        *ret_list = TAKE_PTR(list);
        return found;
}

/* Whether the conflist needs iptables: portmap, firewall, or ipMasq. */
static bool needs_iptables(const struct cni_conflist *list) {
        for (size_t i = 0; i < cni_conflist_n_plugins(list); i++) {
                json_object *p = cni_conflist_plugin(list, i), *v;
                const char *type = cni_plugin_type(p);
                if (strcmp(type, "portmap") == 0 || strcmp(type, "firewall") == 0 ||
                    (json_object_object_get_ex(p, "ipMasq", &v) && json_object_get_boolean(v)))
                        return true;
        }
        return false;
}

static int cni_check(void *data, struct podrt_check *check, uint64_t flags,
                     struct podrt_error **err) {
        struct cni *c = data;
        /* Not the configured network: what is missing does not stop podrt. */
        uint32_t any = c->in_use ? 0 : PODRT_CHECK_OPTIONAL;
        if (!c->in_use)
                podrt_check_note(check, "the configured network is '%s', not cni: these lines are optional",
                                 podrt_config_string(c->host->config, "network", "none"));

        /* The plugin dirs that exist. */
        _cleanup_free_ char *found = strdup(""), *all = strdup("");
        for (size_t i = 0; found && all && c->s.plugin_dirs[i]; i++) {
                char *n = NULL;
                bool there = access(c->s.plugin_dirs[i], X_OK) == 0;
                if (asprintf(&n, "%s%s%s", there ? found : all, *(there ? found : all) ? ", " : "",
                             c->s.plugin_dirs[i]) < 0)
                        return podrt_error_set(err, ENOMEM, "out of memory");
                if (there) {
                        free(found);
                        found = n;
                } else {
                        free(all);
                        all = n;
                }
        }
        if (!found || !all)
                return podrt_error_set(err, ENOMEM, "out of memory");
        podrt_check_add(check, "cni plugin dirs", any | (*found ? PODRT_CHECK_OK : 0), "%s",
                        *found ? found : "none of them exists");
        if (*all)
                podrt_check_note(check, "cni plugin dirs not there: %s", all);

        struct cni_conflist list = { 0 };
        _cleanup_strv_free_ char **skipped = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = cni_conflist_find(c->s.conf_dirs, c->s.network, &list, &skipped, &e);
        for (size_t i = 0; skipped && skipped[i]; i++)
                podrt_check_note(check, "conflist skipped: %s", skipped[i]);
        if (r < 0) {
                podrt_check_add(check, "cni network", any, "%s", podrt_error_message(e));
                return 0;
        }
        podrt_check_add(check, "cni network", any | PODRT_CHECK_OK, "%s: %s, cniVersion %s, %zu plugins",
                        cni_conflist_name(&list), list.source, cni_conflist_version(&list),
                        cni_conflist_n_plugins(&list));

        _cleanup_strv_free_ char **seen = calloc(1, sizeof(char *));
        for (size_t i = 0; seen && i < cni_conflist_n_plugins(&list); i++) {
                const char *type = cni_plugin_type(cni_conflist_plugin(&list, i));
                if (strv_contains(seen, type) || strv_push(&seen, type) < 0)
                        continue;
                char what[128];
                snprintf(what, sizeof(what), "cni plugin %s", type);
                _cleanup_free_ char *path = cni_find_plugin(c->s.plugin_dirs, type), *versions = NULL;
                if (!path) {
                        podrt_check_add(check, what, any, "missing: not in any cni plugin dir");
                        continue;
                }
                _cleanup_error_ struct podrt_error *ve = NULL;
                int k = plugin_versions(c, type, cni_conflist_version(&list), &versions, &ve);
                if (k < 0)
                        podrt_check_add(check, what, any, "%s: %s", path, podrt_error_message(ve));
                else if (k == 0)
                        podrt_check_add(check, what, any, "%s: does not support cniVersion %s (only %s)",
                                        path, cni_conflist_version(&list), versions);
                else
                        podrt_check_add(check, what, any | PODRT_CHECK_OK, "%s", path);
        }

        /* iptables: bridge's ipMasq, portmap and firewall use it. */
        uint32_t opt = any | (needs_iptables(&list) ? 0 : PODRT_CHECK_OPTIONAL);
        _cleanup_free_ char *iptables = find_program("iptables");
        if (!iptables) {
                podrt_check_add(check, "iptables", opt, "not found (apt-get install iptables)");
        } else {
                char *argv[] = { iptables, "-w", "5", "-L", "-n", NULL };
                int status = 0;
                int k = run_program(argv, -1, IPTABLES_TIMEOUT_MS, &status);
                if (k == -ETIMEDOUT)
                        podrt_check_add(check, "iptables", opt, "%s -L timed out after %d s",
                                        iptables, IPTABLES_TIMEOUT_MS / 1000);
                else if (k < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                        podrt_check_add(check, "iptables", opt, "%s -L failed (%s %d)", iptables,
                                        k < 0 ? "error" : WIFEXITED(status) ? "exit status" : "signal",
                                        k < 0 ? -k : WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
                else
                        podrt_check_add(check, "iptables", opt | PODRT_CHECK_OK, "%s works", iptables);
        }
        cni_conflist_done(&list);
        return 0;
}

static const struct podrt_network_ops cni_network_ops = {
        .version = PODRT_NETWORK_OPS_VERSION,
        .size = sizeof(struct podrt_network_ops),
        .setup = cni_setup,
        .teardown = cni_teardown,
};

static const struct podrt_plugin cni_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "cni",
        .version = PODRT_VERSION,
        .description = "network: CNI plugins (bridge, portmap, ...) from a conflist",
        .init = cni_init,
        .fini = cni_fini,
        .network = &cni_network_ops,
        .check = cni_check,
        .config_check = cni_config_check,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &cni_plugin;
}
