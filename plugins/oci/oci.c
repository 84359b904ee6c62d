/* SPDX-License-Identifier: Apache-2.0 */
/* The oci backend: pods on an OCI runtime's command line (runc, crun), as
 * podman's libpod drives them.
 *
 * Each container is one `<runtime> run` in the foreground, started by the
 * pod's monitor: its exit is the container's exit (128+N for a signal), its
 * stdout and stderr are passed through to the container's process, and the
 * runtime removes the container's state when it ends.  One runtime process
 * per container instead of create, start and delete round trips (measured
 * in docs/oci.md). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <podrt/podrt.h>

#include "bundle.h"
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

/* How long an operation waits for a container that its runtime is still
 * setting up (start returns before). */
#define CONTAINER_WAIT_MS 5000

struct oci_data {
        const struct podrt_host *host;
        char *setting;
        char *state_dir;
        uint64_t nofile;
        struct oci_runtime *rt;      /* resolved at the first create */
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
        free(d->setting);
        free(d->state_dir);
        free(d);
}

/* The runtime of a pod: the one recorded at its create.  -ENOENT (err
 * untouched) when create did not get that far. */
static int pod_runtime(struct podrt_pod *pod, struct oci_runtime **ret, struct podrt_error **err) {
        return oci_bundles_runtime(pod, ret, err);
}

static pid_t container_pid(const struct oci_runtime *rt, struct podrt_app *app) {
        return oci_runtime_container_pid(rt, podrt_app_id(app));
}

/* 1 when the app's container is there and its process alive. */
int container_alive(const struct oci_runtime *rt, struct podrt_app *app) {
        pid_t pid = container_pid(rt, app);
        return pid > 0 && kill(pid, 0) == 0;
}

/* 1 when pid is a live process (not a zombie), 0 when not. */
int process_alive(pid_t pid) {
        if (pid <= 0)
                return 0;
        _cleanup_free_ char *stat = NULL;
        const char *p = pid_stat_fields(pid, &stat);
        return p && p[0] == ' ' && p[1] != 'Z' && p[1] != 'X';
}

/* Waits until the app's container has its process, while the app's runtime
 * process (started by start) still runs.  1 when the container is there, 0
 * when it will not be (the app is not running, or its runtime ended). */
int wait_container(const struct oci_runtime *rt, struct podrt_app *app) {
        for (int64_t until = now_ms() + CONTAINER_WAIT_MS;;) {
                if (container_alive(rt, app))
                        return 1;
                if (podrt_app_state(app) != PODRT_APP_RUNNING || !process_alive(podrt_app_pid(app)) ||
                    now_ms() >= until)
                        return container_alive(rt, app);
                nanosleep(&(struct timespec){.tv_nsec = 5 * 1000 * 1000}, NULL);
        }
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
        return oci_bundles_create(pod, d->rt, d->nofile, err);
}

/* ---- start -------------------------------------------------------------- */

static int open_log(struct podrt_app *app, struct podrt_error **err) {
        int fd = open(podrt_app_log_path(app), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY,
                      0640);
        if (fd < 0)
                return podrt_error_set(err, errno, "%s: %s", podrt_app_log_path(app), strerror(errno));
        return fd;
}

int spawn_app(const struct oci_runtime *rt, struct podrt_app *app, pid_t *ret_pid,
                     struct podrt_error **err) {
        _cleanup_free_ char *log = oci_app_path(app, "runtime.log");
        if (!log)
                return podrt_error_set(err, ENOMEM, "out of memory");
        (void)unlink(log);

        /* No --pid-file: the runtime writes it through a temporary file and
         * rename() (~0.5 ms on ext4, on every run); its own state file
         * holds the pid. */
        const char *args[] = {"run", "--bundle", podrt_app_dir(app), podrt_app_id(app), NULL};
        _cleanup_strv_free_ char **argv = oci_runtime_argv(rt, log, args);
        if (!argv)
                return podrt_error_set(err, ENOMEM, "out of memory");

        _cleanup_close_ int own_out = -1, own_err = -1;
        int out = podrt_app_stdout_fd(app), errfd = podrt_app_stderr_fd(app);
        if (out < 0 && (out = own_out = open_log(app, err)) < 0)
                return out;
        if (errfd < 0 && (errfd = own_err = open_log(app, err)) < 0)
                return errfd;
        int r = oci_spawn(argv, podrt_app_stdin_fd(app), out, errfd, ret_pid, err);
        if (r < 0)
                return podrt_error_set(err, r, "app %s", podrt_app_name(app));
        return 0;
}

