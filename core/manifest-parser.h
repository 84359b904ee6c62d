/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the manifest parser (manifest*.c), shared by its files: the parser's
 * place and messages and the typed JSON getters (manifest-json.c), paths and
 * rootfs lookups (manifest-rootfs.c), the containers (manifest-app.c), the
 * pod itself (manifest.c).  Every parser_* function that fails has set
 * p->err: "<source>: <json path>: <what>". */
#ifndef PODRT_MANIFEST_PARSER_H
#define PODRT_MANIFEST_PARSER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <podrt/error.h>
#include "spec.h"

#define MANIFEST_MAX_SIZE (4 * 1024 * 1024)
#define ID_MAX 4294967294u          /* (uint32_t) -1 means "no id" to the kernel */
#define NO_INDEX ((size_t) -1)

static inline void json_object_putp(json_object **o) {
        if (*o)
                json_object_put(*o);
}

/* ---- manifest-json.c: where we are, and how to say what is wrong --------- */

struct parser {
        const char *source;         /* names the manifest in messages */
        const char *base_dir;       /* absolute: relative rootfs paths */
        struct podrt_error **err;
        char *path;                 /* JSON path of the object being read */
        size_t len, cap;
        bool oom;
};

int parser_oom(struct parser *p);
/* A parser for text from source (NULL: "manifest"), relative paths taken
 * from base_dir (NULL or relative: against the current directory), which
 * *ret_base (malloc'd, the caller frees it after the parse) holds. */
int parser_begin(struct parser *p, const char *text, const char *source, const char *base_dir,
                 char **ret_base, struct podrt_error **err);
/* Enters field key of the current object; *saved restores with parser_pop(). */
int parser_push_key(struct parser *p, const char *key, size_t *saved);
int parser_push_index(struct parser *p, size_t i, size_t *saved);
void parser_pop(struct parser *p, size_t saved);
/* "<source>: <path>[.key][[index]]: <what>".  Return -errnum. */
int parser_fail_item(struct parser *p, const char *key, size_t index, int errnum,
                     const char *fmt, ...) PODRT_PRINTF(5, 6);
int parser_fail(struct parser *p, const char *key, int errnum, const char *fmt,
                ...) PODRT_PRINTF(4, 5);

/* ---- manifest-json.c: JSON values ------------------------------------------ */

/* 1 and *ret (NULL for a JSON null) when obj has key, 0 when it has not. */
int json_field_get(json_object *obj, const char *key, json_object **ret);
bool json_string_has_nul(json_object *s);
/* An integer JSON value in [min, max]: -EINVAL when not an integer, -ERANGE. */
int json_int_range(json_object *v, int64_t min, int64_t max, int64_t *ret);
/* Refuses any field of obj that is not in allowed (NULL-terminated). */
int parser_check_fields(struct parser *p, json_object *obj,
                        const char *const *allowed);
/* The object at key of obj, its fields in allowed (NULL: any): 1 and *ret,
 * the parser's path entered at key (parser_pop(p, *saved) leaves it); 0 when
 * absent. */
int parser_enter_object(struct parser *p, json_object *obj, const char *key,
                        const char *const *allowed, json_object **ret, size_t *saved);
/* The string at key: 1 (and *ret) when present, 0 (*ret = NULL) when absent. */
int parser_get_string(struct parser *p, json_object *obj, const char *key,
                      bool required, const char **ret);
int parser_get_bool(struct parser *p, json_object *obj, const char *key, bool *ret);
enum {
        STRV_NONEMPTY = 1 << 0,         /* at least one element */
        STRV_NO_EMPTY_ITEMS = 1 << 1,   /* no "" */
};
/* The array of strings at key: 1 and *ret when present, 0 (*ret untouched)
 * when absent. */
int parser_get_strv(struct parser *p, json_object *obj, const char *key,
                    unsigned flags, char ***ret);

/* The array at key of obj: 1 and *ret, *ret_n when present, 0 when absent;
 * what is not an array fails. */
int parser_get_array(struct parser *p, json_object *obj, const char *key, json_object **ret,
                     size_t *ret_n);
/* The array of objects at key of obj: *elements (a T **) gets room for
 * them (zeroed elements of size, one at least), then item is called for
 * each with the parser's path at key[index].  0 when absent, 1 when read. */
int parser_each_object(struct parser *p, json_object *obj, const char *key, void *elements,
                       size_t size,
                       int (*item)(struct parser *p, json_object *o, size_t index, void *userdata),
                       void *userdata);

/* ---- manifest-json.c: JSON text -------------------------------------------- */

/* Strict JSON, one object, at most MANIFEST_MAX_SIZE bytes. */
int parser_parse_json(struct parser *p, const char *text, size_t len,
                      json_object **ret);
/* Names the first key an object of text (valid JSON) gives twice. */
int parser_check_duplicate_keys(struct parser *p, const char *text);

/* ---- manifest-rootfs.c ------------------------------------------------------ */

/* Normalises an absolute path lexically; -EINVAL when ".." climbs above "/"
 * (unless clamp: "/.." is "/"). */
int path_normalise(const char *path, bool clamp, char **ret);
/* Refuses a path (absolute, normalised, inside the container) that leaves
 * rootfs through a symlink. */
int parser_check_path_in_rootfs(struct parser *p, const char *key,
                                const char *rootfs, const char *path);
/* A path inside the container: absolute, normalised, never above "/". */
int parser_container_path(struct parser *p, const char *key, const char *s,
                          char **ret);
/* A host path: relative ones are taken from the manifest's folder. */
int parser_host_path(struct parser *p, const char *s, char **ret);
/* "user" or "group": a JSON integer, a numeric string, or a name (*ret_name,
 * borrowed; NULL otherwise). */
int parser_get_id(struct parser *p, json_object *obj, const char *key,
                  uint32_t *ret_id, const char **ret_name);
/* Looks name up in the rootfs's etc/passwd (user) or etc/group: id, and for
 * users their group and home. */
int parser_resolve_name(struct parser *p, const char *key, const char *rootfs,
                        bool user, const char *name, uint32_t *ret_id,
                        uint32_t *ret_gid, char **ret_home);

/* ---- manifest-app.c, manifest.c --------------------------------------------- */

int parser_parse_containers(struct parser *p, json_object *root,
                            struct pod_spec *spec);
/* containers[index] of spec (parser_each_object's item; userdata: the
 * spec, whose apps has room for it): counts it in spec->n_apps first, so
 * that a half-read app is freed with the spec. */
int parser_parse_app(struct parser *p, json_object *o, size_t index, void *userdata);
/* A pod, volume or container name (name_is_valid()). */
int parser_check_name(struct parser *p, const char *key, const char *s);

/* ---- manifest-app.c, manifest-ports.c: the containers ---------------------- */

/* What an item parser of a container's arrays gets: the pod and the app. */
struct app_of {
        const struct pod_spec *spec;
        struct spec_app *app;
};

/* containers[i].ports[index] (parser_each_object's item). */
int parser_parse_port(struct parser *p, json_object *o, size_t index, void *userdata);

#endif
