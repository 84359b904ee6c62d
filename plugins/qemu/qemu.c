/* SPDX-License-Identifier: Apache-2.0 */
/* The QEMU hypervisor plugin (kvm.hypervisor = "qemu", the default):
 * qemu-system-x86_64 -M microvm (virtio-mmio devices, no PCI, no firmware
 * option ROMs), PVH boot of the uncompressed vmlinux, -nodefaults, the
 * serial console into a file, a QMP socket for stop, pause and resume, and
 * one virtio-9p device per share.  QEMU's own messages go to
 * <work_dir>/qemu.log, where the kvm backend's keeper looks for them. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qemu.h"

/* The plugin's private data. */
struct qemu {
        const struct podrt_host *host;
};

const char *qemu_binary(void) {
        const char *q = secure_getenv("PODRT_QEMU");
        return q && *q ? q : "qemu-system-x86_64";
}

char *qemu_escape(const char *s) {
        size_t n = strlen(s), commas = 0;
        for (size_t i = 0; i < n; i++)
                commas += s[i] == ',';
        char *out = malloc(n + commas + 1), *o = out;
        if (!out)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                *o++ = s[i];
                if (s[i] == ',')
                        *o++ = ',';
        }
        *o = '\0';
        return out;
}

static int pushf(char ***v, const char *fmt, ...) PODRT_PRINTF(2, 3);
static int pushf(char ***v, const char *fmt, ...) {
        va_list ap;
        char *s;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        return strv_consume(v, s);
}

static int qemu_build_argv(void *data, const struct podrt_vm_config *vm, char ***ret_argv,
                           struct podrt_error **err) {
        if (!vm || !vm->name || !vm->kernel || !vm->initrd || !vm->cmdline || !vm->console_path ||
            !vm->control_path)
                return podrt_error_set(err, EINVAL, "qemu: incomplete VM configuration");
        if (vm->accel != PODRT_ACCEL_KVM && vm->accel != PODRT_ACCEL_TCG)
                return podrt_error_set(err, EINVAL, "qemu: accel %u is neither kvm nor tcg", vm->accel);
        if (vm->memory_mib == 0 || vm->vcpus == 0)
                return podrt_error_set(err, EINVAL, "qemu: memory and vcpus must be > 0");
        _cleanup_strv_free_ char **v = NULL;
        _cleanup_free_ char *name = qemu_escape(vm->name), *kernel = qemu_escape(vm->kernel),
                            *initrd = qemu_escape(vm->initrd), *console = qemu_escape(vm->console_path),
                            *control = qemu_escape(vm->control_path);
        if (!name || !kernel || !initrd || !console || !control)
                return -ENOMEM;
        bool kvm = vm->accel == PODRT_ACCEL_KVM;
        int r = 0;
        r |= strv_push(&v, qemu_binary());
        r |= strv_push(&v, "-name");
        r |= strv_push(&v, name);
        r |= strv_push(&v, "-M");
        r |= strv_push(&v, "microvm,x-option-roms=off");
        r |= strv_push(&v, "-accel");
        r |= strv_push(&v, kvm ? "kvm" : "tcg");
        if (kvm) {
                r |= strv_push(&v, "-cpu");
                r |= strv_push(&v, "host");
        }
        r |= strv_push(&v, "-m");
        r |= pushf(&v, "%u", vm->memory_mib);
        r |= strv_push(&v, "-smp");
        r |= pushf(&v, "%u", vm->vcpus);
        r |= strv_push(&v, "-nodefaults");
        r |= strv_push(&v, "-no-user-config");
        r |= strv_push(&v, "-display");
        r |= strv_push(&v, "none");
        r |= strv_push(&v, "-no-reboot");
        r |= strv_push(&v, "-kernel");
        r |= strv_push(&v, vm->kernel);
        r |= strv_push(&v, "-initrd");
        r |= strv_push(&v, vm->initrd);
        r |= strv_push(&v, "-append");
        r |= strv_push(&v, vm->cmdline);
        r |= strv_push(&v, "-chardev");
        r |= pushf(&v, "file,id=console,path=%s", console);
        r |= strv_push(&v, "-serial");
        r |= strv_push(&v, "chardev:console");
        r |= strv_push(&v, "-qmp");
        r |= pushf(&v, "unix:%s,server=on,wait=off", control);
        if (vm->work_dir) {
                /* The watcher's own QMP (watch.c). */
                _cleanup_free_ char *dir = qemu_escape(vm->work_dir);
                if (!dir)
                        return -ENOMEM;
                r |= strv_push(&v, "-qmp");
                r |= pushf(&v, "unix:%s/" QEMU_WATCH_SOCKET ",server=on,wait=off", dir);
                /* podrt exec's channel to podrt-init: a virtio-serial port
                 * (virtio_console in the guest; no host module). */
                r |= strv_push(&v, "-device");
                r |= strv_push(&v, "virtio-serial-device,max_ports=2");
                r |= strv_push(&v, "-chardev");
                r |= pushf(&v, "socket,id=exec,path=%s/" QEMU_EXEC_SOCKET ",server=on,wait=off", dir);
                r |= strv_push(&v, "-device");
                r |= strv_push(&v, "virtserialport,chardev=exec,name=" QEMU_EXEC_PORT);
        }
        for (uint32_t i = 0; i < vm->n_shares; i++) {
                const struct podrt_vm_share *s = vm_config_share(vm, i);
                if (!s || !s->path || !s->tag || !*s->tag)
                        return podrt_error_set(err, EINVAL, "qemu: share %u has no path or tag", i);
                if (strlen(s->tag) > 255 || strchr(s->tag, ','))
                        return podrt_error_set(err, EINVAL, "qemu: share tag '%s' is not usable", s->tag);
                _cleanup_free_ char *path = qemu_escape(s->path);
                if (!path)
                        return -ENOMEM;
                r |= strv_push(&v, "-fsdev");
                /* multidevs=remap: a share with mounts below it (the kvm
                 * backend's added apps, a host volume) keeps inode numbers
                 * unique in the guest. */
                r |= pushf(&v, "local,id=fs%u,path=%s,security_model=passthrough,multidevs=remap%s", i, path,
                           s->read_only ? ",readonly=on" : "");
                r |= strv_push(&v, "-device");
                r |= pushf(&v, "virtio-9p-device,fsdev=fs%u,mount_tag=%s", i, s->tag);
        }
        /* The guest's network devices: taps in the namespace QEMU is started
         * in (the kvm backend starts it there), as virtio-net devices. */
        for (uint32_t i = 0; i < vm_config_n_nets(vm); i++) {
                const struct podrt_vm_net *n = vm_config_net(vm, i);
                if (!n || !n->tap || !*n->tap || strchr(n->tap, ',') || !n->mac || strchr(n->mac, ','))
                        return podrt_error_set(err, EINVAL, "qemu: network device %u has no usable tap or MAC", i);
                r |= strv_push(&v, "-netdev");
                r |= pushf(&v, "tap,id=net%u,ifname=%s,script=no,downscript=no", i, n->tap);
                r |= strv_push(&v, "-device");
                r |= pushf(&v, "virtio-net-device,netdev=net%u,mac=%s", i, n->mac);
        }
        if (r < 0)
                return -ENOMEM;
        *ret_argv = TAKE_PTR(v);
        return 0;
}

