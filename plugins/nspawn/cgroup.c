/* SPDX-License-Identifier: Apache-2.0 */
/* The cgroups of a pod under nspawn (see cgroup.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "errors.h"
#include "fileio.h"
#include "mountinfo.h"
#include "podroot.h"
#include "strv.h"

#define CG_PARENT "podrt"

void nspawn_cgroups_done(struct nspawn_cgroups *cg) {
        cg->kinds = strv_free(cg->kinds);
        cg->dirs = strv_free(cg->dirs);
        cg->v2 = false;
}

static void sleep_ms(long ms) {
        nanosleep(&(struct timespec){ .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 }, NULL);
}

/* 1 when the comma-separated list has item. */
static int list_has(const char *list, const char *item) {
        size_t n = strlen(item);
        for (const char *p = list; p && *p;) {
                const char *e = strchr(p, ',');
                size_t len = e ? (size_t)(e - p) : strlen(p);
                if (len == n && strncmp(p, item, n) == 0)
                        return 1;
                p = e ? e + 1 : NULL;
        }
        return 0;
}

/* The kind of a v1 hierarchy from its super options, or NULL when podrt
 * does not use it. */
static const char *v1_kind(const char *opts) {
        static const char *const kinds[][2] = {
                { "freezer", NSPAWN_CG_FREEZER }, { "memory", NSPAWN_CG_MEMORY },
                { "cpu", NSPAWN_CG_CPU },         { "pids", NSPAWN_CG_PIDS },
                { "name=systemd", NSPAWN_CG_SYSTEMD },
        };
        for (size_t i = 0; i < ELEMENTSOF(kinds); i++)
                if (list_has(opts, kinds[i][0]))
                        return kinds[i][1];
        return NULL;
}

/* This process's path in the v1 hierarchy whose controllers include one of
 * opts' (or in the cgroup2 one when opts is NULL), from /proc/self/cgroup. */
static char *own_path(const char *self_cgroup, const char *opts) {
        _cleanup_free_ char *copy = strdup(self_cgroup);
        if (!copy)
                return NULL;
        char *save = NULL;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2)
                        continue;
                *c2 = '\0';
                const char *ctrls = c1 + 1, *path = c2 + 1;
                if (!opts ? *ctrls == '\0' : *ctrls != '\0' && v1_kind(ctrls) && v1_kind(ctrls) == v1_kind(opts))
                        return strdup(path);
        }
        return strdup("/");
}

static int plan_add(struct nspawn_cgroups *cg, const char *kind, const char *mnt, const char *self_cgroup,
                    const char *opts, const char *pod_id) {
        if (strv_contains(cg->kinds, kind))
                return 0;
        _cleanup_free_ char *own = own_path(self_cgroup, opts);
        if (!own)
                return -ENOMEM;
        char *dir = NULL;
        if (asprintf(&dir, "%s%s/" CG_PARENT "/%s", mnt, strcmp(own, "/") == 0 ? "" : own, pod_id) < 0)
                return -ENOMEM;
        if (strv_push(&cg->kinds, kind) < 0 || strv_consume(&cg->dirs, dir) < 0) {
                free(dir);
                return -ENOMEM;
        }
        return 0;
}

struct plan_scan {
        struct nspawn_cgroups *cg;
        const char *self_cgroup, *pod_id;
        char *v2_mnt;
        bool any_v1;
};

static int plan_fn(const char *mnt, const char *fstype, const char *super, void *u) {
        struct plan_scan *p = u;
        if (!*super)
                return 0;
        if (strcmp(fstype, "cgroup2") == 0) {
                if (!p->v2_mnt && !(p->v2_mnt = strdup(mnt)))
                        return -ENOMEM;
        } else if (strcmp(fstype, "cgroup") == 0) {
                const char *kind = v1_kind(super);
                if (kind) {
                        p->any_v1 = p->any_v1 || strcmp(kind, NSPAWN_CG_SYSTEMD) != 0;
                        return plan_add(p->cg, kind, mnt, p->self_cgroup, super, p->pod_id);
                }
        }
        return 0;
}

