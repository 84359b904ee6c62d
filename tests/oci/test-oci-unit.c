/* SPDX-License-Identifier: Apache-2.0 */
/* The oci backend's pure parts: config.json (golden files in
 * tests/oci/golden/, regenerate with PODRT_UPDATE_GOLDEN=1 and review the
 * diff), capabilities, resources, namespaces, cgroup paths on v1, hybrid and
 * v2, and the generated /etc files. */
#include <dirent.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cunit-main.h"
#include "errors.h"
#include "../../plugins/oci/cgroup.h"
#include "../../plugins/oci/etcfiles.h"
#include "../../plugins/oci/runtime.h"
#include "../../plugins/oci/spec.h"
#include "strv.h"

/* ---- fixtures ------------------------------------------------------------- */

static const char *const args_hello[] = {"/bin/sh", "-c", "echo hello from $GREETING", NULL};
static const char *const env_hello[] = {
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=/root", "USER=root", "LOGNAME=root", "SHELL=/bin/sh",
        "HOSTNAME=hello", "container=podrt", "GREETING=podrt", NULL};
static const char *const drop_net_raw[] = {"CAP_NET_RAW", NULL};
static const char *const add_sys_time[] = {"CAP_SYS_TIME", NULL};
static const uint32_t groups_10[] = {10};
static const struct oci_bind binds_full[] = {
        {"/srv/data", "/data", true, false},
        {"/run/podrt/pods/0123/volumes/scratch", "/scratch", false, false},
        {"/run/podrt/pods/0123/oci-hosts", "/etc/hosts", false, true},
        {"/run/podrt/pods/0123/oci-resolv.conf", "/etc/resolv.conf", false, true},
        {"/run/podrt/pods/0123/oci-hostname", "/etc/hostname", false, true},
        {"/run/podrt/pods/0123/apps/app/containerenv", "/run/.containerenv", true, true},
};
static const char *const annot_keys[] = {"org.example.team", "io.podrt.pod.name"};
static const char *const annot_values[] = {"infra", "overridden"};

/* The manifest of CONTRACTS.md §1, as oci.c hands it to spec.c. */
static struct oci_container full_container(void) {
        return (struct oci_container){
                .pod_id = "0123456789abcdef0123456789abcdef",
                .pod_name = "hello",
                .name = "app",
                .id = "0123456789abcdef0123456789abcdef-app",
                .hostname = "hello",
                .rootfs = "/srv/rootfs",
                .args = args_hello,
                .env = env_hello,
                .cwd = "/",
                .uid = 0,
                .gid = 0,
                .groups = groups_10,
                .n_groups = 1,
                .caps_drop = drop_net_raw,
                .nofile = 1048576,
                .binds = binds_full,
                .n_binds = ELEMENTSOF(binds_full),
                .netns_path = "/run/podrt/pods/0123/netns",
                .uts_path = "/run/podrt/pods/0123/oci-uts",
                .ipc_path = "/run/podrt/pods/0123/oci-ipc",
                .cgroups_path = "/podrt/0123456789abcdef0123456789abcdef/app",
                .memory = 64 << 20,
                .cpu_millis = 500,
                .pids = 64,
                .runtime_path = "/usr/sbin/runc",
                .runtime_root = "/run/podrt/oci/runc",
                .annotation_keys = annot_keys,
                .annotation_values = annot_values,
                .n_annotations = 1,
        };
}

static const char *const args_true[] = {"/bin/true", NULL};
static const char *const env_min[] = {"PATH=/bin", NULL};

static struct oci_container minimal_container(void) {
        return (struct oci_container){
                .pod_id = "fedcba9876543210fedcba9876543210",
                .pod_name = "min",
                .name = "one",
                .id = "fedcba9876543210fedcba9876543210-one",
                .hostname = "min",
                .rootfs = "/tmp/rootfs",
                .read_only_rootfs = true,
                .args = args_true,
                .env = env_min,
                .host_network = true,
                .cgroup_ns = true,
                .cgroups_path = "/podrt/fedcba9876543210fedcba9876543210/one",
        };
}

/* ---- helpers -------------------------------------------------------------- */

static struct json_object *build(const struct oci_container *c) {
        struct json_object *j = NULL;
        struct podrt_error *err = NULL;
        int r = oci_spec_build(c, &j, &err);
        if (r < 0)
                fprintf(stderr, "oci_spec_build: %s\n", podrt_error_message(err));
        CU_ASSERT_EQUAL_FATAL(r, 0);
        podrt_error_free(err);
        return j;
}

static struct json_object *at(struct json_object *o, const char *path) {
        /* "a.b.c" with numeric parts for arrays. */
        char buf[256];
        snprintf(buf, sizeof buf, "%s", path);
        char *save = NULL;
        for (char *p = strtok_r(buf, ".", &save); p && o; p = strtok_r(NULL, ".", &save)) {
                if (json_object_is_type(o, json_type_array))
                        o = json_object_array_get_idx(o, (size_t)atoi(p));
                else if (!json_object_object_get_ex(o, p, &o))
                        o = NULL;
        }
        return o;
}

static bool array_has(struct json_object *a, const char *s) {
        for (size_t i = 0; a && i < json_object_array_length(a); i++)
                if (strcmp(json_object_get_string(json_object_array_get_idx(a, i)), s) == 0)
                        return true;
        return false;
}

