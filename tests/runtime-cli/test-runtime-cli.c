/* SPDX-License-Identifier: Apache-2.0 */
/* podrt-runtime's pure parts: runc's flag syntax, signal names, and the
 * translation of config.json into a manifest, with the exact error of each
 * invalid or unsupported field. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "args.h"
#include "cunit-main.h"
#include "resources.h"
#include "translate.h"

/* ---- flags ---------------------------------------------------------------- */

static const struct oci_opt create_opts[] = {
        { "bundle", 'b', true }, { "pid-file", 0, true }, { "console-socket", 0, true },
        { "no-pivot", 0, false }, { NULL, 0, false },
};

static int parse(char **argv, const char **v, int *index, char *msg) {
        int argc = 0;
        while (argv[argc])
                argc++;
        *index = 0;
        return oci_parse_opts(create_opts, argc, argv, index, v, msg, 256);
}

static void test_flags_forms(void) {
        char *argv[] = { "--bundle", "/b", "--pid-file=/p", "-no-pivot", "id", "--bundle", "x", NULL };
        const char *v[OCI_MAX_OPTS] = { 0 };
        char msg[256];
        int i;
        CU_ASSERT_EQUAL(parse(argv, v, &i, msg), 0);
        CU_ASSERT_STRING_EQUAL(v[0], "/b");
        CU_ASSERT_STRING_EQUAL(v[1], "/p");
        CU_ASSERT_PTR_NULL(v[2]);
        CU_ASSERT_STRING_EQUAL(v[3], "true");
        /* Flags end at the first operand. */
        CU_ASSERT_EQUAL(i, 4);
}

static void test_flags_short_and_last_wins(void) {
        char *argv[] = { "-b", "/one", "-b=/two", "--", "--bundle", NULL };
        const char *v[OCI_MAX_OPTS] = { 0 };
        char msg[256];
        int i;
        CU_ASSERT_EQUAL(parse(argv, v, &i, msg), 0);
        CU_ASSERT_STRING_EQUAL(v[0], "/two");
        CU_ASSERT_EQUAL(i, 4);   /* after "--" */
}

static void test_flags_errors(void) {
        const char *v[OCI_MAX_OPTS] = { 0 };
        char msg[256];
        int i;
        char *unknown[] = { "--frob", "id", NULL };
        CU_ASSERT_EQUAL(parse(unknown, v, &i, msg), -EINVAL);
        CU_ASSERT_STRING_EQUAL(msg, "flag provided but not defined: -frob");
        char *missing[] = { "--bundle", NULL };
        CU_ASSERT_EQUAL(parse(missing, v, &i, msg), -EINVAL);
        CU_ASSERT_STRING_EQUAL(msg, "flag needs an argument: -bundle");
        char *badbool[] = { "--no-pivot=maybe", NULL };
        CU_ASSERT_EQUAL(parse(badbool, v, &i, msg), -EINVAL);
        CU_ASSERT_STRING_EQUAL(msg, "invalid boolean value \"maybe\" for -no-pivot");
        char *falsebool[] = { "--no-pivot=false", NULL };
        memset(v, 0, sizeof v);
        CU_ASSERT_EQUAL(parse(falsebool, v, &i, msg), 0);
        CU_ASSERT_PTR_NULL(v[3]);
}

static void test_signals(void) {
        CU_ASSERT_EQUAL(oci_parse_signal("TERM"), SIGTERM);
        CU_ASSERT_EQUAL(oci_parse_signal("SIGKILL"), SIGKILL);
        CU_ASSERT_EQUAL(oci_parse_signal("usr1"), SIGUSR1);
        CU_ASSERT_EQUAL(oci_parse_signal("9"), 9);
        CU_ASSERT_EQUAL(oci_parse_signal("RTMIN+2"), SIGRTMIN + 2);
        CU_ASSERT_EQUAL(oci_parse_signal("RTMAX-1"), SIGRTMAX - 1);
        CU_ASSERT_EQUAL(oci_parse_signal("0"), -1);
        CU_ASSERT_EQUAL(oci_parse_signal("FROB"), -1);
        CU_ASSERT_EQUAL(oci_parse_signal("99"), -1);
        CU_ASSERT_EQUAL(oci_parse_signal(""), -1);
}

