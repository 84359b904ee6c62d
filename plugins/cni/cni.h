/* SPDX-License-Identifier: Apache-2.0 */
/* The cni network plugin's parts.
 *
 *   conf.c      its settings (cni.*), their config_check, and the choice of
 *               the network's conflist in conf_dirs (or the built-in one)
 *   ports.c     the pod's port mappings (one source, for now an annotation)
 *   protocol.c  CNI 1.0.0 on json-c: the config a plugin reads on stdin,
 *               its result and its error
 *   exec.c      running one CNI plugin: clean env, stdin, stdout, timeout
 *   netns.c     the pod's network namespace, made as the core's `none` does
 *   cni.c       the network ops, `podrt check`, the descriptor
 *
 * Everything but cni.c and netns.c is pure enough for tests/cni/test-cni.c. */
#ifndef PODRT_CNI_H
#define PODRT_CNI_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>
#include <podrt/podrt.h>

#define CNI_DEFAULT_NETWORK "podrt"
#define CNI_IFNAME "eth0"
#define CNI_TIMEOUT_MS 30000
#define CNI_PORTS_ANNOTATION "io.podrt.ports"

/* Files kept in the pod's directory. */
#define CNI_CONFLIST_FILE "cni-conflist.json"   /* the conflist ADD used */
#define CNI_RUNTIME_FILE "cni-runtime.json"     /* the runtimeConfig values */
#define CNI_RESULT_FILE "cni-result.json"       /* the final ADD result */
#define CNI_SUMMARY_FILE "network.json"         /* name, interfaces, ips, ... */

/* ---- conf.c ---- */

struct cni_settings {
        char *network;          /* the network's name */
        char **conf_dirs;
        char **plugin_dirs;
};

void cni_settings_free(struct cni_settings *s);
/* The settings from the configuration's group cni, defaults for what is
 * not set. */
int cni_settings_read(const struct podrt_config *cfg, struct cni_settings *ret,
                      struct podrt_error **err);
/* The config_check method: the cni section. */
int cni_config_check(const struct podrt_config *cfg, uint64_t flags, struct podrt_error **err);

/* A conflist as it is used: always of the form {cniVersion, name, plugins}. */
struct cni_conflist {
        json_object *json;      /* owned */
        char *source;           /* its file, or "(built-in)" */
};

void cni_conflist_done(struct cni_conflist *c);
/* Validates a conflist (or, with single, a .conf file, turned into a
 * conflist of one plugin) parsed from text; source names it in messages. */
int cni_conflist_parse(const char *text, const char *source, bool single,
                       struct cni_conflist *ret, struct podrt_error **err);
/* The conflist named name: the first of the *.conflist, *.conf and *.json
 * files of dirs (in order; each dir's files sorted by name) whose "name" is
 * name; files that cannot be read or parsed are skipped and named in
 * *ret_skipped (may be NULL).  When none names it and name is "podrt", the
 * built-in conflist.  -ENOENT when there is none. */
int cni_conflist_find(char *const *dirs, const char *name, struct cni_conflist *ret,
                      char ***ret_skipped, struct podrt_error **err);
/* The built-in conflist for the network "podrt" (as text). */
const char *cni_builtin_conflist(void);

/* Accessors of a validated conflist. */
const char *cni_conflist_name(const struct cni_conflist *c);
const char *cni_conflist_version(const struct cni_conflist *c);
size_t cni_conflist_n_plugins(const struct cni_conflist *c);
json_object *cni_conflist_plugin(const struct cni_conflist *c, size_t i);
const char *cni_plugin_type(json_object *plugin);

/* ---- ports.c ---- */

/* The pod's port mappings as CNI's portMappings capability wants them
 * ([{hostPort, containerPort, protocol, hostIP}]), validated; an empty
 * array when the pod maps none.  The one place that knows where they come
 * from (for now the annotation io.podrt.ports). */
int cni_pod_ports(struct podrt_pod *pod, json_object **ret, struct podrt_error **err);
/* The same from a JSON text in Kubernetes' form (what the annotation holds);
 * where names the source in messages. */
int cni_ports_parse(const char *text, const char *where, json_object **ret,
                    struct podrt_error **err);

/* ---- protocol.c ---- */

#define CNI_ADD 0
#define CNI_DEL 1
#define CNI_CHECK 2
#define CNI_VERSION 3
const char *cni_command_name(int command);

/* What the runtime has for the plugins' capabilities: "portMappings" ->
 * array.  NULL: nothing. */
/* The network config plugin i of c reads on stdin: its own object with the
 * conflist's name and cniVersion, prevResult (may be NULL) and, for every
 * capability it declares true that runtime (an object of capability ->
 * value, may be NULL) has, runtimeConfig.  A new JSON text (malloc'd). */
int cni_stdin_config(const struct cni_conflist *c, size_t i, json_object *prev_result,
                     json_object *runtime, char **ret, struct podrt_error **err);
/* 1 when some plugin of c declares capability cap true. */
int cni_conflist_has_capability(const struct cni_conflist *c, const char *cap);

struct cni_interface {
        char *name, *mac, *sandbox;
};
struct cni_ip {
        char *address;          /* "10.89.0.5/16" */
        char *gateway;          /* may be NULL */
        int interface;          /* index into interfaces, -1 when not given */
};
struct cni_route {
        char *dst, *gw;         /* gw may be NULL */
};
struct cni_result {
        char *cni_version;
        struct cni_interface *interfaces;
        size_t n_interfaces;
        struct cni_ip *ips;
        size_t n_ips;
        struct cni_route *routes;
        size_t n_routes;
        char **dns_nameservers, **dns_search, **dns_options;  /* NULL-terminated */
        char *dns_domain;
};

void cni_result_done(struct cni_result *r);
/* Parses a plugin's result (CNI 0.3.0 to 1.0.0). */
int cni_result_parse(json_object *o, struct cni_result *ret, struct podrt_error **err);
/* The first IPv4 address's gateway, else the first gateway; NULL if none. */
const char *cni_result_gateway(const struct cni_result *r);
/* The summary kept in network.json: {name, interfaces, ips, gateway, routes,
 * dns, ports}. */
json_object *cni_result_summary(const struct cni_result *r, const char *network,
                                json_object *ports);

/* A plugin's error output: when out is a CNI error ({code, msg, details}),
 * "MSG" (plus "; DETAILS") and its code; else 0 (not an error object). */
int cni_error_parse(const char *out, char **ret_msg, int *ret_code);

/* ---- exec.c ---- */

struct cni_exec {
        int command;            /* CNI_ADD ... */
        const char *container_id;
        const char *netns;      /* "" when there is none (DEL after it went) */
        const char *ifname;
        char *const *plugin_dirs;
        const char *args;       /* CNI_ARGS, may be NULL */
        int timeout_ms;
};

/* The executable file for plugin type in dirs (malloc'd), or NULL. */
char *cni_find_plugin(char *const *dirs, const char *type);
/* Runs plugin type with e's environment and stdin_text on its stdin.  On
 * success (exit 0) *ret_out holds its stdout (may be empty).  On failure
 * *err says "cni: TYPE: MSG", with the plugin's CNI error message, else its
 * last stderr line or its exit status. */
int cni_exec_plugin(const struct cni_exec *e, const char *type, const char *stdin_text,
                    char **ret_out, struct podrt_error **err);

/* ---- netns.c ---- */

/* <pod dir>/netns: a fresh namespace with lo up, bind-mounted there. */
int cni_netns_create(const char *path, struct podrt_error **err);
/* Unmounts and removes it; fine when it is not there. */
int cni_netns_remove(const char *path, struct podrt_error **err);

#endif