int nspawn_cgroups_plan_from(const char *mountinfo, const char *self_cgroup, const char *pod_id,
                             struct nspawn_cgroups *ret) {
        struct nspawn_cgroups cg = { .kinds = calloc(1, sizeof(char *)), .dirs = calloc(1, sizeof(char *)) };
        if (!cg.kinds || !cg.dirs) {
                nspawn_cgroups_done(&cg);
                return -ENOMEM;
        }
        struct plan_scan p = { .cg = &cg, .self_cgroup = self_cgroup, .pod_id = pod_id };
        int r = mountinfo_each(mountinfo, plan_fn, &p);
        _cleanup_free_ char *v2_mnt = p.v2_mnt;
        if (r >= 0 && v2_mnt)
                r = plan_add(&cg, NSPAWN_CG_UNIFIED, v2_mnt, self_cgroup, NULL, pod_id);
        if (r < 0) {
                nspawn_cgroups_done(&cg);
                return r;
        }
        cg.v2 = v2_mnt && !p.any_v1;
        *ret = cg;
        return 0;
}

static const char *dir_of(const struct nspawn_cgroups *cg, const char *kind) {
        for (size_t i = 0; cg->kinds && cg->kinds[i]; i++)
                if (strcmp(cg->kinds[i], kind) == 0)
                        return cg->dirs[i];
        return NULL;
}

static char *record_path(struct podrt_pod *pod) {
        return nspawn_pod_path(pod, "nspawn/cgroups");
}

static int record(struct podrt_pod *pod, const struct nspawn_cgroups *cg) {
        _cleanup_free_ char *path = record_path(pod);
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!path || !f)
                return -ENOMEM;
        fprintf(f, "%s\n", cg->v2 ? "v2" : "v1");
        for (size_t i = 0; cg->kinds[i]; i++)
                fprintf(f, "%s %s\n", cg->kinds[i], cg->dirs[i]);
        if (fclose(f) != 0) {
                free(text);
                return -ENOMEM;
        }
        int r = write_file_atomic(path, text, strlen(text), 0600, 0);
        free(text);
        return r;
}

int nspawn_cgroups_load(struct podrt_pod *pod, struct nspawn_cgroups *ret) {
        _cleanup_free_ char *path = record_path(pod), *text = NULL;
        if (!path)
                return -ENOMEM;
        int r = read_file(path, 0, &text, NULL);
        if (r < 0)
                return r;
        struct nspawn_cgroups cg = { .kinds = calloc(1, sizeof(char *)), .dirs = calloc(1, sizeof(char *)) };
        if (!cg.kinds || !cg.dirs) {
                nspawn_cgroups_done(&cg);
                return -ENOMEM;
        }
        char *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *sp = strchr(line, ' ');
                if (!sp) {
                        cg.v2 = strcmp(line, "v2") == 0;
                        continue;
                }
                *sp = '\0';
                if (strv_push(&cg.kinds, line) < 0 || strv_push(&cg.dirs, sp + 1) < 0) {
                        nspawn_cgroups_done(&cg);
                        return -ENOMEM;
                }
        }
        *ret = cg;
        return 0;
}

/* mkdir -p, returning in *made the first directory created (NULL: none). */
static int mkdir_parents_made(const char *dir, char **made) {
        _cleanup_free_ char *p = strdup(dir);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1;; s++) {
                if (*s != '/' && *s != '\0')
                        continue;
                char c = *s;
                *s = '\0';
                if (mkdir(p, 0755) == 0) {
                        if (!*made && !(*made = strdup(p)))
                                return -ENOMEM;
                } else if (errno != EEXIST)
                        return -errno;
                *s = c;
                if (!c)
                        return 0;
        }
}

static int write_limit(const char *dir, const char *file, const char *value, struct podrt_error **err) {
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", dir, file) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = write_string_file(p, value);
        return r < 0 ? podrt_error_set(err, r, "cgroup %s: writing %s: %s", p, value, strerror(-r)) : 0;
}

