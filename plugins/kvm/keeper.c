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

/* Whether podrt-init started an app yet: it writes pid/<app> as each app
 * starts (exit/<app> as it ends). */
static bool apps_started(const char *kvm_dir) {
        static const char *const subs[] = { "status/pid", "status/exit" };
        for (size_t i = 0; i < ELEMENTSOF(subs); i++) {
                _cleanup_free_ char *p = path_join(kvm_dir, subs[i]);
                DIR *d = p ? opendir(p) : NULL;
                if (!d)
                        continue;
                struct dirent *de;
                bool any = false;
                while (!any && (de = readdir(d)))
                        any = de->d_name[0] != '.';
                closedir(d);
                if (any)
                        return true;
        }
        return false;
}

/* The reason the hypervisor left in KVM_HV_STOPPED_FILE, if any. */
static bool hv_stopped(const char *kvm_dir, char *reason, size_t size) {
        _cleanup_free_ char *p = path_join(kvm_dir, KVM_HV_STOPPED_FILE), *text = NULL;
        if (!p || read_file(p, 256, &text, NULL) < 0)
                return false;
        text[strcspn(text, "\r\n")] = '\0';
        if (!text[0])
                return false;
        snprintf(reason, size, "%s", text);
        return true;
}

/* The first line of path holding needle, trimmed, into out ("" if none). */
static void find_line(const char *path, const char *needle, char *out, size_t size) {
        _cleanup_free_ char *text = NULL;
        out[0] = '\0';
        if (read_file(path, 1 << 22, &text, NULL) < 0)
                return;
        char *l = strstr(text, needle);
        if (!l)
                return;
        l[strcspn(l, "\r\n")] = '\0';
        snprintf(out, size, "%s", l);
}

/* One line saying why the VM ended before its apps did. */
static void explain(const char *reason, const struct kvm_vm *vm, const char *hvlog, char *msg, size_t size) {
        char detail[256];
        find_line(hvlog ? hvlog : "", "KVM internal error", detail, sizeof(detail));
        if (!strcmp(reason, "internal-error")) {
                char emu[64] = "";
                if (strstr(detail, "Suberror: 1"))
                        snprintf(emu, sizeof(emu), " (emulation failure)");
                snprintf(msg, size, "the VM stopped with a KVM internal error%s%s%s before its apps ended; the hypervisor was ended%s",
                         emu, detail[0] ? ": " : "", detail,
                         vm->accel_wanted && !strcmp(vm->accel_wanted, "kvm")
                                 ? " (kvm.accel = \"kvm\": KVM cannot run this guest here; \"auto\" falls back to TCG)" : "");
        } else if (!strcmp(reason, "guest-panicked")) {
                char line[256];
                find_line(vm->cfg.console_path, "Kernel panic", line, sizeof(line));
                snprintf(msg, size, "the guest kernel panicked%s%s; the VM was ended", line[0] ? ": " : "", line);
        }
        else if (!strcmp(reason, "io-error"))
                snprintf(msg, size, "the VM stopped on an I/O error; the hypervisor was ended");
        else if (!strcmp(reason, "shutdown"))
                snprintf(msg, size, "the guest shut down before its apps ended");
        else if (!strcmp(reason, "boot-timeout"))
                snprintf(msg, size, "no app started within kvm.boot_timeout = %u s: the VM was ended%s%s",
                         vm->boot_timeout, detail[0] ? "; the hypervisor said: " : "", detail);
        else
                snprintf(msg, size, "the VM stopped (%s); the hypervisor was ended", reason);
}

