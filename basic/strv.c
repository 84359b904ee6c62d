/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"

size_t strv_length(char *const *v) {
        size_t n = 0;
        while (v && v[n])
                n++;
        return n;
}

char **strv_free(char **v) {
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
        return NULL;
}

int strv_consume(char ***v, char *s) {
        size_t n = strv_length(*v);
        char **w = realloc(*v, (n + 2) * sizeof(char *));
        if (!w)
                return -ENOMEM;
        w[n] = s;
        w[n + 1] = NULL;
        *v = w;
        return 0;
}

int strv_push(char ***v, const char *s) {
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        int r = strv_consume(v, c);
        if (r < 0)
                free(c);
        return r;
}

char **strv_copy(char *const *v) {
        char **c = calloc(strv_length(v) + 1, sizeof(char *));
        if (!c)
                return NULL;
        for (size_t i = 0; v && v[i]; i++)
                if (!(c[i] = strdup(v[i])))
                        return strv_free(c);
        return c;
}

int strv_contains(char *const *v, const char *s) {
        for (size_t i = 0; v && v[i]; i++)
                if (strcmp(v[i], s) == 0)
                        return 1;
        return 0;
}

char *strv_join(char *const *v, const char *sep) {
        size_t len = 1, k = strlen(sep);
        for (size_t i = 0; v && v[i]; i++)
                len += strlen(v[i]) + k;
        char *s = malloc(len), *p = s;
        if (!s)
                return NULL;
        for (size_t i = 0; v && v[i]; i++) {
                if (i > 0)
                        p = stpcpy(p, sep);
                p = stpcpy(p, v[i]);
        }
        *p = '\0';
        return s;
}
