/* SPDX-License-Identifier: Apache-2.0 */
/* podrt: the operation tables (vtables) a plugin may provide.
 *
 * Rules (see docs/plugin-abi.md):
 *  - Every table starts with version and size; size is sizeof() the table at
 *    the plugin's build.  The core calls a method only when size covers it and
 *    the pointer is set; otherwise the call fails with -EOPNOTSUPP and a
 *    message naming the plugin and the method.
 *  - Tables only grow at their end; new methods note "since N".
 *  - The first argument of every method is the plugin's private data (what
 *    its init returned).  flags must be 0 unless a flag below is named.
 *  - Methods return 0 (or a count/status) on success, -errno on failure with
 *    *err set through podrt_error_set().
 */
#ifndef PODRT_OPS_H
#define PODRT_OPS_H

#include <podrt/common.h>
#include <podrt/error.h>
#include <podrt/objects.h>

PODRT_BEGIN_DECLS

/* ---- pod ops: a backend that runs whole pods ----------------------------- */

/* `delete` is a keyword of C++: there the member is called delete_ (same
 * place, same type; C code keeps writing .delete). */
#ifdef __cplusplus
#define PODRT_DELETE_MEMBER delete_
#else
#define PODRT_DELETE_MEMBER delete
#endif

#define PODRT_DELETE_FORCE (1ull << 0) /* delete: the pod may still run; kill it */
#define PODRT_EXEC_TTY (1ull << 0)     /* exec: allocate a terminal */

/* podrt_pod_ops.features */
/* What an exec runs with besides its argv (exec_process, since ABI 1.2):
 * each part NULL/false keeps the app's own.  `size` is sizeof() the struct
 * the caller has; read a member only when size covers it. */
struct podrt_exec_process {
        uint32_t size;
        uint32_t flags;                 /* PODRT_EXEC_PROCESS_* */
        const char *const *env;         /* KEY=VALUE: exactly the environment */
        const char *cwd;                /* absolute, inside the app's root */
        uint32_t uid, gid;              /* with PODRT_EXEC_PROCESS_USER */
        const uint32_t *groups;         /* supplementary groups (with _USER) */
        size_t n_groups;
};
#define PODRT_EXEC_PROCESS_USER (1u << 0)  /* uid, gid and groups apply */

/* New limits for a running pod (update, since ABI 1.2): 0 leaves one as it
 * is; -1 removes it. */
struct podrt_resources {
        uint32_t size;                  /* sizeof() the caller's struct */
        int64_t memory_bytes;
        int64_t cpu_millis;             /* 1000 = one CPU */
        int64_t pids;
};

#define PODRT_POD_RUNS_HOOKS (1ull << 0) /* the backend runs OCI hooks itself
                                          * (e.g. writes them into config.json);
                                          * the core does not run them */