/* cgroup v2: the controllers must be enabled in every parent. */
static int v2_enable(const char *dir, struct podrt_error **err) {
        _cleanup_free_ char *p = strdup(dir);
        if (!p)
                return podrt_error_set(err, ENOMEM, "out of memory");
        char *slash = strrchr(p, '/');
        if (!slash || slash == p)
                return 0;
        *slash = '\0';
        _cleanup_free_ char *ctl = NULL;
        if (asprintf(&ctl, "%s/cgroup.subtree_control", p) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if (access(ctl, F_OK) < 0)
                return 0;
        int r = v2_enable(p, err);
        if (r < 0)
                return r;
        r = write_string_file(ctl, "+memory +cpu +pids");
        return r < 0 ? podrt_error_set(err, r, "cgroup %s: enabling memory, cpu, pids: %s", ctl, strerror(-r)) : 0;
}

/* A limit's value: n (times scale), or none for a negative one. */
static const char *limit(char *v, size_t size, int64_t n, int64_t scale, const char *none, const char *suffix) {
        if (n < 0)
                snprintf(v, size, "%s%s", none, suffix);
        else
                snprintf(v, size, "%" PRId64 "%s", n * scale, suffix);
        return v;
}

/* 0 leaves a limit alone, -1 removes it. */
static int write_limits(const struct nspawn_cgroups *cg, int64_t memory, int64_t cpu, int64_t pids,
                        struct podrt_error **err) {
        char v[64];
        int r = 0;
        if (cg->v2) {
                const char *d = dir_of(cg, NSPAWN_CG_UNIFIED);
                if (!d || (!memory && !cpu && !pids))
                        return 0;
                if ((r = v2_enable(d, err)) < 0)
                        return r;
                if (memory && (r = write_limit(d, "memory.max", limit(v, sizeof v, memory, 1, "max", ""), err)) < 0)
                        return r;
                if (cpu && (r = write_limit(d, "cpu.max", limit(v, sizeof v, cpu, 100, "max", " 100000"), err)) < 0)
                        return r;
                if (pids && (r = write_limit(d, "pids.max", limit(v, sizeof v, pids, 1, "max", ""), err)) < 0)
                        return r;
                return 0;
        }
        const char *d;
        if (memory) {
                if (!(d = dir_of(cg, NSPAWN_CG_MEMORY)))
                        return podrt_error_set(err, ENOTSUP, "memory limit: no memory cgroup hierarchy on this host");
                if ((r = write_limit(d, "memory.limit_in_bytes", limit(v, sizeof v, memory, 1, "-1", ""), err)) < 0)
                        return r;
        }
        if (cpu) {
                if (!(d = dir_of(cg, NSPAWN_CG_CPU)))
                        return podrt_error_set(err, ENOTSUP, "cpu limit: no cpu cgroup hierarchy on this host");
                limit(v, sizeof v, cpu, 100, "-1", "");
                if ((r = write_limit(d, "cpu.cfs_period_us", "100000", err)) < 0 ||
                    (r = write_limit(d, "cpu.cfs_quota_us", v, err)) < 0)
                        return r;
        }
        if (pids) {
                if (!(d = dir_of(cg, NSPAWN_CG_PIDS)))
                        return podrt_error_set(err, ENOTSUP, "pids limit: no pids cgroup hierarchy on this host");
                if ((r = write_limit(d, "pids.max", limit(v, sizeof v, pids, 1, "max", ""), err)) < 0)
                        return r;
        }
        return 0;
}

int nspawn_cgroups_update(struct podrt_pod *pod, int64_t memory_bytes, int64_t cpu_millis, int64_t pids,
                          struct podrt_error **err) {
        struct nspawn_cgroups cg;
        int r = nspawn_cgroups_load(pod, &cg);
        if (r < 0)
                return podrt_error_set(err, EOPNOTSUPP, "pod %s has no cgroups of podrt's (systemd places it): "
                                       "its limits cannot be changed", podrt_pod_name(pod));
        r = write_limits(&cg, memory_bytes, cpu_millis, pids, err);
        nspawn_cgroups_done(&cg);
        return r;
}

/* On v1 every controller's hierarchy is joined, with a limit or not, so
 * that update can set one later on the processes already there. */
int nspawn_cgroups_create(struct podrt_pod *pod, int64_t memory_bytes, int64_t cpu_millis,
                          int64_t pids, struct nspawn_cgroups *ret, struct podrt_error **err) {
        _cleanup_free_ char *mi = NULL, *self = NULL;
        int r;
        if ((r = read_file("/proc/self/mountinfo", 0, &mi, NULL)) < 0 ||
            (r = read_file("/proc/self/cgroup", 0, &self, NULL)) < 0)
                return podrt_error_set(err, r, "reading this process's cgroups: %s", strerror(-r));
        struct nspawn_cgroups cg;
        if ((r = nspawn_cgroups_plan_from(mi, self, podrt_pod_id(pod), &cg)) < 0) {
                nspawn_cgroups_done(&cg);
                return podrt_error_set(err, r, "out of memory");
        }
        if ((r = record(pod, &cg)) < 0) {
                nspawn_cgroups_done(&cg);
                return podrt_error_set(err, r, "recording the pod's cgroups: %s", strerror(-r));
        }
        for (size_t i = 0; cg.dirs[i] && r >= 0; i++) {
                _cleanup_free_ char *made = NULL;
                r = mkdir_parents_made(cg.dirs[i], &made);
                if (r < 0)
                        r = podrt_error_set(err, r, "cgroup %s: %s", cg.dirs[i], strerror(-r));
        }
        if (r >= 0)
                r = write_limits(&cg, memory_bytes, cpu_millis, pids, err);
        if (r < 0) {
                nspawn_cgroups_done(&cg);
                nspawn_cgroups_remove(pod, NULL);
                return r;
        }
        *ret = cg;
        return 0;
}

int nspawn_cgroups_join(const struct nspawn_cgroups *cg, const char **ret_dir) {
        char path[4096];
        for (size_t i = 0; cg->dirs[i]; i++) {
                snprintf(path, sizeof path, "%s/cgroup.procs", cg->dirs[i]);
                int r = write_string_file(path, "0");
                if (r < 0) {
                        *ret_dir = cg->dirs[i];
                        return r;
                }
        }
        return 0;
}

/* Calls fn on dir and each directory below it, deepest first. */
static int each_dir(const char *dir, int (*fn)(const char *dir, void *u), void *u) {
        DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : -errno;
        int ret = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                char *sub = NULL;
                if (asprintf(&sub, "%s/%s", dir, de->d_name) < 0) {
                        ret = -ENOMEM;
                        break;
                }
                int r = each_dir(sub, fn, u);
                free(sub);
                if (r < 0 && ret == 0)
                        ret = r;
        }
        closedir(d);
        int r = fn(dir, u);
        return ret < 0 ? ret : r;
}

