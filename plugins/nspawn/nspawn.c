/* SPDX-License-Identifier: Apache-2.0 */
/* The nspawn backend: a pod is one systemd-nspawn with podrt-init as its
 * PID 1, as rkt's default stage1 ran pods (docs/nspawn.md).
 *
 * create builds the pod root (podroot.c) and its description; start runs
 * nspawn as a child of the monitor, every app's pid being nspawn's, with the
 * apps' output pipes passed into the container (LISTEN_FDS) where podrt-init
 * opens them as each app's stdout and stderr; state reads the per-app status
 * files podrt-init writes.  On hosts whose PID 1 is not systemd, podrt puts
 * nspawn in cgroups of its own (cgroup.c): limits, pause and delete use
 * them. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <podrt/podrt.h>

#include "argv.h"
#include "capsets.h"
#include "cgroup.h"
#include "check.h"
#include "enter.h"
#include "errors.h"
#include "fileio.h"
#include "nspawn.h"
#include "podroot.h"
#include "proc.h"
#include "spawn.h"
#include "strv.h"

#define EXEC_WAIT_MS 5000
#define KILL_WAIT_MS 5000
#define NSPAWN_RUN_DIR "/run/systemd/nspawn"

static void sleep_ms(long ms) {
        nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 }, NULL);
}

/* ---- init --------------------------------------------------------------- */

static int nspawn_init(const struct podrt_host *host, void **ret_data, struct podrt_error **err) {
        const char *binary = podrt_config_string(host->config, "nspawn.binary", "systemd-nspawn");
        if (!binary || !*binary)
                return podrt_error_set(err, EINVAL, "nspawn.binary: empty");
        struct nspawn_data *d = calloc(1, sizeof(*d));
        if (!d)
                return podrt_error_set(err, ENOMEM, "out of memory");
        d->host = host;
        d->binary = strdup(binary);
        if (asprintf(&d->init, "%s/podrt-init", host->libexec_dir ? host->libexec_dir : "") < 0)
                d->init = NULL;
        if (!d->binary || !d->init) {
                free(d->binary);
                free(d->init);
                free(d);
                return podrt_error_set(err, ENOMEM, "out of memory");
        }
        /* sd_booted(): systemd's own test for "PID 1 is systemd". */
        d->systemd = access("/run/systemd/system/", F_OK) == 0;
        d->cap_last = nspawn_caps_last();
        *ret_data = d;
        return 0;
}

static void nspawn_fini(void *data) {
        struct nspawn_data *d = data;
        if (!d)
                return;
        free(d->binary);
        free(d->init);
        free(d);
}

struct nspawn_host_info nspawn_host_info_of(const struct nspawn_data *d) {
        return (struct nspawn_host_info){
                .binary = d->binary, .init = d->init, .systemd = d->systemd, .cap_last = d->cap_last,
        };
}

/* ---- create ------------------------------------------------------------- */

/* 1 when name is an executable file, as a path or on PATH. */
static int program_exists(const char *name) {
        if (strchr(name, '/'))
                return access(name, X_OK) == 0;
        const char *path = getenv("PATH");
        if (!path)
                path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
        for (const char *p = path;;) {
                const char *end = strchr(p, ':');
                size_t len = end ? (size_t)(end - p) : strlen(p);
                char full[4096];
                if (len && snprintf(full, sizeof full, "%.*s/%s", (int)len, p, name) < (int)sizeof full &&
                    access(full, X_OK) == 0)
                        return 1;
                if (!end)
                        return 0;
                p = end + 1;
        }
}

static int nspawn_create(void *data, struct podrt_pod *pod, uint64_t flags,
                         struct podrt_error **err) {
        struct nspawn_data *d = data;
        if (access(d->init, X_OK) < 0)
                return podrt_error_set(err, errno, "podrt-init: %s: %s (build or install podrt, or set PODRT_LIBEXEC_DIR)",
                                       d->init, strerror(errno));
        if (!program_exists(d->binary))
                return podrt_error_set(err, ENOENT, "nspawn.binary: %s: not found (is systemd-container installed?)",
                                       d->binary);
        struct nspawn_host_info h = nspawn_host_info_of(d);
        _cleanup_(initspec_freep) struct initspec *spec = NULL;
        _cleanup_(nspawn_config_freep) struct nspawn_config *c = NULL;
        _cleanup_strv_free_ char **argv = NULL;
        int r;
        /* Everything is checked before anything is made. */
        if ((r = nspawn_pod_spec(pod, d->cap_last, &spec, err)) < 0 ||
            (r = nspawn_pod_config(pod, &h, &c, err)) < 0 ||
            (r = nspawn_build_argv(c, &argv, err)) < 0)
                return r;
        return nspawn_podroot_create(pod, spec, err);
}

