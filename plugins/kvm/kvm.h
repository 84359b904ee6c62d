/* SPDX-License-Identifier: Apache-2.0 */
/* The kvm backend's private API: what its files share.  Nothing here is
 * exported from kvm.so (hidden visibility); the unit tests compile the
 * sources they test. */
#ifndef PODRT_KVM_H
#define PODRT_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <podrt/plugin.h>
#include "errors.h"
#include "fileio.h"
#include "process.h"
#include "strv.h"
#include "timeutil.h"

/* Guest paths. */
#define KVM_GUEST_STAGE2 "/opt/stage2"         /* /opt/stage2/<app>/rootfs */
#define KVM_GUEST_VOLUMES "/podrt/volumes"     /* /podrt/volumes/<volume> */
#define KVM_GUEST_STATUS "/podrt/status"       /* the status share */
#define KVM_STATUS_TAG "_status"               /* tags of our own start with '_': */
#define KVM_STOP_FILE "stop"                   /* in the status share: stop the apps */
#define KVM_ROOTFS_TAG_PREFIX "_rootfs"        /* volume names cannot */
/* Apps added to the running VM (apps.c): the host folder <kvm dir>/apps is
 * shared with every VM (tag _apps, at KVM_GUEST_APPS); an added app's rootfs
 * is bind-mounted on the host at apps/<app>, below the share, and so appears
 * in the guest at KVM_GUEST_APPS/<app> (QEMU's 9p remaps the inode numbers
 * of the submounts: multidevs=remap).  podrt-init listens on
 * KVM_GUEST_CONTROL for the agent, which passes the host's requests on. */
#define KVM_APPS_TAG "_apps"
#define KVM_APPS_DIR "apps"
#define KVM_GUEST_APPS "/podrt/apps"
#define KVM_GUEST_CONTROL "/podrt/control"
/* The control channel's request files, in the status share (podrt-init
 * looks there every 100 ms: request-dir). */
#define KVM_REQUESTS_DIR "requests"
#define KVM_9P_DATA "trans=virtio,version=9p2000.L,msize=262144"

/* The guest modules podrt-init needs (their dependencies are added). */
#define KVM_GUEST_MODULES { "virtio_mmio", "9pnet_virtio", "9p", "virtio_console", NULL }
/* ... and for a pod on a network (net.c): virtio_net too. */
#define KVM_GUEST_NET_MODULES { "virtio_mmio", "9pnet_virtio", "9p", "virtio_console", "virtio_net", NULL }

/* podrt exec's channel, which a hypervisor plugin offers when it can: a
 * virtio-serial port named KVM_EXEC_PORT in the guest, whose host end is a
 * unix socket KVM_EXEC_SOCKET in the VM's work dir (plugins/qemu does). */
#define KVM_EXEC_SOCKET "exec.sock"
#define KVM_EXEC_PORT "podrt.exec"

/* ---- the plugin's private data ---- */

struct kvm {
        const struct podrt_host *host;
        const struct podrt_config *cfg;
};

/* Logs through the host (may be NULL in tests). */
void kvm_log(const struct kvm *k, int level, const char *fmt, ...) PODRT_PRINTF(3, 4);

/* ---- configuration (config.c) ---- */

/* A plugin name as the loader takes it: [a-z0-9][a-z0-9_-]*. */
bool kvm_name_is_valid(const char *name);
/* The descriptor's config_check: the kvm.* settings. */
int kvm_config_check(const struct podrt_config *cfg, uint64_t flags, struct podrt_error **err);

/* ---- `podrt check` (check.c) ---- */

int kvm_check(void *data, struct podrt_check *check, uint64_t flags, struct podrt_error **err);
/* What libkmod says of a host module: "loaded", "builtin", "loadable" or
 * "missing". */
const char *kvm_host_module_status(const char *name);

/* ---- the hypervisor (hypervisor.c) ---- */

/* A hypervisor plugin (qemu, lkvm, a third party's), reached through the
 * core's loader (podrt_host.plugin_ops) and driven only through its
 * struct podrt_hypervisor_ops. */
