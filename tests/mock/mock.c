/* SPDX-License-Identifier: Apache-2.0 */
/* The mock backend: the tests' pod backend, loaded through the real loader
 * from build/tests/mock/mock.so.
 *
 * It runs each app as a plain host process, without any isolation: the
 * child chdir()s to the app's rootfs, gets the app's output fds on 1 and 2,
 * a clean fd table, a process group of its own, and execvpe()s the app's
 * command with podrt_app_env().  A command that cannot be executed exits 127
 * (not found) or 126 (anything else), as a shell's would.
 *
 * Pod ops: create, start, kill, pause, resume, delete, state, exec.  There is
 * no stop: the core then stops a pod with SIGTERM through kill, and SIGKILL
 * after the timeout, which is what the tests of that path want.
 * Container ops: start, kill, exec, state, remove, for one app.  Built
 * with MOCK_NO_CONTAINER_OPS it is "mock-pods" (mock-pods.so), the same
 * backend without them: a backend that cannot change a running pod's apps.
 *
 * For the tests:
 *  - $PODRT_MOCK_LOG: every call appends a line "<op> <pod name>" (container
 *    ops: "container.<op> <pod name>"), the file opened O_APPEND each time.
 *  - $PODRT_MOCK_FAIL="start:EIO,delete:ENOENT": the named ops fail with
 *    that errno (a name or a number) and the message
 *    "mock: <op> failed on request".  The call is still logged.
 *  - $PODRT_MOCK_SILENT=1: they fail without setting *err (a plugin's
 *    bug), so that the core's own message is tested.
 *  - $PODRT_MOCK_PLUGIN_LOG: init and fini append "init mock" / "fini mock".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <podrt/podrt.h>

static void append_line(const char *env, const char *op, const char *what) {
        const char *path = getenv(env);
        if (!path || !path[0])
                return;
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return;
        char line[512];
        int n = snprintf(line, sizeof(line), "%s %s\n", op, what ? what : "");
        if (n > 0) {
                size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
                ssize_t w = write(fd, line, len);
                (void)w;
        }
        close(fd);
}

static const struct {
        const char *name;
        int code;
} errno_names[] = {
        { "EPERM", EPERM },       { "ENOENT", ENOENT },       { "ESRCH", ESRCH },
        { "EINTR", EINTR },       { "EIO", EIO },             { "E2BIG", E2BIG },
        { "EBADF", EBADF },       { "ECHILD", ECHILD },       { "EAGAIN", EAGAIN },
        { "ENOMEM", ENOMEM },     { "EACCES", EACCES },       { "EBUSY", EBUSY },
        { "EEXIST", EEXIST },     { "ENODEV", ENODEV },       { "ENOTDIR", ENOTDIR },
        { "EISDIR", EISDIR },     { "EINVAL", EINVAL },       { "ENOSPC", ENOSPC },
        { "EROFS", EROFS },       { "ENOSYS", ENOSYS },       { "ENOTSUP", ENOTSUP },
        { "EOPNOTSUPP", EOPNOTSUPP }, { "ETIMEDOUT", ETIMEDOUT }, { "ECANCELED", ECANCELED },
        { "ECONNREFUSED", ECONNREFUSED }, { "EHOSTDOWN", EHOSTDOWN }, { "EPROTO", EPROTO },
};

static int parse_errno(const char *s, size_t len) {
        for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
                if (strlen(errno_names[i].name) == len && strncmp(errno_names[i].name, s, len) == 0)
                        return errno_names[i].code;
        int code = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return EIO;
                code = code * 10 + (s[i] - '0');
                if (code > 4095)
                        return EIO;
        }
        return code > 0 ? code : EIO;
}

/* The errno $PODRT_MOCK_FAIL asks op to fail with, or 0. */
static int requested_failure(const char *op) {
        const char *spec = getenv("PODRT_MOCK_FAIL");
        size_t oplen = strlen(op);
        while (spec && *spec) {
                size_t len = strcspn(spec, ",");
                const char *colon = memchr(spec, ':', len);
                size_t namelen = colon ? (size_t)(colon - spec) : len;
                if (namelen == oplen && strncmp(spec, op, oplen) == 0)
                        return colon ? parse_errno(colon + 1, len - namelen - 1) : EIO;
                spec += len;
                if (*spec == ',')
                        spec++;
        }
        return 0;
}

/* Logs the call; fails it when asked to. */
static int record(const char *op, const struct podrt_pod *pod, struct podrt_error **err) {
        append_line("PODRT_MOCK_LOG", op, pod ? podrt_pod_name(pod) : "");
        int code = requested_failure(op);
        if (code && getenv("PODRT_MOCK_SILENT"))
                return -code;
        if (code)
                return podrt_error_set(err, code, "mock: %s failed on request", op);
        return 0;
}

