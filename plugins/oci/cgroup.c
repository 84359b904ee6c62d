/* SPDX-License-Identifier: Apache-2.0 */
/* Cgroup paths of an OCI pod, and their removal on v1, hybrid and v2. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "errors.h"
#include "fileio.h"
#include "macro.h"
#include "strvec.h"

const char *oci_cgroup_mode_name(int mode) {
        switch (mode) {
        case OCI_CGROUP_V2: return "v2";
        case OCI_CGROUP_HYBRID: return "hybrid";
        default: return "v1";
        }
}

/* Undoes mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s) {
        char *w = s;
        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else
                        *w++ = *r;
        }
        *w = '\0';
}

/* Calls fn(mount point, fstype) for each line of mountinfo; stops at the
 * first non-zero return. */
static int each_mount(const char *mountinfo, int (*fn)(const char *mnt, const char *fstype, void *u),
                      void *u) {
        const char *line = mountinfo;
        while (line && *line) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);
                _cleanup_free_ char *l = strndup(line, len);
                if (!l)
                        return -ENOMEM;
                line = end ? end + 1 : NULL;

                /* id parent maj:min root mountpoint options [optional...] - fstype source super */
                char *save = NULL, *f[64];
                int n = 0;
                for (char *t = strtok_r(l, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
                        f[n++] = t;
                int sep = -1;
                for (int i = 6; i < n; i++)
                        if (strcmp(f[i], "-") == 0) {
                                sep = i;
                                break;
                        }
                if (sep < 0 || sep + 1 >= n)
                        continue;
                char *mnt = f[4], *fstype = f[sep + 1];
                unescape(mnt);
                int r = fn(mnt, fstype, u);
                if (r != 0)
                        return r;
        }
        return 0;
}

struct mode_scan {
        bool v1, v2_root, v2_other;
};

static int mode_fn(const char *mnt, const char *fstype, void *u) {
        struct mode_scan *m = u;
        if (strcmp(fstype, "cgroup") == 0)
                m->v1 = true;
        else if (strcmp(fstype, "cgroup2") == 0) {
                if (strcmp(mnt, "/sys/fs/cgroup") == 0)
                        m->v2_root = true;
                else
                        m->v2_other = true;
        }
        return 0;
}

int oci_cgroup_mode_from_mountinfo(const char *mountinfo) {
        struct mode_scan m = {0};
        each_mount(mountinfo, mode_fn, &m);
        if (m.v2_root)
                return OCI_CGROUP_V2;
        if (m.v1 && m.v2_other)
                return OCI_CGROUP_HYBRID;
        if (!m.v1 && m.v2_other)
                return OCI_CGROUP_V2;
        return OCI_CGROUP_V1;
}

int oci_cgroup_mode(void) {
        _cleanup_free_ char *mi = NULL;
        if (oci_read_file("/proc/self/mountinfo", &mi, NULL) < 0)
                return OCI_CGROUP_V1;
        return oci_cgroup_mode_from_mountinfo(mi);
}

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

