/* SPDX-License-Identifier: Apache-2.0 */
/* The cni plugin's pure parts, compiled from its sources: the choice of a
 * conflist, the network config on a plugin's stdin (prevResult,
 * runtimeConfig), results, errors, port mappings, running a plugin (clean
 * environment, stdin, timeout, messages), and, through the descriptor, its
 * config_check and its `podrt check` lines.  The core's objects are faked
 * here: a configuration table, a pod with annotations, and the check
 * report (podrt_check_add and podrt_check_note, which libpodrt has). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cunit-main.h"
#include "cni.h"
#include "errors.h"
#include "fileio.h"
#include "strv.h"
#include "timeutil.h"

/* ---- fakes of the core ---- */

struct fake_setting {
        const char *path;
        uint32_t kind;
        const char *str;
        const char *const *list;
        int line;
};
struct podrt_config {
        const struct fake_setting *s;
};

static const struct fake_setting *fake_find(const struct podrt_config *cfg, const char *path) {
        for (size_t i = 0; cfg && cfg->s[i].path; i++)
                if (strcmp(cfg->s[i].path, path) == 0)
                        return &cfg->s[i];
        return NULL;
}

const char *podrt_config_string(const struct podrt_config *cfg, const char *path,
                                const char *fallback) {
        const struct fake_setting *s = fake_find(cfg, path);
        return s && s->kind == PODRT_CONFIG_STRING ? s->str : fallback;
}

const char *const *podrt_config_strings(const struct podrt_config *cfg, const char *path) {
        static const char *one[2];
        const struct fake_setting *s = fake_find(cfg, path);
        if (!s)
                return NULL;
        if (s->kind == PODRT_CONFIG_STRING) {
                one[0] = s->str;
                return one;
        }
        return s->kind == PODRT_CONFIG_LIST ? s->list : NULL;
}

uint32_t podrt_config_kind(const struct podrt_config *cfg, const char *path) {
        const struct fake_setting *s = fake_find(cfg, path);
        return s ? s->kind : PODRT_CONFIG_ABSENT;
}

const char *const *podrt_config_keys(const struct podrt_config *cfg, const char *path) {
        static const char *keys[32];
        size_t n = 0, len = strlen(path);
        if (!fake_find(cfg, path))
                return NULL;
        for (size_t i = 0; cfg->s[i].path && n < 31; i++) {
                const char *p = cfg->s[i].path;
                if (strncmp(p, path, len) == 0 && p[len] == '.' && !strchr(p + len + 1, '.'))
                        keys[n++] = p + len + 1;
        }
        keys[n] = NULL;
        return keys;
}

