/* SPDX-License-Identifier: Apache-2.0 */
/* The error object: a message that grows context on the way up, and the
 * errno of the innermost cause. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <podrt/error.h>

struct podrt_error {
        int code;
        char *message;
};

int podrt_error_set(struct podrt_error **err, int errnum, const char *fmt, ...) {
        errnum = errnum < 0 ? -errnum : errnum;
        if (errnum == 0)
                errnum = EIO;
        if (!err)
                return -errnum;

        char *text = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&text, fmt, ap) < 0)
                text = NULL;
        va_end(ap);

        struct podrt_error *e = *err;
        if (e) {
                /* Wrap: prepend the new context, keep the innermost errno. */
                char *joined = NULL;
                if (text && asprintf(&joined, "%s: %s", text, e->message) >= 0) {
                        free(e->message);
                        e->message = joined;
                }
                free(text);
                return -e->code;
        }

        e = calloc(1, sizeof(*e));
        if (!e) {
                free(text);
                return -errnum;
        }
        e->code = errnum;
        e->message = text ? text : strdup(strerror(errnum));
        *err = e;
        return -errnum;
}

const char *podrt_error_message(const struct podrt_error *err) {
        return err && err->message ? err->message : "unknown error";
}

int podrt_error_code(const struct podrt_error *err) {
        return err ? err->code : 0;
}

struct podrt_error *podrt_error_free(struct podrt_error *err) {
        if (err) {
                free(err->message);
                free(err);
        }
        return NULL;
}
