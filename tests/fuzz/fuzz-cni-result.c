/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: what a CNI plugin prints (its result, or its error),
 * which the cni plugin parses: a plugin's output is input like any other. */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cni.h"
#include "errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        if (!text)
                return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        json_object *o = json_tokener_parse(text);
        if (o) {
                struct cni_result r;
                memset(&r, 0, sizeof(r));
                struct podrt_error *err = NULL;
                if (cni_result_parse(o, &r, &err) == 0) {
                        json_object *sum = cni_result_summary(&r, "fuzz", NULL);
                        json_object_put(sum);
                        cni_result_done(&r);
                }
                podrt_error_free(err);
                json_object_put(o);
        }
        char *msg = NULL;
        int code = 0;
        if (cni_error_parse(text, &msg, &code) > 0)
                free(msg);
        free(text);
        return 0;
}