struct podrt_pod_ops {
#define PODRT_POD_OPS_VERSION 2
        uint32_t version;
        uint32_t size;
        uint64_t features;                                                  /* since 1 */
        /* Build what the pod runs (bundles, argv, initramfs); start nothing.
         * Called once, after storage and network are prepared. */
        int (*create)(void *data, struct podrt_pod *pod, uint64_t flags,
                      struct podrt_error **err);                            /* since 1 */
        /* Start every app, as children of the calling process (the pod's
         * monitor, a child subreaper).  For each app call podrt_app_set_pid()
         * with the process the monitor should wait for, and wire its output
         * to podrt_app_stdout_fd()/podrt_app_stderr_fd().  Return once the
         * apps are started; do not wait for them. */
        int (*start)(void *data, struct podrt_pod *pod, uint64_t flags,
                     struct podrt_error **err);                             /* since 1 */
        /* Stop gracefully; after timeout_sec, kill.  Return when the apps
         * have been told; the monitor notices them exit.  Absent: the core
         * sends SIGTERM through kill, then SIGKILL after the timeout. */
        int (*stop)(void *data, struct podrt_pod *pod, uint32_t timeout_sec, uint64_t flags,
                    struct podrt_error **err);                              /* since 1 */
        /* Send signo to every app. */
        int (*kill)(void *data, struct podrt_pod *pod, int signo, uint64_t flags,
                    struct podrt_error **err);                              /* since 1 */
        int (*pause)(void *data, struct podrt_pod *pod, uint64_t flags,
                     struct podrt_error **err);                             /* since 1 */
        int (*resume)(void *data, struct podrt_pod *pod, uint64_t flags,
                      struct podrt_error **err);                            /* since 1 */
        /* Remove everything create and start made (runtime state, bundles,
         * cgroups, mounts).  Must succeed on a half-created pod, and again. */
        int (*PODRT_DELETE_MEMBER)(void *data, struct podrt_pod *pod, uint64_t flags,
                      struct podrt_error **err);                            /* since 1 */
        /* Refresh the apps' states (podrt_app_set_exited()) from what the
         * backend knows, e.g. status files written inside the pod.  Called by
         * the monitor when a process it waits for exits (before it records
         * that process's status for the apps the backend left running),
         * before the pod is marked stopped, and before poststart hooks.  It
         * may set an app's own pid (e.g. the container's process) with
         * podrt_app_set_pid(); the monitor keeps waiting for the process
         * start named. */
        int (*state)(void *data, struct podrt_pod *pod, uint64_t flags,
                     struct podrt_error **err);                             /* since 1 */
        /* Run argv in the running app, with the app's environment, attached
         * to the caller's stdio.  Returns the command's exit code (>= 0). */
        int (*exec)(void *data, struct podrt_pod *pod, struct podrt_app *app,
                    const char *const *argv, uint64_t flags,
                    struct podrt_error **err);                              /* since 1 */
        /* exec with its environment, working directory and user given
         * (podrt exec -e/-w/-u, podrt-runtime exec --process).  Absent: the
         * core refuses an exec that sets any of them. */
        int (*exec_process)(void *data, struct podrt_pod *pod, struct podrt_app *app,
                            const char *const *argv, const struct podrt_exec_process *proc,
                            uint64_t flags, struct podrt_error **err);      /* since 2 (ABI 1.2) */
        /* Change the running pod's limits (podrt-runtime update); app NULL:
         * the pod's.  Absent: the core says the backend cannot. */
        int (*update)(void *data, struct podrt_pod *pod, struct podrt_app *app,
                      const struct podrt_resources *res, uint64_t flags,
                      struct podrt_error **err);                            /* since 2 (ABI 1.2) */
};

/* ---- container ops: per-app control inside a running pod ----------------- */

/* A backend that has these can run apps added to a running pod (`podrt app
 * add/start/stop/rm`, CRI containers of a sandbox).  podrt_app_pod() is the
 * running pod; its other apps must go on running through every call. */
struct podrt_container_ops {
#define PODRT_CONTAINER_OPS_VERSION 2
        uint32_t version;
        uint32_t size;
        /* Start one app of the running pod, as a child of the calling
         * process (the pod's monitor): as pod start does for each app, call
         * podrt_app_set_pid() and wire its output to podrt_app_stdout_fd()/
         * podrt_app_stderr_fd().  Return once it is started. */
        int (*start)(void *data, struct podrt_app *app, uint64_t flags,
                     struct podrt_error **err);                             /* since 1 */
        /* Send signo to this app only. */
        int (*kill)(void *data, struct podrt_app *app, int signo, uint64_t flags,
                    struct podrt_error **err);                              /* since 1 */
        /* As pod exec, in this app. */
        int (*exec)(void *data, struct podrt_app *app, const char *const *argv, uint64_t flags,
                    struct podrt_error **err);                              /* since 1 */
        /* Refresh this app's state (podrt_app_set_exited()). */
        int (*state)(void *data, struct podrt_app *app, uint64_t flags,
                     struct podrt_error **err);                             /* since 1 */
        /* Remove what start made for this app (runtime state, bundle,
         * shares); the app has exited.  Must succeed for an app never
         * started, and again. */
        int (*remove)(void *data, struct podrt_app *app, uint64_t flags,
                      struct podrt_error **err);                            /* since 2 (ABI 1.2) */
};