static void test_pod_name(void) {
        char n[64];
        oci_pod_name("MyCtr_1", n);
        CU_ASSERT_STRING_EQUAL(n, "myctr-1");
        oci_pod_name("-x", n);
        CU_ASSERT_STRING_EQUAL(n, "c-x");
        oci_pod_name("0123456789012345678901234567890123456789012345678901234567890123456789", n);
        CU_ASSERT_EQUAL(strlen(n), 63);
}

/* ---- config.json ---------------------------------------------------------- */

static char tmpdir[] = "/tmp/podrt-test-runtime-cli-XXXXXX";

static int translate(const char *json, struct oci_translation *t, char **ret_msg) {
        struct json_object *c = json_tokener_parse(json);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        struct podrt_error *e = NULL;
        int r = oci_translate(c, "/bundle", "ctr1", "nspawn", t, &e);
        json_object_put(c);
        *ret_msg = r < 0 ? strdup(podrt_error_message(e)) : NULL;
        podrt_error_free(e);
        return r;
}

#define BASE "\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"}"

static const char *mstr(struct json_object *m, const char *path) {
        /* "a.b[0].c" */
        struct json_object *o = m;
        char buf[256];
        snprintf(buf, sizeof buf, "%s", path);
        for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save)) {
                char *br = strchr(tok, '[');
                int idx = -1;
                if (br) {
                        idx = atoi(br + 1);
                        *br = '\0';
                }
                if (!json_object_object_get_ex(o, tok, &o))
                        return NULL;
                if (idx >= 0)
                        o = json_object_array_get_idx(o, (size_t)idx);
        }
        return o ? json_object_get_string(o) : NULL;
}

