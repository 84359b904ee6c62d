/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a manifest's JSON: the parser's place (the JSON path of what is
 * being read) and its messages, "<source>: <json path>: <what>"; typed
 * getters that refuse what is not of the type asked; and the text itself:
 * strict JSON, one object, no key given twice. */
#include <errno.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest-parser.h"
#include "strv.h"

static void json_tokener_freep(json_tokener **t) {
        if (*t)
                json_tokener_free(*t);
}

/* ---- the parser: where we are, and how to say what is wrong --------------- */

static int path_append(struct parser *p, const char *seg, size_t n) {
        if (p->len + n + 1 > p->cap) {
                size_t cap = (p->len + n + 1) * 2;
                char *np = realloc(p->path, cap < 64 ? 64 : cap);
                if (!np) {
                        p->oom = true;
                        return -ENOMEM;
                }
                p->path = np;
                p->cap = cap < 64 ? 64 : cap;
        }
        memcpy(p->path + p->len, seg, n);
        p->len += n;
        p->path[p->len] = '\0';
        return 0;
}

int parser_oom(struct parser *p) {
        return podrt_error_set(p->err, ENOMEM, "%s: out of memory", p->source);
}

/* Enters field key of the current object; *saved restores with parser_pop(). */
int parser_push_key(struct parser *p, const char *key, size_t *saved) {
        *saved = p->len;
        if ((p->len > 0 && path_append(p, ".", 1) < 0) || path_append(p, key, strlen(key)) < 0)
                return parser_oom(p);
        return 0;
}

int parser_push_index(struct parser *p, size_t i, size_t *saved) {
        char buf[32];
        int n = snprintf(buf, sizeof(buf), "[%zu]", i);
        *saved = p->len;
        if (path_append(p, buf, (size_t) n) < 0)
                return parser_oom(p);
        return 0;
}

void parser_pop(struct parser *p, size_t saved) {
        p->len = saved;
        if (p->path)
                p->path[saved] = '\0';
}

/* "<source>: <path>[.key][[index]]: <what>".  Returns -errnum. */
static int vfail(struct parser *p, const char *key, size_t index, int errnum, const char *fmt,
                 va_list ap) {
        _cleanup_free_ char *what = NULL, *where = NULL;
        char idx[32] = "";

        if (vasprintf(&what, fmt, ap) < 0)
                what = NULL;
        if (index != NO_INDEX)
                snprintf(idx, sizeof(idx), "[%zu]", index);
        if (asprintf(&where, "%s%s%s%s", p->len > 0 ? p->path : "",
                     p->len > 0 && key ? "." : "", key ? key : "", idx) < 0)
                where = NULL;
        return podrt_error_set(p->err, errnum, "%s: %s%s%s", p->source, where ? where : "",
                               where && where[0] ? ": " : "", what ? what : strerror(errnum));
}

int parser_fail_item(struct parser *p, const char *key, size_t index, int errnum, const char *fmt,
                     ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = vfail(p, key, index, errnum, fmt, ap);
        va_end(ap);
        return r;
}

int parser_fail(struct parser *p, const char *key, int errnum, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int r = vfail(p, key, NO_INDEX, errnum, fmt, ap);
        va_end(ap);
        return r;
}

/* ---- JSON values ------------------------------------------------------------ */

/* 1 and *ret (NULL for a JSON null) when obj has key, 0 when it has not. */
int json_field_get(json_object *obj, const char *key, json_object **ret) {
        return json_object_object_get_ex(obj, key, ret) ? 1 : 0;
}

/* Refuses any field of obj that is not in allowed (NULL-terminated). */
int parser_check_fields(struct parser *p, json_object *obj, const char *const *allowed) {
        json_object_object_foreach(obj, key, val) {
                (void) val;
                bool known = false;
                for (size_t i = 0; allowed[i] && !known; i++)
                        known = strcmp(allowed[i], key) == 0;
                if (!known)
                        return parser_fail(p, key, EINVAL, "unknown field");
        }
        return 0;
}

