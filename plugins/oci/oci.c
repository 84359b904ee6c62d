/* SPDX-License-Identifier: Apache-2.0 */
/* The oci backend: pods on an OCI runtime's command line (runc, crun), as
 * podman's libpod drives them.
 *
 * Each container is one `<runtime> run --detach` started by the pod's
 * monitor (launch.c): the runtime passes the monitor's pipes to the
 * container's process and exits, and the monitor, a child subreaper, waits
 * for that process itself: its exit is the container's exit (128+N for a
 * signal).  No runtime process stays per container; delete removes the
 * runtime's record of it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <podrt/podrt.h>

#include "bundle.h"
#include "launch.h"
#include "cgroup.h"
#include "check.h"
#include "errors.h"
#include "fileio.h"
#include "process.h"
#include "runtime.h"
#include "command.h"
#include "container.h"
#include "spec.h"
#include "strv.h"
#include "timeutil.h"
#include "update.h"

struct oci_data {
        const struct podrt_host *host;
        char *setting;
        char *state_dir;
        uint64_t nofile;
        struct oci_runtime *rt;      /* resolved at the first create */
        /* The runtime of the pod last asked about (pod_runtime()), so that
         * one process's create, start, state and delete of a pod (run --rm
         * in the foreground) read its bundle once, or never. */
        char *known_pod;
        struct oci_runtime *known_rt;
};

/* ---- init --------------------------------------------------------------- */

static int oci_init(const struct podrt_host *host, void **ret_data, struct podrt_error **err) {
        const char *setting = podrt_config_string(host->config, "oci.runtime", "auto");
        if (!setting || !*setting)
                return podrt_error_set(err, EINVAL,
                                       "oci.runtime: empty; use auto, crun, runc or a path");
        if (!host->state_dir || host->state_dir[0] != '/')
                return podrt_error_set(err, EINVAL, "no absolute state directory");

        struct oci_data *d = calloc(1, sizeof(*d));
        if (!d)
                return podrt_error_set(err, ENOMEM, "out of memory");
        d->host = host;
        d->setting = strdup(setting);
        d->state_dir = strdup(host->state_dir);
        if (!d->setting || !d->state_dir) {
                free(d->setting);
                free(d->state_dir);
                free(d);
                return podrt_error_set(err, ENOMEM, "out of memory");
        }
        d->nofile = oci_nofile_limit();
        *ret_data = d;
        return 0;
}

static void oci_fini(void *data) {
        struct oci_data *d = data;
        if (!d)
                return;
        oci_runtime_free(d->rt);
        oci_runtime_free(d->known_rt);
        free(d->known_pod);
        free(d->setting);
        free(d->state_dir);
        free(d);
}

/* Remembers rt as pod's runtime (a copy; nothing when out of memory). */
static void remember_runtime(struct oci_data *d, struct podrt_pod *pod, const struct oci_runtime *rt) {
        struct oci_runtime *copy = NULL;
        char *id = strdup(podrt_pod_id(pod));
        if (!id || oci_runtime_new(rt->name, rt->path, rt->root, &copy) < 0) {
                free(id);
                return;
        }
        oci_runtime_free(d->known_rt);
        free(d->known_pod);
        d->known_rt = copy;
        d->known_pod = id;
}

/* The runtime of a pod: the one recorded at its create.  -ENOENT (err
 * untouched) when create did not get that far. */
static int pod_runtime(struct oci_data *d, struct podrt_pod *pod, struct oci_runtime **ret,
                       struct podrt_error **err) {
        if (d->known_pod && strcmp(d->known_pod, podrt_pod_id(pod)) == 0) {
                const struct oci_runtime *k = d->known_rt;
                int r = oci_runtime_new(k->name, k->path, k->root, ret);
                return r < 0 ? podrt_error_set(err, r, "out of memory") : 0;
        }
        int r = oci_bundles_runtime(pod, ret, err);
        if (r >= 0)
                remember_runtime(d, pod, *ret);
        return r;
}

static pid_t container_pid(const struct oci_runtime *rt, struct podrt_app *app) {
        return oci_runtime_container_pid(rt, podrt_app_id(app));
}

