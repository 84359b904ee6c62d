/* SPDX-License-Identifier: Apache-2.0 */
/* The manifest parser (core/manifest.c): a full manifest and the spec it
 * gives, the default environment, relative rootfs, Kubernetes units, and
 * every error a user can make, each with its exact message.
 *
 * Manifests are written with ' for " (turned back before parsing) and @TMP@
 * for the temporary folder that holds the fixtures: rootfs/ (with
 * etc/passwd, etc/group, a file and symlinks in and out of it) and srv/. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit-main.h"
#include "errors.h"
#include "manifest.h"
#include "strv.h"

static char tmpdir[] = "/tmp/podrt-test-manifest-XXXXXX";

static int write_file(const char *dir, const char *name, const char *text) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "we");
        if (!f)
                return -1;
        fputs(text, f);
        return fclose(f) == 0 ? 0 : -1;
}

static int mkdirf(const char *fmt, const char *a) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), fmt, tmpdir, a);
        return mkdir(path, 0755);
}

static int symlinkf(const char *target, const char *name) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/rootfs/%s", tmpdir, name);
        return symlink(target, path);
}

static int setup(void) {
        char rootfs[PATH_MAX];
        if (!mkdtemp(tmpdir))
                return -1;
        /* No store there: an image is "not in the image store". */
        snprintf(rootfs, sizeof(rootfs), "%s/images", tmpdir);
        manifest_set_images_dir(rootfs);
        snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmpdir);
        if (mkdirf("%s/%s", "rootfs") < 0 || mkdirf("%s/%s", "srv") < 0 ||
            mkdirf("%s/%s", "other") < 0 || mkdirf("%s/rootfs/%s", "etc") < 0 ||
            mkdirf("%s/rootfs/%s", "sub") < 0 || mkdirf("%s/rootfs/%s", "var") < 0)
                return -1;
        if (write_file(rootfs, "etc/passwd",
                       "root:x:0:0:root:/root:/bin/sh\n"
                       "www:x:33:34:web server:/var/www:/bin/sh\n"
                       "nohome:x:1000:1000:::/bin/sh\n"
                       "broken:x:abc:1:b:/:/bin/sh\n") < 0 ||
            write_file(rootfs, "etc/group", "root:x:0:\nwheel:x:10:root\nweb:x:35:www\n") < 0 ||
            write_file(rootfs, "file", "not a directory\n") < 0 ||
            write_file(tmpdir, "rootfs-file", "x") < 0)
                return -1;
        if (symlinkf("/etc", "evil") < 0 || symlinkf("../../etc", "evil2") < 0 ||
            symlinkf("sub", "good") < 0 || symlinkf("/", "sub/abs") < 0 ||
            symlinkf("../good", "var/up") < 0)
                return -1;
        return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void) st, (void) flag, (void) ftw;
        return remove(path);
}

