/* SPDX-License-Identifier: Apache-2.0 */
/* The pod object: construction from a spec, the accessors of
 * <podrt/objects.h>, and state.json. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errors.h"
#include "fileio.h"
#include "manifest.h"
#include "pod.h"
#include "strv.h"

static const char *const empty_strv[] = { NULL };

static const char *const *strv_or_empty(char **v) {
        return v ? (const char *const *)v : empty_strv;
}

/* ---- construction ------------------------------------------------------- */

void pod_app_done(struct podrt_app *a) {
        free(a->id);
        free(a->dir);
        free(a->rootfs);
        free(a->log_path);
}

static struct podrt_pod *pod_free(struct podrt_pod *pod) {
        if (!pod)
                return NULL;
        for (size_t i = 0; pod->spec && i < pod->spec->n_apps; i++)
                pod_app_done(&pod->apps[i]);
        for (size_t i = 0; pod->spec && pod->volumes && i < pod->spec->n_volumes; i++)
                free(pod->volumes[i].source);
        free(pod->apps);
        free(pod->volumes);
        pod_spec_free(pod->spec);
        free(pod->name);
        free(pod->backend);
        free(pod->network);
        free(pod->storage);
        free(pod->dir);
        free(pod->manifest_dir);
        free(pod->netns_path);
        free(pod);
        return NULL;
}

struct podrt_pod *pod_ref(struct podrt_pod *pod) {
        if (pod)
                pod->n_ref++;
        return pod;
}

struct podrt_pod *pod_unref(struct podrt_pod *pod) {
        if (pod && --pod->n_ref == 0)
                pod_free(pod);
        return NULL;
}

int pod_app_init(struct podrt_pod *pod, size_t i) {
        struct podrt_app *a = &pod->apps[i];
        a->pod = pod;
        a->index = i;
        a->spec = &pod->spec->apps[i];
        a->state = PODRT_APP_CREATED;
        a->exit_code = -1;
        a->stdout_fd = a->stderr_fd = a->stdin_fd = -1;
        if (asprintf(&a->id, "%s-%s", pod->id, a->spec->name) < 0)
                a->id = NULL;
        _cleanup_free_ char *appsdir = path_join(pod->dir, "apps");
        a->dir = appsdir ? path_join(appsdir, a->spec->name) : NULL;
        a->rootfs = a->spec->rootfs ? strdup(a->spec->rootfs) : strdup("");
        a->log_path = a->dir ? path_join(a->dir, "output.log") : NULL;
        return !a->id || !a->dir || !a->rootfs || !a->log_path ? -ENOMEM : 0;
}

int pod_new(struct pod_spec *spec, const char *id, const char *name, const char *dir,
            const char *backend, const char *network, const char *storage,
            struct podrt_pod **ret, struct podrt_error **err) {
        _cleanup_(pod_spec_freep) struct pod_spec *s = spec;
        _cleanup_free_ char *voldir = path_join(dir, "volumes");
        struct podrt_pod *pod = calloc(1, sizeof(*pod));
        if (!pod)
                return podrt_error_set(err, ENOMEM, "out of memory");
        pod->n_ref = 1;
        snprintf(pod->id, sizeof(pod->id), "%s", id);
        pod->state = PODRT_POD_CREATED;
        pod->spec = TAKE_PTR(s);
        pod->name = strdup(name ? name : pod->spec->name);
        pod->dir = strdup(dir);
        pod->backend = strdup(backend ? backend : "");
        pod->network = strdup(network ? network : "none");
        pod->storage = strdup(storage ? storage : "dir");
        pod->volumes = calloc(pod->spec->n_volumes + 1, sizeof(*pod->volumes));
        pod->apps = calloc(pod->spec->n_apps + 1, sizeof(*pod->apps));
        if (!pod->name || !pod->dir || !pod->backend || !pod->network || !pod->storage ||
            !pod->volumes || !pod->apps)
                goto oom;

        if (!voldir)
                goto oom;
        for (size_t i = 0; i < pod->spec->n_volumes; i++) {
                struct podrt_volume *v = &pod->volumes[i];
                v->pod = pod;
                v->spec = &pod->spec->volumes[i];
                v->source = v->spec->kind == PODRT_VOLUME_EMPTY ? path_join(voldir, v->spec->name)
                                                                : strdup(v->spec->source);
                if (!v->source)
                        goto oom;
        }
        for (size_t i = 0; i < pod->spec->n_apps; i++)
                if (pod_app_init(pod, i) < 0)
                        goto oom;
        *ret = pod;
        return 0;
oom:
        pod_free(pod);
        return podrt_error_set(err, ENOMEM, "out of memory");
}