int podrt_config_error(const struct podrt_config *cfg, const char *path, struct podrt_error **err,
                       const char *fmt, ...) {
        char text[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        const struct fake_setting *s = fake_find(cfg, path);
        return podrt_error_set(err, EINVAL, "fake.conf:%d: %s: %s", s ? s->line : 0, path, text);
}

struct podrt_pod {
        const char *ports;
        /* one app whose manifest ports are these (n_mports of them) */
        size_t n_mports;
        struct { uint32_t container, host; const char *protocol, *host_ip; } mports[4];
};
struct podrt_app {
        struct podrt_pod *pod;
};

size_t podrt_pod_n_apps(const struct podrt_pod *pod) { return pod->n_mports ? 1 : 0; }
struct podrt_app *podrt_pod_app(const struct podrt_pod *pod, size_t i) {
        static struct podrt_app app;
        app.pod = (struct podrt_pod *)pod;
        return i == 0 ? &app : NULL;
}
size_t podrt_app_n_ports(const struct podrt_app *app) { return app->pod->n_mports; }
uint32_t podrt_app_port_container(const struct podrt_app *app, size_t i) { return app->pod->mports[i].container; }
uint32_t podrt_app_port_host(const struct podrt_app *app, size_t i) { return app->pod->mports[i].host; }
const char *podrt_app_port_protocol(const struct podrt_app *app, size_t i) { return app->pod->mports[i].protocol; }
const char *podrt_app_port_host_ip(const struct podrt_app *app, size_t i) { return app->pod->mports[i].host_ip; }

const char *podrt_pod_annotation(const struct podrt_pod *pod, const char *key) {
        return strcmp(key, "io.podrt.ports") == 0 ? pod->ports : NULL;
}
const char *podrt_pod_dir(const struct podrt_pod *pod) { return "/nonexistent"; }
const char *podrt_pod_id(const struct podrt_pod *pod) { return "0123456789abcdef0123456789abcdef"; }
const char *podrt_pod_name(const struct podrt_pod *pod) { return "fake"; }
int podrt_pod_set_netns_path(struct podrt_pod *pod, const char *path) { return 0; }

/* The check report: "what|ok|optional|detail" lines, and notes. */
struct podrt_check {
        char **lines;
        char **notes;
};

int podrt_check_add(struct podrt_check *check, const char *what, uint32_t flags, const char *fmt, ...) {
        char detail[512], *line = NULL;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
        if (asprintf(&line, "%s|%s|%s|%s", what, flags & PODRT_CHECK_OK ? "ok" : "missing",
                     flags & PODRT_CHECK_OPTIONAL ? "optional" : "required", detail) < 0)
                return -ENOMEM;
        return strv_consume(&check->lines, line);
}

int podrt_check_note(struct podrt_check *check, const char *fmt, ...) {
        char note[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(note, sizeof(note), fmt, ap);
        va_end(ap);
        return strv_push(&check->notes, note);
}

static const char *check_line(const struct podrt_check *c, const char *what) {
        size_t n = strlen(what);
        for (size_t i = 0; c->lines && c->lines[i]; i++)
                if (strncmp(c->lines[i], what, n) == 0 && c->lines[i][n] == '|')
                        return c->lines[i];
        return "";
}

/* ---- a scratch folder ---- */

static char scratch[64];

static int suite_init(void) {
        strcpy(scratch, "/tmp/podrt-test-cni.XXXXXX");
        return mkdtemp(scratch) ? 0 : -1;
}

static int suite_cleanup(void) {
        return rm_rf(scratch) < 0 ? -1 : 0;
}

static char *in_scratch(const char *name) {
        return path_join(scratch, name);
}

static void put(const char *name, const char *text, mode_t mode) {
        _cleanup_free_ char *path = in_scratch(name);
        _cleanup_free_ char *copy = strdup(path);
        char *slash = strrchr(copy, '/');
        *slash = '\0';
        CU_ASSERT_FATAL(mkdir_p(copy, 0755) >= 0);
        CU_ASSERT_FATAL(write_file_atomic(path, text, strlen(text), mode, 0) >= 0);
}

/* ---- conflists ---- */

static void test_conflist_find(void) {
        put("d1/10-a.conflist",
            "{\"cniVersion\":\"1.0.0\",\"name\":\"a\",\"plugins\":[{\"type\":\"bridge\"},{\"type\":\"portmap\"}]}",
            0644);
        put("d1/05-broken.conflist", "{ not json", 0644);
        put("d1/30-a-again.conflist",
            "{\"cniVersion\":\"1.0.0\",\"name\":\"a\",\"plugins\":[{\"type\":\"ptp\"}]}", 0644);
        put("d1/20-b.conf",
            "{\"cniVersion\":\"0.4.0\",\"name\":\"b\",\"type\":\"ptp\",\"ipam\":{\"type\":\"host-local\"}}",
            0644);
        put("d1/README", "{\"name\":\"c\"}", 0644);
        put("d2/10-c.conflist",
            "{\"cniVersion\":\"1.0.0\",\"name\":\"c\",\"plugins\":[{\"type\":\"macvlan\"}]}", 0644);
        put("d2/00-a.conflist",
            "{\"cniVersion\":\"1.0.0\",\"name\":\"a\",\"plugins\":[{\"type\":\"vlan\"}]}", 0644);
        _cleanup_free_ char *d1 = in_scratch("d1"), *d2 = in_scratch("d2");
        char *dirs[] = { d1, d2, NULL };

        /* Sorted by file name in each dir, dirs in order, first match wins. */
        struct cni_conflist c = { 0 };
        _cleanup_strv_free_ char **skipped = NULL;
        CU_ASSERT_EQUAL_FATAL(cni_conflist_find(dirs, "a", &c, &skipped, NULL), 0);
        ASSERT_CONTAINS(c.source, "d1/10-a.conflist");
        CU_ASSERT_EQUAL(cni_conflist_n_plugins(&c), 2);
        CU_ASSERT_STRING_EQUAL(cni_plugin_type(cni_conflist_plugin(&c, 1)), "portmap");
        CU_ASSERT_PTR_NOT_NULL_FATAL(skipped);
        ASSERT_CONTAINS(skipped[0], "05-broken.conflist: not JSON");
        cni_conflist_done(&c);

        /* A .conf file becomes a conflist of one. */
        CU_ASSERT_EQUAL_FATAL(cni_conflist_find(dirs, "b", &c, NULL, NULL), 0);
        CU_ASSERT_EQUAL(cni_conflist_n_plugins(&c), 1);
        CU_ASSERT_STRING_EQUAL(cni_conflist_version(&c), "0.4.0");
        CU_ASSERT_STRING_EQUAL(cni_conflist_name(&c), "b");
        CU_ASSERT_STRING_EQUAL(cni_plugin_type(cni_conflist_plugin(&c, 0)), "ptp");
        cni_conflist_done(&c);

        /* A conflist in a .json file is read as one. */
        put("d2/40-e.json",
            "{\"cniVersion\":\"1.0.0\",\"name\":\"e\",\"plugins\":[{\"type\":\"ptp\"},{\"type\":\"tuning\"}]}", 0644);
        CU_ASSERT_EQUAL_FATAL(cni_conflist_find(dirs, "e", &c, NULL, NULL), 0);
        CU_ASSERT_EQUAL(cni_conflist_n_plugins(&c), 2);
        cni_conflist_done(&c);

        /* The second dir; README is not a conf file. */
        CU_ASSERT_EQUAL_FATAL(cni_conflist_find(dirs, "c", &c, NULL, NULL), 0);
        ASSERT_CONTAINS(c.source, "d2/10-c.conflist");
        cni_conflist_done(&c);

        /* Unknown: ENOENT, naming the dirs. */
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL(cni_conflist_find(dirs, "nope", &c, NULL, &e), -ENOENT);
        ASSERT_CONTAINS(podrt_error_message(e), "no conflist names the network 'nope'");
        ASSERT_CONTAINS(podrt_error_message(e), d2);

        /* "podrt" without a file: the built-in one. */
        CU_ASSERT_EQUAL_FATAL(cni_conflist_find(dirs, "podrt", &c, NULL, NULL), 0);
        CU_ASSERT_STRING_EQUAL(c.source, "(built-in)");
        cni_conflist_done(&c);
        /* ... and a file naming it wins over it. */
        put("d2/50-podrt.conflist",
            "{\"cniVersion\":\"1.0.0\",\"name\":\"podrt\",\"plugins\":[{\"type\":\"ptp\"}]}", 0644);
        CU_ASSERT_EQUAL_FATAL(cni_conflist_find(dirs, "podrt", &c, NULL, NULL), 0);
        ASSERT_CONTAINS(c.source, "50-podrt.conflist");
        cni_conflist_done(&c);
}

static void test_builtin(void) {
        struct cni_conflist c = { 0 };
        CU_ASSERT_EQUAL_FATAL(cni_conflist_parse(cni_builtin_conflist(), "(built-in)", false, &c, NULL), 0);
        CU_ASSERT_STRING_EQUAL(cni_conflist_name(&c), "podrt");
        CU_ASSERT_STRING_EQUAL(cni_conflist_version(&c), "1.0.0");
        CU_ASSERT_EQUAL_FATAL(cni_conflist_n_plugins(&c), 4);
        const char *types[] = { "bridge", "portmap", "firewall", "tuning" };
        for (size_t i = 0; i < 4; i++)
                CU_ASSERT_STRING_EQUAL(cni_plugin_type(cni_conflist_plugin(&c, i)), types[i]);
        const char *bridge = json_object_to_json_string_ext(cni_conflist_plugin(&c, 0), JSON_C_TO_STRING_PLAIN);
        ASSERT_CONTAINS(bridge, "\"bridge\":\"podrt0\"");
        ASSERT_CONTAINS(bridge, "\"isGateway\":true");
        ASSERT_CONTAINS(bridge, "\"ipMasq\":true");
        ASSERT_CONTAINS(bridge, "\"type\":\"host-local\"");
        ASSERT_CONTAINS(bridge, "\"subnet\":\"10.89.0.0\\/16\"");
        ASSERT_CONTAINS(bridge, "\"dst\":\"0.0.0.0\\/0\"");
        const char *portmap = json_object_to_json_string_ext(cni_conflist_plugin(&c, 1), JSON_C_TO_STRING_PLAIN);
        ASSERT_CONTAINS(portmap, "\"snat\":true");
        CU_ASSERT_EQUAL(cni_conflist_has_capability(&c, "portMappings"), 1);
        CU_ASSERT_EQUAL(cni_conflist_has_capability(&c, "bandwidth"), 0);
        cni_conflist_done(&c);
}

static void refuse(const char *text, const char *msg) {
        struct cni_conflist c = { 0 };
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT(cni_conflist_parse(text, "x.conflist", false, &c, &e) < 0);
        ASSERT_CONTAINS(podrt_error_message(e), msg);
        CU_ASSERT_PTR_NULL(c.json);
}

static void test_conflist_refusals(void) {
        refuse("[]", "x.conflist: not a JSON object");
        refuse("{\"cniVersion\":\"1.0.0\",\"plugins\":[{\"type\":\"a\"}]}", "no valid \"name\"");
        refuse("{\"cniVersion\":\"1.0.0\",\"name\":\"bad name\",\"plugins\":[{\"type\":\"a\"}]}", "no valid \"name\"");
        refuse("{\"name\":\"n\",\"plugins\":[{\"type\":\"a\"}]}", "no \"cniVersion\"");
        refuse("{\"cniVersion\":\"0.2.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"a\"}]}",
               "cniVersion 0.2.0 is not supported");
        refuse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[]}", "\"plugins\" must be a non-empty array");
        refuse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"../../bin/sh\"}]}",
               "plugins[0]: \"type\" must be a plugin's name");
        refuse("{\"cniVersion\":\"1.0.0\",\"name\":\"n\",\"plugins\":[{\"type\":\"a\"},{}]}",
               "plugins[1]: \"type\"");
}

