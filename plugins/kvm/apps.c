/* SPDX-License-Identifier: Apache-2.0 */
/* Apps added to a running VM pod: the container ops.  The VM is never
 * restarted and no device is hot-added.
 *
 * Every VM has one more 9p share, <kvm dir>/apps (tag _apps, at
 * /podrt/apps in the guest).  start binds the app's rootfs on the host at
 * apps/<app>, below the shared folder, so that the guest finds it at
 * /podrt/apps/<app> (QEMU's multidevs=remap keeps the inode numbers of the
 * submount apart); the pod's volumes are shared since the VM started.  It
 * then sends APP_START with the app's description (as the pod's own apps
 * are described, kvm_describe_app) on the exec channel; podrt-init's agent
 * passes it to PID 1 (its control socket), which starts and supervises the
 * app like the others, writing its output and status on the status share.
 * The app's relay, a child of the monitor, copies out/<app> and err/<app>
 * into the app's pipes as the keeper does for the pod's apps, and exits
 * with exit/<app> once it appears (when the VM ends first: 128 + the signal
 * that ended it, else 125).  kill is APP_SIGNAL on the same channel; exec
 * and state are the pod's; remove unbinds the root and forgets the files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <podrt/objects.h>
#include <podrt/ops.h>

#include "initspec.h"
#include "kvm.h"

/* How long podrt-init may take to answer a request file (it looks every
 * 100 ms; TCG is slow). */
#define REQUEST_TIMEOUT_MS 15000

static char *kvm_dir_of(const struct podrt_app *app) {
        return path_join(podrt_pod_dir(podrt_app_pod(app)), "kvm");
}

/* The running VM's dir (vm.json loaded into *ret_vm) and pid; -ESRCH when
 * it is not running. */
static int running_vm(struct podrt_app *app, char **ret_dir, struct kvm_vm **ret_vm, pid_t *ret_pid,
                      struct podrt_error **err) {
        _cleanup_free_ char *dir = kvm_dir_of(app), *json = NULL;
        if (!dir || !(json = path_join(dir, "vm.json")))
                return podrt_error_set(err, ENOMEM, "out of memory");
        pid_t pid = kvm_vm_pid(dir, podrt_app_pod(app));
        if (!pid)
                return podrt_error_set(err, ESRCH, "the VM of pod %s is not running", podrt_pod_name(podrt_app_pod(app)));
        int r = kvm_vm_load(json, ret_vm, err);
        if (r < 0)
                return r;
        *ret_dir = TAKE_PTR(dir);
        *ret_pid = pid;
        return 0;
}

static bool has_apps_share(const struct kvm_vm *vm) {
        for (uint32_t i = 0; i < vm->cfg.n_shares; i++)
                if (!strcmp(vm->shares[i].tag, KVM_APPS_TAG))
                        return true;
        return false;
}

/* Removes what podrt-init wrote for name in an earlier run. */
static void forget_files(const char *kvm_dir, const char *name) {
        static const char *const dirs[] = { "exit", "out", "err", "pid" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                char path[4096];
                snprintf(path, sizeof(path), "%s/status/%s/%s", kvm_dir, dirs[i], name);
                (void)unlink(path);
        }
}

static int unmount_one(const char *path, struct podrt_error **err) {
        while (umount2(path, MNT_DETACH) == 0)
                ;
        if (errno != EINVAL && errno != ENOENT)
                return podrt_error_set(err, errno, "unmounting %s: %m", path);
        if (rmdir(path) < 0 && errno != ENOENT)
                return podrt_error_set(err, errno, "%s: %m", path);
        return 0;
}

int kvm_apps_unmount(const char *kvm_dir, const char *name, struct podrt_error **err) {
        _cleanup_free_ char *apps = path_join(kvm_dir, KVM_APPS_DIR);
        if (!apps)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if (name) {
                _cleanup_free_ char *p = path_join(apps, name);
                return p ? unmount_one(p, err) : podrt_error_set(err, ENOMEM, "out of memory");
        }
        DIR *d = opendir(apps);
        if (!d)
                return 0;
        int r = 0;
        struct dirent *de;
        while (r >= 0 && (de = readdir(d)))
                if (de->d_name[0] != '.') {
                        _cleanup_free_ char *p = path_join(apps, de->d_name);
                        r = p ? unmount_one(p, err) : podrt_error_set(err, ENOMEM, "out of memory");
                }
        closedir(d);
        return r;
}