static int teardown(void) {
        return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* @TMP@ -> tmpdir, and in manifests (quotes) ' -> ". */
static char *expand_text(const char *tmpl, bool quotes) {
        size_t n = strlen(tmpl), tl = strlen(tmpdir);
        char *out = malloc(n * (tl + 1) + 1), *o = out;
        for (const char *s = tmpl; *s;) {
                if (strncmp(s, "@TMP@", 5) == 0) {
                        memcpy(o, tmpdir, tl);
                        o += tl;
                        s += 5;
                } else {
                        *o++ = quotes && *s == '\'' ? '"' : *s;
                        s++;
                }
        }
        *o = '\0';
        return out;
}

static char *expand(const char *tmpl) {
        return expand_text(tmpl, true);
}

/* Parses tmpl with base_dir = tmpdir; on failure returns NULL and the
 * message in *msg (malloc'd). */
static struct pod_spec *parse(const char *tmpl, char **msg) {
        struct pod_spec *spec = NULL;
        struct podrt_error *err = NULL;
        char *text = expand(tmpl);
        int r = manifest_parse(text, strlen(text), "pod.json", tmpdir, &spec, &err);
        free(text);
        if (msg)
                *msg = r < 0 ? strdup(podrt_error_message(err)) : NULL;
        if (r < 0) {
                CU_ASSERT_PTR_NULL(spec);
                CU_ASSERT(r == -podrt_error_code(err));
        } else {
                CU_ASSERT_PTR_NOT_NULL(spec);
                CU_ASSERT_PTR_NULL(err);
        }
        podrt_error_free(err);
        return spec;
}

#define HEAD "{'apiVersion':'podrt/v1','kind':'Pod','name':'p'"
#define APP "{'name':'a','rootfs':'rootfs','command':['/bin/sh']"
#define VOLS ",'volumes':[{'name':'v','kind':'empty'},{'name':'ro','kind':'host','source':'@TMP@/srv','readOnly':true}]"
/* A pod with one app; a: extra fields of the app; pod: extra pod fields. */
#define POD1(pod, a) HEAD pod ",'containers':[" APP a "}]}"
#define MOUNT(path) POD1(VOLS, ",'mounts':[{'volume':'v','path':'" path "'}]")

static const char *const full_manifest =
        "{\n"
        "  'apiVersion': 'podrt/v1',\n"
        "  'kind': 'Pod',\n"
        "  'name': 'hello',\n"
        "  'hostname': 'hello-host',\n"
        "  'annotations': { 'org.example.team': 'infra', 'b': '' },\n"
        "  'dns':   { 'servers': ['192.0.2.53', '2001:db8::1'], 'searches': ['example.com'],"
        "            'options': ['ndots:2'] },\n"
        "  'hosts': [ { 'ip': '192.0.2.10', 'names': ['db', 'db.local'] } ],\n"
        "  'volumes': [\n"
        "    { 'name': 'data',    'kind': 'host',  'source': '@TMP@//srv/', 'readOnly': true },\n"
        "    { 'name': 'scratch', 'kind': 'empty' }\n"
        "  ],\n"
        "  'containers': [\n"
        "    {\n"
        "      'name': 'app',\n"
        "      'rootfs': 'rootfs',\n"
        "      'command': ['/bin/sh', '-c', 'echo hello from $GREETING'],\n"
        "      'env': { 'GREETING': 'podrt', 'PATH': '/bin', 'Z': 'last' },\n"
        "      'workingDir': '/var//./x/',\n"
        "      'user': '0', 'group': 'wheel', 'supplementaryGroups': [10, 0],\n"
        "      'mounts': [ { 'volume': 'data', 'path': '/data', 'readOnly': false },\n"
        "                  { 'volume': 'scratch', 'path': '/scratch' } ],\n"
        "      'resources': { 'memory': '64M', 'cpu': '500m', 'pids': 64 },\n"
        "      'capabilities': { 'add': ['net_admin'], 'drop': ['CAP_NET_RAW', 'MKNOD'] },\n"
        "      'readOnlyRootfs': true,\n"
        "      'lifecycle': { 'preStart': ['/bin/sh', '-c', 'echo pre'],\n"
        "                     'postStop': ['/bin/sh', '-c', 'echo post'] }\n"
        "    },\n"
        "    { 'name': 'second', 'rootfs': '@TMP@/rootfs/', 'command': ['true'], 'user': 1000 }\n"
        "  ]\n"
        "}\n";

static void test_full_manifest(void) {
        char *msg = NULL, path[PATH_MAX];
        struct pod_spec *s = parse(full_manifest, &msg);
        if (!s) {
                fprintf(stderr, "%s\n", msg);
                free(msg);
                return;
        }
        CU_ASSERT_STRING_EQUAL(s->api_version, "podrt/v1");
        CU_ASSERT_STRING_EQUAL(s->name, "hello");
        CU_ASSERT_STRING_EQUAL(s->hostname, "hello-host");
        CU_ASSERT_EQUAL_FATAL(s->n_annotations, 2);
        CU_ASSERT_STRING_EQUAL(s->annotations[0].key, "org.example.team");
        CU_ASSERT_STRING_EQUAL(s->annotations[0].value, "infra");
        CU_ASSERT_STRING_EQUAL(s->annotations[1].key, "b");
        CU_ASSERT_STRING_EQUAL(s->annotations[1].value, "");
        CU_ASSERT_EQUAL(strv_length(s->dns_servers), 2);
        CU_ASSERT_STRING_EQUAL(s->dns_servers[1], "2001:db8::1");
        CU_ASSERT_STRING_EQUAL(s->dns_searches[0], "example.com");
        CU_ASSERT_STRING_EQUAL(s->dns_options[0], "ndots:2");
        CU_ASSERT_EQUAL_FATAL(s->n_hosts, 1);
        CU_ASSERT_STRING_EQUAL(s->hosts[0].ip, "192.0.2.10");
        CU_ASSERT_EQUAL(strv_length(s->hosts[0].names), 2);
        CU_ASSERT_STRING_EQUAL(s->hosts[0].names[1], "db.local");

        CU_ASSERT_EQUAL_FATAL(s->n_volumes, 2);
        snprintf(path, sizeof(path), "%s/srv", tmpdir);
        CU_ASSERT_STRING_EQUAL(s->volumes[0].name, "data");
        CU_ASSERT_EQUAL(s->volumes[0].kind, PODRT_VOLUME_HOST);
        CU_ASSERT_STRING_EQUAL(s->volumes[0].source, path);
        CU_ASSERT_TRUE(s->volumes[0].read_only);
        CU_ASSERT_STRING_EQUAL(s->volumes[1].name, "scratch");
        CU_ASSERT_EQUAL(s->volumes[1].kind, PODRT_VOLUME_EMPTY);
        CU_ASSERT_PTR_NULL(s->volumes[1].source);
        CU_ASSERT_FALSE(s->volumes[1].read_only);

        CU_ASSERT_EQUAL_FATAL(s->n_apps, 2);
        struct spec_app *a = &s->apps[0];
        snprintf(path, sizeof(path), "%s/rootfs", tmpdir);
        CU_ASSERT_STRING_EQUAL(a->name, "app");
        CU_ASSERT_STRING_EQUAL(a->rootfs, path);
        CU_ASSERT_EQUAL(strv_length(a->command), 3);
        CU_ASSERT_STRING_EQUAL(a->command[2], "echo hello from $GREETING");
        CU_ASSERT_STRING_EQUAL(a->working_dir, "/var/x");
        CU_ASSERT_EQUAL(a->uid, 0);
        CU_ASSERT_EQUAL(a->gid, 10);
        CU_ASSERT_EQUAL_FATAL(a->n_groups, 2);
        CU_ASSERT_EQUAL(a->groups[0], 10);
        CU_ASSERT_EQUAL(a->groups[1], 0);
        CU_ASSERT_EQUAL_FATAL(a->n_mounts, 2);
        CU_ASSERT_STRING_EQUAL(a->mounts[0].volume, "data");
        CU_ASSERT_EQUAL(a->mounts[0].volume_index, 0);
        CU_ASSERT_STRING_EQUAL(a->mounts[0].path, "/data");
        CU_ASSERT_TRUE(a->mounts[0].read_only);    /* the volume is readOnly */
        CU_ASSERT_STRING_EQUAL(a->mounts[1].volume, "scratch");
        CU_ASSERT_EQUAL(a->mounts[1].volume_index, 1);
        CU_ASSERT_FALSE(a->mounts[1].read_only);
        CU_ASSERT_EQUAL(a->memory, 64000000);
        CU_ASSERT_EQUAL(a->cpu_millis, 500);
        CU_ASSERT_EQUAL(a->pids, 64);
        CU_ASSERT_EQUAL(strv_length(a->caps_add), 1);
        CU_ASSERT_STRING_EQUAL(a->caps_add[0], "CAP_NET_ADMIN");
        CU_ASSERT_EQUAL(strv_length(a->caps_drop), 2);
        CU_ASSERT_STRING_EQUAL(a->caps_drop[0], "CAP_NET_RAW");
        CU_ASSERT_STRING_EQUAL(a->caps_drop[1], "CAP_MKNOD");
        CU_ASSERT_TRUE(a->read_only_rootfs);
        CU_ASSERT_EQUAL(strv_length(a->pre_start), 3);
        CU_ASSERT_STRING_EQUAL(a->pre_start[2], "echo pre");
        CU_ASSERT_STRING_EQUAL(a->post_stop[2], "echo post");
        /* Defaults in their order, PATH overridden in place, the rest after. */
        const char *env[] = {
                "PATH=/bin", "HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/sh",
                "HOSTNAME=hello-host", "container=podrt", "GREETING=podrt", "Z=last", NULL,
        };
        CU_ASSERT_EQUAL_FATAL(strv_length(a->env), 9);
        for (size_t i = 0; env[i]; i++)
                CU_ASSERT_STRING_EQUAL(a->env[i], env[i]);

        struct spec_app *b = &s->apps[1];
        CU_ASSERT_STRING_EQUAL(b->name, "second");
        CU_ASSERT_STRING_EQUAL(b->rootfs, path);
        CU_ASSERT_STRING_EQUAL(b->working_dir, "/");
        CU_ASSERT_EQUAL(b->uid, 1000);
        CU_ASSERT_EQUAL(b->gid, 0);
        CU_ASSERT_EQUAL(b->n_mounts, 0);
        CU_ASSERT_EQUAL(b->memory, 0);
        CU_ASSERT_EQUAL(b->cpu_millis, 0);
        CU_ASSERT_EQUAL(b->pids, 0);
        CU_ASSERT_PTR_NOT_NULL(b->caps_add);
        CU_ASSERT_EQUAL(strv_length(b->caps_add), 0);
        CU_ASSERT_FALSE(b->read_only_rootfs);
        CU_ASSERT_PTR_NULL(b->pre_start);
        CU_ASSERT_PTR_NULL(b->post_stop);
        CU_ASSERT_TRUE(strv_contains(b->env, "USER=1000"));
        CU_ASSERT_TRUE(strv_contains(b->env, "HOME=/"));
        pod_spec_free(s);
}

/* The example of CONTRACTS.md §1 as it stands (its /srv/data source swapped
 * for one that exists here). */
static void test_contract_example(void) {
        char *msg = NULL;
        struct pod_spec *s = parse(
                "{'apiVersion':'podrt/v1','kind':'Pod','name':'hello','hostname':'hello',"
                "'annotations':{'org.example.team':'infra'},"
                "'dns':{'servers':['192.0.2.53'],'searches':['example.com'],'options':['ndots:2']},"
                "'hosts':[{'ip':'192.0.2.10','names':['db','db.local']}],"
                "'volumes':[{'name':'data','kind':'host','source':'@TMP@/srv','readOnly':true},"
                "{'name':'scratch','kind':'empty'}],"
                "'containers':[{'name':'app','rootfs':'rootfs',"
                "'command':['/bin/sh','-c','echo hello from $GREETING'],'env':{'GREETING':'podrt'},"
                "'workingDir':'/','user':'0','group':'0','supplementaryGroups':[10],"
                "'mounts':[{'volume':'data','path':'/data','readOnly':true},"
                "{'volume':'scratch','path':'/scratch'}],"
                "'resources':{'memory':'64M','cpu':'500m','pids':64},"
                "'capabilities':{'add':[],'drop':['CAP_NET_RAW']},'readOnlyRootfs':false,"
                "'lifecycle':{'preStart':['/bin/sh','-c','echo pre'],"
                "'postStop':['/bin/sh','-c','echo post']}}]}",
                &msg);
        if (!s)
                fprintf(stderr, "%s\n", msg);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_EQUAL(s->apps[0].n_mounts, 2);
        CU_ASSERT_TRUE(strv_contains(s->apps[0].env, "GREETING=podrt"));
        pod_spec_free(s);
        free(msg);
}

struct error_case {
        const char *manifest;
        const char *message;      /* the whole message */
};

static const struct error_case error_cases[] = {
        /* JSON itself */
        { "{'apiVersion':'podrt/v1',\n 'kind': 'Pod',", "pod.json: invalid JSON at line 2, column 16: unexpected end of data" },
        { "{'apiVersion':'podrt/v1'} x", "pod.json: invalid JSON at line 1, column 27: unexpected character" },
        { "{'apiVersion':'podrt/v1',\n  'kind': 'Pod', ,\n}", "pod.json: invalid JSON at line 2, column 18: quoted object property name expected" },
        { "{'a': tru}", "pod.json: invalid JSON at line 1, column 10: boolean expected" },
        { "", "pod.json: empty manifest" },
        { " \n\t", "pod.json: empty manifest" },
        { "['podrt/v1']", "pod.json: must be a JSON object" },
        /* a key given twice (json-c would keep the last one silently) */
        { POD1(",'name':'q'", ""), "pod.json: name: duplicate field" },
        { POD1("", ",'env':{'A':'1','B':'2','A':'3'}"), "pod.json: containers[0].env.A: duplicate field" },
        { POD1(VOLS, ",'mounts':[{'volume':'v','path':'/x'},{'volume':'v','path':'/y','path':'/z'}]"), "pod.json: containers[0].mounts[1].path: duplicate field" },
        /* top level */
        { "{'kind':'Pod'}", "pod.json: apiVersion: is required" },
        { "{'apiVersion':'podrt/v2','kind':'Pod'}", "pod.json: apiVersion: unsupported version \"podrt/v2\" (expected \"podrt/v1\")" },
        { "{'apiVersion':'podrt/v1','kind':'Deployment'}", "pod.json: kind: must be \"Pod\", not \"Deployment\"" },
        { "{'apiVersion':'podrt/v1'}", "pod.json: kind: is required" },
        { POD1(",'hostnme':'x'", ""), "pod.json: hostnme: unknown field" },
        { "{'apiVersion':'podrt/v1','kind':'Pod','containers':[]}", "pod.json: name: is required" },
        { "{'apiVersion':'podrt/v1','kind':'Pod','name':5}", "pod.json: name: must be a string" },
        { "{'apiVersion':'podrt/v1','kind':'Pod','name':'Hello'}", "pod.json: name: invalid name \"Hello\": must match [a-z0-9]([a-z0-9.-]{0,62})" },
        { "{'apiVersion':'podrt/v1','kind':'Pod','name':'-x'}", "pod.json: name: invalid name \"-x\": must match [a-z0-9]([a-z0-9.-]{0,62})" },
        { POD1(",'hostname':'-bad'", ""), "pod.json: hostname: \"-bad\" is not a valid hostname (RFC 1123: labels of letters, digits and '-', at most 64 characters)" },
        { POD1(",'hostname':'a_b'", ""), "pod.json: hostname: \"a_b\" is not a valid hostname (RFC 1123: labels of letters, digits and '-', at most 64 characters)" },
        { POD1(",'hostname':null", ""), "pod.json: hostname: must be a string" },
        { POD1(",'annotations':['a']", ""), "pod.json: annotations: must be an object" },
        { POD1(",'annotations':{'a':1}", ""), "pod.json: annotations.a: must be a string" },
        { POD1(",'annotations':{'':'x'}", ""), "pod.json: annotations: keys must not be empty" },
        { HEAD "}", "pod.json: containers: is required" },
        { HEAD ",'containers':[]}", "pod.json: containers: must have at least one container" },
        { HEAD ",'containers':{}}", "pod.json: containers: must be an array" },
        { HEAD ",'containers':['a']}", "pod.json: containers[0]: must be an object" },
        /* dns and hosts */
        { POD1(",'dns':{'servers':['999.1.1.1']}", ""), "pod.json: dns.servers[0]: \"999.1.1.1\" is not an IPv4 or IPv6 address" },
        { POD1(",'dns':{'servers':'192.0.2.1'}", ""), "pod.json: dns.servers: must be an array of strings" },
        { POD1(",'dns':{'server':[]}", ""), "pod.json: dns.server: unknown field" },
        { POD1(",'dns':{'searches':['ok.com','bad..com']}", ""), "pod.json: dns.searches[1]: \"bad..com\" is not a valid domain name" },
        { POD1(",'dns':{'options':['ndots: 2']}", ""), "pod.json: dns.options[0]: \"ndots: 2\" is not a resolver option (one word, as ndots:2)" },
        { POD1(",'hosts':[{'ip':'192.0.2.1','names':['a']},{'ip':'fe80::zz','names':['b']}]", ""), "pod.json: hosts[1].ip: \"fe80::zz\" is not an IPv4 or IPv6 address" },
        { POD1(",'hosts':[{'ip':'192.0.2.1','names':[]}]", ""), "pod.json: hosts[0].names: must not be empty" },
        { POD1(",'hosts':[{'ip':'192.0.2.1'}]", ""), "pod.json: hosts[0].names: is required" },
        { POD1(",'hosts':[{'ip':'192.0.2.1','names':['ok','no pe']}]", ""), "pod.json: hosts[0].names[1]: \"no pe\" is not a valid hostname" },
        { POD1(",'hosts':[{'ip':'192.0.2.1','name':['a']}]", ""), "pod.json: hosts[0].name: unknown field" },
        /* volumes */
        { POD1(",'volumes':[{'name':'v','kind':'empty'},{'name':'v','kind':'empty'}]", ""), "pod.json: volumes[1].name: volume \"v\" is declared twice (also volumes[0])" },
        { POD1(",'volumes':[{'name':'V','kind':'empty'}]", ""), "pod.json: volumes[0].name: invalid name \"V\": must match [a-z0-9]([a-z0-9.-]{0,62})" },
        { POD1(",'volumes':[{'name':'v'}]", ""), "pod.json: volumes[0].kind: is required" },
        { POD1(",'volumes':[{'name':'v','kind':'tmpfs'}]", ""), "pod.json: volumes[0].kind: must be \"host\" or \"empty\", not \"tmpfs\"" },
        { POD1(",'volumes':[{'name':'v','kind':'host'}]", ""), "pod.json: volumes[0].source: is required for a volume of kind \"host\"" },
        { POD1(",'volumes':[{'name':'v','kind':'host','source':'srv'}]", ""), "pod.json: volumes[0].source: must be absolute" },
        { POD1(",'volumes':[{'name':'v','kind':'host','source':'@TMP@/nowhere'}]", ""), "pod.json: volumes[0].source: @TMP@/nowhere does not exist on the host" },
        { POD1(",'volumes':[{'name':'v','kind':'empty','source':'/srv'}]", ""), "pod.json: volumes[0].source: not allowed for a volume of kind \"empty\"" },
        { POD1(",'volumes':[{'name':'v','kind':'empty','readOnly':'yes'}]", ""), "pod.json: volumes[0].readOnly: must be a boolean" },
        { POD1(",'volumes':[{'name':'v','kind':'empty','sourc':'/'}]", ""), "pod.json: volumes[0].sourc: unknown field" },
        { POD1(",'volumes':{}", ""), "pod.json: volumes: must be an array" },
        /* containers */
        { POD1("", ",'comand':['x']"), "pod.json: containers[0].comand: unknown field" },
        { HEAD ",'containers':[" APP "}," APP "}]}", "pod.json: containers[1].name: container \"a\" is declared twice (also containers[0])" },
        { HEAD ",'containers':[{'name':'a','command':['x']}]}", "pod.json: containers[0].rootfs: is required (or image)" },
        { HEAD ",'containers':[{'name':'a','rootfs':'rootfs','image':'example/bb','command':['x']}]}", "pod.json: containers[0].image: a container has a rootfs or an image, not both" },
        { HEAD ",'containers':[{'name':'a','image':'example/nonesuch','command':['x']}]}", "pod.json: containers[0].image: no image \"example/nonesuch\" in the image store @TMP@/images (podrt image list)" },
        { HEAD ",'containers':[{'name':'a','image':'','command':['x']}]}", "pod.json: containers[0].image: must not be empty" },
        { HEAD ",'containers':[{'name':'a','rootfs':'nowhere','command':['x']}]}", "pod.json: containers[0].rootfs: @TMP@/nowhere does not exist" },
        { HEAD ",'containers':[{'name':'a','rootfs':'rootfs-file','command':['x']}]}", "pod.json: containers[0].rootfs: @TMP@/rootfs-file is not a directory" },
        { HEAD ",'containers':[{'name':'a','rootfs':'rootfs'}]}", "pod.json: containers[0].command: is required" },
        { HEAD ",'containers':[{'name':'a','rootfs':'rootfs','command':[]}]}", "pod.json: containers[0].command: must not be empty" },
        { HEAD ",'containers':[{'name':'a','rootfs':'rootfs','command':'/bin/sh'}]}", "pod.json: containers[0].command: must be an array of strings" },
        { HEAD ",'containers':[{'name':'a','rootfs':'rootfs','command':['/bin/sh',1]}]}", "pod.json: containers[0].command[1]: must be a string" },
        { HEAD ",'containers':[{'name':'a','rootfs':'rootfs','command':['']}]}", "pod.json: containers[0].command[0]: must not be empty" },
        { POD1("", ",'env':{'A=B':'x'}"), "pod.json: containers[0].env.A=B: variable names must not contain '='" },
        { POD1("", ",'env':{'':'x'}"), "pod.json: containers[0].env: variable names must not be empty" },
        { POD1("", ",'env':{'A':1}"), "pod.json: containers[0].env.A: must be a string" },
        { POD1("", ",'env':['A=B']"), "pod.json: containers[0].env: must be an object" },
        { POD1("", ",'workingDir':'tmp'"), "pod.json: containers[0].workingDir: must be absolute" },
        { POD1("", ",'workingDir':'/a/../..'"), "pod.json: containers[0].workingDir: /a/../.. escapes the container's root" },
        { POD1("", ",'user':'nobody'"), "pod.json: containers[0].user: unknown user \"nobody\" (not in the rootfs's /etc/passwd)" },
        { POD1("", ",'user':'broken'"), "pod.json: containers[0].user: the rootfs's /etc/passwd has a malformed entry for \"broken\"" },
        { POD1("", ",'group':'staff'"), "pod.json: containers[0].group: unknown group \"staff\" (not in the rootfs's /etc/group)" },
        { POD1("", ",'user':true"), "pod.json: containers[0].user: must be a string or an integer" },
        { POD1("", ",'user':-1"), "pod.json: containers[0].user: must be between 0 and 4294967294" },
        { POD1("", ",'group':'4294967295'"), "pod.json: containers[0].group: must be between 0 and 4294967294" },
        { POD1("", ",'supplementaryGroups':[1,'2']"), "pod.json: containers[0].supplementaryGroups[1]: must be an integer" },
        { POD1("", ",'supplementaryGroups':[-5]"), "pod.json: containers[0].supplementaryGroups[0]: must be between 0 and 4294967294" },
        { POD1("", ",'supplementaryGroups':10"), "pod.json: containers[0].supplementaryGroups: must be an array of integers" },
        { POD1("", ",'readOnlyRootfs':1"), "pod.json: containers[0].readOnlyRootfs: must be a boolean" },
        /* mounts */
        { MOUNT("data"), "pod.json: containers[0].mounts[0].path: must be absolute" },
        { MOUNT("/a/../../etc"), "pod.json: containers[0].mounts[0].path: /a/../../etc escapes the container's root" },
        { MOUNT("/.."), "pod.json: containers[0].mounts[0].path: /.. escapes the container's root" },
        { MOUNT("//./"), "pod.json: containers[0].mounts[0].path: cannot mount a volume on the container's root" },
        { MOUNT("/evil/x"), "pod.json: containers[0].mounts[0].path: /evil is a symlink to /etc, which leaves the container's root" },
        { MOUNT("/evil2"), "pod.json: containers[0].mounts[0].path: /evil2 is a symlink to ../../etc, which leaves the container's root" },
        { MOUNT("/good/abs/x"), "pod.json: containers[0].mounts[0].path: /sub/abs is a symlink to /, which leaves the container's root" },
        { MOUNT("/var/up/abs"), "pod.json: containers[0].mounts[0].path: /sub/abs is a symlink to /, which leaves the container's root" },
        { MOUNT("/file/x"), "pod.json: containers[0].mounts[0].path: /file in the rootfs is not a directory" },
        { POD1(VOLS, ",'mounts':[{'volume':'nope','path':'/x'}]"), "pod.json: containers[0].mounts[0].volume: no volume named \"nope\" is declared in volumes" },
        { POD1("", ",'mounts':[{'volume':'v','path':'/x'}]"), "pod.json: containers[0].mounts[0].volume: no volume named \"v\" is declared in volumes" },
        { POD1(VOLS, ",'mounts':[{'path':'/x'}]"), "pod.json: containers[0].mounts[0].volume: is required" },
        { POD1(VOLS, ",'mounts':[{'volume':'v'}]"), "pod.json: containers[0].mounts[0].path: is required" },
        { POD1(VOLS, ",'mounts':[{'volume':'v','path':'/x','readonly':true}]"), "pod.json: containers[0].mounts[0].readonly: unknown field" },
        { POD1(VOLS, ",'mounts':[{'volume':'v','path':'/data'},{'volume':'ro','path':'/data/'}]"), "pod.json: containers[0].mounts[1].path: /data is already mounted by mounts[0]" },
        { POD1(VOLS, ",'mounts':{}"), "pod.json: containers[0].mounts: must be an array" },
        /* resources */
        { POD1("", ",'resources':{'memory':'64X'}"), "pod.json: containers[0].resources.memory: invalid quantity \"64X\" (expected e.g. 64M, 1Gi, 512k or 1000)" },
        { POD1("", ",'resources':{'memory':'64 M'}"), "pod.json: containers[0].resources.memory: invalid quantity \"64 M\" (expected e.g. 64M, 1Gi, 512k or 1000)" },
        { POD1("", ",'resources':{'memory':'-1'}"), "pod.json: containers[0].resources.memory: invalid quantity \"-1\" (expected e.g. 64M, 1Gi, 512k or 1000)" },
        { POD1("", ",'resources':{'memory':'0Mi'}"), "pod.json: containers[0].resources.memory: \"0Mi\" is out of range (must be greater than 0)" },
        { POD1("", ",'resources':{'memory':'9Ei'}"), "pod.json: containers[0].resources.memory: \"9Ei\" is out of range (must be greater than 0)" },
        { POD1("", ",'resources':{'memory':0}"), "pod.json: containers[0].resources.memory: must be greater than 0" },
        { POD1("", ",'resources':{'memory':1.5}"), "pod.json: containers[0].resources.memory: must be a string or an integer" },
        { POD1("", ",'resources':{'cpu':'half'}"), "pod.json: containers[0].resources.cpu: invalid quantity \"half\" (expected e.g. 500m, 2 or 0.5)" },
        { POD1("", ",'resources':{'cpu':'0m'}"), "pod.json: containers[0].resources.cpu: \"0m\" is out of range (must be greater than 0)" },
        { POD1("", ",'resources':{'cpu':-1}"), "pod.json: containers[0].resources.cpu: must be greater than 0" },
        { POD1("", ",'resources':{'cpu':10000000000000000}"), "pod.json: containers[0].resources.cpu: is too large" },
        { POD1("", ",'resources':{'cpu':1e300}"), "pod.json: containers[0].resources.cpu: is too large" },
        { POD1("", ",'resources':{'cpu':0.0}"), "pod.json: containers[0].resources.cpu: must be greater than 0" },
        { POD1("", ",'resources':{'cpu':true}"), "pod.json: containers[0].resources.cpu: must be a string or a number" },
        { POD1("", ",'resources':{'pids':0}"), "pod.json: containers[0].resources.pids: must be greater than 0" },
        { POD1("", ",'resources':{'pids':'64'}"), "pod.json: containers[0].resources.pids: must be an integer" },
        { POD1("", ",'resources':{'memroy':'1M'}"), "pod.json: containers[0].resources.memroy: unknown field" },
        /* capabilities and lifecycle */
        { POD1("", ",'capabilities':{'drop':['CAP_NET_RAW','CAP_FOO']}"), "pod.json: containers[0].capabilities.drop[1]: unknown capability \"CAP_FOO\"" },
        { POD1("", ",'capabilities':{'add':['all']}"), "pod.json: containers[0].capabilities.add[0]: unknown capability \"all\"" },
        { POD1("", ",'capabilities':{'add':['NET_RAW'],'drop':['cap_net_raw']}"), "pod.json: containers[0].capabilities.drop[0]: CAP_NET_RAW is also in add" },
        { POD1("", ",'capabilities':{'remove':[]}"), "pod.json: containers[0].capabilities.remove: unknown field" },
        { POD1("", ",'lifecycle':{'preStart':[]}"), "pod.json: containers[0].lifecycle.preStart: must not be empty" },
        { POD1("", ",'lifecycle':{'postStop':'echo'}"), "pod.json: containers[0].lifecycle.postStop: must be an array of strings" },
        { POD1("", ",'lifecycle':{'prestart':['x']}"), "pod.json: containers[0].lifecycle.prestart: unknown field" },
        /* ports: Kubernetes' fields, validated */
        { POD1("", ",'ports':[{'hostPort':80}]"), "pod.json: containers[0].ports[0].containerPort: is required" },
        { POD1("", ",'ports':[{'containerPort':0}]"), "pod.json: containers[0].ports[0].containerPort: must be a port number from 1 to 65535" },
        { POD1("", ",'ports':[{'containerPort':80,'hostPort':70000}]"), "pod.json: containers[0].ports[0].hostPort: must be a port number from 1 to 65535" },
        { POD1("", ",'ports':[{'containerPort':80,'protocol':'icmp'}]"), "pod.json: containers[0].ports[0].protocol: must be tcp, udp or sctp, not \"icmp\"" },
        { POD1("", ",'ports':[{'containerPort':80,'hostPort':8080,'hostIP':'localhost'}]"), "pod.json: containers[0].ports[0].hostIP: \"localhost\" is not an IP address" },
        { POD1("", ",'ports':[{'containerPort':80,'hostIP':'127.0.0.1'}]"), "pod.json: containers[0].ports[0].hostIP: needs a hostPort" },
        { POD1("", ",'ports':[{'containerPort':80},{'containerPort':80}]"), "pod.json: containers[0].ports[1].containerPort: 80/tcp is also a port of container \"a\" (the pod shares one address)" },
        { POD1("", ",'ports':[{'containerPort':80,'hostPort':8080},{'containerPort':81,'hostPort':8080}]"), "pod.json: containers[0].ports[1].hostPort: 8080/tcp is mapped twice" },
        { POD1("", ",'ports':[{'containerPort':80,'name':'HTTP'}]"), "pod.json: containers[0].ports[0].name: \"HTTP\" is not a port name (at most 15 of [a-z0-9-])" },
        { POD1("", ",'ports':[{'containerPort':80,'target':1}]"), "pod.json: containers[0].ports[0].target: unknown field" },
};

static void test_errors(void) {
        for (size_t i = 0; i < ELEMENTSOF(error_cases); i++) {
                char *msg = NULL, *want = expand_text(error_cases[i].message, false);
                struct pod_spec *s = parse(error_cases[i].manifest, &msg);
                CU_ASSERT_PTR_NULL(s);
                if (!msg || strcmp(msg, want) != 0) {
                        fprintf(stderr, "\ncase %zu: %s\n  want: %s\n  got:  %s\n", i,
                                error_cases[i].manifest, want, msg ? msg : "(success)");
                        CU_FAIL("wrong message");
                }
                pod_spec_free(s);
                free(msg);
                free(want);
        }
}

/* What execve() would refuse is refused at create, naming its place. */
static void test_exec_limits(void) {
        size_t big = 200 * 1024;
        char *arg = malloc(big + 1);
        memset(arg, 'x', big);
        arg[big] = '\0';
        char *text = NULL, *msg = NULL;
        CU_ASSERT_FATAL(asprintf(&text, HEAD ",'containers':[{'name':'a','rootfs':'rootfs',"
                                        "'command':['/bin/echo','%s']}]}", arg) > 0);
        struct pod_spec *sp = parse(text, &msg);
        CU_ASSERT_PTR_NULL(sp);
        CU_ASSERT_STRING_EQUAL(msg, "pod.json: containers[0].command[1]: longer than the kernel takes for one exec argument (128 KiB)");
        free(text), free(msg), msg = NULL;
        CU_ASSERT_FATAL(asprintf(&text, HEAD ",'containers':[" APP ",'env':{'BIG':'%s'}}]}", arg) > 0);
        sp = parse(text, &msg);
        CU_ASSERT_PTR_NULL(sp);
        CU_ASSERT_STRING_EQUAL(msg, "pod.json: containers[0].env.BIG: longer than the kernel takes for one exec string (128 KiB, with its name)");
        free(text), free(msg), msg = NULL;
        /* Just under the bound is fine. */
        arg[120 * 1024] = '\0';
        CU_ASSERT_FATAL(asprintf(&text, HEAD ",'containers':[{'name':'a','rootfs':'rootfs',"
                                        "'command':['/bin/echo','%s']}]}", arg) > 0);
        sp = parse(text, &msg);
        CU_ASSERT_PTR_NOT_NULL(sp);
        pod_spec_free(sp);
        free(text), free(msg);
        free(arg);
}

/* A failed parse leaves *ret alone. */
static void test_ret_untouched(void) {
        struct pod_spec *sentinel = (struct pod_spec *) 0x1, *s = sentinel;
        struct podrt_error *err = NULL;
        char *text = expand(MOUNT("x"));
        CU_ASSERT_EQUAL(manifest_parse(text, strlen(text), "m.json", tmpdir, &s, &err), -EINVAL);
        CU_ASSERT_PTR_EQUAL(s, sentinel);
        CU_ASSERT_EQUAL(podrt_error_code(err), EINVAL);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), "m.json: containers[0].mounts[0].path: must be absolute");
        podrt_error_free(err);
        free(text);
}

