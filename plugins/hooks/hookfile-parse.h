/* SPDX-License-Identifier: Apache-2.0 */
/* What the hook file parsers (1.0.0 in hookfile.c, 0.1.0 in
 * hookfile-legacy.c) share.  Private to the hooks plugin. */
#ifndef PODRT_HOOKS_HOOKFILE_PARSE_H
#define PODRT_HOOKS_HOOKFILE_PARSE_H

#include <json-c/json.h>
#include <regex.h>

#include "hookfile.h"
#include "macro.h"

char **strv_free_all(char **v);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free_all)
int compile_regex(regex_t *re, const char *pattern, const char *what, struct podrt_error **err);
int string_array(struct json_object *o, const char *what, char ***ret_strv, struct podrt_error **err);
int get_bool(struct json_object *o, const char *what, int *ret_bool, struct podrt_error **err);
int parse_path(struct hook *h, struct json_object *o, const char *what, struct podrt_error **err);
int parse_stages(struct hook *h, struct json_object *o, const char *what, struct podrt_error **err);
int set_commands(struct hook_when *w, char **commands, const char *what, struct podrt_error **err);
int add_annotation(struct hook_when *w, const char *key, const char *value, const char *what,
                   struct podrt_error **err);
int alloc_annotations(struct hook_when *w, size_t n, struct podrt_error **err);
/* The 0.1.0 format (hookfile-legacy.c). */
int parse_v0(struct hook *h, struct json_object *root, struct podrt_error **err);

#endif
