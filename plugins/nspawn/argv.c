/* SPDX-License-Identifier: Apache-2.0 */
/* The systemd-nspawn command line of a pod, as rkt's stage1 built it
 * (stage1/init/init.go): one nspawn per pod, podrt-init as its PID 1. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argv.h"
#include "strv.h"

struct nspawn_config *nspawn_config_free(struct nspawn_config *c) {
        if (!c)
                return NULL;
        free(c->binary);
        free(c->directory);
        free(c->pod_id);
        free(c->hostname);
        free(c->network);
        free(c->netns_path);
        free(c->init);
        for (size_t i = 0; i < c->n_binds; i++) {
                free(c->binds[i].source);
                free(c->binds[i].target);
        }
        free(c->binds);
        strv_free(c->caps_add);
        strv_free(c->caps_drop);
        free(c);
        return NULL;
}

int nspawn_config_add_bind(struct nspawn_config *c, const char *source, const char *target,
                           bool read_only) {
        struct nspawn_bind *b = realloc(c->binds, (c->n_binds + 1) * sizeof(*b));
        if (!b)
                return -ENOMEM;
        c->binds = b;
        b = &c->binds[c->n_binds];
        b->source = strdup(source);
        b->target = strdup(target);
        b->read_only = read_only;
        if (!b->source || !b->target) {
                free(b->source);
                free(b->target);
                return -ENOMEM;
        }
        c->n_binds++;
        return 0;
}

char *nspawn_machine_name(const char *pod_id) {
        char *s = NULL;
        return asprintf(&s, NSPAWN_MACHINE_PREFIX "%s", pod_id) < 0 ? NULL : s;
}

/* nspawn splits --bind values at ':' and undoes backslash escapes: a path
 * with either is given escaped. */
static char *bind_escape(const char *s) {
        char *out = malloc(strlen(s) * 2 + 1), *w = out;
        if (!out)
                return NULL;
        for (; *s; s++) {
                if (*s == ':' || *s == '\\')
                        *w++ = '\\';
                *w++ = *s;
        }
        *w = '\0';
        return out;
}