static void check_golden(struct json_object *j, const char *name) {
        const char *src = getenv("PODRT_SOURCE_DIR");
        CU_ASSERT_PTR_NOT_NULL_FATAL(src);
        char path[4096];
        snprintf(path, sizeof path, "%s/tests/oci/golden/%s", src, name);
        const char *pretty = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
                                                                   JSON_C_TO_STRING_SPACED |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE);
        if (getenv("PODRT_UPDATE_GOLDEN")) {
                FILE *f = fopen(path, "we");
                CU_ASSERT_PTR_NOT_NULL_FATAL(f);
                fprintf(f, "%s\n", pretty);
                fclose(f);
        }
        struct json_object *want = json_object_from_file(path);
        if (!want)
                fprintf(stderr, "%s: cannot read golden file\n", path);
        CU_ASSERT_PTR_NOT_NULL_FATAL(want);
        int same = json_object_equal(j, want);
        if (!same)
                fprintf(stderr, "%s differs; got:\n%s\n", path, pretty);
        CU_ASSERT_TRUE(same);
        json_object_put(want);
}

/* ---- config.json ------------------------------------------------------------ */

static void test_spec_golden_full(void) {
        struct oci_container c = full_container();
        struct json_object *j = build(&c);
        check_golden(j, "full.json");
        json_object_put(j);
}

static void test_spec_golden_minimal(void) {
        struct oci_container c = minimal_container();
        struct json_object *j = build(&c);
        check_golden(j, "minimal.json");
        json_object_put(j);
}

static void test_spec_process(void) {
        struct oci_container c = full_container();
        struct json_object *j = build(&c);
        CU_ASSERT_STRING_EQUAL(json_object_get_string(at(j, "ociVersion")), "1.0.2");
        CU_ASSERT_STRING_EQUAL(json_object_get_string(at(j, "process.args.2")),
                               "echo hello from $GREETING");
        CU_ASSERT_TRUE(array_has(at(j, "process.env"), "GREETING=podrt"));
        CU_ASSERT_TRUE(array_has(at(j, "process.env"), "container=podrt"));
        CU_ASSERT_EQUAL(json_object_get_int(at(j, "process.user.additionalGids.0")), 10);
        CU_ASSERT_FALSE(json_object_get_boolean(at(j, "process.terminal")));
        CU_ASSERT_TRUE(json_object_get_boolean(at(j, "process.noNewPrivileges")));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(at(j, "process.rlimits.0.type")), "RLIMIT_NOFILE");
        CU_ASSERT_STRING_EQUAL(json_object_get_string(at(j, "hostname")), "hello");
        CU_ASSERT_STRING_EQUAL(json_object_get_string(at(j, "root.path")), "/srv/rootfs");
        CU_ASSERT_FALSE(json_object_get_boolean(at(j, "root.readonly")));
        json_object_put(j);

        /* exec's process: the container's env, user and caps, other args. */
        static const char *const exec_args[] = {"env", NULL};
        struct json_object *p = NULL;
        CU_ASSERT_EQUAL_FATAL(oci_spec_process(&c, exec_args, true, &p, NULL), 0);
        CU_ASSERT_STRING_EQUAL(json_object_get_string(at(p, "args.0")), "env");
        CU_ASSERT_EQUAL(json_object_array_length(at(p, "args")), 1);
        CU_ASSERT_TRUE(json_object_get_boolean(at(p, "terminal")));
        CU_ASSERT_TRUE(array_has(at(p, "env"), "GREETING=podrt"));
        CU_ASSERT_FALSE(array_has(at(p, "capabilities.bounding"), "CAP_NET_RAW"));
        json_object_put(p);
}