struct kvm_hv {
        const char *name;                        /* not owned */
        const struct podrt_hypervisor_ops *ops;
        void *data;                              /* its private data */
        uint64_t features;                       /* PODRT_HYPERVISOR_*; 0 for a version 1 table */
};

/* The hypervisor plugin called name (kvm.hypervisor at create, vm.json's
 * later), loaded through k's host. */
int kvm_hv_get(const struct kvm *k, const char *name, struct kvm_hv *ret, struct podrt_error **err);
/* The same from a table the caller has (tests). */
void kvm_hv_from_ops(const char *name, const struct podrt_hypervisor_ops *ops, void *data,
                     struct kvm_hv *ret);
/* The methods, each -EOPNOTSUPP (saying so) when the table lacks it, and
 * with *err set whenever they fail. */
int kvm_hv_build_argv(const struct kvm_hv *hv, const struct podrt_vm_config *vm, char ***ret_argv,
                      struct podrt_error **err);
int kvm_hv_start(const struct kvm_hv *hv, const struct podrt_vm_config *vm, pid_t *ret_pid,
                 struct podrt_error **err);
int kvm_hv_stop(const struct kvm_hv *hv, const struct podrt_vm_config *vm, uint32_t timeout_sec,
                struct podrt_error **err);
int kvm_hv_pause(const struct kvm_hv *hv, const struct podrt_vm_config *vm, struct podrt_error **err);
int kvm_hv_resume(const struct kvm_hv *hv, const struct podrt_vm_config *vm, struct podrt_error **err);
/* 1 when hv runs with accel here, 0 when not (*err says why), -errno when
 * it could not tell. */
int kvm_hv_probe(const struct kvm_hv *hv, uint32_t accel, struct podrt_error **err);

/* ---- the guest kernel (vmlinux.c) ---- */

/* The version string of a bzImage ("6.1.0-13-amd64"), from its setup
 * header; for an ELF vmlinux, the "Linux version" banner inside it. */
int vmlinux_kernel_version(const char *kernel, char **ret_version, struct podrt_error **err);
/* An uncompressed vmlinux for kernel: kernel itself when it is an ELF
 * already, else the bzImage's payload decompressed (xz via liblzma, gzip
 * via zlib is not needed for Debian) into cache_dir/vmlinux-<crc64> once. */
int vmlinux_get(const char *kernel, const char *cache_dir, char **ret_path,
                struct podrt_error **err);

/* ---- guest modules (modules.c) ---- */

/* Resolves names (and their dependencies, through libkmod and the tree's
 * modules.dep) in the module tree moddir (the <version> folder holding
 * modules.dep).  *ret_paths: the module files relative to moddir, in load
 * order (dependencies first), each once; modules built into the kernel
 * (modules.builtin) are left out. */
int modules_resolve(const char *moddir, const char *const *names, char ***ret_paths,
                    struct podrt_error **err);

/* Loads the host modules of names that are neither loaded nor built in
 * (kvm.load_modules), through libkmod; never fails: report says, per
 * module, "loaded", "built in", "loaded now", "missing" or "failed to
 * load".  Returns how many it loaded. */
int modules_load_host(const char *const *names, char *report, size_t size);

/* ---- initramfs (initramfs.c) ---- */

struct cpio;
/* A newc writer to fd (not closed).  Directories of added paths are
 * added first when missing. */
struct cpio *cpio_new(int fd);
/* Writes the trailer (and pads to 512 bytes); frees c.  0 or -errno. */
int cpio_finish(struct cpio *c);
void cpio_free(struct cpio *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cpio *, cpio_free)
int cpio_add_dir(struct cpio *c, const char *path, mode_t mode);
int cpio_add_data(struct cpio *c, const char *path, mode_t mode, const void *data, size_t size);
int cpio_add_file(struct cpio *c, const char *path, mode_t mode, const char *host_path);
int cpio_add_chardev(struct cpio *c, const char *path, mode_t mode, unsigned maj, unsigned min);

