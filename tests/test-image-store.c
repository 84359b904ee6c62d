/* SPDX-License-Identifier: Apache-2.0 */
/* The image store's pure parts: SHA-256 against FIPS 180-4's vectors (and
 * fed in every split), names as podman shows them, and the layout parsers'
 * refusals (each with the message a user sees). */
#include <stdlib.h>
#include <string.h>

#include "cunit-main.h"
#include "image-internal.h"
#include "sha256.h"
#include "strv.h"

static void hash(const char *data, size_t len, size_t chunk, char out[65]) {
        struct sha256 h;
        sha256_init(&h);
        for (size_t i = 0; i < len; i += chunk)
                sha256_update(&h, data + i, len - i < chunk ? len - i : chunk);
        sha256_hex(&h, out);
}

static void test_sha256(void) {
        char out[65];
        hash("", 0, 1, out);
        CU_ASSERT_STRING_EQUAL(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        hash("abc", 3, 3, out);
        CU_ASSERT_STRING_EQUAL(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        for (size_t chunk = 1; chunk <= 64; chunk++) {
                hash(two, strlen(two), chunk, out);
                CU_ASSERT_STRING_EQUAL(out, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        }
        char *million = malloc(1000000);
        CU_ASSERT_PTR_NOT_NULL_FATAL(million);
        memset(million, 'a', 1000000);
        hash(million, 1000000, 4093, out);
        CU_ASSERT_STRING_EQUAL(out, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        free(million);
}

static void test_names(void) {
        static const char *const cases[][2] = {
                { "example/bb", "example/bb:latest" },
                { "example/bb:1.0", "example/bb:1.0" },
                { "bb", "bb:latest" },
                { "localhost:5000/x/y", "localhost:5000/x/y:latest" },
                { "localhost:5000/x/y:v_2.1-rc", "localhost:5000/x/y:v_2.1-rc" },
                { "docker.io/library/busybox:Latest", "docker.io/library/busybox:Latest" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *n = image_name_normalize(cases[i][0]);
                CU_ASSERT_PTR_NOT_NULL_FATAL(n);
                CU_ASSERT_STRING_EQUAL(n, cases[i][1]);
                free(n);
        }
        static const char *const bad[] = { "", "Example/bb", "/bb", "bb/", "a//b", "bb:", "bb:x y",
                                           "b b", "bb:a:b", "../x" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *n = image_name_normalize(bad[i]);
                if (n)
                        fprintf(stderr, "accepted: '%s' as '%s'\n", bad[i], n);
                CU_ASSERT_PTR_NULL(n);
                free(n);
        }
}

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void expect_index(const char *text, const char *message) {
        struct podrt_error *err = NULL;
        struct image_descriptor *d = NULL;
        size_t n = 0;
        int r = image_parse_index(text, strlen(text), "index.json", &d, &n, &err);
        CU_ASSERT(r < 0);
        ASSERT_CONTAINS(err ? podrt_error_message(err) : "", message);
        podrt_error_free(err);
}

static void test_parse_index(void) {
        const char *good = "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"x\",\"digest\":\"sha256:" D64
                           "\",\"size\":5,\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}]}";
        struct podrt_error *err = NULL;
        struct image_descriptor *d = NULL;
        size_t n = 0;
        CU_ASSERT_EQUAL_FATAL(image_parse_index(good, strlen(good), "index.json", &d, &n, &err), 0);
        CU_ASSERT_EQUAL(n, 1);
        CU_ASSERT_STRING_EQUAL(d[0].digest, "sha256:" D64);
        CU_ASSERT_EQUAL(d[0].size, 5);
        CU_ASSERT_STRING_EQUAL(d[0].ref_name, "v1");
        image_descriptor_clear(&d[0]);
        free(d);

        expect_index("{\"schemaVersion\":2,\"manifests\":[]} x", "index.json: invalid JSON");
        expect_index("[]", "index.json: not a JSON object");
        expect_index("{\"schemaVersion\":1,\"manifests\":[]}", "index.json: schemaVersion: must be 2");
        expect_index("{\"schemaVersion\":2}", "index.json: manifests: must be an array");
        expect_index("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:../../etc\",\"size\":1}]}",
                     "index.json: manifests[0].digest: not a sha256 digest");
        expect_index("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha512:" D64 "\",\"size\":1}]}",
                     "manifests[0].digest: not a sha256 digest");
        expect_index("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:" D64 "\",\"size\":-1}]}",
                     "index.json: manifests[0].size: not a size");
        expect_index("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:" D64 "\"}]}",
                     "manifests[0].size: not a size");
}

static void test_parse_manifest_config(void) {
        struct podrt_error *err = NULL;
        struct image_descriptor config = { 0 }, *layers = NULL;
        size_t n = 0;
        const char *index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
                            "\"manifests\":[]}";
        CU_ASSERT(image_parse_manifest(index, strlen(index), "sha256:m", &config, &layers, &n, &err) < 0);
        ASSERT_CONTAINS(podrt_error_message(err), "not an image manifest (an index of manifests");
        podrt_error_free(err);
        err = NULL;
        const char *noconfig = "{\"schemaVersion\":2,\"layers\":[]}";
        CU_ASSERT(image_parse_manifest(noconfig, strlen(noconfig), "sha256:m", &config, &layers, &n, &err) < 0);
        ASSERT_CONTAINS(podrt_error_message(err), "sha256:m: config: is required");
        podrt_error_free(err);
        err = NULL;

        char **ids = NULL;
        const char *cfg = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" D64 "\"]}}";
        CU_ASSERT_EQUAL_FATAL(image_parse_config(cfg, strlen(cfg), "sha256:c", &ids, &err), 0);
        CU_ASSERT_EQUAL(strv_length(ids), 1);
        strv_free(ids);
        ids = NULL;
        const char *badcfg = "{\"rootfs\":{\"diff_ids\":[\"sha256:xyz\"]}}";
        CU_ASSERT(image_parse_config(badcfg, strlen(badcfg), "sha256:c", &ids, &err) < 0);
        ASSERT_CONTAINS(podrt_error_message(err), "sha256:c: rootfs.diff_ids[0]: not a sha256 digest");
        CU_ASSERT_PTR_NULL(ids);
        podrt_error_free(err);
}

void register_tests(void) {
        CU_pSuite s = add_suite("images", NULL, NULL);
        ADD_TEST(s, test_sha256);
        ADD_TEST(s, test_names);
        ADD_TEST(s, test_parse_index);
        ADD_TEST(s, test_parse_manifest_config);
}