static void test_mount_paths(void) {
        char *msg = NULL;
        struct pod_spec *s = parse(POD1(VOLS, ",'mounts':["
                                              "{'volume':'v','path':'//a/./b/'},"
                                              "{'volume':'v','path':'/good/x'},"
                                              "{'volume':'ro','path':'/var/up/y','readOnly':false},"
                                              "{'volume':'v','path':'/a/b/../c','readOnly':true},"
                                              "{'volume':'v','path':'/file'}]"),
                                   &msg);
        if (!s)
                fprintf(stderr, "%s\n", msg);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        struct spec_app *a = &s->apps[0];
        CU_ASSERT_EQUAL_FATAL(a->n_mounts, 5);
        CU_ASSERT_STRING_EQUAL(a->mounts[0].path, "/a/b");
        CU_ASSERT_FALSE(a->mounts[0].read_only);
        CU_ASSERT_STRING_EQUAL(a->mounts[1].path, "/good/x");   /* symlink inside: fine */
        CU_ASSERT_STRING_EQUAL(a->mounts[2].path, "/var/up/y");
        CU_ASSERT_TRUE(a->mounts[2].read_only);                  /* the volume is readOnly */
        CU_ASSERT_EQUAL(a->mounts[2].volume_index, 1);
        CU_ASSERT_STRING_EQUAL(a->mounts[3].path, "/a/c");
        CU_ASSERT_TRUE(a->mounts[3].read_only);
        CU_ASSERT_STRING_EQUAL(a->mounts[4].path, "/file");      /* a file mount point */
        pod_spec_free(s);
        free(msg);
}

