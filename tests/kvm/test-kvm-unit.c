/* SPDX-License-Identifier: Apache-2.0 */
/* The kvm backend's parts that run without a VM: the qemu and lkvm
 * hypervisor plugins' command lines for a pod, the plugins loaded through
 * the core's real loader as kvm.so loads them (golden files in
 * tests/kvm/golden/; regenerate with PODRT_UPDATE_GOLDEN=1 and review the
 * diff), a third party's hypervisor plugin (tests/hypervisor/fail-hv.c),
 * the VM's size and kernel command line, the pod description, the accel
 * choice and its cache, the probe guest, the kvm config section and `podrt
 * check` lines, the module order and initramfs contents from a small fake
 * module tree (built here with cc and depmod), and the vmlinux extraction. */
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>

#include "../cunit-main.h"
#include "../../core/init/net.h"
#include "conf.h"
#include "errors.h"
#include "initspec.h"
#include "kvm.h"
#include "loader.h"
#include "manifest.h"
#include "pod.h"
#include "process.h"
#include "qemu.h"
#include "spec.h"
#include "strv.h"

#define POD_ID "0123456789abcdef0123456789abcdef"

static char tmp[64];

/* ---- the hypervisor plugins, through the real loader ----
 *
 * A host of the test's own whose plugin_ops is the loader's lookup, as the
 * core's is (core/loader.c): the plugins come from the build tree
 * ($PODRT_TEST_PLUGIN_DIRS: plugins/qemu, plugins/lkvm, and testhv's). */

static struct loader *loader;

static int test_plugin_ops(const struct podrt_host *host, const char *name, uint32_t kind,
                           const void **ret_ops, void **ret_data, struct podrt_error **err) {
        struct plugin *p = NULL;
        int r = loader_load(loader, name, &p, err);
        if (r < 0)
                return r;
        if (kind != PODRT_OPS_HYPERVISOR || !plugin_hypervisor_ops(p))
                return podrt_error_set(err, EOPNOTSUPP, "plugin '%s' provides no hypervisor ops", name);
        *ret_ops = plugin_hypervisor_ops(p);
        *ret_data = plugin_data(p);
        return 0;
}

static char libexec[256];
static struct podrt_host test_host = {
        .version = PODRT_HOST_VERSION,
        .size = sizeof(struct podrt_host),
        .plugin_name = "kvm",
        .libexec_dir = libexec,
        .plugin_ops = test_plugin_ops,
};
static struct kvm test_kvm = { .host = &test_host };

static struct kvm_hv hv_get(const char *name) {
        struct kvm_hv hv;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = kvm_hv_get(&test_kvm, name, &hv, &e);
        if (r < 0)
                fprintf(stderr, "hypervisor %s: %s\n", name, podrt_error_message(e));
        CU_ASSERT_FATAL(r == 0);
        return hv;
}

/* ---- podrt_check_add/note: the test's recorders (-Wl,--wrap) ---- */

static char check_lines[8192];

int __wrap_podrt_check_add(struct podrt_check *check, const char *what, uint32_t flags, const char *fmt, ...)
        PODRT_PRINTF(4, 5);
int __wrap_podrt_check_add(struct podrt_check *check, const char *what, uint32_t flags, const char *fmt, ...) {
        size_t n = strlen(check_lines);
        n += (size_t)snprintf(check_lines + n, sizeof(check_lines) - n, "%s%s|%s|", flags & PODRT_CHECK_OK ? "ok" : "MISSING",
                              flags & PODRT_CHECK_OPTIONAL ? "?" : "", what);
        va_list ap;
        va_start(ap, fmt);
        if (n < sizeof(check_lines))
                n += (size_t)vsnprintf(check_lines + n, sizeof(check_lines) - n, fmt, ap);
        va_end(ap);
        if (n < sizeof(check_lines) - 1)
                strcat(check_lines, "\n");
        return 0;
}

int __wrap_podrt_check_note(struct podrt_check *check, const char *fmt, ...) PODRT_PRINTF(2, 3);
int __wrap_podrt_check_note(struct podrt_check *check, const char *fmt, ...) {
        size_t n = strlen(check_lines);
        n += (size_t)snprintf(check_lines + n, sizeof(check_lines) - n, "note|");
        va_list ap;
        va_start(ap, fmt);
        if (n < sizeof(check_lines))
                n += (size_t)vsnprintf(check_lines + n, sizeof(check_lines) - n, fmt, ap);
        va_end(ap);
        if (n < sizeof(check_lines) - 1)
                strcat(check_lines, "\n");
        return 0;
}

static int suite_init(void) {
        snprintf(tmp, sizeof(tmp), "/tmp/podrt-kvm-unit.XXXXXX");
        if (!mkdtemp(tmp))
                return -1;
        char p[256];
        snprintf(p, sizeof(p), "%s/root,fs", tmp);
        mkdir(p, 0755);
        snprintf(p, sizeof(p), "%s/rootfs", tmp);
        mkdir(p, 0755);
        snprintf(p, sizeof(p), "%s/rootfs/etc", tmp);
        mkdir(p, 0755);
        snprintf(p, sizeof(p), "%s/rootfs/etc/hosts", tmp);
        close(open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
        snprintf(p, sizeof(p), "%s/data", tmp);
        mkdir(p, 0755);
        snprintf(p, sizeof(p), "%s/state", tmp);
        mkdir(p, 0755);
        test_host.state_dir = strdup(p);
        const char *le = getenv("PODRT_LIBEXEC_DIR");
        snprintf(libexec, sizeof(libexec), "%s", le ? le : "/nonexistent");

        const char *dirs_env = getenv("PODRT_TEST_PLUGIN_DIRS");
        if (!dirs_env)
                return -1;
        _cleanup_free_ char *copy = strdup(dirs_env);
        _cleanup_strv_free_ char **dirs = NULL;
        char *save = NULL;
        for (char *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save))
                if (strv_push(&dirs, d) < 0)
                        return -1;
        _cleanup_error_ struct podrt_error *e = NULL;
        if (loader_new((const char *const *)dirs, NULL, p, libexec, PODRT_LOG_ERR, &loader, &e) < 0) {
                fprintf(stderr, "loader: %s\n", podrt_error_message(e));
                return -1;
        }
        return 0;
}

static int suite_cleanup(void) {
        loader = loader_free(loader);
        rm_rf(tmp);
        return 0;
}

static void write_text(const char *path, const char *text) {
        FILE *f = fopen(path, "we");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs(text, f);
        fclose(f);
}

/* Two apps with limits, a read-only host volume and an empty one. */
static const char manifest_two[] =
        "{ \"apiVersion\": \"podrt/v1\", \"kind\": \"Pod\", \"name\": \"web\", \"hostname\": \"webhost\",\n"
        "  \"volumes\": [ { \"name\": \"data\", \"kind\": \"host\", \"source\": \"@TMP@/data\", \"readOnly\": true },\n"
        "                 { \"name\": \"scratch\", \"kind\": \"empty\" } ],\n"
        "  \"containers\": [\n"
        "    { \"name\": \"front\", \"rootfs\": \"root,fs\", \"command\": [\"/bin/sh\", \"-c\", \"echo hi there\"],\n"
        "      \"env\": { \"GREETING\": \"podrt\" }, \"workingDir\": \"/tmp\", \"user\": \"1000\", \"group\": \"100\",\n"
        "      \"supplementaryGroups\": [10],\n"
        "      \"mounts\": [ { \"volume\": \"data\", \"path\": \"/data\" }, { \"volume\": \"scratch\", \"path\": \"/scratch\" } ],\n"
        "      \"resources\": { \"memory\": \"64M\", \"cpu\": \"500m\" },\n"
        "      \"capabilities\": { \"drop\": [\"CAP_NET_RAW\"] },\n"
        "      \"lifecycle\": { \"preStart\": [\"/bin/true\"] } },\n"
        "    { \"name\": \"back\", \"rootfs\": \"root,fs\", \"command\": [\"/bin/true\"], \"readOnlyRootfs\": true,\n"
        "      \"mounts\": [ { \"volume\": \"scratch\", \"path\": \"/scratch\" } ],\n"
        "      \"resources\": { \"memory\": \"1Gi\", \"cpu\": \"1\" } } ] }\n";

static const char manifest_one[] =
        "{ \"apiVersion\": \"podrt/v1\", \"kind\": \"Pod\", \"name\": \"one\",\n"
        "  \"containers\": [ { \"name\": \"app\", \"rootfs\": \"rootfs\", \"command\": [\"/bin/true\"] } ] }\n";

static const char manifest_ro[] =
        "{ \"apiVersion\": \"podrt/v1\", \"kind\": \"Pod\", \"name\": \"ro\",\n"
        "  \"volumes\": [ { \"name\": \"data\", \"kind\": \"host\", \"source\": \"@TMP@/data\", \"readOnly\": true } ],\n"
        "  \"containers\": [ { \"name\": \"app\", \"rootfs\": \"rootfs\", \"command\": [\"/bin/true\"],\n"
        "      \"mounts\": [ { \"volume\": \"data\", \"path\": \"/data\" } ] } ] }\n";

static struct podrt_pod *make_pod(const char *tmpl) {
        /* @TMP@ stands for the temp dir (host volumes are absolute). */
        char text[4096], *o = text;
        for (const char *s = tmpl; *s;)
                if (!strncmp(s, "@TMP@", 5))
                        o = stpcpy(o, tmp), s += 5;
                else
                        *o++ = *s++;
        *o = '\0';
        struct pod_spec *spec = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = manifest_parse(text, strlen(text), "pod.json", tmp, &spec, &e);
        if (r < 0)
                fprintf(stderr, "manifest: %s\n", podrt_error_message(e));
        CU_ASSERT_FATAL(r >= 0);
        char dir[256];
        snprintf(dir, sizeof(dir), "%s/pods/" POD_ID, tmp);
        struct podrt_pod *pod = NULL;
        r = pod_new(spec, POD_ID, NULL, dir, "kvm", "none", "dir", &pod, &e);
        if (r < 0)
                fprintf(stderr, "pod: %s\n", podrt_error_message(e));
        CU_ASSERT_FATAL(r >= 0);
        return pod;
}

/* The argv, one argument a line, with the temp dir as @TMP@. */
static char *argv_text(char **argv) {
        size_t len = 0;
        for (size_t i = 0; argv[i]; i++)
                len += strlen(argv[i]) + 1;
        char *out = malloc(len + 1), *o = out;
        for (size_t i = 0; argv[i]; i++) {
                const char *s = argv[i];
                while (*s) {
                        if (!strncmp(s, tmp, strlen(tmp))) {
                                o = stpcpy(o, "@TMP@");   /* shorter than tmp */
                                s += strlen(tmp);
                        } else
                                *o++ = *s++;
                }
                *o++ = '\n';
        }
        *o = '\0';
        return out;
}

