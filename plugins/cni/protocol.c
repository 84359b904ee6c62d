/* SPDX-License-Identifier: Apache-2.0 */
/* CNI 1.0.0 on json-c (github.com/containernetworking/cni SPEC.md): the
 * network config a plugin reads on stdin, its result, its error. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "macro.h"
#include "strv.h"

const char *cni_command_name(int command) {
        switch (command) {
        case CNI_ADD: return "ADD";
        case CNI_DEL: return "DEL";
        case CNI_CHECK: return "CHECK";
        case CNI_VERSION: return "VERSION";
        }
        return "?";
}

/* Whether plugin declares capability cap true. */
static bool has_capability(json_object *plugin, const char *cap) {
        json_object *caps, *v;
        return json_object_object_get_ex(plugin, "capabilities", &caps) &&
               json_object_is_type(caps, json_type_object) &&
               json_object_object_get_ex(caps, cap, &v) && json_object_is_type(v, json_type_boolean) &&
               json_object_get_boolean(v);
}

int cni_conflist_has_capability(const struct cni_conflist *c, const char *cap) {
        for (size_t i = 0; i < cni_conflist_n_plugins(c); i++)
                if (has_capability(cni_conflist_plugin(c, i), cap))
                        return 1;
        return 0;
}

/* A deep copy (json-c 0.16 has json_object_deep_copy; this works on any). */
static json_object *copy(json_object *o) {
        return o ? json_tokener_parse(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)) : NULL;
}

int cni_stdin_config(const struct cni_conflist *c, size_t i, json_object *prev_result,
                     json_object *runtime, char **ret, struct podrt_error **err) {
        json_object *plugin = cni_conflist_plugin(c, i);
        if (!plugin)
                return podrt_error_set(err, EINVAL, "cni: no plugin %zu in %s", i, c->source);
        json_object *o = copy(plugin);
        if (!o)
                return podrt_error_set(err, ENOMEM, "out of memory");
        json_object_object_add(o, "name", json_object_new_string(cni_conflist_name(c)));
        json_object_object_add(o, "cniVersion", json_object_new_string(cni_conflist_version(c)));
        json_object_object_del(o, "prevResult");
        if (prev_result)
                json_object_object_add(o, "prevResult", copy(prev_result));
        /* runtimeConfig: what the runtime has of the capabilities the plugin
         * declares, and nothing else (libcni's rule). */
        json_object *caps, *rc = NULL;
        json_object_object_del(o, "runtimeConfig");
        if (runtime && json_object_object_get_ex(plugin, "capabilities", &caps) &&
            json_object_is_type(caps, json_type_object)) {
                json_object_object_foreach(runtime, key, value) {
                        if (!has_capability(plugin, key))
                                continue;
                        if (!rc)
                                rc = json_object_new_object();
                        json_object_object_add(rc, key, copy(value));
                }
        }
        if (rc)
                json_object_object_add(o, "runtimeConfig", rc);
        char *text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        if (!text)
                return podrt_error_set(err, ENOMEM, "out of memory");
        *ret = text;
        return 0;
}

/* ---- results ---- */

void cni_result_done(struct cni_result *r) {
        free(r->cni_version);
        for (size_t i = 0; i < r->n_interfaces; i++) {
                free(r->interfaces[i].name);
                free(r->interfaces[i].mac);
                free(r->interfaces[i].sandbox);
        }
        free(r->interfaces);
        for (size_t i = 0; i < r->n_ips; i++) {
                free(r->ips[i].address);
                free(r->ips[i].gateway);
        }
        free(r->ips);
        for (size_t i = 0; i < r->n_routes; i++) {
                free(r->routes[i].dst);
                free(r->routes[i].gw);
        }
        free(r->routes);
        strv_free(r->dns_nameservers);
        strv_free(r->dns_search);
        strv_free(r->dns_options);
        free(r->dns_domain);
        *r = (struct cni_result){ 0 };
}

/* A string member (NULL when absent); -EINVAL when present and not a string. */
static int opt_string(json_object *o, const char *key, char **ret) {
        json_object *v;
        *ret = NULL;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return -EINVAL;
        *ret = strdup(json_object_get_string(v));
        return *ret ? 0 : -ENOMEM;
}