/* The cached base image: podrt-init as /init, /dev/console, and the module
 * files (moddir-relative paths, placed under guest_moddir; a signed one
 * without its signature, which is beside it as NAME.ko.sig) in the cache
 * dir, named by the CRC-64 of its inputs' contents.  *ret_path is
 * malloc'd. */
int initramfs_base(const char *cache_dir, const char *init_path, const char *moddir,
                   const char *guest_moddir, char *const *modules, char **ret_path,
                   struct podrt_error **err);
/* The length of a kernel module of size bytes without its appended
 * signature (size when it has none). */
size_t module_signed_length(const void *data, size_t size);
/* The pod's initrd at out: the base followed by a second archive holding the
 * description as /podrt/pod.conf (the kernel unpacks both). */
int initramfs_pod(const char *base, const char *description, const char *out,
                  struct podrt_error **err);

/* ---- acceleration (accel.c) ---- */

/* Resolves wanted ("auto", "kvm", "tcg") for hypervisor to PODRT_ACCEL_KVM
 * or PODRT_ACCEL_TCG.  auto asks the hypervisor's probe whether KVM works
 * for it (QEMU's runs a tiny real guest), or reads the boot's cached answer
 * in cache_dir/kvm-works; when KVM does not work it warns once per call
 * through k and picks TCG.  kvm (or a hypervisor without TCG) with no
 * working KVM is an error saying why. */
int accel_resolve(const struct kvm *k, const char *wanted, const struct kvm_hv *hv,
                  const char *cache_dir, uint32_t *ret_accel, struct podrt_error **err);
/* The boot's cached answer of hypervisor's probe in cache_dir: 1 or 0 (with
 * detail), -1 when there is none for this boot. */
int accel_cached(const char *cache_dir, const char *hypervisor, char *detail, size_t size);
/* The verdict of booting the guest kernel under KVM (the probe's second
 * stage, and a pod's keeper when KVM failed it), per key (the hypervisor,
 * its binary, the kernel, the command line) and boot, in
 * cache_dir/kvm-boot-<key>: 1 or 0 (with detail), -1 when none. */
int accel_boot_cached(const char *cache_dir, const char *key, char *detail, size_t size);
void accel_boot_record(const char *cache_dir, const char *hypervisor, const char *key, int works,
                       const char *detail);
/* The last boot verdict of hypervisor this boot (for `podrt check`), as
 * accel_cached. */
int accel_boot_last(const char *cache_dir, const char *hypervisor, char *detail, size_t size);
/* The probe's second stage, under auto once the hypervisor's own probe said
 * KVM works: boots kernel (the vmlinux pods boot) with initrd (the base
 * initramfs: podrt-init) and the pods' command line plus podrt-init's
 * --probe, in cache_dir/probe, under KVM, for at most
 * KVM_PROBE_BOOT_TIMEOUT_MS; a VM the hypervisor reports stopped (QEMU's
 * watcher: internal-error) fails at once.  1 when podrt-init said
 * KVM_PROBE_LINE, else 0; detail says what happened, in words a user can
 * act on.  Cached per key and boot (accel_boot_cached). */
#define KVM_PROBE_LINE "podrt-init: probe: userspace reached"   /* core/init/status.h */
#define KVM_PROBE_BOOT_TIMEOUT_MS 20000
int accel_probe_key(const struct kvm_hv *hv, const char *cache_dir, const char *kernel,
                    const char *initrd, char **ret_key, struct podrt_error **err);
int accel_boot_probe(const struct kvm *k, const struct kvm_hv *hv, const char *cache_dir,
                     const char *kernel, const char *initrd, const char *key, char *detail,
                     size_t size);
/* The choice itself, for tests: wanted, the hypervisor's TCG support,
 * whether KVM works (and why not). */
int accel_choose(const char *wanted, const struct kvm_hv *hv, int kvm_works,
                 const char *detail, uint32_t *ret_accel, bool *ret_warn,
                 struct podrt_error **err);
/* The host's TSC frequency in kHz (what a TCG guest's TSC counts at), or 0. */
uint64_t accel_tsc_khz(void);
/* The same, measured once a boot: cached in cache_dir/tsc-khz (cache_dir
 * NULL: measured). */