static void check_golden(const char *name, const char *text) {
        char path[512];
        snprintf(path, sizeof(path), "%s/tests/kvm/golden/%s", getenv("PODRT_SOURCE_DIR"), name);
        if (getenv("PODRT_UPDATE_GOLDEN")) {
                write_text(path, text);
                return;
        }
        _cleanup_free_ char *want = NULL;
        CU_ASSERT_FATAL(read_file(path, 1 << 20, &want, NULL) >= 0);
        if (strcmp(want, text) != 0)
                fprintf(stderr, "\n%s differs; got:\n%s", path, text);
        CU_ASSERT_STRING_EQUAL(text, want);
}

static struct kvm_vm *make_vm(struct podrt_pod *pod, const char *hv, uint32_t accel) {
        uint32_t mem, vcpus;
        kvm_vm_size(pod, NULL, &mem, &vcpus);
        char kvm_dir[256], initrd[300];
        snprintf(kvm_dir, sizeof(kvm_dir), "%s/pods/" POD_ID "/kvm", tmp);
        snprintf(initrd, sizeof(initrd), "%s/initrd.img", kvm_dir);
        struct kvm_vm *vm = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_FATAL(kvm_vm_new(pod, hv, "/var/lib/podrt/kernel/cache/vmlinux-0123", initrd, accel,
                                   2600000, mem, vcpus, kvm_dir, &vm, &e) >= 0);
        return vm;
}

/* ---- command lines ---- */

static void test_qemu_argv_golden(void) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = make_pod(manifest_two);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = make_vm(pod, "qemu", PODRT_ACCEL_TCG);
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        unsetenv("PODRT_QEMU");
        struct kvm_hv qemu = hv_get("qemu");
        CU_ASSERT_FATAL(kvm_hv_build_argv(&qemu, &vm->cfg, &argv, &e) >= 0);
        _cleanup_free_ char *text = argv_text(argv);
        check_golden("qemu-tcg.argv", text);
}

static void test_qemu_argv_kvm(void) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = make_pod(manifest_one);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = make_vm(pod, "qemu", PODRT_ACCEL_KVM);
        _cleanup_strv_free_ char **argv = NULL;
        struct kvm_hv qemu = hv_get("qemu");
        CU_ASSERT_FATAL(kvm_hv_build_argv(&qemu, &vm->cfg, &argv, NULL) >= 0);
        _cleanup_free_ char *text = argv_text(argv);
        /* KVM: the host's CPU, no TSC rate on the kernel's command line. */
        ASSERT_CONTAINS(text, "\n-accel\nkvm\n-cpu\nhost\n-m\n128\n-smp\n1\n");
        ASSERT_CONTAINS(text, "\nconsole=ttyS0 quiet panic=-1 rdinit=/init -- --poweroff\n");
        CU_ASSERT_PTR_NULL(strstr(text, "tsc_early_khz"));
        /* One rootfs share, the status share and the added apps' one,
         * nothing else: no network. */
        ASSERT_CONTAINS(text, "mount_tag=_rootfs0\n");
        ASSERT_CONTAINS(text, "mount_tag=_status\n");
        ASSERT_CONTAINS(text, "/kvm/apps,security_model=passthrough,multidevs=remap\n-device\nvirtio-9p-device,fsdev=fs2,mount_tag=_apps\n");
        CU_ASSERT_PTR_NULL(strstr(text, "netdev"));
        CU_ASSERT_PTR_NULL(strstr(text, "fs3"));
}

static void test_lkvm_argv_golden(void) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = make_pod(manifest_one);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = make_vm(pod, "lkvm", PODRT_ACCEL_KVM);
        free(vm->kernel);
        vm->kernel = strdup("/var/lib/podrt/kernel/vmlinuz");
        vm->cfg.kernel = vm->kernel;
        _cleanup_strv_free_ char **argv = NULL;
        unsetenv("PODRT_LKVM");
        struct kvm_hv lkvm = hv_get("lkvm");
        CU_ASSERT_FATAL(kvm_hv_build_argv(&lkvm, &vm->cfg, &argv, NULL) >= 0);
        _cleanup_free_ char *text = argv_text(argv);
        check_golden("lkvm.argv", text);
}

static void test_lkvm_refusals(void) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = make_pod(manifest_ro), *two = make_pod(manifest_two);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = make_vm(pod, "lkvm", PODRT_ACCEL_KVM);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm2 = make_vm(two, "lkvm", PODRT_ACCEL_KVM);
        _cleanup_strv_free_ char **argv = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        struct kvm_hv lkvm = hv_get("lkvm");
        /* kvmtool cannot export read-only: refused, never made writable. */
        CU_ASSERT(kvm_hv_build_argv(&lkvm, &vm->cfg, &argv, &e) == -ENOTSUP);
        CU_ASSERT_PTR_NULL(argv);
        ASSERT_CONTAINS(podrt_error_message(e), "lkvm cannot export share 'data' (");
        ASSERT_CONTAINS(podrt_error_message(e), "/data) read-only: use kvm.hypervisor = \"qemu\"");
        e = podrt_error_free(e);
        /* --9p SRC,TAG: a comma in SRC cannot be said. */
        CU_ASSERT(kvm_hv_build_argv(&lkvm, &vm2->cfg, &argv, &e) == -EINVAL);
        ASSERT_CONTAINS(podrt_error_message(e), "root,fs): a comma cannot be passed to --9p");
        e = podrt_error_free(e);
        vm->cfg.accel = PODRT_ACCEL_TCG;
        CU_ASSERT(kvm_hv_build_argv(&lkvm, &vm->cfg, &argv, &e) == -ENOTSUP);
        ASSERT_CONTAINS(podrt_error_message(e), "lkvm runs only on KVM (it has no TCG)");
}

/* QEMU doubles the commas of option values: the rootfs "root,fs". */
static void test_qemu_escape(void) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = make_pod(manifest_two);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = make_vm(pod, "qemu", PODRT_ACCEL_TCG);
        _cleanup_strv_free_ char **argv = NULL;
        struct kvm_hv qemu = hv_get("qemu");
        CU_ASSERT_FATAL(kvm_hv_build_argv(&qemu, &vm->cfg, &argv, NULL) >= 0);
        _cleanup_free_ char *text = argv_text(argv);
        ASSERT_CONTAINS(text, "path=@TMP@/root,,fs,security_model=passthrough");
}

/* Shares reach a hypervisor through share_list (podrt_vm_config version
 * 2); a version 1 config (shares only) still works. */
static void test_share_list(void) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = make_pod(manifest_two);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = make_vm(pod, "qemu", PODRT_ACCEL_TCG);
        CU_ASSERT_EQUAL_FATAL(vm->cfg.version, 3);
        CU_ASSERT_PTR_NOT_NULL_FATAL(vm->cfg.share_list);
        for (uint32_t i = 0; i < vm->cfg.n_shares; i++)
                CU_ASSERT_PTR_EQUAL(vm->cfg.share_list[i], &vm->cfg.shares[i]);
        struct kvm_hv qemu = hv_get("qemu");
        _cleanup_strv_free_ char **a = NULL, **b = NULL;
        CU_ASSERT_FATAL(kvm_hv_build_argv(&qemu, &vm->cfg, &a, NULL) >= 0);
        struct podrt_vm_config v1 = vm->cfg;
        v1.version = 1;
        v1.size = offsetof(struct podrt_vm_config, share_list);
        v1.share_list = NULL;
        CU_ASSERT_FATAL(kvm_hv_build_argv(&qemu, &v1, &b, NULL) >= 0);
        _cleanup_free_ char *ta = argv_text(a), *tb = argv_text(b);
        CU_ASSERT_STRING_EQUAL(ta, tb);
        /* share_list is what a version 2 reader uses: a tag changed there shows. */
        struct podrt_vm_share other = *vm->cfg.share_list[0];
        other.tag = "_other";
        const struct podrt_vm_share *list[16];
        CU_ASSERT_FATAL(vm->cfg.n_shares <= 16);
        for (uint32_t i = 0; i < vm->cfg.n_shares; i++)
                list[i] = i ? vm->cfg.share_list[i] : &other;
        struct podrt_vm_config v2 = vm->cfg;
        v2.share_list = list;
        _cleanup_strv_free_ char **c = NULL;
        CU_ASSERT_FATAL(kvm_hv_build_argv(&qemu, &v2, &c, NULL) >= 0);
        _cleanup_free_ char *tc = argv_text(c);
        ASSERT_CONTAINS(tc, "mount_tag=_other\n");
}

/* ---- size, command line, description ---- */

static void test_size(void) {
        _cleanup_(pod_unrefp) struct podrt_pod *two = make_pod(manifest_two), *one = make_pod(manifest_one);
        uint32_t mem, vcpus;
        kvm_vm_size(two, NULL, &mem, &vcpus);
        /* 64M (61.04 MiB, rounded up: 62) + 1Gi (1024) + 128 */
        CU_ASSERT_EQUAL(mem, 62 + 1024 + 128);
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        CU_ASSERT_EQUAL(vcpus, online >= 2 ? 2u : (uint32_t)online);   /* 500m + 1 -> 2 */
        kvm_vm_size(one, NULL, &mem, &vcpus);
        CU_ASSERT_EQUAL(mem, 128);
        CU_ASSERT_EQUAL(vcpus, 1);

        char path[256];
        snprintf(path, sizeof(path), "%s/podrt.conf", tmp);
        write_text(path, "kvm = { memory_mib = 300; vcpus = 1; };\n");
        struct podrt_config *cfg = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_FATAL(config_load(path, &cfg, &e) >= 0);
        kvm_vm_size(two, cfg, &mem, &vcpus);
        CU_ASSERT_EQUAL(mem, 300);
        CU_ASSERT_EQUAL(vcpus, 1);
        config_free(cfg);
}

static void test_cmdline(void) {
        _cleanup_free_ char *tcg = kvm_vm_cmdline(PODRT_ACCEL_TCG, 2596142), *kvm = kvm_vm_cmdline(PODRT_ACCEL_KVM, 2596142);
        CU_ASSERT_STRING_EQUAL(tcg, "console=ttyS0 quiet panic=-1 tsc_early_khz=2596142 rdinit=/init -- --poweroff");
        CU_ASSERT_STRING_EQUAL(kvm, "console=ttyS0 quiet panic=-1 rdinit=/init -- --poweroff");
}