static struct spec_app *parse_app1(const char *app_fields, struct pod_spec **ret) {
        char *msg = NULL;
        *ret = parse(app_fields, &msg);
        if (!*ret)
                fprintf(stderr, "%s\n", msg);
        free(msg);
        return *ret ? &(*ret)->apps[0] : NULL;
}

static void test_default_env(void) {
        struct pod_spec *s;
        struct spec_app *a = parse_app1(POD1("", ""), &s);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        const char *want[] = {
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/sh", "HOSTNAME=p",
                "container=podrt", NULL,
        };
        CU_ASSERT_EQUAL_FATAL(strv_length(a->env), 7);
        for (size_t i = 0; want[i]; i++)
                CU_ASSERT_STRING_EQUAL(a->env[i], want[i]);
        CU_ASSERT_STRING_EQUAL(s->hostname, "p");                /* defaults to the name */
        CU_ASSERT_EQUAL(a->uid, 0);
        CU_ASSERT_EQUAL(a->gid, 0);
        pod_spec_free(s);
}

static void test_env_overrides(void) {
        struct pod_spec *s;
        struct spec_app *a = parse_app1(
                POD1(",'hostname':'h'", ",'env':{'B':'2','HOSTNAME':'x','A':'1','container':'',"
                                        "'HOME':'/home/a b','B2':'=='}"),
                &s);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        const char *want[] = {
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOME=/home/a b", "USER=root", "LOGNAME=root", "SHELL=/bin/sh", "HOSTNAME=x",
                "container=", "B=2", "A=1", "B2===", NULL,
        };
        CU_ASSERT_EQUAL_FATAL(strv_length(a->env), 10);
        for (size_t i = 0; want[i]; i++)
                CU_ASSERT_STRING_EQUAL(a->env[i], want[i]);
        pod_spec_free(s);
}