static int qemu_start(void *data, const struct podrt_vm_config *vm, pid_t *ret_pid,
                      struct podrt_error **err) {
        _cleanup_strv_free_ char **argv = NULL;
        int r = qemu_build_argv(data, vm, &argv, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *log = NULL;
        _cleanup_close_ int logfd = vm_open_log(vm, "qemu.log", &log);
        if (!log)
                return -ENOMEM;
        if (logfd < 0)
                return podrt_error_set(err, errno, "qemu: %s: %m", log);
        _cleanup_free_ char *bin = find_program(argv[0]);
        if (!bin)
                return podrt_error_set(err, ENOENT, "qemu: %s not found (apt-get install qemu-system-x86)",
                                       argv[0]);
        /* A stale socket of an earlier run would fool a connect. */
        unlink(vm->control_path);
        if (vm->work_dir) {
                _cleanup_free_ char *watch = path_join(vm->work_dir, QEMU_WATCH_SOCKET);
                if (watch)
                        unlink(watch);
        }
        if (vm_spawn(bin, argv, logfd, logfd, ret_pid) < 0)
                return podrt_error_set(err, errno, "qemu: fork: %m");
        /* Never a QEMU paused for ever: the watcher ends it (watch.c). */
        if (vm->work_dir && (r = qemu_watch_spawn(vm->work_dir, *ret_pid)) < 0) {
                kill(*ret_pid, SIGKILL);
                waitpid(*ret_pid, NULL, 0);
                return podrt_error_set(err, -r, "qemu: the VM's watcher: %s", strerror(-r));
        }
        return 0;
}

static int qemu_gone(const struct podrt_vm_config *vm) {
        _cleanup_(podrt_error_freep) struct podrt_error *e = NULL;
        int r = qmp_execute(vm->control_path, "query-status", NULL, 1000, &e);
        if (r >= 0)
                return 0;
        return r == -ENOENT || r == -ECONNREFUSED || r == -ECONNRESET;
}

/* ACPI's power button (QMP system_powerdown), then quit after timeout_sec;
 * at once when it is 0.  The kvm backend asks podrt-init first, through the
 * status share (kvm.c), and calls this with 0: podrt-init does not watch the
 * power button.  The button is for other guests of this table's users. */
static int qemu_stop(void *data, const struct podrt_vm_config *vm, uint32_t timeout_sec,
                     struct podrt_error **err) {
        int r;
        if (timeout_sec > 0) {
                _cleanup_(podrt_error_freep) struct podrt_error *e = NULL;
                r = qmp_execute(vm->control_path, "system_powerdown", NULL, 2000, &e);
                if (r == -ENOENT || r == -ECONNREFUSED)
                        return 0;   /* not running any more */
        }
        struct timespec t0, t;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (;;) {
                if (qemu_gone(vm))
                        return 0;
                clock_gettime(CLOCK_MONOTONIC, &t);
                if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= (long)timeout_sec * 1000)
                        break;
                usleep(100000);
        }
        r = qmp_execute(vm->control_path, "quit", NULL, 2000, err);
        if (r == -ENOENT || r == -ECONNREFUSED)
                return 0;
        return r;
}

