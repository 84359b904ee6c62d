/* SPDX-License-Identifier: Apache-2.0 */
/* A container's record (<root>/containers/<ID>) and the runtime it was made with. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "errors.h"
#include "fileio.h"
#include "lifecycle.h"
#include "monitor.h"
#include "podrt-build.h"
#include "process.h"
#include "runtime.h"
#include "strv.h"
#include "translate.h"

#include "cri.h"
#include "oci-cli.h"

/* ---- the context ------------------------------------------------------ */




/* ---- a container's record --------------------------------------------- */


void container_done(struct container *k) {
        free(k->config);
        free(k->backend);
        free(k->state);
        free(k->id);
        free(k->dir);
        free(k->pod);
        free(k->app);
        free(k->bundle);
        free(k->rootfs);
        free(k->created);
        json_object_put(k->annotations);
        json_object_put(k->hooks);
        *k = (struct container){ 0 };
}

bool oci_id_is_valid(const char *id) {
        if (!*id || strlen(id) > 1024 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
                return false;
        for (const char *p = id; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      strchr("_+-.", *p)))
                        return false;
        return true;
}

int container_save(const struct container *k) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(k->id));
        json_object_object_add(o, "pod", json_object_new_string(k->pod ? k->pod : ""));
        if (k->app)
                json_object_object_add(o, "app", json_object_new_string(k->app));
        json_object_object_add(o, "config", k->config ? json_object_new_string(k->config) : NULL);
        json_object_object_add(o, "backend", k->backend ? json_object_new_string(k->backend) : NULL);
        json_object_object_add(o, "state", k->state ? json_object_new_string(k->state) : NULL);
        json_object_object_add(o, "bundle", json_object_new_string(k->bundle));
        json_object_object_add(o, "rootfs", json_object_new_string(k->rootfs ? k->rootfs : ""));
        json_object_object_add(o, "created", json_object_new_string(k->created));
        json_object_object_add(o, "keeper", json_object_new_int(k->keeper));
        json_object_object_add(o, "owner", json_object_new_int64(k->owner));
        json_object_object_add(o, "annotations", json_object_get(k->annotations));
        json_object_object_add(o, "hooks", json_object_get(k->hooks));
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        _cleanup_free_ char *path = path_join(k->dir, "container.json");
        int r = path ? write_file_atomic(path, s, strlen(s), 0600, 0) : -ENOMEM;
        json_object_put(o);
        if (r < 0)
                log_error("%s: %s", path ? path : k->dir, strerror(-r));
        return r;
}

const char *jstr(struct json_object *o, const char *key) {
        struct json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                       ? json_object_get_string(v)
                       : NULL;
}

char *xstrdup(const char *s) {
        return s ? strdup(s) : NULL;
}

/* Loads the container; prints runc's error when it does not exist. */
int container_load(struct ctx *c, const char *id, struct container *ret) {
        if (!oci_id_is_valid(id)) {
                log_error("container \"%s\" does not exist", id);
                return -EXIT_FAIL;
        }
        struct container k = { 0 };
        if (asprintf(&k.dir, "%s/%s", c->containers, id) < 0)
                return -EXIT_FAIL;
        _cleanup_free_ char *path = path_join(k.dir, "container.json"), *text = NULL;
        size_t len;
        if (!path || read_file(path, 1 << 20, &text, &len) < 0) {
                log_error("container \"%s\" does not exist", id);
                container_done(&k);
                return -EXIT_FAIL;
        }
        struct json_object *o = json_tokener_parse(text), *v;
        if (!o) {
                log_error("container \"%s\": %s is not valid JSON", id, path);
                container_done(&k);
                return -EXIT_FAIL;
        }
        k.id = strdup(id);
        k.pod = xstrdup(jstr(o, "pod"));
        k.app = xstrdup(jstr(o, "app"));
        k.config = xstrdup(jstr(o, "config"));
        k.backend = xstrdup(jstr(o, "backend"));
        k.state = xstrdup(jstr(o, "state"));
        k.bundle = xstrdup(jstr(o, "bundle"));
        k.rootfs = xstrdup(jstr(o, "rootfs"));
        k.created = xstrdup(jstr(o, "created"));
        if (json_object_object_get_ex(o, "keeper", &v))
                k.keeper = json_object_get_int(v);
        if (json_object_object_get_ex(o, "owner", &v))
                k.owner = (uid_t)json_object_get_int64(v);
        if (json_object_object_get_ex(o, "annotations", &v))
                k.annotations = json_object_get(v);
        if (json_object_object_get_ex(o, "hooks", &v))
                k.hooks = json_object_get(v);
        json_object_put(o);
        *ret = k;
        return 0;
}