int kvm_apps_bind_root(const struct kvm_vm *vm, const char *kvm_dir, struct podrt_app *app,
                       struct podrt_error **err) {
        if (!has_apps_share(vm))
                return podrt_error_set(err, EOPNOTSUPP, "pod %s's VM has no share for added apps (made by an older podrt): create the pod again",
                                       podrt_pod_name(podrt_app_pod(app)));
        const char *rootfs = podrt_app_rootfs(app);
        if (!rootfs || rootfs[0] != '/')
                return podrt_error_set(err, ENOENT, "app %s: no root filesystem", podrt_app_name(app));
        int r = kvm_apps_unmount(kvm_dir, podrt_app_name(app), err);   /* an earlier start's */
        if (r < 0)
                return r;
        _cleanup_free_ char *apps = path_join(kvm_dir, KVM_APPS_DIR), *target = NULL;
        if (!apps || !(target = path_join(apps, podrt_app_name(app))))
                return podrt_error_set(err, ENOMEM, "out of memory");
        if ((r = mkdir_p(target, 0755)) < 0)
                return podrt_error_set(err, -r, "%s: %s", target, strerror(-r));
        /* Writable even for a read-only root: podrt-init makes the app's
         * mount points in it first, then remounts it read-only in the
         * app's own mount namespace (read-only-root). */
        if (mount(rootfs, target, NULL, MS_BIND | MS_REC, NULL) < 0)
                return podrt_error_set(err, errno, "binding %s on %s: %m", rootfs, target);
        return 0;
}

int kvm_share_request(const char *kvm_dir, const struct podrt_pod *pod, char type, const void *data, size_t n,
                      char *answer, size_t size, struct podrt_error **err) {
        static unsigned counter;
        char name[64], req[4096], ans[4096];
        snprintf(name, sizeof(name), "%d-%u-%lld", (int)getpid(), counter++, (long long)now_ms());
        snprintf(req, sizeof(req), "%s/status/" KVM_REQUESTS_DIR "/%s.req", kvm_dir, name);
        snprintf(ans, sizeof(ans), "%s/status/" KVM_REQUESTS_DIR "/%s.ans", kvm_dir, name);
        _cleanup_free_ unsigned char *frame = malloc(INITSPEC_FRAME_HEADER + n);
        if (!frame)
                return podrt_error_set(err, ENOMEM, "out of memory");
        initspec_frame_header(frame, type, n);
        memcpy(frame + INITSPEC_FRAME_HEADER, data, n);
        int r = write_file_atomic(req, frame, INITSPEC_FRAME_HEADER + n, 0644, 0);
        if (r < 0)
                return podrt_error_set(err, -r, "%s: %s", req, strerror(-r));
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        for (int64_t deadline = now_ms() + REQUEST_TIMEOUT_MS; read_file(ans, 0, &text, &len) < 0;) {
                if (now_ms() >= deadline || !kvm_vm_pid(kvm_dir, pod)) {
                        (void)unlink(req);
                        return podrt_error_set(err, ETIMEDOUT, "podrt-init in the VM did not answer %s", req);
                }
                usleep(20000);
        }
        (void)unlink(ans);
        /* Its frames: STDERR (why), then EXIT; or APP_STARTED. */
        char why[1024] = "";
        for (size_t off = 0;;) {
                char t;
                size_t k;
                if (initspec_frame_parse((unsigned char *)text + off, len - off, &t, &k) != 1)
                        return podrt_error_set(err, EPROTO, "a garbled answer from podrt-init: %s", ans);
                const char *d = text + off + INITSPEC_FRAME_HEADER;
                int line = (int)strcspn(d, "\n");
                if (line > (int)k)
                        line = (int)k;
                if (t == INITSPEC_EXEC_STDERR)
                        snprintf(why + strlen(why), sizeof(why) - strlen(why), "%.*s", line, d);
                else if (t == INITSPEC_EXEC_APP_STARTED || t == INITSPEC_EXEC_EXIT) {
                        if (t == INITSPEC_EXEC_EXIT && why[0])
                                snprintf(answer, size, "%s", why);
                        else
                                snprintf(answer, size, "%.*s", (int)k, d);
                        return t;
                }
                off += INITSPEC_FRAME_HEADER + k;
        }
}