/* 1 when pid is a live process (not a zombie), 0 when not. */
int process_alive(pid_t pid) {
        if (pid <= 0)
                return 0;
        _cleanup_free_ char *stat = NULL;
        const char *p = pid_stat_fields(pid, &stat);
        return p && p[0] == ' ' && p[1] != 'Z' && p[1] != 'X';
}

/* 1 when the app's container is there and its process alive: not a zombie
 * the monitor has yet to reap. */
int container_alive(const struct oci_runtime *rt, struct podrt_app *app) {
        return process_alive(container_pid(rt, app));
}

/* ---- create ------------------------------------------------------------- */

static int oci_create(void *data, struct podrt_pod *pod, uint64_t flags,
                      struct podrt_error **err) {
        struct oci_data *d = data;
        if (!d->rt) {
                int r = oci_runtime_resolve(d->setting, d->state_dir, d->host, &d->rt, err);
                if (r < 0)
                        return r;
        }
        int r = oci_bundles_create(pod, d->rt, d->nofile, err);
        if (r >= 0)
                remember_runtime(d, pod, d->rt);
        return r;
}

/* ---- start -------------------------------------------------------------- */

static int oci_start(void *data, struct podrt_pod *pod, uint64_t flags,
                     struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        int r = pod_runtime(data, pod, &rt, err);
        if (r == -ENOENT)
                return podrt_error_set(err, ENOENT, "pod %s has no bundles: create it again",
                                       podrt_pod_name(pod));
        if (r < 0 || (r = oci_bundles_refresh(pod, rt, err)) < 0)
                return r;

        size_t n = podrt_pod_n_apps(pod);
        for (size_t i = 0; i < n; i++) {
                r = oci_app_launch(rt, podrt_pod_app(pod, i), err);
                if (r < 0) {
                        /* End what began; delete removes the rest. */
                        for (size_t j = 0; j < i; j++) {
                                struct podrt_app *app = podrt_pod_app(pod, j);
                                /* Reaped first: the runtime takes a zombie
                                 * for a running process. */
                                if (podrt_app_state(app) == PODRT_APP_RUNNING && podrt_app_pid(app) > 0) {
                                        kill(podrt_app_pid(app), SIGKILL);
                                        while (waitpid(podrt_app_pid(app), NULL, 0) < 0 && errno == EINTR)
                                                ;
                                }
                                oci_container_remove(rt, pod, app, NULL);
                        }
                        return r;
                }
        }
        return 0;
}

/* ---- kill, stop, pause, resume -------------------------------------------- */

/* Sends signo to the app's container.  A container that ended meanwhile is
 * not an error. */
int kill_app(const struct oci_runtime *rt, struct podrt_app *app, int signo,
                    struct podrt_error **err) {
        char sig[16];
        snprintf(sig, sizeof sig, "%d", signo);
        const char *args[] = {"kill", podrt_app_id(app), sig, NULL};
        _cleanup_free_ char *output = NULL;
        int status;
        int r = oci_runtime_run(rt, args, &status, &output, err);
        if (r < 0)
                return r;
        if (status == 0 || !container_alive(rt, app))
                return 0;
        char line[1024];
        return podrt_error_set(err, EIO, "app %s: %s kill: exit status %d: %s", podrt_app_name(app),
                               rt->name, status, oci_last_line(output, line, sizeof line));
}

/* pod_runtime() where a pod without one needs nothing done: 1 with *ret,
 * 0 when create did not get that far, or -errno. */
static int pod_runtime_if_any(struct oci_data *d, struct podrt_pod *pod, struct oci_runtime **ret,
                              struct podrt_error **err) {
        int r = pod_runtime(d, pod, ret, err);
        return r == -ENOENT ? 0 : r < 0 ? r : 1;
}

/* Sends signo to each app's container that is running,
 * the first failure in err.  With pids (one per app), only to a container
 * with a pid, recorded there (0 for the others).  0, or the first error. */
static int signal_apps(const struct oci_runtime *rt, struct podrt_pod *pod, int signo, pid_t *pids,
                       struct podrt_error **err) {
        int ret = 0;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                if (pids)
                        pids[i] = 0;
                if (!container_alive(rt, app) || (pids && (pids[i] = container_pid(rt, app)) <= 0))
                        continue;
                int r = kill_app(rt, app, signo, ret < 0 ? NULL : err);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}

