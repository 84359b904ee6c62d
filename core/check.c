/* SPDX-License-Identifier: Apache-2.0 */
/* One section of `podrt check`: the lines a plugin's check method adds with
 * podrt_check_add() and podrt_check_note() (ABI 1.1, <podrt/check.h>). */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "errors.h"

struct podrt_check {
        struct json_object *section;   /* { name, path, checks, notes } */
        struct json_object *checks;
        struct json_object *notes;
        bool ready;                    /* every required line passed so far */
        bool oom;                      /* a line was lost */
};

static int add_string(struct json_object *o, const char *key, const char *value) {
        struct json_object *v = json_object_new_string(value ? value : "");
        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int add_bool(struct json_object *o, const char *key, bool value) {
        struct json_object *v = json_object_new_boolean(value);
        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int add_new(struct json_object *o, const char *key, struct json_object **ret) {
        struct json_object *v = json_object_new_array();
        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        *ret = v;
        return 0;
}

struct podrt_check *check_section_new(const char *name, const char *path) {
        _cleanup_(check_section_freep) struct podrt_check *c = calloc(1, sizeof(*c));
        if (!c || !(c->section = json_object_new_object()))
                return NULL;
        c->ready = true;
        if (add_string(c->section, "name", name) < 0 ||
            (path && add_string(c->section, "path", path) < 0) ||
            add_new(c->section, "checks", &c->checks) < 0 ||
            add_new(c->section, "notes", &c->notes) < 0)
                return NULL;
        return TAKE_PTR(c);
}

struct podrt_check *check_section_free(struct podrt_check *check) {
        if (check) {
                json_object_put(check->section);
                free(check);
        }
        return NULL;
}

struct json_object *check_section_finish(struct podrt_check *check) {
        if (!check)
                return NULL;
        struct json_object *s = NULL;
        if (!check->oom && add_bool(check->section, "ready", check->ready) >= 0)
                s = TAKE_PTR(check->section);
        check_section_free(check);
        return s;
}

static int vformat(char **ret, const char *fmt, va_list ap) {
        if (!fmt)
                return (*ret = strdup("")) ? 0 : -ENOMEM;
        return vasprintf(ret, fmt, ap) < 0 ? -ENOMEM : 0;
}

int podrt_check_add(struct podrt_check *check, const char *what, uint32_t flags,
                    const char *fmt, ...) {
        if (!check || !what || !what[0] || (flags & ~(PODRT_CHECK_OK | PODRT_CHECK_OPTIONAL)))
                return -EINVAL;
        bool ok = flags & PODRT_CHECK_OK, required = !(flags & PODRT_CHECK_OPTIONAL);
        _cleanup_free_ char *detail = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vformat(&detail, fmt, ap);
        va_end(ap);

        struct json_object *line = r < 0 ? NULL : json_object_new_object();
        if (!line || add_string(line, "name", what) < 0 || add_bool(line, "ok", ok) < 0 ||
            add_bool(line, "required", required) < 0 || add_string(line, "detail", detail) < 0 ||
            json_object_array_add(check->checks, line) < 0) {
                json_object_put(line);
                check->oom = true;
                return -ENOMEM;
        }
        if (required && !ok)
                check->ready = false;
        return 0;
}

int podrt_check_note(struct podrt_check *check, const char *fmt, ...) {
        if (!check || !fmt)
                return -EINVAL;
        _cleanup_free_ char *text = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vformat(&text, fmt, ap);
        va_end(ap);
        struct json_object *note = r < 0 ? NULL : json_object_new_string(text);
        if (!note || json_object_array_add(check->notes, note) < 0) {
                json_object_put(note);
                check->oom = true;
                return -ENOMEM;
        }
        return 0;
}