static void test_description(void) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = make_pod(manifest_two);
        char path[256];
        snprintf(path, sizeof(path), "%s/pod.conf", tmp);
        char *mods[] = { "/lib/modules/6.1.0-fake/kernel/x/fake_ring.ko", NULL };
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_FATAL(kvm_write_description(pod, mods, path, &e) >= 0);
        _cleanup_free_ char *text = NULL;
        CU_ASSERT_FATAL(read_file(path, 1 << 20, &text, NULL) >= 0);
        ASSERT_CONTAINS(text, "hostname webhost\n");
        ASSERT_CONTAINS(text, "poweroff yes\n");
        /* podrt stop's request, on the status share. */
        ASSERT_CONTAINS(text, "stop-file /podrt/status/stop\n");
        ASSERT_CONTAINS(text, "module /lib/modules/6.1.0-fake/kernel/x/fake_ring.ko\n");
        /* Read-only volume and root: mounted ro in the guest. */
        ASSERT_CONTAINS(text, "mount 9p data /podrt/volumes/data ro data=trans=virtio,version=9p2000.L,msize=262144\n");
        ASSERT_CONTAINS(text, "mount 9p scratch /podrt/volumes/scratch data=");
        ASSERT_CONTAINS(text, "mount 9p _rootfs1 /opt/stage2/back/rootfs ro data=");
        ASSERT_CONTAINS(text, "mount 9p _status /podrt/status data=");
        /* Apps added while the VM runs: their share, podrt-init's socket. */
        ASSERT_CONTAINS(text, "mount 9p _apps /podrt/apps data=");
        ASSERT_CONTAINS(text, "control /podrt/control\nrequest-dir /podrt/status/requests\n");
        ASSERT_CONTAINS(text, "app front\nroot /opt/stage2/front/rootfs\nexec /bin/sh -c echo\\shi\\sthere\n");
        ASSERT_CONTAINS(text, "env GREETING=podrt\n");
        ASSERT_CONTAINS(text, "env HOSTNAME=webhost\n");
        ASSERT_CONTAINS(text, "bind /podrt/volumes/data /data ro\n");
        ASSERT_CONTAINS(text, "uid 1000\ngid 100\ngroups 10\n");
        /* The OCI default set minus NET_RAW (the manifest's drop): the rest
         * is dropped from the bounding set in the guest, as on nspawn. */
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "CAP_NET_RAW"));
        CU_ASSERT_PTR_NOT_NULL(strstr(text, "CAP_SYS_ADMIN"));
        CU_ASSERT_PTR_NULL(strstr(text, "CAP_CHOWN"));
        ASSERT_CONTAINS(text, "pre-start /bin/true\n");
        ASSERT_CONTAINS(text, "stdout /podrt/status/out/front\nstderr /podrt/status/err/front\nstatus /podrt/status/exit/front\n");
        /* root,fs has no /etc: nothing is bound (or created) there. */
        CU_ASSERT_PTR_NULL(strstr(text, "/podrt/status/etc"));
        /* What podrt-init would read back. */
        _cleanup_(initspec_freep) struct initspec *s = NULL;
        CU_ASSERT_FATAL(initspec_load(path, &s, &e) >= 0);
        CU_ASSERT_EQUAL(s->n_apps, 2);
        CU_ASSERT_EQUAL(s->n_mounts, 6);
        CU_ASSERT(s->apps[1].read_only_root);
}

static const char manifest_dns[] =
        "{ \"apiVersion\": \"podrt/v1\", \"kind\": \"Pod\", \"name\": \"dns\", \"hostname\": \"h1\",\n"
        "  \"dns\": { \"servers\": [\"192.0.2.53\"], \"searches\": [\"example.com\"], \"options\": [\"ndots:2\"] },\n"
        "  \"hosts\": [ { \"ip\": \"192.0.2.10\", \"names\": [\"db\", \"db.local\"] } ],\n"
        "  \"containers\": [ { \"name\": \"app\", \"rootfs\": \"rootfs\", \"command\": [\"/bin/true\"] } ] }\n";

static void test_etc_files(void) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = make_pod(manifest_dns);
        char dir[256], path[300];
        snprintf(dir, sizeof(dir), "%s/etc-out", tmp);
        CU_ASSERT_FATAL(kvm_etc_write(pod, dir, NULL) == 0);
        _cleanup_free_ char *hosts = NULL, *resolv = NULL, *hostname = NULL, *desc = NULL;
        snprintf(path, sizeof(path), "%s/hosts", dir);
        CU_ASSERT_FATAL(read_file(path, 4096, &hosts, NULL) == 0);
        CU_ASSERT_STRING_EQUAL(hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
                                      "192.0.2.10\tdb db.local\n127.0.1.1\th1\n");
        snprintf(path, sizeof(path), "%s/resolv.conf", dir);
        CU_ASSERT_FATAL(read_file(path, 4096, &resolv, NULL) == 0);
        CU_ASSERT_STRING_EQUAL(resolv, "search example.com\nnameserver 192.0.2.53\noptions ndots:2\n");
        snprintf(path, sizeof(path), "%s/hostname", dir);
        CU_ASSERT_FATAL(read_file(path, 4096, &hostname, NULL) == 0);
        CU_ASSERT_STRING_EQUAL(hostname, "h1\n");
        /* rootfs has /etc/hosts only: that one is bound, read-only. */
        snprintf(path, sizeof(path), "%s/dns.conf", tmp);
        CU_ASSERT_FATAL(kvm_write_description(pod, NULL, path, NULL) == 0);
        CU_ASSERT_FATAL(read_file(path, 1 << 20, &desc, NULL) == 0);
        ASSERT_CONTAINS(desc, "bind /podrt/status/etc/hosts /etc/hosts ro\n");
        CU_ASSERT_PTR_NULL(strstr(desc, "/etc/resolv.conf"));
        CU_ASSERT_PTR_NULL(strstr(desc, "/etc/hostname"));
}

static void test_vm_json_round_trip(void) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = make_pod(manifest_two);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = make_vm(pod, "qemu", PODRT_ACCEL_TCG);
        char path[256];
        snprintf(path, sizeof(path), "%s/vm.json", tmp);
        CU_ASSERT_FATAL(kvm_vm_save(vm, path, NULL) >= 0);
        _cleanup_(kvm_vm_freep) struct kvm_vm *back = NULL;
        CU_ASSERT_FATAL(kvm_vm_load(path, &back, NULL) >= 0);
        _cleanup_strv_free_ char **a = NULL, **b = NULL;
        struct kvm_hv qemu = hv_get("qemu");
        CU_ASSERT_FATAL(kvm_hv_build_argv(&qemu, &vm->cfg, &a, NULL) >= 0);
        CU_ASSERT_FATAL(kvm_hv_build_argv(&qemu, &back->cfg, &b, NULL) >= 0);
        _cleanup_free_ char *ta = argv_text(a), *tb = argv_text(b);
        CU_ASSERT_STRING_EQUAL(ta, tb);
        write_text(path, "{ \"name\": \"x\" }");
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT(kvm_vm_load(path, &back, &e) == -EINVAL);
        ASSERT_CONTAINS(podrt_error_message(e), "vm.json: the VM's description is incomplete");
}

/* ---- acceleration ---- */

static void test_accel_choice(void) {
        struct kvm_hv kvm_qemu = hv_get("qemu"), kvm_lkvm = hv_get("lkvm");
        uint32_t a = 99;
        bool warn = true;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT(accel_choose("auto", &kvm_qemu, 1, "", &a, &warn, NULL) == 0);
        CU_ASSERT(a == PODRT_ACCEL_KVM && !warn);
        CU_ASSERT(accel_choose("auto", &kvm_qemu, 0, "no", &a, &warn, NULL) == 0);
        CU_ASSERT(a == PODRT_ACCEL_TCG && warn);
        CU_ASSERT(accel_choose("tcg", &kvm_qemu, 1, "", &a, &warn, NULL) == 0);
        CU_ASSERT(a == PODRT_ACCEL_TCG && !warn);
        CU_ASSERT(accel_choose("kvm", &kvm_qemu, 1, "", &a, &warn, NULL) == 0);
        CU_ASSERT(a == PODRT_ACCEL_KVM);

        a = 99;
        CU_ASSERT(accel_choose("kvm", &kvm_qemu, 0, "failed to set MSR 0x10a", &a, NULL, &e) == -ENODEV);
        CU_ASSERT_EQUAL(a, 99);
        ASSERT_CONTAINS(podrt_error_message(e), "kvm.accel = \"kvm\", but KVM does not work here: failed to set MSR 0x10a");
        e = podrt_error_free(e);
        CU_ASSERT(accel_choose("auto", &kvm_lkvm, 0, "no /dev/kvm", &a, NULL, &e) == -ENODEV);
        ASSERT_CONTAINS(podrt_error_message(e), "lkvm needs KVM, and KVM does not work here (no /dev/kvm)");
        e = podrt_error_free(e);
        CU_ASSERT(accel_choose("tcg", &kvm_lkvm, 1, "", &a, NULL, &e) == -ENOTSUP);
        ASSERT_CONTAINS(podrt_error_message(e), "lkvm cannot run without KVM");
        e = podrt_error_free(e);
        CU_ASSERT(accel_choose("auto", &kvm_lkvm, 1, "", &a, NULL, NULL) == 0);
        CU_ASSERT(a == PODRT_ACCEL_KVM);
        CU_ASSERT(accel_choose("fast", &kvm_qemu, 1, "", &a, NULL, &e) == -EINVAL);
        ASSERT_CONTAINS(podrt_error_message(e), "kvm.accel: must be one of auto, kvm, tcg, not 'fast'");
}

/* auto reads the boot's cached probe result of that hypervisor: no QEMU
 * runs (the reason given is the cached one). */