static void test_users(void) {
        struct pod_spec *s;
        /* A name: its uid, its group, its home. */
        struct spec_app *a = parse_app1(POD1("", ",'user':'www'"), &s);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->uid, 33);
        CU_ASSERT_EQUAL(a->gid, 34);
        CU_ASSERT_STRING_EQUAL(a->env[1], "HOME=/var/www");
        CU_ASSERT_STRING_EQUAL(a->env[2], "USER=www");
        CU_ASSERT_STRING_EQUAL(a->env[3], "LOGNAME=www");
        pod_spec_free(s);

        /* A group named explicitly wins over the user's own. */
        a = parse_app1(POD1("", ",'user':'www','group':'web'"), &s);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->uid, 33);
        CU_ASSERT_EQUAL(a->gid, 35);
        pod_spec_free(s);

        /* Numbers, as strings or integers; no home in passwd: "/". */
        a = parse_app1(POD1("", ",'user':'1000','group':7"), &s);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->uid, 1000);
        CU_ASSERT_EQUAL(a->gid, 7);
        CU_ASSERT_STRING_EQUAL(a->env[1], "HOME=/");
        CU_ASSERT_STRING_EQUAL(a->env[2], "USER=1000");
        pod_spec_free(s);

        a = parse_app1(POD1("", ",'user':'nohome'"), &s);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->uid, 1000);
        CU_ASSERT_STRING_EQUAL(a->env[1], "HOME=/");
        CU_ASSERT_STRING_EQUAL(a->env[2], "USER=nohome");
        pod_spec_free(s);
}