static void test_spec_capabilities(void) {
        struct oci_container c = full_container();
        struct json_object *j = build(&c);
        /* The manifest drops CAP_NET_RAW from the default set. */
        CU_ASSERT_FALSE(array_has(at(j, "process.capabilities.bounding"), "CAP_NET_RAW"));
        CU_ASSERT_FALSE(array_has(at(j, "process.capabilities.effective"), "CAP_NET_RAW"));
        CU_ASSERT_TRUE(array_has(at(j, "process.capabilities.bounding"), "CAP_CHOWN"));
        CU_ASSERT_FALSE(array_has(at(j, "process.capabilities.bounding"), "CAP_SYS_ADMIN"));
        CU_ASSERT_EQUAL(json_object_array_length(at(j, "process.capabilities.bounding")), 13);
        json_object_put(j);

        /* Without the drop it is there; an add adds. */
        c.caps_drop = NULL;
        c.caps_add = add_sys_time;
        j = build(&c);
        CU_ASSERT_TRUE(array_has(at(j, "process.capabilities.bounding"), "CAP_NET_RAW"));
        CU_ASSERT_TRUE(array_has(at(j, "process.capabilities.permitted"), "CAP_SYS_TIME"));
        json_object_put(j);

        /* Another user than root: bounding only. */
        c.uid = 1000;
        j = build(&c);
        CU_ASSERT_TRUE(array_has(at(j, "process.capabilities.bounding"), "CAP_KILL"));
        CU_ASSERT_EQUAL(json_object_array_length(at(j, "process.capabilities.effective")), 0);
        CU_ASSERT_EQUAL(json_object_array_length(at(j, "process.capabilities.permitted")), 0);
        json_object_put(j);

        /* drop ALL, add one; add ALL, drop one; lower case without CAP_. */
        static const char *const all[] = {"ALL", NULL};
        static const char *const kill_[] = {"kill", NULL};
        const char **set = NULL;
        CU_ASSERT_EQUAL_FATAL(oci_caps_resolve(NULL, kill_, all, &set, NULL), 0);
        CU_ASSERT_STRING_EQUAL(set[0], "CAP_KILL");
        CU_ASSERT_PTR_NULL(set[1]);
        free(set);
        CU_ASSERT_EQUAL_FATAL(oci_caps_resolve(NULL, all, kill_, &set, NULL), 0);
        size_t n = 0;
        bool has_admin = false, has_kill = false;
        for (; set[n]; n++) {
                has_admin |= strcmp(set[n], "CAP_SYS_ADMIN") == 0;
                has_kill |= strcmp(set[n], "CAP_KILL") == 0;
        }
        CU_ASSERT_EQUAL(n, 40);
        CU_ASSERT_TRUE(has_admin);
        CU_ASSERT_FALSE(has_kill);
        free(set);
        /* Both added and dropped: dropped. */
        CU_ASSERT_EQUAL_FATAL(oci_caps_resolve(NULL, kill_, kill_, &set, NULL), 0);
        for (n = 0; set[n]; n++)
                CU_ASSERT_STRING_NOT_EQUAL(set[n], "CAP_KILL");
        free(set);
}

static void test_spec_unknown_capability(void) {
        static const char *const bad[] = {"CAP_CHOWN", "CAP_FLY", NULL};
        struct oci_container c = full_container();
        c.caps_add = bad;
        struct json_object *j = NULL;
        struct podrt_error *err = NULL;
        CU_ASSERT_EQUAL(oci_spec_build(&c, &j, &err), -EINVAL);
        CU_ASSERT_PTR_NULL(j);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err),
                               "capabilities.add[1]: unknown capability 'CAP_FLY'");
        err = podrt_error_free(err);

        /* With its place in the manifest, the message names the JSON path. */
        c.where = "containers[1]";
        c.caps_add = NULL;
        c.caps_drop = bad + 1;
        CU_ASSERT_EQUAL(oci_spec_build(&c, &j, &err), -EINVAL);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err),
                               "containers[1].capabilities.drop[0]: unknown capability 'CAP_FLY'");
        podrt_error_free(err);
}

static void test_spec_resources(void) {
        struct oci_container c = full_container();
        struct json_object *j = build(&c);
        CU_ASSERT_EQUAL(json_object_get_int64(at(j, "linux.resources.memory.limit")), 67108864);
        CU_ASSERT_EQUAL(json_object_get_int64(at(j, "linux.resources.cpu.quota")), 50000);
        CU_ASSERT_EQUAL(json_object_get_int64(at(j, "linux.resources.cpu.period")), 100000);
        CU_ASSERT_EQUAL(json_object_get_int64(at(j, "linux.resources.pids.limit")), 64);
        CU_ASSERT_FALSE(json_object_get_boolean(at(j, "linux.resources.devices.0.allow")));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(at(j, "linux.cgroupsPath")),
                               "/podrt/0123456789abcdef0123456789abcdef/app");
        json_object_put(j);

        c.memory = 0;
        c.pids = 0;
        c.cpu_millis = 2000;
        j = build(&c);
        CU_ASSERT_PTR_NULL(at(j, "linux.resources.memory"));
        CU_ASSERT_PTR_NULL(at(j, "linux.resources.pids"));
        CU_ASSERT_EQUAL(json_object_get_int64(at(j, "linux.resources.cpu.quota")), 200000);
        json_object_put(j);
}

static const char *ns_path(struct json_object *j, const char *type, bool *found) {
        struct json_object *nss = at(j, "linux.namespaces");
        *found = false;
        for (size_t i = 0; i < json_object_array_length(nss); i++) {
                struct json_object *n = json_object_array_get_idx(nss, i);
                if (strcmp(json_object_get_string(at(n, "type")), type) == 0) {
                        *found = true;
                        struct json_object *p = at(n, "path");
                        return p ? json_object_get_string(p) : NULL;
                }
        }
        return NULL;
}

static void test_spec_namespaces(void) {
        struct oci_container c = full_container();
        struct json_object *j = build(&c);
        bool found;
        CU_ASSERT_STRING_EQUAL(ns_path(j, "network", &found), "/run/podrt/pods/0123/netns");
        CU_ASSERT_STRING_EQUAL(ns_path(j, "uts", &found), "/run/podrt/pods/0123/oci-uts");
        CU_ASSERT_STRING_EQUAL(ns_path(j, "ipc", &found), "/run/podrt/pods/0123/oci-ipc");
        CU_ASSERT_PTR_NULL(ns_path(j, "pid", &found));
        CU_ASSERT_TRUE(found);
        CU_ASSERT_PTR_NULL(ns_path(j, "mount", &found));
        CU_ASSERT_TRUE(found);
        ns_path(j, "cgroup", &found);
        CU_ASSERT_FALSE(found);
        json_object_put(j);

        /* Host network: no network namespace; v2: a cgroup namespace. */
        c = minimal_container();
        j = build(&c);
        ns_path(j, "network", &found);
        CU_ASSERT_FALSE(found);
        CU_ASSERT_PTR_NULL(ns_path(j, "uts", &found));
        CU_ASSERT_TRUE(found);
        ns_path(j, "cgroup", &found);
        CU_ASSERT_TRUE(found);
        CU_ASSERT_TRUE(json_object_get_boolean(at(j, "root.readonly")));
        json_object_put(j);
}

