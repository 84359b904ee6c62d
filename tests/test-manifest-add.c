/* SPDX-License-Identifier: Apache-2.0 */
/* Apps added to a running pod, as the manifest parser sees them
 * (core/manifest-add.c): one container object validated against a pod's
 * spec, its manifest.json form, and manifest.json with an app added or
 * removed. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit-main.h"
#include "errors.h"
#include "manifest.h"

static char tmpdir[] = "/tmp/podrt-test-manifest-add-XXXXXX";
static char rootfs[4200];

static const char pod_text[] =
        "{\"apiVersion\":\"podrt/v1\",\"kind\":\"Pod\",\"name\":\"p\","
        "\"volumes\":[{\"name\":\"other\",\"kind\":\"empty\"},{\"name\":\"scratch\",\"kind\":\"empty\"}],"
        "\"containers\":[{\"name\":\"first\",\"rootfs\":\"rootfs\",\"command\":[\"true\"]}]}";

static int setup(void) {
        if (!mkdtemp(tmpdir))
                return -1;
        snprintf(rootfs, sizeof rootfs, "%s/rootfs", tmpdir);
        return mkdir(rootfs, 0755);
}

static int teardown(void) {
        char cmd[4300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        return system(cmd) == 0 ? 0 : -1;
}

static struct pod_spec *pod(void) {
        struct pod_spec *spec = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        if (manifest_parse(pod_text, strlen(pod_text), "pod.json", tmpdir, &spec, &e) < 0)
                fprintf(stderr, "%s\n", podrt_error_message(e));
        return spec;
}

static int add(struct pod_spec *spec, const char *text, json_object **ret, struct podrt_error **e) {
        return manifest_parse_app(spec, text, strlen(text), "app.json", tmpdir, ret, e);
}

static void test_add_valid(void) {
        _cleanup_(pod_spec_freep) struct pod_spec *spec = pod();
        CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
        json_object *j = NULL;
        struct podrt_error *e = NULL;
        CU_ASSERT_EQUAL_FATAL(add(spec, "{\"name\":\"second\",\"rootfs\":\"rootfs\",\"command\":[\"sh\"],"
                                        "\"mounts\":[{\"volume\":\"scratch\",\"path\":\"/s\"}]}", &j, &e), 0);
        CU_ASSERT_EQUAL(spec->n_apps, 2);
        CU_ASSERT_STRING_EQUAL(spec->apps[1].name, "second");
        /* Relative to the app file's folder, and absolute in manifest.json. */
        CU_ASSERT_STRING_EQUAL(spec->apps[1].rootfs, rootfs);
        json_object *r;
        CU_ASSERT(json_object_object_get_ex(j, "rootfs", &r));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(r), rootfs);
        CU_ASSERT_EQUAL(spec->apps[1].n_mounts, 1);
        CU_ASSERT_EQUAL(spec->apps[1].mounts[0].volume_index, 1);
        /* The default environment, as for the manifest's containers. */
        int hostname = 0;
        for (size_t i = 0; spec->apps[1].env[i]; i++)
                hostname |= strcmp(spec->apps[1].env[i], "HOSTNAME=p") == 0;
        CU_ASSERT(hostname);

        /* manifest.json with it: parses into both apps; without it: one. */
        char *with = NULL, *without = NULL;
        CU_ASSERT_EQUAL_FATAL(manifest_text_add_app(pod_text, j, &with), 0);
        struct pod_spec *again = NULL;
        CU_ASSERT_EQUAL(manifest_parse(with, strlen(with), "manifest.json", tmpdir, &again, &e), 0);
        CU_ASSERT_EQUAL(again ? again->n_apps : 0, 2);
        pod_spec_free(again);
        CU_ASSERT_EQUAL(manifest_text_remove_app(with, "second", &without), 0);
        CU_ASSERT_PTR_NULL(strstr(without, "second"));
        char *none = NULL;
        CU_ASSERT_EQUAL(manifest_text_remove_app(with, "nope", &none), -ENOENT);
        CU_ASSERT_EQUAL(manifest_text_add_app("{\"containers\":1}", j, &none), -EBADMSG);
        free(with);
        free(without);
        json_object_put(j);
        podrt_error_free(e);
}

/* Each refusal names the file and the JSON path and leaves the spec's
 * apps as they were. */
static void test_add_refused(void) {
        static const struct {
                const char *text;
                int code;
                const char *msg;
        } cases[] = {
                { "{\"name\":\"first\",\"rootfs\":\"rootfs\",\"command\":[\"true\"]}", -EEXIST,
                  "app.json: name: the pod already has an app named \"first\"" },
                { "{\"name\":\"x\",\"rootfs\":\"rootfs\",\"command\":[\"true\"],\"mounts\":[{\"volume\":\"nope\",\"path\":\"/n\"}]}",
                  -EINVAL, "app.json: mounts[0].volume: no volume named \"nope\" is declared in volumes" },
                { "{\"name\":\"x\",\"rootfs\":\"rootfs\",\"command\":[\"true\"],\"capabilities\":{\"add\":[\"CAP_NOPE\"]}}",
                  -EINVAL, "app.json: capabilities.add[0]: unknown capability \"CAP_NOPE\"" },
                { "{\"name\":\"x\",\"rootfs\":\"missing\",\"command\":[\"true\"]}", -ENOENT, "app.json: rootfs: " },
                { "{\"name\":\"x\",\"rootfs\":\"rootfs\"}", -EINVAL, "app.json: command: is required" },
                { "{\"name\":\"x\",\"rootfs\":\"rootfs\",\"command\":[\"true\"],\"comand\":1}", -EINVAL,
                  "app.json: comand: unknown field" },
                { "{\"name\":\"x\",", -EINVAL, "app.json: invalid JSON at line 1" },
                { "[]", -EINVAL, "app.json: must be a JSON object" },
        };
        _cleanup_(pod_spec_freep) struct pod_spec *spec = pod();
        CU_ASSERT_PTR_NOT_NULL_FATAL(spec);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                json_object *j = NULL;
                _cleanup_error_ struct podrt_error *e = NULL;
                CU_ASSERT_EQUAL(add(spec, cases[i].text, &j, &e), cases[i].code);
                ASSERT_CONTAINS(podrt_error_message(e), cases[i].msg);
                CU_ASSERT_PTR_NULL(j);
                CU_ASSERT_EQUAL(spec->n_apps, 1);
                CU_ASSERT_STRING_EQUAL(spec->apps[0].name, "first");
        }
}

void register_tests(void) {
        CU_pSuite s = add_suite("manifest-add", setup, teardown);
        ADD_TEST(s, test_add_valid);
        ADD_TEST(s, test_add_refused);
}