bool json_string_has_nul(json_object *s) {
        return (size_t) json_object_get_string_len(s) != strlen(json_object_get_string(s));
}

int parser_enter_object(struct parser *p, json_object *obj, const char *key,
                        const char *const *allowed, json_object **ret, size_t *saved) {
        int r;
        if (!json_field_get(obj, key, ret))
                return 0;
        if (!json_object_is_type(*ret, json_type_object))
                return parser_fail(p, key, EINVAL, "must be an object");
        if ((r = parser_push_key(p, key, saved)) < 0 ||
            (allowed && (r = parser_check_fields(p, *ret, allowed)) < 0))
                return r;
        return 1;
}

/* The string at key: 1 (and *ret) when present, 0 (*ret = NULL) when absent. */
int parser_get_string(struct parser *p, json_object *obj, const char *key, bool required,
                      const char **ret) {
        json_object *v;
        *ret = NULL;
        if (!json_field_get(obj, key, &v)) {
                if (required)
                        return parser_fail(p, key, EINVAL, "is required");
                return 0;
        }
        if (!json_object_is_type(v, json_type_string))
                return parser_fail(p, key, EINVAL, "must be a string");
        if (json_string_has_nul(v))
                return parser_fail(p, key, EINVAL, "must not contain a NUL character");
        *ret = json_object_get_string(v);
        return 1;
}

int parser_get_bool(struct parser *p, json_object *obj, const char *key, bool *ret) {
        json_object *v;
        if (!json_field_get(obj, key, &v))
                return 0;
        if (!json_object_is_type(v, json_type_boolean))
                return parser_fail(p, key, EINVAL, "must be a boolean");
        *ret = json_object_get_boolean(v);
        return 1;
}

/* The array of strings at key: 1 and *ret when present, 0 (*ret untouched)
 * when absent. */
int parser_get_strv(struct parser *p, json_object *obj, const char *key, unsigned flags,
                    char ***ret) {
        json_object *v;
        if (!json_field_get(obj, key, &v))
                return 0;
        if (!json_object_is_type(v, json_type_array))
                return parser_fail(p, key, EINVAL, "must be an array of strings");
        size_t n = json_object_array_length(v);
        if (n == 0 && (flags & STRV_NONEMPTY))
                return parser_fail(p, key, EINVAL, "must not be empty");

        _cleanup_strv_free_ char **l = calloc(n + 1, sizeof(char *));
        if (!l)
                return parser_oom(p);
        for (size_t i = 0; i < n; i++) {
                json_object *e = json_object_array_get_idx(v, i);
                if (!json_object_is_type(e, json_type_string))
                        return parser_fail_item(p, key, i, EINVAL, "must be a string");
                if (json_string_has_nul(e))
                        return parser_fail_item(p, key, i, EINVAL, "must not contain a NUL character");
                if ((flags & STRV_NO_EMPTY_ITEMS) && json_object_get_string_len(e) == 0)
                        return parser_fail_item(p, key, i, EINVAL, "must not be empty");
                if (!(l[i] = strdup(json_object_get_string(e))))
                        return parser_oom(p);
        }
        strv_free(*ret);
        *ret = TAKE_PTR(l);
        return 1;
}

/* An integer JSON value in [min, max]. */
int json_int_range(json_object *v, int64_t min, int64_t max, int64_t *ret) {
        if (!json_object_is_type(v, json_type_int))
                return -EINVAL;
        int64_t i = json_object_get_int64(v);
        if (i < min || i > max)
                return -ERANGE;
        /* json-c keeps integers above INT64_MAX as unsigned and clamps. */
        if (i == INT64_MAX && json_object_get_uint64(v) != (uint64_t) INT64_MAX)
                return -ERANGE;
        *ret = i;
        return 0;
}

/* The array at key of obj: 1 and *ret, *ret_n when present, 0 when absent. */
int parser_get_array(struct parser *p, json_object *obj, const char *key, json_object **ret,
                     size_t *ret_n) {
        if (!json_field_get(obj, key, ret))
                return 0;
        if (!json_object_is_type(*ret, json_type_array))
                return parser_fail(p, key, EINVAL, "must be an array");
        *ret_n = json_object_array_length(*ret);
        return 1;
}

