/* SPDX-License-Identifier: Apache-2.0 */
/* CRI sandboxes.  containerd's CRI plugin and CRI-O say in a bundle's
 * annotations whether it is a pod's sandbox (the pause container) or one of
 * its containers, and which sandbox:
 *   io.kubernetes.cri.container-type = sandbox | container,
 *   io.kubernetes.cri.sandbox-id     (containerd)
 *   io.kubernetes.cri-o.ContainerType = sandbox | container,
 *   io.kubernetes.cri-o.SandboxID    (CRI-O)
 * A sandbox becomes a pod, as every other bundle does.  A container of a
 * sandbox becomes an app of the sandbox's pod (`podrt app add`): the same
 * namespaces and, on kvm, the same VM.  Its record names the pod and the
 * app; its keeper starts the app, copies the app's log to its own stdout
 * and exits with the app's status.  A pod goes once no record names it:
 * the sandbox's delete leaves it to its containers' last. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fileio.h"
#include "runtime.h"
#include "timeutil.h"

#include "cri.h"
#include "oci-cli.h"

static const char *annotation(struct json_object *an, const char *a, const char *b) {
        const char *v = jstr(an, a);
        return v ? v : jstr(an, b);
}

const char *cri_sandbox_of(struct json_object *an) {
        const char *type = annotation(an, "io.kubernetes.cri.container-type", "io.kubernetes.cri-o.ContainerType");
        if (!type || strcmp(type, "container") != 0)
                return NULL;
        return annotation(an, "io.kubernetes.cri.sandbox-id", "io.kubernetes.cri-o.SandboxID");
}

static bool app_name_ok(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 63 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
                        return false;
        return true;
}

/* The CRI's container name when it is an app name, else c-<ID's start>. */
static void app_name(struct json_object *an, const char *id, char out[64]) {
        const char *n = annotation(an, "io.kubernetes.cri.container-name", "io.kubernetes.container.name");
        if (n && app_name_ok(n)) {
                snprintf(out, 64, "%s", n);
                return;
        }
        snprintf(out, 64, "c-");
        size_t k = 2;
        for (const char *p = id; *p && k < 14; p++)
                if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
                        out[k++] = *p;
                else if (*p >= 'A' && *p <= 'Z')
                        out[k++] = (char)(*p - 'A' + 'a');
        out[k] = '\0';
}