/* ---- start -------------------------------------------------------------- */

static int open_append(const char *path, bool truncate, struct podrt_error **err) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | (truncate ? O_TRUNC : 0), 0640);
        if (fd < 0)
                return podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
        return fd;
}

/* Removes what podrt-init wrote in a run before (status and pid files). */
static void forget_run(struct podrt_pod *pod) {
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                const char *name = podrt_app_name(podrt_pod_app(pod, i));
                for (int k = 0; k < 2; k++) {
                        _cleanup_free_ char *rel = NULL, *path = NULL;
                        if (asprintf(&rel, "nspawn/root/podrt/%s/%s", k ? "pids" : "status", name) >= 0 &&
                            (path = nspawn_pod_path(pod, rel)))
                                (void)unlink(path);
                }
        }
}

static int nspawn_start(void *data, struct podrt_pod *pod, uint64_t flags,
                        struct podrt_error **err) {
        struct nspawn_data *d = data;
        struct nspawn_host_info h = nspawn_host_info_of(d);
        _cleanup_(nspawn_config_freep) struct nspawn_config *c = NULL;
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_free_ char *root = nspawn_pod_path(pod, "nspawn/root");
        _cleanup_free_ char *log = nspawn_pod_path(pod, "nspawn/nspawn.log");
        int r;
        if (!root || !log)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if (access(root, F_OK) < 0)
                return podrt_error_set(err, ENOENT, "pod %s has no pod root: create it again",
                                       podrt_pod_name(pod));
        /* The description again: the pod may have gained or lost apps
         * since create (podrt app add / rm, apps.c). */
        _cleanup_(initspec_freep) struct initspec *spec = NULL;
        if ((r = nspawn_pod_config(pod, &h, &c, err)) < 0 || (r = nspawn_build_argv(c, &argv, err)) < 0 ||
            (r = nspawn_pod_spec(pod, d->cap_last, &spec, err)) < 0 || (r = nspawn_podroot_refresh(pod, spec, err)) < 0)
                return r;
        forget_run(pod);

        size_t n = podrt_pod_n_apps(pod);
        /* Each app's stdout and stderr, then the first app's stdin. */
        int fds[2 * n + 1], own[2 * n + 1];
        for (size_t i = 0; i < 2 * n + 1; i++)
                fds[i] = own[i] = -1;
        _cleanup_close_ int log_fd = open_append(log, true, err);
        if (log_fd < 0)
                return log_fd;
        r = 0;
        for (size_t i = 0; i < n && r >= 0; i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                fds[2 * i] = podrt_app_stdout_fd(app);
                fds[2 * i + 1] = podrt_app_stderr_fd(app);
                for (int k = 0; k < 2 && r >= 0; k++)
                        if (fds[2 * i + k] < 0) {
                                r = own[2 * i + k] = open_append(podrt_app_log_path(app), false, err);
                                fds[2 * i + k] = own[2 * i + k];
                        }
        }

        if (r >= 0 && (fds[2 * n] = n ? podrt_app_stdin_fd(podrt_pod_app(pod, 0)) : -1) < 0 &&
            (fds[2 * n] = own[2 * n] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
                r = podrt_error_set(err, errno, "/dev/null: %m");
        struct nspawn_cgroups cg = { 0 };
        pid_t pid = 0;
        if (r >= 0 && !d->systemd)
                r = nspawn_cgroups_create(pod, c->memory_bytes, c->cpu_millis, c->pids, &cg, err);
        if (r >= 0) {
                r = nspawn_spawn(argv, fds, 2 * n + 1, log_fd, d->systemd ? NULL : &cg, &pid, err);
                if (r < 0)
                        nspawn_cgroups_remove(pod, NULL);
        }
        nspawn_cgroups_done(&cg);
        for (size_t i = 0; i < 2 * n + 1; i++)
                if (own[i] >= 0)
                        close(own[i]);
        if (r < 0)
                return podrt_error_set(err, r, "systemd-nspawn");
        if ((r = nspawn_pid_save(pod, pid)) < 0) {
                kill(pid, SIGKILL);
                return podrt_error_set(err, r, "recording nspawn's pid: %s", strerror(-r));
        }
        for (size_t i = 0; i < n; i++)
                podrt_app_set_pid(podrt_pod_app(pod, i), pid);
        return 0;
}

/* ---- kill, stop, pause, resume ------------------------------------------ */

/* Kills every process of the pod: its cgroups when podrt made them, else the
 * container's PID 1 (the PID namespace goes with it) and nspawn. */
static void kill_all(struct podrt_pod *pod, pid_t nspawn) {
        struct nspawn_cgroups cg;
        pid_t leader = nspawn_leader(nspawn);
        if (nspawn_cgroups_load(pod, &cg) >= 0) {
                nspawn_cgroups_kill(&cg, SIGKILL);
                nspawn_cgroups_done(&cg);
        }
        if (leader > 0)
                kill(leader, SIGKILL);
        if (nspawn > 0)
                kill(nspawn, SIGKILL);
}

static int nspawn_kill(void *data, struct podrt_pod *pod, int signo, uint64_t flags,
                       struct podrt_error **err) {
        pid_t nspawn = nspawn_pid_running(pod);
        if (nspawn <= 0)
                return 0;
        if (signo == SIGKILL) {
                kill_all(pod, nspawn);
                return 0;
        }
        pid_t leader = nspawn_leader(nspawn);
        /* podrt-init forwards these to every app (and knows not to start an
         * app whose pre-start is still running). */
        if (signo == SIGTERM || signo == SIGINT || signo == SIGHUP) {
                if (kill(leader > 0 ? leader : nspawn, signo) < 0 && errno != ESRCH)
                        return podrt_error_set(err, errno, "kill: %s", strerror(errno));
                return 0;
        }
        int sent = 0;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                pid_t p = nspawn_app_pid(pod, podrt_pod_app(pod, i), leader);
                if (p > 0 && kill(p, signo) == 0)
                        sent++;
        }
        if (!sent && leader > 0 && kill(leader, signo) < 0 && errno != ESRCH)
                return podrt_error_set(err, errno, "kill: %s", strerror(errno));
        return 0;
}

static int nspawn_stop(void *data, struct podrt_pod *pod, uint32_t timeout_sec, uint64_t flags,
                       struct podrt_error **err) {
        pid_t nspawn = nspawn_pid_running(pod);
        if (nspawn <= 0)
                return 0;
        /* nspawn passes SIGTERM on to podrt-init (--kill-signal=SIGTERM). */
        if (kill(nspawn, SIGTERM) < 0)
                return errno == ESRCH ? 0 : podrt_error_set(err, errno, "kill: %s", strerror(errno));
        if (nspawn_wait_gone(nspawn, (int)timeout_sec * 1000))
                return 0;
        kill_all(pod, nspawn);
        return 0;
}

static int pause_resume(struct podrt_pod *pod, bool freeze, struct podrt_error **err) {
        if (nspawn_pid_running(pod) <= 0)
                return podrt_error_set(err, ESRCH, "pod %s is not running", podrt_pod_name(pod));
        struct nspawn_cgroups cg;
        int r = nspawn_cgroups_load(pod, &cg);
        if (r == -ENOENT)
                return podrt_error_set(err, ENOTSUP, "pod %s has no cgroups of podrt's (a systemd host): "
                                       "pause is not supported", podrt_pod_name(pod));
        if (r < 0)
                return podrt_error_set(err, r, "reading the pod's cgroups: %s", strerror(-r));
        r = nspawn_cgroups_freeze(&cg, freeze, err);
        nspawn_cgroups_done(&cg);
        return r;
}

static int nspawn_pause(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        return pause_resume(pod, true, err);
}

static int nspawn_resume(void *data, struct podrt_pod *pod, uint64_t flags, struct podrt_error **err) {
        return pause_resume(pod, false, err);
}

/* ---- delete ------------------------------------------------------------- */

/* What nspawn keeps under /run/systemd/nspawn for a container and leaves
 * there when it is killed: its propagation directory and the lock of the
 * pod root (taken only when nobody holds it). */
static void remove_nspawn_leftovers(struct podrt_pod *pod, const struct stat *root_st) {
        _cleanup_free_ char *machine = nspawn_machine_name(podrt_pod_id(pod)), *prop = NULL;
        if (machine && asprintf(&prop, NSPAWN_RUN_DIR "/propagate/%s", machine) >= 0)
                (void)rm_rf(prop);
        if (!root_st)
                return;
        char lock[256];
        snprintf(lock, sizeof lock, NSPAWN_RUN_DIR "/locks/inode-%lu:%lu", (unsigned long)root_st->st_dev,
                 (unsigned long)root_st->st_ino);
        _cleanup_close_ int fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
                (void)unlink(lock);
}

static int nspawn_delete(void *data, struct podrt_pod *pod, uint64_t flags,
                         struct podrt_error **err) {
        pid_t nspawn = nspawn_pid_running(pod);
        if (nspawn > 0) {
                struct nspawn_cgroups cg;
                if (nspawn_cgroups_load(pod, &cg) >= 0) {
                        nspawn_cgroups_freeze(&cg, false, NULL);
                        nspawn_cgroups_done(&cg);
                }
                kill_all(pod, nspawn);
                nspawn_wait_gone(nspawn, KILL_WAIT_MS);
        }
        int ret = 0, r;
        r = nspawn_cgroups_remove(pod, err);
        if (r < 0)
                ret = r;
        _cleanup_free_ char *root = nspawn_pod_path(pod, "nspawn/root");
        struct stat st;
        bool have_root = root && stat(root, &st) == 0;
        remove_nspawn_leftovers(pod, have_root ? &st : NULL);
        r = nspawn_podroot_remove(pod, ret < 0 ? NULL : err);
        if (r < 0 && ret == 0)
                ret = r;
        return ret;
}

/* ---- state -------------------------------------------------------------- */

struct app_status {
        struct podrt_app *app;
        int code;
        struct timespec when;
};

static int by_time(const void *a, const void *b) {
        const struct app_status *x = a, *y = b;
        if (x->when.tv_sec != y->when.tv_sec)
                return x->when.tv_sec < y->when.tv_sec ? -1 : 1;
        if (x->when.tv_nsec != y->when.tv_nsec)
                return x->when.tv_nsec < y->when.tv_nsec ? -1 : 1;
        return x->app < y->app ? -1 : x->app > y->app;
}

/* nspawn's own messages (and podrt-init's, before any app), minus the
 * noise nspawn prints when /run is not a tmpfs; emptied once reported. */
static void report_nspawn_log(struct nspawn_data *d, struct podrt_pod *pod, int status) {
        _cleanup_free_ char *path = nspawn_pod_path(pod, "nspawn/nspawn.log"), *text = NULL;
        if (!path || read_file(path, 0, &text, NULL) < 0)
                return;
        if (strstr(text, "\n(reported)\n"))
                return;
        d->host->log(d->host, PODRT_LOG_ERR, "pod %s: systemd-nspawn exited with status %d before "
                     "podrt-init started the apps%s", podrt_pod_name(pod), status, *text ? ":" : "");
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
                if (!strstr(line, "Attempted to remove disk file system") && *line)
                        d->host->log(d->host, PODRT_LOG_ERR, "pod %s: %s", podrt_pod_name(pod), line);
        /* Said once, though the monitor asks for the state more than once. */
        _cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd >= 0)
                (void)!write(fd, "\n(reported)\n", 12);
}

