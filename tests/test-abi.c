/* SPDX-License-Identifier: Apache-2.0 */
/* The ABI freeze: sizes and offsets of every field of every installed struct,
 * the methods' signatures, the ABI version and every constant, as literal
 * numbers for x86_64 (LP64).  When one of these fails, the ABI changed: if
 * that was meant, it is an append at the end of a struct (update the numbers
 * here and say so in the commit) or a new major; anything else is a bug.
 * Also: libpodrt exports every public function, and a plugin exports only
 * its entry point. */
#include <dlfcn.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <podrt/podrt.h>

#include "cunit-main.h"

#define SIZE(type, n)                                                              \
        do {                                                                       \
                if (sizeof(type) != (n))                                           \
                        fprintf(stderr, "\nsizeof(%s) is %zu, frozen at %d\n", #type, \
                                sizeof(type), (n));                                \
                CU_ASSERT_EQUAL(sizeof(type), (n));                                \
        } while (0)

#define FIELD(type, field, off, sz)                                                \
        do {                                                                       \
                if (offsetof(type, field) != (off) || sizeof(((type *)0)->field) != (sz)) \
                        fprintf(stderr, "\n%s.%s is at %zu (%zu bytes), frozen at %d (%d)\n", \
                                #type, #field, offsetof(type, field),              \
                                sizeof(((type *)0)->field), (off), (sz));          \
                CU_ASSERT_EQUAL(offsetof(type, field), (off));                     \
                CU_ASSERT_EQUAL(sizeof(((type *)0)->field), (sz));                 \
        } while (0)