/* Starts the VM: 0 once started, else -errno with msg saying why. */
static int vm_run(const struct kvm_hv *hv, const struct kvm_vm *vm, const char *kvm_dir,
                  const char *logname, pid_t *ret_pid, char *msg, size_t size) {
        pid_t vmpid = 0;
        _cleanup_(podrt_error_freep) struct podrt_error *e = NULL;
        /* A pod on a network: the hypervisor opens its tap in the pod's
         * namespace (net.c). */
        int r = kvm_net_enter(vm->netns, &e);
        if (r >= 0)
                r = kvm_hv_start(hv, &vm->cfg, &vmpid, &e);
        if (r < 0) {
                snprintf(msg, size, "%s", podrt_error_message(e));
                return r;
        }
        _cleanup_free_ char *pidfile = path_join(kvm_dir, "vm.pid");
        char num[32];
        snprintf(num, sizeof(num), "%d\n", (int)vmpid);
        if (!pidfile || write_file_atomic(pidfile, num, strlen(num), 0644, 0) < 0) {
                kill(vmpid, SIGKILL);
                waitpid(vmpid, NULL, 0);
                snprintf(msg, size, "cannot record the VM's pid");
                return -EIO;
        }
        /* Started means: the control socket answers (QEMU's QMP); or, for a
         * hypervisor that made nothing at control_path (lkvm), the process
         * is still there after a moment.  Any hypervisor plugin: no names. */
        int status = 0;
        int64_t t0 = now_ms();
        for (;;) {
                if (waitpid(vmpid, &status, WNOHANG) == vmpid) {
                        char tail[1024];
                        _cleanup_free_ char *log = logname ? path_join(kvm_dir, logname) : NULL;
                        log_tail(log ? log : "", tail, sizeof(tail));
                        if (WIFEXITED(status))
                                snprintf(msg, size, "%s exited at once with status %d%s%s", hv->name,
                                         WEXITSTATUS(status), tail[0] ? ": " : "", tail);
                        else
                                snprintf(msg, size, "%s died at once of signal %d%s%s", hv->name,
                                         WTERMSIG(status), tail[0] ? ": " : "", tail);
                        return -EIO;
                }
                if (socket_answers(vm->cfg.control_path))
                        break;
                int64_t t = now_ms() - t0;
                if (t >= START_TIMEOUT_MS || (t >= START_NO_SOCKET_MS && access(vm->cfg.control_path, F_OK) < 0))
                        break;
                usleep(5000);
        }
        *ret_pid = vmpid;
        return 0;
}

/* The same pod again under TCG: the VM's command line, vm.json. */
static int vm_to_tcg(struct kvm_vm *vm, const char *kvm_dir) {
        char *cmdline = kvm_vm_cmdline(PODRT_ACCEL_TCG, accel_tsc_khz_cached(vm->probe_cache));
        if (!cmdline)
                return -ENOMEM;
        free(vm->cmdline);
        vm->cmdline = cmdline;
        vm->cfg.cmdline = cmdline;
        vm->cfg.accel = PODRT_ACCEL_TCG;
        _cleanup_free_ char *json = path_join(kvm_dir, "vm.json");
        return json ? kvm_vm_save(vm, json, NULL) : -ENOMEM;
}

/* Before a run: nothing of the last one's. */
static void clear_attempt(const char *kvm_dir, const char *logname) {
        const char *const files[] = { KVM_HV_STOPPED_FILE, "console.log", logname, "vm.pid" };
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *p = files[i] ? path_join(kvm_dir, files[i]) : NULL;
                if (p)
                        unlink(p);
        }
}

