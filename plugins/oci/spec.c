/* SPDX-License-Identifier: Apache-2.0 */
/* config.json generation (OCI runtime-spec 1.0.2), a pure function. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "macro.h"
#include "spec.h"

/* Capability names by number (linux/capability.h). */
static const char *const cap_names[] = {
        "CAP_CHOWN",            "CAP_DAC_OVERRIDE",   "CAP_DAC_READ_SEARCH",
        "CAP_FOWNER",           "CAP_FSETID",         "CAP_KILL",
        "CAP_SETGID",           "CAP_SETUID",         "CAP_SETPCAP",
        "CAP_LINUX_IMMUTABLE",  "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",        "CAP_NET_RAW",        "CAP_IPC_LOCK",
        "CAP_IPC_OWNER",        "CAP_SYS_MODULE",     "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT",       "CAP_SYS_PTRACE",     "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN",        "CAP_SYS_BOOT",       "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",     "CAP_SYS_TIME",       "CAP_SYS_TTY_CONFIG",
        "CAP_MKNOD",            "CAP_LEASE",          "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL",    "CAP_SETFCAP",        "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN",        "CAP_SYSLOG",         "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",    "CAP_AUDIT_READ",     "CAP_PERFMON",
        "CAP_BPF",              "CAP_CHECKPOINT_RESTORE",
};

/* Docker's and podman's historical default set: what most images expect,
 * without the capabilities that reach beyond the container. */
const char *const oci_default_caps[] = {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",
        "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE", "CAP_SETFCAP", NULL,
};

#define CAP_ALL_MASK ((UINT64_C(1) << ELEMENTSOF(cap_names)) - 1)

/* The number of a capability name ("CAP_NET_RAW", "net_raw"), -1 for "ALL",
 * -2 when unknown. */
static int cap_number(const char *name) {
        if (strcasecmp(name, "ALL") == 0 || strcasecmp(name, "CAP_ALL") == 0)
                return -1;
        for (size_t i = 0; i < ELEMENTSOF(cap_names); i++)
                if (strcasecmp(name, cap_names[i]) == 0 || strcasecmp(name, cap_names[i] + 4) == 0)
                        return (int)i;
        return -2;
}

static int caps_mask(const char *where, const char *const *names, const char *what,
                     uint64_t *ret_mask, bool *ret_all, struct podrt_error **err) {
        uint64_t mask = 0;
        bool all = false;
        for (size_t i = 0; names && names[i]; i++) {
                int n = cap_number(names[i]);
                if (n == -2)
                        return podrt_error_set(err, EINVAL,
                                               "%s%scapabilities.%s[%zu]: unknown capability '%s'",
                                               where ? where : "", where ? "." : "", what, i,
                                               names[i]);
                if (n == -1)
                        all = true;
                else
                        mask |= UINT64_C(1) << n;
        }
        *ret_mask = mask;
        *ret_all = all;
        return 0;
}

static int caps_resolve_mask(const char *where, const char *const *add,
                             const char *const *drop, uint64_t *ret, struct podrt_error **err) {
        uint64_t add_mask, drop_mask, set = 0;
        bool add_all, drop_all;
        int r;

        r = caps_mask(where, add, "add", &add_mask, &add_all, err);
        if (r < 0)
                return r;
        r = caps_mask(where, drop, "drop", &drop_mask, &drop_all, err);
        if (r < 0)
                return r;

        if (drop_all) {
                /* drop ALL: only what is added explicitly. */
                set = add_all ? CAP_ALL_MASK : add_mask;
        } else {
                if (add_all)
                        set = CAP_ALL_MASK;
                else
                        for (size_t i = 0; oci_default_caps[i]; i++)
                                set |= UINT64_C(1) << cap_number(oci_default_caps[i]);
                set |= add_mask;
                set &= ~drop_mask; /* a capability both added and dropped is dropped */
        }
        *ret = set;
        return 0;
}

int oci_caps_resolve(const char *where, const char *const *add, const char *const *drop,
                     const char ***ret, struct podrt_error **err) {
        uint64_t set;
        int r = caps_resolve_mask(where, add, drop, &set, err);
        if (r < 0)
                return r;
        const char **v = calloc(ELEMENTSOF(cap_names) + 1, sizeof(char *));
        if (!v)
                return podrt_error_set(err, ENOMEM, "out of memory");
        size_t n = 0;
        for (size_t i = 0; i < ELEMENTSOF(cap_names); i++)
                if (set & (UINT64_C(1) << i))
                        v[n++] = cap_names[i];
        *ret = v;
        return 0;
}