/* ---- hypervisor ops: start and drive a VM -------------------------------- */

#define PODRT_ACCEL_AUTO 0u
#define PODRT_ACCEL_KVM 1u
#define PODRT_ACCEL_TCG 2u

/* A directory shared with the guest over virtio-9p. */
struct podrt_vm_share {
#define PODRT_VM_SHARE_VERSION 1
        uint32_t version;
        uint32_t size;
        const char *path;   /* host directory */
        const char *tag;    /* 9p mount tag */
        uint32_t read_only; /* 1: exported read-only */
        uint32_t reserved;
};

/* A network device of the guest (since podrt_vm_config version 3): a tap
 * device that exists already in the network namespace the hypervisor is
 * started in (the kvm backend calls start there), to be attached as the
 * guest's virtio-net with the given MAC. */
struct podrt_vm_net {
#define PODRT_VM_NET_VERSION 1
        uint32_t version;
        uint32_t size;
        const char *tap;    /* the tap's name in that namespace ("tap0") */
        const char *mac;    /* the guest's MAC, "aa:bb:cc:dd:ee:ff" */
        uint32_t mtu;       /* the link's MTU, 0: the default */
        uint32_t reserved;
};

/* What a VM is made of; filled by the kvm backend, read by hypervisors. */
struct podrt_vm_config {
#define PODRT_VM_CONFIG_VERSION 3
        uint32_t version;
        uint32_t size;
        const char *name;          /* unique on the host (the pod's ID) */
        const char *kernel;        /* uncompressed vmlinux or bzImage */
        const char *initrd;        /* initramfs (newc cpio) */
        const char *cmdline;       /* kernel command line */
        uint32_t memory_mib;
        uint32_t vcpus;
        uint32_t accel;            /* PODRT_ACCEL_KVM or PODRT_ACCEL_TCG (resolved) */
        uint32_t n_shares;
        const struct podrt_vm_share *shares;
        const char *console_path;  /* file the guest console is written to */
        const char *control_path;  /* control socket (QMP) the hypervisor listens on */
        const char *work_dir;      /* a directory the hypervisor may use */
        /* ---- since version 2 ---- */
        /* The same n_shares shares as pointers, so that a hypervisor never
         * depends on sizeof(struct podrt_vm_share) at its build: read
         * share_list when size covers it, shares only otherwise. */
        const struct podrt_vm_share *const *share_list;
        uint64_t flags;            /* 0 */
        /* ---- since version 3 ---- */
        /* The guest's network devices (read them when size covers them);
         * a hypervisor that attaches them says PODRT_HYPERVISOR_NET, and the
         * kvm backend refuses a pod with a network on one that does not. */
        uint32_t n_nets;
        uint32_t reserved3;
        const struct podrt_vm_net *const *net_list;
        /* The network namespace start is called in (a path), or NULL:
         * for the hypervisor's information only. */
        const char *netns_path;
};

/* podrt_hypervisor_ops.features (since 2) */
#define PODRT_HYPERVISOR_NEEDS_BZIMAGE (1ull << 0) /* cannot boot an ELF vmlinux */
#define PODRT_HYPERVISOR_NO_TCG (1ull << 1)        /* runs only with KVM */
#define PODRT_HYPERVISOR_NET (1ull << 2)           /* attaches podrt_vm_config.net_list */