struct kill_state {
        int signo;
        int count;
};

static int kill_fn(const char *dir, void *u) {
        struct kill_state *k = u;
        char path[4096];
        snprintf(path, sizeof path, "%s/cgroup.procs", dir);
        _cleanup_free_ char *text = NULL;
        if (read_file(path, 0, &text, NULL) < 0)
                return 0;
        for (char *p = text; *p;) {
                char *end;
                long pid = strtol(p, &end, 10);
                if (end == p)
                        break;
                if (pid > 0 && kill((pid_t)pid, k->signo) == 0)
                        k->count++;
                p = end;
                while (*p == '\n')
                        p++;
        }
        return 0;
}

static int freeze_dir(const struct nspawn_cgroups *cg, bool freeze) {
        const char *d = dir_of(cg, cg->v2 ? NSPAWN_CG_UNIFIED : NSPAWN_CG_FREEZER);
        if (!d)
                return -ENOTSUP;
        char path[4096];
        if (cg->v2) {
                snprintf(path, sizeof path, "%s/cgroup.freeze", d);
                return write_string_file(path, freeze ? "1" : "0");
        }
        snprintf(path, sizeof path, "%s/freezer.state", d);
        return write_string_file(path, freeze ? "FROZEN" : "THAWED");
}

int nspawn_cgroups_kill(const struct nspawn_cgroups *cg, int signo) {
        struct kill_state k = { .signo = signo };
        bool frozen = signo == SIGKILL && freeze_dir(cg, true) >= 0;
        for (size_t i = 0; cg->dirs[i]; i++)
                each_dir(cg->dirs[i], kill_fn, &k);
        if (frozen)
                freeze_dir(cg, false);
        return k.count;
}