/* ---- the stdin config ---- */

static void test_stdin_config(void) {
        struct cni_conflist c = { 0 };
        CU_ASSERT_EQUAL_FATAL(cni_conflist_parse(
                "{\"cniVersion\":\"1.0.0\",\"name\":\"net1\",\"plugins\":["
                "{\"type\":\"bridge\",\"bridge\":\"br9\",\"prevResult\":{\"bogus\":1}},"
                "{\"type\":\"portmap\",\"snat\":true,\"capabilities\":{\"portMappings\":true,\"bandwidth\":false}},"
                "{\"type\":\"other\",\"capabilities\":{\"ipRanges\":true}}]}",
                "t", false, &c, NULL), 0);
        json_object *runtime = json_tokener_parse(
                "{\"portMappings\":[{\"hostPort\":8080,\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":\"\"}],"
                "\"bandwidth\":{\"ingressRate\":1}}");
        json_object *prev = json_tokener_parse("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.0.2/24\"}]}");

        _cleanup_free_ char *s0 = NULL, *s1 = NULL, *s2 = NULL;
        CU_ASSERT_EQUAL_FATAL(cni_stdin_config(&c, 0, NULL, runtime, &s0, NULL), 0);
        json_object *o = json_tokener_parse(s0), *v;
        CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(o, "name")), "net1");
        CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(o, "cniVersion")), "1.0.0");
        CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(o, "bridge")), "br9");
        /* The first plugin gets no prevResult, even one its file holds. */
        CU_ASSERT_FALSE(json_object_object_get_ex(o, "prevResult", &v));
        CU_ASSERT_FALSE(json_object_object_get_ex(o, "runtimeConfig", &v));
        json_object_put(o);

        CU_ASSERT_EQUAL_FATAL(cni_stdin_config(&c, 1, prev, runtime, &s1, NULL), 0);
        o = json_tokener_parse(s1);
        CU_ASSERT_FATAL(json_object_object_get_ex(o, "prevResult", &v));
        CU_ASSERT(json_object_equal(v, prev));
        CU_ASSERT_FATAL(json_object_object_get_ex(o, "runtimeConfig", &v));
        /* Only what it declares true: portMappings, not bandwidth. */
        CU_ASSERT(json_object_equal(json_object_object_get(v, "portMappings"),
                                    json_object_object_get(runtime, "portMappings")));
        CU_ASSERT_FALSE(json_object_object_get_ex(v, "bandwidth", NULL));
        CU_ASSERT_TRUE(json_object_get_boolean(json_object_object_get(o, "snat")));
        json_object_put(o);

        /* A capability the runtime has no value for: no runtimeConfig. */
        CU_ASSERT_EQUAL_FATAL(cni_stdin_config(&c, 2, prev, runtime, &s2, NULL), 0);
        o = json_tokener_parse(s2);
        CU_ASSERT_FALSE(json_object_object_get_ex(o, "runtimeConfig", &v));
        json_object_put(o);

        CU_ASSERT(cni_stdin_config(&c, 3, NULL, NULL, &s2, NULL) < 0);
        json_object_put(runtime);
        json_object_put(prev);
        cni_conflist_done(&c);
}