/* ---- state.json --------------------------------------------------------- */

static struct json_object *time_json(int64_t ns) {
        char buf[64];
        return ns ? json_object_new_string(format_time(ns, buf, sizeof(buf))) : NULL;
}

struct json_object *pod_state_json(const struct podrt_pod *pod) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(pod->id));
        json_object_object_add(o, "name", json_object_new_string(pod->name));
        json_object_object_add(o, "backend", json_object_new_string(pod->backend));
        json_object_object_add(o, "network", json_object_new_string(pod->network));
        json_object_object_add(o, "storage", json_object_new_string(pod->storage));
        json_object_object_add(o, "state", json_object_new_string(pod_state_to_string(pod->state)));
        json_object_object_add(o, "created", time_json(pod->created_at));
        json_object_object_add(o, "started", time_json(pod->started_at));
        json_object_object_add(o, "finished", time_json(pod->finished_at));
        json_object_object_add(o, "monitorPid", json_object_new_int(pod->monitor_pid));
        json_object_object_add(o, "netns", pod->netns_path ? json_object_new_string(pod->netns_path) : NULL);
        json_object_object_add(o, "manifestDir",
                               pod->manifest_dir ? json_object_new_string(pod->manifest_dir) : NULL);
        json_object_object_add(o, "dir", json_object_new_string(pod->dir));
        if (pod->creating)
                json_object_object_add(o, "creating", json_object_new_boolean(1));
        struct json_object *apps = json_object_new_array();
        for (size_t i = 0; i < pod->spec->n_apps; i++) {
                const struct podrt_app *a = &pod->apps[i];
                struct json_object *j = json_object_new_object();
                json_object_object_add(j, "name", json_object_new_string(a->spec->name));
                json_object_object_add(j, "state", json_object_new_string(app_state_to_string(a->state)));
                json_object_object_add(j, "pid", json_object_new_int(a->pid));
                json_object_object_add(j, "exitCode", a->exit_code >= 0 ? json_object_new_int(a->exit_code) : NULL);
                json_object_object_add(j, "started", time_json(a->started_at));
                json_object_object_add(j, "finished", time_json(a->finished_at));
                json_object_object_add(j, "rootfs", a->rootfs && a->rootfs[0] ? json_object_new_string(a->rootfs) : NULL);
                if (a->spec->image) {
                        json_object_object_add(j, "image", json_object_new_string(a->spec->image));
                        json_object_object_add(j, "imageId", json_object_new_string(a->spec->image_id));
                }
                json_object_array_add(apps, j);
        }
        json_object_object_add(o, "apps", apps);
        return o;
}

int pod_save(const struct podrt_pod *pod, struct podrt_error **err) {
        struct json_object *o = pod_state_json(pod);
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        _cleanup_close_ int dfd = open(pod->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        int r = dfd < 0 ? podrt_error_set(err, errno, "%s: %m", pod->dir)
                        : store_write_file(dfd, "state.json", text, strlen(text), 0600, err);
        json_object_put(o);
        return r;
}

static const char *jstr(struct json_object *o, const char *key) {
        struct json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                       ? json_object_get_string(v)
                       : NULL;
}

static int64_t jint(struct json_object *o, const char *key, int64_t fallback) {
        struct json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int)
                       ? json_object_get_int64(v)
                       : fallback;
}

/* A spec with only the app names, for a pod whose manifest no longer
 * parses (its rootfs was removed, say): enough to stop and delete it. */
