/* SPDX-License-Identifier: Apache-2.0 */
/* The VM's keeper: a child of the pod's monitor that starts the hypervisor
 * (its own child), and relays the apps' output while the VM runs.
 *
 * Inside the guest, podrt-init writes each app's stdout and stderr into
 * files on the status share (out/<app>, err/<app>), its exit status into
 * exit/<app>.  The keeper follows those files (inotify, and a short poll as
 * a fallback) and copies what is appended to the app's stdout and stderr
 * pipes, which the monitor writes into the app's log and, for a foreground
 * `podrt run`, onto the terminal.  The kernel's console goes to console.log;
 * when the VM ends with an app that never wrote a status (podrt-init or the
 * kernel failed), the keeper copies the console's podrt-init and panic lines
 * (and QEMU's own complaints) into the first app's stderr.
 *
 * The monitor waits for the keeper as every app's process; the keeper exits
 * when the VM is over, with the status of the apps without a status file:
 * 128 + N when the VM was ended by signal N (kill, stop), else 125. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <podrt/objects.h>

#include "kvm.h"

#define START_TIMEOUT_MS 10000
/* A hypervisor without a control socket: started when still there then. */
#define START_NO_SOCKET_MS 1000

struct follow {
        char *path;   /* status/out/<app> or status/err/<app> */
        int in;       /* -1 until the guest creates it */
        int out;      /* the app's pipe, -1 once broken */
};

static void follow_pump(struct follow *f) {
        if (f->in < 0) {
                f->in = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                if (f->in < 0)
                        return;
        }
        char buf[65536];
        for (;;) {
                ssize_t n = read(f->in, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                const char *p = buf;
                while (n > 0 && f->out >= 0) {
                        ssize_t w = write(f->out, p, (size_t)n);
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0) {
                                f->out = -1;   /* the monitor is gone: keep the VM going */
                                break;
                        }
                        p += w, n -= w;
                }
        }
}

