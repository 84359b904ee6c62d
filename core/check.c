/* SPDX-License-Identifier: Apache-2.0 */
/* Host readiness (`podrt check`): kernel, cgroups, init, KVM, kernel
 * modules, and per backend what it needs.  Reports; never fails because
 * something is missing. */
#include <errno.h>
#include <fcntl.h>
#include <libkmod.h>
#include <limits.h>
#include <linux/kvm.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "podrt-build.h"
#include "check.h"
#include "errors.h"
#include "kmod-dl.h"
#include "timeutil.h"

extern char **environ;

#define VERSION_TIMEOUT_MS 2000
#define KVM_PROBE_TIMEOUT_MS 2000

static const char *const host_modules[] = {
        "kvm", "kvm_intel", "kvm_amd", "vhost_vsock", "vhost_net", "tun", "overlay",
};

/* ---- small host facts ---- */

static const char *cgroup_mode(void) {
        struct statfs fs;
        if (statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
                return "v2";
        if (statfs("/sys/fs/cgroup/unified", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
                return "hybrid";
        return "v1";
}

/* The controllers enabled on the cgroup2 hierarchy of a hybrid host, or an
 * empty string. */
static void hybrid_controllers(char *buf, size_t size) {
        buf[0] = '\0';
        _cleanup_close_ int fd = open("/sys/fs/cgroup/unified/cgroup.controllers",
                                      O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        ssize_t n = read(fd, buf, size - 1);
        if (n < 0)
                n = 0;
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
}

static bool pid1_is_systemd(void) {
        struct stat st;
        return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_char_device(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISCHR(st.st_mode);
}

/* ---- kernel modules ---- */

static void kmod_silent(void *data, int priority, const char *file, int line, const char *fn,
                        const char *format, va_list args) {
}

static bool have_module_dir(void) {
        struct utsname u;
        char path[sizeof(u.release) + 16];
        struct stat st;
        if (uname(&u) < 0)
                return false;
        snprintf(path, sizeof(path), "/lib/modules/%s", u.release);
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static const char *module_status(struct kmod_ctx *ctx, bool moddir, const char *name) {
        if (!ctx)
                return "missing";
        struct kmod_module *mod = NULL;
        if (kmod_module_new_from_name(ctx, name, &mod) < 0)
                return "missing";
        int state = kmod_module_get_initstate(mod);
        if (state == KMOD_MODULE_COMING) {
                /* libkmod says "coming" for a /sys/module/NAME without an
                 * initstate file: that is a built-in module with parameters
                 * (a loaded module always has initstate). */
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "/sys/module/%s/initstate", kmod_module_get_name(mod));
                if (access(path, F_OK) < 0)
                        state = KMOD_MODULE_BUILTIN;
        }
        kmod_module_unref(mod);
        if (state == KMOD_MODULE_LIVE || state == KMOD_MODULE_COMING)
                return "loaded";
        if (state == KMOD_MODULE_BUILTIN)
                return "builtin";
        if (!moddir)
                return "missing";

        struct kmod_list *list = NULL, *l;
        const char *status = "missing";
        if (kmod_module_new_from_lookup(ctx, name, &list) < 0)
                return status;
        kmod_list_foreach(l, list) {
                struct kmod_module *m = kmod_module_get_module(l);
                if (kmod_module_get_path(m))
                        status = "loadable";
                kmod_module_unref(m);
        }
        kmod_module_unref_list(list);
        return status;
}

static struct kmod_ctx *kmod_open(void) {
        if (dlopen_libkmod() < 0)
                return NULL;
        struct kmod_ctx *ctx = kmod_new(NULL, NULL);
        if (ctx)
                kmod_set_log_fn(ctx, kmod_silent, NULL);
        return ctx;
}

const char *check_module_status(const char *name) {
        if (!name || !name[0])
                return "missing";
        struct kmod_ctx *ctx = kmod_open();
        const char *s = module_status(ctx, have_module_dir(), name);
        if (ctx)
                kmod_unref(ctx);
        return s;
}

/* ---- KVM ---- */

struct kvm_probe {
        int works;
        char detail[240];
};

static void munmapp(void *p, size_t size) {
        if (p && p != MAP_FAILED)
                munmap(p, size);
}

/* Runs a few real-mode instructions in a new VM: they add 2 and 2, write
 * the digit to port 0x3f8, and halt. */
static void kvm_probe_run(struct kvm_probe *res) {
        static const uint8_t code[] = {
                0xba, 0xf8, 0x03, /* mov $0x3f8, %dx */
                0x00, 0xd8,       /* add %bl, %al */
                0x04, '0',        /* add $'0', %al */
                0xee,             /* out %al, (%dx) */
                0xf4,             /* hlt */
        };
        const size_t mem_size = 0x1000;
        void *mem = MAP_FAILED;
        struct kvm_run *run = MAP_FAILED;
        size_t run_size = 0;
        const char *step = NULL;
        /* Declared before the first goto: the cleanups run at every exit. */
        _cleanup_close_ int kvm = -1, vm = -1, vcpu = -1;

        res->works = 0;
        kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
        if (kvm < 0) {
                snprintf(res->detail, sizeof(res->detail), "cannot open /dev/kvm: %s",
                         strerror(errno));
                return;
        }
        int api = ioctl(kvm, KVM_GET_API_VERSION, 0);
        if (api != KVM_API_VERSION) {
                snprintf(res->detail, sizeof(res->detail), "KVM_GET_API_VERSION: %d, expected %d",
                         api, KVM_API_VERSION);
                return;
        }
        vm = ioctl(kvm, KVM_CREATE_VM, 0UL);
        if (vm < 0) {
                step = "KVM_CREATE_VM";
                goto fail;
        }
        fcntl(vm, F_SETFD, FD_CLOEXEC);

        mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED) {
                step = "mmap";
                goto fail;
        }
        memcpy(mem, code, sizeof(code));
        struct kvm_userspace_memory_region region = {
                .slot = 0,
                .guest_phys_addr = 0x1000,
                .memory_size = mem_size,
                .userspace_addr = (uintptr_t)mem,
        };
        if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
                step = "KVM_SET_USER_MEMORY_REGION";
                goto fail;
        }

        vcpu = ioctl(vm, KVM_CREATE_VCPU, 0UL);
        if (vcpu < 0) {
                step = "KVM_CREATE_VCPU";
                goto fail;
        }
        fcntl(vcpu, F_SETFD, FD_CLOEXEC);
        int n = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, NULL);
        if (n < (int)sizeof(struct kvm_run)) {
                step = "KVM_GET_VCPU_MMAP_SIZE";
                goto fail;
        }
        run_size = (size_t)n;
        run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
        if (run == MAP_FAILED) {
                step = "mmap of the vCPU";
                goto fail;
        }

        struct kvm_sregs sregs;
        if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) {
                step = "KVM_GET_SREGS";
                goto fail;
        }
        sregs.cs.base = 0;
        sregs.cs.selector = 0;
        if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) {
                step = "KVM_SET_SREGS";
                goto fail;
        }
        struct kvm_regs regs = { .rip = 0x1000, .rax = 2, .rbx = 2, .rflags = 0x2 };
        if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) {
                step = "KVM_SET_REGS";
                goto fail;
        }

        bool wrote = false;
        for (int i = 0; i < 16; i++) {
                if (ioctl(vcpu, KVM_RUN, NULL) < 0) {
                        if (errno == EINTR)
                                continue;
                        step = "KVM_RUN";
                        goto fail;
                }
                switch (run->exit_reason) {
                case KVM_EXIT_IO: {
                        const char *data = (const char *)run + run->io.data_offset;
                        if (run->io.direction != KVM_EXIT_IO_OUT || run->io.port != 0x3f8 ||
                            run->io.size != 1 || run->io.count != 1 || *data != '4') {
                                snprintf(res->detail, sizeof(res->detail),
                                         "test guest: unexpected I/O exit (port 0x%x, value 0x%02x)",
                                         run->io.port, (unsigned)(uint8_t)*data);
                                goto out;
                        }
                        wrote = true;
                        break;
                }
                case KVM_EXIT_HLT:
                        if (!wrote) {
                                snprintf(res->detail, sizeof(res->detail),
                                         "test guest halted without computing 2+2");
                                goto out;
                        }
                        res->works = 1;
                        snprintf(res->detail, sizeof(res->detail),
                                 "KVM works (API %d; a test guest ran and halted)", api);
                        goto out;
                case KVM_EXIT_FAIL_ENTRY:
                        snprintf(res->detail, sizeof(res->detail),
                                 "KVM_RUN: entry failed, hardware reason 0x%llx",
                                 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
                        goto out;
                case KVM_EXIT_INTERNAL_ERROR:
                        snprintf(res->detail, sizeof(res->detail),
                                 "KVM_RUN: KVM internal error, suberror %u",
                                 run->internal.suberror);
                        goto out;
                case KVM_EXIT_SHUTDOWN:
                        snprintf(res->detail, sizeof(res->detail),
                                 "KVM_RUN: the test guest shut down (triple fault)");
                        goto out;
                default:
                        snprintf(res->detail, sizeof(res->detail),
                                 "KVM_RUN: unexpected exit reason %u", run->exit_reason);
                        goto out;
                }
        }
        snprintf(res->detail, sizeof(res->detail), "test guest did not halt");
        goto out;

fail:
        snprintf(res->detail, sizeof(res->detail), "%s: %s", step, strerror(errno));
out:
        munmapp(run, run_size);
        munmapp(mem, mem_size);
}