static void test_accel_cache(void) {
        struct kvm_hv kvm_qemu = hv_get("qemu");
        char dir[256], path[300];
        snprintf(dir, sizeof(dir), "%s/accel", tmp);
        CU_ASSERT_FATAL(mkdir_p(dir, 0755) == 0);
        _cleanup_free_ char *boot = NULL;
        CU_ASSERT_FATAL(read_file("/proc/sys/kernel/random/boot_id", 256, &boot, NULL) == 0);
        boot[strcspn(boot, "\n")] = '\0';
        snprintf(path, sizeof(path), "%s/kvm-works", dir);
        char text[512], detail[256];
        snprintf(text, sizeof(text), "boot %s\nhypervisor qemu\nworks 0\ndetail a cached reason\n", boot);
        write_text(path, text);
        CU_ASSERT_EQUAL(accel_cached(dir, "qemu", detail, sizeof(detail)), 0);
        CU_ASSERT_STRING_EQUAL(detail, "a cached reason");
        CU_ASSERT_EQUAL(accel_cached(dir, "qem", detail, sizeof(detail)), -1);   /* another hypervisor's */
        CU_ASSERT_EQUAL(accel_cached(dir, "lkvm", detail, sizeof(detail)), -1);
        uint32_t a = 99;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT(accel_resolve(NULL, "auto", &kvm_qemu, dir, &a, &e) == 0);
        CU_ASSERT_EQUAL(a, PODRT_ACCEL_TCG);
        CU_ASSERT(accel_resolve(NULL, "kvm", &kvm_qemu, dir, &a, &e) == -ENODEV);
        ASSERT_CONTAINS(podrt_error_message(e), "KVM does not work here: a cached reason");
        e = podrt_error_free(e);
        snprintf(text, sizeof(text), "boot %s\nhypervisor qemu\nworks 1\ndetail KVM works (cached)\n", boot);
        write_text(path, text);
        CU_ASSERT(accel_resolve(NULL, "auto", &kvm_qemu, dir, &a, &e) == 0);
        CU_ASSERT_EQUAL(a, PODRT_ACCEL_KVM);
        /* Another boot's result is not used: the qemu plugin's probe runs
         * and the answer is rewritten. */
        write_text(path, "boot 00000000-0000-0000-0000-000000000000\nhypervisor qemu\nworks 1\ndetail stale\n");
        setenv("PODRT_QEMU", "/bin/false", 1);
        CU_ASSERT(accel_resolve(NULL, "auto", &kvm_qemu, dir, &a, &e) == 0);
        unsetenv("PODRT_QEMU");
        _cleanup_free_ char *now = NULL;
        CU_ASSERT_FATAL(read_file(path, 4096, &now, NULL) == 0);
        ASSERT_CONTAINS(now, boot);
        ASSERT_CONTAINS(now, "\nhypervisor qemu\n");
        CU_ASSERT_EQUAL(a, PODRT_ACCEL_TCG);   /* /bin/false is no KVM guest */
        if (access("/dev/kvm", R_OK | W_OK) == 0)
                ASSERT_CONTAINS(now, "works 0\ndetail QEMU's KVM test guest exited with status 1");
        else
                ASSERT_CONTAINS(now, "works 0\ndetail /dev/kvm: ");
        /* The qemu plugin's probe works in its host's state dir. */
        if (access("/dev/kvm", R_OK | W_OK) == 0) {
                char log[300];
                snprintf(log, sizeof(log), "%s/kvm/kvm-probe.log", test_host.state_dir);
                CU_ASSERT(access(log, F_OK) == 0);
        }
        /* Another hypervisor's probe: lkvm's, which needs its binary. */
        struct kvm_hv kvm_lkvm = hv_get("lkvm");
        setenv("PODRT_LKVM", "/nonexistent/lkvm", 1);
        e = podrt_error_free(e);
        CU_ASSERT(accel_resolve(NULL, "auto", &kvm_lkvm, dir, &a, &e) == -ENODEV);
        unsetenv("PODRT_LKVM");
        ASSERT_CONTAINS(podrt_error_message(e), "lkvm needs KVM, and KVM does not work here (/nonexistent/lkvm not found)");
        free(now);
        now = NULL;
        CU_ASSERT_FATAL(read_file(path, 4096, &now, NULL) == 0);
        ASSERT_CONTAINS(now, "\nhypervisor lkvm\nworks 0\n");
}

/* The probe guest is a real PVH image: QEMU under TCG runs it to the exit
 * port (status 67) in a fraction of a second. */
static void test_probe_image_runs(void) {
        char path[256];
        snprintf(path, sizeof(path), "%s/probe.elf", tmp);
        CU_ASSERT_FATAL(qemu_write_probe_image(path) == 0);
        char *argv[] = { "qemu-system-x86_64", "-M", "microvm,x-option-roms=off", "-accel", "tcg",
                         "-m", "16", "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
                         "-kernel", path, "-device", "isa-debug-exit,iobase=0xf4,iosize=4", NULL };
        int st = 0;
        CU_ASSERT_FATAL(run_program(argv, -1, 20000, &st) == 0);
        CU_ASSERT(WIFEXITED(st));
        CU_ASSERT_EQUAL(WEXITSTATUS(st), 67);
}

static void test_tsc_khz(void) {
        uint64_t khz = accel_tsc_khz();
        CU_ASSERT(khz > 100000 && khz < 10000000);   /* 100 MHz .. 10 GHz */
}

/* ---- modules and initramfs from a fake module tree ---- */

static char fake_moddir[256];

static void build_fake_tree(void) {
        if (fake_moddir[0])
                return;
        char dir[512], cmd[2048];
        snprintf(fake_moddir, sizeof(fake_moddir), "%s/fake/lib/modules/6.1.0-fake", tmp);
        snprintf(dir, sizeof(dir), "%s/kernel/x", fake_moddir);
        CU_ASSERT_FATAL(mkdir_p(dir, 0755) == 0);
        /* Three modules: top needs core and ring, core needs ring; and a
         * name that is built in. */
        static const char *const src[][2] = {
                { "fake_ring", "int ring_sym(void) { return 1; }\n"
                               "const char __kstrtab_ring_sym[] __attribute__((section(\"__ksymtab_strings\"))) = \"ring_sym\";\n" },
                { "fake_core", "extern int ring_sym(void); int core_sym(void) { return ring_sym(); }\n"
                               "const char __kstrtab_core_sym[] __attribute__((section(\"__ksymtab_strings\"))) = \"core_sym\";\n" },
                { "fake_top", "extern int core_sym(void); extern int ring_sym(void);\n"
                              "int top(void) { return core_sym() + ring_sym(); }\n" },
        };
        for (size_t i = 0; i < ELEMENTSOF(src); i++) {
                char c[512];
                snprintf(c, sizeof(c), "%s/%s.c", tmp, src[i][0]);
                char text[1024];
                snprintf(text, sizeof(text), "%schar __modinfo[] __attribute__((section(\".modinfo\"))) = \"license=GPL\\0name=%s\";\n",
                         src[i][1], src[i][0]);
                write_text(c, text);
                snprintf(cmd, sizeof(cmd), "cc -c -O0 -o %s/%s.ko %s", dir, src[i][0], c);
                CU_ASSERT_FATAL(system(cmd) == 0);
        }
        snprintf(cmd, sizeof(cmd), "%s/modules.builtin", fake_moddir);
        write_text(cmd, "kernel/x/fake_builtin.ko\n");
        snprintf(cmd, sizeof(cmd), "depmod -b %s/fake 6.1.0-fake 2>/dev/null", tmp);
        CU_ASSERT_FATAL(system(cmd) == 0);
}

static void test_module_order(void) {
        build_fake_tree();
        static const char *const names[] = { "fake_top", "fake_builtin", "fake_core", NULL };
        _cleanup_strv_free_ char **paths = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = modules_resolve(fake_moddir, names, &paths, &e);
        if (r < 0)
                fprintf(stderr, "%s\n", podrt_error_message(e));
        CU_ASSERT_FATAL(r == 0);
        /* Dependencies first, each once; the built-in one left out. */
        CU_ASSERT_EQUAL_FATAL(strv_length(paths), 3);
        CU_ASSERT_STRING_EQUAL(paths[0], "kernel/x/fake_ring.ko");
        CU_ASSERT_STRING_EQUAL(paths[1], "kernel/x/fake_core.ko");
        CU_ASSERT_STRING_EQUAL(paths[2], "kernel/x/fake_top.ko");

        static const char *const missing[] = { "fake_ring", "9p_nope", NULL };
        _cleanup_strv_free_ char **none = NULL;
        CU_ASSERT(modules_resolve(fake_moddir, missing, &none, &e) == -ENOENT);
        CU_ASSERT_PTR_NULL(none);
        ASSERT_CONTAINS(podrt_error_message(e), "guest module 9p_nope: not found in ");

        e = podrt_error_free(e);
        char nodep[256];
        snprintf(nodep, sizeof(nodep), "%s/data", tmp);
        CU_ASSERT(modules_resolve(nodep, names, &none, &e) == -ENOENT);
        ASSERT_CONTAINS(podrt_error_message(e), "modules.dep: No such file or directory (run depmod, or scripts/fetch-kernel.sh)");
}

/* kvm.load_modules on a host: what cannot be had is reported, calmly. */
static void test_host_modules(void) {
        static const char *const names[] = { "podrt_no_such_module", NULL };
        char report[256];
        CU_ASSERT_EQUAL(modules_load_host(names, report, sizeof(report)), 0);
        CU_ASSERT_STRING_EQUAL(report, "podrt_no_such_module missing");
}

/* A newc reader, enough to list what the writer wrote. */
struct entry {
        char name[256];
        unsigned mode, rmaj, rmin;
        size_t size;
        const char *data;
};

static size_t read_cpio(const char *buf, size_t len, struct entry *out, size_t max, int *trailers) {
        size_t off = 0, n = 0;
        *trailers = 0;
        while (off + 110 <= len) {
                if (buf[off] == '\0') {   /* padding between archives */
                        off++;
                        continue;
                }
                if (memcmp(buf + off, "070701", 6) != 0)
                        break;
                unsigned f[13];
                for (int i = 0; i < 13; i++) {
                        char h[9];
                        memcpy(h, buf + off + 6 + 8 * i, 8);
                        h[8] = '\0';
                        f[i] = (unsigned)strtoul(h, NULL, 16);
                }
                const char *name = buf + off + 110;
                size_t data_off = (off + 110 + f[11] + 3) & ~(size_t)3;
                if (!strcmp(name, "TRAILER!!!"))
                        (*trailers)++;
                else if (n < max) {
                        snprintf(out[n].name, sizeof(out[n].name), "%s", name);
                        out[n].mode = f[1];
                        out[n].size = f[6];
                        out[n].rmaj = f[9];
                        out[n].rmin = f[10];
                        out[n].data = buf + data_off;
                        n++;
                }
                off = (data_off + f[6] + 3) & ~(size_t)3;
        }
        return n;
}

static const struct entry *find_entry(const struct entry *e, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (!strcmp(e[i].name, name))
                        return &e[i];
        return NULL;
}

