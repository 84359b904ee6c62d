/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "cgroups.h"
#include "errors.h"
#include "exec.h"
#include "mounts.h"
#include "paths.h"
#include "status.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

_Noreturn static void die(const struct initspec_app *app, const char *what, int code,
                          struct podrt_error *e) {
        fprintf(stderr, "podrt-init: app %s: %s%s\n", app->name, what, podrt_error_message(e));
        fflush(stderr);
        _exit(code);
}

static void reset_signals(void) {
        struct sigaction sa = { .sa_handler = SIG_DFL };
        for (int sig = 1; sig < NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        sigaction(sig, &sa, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Opens a log file (parents created when missing: on a VM's 9p share a
 * mkdir is a round trip to the host) for appending onto target_fd. */
static int redirect(const char *path, int target_fd, struct podrt_error **err) {
        const int flags = O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY | O_CLOEXEC;
        int r, fd = open(path, flags, 0644);
        if (fd < 0 && errno == ENOENT) {
                if ((r = init_mkdir_parents(path, 0755, err)) < 0)
                        return r;
                fd = open(path, flags, 0644);
        }
        if (fd < 0)
                return podrt_error_set(err, errno, "log %s: %m", path);
        if (fd != target_fd) {
                if (dup2(fd, target_fd) < 0) {
                        r = podrt_error_set(err, errno, "log %s: %m", path);
                        close(fd);
                        return r;
                }
                close(fd);
        } else
                fcntl(fd, F_SETFD, 0);
        return 0;
}

static int setup_stdio(const struct initspec_app *app, struct podrt_error **err) {
        const char *in = app->stdin_path ? app->stdin_path : "/dev/null";
        int r, null = open(in, O_RDONLY | O_NOCTTY | O_CLOEXEC);
        if (null < 0 && app->stdin_path)
                return podrt_error_set(err, errno, "stdin %s: %m", in);
        if (null >= 0) {
                if (null != STDIN_FILENO) {
                        dup2(null, STDIN_FILENO);
                        close(null);
                } else
                        fcntl(null, F_SETFD, 0);
        }
        if (app->stdout_path && (r = redirect(app->stdout_path, STDOUT_FILENO, err)) < 0)
                return r;
        if (app->stderr_path) {
                if (app->stdout_path && strcmp(app->stdout_path, app->stderr_path) == 0) {
                        if (dup2(STDOUT_FILENO, STDERR_FILENO) < 0)
                                return podrt_error_set(err, errno, "log %s: %m", app->stderr_path);
                } else if ((r = redirect(app->stderr_path, STDERR_FILENO, err)) < 0)
                        return r;
        }
        return 0;
}

/* Every inherited descriptor above stderr closes at exec. */
static void close_inherited_fds(void) {
        if (syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) == 0)
                return;
        long max = sysconf(_SC_OPEN_MAX);
        for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
                fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static int drop_capabilities(const struct initspec_app *app, struct podrt_error **err) {
        if (!app->caps_drop || !app->caps_drop[0])
                return 0;
        struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct data[2] = { 0 };
        bool have_sets = syscall(SYS_capget, &hdr, data) == 0;

        for (size_t i = 0; app->caps_drop[i]; i++) {
                int cap = cap_from_name(app->caps_drop[i]);
                if (cap < 0)
                        return podrt_error_set(err, EINVAL, "unknown capability %s", app->caps_drop[i]);
                /* EINVAL: a capability this kernel does not know, so absent. */
                if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0 && errno != EINVAL)
                        return podrt_error_set(err, errno, "drop %s from the bounding set: %m",
                                               app->caps_drop[i]);
                prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, (unsigned long)cap, 0, 0);
                if (cap < 64)
                        data[cap / 32].inheritable &= ~(1U << (cap % 32));
        }
        /* A dropped capability must not come back at exec through the
         * inheritable set either. */
        if (have_sets && syscall(SYS_capset, &hdr, data) < 0)
                return podrt_error_set(err, errno, "clear inheritable capabilities: %m");
        return 0;
}

static int set_identity(const struct initspec_app *app, struct podrt_error **err) {
        gid_t groups[app->n_groups > 0 ? app->n_groups : 1];
        for (size_t i = 0; i < app->n_groups; i++)
                groups[i] = (gid_t)app->groups[i];
        if (setgroups(app->n_groups, app->n_groups > 0 ? groups : NULL) < 0)
                return podrt_error_set(err, errno, "setgroups: %m");
        if (setresgid(app->gid, app->gid, app->gid) < 0)
                return podrt_error_set(err, errno, "setgid %u: %m", app->gid);
        if (setresuid(app->uid, app->uid, app->uid) < 0)
                return podrt_error_set(err, errno, "setuid %u: %m", app->uid);
        if (app->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return podrt_error_set(err, errno, "no_new_privs: %m");
        return 0;
}

/* The value of PATH in env, or the default one. */
static const char *env_path(char *const *env) {
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], "PATH=", 5) == 0)
                        return env[i] + 5;
        return DEFAULT_PATH;
}

