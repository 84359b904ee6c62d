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

/* cgroup2 mounted, the controllers enabled for the apps' cgroups: once. */
static bool enable(void) {
        static bool tried;
        if (tried)
                return enabled;
        tried = true;
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
        enabled = true;
        return true;
}

void cgroups_setup_app(const struct initspec_app *a) {
        if (!a->memory_max && !a->cpu_millis && !a->pids_max)
                return;
        if (!enable())
                return;
        char dir[256], v[64];
        app_dir(a, dir, sizeof(dir));
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                fprintf(stderr, "podrt-init: app %s: cgroup %s: %s\n", a->name, dir, strerror(errno));
                return;
        }
        int r = 0;
        if (a->memory_max) {
                snprintf(v, sizeof(v), "%llu", (unsigned long long)a->memory_max);
                if ((r = put(dir, "memory.max", v)) < 0)
                        fprintf(stderr, "podrt-init: app %s: memory.max %s: %s\n", a->name, v, strerror(-r));
                (void)put(dir, "memory.swap.max", "0");
                (void)put(dir, "memory.oom.group", "1");
        }
        if (a->cpu_millis) {
                snprintf(v, sizeof(v), "%llu %llu", (unsigned long long)(a->cpu_millis * CPU_PERIOD_US / 1000),
                         CPU_PERIOD_US);
                if ((r = put(dir, "cpu.max", v)) < 0)
                        fprintf(stderr, "podrt-init: app %s: cpu.max %s: %s\n", a->name, v, strerror(-r));
        }
        if (a->pids_max) {
                snprintf(v, sizeof(v), "%llu", (unsigned long long)a->pids_max);
                if ((r = put(dir, "pids.max", v)) < 0)
                        fprintf(stderr, "podrt-init: app %s: pids.max %s: %s\n", a->name, v, strerror(-r));
        }
}

void cgroups_setup(const struct initspec *s) {
        for (size_t i = 0; i < s->n_apps; i++)
                cgroups_setup_app(&s->apps[i]);
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