static struct json_object *mount_at(struct json_object *j, const char *dest) {
        struct json_object *ms = at(j, "mounts");
        for (size_t i = 0; i < json_object_array_length(ms); i++) {
                struct json_object *m = json_object_array_get_idx(ms, i);
                if (strcmp(json_object_get_string(at(m, "destination")), dest) == 0)
                        return m;
        }
        return NULL;
}

static void test_spec_mounts(void) {
        struct oci_container c = full_container();
        struct json_object *j = build(&c);
        static const char *const want[] = {"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
                                           "/sys", "/sys/fs/cgroup"};
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                struct json_object *m = json_object_array_get_idx(at(j, "mounts"), i);
                CU_ASSERT_STRING_EQUAL(json_object_get_string(at(m, "destination")), want[i]);
        }
        CU_ASSERT_TRUE(array_has(at(mount_at(j, "/sys"), "options"), "ro"));
        CU_ASSERT_TRUE(array_has(at(mount_at(j, "/sys/fs/cgroup"), "options"), "ro"));

        struct json_object *data = mount_at(j, "/data");
        CU_ASSERT_PTR_NOT_NULL_FATAL(data);
        CU_ASSERT_STRING_EQUAL(json_object_get_string(at(data, "type")), "bind");
        CU_ASSERT_STRING_EQUAL(json_object_get_string(at(data, "source")), "/srv/data");
        CU_ASSERT_TRUE(array_has(at(data, "options"), "rbind"));
        CU_ASSERT_TRUE(array_has(at(data, "options"), "ro"));
        CU_ASSERT_FALSE(array_has(at(mount_at(j, "/scratch"), "options"), "ro"));

        struct json_object *hosts = mount_at(j, "/etc/hosts");
        CU_ASSERT_PTR_NOT_NULL_FATAL(hosts);
        CU_ASSERT_STRING_EQUAL(json_object_get_string(at(hosts, "source")),
                               "/run/podrt/pods/0123/oci-hosts");
        CU_ASSERT_TRUE(array_has(at(hosts, "options"), "bind"));
        CU_ASSERT_PTR_NOT_NULL(mount_at(j, "/etc/resolv.conf"));
        CU_ASSERT_PTR_NOT_NULL(mount_at(j, "/etc/hostname"));
        CU_ASSERT_TRUE(array_has(at(mount_at(j, "/run/.containerenv"), "options"), "ro"));

        CU_ASSERT_TRUE(array_has(at(j, "linux.maskedPaths"), "/proc/kcore"));
        CU_ASSERT_TRUE(array_has(at(j, "linux.maskedPaths"), "/sys/firmware"));
        CU_ASSERT_EQUAL(json_object_array_length(at(j, "linux.maskedPaths")), 10);
        CU_ASSERT_TRUE(array_has(at(j, "linux.readonlyPaths"), "/proc/sys"));
        CU_ASSERT_EQUAL(json_object_array_length(at(j, "linux.readonlyPaths")), 5);
        json_object_put(j);
}

static void test_spec_annotations(void) {
        struct oci_container c = full_container();
        struct json_object *j = build(&c);
        struct json_object *an = at(j, "annotations"), *v;
        CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(an, "org.example.team", &v));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "infra");
        CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(an, "io.podrt.pod.id", &v));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "0123456789abcdef0123456789abcdef");
        CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(an, "io.podrt.container.name", &v));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "app");
        /* The runtime the bundle was made for: what delete and exec use. */
        CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(an, "io.podrt.oci.runtime", &v));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "/usr/sbin/runc");
        CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(an, "io.podrt.oci.root", &v));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "/run/podrt/oci/runc");
        json_object_put(j);

        /* The manifest's annotation wins over podrt's own of the same key. */
        c.n_annotations = 2;
        j = build(&c);
        CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(at(j, "annotations"), "io.podrt.pod.name", &v));
        CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "overridden");
        json_object_put(j);
}

/* ---- cgroups ---------------------------------------------------------------- */

static const char mountinfo_v1[] =
        "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
        "25 22 0:23 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "26 25 0:24 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
        "27 25 0:25 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
        "28 25 0:26 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n";

static const char mountinfo_hybrid[] =
        "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
        "25 22 0:23 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
        "26 25 0:24 / /sys/fs/cgroup/unified rw,relatime shared:5 - cgroup2 cgroup2 rw\n"
        "27 25 0:25 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
        "28 25 0:26 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n";

static const char mountinfo_v2[] =
        "22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
        "25 22 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n"
        "30 22 0:40 / /mnt/with\\040space rw - ext4 /dev/vdb rw\n";

