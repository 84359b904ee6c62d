/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: OCI hook files (1.0.0 and 0.1.0), their patterns
 * included (bounded before regcomp). */
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "hookfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct hook *h = NULL;
        struct podrt_error *err = NULL;
        if (hook_parse("fuzz.json", (const char *)data, size, &h, &err) == 0)
                hook_free(h);
        podrt_error_free(err);
        return 0;
}