static int nspawn_state(void *data, struct podrt_pod *pod, uint64_t flags,
                        struct podrt_error **err) {
        struct nspawn_data *d = data;
        size_t n = podrt_pod_n_apps(pod), k = 0;
        struct app_status st[n];
        int nspawn_status = -1;
        for (size_t i = 0; i < n; i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                int code;
                struct timespec when;
                if (nspawn_read_status(pod, app, "status", &code, &when)) {
                        st[k++] = (struct app_status){ .app = app, .code = code, .when = when };
                        continue;
                }
                /* nspawn ended (the monitor gave the app its status) and
                 * podrt-init never started the app: nspawn, or podrt-init
                 * itself, failed.  That is podrt failing: 125. */
                if (podrt_app_state(app) == PODRT_APP_EXITED && podrt_app_exit_code(app) < 128 &&
                    !nspawn_read_status(pod, app, "pids", NULL, NULL)) {
                        if (podrt_app_exit_code(app) != 125) {
                                nspawn_status = podrt_app_exit_code(app);
                                podrt_app_set_exited(app, 125);
                        }
                }
        }
        /* In the order the apps ended, so that the first one that failed is
         * the pod's status. */
        qsort(st, k, sizeof(st[0]), by_time);
        for (size_t i = 0; i < k; i++)
                if (podrt_app_state(st[i].app) != PODRT_APP_EXITED ||
                    podrt_app_exit_code(st[i].app) != st[i].code)
                        podrt_app_set_exited(st[i].app, st[i].code);
        if (nspawn_status >= 0)
                report_nspawn_log(d, pod, nspawn_status);
        /* Once nspawn is gone, the pod's cgroups go too: a stopped pod keeps
         * its files until delete, not cgroups. */
        bool all = true;
        for (size_t i = 0; i < n; i++)
                all = all && podrt_app_state(podrt_pod_app(pod, i)) == PODRT_APP_EXITED;
        if (all && nspawn_pid_running(pod) <= 0)
                return nspawn_cgroups_remove(pod, err);
        return 0;
}

