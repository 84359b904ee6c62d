/* SPDX-License-Identifier: Apache-2.0 */
/* A plugin built against the ABI 1.0 headers (old.c), loaded by today's
 * core: `podrt plugins` lists it as ABI 1.0, `podrt check` has nothing of
 * 1.1 to call in it (its descriptor ends at the hooks pointer), and
 * `podrt --backend old run` runs a pod on it. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dlfcn.h>
#include <json-c/json.h>
#include <podrt/plugin.h>   /* ABI 1.0's, from tests/abi-1.0/include */

#include "cunit-main.h"

static char tmpdir[] = "/tmp/podrt-test-abi10.XXXXXX";

/* podrt --root TMP/state ARGS with the old plugin alone on the plugin path;
 * stdout in *ret_out (malloc'd), stderr in *ret_err; the exit status. */
static int podrt(const char *args, char **ret_out, char **ret_err) {
        const char *build = getenv("PODRT_BUILD_DIR");
        char cmd[8192], errpath[600];
        snprintf(errpath, sizeof(errpath), "%s/stderr", tmpdir);
        snprintf(cmd, sizeof(cmd),
                 "PODRT_PLUGIN_PATH='%s/tests/abi-1.0' '%s/core/cli/podrt' --config '%s/podrt.conf' "
                 "--root '%s/state' %s 2>'%s' </dev/null",
                 build, build, tmpdir, tmpdir, args, errpath);
        FILE *p = popen(cmd, "re");
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        char *out = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&out, &len);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
                fwrite(buf, 1, n, m);
        fclose(m);
        int status = pclose(p);
        *ret_out = out;
        char *err = NULL;
        len = 0;
        m = open_memstream(&err, &len);
        FILE *e = fopen(errpath, "re");
        while (e && (n = fread(buf, 1, sizeof(buf), e)) > 0)
                fwrite(buf, 1, n, m);
        if (e)
                fclose(e);
        fclose(m);
        *ret_err = err;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static struct json_object *get(struct json_object *o, const char *key) {
        struct json_object *v = NULL;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* What the plugin hands the core really is a 1.0 descriptor: it ends at
 * the hooks pointer, where 1.1 appends check and config_check. */
static void test_descriptor(void) {
        char path[4200];
        snprintf(path, sizeof(path), "%s/tests/abi-1.0/old.so", getenv("PODRT_BUILD_DIR"));
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(h);
        podrt_plugin_entry_fn entry = (podrt_plugin_entry_fn)dlsym(h, PODRT_PLUGIN_ENTRY_SYMBOL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
        const struct podrt_plugin *d = entry();
        CU_ASSERT_EQUAL(d->abi_major, 1);
        CU_ASSERT_EQUAL(d->abi_minor, 0);
        CU_ASSERT_EQUAL(d->size, offsetof(struct podrt_plugin, hooks) + sizeof(d->hooks));
        CU_ASSERT_EQUAL(sizeof(struct podrt_plugin), d->size);
        dlclose(h);
}

static void test_listed(void) {
        char *out, *err;
        CU_ASSERT_EQUAL(podrt("plugins --json", &out, &err), 0);
        struct json_object *list = json_tokener_parse(out);
        CU_ASSERT_FATAL(json_object_is_type(list, json_type_array));
        struct json_object *old = NULL;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *p = json_object_array_get_idx(list, i);
                const char *name = json_object_get_string(get(p, "name"));
                if (name && strcmp(name, "old") == 0)
                        old = p;
        }
        CU_ASSERT_PTR_NOT_NULL_FATAL(old);
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(old, "abi")), "1.0");
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(old, "version")), "1.0.0");
        CU_ASSERT(json_object_is_type(get(old, "error"), json_type_null));
        struct json_object *prov = get(old, "provides");
        CU_ASSERT_EQUAL(json_object_array_length(prov), 1);
        CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(prov, 0)), "pod");
        json_object_put(list);
        free(out);
        free(err);

        /* The table a person reads. */
        CU_ASSERT_EQUAL(podrt("plugins", &out, &err), 0);
        ASSERT_CONTAINS(out, "old");
        ASSERT_CONTAINS(out, " 1.0 ");
        CU_ASSERT_PTR_NULL(strstr(out, "Refused"));
        free(out);
        free(err);
}

