/* SPDX-License-Identifier: Apache-2.0 */
/* Reading one OCI hook file.
 *
 * 1.0.0 (podman's and CRI-O's current schema):
 *   {"version": "1.0.0",
 *    "hook": {"path": "/abs", "args": [...], "env": ["K=V"], "timeout": N},
 *    "when": {"always": b, "annotations": {"key re": "value re"},
 *             "commands": ["re"], "hasBindMounts": b},
 *    "stages": ["prestart", ...]}
 * 0.1.0 (legacy; also any file without "version" whose "hook" is a string):
 *   {"hook": "/abs", "arguments": [...], "stages"|"stage": [...],
 *    "cmds"|"cmd": ["re"], "annotations"|"annotation": ["re"],
 *    "hasbindmounts": b}
 * converted as podman converts it: args = [hook] + arguments, annotations
 * become {".*": "re1|re2"}, and any one condition suffices.  As Go's JSON
 * decoder, which podman uses, the 0.1.0 property names are matched without
 * regard to case.  Unknown properties are errors in both schemas. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hookfile.h"
#include "hookfile-parse.h"
#include "regexbound.h"

#define HOOK_FILE_MAX (1024 * 1024)

static const char *const stage_names[PODRT_HOOK_N_STAGES] = {
        [PODRT_HOOK_PRESTART] = "prestart",
        [PODRT_HOOK_CREATE_RUNTIME] = "createRuntime",
        [PODRT_HOOK_CREATE_CONTAINER] = "createContainer",
        [PODRT_HOOK_START_CONTAINER] = "startContainer",
        [PODRT_HOOK_POSTSTART] = "poststart",
        [PODRT_HOOK_POSTSTOP] = "poststop",
};

const char *hook_stage_name(uint32_t stage) {
        return stage < PODRT_HOOK_N_STAGES ? stage_names[stage] : NULL;
}

int hook_stage_from_name(const char *name) {
        for (uint32_t i = 0; i < PODRT_HOOK_N_STAGES; i++)
                if (strcmp(stage_names[i], name) == 0)
                        return (int)i;
        return -EINVAL;
}

char **strv_free_all(char **v) {
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
        return NULL;
}

static void free_regexes(regex_t *re, size_t n) {
        for (size_t i = 0; re && i < n; i++)
                regfree(&re[i]);
        free(re);
}

struct hook *hook_free(struct hook *h) {
        if (!h)
                return NULL;
        free(h->file);
        free(h->version);
        free(h->path);
        strv_free_all(h->args);
        strv_free_all(h->env);
        strv_free_all(h->when.annotation_keys);
        strv_free_all(h->when.annotation_values);
        free_regexes(h->when.annotation_key_re, h->when.n_annotations);
        free_regexes(h->when.annotation_value_re, h->when.n_annotations);
        strv_free_all(h->when.commands);
        free_regexes(h->when.command_re, h->when.n_commands);
        free(h);
        return NULL;
}

/* Compiles pattern as podman documents it: a POSIX extended regular
 * expression, searched for anywhere in the string (not anchored: write ^ and
 * $ to anchor). */
int compile_regex(regex_t *re, const char *pattern, const char *what,
                         struct podrt_error **err) {
        /* Bounded first: glibc's regcomp() is exponential in stacked
         * repetitions (podman's Go regexp is linear). */
        const char *why = regex_over_bound(pattern);
        if (why) {
                size_t n = strlen(pattern);
                return podrt_error_set(err, EINVAL,
                                       "%s: regular expression \"%.64s%s\" refused: %s", what,
                                       pattern, n > 64 ? "..." : "", why);
        }
        int r = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
        if (r != 0) {
                char buf[256];
                regerror(r, re, buf, sizeof(buf));
                return podrt_error_set(err, EINVAL, "%s: invalid regular expression \"%s\": %s",
                                       what, pattern, buf);
        }
        return 0;
}

