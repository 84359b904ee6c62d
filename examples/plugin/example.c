/* SPDX-License-Identifier: Apache-2.0 */
/* example: a complete podrt backend plugin, built out of tree.
 *
 * It runs each app of a pod as a plain process on the host, in the app's
 * rootfs directory, with the app's environment: no isolation at all, which
 * keeps the example short.  A real backend would create namespaces, cgroups,
 * an OCI bundle or a VM here.
 *
 * Provided: pod ops create, start, kill, delete, state.  Not provided: stop
 * (the core then stops the pod with SIGTERM through kill, and SIGKILL after
 * the timeout), pause, resume and exec (podrt reports "plugin 'example' does
 * not support pod.exec").
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <podrt/podrt.h>

/* What init hands every method: the plugin's private data. */
struct example {
        const struct podrt_host *host;
};

static int example_init(const struct podrt_host *host, void **ret_data,
                        struct podrt_error **err) {
        /* The host struct grows at its end: check the size before reading a
         * field newer than ABI 1.0.  Everything used here is 1.0. */
        struct example *ex = calloc(1, sizeof(*ex));
        if (!ex)
                return podrt_error_set(err, ENOMEM, "out of memory");
        ex->host = host;
        host->log(host, PODRT_LOG_DEBUG, "ready, state dir %s", host->state_dir);
        *ret_data = ex;
        return 0;
}

static void example_fini(void *data) {
        free(data);
}

static int example_create(void *data, struct podrt_pod *pod, uint64_t flags,
                          struct podrt_error **err) {
        /* Nothing to build: check what start will need. */
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                const char *const *argv = podrt_app_command(app);
                if (!argv || !argv[0])
                        return podrt_error_set(err, EINVAL, "app %s: no command",
                                               podrt_app_name(app));
        }
        return 0;
}

/* In the child: fd on target (fd may be anything, even target). */
static int put_fd(int fd, int target) {
        if (fd < 0)
                return 0;
        if (fd == target)
                return fcntl(fd, F_SETFD, 0);
        return dup2(fd, target) < 0 ? -1 : 0;
}

static _Noreturn void run_app(struct podrt_app *app) {
        /* Lift the output fds above 2 first, so that neither dup2() lands
         * on the other. */
        int out = podrt_app_stdout_fd(app), errfd = podrt_app_stderr_fd(app);
        if (out >= 0)
                out = fcntl(out, F_DUPFD_CLOEXEC, 3);
        if (errfd >= 0)
                errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 3);
        if (put_fd(out, STDOUT_FILENO) < 0 || put_fd(errfd, STDERR_FILENO) < 0)
                _exit(126);

        /* A clean fd table: only 0, 1 and 2 reach the app. */
        if (syscall(SYS_close_range, 3u, ~0u, 0u) < 0)
                for (int fd = 3; fd < 1024; fd++)
                        close(fd);

        setpgid(0, 0);
        const char *rootfs = podrt_app_rootfs(app);
        if (rootfs && rootfs[0] && chdir(rootfs) < 0) {
                fprintf(stderr, "example: chdir %s: %m\n", rootfs);
                _exit(126);
        }
        const char *const *argv = podrt_app_command(app);
        execvpe(argv[0], (char *const *)argv, (char *const *)podrt_app_env(app));
        int e = errno;
        fprintf(stderr, "example: %s: %s\n", argv[0], strerror(e));
        _exit(e == ENOENT ? 127 : 126);
}

static int example_start(void *data, struct podrt_pod *pod, uint64_t flags,
                         struct podrt_error **err) {
        struct example *ex = data;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                pid_t pid = fork();
                if (pid < 0)
                        return podrt_error_set(err, errno, "app %s: fork: %m", podrt_app_name(app));
                if (pid == 0)
                        run_app(app);
                setpgid(pid, pid);
                /* The core's monitor waits for this process: its exit is the
                 * app's exit. */
                podrt_app_set_pid(app, pid);
                ex->host->log(ex->host, PODRT_LOG_INFO, "app %s started as %d",
                              podrt_app_name(app), (int)pid);
        }
        return 0;
}

static int example_kill(void *data, struct podrt_pod *pod, int signo, uint64_t flags,
                        struct podrt_error **err) {
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                pid_t pid = podrt_app_pid(app);
                if (podrt_app_state(app) != PODRT_APP_RUNNING || pid <= 0)
                        continue;
                if (kill(-pid, signo) < 0 && kill(pid, signo) < 0 && errno != ESRCH)
                        return podrt_error_set(err, errno, "app %s: kill: %m",
                                               podrt_app_name(app));
        }
        return 0;
}

static int example_delete(void *data, struct podrt_pod *pod, uint64_t flags,
                          struct podrt_error **err) {
        /* start made nothing on disk: nothing to remove.  delete must succeed
         * on a half-created pod, and again. */
        return 0;
}

static int example_state(void *data, struct podrt_pod *pod, uint64_t flags,
                         struct podrt_error **err) {
        /* The monitor sees the apps exit itself (they are its children). */
        return 0;
}

static const struct podrt_pod_ops example_pod_ops = {
        .version = PODRT_POD_OPS_VERSION,
        .size = sizeof(struct podrt_pod_ops),
        .create = example_create,
        .start = example_start,
        .kill = example_kill,
        .delete = example_delete,
        .state = example_state,
};

static const struct podrt_plugin example_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "example",
        .version = "1.0",
        .description = "example backend: apps as plain host processes",
        .init = example_init,
        .fini = example_fini,
        .pod = &example_pod_ops,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &example_plugin;
}