/* In a child: everything but 0, 1 and 2 closed. */
static void close_other_fds(void) {
        if (syscall(SYS_close_range, 3u, ~0u, 0u) == 0)
                return;
        long max = sysconf(_SC_OPEN_MAX);
        for (long fd = 3; fd < (max > 0 ? max : 1024); fd++)
                close((int)fd);
}

/* In a child: exec argv with env in the app's rootfs; never returns. */
static _Noreturn void child_exec(const char *rootfs, const char *const *argv,
                                 const char *const *env) {
        if (rootfs && chdir(rootfs) < 0) {
                fprintf(stderr, "mock: chdir %s: %m\n", rootfs);
                _exit(126);
        }
        close_other_fds();
        static char *const empty_env[] = { NULL };
        execvpe(argv[0], (char *const *)argv, env ? (char *const *)env : empty_env);
        int e = errno;
        fprintf(stderr, "mock: %s: %s\n", argv[0], strerror(e));
        _exit(e == ENOENT ? 127 : 126);
}

/* Puts fd on target in a child; fd may be any number, even target. */
static int move_fd(int fd, int target) {
        if (fd < 0)
                return 0;
        if (fd == target)
                return fcntl(fd, F_SETFD, 0);
        return dup2(fd, target) < 0 ? -1 : 0;
}

static int start_app(struct podrt_app *app, struct podrt_error **err) {
        const char *const *argv = podrt_app_command(app);
        if (!argv || !argv[0])
                return podrt_error_set(err, EINVAL, "mock: app %s has no command",
                                       podrt_app_name(app));

        pid_t pid = fork();
        if (pid < 0)
                return podrt_error_set(err, errno, "mock: app %s: fork: %m", podrt_app_name(app));
        if (pid == 0) {
                /* Lift both fds above 2 first, so that neither dup2() lands
                 * on the other. */
                int out = podrt_app_stdout_fd(app), errfd = podrt_app_stderr_fd(app);
                if (out >= 0)
                        out = fcntl(out, F_DUPFD_CLOEXEC, 3);
                if (errfd >= 0)
                        errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 3);
                if (move_fd(out, STDOUT_FILENO) < 0 || move_fd(errfd, STDERR_FILENO) < 0)
                        _exit(126);
                setpgid(0, 0);
                child_exec(podrt_app_rootfs(app), argv, podrt_app_env(app));
        }
        /* Also from the parent: a kill right after start finds the group. */
        setpgid(pid, pid);
        podrt_app_set_pid(app, pid);
        return 0;
}

/* Sends signo to app's process group and process, when it runs. */
static int signal_app(struct podrt_app *app, int signo, struct podrt_error **err) {
        pid_t pid = podrt_app_pid(app);
        if (podrt_app_state(app) != PODRT_APP_RUNNING || pid <= 0)
                return 0;
        int r1 = kill(-pid, signo) < 0 ? errno : 0;
        int r2 = kill(pid, signo) < 0 ? errno : 0;
        if (r1 && r2 && r2 != ESRCH)
                return podrt_error_set(err, r2, "mock: app %s: kill %d: %s", podrt_app_name(app),
                                       signo, strerror(r2));
        return 0;
}