static int oci_start(void *data, struct podrt_pod *pod, uint64_t flags,
                     struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        int r = pod_runtime(pod, &rt, err);
        if (r == -ENOENT)
                return podrt_error_set(err, ENOENT, "pod %s has no bundles: create it again",
                                       podrt_pod_name(pod));
        if (r < 0 || (r = oci_bundles_refresh(pod, rt, err)) < 0)
                return r;

        size_t n = podrt_pod_n_apps(pod);
        pid_t pids[n];
        for (size_t i = 0; i < n; i++)
                pids[i] = 0;
        for (size_t i = 0; i < n; i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                r = spawn_app(rt, app, &pids[i], err);
                if (r < 0) {
                        /* End what began; delete removes the rest. */
                        for (size_t j = 0; j < i; j++) {
                                kill(pids[j], SIGKILL);
                                if (oci_runtime_has(rt, podrt_app_id(podrt_pod_app(pod, j)))) {
                                        const char *args[] = {"delete", "--force",
                                                              podrt_app_id(podrt_pod_app(pod, j)), NULL};
                                        int st;
                                        oci_runtime_run(rt, args, &st, NULL, NULL);
                                }
                        }
                        return r;
                }
                podrt_app_set_pid(app, pids[i]);
        }
        /* No waiting for the containers to be up: what needs one (exec,
         * kill, stop, pause) waits for it, and the monitor's own work
         * overlaps with the runtime's (measured: ~15 ms less per run). */
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
static int pod_runtime_if_any(struct podrt_pod *pod, struct oci_runtime **ret, struct podrt_error **err) {
        int r = pod_runtime(pod, ret, err);
        return r == -ENOENT ? 0 : r < 0 ? r : 1;
}

/* Sends signo to each app's container once it is there (wait_container),
 * the first failure in err.  With pids (one per app), only to a container
 * with a pid, recorded there (0 for the others).  0, or the first error. */
static int signal_apps(const struct oci_runtime *rt, struct podrt_pod *pod, int signo, pid_t *pids,
                       struct podrt_error **err) {
        int ret = 0;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                if (pids)
                        pids[i] = 0;
                if (!wait_container(rt, app) || (pids && (pids[i] = container_pid(rt, app)) <= 0))
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
        int r = pod_runtime_if_any(pod, &rt, err);
        if (r <= 0)
                return r;
        return signal_apps(rt, pod, signo, NULL, err);
}

static int oci_stop(void *data, struct podrt_pod *pod, uint32_t timeout_sec, uint64_t flags,
                    struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        int r = pod_runtime_if_any(pod, &rt, err);
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

static int pause_resume(struct podrt_pod *pod, const char *verb, struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        int r = pod_runtime(pod, &rt, err);
        if (r == -ENOENT)
                return podrt_error_set(err, ESRCH, "pod %s has no containers", podrt_pod_name(pod));
        if (r < 0)
                return r;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                if (!wait_container(rt, app))
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
        return pause_resume(pod, "pause", err);
}

static int oci_resume(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        return pause_resume(pod, "resume", err);
}

/* ---- delete ------------------------------------------------------------- */

static int oci_delete(void *data, struct podrt_pod *pod, uint64_t flags,
                      struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        int ret = 0, r;

        r = pod_runtime(pod, &rt, &e);
        if (r < 0 && r != -ENOENT)
                ret = podrt_error_set(err, r, "%s", podrt_error_message(e));
        for (size_t i = 0; rt && i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                const char *id = podrt_app_id(app);
                if (!oci_runtime_has(rt, id))
                        continue;
                /* A paused container is thawed first: a frozen process
                 * cannot die. */
                const char *resume[] = {"resume", id, NULL};
                const char *del[] = {"delete", "--force", id, NULL};
                _cleanup_free_ char *output = NULL;
                int status;
                oci_runtime_run(rt, resume, &status, NULL, NULL);
                r = oci_runtime_run(rt, del, &status, &output, ret < 0 ? NULL : err);
                if (r >= 0 && status != 0 && oci_runtime_has(rt, id)) {
                        char line[1024];
                        r = podrt_error_set(ret < 0 ? NULL : err, EIO, "app %s: %s delete: exit status %d: %s",
                                            podrt_app_name(app), rt->name, status,
                                            oci_last_line(output, line, sizeof line));
                }
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

/* The runtime's own failure, from its log: an error line, and for runc one
 * that ended its run ("runc run failed: ..."), not a complaint it logged
 * while the app ran. */
char *runtime_failure(const struct oci_runtime *rt, struct podrt_app *app) {
        _cleanup_free_ char *log = oci_app_path(app, "runtime.log");
        char *msg = log ? oci_runtime_log_error(log) : NULL;
        if (msg && rt && strcmp(rt->name, "runc") == 0 && !strstr(msg, "runc run failed")) {
                free(msg);
                return NULL;
        }
        return msg;
}

static int oci_state(void *data, struct podrt_pod *pod, uint64_t flags,
                     struct podrt_error **err) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        if (pod_runtime(pod, &rt, NULL) < 0)
                return 0;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                int code = podrt_app_exit_code(app);
                bool ended;
                /* The monitor asks when an app's runtime process has ended,
                 * before it records that process's status: a runtime that
                 * could not start the container gets the status of the
                 * command line's contract instead of its own 1.  Asked
                 * later, an app recorded with the runtime's 1 (or 255). */
                if (podrt_app_state(app) == PODRT_APP_RUNNING) {
                        ended = !process_alive(podrt_app_pid(app));
                        /* Running: the app's pid becomes its container's
                         * process (start recorded the runtime's `run`, which
                         * the monitor keeps waiting for), so that what is
                         * told the pid (poststart hooks, status) finds the
                         * app, in its namespaces.  Just after start this
                         * waits for the runtime to make the container. */
                        if (!ended && wait_container(rt, app)) {
                                pid_t pid = container_pid(rt, app);
                                if (pid > 0)
                                        podrt_app_set_pid(app, pid);
                        }
                } else
                        ended = podrt_app_state(app) == PODRT_APP_EXITED && (code == 1 || code == 255);
                if (!ended)
                        continue;
                _cleanup_free_ char *msg = runtime_failure(rt, app);
                if (msg)
                        podrt_app_set_exited(app, oci_failure_exit_code(msg));
        }
        return 0;
}

/* ---- exec --------------------------------------------------------------- */

static int oci_exec_process(void *data, struct podrt_pod *pod, struct podrt_app *app,
                            const char *const *argv, const struct podrt_exec_process *proc,
                            uint64_t flags, struct podrt_error **err) {
        struct oci_data *d = data;
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = NULL;
        int r = pod_runtime(pod, &rt, err);
        if (r == -ENOENT)
                return podrt_error_set(err, ESRCH, "app %s is not running", podrt_app_name(app));
        if (r < 0)
                return r;
        if (!argv || !argv[0])
                return podrt_error_set(err, EINVAL, "exec: no command");

        /* Just after start the runtime may still be setting it up. */
        if (!wait_container(rt, app))
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
