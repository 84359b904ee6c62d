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

#include <json-c/json.h>

#include "cgroup.h"
#include "errors.h"
#include "fileio.h"
#include "macro.h"
#include "mountinfo.h"
#include "strv.h"


#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

int oci_cgroup_is_v2(void) {
        struct statfs fs;
        return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

static int mounts_fn(const char *mnt, const char *fstype, const char *super_opts, void *u) {
        char ***v = u;
        if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
                return 0;
        for (size_t i = 0; (*v)[i]; i++)
                if (strcmp((*v)[i], mnt) == 0)
                        return 0;
        return strv_push(v, mnt);
}

int oci_cgroup_mounts(const char *mountinfo, char ***ret_mounts) {
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        int r = mountinfo_each(mountinfo, mounts_fn, &v);
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

static int pod_dirs_under(char *const *mounts, const char *pod_id, char ***ret_dirs) {
        _cleanup_strv_free_ char **dirs = calloc(1, sizeof(char *));
        if (!dirs)
                return -ENOMEM;
        for (size_t i = 0; mounts[i]; i++) {
                char *d = NULL;
                if (asprintf(&d, "%s/" OCI_CGROUP_PARENT "/%s", mounts[i], pod_id) < 0)
                        return -ENOMEM;
                int r = strv_consume(&dirs, d);
                if (r < 0) {
                        free(d);
                        return r;
                }
        }
        *ret_dirs = TAKE_PTR(dirs);
        return 0;
}

int oci_cgroup_pod_dirs(const char *mountinfo, const char *pod_id, char ***ret_dirs) {
        _cleanup_strv_free_ char **mounts = NULL;
        int r = oci_cgroup_mounts(mountinfo, &mounts);
        return r < 0 ? r : pod_dirs_under(mounts, pod_id, ret_dirs);
}

/* The host's cgroup mounts, read from /proc/self/mountinfo once a process:
 * they are mounted at boot, and the mount table is long to read (40-50 us
 * here, once for an app's end and again for the pod's delete). */
static char **host_mounts;

int oci_cgroup_host_mounts_read(void) {
        if (host_mounts)
                return 0;
        _cleanup_free_ char *mi = NULL;
        int r = read_file("/proc/self/mountinfo", 0, &mi, NULL);
        return r < 0 ? r : oci_cgroup_mounts(mi, &host_mounts);
}

static int host_pod_dirs(const char *pod_id, char ***ret_dirs) {
        int r = oci_cgroup_host_mounts_read();
        return r < 0 ? r : pod_dirs_under(host_mounts, pod_id, ret_dirs);
}

/* SIGKILLs the processes listed in dir/cgroup.procs; returns how many. */
static int kill_procs(const char *dir) {
        _cleanup_free_ char *path = NULL, *procs = NULL;
        if (asprintf(&path, "%s/cgroup.procs", dir) < 0)
                return 0;
        if (read_file(path, 0, &procs, NULL) < 0)
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
        _cleanup_strv_free_ char **dirs = NULL;
        int r = host_pod_dirs(pod_id, &dirs);
        if (r < 0)
                return podrt_error_set(err, r, "cgroups (/proc/self/mountinfo): %s", strerror(-r));

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

int oci_cgroup_app_frozen(const char *pod_id, const char *app_name) {
        _cleanup_strv_free_ char **dirs = NULL;
        if (host_pod_dirs(pod_id, &dirs) < 0)
                return 0;
        static const char *const files[] = {"freezer.state", "cgroup.freeze"};
        for (size_t i = 0; dirs[i]; i++)
                for (size_t k = 0; k < ELEMENTSOF(files); k++) {
                        _cleanup_free_ char *path = NULL, *text = NULL;
                        if (asprintf(&path, "%s/%s/%s", dirs[i], app_name, files[k]) < 0 ||
                            read_file(path, 64, &text, NULL) < 0)
                                continue;
                        if (strncmp(text, "FR", 2) == 0 || text[0] == '1')
                                return 1;
                }
        return 0;
}

void oci_cgroup_remove_recorded(const char *state_path) {
        _cleanup_free_ char *text = NULL;
        if (read_file(state_path, 0, &text, NULL) < 0)
                return;
        struct json_object *o = json_tokener_parse(text), *paths;
        if (o && json_object_object_get_ex(o, "cgroup_paths", &paths) &&
            json_object_is_type(paths, json_type_object)) {
                json_object_object_foreach(paths, kind, v) {
                        (void)kind;
                        const char *p = json_object_get_string(v);
                        if (p && strncmp(p, "/sys/fs/cgroup/", 15) == 0 && !strstr(p, "/../"))
                                (void)rmdir(p);
                }
        }
        json_object_put(o);
}

void oci_cgroup_remove_app(const char *pod_id, const char *app_name) {
        _cleanup_strv_free_ char **dirs = NULL;
        if (host_pod_dirs(pod_id, &dirs) < 0)
                return;
        for (size_t i = 0; dirs[i]; i++) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "%s/%s", dirs[i], app_name) >= 0)
                        (void)rmdir(path);
        }
}