/* /etc/passwd is read inside the rootfs: a symlink to /etc/passwd.in is
 * followed in the rootfs, never to the host's file of that name. */
static void test_passwd_symlink_stays_inside(void) {
        char dir[PATH_MAX / 2], etc[PATH_MAX], *msg = NULL;
        struct pod_spec *s;
        snprintf(dir, sizeof(dir), "%s/other/rootfs", tmpdir);
        snprintf(etc, sizeof(etc), "%s/etc", dir);
        CU_ASSERT_EQUAL_FATAL(mkdir(dir, 0755), 0);
        CU_ASSERT_EQUAL_FATAL(mkdir(etc, 0755), 0);
        CU_ASSERT_EQUAL_FATAL(write_file(etc, "passwd.in", "inside:x:77:78::/in:/bin/sh\n"), 0);
        snprintf(etc, sizeof(etc), "%s/etc/passwd", dir);
        CU_ASSERT_EQUAL_FATAL(symlink("/etc/passwd.in", etc), 0);

        s = parse(HEAD ",'containers':[{'name':'a','rootfs':'other/rootfs','command':['x'],"
                       "'user':'inside'}]}",
                  &msg);
        CU_ASSERT_PTR_NOT_NULL(s);
        if (s) {
                CU_ASSERT_EQUAL(s->apps[0].uid, 77);
                CU_ASSERT_EQUAL(s->apps[0].gid, 78);
                CU_ASSERT_TRUE(strv_contains(s->apps[0].env, "HOME=/in"));
        }
        s = pod_spec_free(s);
        free(msg);

        /* A link that climbs out lands in the rootfs, which has no such file. */
        unlink(etc);
        CU_ASSERT_EQUAL_FATAL(symlink("../../../../../../../../etc/shadow", etc), 0);
        s = parse(HEAD ",'containers':[{'name':'a','rootfs':'other/rootfs','command':['x'],"
                       "'user':'root'}]}",
                  &msg);
        CU_ASSERT_PTR_NULL(s);
        ASSERT_CONTAINS(msg, "pod.json: containers[0].user: unknown user \"root\": the rootfs has no /etc/passwd");
        pod_spec_free(s);
        free(msg);
}