static void test_translate_full(void) {
        char hosts[256], resolv[256];
        snprintf(hosts, sizeof hosts, "%s/hosts", tmpdir);
        snprintf(resolv, sizeof resolv, "%s/resolv.conf", tmpdir);
        FILE *f = fopen(hosts, "w");
        fputs("127.0.0.1 localhost\n::1 localhost\n10.88.0.5 c1 c1.example\n", f);
        fclose(f);
        f = fopen(resolv, "w");
        fputs("# a comment\nnameserver 192.0.2.53\nsearch example.com\noptions ndots:2\n", f);
        fclose(f);
        char json[16384];
        snprintf(json, sizeof json, 
                 "{" BASE ",\"hostname\":\"h1\",\"annotations\":{\"a\":\"b\"},"
                 "\"process\":{\"terminal\":true,\"user\":{\"uid\":1000,\"gid\":100,\"additionalGids\":[10,11]},"
                 "\"args\":[\"/bin/sh\",\"-c\",\"exit 3\"],\"env\":[\"PATH=/bin\",\"A=b=c\"],\"cwd\":\"/tmp\","
                 "\"capabilities\":{\"bounding\":[\"CAP_CHOWN\",\"CAP_KILL\"]},"
                 "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":512}],"
                 "\"noNewPrivileges\":true,\"oomScoreAdj\":100},"
                 "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
                 "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\",\"options\":[\"rbind\",\"ro\"]},"
                 "{\"destination\":\"/scratch\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
                 "{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"%s\",\"options\":[\"bind\"]},"
                 "{\"destination\":\"/etc/resolv.conf\",\"type\":\"bind\",\"source\":\"%s\",\"options\":[\"bind\"]}],"
                 "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/run/netns/x\"},{\"type\":\"mount\"}],"
                 "\"resources\":{\"memory\":{\"limit\":67108864},\"cpu\":{\"quota\":50000,\"period\":100000},\"pids\":{\"limit\":64}},"
                 "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\"}},"
                 "\"hooks\":{\"prestart\":[{\"path\":\"/bin/true\"}]}}",
                 hosts, resolv);
        struct oci_translation t;
        char *msg = NULL;
        CU_ASSERT_EQUAL_FATAL(translate(json, &t, &msg), 0);
        struct json_object *m = t.manifest;
        CU_ASSERT_STRING_EQUAL(mstr(m, "apiVersion"), "podrt/v1");
        CU_ASSERT_STRING_EQUAL(mstr(m, "name"), "ctr1");
        CU_ASSERT_STRING_EQUAL(mstr(m, "hostname"), "h1");
        CU_ASSERT_STRING_EQUAL(mstr(m, "annotations.a"), "b");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].rootfs"), "/bundle/rootfs");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].command[2]"), "exit 3");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].env.A"), "b=c");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].workingDir"), "/tmp");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].user"), "1000");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].group"), "100");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].supplementaryGroups[1]"), "11");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].capabilities.add[0]"), "CAP_CHOWN");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].capabilities.add[1]"), "CAP_KILL");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].capabilities.drop[0]"), "CAP_DAC_OVERRIDE");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].resources.memory"), "67108864");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].resources.cpu"), "500m");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].resources.pids"), "64");
        /* proc is the backend's; the bind and the tmpfs become volumes. */
        CU_ASSERT_STRING_EQUAL(mstr(m, "volumes[0].kind"), "host");
        CU_ASSERT_STRING_EQUAL(mstr(m, "volumes[0].source"), "/srv");
        CU_ASSERT_STRING_EQUAL(mstr(m, "volumes[1].kind"), "empty");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].mounts[0].path"), "/data");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].mounts[0].readOnly"), "true");
        CU_ASSERT_STRING_EQUAL(mstr(m, "containers[0].mounts[1].path"), "/scratch");
        CU_ASSERT_PTR_NULL(mstr(m, "containers[0].mounts[2]"));
        /* /etc/hosts and /etc/resolv.conf: the manifest's hosts and dns. */
        CU_ASSERT_STRING_EQUAL(mstr(m, "hosts[0].ip"), "10.88.0.5");
        CU_ASSERT_STRING_EQUAL(mstr(m, "hosts[0].names[1]"), "c1.example");
        CU_ASSERT_PTR_NULL(mstr(m, "hosts[1]"));
        CU_ASSERT_STRING_EQUAL(mstr(m, "dns.servers[0]"), "192.0.2.53");
        CU_ASSERT_STRING_EQUAL(mstr(m, "dns.searches[0]"), "example.com");
        CU_ASSERT_STRING_EQUAL(mstr(m, "dns.options[0]"), "ndots:2");
        CU_ASSERT_TRUE(t.terminal);
        CU_ASSERT_STRING_EQUAL(t.netns_path, "/run/netns/x");
        CU_ASSERT_STRING_EQUAL(t.network, "none");
        CU_ASSERT_EQUAL(t.n_rlimits, 1);
        CU_ASSERT_EQUAL(t.rlimits[0].resource, RLIMIT_NOFILE);
        CU_ASSERT_EQUAL(t.rlimits[0].soft, 512);
        CU_ASSERT_EQUAL(t.rlimits[0].hard, 1024);
        CU_ASSERT_TRUE(t.has_oom_score_adj);
        CU_ASSERT_EQUAL(t.oom_score_adj, 100);
        CU_ASSERT_PTR_NOT_NULL(t.hooks);
        /* seccomp is said, not dropped silently. */
        CU_ASSERT_PTR_NOT_NULL_FATAL(t.warnings[0]);
        bool seccomp = false;
        for (size_t i = 0; t.warnings[i]; i++)
                seccomp |= strcmp(t.warnings[i],
                                  "linux.seccomp is not applied by the nspawn backend: the container runs without a syscall filter") == 0;
        CU_ASSERT_TRUE(seccomp);
        oci_translation_done(&t);
}

static void test_translate_host_network(void) {
        struct oci_translation t;
        char *msg = NULL;
        CU_ASSERT_EQUAL_FATAL(translate("{" BASE ",\"process\":{\"args\":[\"/bin/true\"]},\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}}",
                                        &t, &msg), 0);
        CU_ASSERT_STRING_EQUAL(t.network, "host");
        CU_ASSERT_PTR_NULL(t.netns_path);
        oci_translation_done(&t);
        CU_ASSERT_EQUAL_FATAL(translate("{" BASE ",\"process\":{\"args\":[\"/bin/true\"]},\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}",
                                        &t, &msg), 0);
        CU_ASSERT_STRING_EQUAL(t.network, "none");
        oci_translation_done(&t);
}