static int qemu_pause(void *data, const struct podrt_vm_config *vm, struct podrt_error **err) {
        return qmp_execute(vm->control_path, "stop", NULL, 5000, err);
}

static int qemu_resume(void *data, const struct podrt_vm_config *vm, struct podrt_error **err) {
        return qmp_execute(vm->control_path, "cont", NULL, 5000, err);
}

static int qemu_probe(void *data, uint32_t accel, struct podrt_error **err) {
        const struct qemu *q = data;
        _cleanup_free_ char *bin = find_program(qemu_binary());
        if (!bin) {
                podrt_error_set(err, ENOENT, "%s not found (apt-get install qemu-system-x86)", qemu_binary());
                return 0;
        }
        if (accel == PODRT_ACCEL_TCG)
                return 1;
        if (accel != PODRT_ACCEL_KVM) {
                podrt_error_set(err, EINVAL, "qemu: accel %u is neither kvm nor tcg", accel);
                return 0;
        }
        /* Beside the kvm backend's cache of the answer, so that a failed
         * probe's kvm-probe.log stays where docs/kvm.md says. */
        char detail[512];
        _cleanup_free_ char *dir = NULL;
        bool own = !q || !q->host || !q->host->state_dir;
        if (own ? asprintf(&dir, "/tmp/podrt-kvm-probe.%d", (int)getpid()) < 0
                : !(dir = path_join(q->host->state_dir, "kvm")))
                return -ENOMEM;
        int works = qemu_probe_kvm(dir, detail, sizeof(detail));
        if (own)
                rm_rf(dir);
        if (!works)
                podrt_error_set(err, ENODEV, "%s", detail);
        else if (q && q->host && q->host->log)
                q->host->log(q->host, PODRT_LOG_INFO, "%s", detail);
        return works;
}

/* The first line of `bin --version` (2 s at most), into buf: 0, or -errno
 * with buf saying why. */
static int binary_version(const char *bin, char *buf, size_t size) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
                snprintf(buf, size, "%s --version: pipe: %s", bin, strerror(errno));
                return -errno;
        }
        _cleanup_close_ int in = p[0], out = p[1];
        char *argv[] = { (char *)bin, "--version", NULL };
        int status = 0, r = run_program(argv, out, 2000, &status);
        if (r < 0) {
                snprintf(buf, size, "%s --version: %s", bin, strerror(-r));
                return r;
        }
        out = -1, close(p[1]);
        char text[1024];
        ssize_t n = read(in, text, sizeof(text) - 1);
        text[n > 0 ? n : 0] = '\0';
        text[strcspn(text, "\r\n")] = '\0';
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !text[0]) {
                snprintf(buf, size, "%.100s --version: %.100s", bin, text[0] ? text : "failed");
                return -EIO;
        }
        snprintf(buf, size, "%.200s", text);
        return 0;
}

/* `podrt check`: the binary and its version. */
static int qemu_check(void *data, struct podrt_check *check, uint64_t flags, struct podrt_error **err) {
        const char *name = qemu_binary();
        _cleanup_free_ char *bin = find_program(name);
        if (!bin)
                return podrt_check_add(check, name, 0, "%s: not found%s (apt-get install qemu-system-x86)", name,
                                       strchr(name, '/') ? "" : " on PATH");
        char version[512];
        bool ok = binary_version(bin, version, sizeof(version)) == 0;
        return podrt_check_add(check, name, ok ? PODRT_CHECK_OK : 0, "%s", version);
}

static int qemu_init(const struct podrt_host *host, void **ret_data, struct podrt_error **err) {
        struct qemu *q = calloc(1, sizeof(*q));
        if (!q)
                return podrt_error_set(err, ENOMEM, "out of memory");
        q->host = host;
        *ret_data = q;
        return 0;
}

static void qemu_fini(void *data) {
        free(data);
}

static const struct podrt_hypervisor_ops qemu_ops = {
        .version = PODRT_HYPERVISOR_OPS_VERSION,
        .size = sizeof(struct podrt_hypervisor_ops),
        .build_argv = qemu_build_argv,
        .start = qemu_start,
        .stop = qemu_stop,
        .pause = qemu_pause,
        .resume = qemu_resume,
        .probe = qemu_probe,
        /* boots a vmlinux (PVH), runs under TCG too, attaches taps */
        .features = PODRT_HYPERVISOR_NET,
};

static const struct podrt_plugin qemu_plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "qemu",
        .version = PODRT_VERSION,
        .description = "QEMU's microvm machine as the kvm backend's hypervisor (kvm.hypervisor = \"qemu\")",
        .init = qemu_init,
        .fini = qemu_fini,
        .hypervisor = &qemu_ops,
        .check = qemu_check,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &qemu_plugin;
}
