/* SPDX-License-Identifier: Apache-2.0 */
/* A backend built against the ABI 1.0 headers (tests/abi-1.0/include, the
 * installed headers before 1.1), as a plugin built and installed before
 * 1.1 is: its descriptor ends at the hooks pointer, its host struct is
 * version 1.  The core must load it and run pods on it.  Apps run as plain
 * host processes in their rootfs, as the mock backend's do. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <podrt/podrt.h>

#if PODRT_ABI_MAJOR != 1 || PODRT_ABI_MINOR != 0
#error "built against the wrong headers: this plugin must see ABI 1.0's"
#endif

static int old_create(void *data, struct podrt_pod *pod, uint64_t flags,
                      struct podrt_error **err) {
        return 0;
}

static int start_app(struct podrt_app *app, struct podrt_error **err) {
        const char *const *argv = podrt_app_command(app);
        if (!argv || !argv[0])
                return podrt_error_set(err, EINVAL, "old: app %s has no command",
                                       podrt_app_name(app));
        pid_t pid = fork();
        if (pid < 0)
                return podrt_error_set(err, errno, "old: fork: %s", strerror(errno));
        if (pid == 0) {
                int out = podrt_app_stdout_fd(app), errfd = podrt_app_stderr_fd(app);
                if (out >= 0)
                        out = fcntl(out, F_DUPFD_CLOEXEC, 3);
                if (errfd >= 0)
                        errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 3);
                if ((out >= 0 && dup2(out, 1) < 0) || (errfd >= 0 && dup2(errfd, 2) < 0))
                        _exit(126);
                setpgid(0, 0);
                if (podrt_app_rootfs(app) && chdir(podrt_app_rootfs(app)) < 0)
                        _exit(126);
                static char *const empty[] = { NULL };
                const char *const *env = podrt_app_env(app);
                execvpe(argv[0], (char *const *)argv, env ? (char *const *)env : empty);
                _exit(errno == ENOENT ? 127 : 126);
        }
        setpgid(pid, pid);
        podrt_app_set_pid(app, pid);
        return 0;
}

static int old_start(void *data, struct podrt_pod *pod, uint64_t flags,
                     struct podrt_error **err) {
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                int r = start_app(podrt_pod_app(pod, i), err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int old_kill(void *data, struct podrt_pod *pod, int signo, uint64_t flags,
                    struct podrt_error **err) {
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                struct podrt_app *app = podrt_pod_app(pod, i);
                if (podrt_app_state(app) == PODRT_APP_RUNNING && podrt_app_pid(app) > 0)
                        kill(-podrt_app_pid(app), signo);
        }
        return 0;
}

static int old_delete(void *data, struct podrt_pod *pod, uint64_t flags,
                      struct podrt_error **err) {
        return 0;
}

static const struct podrt_pod_ops old_pod_ops = {
        .version = PODRT_POD_OPS_VERSION,
        .size = sizeof(struct podrt_pod_ops),
        .create = old_create,
        .start = old_start,
        .kill = old_kill,
        .delete = old_delete,
};

static const struct podrt_plugin old_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "old",
        .version = "1.0.0",
        .description = "test: a backend built against the ABI 1.0 headers",
        .pod = &old_pod_ops,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &old_plugin;
}