static void write_str(int fd, const char *s) {
        size_t n = strlen(s);
        while (fd >= 0 && n > 0) {
                ssize_t w = write(fd, s, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return;
                s += w, n -= (size_t)w;
        }
}

/* The lines of path that start with one of the prefixes (or all lines when
 * prefixes is NULL), the last max of them, onto fd. */
static void copy_lines(const char *path, const char *const *needles, size_t max, int fd) {
        _cleanup_free_ char *text = NULL;
        if (read_file(path, 1 << 22, &text, NULL) < 0)
                return;
        char *lines[64];
        size_t n = 0;
        if (max > 64)
                max = 64;
        char *save = NULL;
        for (char *l = strtok_r(text, "\r\n", &save); l; l = strtok_r(NULL, "\r\n", &save)) {
                bool keep = !needles;
                for (size_t i = 0; needles && needles[i]; i++)
                        keep = keep || strstr(l, needles[i]);
                if (!keep)
                        continue;
                if (n == max) {
                        memmove(lines, lines + 1, (max - 1) * sizeof(char *));
                        n--;
                }
                lines[n++] = l;
        }
        for (size_t i = 0; i < n; i++) {
                write_str(fd, lines[i]);
                write_str(fd, "\n");
        }
}

static int socket_answers(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return 0;
        strcpy(sa.sun_path, path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        return fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
}

static void report(int fd, int code, const char *msg) {
        char buf[4096];
        int n = snprintf(buf, sizeof(buf), "%d %s", code, msg ? msg : "");
        write_str(fd, n < (int)sizeof(buf) ? buf : "5 report too long");
        close(fd);
}

/* The tail of a hypervisor log, for an error message. */
static void log_tail(const char *path, char *out, size_t size) {
        _cleanup_free_ char *text = NULL;
        out[0] = '\0';
        if (read_file(path, 1 << 20, &text, NULL) < 0)
                return;
        char *end = text + strlen(text);
        while (end > text && (end[-1] == '\n' || end[-1] == ' '))
                *--end = '\0';
        char *line = strrchr(text, '\n');
        snprintf(out, size, "%s", line ? line + 1 : text);
}

static int status_exists(const char *kvm_dir, const char *app) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/status/exit/%s", kvm_dir, app);
        return access(path, F_OK) == 0;
}

static int ended_by_signal(const char *kvm_dir) {
        _cleanup_free_ char *path = path_join(kvm_dir, "signal"), *text = NULL;
        if (!path || read_file(path, 64, &text, NULL) < 0)
                return 0;
        int s = atoi(text);
        return s > 0 && s < 65 ? s : 0;
}

static _Noreturn void keeper_main(const struct kvm_hv *hv, const struct kvm_vm *vm,
                                  const char *kvm_dir, size_t n, char **names, int *fds,
                                  int report_fd) {
        /* The monitor's handlers write into its own signal pipe: not ours. */
        for (int s = 1; s < NSIG; s++)
                if (s != SIGKILL && s != SIGSTOP)
                        signal(s, SIG_DFL);
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        signal(SIGPIPE, SIG_IGN);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        prctl(PR_SET_NAME, "podrt-kvm");

        pid_t vmpid = 0;
        _cleanup_(podrt_error_freep) struct podrt_error *e = NULL;
        /* A pod on a network: the hypervisor opens its tap in the pod's
         * namespace (net.c). */
        int r = kvm_net_enter(vm->netns, &e);
        if (r >= 0)
                r = kvm_hv_start(hv, &vm->cfg, &vmpid, &e);
        if (r < 0) {
                report(report_fd, -r, podrt_error_message(e));
                _exit(125);
        }
        _cleanup_free_ char *pidfile = path_join(kvm_dir, "vm.pid");
        char num[32];
        snprintf(num, sizeof(num), "%d\n", (int)vmpid);
        if (!pidfile || write_file_atomic(pidfile, num, strlen(num), 0644, 0) < 0) {
                kill(vmpid, SIGKILL);
                waitpid(vmpid, NULL, 0);
                report(report_fd, EIO, "cannot record the VM's pid");
                _exit(125);
        }

        int pidfd = (int)syscall(SYS_pidfd_open, vmpid, 0);
        int status = 0;
        bool exited = false;
        /* Started means: the control socket answers (QEMU's QMP); or, for a
         * hypervisor that made nothing at control_path (lkvm), the process
         * is still there after a moment.  Any hypervisor plugin: no names. */
        int64_t t0 = now_ms();
        for (;;) {
                if (waitpid(vmpid, &status, WNOHANG) == vmpid) {
                        exited = true;
                        break;
                }
                if (socket_answers(vm->cfg.control_path))
                        break;
                int64_t t = now_ms() - t0;
                if (t >= START_TIMEOUT_MS || (t >= START_NO_SOCKET_MS && access(vm->cfg.control_path, F_OK) < 0))
                        break;
                usleep(5000);
        }
        _cleanup_free_ char *logname = NULL;
        if (asprintf(&logname, "%s.log", hv->name) < 0)
                logname = NULL;
        if (exited) {
                char tail[1024];
                _cleanup_free_ char *log = logname ? path_join(kvm_dir, logname) : NULL;
                log_tail(log ? log : "", tail, sizeof(tail));
                char msg[2048];
                if (WIFEXITED(status))
                        snprintf(msg, sizeof(msg), "%s exited at once with status %d%s%s", hv->name,
                                 WEXITSTATUS(status), tail[0] ? ": " : "", tail);
                else
                        snprintf(msg, sizeof(msg), "%s died at once of signal %d%s%s", hv->name,
                                 WTERMSIG(status), tail[0] ? ": " : "", tail);
                report(report_fd, EIO, msg);
                _exit(125);
        }
        report(report_fd, 0, NULL);

        /* No VLA sized by the pod: on the heap (the keeper exits at the end). */
        struct follow *f = calloc(2 * n + 1, sizeof(*f));
        if (!f)
                n = 0;   /* no room to follow: the apps' output stays in their files */
        for (size_t i = 0; i < n; i++)
                for (int k = 0; k < 2; k++) {
                        f[2 * i + k].in = -1;
                        f[2 * i + k].out = fds[2 * i + k];
                        if (asprintf(&f[2 * i + k].path, "%s/status/%s/%s", kvm_dir, k ? "err" : "out",
                                     names[i]) < 0)
                                f[2 * i + k].path = NULL;
                }
        int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        if (ino >= 0)
                for (int k = 0; k < 2; k++) {
                        char dir[4096];
                        snprintf(dir, sizeof(dir), "%s/status/%s", kvm_dir, k ? "err" : "out");
                        inotify_add_watch(ino, dir, IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE);
                }
        for (;;) {
                struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN }, { .fd = ino, .events = POLLIN } };
                int k = poll(p, 2, 250);
                if (k < 0 && errno != EINTR)
                        usleep(100000);
                if (ino >= 0 && p[1].revents) {
                        char ev[4096];
                        while (read(ino, ev, sizeof(ev)) > 0)
                                ;
                }
                for (size_t i = 0; i < 2 * n; i++)
                        if (f[i].path)
                                follow_pump(&f[i]);
                if (waitpid(vmpid, &status, WNOHANG) == vmpid)
                        break;
        }
        for (size_t i = 0; i < 2 * n; i++)
                if (f[i].path)
                        follow_pump(&f[i]);

        int code = 125;
        int sig = ended_by_signal(kvm_dir);
        if (sig)
                code = 128 + sig;
        else if (WIFSIGNALED(status))
                code = 128 + WTERMSIG(status);
        bool missing = false;
        for (size_t i = 0; i < n; i++)
                missing = missing || !status_exists(kvm_dir, names[i]);
        if (missing && !sig && n > 0 && fds[1] >= 0) {
                /* Say why, on the first app's stderr. */
                static const char *const needles[] = { "podrt-init", "Kernel panic", "panic", NULL };
                copy_lines(vm->cfg.console_path, needles, 20, fds[1]);
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                        _cleanup_free_ char *log = logname ? path_join(kvm_dir, logname) : NULL;
                        if (log)
                                copy_lines(log, NULL, 10, fds[1]);
                }
        }
        _exit(code);
}

