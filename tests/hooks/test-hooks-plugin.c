/* SPDX-License-Identifier: Apache-2.0 */
/* The hooks plugin as the core sees it: hooks.so loaded through the real
 * loader from the build tree, its ops called on pods made from manifests.
 * Covers the glue of hooks.c: init (hooks.dirs), run, oci_json, describe. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "cunit-main.h"
#include "errors.h"
#include "loader.h"
#include "manifest.h"
#include "pod.h"

static char tmp[256];
static char plugin_dir[1024];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        (void)st;
        (void)flag;
        (void)ftw;
        return remove(path);
}

static int suite_init(void) {
        const char *b = getenv("PODRT_BUILD_DIR");
        if (!b)
                return -1;
        snprintf(plugin_dir, sizeof(plugin_dir), "%s/plugins/hooks", b);
        strcpy(tmp, "/tmp/podrt-test-hooks-plugin-XXXXXX");
        return mkdtemp(tmp) ? 0 : -1;
}

static int suite_cleanup(void) {
        if (tmp[0])
                nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        return 0;
}

static void write_at(const char *path, const char *text, mode_t mode) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
        close(fd);
        chmod(path, mode);
}

static const char *new_dir(const char *name) {
        static char path[600];
        snprintf(path, sizeof(path), "%s/%s", tmp, name);
        CU_ASSERT_FATAL(mkdir(path, 0755) == 0);
        return path;
}

/* A loader whose config sets hooks.dirs to dir. */
struct env {
        struct podrt_config *cfg;
        struct loader *loader;
        struct plugin *hooks;
        const struct podrt_hook_ops *ops;
        struct podrt_pod *pod;
};

static void env_done(struct env *e) {
        pod_unref(e->pod);
        loader_free(e->loader);
        config_free(e->cfg);
}

static int env_load(struct env *env, const char *hooks_dirs, struct podrt_error **err) {
        char conf[700], text[1200];
        static int n;
        snprintf(conf, sizeof(conf), "%s/podrt-%d.conf", tmp, ++n);
        snprintf(text, sizeof(text), "hooks = { dirs = [ %s ]; };\n", hooks_dirs);
        write_at(conf, text, 0644);
        *env = (struct env){};
        CU_ASSERT_FATAL(config_load(conf, &env->cfg, err) == 0);
        const char *dirs[] = { plugin_dir, NULL };
        CU_ASSERT_FATAL(loader_new(dirs, env->cfg, tmp, tmp, PODRT_LOG_WARNING, &env->loader, err) == 0);
        int r = loader_load(env->loader, "hooks", &env->hooks, err);
        if (r < 0)
                return r;
        env->ops = plugin_hook_ops(env->hooks);
        CU_ASSERT_PTR_NOT_NULL_FATAL(env->ops);
        return 0;
}

static void env_pod(struct env *env, const char *manifest) {
        char path[700], rootfs[700], dir[700];
        snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmp);
        mkdir(rootfs, 0755);
        snprintf(path, sizeof(path), "%s/pod.json", tmp);
        write_at(path, manifest, 0644);
        struct pod_spec *spec = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = manifest_load(path, &spec, &e);
        if (r < 0)
                fprintf(stderr, "manifest: %s\n", podrt_error_message(e));
        CU_ASSERT_FATAL(r == 0);
        snprintf(dir, sizeof(dir), "%s/pods/0123456789abcdef0123456789abcdef", tmp);
        CU_ASSERT_FATAL(pod_new(spec, "0123456789abcdef0123456789abcdef", NULL, dir, "mock", "none", "dir",
                                &env->pod, &e) == 0);
}