/* The relay's code once the VM is gone without the app's status. */
static int lost_code(const char *kvm_dir) {
        int sig = kvm_ended_by_signal(kvm_dir);
        return sig ? 128 + sig : 125;
}

/* The app's status file: its code, or -1 while there is none. */
static int exit_code(const char *path) {
        _cleanup_free_ char *text = NULL;
        if (read_file(path, 64, &text, NULL) < 0)
                return -1;
        char *end;
        long code = strtol(text, &end, 10);
        return end != text && code >= 0 && code <= 255 ? (int)code : -1;
}

_Noreturn static void relay_main(const char *kvm_dir, const char *name, pid_t vmpid, int out, int errfd) {
        /* Nothing of the monitor's but what the relay uses. */
        int keep[] = { out, errfd };
        relay_child_setup("podrt-app", keep, ELEMENTSOF(keep));

        struct follow f[2] = { { .in = -1, .out = out }, { .in = -1, .out = errfd } };
        char status[4096];
        snprintf(status, sizeof(status), "%s/status/exit/%s", kvm_dir, name);
        int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        static const char *const dirs[] = { "out", "err", "exit" };
        for (int k = 0; k < 3; k++) {
                char dir[4096];
                snprintf(dir, sizeof(dir), "%s/status/%s", kvm_dir, dirs[k]);
                if (k < 2 && asprintf(&f[k].path, "%s/%s", dir, name) < 0)
                        _exit(125);
                if (ino >= 0)
                        inotify_add_watch(ino, dir, IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO);
        }
        int pidfd = (int)syscall(SYS_pidfd_open, vmpid, 0);
        for (;;) {
                struct pollfd p[2] = { { .fd = ino, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
                (void)poll(p, 2, 250);
                if (ino >= 0 && p[0].revents) {
                        char ev[4096];
                        while (read(ino, ev, sizeof(ev)) > 0)
                                ;
                }
                int code = exit_code(status);
                bool gone = (pidfd >= 0 && p[1].revents) || kill(vmpid, 0) < 0;
                /* After the status: what the app wrote before it ended. */
                for (int k = 0; k < 2; k++)
                        follow_pump(&f[k]);
                if (code >= 0)
                        _exit(code);
                if (gone) {
                        code = exit_code(status);
                        _exit(code >= 0 ? code : lost_code(kvm_dir));
                }
        }
}

static int kvm_app_start(void *data, struct podrt_app *app, uint64_t flags, struct podrt_error **err) {
        const char *name = podrt_app_name(app);
        if (flags)
                return podrt_error_set(err, EINVAL, "container start: unknown flags 0x%" PRIx64, flags);
        _cleanup_free_ char *dir = NULL;
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = NULL;
        pid_t vmpid;
        int r = running_vm(app, &dir, &vm, &vmpid, err);
        if (r < 0)
                return r;
        _cleanup_(initspec_freep) struct initspec *s = initspec_new();
        _cleanup_free_ char *root = NULL, *text = NULL;
        struct initspec_app *a = NULL;
        if (!s || asprintf(&root, KVM_GUEST_APPS "/%s", name) < 0 || kvm_describe_app(app, root, s, &a) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if ((r = initspec_app_text(a, &text, err)) < 0)
                return r;
        if ((r = kvm_apps_bind_root(vm, dir, app, err)) < 0)
                return r;
        forget_files(dir, name);

        char answer[1024];
        r = kvm_share_request(dir, podrt_app_pod(app), INITSPEC_EXEC_APP_START, text, strlen(text), answer,
                              sizeof(answer), err);
        if (r >= 0 && r != INITSPEC_EXEC_APP_STARTED)
                r = podrt_error_set(err, EINVAL, "%s", answer[0] ? answer : "podrt-init refused the app");
        if (r < 0) {
                kvm_apps_unmount(dir, name, NULL);
                return podrt_error_set(err, -r, "app %s", name);
        }
        /* Started in the guest: from here its relay follows it. */
        int out = podrt_app_stdout_fd(app), errfd = podrt_app_stderr_fd(app);
        _cleanup_close_ int own = -1;
        if (out < 0 || errfd < 0) {
                own = open(podrt_app_log_path(app), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
                if (out < 0)
                        out = own;
                if (errfd < 0)
                        errfd = own;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                r = podrt_error_set(err, errno, "app %s: fork: %m", name);
                kvm_signal_app(dir, podrt_app_pod(app), name, SIGKILL, NULL);
                return r;
        }
        if (pid == 0)
                relay_main(dir, name, vmpid, out, errfd);
        podrt_app_set_pid(app, pid);
        return 0;
}

int kvm_signal_app(const char *kvm_dir, const struct podrt_pod *pod, const char *name, int signo,
                   struct podrt_error **err) {
        char req[128], answer[1024];
        int n = snprintf(req, sizeof(req), "%s%c%d", name, '\0', signo);
        int r = kvm_share_request(kvm_dir, pod, INITSPEC_EXEC_APP_SIGNAL, req, (size_t)n, answer, sizeof(answer), err);
        if (r < 0)
                return r;
        int reached = r == INITSPEC_EXEC_EXIT ? atoi(answer) : -1;
        if (reached >= 0 && (answer[0] >= '0' && answer[0] <= '9'))
                return reached;
        return podrt_error_set(err, EINVAL, "podrt-init refused signal %d to app %s: %s", signo, name,
                               answer[0] == '-' ? "no such app in the VM, or a bad signal" : answer);
}

static int kvm_app_kill(void *data, struct podrt_app *app, int signo, uint64_t flags, struct podrt_error **err) {
        _cleanup_free_ char *dir = NULL;
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = NULL;
        pid_t vmpid;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = running_vm(app, &dir, &vm, &vmpid, &e);
        if (r == -ESRCH)
                return 0;   /* the app went with the VM */
        if (r < 0)
                return podrt_error_set(err, -r, "%s", podrt_error_message(e));
        r = kvm_signal_app(dir, podrt_app_pod(app), podrt_app_name(app), signo, err);
        return r < 0 ? podrt_error_set(err, -r, "signal %d to app %s", signo, podrt_app_name(app)) : 0;
}

static int kvm_app_exec(void *data, struct podrt_app *app, const char *const *argv, uint64_t flags,
                        struct podrt_error **err) {
        return kvm_exec(data, podrt_app_pod(app), app, argv, flags, err);
}

static int kvm_app_container_state(void *data, struct podrt_app *app, uint64_t flags, struct podrt_error **err) {
        _cleanup_free_ char *dir = kvm_dir_of(app);
        if (!dir || kvm_app_state(dir, app) == -ENOMEM)
                return podrt_error_set(err, ENOMEM, "out of memory");
        return 0;
}

static int kvm_app_remove(void *data, struct podrt_app *app, uint64_t flags, struct podrt_error **err) {
        _cleanup_free_ char *dir = kvm_dir_of(app);
        if (!dir)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = kvm_apps_unmount(dir, podrt_app_name(app), err);
        if (r < 0)
                return r;
        forget_files(dir, podrt_app_name(app));
        return 0;
}

const struct podrt_container_ops kvm_container_ops = {
        .version = PODRT_CONTAINER_OPS_VERSION,
        .size = sizeof(struct podrt_container_ops),
        .start = kvm_app_start,
        .kill = kvm_app_kill,
        .exec = kvm_app_exec,
        .state = kvm_app_container_state,
        .remove = kvm_app_remove,
};