static struct pod_spec *spec_from_state(struct json_object *state) {
        struct pod_spec *s = calloc(1, sizeof(*s));
        struct json_object *apps;
        if (!s)
                return NULL;
        s->name = strdup(jstr(state, "name") ? jstr(state, "name") : "unknown");
        s->hostname = strdup(s->name ? s->name : "unknown");
        if (json_object_object_get_ex(state, "apps", &apps) && json_object_is_type(apps, json_type_array)) {
                size_t n = json_object_array_length(apps);
                s->apps = calloc(n + 1, sizeof(*s->apps));
                for (size_t i = 0; s->apps && i < n; i++) {
                        const char *name = jstr(json_object_array_get_idx(apps, i), "name");
                        const char *image = jstr(json_object_array_get_idx(apps, i), "image");
                        const char *image_id = jstr(json_object_array_get_idx(apps, i), "imageId");
                        s->apps[i].name = strdup(name ? name : "app");
                        /* Kept: a pod whose image went (rm --force) still names it. */
                        if (image && image_id) {
                                s->apps[i].image = strdup(image);
                                s->apps[i].image_id = strdup(image_id);
                        }
                        s->apps[i].rootfs = strdup("");
                        s->apps[i].working_dir = strdup("/");
                        s->n_apps++;
                }
        }
        return s;
}

int pod_load(const char *dir, struct podrt_pod **ret, struct podrt_error **err) {
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return podrt_error_set(err, errno, "%s: %m", dir);
        _cleanup_free_ char *state_text = NULL;
        _cleanup_error_ struct podrt_error *rerr = NULL;
        int r = store_read_file(dfd, "state.json", &state_text, NULL, &rerr);
        if (r == -ENOENT)
                return podrt_error_set(err, EBADMSG,
                                       "%s/state.json: missing (a crashed create?): delete --force removes the pod",
                                       dir);
        if (r < 0) {
                if (err)
                        *err = TAKE_PTR(rerr);
                return r;
        }
        struct json_object *state = json_tokener_parse(state_text);
        if (!state || !json_object_is_type(state, json_type_object)) {
                json_object_put(state);
                return podrt_error_set(err, EBADMSG, "%s/state.json: not a state file", dir);
        }

        /* The folder's name is the pod's ID: a state file that says
         * otherwise (copied, truncated, another pod's) is corrupt, and the
         * pod is never taken for the one it names. */
        const char *base = strrchr(dir, '/');
        base = base ? base + 1 : dir;
        const char *id = jstr(state, "id");
        if (!id || strcmp(id, base) != 0 || !jstr(state, "backend") || !jstr(state, "state")) {
                r = podrt_error_set(err, EBADMSG,
                                    "%s/state.json: corrupt (%s%s%s): delete --force removes the pod",
                                    dir, id ? "it names pod " : "no pod ID",
                                    id && strcmp(id, base) != 0 ? id : "",
                                    id && strcmp(id, base) == 0 ? "no backend or state" : "");
                json_object_put(state);
                return r;
        }

        struct pod_spec *spec = NULL;
        _cleanup_free_ char *manifest = NULL;
        size_t len = 0;
        const char *mdir = jstr(state, "manifestDir");
        _cleanup_error_ struct podrt_error *perr = NULL;
        if (store_read_file(dfd, "manifest.json", &manifest, &len, &perr) < 0 ||
            manifest_parse(manifest, len, "manifest.json", mdir ? mdir : dir, &spec, &perr) < 0)
                spec = spec_from_state(state);
        if (!spec) {
                json_object_put(state);
                return podrt_error_set(err, ENOMEM, "out of memory");
        }

        struct podrt_pod *pod = NULL;
        r = pod_new(spec, base, jstr(state, "name"), dir, jstr(state, "backend"),
                    jstr(state, "network"), jstr(state, "storage"), &pod, err);
        if (r < 0) {
                json_object_put(state);
                return r;
        }
        uint32_t st = PODRT_POD_CREATED;
        if (jstr(state, "state"))
                pod_state_from_string(jstr(state, "state"), &st);
        pod->state = st;
        pod->created_at = parse_time(jstr(state, "created"));
        pod->started_at = parse_time(jstr(state, "started"));
        pod->finished_at = parse_time(jstr(state, "finished"));
        pod->monitor_pid = (pid_t)jint(state, "monitorPid", 0);
        struct json_object *creating;
        pod->creating = json_object_object_get_ex(state, "creating", &creating) &&
                        json_object_get_boolean(creating);
        if (jstr(state, "netns"))
                pod->netns_path = strdup(jstr(state, "netns"));
        if (mdir)
                pod->manifest_dir = strdup(mdir);
        struct json_object *apps;
        if (json_object_object_get_ex(state, "apps", &apps) && json_object_is_type(apps, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(apps); i++) {
                        struct json_object *j = json_object_array_get_idx(apps, i);
                        struct podrt_app *a = podrt_pod_app_by_name(pod, jstr(j, "name") ? jstr(j, "name") : "");
                        if (!a)
                                continue;
                        uint32_t as = PODRT_APP_CREATED;
                        if (jstr(j, "state"))
                                app_state_from_string(jstr(j, "state"), &as);
                        a->state = as;
                        a->pid = (pid_t)jint(j, "pid", 0);
                        a->exit_code = (int)jint(j, "exitCode", -1);
                        a->started_at = parse_time(jstr(j, "started"));
                        a->finished_at = parse_time(jstr(j, "finished"));
                        /* What storage prepared, not the manifest's: every
                         * later op runs on it.  Older state files lack it. */
                        const char *rootfs = jstr(j, "rootfs");
                        if (rootfs && rootfs[0] && podrt_app_set_rootfs(a, rootfs) < 0) {
                                json_object_put(state);
                                pod_free(pod);
                                return podrt_error_set(err, ENOMEM, "out of memory");
                        }
                }
        }
        json_object_put(state);
        *ret = pod;
        return 0;
}