/* ---- exec --------------------------------------------------------------- */

static int nspawn_exec_process(void *data, struct podrt_pod *pod, struct podrt_app *app,
                               const char *const *argv, const struct podrt_exec_process *proc,
                               uint64_t flags, struct podrt_error **err) {
        struct nspawn_data *d = data;
        if (!argv || !argv[0])
                return podrt_error_set(err, EINVAL, "exec: no command");
        /* Just after start, nspawn may still be setting the pod up. */
        pid_t target = 0;
        for (int waited = 0;; waited += 10) {
                pid_t nspawn = nspawn_pid_running(pod);
                if (nspawn > 0)
                        target = nspawn_app_pid(pod, app, nspawn_leader(nspawn));
                if (target > 0)
                        break;
                if (nspawn <= 0 || waited >= EXEC_WAIT_MS || nspawn_read_status(pod, app, "status", NULL, NULL))
                        return podrt_error_set(err, ESRCH, "app %s is not running", podrt_app_name(app));
                sleep_ms(10);
        }
        uint64_t caps;
        if (nspawn_caps_app(podrt_app_caps_add(app), podrt_app_caps_drop(app), &caps) < 0)
                return podrt_error_set(err, EINVAL, "app %s: unknown capability", podrt_app_name(app));
        struct nspawn_cgroups cg = { 0 };
        (void)nspawn_cgroups_load(pod, &cg);
        size_t n_groups = 0;
        const uint32_t *groups = podrt_app_groups(app, &n_groups);
        struct nspawn_enter e = {
                .target = target,
                .argv = argv,
                .env = podrt_app_env(app),
                .workdir = podrt_app_working_dir(app),
                .uid = podrt_app_uid(app),
                .gid = podrt_app_gid(app),
                .groups = groups,
                .n_groups = n_groups,
                .caps = caps,
                .cap_last = d->cap_last,
                .cgroup_dirs = cg.dirs,
        };
        if (proc && proc->env)
                e.env = proc->env;
        if (proc && proc->cwd)
                e.workdir = proc->cwd;
        if (proc && (proc->flags & PODRT_EXEC_PROCESS_USER))
                e.uid = proc->uid, e.gid = proc->gid, e.groups = proc->groups, e.n_groups = proc->n_groups;
        int r = nspawn_enter_exec(&e, err);
        nspawn_cgroups_done(&cg);
        if (r < 0)
                return podrt_error_set(err, r, "app %s", podrt_app_name(app));
        return r;
}