int keeper_start(const struct kvm_hv *hv, const struct kvm_vm *vm,
                 const struct podrt_pod *pod, const char *kvm_dir, pid_t *ret_pid,
                 struct podrt_error **err) {
        size_t n = podrt_pod_n_apps(pod);
        _cleanup_free_ char **names = calloc(n + 1, sizeof(*names));
        _cleanup_free_ int *fds = calloc(2 * n + 1, sizeof(*fds));
        if (!names || !fds)
                return podrt_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                const struct podrt_app *a = podrt_pod_app(pod, i);
                names[i] = (char *)podrt_app_name(a);
                fds[2 * i] = podrt_app_stdout_fd(a);
                fds[2 * i + 1] = podrt_app_stderr_fd(a);
        }
        struct report_pipe rp;
        pid_t pid = fork_reporting(&rp);
        if (pid < 0)
                return podrt_error_set(err, errno, "%s: %m", rp.failed);
        if (pid == 0) {
                /* Keep only what the keeper uses: the apps' pipes and the
                 * report pipe; the monitor's other fds (its locks, its
                 * signal pipe, the other pods' logs) are not ours. */
                DIR *d = opendir("/proc/self/fd");
                if (d) {
                        struct dirent *de;
                        int self = dirfd(d);
                        while ((de = readdir(d))) {
                                int fd = atoi(de->d_name);
                                if (de->d_name[0] < '0' || de->d_name[0] > '9' || fd <= 2 || fd == self || fd == rp.fd[1])
                                        continue;
                                bool keep = false;
                                for (size_t i = 0; i < 2 * n; i++)
                                        keep = keep || fds[i] == fd;
                                if (!keep)
                                        close(fd);
                        }
                        closedir(d);
                }
                keeper_main(hv, vm, kvm_dir, n, names, fds, rp.fd[1]);
        }
        char buf[4096];
        size_t len = read_report(rp.fd[0], buf, sizeof(buf));
        char *msg = NULL;
        long code = len ? strtol(buf, &msg, 10) : EIO;
        if (code != 0) {
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                return podrt_error_set(err, (int)code, "%s", len ? (msg && *msg == ' ' ? msg + 1 : buf)
                                                                 : "the VM's keeper died before starting it");
        }
        *ret_pid = pid;
        return 0;
}