uint64_t accel_tsc_khz_cached(const char *cache_dir);

/* ---- a pod on a network (net.c) ---- */

#define KVM_NET_IFNAME "eth0"   /* the namespace's interface when network.json names none */
#define KVM_NET_TAP "tap0"      /* the tap made beside it */

struct kvm_net_route {
        char *dst;                 /* DESTINATION/PREFIX */
        char *gateway;             /* NULL: on the link */
};
/* The namespace's interface as the guest gets it. */
struct kvm_net {
        char *netns;               /* the pod's namespace (a path) */
        char *ifname;              /* the veth in it ("eth0") */
        char *tap;                 /* "tap0" */
        char mac[18];              /* the veth's, given to the guest */
        uint32_t mtu;
        char **addresses;          /* IPv4 ADDRESS/PREFIX */
        struct kvm_net_route *routes;  /* besides the addresses' own */
        size_t n_routes;
        bool missing;              /* (probe) ifname is not in the namespace */
};
struct kvm_net *kvm_net_free(struct kvm_net *n);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct kvm_net *, kvm_net_free)
int kvm_net_add_route(struct kvm_net *n, const char *dst, const char *gateway);

/* The pod's network as its namespace has it (podrt_pod_netns_path): the
 * interface network.json names (the one with a sandbox), else eth0; its
 * MAC, MTU, IPv4 addresses and routes.  *ret NULL (and 0) when the pod has
 * no namespace of its own or nothing but loopback in it.  Changes nothing. */
int kvm_net_probe(const struct podrt_pod *pod, struct kvm_net **ret, struct podrt_error **err);
/* Makes the tap in the namespace and the tc redirects both ways. */
int kvm_net_wire(struct kvm_net *n, struct podrt_error **err);
/* Joins the namespace at path (the keeper, before it starts the
 * hypervisor); NULL or "": nothing. */
int kvm_net_enter(const char *netns, struct podrt_error **err);
/* `podrt check`: tc and /dev/net/tun, optional (a pod on a network needs
 * them). */
struct podrt_check;
int kvm_net_check(struct podrt_check *check);
/* Pure parts, for tests: the routes of ifname in /proc/net/route's text
 * (those its addresses make left out) appended to n; one tc command
 * (filter false: the ingress qdisc on from; true: from's redirect to to);
 * the description's iface and route lines. */
int kvm_net_parse_routes(const char *text, const char *ifname, struct kvm_net *n);
int kvm_net_tc_argv(const char *tc, const char *from, const char *to, bool filter, char ***ret);
struct initspec;
int kvm_net_describe(const struct kvm_net *n, struct initspec *s);

/* ---- the VM of a pod (vm.c) ---- */

struct kvm_vm {
        struct podrt_vm_config cfg;
        struct podrt_vm_share *shares;
        const struct podrt_vm_share **share_list;   /* cfg.share_list: into shares */
        char *hypervisor;              /* the hypervisor plugin's name */
        /* owned strings behind cfg */
        char *name, *kernel, *initrd, *cmdline, *console_path, *control_path, *work_dir;
        char **share_paths, **share_tags;
        /* a pod on a network: its one device (cfg.net_list), the namespace */
        struct podrt_vm_net net;
        const struct podrt_vm_net *net_list[1];
        char *net_tap, *net_mac, *netns;
        /* how the keeper runs it (vm.json; absent in older ones) */
        uint32_t boot_timeout;         /* seconds until an app must have started; 0: none */
        char *accel_wanted;            /* kvm.accel at create: "auto", "kvm", "tcg" (NULL: as accel) */
        char *probe_cache;             /* where accel.c keeps the KVM verdict (NULL: none) */
        char *probe_key;               /* the verdict's key for this VM's kernel and hypervisor */
};
struct kvm_vm *kvm_vm_free(struct kvm_vm *vm);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct kvm_vm *, kvm_vm_free)

/* Sizing: memory_mib (the apps' memory limits + 128 MiB) and vcpus (the
 * apps' cpu limits rounded up, at least 1) unless the config sets them. */