/* ---- small json-c helpers ------------------------------------------------ */

static struct json_object *jstr(const char *s) { return json_object_new_string(s ? s : ""); }

static struct json_object *jstrv(const char *const *v) {
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, jstr(v[i]));
        return a;
}

static struct json_object *jstrs(const char *first, ...) __attribute__((sentinel));
static struct json_object *jstrs(const char *first, ...) {
        struct json_object *a = json_object_new_array();
        va_list ap;
        va_start(ap, first);
        for (const char *s = first; s; s = va_arg(ap, const char *))
                json_object_array_add(a, jstr(s));
        va_end(ap);
        return a;
}

static void add(struct json_object *o, const char *key, struct json_object *v) {
        json_object_object_add(o, key, v);
}

static struct json_object *mount(const char *dest, const char *type, const char *source,
                                 struct json_object *options) {
        struct json_object *m = json_object_new_object();
        add(m, "destination", jstr(dest));
        add(m, "type", jstr(type));
        add(m, "source", jstr(source));
        if (options)
                add(m, "options", options);
        return m;
}

static struct json_object *ns(const char *type, const char *path) {
        struct json_object *n = json_object_new_object();
        add(n, "type", jstr(type));
        if (path)
                add(n, "path", jstr(path));
        return n;
}

/* ---- the parts ------------------------------------------------------------ */

static int build_process(const struct oci_container *c, const char *const *args, bool terminal,
                         struct json_object **ret, struct podrt_error **err) {
        _cleanup_free_ const char **caps = NULL;
        int r = oci_caps_resolve(c->where, c->caps_add, c->caps_drop, &caps, err);
        if (r < 0)
                return r;

        struct json_object *p = json_object_new_object();
        add(p, "terminal", json_object_new_boolean(terminal));

        struct json_object *user = json_object_new_object();
        add(user, "uid", json_object_new_int64(c->uid));
        add(user, "gid", json_object_new_int64(c->gid));
        if (c->n_groups > 0) {
                struct json_object *g = json_object_new_array();
                for (size_t i = 0; i < c->n_groups; i++)
                        json_object_array_add(g, json_object_new_int64(c->groups[i]));
                add(user, "additionalGids", g);
        }
        add(p, "user", user);
        add(p, "args", jstrv(args));
        add(p, "env", jstrv(c->env));
        add(p, "cwd", jstr(c->cwd && c->cwd[0] ? c->cwd : "/"));

        /* Root gets the set in bounding, effective and permitted; another
         * user only in bounding (what it may regain through file
         * capabilities), as Docker and podman do. */
        struct json_object *capo = json_object_new_object();
        add(capo, "bounding", jstrv(caps));
        add(capo, "effective", c->uid == 0 ? jstrv(caps) : json_object_new_array());
        add(capo, "permitted", c->uid == 0 ? jstrv(caps) : json_object_new_array());
        add(p, "capabilities", capo);

        uint64_t nofile = c->nofile ? c->nofile : 1048576;
        struct json_object *rl = json_object_new_object();
        add(rl, "type", jstr("RLIMIT_NOFILE"));
        add(rl, "hard", json_object_new_uint64(nofile));
        add(rl, "soft", json_object_new_uint64(nofile));
        struct json_object *rls = json_object_new_array();
        json_object_array_add(rls, rl);
        add(p, "rlimits", rls);
        add(p, "noNewPrivileges", json_object_new_boolean(true));

        *ret = p;
        return 0;
}

static struct json_object *build_mounts(const struct oci_container *c) {
        struct json_object *a = json_object_new_array();