static _Noreturn void keeper_main(const struct kvm_hv *hv, struct kvm_vm *vm,
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

        _cleanup_free_ char *logname = NULL;
        if (asprintf(&logname, "%s.log", hv->name) < 0)
                logname = NULL;
        _cleanup_free_ char *hvlog = logname ? path_join(kvm_dir, logname) : NULL;
        int err_fd = n > 0 ? fds[1] : -1;
        /* The pod's log: our stderr when it is the monitor's log file (a
         * foreground run's monitor writes onto the terminal, where the
         * first app's stderr goes already). */
        struct stat st;
        int log_fd = fstat(2, &st) == 0 && S_ISREG(st.st_mode) ? 2 : -1;
        clear_attempt(kvm_dir, NULL);

        pid_t vmpid = 0;
        char msg[2048];
        int r = vm_run(hv, vm, kvm_dir, logname, &vmpid, msg, sizeof(msg));
        if (r < 0) {
                report_write(report_fd, -r, msg);
                _exit(125);
        }
        report_write(report_fd, 0, NULL);

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

        int status = 0;
        bool retried = false;
        char reason[64];
        for (;;) {
                int pidfd = (int)syscall(SYS_pidfd_open, vmpid, 0);
                bool started = false;
                reason[0] = '\0';
                int64_t boot_deadline = vm->boot_timeout ? now_ms() + (int64_t)vm->boot_timeout * 1000 : 0;
                int64_t kill_at = 0;
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
                        started = started || apps_started(kvm_dir);
                        int64_t now = now_ms();
                        if (!reason[0] && hv_stopped(kvm_dir, reason, sizeof(reason)))
                                kill_at = now + 5000;   /* the hypervisor ends it; else we do */
                        if (!reason[0] && !started && boot_deadline && now >= boot_deadline) {
                                snprintf(reason, sizeof(reason), "boot-timeout");
                                _cleanup_(podrt_error_freep) struct podrt_error *e = NULL;
                                if (kvm_hv_stop(hv, &vm->cfg, 0, &e) < 0)
                                        kill(vmpid, SIGKILL);
                                kill_at = now + 5000;
                        }
                        if (kill_at && now >= kill_at) {
                                kill(vmpid, SIGKILL);
                                kill_at = 0;
                        }
                }
                if (pidfd >= 0)
                        close(pidfd);
                for (size_t i = 0; i < 2 * n; i++)
                        if (f[i].path)
                                follow_pump(&f[i]);
                started = started || apps_started(kvm_dir);
                if (!reason[0])
                        hv_stopped(kvm_dir, reason, sizeof(reason));
                if (!reason[0] || !strcmp(reason, "shutdown")) {
                        /* panic=-1 and -no-reboot: a panic ends the VM by
                         * itself (or stops it, when QEMU is told to pause
                         * at shutdown). */
                        char line[256];
                        find_line(vm->cfg.console_path, "Kernel panic", line, sizeof(line));
                        if (line[0])
                                snprintf(reason, sizeof(reason), "guest-panicked");
                }

                /* auto, and KVM failed before any app started: KVM cannot
                 * run this guest here.  Say so, remember it, and run the pod
                 * again under TCG, once. */
                bool failed = reason[0] || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
                if (retried || started || !failed || kvm_ended_by_signal(kvm_dir) ||
                    vm->cfg.accel != PODRT_ACCEL_KVM || !vm->accel_wanted || strcmp(vm->accel_wanted, "auto") != 0)
                        break;
                retried = true;
                char why[1024];
                explain(reason[0] ? reason : "exit", vm, hvlog, why, sizeof(why));
                if (!reason[0])
                        snprintf(why, sizeof(why), "%s ended with status %d before any app started", hv->name,
                                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
                if (vm->probe_cache && vm->probe_key) {
                        char rec[1200];
                        snprintf(rec, sizeof(rec), "a pod's VM failed under KVM before any app started (%s)", why);
                        accel_boot_record(vm->probe_cache, vm->hypervisor, vm->probe_key, 0, rec);
                }
                snprintf(msg, sizeof(msg), "podrt: kvm: KVM failed before any app started (%s): KVM is marked unusable for this kernel until the host reboots; running the pod again under TCG\n",
                         why);
                write_str(log_fd, msg);
                write_str(err_fd, msg);
                if (vm_to_tcg(vm, kvm_dir) < 0)
                        break;
                clear_attempt(kvm_dir, logname);
                if ((r = vm_run(hv, vm, kvm_dir, logname, &vmpid, msg, sizeof(msg))) < 0) {
                        write_str(log_fd, "podrt: kvm: under TCG: ");
                        write_str(log_fd, msg);
                        write_str(log_fd, "\n");
                        write_str(err_fd, msg);
                        write_str(err_fd, "\n");
                        _exit(125);
                }
        }

        int code = 125;
        int sig = kvm_ended_by_signal(kvm_dir);
        if (sig)
                code = 128 + sig;
        else if (WIFSIGNALED(status) && !reason[0])
                code = 128 + WTERMSIG(status);
        bool missing = false;
        for (size_t i = 0; i < n; i++)
                missing = missing || !status_exists(kvm_dir, names[i]);
        if (missing && !sig && n > 0) {
                /* Say why, on the first app's stderr and in the pod's log. */
                static const char *const needles[] = { "podrt-init", "Kernel panic", "panic", NULL };
                static const char *const hv_needles[] = { "KVM internal error", "emulation failure", "RIP=",
                                                          "Code=", "error", NULL };
                if (reason[0]) {
                        char why[1024];
                        explain(reason, vm, hvlog, why, sizeof(why));
                        snprintf(msg, sizeof(msg), "podrt: kvm: %s\n", why);
                        write_str(log_fd, msg);
                        write_str(err_fd, msg);
                        if (hvlog) {
                                copy_lines(hvlog, hv_needles, 8, log_fd);
                                copy_lines(hvlog, hv_needles, 8, err_fd);
                        }
                        if (!strcmp(reason, "boot-timeout")) {
                                /* The console's last lines: where the boot stood. */
                                copy_lines(vm->cfg.console_path, NULL, 10, log_fd);
                                copy_lines(vm->cfg.console_path, NULL, 10, err_fd);
                        } else
                                copy_lines(vm->cfg.console_path, needles, 20, err_fd);
                } else if (err_fd >= 0) {
                        copy_lines(vm->cfg.console_path, needles, 20, err_fd);
                        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                                if (hvlog)
                                        copy_lines(hvlog, NULL, 10, err_fd);
                        }
                }
        }
        _exit(code);
}

int keeper_start(const struct kvm_hv *hv, struct kvm_vm *vm,
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
                fds[2 * n] = rp.fd[1];
                fds_close_except(fds, 2 * n + 1);
                keeper_main(hv, vm, kvm_dir, n, names, fds, rp.fd[1]);
        }
        char msg[4096];
        int code = report_wait(rp.fd[0], msg, sizeof(msg), "the VM's keeper died before starting it");
        if (code != 0) {
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                return podrt_error_set(err, code, "%s", msg);
        }
        *ret_pid = pid;
        return 0;
}