static void test_cgroup_modes(void) {
        CU_ASSERT_EQUAL(cgroup_mode_from_mountinfo(mountinfo_v1), CGROUP_V1);
        CU_ASSERT_EQUAL(cgroup_mode_from_mountinfo(mountinfo_hybrid), CGROUP_HYBRID);
        CU_ASSERT_EQUAL(cgroup_mode_from_mountinfo(mountinfo_v2), CGROUP_V2);
        CU_ASSERT_STRING_EQUAL(cgroup_mode_name(CGROUP_HYBRID), "hybrid");
        CU_ASSERT_STRING_EQUAL(cgroup_mode_name(CGROUP_V2), "v2");
        CU_ASSERT_STRING_EQUAL(cgroup_mode_name(CGROUP_V1), "v1");
}

static void expect_dirs(const char *mountinfo, const char *const *want) {
        char **dirs = NULL;
        CU_ASSERT_EQUAL_FATAL(oci_cgroup_pod_dirs(mountinfo, "abc", &dirs), 0);
        size_t n = 0;
        for (; want[n]; n++) {
                CU_ASSERT_PTR_NOT_NULL_FATAL(dirs[n]);
                CU_ASSERT_STRING_EQUAL(dirs[n], want[n]);
        }
        CU_ASSERT_PTR_NULL(dirs[n]);
        strv_free(dirs);
}

static void test_cgroup_paths(void) {
        char *p = oci_cgroup_pod_path("abc");
        CU_ASSERT_STRING_EQUAL(p, "/podrt/abc");
        free(p);
        p = oci_cgroup_app_path("abc", "web");
        CU_ASSERT_STRING_EQUAL(p, "/podrt/abc/web");
        free(p);

        expect_dirs(mountinfo_v1, (const char *const[]){"/sys/fs/cgroup/cpu,cpuacct/podrt/abc",
                                                         "/sys/fs/cgroup/memory/podrt/abc",
                                                         "/sys/fs/cgroup/pids/podrt/abc", NULL});
        expect_dirs(mountinfo_hybrid, (const char *const[]){"/sys/fs/cgroup/unified/podrt/abc",
                                                             "/sys/fs/cgroup/systemd/podrt/abc",
                                                             "/sys/fs/cgroup/memory/podrt/abc", NULL});
        expect_dirs(mountinfo_v2, (const char *const[]){"/sys/fs/cgroup/podrt/abc", NULL});
        /* No cgroups mounted at all: nothing to remove. */
        expect_dirs("22 1 0:21 / / rw - ext4 /dev/vda rw\n", (const char *const[]){NULL});
}

static void test_cgroup_is_v2(void) {
        /* The one-statfs test of the hot path agrees with mountinfo here. */
        CU_ASSERT_EQUAL(oci_cgroup_is_v2(), cgroup_mode() == CGROUP_V2);
}

static void test_cgroup_remove_absent(void) {
        /* Removing a pod that has no cgroups is fine, and again. */
        struct podrt_error *err = NULL;
        CU_ASSERT_EQUAL(oci_cgroup_remove_pod("00000000000000000000000000000000", &err), 0);
        CU_ASSERT_PTR_NULL(err);
        CU_ASSERT_EQUAL(oci_cgroup_remove_pod("00000000000000000000000000000000", &err), 0);
}

/* ---- /etc files ------------------------------------------------------------ */

static void test_etc_hosts(void) {
        static const char *const db[] = {"db", "db.local", NULL};
        struct oci_host_entry e[] = {{"192.0.2.10", db}};
        char *s = oci_etc_hosts(NULL, false, "hello", e, 1);
        CU_ASSERT_STRING_EQUAL(s, "127.0.0.1\tlocalhost\n"
                                  "::1\tlocalhost ip6-localhost ip6-loopback\n"
                                  "192.0.2.10\tdb db.local\n"
                                  "127.0.1.1\thello\n");
        free(s);

        /* An entry naming the hostname replaces the 127.0.1.1 line. */
        static const char *const me[] = {"hello", NULL};
        struct oci_host_entry e2[] = {{"192.0.2.7", me}};
        s = oci_etc_hosts(NULL, false, "hello", e2, 1);
        CU_ASSERT_STRING_EQUAL(s, "127.0.0.1\tlocalhost\n"
                                  "::1\tlocalhost ip6-localhost ip6-loopback\n"
                                  "192.0.2.7\thello\n");
        free(s);

        /* Host network: the host's file, then the manifest's entries. */
        s = oci_etc_hosts("127.0.0.1 localhost\n10.0.0.1 gw", true, "hello", e, 1);
        CU_ASSERT_STRING_EQUAL(s, "127.0.0.1 localhost\n10.0.0.1 gw\n192.0.2.10\tdb db.local\n");
        free(s);
}