static const char *manifest_two_apps =
        "{\"apiVersion\": \"podrt/v1\", \"kind\": \"Pod\", \"name\": \"hp\",\n"
        " \"annotations\": {\"org.example.team\": \"infra\"},\n"
        " \"volumes\": [{\"name\": \"scratch\", \"kind\": \"empty\"}],\n"
        " \"containers\": [\n"
        "  {\"name\": \"web\", \"rootfs\": \"rootfs\", \"command\": [\"/usr/sbin/nginx\"],\n"
        "   \"mounts\": [{\"volume\": \"scratch\", \"path\": \"/scratch\"}]},\n"
        "  {\"name\": \"shell\", \"rootfs\": \"rootfs\", \"command\": [\"/bin/sh\", \"-c\", \"true\"]}]}\n";

static char *call_oci_json(struct env *env, size_t app) {
        char *json = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL(env->ops->oci_json(plugin_data(env->hooks), podrt_pod_app(env->pod, app), &json, 0, &e), 0);
        return json;
}

static void test_oci_json(void) {
        const char *d = new_dir("oci");
        char path[900];
        snprintf(path, sizeof(path), "%s/01-all.json", d);
        write_at(path, "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"/bin/true\", \"args\": [\"true\", \"x\"], "
                       "\"env\": [\"A=1\"], \"timeout\": 5}, \"when\": {\"annotations\": {\"team\": \"^infra$\"}}, "
                       "\"stages\": [\"prestart\", \"poststop\"]}",
                 0644);
        snprintf(path, sizeof(path), "%s/02-mounts.json", d);
        write_at(path, "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"/bin/false\"}, "
                       "\"when\": {\"hasBindMounts\": true}, \"stages\": [\"createContainer\"]}",
                 0644);
        snprintf(path, sizeof(path), "%s/03-sh.json", d);
        write_at(path, "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"/bin/echo\"}, "
                       "\"when\": {\"commands\": [\"^/bin/sh$\"]}, \"stages\": [\"startContainer\", \"prestart\"]}",
                 0644);
        char dirs[700];
        snprintf(dirs, sizeof(dirs), "\"%s\"", d);
        struct env env;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_FATAL(env_load(&env, dirs, &e) == 0);
        env_pod(&env, manifest_two_apps);

        char *web = call_oci_json(&env, 0);
        CU_ASSERT_STRING_EQUAL(web, "{\"prestart\":[{\"path\":\"/bin/true\",\"args\":[\"true\",\"x\"],\"env\":[\"A=1\"],"
                                    "\"timeout\":5}],\"createContainer\":[{\"path\":\"/bin/false\"}],"
                                    "\"poststop\":[{\"path\":\"/bin/true\",\"args\":[\"true\",\"x\"],"
                                    "\"env\":[\"A=1\"],\"timeout\":5}]}");
        free(web);
        char *shell = call_oci_json(&env, 1);
        CU_ASSERT_STRING_EQUAL(shell, "{\"prestart\":[{\"path\":\"/bin/true\",\"args\":[\"true\",\"x\"],\"env\":[\"A=1\"],"
                                      "\"timeout\":5},{\"path\":\"/bin/echo\"}],"
                                      "\"startContainer\":[{\"path\":\"/bin/echo\"}],"
                                      "\"poststop\":[{\"path\":\"/bin/true\",\"args\":[\"true\",\"x\"],"
                                      "\"env\":[\"A=1\"],\"timeout\":5}]}");
        free(shell);

        /* describe: per app, per stage, and why not. */
        char *json = NULL;
        CU_ASSERT_EQUAL_FATAL(env.ops->describe(plugin_data(env.hooks), env.pod, &json, 0, &e), 0);
        struct json_object *o = json_tokener_parse(json);
        CU_ASSERT_PTR_NOT_NULL_FATAL(o);
        struct json_object *apps, *app, *stages, *arr, *x;
        CU_ASSERT_FATAL(json_object_object_get_ex(o, "apps", &apps));
        CU_ASSERT_EQUAL_FATAL(json_object_array_length(apps), 2);
        app = json_object_array_get_idx(apps, 0);
        CU_ASSERT_FATAL(json_object_object_get_ex(app, "name", &x));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(x), "web");
        CU_ASSERT_FATAL(json_object_object_get_ex(app, "stages", &stages));
        CU_ASSERT_EQUAL(json_object_object_length(stages), 6);
        CU_ASSERT_FATAL(json_object_object_get_ex(stages, "createContainer", &arr));
        CU_ASSERT_EQUAL_FATAL(json_object_array_length(arr), 1);
        CU_ASSERT_FATAL(json_object_object_get_ex(json_object_array_get_idx(arr, 0), "file", &x));
        snprintf(path, sizeof(path), "%s/02-mounts.json", d);
        CU_ASSERT_STRING_EQUAL(json_object_get_string(x), path);
        CU_ASSERT_FATAL(json_object_object_get_ex(stages, "startContainer", &arr));
        CU_ASSERT_EQUAL(json_object_array_length(arr), 0);
        CU_ASSERT_FATAL(json_object_object_get_ex(app, "unmatched", &arr));
        CU_ASSERT_EQUAL_FATAL(json_object_array_length(arr), 1);
        CU_ASSERT_FATAL(json_object_object_get_ex(json_object_array_get_idx(arr, 0), "why", &x));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(x), "commands did not match");
        app = json_object_array_get_idx(apps, 1);
        CU_ASSERT_FATAL(json_object_object_get_ex(app, "unmatched", &arr));
        CU_ASSERT_EQUAL_FATAL(json_object_array_length(arr), 1);
        CU_ASSERT_FATAL(json_object_object_get_ex(json_object_array_get_idx(arr, 0), "why", &x));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(x), "hasBindMounts did not match (no mounts)");
        json_object_put(o);
        free(json);

        /* flags must be 0. */
        CU_ASSERT_EQUAL(env.ops->oci_json(plugin_data(env.hooks), podrt_pod_app(env.pod, 0), &json, 1, &e), -EINVAL);
        env_done(&env);
}