int oci_cgroup_is_v2(void) {
        struct statfs fs;
        return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

static int mounts_fn(const char *mnt, const char *fstype, void *u) {
        char ***v = u;
        if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
                return 0;
        for (size_t i = 0; (*v)[i]; i++)
                if (strcmp((*v)[i], mnt) == 0)
                        return 0;
        return oci_strv_push(v, mnt);
}

int oci_cgroup_mounts(const char *mountinfo, char ***ret_mounts) {
        _cleanup_oci_strv_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        int r = each_mount(mountinfo, mounts_fn, &v);
        if (r < 0)
                return r;
        *ret_mounts = TAKE_PTR(v);
        return 0;
}

char *oci_cgroup_pod_path(const char *pod_id) {
        char *p = NULL;
        return asprintf(&p, "/" OCI_CGROUP_PARENT "/%s", pod_id) < 0 ? NULL : p;
}

char *oci_cgroup_app_path(const char *pod_id, const char *app_name) {
        char *p = NULL;
        return asprintf(&p, "/" OCI_CGROUP_PARENT "/%s/%s", pod_id, app_name) < 0 ? NULL : p;
}

int oci_cgroup_pod_dirs(const char *mountinfo, const char *pod_id, char ***ret_dirs) {
        _cleanup_oci_strv_ char **mounts = NULL;
        int r = oci_cgroup_mounts(mountinfo, &mounts);
        if (r < 0)
                return r;
        _cleanup_oci_strv_ char **dirs = calloc(1, sizeof(char *));
        if (!dirs)
                return -ENOMEM;
        for (size_t i = 0; mounts[i]; i++) {
                char *d = NULL;
                if (asprintf(&d, "%s/" OCI_CGROUP_PARENT "/%s", mounts[i], pod_id) < 0)
                        return -ENOMEM;
                r = oci_strv_consume(&dirs, d);
                if (r < 0) {
                        free(d);
                        return r;
                }
        }
        *ret_dirs = TAKE_PTR(dirs);
        return 0;
}

/* SIGKILLs the processes listed in dir/cgroup.procs; returns how many. */
static int kill_procs(const char *dir) {
        _cleanup_free_ char *path = NULL, *procs = NULL;
        if (asprintf(&path, "%s/cgroup.procs", dir) < 0)
                return 0;
        if (oci_read_file(path, &procs, NULL) < 0)
                return 0;
        int n = 0;
        for (char *s = procs; *s;) {
                char *e;
                long pid = strtol(s, &e, 10);
                if (e == s)
                        break;
                if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
                        n++;
                s = e;
                while (*s == '\n')
                        s++;
        }
        return n;
}

/* rmdir a cgroup; while it is busy, kill what is inside and retry for a
 * second. */
static int remove_cgroup(const char *dir) {
        for (int attempt = 0;; attempt++) {
                if (rmdir(dir) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY || attempt >= 100)
                        return -errno;
                kill_procs(dir);
                nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
        }
}

int oci_cgroup_remove_pod(const char *pod_id, struct podrt_error **err) {
        _cleanup_free_ char *mi = NULL;
        _cleanup_oci_strv_ char **dirs = NULL;
        int r = oci_read_file("/proc/self/mountinfo", &mi, NULL);
        if (r < 0)
                return podrt_error_set(err, r, "/proc/self/mountinfo: %s", strerror(-r));
        r = oci_cgroup_pod_dirs(mi, pod_id, &dirs);
        if (r < 0)
                return podrt_error_set(err, r, "cgroups: %s", strerror(-r));

        int ret = 0;
        for (size_t i = 0; dirs[i]; i++) {
                /* Usually the runtime removed the containers' cgroups when
                 * they ended and one rmdir does. */
                if (rmdir(dirs[i]) == 0 || errno == ENOENT)
                        continue;
                if (errno != EBUSY && errno != ENOTEMPTY) {
                        if (ret == 0)
                                ret = podrt_error_set(err, errno, "cgroup %s: %s", dirs[i], strerror(errno));
                        continue;
                }
                DIR *d = opendir(dirs[i]);
                if (!d) {
                        if (errno != ENOENT && ret == 0)
                                ret = podrt_error_set(err, errno, "cgroup %s: %s", dirs[i], strerror(errno));
                        continue;
                }
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (de->d_type != DT_DIR || de->d_name[0] == '.')
                                continue;
                        _cleanup_free_ char *child = NULL;
                        if (asprintf(&child, "%s/%s", dirs[i], de->d_name) < 0)
                                continue;
                        r = remove_cgroup(child);
                        if (r < 0 && ret == 0)
                                ret = podrt_error_set(err, r, "cgroup %s: %s", child, strerror(-r));
                }
                closedir(d);
                r = remove_cgroup(dirs[i]);
                if (r < 0 && ret == 0)
                        ret = podrt_error_set(err, r, "cgroup %s: %s", dirs[i], strerror(-r));
        }
        return ret;
}
