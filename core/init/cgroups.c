/* SPDX-License-Identifier: Apache-2.0 */
/* Limits inside a VM.  On the host, a backend puts each app in a cgroup with
 * its limits; inside the kvm backend's VM, podrt-init is the only one who
 * can: it mounts cgroup2 (the guest kernel's only hierarchy), enables the
 * controllers for its children, and gives each app with a limit a cgroup of
 * its own: memory.max (with memory.swap.max 0 and memory.oom.group 1, so
 * that an app over its limit is killed whole, exit 137, and the guest and the
 * other apps are not), cpu.max (quota per 100 ms period) and pids.max.  An
 * app's process and its execs join that cgroup before they enter the app's
 * root. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups.h"
#include "macro.h"

#define CGROUP_ROOT "/sys/fs/cgroup"
#define CPU_PERIOD_US 100000ull

static bool enabled;

static int put(const char *dir, const char *file, const char *value) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, value, strlen(value));
        int r = n == (ssize_t)strlen(value) ? 0 : -errno;
        close(fd);
        return r;
}

static void app_dir(const struct initspec_app *app, char *out, size_t size) {
        snprintf(out, size, CGROUP_ROOT "/app-%s", app->name);
}

/* cgroup2 at /sys/fs/cgroup, the controllers enabled for init's children:
 * false when it cannot be (said on stderr). */
static bool cgroups_mount(void) {
        if (enabled)
                return true;
        mkdir(CGROUP_ROOT, 0755);
        if (mount("cgroup2", CGROUP_ROOT, "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0 && errno != EBUSY) {
                fprintf(stderr, "podrt-init: cgroup2 on " CGROUP_ROOT ": %s: the apps' limits are not enforced\n",
                        strerror(errno));
                return false;
        }
        /* One by one: a kernel without one of them still gets the others. */
        static const char *const controllers[] = { "+memory", "+cpu", "+pids" };
        for (size_t i = 0; i < ELEMENTSOF(controllers); i++) {
                int r = put(CGROUP_ROOT, "cgroup.subtree_control", controllers[i]);
                if (r < 0)
                        fprintf(stderr, "podrt-init: cgroup controller %s: %s\n", controllers[i] + 1, strerror(-r));
        }
        return enabled = true;
}

/* One limit of the app's cgroup dir: value, or "max" (none) for NULL when
 * every limit is written (an update); *first keeps the first error. */
static void put_limit(const struct initspec_app *a, const char *dir, const char *file, const char *value,
                      bool every, int *first) {
        if (!value && !every)
                return;
        int r = put(dir, file, value ? value : "max");
        if (r < 0) {
                fprintf(stderr, "podrt-init: app %s: %s %s: %s\n", a->name, file, value ? value : "max", strerror(-r));
                if (!*first)
                        *first = r;
        }
}

/* The app's cgroup with its limits (memory_max, cpu_millis, pids_max; 0 is
 * none, written as "max" only when every is true): the first error, said
 * on stderr. */
static int app_limits(const struct initspec_app *a, bool every) {
        char dir[256], mem[32], cpu[64], pids[32];
        app_dir(a, dir, sizeof(dir));
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                fprintf(stderr, "podrt-init: app %s: cgroup %s: %s\n", a->name, dir, strerror(errno));
                return -errno;
        }
        snprintf(mem, sizeof(mem), "%llu", (unsigned long long)a->memory_max);
        snprintf(cpu, sizeof(cpu), "%llu %llu", (unsigned long long)(a->cpu_millis * CPU_PERIOD_US / 1000), CPU_PERIOD_US);
        snprintf(pids, sizeof(pids), "%llu", (unsigned long long)a->pids_max);
        int first = 0;
        put_limit(a, dir, "memory.max", a->memory_max ? mem : NULL, every, &first);
        if (a->memory_max) {
                (void)put(dir, "memory.swap.max", "0");
                (void)put(dir, "memory.oom.group", "1");
        }
        put_limit(a, dir, "cpu.max", a->cpu_millis ? cpu : NULL, every, &first);
        put_limit(a, dir, "pids.max", a->pids_max ? pids : NULL, every, &first);
        return first;
}

void cgroups_setup(const struct initspec *s) {
        bool any = false;
        for (size_t i = 0; i < s->n_apps; i++)
                any = any || s->apps[i].memory_max || s->apps[i].cpu_millis || s->apps[i].pids_max;
        if (!any || !cgroups_mount())
                return;
        for (size_t i = 0; i < s->n_apps; i++) {
                const struct initspec_app *a = &s->apps[i];
                if (a->memory_max || a->cpu_millis || a->pids_max)
                        (void)app_limits(a, false);
        }
}

void cgroups_setup_app(const struct initspec_app *a) {
        if ((a->memory_max || a->cpu_millis || a->pids_max) && cgroups_mount())
                (void)app_limits(a, false);
}

static uint64_t updated(uint64_t old, int64_t v) {
        return v == 0 ? old : v < 0 ? 0 : (uint64_t)v;
}

int cgroups_update(struct initspec_app *app, int64_t memory, int64_t cpu_millis, int64_t pids) {
        if (!cgroups_mount())
                return -EOPNOTSUPP;
        app->memory_max = updated(app->memory_max, memory);
        app->cpu_millis = updated(app->cpu_millis, cpu_millis);
        app->pids_max = updated(app->pids_max, pids);
        int r = app_limits(app, true);
        if (r < 0)
                return r;
        /* An app started without limits is not in a cgroup of its own yet:
         * its process moves there (what it started before stays behind). */
        char text[32] = "", dir[256];
        int fd = app->pid_path ? open(app->pid_path, O_RDONLY | O_CLOEXEC) : -1;
        if (fd >= 0) {
                ssize_t n = read(fd, text, sizeof(text) - 1);
                text[n > 0 ? n : 0] = '\0';
                close(fd);
        }
        text[strcspn(text, "\n")] = '\0';
        app_dir(app, dir, sizeof(dir));
        if (*text && (r = put(dir, "cgroup.procs", text)) < 0 && r != -ESRCH)
                return r;
        return 0;
}

void cgroups_join(const struct initspec_app *app) {
        if (!enabled || (!app->memory_max && !app->cpu_millis && !app->pids_max))
                return;
        char dir[256];
        app_dir(app, dir, sizeof(dir));
        int r = put(dir, "cgroup.procs", "0");
        if (r < 0)
                fprintf(stderr, "podrt-init: app %s: join %s: %s\n", app->name, dir, strerror(-r));
}