        /* runc's defaults (`runc spec`). */
        json_object_array_add(a, mount("/proc", "proc", "proc", NULL));
        json_object_array_add(a, mount("/dev", "tmpfs", "tmpfs",
                jstrs("nosuid", "strictatime", "mode=755", "size=65536k", NULL)));
        json_object_array_add(a, mount("/dev/pts", "devpts", "devpts",
                jstrs("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL)));
        json_object_array_add(a, mount("/dev/shm", "tmpfs", "shm",
                jstrs("nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL)));
        json_object_array_add(a, mount("/dev/mqueue", "mqueue", "mqueue",
                jstrs("nosuid", "noexec", "nodev", NULL)));
        json_object_array_add(a, mount("/sys", "sysfs", "sysfs",
                jstrs("nosuid", "noexec", "nodev", "ro", NULL)));
        json_object_array_add(a, mount("/sys/fs/cgroup", "cgroup", "cgroup",
                jstrs("nosuid", "noexec", "nodev", "relatime", "ro", NULL)));

        for (size_t i = 0; i < c->n_binds; i++) {
                const struct oci_bind *b = &c->binds[i];
                struct json_object *o = b->file ? jstrs("bind", "nosuid", "noexec", "nodev", NULL)
                                                : jstrs("rbind", NULL);
                if (b->read_only)
                        json_object_array_add(o, jstr("ro"));
                json_object_array_add(a, mount(b->destination, "bind", b->source, o));
        }
        return a;
}

static struct json_object *build_linux(const struct oci_container *c) {
        struct json_object *l = json_object_new_object();

        struct json_object *res = json_object_new_object();
        struct json_object *dev = json_object_new_object();
        add(dev, "allow", json_object_new_boolean(false));
        add(dev, "access", jstr("rwm"));
        struct json_object *devs = json_object_new_array();
        json_object_array_add(devs, dev);
        add(res, "devices", devs);
        if (c->memory > 0) {
                struct json_object *m = json_object_new_object();
                add(m, "limit", json_object_new_int64(c->memory));
                add(res, "memory", m);
        }
        if (c->cpu_millis > 0) {
                struct json_object *cpu = json_object_new_object();
                add(cpu, "quota", json_object_new_int64(c->cpu_millis * OCI_CPU_PERIOD / 1000));
                add(cpu, "period", json_object_new_uint64(OCI_CPU_PERIOD));
                add(res, "cpu", cpu);
        }
        if (c->pids > 0) {
                struct json_object *p = json_object_new_object();
                add(p, "limit", json_object_new_int64(c->pids));
                add(res, "pids", p);
        }
        add(l, "resources", res);
        if (c->cgroups_path)
                add(l, "cgroupsPath", jstr(c->cgroups_path));

        struct json_object *nss = json_object_new_array();
        json_object_array_add(nss, ns("pid", NULL));
        if (!c->host_network)
                json_object_array_add(nss, ns("network", c->netns_path));
        json_object_array_add(nss, ns("ipc", c->ipc_path));
        json_object_array_add(nss, ns("uts", c->uts_path));
        json_object_array_add(nss, ns("mount", NULL));
        if (c->cgroup_ns)
                json_object_array_add(nss, ns("cgroup", NULL));
        add(l, "namespaces", nss);

        /* runc's defaults. */
        add(l, "maskedPaths", jstrs("/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                    "/proc/sched_debug", "/sys/firmware", "/proc/scsi", NULL));
        add(l, "readonlyPaths", jstrs("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                      "/proc/sysrq-trigger", NULL));
        return l;
}

int oci_spec_process(const struct oci_container *c, const char *const *args, bool terminal,
                     struct json_object **ret, struct podrt_error **err) {
        return build_process(c, args, terminal, ret, err);
}

int oci_spec_build(const struct oci_container *c, struct json_object **ret,
                   struct podrt_error **err) {
        struct json_object *process = NULL;
        int r = build_process(c, c->args, false, &process, err);
        if (r < 0)
                return r;

        struct json_object *s = json_object_new_object();
        add(s, "ociVersion", jstr("1.0.2"));
        add(s, "process", process);

        struct json_object *root = json_object_new_object();
        add(root, "path", jstr(c->rootfs));
        add(root, "readonly", json_object_new_boolean(c->read_only_rootfs));
        add(s, "root", root);
        add(s, "hostname", jstr(c->hostname));
        add(s, "mounts", build_mounts(c));

        struct json_object *an = json_object_new_object();
        if (c->pod_id)
                add(an, "io.podrt.pod.id", jstr(c->pod_id));
        if (c->pod_name)
                add(an, "io.podrt.pod.name", jstr(c->pod_name));
        if (c->name)
                add(an, "io.podrt.container.name", jstr(c->name));
        if (c->runtime_path)
                add(an, "io.podrt.oci.runtime", jstr(c->runtime_path));
        if (c->runtime_root)
                add(an, "io.podrt.oci.root", jstr(c->runtime_root));
        for (size_t i = 0; i < c->n_annotations; i++)
                add(an, c->annotation_keys[i], jstr(c->annotation_values[i]));
        add(s, "annotations", an);

        add(s, "linux", build_linux(c));
        *ret = s;
        return 0;
}