void kvm_vm_size(const struct podrt_pod *pod, const struct podrt_config *cfg,
                 uint32_t *ret_memory_mib, uint32_t *ret_vcpus);
/* The kernel command line. tsc_khz: 0 to leave it out. */
char *kvm_vm_cmdline(uint32_t accel, uint64_t tsc_khz);
/* Fills the shares of pod (apps' rootfs, volumes, status, and the added
 * apps' folder apps_dir when not NULL) into vm. */
int kvm_vm_add_shares(struct kvm_vm *vm, const struct podrt_pod *pod, const char *status_dir,
                      const char *apps_dir, struct podrt_error **err);
/* Builds the whole VM description of pod (no files written). */
int kvm_vm_new(const struct podrt_pod *pod, const char *hypervisor, const char *kernel,
               const char *initrd, uint32_t accel, uint64_t tsc_khz, uint32_t memory_mib,
               uint32_t vcpus, const char *kvm_dir, struct kvm_vm **ret,
               struct podrt_error **err);
/* Gives vm the network device of n (its tap, MAC, MTU) and namespace. */
int kvm_vm_set_net(struct kvm_vm *vm, const struct kvm_net *n);
/* vm.json in the pod's kvm folder: save at create, load for later ops. */
int kvm_vm_save(const struct kvm_vm *vm, const char *path, struct podrt_error **err);
int kvm_vm_load(const char *path, struct kvm_vm **ret, struct podrt_error **err);

/* The pod description for podrt-init (core/init/initspec.h), written to
 * path.  modules: guest paths of the modules in load order (may be NULL). */
int kvm_write_description(const struct podrt_pod *pod, char *const *modules, const char *path,
                          struct podrt_error **err);
/* The same with the network's iface and route lines (net may be NULL). */
int kvm_write_description_net(const struct podrt_pod *pod, char *const *modules,
                              const struct kvm_net *net, const char *path, struct podrt_error **err);

/* Appends app's entry to s (as the pod's description has it), its root at
 * root (a guest path); its output, status and pid files on the status
 * share.  *ret (may be NULL): the entry.  -ENOMEM. */
struct initspec_app;
int kvm_describe_app(const struct podrt_app *app, const char *root, struct initspec *s,
                     struct initspec_app **ret);

/* The default of kvm.boot_timeout, seconds. */
#define KVM_BOOT_TIMEOUT_DEFAULT 60

/* ---- /etc files (etc.c) ---- */

/* Writes hosts, resolv.conf and hostname for pod into etc_dir (on the
 * status share: KVM_GUEST_STATUS "/etc" in the guest). */
int kvm_etc_write(const struct podrt_pod *pod, const char *etc_dir, struct podrt_error **err);
/* Whether the app's root has /etc/<name> as a regular file to bind over. */
bool kvm_etc_bindable(const struct podrt_app *app, const char *name);

/* ---- exec (exec.c) ---- */

/* Runs argv in app (NULL or "": the first) of the VM whose work dir is
 * work_dir, through its exec channel, with in_fd, out_fd and err_fd as its
 * stdio (a terminal for it when tty).  The command's exit code, or -errno. */
int kvm_exec_session(const char *work_dir, const char *app, const char *const *argv, bool tty,
                     const struct podrt_exec_process *proc, int in_fd, int out_fd, int err_fd,
                     struct podrt_error **err);

/* Sends signo to every app of that VM, through podrt-init's agent: how many
 * apps it reached, or -errno (no channel, busy, no answer). */
int kvm_signal_apps(const char *work_dir, int signo, struct podrt_error **err);

/* New limits for app (NULL: every app) of that VM, in its cgroup in the
 * guest, through podrt-init's agent. */
int kvm_update_apps(const char *work_dir, const char *app, const struct podrt_resources *res,
                    struct podrt_error **err);

/* One request outside a session on that VM's exec channel (type, data: n
 * bytes; basic/initspec.h), waiting up to wait_ms for an exec session to
 * end first: the type of the answer (APP_STARTED, or EXIT), its text in
 * answer (for an EXIT after STDERR frames: what they said), or -errno. */