static void test_capabilities(void) {
        struct pod_spec *s;
        struct spec_app *a = parse_app1(
                POD1("", ",'capabilities':{'add':['sys_admin','Net_Bind_Service','CAP_SYS_ADMIN'],"
                         "'drop':['cap_chown','CHECKPOINT_RESTORE']}"),
                &s);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL_FATAL(strv_length(a->caps_add), 2);   /* duplicates folded */
        CU_ASSERT_STRING_EQUAL(a->caps_add[0], "CAP_SYS_ADMIN");
        CU_ASSERT_STRING_EQUAL(a->caps_add[1], "CAP_NET_BIND_SERVICE");
        CU_ASSERT_EQUAL_FATAL(strv_length(a->caps_drop), 2);
        CU_ASSERT_STRING_EQUAL(a->caps_drop[0], "CAP_CHOWN");
        CU_ASSERT_STRING_EQUAL(a->caps_drop[1], "CAP_CHECKPOINT_RESTORE");
        pod_spec_free(s);
}

static void test_resources_json_numbers(void) {
        struct pod_spec *s;
        struct spec_app *a = parse_app1(
                POD1("", ",'resources':{'memory':1048576,'cpu':2,'pids':1}"), &s);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->memory, 1048576);
        CU_ASSERT_EQUAL(a->cpu_millis, 2000);
        CU_ASSERT_EQUAL(a->pids, 1);
        pod_spec_free(s);

        a = parse_app1(POD1("", ",'resources':{'memory':'1.5Gi','cpu':0.25}"), &s);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        CU_ASSERT_EQUAL(a->memory, 1610612736);
        CU_ASSERT_EQUAL(a->cpu_millis, 250);
        pod_spec_free(s);
}

static void test_parse_memory(void) {
        static const struct {
                const char *s;
                int64_t bytes;
        } ok[] = {
                { "64M", 64000000 }, { "1Gi", 1073741824 }, { "512k", 512000 },
                { "1000", 1000 }, { "1.5Gi", 1610612736 }, { "128Mi", 134217728 },
                { "1Ki", 1024 }, { "2G", 2000000000 }, { "1T", 1000000000000 },
                { "1Ti", 1099511627776 }, { "1P", 1000000000000000 }, { "1Pi", 1125899906842624 },
                { "1E", 1000000000000000000 }, { "7Ei", 8070450532247928832 },
                { "0.5k", 500 }, { "1.0001k", 1001 }, { "0.1", 1 }, { ".5Mi", 524288 },
        };
        static const char *const bad[] = {
                "", "M", "64X", "64K", "64m", "1..5G", "-1", "+1", " 1", "1 ", "1e3", "0", "0Gi",
                "8Ei", "99999999999999999999", "1.5.5", "Gi1",
        };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                int64_t v = -1;
                int r = parse_memory(ok[i].s, &v);
                if (r < 0 || v != ok[i].bytes)
                        fprintf(stderr, "\nparse_memory(%s) = %d, %lld\n", ok[i].s, r, (long long) v);
                CU_ASSERT_EQUAL(r, 0);
                CU_ASSERT_EQUAL(v, ok[i].bytes);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int64_t v = -7;
                int r = parse_memory(bad[i], &v);
                if (r >= 0)
                        fprintf(stderr, "\nparse_memory(%s) accepted: %lld\n", bad[i], (long long) v);
                CU_ASSERT(r == -EINVAL || r == -ERANGE);
                CU_ASSERT_EQUAL(v, -7);
        }
        int64_t v;
        CU_ASSERT_EQUAL(parse_memory("8Ei", &v), -ERANGE);
        CU_ASSERT_EQUAL(parse_memory("64X", &v), -EINVAL);
}