static void test_etc_resolv(void) {
        const char *host = "# generated\n"
                           "nameserver 127.0.0.53\n"
                           "nameserver 10.0.0.2\n"
                           "search corp.example\n"
                           "options edns0 trust-ad\n";
        /* Nothing in the manifest: the host's, minus its loopback server. */
        char *s = oci_etc_resolv(host, false, NULL, NULL, NULL);
        CU_ASSERT_STRING_EQUAL(s, "search corp.example\n"
                                  "nameserver 10.0.0.2\n"
                                  "options edns0 trust-ad\n");
        free(s);
        /* On the host's network the loopback server answers: kept. */
        s = oci_etc_resolv(host, true, NULL, NULL, NULL);
        ASSERT_CONTAINS(s, "nameserver 127.0.0.53\nnameserver 10.0.0.2\n");
        free(s);
        /* The manifest's dns of CONTRACTS.md. */
        static const char *const servers[] = {"192.0.2.53", NULL};
        static const char *const searches[] = {"example.com", NULL};
        static const char *const options[] = {"ndots:2", NULL};
        s = oci_etc_resolv(host, false, servers, searches, options);
        CU_ASSERT_STRING_EQUAL(s, "search example.com\n"
                                  "nameserver 192.0.2.53\n"
                                  "options ndots:2\n");
        free(s);
        /* Servers only: search and options still come from the host. */
        s = oci_etc_resolv(host, false, servers, (const char *const[]){NULL}, NULL);
        CU_ASSERT_STRING_EQUAL(s, "search corp.example\n"
                                  "nameserver 192.0.2.53\n"
                                  "options edns0 trust-ad\n");
        free(s);
        /* No host file and no manifest dns: an empty file. */
        s = oci_etc_resolv(NULL, false, NULL, NULL, NULL);
        CU_ASSERT_STRING_EQUAL(s, "");
        free(s);
}

static void test_etc_hostname_containerenv(void) {
        char *s = oci_etc_hostname("hello");
        CU_ASSERT_STRING_EQUAL(s, "hello\n");
        free(s);
        s = oci_containerenv("podrt-oci", "hello", "0123", "app", "0123-app");
        ASSERT_CONTAINS(s, "engine=\"podrt-oci\"\n");
        ASSERT_CONTAINS(s, "name=\"app\"\n");
        ASSERT_CONTAINS(s, "id=\"0123-app\"\n");
        ASSERT_CONTAINS(s, "pod=\"hello\"\n");
        ASSERT_CONTAINS(s, "rootless=0\n");
        free(s);
}

/* ---- the runtime ------------------------------------------------------------ */

static void test_failure_exit_code(void) {
        /* runc 1.1 */
        CU_ASSERT_EQUAL(oci_failure_exit_code("runc run failed: unable to start container process: exec: \"/bin/nonexist\": stat /bin/nonexist: no such file or directory"), 127);
        CU_ASSERT_EQUAL(oci_failure_exit_code("runc run failed: unable to start container process: exec: \"nonexist\": executable file not found in $PATH"), 127);
        CU_ASSERT_EQUAL(oci_failure_exit_code("runc run failed: unable to start container process: exec: \"/etc/passwd\": permission denied"), 126);
        CU_ASSERT_EQUAL(oci_failure_exit_code("exec failed: unable to start container process: exec: \"/x\": stat /x: no such file or directory"), 127);
        CU_ASSERT_EQUAL(oci_failure_exit_code("runc run failed: invalid rootfs: stat /r: no such file or directory"), 125);
        CU_ASSERT_EQUAL(oci_failure_exit_code("runc run failed: error mounting \"/a\" to rootfs at \"/b\": permission denied"), 125);
        /* crun 1.8 */
        CU_ASSERT_EQUAL(oci_failure_exit_code("executable file `nonexist` not found in $PATH: No such file or directory"), 127);
        CU_ASSERT_EQUAL(oci_failure_exit_code("open executable: Permission denied"), 126);
        CU_ASSERT_EQUAL(oci_failure_exit_code("cgroups in hybrid mode not supported, drop all controllers from cgroupv2"), 125);
}

static char tmpdir[64];

static int tmp_init(void) {
        snprintf(tmpdir, sizeof tmpdir, "/tmp/test-oci-unit.XXXXXX");
        return mkdtemp(tmpdir) ? 0 : -1;
}

static int tmp_clean(void) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf --one-file-system '%s'", tmpdir);
        return system(cmd) == 0 ? 0 : -1;
}

static void write_text(const char *path, const char *text, mode_t mode) {
        FILE *f = fopen(path, "we");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        fputs(text, f);
        fclose(f);
        chmod(path, mode);
}

static void test_log_error(void) {
        char path[128];
        snprintf(path, sizeof path, "%s/runtime.log", tmpdir);
        write_text(path,
                   "{\"level\":\"warning\",\"msg\":\"just a warning\",\"time\":\"t\"}\n"
                   "not json at all\n"
                   "{\"level\":\"error\",\"msg\":\"first\",\"time\":\"t\"}\n"
                   "{\"level\":\"error\",\"msg\":\"runc run failed: the last one\",\"time\":\"t\"}\n"
                   "{\"level\":\"info\",\"msg\":\"after\"}\n", 0600);
        char *msg = oci_runtime_log_error(path);
        CU_ASSERT_STRING_EQUAL(msg, "runc run failed: the last one");
        free(msg);
        write_text(path, "{\"level\":\"warning\",\"msg\":\"w\"}\n", 0600);
        CU_ASSERT_PTR_NULL(oci_runtime_log_error(path));
        unlink(path);
        CU_ASSERT_PTR_NULL(oci_runtime_log_error(path));
}

/* A host log that keeps the last line and its level. */
static char logged[1024];
static int logged_level;
static void test_log(const struct podrt_host *host, int level, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(logged, sizeof logged, fmt, ap);
        va_end(ap);
        logged_level = level;
}