int check_kvm_works(char *detail, size_t detail_size) {
        struct kvm_probe res = { 0 };

        /* The probe runs in a child with a deadline: a broken KVM must not
         * hang `podrt check`.  Everything it opened dies with it. */
        int p[2];
        pid_t pid = -1;
        if (pipe2(p, O_CLOEXEC) == 0) {
                pid = fork();
                if (pid == 0) {
                        close(p[0]);
                        kvm_probe_run(&res);
                        ssize_t w = write(p[1], &res, sizeof(res));
                        _exit(w == (ssize_t)sizeof(res) ? 0 : 1);
                }
                close(p[1]);
                if (pid < 0)
                        close(p[0]);
        }

        if (pid < 0) {
                /* No child: probe here (it closes what it opens). */
                kvm_probe_run(&res);
        } else {
                struct pollfd pfd = { .fd = p[0], .events = POLLIN };
                int r;
                do
                        r = poll(&pfd, 1, KVM_PROBE_TIMEOUT_MS);
                while (r < 0 && errno == EINTR);
                ssize_t n = r > 0 ? read(p[0], &res, sizeof(res)) : -1;
                close(p[0]);
                if (r == 0) {
                        kill(pid, SIGKILL);
                        snprintf(res.detail, sizeof(res.detail),
                                 "the KVM test guest did not finish within %d s",
                                 KVM_PROBE_TIMEOUT_MS / 1000);
                        res.works = 0;
                } else if (n != (ssize_t)sizeof(res)) {
                        snprintf(res.detail, sizeof(res.detail), "the KVM probe died");
                        res.works = 0;
                }
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        res.detail[sizeof(res.detail) - 1] = '\0';
        if (detail && detail_size > 0)
                snprintf(detail, detail_size, "%s", res.detail);
        return res.works ? 1 : 0;
}

/* ---- programs and their versions ---- */

static bool is_executable(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* The program's path: name itself when it holds a '/', else the first
 * match on $PATH.  NULL when not found. */
static char *find_program(const char *name) {
        if (!name || !name[0])
                return NULL;
        if (strchr(name, '/'))
                return is_executable(name) ? strdup(name) : NULL;
        const char *path = getenv("PATH");
        if (!path || !path[0])
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return NULL;
        char *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                char *full = NULL;
                if (asprintf(&full, "%s/%s", dir, name) < 0)
                        return NULL;
                if (is_executable(full))
                        return full;
                free(full);
        }
        return NULL;
}

/* Runs `path --version` (no shell, stdin /dev/null, a clean fd table, its
 * own process group, a deadline) and puts the first line of its output in
 * out.  0 on success, else -errno with out saying what went wrong. */
static int program_version(const char *path, char *out, size_t size) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
                snprintf(out, size, "pipe: %s", strerror(errno));
                return -errno;
        }
        _cleanup_close_ int rd = p[0];
        int wr = p[1];

        posix_spawn_file_actions_t fa;
        posix_spawnattr_t attr;
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawn_file_actions_init(&fa);
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_adddup2(&fa, wr, 1);
        posix_spawn_file_actions_adddup2(&fa, wr, 2);
        posix_spawn_file_actions_addclosefrom_np(&fa, 3);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setpgroup(&attr, 0);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                                POSIX_SPAWN_SETPGROUP);

        char *argv[] = { (char *)path, (char *)"--version", NULL };
        pid_t pid;
        int r = posix_spawn(&pid, path, &fa, &attr, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        posix_spawnattr_destroy(&attr);
        close(wr);
        if (r != 0) {
                snprintf(out, size, "cannot run %s: %s", path, strerror(r));
                return -r;
        }

        char buf[4096];
        size_t len = 0;
        int64_t deadline = now_ms() + VERSION_TIMEOUT_MS;
        bool timed_out = false;
        for (;;) {
                int64_t left = deadline - now_ms();
                if (left <= 0) {
                        timed_out = true;
                        break;
                }
                struct pollfd pfd = { .fd = rd, .events = POLLIN };
                int pr = poll(&pfd, 1, (int)left);
                if (pr < 0 && errno == EINTR)
                        continue;
                if (pr <= 0) {
                        timed_out = pr == 0;
                        break;
                }
                char tmp[1024];
                ssize_t n = read(rd, tmp, sizeof(tmp));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                size_t take = (size_t)n < sizeof(buf) - 1 - len ? (size_t)n : sizeof(buf) - 1 - len;
                memcpy(buf + len, tmp, take);
                len += take;
        }
        buf[len] = '\0';

        /* Wait for it, within what is left of the deadline. */
        int status = 0;
        bool reaped = false;
        while (!timed_out) {
                pid_t w = waitpid(pid, &status, WNOHANG);
                if (w == pid) {
                        reaped = true;
                        break;
                }
                if (w < 0 && errno != EINTR)
                        break; /* SIGCHLD ignored by the caller: no status */
                if (now_ms() >= deadline) {
                        timed_out = true;
                        break;
                }
                struct timespec ts = { 0, 10 * 1000 * 1000 };
                nanosleep(&ts, NULL);
        }
        if (timed_out) {
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
                snprintf(out, size, "%s --version: no answer within %d s", path,
                         VERSION_TIMEOUT_MS / 1000);
                return -ETIME;
        }

        /* The first non-empty line. */
        char *line = buf;
        while (*line == '\n' || *line == '\r' || *line == ' ')
                line++;
        line[strcspn(line, "\r\n")] = '\0';

        if (reaped && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
                if (WIFEXITED(status))
                        snprintf(out, size, "%s --version: exit status %d%s%.200s", path,
                                 WEXITSTATUS(status), line[0] ? ": " : "", line);
                else
                        snprintf(out, size, "%s --version: killed by signal %d", path,
                                 WTERMSIG(status));
                return -EIO;
        }
        if (!line[0]) {
                snprintf(out, size, "%s --version: printed nothing", path);
                return -ENODATA;
        }
        snprintf(out, size, "%.300s", line);
        return 0;
}