/* ---- accessors: pod ----------------------------------------------------- */

const char *podrt_pod_id(const struct podrt_pod *pod) { return pod->id; }
const char *podrt_pod_name(const struct podrt_pod *pod) { return pod->name; }
const char *podrt_pod_hostname(const struct podrt_pod *pod) {
        return pod->spec->hostname ? pod->spec->hostname : pod->name;
}
const char *podrt_pod_backend(const struct podrt_pod *pod) { return pod->backend; }
const char *podrt_pod_dir(const struct podrt_pod *pod) { return pod->dir; }
uint32_t podrt_pod_state(const struct podrt_pod *pod) { return pod->state; }

size_t podrt_pod_n_annotations(const struct podrt_pod *pod) { return pod->spec->n_annotations; }
const char *podrt_pod_annotation_key(const struct podrt_pod *pod, size_t i) {
        return i < pod->spec->n_annotations ? pod->spec->annotations[i].key : NULL;
}
const char *podrt_pod_annotation_value(const struct podrt_pod *pod, size_t i) {
        return i < pod->spec->n_annotations ? pod->spec->annotations[i].value : NULL;
}
const char *podrt_pod_annotation(const struct podrt_pod *pod, const char *key) {
        for (size_t i = 0; key && i < pod->spec->n_annotations; i++)
                if (strcmp(pod->spec->annotations[i].key, key) == 0)
                        return pod->spec->annotations[i].value;
        return NULL;
}

const char *const *podrt_pod_dns_servers(const struct podrt_pod *pod) { return strv_or_empty(pod->spec->dns_servers); }
const char *const *podrt_pod_dns_searches(const struct podrt_pod *pod) { return strv_or_empty(pod->spec->dns_searches); }
const char *const *podrt_pod_dns_options(const struct podrt_pod *pod) { return strv_or_empty(pod->spec->dns_options); }