static void test_run(void) {
        const char *d = new_dir("run");
        char path[900], script[900], text[2400];
        snprintf(script, sizeof(script), "%s/record.sh", tmp);
        snprintf(text, sizeof(text), "#!/bin/sh\necho \"$1\" >> %s/calls\ncat > %s/state-$1\nexit ${2:-0}\n", tmp, tmp);
        write_at(script, text, 0755);
#define HOOK(file, arg, code, stages)                                                                    \
        snprintf(path, sizeof(path), "%s/" file, d);                                                     \
        snprintf(text, sizeof(text),                                                                     \
                 "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"%s\", \"args\": [\"r\", \"" arg "\", " \
                 "\"" code "\"]}, \"when\": {\"always\": true}, \"stages\": " stages "}",                \
                 script);                                                                                \
        write_at(path, text, 0644)
        HOOK("01-a.json", "a", "0", "[\"prestart\", \"poststop\"]");
        HOOK("02-b.json", "b", "4", "[\"prestart\", \"poststop\"]");
        HOOK("03-c.json", "c", "0", "[\"prestart\", \"poststop\"]");
#undef HOOK
        char dirs[700];
        snprintf(dirs, sizeof(dirs), "\"%s\"", d);
        struct env env;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_FATAL(env_load(&env, dirs, &e) == 0);
        env_pod(&env, manifest_two_apps);
        struct podrt_app *app = podrt_pod_app(env.pod, 1);

        /* prestart: the first failure stops the others. */
        int r = env.ops->run(plugin_data(env.hooks), app, PODRT_HOOK_PRESTART, "created", 0, &e);
        CU_ASSERT_EQUAL(r, -EIO);
        snprintf(text, sizeof(text), "hook %s/02-b.json (%s) failed: exit status 4", d, script);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), text);
        e = podrt_error_free(e);
        snprintf(path, sizeof(path), "%s/calls", tmp);
        FILE *f = fopen(path, "re");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        char calls[64] = "";
        size_t n = fread(calls, 1, sizeof(calls) - 1, f);
        calls[n] = '\0';
        fclose(f);
        CU_ASSERT_STRING_EQUAL(calls, "a\nb\n");

        /* The state the hook read. */
        snprintf(path, sizeof(path), "%s/state-a", tmp);
        f = fopen(path, "re");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        char state[2048] = "";
        n = fread(state, 1, sizeof(state) - 1, f);
        state[n] = '\0';
        fclose(f);
        snprintf(text, sizeof(text),
                 "{\"ociVersion\":\"1.0.2\",\"id\":\"0123456789abcdef0123456789abcdef-shell\","
                 "\"status\":\"created\",\"bundle\":\"%s/pods/0123456789abcdef0123456789abcdef/apps/shell\","
                 "\"annotations\":{\"org.example.team\":\"infra\"}}",
                 tmp);
        CU_ASSERT_STRING_EQUAL(state, text);

        /* poststop: every hook runs; the first failure is returned. */
        snprintf(path, sizeof(path), "%s/calls", tmp);
        unlink(path);
        r = env.ops->run(plugin_data(env.hooks), app, PODRT_HOOK_POSTSTOP, "stopped", 0, &e);
        CU_ASSERT_EQUAL(r, -EIO);
        f = fopen(path, "re");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        n = fread(calls, 1, sizeof(calls) - 1, f);
        calls[n] = '\0';
        fclose(f);
        CU_ASSERT_STRING_EQUAL(calls, "a\nb\nc\n");
        e = podrt_error_free(e);

        /* A stage with no hook, and bad arguments. */
        CU_ASSERT_EQUAL(env.ops->run(plugin_data(env.hooks), app, PODRT_HOOK_POSTSTART, "running", 0, &e), 0);
        CU_ASSERT_EQUAL(env.ops->run(plugin_data(env.hooks), app, PODRT_HOOK_N_STAGES, "running", 0, &e), -EINVAL);
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(env.ops->run(plugin_data(env.hooks), app, PODRT_HOOK_PRESTART, "created", 2, &e), -EINVAL);
        env_done(&env);
}