int cri_add(struct ctx *c, struct container *k, struct oci_translation *t, const char *sandbox, const char *source) {
        struct container s;
        if (container_load(c, sandbox, &s) < 0) {
                log_error("%s: io.kubernetes.cri.sandbox-id: the sandbox container \"%s\" does not exist", source, sandbox);
                return -1;
        }
        int r = -1;
        struct json_object *apps = json_object_object_get(t->manifest, "containers");
        struct json_object *app = json_object_array_get_idx(apps, 0), *vols = json_object_object_get(t->manifest, "volumes");
        char name[64];
        app_name(k->annotations, k->id, name);
        if (!s.pod || !*s.pod) {
                log_error("%s: the sandbox container \"%s\" has no pod", source, sandbox);
                goto out;
        }
        /* An app reaches only the pod's volumes: a tmpfs (an empty volume)
         * is a directory of the app's root instead; a bind is refused. */
        for (size_t i = 0; vols && i < json_object_array_length(vols); i++) {
                struct json_object *v = json_object_array_get_idx(vols, i);
                const char *kind = jstr(v, "kind"), *src = jstr(v, "source");
                if (kind && strcmp(kind, "host") == 0) {
                        log_error("%s: mounts: a container of a sandbox cannot bind %s yet: only its sandbox's volumes reach it",
                                  source, src ? src : "a host directory");
                        goto out;
                }
        }
        struct json_object *ms = json_object_object_get(app, "mounts");
        for (size_t i = 0; ms && i < json_object_array_length(ms); i++)
                log_warning("%s: the tmpfs on %s is the app's own directory", source,
                            jstr(json_object_array_get_idx(ms, i), "path"));
        json_object_object_add(app, "name", json_object_new_string(name));
        json_object_object_del(app, "mounts");
        struct podrt_error *e = NULL;
        const char *text = json_object_to_json_string_ext(app, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (runtime_app_add_text(c->rt, s.pod, text, source, k->bundle, false, &e) < 0) {
                fail_err(e);
                goto out;
        }
        k->pod = strdup(s.pod);
        k->app = strdup(name);
        r = k->pod && k->app ? 0 : -1;
out:
        container_done(&s);
        return r;
}

/* The app's state in the pod's status JSON, or NULL. */
static const char *app_state(struct json_object *st, const char *name, int *ret_code) {
        struct json_object *apps = json_object_object_get(st, "apps");
        for (size_t i = 0; apps && i < json_object_array_length(apps); i++) {
                struct json_object *a = json_object_array_get_idx(apps, i), *code;
                const char *n = jstr(a, "name");
                if (n && strcmp(n, name) == 0) {
                        if (ret_code && json_object_object_get_ex(a, "exitCode", &code) && code)
                                *ret_code = json_object_get_int(code);
                        return jstr(a, "state");
                }
        }
        return NULL;
}

const char *cri_status(struct json_object *st, const struct container *k, bool alive) {
        const char *pod = jstr(st, "state"), *s = app_state(st, k->app, NULL);
        if (!alive || !s || !pod)
                return "stopped";
        if (strcmp(s, "created") == 0)
                return "created";
        if (strcmp(s, "running") == 0)
                return strcmp(pod, "paused") == 0 ? "paused" : "running";
        return "stopped";
}

/* Copies what the log has past *off to fd. */
static void copy_log(const char *path, off_t *off, int fd) {
        int in = open(path, O_RDONLY | O_CLOEXEC);
        if (in < 0)
                return;
        struct stat st;
        if (fstat(in, &st) == 0 && st.st_size < *off)
                *off = 0;   /* rotated */
        char buf[16384];
        ssize_t n;
        while ((n = pread(in, buf, sizeof buf, *off)) > 0) {
                if (write_all(fd, buf, (size_t)n) < 0)
                        break;
                *off += n;
        }
        close(in);
}

_Noreturn void cri_keeper_main(struct ctx *c, struct container *k, int start_fd) {
        int ready = keeper_wait_start(k, start_fd);
        struct podrt_error *e = NULL;
        if (runtime_app_start(c->rt, k->pod, k->app, &e) < 0) {
                if (ready >= 0)
                        dprintf(ready, "%d %s", podrt_error_code(e), podrt_error_message(e));
                _exit(EXIT_FAIL);
        }
        if (ready >= 0) {
                (void)write_all(ready, "0", 1);
                close(ready);
        }
        /* The app's output, until it has exited and its log is drained.
         * Its state is read from state.json alone, as `podrt list` does
         * (replaced whole by the monitor: no lock, no manifest parse), 20
         * times a second for as long as the app runs. */
        const char *root = runtime_state_dir(c->rt);
        _cleanup_free_ char *log = NULL, *state = NULL;
        if (asprintf(&log, "%s/pods/%s/apps/%s/output.log", root, k->pod, k->app) < 0 ||
            asprintf(&state, "%s/pods/%s/state.json", root, k->pod) < 0)
                _exit(EXIT_FAIL);
        struct json_object *st = NULL;
        off_t off = 0;
        int code = -1;
        for (;;) {
                json_object_put(st);
                st = json_object_from_file(state);
                int exit_code = -1;
                const char *s = st ? app_state(st, k->app, &exit_code) : NULL;
                copy_log(log, &off, STDOUT_FILENO);
                if (!s) {
                        code = 255;   /* the app or its pod is gone */
                        break;
                }
                if (strcmp(s, "exited") == 0) {
                        code = exit_code >= 0 ? exit_code : 255;
                        break;
                }
                usleep(50 * 1000);
        }
        copy_log(log, &off, STDOUT_FILENO);
        json_object_put(st);
        keeper_poststop(k);
        _exit(code);
}

/* 1 when a record other than k's names pod. */
static int pod_named_elsewhere(struct ctx *c, const struct container *k) {
        DIR *d = opendir(c->containers);
        if (!d)
                return 0;
        struct dirent *de;
        int found = 0;
        while (!found && (de = readdir(d))) {
                if (de->d_name[0] == '.' || strcmp(de->d_name, k->id) == 0)
                        continue;
                _cleanup_free_ char *path = NULL, *text = NULL;
                if (asprintf(&path, "%s/%s/container.json", c->containers, de->d_name) < 0 ||
                    read_file(path, 1 << 20, &text, NULL) < 0)
                        continue;
                struct json_object *o = json_tokener_parse(text);
                const char *pod = jstr(o, "pod");
                found = pod && strcmp(pod, k->pod) == 0;
                json_object_put(o);
        }
        closedir(d);
        return found;
}

bool cri_pod_shared(struct ctx *c, const struct container *k) {
        return k->pod && *k->pod && pod_named_elsewhere(c, k);
}

int cri_remove_app(struct ctx *c, const struct container *k) {
        struct podrt_error *e = NULL;
        struct json_object *st = NULL;
        int r = 0;
        if (runtime_status(c->rt, k->pod, &st, &e) < 0) {
                podrt_error_free(e);
                return 0;   /* the pod went first */
        }
        const char *pod = jstr(st, "state");
        bool running = pod && (strcmp(pod, "running") == 0 || strcmp(pod, "paused") == 0);
        if (running && app_state(st, k->app, NULL) && runtime_app_rm(c->rt, k->pod, k->app, true, &e) < 0) {
                if (podrt_error_code(e) != ENOENT)
                        r = -fail_err(e);
                else
                        podrt_error_free(e);
        }
        json_object_put(st);
        /* The sandbox's record went before: the pod goes with its last app record. */
        if (r == 0 && !pod_named_elsewhere(c, k) && runtime_delete(c->rt, k->pod, 1, &e) < 0) {
                if (podrt_error_code(e) != ENOENT)
                        r = -fail_err(e);
                else
                        podrt_error_free(e);
        }
        return r;
}
