/* SPDX-License-Identifier: Apache-2.0 */
/* The parser of podrt-init's pod description (docs/podrt-init.md): lines
 * split into unescaped tokens, every key checked where it is read, then the
 * whole description validated as the writer does.  Messages name the file
 * and the line: "pod.conf:12: unknown key \"foo\"". */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "caps.h"
#include "initspec-internal.h"
#include "initspec.h"
#include "strv.h"

/* ---- tokens ---- */

static int parse_u32(const char *s, uint32_t *ret) {
        if (!s || !*s || strlen(s) > 10)
                return -EINVAL;
        uint64_t v = 0;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (uint64_t)(*p - '0');
        }
        if (v >= UINT32_MAX)    /* (uint32_t)-1 means "unchanged" to the kernel */
                return -ERANGE;
        *ret = (uint32_t)v;
        return 0;
}

static int hexval(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* Unescapes the token [t, t+n) into a new string; on a bad escape, a message
 * in err (without the line, the caller adds it). */
static int unescape(const char *t, size_t n, char **ret, struct podrt_error **err) {
        if (n == 2 && t[0] == '"' && t[1] == '"') {
                char *e = strdup("");
                if (!e)
                        return -ENOMEM;
                *ret = e;
                return 0;
        }
        _cleanup_free_ char *out = malloc(n + 1);
        if (!out)
                return -ENOMEM;
        char *o = out;
        for (size_t i = 0; i < n; i++) {
                if (t[i] != '\\') {
                        *o++ = t[i];
                        continue;
                }
                if (++i >= n)
                        return podrt_error_set(err, EINVAL, "a backslash ends the token \"%.*s\"",
                                               (int)n, t);
                switch (t[i]) {
                case '\\': *o++ = '\\'; break;
                case 's': *o++ = ' '; break;
                case 't': *o++ = '\t'; break;
                case 'n': *o++ = '\n'; break;
                case 'r': *o++ = '\r'; break;
                case 'x': {
                        int hi = i + 1 < n ? hexval(t[i + 1]) : -1;
                        int lo = i + 2 < n ? hexval(t[i + 2]) : -1;
                        if (hi < 0 || lo < 0)
                                return podrt_error_set(err, EINVAL,
                                                       "\\x needs two hex digits in \"%.*s\"", (int)n, t);
                        if (hi == 0 && lo == 0)
                                return podrt_error_set(err, EINVAL, "\\x00 is not allowed in \"%.*s\"",
                                                       (int)n, t);
                        *o++ = (char)(hi * 16 + lo);
                        i += 2;
                        break;
                }
                default:
                        return podrt_error_set(err, EINVAL, "unknown escape \"\\%c\" in \"%.*s\"", t[i],
                                               (int)n, t);
                }
        }
        *o = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

/* ---- the parser ---- */

enum {
        SEEN_ROOT = 1u << 0,
        SEEN_EXEC = 1u << 1,
        SEEN_WORKDIR = 1u << 2,
        SEEN_UID = 1u << 3,
        SEEN_GID = 1u << 4,
        SEEN_NNP = 1u << 5,
        SEEN_RO_ROOT = 1u << 6,
        SEEN_PRE = 1u << 7,
        SEEN_POST = 1u << 8,
        SEEN_STDOUT = 1u << 9,
        SEEN_STDERR = 1u << 10,
        SEEN_STATUS = 1u << 11,
        SEEN_PIDFILE = 1u << 12,
        SEEN_MEMORY_MAX = 1u << 17,
        SEEN_CPU_MAX = 1u << 18,
        SEEN_PIDS_MAX = 1u << 19,
        SEEN_STDIN = 1u << 20,
        SEEN_HOSTNAME = 1u << 13,
        SEEN_POWEROFF = 1u << 14,
        SEEN_STOP_FILE = 1u << 15,
        SEEN_EXEC_PORT = 1u << 16,
        SEEN_CONTROL = 1u << 20,
        SEEN_LINGER = 1u << 21,
        SEEN_REQUEST_DIR = 1u << 22,
};

struct parser {
        const char *name;
        unsigned line;
        struct initspec *s;
        bool have_version;
        unsigned pod_seen;
        /* the current app: s->apps[s->n_apps - 1] when in_app */
        bool in_app;
        unsigned app_line;
        unsigned app_seen;
};

#define PERR(p, errnum, fmt, ...) \
        podrt_error_set(err, (errnum), "%s:%u: " fmt, (p)->name, (p)->line, ##__VA_ARGS__)

static int split_line(struct parser *p, const char *line, char ***ret, struct podrt_error **err) {
        _cleanup_strv_free_ char **v = NULL;
        const char *c = line;
        for (;;) {
                c += strspn(c, " \t");
                if (!*c)
                        break;
                size_t n = strcspn(c, " \t");
                char *tok = NULL;
                _cleanup_error_ struct podrt_error *e = NULL;
                int r = unescape(c, n, &tok, &e);
                if (r == -ENOMEM)
                        return PERR(p, ENOMEM, "out of memory");
                if (r < 0)
                        return PERR(p, r, "%s", podrt_error_message(e));
                if (strv_consume(&v, tok) < 0) {
                        free(tok);
                        return PERR(p, ENOMEM, "out of memory");
                }
                c += n;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static int parse_bool(struct parser *p, const char *key, const char *v, bool *ret,
                      struct podrt_error **err) {
        if (strcmp(v, "yes") == 0)
                *ret = true;
        else if (strcmp(v, "no") == 0)
                *ret = false;
        else
                return PERR(p, EINVAL, "%s: \"%s\" is not yes or no", key, v);
        return 0;
}

/* Takes a copy of an absolute path argument. */
static int take_path(struct parser *p, const char *key, const char *v, bool inside, char **slot,
                     struct podrt_error **err) {
        if (inside ? !initspec_path_is_inside(v) : !initspec_path_is_absolute(v))
                return PERR(p, EINVAL, "%s: \"%s\" must be an absolute path%s", key, v,
                            inside ? " without \"..\"" : "");
        char *c = strdup(v);
        if (!c)
                return PERR(p, ENOMEM, "out of memory");
        free(*slot);
        *slot = c;
        return 0;
}

static int finish_app(struct parser *p, struct podrt_error **err) {
        if (!p->in_app)
                return 0;
        struct initspec_app *a = &p->s->apps[p->s->n_apps - 1];
        const char *missing = !(p->app_seen & SEEN_ROOT) ? "root"
                              : !(p->app_seen & SEEN_EXEC) ? "exec" : NULL;
        if (missing)
                return podrt_error_set(err, EINVAL, "%s:%u: app %s: no \"%s\" line", p->name,
                                       p->app_line, a->name, missing);
        p->in_app = false;
        return 0;
}

static int pod_key(struct parser *p, char **v, size_t n, struct podrt_error **err) {
        const char *key = v[0];
        struct initspec *s = p->s;
        int r;

        if (strcmp(key, "hostname") == 0) {
                if (n != 2)
                        return PERR(p, EINVAL, "hostname: expects one value");
                if (p->pod_seen & SEEN_HOSTNAME)
                        return PERR(p, EINVAL, "hostname: given twice");
                if (!*v[1] || strlen(v[1]) > 64)
                        return PERR(p, EINVAL, "hostname: must be 1 to 64 bytes long");
                if (!(s->hostname = strdup(v[1])))
                        return PERR(p, ENOMEM, "out of memory");
                p->pod_seen |= SEEN_HOSTNAME;
        } else if (strcmp(key, "linger") == 0) {
                if (n != 2)
                        return PERR(p, EINVAL, "linger: expects yes or no");
                if (p->pod_seen & SEEN_LINGER)
                        return PERR(p, EINVAL, "linger: given twice");
                if ((r = parse_bool(p, key, v[1], &s->linger, err)) < 0)
                        return r;
                p->pod_seen |= SEEN_LINGER;
        } else if (strcmp(key, "poweroff") == 0) {
                if (n != 2)
                        return PERR(p, EINVAL, "poweroff: expects yes or no");
                if (p->pod_seen & SEEN_POWEROFF)
                        return PERR(p, EINVAL, "poweroff: given twice");
                if ((r = parse_bool(p, key, v[1], &s->poweroff, err)) < 0)
                        return r;
                p->pod_seen |= SEEN_POWEROFF;
        } else if (strcmp(key, "stop-file") == 0) {
                if (n != 2)
                        return PERR(p, EINVAL, "stop-file: expects one path");
                if (p->pod_seen & SEEN_STOP_FILE)
                        return PERR(p, EINVAL, "stop-file: given twice");
                if (!initspec_path_is_absolute(v[1]))
                        return PERR(p, EINVAL, "stop-file: \"%s\" must be an absolute path", v[1]);
                if (!(s->stop_path = strdup(v[1])))
                        return PERR(p, ENOMEM, "out of memory");
                p->pod_seen |= SEEN_STOP_FILE;
        } else if (strcmp(key, "exec-port") == 0) {
                if (n != 2)
                        return PERR(p, EINVAL, "exec-port: expects one port name");
                if (p->pod_seen & SEEN_EXEC_PORT)
                        return PERR(p, EINVAL, "exec-port: given twice");
                if (!v[1][0] || strchr(v[1], '/') || strlen(v[1]) > 64)
                        return PERR(p, EINVAL, "exec-port: \"%s\" is not a port name", v[1]);
                if (!(s->exec_port = strdup(v[1])))
                        return PERR(p, ENOMEM, "out of memory");
                p->pod_seen |= SEEN_EXEC_PORT;
        } else if (strcmp(key, "request-dir") == 0) {
                if (n != 2)
                        return PERR(p, EINVAL, "request-dir: expects one path");
                if (p->pod_seen & SEEN_REQUEST_DIR)
                        return PERR(p, EINVAL, "request-dir: given twice");
                if (!initspec_path_is_absolute(v[1]))
                        return PERR(p, EINVAL, "request-dir: \"%s\" must be an absolute path", v[1]);
                if (!(s->request_dir = strdup(v[1])))
                        return PERR(p, ENOMEM, "out of memory");
                p->pod_seen |= SEEN_REQUEST_DIR;
        } else if (strcmp(key, "control") == 0) {
                if (n != 2)
                        return PERR(p, EINVAL, "control: expects one path");
                if (p->pod_seen & SEEN_CONTROL)
                        return PERR(p, EINVAL, "control: given twice");
                if (!initspec_path_is_absolute(v[1]) || strlen(v[1]) > INITSPEC_CONTROL_PATH_MAX)
                        return PERR(p, EINVAL, "control: \"%s\" must be an absolute path of at most %d bytes",
                                    v[1], INITSPEC_CONTROL_PATH_MAX);
                if (!(s->control_path = strdup(v[1])))
                        return PERR(p, ENOMEM, "out of memory");
                p->pod_seen |= SEEN_CONTROL;
        } else if (strcmp(key, "module") == 0) {
                if (n < 2 || n > 3)
                        return PERR(p, EINVAL, "module: expects PATH [PARAMETERS]");
                if (!initspec_path_is_absolute(v[1]))
                        return PERR(p, EINVAL, "module: \"%s\" must be an absolute path", v[1]);
                if (initspec_add_module(s, v[1], n == 3 ? v[2] : NULL) < 0)
                        return PERR(p, ENOMEM, "out of memory");
        } else if (strcmp(key, "mount") == 0) {
                if (n < 4)
                        return PERR(p, EINVAL, "mount: expects TYPE SOURCE TARGET [OPTION...]");
                if (!*v[1] || !*v[2])
                        return PERR(p, EINVAL, "mount: empty type or source");
                if (!initspec_path_is_absolute(v[3]))
                        return PERR(p, EINVAL, "mount: target \"%s\" must be absolute", v[3]);
                unsigned long flags = 0;
                const char *data = NULL;
                for (size_t i = 4; i < n; i++) {
                        bool known = false;
                        for (size_t j = 0; j < ELEMENTSOF(initspec_mount_flags); j++)
                                if (strcmp(v[i], initspec_mount_flags[j].name) == 0) {
                                        flags |= initspec_mount_flags[j].flag;
                                        known = true;
                                }
                        if (known || strcmp(v[i], "rw") == 0)
                                continue;
                        if (strncmp(v[i], "data=", 5) == 0 && !data) {
                                data = v[i] + 5;
                                continue;
                        }
                        return PERR(p, EINVAL,
                                    "mount %s: unknown option \"%s\" (ro, rw, nosuid, nodev, noexec, data=...)",
                                    v[3], v[i]);
                }
                if (initspec_add_mount(s, v[1], v[2], v[3], data, flags) < 0)
                        return PERR(p, ENOMEM, "out of memory");
        } else {
                _cleanup_error_ struct podrt_error *e = NULL;
                r = initspec_net_key(s, v, n, &e);
                if (r == -ENOMEM)
                        return PERR(p, ENOMEM, "out of memory");
                if (r < 0)
                        return PERR(p, -r, "%s", podrt_error_message(e));
                return r;
        }
        return 0;
}

/* Replaces *slot with a copy of v[1..n). */
static int take_argv(struct parser *p, char **v, size_t n, char ***slot, struct podrt_error **err) {
        if (n < 2)
                return PERR(p, EINVAL, "%s: expects the program and its arguments", v[0]);
        if (!*v[1])
                return PERR(p, EINVAL, "%s: the program is an empty string", v[0]);
        char **c = strv_copy(v + 1);
        if (!c)
                return PERR(p, ENOMEM, "out of memory");
        strv_free(*slot);
        *slot = c;
        return 0;
}

static int app_key(struct parser *p, char **v, size_t n, struct podrt_error **err) {
        static const struct {
                const char *key;
                unsigned bit;
        } once[] = {
                { "root", SEEN_ROOT },       { "exec", SEEN_EXEC },
                { "workdir", SEEN_WORKDIR }, { "uid", SEEN_UID },
                { "gid", SEEN_GID },         { "no-new-privs", SEEN_NNP },
                { "read-only-root", SEEN_RO_ROOT }, { "pre-start", SEEN_PRE },
                { "post-stop", SEEN_POST },  { "stdout", SEEN_STDOUT },
                { "stderr", SEEN_STDERR },   { "status", SEEN_STATUS },
                { "pidfile", SEEN_PIDFILE },
                { "memory-max", SEEN_MEMORY_MAX }, { "cpu-max", SEEN_CPU_MAX },
                { "pids-max", SEEN_PIDS_MAX }, { "stdin", SEEN_STDIN },
        };
        static const char *const single[] = { "root", "workdir", "uid", "gid", "no-new-privs",
                                              "read-only-root", "stdout", "stderr", "status",
                                              "pidfile", "env", "memory-max", "cpu-max", "pids-max",
                                              "stdin" };
        struct initspec_app *a = &p->s->apps[p->s->n_apps - 1];
        const char *key = v[0];

        for (size_t i = 0; i < ELEMENTSOF(once); i++)
                if (strcmp(key, once[i].key) == 0) {
                        if (p->app_seen & once[i].bit)
                                return PERR(p, EINVAL, "app %s: \"%s\" given twice", a->name, key);
                        p->app_seen |= once[i].bit;
                }
        for (size_t i = 0; i < ELEMENTSOF(single); i++)
                if (strcmp(key, single[i]) == 0 && n != 2)
                        return PERR(p, EINVAL, "%s: expects one value", key);

        if (strcmp(key, "root") == 0)
                return take_path(p, key, v[1], false, &a->root, err);
        if (strcmp(key, "exec") == 0)
                return take_argv(p, v, n, &a->argv, err);
        if (strcmp(key, "pre-start") == 0)
                return take_argv(p, v, n, &a->pre_start, err);
        if (strcmp(key, "post-stop") == 0)
                return take_argv(p, v, n, &a->post_stop, err);
        if (strcmp(key, "env") == 0) {
                if (!initspec_env_is_valid(v[1]))
                        return PERR(p, EINVAL, "env: \"%s\" is not KEY=VALUE", v[1]);
                size_t klen = strcspn(v[1], "=") + 1;
                for (size_t i = 0; a->env && a->env[i]; i++)
                        if (strncmp(a->env[i], v[1], klen) == 0)
                                return PERR(p, EINVAL, "env: %.*s set twice", (int)klen - 1, v[1]);
                if (strv_push(&a->env, v[1]) < 0)
                        return PERR(p, ENOMEM, "out of memory");
                return 0;
        }
        if (strcmp(key, "workdir") == 0)
                return take_path(p, key, v[1], true, &a->workdir, err);
        if (strcmp(key, "uid") == 0 || strcmp(key, "gid") == 0) {
                uint32_t id;
                if (parse_u32(v[1], &id) < 0)
                        return PERR(p, EINVAL, "%s: \"%s\" is not a number below 4294967295", key, v[1]);
                *(key[0] == 'u' ? &a->uid : &a->gid) = id;
                return 0;
        }
        if (strcmp(key, "groups") == 0) {
                for (size_t i = 1; i < n; i++) {
                        uint32_t id;
                        if (parse_u32(v[i], &id) < 0)
                                return PERR(p, EINVAL, "groups: \"%s\" is not a number below 4294967295",
                                            v[i]);
                        if (initspec_app_add_group(a, id) < 0)
                                return PERR(p, ENOMEM, "out of memory");
                }
                return 0;
        }
        if (strcmp(key, "cap-drop") == 0) {
                if (n < 2)
                        return PERR(p, EINVAL, "cap-drop: expects capabilities");
                for (size_t i = 1; i < n; i++) {
                        if (cap_from_name(v[i]) < 0)
                                return PERR(p, EINVAL, "cap-drop: unknown capability \"%s\"", v[i]);
                        if (strv_push(&a->caps_drop, v[i]) < 0)
                                return PERR(p, ENOMEM, "out of memory");
                }
                return 0;
        }
        if (strcmp(key, "no-new-privs") == 0)
                return parse_bool(p, key, v[1], &a->no_new_privs, err);
        if (strcmp(key, "read-only-root") == 0)
                return parse_bool(p, key, v[1], &a->read_only_root, err);
        if (strcmp(key, "bind") == 0) {
                if (n < 3 || n > 4 || (n == 4 && strcmp(v[3], "ro") != 0 && strcmp(v[3], "rw") != 0))
                        return PERR(p, EINVAL, "bind: expects SOURCE TARGET [ro|rw]");
                if (!initspec_path_is_absolute(v[1]))
                        return PERR(p, EINVAL, "bind: source \"%s\" must be absolute", v[1]);
                if (!initspec_path_is_inside(v[2]))
                        return PERR(p, EINVAL, "bind: target \"%s\" must be absolute, without \"..\"",
                                    v[2]);
                if (initspec_app_add_bind(a, v[1], v[2], n == 4 && strcmp(v[3], "ro") == 0) < 0)
                        return PERR(p, ENOMEM, "out of memory");
                return 0;
        }
        if (strcmp(key, "stdout") == 0 || strcmp(key, "stderr") == 0) {
                char **slot = key[3] == 'o' ? &a->stdout_path : &a->stderr_path;
                if (strcmp(v[1], "inherit") == 0) {
                        free(*slot);
                        *slot = NULL;
                        return 0;
                }
                return take_path(p, key, v[1], false, slot, err);
        }
        if (strcmp(key, "stdin") == 0)
                return take_path(p, key, v[1], false, &a->stdin_path, err);
        if (strcmp(key, "status") == 0)
                return take_path(p, key, v[1], false, &a->status_path, err);
        if (strcmp(key, "pidfile") == 0)
                return take_path(p, key, v[1], false, &a->pid_path, err);
        if (strcmp(key, "memory-max") == 0 || strcmp(key, "cpu-max") == 0 || strcmp(key, "pids-max") == 0) {
                char *end = NULL;
                errno = 0;
                unsigned long long x = strtoull(v[1], &end, 10);
                if (errno || !end || *end || v[1][0] < '0' || v[1][0] > '9' || x == 0)
                        return PERR(p, EINVAL, "%s: \"%s\" is not a positive number", key, v[1]);
                *(key[0] == 'm' ? &a->memory_max : key[0] == 'c' ? &a->cpu_millis : &a->pids_max) = x;
                return 0;
        }
        return 1;
}

static int parse_line(struct parser *p, char *line, struct podrt_error **err) {
        _cleanup_strv_free_ char **v = NULL;
        const char *first = line + strspn(line, " \t");
        if (*first == '#' || *first == '\0')
                return 0;       /* a comment is never unescaped */
        int r = split_line(p, line, &v, err);
        if (r < 0)
                return r;
        size_t n = strv_length(v);
        const char *key = v[0];

        if (!p->have_version) {
                if (strcmp(key, "podrt-init") != 0)
                        return PERR(p, EINVAL, "not a podrt-init pod description (the first line must be \"podrt-init %d\")",
                                    INITSPEC_VERSION);
                uint32_t ver;
                if (n != 2 || parse_u32(v[1], &ver) < 0)
                        return PERR(p, EINVAL, "podrt-init: expects a version number");
                if (ver != INITSPEC_VERSION)
                        return PERR(p, EINVAL, "format version %u is not supported (this podrt-init reads %d)",
                                    ver, INITSPEC_VERSION);
                p->have_version = true;
                return 0;
        }
        if (strcmp(key, "podrt-init") == 0)
                return PERR(p, EINVAL, "\"podrt-init\" given twice");

        if (strcmp(key, "app") == 0) {
                if (n != 2)
                        return PERR(p, EINVAL, "app: expects a name");
                if (!initspec_name_is_valid(v[1]))
                        return PERR(p, EINVAL, "app \"%s\": a name is [a-z0-9][a-z0-9.-]{0,62}", v[1]);
                if ((r = finish_app(p, err)) < 0)
                        return r;
                for (size_t i = 0; i < p->s->n_apps; i++)
                        if (strcmp(p->s->apps[i].name, v[1]) == 0)
                                return PERR(p, EINVAL, "app %s: listed twice", v[1]);
                if (initspec_add_app(p->s, v[1], NULL, NULL) < 0)
                        return PERR(p, ENOMEM, "out of memory");
                p->in_app = true;
                p->app_line = p->line;
                p->app_seen = 0;
                return 0;
        }

        if (!p->in_app) {
                r = pod_key(p, v, n, err);
                if (r <= 0)
                        return r;
                return PERR(p, EINVAL, "unknown key \"%s\"", key);
        }
        r = app_key(p, v, n, err);
        if (r <= 0)
                return r;
        if (strcmp(key, "hostname") == 0 || strcmp(key, "poweroff") == 0 ||
            strcmp(key, "stop-file") == 0 || strcmp(key, "exec-port") == 0 || strcmp(key, "module") == 0 ||
            strcmp(key, "mount") == 0 || strcmp(key, "iface") == 0 || strcmp(key, "route") == 0 ||
            strcmp(key, "control") == 0 || strcmp(key, "linger") == 0 || strcmp(key, "request-dir") == 0)
                return PERR(p, EINVAL, "\"%s\" is a pod key: it belongs before the first app", key);
        return PERR(p, EINVAL, "unknown key \"%s\"", key);
}

int initspec_parse(FILE *f, const char *name, struct initspec **ret, struct podrt_error **err) {
        _cleanup_(initspec_freep) struct initspec *s = initspec_new();
        if (!s)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", name);
        struct parser p = { .name = name, .s = s };
        _cleanup_free_ char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        int r;

        errno = 0;
        while ((len = getline(&line, &cap, f)) >= 0) {
                p.line++;
                if (len > 0 && line[len - 1] == '\n')
                        line[--len] = '\0';
                if (strlen(line) != (size_t)len)
                        return PERR(&p, EINVAL, "a NUL byte in the line");
                if ((r = parse_line(&p, line, err)) < 0)
                        return r;
        }
        if (ferror(f))
                return podrt_error_set(err, errno ? errno : EIO, "%s: read error", name);
        if (!p.have_version)
                return podrt_error_set(err, EINVAL, "%s: empty (the first line must be \"podrt-init %d\")",
                                       name, INITSPEC_VERSION);
        if ((r = finish_app(&p, err)) < 0)
                return r;
        if ((r = initspec_validate(s, err)) < 0)
                return podrt_error_set(err, r, "%s", name);
        *ret = TAKE_PTR(s);
        return 0;
}

int initspec_parse_string(const char *text, const char *name, struct initspec **ret,
                          struct podrt_error **err) {
        _cleanup_fclose_ FILE *f = fmemopen((void *)text, strlen(text), "r");
        if (!f)
                return podrt_error_set(err, errno, "%s: %m", name);
        return initspec_parse(f, name, ret, err);
}

int initspec_load(const char *path, struct initspec **ret, struct podrt_error **err) {
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return podrt_error_set(err, errno, "%s: %m", path);
        return initspec_parse(f, path, ret, err);
}
