/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the pod description podrt-init reads as PID 1 (written
 * by the nspawn and kvm backends, escaped line format). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "initspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        struct initspec *s = NULL;
        struct podrt_error *err = NULL;
        if (initspec_parse_string(text, "fuzz", &s, &err) == 0)
                initspec_free(s);
        podrt_error_free(err);
        free(text);
        return 0;
}
