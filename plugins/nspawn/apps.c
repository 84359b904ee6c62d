/* SPDX-License-Identifier: Apache-2.0 */
/* Apps added to a running pod under nspawn: the container ops.
 *
 * podrt-init, PID 1 of the container, listens on the control socket
 * NSPAWN_CONTROL (the description's control key) in the pod root.  start
 * forks the app's relay, a child of the monitor whose exit status is the
 * app's.  The relay
 *   1. clones the app's rootfs as a detached mount tree on the host
 *      (open_tree OPEN_TREE_CLONE), joins the container's mount namespace
 *      (that of its PID 1) and attaches the tree at NSPAWN_APPS/<app>
 *      (move_mount): the container sees the new root without a restart,
 *      and nothing is mounted on the host;
 *   2. connects to the control socket there and sends APP_START: the app's
 *      description (as the pod's own apps are described: volumes bound from
 *      /podrt/volumes, which the pod has since it started) with the app's
 *      stdout and stderr pipes as descriptors, so that its output goes
 *      straight to the monitor, no copy;
 *   3. reports to start whether podrt-init started it, drops its copies of
 *      the pipes, and waits on the socket for the app's exit code, which
 *      it exits with (137 when the container went away first).
 * podrt-init supervises the app like the pod's own: a pod stop, kill or
 * delete covers it.  kill goes through the control socket (APP_SIGNAL, to
 * that app alone); exec and state are the pod's (the pid and status files
 * are the same); remove unmounts the root inside the container and
 * forgets the app's files. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capsets.h"
#include "cgroup.h"
#include "errors.h"
#include "fileio.h"
#include "initspec.h"
#include "nspawn.h"
#include "podroot.h"
#include "proc.h"
#include "process.h"
#include "strv.h"

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

#define START_TIMEOUT_MS 10000

/* The running container's PID 1, or -ESRCH with *err saying so. */
static pid_t running_leader(struct podrt_pod *pod, struct podrt_error **err) {
        pid_t nspawn = nspawn_pid_running(pod);
        pid_t leader = nspawn > 0 ? nspawn_leader(nspawn) : 0;
        if (leader <= 0)
                return podrt_error_set(err, ESRCH, "pod %s is not running", podrt_pod_name(pod));
        return leader;
}

/* The capabilities app needs beyond the container's bounding set (what
 * nspawn was given when the pod started): none, or an error naming them. */
static int check_caps(const struct nspawn_data *d, struct podrt_app *app, pid_t leader,
                      struct podrt_error **err) {
        uint64_t want;
        if (nspawn_caps_app(podrt_app_caps_add(app), podrt_app_caps_drop(app), &want) < 0)
                return podrt_error_set(err, EINVAL, "app %s: unknown capability", podrt_app_name(app));
        char path[64];
        _cleanup_free_ char *text = NULL;
        snprintf(path, sizeof(path), "/proc/%d/status", (int)leader);
        if (read_file(path, 0, &text, NULL) < 0)
                return 0;   /* gone: the start fails later, saying so */
        const char *b = strstr(text, "\nCapBnd:");
        uint64_t have = b ? strtoull(b + 8, NULL, 16) : ~UINT64_C(0);
        uint64_t missing = want & ~have;
        if (!missing)
                return 0;
        _cleanup_strv_free_ char **names = nspawn_caps_names(missing, d->cap_last);
        _cleanup_free_ char *list = names ? strv_join(names, ", ") : NULL;
        return podrt_error_set(err, EPERM, "app %s: needs %s, which pod %s's container does not have (the pod's "
                               "capabilities are its apps' when it started)",
                               podrt_app_name(app), list ? list : "capabilities", podrt_pod_name(podrt_app_pod(app)));
}

/* The pod's cgroups (podrt's, on a host whose PID 1 is not systemd) limit
 * the pod with its apps' limits summed, a resource only when every app
 * limits it (podroot.c): with the added app, as a pod made with it would
 * have them.  They grow with an app, and are not lowered when one goes. */
