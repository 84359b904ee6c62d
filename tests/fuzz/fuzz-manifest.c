/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the pod manifest parser (JSON, schema, rootfs paths). */
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "manifest.h"
#include "spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct pod_spec *spec = NULL;
        struct podrt_error *err = NULL;
        if (manifest_parse((const char *)data, size, "fuzz.json", "/nonexistent-fuzz-dir", &spec,
                           &err) == 0)
                pod_spec_free(spec);
        podrt_error_free(err);
        return 0;
}