/* ---- results ---- */

static const char bridge_result[] =
        "{\"cniVersion\":\"1.0.0\",\"interfaces\":["
        "{\"name\":\"podrt0\",\"mac\":\"aa:bb:cc:00:00:01\"},"
        "{\"name\":\"veth1234\",\"mac\":\"aa:bb:cc:00:00:02\"},"
        "{\"name\":\"eth0\",\"mac\":\"aa:bb:cc:00:00:03\",\"sandbox\":\"/run/podrt/pods/x/netns\"}],"
        "\"ips\":[{\"interface\":2,\"address\":\"10.89.0.5/16\",\"gateway\":\"10.89.0.1\"},"
        "{\"interface\":2,\"address\":\"fd00::5/64\",\"gateway\":\"fd00::1\"}],"
        "\"routes\":[{\"dst\":\"0.0.0.0/0\"},{\"dst\":\"192.0.2.0/24\",\"gw\":\"10.89.0.254\"}],"
        "\"dns\":{\"nameservers\":[\"10.89.0.1\"],\"domain\":\"pods.example\",\"search\":[\"example.com\"],"
        "\"options\":[\"ndots:2\"]}}";

static void test_result_parse(void) {
        json_object *o = json_tokener_parse(bridge_result);
        struct cni_result r = { 0 };
        CU_ASSERT_EQUAL_FATAL(cni_result_parse(o, &r, NULL), 0);
        CU_ASSERT_STRING_EQUAL(r.cni_version, "1.0.0");
        CU_ASSERT_EQUAL_FATAL(r.n_interfaces, 3);
        CU_ASSERT_STRING_EQUAL(r.interfaces[2].name, "eth0");
        CU_ASSERT_STRING_EQUAL(r.interfaces[2].sandbox, "/run/podrt/pods/x/netns");
        CU_ASSERT_PTR_NULL(r.interfaces[0].sandbox);
        CU_ASSERT_EQUAL_FATAL(r.n_ips, 2);
        CU_ASSERT_STRING_EQUAL(r.ips[0].address, "10.89.0.5/16");
        CU_ASSERT_EQUAL(r.ips[0].interface, 2);
        CU_ASSERT_STRING_EQUAL(cni_result_gateway(&r), "10.89.0.1");
        CU_ASSERT_EQUAL_FATAL(r.n_routes, 2);
        CU_ASSERT_PTR_NULL(r.routes[0].gw);
        CU_ASSERT_STRING_EQUAL(r.routes[1].gw, "10.89.0.254");
        CU_ASSERT_STRING_EQUAL(r.dns_nameservers[0], "10.89.0.1");
        CU_ASSERT_PTR_NULL(r.dns_nameservers[1]);
        CU_ASSERT_STRING_EQUAL(r.dns_search[0], "example.com");
        CU_ASSERT_STRING_EQUAL(r.dns_options[0], "ndots:2");
        CU_ASSERT_STRING_EQUAL(r.dns_domain, "pods.example");

        json_object *ports = json_tokener_parse("[{\"hostPort\":18080,\"containerPort\":80}]");
        json_object *s = cni_result_summary(&r, "podrt", ports);
        const char *text = json_object_to_json_string_ext(s, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        ASSERT_CONTAINS(text, "\"name\":\"podrt\"");
        ASSERT_CONTAINS(text, "\"ips\":[\"10.89.0.5/16\",\"fd00::5/64\"]");
        ASSERT_CONTAINS(text, "\"gateway\":\"10.89.0.1\"");
        ASSERT_CONTAINS(text, "\"ports\":[{\"hostPort\":18080,\"containerPort\":80}]");
        ASSERT_CONTAINS(text, "\"nameservers\":[\"10.89.0.1\"]");
        ASSERT_CONTAINS(text, "{\"name\":\"eth0\",\"mac\":\"aa:bb:cc:00:00:03\",\"sandbox\":\"/run/podrt/pods/x/netns\"}");
        json_object_put(s);
        json_object_put(ports);
        cni_result_done(&r);
        json_object_put(o);

        /* A minimal result (portmap passes an empty one on): no dns, no gateway. */
        o = json_tokener_parse("{\"cniVersion\":\"0.4.0\"}");
        CU_ASSERT_EQUAL_FATAL(cni_result_parse(o, &r, NULL), 0);
        CU_ASSERT_EQUAL(r.n_ips, 0);
        CU_ASSERT_PTR_NULL(cni_result_gateway(&r));
        CU_ASSERT_PTR_NULL(r.dns_nameservers[0]);
        cni_result_done(&r);
        json_object_put(o);
}

static void bad_result(const char *text, const char *what) {
        json_object *o = json_tokener_parse(text);
        struct cni_result r = { 0 };
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT(cni_result_parse(o, &r, &e) < 0);
        ASSERT_CONTAINS(podrt_error_message(e), what);
        if (o)
                json_object_put(o);
}

static void test_result_refusals(void) {
        bad_result("[]", "result: not as CNI defines it");
        bad_result("{\"interfaces\":{}}", "interfaces");
        bad_result("{\"interfaces\":[{\"mac\":\"x\"}]}", "interfaces");
        bad_result("{\"ips\":[{\"address\":\"10.0.0.1\"}]}", "ips");
        bad_result("{\"interfaces\":[{\"name\":\"eth0\"}],\"ips\":[{\"address\":\"10.0.0.1/8\",\"interface\":1}]}", "ips");
        bad_result("{\"routes\":[{\"gw\":\"10.0.0.1\"}]}", "routes");
        bad_result("{\"dns\":{\"nameservers\":\"10.0.0.1\"}}", "dns");
}

/* ---- errors ---- */

static void test_error_parse(void) {
        char *msg = NULL;
        int code = 0;
        CU_ASSERT_EQUAL(cni_error_parse("{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"test failure\"}", &msg, &code), 1);
        CU_ASSERT_STRING_EQUAL(msg, "test failure");
        CU_ASSERT_EQUAL(code, 7);
        free(msg);
        CU_ASSERT_EQUAL(cni_error_parse("{\"code\":11,\"msg\":\"failed to allocate\",\"details\":\"range full\"}", &msg, &code), 1);
        CU_ASSERT_STRING_EQUAL(msg, "failed to allocate; range full");
        CU_ASSERT_EQUAL(code, 11);
        free(msg);
        CU_ASSERT_EQUAL(cni_error_parse("{\"code\":4}", &msg, &code), 1);
        CU_ASSERT_STRING_EQUAL(msg, "error without a message");
        free(msg);
        msg = NULL;
        CU_ASSERT_EQUAL(cni_error_parse("panic: runtime error", &msg, &code), 0);
        CU_ASSERT_EQUAL(cni_error_parse("{\"cniVersion\":\"1.0.0\",\"ips\":[]}", &msg, &code), 0);
        CU_ASSERT_EQUAL(cni_error_parse(NULL, &msg, &code), 0);
        CU_ASSERT_PTR_NULL(msg);
}

/* ---- ports ---- */

static void test_ports(void) {
        json_object *p = NULL;
        CU_ASSERT_EQUAL_FATAL(cni_ports_parse(
                "[{\"name\":\"http\",\"containerPort\":80,\"hostPort\":18080,\"protocol\":\"tcp\",\"hostIP\":\"127.0.0.1\"},"
                "{\"containerPort\":53,\"hostPort\":5353,\"protocol\":\"udp\"},"
                "{\"containerPort\":9090}]", "t", &p, NULL), 0);
        CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
                "[{\"hostPort\":18080,\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":\"127.0.0.1\"},"
                "{\"hostPort\":5353,\"containerPort\":53,\"protocol\":\"udp\",\"hostIP\":\"\"}]");
        json_object_put(p);

        /* The pod's ports come from its annotation; none: an empty list. */
        struct podrt_pod pod = { .ports = "[{\"containerPort\":80,\"hostPort\":8080}]" };
        CU_ASSERT_EQUAL_FATAL(cni_pod_ports(&pod, &p, NULL), 0);
        CU_ASSERT_EQUAL(json_object_array_length(p), 1);
        json_object_put(p);
        pod.ports = NULL;
        CU_ASSERT_EQUAL_FATAL(cni_pod_ports(&pod, &p, NULL), 0);
        CU_ASSERT_EQUAL(json_object_array_length(p), 0);
        json_object_put(p);
        /* The manifest's ports: the mapped ones become portMappings. */
        pod.n_mports = 2;
        pod.mports[0].container = 80, pod.mports[0].host = 18081, pod.mports[0].protocol = "tcp",
        pod.mports[0].host_ip = "127.0.0.1";
        pod.mports[1].container = 9090, pod.mports[1].host = 0, pod.mports[1].protocol = "tcp";
        CU_ASSERT_EQUAL_FATAL(cni_pod_ports(&pod, &p, NULL), 0);
        CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN),
                "[{\"hostPort\":18081,\"containerPort\":80,\"protocol\":\"tcp\",\"hostIP\":\"127.0.0.1\"}]");
        json_object_put(p);
        pod.n_mports = 0;
        pod.ports = "{}";
        _cleanup_error_ struct podrt_error *e0 = NULL;
        CU_ASSERT(cni_pod_ports(&pod, &p, &e0) < 0);
        ASSERT_CONTAINS(podrt_error_message(e0), "cni: annotation io.podrt.ports: must be a JSON array");

        static const char *const bad[][2] = {
                { "[{\"containerPort\":0,\"hostPort\":1}]", "[0].containerPort: must be a port (1-65535)" },
                { "[{\"hostPort\":1}]", "[0].containerPort: missing" },
                { "[{\"containerPort\":1,\"hostPort\":65536}]", "[0].hostPort: must be a port" },
                { "[{\"containerPort\":1,\"hostPort\":\"80\"}]", "[0].hostPort: must be a port" },
                { "[{\"containerPort\":1,\"hostPort\":2,\"protocol\":\"icmp\"}]", "[0].protocol: must be tcp, udp or sctp" },
                { "[{\"containerPort\":1,\"hostPort\":2,\"hostIP\":\"localhost\"}]", "[0].hostIP: must be an IP address" },
                { "[{\"containerPort\":1,\"hostport\":2}]", "[0]: unknown field 'hostport'" },
                { "[{\"containerPort\":1,\"hostPort\":2},{\"containerPort\":3,\"hostPort\":2}]", "[1].hostPort: 2/tcp is mapped twice" },
                { "[1]", "[0]: must be an object" },
                { "not json", "not JSON" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_error_ struct podrt_error *e = NULL;
                p = NULL;
                CU_ASSERT(cni_ports_parse(bad[i][0], "t", &p, &e) < 0);
                CU_ASSERT_PTR_NULL(p);
                ASSERT_CONTAINS(podrt_error_message(e), bad[i][1]);
        }
        /* The same host port on two protocols, or two addresses, is fine. */
        CU_ASSERT_EQUAL(cni_ports_parse("[{\"containerPort\":1,\"hostPort\":2},{\"containerPort\":1,\"hostPort\":2,\"protocol\":\"udp\"},"
                                        "{\"containerPort\":1,\"hostPort\":3,\"hostIP\":\"127.0.0.1\"},{\"containerPort\":1,\"hostPort\":3,\"hostIP\":\"127.0.0.2\"}]",
                                        "t", &p, NULL), 0);
        json_object_put(p);
}

