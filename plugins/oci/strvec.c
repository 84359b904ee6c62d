/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strvec.h"

size_t oci_strv_length(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

char **oci_strv_free(char **v) {
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
        return NULL;
}

int oci_strv_consume(char ***v, char *s) {
        size_t n = oci_strv_length(*v);
        char **nv = realloc(*v, (n + 2) * sizeof(char *));
        if (!nv)
                return -ENOMEM;
        nv[n] = s;
        nv[n + 1] = NULL;
        *v = nv;
        return 0;
}

int oci_strv_push(char ***v, const char *s) {
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        int r = oci_strv_consume(v, c);
        if (r < 0)
                free(c);
        return r;
}