static void with_path(const char *dir) {
        setenv("PATH", dir, 1);
}

static void test_resolve(void) {
        char bin[128], state[128], p[256];
        snprintf(bin, sizeof bin, "%s/bin", tmpdir);
        snprintf(state, sizeof state, "%s/state", tmpdir);
        mkdir(bin, 0755);
        mkdir(state, 0700);
        const char *old_path = getenv("PATH");
        char *saved = old_path ? strdup(old_path) : NULL;
        struct podrt_host host = {.version = PODRT_HOST_VERSION, .size = sizeof host, .log = test_log};
        struct oci_runtime *rt = NULL;
        struct podrt_error *err = NULL;

        /* Neither crun nor runc. */
        with_path(bin);
        CU_ASSERT_EQUAL(oci_runtime_resolve("auto", state, &host, &rt, &err), -ENOENT);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err),
                               "no OCI runtime found: neither crun nor runc is on PATH; install runc (apt-get install runc) or set oci.runtime");
        err = podrt_error_free(err);
        CU_ASSERT_EQUAL(oci_runtime_resolve("runc", state, &host, &rt, &err), -ENOENT);
        ASSERT_CONTAINS(podrt_error_message(err), "oci.runtime: 'runc' not found on PATH");
        err = podrt_error_free(err);
        snprintf(p, sizeof p, "%s/nothere", tmpdir);
        CU_ASSERT_EQUAL(oci_runtime_resolve(p, state, &host, &rt, &err), -ENOENT);
        ASSERT_CONTAINS(podrt_error_message(err), "nothere: No such file or directory");
        err = podrt_error_free(err);
        CU_ASSERT_EQUAL(oci_runtime_resolve("bin/runc", state, &host, &rt, &err), -EINVAL);
        err = podrt_error_free(err);

        /* runc alone: taken, with its --root in the state dir. */
        snprintf(p, sizeof p, "%s/runc", bin);
        write_text(p, "#!/bin/sh\nexit 0\n", 0755);
        CU_ASSERT_EQUAL_FATAL(oci_runtime_resolve("auto", state, &host, &rt, &err), 0);
        CU_ASSERT_STRING_EQUAL(rt->name, "runc");
        CU_ASSERT_STRING_EQUAL(rt->path, p);
        snprintf(p, sizeof p, "%s/oci/runc", state);
        CU_ASSERT_STRING_EQUAL(rt->root, p);
        rt = oci_runtime_free(rt);

        /* A crun that cannot run containers: runc, with one note saying why,
         * a warning the first time, then from the cache. */
        snprintf(p, sizeof p, "%s/crun", bin);
        write_text(p, "#!/bin/sh\necho \"crun: cannot do it here\" >&2\nexit 1\n", 0755);
        logged[0] = '\0';
        CU_ASSERT_EQUAL_FATAL(oci_runtime_resolve("auto", state, &host, &rt, &err), 0);
        CU_ASSERT_STRING_EQUAL(rt->name, "runc");
        CU_ASSERT_STRING_EQUAL(logged, "crun cannot run containers here (crun: cannot do it here); using runc");
        CU_ASSERT_EQUAL(logged_level, PODRT_LOG_WARNING);
        rt = oci_runtime_free(rt);
        logged[0] = '\0';
        CU_ASSERT_EQUAL_FATAL(oci_runtime_resolve("auto", state, &host, &rt, &err), 0);
        CU_ASSERT_STRING_EQUAL(logged, "crun cannot run containers here (crun: cannot do it here); using runc");
        CU_ASSERT_EQUAL(logged_level, PODRT_LOG_INFO);
        rt = oci_runtime_free(rt);
        /* The probe left only its cache. */
        snprintf(p, sizeof p, "%s/oci", state);
        DIR *d = opendir(p);
        CU_ASSERT_PTR_NOT_NULL_FATAL(d);
        int others = 0, cache = 0;
        for (struct dirent *de; (de = readdir(d));) {
                if (strcmp(de->d_name, "probe-crun") == 0)
                        cache++;
                else if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
                        fprintf(stderr, "left by the probe: %s\n", de->d_name);
                        others++;
                }
        }
        closedir(d);
        CU_ASSERT_EQUAL(cache, 1);
        CU_ASSERT_EQUAL(others, 0);

        /* A crun that works (changed binary: the cache does not apply). */
        snprintf(p, sizeof p, "%s/crun", bin);
        unlink(p);
        write_text(p, "#!/bin/sh\n# a crun that runs anything\nexit 0\n", 0755);
        CU_ASSERT_EQUAL_FATAL(oci_runtime_resolve("auto", state, &host, &rt, &err), 0);
        CU_ASSERT_STRING_EQUAL(rt->name, "crun");
        rt = oci_runtime_free(rt);

        /* Asked for by name, crun is taken as it is. */
        CU_ASSERT_EQUAL_FATAL(oci_runtime_resolve("crun", state, NULL, &rt, &err), 0);
        CU_ASSERT_STRING_EQUAL(rt->name, "crun");
        rt = oci_runtime_free(rt);

        /* Only a failing crun: the reason, and what to do. */
        snprintf(p, sizeof p, "%s/runc", bin);
        unlink(p);
        snprintf(p, sizeof p, "%s/crun", bin);
        unlink(p);
        write_text(p, "#!/bin/sh\necho \"no cgroups\" >&2\nexit 1\n", 0755);
        CU_ASSERT_EQUAL(oci_runtime_resolve("auto", state, &host, &rt, &err), -ENOENT);
        CU_ASSERT_STRING_EQUAL(podrt_error_message(err),
                               "crun cannot run containers here (no cgroups) and runc is not installed: install runc (apt-get install runc) or set oci.runtime");
        err = podrt_error_free(err);

        if (saved) {
                setenv("PATH", saved, 1);
                free(saved);
        }
}