static void test_init_errors(void) {
        char dirs[900];
        struct env env;
        _cleanup_error_ struct podrt_error *e = NULL;

        /* A configured directory that does not exist: an error, and never
         * ENOENT (which the loader means as "no such plugin"). */
        snprintf(dirs, sizeof(dirs), "\"%s/nope\"", tmp);
        CU_ASSERT_EQUAL(env_load(&env, dirs, &e), -EINVAL);
        char expected[1200];
        snprintf(expected, sizeof(expected), "plugin 'hooks': hooks: %s/nope: No such file or directory", tmp);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), expected);
        e = podrt_error_free(e);
        env_done(&env);

        /* A broken file, named. */
        const char *d = new_dir("broken");
        char path[900];
        snprintf(path, sizeof(path), "%s/01-x.json", d);
        write_at(path, "{\"version\": \"1.0.0\", \"hook\": {\"path\": \"/no/such/hook\"}, "
                       "\"when\": {\"always\": true}, \"stages\": [\"prestart\"]}",
                 0644);
        snprintf(dirs, sizeof(dirs), "\"%s\"", d);
        CU_ASSERT_EQUAL(env_load(&env, dirs, &e), -EINVAL);
        snprintf(expected, sizeof(expected),
                 "plugin 'hooks': hooks: %s: hook.path: /no/such/hook: No such file or directory", path);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), expected);
        e = podrt_error_free(e);
        env_done(&env);

        /* An empty list: no hooks at all, nothing matches. */
        CU_ASSERT_FATAL(env_load(&env, "", &e) == 0);
        env_pod(&env, manifest_two_apps);
        char *json = call_oci_json(&env, 0);
        CU_ASSERT_STRING_EQUAL(json, "{}");
        free(json);
        env_done(&env);
}

void register_tests(void) {
        CU_pSuite s = add_suite("hooks-plugin", suite_init, suite_cleanup);
        ADD_TEST(s, test_oci_json);
        ADD_TEST(s, test_run);
        ADD_TEST(s, test_init_errors);
}