/* A JSON array of strings into a NULL-terminated vector. */
int string_array(struct json_object *o, const char *what, char ***ret_strv,
                        struct podrt_error **err) {
        if (!json_object_is_type(o, json_type_array))
                return podrt_error_set(err, EINVAL, "%s: must be an array of strings", what);
        size_t n = json_object_array_length(o);
        char **v = calloc(n + 1, sizeof(char *));
        if (!v)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", what);
        for (size_t i = 0; i < n; i++) {
                struct json_object *e = json_object_array_get_idx(o, i);
                if (!json_object_is_type(e, json_type_string)) {
                        strv_free_all(v);
                        return podrt_error_set(err, EINVAL, "%s[%zu]: must be a string", what, i);
                }
                if (!(v[i] = strdup(json_object_get_string(e)))) {
                        strv_free_all(v);
                        return podrt_error_set(err, ENOMEM, "%s: out of memory", what);
                }
        }
        *ret_strv = v;
        return 0;
}

int get_bool(struct json_object *o, const char *what, int *ret_bool, struct podrt_error **err) {
        if (!json_object_is_type(o, json_type_boolean))
                return podrt_error_set(err, EINVAL, "%s: must be true or false", what);
        *ret_bool = json_object_get_boolean(o) ? 1 : 0;
        return 0;
}

int parse_path(struct hook *h, struct json_object *o, const char *what,
                      struct podrt_error **err) {
        if (!json_object_is_type(o, json_type_string))
                return podrt_error_set(err, EINVAL, "%s: must be a string", what);
        const char *p = json_object_get_string(o);
        if (p[0] != '/')
                return podrt_error_set(err, EINVAL, "%s: \"%s\" is not an absolute path", what, p);
        if (!(h->path = strdup(p)))
                return podrt_error_set(err, ENOMEM, "out of memory");
        return 0;
}

int parse_stages(struct hook *h, struct json_object *o, const char *what,
                        struct podrt_error **err) {
        _cleanup_(strv_free_allp) char **names = NULL;
        int r = string_array(o, what, &names, err);
        if (r < 0)
                return r;
        if (!names[0])
                return podrt_error_set(err, EINVAL, "%s: must not be empty", what);
        for (size_t i = 0; names[i]; i++) {
                int s = hook_stage_from_name(names[i]);
                if (s < 0)
                        return podrt_error_set(err, EINVAL,
                                               "%s[%zu]: unknown stage \"%s\" (expected prestart, "
                                               "createRuntime, createContainer, startContainer, "
                                               "poststart or poststop)",
                                               what, i, names[i]);
                h->stages |= 1u << s;
        }
        return 0;
}

int set_commands(struct hook_when *w, char **commands, const char *what,
                        struct podrt_error **err) {
        size_t n = 0;
        while (commands[n])
                n++;
        w->commands = commands;
        w->n_commands = 0;
        if (n == 0)
                return 0;
        if (!(w->command_re = calloc(n, sizeof(regex_t))))
                return podrt_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                char ctx[64];
                snprintf(ctx, sizeof(ctx), "%s[%zu]", what, i);
                int r = compile_regex(&w->command_re[i], commands[i], ctx, err);
                if (r < 0)
                        return r;
                w->n_commands++;
        }
        return 0;
}

/* Adds one (key, value) pattern pair to w; the arrays were sized by the
 * caller. */
int add_annotation(struct hook_when *w, const char *key, const char *value,
                          const char *what, struct podrt_error **err) {
        size_t i = w->n_annotations;
        char ctx[512];
        if (!(w->annotation_keys[i] = strdup(key)) || !(w->annotation_values[i] = strdup(value)))
                return podrt_error_set(err, ENOMEM, "out of memory");
        snprintf(ctx, sizeof(ctx), "%s: key", what);
        int r = compile_regex(&w->annotation_key_re[i], key, ctx, err);
        if (r < 0)
                return r;
        snprintf(ctx, sizeof(ctx), "%s[\"%s\"]", what, key);
        r = compile_regex(&w->annotation_value_re[i], value, ctx, err);
        if (r < 0) {
                regfree(&w->annotation_key_re[i]);
                return r;
        }
        w->n_annotations++;
        return 0;
}