/* The field has exactly this type (a method: this signature). */
#define TYPE(type, field, t)                                                       \
        do {                                                                       \
                int same = __builtin_types_compatible_p(__typeof__(((type *)0)->field), t); \
                if (!same)                                                         \
                        fprintf(stderr, "\n%s.%s is no longer %s\n", #type, #field, #t); \
                CU_ASSERT(same);                                                   \
        } while (0)

#define CONST(name, value)                                                         \
        do {                                                                       \
                if ((unsigned long long)(name) != (unsigned long long)(value))     \
                        fprintf(stderr, "\n%s changed\n", #name);                  \
                CU_ASSERT_EQUAL((unsigned long long)(name), (unsigned long long)(value)); \
        } while (0)

typedef struct podrt_error **E;

static void test_plugin(void) {
        SIZE(struct podrt_plugin, 120);
        FIELD(struct podrt_plugin, abi_major, 0, 4);
        FIELD(struct podrt_plugin, abi_minor, 4, 4);
        FIELD(struct podrt_plugin, size, 8, 4);
        FIELD(struct podrt_plugin, reserved, 12, 4);
        FIELD(struct podrt_plugin, name, 16, 8);
        FIELD(struct podrt_plugin, version, 24, 8);
        FIELD(struct podrt_plugin, description, 32, 8);
        FIELD(struct podrt_plugin, init, 40, 8);
        FIELD(struct podrt_plugin, fini, 48, 8);
        FIELD(struct podrt_plugin, pod, 56, 8);
        FIELD(struct podrt_plugin, container, 64, 8);
        FIELD(struct podrt_plugin, hypervisor, 72, 8);
        FIELD(struct podrt_plugin, network, 80, 8);
        FIELD(struct podrt_plugin, storage, 88, 8);
        FIELD(struct podrt_plugin, hooks, 96, 8);
        /* ABI 1.1 */
        FIELD(struct podrt_plugin, check, 104, 8);
        FIELD(struct podrt_plugin, config_check, 112, 8);
        TYPE(struct podrt_plugin, check, int (*)(void *, struct podrt_check *, uint64_t, E));
        TYPE(struct podrt_plugin, config_check,
             int (*)(const struct podrt_config *, uint64_t, E));
}

static void test_host(void) {
        SIZE(struct podrt_host, 72);
        FIELD(struct podrt_host, version, 0, 4);
        FIELD(struct podrt_host, size, 4, 4);
        FIELD(struct podrt_host, plugin_name, 8, 8);
        FIELD(struct podrt_host, config, 16, 8);
        FIELD(struct podrt_host, state_dir, 24, 8);
        FIELD(struct podrt_host, libexec_dir, 32, 8);
        FIELD(struct podrt_host, log, 40, 8);
        FIELD(struct podrt_host, log_level, 48, 4);
        FIELD(struct podrt_host, reserved, 52, 4);
        FIELD(struct podrt_host, logv, 56, 8);          /* version 2 */
        FIELD(struct podrt_host, plugin_ops, 64, 8);
}

static void test_pod_ops(void) {
        SIZE(struct podrt_pod_ops, 104);
        FIELD(struct podrt_pod_ops, update, 96, 8);
        FIELD(struct podrt_pod_ops, exec_process, 88, 8);
        FIELD(struct podrt_pod_ops, version, 0, 4);
        FIELD(struct podrt_pod_ops, size, 4, 4);
        FIELD(struct podrt_pod_ops, features, 8, 8);
        FIELD(struct podrt_pod_ops, create, 16, 8);
        FIELD(struct podrt_pod_ops, start, 24, 8);
        FIELD(struct podrt_pod_ops, stop, 32, 8);
        FIELD(struct podrt_pod_ops, kill, 40, 8);
        FIELD(struct podrt_pod_ops, pause, 48, 8);
        FIELD(struct podrt_pod_ops, resume, 56, 8);
        FIELD(struct podrt_pod_ops, delete, 64, 8);
        FIELD(struct podrt_pod_ops, state, 72, 8);
        FIELD(struct podrt_pod_ops, exec, 80, 8);
}

static void test_container_ops(void) {
        SIZE(struct podrt_container_ops, 48);
        FIELD(struct podrt_container_ops, remove, 40, 8);
        FIELD(struct podrt_container_ops, version, 0, 4);
        FIELD(struct podrt_container_ops, size, 4, 4);
        FIELD(struct podrt_container_ops, start, 8, 8);
        FIELD(struct podrt_container_ops, kill, 16, 8);
        FIELD(struct podrt_container_ops, exec, 24, 8);
        FIELD(struct podrt_container_ops, state, 32, 8);
}

static void test_hypervisor_ops(void) {
        SIZE(struct podrt_hypervisor_ops, 64);
        FIELD(struct podrt_hypervisor_ops, version, 0, 4);
        FIELD(struct podrt_hypervisor_ops, size, 4, 4);
        FIELD(struct podrt_hypervisor_ops, build_argv, 8, 8);
        FIELD(struct podrt_hypervisor_ops, start, 16, 8);
        FIELD(struct podrt_hypervisor_ops, stop, 24, 8);
        FIELD(struct podrt_hypervisor_ops, pause, 32, 8);
        FIELD(struct podrt_hypervisor_ops, resume, 40, 8);
        FIELD(struct podrt_hypervisor_ops, probe, 48, 8);
        FIELD(struct podrt_hypervisor_ops, features, 56, 8);   /* version 2 */
}

static void test_vm_share(void) {
        SIZE(struct podrt_vm_share, 32);
        FIELD(struct podrt_vm_share, version, 0, 4);
        FIELD(struct podrt_vm_share, size, 4, 4);
        FIELD(struct podrt_vm_share, path, 8, 8);
        FIELD(struct podrt_vm_share, tag, 16, 8);
        FIELD(struct podrt_vm_share, read_only, 24, 4);
        FIELD(struct podrt_vm_share, reserved, 28, 4);
}

static void test_vm_config(void) {
        SIZE(struct podrt_vm_config, 128);
        FIELD(struct podrt_vm_config, version, 0, 4);
        FIELD(struct podrt_vm_config, size, 4, 4);
        FIELD(struct podrt_vm_config, name, 8, 8);
        FIELD(struct podrt_vm_config, kernel, 16, 8);
        FIELD(struct podrt_vm_config, initrd, 24, 8);
        FIELD(struct podrt_vm_config, cmdline, 32, 8);
        FIELD(struct podrt_vm_config, memory_mib, 40, 4);
        FIELD(struct podrt_vm_config, vcpus, 44, 4);
        FIELD(struct podrt_vm_config, accel, 48, 4);
        FIELD(struct podrt_vm_config, n_shares, 52, 4);
        FIELD(struct podrt_vm_config, shares, 56, 8);
        FIELD(struct podrt_vm_config, console_path, 64, 8);
        FIELD(struct podrt_vm_config, control_path, 72, 8);
        FIELD(struct podrt_vm_config, work_dir, 80, 8);
        FIELD(struct podrt_vm_config, share_list, 88, 8); /* version 2 */
        FIELD(struct podrt_vm_config, flags, 96, 8);
        FIELD(struct podrt_vm_config, n_nets, 104, 4); /* version 3 */
        FIELD(struct podrt_vm_config, reserved3, 108, 4);
        FIELD(struct podrt_vm_config, net_list, 112, 8);
        FIELD(struct podrt_vm_config, netns_path, 120, 8);
}

static void test_vm_net(void) {
        SIZE(struct podrt_vm_net, 32);
        FIELD(struct podrt_vm_net, version, 0, 4);
        FIELD(struct podrt_vm_net, size, 4, 4);
        FIELD(struct podrt_vm_net, tap, 8, 8);
        FIELD(struct podrt_vm_net, mac, 16, 8);
        FIELD(struct podrt_vm_net, mtu, 24, 4);
        FIELD(struct podrt_vm_net, reserved, 28, 4);
}

static void test_network_ops(void) {
        SIZE(struct podrt_network_ops, 24);
        FIELD(struct podrt_network_ops, version, 0, 4);
        FIELD(struct podrt_network_ops, size, 4, 4);
        FIELD(struct podrt_network_ops, setup, 8, 8);
        FIELD(struct podrt_network_ops, teardown, 16, 8);
}

static void test_storage_ops(void) {
        SIZE(struct podrt_storage_ops, 24);
        FIELD(struct podrt_storage_ops, version, 0, 4);
        FIELD(struct podrt_storage_ops, size, 4, 4);
        FIELD(struct podrt_storage_ops, prepare, 8, 8);
        FIELD(struct podrt_storage_ops, release, 16, 8);
}

static void test_hook_ops(void) {
        SIZE(struct podrt_hook_ops, 32);
        FIELD(struct podrt_hook_ops, version, 0, 4);
        FIELD(struct podrt_hook_ops, size, 4, 4);
        FIELD(struct podrt_hook_ops, run, 8, 8);
        FIELD(struct podrt_hook_ops, oci_json, 16, 8);
        FIELD(struct podrt_hook_ops, describe, 24, 8);
}

static void test_types(void) {
        /* The descriptor and the host. */
        TYPE(struct podrt_plugin, abi_major, uint32_t);
        TYPE(struct podrt_plugin, name, const char *);
        TYPE(struct podrt_plugin, init, int (*)(const struct podrt_host *, void **, E));
        TYPE(struct podrt_plugin, fini, void (*)(void *));
        TYPE(struct podrt_plugin, pod, const struct podrt_pod_ops *);
        TYPE(struct podrt_plugin, container, const struct podrt_container_ops *);
        TYPE(struct podrt_plugin, hypervisor, const struct podrt_hypervisor_ops *);
        TYPE(struct podrt_plugin, network, const struct podrt_network_ops *);
        TYPE(struct podrt_plugin, storage, const struct podrt_storage_ops *);
        TYPE(struct podrt_plugin, hooks, const struct podrt_hook_ops *);
        TYPE(struct podrt_host, plugin_name, const char *);
        TYPE(struct podrt_host, config, const struct podrt_config *);
        TYPE(struct podrt_host, log, void (*)(const struct podrt_host *, int, const char *, ...));
        TYPE(struct podrt_host, log_level, int32_t);
        CU_ASSERT(__builtin_types_compatible_p(podrt_plugin_entry_fn,
                                               const struct podrt_plugin *(*)(void)));

        /* pod ops */
        TYPE(struct podrt_pod_ops, features, uint64_t);
        TYPE(struct podrt_pod_ops, create, int (*)(void *, struct podrt_pod *, uint64_t, E));
        TYPE(struct podrt_pod_ops, start, int (*)(void *, struct podrt_pod *, uint64_t, E));
        TYPE(struct podrt_pod_ops, stop,
             int (*)(void *, struct podrt_pod *, uint32_t, uint64_t, E));
        TYPE(struct podrt_pod_ops, kill, int (*)(void *, struct podrt_pod *, int, uint64_t, E));
        TYPE(struct podrt_pod_ops, pause, int (*)(void *, struct podrt_pod *, uint64_t, E));
        TYPE(struct podrt_pod_ops, resume, int (*)(void *, struct podrt_pod *, uint64_t, E));
        TYPE(struct podrt_pod_ops, delete, int (*)(void *, struct podrt_pod *, uint64_t, E));
        TYPE(struct podrt_pod_ops, state, int (*)(void *, struct podrt_pod *, uint64_t, E));
        TYPE(struct podrt_pod_ops, exec,
             int (*)(void *, struct podrt_pod *, struct podrt_app *, const char *const *,
                     uint64_t, E));

        /* container ops */
        TYPE(struct podrt_container_ops, start, int (*)(void *, struct podrt_app *, uint64_t, E));
        TYPE(struct podrt_container_ops, kill,
             int (*)(void *, struct podrt_app *, int, uint64_t, E));
        TYPE(struct podrt_container_ops, exec,
             int (*)(void *, struct podrt_app *, const char *const *, uint64_t, E));
        TYPE(struct podrt_container_ops, state, int (*)(void *, struct podrt_app *, uint64_t, E));
        TYPE(struct podrt_container_ops, remove, int (*)(void *, struct podrt_app *, uint64_t, E));

        /* hypervisor ops and what they read */
        TYPE(struct podrt_hypervisor_ops, build_argv,
             int (*)(void *, const struct podrt_vm_config *, char ***, E));
        TYPE(struct podrt_hypervisor_ops, start,
             int (*)(void *, const struct podrt_vm_config *, pid_t *, E));
        TYPE(struct podrt_hypervisor_ops, stop,
             int (*)(void *, const struct podrt_vm_config *, uint32_t, E));
        TYPE(struct podrt_hypervisor_ops, pause, int (*)(void *, const struct podrt_vm_config *, E));
        TYPE(struct podrt_hypervisor_ops, resume,
             int (*)(void *, const struct podrt_vm_config *, E));
        TYPE(struct podrt_hypervisor_ops, probe, int (*)(void *, uint32_t, E));
        TYPE(struct podrt_vm_config, shares, const struct podrt_vm_share *);
        TYPE(struct podrt_vm_config, memory_mib, uint32_t);
        TYPE(struct podrt_vm_share, read_only, uint32_t);

        /* network, storage, hooks */
        TYPE(struct podrt_network_ops, setup, int (*)(void *, struct podrt_pod *, uint64_t, E));
        TYPE(struct podrt_network_ops, teardown, int (*)(void *, struct podrt_pod *, uint64_t, E));
        TYPE(struct podrt_storage_ops, prepare, int (*)(void *, struct podrt_app *, uint64_t, E));
        TYPE(struct podrt_storage_ops, release, int (*)(void *, struct podrt_app *, uint64_t, E));
        TYPE(struct podrt_hook_ops, run,
             int (*)(void *, struct podrt_app *, uint32_t, const char *, uint64_t, E));
        TYPE(struct podrt_hook_ops, oci_json,
             int (*)(void *, struct podrt_app *, char **, uint64_t, E));
        TYPE(struct podrt_hook_ops, describe,
             int (*)(void *, struct podrt_pod *, char **, uint64_t, E));
}

static void test_constants(void) {
        CONST(PODRT_ABI_MAJOR, 1);
        CONST(PODRT_ABI_MINOR, 2);

        CONST(PODRT_HOST_VERSION, 2);
        CONST(PODRT_POD_OPS_VERSION, 2);
        CONST(PODRT_CONTAINER_OPS_VERSION, 2);
        CONST(PODRT_VM_SHARE_VERSION, 1);
        CONST(PODRT_VM_CONFIG_VERSION, 3);
        CONST(PODRT_VM_NET_VERSION, 1);
        CONST(PODRT_HYPERVISOR_NET, 1ull << 2);
        CONST(PODRT_HYPERVISOR_OPS_VERSION, 2);
        CONST(PODRT_NETWORK_OPS_VERSION, 1);
        CONST(PODRT_STORAGE_OPS_VERSION, 1);
        CONST(PODRT_HOOK_OPS_VERSION, 1);

        CONST(PODRT_POD_CREATED, 0);
        CONST(PODRT_POD_RUNNING, 1);
        CONST(PODRT_POD_PAUSED, 2);
        CONST(PODRT_POD_STOPPED, 3);
        CONST(PODRT_APP_CREATED, 0);
        CONST(PODRT_APP_RUNNING, 1);
        CONST(PODRT_APP_EXITED, 2);
        CONST(PODRT_VOLUME_HOST, 0);
        CONST(PODRT_VOLUME_EMPTY, 1);

        CONST(PODRT_LOG_ERR, 3);
        CONST(PODRT_LOG_WARNING, 4);
        CONST(PODRT_LOG_NOTICE, 5);
        CONST(PODRT_LOG_INFO, 6);
        CONST(PODRT_LOG_DEBUG, 7);

        CONST(PODRT_DELETE_FORCE, 1);
        CONST(PODRT_EXEC_TTY, 1);
        CONST(PODRT_POD_RUNS_HOOKS, 1);

        CONST(PODRT_ACCEL_AUTO, 0);
        CONST(PODRT_ACCEL_KVM, 1);
        CONST(PODRT_ACCEL_TCG, 2);

        CONST(PODRT_HOOK_PRESTART, 0);
        CONST(PODRT_HOOK_CREATE_RUNTIME, 1);
        CONST(PODRT_HOOK_CREATE_CONTAINER, 2);
        CONST(PODRT_HOOK_START_CONTAINER, 3);
        CONST(PODRT_HOOK_POSTSTART, 4);
        CONST(PODRT_HOOK_POSTSTOP, 5);
        CONST(PODRT_HOOK_N_STAGES, 6);

        CU_ASSERT_STRING_EQUAL(PODRT_PLUGIN_ENTRY_SYMBOL, "podrt_plugin_entry");
}

/* Every function of the installed headers, exported by libpodrt. */
static const char *const public_functions[] = {

        "podrt_app_caps_add", "podrt_app_caps_drop", "podrt_app_command",
        "podrt_app_cpu_millis", "podrt_app_dir", "podrt_app_env", "podrt_app_exit_code",
        "podrt_app_gid", "podrt_app_groups", "podrt_app_id", "podrt_app_index",
        "podrt_app_log_path", "podrt_app_memory_limit", "podrt_app_mount_path",
        "podrt_app_mount_read_only", "podrt_app_mount_volume", "podrt_app_n_mounts",
        "podrt_app_name", "podrt_app_pid", "podrt_app_pids_limit", "podrt_app_pod",
        "podrt_app_n_ports", "podrt_app_port_container", "podrt_app_port_host",
        "podrt_app_port_protocol", "podrt_app_port_host_ip", "podrt_app_port_name",
        "podrt_app_post_stop", "podrt_app_pre_start", "podrt_app_read_only_rootfs",
        "podrt_app_image_layers", "podrt_app_image",
        "podrt_app_rootfs", "podrt_app_set_exited", "podrt_app_set_pid",
        "podrt_app_set_rootfs", "podrt_app_state", "podrt_app_stderr_fd",
        "podrt_app_stdout_fd", "podrt_app_uid", "podrt_app_working_dir", "podrt_config_bool",
        "podrt_config_int", "podrt_config_is_set", "podrt_config_source",
        "podrt_config_string", "podrt_config_strings", "podrt_error_code", "podrt_error_free",
        "podrt_error_message", "podrt_error_set", "podrt_pod_annotation",
        "podrt_pod_annotation_key", "podrt_pod_annotation_value", "podrt_pod_app",
        "podrt_pod_app_by_name", "podrt_pod_backend", "podrt_pod_backend_data",
        "podrt_pod_dir", "podrt_pod_dns_options", "podrt_pod_dns_searches",
        "podrt_pod_dns_servers", "podrt_pod_host_ip", "podrt_pod_host_names",
        "podrt_pod_hostname", "podrt_pod_id", "podrt_pod_n_annotations", "podrt_pod_n_apps",
        "podrt_pod_n_hosts", "podrt_pod_n_volumes", "podrt_pod_name", "podrt_pod_netns_path",
        "podrt_pod_network", "podrt_pod_set_backend_data", "podrt_pod_set_netns_path",
        "podrt_pod_state", "podrt_pod_volume", "podrt_pod_volume_by_name",
        "podrt_volume_kind", "podrt_volume_name", "podrt_volume_read_only",
        "podrt_volume_source",
};

static void test_exports(void) {
        /* libpodrt.so itself (the tests link the core statically). */
        const char *build = getenv("PODRT_BUILD_DIR");
        CU_ASSERT_PTR_NOT_NULL_FATAL(build);
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/core/libpodrt.so", build);
        void *self = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(self);
        for (size_t i = 0; i < sizeof(public_functions) / sizeof(public_functions[0]); i++) {
                void *sym = dlsym(self, public_functions[i]);
                if (!sym)
                        fprintf(stderr, "\nlibpodrt does not export %s\n", public_functions[i]);
                CU_ASSERT_PTR_NOT_NULL(sym);
        }
        dlclose(self);
}

/* A plugin built with hidden visibility exports its entry point only. */
static void test_plugin_exports(void) {
        const char *build = getenv("PODRT_BUILD_DIR");
        CU_ASSERT_PTR_NOT_NULL_FATAL(build);
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/tests/mock/mock.so", build);
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!h)
                fprintf(stderr, "\n%s\n", dlerror());
        CU_ASSERT_PTR_NOT_NULL_FATAL(h);
        podrt_plugin_entry_fn entry = (podrt_plugin_entry_fn)dlsym(h, PODRT_PLUGIN_ENTRY_SYMBOL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(entry);
        const struct podrt_plugin *d = entry();
        CU_ASSERT_EQUAL(d->abi_major, PODRT_ABI_MAJOR);
        CU_ASSERT_EQUAL(d->size, 120);
        CU_ASSERT_EQUAL(d->pod->size, 104);
        CU_ASSERT_PTR_NULL(dlsym(h, "mock_start"));
        CU_ASSERT_PTR_NULL(dlsym(h, "mock_init"));
        CU_ASSERT_PTR_NULL(dlsym(h, "mock_plugin"));
        dlclose(h);
}

void register_tests(void) {
        CU_pSuite s = add_suite("abi", NULL, NULL);

        ADD_TEST(s, test_plugin);
        ADD_TEST(s, test_host);
        ADD_TEST(s, test_pod_ops);
        ADD_TEST(s, test_container_ops);
        ADD_TEST(s, test_hypervisor_ops);
        ADD_TEST(s, test_vm_share);
        ADD_TEST(s, test_vm_config);
        ADD_TEST(s, test_vm_net);
        ADD_TEST(s, test_network_ops);
        ADD_TEST(s, test_storage_ops);
        ADD_TEST(s, test_hook_ops);
        ADD_TEST(s, test_types);
        ADD_TEST(s, test_constants);
        ADD_TEST(s, test_exports);
        ADD_TEST(s, test_plugin_exports);
}