int nspawn_exec(void *data, struct podrt_pod *pod, struct podrt_app *app,
                       const char *const *argv, uint64_t flags, struct podrt_error **err) {
        return nspawn_exec_process(data, pod, app, argv, NULL, flags, err);
}

/* The pod's cgroups carry its limits (one set for all its apps). */
static int nspawn_update(void *data, struct podrt_pod *pod, struct podrt_app *app,
                         const struct podrt_resources *res, uint64_t flags, struct podrt_error **err) {
        (void)data;
        if (app && podrt_pod_n_apps(pod) > 1)
                return podrt_error_set(err, EOPNOTSUPP, "nspawn: limits are the pod's, not app %s's alone",
                                       podrt_app_name(app));
        return nspawn_cgroups_update(pod, res->memory_bytes, res->cpu_millis, res->pids, err);
}

/* ---- the descriptor ------------------------------------------------------- */

static const struct podrt_pod_ops nspawn_pod_ops = {
        .version = PODRT_POD_OPS_VERSION,
        .size = sizeof(struct podrt_pod_ops),
        /* The core runs the OCI hooks. */
        .features = 0,
        .create = nspawn_create,
        .start = nspawn_start,
        .stop = nspawn_stop,
        .kill = nspawn_kill,
        .pause = nspawn_pause,
        .resume = nspawn_resume,
        .delete = nspawn_delete,
        .state = nspawn_state,
        .exec = nspawn_exec,
        .exec_process = nspawn_exec_process,
        .update = nspawn_update,
};

static int nspawn_check(void *data, struct podrt_check *check, uint64_t flags,
                        struct podrt_error **err) {
        return nspawn_host_check(((struct nspawn_data *)data)->host, check, err);
}

static const struct podrt_plugin nspawn_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "nspawn",
        .version = "0.1.0",
        .description = "pods under systemd-nspawn, podrt-init as PID 1 (rkt's stage1 flavor)",
        .init = nspawn_init,
        .fini = nspawn_fini,
        .pod = &nspawn_pod_ops,
        .container = &nspawn_container_ops,   /* apps.c */
        .check = nspawn_check,
        .config_check = nspawn_config_check,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &nspawn_plugin;
}