static void expect_error(const char *json, const char *want) {
        struct oci_translation t;
        char *msg = NULL;
        int r = translate(json, &t, &msg);
        CU_ASSERT(r < 0);
        if (r >= 0) {
                fprintf(stderr, "\nexpected \"%s\", got success for %s\n", want, json);
                oci_translation_done(&t);
                return;
        }
        if (strcmp(msg, want) != 0)
                fprintf(stderr, "\nexpected \"%s\"\n     got \"%s\"\n", want, msg);
        CU_ASSERT_STRING_EQUAL(msg, want);
        free(msg);
}

#define P(x) "{" BASE ",\"process\":{" x "}}"
#define PL(x) "{" BASE ",\"process\":{\"args\":[\"/bin/true\"]}," x "}"

static void test_translate_errors(void) {
        expect_error("[]", "config.json: must be an object");
        expect_error("{\"process\":{\"args\":[\"/bin/true\"]}}", "config.json: root: required");
        expect_error("{\"root\":{\"path\":\"\"},\"process\":{\"args\":[\"x\"]}}", "config.json: root.path: must be a non-empty string");
        expect_error("{\"root\":{\"path\":\"r\",\"readonly\":1},\"process\":{\"args\":[\"x\"]}}", "config.json: root.readonly: must be a boolean");
        expect_error("{" BASE "}", "config.json: process: required");
        expect_error(P("\"args\":\"/bin/sh\""), "config.json: process.args: must be an array of strings");
        expect_error(P("\"args\":[]"), "config.json: process.args: must not be empty");
        expect_error(P("\"args\":[\"x\"],\"env\":[\"NOEQUALS\"]"), "config.json: process.env[0]: \"NOEQUALS\" is not NAME=VALUE");
        expect_error(P("\"args\":[\"x\"],\"cwd\":\"rel\""), "config.json: process.cwd: must be absolute");
        expect_error(P("\"args\":[\"x\"],\"terminal\":\"yes\""), "config.json: process.terminal: must be a boolean");
        expect_error(P("\"args\":[\"x\"],\"user\":{\"uid\":-1}"), "config.json: process.user.uid: must be an integer from 0 to 4294967294");
        expect_error(P("\"args\":[\"x\"],\"user\":{\"uid\":0,\"additionalGids\":[\"a\"]}"),
                     "config.json: process.user.additionalGids[0]: must be an integer from 0 to 4294967294");
        expect_error(P("\"args\":[\"x\"],\"user\":{\"username\":\"bob\"}"), "config.json: process.user.username: not supported (Windows only)");
        expect_error(P("\"args\":[\"x\"],\"capabilities\":{\"bounding\":[\"CAP_FROB\"]}"),
                     "config.json: process.capabilities.bounding[0]: unknown capability \"CAP_FROB\"");
        expect_error(P("\"args\":[\"x\"],\"rlimits\":[{\"type\":\"RLIMIT_FROB\",\"soft\":1,\"hard\":1}]"),
                     "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FROB\"");
        expect_error(P("\"args\":[\"x\"],\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":2,\"hard\":1}]"),
                     "config.json: process.rlimits[0]: soft 2 exceeds hard 1");
        expect_error(P("\"args\":[\"x\"],\"oomScoreAdj\":2000"), "config.json: process.oomScoreAdj: must be an integer from -1000 to 1000");
        expect_error(P("\"args\":[\"x\"],\"noNewPrivileges\":1"), "config.json: process.noNewPrivileges: must be a boolean");
        expect_error(PL("\"mounts\":{}"), "config.json: mounts: must be an array");
        expect_error(PL("\"mounts\":[{\"destination\":\"rel\",\"type\":\"bind\"}]"), "config.json: mounts[0].destination: must be an absolute path");
        expect_error(PL("\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\"}]"), "config.json: mounts[0].source: required for a bind mount");
        expect_error(PL("\"mounts\":[{\"destination\":\"/x\",\"type\":\"nfs\",\"source\":\"h:/x\"}]"),
                     "config.json: mounts[0].type: \"nfs\" is not supported (bind, tmpfs, proc, sysfs, devpts, mqueue, cgroup are)");
        expect_error(PL("\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}"), "config.json: linux.namespaces[0]: user namespaces are not supported yet");
        expect_error(PL("\"linux\":{\"namespaces\":[{\"type\":\"frob\"}]}"), "config.json: linux.namespaces[0].type: unknown namespace \"frob\"");
        expect_error(PL("\"linux\":{\"uidMappings\":[]}"), "config.json: linux.uidMappings: user namespaces are not supported yet");
        expect_error(PL("\"linux\":{\"resources\":{\"memory\":{\"limit\":\"1G\"}}}"), "config.json: linux.resources.memory.limit: must be an integer");
        expect_error(PL("\"linux\":{\"resources\":{\"pids\":{\"limit\":\"x\"}}}"), "config.json: linux.resources.pids.limit: must be an integer");
        expect_error(PL("\"annotations\":{\"a\":1}"), "config.json: annotations.a: must be a string");
        expect_error(PL("\"hooks\":{\"prestop\":[]}"), "config.json: hooks.prestop: unknown stage");
        expect_error(PL("\"hooks\":{\"prestart\":[{\"path\":\"rel\"}]}"), "config.json: hooks.prestart[0].path: must be an absolute path");
}