static void test_initramfs_contents(void) {
        build_fake_tree();
        static const char *const names[] = { "fake_top", NULL };
        _cleanup_strv_free_ char **rel = NULL;
        CU_ASSERT_FATAL(modules_resolve(fake_moddir, names, &rel, NULL) == 0);
        char cache[256], init[256], desc[256], out[256];
        snprintf(cache, sizeof(cache), "%s/cache", tmp);
        snprintf(init, sizeof(init), "%s/fake-init", tmp);
        snprintf(desc, sizeof(desc), "%s/desc", tmp);
        snprintf(out, sizeof(out), "%s/initrd.img", tmp);
        write_text(init, "#!fake podrt-init\n");
        write_text(desc, "podrt-init 1\n");
        _cleanup_free_ char *base = NULL, *again = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_FATAL(initramfs_base(cache, init, fake_moddir, "/lib/modules/6.1.0-fake", rel, &base, &e) == 0);
        /* Cached: the same inputs give the same file, untouched. */
        struct stat st1, st2;
        CU_ASSERT_FATAL(stat(base, &st1) == 0);
        CU_ASSERT_FATAL(initramfs_base(cache, init, fake_moddir, "/lib/modules/6.1.0-fake", rel, &again, &e) == 0);
        CU_ASSERT_STRING_EQUAL(base, again);
        CU_ASSERT_FATAL(stat(again, &st2) == 0);
        CU_ASSERT(st1.st_ino == st2.st_ino && st1.st_mtim.tv_nsec == st2.st_mtim.tv_nsec);
        CU_ASSERT_FATAL(initramfs_pod(base, desc, out, &e) == 0);

        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        CU_ASSERT_FATAL(read_file(out, 1 << 24, &buf, &len) == 0);
        CU_ASSERT_EQUAL(len % 512, 0);
        struct entry ents[64];
        int trailers = 0;
        size_t n = read_cpio(buf, len, ents, 64, &trailers);
        CU_ASSERT_EQUAL(trailers, 2);   /* base + the pod's archive */
        const struct entry *x = find_entry(ents, n, "init");
        CU_ASSERT_FATAL(x != NULL);
        CU_ASSERT_EQUAL(x->mode, S_IFREG | 0755);
        CU_ASSERT(x->size == 18 && !memcmp(x->data, "#!fake podrt-init\n", 18));
        x = find_entry(ents, n, "dev/console");
        CU_ASSERT_FATAL(x != NULL);
        CU_ASSERT(x->mode == (S_IFCHR | 0600) && x->rmaj == 5 && x->rmin == 1);
        x = find_entry(ents, n, "podrt/pod.conf");
        CU_ASSERT_FATAL(x != NULL);
        CU_ASSERT(x->size == 13 && !memcmp(x->data, "podrt-init 1\n", 13));
        CU_ASSERT_PTR_NOT_NULL(find_entry(ents, n, "lib/modules/6.1.0-fake/kernel/x"));
        /* The modules, in load order, as regular files. */
        const char *order[] = { "lib/modules/6.1.0-fake/kernel/x/fake_ring.ko",
                                "lib/modules/6.1.0-fake/kernel/x/fake_core.ko",
                                "lib/modules/6.1.0-fake/kernel/x/fake_top.ko" };
        ssize_t last = -1;
        for (size_t i = 0; i < ELEMENTSOF(order); i++) {
                x = find_entry(ents, n, order[i]);
                CU_ASSERT_FATAL(x != NULL);
                CU_ASSERT(x->mode == (S_IFREG | 0644) && x->size > 0 && !memcmp(x->data, "\177ELF", 4));
                CU_ASSERT((x - ents) > last);
                last = x - ents;
        }
        CU_ASSERT_PTR_NULL(find_entry(ents, n, "lib/modules/6.1.0-fake/kernel/x/fake_builtin.ko"));

        /* Another init: another cache entry. */
        write_text(init, "#!other\n");
        _cleanup_free_ char *other = NULL;
        CU_ASSERT_FATAL(initramfs_base(cache, init, fake_moddir, "/lib/modules/6.1.0-fake", rel, &other, &e) == 0);
        CU_ASSERT(strcmp(other, base) != 0);
        /* A missing module file: an error naming it, no cache file left. */
        _cleanup_free_ char *bad = NULL;
        char *missing[] = { "kernel/x/gone.ko", NULL };
        CU_ASSERT(initramfs_base(cache, init, fake_moddir, "/lib/modules/6.1.0-fake", missing, &bad, &e) == -ENOENT);
        ASSERT_CONTAINS(podrt_error_message(e), "kernel/x/gone.ko: No such file or directory");
        CU_ASSERT_PTR_NULL(bad);
}

/* A signed module (as the kernel's sign-file leaves it) goes in without its
 * signature, which goes beside it as NAME.ko.sig; an unsigned one alone. */
static void test_module_signature(void) {
        static const char marker[] = "~Module signature appended~\n";
        static const char body[] = "\177ELF a module's bytes", blob[] = "a PKCS#7 blob";
        unsigned char signed_mod[128], info[12] = { 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, sizeof(blob) - 1 };
        size_t n = 0;
        memcpy(signed_mod, body, sizeof(body) - 1), n += sizeof(body) - 1;
        memcpy(signed_mod + n, blob, sizeof(blob) - 1), n += sizeof(blob) - 1;
        memcpy(signed_mod + n, info, sizeof(info)), n += sizeof(info);
        memcpy(signed_mod + n, marker, sizeof(marker) - 1), n += sizeof(marker) - 1;
        CU_ASSERT_EQUAL(module_signed_length(signed_mod, n), sizeof(body) - 1);
        CU_ASSERT_EQUAL(module_signed_length(body, sizeof(body) - 1), sizeof(body) - 1);
        /* A signature longer than the file: no trailer, the file whole. */
        unsigned char bad[128];
        memcpy(bad, signed_mod, n);
        bad[n - (sizeof(marker) - 1) - 1] = 0xff;
        CU_ASSERT_EQUAL(module_signed_length(bad, n), n);
        CU_ASSERT_EQUAL(module_signed_length(marker, sizeof(marker) - 1), sizeof(marker) - 1);

        char dir[512], path[600], cache[512];
        snprintf(dir, sizeof(dir), "%s/signed/kernel/x", tmp);
        snprintf(cache, sizeof(cache), "%s/cache-signed", tmp);
        CU_ASSERT_FATAL(mkdir_p(dir, 0755) == 0);
        snprintf(path, sizeof(path), "%s/signed.ko", dir);
        CU_ASSERT_FATAL(write_file_atomic(path, signed_mod, n, 0644, 0) == 0);
        snprintf(path, sizeof(path), "%s/plain.ko", dir);
        CU_ASSERT_FATAL(write_file_atomic(path, body, sizeof(body) - 1, 0644, 0) == 0);
        snprintf(path, sizeof(path), "%s/fake-init", tmp);
        write_text(path, "#!fake podrt-init\n");
        snprintf(dir, sizeof(dir), "%s/signed", tmp);
        char *mods[] = { "kernel/x/signed.ko", "kernel/x/plain.ko", NULL };
        _cleanup_free_ char *base = NULL, *buf = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_FATAL(initramfs_base(cache, path, dir, "/lib/modules/6.1.0-fake", mods, &base, &e) == 0);
        size_t len = 0;
        CU_ASSERT_FATAL(read_file(base, 1 << 24, &buf, &len) == 0);
        struct entry ents[32];
        int trailers = 0;
        size_t count = read_cpio(buf, len, ents, 32, &trailers);
        const struct entry *x = find_entry(ents, count, "lib/modules/6.1.0-fake/kernel/x/signed.ko");
        CU_ASSERT_FATAL(x != NULL);
        CU_ASSERT(x->size == sizeof(body) - 1 && !memcmp(x->data, body, x->size));
        x = find_entry(ents, count, "lib/modules/6.1.0-fake/kernel/x/signed.ko" INITSPEC_MODULE_SIG_SUFFIX);
        CU_ASSERT_FATAL(x != NULL);
        CU_ASSERT(x->size == n - (sizeof(body) - 1) && !memcmp(x->data, signed_mod + sizeof(body) - 1, x->size));
        x = find_entry(ents, count, "lib/modules/6.1.0-fake/kernel/x/plain.ko");
        CU_ASSERT(x != NULL && x->size == sizeof(body) - 1);
        CU_ASSERT_PTR_NULL(find_entry(ents, count, "lib/modules/6.1.0-fake/kernel/x/plain.ko" INITSPEC_MODULE_SIG_SUFFIX));
}

/* ---- vmlinux ---- */

/* A fake bzImage: a setup header pointing at an xz payload holding an ELF. */
static void write_fake_bzimage(const char *path, const char *payload_text, size_t *ret_elf_size) {
        static char elf[8192];
        memset(elf, 0, sizeof(elf));
        memcpy(elf, "\177ELF", 4);
        snprintf(elf + 64, sizeof(elf) - 64, "%s", payload_text);
        uint8_t xz[16384];
        size_t xz_len = 0;
        CU_ASSERT_FATAL(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC32, NULL, (uint8_t *)elf, sizeof(elf), xz,
                                                &xz_len, sizeof(xz)) == LZMA_OK);
        size_t setup = 5 * 512;   /* setup_sects 4 */
        size_t total = setup + xz_len + 4;
        uint8_t *img = calloc(1, total);
        img[0x1f1] = 4;
        memcpy(img + 0x202, "HdrS", 4);
        img[0x206] = 0x0f, img[0x207] = 0x02;   /* protocol 2.15 */
        img[0x20e] = 0x00, img[0x20f] = 0x01;   /* version string at 0x100 + 0x200 */
        memcpy(img + 0x300, "6.1.0-fake (podrt tests) #1", 27);
        uint32_t poff = 0, plen = (uint32_t)xz_len;
        memcpy(img + 0x248, &poff, 4);
        memcpy(img + 0x24c, &plen, 4);
        memcpy(img + setup, xz, xz_len);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_FATAL(write(fd, img, total) == (ssize_t)total);
        close(fd);
        free(img);
        *ret_elf_size = sizeof(elf);
}