size_t podrt_pod_n_hosts(const struct podrt_pod *pod) { return pod->spec->n_hosts; }
const char *podrt_pod_host_ip(const struct podrt_pod *pod, size_t i) {
        return i < pod->spec->n_hosts ? pod->spec->hosts[i].ip : NULL;
}
const char *const *podrt_pod_host_names(const struct podrt_pod *pod, size_t i) {
        return i < pod->spec->n_hosts ? strv_or_empty(pod->spec->hosts[i].names) : NULL;
}

size_t podrt_pod_n_apps(const struct podrt_pod *pod) { return pod->spec->n_apps; }
struct podrt_app *podrt_pod_app(const struct podrt_pod *pod, size_t i) {
        return i < pod->spec->n_apps ? &pod->apps[i] : NULL;
}
struct podrt_app *podrt_pod_app_by_name(const struct podrt_pod *pod, const char *name) {
        for (size_t i = 0; name && i < pod->spec->n_apps; i++)
                if (strcmp(pod->apps[i].spec->name, name) == 0)
                        return &pod->apps[i];
        return NULL;
}

size_t podrt_pod_n_volumes(const struct podrt_pod *pod) { return pod->spec->n_volumes; }
struct podrt_volume *podrt_pod_volume(const struct podrt_pod *pod, size_t i) {
        return i < pod->spec->n_volumes ? &pod->volumes[i] : NULL;
}
struct podrt_volume *podrt_pod_volume_by_name(const struct podrt_pod *pod, const char *name) {
        for (size_t i = 0; name && i < pod->spec->n_volumes; i++)
                if (strcmp(pod->volumes[i].spec->name, name) == 0)
                        return &pod->volumes[i];
        return NULL;
}

const char *podrt_pod_netns_path(const struct podrt_pod *pod) { return pod->netns_path; }
int podrt_pod_set_netns_path(struct podrt_pod *pod, const char *path) {
        char *c = NULL;
        if (path && !(c = strdup(path)))
                return -ENOMEM;
        free(pod->netns_path);
        pod->netns_path = c;
        return 0;
}
const char *podrt_pod_network(const struct podrt_pod *pod) { return pod->network; }
void *podrt_pod_backend_data(const struct podrt_pod *pod) { return pod->backend_data; }
void podrt_pod_set_backend_data(struct podrt_pod *pod, void *data) { pod->backend_data = data; }

/* ---- accessors: app ----------------------------------------------------- */

struct podrt_pod *podrt_app_pod(const struct podrt_app *app) { return app->pod; }
size_t podrt_app_index(const struct podrt_app *app) { return app->index; }
const char *podrt_app_name(const struct podrt_app *app) { return app->spec->name; }
const char *podrt_app_id(const struct podrt_app *app) { return app->id; }
const char *podrt_app_dir(const struct podrt_app *app) { return app->dir; }
const char *podrt_app_rootfs(const struct podrt_app *app) { return app->rootfs; }
int podrt_app_set_rootfs(struct podrt_app *app, const char *path) {
        char *c = strdup(path);
        if (!c)
                return -ENOMEM;
        free(app->rootfs);
        app->rootfs = c;
        return 0;
}
const char *const *podrt_app_command(const struct podrt_app *app) { return strv_or_empty(app->spec->command); }
const char *const *podrt_app_env(const struct podrt_app *app) { return strv_or_empty(app->spec->env); }
const char *podrt_app_working_dir(const struct podrt_app *app) {
        return app->spec->working_dir ? app->spec->working_dir : "/";
}
uint32_t podrt_app_uid(const struct podrt_app *app) { return app->spec->uid; }
uint32_t podrt_app_gid(const struct podrt_app *app) { return app->spec->gid; }
const uint32_t *podrt_app_groups(const struct podrt_app *app, size_t *ret_n) {
        if (ret_n)
                *ret_n = app->spec->n_groups;
        return app->spec->groups;
}

size_t podrt_app_n_mounts(const struct podrt_app *app) { return app->spec->n_mounts; }
struct podrt_volume *podrt_app_mount_volume(const struct podrt_app *app, size_t i) {
        return i < app->spec->n_mounts ? &app->pod->volumes[app->spec->mounts[i].volume_index] : NULL;
}
const char *podrt_app_mount_path(const struct podrt_app *app, size_t i) {
        return i < app->spec->n_mounts ? app->spec->mounts[i].path : NULL;
}
bool podrt_app_mount_read_only(const struct podrt_app *app, size_t i) {
        return i < app->spec->n_mounts && app->spec->mounts[i].read_only;
}