static int push_format(char ***v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int push_format(char ***v, const char *fmt, ...) {
        va_list ap;
        char *s = NULL;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return strv_consume(v, s) < 0 ? (free(s), -ENOMEM) : 0;
}

/* "CAP_A,CAP_B": nspawn takes a comma-separated list. */
static char *join_caps(char *const *caps) {
        size_t len = 1;
        for (size_t i = 0; caps[i]; i++)
                len += strlen(caps[i]) + 1;
        char *s = malloc(len), *w = s;
        if (!s)
                return NULL;
        for (size_t i = 0; caps[i]; i++)
                w += sprintf(w, "%s%s", i ? "," : "", caps[i]);
        *w = '\0';
        return s;
}

static bool is_absolute(const char *p) {
        return p && p[0] == '/';
}

static int check(const struct nspawn_config *c, struct podrt_error **err) {
        if (!c->binary || !*c->binary)
                return podrt_error_set(err, EINVAL, "nspawn.binary: empty");
        if (!is_absolute(c->directory))
                return podrt_error_set(err, EINVAL, "pod root: \"%s\" must be an absolute path",
                                       c->directory ? c->directory : "");
        if (!c->pod_id || strlen(c->pod_id) != 32 || strspn(c->pod_id, "0123456789abcdef") != 32)
                return podrt_error_set(err, EINVAL, "pod ID \"%s\": must be 32 hex digits",
                                       c->pod_id ? c->pod_id : "");
        if (!c->hostname || !*c->hostname)
                return podrt_error_set(err, EINVAL, "hostname: empty");
        if (!is_absolute(c->init))
                return podrt_error_set(err, EINVAL, "podrt-init: \"%s\" must be an absolute path",
                                       c->init ? c->init : "");
        if (c->netns_path && !is_absolute(c->netns_path))
                return podrt_error_set(err, EINVAL, "network namespace: \"%s\" must be an absolute path",
                                       c->netns_path);
        for (size_t i = 0; i < c->n_binds; i++)
                if (!is_absolute(c->binds[i].source) || !is_absolute(c->binds[i].target))
                        return podrt_error_set(err, EINVAL, "bind %s:%s: paths must be absolute",
                                               c->binds[i].source, c->binds[i].target);
        return 0;
}

static int build(const struct nspawn_config *c, char ***v) {
        int r;
        if ((r = strv_push(v, c->binary)) < 0 ||
            /* No banner, no "Container ... exited" lines in the apps' output. */
            (r = strv_push(v, "--quiet")) < 0 ||
            (r = push_format(v, "--directory=%s", c->directory)) < 0 ||
            (r = push_format(v, "--machine=" NSPAWN_MACHINE_PREFIX "%s", c->pod_id)) < 0 ||
            (r = push_format(v, "--uuid=%s", c->pod_id)) < 0 ||
            (r = push_format(v, "--hostname=%s", c->hostname)) < 0)
                return r;
        /* Without systemd as PID 1 there is no machined to register with and
         * no unit to create: nspawn stays in the cgroup podrt gives it. */
        if (!c->systemd && ((r = strv_push(v, "--register=no")) < 0 ||
                            (r = strv_push(v, "--keep-unit")) < 0))
                return r;
        /* podrt-init's stdio is nspawn's (no pty); the apps' outputs come
         * through the descriptors passed with LISTEN_FDS.  SIGTERM to nspawn
         * becomes SIGTERM to podrt-init, which forwards it to the apps
         * (without it nspawn SIGKILLs the container).  The pod root gets no
         * /etc of the host's and no journal link: podrt-init binds what the
         * apps need into their own roots. */
        if ((r = strv_push(v, "--console=pipe")) < 0 ||
            (r = strv_push(v, "--kill-signal=SIGTERM")) < 0 ||
            (r = strv_push(v, "--resolv-conf=off")) < 0 ||
            (r = strv_push(v, "--timezone=off")) < 0 ||
            (r = strv_push(v, "--link-journal=no")) < 0)
                return r;
        if (c->netns_path)
                r = push_format(v, "--network-namespace-path=%s", c->netns_path);
        else if (c->network && strcmp(c->network, "host") != 0)
                r = strv_push(v, "--private-network");
        if (r < 0)
                return r;

        _cleanup_free_ char *init = bind_escape(c->init);
        if (!init || (r = push_format(v, "--bind-ro=%s:" NSPAWN_INIT_PATH, init)) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_binds; i++) {
                _cleanup_free_ char *s = bind_escape(c->binds[i].source);
                _cleanup_free_ char *t = bind_escape(c->binds[i].target);
                if (!s || !t)
                        return -ENOMEM;
                if ((r = push_format(v, "--bind%s=%s:%s", c->binds[i].read_only ? "-ro" : "", s, t)) < 0)
                        return r;
        }
        if (c->caps_add && c->caps_add[0]) {
                _cleanup_free_ char *s = join_caps(c->caps_add);
                if (!s || (r = push_format(v, "--capability=%s", s)) < 0)
                        return -ENOMEM;
        }
        if (c->caps_drop && c->caps_drop[0]) {
                _cleanup_free_ char *s = join_caps(c->caps_drop);
                if (!s || (r = push_format(v, "--drop-capability=%s", s)) < 0)
                        return -ENOMEM;
        }
        if (c->systemd) {
                if (c->memory_bytes > 0 &&
                    (r = push_format(v, "--property=MemoryMax=%" PRId64, c->memory_bytes)) < 0)
                        return r;
                /* CPUQuota is in percent of one CPU; 1000 millis = 100%. */
                if (c->cpu_millis > 0 &&
                    (r = push_format(v, "--property=CPUQuota=%" PRId64 "%%",
                                     (c->cpu_millis + 9) / 10)) < 0)
                        return r;
                if (c->pids > 0 && (r = push_format(v, "--property=TasksMax=%" PRId64, c->pids)) < 0)
                        return r;
        }
        /* podrt-init as PID 1 (never --as-pid2: it is a real init), reading
         * its default /podrt/pod.conf. */
        return strv_push(v, NSPAWN_INIT_PATH);
}

int nspawn_build_argv(const struct nspawn_config *c, char ***ret_argv, struct podrt_error **err) {
        int r = check(c, err);
        if (r < 0)
                return r;
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        if (!v || build(c, &v) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        *ret_argv = TAKE_PTR(v);
        return 0;
}