int ctx_runtime(struct ctx *c, const struct container *k) {
        if (c->rt)
                return 0;
        struct runtime_options o = c->opts;
        if (k) {
                if (!o.config_path && k->config && *k->config)
                        o.config_path = k->config;
                if (!o.backend && k->backend && *k->backend)
                        o.backend = k->backend;
                if (!o.root && k->state && *k->state)
                        o.root = k->state;
        }
        struct podrt_error *e = NULL;
        if (runtime_new(&o, &c->rt, &e) < 0)
                return -fail_err(e);
        return 0;
}

/* The keeper runs: alive and still the process we made (its command line
 * names the container). */
bool keeper_alive(const struct container *k) {
        return k->keeper > 0 && kill(k->keeper, 0) == 0 && pid_cmdline_contains(k->keeper, k->id) > 0;
}

/* runc's status and pid of the container. */
const char *container_status(struct ctx *c, const struct container *k, pid_t *ret_pid,
                                    struct json_object **ret_pod) {
        *ret_pid = 0;
        bool alive = keeper_alive(k);
        const char *state = "stopped";
        struct json_object *st = NULL;
        struct podrt_error *e = NULL;
        if (k->pod && *k->pod && runtime_status(c->rt, k->pod, &st, &e) >= 0) {
                const char *s = jstr(st, "state");
                /* Static strings: st goes before the caller reads them. */
                if (k->app)
                        state = cri_status(st, k, alive);
                else if (s && alive)
                        state = strcmp(s, "created") == 0   ? "created"
                              : strcmp(s, "running") == 0 ? "running"
                              : strcmp(s, "paused") == 0  ? "paused"
                                                          : "stopped";
        } else
                podrt_error_free(e);
        if (strcmp(state, "stopped") != 0)
                *ret_pid = k->keeper;
        if (ret_pod)
                *ret_pod = st;
        else
                json_object_put(st);
        return state;
}

struct json_object *state_object(const struct container *k, const char *status, pid_t pid, bool full) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "ociVersion", json_object_new_string(OCI_VERSION));
        json_object_object_add(o, "id", json_object_new_string(k->id));
        json_object_object_add(o, "pid", json_object_new_int(pid));
        json_object_object_add(o, "status", json_object_new_string(status));
        json_object_object_add(o, "bundle", json_object_new_string(k->bundle ? k->bundle : ""));
        if (full) {
                json_object_object_add(o, "rootfs", json_object_new_string(k->rootfs ? k->rootfs : ""));
                json_object_object_add(o, "created", json_object_new_string(k->created ? k->created : ""));
                struct passwd *pw = getpwuid(k->owner);
                json_object_object_add(o, "owner", json_object_new_string(pw ? pw->pw_name : ""));
        }
        json_object_object_add(o, "annotations",
                               k->annotations ? json_object_get(k->annotations) : json_object_new_object());
        return o;
}

/* The record of id and the runtime it was made with: 0, else the exit
 * code to return (the message said). */
int container_open(struct ctx *c, const char *id, struct container *k) {
        int r = container_load(c, id, k);
        if (r < 0)
                return -r;
        if ((r = ctx_runtime(c, k)) < 0) {
                container_done(k);
                return -r;
        }
        return 0;
}