static void test_vmlinux(void) {
        char kernel[256], cache[256];
        snprintf(kernel, sizeof(kernel), "%s/vmlinuz", tmp);
        snprintf(cache, sizeof(cache), "%s/vmcache", tmp);
        size_t elf_size;
        write_fake_bzimage(kernel, "the kernel", &elf_size);
        _cleanup_free_ char *version = NULL, *vmlinux = NULL, *again = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_FATAL(vmlinux_kernel_version(kernel, &version, &e) == 0);
        CU_ASSERT_STRING_EQUAL(version, "6.1.0-fake");
        CU_ASSERT_FATAL(vmlinux_get(kernel, cache, &vmlinux, &e) == 0);
        ASSERT_CONTAINS(vmlinux, "/vmcache/vmlinux-");
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        CU_ASSERT_FATAL(read_file(vmlinux, 1 << 20, &data, &len) == 0);
        CU_ASSERT_EQUAL(len, elf_size);
        CU_ASSERT_STRING_EQUAL(data + 64, "the kernel");
        /* Once: the second call finds it. */
        struct stat st1, st2;
        stat(vmlinux, &st1);
        CU_ASSERT_FATAL(vmlinux_get(kernel, cache, &again, &e) == 0);
        CU_ASSERT_STRING_EQUAL(again, vmlinux);
        stat(again, &st2);
        CU_ASSERT(st1.st_mtim.tv_nsec == st2.st_mtim.tv_nsec && st1.st_ino == st2.st_ino);
        /* An ELF is used as it is. */
        _cleanup_free_ char *self = NULL;
        CU_ASSERT_FATAL(vmlinux_get(vmlinux, cache, &self, &e) == 0);
        CU_ASSERT_STRING_EQUAL(self, vmlinux);
        /* Not a kernel. */
        char junk[256];
        snprintf(junk, sizeof(junk), "%s/junk", tmp);
        char zeros[2048] = { 0 };
        int fd = open(junk, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CU_ASSERT(write(fd, zeros, sizeof(zeros)) == (ssize_t)sizeof(zeros));
        close(fd);
        _cleanup_free_ char *none = NULL;
        CU_ASSERT(vmlinux_get(junk, cache, &none, &e) == -EINVAL);
        ASSERT_CONTAINS(podrt_error_message(e), "junk: neither a bzImage nor an ELF vmlinux");
        CU_ASSERT_PTR_NULL(none);
}

/* ---- the hypervisor plugins ---- */

static void test_hv_plugins(void) {
        struct kvm_hv qemu = hv_get("qemu"), lkvm = hv_get("lkvm"), testhv = hv_get("testhv");
        CU_ASSERT_EQUAL(qemu.ops->version, PODRT_HYPERVISOR_OPS_VERSION);
        CU_ASSERT_EQUAL(qemu.features, PODRT_HYPERVISOR_NET);
        CU_ASSERT_EQUAL(lkvm.features, PODRT_HYPERVISOR_NEEDS_BZIMAGE | PODRT_HYPERVISOR_NO_TCG | PODRT_HYPERVISOR_NET);
        CU_ASSERT_EQUAL(testhv.features, 0);
        CU_ASSERT_STRING_EQUAL(testhv.name, "testhv");

        /* A method the table lacks: said, not called. */
        _cleanup_error_ struct podrt_error *e = NULL;
        struct podrt_vm_config vm = { .version = PODRT_VM_CONFIG_VERSION, .size = sizeof(vm), .name = "x" };
        CU_ASSERT_EQUAL(kvm_hv_pause(&testhv, &vm, &e), -EOPNOTSUPP);
        ASSERT_CONTAINS(podrt_error_message(e), "hypervisor plugin 'testhv' does not support hypervisor.pause");
        e = podrt_error_free(e);

        /* A version 1 table (no features) and a short one (no probe). */
        struct podrt_hypervisor_ops v1 = *qemu.ops;
        v1.version = 1;
        v1.size = offsetof(struct podrt_hypervisor_ops, features);
        v1.features = PODRT_HYPERVISOR_NO_TCG;   /* beyond its size: not read */
        struct kvm_hv old;
        kvm_hv_from_ops("old", &v1, NULL, &old);
        CU_ASSERT_EQUAL(old.features, 0);
        v1.size = offsetof(struct podrt_hypervisor_ops, probe);
        kvm_hv_from_ops("old", &v1, NULL, &old);
        CU_ASSERT_EQUAL(kvm_hv_probe(&old, PODRT_ACCEL_TCG, &e), -EOPNOTSUPP);
        ASSERT_CONTAINS(podrt_error_message(e), "hypervisor plugin 'old' does not support hypervisor.probe");
        e = podrt_error_free(e);

        /* No such plugin; not a plugin name; a host without plugin_ops. */
        struct kvm_hv hv;
        CU_ASSERT_EQUAL(kvm_hv_get(&test_kvm, "nope", &hv, &e), -ENOENT);
        ASSERT_CONTAINS(podrt_error_message(e), "kvm.hypervisor = \"nope\": plugin 'nope' not found (searched: ");
        e = podrt_error_free(e);
        CU_ASSERT_EQUAL(kvm_hv_get(&test_kvm, "../qemu", &hv, &e), -EINVAL);
        ASSERT_CONTAINS(podrt_error_message(e), "kvm.hypervisor: '../qemu' is not a plugin name ([a-z0-9][a-z0-9_-]*)");
        e = podrt_error_free(e);
        struct podrt_host v1host = test_host;
        v1host.version = 1;
        v1host.size = offsetof(struct podrt_host, logv);
        struct kvm k1 = { .host = &v1host };
        CU_ASSERT_EQUAL(kvm_hv_get(&k1, "qemu", &hv, &e), -EOPNOTSUPP);
        ASSERT_CONTAINS(podrt_error_message(e), "this podrt cannot load hypervisor plugins (podrt_host version 1, 2 needed)");
        e = podrt_error_free(e);
        /* A plugin without a hypervisor table: mock, a pod backend. */
        CU_ASSERT_EQUAL(kvm_hv_get(&test_kvm, "mock", &hv, &e), -EOPNOTSUPP);
        ASSERT_CONTAINS(podrt_error_message(e), "kvm.hypervisor = \"mock\": plugin 'mock' provides no hypervisor ops");
}

/* A third party's hypervisor (tests/hypervisor/fail-hv.c) through the
 * keeper, as `podrt start` drives it: its start's own message comes back,
 * it got the pod's shares through share_list, and nothing runs. */
static void test_third_party_start(void) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = make_pod(manifest_one);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = make_vm(pod, "testhv", PODRT_ACCEL_TCG);
        char log[256], kvm_dir[256];
        snprintf(log, sizeof(log), "%s/testhv.log", tmp);
        snprintf(kvm_dir, sizeof(kvm_dir), "%s/pods/" POD_ID "/kvm", tmp);
        CU_ASSERT_FATAL(mkdir_p(kvm_dir, 0755) == 0);
        setenv("PODRT_TESTHV_LOG", log, 1);
        struct kvm_hv hv = hv_get("testhv");
        _cleanup_strv_free_ char **argv = NULL;
        CU_ASSERT_FATAL(kvm_hv_build_argv(&hv, &vm->cfg, &argv, NULL) == 0);
        CU_ASSERT_STRING_EQUAL(argv[0], "testhv");
        pid_t pid = 0;
        _cleanup_error_ struct podrt_error *e = NULL;
        int r = keeper_start(&hv, vm, pod, kvm_dir, &pid, &e);
        unsetenv("PODRT_TESTHV_LOG");
        CU_ASSERT_EQUAL(r, -EPERM);
        CU_ASSERT_EQUAL(pid, 0);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(e), "testhv: refusing to start " POD_ID);
        _cleanup_free_ char *calls = NULL;
        CU_ASSERT_FATAL(read_file(log, 4096, &calls, NULL) >= 0);
        CU_ASSERT_STRING_EQUAL(calls, "build_argv " POD_ID " shares _rootfs0 _status _apps\n"
                                      "start " POD_ID " shares _rootfs0 _status _apps\n");
        char pidfile[300];
        snprintf(pidfile, sizeof(pidfile), "%s/vm.pid", kvm_dir);
        CU_ASSERT(access(pidfile, F_OK) < 0);   /* no VM was recorded */
}

/* ---- the kvm config section ---- */

static struct podrt_config *load_conf(const char *text, struct podrt_error **err) {
        char path[256];
        snprintf(path, sizeof(path), "%s/podrt.conf", tmp);
        write_text(path, text);
        struct podrt_config *cfg = NULL;
        return config_load(path, &cfg, err) < 0 ? NULL : cfg;
}