static int follow_limits(const struct nspawn_data *d, struct podrt_pod *pod, struct podrt_error **err) {
        if (d->systemd)
                return 0;   /* no cgroups of podrt's: systemd's slice holds the pod */
        struct nspawn_host_info h = nspawn_host_info_of(d);
        _cleanup_(nspawn_config_freep) struct nspawn_config *c = NULL;
        int r = nspawn_pod_config(pod, &h, &c, err);
        if (r < 0)
                return r;
        /* 0 (some app has no limit) is "none" here: -1. */
        _cleanup_error_ struct podrt_error *e = NULL;
        r = nspawn_cgroups_update(pod, c->memory_bytes ? c->memory_bytes : -1, c->cpu_millis ? c->cpu_millis : -1,
                                  c->pids ? c->pids : -1, &e);
        if (r == -EOPNOTSUPP)
                return 0;   /* a pod made without podrt's cgroups */
        return r < 0 ? podrt_error_set(err, -r, "the pod's limits: %s", podrt_error_message(e)) : 0;
}

static int open_log(struct podrt_app *app) {
        return open(podrt_app_log_path(app), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
}

/* In the relay: the app's root at NSPAWN_APPS/<app> in the mount namespace
 * of leader, which the relay joins.  -errno, msg saying why. */
static int attach_root(struct podrt_app *app, pid_t leader, char *msg, size_t size) {
        const char *rootfs = podrt_app_rootfs(app);
        int tree = (int)syscall(SYS_open_tree, AT_FDCWD, rootfs, OPEN_TREE_CLONE | AT_RECURSIVE | O_CLOEXEC);
        if (tree < 0) {
                snprintf(msg, size, "open_tree %s: %s", rootfs, strerror(errno));
                return -errno;
        }
        char ns[64];
        snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", (int)leader);
        _cleanup_close_ int nsfd = open(ns, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0 || setns(nsfd, CLONE_NEWNS) < 0) {
                snprintf(msg, size, "joining the container's mount namespace (%s): %s", ns, strerror(errno));
                close(tree);
                return -errno;
        }
        /* setns() put us at the namespace's root: the pod root. */
        char target[256];
        snprintf(target, sizeof(target), NSPAWN_APPS "/%s", podrt_app_name(app));
        int r = mkdir_p(target, 0755);
        if (r < 0) {
                snprintf(msg, size, "%s: %s", target, strerror(-r));
                close(tree);
                return r;
        }
        /* A root left from an earlier start of this name goes first. */
        while (umount2(target, MNT_DETACH) == 0)
                ;
        if (syscall(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
                r = -errno;
                snprintf(msg, size, "move_mount %s onto %s in the container: %s", rootfs, target, strerror(errno));
        }
        close(tree);
        return r;
}

/* The exit code of the app once its connection closed without one: its
 * status file if podrt-init wrote it, else it went with the container. */
static int lost_code(struct podrt_app *app) {
        char path[256];
        _cleanup_free_ char *text = NULL;
        snprintf(path, sizeof(path), "/podrt/status/%s", podrt_app_name(app));
        if (read_file(path, 64, &text, NULL) >= 0)
                return atoi(text) & 0xff;
        return 128 + SIGKILL;
}

_Noreturn static void relay_main(struct podrt_app *app, pid_t leader, const char *text, int out, int errfd,
                                 int in, int report_fd) {
        /* Nothing of the monitor's but what the relay uses. */
        int keep[] = { out, errfd, in, report_fd };
        relay_child_setup("podrt-app", keep, ELEMENTSOF(keep));
        char msg[2048];
        int r = attach_root(app, leader, msg, sizeof(msg));
        if (r < 0) {
                report_write(report_fd, -r, msg);
                _exit(125);
        }
        /* Just after the pod started, podrt-init may not listen yet. */
        int sock = initspec_connect(NSPAWN_CONTROL);
        for (int waited = 0; (sock == -ENOENT || sock == -ECONNREFUSED) && waited < START_TIMEOUT_MS; waited += 20) {
                usleep(20 * 1000);
                sock = initspec_connect(NSPAWN_CONTROL);
        }
        if (sock < 0) {
                snprintf(msg, sizeof(msg), "podrt-init's control socket %s: %s (a pod created before apps could be added?)",
                         NSPAWN_CONTROL, strerror(-sock));
                report_write(report_fd, -sock, msg);
                _exit(125);
        }
        /* stdin too when the app reads its caller's (podrt-runtime). */
        int fds[3] = { out, errfd, in };
        if ((r = initspec_frame_send(sock, INITSPEC_EXEC_APP_START, text, strlen(text), fds, in >= 0 ? 3 : 2)) < 0) {
                snprintf(msg, sizeof(msg), "sending the app to podrt-init: %s", strerror(-r));
                report_write(report_fd, -r, msg);
                _exit(125);
        }
        close(out);
        close(errfd);
        if (in >= 0)
                close(in);
        /* The answer: started, or why not. */
        msg[0] = '\0';
        for (;;) {
                char type, *data = NULL;
                size_t n;
                r = initspec_frame_recv(sock, START_TIMEOUT_MS, &type, &data, &n, NULL, NULL);
                if (r < 0) {
                        snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "no answer from podrt-init: %s",
                                 strerror(-r));
                        report_write(report_fd, -r, msg);
                        _exit(125);
                }
                if (type == INITSPEC_EXEC_APP_STARTED) {
                        free(data);
                        break;
                }
                if (type == INITSPEC_EXEC_STDERR)
                        snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%.*s", (int)strcspn(data, "\n"), data);
                free(data);
                if (type == INITSPEC_EXEC_EXIT) {
                        report_write(report_fd, EINVAL, msg[0] ? msg : "podrt-init refused the app");
                        _exit(125);
                }
        }
        report_write(report_fd, 0, NULL);
        /* Then the app's end. */
        for (;;) {
                char type, *data = NULL;
                size_t n;
                if (initspec_frame_recv(sock, -1, &type, &data, &n, NULL, NULL) < 0)
                        _exit(lost_code(app));
                if (type == INITSPEC_EXEC_EXIT)
                        _exit(atoi(data) & 0xff);
                free(data);
        }
}

/* Removes what podrt-init wrote for name in an earlier run. */
static void forget_files(struct podrt_pod *pod, const char *name) {
        static const char *const dirs[] = { "status", "pids" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *rel = NULL, *path = NULL;
                if (asprintf(&rel, "nspawn/root/podrt/%s/%s", dirs[i], name) >= 0 && (path = nspawn_pod_path(pod, rel)))
                        (void)unlink(path);
        }
}

static int nspawn_app_start(void *data, struct podrt_app *app, uint64_t flags, struct podrt_error **err) {
        struct nspawn_data *d = data;
        struct podrt_pod *pod = podrt_app_pod(app);
        const char *name = podrt_app_name(app);
        if (flags)
                return podrt_error_set(err, EINVAL, "container start: unknown flags 0x%" PRIx64, flags);
        pid_t leader = running_leader(pod, err);
        if (leader < 0)
                return leader;
        const char *rootfs = podrt_app_rootfs(app);
        if (!rootfs || rootfs[0] != '/')
                return podrt_error_set(err, ENOENT, "app %s: no root filesystem", name);
        int r = check_caps(d, app, leader, err);
        if (r < 0 || (r = follow_limits(d, pod, err)) < 0)
                return r;
        _cleanup_(initspec_freep) struct initspec *s = initspec_new();
        _cleanup_free_ char *root = NULL, *text = NULL;
        if (!s || asprintf(&root, NSPAWN_APPS "/%s", name) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if ((r = nspawn_app_spec(app, root, -1, d->cap_last, s, err)) < 0)
                return r == -ENOMEM ? podrt_error_set(err, ENOMEM, "out of memory") : r;
        if ((r = initspec_app_text(&s->apps[0], &text, err)) < 0)
                return r;
        forget_files(pod, name);

        _cleanup_close_ int own_out = -1, own_err = -1;
        int out = podrt_app_stdout_fd(app), errfd = podrt_app_stderr_fd(app);
        if (out < 0 && (out = own_out = open_log(app)) < 0)
                return podrt_error_set(err, errno, "%s: %m", podrt_app_log_path(app));
        if (errfd < 0 && (errfd = own_err = open_log(app)) < 0)
                return podrt_error_set(err, errno, "%s: %m", podrt_app_log_path(app));
        struct report_pipe rp;
        pid_t pid = fork_reporting(&rp);
        if (pid < 0)
                return podrt_error_set(err, errno, "app %s: %s: %m", name, rp.failed);
        if (pid == 0)
                relay_main(app, leader, text, out, errfd, podrt_app_stdin_fd(app), rp.fd[1]);
        char msg[4096];
        r = report_wait(rp.fd[0], msg, sizeof(msg), "its relay died before starting it");
        if (r != 0) {
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                return podrt_error_set(err, r, "app %s: %s", name, msg);
        }
        podrt_app_set_pid(app, pid);
        return 0;
}

static int nspawn_app_kill(void *data, struct podrt_app *app, int signo, uint64_t flags,
                           struct podrt_error **err) {
        struct podrt_pod *pod = podrt_app_pod(app);
        _cleanup_free_ char *sock = nspawn_pod_path(pod, "nspawn/root" NSPAWN_CONTROL);
        if (!sock)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if (nspawn_pid_running(pod) <= 0)
                return 0;   /* the app went with the pod */
        _cleanup_close_ int fd = initspec_connect(sock);
        if (fd < 0)
                return podrt_error_set(err, -fd, "podrt-init's control socket %s: %s", sock, strerror(-fd));
        char req[128], *answer = NULL;
        int n = snprintf(req, sizeof(req), "%s%c%d", podrt_app_name(app), '\0', signo);
        char type;
        size_t len;
        int r = initspec_frame_send(fd, INITSPEC_EXEC_APP_SIGNAL, req, (size_t)n, NULL, 0);
        if (r >= 0)
                r = initspec_frame_recv(fd, 5000, &type, &answer, &len, NULL, NULL);
        if (r < 0)
                return podrt_error_set(err, -r, "signal %d to app %s: %s", signo, podrt_app_name(app), strerror(-r));
        int reached = type == INITSPEC_EXEC_EXIT ? atoi(answer) : -1;
        free(answer);
        if (reached < 0)
                return podrt_error_set(err, EINVAL, "podrt-init refused signal %d to app %s", signo, podrt_app_name(app));
        return 0;
}

static int nspawn_app_exec(void *data, struct podrt_app *app, const char *const *argv, uint64_t flags,
                           struct podrt_error **err) {
        return nspawn_exec(data, podrt_app_pod(app), app, argv, flags, err);
}

static int nspawn_app_state(void *data, struct podrt_app *app, uint64_t flags, struct podrt_error **err) {
        int code;
        if (nspawn_read_status(podrt_app_pod(app), app, "status", &code, NULL) &&
            (podrt_app_state(app) != PODRT_APP_EXITED || podrt_app_exit_code(app) != code))
                podrt_app_set_exited(app, code);
        return 0;
}

/* In a child in the container's mount namespace: the app's root unmounted
 * and its mount point removed. */
static int detach_root(pid_t leader, const char *name, struct podrt_error **err) {
        struct report_pipe rp;
        pid_t pid = fork_reporting(&rp);
        if (pid < 0)
                return podrt_error_set(err, errno, "%s: %m", rp.failed);
        if (pid == 0) {
                char ns[64], target[256], msg[512];
                snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", (int)leader);
                snprintf(target, sizeof(target), NSPAWN_APPS "/%s", name);
                int nsfd = open(ns, O_RDONLY | O_CLOEXEC);
                if (nsfd < 0 || setns(nsfd, CLONE_NEWNS) < 0) {
                        snprintf(msg, sizeof(msg), "joining the container's mount namespace: %s", strerror(errno));
                        report_write(rp.fd[1], errno, msg);
                        _exit(1);
                }
                while (umount2(target, MNT_DETACH) == 0)
                        ;
                if (errno != EINVAL && errno != ENOENT) {
                        snprintf(msg, sizeof(msg), "unmounting %s in the container: %s", target, strerror(errno));
                        report_write(rp.fd[1], errno, msg);
                        _exit(1);
                }
                (void)rmdir(target);
                report_write(rp.fd[1], 0, NULL);
                _exit(0);
        }
        char msg[4096];
        int r = report_wait(rp.fd[0], msg, sizeof(msg), "its helper died");
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        return r ? podrt_error_set(err, r, "%s", msg) : 0;
}

static int nspawn_app_remove(void *data, struct podrt_app *app, uint64_t flags, struct podrt_error **err) {
        struct podrt_pod *pod = podrt_app_pod(app);
        const char *name = podrt_app_name(app);
        pid_t nspawn = nspawn_pid_running(pod);
        pid_t leader = nspawn > 0 ? nspawn_leader(nspawn) : 0;
        /* A pod that is not running has no mount of the app left. */
        if (leader > 0) {
                int r = detach_root(leader, name, err);
                if (r < 0)
                        return podrt_error_set(err, r, "app %s", name);
        }
        forget_files(pod, name);
        _cleanup_free_ char *rel = NULL, *dir = NULL;
        if (asprintf(&rel, "nspawn/root" NSPAWN_APPS "/%s", name) >= 0 && (dir = nspawn_pod_path(pod, rel)))
                (void)rmdir(dir);
        return 0;
}

const struct podrt_container_ops nspawn_container_ops = {
        .version = PODRT_CONTAINER_OPS_VERSION,
        .size = sizeof(struct podrt_container_ops),
        .start = nspawn_app_start,
        .kill = nspawn_app_kill,
        .exec = nspawn_app_exec,
        .state = nspawn_app_state,
        .remove = nspawn_app_remove,
};