static int signal_pod(struct podrt_pod *pod, int signo, struct podrt_error **err) {
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                int r = signal_app(podrt_pod_app(pod, i), signo, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int exec_in_app(struct podrt_app *app, const char *const *argv,
                       struct podrt_error **err) {
        if (!argv || !argv[0])
                return podrt_error_set(err, EINVAL, "mock: exec: no command");

        pid_t pid = fork();
        if (pid < 0)
                return podrt_error_set(err, errno, "mock: exec: fork: %m");
        if (pid == 0)
                child_exec(podrt_app_rootfs(app), argv, podrt_app_env(app));

        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return podrt_error_set(err, errno, "mock: exec: waitpid: %m");
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
}

/* ---- pod ops ------------------------------------------------------------ */

static int mock_create(void *data, struct podrt_pod *pod, uint64_t flags,
                       struct podrt_error **err) {
        return record("create", pod, err);
}

static int mock_start(void *data, struct podrt_pod *pod, uint64_t flags,
                      struct podrt_error **err) {
        int r = record("start", pod, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < podrt_pod_n_apps(pod); i++) {
                r = start_app(podrt_pod_app(pod, i), err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int mock_kill(void *data, struct podrt_pod *pod, int signo, uint64_t flags,
                     struct podrt_error **err) {
        int r = record("kill", pod, err);
        return r < 0 ? r : signal_pod(pod, signo, err);
}

static int mock_pause(void *data, struct podrt_pod *pod, uint64_t flags,
                      struct podrt_error **err) {
        int r = record("pause", pod, err);
        return r < 0 ? r : signal_pod(pod, SIGSTOP, err);
}

static int mock_resume(void *data, struct podrt_pod *pod, uint64_t flags,
                       struct podrt_error **err) {
        int r = record("resume", pod, err);
        return r < 0 ? r : signal_pod(pod, SIGCONT, err);
}

static int mock_delete(void *data, struct podrt_pod *pod, uint64_t flags,
                       struct podrt_error **err) {
        return record("delete", pod, err);
}

static int mock_state(void *data, struct podrt_pod *pod, uint64_t flags,
                      struct podrt_error **err) {
        return record("state", pod, err);
}

static int mock_exec(void *data, struct podrt_pod *pod, struct podrt_app *app,
                     const char *const *argv, uint64_t flags, struct podrt_error **err) {
        int r = record("exec", pod, err);
        return r < 0 ? r : exec_in_app(app, argv, err);
}

static const struct podrt_pod_ops mock_pod_ops = {
        .version = PODRT_POD_OPS_VERSION,
        .size = sizeof(struct podrt_pod_ops),
        .create = mock_create,
        .start = mock_start,
        /* .stop: absent on purpose, see the top of this file. */
        .kill = mock_kill,
        .pause = mock_pause,
        .resume = mock_resume,
        .delete = mock_delete,
        .state = mock_state,
        .exec = mock_exec,
};

#ifndef MOCK_NO_CONTAINER_OPS
/* ---- container ops ------------------------------------------------------ */

static int mock_app_start(void *data, struct podrt_app *app, uint64_t flags,
                          struct podrt_error **err) {
        int r = record("container.start", podrt_app_pod(app), err);
        return r < 0 ? r : start_app(app, err);
}

static int mock_app_kill(void *data, struct podrt_app *app, int signo, uint64_t flags,
                         struct podrt_error **err) {
        int r = record("container.kill", podrt_app_pod(app), err);
        return r < 0 ? r : signal_app(app, signo, err);
}

static int mock_app_exec(void *data, struct podrt_app *app, const char *const *argv,
                         uint64_t flags, struct podrt_error **err) {
        int r = record("container.exec", podrt_app_pod(app), err);
        return r < 0 ? r : exec_in_app(app, argv, err);
}

static int mock_app_state(void *data, struct podrt_app *app, uint64_t flags,
                          struct podrt_error **err) {
        return record("container.state", podrt_app_pod(app), err);
}

/* The app's process has ended (the monitor reaped it): nothing is left to
 * remove but the record of the call. */
static int mock_app_remove(void *data, struct podrt_app *app, uint64_t flags,
                           struct podrt_error **err) {
        return record("container.remove", podrt_app_pod(app), err);
}

static const struct podrt_container_ops mock_container_ops = {
        .version = PODRT_CONTAINER_OPS_VERSION,
        .size = sizeof(struct podrt_container_ops),
        .start = mock_app_start,
        .kill = mock_app_kill,
        .exec = mock_app_exec,
        .state = mock_app_state,
        .remove = mock_app_remove,
};

#define MOCK_NAME "mock"
#define MOCK_CONTAINER_OPS &mock_container_ops
#else
#define MOCK_NAME "mock-pods"
#define MOCK_CONTAINER_OPS NULL
#endif

/* ---- the plugin --------------------------------------------------------- */

static int mock_init(const struct podrt_host *host, void **ret_data, struct podrt_error **err) {
        append_line("PODRT_MOCK_PLUGIN_LOG", "init", host->plugin_name);
        int code = requested_failure("init");
        if (code)
                return podrt_error_set(err, code, "mock: init failed on request");
        host->log(host, PODRT_LOG_DEBUG, "ready (state dir %s)", host->state_dir);
        return 0;
}

static void mock_fini(void *data) {
        append_line("PODRT_MOCK_PLUGIN_LOG", "fini", "mock");
}

static const struct podrt_plugin mock_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = MOCK_NAME,
        .version = "1.0",
        .description = "test backend: apps as plain host processes, calls recorded",
        .init = mock_init,
        .fini = mock_fini,
        .pod = &mock_pod_ops,
        .container = MOCK_CONTAINER_OPS,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &mock_plugin;
}