static void test_config_check(void) {
        _cleanup_error_ struct podrt_error *e = NULL;
        struct podrt_config *cfg = load_conf("kvm = { hypervisor = \"lkvm\"; accel = \"tcg\"; kernel = \"/k\"; modules = \"/m\";\n"
                                             "        memory_mib = 256; vcpus = 2; load_modules = true; };\n", &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
        CU_ASSERT_EQUAL(kvm_config_check(cfg, 0, &e), 0);
        CU_ASSERT_EQUAL(kvm_config_check(cfg, 1, &e), -EINVAL);   /* flags must be 0 */
        e = podrt_error_free(e);
        config_free(cfg);
        CU_ASSERT_FATAL((cfg = load_conf("log_level = \"err\";\n", &e)) != NULL);
        CU_ASSERT_EQUAL(kvm_config_check(cfg, 0, &e), 0);   /* no kvm group: the defaults */
        config_free(cfg);

        /* Each bad setting: kvm's check names file, line, setting and why.
         * (While the core still checks kvm.* itself, it refuses them at
         * load: then its message must name the setting.) */
        static const struct {
                const char *text, *path, *why;
        } bad[] = {
                { "kvm = {\n  hypervisor = \"../qemu\"; };\n", "kvm.hypervisor", "'../qemu' is not a plugin name ([a-z0-9][a-z0-9_-]*)" },
                { "kvm = {\n  hypervisor = \"\"; };\n", "kvm.hypervisor", "must not be empty" },
                { "kvm = {\n  accel = \"fast\"; };\n", "kvm.accel", "must be one of auto, kvm, tcg, not 'fast'" },
                { "kvm = {\n  kernel = \"\"; };\n", "kvm.kernel", "must not be empty" },
                { "kvm = {\n  modules = 3; };\n", "kvm.modules", "must be a string" },
                { "kvm = {\n  memory_mib = 0; };\n", "kvm.memory_mib", "must be greater than 0, not 0" },
                { "kvm = {\n  vcpus = \"2\"; };\n", "kvm.vcpus", "must be an integer" },
                { "kvm = {\n  load_modules = 1; };\n", "kvm.load_modules", "must be a boolean (true or false)" },
                { "kvm = {\n  colour = \"red\"; };\n", "kvm.colour", "unknown setting" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                e = podrt_error_free(e);
                cfg = load_conf(bad[i].text, &e);
                if (!cfg) {
                        ASSERT_CONTAINS(podrt_error_message(e), bad[i].path + 4);
                        continue;
                }
                char want[512];
                snprintf(want, sizeof(want), "%s/podrt.conf:2: %s: %s", tmp, bad[i].path, bad[i].why);
                CU_ASSERT_EQUAL(kvm_config_check(cfg, 0, &e), -EINVAL);
                if (e)
                        ASSERT_CONTAINS(podrt_error_message(e), want);
                config_free(cfg);
        }
        e = podrt_error_free(e);
        /* A third party's hypervisor is a valid name (once the core leaves
         * kvm.* to kvm, the file loads). */
        if ((cfg = load_conf("kvm = { hypervisor = \"testhv\"; };\n", &e))) {
                CU_ASSERT_EQUAL(kvm_config_check(cfg, 0, &e), 0);
                config_free(cfg);
        }
        CU_ASSERT(kvm_name_is_valid("cloud-hypervisor_2"));
        CU_ASSERT(!kvm_name_is_valid("-x") && !kvm_name_is_valid("_x") && !kvm_name_is_valid("Qemu") &&
                  !kvm_name_is_valid("a/b") && !kvm_name_is_valid(""));
}

/* ---- `podrt check` ---- */

static void test_check_lines(void) {
        char conf[1024], cache[300];
        snprintf(conf, sizeof(conf), "kvm = { accel = \"tcg\"; kernel = \"%s/rootfs/etc/hosts\"; modules = \"%s/nonexistent\"; };\n",
                 tmp, tmp);
        _cleanup_error_ struct podrt_error *e = NULL;
        struct podrt_config *cfg = load_conf(conf, &e);
        CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
        /* The qemu probe's answer, as create caches it. */
        snprintf(cache, sizeof(cache), "%s/kvm", test_host.state_dir);
        CU_ASSERT_FATAL(mkdir_p(cache, 0755) == 0);
        _cleanup_free_ char *boot = NULL;
        CU_ASSERT_FATAL(read_file("/proc/sys/kernel/random/boot_id", 256, &boot, NULL) == 0);
        boot[strcspn(boot, "\n")] = '\0';
        char text[512];
        snprintf(text, sizeof(text), "boot %s\nhypervisor qemu\nworks 0\ndetail a cached reason\n", boot);
        strcat(cache, "/kvm-works");
        write_text(cache, text);

        struct kvm k = { .host = &test_host, .cfg = cfg };
        check_lines[0] = '\0';
        CU_ASSERT_EQUAL(kvm_check(&k, NULL, 0, &e), 0);
        char want[512];
        _cleanup_free_ char *qemu = find_program("qemu-system-x86_64");
        if (qemu)
                ASSERT_CONTAINS(check_lines, "ok|hypervisor|qemu (plugin): usable\n");
        snprintf(want, sizeof(want), "|podrt-init|%s/podrt-init\n", libexec);
        ASSERT_CONTAINS(check_lines, want);
        ASSERT_CONTAINS(check_lines, "?|/dev/kvm|");   /* TCG: optional */
        ASSERT_CONTAINS(check_lines, "MISSING?|kvm works|a cached reason (qemu probe); TCG fallback\n");
        ASSERT_CONTAINS(check_lines, "note|KVM is not usable here: guests run under TCG (slower)\n");
        snprintf(want, sizeof(want), "ok|kernel|%s/rootfs/etc/hosts\n", tmp);
        ASSERT_CONTAINS(check_lines, want);
        snprintf(want, sizeof(want), "MISSING?|modules|%s/nonexistent: not found (kvm.modules)\n", tmp);
        ASSERT_CONTAINS(check_lines, want);
        ASSERT_CONTAINS(check_lines, "?|module kvm|");
        ASSERT_CONTAINS(check_lines, "?|module vhost_vsock|");
        config_free(cfg);

        /* lkvm without its binary: the hypervisor's line says so, and KVM
         * is required (no TCG). */
        snprintf(conf, sizeof(conf), "kvm = { hypervisor = \"lkvm\"; kernel = \"/nonexistent/vmlinuz\"; };\n");
        CU_ASSERT_PTR_NOT_NULL_FATAL(cfg = load_conf(conf, &e));
        k.cfg = cfg;
        setenv("PODRT_LKVM", "/nonexistent/lkvm", 1);
        check_lines[0] = '\0';
        CU_ASSERT_EQUAL(kvm_check(&k, NULL, 0, &e), 0);
        unsetenv("PODRT_LKVM");
        ASSERT_CONTAINS(check_lines, "MISSING|hypervisor|lkvm (plugin): /nonexistent/lkvm not found\n");
        CU_ASSERT(strstr(check_lines, "|/dev/kvm|") && !strstr(check_lines, "?|/dev/kvm|"));
        ASSERT_CONTAINS(check_lines, "MISSING|kernel|/nonexistent/vmlinuz: not found (kvm.kernel; ");
        /* Pods on a network: tc and the tun device, optional. */
        CU_ASSERT(strstr(check_lines, "|tc|") != NULL);
        CU_ASSERT(strstr(check_lines, "|/dev/net/tun|") != NULL);
        config_free(cfg);
}

/* ---- a pod on a network (net.c) ---- */

/* eth0 10.89.0.5/16 with a default route through 10.89.0.1, and a ptp-like
 * host route on the link; another interface's route left out. */
static const char proc_net_route[] =
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        "eth0\t00000000\t0100590A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
        "eth0\t0000590A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
        "eth0\t0101620A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0\n"
        "eth1\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n"
        "eth0\t0000000B\t00000000\t0000\t0\t0\t0\t000000FF\t0\t0\t0\n";

static struct kvm_net *make_net(void) {
        struct kvm_net *n = calloc(1, sizeof(*n));
        CU_ASSERT_FATAL(n != NULL);
        n->netns = strdup("/run/podrt/pods/x/netns");
        n->ifname = strdup("eth0");
        n->tap = strdup("tap0");
        snprintf(n->mac, sizeof(n->mac), "0a:58:0a:59:00:05");
        n->mtu = 1450;
        CU_ASSERT_FATAL(strv_push(&n->addresses, "10.89.0.5/16") >= 0);
        return n;
}

static void test_net_routes(void) {
        _cleanup_(kvm_net_freep) struct kvm_net *n = make_net();
        CU_ASSERT_FATAL(kvm_net_parse_routes(proc_net_route, "eth0", n) == 0);
        /* The address's own 10.89.0.0/16 is left out (the guest gets it
         * with the address); a route that is not up too. */
        CU_ASSERT_EQUAL_FATAL(n->n_routes, 2);
        CU_ASSERT_STRING_EQUAL(n->routes[0].dst, "0.0.0.0/0");
        CU_ASSERT_STRING_EQUAL(n->routes[0].gateway, "10.89.0.1");
        CU_ASSERT_STRING_EQUAL(n->routes[1].dst, "10.98.1.1/32");
        CU_ASSERT_PTR_NULL(n->routes[1].gateway);
}

static void test_net_tc_argv(void) {
        _cleanup_strv_free_ char **q = NULL, **f = NULL, **back = NULL;
        CU_ASSERT_FATAL(kvm_net_tc_argv("/usr/sbin/tc", "eth0", "tap0", false, &q) == 0);
        CU_ASSERT_FATAL(kvm_net_tc_argv("/usr/sbin/tc", "eth0", "tap0", true, &f) == 0);
        CU_ASSERT_FATAL(kvm_net_tc_argv("/usr/sbin/tc", "tap0", "eth0", true, &back) == 0);
        _cleanup_free_ char *tq = strv_join(q, " "), *tf = strv_join(f, " "), *tb = strv_join(back, " ");
        CU_ASSERT_STRING_EQUAL(tq, "/usr/sbin/tc qdisc add dev eth0 ingress");
        CU_ASSERT_STRING_EQUAL(tf, "/usr/sbin/tc filter add dev eth0 parent ffff: protocol all u32 match u8 0 0 "
                                   "action mirred egress redirect dev tap0");
        CU_ASSERT_STRING_EQUAL(tb, "/usr/sbin/tc filter add dev tap0 parent ffff: protocol all u32 match u8 0 0 "
                                   "action mirred egress redirect dev eth0");
}

static void test_net_description(void) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = make_pod(manifest_one);
        _cleanup_(kvm_net_freep) struct kvm_net *n = make_net();
        CU_ASSERT_FATAL(kvm_net_parse_routes(proc_net_route, "eth0", n) == 0);
        char path[256];
        snprintf(path, sizeof(path), "%s/net.conf", tmp);
        _cleanup_error_ struct podrt_error *e = NULL;
        CU_ASSERT_FATAL(kvm_write_description_net(pod, NULL, n, path, &e) >= 0);
        _cleanup_free_ char *text = NULL;
        CU_ASSERT_FATAL(read_file(path, 1 << 20, &text, NULL) >= 0);
        ASSERT_CONTAINS(text, "\niface 0a:58:0a:59:00:05 mtu=1450 10.89.0.5/16\n"
                              "route 0a:58:0a:59:00:05 0.0.0.0/0 10.89.0.1\n"
                              "route 0a:58:0a:59:00:05 10.98.1.1/32\n");
        _cleanup_(initspec_freep) struct initspec *s = NULL;
        CU_ASSERT_FATAL(initspec_load(path, &s, &e) >= 0);
        CU_ASSERT_EQUAL_FATAL(s->n_ifaces, 1);
        CU_ASSERT_EQUAL(s->ifaces[0].mtu, 1450);
        CU_ASSERT_STRING_EQUAL(s->ifaces[0].addresses[0], "10.89.0.5/16");
        CU_ASSERT_EQUAL_FATAL(s->n_routes, 2);
        CU_ASSERT_STRING_EQUAL(s->routes[0].gateway, "10.89.0.1");
        CU_ASSERT_PTR_NULL(s->routes[1].gateway);
        /* Without a network: no iface line. */
        CU_ASSERT_FATAL(kvm_write_description(pod, NULL, path, &e) >= 0);
        free(text);
        text = NULL;
        CU_ASSERT_FATAL(read_file(path, 1 << 20, &text, NULL) >= 0);
        CU_ASSERT_PTR_NULL(strstr(text, "iface"));
}

static void test_net_initspec_errors(void) {
        static const struct {
                const char *line, *msg;
        } bad[] = {
                { "iface 0a:58:0a:59:00", "iface: \"0a:58:0a:59:00\" is not a MAC address" },
                { "iface 0a:58:0a:59:00:05 mtu=20", "mtu is 68 to 65535" },
                { "iface 0a:58:0a:59:00:05 10.1.2.3", "\"10.1.2.3\" is not an IPv4 ADDRESS/PREFIX" },
                { "iface 0a:58:0a:59:00:05 10.1.2.3/33", "is not an IPv4 ADDRESS/PREFIX" },
                { "route 0a:58:0a:59:00:05 0.0.0.0/0 10.1.2", "gateway \"10.1.2\" is not an IPv4 address" },
                { "route 0a:58:0a:59:00:06 0.0.0.0/0", "no iface line for 0a:58:0a:59:00:06" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char text[512];
                snprintf(text, sizeof(text), "podrt-init 1\niface 0a:58:0a:59:00:05\n%s\n", bad[i].line);
                _cleanup_(initspec_freep) struct initspec *s = NULL;
                _cleanup_error_ struct podrt_error *e = NULL;
                CU_ASSERT(initspec_parse_string(text, "pod.conf", &s, &e) < 0);
                if (!e || !strstr(podrt_error_message(e), bad[i].msg))
                        fprintf(stderr, "\n%s: got [%s]\n", bad[i].line, e ? podrt_error_message(e) : "no error");
                CU_ASSERT(e && strstr(podrt_error_message(e), bad[i].msg));
        }
        _cleanup_(initspec_freep) struct initspec *s = NULL;
        CU_ASSERT(initspec_parse_string("podrt-init 1\napp a\nroot /r\nexec /bin/true\niface 0a:58:0a:59:00:05\n",
                                        "pod.conf", &s, NULL) < 0);
}

static void test_net_qemu_argv(void) {
        _cleanup_(pod_unrefp) struct podrt_pod *pod = make_pod(manifest_one);
        _cleanup_(kvm_vm_freep) struct kvm_vm *vm = make_vm(pod, "qemu", PODRT_ACCEL_TCG);
        _cleanup_(kvm_net_freep) struct kvm_net *n = make_net();
        CU_ASSERT_FATAL(kvm_vm_set_net(vm, n) == 0);
        CU_ASSERT_EQUAL(vm->cfg.version, 3);
        CU_ASSERT_EQUAL(vm->cfg.n_nets, 1);
        CU_ASSERT_STRING_EQUAL(vm->cfg.netns_path, "/run/podrt/pods/x/netns");
        struct kvm_hv qemu = hv_get("qemu");
        CU_ASSERT(qemu.features & PODRT_HYPERVISOR_NET);
        _cleanup_strv_free_ char **argv = NULL;
        CU_ASSERT_FATAL(kvm_hv_build_argv(&qemu, &vm->cfg, &argv, NULL) >= 0);
        _cleanup_free_ char *text = argv_text(argv);
        ASSERT_CONTAINS(text, "\n-netdev\ntap,id=net0,ifname=tap0,script=no,downscript=no\n"
                              "-device\nvirtio-net-device,netdev=net0,mac=0a:58:0a:59:00:05\n");
        /* lkvm: the same tap, by name, and no "mode=none". */
        struct kvm_hv lkvm = hv_get("lkvm");
        _cleanup_(kvm_vm_freep) struct kvm_vm *lvm = make_vm(pod, "lkvm", PODRT_ACCEL_KVM);
        CU_ASSERT_FATAL(kvm_vm_set_net(lvm, n) == 0);
        _cleanup_strv_free_ char **largv = NULL;
        CU_ASSERT_FATAL(kvm_hv_build_argv(&lkvm, &lvm->cfg, &largv, NULL) >= 0);
        _cleanup_free_ char *ltext = argv_text(largv);
        ASSERT_CONTAINS(ltext, "\n--network\nmode=tap,tapif=tap0,guest_mac=0a:58:0a:59:00:05,script=none\n");
        CU_ASSERT_PTR_NULL(strstr(ltext, "mode=none"));
        /* vm.json keeps the device and the namespace for start. */
        char path[256];
        snprintf(path, sizeof(path), "%s/vm-net.json", tmp);
        CU_ASSERT_FATAL(kvm_vm_save(vm, path, NULL) >= 0);
        _cleanup_(kvm_vm_freep) struct kvm_vm *back = NULL;
        CU_ASSERT_FATAL(kvm_vm_load(path, &back, NULL) >= 0);
        CU_ASSERT_STRING_EQUAL(back->netns, "/run/podrt/pods/x/netns");
        CU_ASSERT_EQUAL(back->cfg.n_nets, 1);
        CU_ASSERT_EQUAL(back->cfg.net_list[0]->mtu, 1450);
        _cleanup_strv_free_ char **again = NULL;
        CU_ASSERT_FATAL(kvm_hv_build_argv(&qemu, &back->cfg, &again, NULL) >= 0);
        _cleanup_free_ char *text2 = argv_text(again);
        CU_ASSERT_STRING_EQUAL(text, text2);
        /* An older configuration (version 2, its size): no device read. */
        struct podrt_vm_config old = vm->cfg;
        old.size = offsetof(struct podrt_vm_config, n_nets);
        _cleanup_strv_free_ char **oldv = NULL;
        CU_ASSERT_FATAL(kvm_hv_build_argv(&qemu, &old, &oldv, NULL) >= 0);
        _cleanup_free_ char *text3 = argv_text(oldv);
        CU_ASSERT_PTR_NULL(strstr(text3, "netdev"));
        /* No namespace: probe finds no network, and entering none is a no-op. */
        CU_ASSERT_EQUAL(kvm_net_enter(NULL, NULL), 0);
        struct kvm_net *none = (struct kvm_net *)1;
        CU_ASSERT_EQUAL(kvm_net_probe(pod, &none, NULL), 0);
        CU_ASSERT_PTR_NULL(none);
}

/* podrt-init's side (core/init/net.c), without a VM: in a child in a
 * network namespace of its own, a veth with the guest's MAC stands for the
 * virtio-net device. */
static int net_configure_child(void) {
        if (unshare(CLONE_NEWNET) < 0)
                return 77;
        const char *ip = access("/usr/sbin/ip", X_OK) == 0 ? "/usr/sbin/ip" : "/sbin/ip";
        char *add[] = { (char *)ip, "link", "add", "v0", "address", "0a:58:0a:59:00:05", "type", "veth",
                        "peer", "name", "v1", NULL };
        char *up[] = { (char *)ip, "link", "set", "v1", "up", NULL };
        int status = 0;
        if (run_program(add, -1, 10000, &status) < 0 || status != 0 || run_program(up, -1, 10000, &status) < 0 ||
            status != 0)
                return 77;
        _cleanup_(initspec_freep) struct initspec *s = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        if (initspec_parse_string("podrt-init 1\n"
                                  "iface 0A:58:0A:59:00:05 mtu=1400 10.89.0.5/16 10.90.0.5/24\n"
                                  "route 0a:58:0a:59:00:05 0.0.0.0/0 10.89.0.1\n"
                                  "route 0a:58:0a:59:00:05 10.98.1.1/32\n",
                                  "pod.conf", &s, &e) < 0 ||
            net_configure(s, &e) < 0) {
                fprintf(stderr, "net_configure: %s\n", e ? podrt_error_message(e) : "?");
                return 1;
        }
        _cleanup_free_ char *routes = NULL;
        if (read_file("/proc/thread-self/net/route", 1 << 20, &routes, NULL) < 0)
                return 2;
        /* The default route through the gateway, the host route on the link,
         * and each address's subnet. */
        if (!strstr(routes, "v0\t00000000\t0100590A\t0003") || !strstr(routes, "v0\t0101620A\t00000000\t0005") ||
            !strstr(routes, "v0\t0000590A\t00000000\t0001") || !strstr(routes, "v0\t00005A0A\t00000000\t0001")) {
                fprintf(stderr, "routes:\n%s", routes);
                return 3;
        }
        int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr = { 0 };
        snprintf(ifr.ifr_name, IFNAMSIZ, "v0");
        if (sock < 0 || ioctl(sock, SIOCGIFMTU, &ifr) < 0 || ifr.ifr_mtu != 1400)
                return 4;
        if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP))
                return 5;
        snprintf(ifr.ifr_name, IFNAMSIZ, "lo");
        if (ioctl(sock, SIOCGIFFLAGS, &ifr) < 0 || !(ifr.ifr_flags & IFF_UP))
                return 6;
        /* A MAC nobody has: named after 5 s. */
        initspec_free(s);
        s = NULL;
        podrt_error_free(e);
        e = NULL;
        if (initspec_parse_string("podrt-init 1\niface 0a:58:0a:59:00:99\n", "pod.conf", &s, &e) < 0)
                return 7;
        if (net_configure(s, &e) != -ENODEV || !strstr(podrt_error_message(e), "no interface with MAC 0a:58:0a:59:00:99"))
                return 8;
        close(sock);
        return 0;
}