int alloc_annotations(struct hook_when *w, size_t n, struct podrt_error **err) {
        w->annotation_keys = calloc(n + 1, sizeof(char *));
        w->annotation_values = calloc(n + 1, sizeof(char *));
        w->annotation_key_re = calloc(n ? n : 1, sizeof(regex_t));
        w->annotation_value_re = calloc(n ? n : 1, sizeof(regex_t));
        if (!w->annotation_keys || !w->annotation_values || !w->annotation_key_re ||
            !w->annotation_value_re)
                return podrt_error_set(err, ENOMEM, "out of memory");
        return 0;
}

/* ---- 1.0.0 ---------------------------------------------------------------- */

static int parse_hook_v1(struct hook *h, struct json_object *o, struct podrt_error **err) {
        if (!json_object_is_type(o, json_type_object))
                return podrt_error_set(err, EINVAL, "hook: must be an object");
        bool have_path = false;
        json_object_object_foreach(o, key, val) {
                int r;
                if (strcmp(key, "path") == 0) {
                        r = parse_path(h, val, "hook.path", err);
                        have_path = true;
                } else if (strcmp(key, "args") == 0)
                        r = string_array(val, "hook.args", &h->args, err);
                else if (strcmp(key, "env") == 0) {
                        r = string_array(val, "hook.env", &h->env, err);
                        for (size_t i = 0; r >= 0 && h->env[i]; i++) {
                                const char *eq = strchr(h->env[i], '=');
                                if (!eq || eq == h->env[i])
                                        r = podrt_error_set(err, EINVAL,
                                                            "hook.env[%zu]: \"%s\" is not of the "
                                                            "form NAME=VALUE",
                                                            i, h->env[i]);
                        }
                } else if (strcmp(key, "timeout") == 0) {
                        if (!json_object_is_type(val, json_type_int))
                                r = podrt_error_set(err, EINVAL,
                                                    "hook.timeout: must be a whole number of "
                                                    "seconds");
                        else {
                                int64_t t = json_object_get_int64(val);
                                if (t <= 0)
                                        r = podrt_error_set(err, EINVAL,
                                                            "hook.timeout: must be greater than 0, "
                                                            "got %lld",
                                                            (long long)t);
                                else if (t > 86400 * 365)
                                        r = podrt_error_set(err, EINVAL,
                                                            "hook.timeout: %lld seconds is too "
                                                            "long",
                                                            (long long)t);
                                else {
                                        h->timeout = (int)t;
                                        r = 0;
                                }
                        }
                } else
                        r = podrt_error_set(err, EINVAL, "hook.%s: unknown property", key);
                if (r < 0)
                        return r;
        }
        if (!have_path)
                return podrt_error_set(err, EINVAL, "hook.path: required property missing");
        return 0;
}