static void test_check(void) {
        /* No check method in a 1.0 descriptor: the backend is ready because
         * it loads. */
        char *out, *err;
        CU_ASSERT_EQUAL(podrt("--backend old check --json", &out, &err), 0);
        struct json_object *rep = json_tokener_parse(out);
        CU_ASSERT_PTR_NOT_NULL_FATAL(rep);
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(rep, "backend")), "old");
        CU_ASSERT(json_object_get_boolean(get(rep, "ready")));
        struct json_object *backends = get(rep, "backends");
        CU_ASSERT_EQUAL_FATAL(json_object_array_length(backends), 1);
        struct json_object *b = json_object_array_get_idx(backends, 0);
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(b, "name")), "old");
        struct json_object *c = json_object_array_get_idx(get(b, "checks"), 0);
        CU_ASSERT_STRING_EQUAL(json_object_get_string(get(c, "name")), "plugin");
        CU_ASSERT(json_object_get_boolean(get(c, "ok")));
        ASSERT_CONTAINS(json_object_get_string(get(c, "detail")), "/tests/abi-1.0/old.so");
        json_object_put(rep);
        free(out);
        free(err);
}

static void test_run(void) {
        char path[600];
        snprintf(path, sizeof(path), "%s/pod.json", tmpdir);
        FILE *f = fopen(path, "we");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs("{ \"apiVersion\": \"podrt/v1\", \"kind\": \"Pod\", \"name\": \"old-pod\",\n"
              "  \"containers\": [ { \"name\": \"app\", \"rootfs\": \"rootfs\",\n"
              "    \"command\": [ \"/bin/sh\", \"-c\", \"echo hello from ABI 1.0; echo to stderr >&2; exit 7\" ] } ] }\n",
              f);
        fclose(f);

        char *out, *err, args[700];
        snprintf(args, sizeof(args), "--backend old run --rm '%s'", path);
        CU_ASSERT_EQUAL(podrt(args, &out, &err), 7);
        CU_ASSERT_STRING_EQUAL(out, "hello from ABI 1.0\n");
        ASSERT_CONTAINS(err, "to stderr\n");
        free(out);
        free(err);

        /* A successful app: exit 0, and --rm left nothing. */
        f = fopen(path, "we");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs("{ \"apiVersion\": \"podrt/v1\", \"kind\": \"Pod\", \"name\": \"old-ok\",\n"
              "  \"containers\": [ { \"name\": \"app\", \"rootfs\": \"rootfs\",\n"
              "    \"command\": [ \"/bin/echo\", \"fine\" ] } ] }\n",
              f);
        fclose(f);
        CU_ASSERT_EQUAL(podrt(args, &out, &err), 0);
        CU_ASSERT_STRING_EQUAL(out, "fine\n");
        free(out);
        free(err);
        CU_ASSERT_EQUAL(podrt("list --json", &out, &err), 0);
        struct json_object *list = json_tokener_parse(out);
        CU_ASSERT(json_object_is_type(list, json_type_array) && json_object_array_length(list) == 0);
        json_object_put(list);
        free(out);
        free(err);
}

static int suite_init(void) {
        if (!getenv("PODRT_BUILD_DIR") || !mkdtemp(tmpdir))
                return -1;
        char path[600];
        snprintf(path, sizeof(path), "%s/rootfs", tmpdir);
        if (mkdir(path, 0755) < 0)
                return -1;
        /* Hermetic: no installed plugin, the default network and storage. */
        snprintf(path, sizeof(path), "%s/podrt.conf", tmpdir);
        FILE *f = fopen(path, "we");
        if (!f)
                return -1;
        fprintf(f, "plugin_path = [ \"%s/no-plugins\" ];\n", tmpdir);
        fclose(f);
        unsetenv("PODRT_CONFIG");
        return 0;
}

static int suite_cleanup(void) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        return system(cmd) == 0 ? 0 : -1;
}

void register_tests(void) {
        CU_pSuite s = add_suite("abi-1.0", suite_init, suite_cleanup);
        ADD_TEST(s, test_descriptor);
        ADD_TEST(s, test_listed);
        ADD_TEST(s, test_check);
        ADD_TEST(s, test_run);
}