static int opt_strings(json_object *o, const char *key, char ***ret) {
        json_object *v;
        _cleanup_strv_free_ char **s = calloc(1, sizeof(char *));
        if (!s)
                return -ENOMEM;
        if (json_object_object_get_ex(o, key, &v) && !json_object_is_type(v, json_type_null)) {
                if (!json_object_is_type(v, json_type_array))
                        return -EINVAL;
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        json_object *e = json_object_array_get_idx(v, i);
                        if (!json_object_is_type(e, json_type_string))
                                return -EINVAL;
                        if (strv_push(&s, json_object_get_string(e)) < 0)
                                return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(s);
        return 0;
}

/* The array member key of o (absent: 0 elements), else -EINVAL. */
static int opt_array(json_object *o, const char *key, json_object **ret, size_t *ret_n) {
        json_object *v;
        *ret = NULL;
        *ret_n = 0;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return -EINVAL;
        *ret = v;
        *ret_n = json_object_array_length(v);
        return 0;
}

int cni_result_parse(json_object *o, struct cni_result *ret, struct podrt_error **err) {
        struct cni_result r = { 0 };
        json_object *a, *dns;
        size_t n;
        const char *what = "result";
        int k;
        if (!o || !json_object_is_type(o, json_type_object)) {
                k = -EINVAL;
                goto fail;
        }
        what = "cniVersion";
        if ((k = opt_string(o, "cniVersion", &r.cni_version)) < 0)
                goto fail;

        what = "interfaces";
        if ((k = opt_array(o, "interfaces", &a, &n)) < 0)
                goto fail;
        if (n && !(r.interfaces = calloc(n, sizeof(*r.interfaces)))) {
                k = -ENOMEM;
                goto fail;
        }
        for (size_t i = 0; i < n; i++, r.n_interfaces++) {
                json_object *e = json_object_array_get_idx(a, i);
                struct cni_interface *f = &r.interfaces[i];
                if (!json_object_is_type(e, json_type_object) ||
                    (k = opt_string(e, "name", &f->name)) < 0 || (k = opt_string(e, "mac", &f->mac)) < 0 ||
                    (k = opt_string(e, "sandbox", &f->sandbox)) < 0 || !f->name) {
                        r.n_interfaces++;
                        k = k < 0 ? k : -EINVAL;
                        goto fail;
                }
        }

        what = "ips";
        if ((k = opt_array(o, "ips", &a, &n)) < 0)
                goto fail;
        if (n && !(r.ips = calloc(n, sizeof(*r.ips)))) {
                k = -ENOMEM;
                goto fail;
        }
        for (size_t i = 0; i < n; i++, r.n_ips++) {
                json_object *e = json_object_array_get_idx(a, i), *idx;
                struct cni_ip *ip = &r.ips[i];
                ip->interface = -1;
                if (!json_object_is_type(e, json_type_object) ||
                    (k = opt_string(e, "address", &ip->address)) < 0 ||
                    (k = opt_string(e, "gateway", &ip->gateway)) < 0 || !ip->address ||
                    !strchr(ip->address, '/')) {
                        r.n_ips++;
                        k = k < 0 ? k : -EINVAL;
                        goto fail;
                }
                if (json_object_object_get_ex(e, "interface", &idx)) {
                        if (!json_object_is_type(idx, json_type_int) || json_object_get_int64(idx) < 0 ||
                            (size_t)json_object_get_int64(idx) >= r.n_interfaces) {
                                r.n_ips++;
                                k = -EINVAL;
                                goto fail;
                        }
                        ip->interface = (int)json_object_get_int64(idx);
                }
        }

        what = "routes";
        if ((k = opt_array(o, "routes", &a, &n)) < 0)
                goto fail;
        if (n && !(r.routes = calloc(n, sizeof(*r.routes)))) {
                k = -ENOMEM;
                goto fail;
        }
        for (size_t i = 0; i < n; i++, r.n_routes++) {
                json_object *e = json_object_array_get_idx(a, i);
                struct cni_route *rt = &r.routes[i];
                if (!json_object_is_type(e, json_type_object) ||
                    (k = opt_string(e, "dst", &rt->dst)) < 0 || (k = opt_string(e, "gw", &rt->gw)) < 0 ||
                    !rt->dst) {
                        r.n_routes++;
                        k = k < 0 ? k : -EINVAL;
                        goto fail;
                }
        }

        what = "dns";
        if (json_object_object_get_ex(o, "dns", &dns) && !json_object_is_type(dns, json_type_null)) {
                if (!json_object_is_type(dns, json_type_object)) {
                        k = -EINVAL;
                        goto fail;
                }
                if ((k = opt_strings(dns, "nameservers", &r.dns_nameservers)) < 0 ||
                    (k = opt_strings(dns, "search", &r.dns_search)) < 0 ||
                    (k = opt_strings(dns, "options", &r.dns_options)) < 0 ||
                    (k = opt_string(dns, "domain", &r.dns_domain)) < 0)
                        goto fail;
        }
        if ((!r.dns_nameservers && !(r.dns_nameservers = calloc(1, sizeof(char *)))) ||
            (!r.dns_search && !(r.dns_search = calloc(1, sizeof(char *)))) ||
            (!r.dns_options && !(r.dns_options = calloc(1, sizeof(char *))))) {
                k = -ENOMEM;
                goto fail;
        }
        *ret = r;
        return 0;
fail:
        cni_result_done(&r);
        if (k == -ENOMEM)
                return podrt_error_set(err, ENOMEM, "out of memory");
        return podrt_error_set(err, EINVAL, "cni: the plugins' result: %s: not as CNI defines it",
                               what);
}

const char *cni_result_gateway(const struct cni_result *r) {
        for (size_t i = 0; i < r->n_ips; i++)
                if (r->ips[i].gateway && !strchr(r->ips[i].address, ':'))
                        return r->ips[i].gateway;
        for (size_t i = 0; i < r->n_ips; i++)
                if (r->ips[i].gateway)
                        return r->ips[i].gateway;
        return NULL;
}

static json_object *strings_json(char *const *v) {
        json_object *a = json_object_new_array();
        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

static json_object *string_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

json_object *cni_result_summary(const struct cni_result *r, const char *network,
                                json_object *ports) {
        json_object *o = json_object_new_object(), *ifs = json_object_new_array(),
                    *ips = json_object_new_array(), *routes = json_object_new_array(),
                    *dns = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(network));
        for (size_t i = 0; i < r->n_interfaces; i++) {
                json_object *f = json_object_new_object();
                json_object_object_add(f, "name", json_object_new_string(r->interfaces[i].name));
                json_object_object_add(f, "mac", string_or_null(r->interfaces[i].mac));
                json_object_object_add(f, "sandbox", string_or_null(r->interfaces[i].sandbox));
                json_object_array_add(ifs, f);
        }
        json_object_object_add(o, "interfaces", ifs);
        for (size_t i = 0; i < r->n_ips; i++)
                json_object_array_add(ips, json_object_new_string(r->ips[i].address));
        json_object_object_add(o, "ips", ips);
        json_object_object_add(o, "gateway", string_or_null(cni_result_gateway(r)));
        for (size_t i = 0; i < r->n_routes; i++) {
                json_object *rt = json_object_new_object();
                json_object_object_add(rt, "dst", json_object_new_string(r->routes[i].dst));
                if (r->routes[i].gw)
                        json_object_object_add(rt, "gw", json_object_new_string(r->routes[i].gw));
                json_object_array_add(routes, rt);
        }
        json_object_object_add(o, "routes", routes);
        json_object_object_add(dns, "nameservers", strings_json(r->dns_nameservers));
        json_object_object_add(dns, "search", strings_json(r->dns_search));
        json_object_object_add(dns, "options", strings_json(r->dns_options));
        if (r->dns_domain)
                json_object_object_add(dns, "domain", json_object_new_string(r->dns_domain));
        json_object_object_add(o, "dns", dns);
        json_object_object_add(o, "ports", ports ? json_object_get(ports) : json_object_new_array());
        return o;
}

/* ---- errors ---- */

int cni_error_parse(const char *out, char **ret_msg, int *ret_code) {
        if (!out)
                return 0;
        json_object *o = json_tokener_parse(out), *code;
        if (!o)
                return 0;
        int r = 0;
        if (json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, "code", &code) &&
            json_object_is_type(code, json_type_int)) {
                json_object *v;
                const char *msg = json_object_object_get_ex(o, "msg", &v) &&
                                  json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
                const char *details = json_object_object_get_ex(o, "details", &v) &&
                                      json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
                char *text = NULL;
                if (asprintf(&text, "%s%s%s", msg && *msg ? msg : "error without a message",
                             details && *details ? "; " : "", details && *details ? details : "") >= 0) {
                        *ret_msg = text;
                        *ret_code = json_object_get_int(code);
                        r = 1;
                } else
                        r = -ENOMEM;
        }
        json_object_put(o);
        return r;
}