static int parse_when_v1(struct hook *h, struct json_object *o, struct podrt_error **err) {
        struct hook_when *w = &h->when;
        if (!json_object_is_type(o, json_type_object))
                return podrt_error_set(err, EINVAL, "when: must be an object");
        json_object_object_foreach(o, key, val) {
                int r;
                if (strcmp(key, "always") == 0)
                        r = get_bool(val, "when.always", &w->always, err);
                else if (strcmp(key, "hasBindMounts") == 0)
                        r = get_bool(val, "when.hasBindMounts", &w->has_bind_mounts, err);
                else if (strcmp(key, "commands") == 0) {
                        char **v = NULL;
                        r = string_array(val, "when.commands", &v, err);
                        if (r >= 0)
                                r = set_commands(w, v, "when.commands", err);
                } else if (strcmp(key, "annotations") == 0) {
                        if (!json_object_is_type(val, json_type_object))
                                return podrt_error_set(err, EINVAL,
                                                       "when.annotations: must be an object "
                                                       "mapping key patterns to value patterns");
                        r = alloc_annotations(w, (size_t)json_object_object_length(val), err);
                        json_object_object_foreach(val, akey, aval) {
                                if (r < 0)
                                        break;
                                if (!json_object_is_type(aval, json_type_string))
                                        r = podrt_error_set(err, EINVAL,
                                                            "when.annotations[\"%s\"]: must be a "
                                                            "string",
                                                            akey);
                                else
                                        r = add_annotation(w, akey, json_object_get_string(aval),
                                                           "when.annotations", err);
                        }
                } else
                        r = podrt_error_set(err, EINVAL, "when.%s: unknown property", key);
                if (r < 0)
                        return r;
        }
        if (w->always < 0 && w->has_bind_mounts < 0 && w->n_annotations == 0 &&
            w->n_commands == 0)
                return podrt_error_set(err, EINVAL,
                                       "when: needs at least one condition (always, annotations, "
                                       "commands or hasBindMounts)");
        return 0;
}

static int parse_v1(struct hook *h, struct json_object *root, struct podrt_error **err) {
        struct json_object *hook = NULL, *when = NULL, *stages = NULL;
        json_object_object_foreach(root, key, val) {
                if (strcmp(key, "version") == 0)
                        continue;
                else if (strcmp(key, "hook") == 0)
                        hook = val;
                else if (strcmp(key, "when") == 0)
                        when = val;
                else if (strcmp(key, "stages") == 0)
                        stages = val;
                else
                        return podrt_error_set(err, EINVAL, "%s: unknown property", key);
        }
        if (!hook)
                return podrt_error_set(err, EINVAL, "hook: required property missing");
        int r = parse_hook_v1(h, hook, err);
        if (r < 0)
                return r;
        if (!when)
                return podrt_error_set(err, EINVAL, "when: required property missing");
        r = parse_when_v1(h, when, err);
        if (r < 0)
                return r;
        if (!stages)
                return podrt_error_set(err, EINVAL, "stages: required property missing");
        return parse_stages(h, stages, "stages", err);
}

/* ---- entry points --------------------------------------------------------- */

static size_t line_of(const char *text, size_t offset) {
        size_t line = 1;
        for (size_t i = 0; i < offset && text[i]; i++)
                if (text[i] == '\n')
                        line++;
        return line;
}

