/* SPDX-License-Identifier: Apache-2.0 */
/* exec into a running app (see enter.h).  The caller forks; the child
 * joins the app's cgroups and namespaces (the PID namespace applies to its
 * children) and its root, then forks the command, which takes the app's
 * groups, ids and bounding set and execs with the app's environment. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "enter.h"
#include "errors.h"
#include "fileio.h"

#define EXIT_SETUP 125

static const struct {
        const char *name;
        int type;
} namespaces[] = {
        /* The mount namespace last: /proc of the host is needed until then. */
        { "cgroup", CLONE_NEWCGROUP }, { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
        { "net", CLONE_NEWNET },       { "pid", CLONE_NEWPID }, { "mnt", CLONE_NEWNS },
};

static void fail(const char *what, int e) {
        dprintf(STDERR_FILENO, "podrt: exec: %s: %s\n", what, strerror(e));
}

/* The program's path: argv0 itself when it holds a '/', else the first
 * executable match on PATH (from env).  errno as execvp would leave it. */
static int run(const struct nspawn_enter *e) {
        const char *prog = e->argv[0];
        char *const *argv = (char *const *)e->argv, *const *env = (char *const *)e->env;
        if (strchr(prog, '/')) {
                execve(prog, argv, env);
                return errno;
        }
        const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], "PATH=", 5) == 0)
                        path = env[i] + 5;
        int saved = ENOENT;
        for (const char *p = path;;) {
                const char *end = strchr(p, ':');
                size_t len = end ? (size_t)(end - p) : strlen(p);
                char full[4096];
                if (snprintf(full, sizeof full, "%.*s/%s", (int)len, len ? p : ".", prog) < (int)sizeof full) {
                        execve(full, argv, env);
                        if (errno != ENOENT && errno != ENOTDIR)
                                saved = errno;
                }
                if (!end)
                        break;
                p = end + 1;
        }
        return saved;
}

static void command(const struct nspawn_enter *e) {
        for (int c = 0; c <= e->cap_last; c++)
                if (!(e->caps & (UINT64_C(1) << c)) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
                        fail("dropping capabilities", errno);
                        _exit(EXIT_SETUP);
                }
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        if (setgroups(e->n_groups, (const gid_t *)e->groups) < 0 || setgid(e->gid) < 0 ||
            setuid(e->uid) < 0) {
                fail("setting the app's user", errno);
                _exit(EXIT_SETUP);
        }
        if (chdir(e->workdir && *e->workdir ? e->workdir : "/") < 0) {
                char what[4200];
                snprintf(what, sizeof what, "workdir %s", e->workdir);
                fail(what, errno);
                _exit(EXIT_SETUP);
        }
        int r = run(e);
        fail(e->argv[0], r);
        _exit(r == ENOENT || r == ENOTDIR ? 127 : 126);
}

static int wait_code(pid_t pid) {
        int st;
        while (waitpid(pid, &st, 0) < 0)
                if (errno != EINTR)
                        return EXIT_SETUP;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static pid_t child_pid = 0;

static void forward(int signo) {
        if (child_pid > 0)
                kill(child_pid, signo);
}

/* In the first child: join everything, fork the command, wait for it. */
static void enter(const struct nspawn_enter *e, const int *fds, int root) {
        char path[4200];
        for (size_t i = 0; e->cgroup_dirs && e->cgroup_dirs[i]; i++) {
                snprintf(path, sizeof path, "%s/cgroup.procs", e->cgroup_dirs[i]);
                (void)write_string_file(path, "0");
        }
        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++)
                if (fds[i] >= 0 && setns(fds[i], namespaces[i].type) < 0) {
                        snprintf(path, sizeof path, "joining the app's %s namespace", namespaces[i].name);
                        fail(path, errno);
                        _exit(EXIT_SETUP);
                }
        if (fchdir(root) < 0 || chroot(".") < 0 || chdir("/") < 0) {
                fail("entering the app's root", errno);
                _exit(EXIT_SETUP);
        }
        pid_t pid = fork();
        if (pid < 0) {
                fail("fork", errno);
                _exit(EXIT_SETUP);
        }
        if (pid == 0)
                command(e);
        child_pid = pid;
        struct sigaction sa = { .sa_handler = forward, .sa_flags = SA_RESTART };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        sigaction(SIGQUIT, &sa, NULL);
        _exit(wait_code(pid));
}

int nspawn_enter_exec(const struct nspawn_enter *e, struct podrt_error **err) {
        int fds[ELEMENTSOF(namespaces)];
        char path[128];
        int r = 0;
        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++)
                fds[i] = -1;
        _cleanup_close_ int root = -1;
        for (size_t i = 0; i < ELEMENTSOF(namespaces) && r >= 0; i++) {
                struct stat mine, theirs;
                snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)e->target, namespaces[i].name);
                fds[i] = open(path, O_RDONLY | O_CLOEXEC);
                if (fds[i] < 0)
                        r = podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
                else if (fstat(fds[i], &theirs) == 0 &&
                         (snprintf(path, sizeof path, "/proc/self/ns/%s", namespaces[i].name),
                          stat(path, &mine)) == 0 &&
                         mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev) {
                        /* Shared with us (the host's network): nothing to join. */
                        close(fds[i]);
                        fds[i] = -1;
                }
        }
        if (r >= 0) {
                snprintf(path, sizeof path, "/proc/%d/root", (int)e->target);
                root = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (root < 0)
                        r = podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
        }
        pid_t pid = -1;
        if (r >= 0) {
                fflush(NULL);
                pid = fork();
                if (pid < 0)
                        r = podrt_error_set(err, errno, "fork: %s", strerror(errno));
                else if (pid == 0)
                        enter(e, fds, root);
        }
        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        if (r < 0)
                return r;
        /* The command has the terminal's signals itself; we only wait. */
        struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
        sigemptyset(&ign.sa_mask);
        sigaction(SIGINT, &ign, &old_int);
        sigaction(SIGQUIT, &ign, &old_quit);
        int code = wait_code(pid);
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        return code;
}