static void test_container_pid(void) {
        char root[128], dir[192], p[256], text[256];
        snprintf(root, sizeof root, "%s/root", tmpdir);
        snprintf(dir, sizeof dir, "%s/c1", root);
        mkdir(root, 0700);
        mkdir(dir, 0700);
        struct oci_runtime *rt = NULL;
        CU_ASSERT_EQUAL_FATAL(oci_runtime_new("runc", "/bin/false", root, &rt), 0);

        /* runc's state.json: our own pid and start time. */
        char stat_path[64], *stat = NULL;
        snprintf(stat_path, sizeof stat_path, "/proc/%d/stat", (int)getpid());
        FILE *f = fopen(stat_path, "re");
        CU_ASSERT_PTR_NOT_NULL_FATAL(f);
        size_t n = 0;
        CU_ASSERT_FATAL(getline(&stat, &n, f) > 0);
        fclose(f);
        const char *s = strrchr(stat, ')') + 2;
        for (int field = 3; field < 22; field++)
                s = strchr(s, ' ') + 1;
        unsigned long long start = strtoull(s, NULL, 10);
        free(stat);

        snprintf(p, sizeof p, "%s/state.json", dir);
        snprintf(text, sizeof text, "{\"id\":\"c1\",\"init_process_pid\":%d,\"init_process_start\":%llu}",
                 (int)getpid(), start);
        write_text(p, text, 0600);
        CU_ASSERT_EQUAL(oci_runtime_container_pid(rt, "c1"), getpid());
        /* Another start time: the pid was reused, not the container's. */
        snprintf(text, sizeof text, "{\"init_process_pid\":%d,\"init_process_start\":%llu}",
                 (int)getpid(), start + 1);
        write_text(p, text, 0600);
        CU_ASSERT_EQUAL(oci_runtime_container_pid(rt, "c1"), 0);
        /* Created, not started: no pid yet. */
        snprintf(text, sizeof text, "{\"init_process_pid\":%d,\"init_process_start\":%llu}",
                 (int)getpid(), start);
        write_text(p, text, 0600);
        snprintf(p, sizeof p, "%s/exec.fifo", dir);
        write_text(p, "", 0600);
        CU_ASSERT_EQUAL(oci_runtime_container_pid(rt, "c1"), 0);
        unlink(p);
        CU_ASSERT_EQUAL(oci_runtime_has(rt, "c1"), 1);
        CU_ASSERT_EQUAL(oci_runtime_has(rt, "c2"), 0);

        /* crun's status file. */
        snprintf(dir, sizeof dir, "%s/c2", root);
        mkdir(dir, 0700);
        snprintf(p, sizeof p, "%s/status", dir);
        snprintf(text, sizeof text, "{\"pid\":%d,\"rootfs\":\"/r\"}", (int)getpid());
        write_text(p, text, 0600);
        CU_ASSERT_EQUAL(oci_runtime_container_pid(rt, "c2"), getpid());
        oci_runtime_free(rt);
}

static void test_nofile_limit(void) {
        uint64_t n = oci_nofile_limit();
        CU_ASSERT(n > 0 && n <= 1048576);
}

void register_tests(void) {
        CU_pSuite s = add_suite("oci-spec", NULL, NULL);
        ADD_TEST(s, test_spec_golden_full);
        ADD_TEST(s, test_spec_golden_minimal);
        ADD_TEST(s, test_spec_process);
        ADD_TEST(s, test_spec_capabilities);
        ADD_TEST(s, test_spec_unknown_capability);
        ADD_TEST(s, test_spec_resources);
        ADD_TEST(s, test_spec_namespaces);
        ADD_TEST(s, test_spec_mounts);
        ADD_TEST(s, test_spec_annotations);
        s = add_suite("oci-cgroup", NULL, NULL);
        ADD_TEST(s, test_cgroup_modes);
        ADD_TEST(s, test_cgroup_paths);
        ADD_TEST(s, test_cgroup_is_v2);
        ADD_TEST(s, test_cgroup_remove_absent);
        s = add_suite("oci-runtime", tmp_init, tmp_clean);
        ADD_TEST(s, test_failure_exit_code);
        ADD_TEST(s, test_log_error);
        ADD_TEST(s, test_resolve);
        ADD_TEST(s, test_container_pid);
        ADD_TEST(s, test_nofile_limit);
        s = add_suite("oci-etcfiles", NULL, NULL);
        ADD_TEST(s, test_etc_hosts);
        ADD_TEST(s, test_etc_resolv);
        ADD_TEST(s, test_etc_hostname_containerenv);
}
