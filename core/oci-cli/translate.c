/* SPDX-License-Identifier: Apache-2.0 */
/* config.json to a podrt manifest (see translate.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "caps.h"
#include "errors.h"
#include "macro.h"
#include "strv.h"
#include "translate.h"
#include "translate-internal.h"


struct json_object *tr_get(struct json_object *o, const char *key) {
        struct json_object *v = NULL;
        if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
                return NULL;
        return v;
}

bool tr_is(struct json_object *o, enum json_type t) {
        return o && json_object_is_type(o, t);
}

void tr_warn(struct oci_translation *t, const char *fmt, ...) PODRT_PRINTF(2, 3);
void tr_warn(struct oci_translation *t, const char *fmt, ...) {
        char *s = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&s, fmt, ap) >= 0)
                strv_consume(&t->warnings, s);
        va_end(ap);
}

void oci_pod_name(const char *id, char ret[64]) {
        size_t n = 0;
        for (const char *p = id; *p && n < 63; p++) {
                char c = *p;
                if (c >= 'A' && c <= 'Z')
                        c = (char)(c - 'A' + 'a');
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'))
                        c = '-';
                if (n == 0 && (c == '.' || c == '-'))
                        ret[n++] = 'c';
                if (n < 63)
                        ret[n++] = c;
        }
        if (n == 0)
                ret[n++] = 'c';
        ret[n] = '\0';
}

static const struct { const char *name; int resource; } rlimit_names[] = {
        { "CPU", RLIMIT_CPU },       { "FSIZE", RLIMIT_FSIZE },   { "DATA", RLIMIT_DATA },
        { "STACK", RLIMIT_STACK },   { "CORE", RLIMIT_CORE },     { "RSS", RLIMIT_RSS },
        { "NPROC", RLIMIT_NPROC },   { "NOFILE", RLIMIT_NOFILE }, { "MEMLOCK", RLIMIT_MEMLOCK },
        { "AS", RLIMIT_AS },         { "LOCKS", RLIMIT_LOCKS },   { "SIGPENDING", RLIMIT_SIGPENDING },
        { "MSGQUEUE", RLIMIT_MSGQUEUE }, { "NICE", RLIMIT_NICE }, { "RTPRIO", RLIMIT_RTPRIO },
        { "RTTIME", RLIMIT_RTTIME },
};

int oci_rlimit_from_name(const char *name) {
        if (strncmp(name, "RLIMIT_", 7) == 0)
                name += 7;
        for (size_t i = 0; i < ELEMENTSOF(rlimit_names); i++)
                if (strcmp(name, rlimit_names[i].name) == 0)
                        return rlimit_names[i].resource;
        return -1;
}

/* An array of strings, or NULL (absent); -EINVAL when of another type. */
int tr_strv_of(struct json_object *a, char ***ret) {
        *ret = NULL;
        if (!a)
                return 0;
        if (!tr_is(a, json_type_array))
                return -EINVAL;
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        for (size_t i = 0; i < json_object_array_length(a); i++) {
                struct json_object *s = json_object_array_get_idx(a, i);
                if (!tr_is(s, json_type_string))
                        return -EINVAL;
                if (strv_push(&v, json_object_get_string(s)) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static bool is_uint32(struct json_object *o) {
        if (!tr_is(o, json_type_int))
                return false;
        int64_t v = json_object_get_int64(o);
        return v >= 0 && v <= 4294967294LL;
}

void tr_add(struct json_object *o, const char *k, struct json_object *v) {
        json_object_object_add(o, k, v);
}

/* ---- process ---------------------------------------------------------- */

static int translate_process(struct json_object *proc, struct json_object *app, struct oci_translation *t,
                             struct podrt_error **err) {
        if (!proc)
                return FAIL(err, "process", "required");
        if (!tr_is(proc, json_type_object))
                return FAIL(err, "process", "must be an object");

        _cleanup_strv_free_ char **args = NULL;
        if (tr_strv_of(tr_get(proc, "args"), &args) < 0)
                return FAIL(err, "process.args", "must be an array of strings");
        if (!args || !args[0] || !args[0][0])
                return FAIL(err, "process.args", "must not be empty");
        struct json_object *cmd = json_object_new_array();
        for (size_t i = 0; args[i]; i++)
                json_object_array_add(cmd, json_object_new_string(args[i]));
        tr_add(app, "command", cmd);

        _cleanup_strv_free_ char **env = NULL;
        if (tr_strv_of(tr_get(proc, "env"), &env) < 0)
                return FAIL(err, "process.env", "must be an array of strings");
        struct json_object *envo = json_object_new_object();
        tr_add(app, "env", envo);
        for (size_t i = 0; env && env[i]; i++) {
                char *eq = strchr(env[i], '=');
                if (!eq || eq == env[i]) {
                        podrt_error_set(err, EINVAL, "config.json: process.env[%zu]: \"%s\" is not NAME=VALUE", i,
                                        env[i]);
                        return -EINVAL;
                }
                *eq = '\0';
                tr_add(envo, env[i], json_object_new_string(eq + 1));
        }

        struct json_object *cwd = tr_get(proc, "cwd");
        if (cwd) {
                if (!tr_is(cwd, json_type_string))
                        return FAIL(err, "process.cwd", "must be a string");
                if (json_object_get_string(cwd)[0] != '/')
                        return FAIL(err, "process.cwd", "must be absolute");
                tr_add(app, "workingDir", json_object_new_string(json_object_get_string(cwd)));
        }

        struct json_object *term = tr_get(proc, "terminal");
        if (term && !tr_is(term, json_type_boolean))
                return FAIL(err, "process.terminal", "must be a boolean");
        t->terminal = term && json_object_get_boolean(term);

        struct json_object *user = tr_get(proc, "user");
        if (user) {
                if (!tr_is(user, json_type_object))
                        return FAIL(err, "process.user", "must be an object");
                struct json_object *uid = tr_get(user, "uid"), *gid = tr_get(user, "gid"), *groups = tr_get(user, "additionalGids");
                if (uid && !is_uint32(uid))
                        return FAIL(err, "process.user.uid", "must be an integer from 0 to 4294967294");
                if (gid && !is_uint32(gid))
                        return FAIL(err, "process.user.gid", "must be an integer from 0 to 4294967294");
                if (tr_get(user, "username"))
                        return FAIL(err, "process.user.username", "not supported (Windows only)");
                tr_add(app, "user", json_object_new_int64(uid ? json_object_get_int64(uid) : 0));
                tr_add(app, "group", json_object_new_int64(gid ? json_object_get_int64(gid) : 0));
                if (groups) {
                        if (!tr_is(groups, json_type_array))
                                return FAIL(err, "process.user.additionalGids", "must be an array of integers");
                        struct json_object *g = json_object_new_array();
                        tr_add(app, "supplementaryGroups", g);
                        for (size_t i = 0; i < json_object_array_length(groups); i++) {
                                struct json_object *x = json_object_array_get_idx(groups, i);
                                if (!is_uint32(x)) {
                                        podrt_error_set(err, EINVAL,
                                                        "config.json: process.user.additionalGids[%zu]: must be an integer from 0 to 4294967294",
                                                        i);
                                        return -EINVAL;
                                }
                                json_object_array_add(g, json_object_new_int64(json_object_get_int64(x)));
                        }
                }
                if (tr_get(user, "umask"))
                        tr_warn(t, "process.user.umask is not applied: the backend's umask (022) is used");
        }

        /* The bounding set is the container's capabilities: podrt's manifest
         * says it as add (what is in it) and drop (everything else), so the
         * result does not depend on the backend's default set. */
        struct json_object *caps = tr_get(proc, "capabilities");
        if (caps) {
                if (!tr_is(caps, json_type_object))
                        return FAIL(err, "process.capabilities", "must be an object");
                _cleanup_strv_free_ char **bounding = NULL;
                if (tr_strv_of(tr_get(caps, "bounding"), &bounding) < 0)
                        return FAIL(err, "process.capabilities.bounding", "must be an array of strings");
                uint64_t mask = 0;
                for (size_t i = 0; bounding && bounding[i]; i++) {
                        int c = cap_from_name(bounding[i]);
                        if (c < 0 || !cap_to_name(c)) {
                                podrt_error_set(err, EINVAL,
                                                "config.json: process.capabilities.bounding[%zu]: unknown capability \"%s\"",
                                                i, bounding[i]);
                                return -EINVAL;
                        }
                        mask |= UINT64_C(1) << c;
                }
                _cleanup_strv_free_ char **addv = cap_mask_names(mask, CAP_LAST_KNOWN);
                _cleanup_strv_free_ char **dropv = cap_mask_names(~mask, CAP_LAST_KNOWN);
                struct json_object *co = json_object_new_object(), *a = json_object_new_array(),
                                   *d = json_object_new_array();
                for (size_t i = 0; addv && addv[i]; i++)
                        json_object_array_add(a, json_object_new_string(addv[i]));
                for (size_t i = 0; dropv && dropv[i]; i++)
                        json_object_array_add(d, json_object_new_string(dropv[i]));
                tr_add(co, "add", a);
                tr_add(co, "drop", d);
                tr_add(app, "capabilities", co);
                _cleanup_strv_free_ char **ambient = NULL;
                if (tr_strv_of(tr_get(caps, "ambient"), &ambient) == 0 && ambient && ambient[0])
                        tr_warn(t, "process.capabilities.ambient is not applied (%s...): only the bounding set is",
                             ambient[0]);
        }

        struct json_object *rl = tr_get(proc, "rlimits");
        if (rl) {
                if (!tr_is(rl, json_type_array))
                        return FAIL(err, "process.rlimits", "must be an array");
                for (size_t i = 0; i < json_object_array_length(rl); i++) {
                        struct json_object *x = json_object_array_get_idx(rl, i), *type = tr_get(x, "type"),
                                           *soft = tr_get(x, "soft"), *hard = tr_get(x, "hard");
                        int res = tr_is(type, json_type_string) ? oci_rlimit_from_name(json_object_get_string(type)) : -1;
                        if (res < 0) {
                                podrt_error_set(err, EINVAL, "config.json: process.rlimits[%zu].type: unknown rlimit \"%s\"",
                                                i, type ? json_object_get_string(type) : "");
                                return -EINVAL;
                        }
                        if (!tr_is(soft, json_type_int) || !tr_is(hard, json_object_get_type(soft))) {
                                podrt_error_set(err, EINVAL, "config.json: process.rlimits[%zu]: soft and hard must be integers", i);
                                return -EINVAL;
                        }
                        uint64_t s = json_object_get_uint64(soft), h = json_object_get_uint64(hard);
                        if (s > h) {
                                podrt_error_set(err, EINVAL, "config.json: process.rlimits[%zu]: soft %" PRIu64 " exceeds hard %" PRIu64,
                                                i, s, h);
                                return -EINVAL;
                        }
                        if (t->n_rlimits >= OCI_MAX_RLIMITS)
                                return FAIL(err, "process.rlimits", "more than %d entries", OCI_MAX_RLIMITS);
                        t->rlimits[t->n_rlimits++] = (struct oci_rlimit){ res, s, h };
                }
        }

        struct json_object *nnp = tr_get(proc, "noNewPrivileges");
        if (nnp && !tr_is(nnp, json_type_boolean))
                return FAIL(err, "process.noNewPrivileges", "must be a boolean");

        struct json_object *oom = tr_get(proc, "oomScoreAdj");
        if (oom) {
                if (!tr_is(oom, json_type_int) || json_object_get_int64(oom) < -1000 || json_object_get_int64(oom) > 1000)
                        return FAIL(err, "process.oomScoreAdj", "must be an integer from -1000 to 1000");
                t->has_oom_score_adj = true;
                t->oom_score_adj = (int)json_object_get_int64(oom);
        }
        if (tr_get(proc, "apparmorProfile") && json_object_get_string(tr_get(proc, "apparmorProfile"))[0])
                tr_warn(t, "process.apparmorProfile is not applied");
        if (tr_get(proc, "selinuxLabel") && json_object_get_string(tr_get(proc, "selinuxLabel"))[0])
                tr_warn(t, "process.selinuxLabel is not applied");
        return 0;
}

/* ---- linux ------------------------------------------------------------ */

static int translate_linux(struct json_object *lx, struct json_object *app, const char *backend,
                           struct oci_translation *t, struct podrt_error **err) {
        t->network = "host";
        if (!lx)
                return 0;
        if (!tr_is(lx, json_type_object))
                return FAIL(err, "linux", "must be an object");
        struct json_object *nss = tr_get(lx, "namespaces");
        if (nss && !tr_is(nss, json_type_array))
                return FAIL(err, "linux.namespaces", "must be an array");
        for (size_t i = 0; nss && i < json_object_array_length(nss); i++) {
                struct json_object *n = json_object_array_get_idx(nss, i), *type = tr_get(n, "type"), *path = tr_get(n, "path");
                if (!tr_is(type, json_type_string))
                        return podrt_error_set(err, EINVAL, "config.json: linux.namespaces[%zu].type: must be a string", i);
                const char *ty = json_object_get_string(type);
                const char *p = tr_is(path, json_type_string) ? json_object_get_string(path) : NULL;
                if (p && !*p)
                        p = NULL;
                if (strcmp(ty, "network") == 0) {
                        t->network = "none";
                        if (p && !(t->netns_path = strdup(p)))
                                return podrt_error_set(err, ENOMEM, "out of memory");
                } else if (strcmp(ty, "user") == 0) {
                        /* Ignoring it would run the container's root as the host's root. */
                        return podrt_error_set(err, EOPNOTSUPP, "config.json: linux.namespaces[%zu]: user namespaces are not supported yet", i);
                } else if (strcmp(ty, "pid") == 0 || strcmp(ty, "mount") == 0 || strcmp(ty, "ipc") == 0 ||
                           strcmp(ty, "uts") == 0 || strcmp(ty, "cgroup") == 0 || strcmp(ty, "time") == 0) {
                        if (p)
                                tr_warn(t, "linux.namespaces[%zu]: joining the %s namespace %s is not supported: the container gets its own",
                                     i, ty, p);
                } else
                        return podrt_error_set(err, EINVAL, "config.json: linux.namespaces[%zu].type: unknown namespace \"%s\"", i, ty);
        }
        if (tr_get(lx, "uidMappings") || tr_get(lx, "gidMappings"))
                return FAIL(err, "linux.uidMappings", "user namespaces are not supported yet");

        struct json_object *res = tr_get(lx, "resources");
        if (res && !tr_is(res, json_type_object))
                return FAIL(err, "linux.resources", "must be an object");
        struct json_object *ro = json_object_new_object();
        tr_add(app, "resources", ro);   /* removed again when empty */
        struct json_object *mem = tr_get(tr_get(res, "memory"), "limit");
        if (mem) {
                if (!tr_is(mem, json_type_int))
                        return FAIL(err, "linux.resources.memory.limit", "must be an integer");
                if (json_object_get_int64(mem) > 0)
                        tr_add(ro, "memory", json_object_new_int64(json_object_get_int64(mem)));
        }
        struct json_object *cpu = tr_get(res, "cpu"), *quota = tr_get(cpu, "quota"), *period = tr_get(cpu, "period");
        if (quota && !tr_is(quota, json_type_int))
                return FAIL(err, "linux.resources.cpu.quota", "must be an integer");
        if (period && !tr_is(period, json_type_int))
                return FAIL(err, "linux.resources.cpu.period", "must be an integer");
        if (quota && json_object_get_int64(quota) > 0) {
                int64_t per = period && json_object_get_int64(period) > 0 ? json_object_get_int64(period) : 100000;
                int64_t milli = (json_object_get_int64(quota) * 1000 + per - 1) / per;
                char buf[32];
                snprintf(buf, sizeof buf, "%" PRId64 "m", milli > 0 ? milli : 1);
                tr_add(ro, "cpu", json_object_new_string(buf));
        }
        if (tr_get(cpu, "shares") || tr_get(cpu, "cpus"))
                tr_warn(t, "linux.resources.cpu: shares and cpus are not applied, only quota/period");
        struct json_object *pids = tr_get(tr_get(res, "pids"), "limit");
        if (pids) {
                if (!tr_is(pids, json_type_int))
                        return FAIL(err, "linux.resources.pids.limit", "must be an integer");
                if (json_object_get_int64(pids) > 0)
                        tr_add(ro, "pids", json_object_new_int64(json_object_get_int64(pids)));
        }
        if (!json_object_object_length(ro))
                json_object_object_del(app, "resources");

        if (tr_get(lx, "seccomp"))
                tr_warn(t, "linux.seccomp is not applied by the %s backend: the container runs without a syscall filter",
                     backend);
        if (tr_get(lx, "sysctl") && json_object_object_length(tr_get(lx, "sysctl")))
                tr_warn(t, "linux.sysctl is not applied");
        if (tr_get(lx, "devices") && json_object_array_length(tr_get(lx, "devices")))
                tr_warn(t, "linux.devices: extra devices are not created");
        return 0;
}

int oci_translate(struct json_object *config, const char *bundle_dir, const char *id, const char *backend,
                  struct oci_translation *ret, struct podrt_error **err) {
        struct oci_translation t = { .network = "host" };
        _cleanup_free_ char *rootfs = NULL;
        int r;
        if (!tr_is(config, json_type_object))
                return podrt_error_set(err, EINVAL, "config.json: must be an object");
        if (!(t.warnings = calloc(1, sizeof(char *))))
                return podrt_error_set(err, ENOMEM, "out of memory");
        struct json_object *m = json_object_new_object(), *app = json_object_new_object(),
                           *apps = json_object_new_array();
        t.manifest = m;
        char name[64];
        oci_pod_name(id, name);
        tr_add(m, "apiVersion", json_object_new_string("podrt/v1"));
        tr_add(m, "kind", json_object_new_string("Pod"));
        tr_add(m, "name", json_object_new_string(name));
        tr_add(app, "name", json_object_new_string("app"));

        struct json_object *root = tr_get(config, "root"), *path = tr_get(root, "path");
        if (!root) {
                r = FAIL(err, "root", "required");
                goto fail;
        }
        if (!tr_is(path, json_type_string) || !json_object_get_string(path)[0]) {
                r = FAIL(err, "root.path", "must be a non-empty string");
                goto fail;
        }
        const char *p = json_object_get_string(path);
        if (p[0] == '/')
                rootfs = strdup(p);
        else if (asprintf(&rootfs, "%s/%s", bundle_dir, p) < 0)
                rootfs = NULL;
        if (!rootfs) {
                r = podrt_error_set(err, ENOMEM, "out of memory");
                goto fail;
        }
        tr_add(app, "rootfs", json_object_new_string(rootfs));
        struct json_object *ro = tr_get(root, "readonly");
        if (ro && !tr_is(ro, json_type_boolean)) {
                r = FAIL(err, "root.readonly", "must be a boolean");
                goto fail;
        }
        if (ro && json_object_get_boolean(ro))
                tr_add(app, "readOnlyRootfs", json_object_new_boolean(1));

        struct json_object *host = tr_get(config, "hostname");
        if (host && !tr_is(host, json_type_string)) {
                r = FAIL(err, "hostname", "must be a string");
                goto fail;
        }
        if (host && json_object_get_string(host)[0])
                tr_add(m, "hostname", json_object_new_string(json_object_get_string(host)));

        struct json_object *an = tr_get(config, "annotations");
        if (an) {
                if (!tr_is(an, json_type_object)) {
                        r = FAIL(err, "annotations", "must be an object of strings");
                        goto fail;
                }
                struct json_object *ao = json_object_new_object();
                json_object_object_foreach(an, k, v) {
                        if (!tr_is(v, json_type_string)) {
                                json_object_put(ao);
                                r = podrt_error_set(err, EINVAL, "config.json: annotations.%s: must be a string", k);
                                goto fail;
                        }
                        if (*k)
                                tr_add(ao, k, json_object_new_string(json_object_get_string(v)));
                }
                tr_add(m, "annotations", ao);
        }

        if ((r = translate_process(tr_get(config, "process"), app, &t, err)) < 0 ||
            (r = translate_mounts(tr_get(config, "mounts"), bundle_dir, m, app, &t, err)) < 0 ||
            (r = translate_linux(tr_get(config, "linux"), app, backend ? backend : "default", &t, err)) < 0)
                goto fail;

        struct json_object *hooks = tr_get(config, "hooks");
        if (hooks) {
                if (!tr_is(hooks, json_type_object)) {
                        r = FAIL(err, "hooks", "must be an object");
                        goto fail;
                }
                static const char *const stages[] = { "prestart", "createRuntime", "createContainer",
                                                      "startContainer", "poststart", "poststop" };
                json_object_object_foreach(hooks, k, v) {
                        bool known = false;
                        for (size_t i = 0; i < ELEMENTSOF(stages); i++)
                                known |= strcmp(k, stages[i]) == 0;
                        if (!known) {
                                r = podrt_error_set(err, EINVAL, "config.json: hooks.%s: unknown stage", k);
                                goto fail;
                        }
                        if (!tr_is(v, json_type_array)) {
                                r = podrt_error_set(err, EINVAL, "config.json: hooks.%s: must be an array", k);
                                goto fail;
                        }
                        for (size_t i = 0; i < json_object_array_length(v); i++) {
                                struct json_object *hp = tr_get(json_object_array_get_idx(v, i), "path");
                                if (!tr_is(hp, json_type_string) || json_object_get_string(hp)[0] != '/') {
                                        r = podrt_error_set(err, EINVAL, "config.json: hooks.%s[%zu].path: must be an absolute path",
                                                            k, i);
                                        goto fail;
                                }
                        }
                }
                t.hooks = json_object_get(hooks);
        }

        json_object_array_add(apps, app);
        app = NULL;
        tr_add(m, "containers", apps);
        apps = NULL;
        *ret = t;
        return 0;
fail:
        json_object_put(app);
        json_object_put(apps);
        oci_translation_done(&t);
        return r;
}

void oci_translation_done(struct oci_translation *t) {
        json_object_put(t->manifest);
        json_object_put(t->hooks);
        strv_free(t->warnings);
        free(t->netns_path);
        *t = (struct oci_translation){ 0 };
}