/* execve(), searching the app's PATH when the program has no '/'.  Returns
 * the errno that tells best why nothing ran. */
static int exec_search(char *const *argv, char *const *env) {
        const char *prog = argv[0];
        if (strchr(prog, '/')) {
                execve(prog, argv, env);
                return errno;
        }
        const char *path = env_path(env);
        int best = ENOENT;
        for (const char *p = path;;) {
                size_t n = strcspn(p, ":");
                char full[4096];
                if (n + 2 + strlen(prog) < sizeof(full)) {
                        if (n == 0)     /* an empty entry is the working directory */
                                snprintf(full, sizeof(full), "./%s", prog);
                        else
                                snprintf(full, sizeof(full), "%.*s/%s", (int)n, p, prog);
                        execve(full, argv, env);
                        /* ENOENT/ENOTDIR: try the next; anything else is
                         * what to report if nothing better comes. */
                        if (errno != ENOENT && errno != ENOTDIR)
                                best = errno;
                }
                if (!p[n])
                        break;
                p += n + 1;
        }
        return best;
}

void exec_app_child(const struct initspec_app *app, char *const *argv, const char *what) {
        _cleanup_error_ struct podrt_error *e = NULL;
        char *const empty[] = { NULL };

        reset_signals();
        setpgid(0, 0);
        cgroups_join(app);
        if (setup_stdio(app, &e) < 0 || (close_inherited_fds(), mounts_enter_app(app, &e)) < 0 ||
            drop_capabilities(app, &e) < 0 || set_identity(app, &e) < 0)
                die(app, what, INIT_EXIT_FAILURE, e);

        int errnum = exec_search(argv, app->env ? app->env : empty);
        podrt_error_set(&e, errnum, "exec %s: %s", argv[0], strerror(errnum));
        die(app, what, errnum == ENOENT ? INIT_EXIT_NOT_FOUND : INIT_EXIT_CANNOT_EXEC, e);
}

void exec_in_app(const struct initspec_app *app, char *const *argv, bool tty) {
        _cleanup_error_ struct podrt_error *e = NULL;
        char *const empty[] = { NULL };

        reset_signals();
        if (!tty)
                setpgid(0, 0);
        cgroups_join(app);
        if ((close_inherited_fds(), mounts_enter_app(app, &e)) < 0 || drop_capabilities(app, &e) < 0 ||
            set_identity(app, &e) < 0)
                die(app, "exec: ", INIT_EXIT_FAILURE, e);
        int errnum = exec_search(argv, app->env ? app->env : empty);
        podrt_error_set(&e, errnum, "exec %s: %s", argv[0], strerror(errnum));
        die(app, "exec: ", errnum == ENOENT ? INIT_EXIT_NOT_FOUND : INIT_EXIT_CANNOT_EXEC, e);
}