/* ---- running a plugin ---- */

static void test_exec(void) {
        _cleanup_free_ char *bin = in_scratch("bin"), *env_out = in_scratch("env.out"),
                            *stdin_out = in_scratch("stdin.out"), *script = NULL;
        CU_ASSERT_FATAL(asprintf(&script,
                "#!/bin/sh\n"
                "tr '\\0' '\\n' </proc/$$/environ >%s\n"
                "cat >%s\n"
                "echo '{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.1.0.2/24\"}]}'\n",
                env_out, stdin_out) > 0);
        put("bin/good", script, 0755);
        put("bin/slow", "#!/bin/sh\nexec sleep 10\n", 0755);
        put("bin/cnierr", "#!/bin/sh\necho '{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"test failure\"}'\nexit 1\n", 0755);
        put("bin/crash", "#!/bin/sh\necho starting >&2\necho 'oops: no such device' >&2\nexit 3\n", 0755);
        put("bin/noexec", "#!/bin/sh\nexit 0\n", 0644);
        put("bin/daemon", "#!/bin/sh\nsleep 5 &\necho '{\"cniVersion\":\"1.0.0\"}'\n", 0755);
        char *dirs[] = { "/nonexistent", bin, NULL };
        struct cni_exec e = {
                .command = CNI_ADD,
                .container_id = "0123",
                .netns = "/run/x/netns",
                .ifname = "eth0",
                .plugin_dirs = dirs,
                .args = "IgnoreUnknown=1",
                .timeout_ms = 5000,
        };
        setenv("PODRT_TEST_LEAK", "1", 1);
        _cleanup_free_ char *out = NULL, *env = NULL, *in = NULL;
        CU_ASSERT_EQUAL_FATAL(cni_exec_plugin(&e, "good", "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}", &out, NULL), 0);
        ASSERT_CONTAINS(out, "10.1.0.2/24");
        CU_ASSERT_FATAL(read_file(env_out, 0, &env, NULL) >= 0);
        CU_ASSERT_FATAL(read_file(stdin_out, 0, &in, NULL) >= 0);
        CU_ASSERT_STRING_EQUAL(in, "{\"cniVersion\":\"1.0.0\",\"name\":\"n\"}");
        _cleanup_free_ char *want = NULL;
        CU_ASSERT_FATAL(asprintf(&want,
                "CNI_COMMAND=ADD\nCNI_CONTAINERID=0123\nCNI_NETNS=/run/x/netns\nCNI_IFNAME=eth0\n"
                "CNI_ARGS=IgnoreUnknown=1\nCNI_PATH=/nonexistent:%s\n"
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n", bin) > 0);
        /* Exactly CNI_* and PATH: nothing of ours leaks. */
        CU_ASSERT_STRING_EQUAL(env, want);

        struct {
                const char *type;
                int r;
                const char *msg;
        } fails[] = {
                { "cnierr", -EIO, "cni: cnierr: test failure" },
                { "crash", -EIO, "cni: crash: ADD failed: exit status 3: oops: no such device" },
                { "missing", -ENOENT, "cni: missing: plugin not found (searched: /nonexistent:" },
                { "noexec", -ENOENT, "cni: noexec: plugin not found" },
        };
        for (size_t i = 0; i < ELEMENTSOF(fails); i++) {
                _cleanup_error_ struct podrt_error *err = NULL;
                _cleanup_free_ char *o = NULL;
                CU_ASSERT_EQUAL(cni_exec_plugin(&e, fails[i].type, "{}", &o, &err), fails[i].r);
                ASSERT_CONTAINS(podrt_error_message(err), fails[i].msg);
                CU_ASSERT_PTR_NULL(o);
        }

        /* A plugin that leaves a process holding its stdout: done when it exits. */
        int64_t t1 = now_ms();
        _cleanup_free_ char *dout = NULL;
        CU_ASSERT_EQUAL(cni_exec_plugin(&e, "daemon", "{}", &dout, NULL), 0);
        CU_ASSERT(now_ms() - t1 < 2000);
        ASSERT_CONTAINS(dout, "1.0.0");

        /* The timeout: killed, and said so. */
        e.timeout_ms = 300;
        e.command = CNI_DEL;
        int64_t t0 = now_ms();
        _cleanup_error_ struct podrt_error *err = NULL;
        _cleanup_free_ char *o = NULL;
        CU_ASSERT_EQUAL(cni_exec_plugin(&e, "slow", "{}", &o, &err), -ETIMEDOUT);
        ASSERT_CONTAINS(podrt_error_message(err), "cni: slow: DEL timed out");
        CU_ASSERT(now_ms() - t0 < 3000);
}

/* ---- through the descriptor: config_check, init, check ---- */

static const struct podrt_plugin *desc(void) {
        return podrt_plugin_entry();
}

static void config_refused(const struct fake_setting *s, const char *msg) {
        struct podrt_config cfg = { s };
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL(desc()->config_check(&cfg, 0, &e), -EINVAL);
        ASSERT_CONTAINS(podrt_error_message(e), msg);
}

static void test_config_check(void) {
        CU_ASSERT_STRING_EQUAL(desc()->name, "cni");
        CU_ASSERT_PTR_NOT_NULL(desc()->network);
        CU_ASSERT_PTR_NOT_NULL(desc()->check);
        static const char *const rel[] = { "net.d", NULL };
        static const char *const abs[] = { "/etc/cni/net.d", NULL };
        static const char *const none[] = { NULL };
        static const struct fake_setting unknown[] = {
                { "cni", PODRT_CONFIG_GROUP, NULL, NULL, 3 },
                { "cni.bogus", PODRT_CONFIG_INT, NULL, NULL, 4 },
                { 0 } };
        config_refused(unknown, "fake.conf:4: cni.bogus: unknown setting");
        static const struct fake_setting relative[] = {
                { "cni", PODRT_CONFIG_GROUP, NULL, NULL, 3 },
                { "cni.conf_dirs", PODRT_CONFIG_LIST, NULL, rel, 5 },
                { 0 } };
        config_refused(relative, "fake.conf:5: cni.conf_dirs: must hold absolute paths, not 'net.d'");
        static const struct fake_setting empty[] = {
                { "cni", PODRT_CONFIG_GROUP, NULL, NULL, 3 },
                { "cni.plugin_dirs", PODRT_CONFIG_LIST, NULL, none, 6 },
                { 0 } };
        config_refused(empty, "fake.conf:6: cni.plugin_dirs: must name at least one directory");
        static const struct fake_setting notgroup[] = {
                { "cni", PODRT_CONFIG_STRING, "podrt", NULL, 2 },
                { 0 } };
        config_refused(notgroup, "fake.conf:2: cni: must be a group");
        static const struct fake_setting badname[] = {
                { "cni", PODRT_CONFIG_GROUP, NULL, NULL, 3 },
                { "cni.network", PODRT_CONFIG_STRING, "my net", NULL, 7 },
                { 0 } };
        config_refused(badname, "fake.conf:7: cni.network: 'my net' is not a CNI network name");
        static const struct fake_setting notstring[] = {
                { "cni", PODRT_CONFIG_GROUP, NULL, NULL, 3 },
                { "cni.network", PODRT_CONFIG_INT, NULL, NULL, 8 },
                { 0 } };
        config_refused(notstring, "fake.conf:8: cni.network: must be a string");
        static const struct fake_setting good[] = {
                { "cni", PODRT_CONFIG_GROUP, NULL, NULL, 3 },
                { "cni.network", PODRT_CONFIG_STRING, "my-net.1", NULL, 4 },
                { "cni.conf_dirs", PODRT_CONFIG_LIST, NULL, abs, 5 },
                { "cni.plugin_dirs", PODRT_CONFIG_STRING, "/usr/lib/cni", NULL, 6 },
                { 0 } };
        struct podrt_config cfg = { good };
        CU_ASSERT_EQUAL(desc()->config_check(&cfg, 0, NULL), 0);
        struct podrt_config nothing = { (const struct fake_setting[]){ { 0 } } };
        CU_ASSERT_EQUAL(desc()->config_check(&nothing, 0, NULL), 0);
}

static void test_check(void) {
        /* check runs `iptables -L`: in a network namespace of this test's
         * own where it can (root), never on the host's rules. */
        if (unshare(CLONE_NEWNET) < 0)
                fprintf(stderr, "test_check: unshare(CLONE_NEWNET): %m: iptables -L runs here\n");
        _cleanup_free_ char *bin = in_scratch("cbin"), *net = in_scratch("cnet"), *conflist = NULL;
        put("cbin/bridge", "#!/bin/sh\necho '{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\"]}'\n", 0755);
        put("cbin/old", "#!/bin/sh\necho '{\"cniVersion\":\"0.4.0\",\"supportedVersions\":[\"0.3.1\",\"0.4.0\"]}'\n", 0755);
        put("cnet/10-n.conflist",
            "{\"cniVersion\":\"1.0.0\",\"name\":\"checknet\",\"plugins\":[{\"type\":\"bridge\",\"ipMasq\":true},"
            "{\"type\":\"old\"},{\"type\":\"nosuch\"},{\"type\":\"bridge\"}]}", 0644);
        const char *const plugin_dirs[] = { bin, "/nonexistent/cni", NULL };
        const char *const conf_dirs[] = { net, NULL };
        const struct fake_setting s[] = {
                { "network", PODRT_CONFIG_STRING, "cni", NULL, 1 },
                { "cni", PODRT_CONFIG_GROUP, NULL, NULL, 1 },
                { "cni.network", PODRT_CONFIG_STRING, "checknet", NULL, 2 },
                { "cni.conf_dirs", PODRT_CONFIG_LIST, NULL, conf_dirs, 3 },
                { "cni.plugin_dirs", PODRT_CONFIG_LIST, NULL, plugin_dirs, 4 },
                { 0 } };
        struct podrt_config cfg = { s };
        struct podrt_host host = { .version = PODRT_HOST_VERSION, .size = sizeof(host),
                                   .plugin_name = "cni", .config = &cfg, .log_level = PODRT_LOG_ERR };
        void *data = NULL;
        CU_ASSERT_EQUAL_FATAL(desc()->init(&host, &data, NULL), 0);
        struct podrt_check c = { 0 };
        CU_ASSERT_EQUAL(desc()->check(data, &c, 0, NULL), 0);
        ASSERT_CONTAINS(check_line(&c, "cni plugin dirs"), "|ok|required|");
        ASSERT_CONTAINS(check_line(&c, "cni plugin dirs"), bin);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c.notes);
        ASSERT_CONTAINS(c.notes[0], "/nonexistent/cni");
        ASSERT_CONTAINS(check_line(&c, "cni network"), "|ok|required|checknet: ");
        ASSERT_CONTAINS(check_line(&c, "cni network"), "10-n.conflist, cniVersion 1.0.0, 4 plugins");
        ASSERT_CONTAINS(check_line(&c, "cni plugin bridge"), "|ok|required|");
        ASSERT_CONTAINS(check_line(&c, "cni plugin old"), "|missing|required|");
        ASSERT_CONTAINS(check_line(&c, "cni plugin old"), "does not support cniVersion 1.0.0 (only 0.3.1 0.4.0)");
        ASSERT_CONTAINS(check_line(&c, "cni plugin nosuch"), "|missing|required|missing: not in any cni plugin dir");
        /* ipMasq: iptables is required (whether it works here or not). */
        ASSERT_CONTAINS(check_line(&c, "iptables"), "|required|");
        size_t n = 0;
        for (size_t i = 0; c.lines[i]; i++)
                n += strncmp(c.lines[i], "cni plugin bridge|", 18) == 0;
        CU_ASSERT_EQUAL(n, 1);
        strv_free(c.lines);
        strv_free(c.notes);
        desc()->fini(data);

        /* No conflist of that name: one line that says so. */
        const struct fake_setting s2[] = {
                { "cni", PODRT_CONFIG_GROUP, NULL, NULL, 1 },
                { "cni.network", PODRT_CONFIG_STRING, "absent", NULL, 2 },
                { "cni.conf_dirs", PODRT_CONFIG_LIST, NULL, conf_dirs, 3 },
                { 0 } };
        struct podrt_config cfg2 = { s2 };
        host.config = &cfg2;
        CU_ASSERT_EQUAL_FATAL(desc()->init(&host, &data, NULL), 0);
        c = (struct podrt_check){ 0 };
        CU_ASSERT_EQUAL(desc()->check(data, &c, 0, NULL), 0);
        /* ... optional, as the configured network is not cni. */
        ASSERT_CONTAINS(check_line(&c, "cni network"), "|missing|optional|cni: no conflist names the network 'absent'");
        ASSERT_CONTAINS(c.notes[0], "the configured network is 'none', not cni");
        /* The default plugin dirs, as the config does not set them. */
        CU_ASSERT_PTR_NOT_NULL(strstr(check_line(&c, "cni plugin dirs"), "cni plugin dirs|"));
        strv_free(c.lines);
        strv_free(c.notes);
        desc()->fini(data);
}

/* basic/strv's strv_join, which the plugin's messages and CNI_PATH use. */
static void test_strv_join(void) {
        char *v[] = { "/usr/lib/cni", "/opt/cni/bin", NULL }, *one[] = { "a", NULL }, *none[] = { NULL };
        _cleanup_free_ char *a = strv_join(v, ":"), *b = strv_join(one, ", "), *c = strv_join(none, ":"),
                            *d = strv_join(NULL, ":"), *e = strv_join(v, "");
        CU_ASSERT_STRING_EQUAL(a, "/usr/lib/cni:/opt/cni/bin");
        CU_ASSERT_STRING_EQUAL(b, "a");
        CU_ASSERT_STRING_EQUAL(c, "");
        CU_ASSERT_STRING_EQUAL(d, "");
        CU_ASSERT_STRING_EQUAL(e, "/usr/lib/cni/opt/cni/bin");
}

void register_tests(void) {
        CU_pSuite s = add_suite("cni", suite_init, suite_cleanup);
        ADD_TEST(s, test_conflist_find);
        ADD_TEST(s, test_builtin);
        ADD_TEST(s, test_conflist_refusals);
        ADD_TEST(s, test_stdin_config);
        ADD_TEST(s, test_result_parse);
        ADD_TEST(s, test_result_refusals);
        ADD_TEST(s, test_error_parse);
        ADD_TEST(s, test_ports);
        ADD_TEST(s, test_exec);
        ADD_TEST(s, test_config_check);
        ADD_TEST(s, test_check);
        ADD_TEST(s, test_strv_join);
}