size_t podrt_app_n_ports(const struct podrt_app *app) { return app->spec->n_ports; }
uint32_t podrt_app_port_container(const struct podrt_app *app, size_t i) {
        return i < app->spec->n_ports ? app->spec->ports[i].container_port : 0;
}
uint32_t podrt_app_port_host(const struct podrt_app *app, size_t i) {
        return i < app->spec->n_ports ? app->spec->ports[i].host_port : 0;
}
const char *podrt_app_port_protocol(const struct podrt_app *app, size_t i) {
        return i < app->spec->n_ports ? app->spec->ports[i].protocol : NULL;
}
const char *podrt_app_port_host_ip(const struct podrt_app *app, size_t i) {
        return i < app->spec->n_ports ? app->spec->ports[i].host_ip : NULL;
}
const char *podrt_app_port_name(const struct podrt_app *app, size_t i) {
        return i < app->spec->n_ports ? app->spec->ports[i].name : NULL;
}

int64_t podrt_app_memory_limit(const struct podrt_app *app) { return app->spec->memory; }
int64_t podrt_app_cpu_millis(const struct podrt_app *app) { return app->spec->cpu_millis; }
int64_t podrt_app_pids_limit(const struct podrt_app *app) { return app->spec->pids; }
const char *const *podrt_app_caps_add(const struct podrt_app *app) { return strv_or_empty(app->spec->caps_add); }
const char *const *podrt_app_caps_drop(const struct podrt_app *app) { return strv_or_empty(app->spec->caps_drop); }
bool podrt_app_read_only_rootfs(const struct podrt_app *app) { return app->spec->read_only_rootfs; }
const char *const *podrt_app_image_layers(const struct podrt_app *app) {
        return (const char *const *)app->spec->image_layers;
}
const char *podrt_app_image(const struct podrt_app *app) { return app->spec->image; }
const char *const *podrt_app_pre_start(const struct podrt_app *app) { return (const char *const *)app->spec->pre_start; }
const char *const *podrt_app_post_stop(const struct podrt_app *app) { return (const char *const *)app->spec->post_stop; }

uint32_t podrt_app_state(const struct podrt_app *app) { return app->state; }
pid_t podrt_app_pid(const struct podrt_app *app) { return app->pid; }
int podrt_app_exit_code(const struct podrt_app *app) { return app->exit_code; }

void podrt_app_set_pid(struct podrt_app *app, pid_t pid) {
        app->pid = pid;
        if (app->state != PODRT_APP_EXITED) {
                app->state = PODRT_APP_RUNNING;
                app->started_at = now_ns();
        }
}

void podrt_app_set_exited(struct podrt_app *app, int exit_code) {
        app->exit_code = exit_code < 0 ? 255 : exit_code;
        if (app->state != PODRT_APP_EXITED || !app->finished_at)
                app->finished_at = now_ns();
        app->state = PODRT_APP_EXITED;
}

int podrt_app_stdout_fd(const struct podrt_app *app) { return app->stdout_fd; }
int podrt_app_stderr_fd(const struct podrt_app *app) { return app->stderr_fd; }
int podrt_app_stdin_fd(const struct podrt_app *app) { return app->stdin_fd; }
const char *podrt_app_log_path(const struct podrt_app *app) { return app->log_path; }

/* ---- accessors: volume -------------------------------------------------- */

const char *podrt_volume_name(const struct podrt_volume *vol) { return vol->spec->name; }
uint32_t podrt_volume_kind(const struct podrt_volume *vol) { return vol->spec->kind; }
const char *podrt_volume_source(const struct podrt_volume *vol) { return vol->source; }
bool podrt_volume_read_only(const struct podrt_volume *vol) { return vol->spec->read_only; }