static int walk_objects(struct parser *p, json_object *array, const char *key,
                        int (*item)(struct parser *p, json_object *o, size_t index,
                                    void *userdata),
                        void *userdata) {
        size_t saved, saved_i, n = json_object_array_length(array);
        int r;

        if ((r = parser_push_key(p, key, &saved)) < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(array, i);
                if (!json_object_is_type(o, json_type_object))
                        return parser_fail_item(p, NULL, i, EINVAL, "must be an object");
                if ((r = parser_push_index(p, i, &saved_i)) < 0 || (r = item(p, o, i, userdata)) < 0)
                        return r;
                parser_pop(p, saved_i);
        }
        parser_pop(p, saved);
        return 0;
}

int parser_each_object(struct parser *p, json_object *obj, const char *key, void *elements,
                       size_t size,
                       int (*item)(struct parser *p, json_object *o, size_t index, void *userdata),
                       void *userdata) {
        json_object *v;
        size_t n;
        int r = parser_get_array(p, obj, key, &v, &n);
        if (r <= 0)
                return r;
        /* elements is a T **, as systemd's greedy_realloc() takes it. */
        if (!(*(void **)elements = calloc(n ? n : 1, size)))
                return parser_oom(p);
        if ((r = walk_objects(p, v, key, item, userdata)) < 0)
                return r;
        return 1;
}

/* ---- JSON text ------------------------------------------------------------------- */

static int json_error(struct parser *p, const char *text, size_t offset, const char *reason) {
        size_t line = 1, column = 1;
        for (size_t i = 0; i < offset; i++) {
                if (text[i] == '\n') {
                        line++;
                        column = 1;
                } else {
                        column++;
                }
        }
        return podrt_error_set(p->err, EINVAL, "%s: invalid JSON at line %zu, column %zu: %s",
                               p->source, line, column, reason);
}

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* json-c keeps the last of two equal keys in an object silently; a second
 * "name" or "env" is as much a typo as an unknown field.  This walks the text
 * (valid JSON by now) and names the first key given twice.  Keys compare as
 * written, escapes and all. */
struct dup_scan {
        struct parser *p;
        const char *s;
        size_t i;
        struct { const char *k; size_t n; } *keys;
        size_t n_keys, cap_keys;
        bool single_quotes;   /* json-c takes 'x': JSON does not */
};

/* Past the character at d->i, unless it is the text's end. */
static void scan_skip(struct dup_scan *d) {
        if (d->s[d->i])
                d->i++;
}

static void scan_ws(struct dup_scan *d) {
        while (is_space(d->s[d->i]))
                d->i++;
}

/* A string at d->i, quoted as json-c took it (it also takes '...'): never
 * past the text's end, whatever the text is. */
static void scan_string(struct dup_scan *d, const char **ret, size_t *ret_len) {
        char quote = d->s[d->i];
        if (quote != '"')
                d->single_quotes = true;
        size_t start = ++d->i;
        while (d->s[d->i] && d->s[d->i] != quote)
                d->i += d->s[d->i] == '\\' && d->s[d->i + 1] ? 2 : 1;
        *ret = d->s + start;
        *ret_len = d->i - start;
        if (d->s[d->i])
                d->i++;
}