static void test_parse_cpu(void) {
        static const struct {
                const char *s;
                int64_t millis;
        } ok[] = {
                { "500m", 500 }, { "2", 2000 }, { "0.5", 500 }, { "1m", 1 }, { "1.5", 1500 },
                { "0.0001", 1 }, { "250m", 250 }, { "64", 64000 }, { "0.5m", 1 },
        };
        static const char *const bad[] = { "", "m", "0", "0m", "-1", "2 cores", "1M", "1k", "half", "1e3" };
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                int64_t v = -1;
                CU_ASSERT_EQUAL(parse_cpu(ok[i].s, &v), 0);
                if (v != ok[i].millis)
                        fprintf(stderr, "\nparse_cpu(%s) = %lld\n", ok[i].s, (long long) v);
                CU_ASSERT_EQUAL(v, ok[i].millis);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int64_t v = -7;
                CU_ASSERT(parse_cpu(bad[i], &v) < 0);
                CU_ASSERT_EQUAL(v, -7);
        }
}

/* manifest_load: the source is the path as given, rootfs relative to the
 * folder of the file's real path. */
static void test_load_relative_rootfs(void) {
        char file[PATH_MAX], link[PATH_MAX], rootfs[PATH_MAX], cwd[PATH_MAX];
        struct pod_spec *s = NULL;
        struct podrt_error *err = NULL;
        char *text = expand(POD1("", ""));

        snprintf(file, sizeof(file), "%s/pod.json", tmpdir);
        snprintf(link, sizeof(link), "%s/other/link.json", tmpdir);
        snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmpdir);
        CU_ASSERT_EQUAL_FATAL(write_file(tmpdir, "pod.json", text), 0);
        CU_ASSERT_EQUAL_FATAL(symlink(file, link), 0);
        free(text);

        CU_ASSERT_EQUAL(manifest_load(file, &s, &err), 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_STRING_EQUAL(s->apps[0].rootfs, rootfs);
        s = pod_spec_free(s);

        /* Through a symlink elsewhere: still the real file's folder. */
        CU_ASSERT_EQUAL(manifest_load(link, &s, &err), 0);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        CU_ASSERT_STRING_EQUAL(s->apps[0].rootfs, rootfs);
        s = pod_spec_free(s);

        /* A relative path to the manifest, from another directory. */
        CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
        CU_ASSERT_EQUAL_FATAL(chdir(tmpdir), 0);
        CU_ASSERT_EQUAL(manifest_load("other/../pod.json", &s, &err), 0);
        CU_ASSERT_PTR_NOT_NULL(s);
        if (s)
                CU_ASSERT_STRING_EQUAL(s->apps[0].rootfs, rootfs);
        s = pod_spec_free(s);
        CU_ASSERT_EQUAL(chdir(cwd), 0);
        unlink(link);
        unlink(file);
        podrt_error_free(err);
}

static void expect_load_error(const char *path, const char *content, int code,
                              const char *message) {
        char file[PATH_MAX], *want;
        struct pod_spec *s = NULL;
        struct podrt_error *err = NULL;

        snprintf(file, sizeof(file), "%s/%s", tmpdir, path);
        if (content)
                CU_ASSERT_EQUAL_FATAL(write_file(tmpdir, path, content), 0);
        CU_ASSERT_EQUAL(manifest_load(file, &s, &err), -code);
        CU_ASSERT_PTR_NULL(s);
        if (asprintf(&want, "%s/%s", tmpdir, message) < 0)
                return;
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err), want);
        if (strcmp(podrt_error_message(err), want) != 0)
                fprintf(stderr, "\n  want: %s\n  got:  %s\n", want, podrt_error_message(err));
        free(want);
        podrt_error_free(err);
        if (content)
                unlink(file);
}

static void test_load_errors(void) {
        expect_load_error("empty.json", "", EINVAL, "empty.json: empty manifest");
        expect_load_error("cut.json", "{\n  \"apiVersion\": \"podrt/v1\",\n  \"kind\": \"Po", EINVAL,
                          "cut.json: invalid JSON at line 3, column 14: unexpected end of data");
        expect_load_error("trail.json", "{\"apiVersion\": \"podrt/v1\"}\n}\n", EINVAL,
                          "trail.json: invalid JSON at line 2, column 1: unexpected character");
        expect_load_error("missing.json", NULL, ENOENT, "missing.json: No such file or directory");
        expect_load_error("srv", NULL, EISDIR, "srv: is a directory, not a manifest file");

        /* Over 4 MiB. */
        char file[PATH_MAX];
        snprintf(file, sizeof(file), "%s/big.json", tmpdir);
        int fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_EQUAL(ftruncate(fd, 4 * 1024 * 1024 + 1), 0);
        close(fd);
        expect_load_error("big.json", NULL, EFBIG, "big.json: larger than 4 MiB");
        unlink(file);

        /* A FIFO must not block the parser. */
        snprintf(file, sizeof(file), "%s/fifo.json", tmpdir);
        CU_ASSERT_EQUAL_FATAL(mkfifo(file, 0644), 0);
        expect_load_error("fifo.json", NULL, EINVAL, "fifo.json: not a regular file");
        unlink(file);
}

void register_tests(void) {
        CU_pSuite s = add_suite("manifest", setup, teardown);
        ADD_TEST(s, test_full_manifest);
        ADD_TEST(s, test_contract_example);
        ADD_TEST(s, test_errors);
        ADD_TEST(s, test_exec_limits);
        ADD_TEST(s, test_ret_untouched);
        ADD_TEST(s, test_mount_paths);
        ADD_TEST(s, test_default_env);
        ADD_TEST(s, test_env_overrides);
        ADD_TEST(s, test_users);
        ADD_TEST(s, test_passwd_symlink_stays_inside);
        ADD_TEST(s, test_capabilities);
        ADD_TEST(s, test_resources_json_numbers);
        ADD_TEST(s, test_parse_memory);
        ADD_TEST(s, test_parse_cpu);
        ADD_TEST(s, test_load_relative_rootfs);
        ADD_TEST(s, test_load_errors);
}