struct podrt_hypervisor_ops {
#define PODRT_HYPERVISOR_OPS_VERSION 2
        uint32_t version;
        uint32_t size;
        /* The command line that starts the VM, NULL-terminated, malloc'd
         * strings in a malloc'd vector.  Starts nothing: tests call it. */
        int (*build_argv)(void *data, const struct podrt_vm_config *vm, char ***ret_argv,
                          struct podrt_error **err);                        /* since 1 */
        /* Start the VM as a child of the caller; *ret_pid is its process. */
        int (*start)(void *data, const struct podrt_vm_config *vm, pid_t *ret_pid,
                     struct podrt_error **err);                             /* since 1 */
        /* Ask the guest to power off; after timeout_sec, end the VM. */
        int (*stop)(void *data, const struct podrt_vm_config *vm, uint32_t timeout_sec,
                    struct podrt_error **err);                              /* since 1 */
        int (*pause)(void *data, const struct podrt_vm_config *vm,
                     struct podrt_error **err);                             /* since 1 */
        int (*resume)(void *data, const struct podrt_vm_config *vm,
                      struct podrt_error **err);                            /* since 1 */
        /* 1 when this hypervisor can run with accel on this host, 0 when not
         * (with *err saying why). */
        int (*probe)(void *data, uint32_t accel, struct podrt_error **err); /* since 1 */
        uint64_t features;                                                  /* since 2 */
};

/* ---- network ops: the pod's network namespace ---------------------------- */

struct podrt_network_ops {
#define PODRT_NETWORK_OPS_VERSION 1
        uint32_t version;
        uint32_t size;
        /* Prepare the namespace; record it with podrt_pod_set_netns_path(). */
        int (*setup)(void *data, struct podrt_pod *pod, uint64_t flags,
                     struct podrt_error **err);                             /* since 1 */
        /* Undo setup; must succeed on a half-set-up pod, and again. */
        int (*teardown)(void *data, struct podrt_pod *pod, uint64_t flags,
                        struct podrt_error **err);                          /* since 1 */
};

/* ---- storage ops: each app's root filesystem ----------------------------- */

struct podrt_storage_ops {
#define PODRT_STORAGE_OPS_VERSION 1
        uint32_t version;
        uint32_t size;
        /* Prepare the app's rootfs; podrt_app_set_rootfs() if it moves. */
        int (*prepare)(void *data, struct podrt_app *app, uint64_t flags,
                       struct podrt_error **err);                           /* since 1 */
        int (*release)(void *data, struct podrt_app *app, uint64_t flags,
                       struct podrt_error **err);                           /* since 1 */
};

/* ---- hook ops: OCI hooks ------------------------------------------------- */

#define PODRT_HOOK_PRESTART 0u
#define PODRT_HOOK_CREATE_RUNTIME 1u
#define PODRT_HOOK_CREATE_CONTAINER 2u
#define PODRT_HOOK_START_CONTAINER 3u
#define PODRT_HOOK_POSTSTART 4u
#define PODRT_HOOK_POSTSTOP 5u
#define PODRT_HOOK_N_STAGES 6u

struct podrt_hook_ops {
#define PODRT_HOOK_OPS_VERSION 1
        uint32_t version;
        uint32_t size;
        /* Run the hooks that match app at stage, in order, each with the OCI
         * state of the app on stdin (status is status, e.g. "created").
         * Fails with the first hook that fails or times out. */
        int (*run)(void *data, struct podrt_app *app, uint32_t stage, const char *status,
                   uint64_t flags, struct podrt_error **err);               /* since 1 */
        /* The OCI runtime-spec "hooks" object for app, as JSON text
         * (malloc'd), for runtimes that run hooks themselves. */
        int (*oci_json)(void *data, struct podrt_app *app, char **ret_json, uint64_t flags,
                        struct podrt_error **err);                          /* since 1 */
        /* For `podrt hooks`: which hooks would run for each app of pod, per
         * stage, from which file, as JSON text (malloc'd). */
        int (*describe)(void *data, struct podrt_pod *pod, char **ret_json, uint64_t flags,
                        struct podrt_error **err);                          /* since 1 */
};

PODRT_END_DECLS

#endif