/* ---- update --resources -------------------------------------------------- */

static void test_resources(void) {
        struct podrt_resources r;
        char msg[256];
        CU_ASSERT_EQUAL(oci_parse_resources("{\"memory\":{\"limit\":33554432},\"cpu\":{\"quota\":50000,\"period\":100000},"
                                            "\"pids\":{\"limit\":64}}", &r, msg, sizeof msg), 0);
        CU_ASSERT_EQUAL(r.memory_bytes, 33554432);
        CU_ASSERT_EQUAL(r.cpu_millis, 500);
        CU_ASSERT_EQUAL(r.pids, 64);
        /* -1: no limit; a quota without a period is per 100 ms; runc's pids 0 is none. */
        CU_ASSERT_EQUAL(oci_parse_resources("{\"memory\":{\"limit\":-1},\"cpu\":{\"quota\":200000},\"pids\":{\"limit\":0}}",
                                            &r, msg, sizeof msg), 0);
        CU_ASSERT_EQUAL(r.memory_bytes, -1);
        CU_ASSERT_EQUAL(r.cpu_millis, 2000);
        CU_ASSERT_EQUAL(r.pids, -1);
        /* Only what is there changes. */
        CU_ASSERT_EQUAL(oci_parse_resources("{\"pids\":{\"limit\":10},\"cpu\":{\"shares\":1024}}", &r, msg, sizeof msg), 0);
        CU_ASSERT_EQUAL(r.memory_bytes, 0);
        CU_ASSERT_EQUAL(r.cpu_millis, 0);
        CU_ASSERT_EQUAL(r.pids, 10);
        static const struct {
                const char *json, *msg;
        } bad[] = {
                { "[1]", "not a JSON object" },
                { "{\"memory\":{\"limit\":\"1G\"}}", "memory.limit: must be an integer" },
                { "{\"memory\":{\"limit\":0}}", "memory.limit: 0 is not a limit (-1: none)" },
                { "{\"cpu\":{\"quota\":1000,\"period\":0}}", "cpu.period: must be positive" },
                { "{\"blockIO\":{}}", "sets none of memory.limit, cpu.quota, pids.limit" },
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                msg[0] = 0;
                CU_ASSERT_EQUAL(oci_parse_resources(bad[i].json, &r, msg, sizeof msg), -EINVAL);
                CU_ASSERT_STRING_EQUAL(msg, bad[i].msg);
        }
}

static int setup(void) {
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
        return system(cmd) == 0 ? 0 : -1;
}

void register_tests(void) {
        CU_pSuite s = add_suite("flags", NULL, NULL);
        ADD_TEST(s, test_flags_forms);
        ADD_TEST(s, test_flags_short_and_last_wins);
        ADD_TEST(s, test_flags_errors);
        ADD_TEST(s, test_signals);
        ADD_TEST(s, test_pod_name);
        ADD_TEST(s, test_resources);
        s = add_suite("translate", setup, teardown);
        ADD_TEST(s, test_translate_full);
        ADD_TEST(s, test_translate_host_network);
        ADD_TEST(s, test_translate_errors);
}