static void test_net_init_configure(void) {
        if (geteuid() != 0)
                return;
        fflush(NULL);
        pid_t pid = fork();
        CU_ASSERT_FATAL(pid >= 0);
        if (pid == 0)
                _exit(net_configure_child());
        int status = 0;
        CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
        CU_ASSERT(WIFEXITED(status));
        if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
                return;   /* no namespace or veth here: nothing to see */
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                fprintf(stderr, "\nnet_configure child: status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
}

void register_tests(void) {
        CU_pSuite s = add_suite("kvm-unit", suite_init, suite_cleanup);
        ADD_TEST(s, test_qemu_argv_golden);
        ADD_TEST(s, test_qemu_argv_kvm);
        ADD_TEST(s, test_lkvm_argv_golden);
        ADD_TEST(s, test_lkvm_refusals);
        ADD_TEST(s, test_qemu_escape);
        ADD_TEST(s, test_share_list);
        ADD_TEST(s, test_hv_plugins);
        ADD_TEST(s, test_third_party_start);
        ADD_TEST(s, test_config_check);
        ADD_TEST(s, test_check_lines);
        ADD_TEST(s, test_size);
        ADD_TEST(s, test_cmdline);
        ADD_TEST(s, test_description);
        ADD_TEST(s, test_etc_files);
        ADD_TEST(s, test_vm_json_round_trip);
        ADD_TEST(s, test_net_routes);
        ADD_TEST(s, test_net_tc_argv);
        ADD_TEST(s, test_net_description);
        ADD_TEST(s, test_net_initspec_errors);
        ADD_TEST(s, test_net_qemu_argv);
        ADD_TEST(s, test_net_init_configure);
        ADD_TEST(s, test_accel_choice);
        ADD_TEST(s, test_accel_cache);
        ADD_TEST(s, test_probe_image_runs);
        ADD_TEST(s, test_tsc_khz);
        ADD_TEST(s, test_module_order);
        ADD_TEST(s, test_initramfs_contents);
        ADD_TEST(s, test_module_signature);
        ADD_TEST(s, test_host_modules);
        ADD_TEST(s, test_vmlinux);
}