int hook_parse(const char *file, const char *text, size_t len, struct hook **ret_hook,
               struct podrt_error **err) {
        if (len > HOOK_FILE_MAX)
                return podrt_error_set(err, EFBIG, "larger than %d bytes", HOOK_FILE_MAX);
        if (memchr(text, '\0', len))
                return podrt_error_set(err, EINVAL, "invalid JSON: contains a NUL byte");

        struct json_tokener *tok = json_tokener_new();
        if (!tok)
                return podrt_error_set(err, ENOMEM, "out of memory");
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT); /* as Go's decoder: no trailing commas */
        struct json_object *root = json_tokener_parse_ex(tok, text, (int)len);
        enum json_tokener_error jerr = json_tokener_get_error(tok);
        size_t offset = tok->char_offset;
        json_tokener_free(tok);
        if (!root || jerr != json_tokener_success) {
                json_object_put(root);
                if (jerr == json_tokener_continue || jerr == json_tokener_success)
                        return podrt_error_set(err, EINVAL,
                                               "invalid JSON: unexpected end of the file");
                return podrt_error_set(err, EINVAL, "invalid JSON at line %zu: %s",
                                       line_of(text, offset), json_tokener_error_desc(jerr));
        }
        for (size_t i = offset; i < len; i++)
                if (!strchr(" \t\r\n", text[i])) {
                        json_object_put(root);
                        return podrt_error_set(err, EINVAL,
                                               "invalid JSON at line %zu: text after the object",
                                               line_of(text, i));
                }

        int r;
        _cleanup_(hook_freep) struct hook *h = calloc(1, sizeof(*h));
        if (!h) {
                r = podrt_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        h->when.always = -1;
        h->when.has_bind_mounts = -1;
        if (!(h->file = strdup(file ? file : "(hook)"))) {
                r = podrt_error_set(err, ENOMEM, "out of memory");
                goto out;
        }

        if (!json_object_is_type(root, json_type_object)) {
                r = podrt_error_set(err, EINVAL, "must be a JSON object");
                goto out;
        }

        struct json_object *version = NULL, *hook = NULL;
        json_object_object_get_ex(root, "version", &version);
        json_object_object_get_ex(root, "hook", &hook);
        const char *v;
        if (version) {
                if (!json_object_is_type(version, json_type_string)) {
                        r = podrt_error_set(err, EINVAL, "version: must be a string");
                        goto out;
                }
                v = json_object_get_string(version);
        } else if (hook && json_object_is_type(hook, json_type_string))
                v = "0.1.0"; /* podman reads a file without version as 0.1.0 */
        else {
                r = podrt_error_set(err, EINVAL,
                                    "version: required property missing (use \"1.0.0\")");
                goto out;
        }

        if (strcmp(v, "1.0.0") == 0)
                r = parse_v1(h, root, err);
        else if (strcmp(v, "0.1.0") == 0)
                r = parse_v0(h, root, err);
        else
                r = podrt_error_set(err, EINVAL,
                                    "version: unsupported \"%s\" (expected \"1.0.0\" or \"0.1.0\")",
                                    v);
        if (r < 0)
                goto out;
        if (!(h->version = strdup(v))) {
                r = podrt_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        *ret_hook = TAKE_PTR(h);
        r = 0;
out:
        json_object_put(root);
        return r;
}

int hook_load_file(const char *file, struct hook **ret_hook, struct podrt_error **err) {
        /* O_NONBLOCK: a FIFO among the hook files never blocks the open. */
        _cleanup_close_ int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return podrt_error_set(err, errno, "%s: %s", file, strerror(errno));
        struct stat st;
        if (fstat(fd, &st) < 0)
                return podrt_error_set(err, errno, "%s: %s", file, strerror(errno));
        if (!S_ISREG(st.st_mode))
                return podrt_error_set(err, EINVAL, "%s: not a regular file", file);
        if (st.st_size > HOOK_FILE_MAX)
                return podrt_error_set(err, EFBIG, "%s: larger than %d bytes", file,
                                       HOOK_FILE_MAX);

        size_t cap = (size_t)st.st_size + 1, len = 0;
        _cleanup_free_ char *text = malloc(cap);
        if (!text)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", file);
        for (;;) {
                if (len + 1 >= cap) {
                        if (cap > HOOK_FILE_MAX)
                                return podrt_error_set(err, EFBIG, "%s: larger than %d bytes",
                                                       file, HOOK_FILE_MAX);
                        char *t = realloc(text, cap * 2);
                        if (!t)
                                return podrt_error_set(err, ENOMEM, "%s: out of memory", file);
                        text = t;
                        cap *= 2;
                }
                ssize_t n = read(fd, text + len, cap - len - 1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return podrt_error_set(err, errno, "%s: %s", file, strerror(errno));
                }
                if (n == 0)
                        break;
                len += (size_t)n;
        }
        text[len] = '\0';

        _cleanup_(hook_freep) struct hook *h = NULL;
        int r = hook_parse(file, text, len, &h, err);
        if (r < 0)
                return podrt_error_set(err, r, "%s", file);
        if (access(h->path, F_OK) < 0) {
                int e = errno;
                return podrt_error_set(err, e, "%s: hook%s: %s: %s", file,
                                       strcmp(h->version, "1.0.0") == 0 ? ".path" : "", h->path,
                                       strerror(e));
        }
        *ret_hook = TAKE_PTR(h);
        return 0;
}