/* 1 when the freezer says the pod is (un)frozen. */
static int freeze_done(const struct nspawn_cgroups *cg, bool freeze) {
        const char *d = dir_of(cg, cg->v2 ? NSPAWN_CG_UNIFIED : NSPAWN_CG_FREEZER);
        char path[4096];
        _cleanup_free_ char *text = NULL;
        snprintf(path, sizeof path, cg->v2 ? "%s/cgroup.events" : "%s/freezer.state", d);
        if (read_file(path, 0, &text, NULL) < 0)
                return 0;
        if (cg->v2)
                return strstr(text, freeze ? "frozen 1" : "frozen 0") != NULL;
        return strncmp(text, freeze ? "FROZEN" : "THAWED", 6) == 0;
}

int nspawn_cgroups_freeze(const struct nspawn_cgroups *cg, bool freeze, struct podrt_error **err) {
        const char *d = dir_of(cg, cg->v2 ? NSPAWN_CG_UNIFIED : NSPAWN_CG_FREEZER);
        if (!d)
                return podrt_error_set(err, ENOTSUP, "no freezer cgroup on this host");
        int r = freeze_dir(cg, freeze);
        if (r < 0)
                return podrt_error_set(err, r, "cgroup %s: %s: %s", d, freeze ? "freezing" : "thawing",
                                       strerror(-r));
        for (int i = 0; i < 500; i++) {
                if (freeze_done(cg, freeze))
                        return 0;
                /* A v1 freezer stuck in FREEZING is asked again. */
                if (freeze && i % 50 == 49)
                        freeze_dir(cg, true);
                sleep_ms(2);
        }
        if (freeze)
                freeze_dir(cg, false);
        return podrt_error_set(err, ETIMEDOUT, "cgroup %s: not %s after 1s", d, freeze ? "frozen" : "thawed");
}

static int rmdir_fn(const char *dir, void *u) {
        for (int i = 0; i < 100; i++) {
                if (rmdir(dir) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY)
                        return -errno;
                struct kill_state k = { .signo = SIGKILL };
                kill_fn(dir, &k);
                sleep_ms(10);
        }
        return -EBUSY;
}

int nspawn_cgroups_remove(struct podrt_pod *pod, struct podrt_error **err) {
        struct nspawn_cgroups cg;
        int r = nspawn_cgroups_load(pod, &cg);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return podrt_error_set(err, r, "reading the pod's cgroups: %s", strerror(-r));
        /* Anything left is killed (thawed first: a frozen process cannot
         * die). */
        struct kill_state k = { .signo = 0 };
        for (size_t i = 0; cg.dirs[i]; i++)
                each_dir(cg.dirs[i], kill_fn, &k);
        if (k.count) {
                freeze_dir(&cg, false);
                nspawn_cgroups_kill(&cg, SIGKILL);
        }
        int ret = 0;
        for (size_t i = 0; cg.dirs[i]; i++) {
                r = each_dir(cg.dirs[i], rmdir_fn, NULL);
                if (r < 0 && ret == 0)
                        ret = podrt_error_set(err, r, "removing cgroup %s: %s", cg.dirs[i], strerror(-r));
                /* The podrt parent goes when no other pod uses it. */
                char *slash = strrchr(cg.dirs[i], '/');
                if (slash) {
                        *slash = '\0';
                        (void)rmdir(cg.dirs[i]);
                }
        }
        nspawn_cgroups_done(&cg);
        if (ret == 0) {
                _cleanup_free_ char *path = record_path(pod);
                if (path)
                        (void)unlink(path);
        }
        return ret;
}