/* ---- the report ---- */

struct report {
        struct json_object *root;
        const char *cgroup;
        char controllers[256];
        bool systemd;
        bool dev_kvm;
        int kvm_works;           /* -1: not probed yet */
        char kvm_detail[256];
};

static int kvm_works_cached(struct report *rep) {
        if (rep->kvm_works < 0) {
                if (!rep->dev_kvm) {
                        rep->kvm_works = 0;
                        snprintf(rep->kvm_detail, sizeof(rep->kvm_detail), "no /dev/kvm");
                } else
                        rep->kvm_works = check_kvm_works(rep->kvm_detail, sizeof(rep->kvm_detail));
        }
        return rep->kvm_works;
}

static int add_string(struct json_object *o, const char *key, const char *value) {
        struct json_object *v = json_object_new_string(value ? value : "");
        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int add_bool(struct json_object *o, const char *key, bool value) {
        struct json_object *v = json_object_new_boolean(value);
        if (!v || json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static int add_object(struct json_object *o, const char *key, struct json_object *value) {
        if (!value || json_object_object_add(o, key, value) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 0;
}

static int append(struct json_object *array, struct json_object *value) {
        if (!value || json_object_array_add(array, value) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 0;
}

/* One line of a backend: {"name","ok","required","detail"}. */
PODRT_PRINTF(5, 6)
static int add_check(struct json_object *checks, const char *name, bool ok, bool required,
                     const char *fmt, ...) {
        char detail[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
        struct json_object *c = json_object_new_object();
        if (!c)
                return -ENOMEM;
        if (add_string(c, "name", name) < 0 || add_bool(c, "ok", ok) < 0 ||
            add_bool(c, "required", required) < 0 || add_string(c, "detail", detail) < 0) {
                json_object_put(c);
                return -ENOMEM;
        }
        return append(checks, c);
}

/* A program check: found, and its --version's first line. */
static int add_program_check(struct json_object *checks, const char *name, const char *binary,
                             bool required, bool *ret_ok) {
        _cleanup_free_ char *path = find_program(binary);
        char version[512];
        bool ok = false;
        int r;
        if (!path)
                r = add_check(checks, name, false, required, "%s: not found%s", binary,
                              strchr(binary, '/') ? "" : " on PATH");
        else {
                ok = program_version(path, version, sizeof(version)) == 0;
                r = add_check(checks, name, ok, required, "%s", version);
        }
        if (ret_ok)
                *ret_ok = ok;
        return r;
}

static int new_backend(const char *name, struct json_object **ret_backend,
                       struct json_object **ret_checks, struct json_object **ret_notes) {
        struct json_object *b = json_object_new_object();
        struct json_object *checks = json_object_new_array();
        struct json_object *notes = json_object_new_array();
        if (!b || !checks || !notes || add_string(b, "name", name) < 0) {
                json_object_put(b);
                json_object_put(checks);
                json_object_put(notes);
                return -ENOMEM;
        }
        json_object_object_add(b, "checks", checks);
        json_object_object_add(b, "notes", notes);
        *ret_backend = b;
        *ret_checks = checks;
        *ret_notes = notes;
        return 0;
}

static int add_note(struct json_object *notes, const char *text) {
        return append(notes, json_object_new_string(text));
}

static int backend_oci(struct report *rep, const struct podrt_config *cfg,
                       struct json_object **ret) {
        struct json_object *b, *checks, *notes;
        if (new_backend("oci", &b, &checks, &notes) < 0)
                return -ENOMEM;
        const char *runtime = podrt_config_string(cfg, "oci.runtime", "auto");
        const char *auto_list[] = { "crun", "runc", NULL };
        const char *one[] = { runtime, NULL };
        const char **list = strcmp(runtime, "auto") == 0 ? auto_list : one;
        bool required = list == one; /* auto: any one of them will do */
        bool ready = false;
        int r = 0;

        for (size_t i = 0; list[i] && r >= 0; i++) {
                _cleanup_free_ char *path = find_program(list[i]);
                const char *base = strrchr(list[i], '/') ? strrchr(list[i], '/') + 1 : list[i];
                char version[512];
                bool ok = false;
                if (!path)
                        r = add_check(checks, list[i], false, required, "%s: not found%s", list[i],
                                      strchr(list[i], '/') ? "" : " on PATH");
                else if (program_version(path, version, sizeof(version)) < 0)
                        r = add_check(checks, list[i], false, required, "%s", version);
                else if (strcmp(base, "crun") == 0 && strcmp(rep->cgroup, "hybrid") == 0 &&
                         rep->controllers[0])
                        /* crun refuses a hybrid host whose cgroup2 hierarchy
                         * holds controllers ("cgroups in hybrid mode not
                         * supported"). */
                        r = add_check(checks, list[i], false, required,
                                      "%s; unusable here: cgroup hybrid mode with controllers "
                                      "on cgroup2 (%s)", version, rep->controllers);
                else {
                        ok = true;
                        r = add_check(checks, list[i], true, required, "%s", version);
                }
                ready = ready || ok;
        }
        if (r >= 0 && !ready)
                r = add_note(notes, strcmp(runtime, "auto") == 0
                                            ? "no usable OCI runtime: install runc or crun"
                                            : "the configured oci.runtime is not usable");
        if (r >= 0)
                r = add_bool(b, "ready", ready);
        if (r < 0) {
                json_object_put(b);
                return r;
        }
        *ret = b;
        return 0;
}

/* podrt-init, the pod's PID 1 (nspawn) and the VM's /init (kvm). */
static int add_init_check(struct json_object *checks, bool *ret_ok) {
        const char *dir = secure_getenv("PODRT_LIBEXEC_DIR");
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/podrt-init", dir && *dir ? dir : PODRT_LIBEXECDIR) < 0)
                return -ENOMEM;
        *ret_ok = access(path, X_OK) == 0;
        return add_check(checks, "podrt-init", *ret_ok, true, "%s%s", path, *ret_ok ? "" : ": not found");
}

static int backend_nspawn(struct report *rep, const struct podrt_config *cfg,
                          struct json_object **ret) {
        struct json_object *b, *checks, *notes;
        if (new_backend("nspawn", &b, &checks, &notes) < 0)
                return -ENOMEM;
        const char *binary = podrt_config_string(cfg, "nspawn.binary", "systemd-nspawn");
        bool ok = false;
        int r = add_program_check(checks, binary, binary, true, &ok);
        bool init_ok = false;
        if (r >= 0)
                r = add_init_check(checks, &init_ok);
        if (r >= 0 && !rep->systemd)
                r = add_note(notes, "PID 1 is not systemd: will pass --register=no --keep-unit");
        if (r >= 0)
                r = add_bool(b, "ready", ok && init_ok);
        if (r < 0) {
                json_object_put(b);
                return r;
        }
        *ret = b;
        return 0;
}

/* The kvm backend's cached QEMU probe for this boot
 * (<state_dir>/kvm/kvm-works: "boot ID\nworks 0|1\ndetail TEXT\n"):
 * 1 or 0, or -1 when it has not run this boot. */
static int kvm_qemu_probe_cached(const struct podrt_config *cfg, char *detail, size_t size) {
        char path[4096], boot[128] = "", text[4096];
        snprintf(path, sizeof(path), "%s/kvm/kvm-works",
                 podrt_config_string(cfg, "state_dir", PODRT_STATE_DIR));
        FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
        if (!f)
                return -1;
        if (!fgets(boot, sizeof(boot), f))
                boot[0] = 0;
        fclose(f);
        boot[strcspn(boot, "\n")] = 0;
        f = fopen(path, "re");
        if (!f)
                return -1;
        size_t n = fread(text, 1, sizeof(text) - 1, f);
        fclose(f);
        text[n] = 0;
        char *b = strstr(text, "boot "), *w = strstr(text, "\nworks "), *d = strstr(text, "\ndetail ");
        if (!boot[0] || !b || !w || !d || strncmp(b + 5, boot, strlen(boot)) != 0)
                return -1;
        d += 8;
        d[strcspn(d, "\n")] = 0;
        snprintf(detail, size, "%s", d);
        return w[7] == '1';
}

static int backend_kvm(struct report *rep, const struct podrt_config *cfg,
                       struct json_object **ret) {
        struct json_object *b, *checks, *notes;
        if (new_backend("kvm", &b, &checks, &notes) < 0)
                return -ENOMEM;
        const char *hypervisor = podrt_config_string(cfg, "kvm.hypervisor", "qemu");
        const char *accel = podrt_config_string(cfg, "kvm.accel", "auto");
        const char *kernel = podrt_config_string(cfg, "kvm.kernel", "");
        const char *modules = podrt_config_string(cfg, "kvm.modules", "");
        bool lkvm = strcmp(hypervisor, "lkvm") == 0;
        const char *binary = lkvm ? "lkvm" : "qemu-system-x86_64";
        bool need_kvm = lkvm || strcmp(accel, "kvm") == 0;
        bool ready = true, ok = false;
        int r;

        r = add_program_check(checks, binary, binary, true, &ok);
        ready = ready && ok;
        if (r >= 0)
                r = add_init_check(checks, &ok);
        ready = ready && ok;

        if (r >= 0)
                r = add_check(checks, "/dev/kvm", rep->dev_kvm, need_kvm, "%s",
                              rep->dev_kvm ? "present" : "not present");
        if (r >= 0) {
                int works = kvm_works_cached(rep);
                /* A tiny KVM_RUN can pass where QEMU guests cannot (nested
                 * KVM, ENVIRONMENT.md): the kvm backend's own QEMU probe,
                 * cached per boot, has the last word when it has run. */
                char probe[200];
                int q = kvm_qemu_probe_cached(cfg, probe, sizeof(probe));
                if (q >= 0) {
                        works = q;
                        snprintf(rep->kvm_detail, sizeof(rep->kvm_detail), "%s (QEMU probe)", probe);
                } else if (r >= 0 && works)
                        r = add_note(notes, "KVM ran a test guest; the kvm backend's QEMU probe, run on "
                                            "first use, decides whether QEMU guests use it");
                const char *fallback = !works && !need_kvm ? "; TCG fallback" : "";
                r = add_check(checks, "kvm works", works, need_kvm, "%s%s", rep->kvm_detail,
                              fallback);
                if (need_kvm && !works)
                        ready = false;
                if (r >= 0 && !works && !need_kvm)
                        r = add_note(notes, "KVM is not usable here: guests run under TCG "
                                            "(slower)");
        }

        if (r >= 0) {
                struct stat st;
                ok = kernel[0] && stat(kernel, &st) == 0 && S_ISREG(st.st_mode);
                r = add_check(checks, "kernel", ok, true, "%s%s", kernel,
                              ok ? "" : ": not found (kvm.kernel)");
                ready = ready && ok;
        }
        if (r >= 0) {
                struct stat st;
                ok = modules[0] && stat(modules, &st) == 0 && S_ISDIR(st.st_mode);
                r = add_check(checks, "modules", ok, false, "%s%s", modules,
                              ok ? "" : ": not found (kvm.modules)");
        }
        if (r >= 0)
                r = add_bool(b, "ready", ready);
        if (r < 0) {
                json_object_put(b);
                return r;
        }
        *ret = b;
        return 0;
}

static int host_facts(struct report *rep, struct json_object **ret) {
        struct json_object *host = json_object_new_object();
        if (!host)
                return -ENOMEM;
        struct utsname u;
        int r = add_string(host, "kernel", uname(&u) == 0 ? u.release : "unknown");
        if (r >= 0)
                r = add_string(host, "cgroup", rep->cgroup);
        if (r >= 0)
                r = add_bool(host, "systemd", rep->systemd);

        if (r >= 0) {
                struct json_object *kvm = json_object_new_object();
                int works = kvm_works_cached(rep);
                if (!kvm || add_bool(kvm, "device", rep->dev_kvm) < 0 ||
                    add_bool(kvm, "works", works) < 0 ||
                    add_string(kvm, "detail", rep->kvm_detail) < 0) {
                        json_object_put(kvm);
                        r = -ENOMEM;
                } else
                        r = add_object(host, "kvm", kvm);
        }

        if (r >= 0) {
                struct json_object *mods = json_object_new_array();
                bool moddir = have_module_dir();
                struct kmod_ctx *ctx = kmod_open();
                for (size_t i = 0; mods && r >= 0 && i < ELEMENTSOF(host_modules); i++) {
                        struct json_object *m = json_object_new_object();
                        if (!m || add_string(m, "name", host_modules[i]) < 0 ||
                            add_string(m, "status", module_status(ctx, moddir, host_modules[i])) < 0) {
                                json_object_put(m);
                                r = -ENOMEM;
                        } else
                                r = append(mods, m);
                }
                if (ctx)
                        kmod_unref(ctx);
                if (!mods)
                        r = -ENOMEM;
                if (r >= 0)
                        r = add_object(host, "modules", mods);
                else
                        json_object_put(mods);
                if (r >= 0 && !moddir) {
                        char note[sizeof(u.release) + 128];
                        snprintf(note, sizeof(note),
                                 "no /lib/modules/%s: modules that are neither loaded nor built "
                                 "in are reported missing", u.release);
                        r = add_string(host, "modules_note", note);
                }
        }
        if (r < 0) {
                json_object_put(host);
                return r;
        }
        *ret = host;
        return 0;
}

int check_host(const struct podrt_config *cfg, struct json_object **ret,
               struct podrt_error **err) {
        struct report rep = {
                .cgroup = cgroup_mode(),
                .systemd = pid1_is_systemd(),
                .dev_kvm = is_char_device("/dev/kvm"),
                .kvm_works = -1,
        };
        if (strcmp(rep.cgroup, "hybrid") == 0)
                hybrid_controllers(rep.controllers, sizeof(rep.controllers));

        struct json_object *root = json_object_new_object();
        struct json_object *backends = json_object_new_array();
        struct json_object *host = NULL;
        const char *configured = podrt_config_string(cfg, "backend", "oci");
        bool configured_ready = true, known = false;
        int r = root && backends ? 0 : -ENOMEM;

        if (r >= 0)
                r = host_facts(&rep, &host);
        if (r >= 0)
                r = add_object(root, "host", host);

        static int (*const builders[])(struct report *, const struct podrt_config *,
                                       struct json_object **) = {
                backend_oci, backend_nspawn, backend_kvm,
        };
        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(builders); i++) {
                struct json_object *b = NULL;
                r = builders[i](&rep, cfg, &b);
                if (r < 0)
                        break;
                struct json_object *name, *ready;
                if (json_object_object_get_ex(b, "name", &name) &&
                    strcmp(json_object_get_string(name), configured) == 0 &&
                    json_object_object_get_ex(b, "ready", &ready)) {
                        known = true;
                        configured_ready = json_object_get_boolean(ready);
                }
                r = append(backends, b);
        }
        if (r >= 0) {
                r = add_object(root, "backends", backends);
                backends = NULL;
        }
        if (r >= 0)
                r = add_string(root, "config", podrt_config_source(cfg));
        if (r >= 0)
                r = add_string(root, "backend", configured);
        /* A backend of another plugin: nothing podrt knows to check. */
        if (r >= 0)
                r = add_bool(root, "ready", known ? configured_ready : true);

        if (r < 0) {
                json_object_put(backends);
                json_object_put(root);
                return podrt_error_set(err, r, "host check: out of memory");
        }
        *ret = root;
        return 0;
}

/* ---- printing ---- */

static const char *str_of(struct json_object *o, const char *key, const char *fallback) {
        struct json_object *v;
        if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return fallback;
        return json_object_get_string(v);
}

static bool bool_of(struct json_object *o, const char *key) {
        struct json_object *v;
        return o && json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

static struct json_object *get(struct json_object *o, const char *key) {
        struct json_object *v;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

void check_print(struct json_object *report, FILE *f) {
        if (!report || !f)
                return;
        struct json_object *host = get(report, "host");
        fprintf(f, "host\n");
        fprintf(f, "  %-8s %-20s %s\n", "", "kernel", str_of(host, "kernel", "unknown"));
        fprintf(f, "  %-8s %-20s %s\n", "", "cgroup", str_of(host, "cgroup", "unknown"));
        fprintf(f, "  %-8s %-20s %s\n", "", "init",
                bool_of(host, "systemd") ? "systemd" : "not systemd");
        struct json_object *kvm = get(host, "kvm");
        fprintf(f, "  %-8s %-20s %s\n", bool_of(kvm, "device") ? "ok" : "MISSING", "/dev/kvm",
                bool_of(kvm, "device") ? "present" : "not present");
        fprintf(f, "  %-8s %-20s %s\n", bool_of(kvm, "works") ? "ok" : "MISSING", "kvm works",
                str_of(kvm, "detail", ""));
        struct json_object *mods = get(host, "modules");
        for (size_t i = 0; mods && i < json_object_array_length(mods); i++) {
                struct json_object *m = json_object_array_get_idx(mods, i);
                const char *status = str_of(m, "status", "missing");
                char label[64];
                snprintf(label, sizeof(label), "module %s", str_of(m, "name", "?"));
                fprintf(f, "  %-8s %-20s %s\n", strcmp(status, "missing") == 0 ? "MISSING" : "ok",
                        label, status);
        }
        if (str_of(host, "modules_note", NULL))
                fprintf(f, "  %-8s %s\n", "note", str_of(host, "modules_note", ""));

        struct json_object *backends = get(report, "backends");
        for (size_t i = 0; backends && i < json_object_array_length(backends); i++) {
                struct json_object *b = json_object_array_get_idx(backends, i);
                fprintf(f, "backend %s: %s\n", str_of(b, "name", "?"),
                        bool_of(b, "ready") ? "ready" : "NOT READY");
                struct json_object *checks = get(b, "checks");
                for (size_t j = 0; checks && j < json_object_array_length(checks); j++) {
                        struct json_object *c = json_object_array_get_idx(checks, j);
                        /* A check without "required" (added by a caller) counts
                         * as required. */
                        bool required = !get(c, "required") || bool_of(c, "required");
                        fprintf(f, "  %-8s %-20s %s%s\n", bool_of(c, "ok") ? "ok" : "MISSING",
                                str_of(c, "name", "?"), str_of(c, "detail", ""),
                                required || bool_of(c, "ok") ? "" : " (optional)");
                }
                struct json_object *notes = get(b, "notes");
                for (size_t j = 0; notes && j < json_object_array_length(notes); j++)
                        fprintf(f, "  %-8s %s\n", "note",
                                json_object_get_string(json_object_array_get_idx(notes, j)));
        }
        /* The backend in use may have been replaced after check_host()
         * (--backend): its own entry says whether it is ready. */
        const char *name = str_of(report, "backend", "?");
        bool ready = bool_of(report, "ready");
        for (size_t i = 0; backends && i < json_object_array_length(backends); i++) {
                struct json_object *b = json_object_array_get_idx(backends, i);
                if (strcmp(str_of(b, "name", ""), name) == 0)
                        ready = bool_of(b, "ready");
        }
        fprintf(f, "configuration: %s\n", str_of(report, "config", "(defaults)"));
        fprintf(f, "backend in use: %s (%s)\n", name, ready ? "ready" : "NOT READY");
}