int kvm_agent_request(const char *work_dir, char type, const void *data, size_t n, int wait_ms,
                      char *answer, size_t size, struct podrt_error **err);

/* ---- kvm.c, for apps.c ---- */

/* The hypervisor's pid, when it still runs pod's VM (kvm_dir); else 0. */
pid_t kvm_vm_pid(const char *kvm_dir, const struct podrt_pod *pod);
/* An app's status file (status/exit/<app>) into its state: 1 when there
 * is one, 0 when not, -ENOMEM. */
int kvm_app_state(const char *kvm_dir, struct podrt_app *app);
/* The pod op exec. */
int kvm_exec(void *data, struct podrt_pod *pod, struct podrt_app *app, const char *const *argv,
             uint64_t flags, struct podrt_error **err);

/* ---- apps added to the running VM (apps.c) ---- */

extern const struct podrt_container_ops kvm_container_ops;
/* Unmounts the root bound at <kvm_dir>/apps/<name> (every one when name is
 * NULL) and removes its mount point; absent is fine. */
int kvm_apps_unmount(const char *kvm_dir, const char *name, struct podrt_error **err);
/* One request of the control channel (APP_START, APP_SIGNAL) to podrt-init
 * in pod's VM, as a request file on the status share (KVM_REQUESTS_DIR;
 * docs/podrt-init.md): the type of the answer (APP_STARTED or EXIT), its
 * text in answer (for an EXIT after STDERR frames: what they said), or
 * -errno.  No exec session holds it up. */
int kvm_share_request(const char *kvm_dir, const struct podrt_pod *pod, char type, const void *data, size_t n,
                      char *answer, size_t size, struct podrt_error **err);
/* Sends signo to app name of pod's VM (APP_SIGNAL): 1 sent, 0 the app is
 * not running, or -errno. */
int kvm_signal_app(const char *kvm_dir, const struct podrt_pod *pod, const char *name, int signo,
                   struct podrt_error **err);
/* The app's rootfs bound at <kvm_dir>/apps/<app> (an earlier bind there
 * undone first); EOPNOTSUPP for a VM without the apps share. */
int kvm_apps_bind_root(const struct kvm_vm *vm, const char *kvm_dir, struct podrt_app *app,
                       struct podrt_error **err);
/* Before a start of the pod (apps-start.c): when its apps are no longer
 * those of create's description, the description made again and vm's
 * initrd pointed at create's plus it; the roots of the apps create did not
 * share bound below the apps share. */
int kvm_apps_prepare_start(struct kvm_vm *vm, const struct podrt_pod *pod, const char *kvm_dir,
                           struct podrt_error **err);

/* ---- following the apps' output (follow.c) ---- */

struct follow {
        char *path;   /* status/out/<app> or status/err/<app> */
        int in;       /* -1 until the guest creates it */
        int out;      /* the app's pipe, -1 once broken */
};
/* Copies what was appended to path since the last call onto out. */
void follow_pump(struct follow *f);
/* The signal that ended the VM (kill, stop: the "signal" file), or 0. */
int kvm_ended_by_signal(const char *kvm_dir);

/* ---- the VM's keeper (keeper.c) ---- */

/* What a hypervisor plugin may leave in the VM's work dir when it ended a
 * VM that stopped for good (QEMU's watcher, plugins/qemu/watch.c): one
 * line, the reason ("internal-error", "guest-panicked", ...). */
#define KVM_HV_STOPPED_FILE "hypervisor-stopped"

/* Forks the keeper: a child of the caller that starts the VM through hv,
 * copies each app's output (files on the status share) to the app's stdout
 * and stderr fds as it is written, and exits when the VM is over with the
 * status the apps without a status file get.  Returns once the VM has
 * started (or failed to: the error says why).  *ret_pid: the keeper. */
int keeper_start(const struct kvm_hv *hv, struct kvm_vm *vm,
                 const struct podrt_pod *pod, const char *kvm_dir, pid_t *ret_pid,
                 struct podrt_error **err);

#endif
