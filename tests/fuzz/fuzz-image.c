/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: what an image import parses from a layout it does not
 * trust, before any blob is unpacked: index.json, an image manifest and an
 * image config (core/images/image-parse.c).  The first byte picks the
 * parser (0 index, 1 manifest, 2 config, modulo 3); the rest is the text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "image-internal.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size < 1)
                return 0;
        const char *text = (const char *)data + 1;
        size_t len = size - 1;
        struct podrt_error *err = NULL;
        switch (data[0] % 3) {
        case 0: {
                struct image_descriptor *d = NULL;
                size_t n = 0;
                if (image_parse_index(text, len, "index.json", &d, &n, &err) == 0) {
                        for (size_t i = 0; i < n; i++)
                                image_descriptor_clear(&d[i]);
                        free(d);
                }
                break;
        }
        case 1: {
                struct image_descriptor config = { 0 }, *layers = NULL;
                size_t n = 0;
                if (image_parse_manifest(text, len, "manifest", &config, &layers, &n, &err) == 0) {
                        image_descriptor_clear(&config);
                        for (size_t i = 0; i < n; i++)
                                image_descriptor_clear(&layers[i]);
                        free(layers);
                }
                break;
        }
        default: {
                char **ids = NULL;
                if (image_parse_config(text, len, "config", &ids, &err) == 0)
                        strv_free(ids);
                break;
        }
        }
        podrt_error_free(err);
        return 0;
}