static int scan_value(struct dup_scan *d) {
        struct parser *p = d->p;
        size_t saved;
        int r;

        scan_ws(d);
        switch (d->s[d->i]) {
        case '{': {
                size_t first = d->n_keys;
                d->i++;
                for (;;) {
                        const char *k;
                        size_t n;
                        scan_ws(d);
                        if (d->s[d->i] == '}')
                                break;
                        scan_string(d, &k, &n);
                        for (size_t j = first; j < d->n_keys; j++)
                                if (d->keys[j].n == n && memcmp(d->keys[j].k, k, n) == 0) {
                                        _cleanup_free_ char *key = strndup(k, n);
                                        if (!key)
                                                return parser_oom(p);
                                        return parser_fail(p, key, EINVAL, "duplicate field");
                                }
                        if (d->n_keys == d->cap_keys) {
                                size_t cap = d->cap_keys ? d->cap_keys * 2 : 32;
                                void *nk = realloc(d->keys, cap * sizeof(*d->keys));
                                if (!nk)
                                        return parser_oom(p);
                                d->keys = nk;
                                d->cap_keys = cap;
                        }
                        d->keys[d->n_keys].k = k;
                        d->keys[d->n_keys++].n = n;
                        scan_ws(d);
                        scan_skip(d);   /* ':' */
                        saved = p->len;
                        if ((p->len > 0 && path_append(p, ".", 1) < 0) || path_append(p, k, n) < 0)
                                return parser_oom(p);
                        if ((r = scan_value(d)) < 0)
                                return r;
                        parser_pop(p, saved);
                        scan_ws(d);
                        if (d->s[d->i] != ',')
                                break;
                        scan_skip(d);
                }
                scan_skip(d);           /* '}' */
                d->n_keys = first;
                return 0;
        }
        case '[':
                d->i++;
                scan_ws(d);
                if (d->s[d->i] == ']') {
                        d->i++;
                        return 0;
                }
                for (size_t idx = 0;; idx++) {
                        if ((r = parser_push_index(p, idx, &saved)) < 0 || (r = scan_value(d)) < 0)
                                return r;
                        parser_pop(p, saved);
                        scan_ws(d);
                        char c = d->s[d->i];
                        scan_skip(d);
                        if (c != ',')
                                return 0;       /* ']' */
                }
        case '\'':
        case '"': {
                const char *k;
                size_t n;
                scan_string(d, &k, &n);
                return 0;
        }
        default:
                while (d->s[d->i] && !strchr(",]} \t\r\n", d->s[d->i]))
                        d->i++;
                return 0;
        }
}

int parser_check_duplicate_keys(struct parser *p, const char *text) {
        struct dup_scan d = { .p = p, .s = text };
        int r = scan_value(&d);
        free(d.keys);
        if (r >= 0 && d.single_quotes)
                return parser_fail(p, NULL, EINVAL, "invalid JSON: strings are in double quotes, not '...'");
        if (r >= 0)
                parser_pop(p, 0);
        return r;
}

int parser_parse_json(struct parser *p, const char *text, size_t len, json_object **ret) {
        _cleanup_(json_tokener_freep) json_tokener *tok = NULL;
        size_t i = 0;

        if (len > MANIFEST_MAX_SIZE)
                return podrt_error_set(p->err, EFBIG, "%s: larger than %d MiB", p->source,
                                       MANIFEST_MAX_SIZE >> 20);
        while (i < len && is_space(text[i]))
                i++;
        if (i == len)
                return podrt_error_set(p->err, EINVAL, "%s: empty manifest", p->source);
        const char *nul = memchr(text, '\0', len);
        if (nul)
                return json_error(p, text, (size_t) (nul - text), "unexpected NUL byte");
        if (text[i] != '{')
                return podrt_error_set(p->err, EINVAL, "%s: must be a JSON object", p->source);

        if (!(tok = json_tokener_new()))
                return parser_oom(p);
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
        _cleanup_(json_object_putp) json_object *obj = json_tokener_parse_ex(tok, text, (int) len);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        if (!obj || jerr != json_tokener_success) {
                if (jerr == json_tokener_continue || jerr == json_tokener_success)
                        return json_error(p, text, len, "unexpected end of data");
                size_t off = json_tokener_get_parse_end(tok);
                return json_error(p, text, off > len ? len : off, json_tokener_error_desc(jerr));
        }
        size_t end = json_tokener_get_parse_end(tok);
        for (i = end; i < len; i++)
                if (!is_space(text[i]))
                        return json_error(p, text, i, "unexpected data after the end of the document");
        *ret = TAKE_PTR(obj);
        return 0;
}