static int oci_kill(void *data, struct podrt_pod *pod, int signo, uint64_t flags,
                    struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        int r = pod_runtime_if_any(data, pod, &rt, err);
        if (r <= 0)
                return r;
        return signal_apps(rt, pod, signo, NULL, err);
}

static int oci_stop(void *data, struct podrt_pod *pod, uint32_t timeout_sec, uint64_t flags,
                    struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        int r = pod_runtime_if_any(data, pod, &rt, err);
        if (r <= 0)
                return r;

        size_t n = podrt_pod_n_apps(pod);
        pid_t pids[n];
        int ret = signal_apps(rt, pod, SIGTERM, pids, err);
        int64_t deadline = now_ms() + (int64_t)timeout_sec * 1000;
        for (size_t i = 0; i < n; i++) {
                if (pids[i] <= 0)
                        continue;
                int64_t left = deadline - now_ms();
                if (oci_wait_exit(pids[i], left > 0 ? (int)left : 0) == 1)
                        pids[i] = 0;
        }
        for (size_t i = 0; i < n; i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                if (pids[i] > 0 && container_alive(rt, app) &&
                    (r = kill_app(rt, app, SIGKILL, ret < 0 ? NULL : err)) < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}

static int pause_resume(struct oci_data *d, struct podrt_pod *pod, const char *verb,
                        struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        int r = pod_runtime(d, pod, &rt, err);
        if (r == -ENOENT)
                return podrt_error_set(err, ESRCH, "pod %s has no containers", podrt_pod_name(pod));
        if (r < 0)
                return r;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                if (!container_alive(rt, app))
                        continue;
                const char *args[] = {verb, podrt_app_id(app), NULL};
                _cleanup_free_ char *output = NULL;
                int status;
                r = oci_runtime_run(rt, args, &status, &output, err);
                if (r < 0)
                        return r;
                if (status != 0 && container_alive(rt, app)) {
                        char line[1024];
                        return podrt_error_set(err, EIO, "app %s: %s %s: exit status %d: %s",
                                               podrt_app_name(app), rt->name, verb, status,
                                               oci_last_line(output, line, sizeof line));
                }
        }
        return 0;
}

static int oci_pause(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        return pause_resume(data, pod, "pause", err);
}

static int oci_resume(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        return pause_resume(data, pod, "resume", err);
}

/* ---- delete ------------------------------------------------------------- */

static int oci_delete(void *data, struct podrt_pod *pod, uint64_t flags,
                      struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        int ret = 0, r;

        r = pod_runtime(data, pod, &rt, &e);
        if (r < 0 && r != -ENOENT)
                ret = podrt_error_set(err, r, "%s", podrt_error_message(e));
        for (size_t i = 0; rt && i < podrt_pod_n_apps(pod); i++) {
                r = oci_container_remove(rt, pod, podrt_pod_app(pod, i), ret < 0 ? NULL : err);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        r = oci_cgroup_remove_pod(podrt_pod_id(pod), ret < 0 ? NULL : err);
        if (r < 0 && ret == 0)
                ret = r;
        r = oci_bundles_remove(pod, ret < 0 ? NULL : err);
        if (r < 0 && ret == 0)
                ret = r;
        return ret;
}

/* ---- state -------------------------------------------------------------- */

/* Called by the monitor when an app's process has ended and been reaped
 * (and at the pod's end): the runtime forgets its container then, as a
 * `run` in the foreground does, so that a stopped pod holds no runtime
 * state or cgroup and can start again. */
static int oci_state(void *data, struct podrt_pod *pod, uint64_t flags,
                     struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        if (pod_runtime(data, pod, &rt, NULL) < 0)
                return 0;
        int ret = 0;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                int r = oci_container_forget_ended(rt, podrt_pod_app(pod, i), ret < 0 ? NULL : err);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        return ret;
}

/* ---- exec --------------------------------------------------------------- */

static int oci_exec_process(void *data, struct podrt_pod *pod, struct podrt_app *app,
                            const char *const *argv, const struct podrt_exec_process *proc,
                            uint64_t flags, struct podrt_error **err) {
        struct oci_data *d = data;
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        int r = pod_runtime(data, pod, &rt, err);
        if (r == -ENOENT)
                return podrt_error_set(err, ESRCH, "app %s is not running", podrt_app_name(app));
        if (r < 0)
                return r;
        if (!argv || !argv[0])
                return podrt_error_set(err, EINVAL, "exec: no command");

        if (!container_alive(rt, app))
                return podrt_error_set(err, ESRCH, "app %s is not running", podrt_app_name(app));

        struct oci_app_input in;
        r = oci_app_input(app, NULL, d->nofile, &in, err);
        if (r < 0)
                return r;
        if (proc && proc->env)
                in.c.env = proc->env;
        if (proc && proc->cwd)
                in.c.cwd = proc->cwd;
        if (proc && (proc->flags & PODRT_EXEC_PROCESS_USER))
                in.c.uid = proc->uid, in.c.gid = proc->gid, in.c.groups = proc->groups, in.c.n_groups = proc->n_groups;
        struct json_object *process = NULL;
        bool tty = flags & PODRT_EXEC_TTY;
        r = oci_spec_process(&in.c, argv, tty, &process, err);
        oci_app_input_done(&in);
        if (r < 0)
                return r;

        char name[64], logname[64];
        snprintf(name, sizeof name, "exec-%d.json", (int)getpid());
        snprintf(logname, sizeof logname, "exec-%d.log", (int)getpid());
        _cleanup_free_ char *path = oci_app_path(app, name), *log = oci_app_path(app, logname);
        if (!path || !log) {
                json_object_put(process);
                return podrt_error_set(err, ENOMEM, "out of memory");
        }
        const char *text = json_object_to_json_string_ext(process, JSON_C_TO_STRING_PLAIN |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE);
        r = write_file_new(path, text, strlen(text), 0600);
        json_object_put(process);
        if (r < 0)
                return podrt_error_set(err, r, "%s: %s", path, strerror(-r));

        const char *args[] = {"exec", "--process", path, tty ? "--tty" : podrt_app_id(app),
                              tty ? podrt_app_id(app) : NULL, NULL};
        _cleanup_strv_free_ char **cmd = oci_runtime_argv(rt, log, args);
        pid_t pid;
        int status = 0;
        if (!cmd)
                r = podrt_error_set(err, ENOMEM, "out of memory");
        else if ((r = oci_spawn(cmd, 0, 1, 2, &pid, err)) >= 0 && (r = oci_wait(pid, &status)) < 0)
                r = podrt_error_set(err, r, "%s exec: %s", rt->name, strerror(-r));
        if (r >= 0 && (status == 1 || status == 255)) {
                _cleanup_free_ char *msg = oci_runtime_log_error(log);
                if (msg)
                        status = oci_failure_exit_code(msg);
        }
        (void)unlink(path);
        (void)unlink(log);
        return r < 0 ? r : status;
}

int oci_exec(void *data, struct podrt_pod *pod, struct podrt_app *app,
                    const char *const *argv, uint64_t flags, struct podrt_error **err) {
        return oci_exec_process(data, pod, app, argv, NULL, flags, err);
}

/* ---- the descriptor ------------------------------------------------------- */

static const struct podrt_pod_ops oci_pod_ops = {
        .version = PODRT_POD_OPS_VERSION,
        .size = sizeof(struct podrt_pod_ops),
        /* Not PODRT_POD_RUNS_HOOKS: the core runs the OCI hooks. */
        .features = 0,
        .create = oci_create,
        .start = oci_start,
        .stop = oci_stop,
        .kill = oci_kill,
        .pause = oci_pause,
        .resume = oci_resume,
        .delete = oci_delete,
        .state = oci_state,
        .exec = oci_exec,
        .exec_process = oci_exec_process,
        .update = oci_update,
};

static int oci_check(void *data, struct podrt_check *check, uint64_t flags,
                     struct podrt_error **err) {
        return oci_host_check(((struct oci_data *)data)->host, check, err);
}

static const struct podrt_plugin oci_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "oci",
        .version = "0.1.0",
        .description = "pods on an OCI runtime (crun, runc)",
        .init = oci_init,
        .fini = oci_fini,
        .pod = &oci_pod_ops,
        .container = &oci_container_ops,
        .check = oci_check,
        .config_check = oci_config_check,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &oci_plugin;
}
