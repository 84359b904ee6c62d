/* SPDX-License-Identifier: Apache-2.0 */
/* Choosing and probing the OCI runtime, and running its commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "errors.h"
#include "fileio.h"
#include "process.h"
#include "runtime.h"
#include "command.h"
#include "spec.h"
#include "strv.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define PROBE_TIMEOUT_MS 10000
#define COMMAND_TIMEOUT_MS 60000

struct oci_runtime *oci_runtime_free(struct oci_runtime *rt) {
        if (rt) {
                free(rt->name);
                free(rt->path);
                free(rt->root);
                free(rt);
        }
        return NULL;
}

int oci_runtime_new(const char *name, const char *path, const char *root,
                    struct oci_runtime **ret) {
        _cleanup_(oci_runtime_freep) struct oci_runtime *rt = calloc(1, sizeof(*rt));
        if (!rt)
                return -ENOMEM;
        rt->name = strdup(name);
        rt->path = strdup(path);
        rt->root = strdup(root);
        if (!rt->name || !rt->path || !rt->root)
                return -ENOMEM;
        *ret = TAKE_PTR(rt);
        return 0;
}

static bool is_executable_file(const char *path) {
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int oci_find_program(const char *name, char **ret_path) {
        const char *path = getenv("PATH");
        if (!path || !*path)
                path = DEFAULT_PATH;
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
                if (dir[0] != '/')
                        continue;
                char *p = NULL;
                if (asprintf(&p, "%s/%s", dir, name) < 0)
                        return -ENOMEM;
                if (is_executable_file(p)) {
                        *ret_path = p;
                        return 0;
                }
                free(p);
        }
        return -ENOENT;
}

uint64_t oci_nofile_limit(void) {
        uint64_t limit = 1048576;
        _cleanup_free_ char *nr_open = NULL;
        if (read_file("/proc/sys/fs/nr_open", 0, &nr_open, NULL) == 0) {
                unsigned long long v = strtoull(nr_open, NULL, 10);
                if (v > 0 && v < limit)
                        limit = v;
        }
        struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct caps[2] = {0};
        bool can_raise = syscall(SYS_capget, &hdr, caps) == 0 &&
                         (caps[CAP_SYS_RESOURCE / 32].effective & (1u << (CAP_SYS_RESOURCE % 32)));
        struct rlimit rl;
        if (!can_raise && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
            rl.rlim_max < limit)
                limit = rl.rlim_max;
        return limit;
}

/* ---- the probe -------------------------------------------------------------- */

static char *probe_key(const char *path) {
        struct stat st;
        if (stat(path, &st) < 0)
                return NULL;
        _cleanup_free_ char *boot = NULL;
        if (read_file("/proc/sys/kernel/random/boot_id", 0, &boot, NULL) < 0)
                boot = strdup("-");
        if (!boot)
                return NULL;
        boot[strcspn(boot, "\n")] = '\0';
        char *key = NULL;
        if (asprintf(&key, "v1 %s %llu %llu %lld %lld.%09ld %s", path, (unsigned long long)st.st_dev,
                     (unsigned long long)st.st_ino, (long long)st.st_size,
                     (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec, boot) < 0)
                return NULL;
        return key;
}

/* 1 ok, 0 failed (reason), -1 no usable cache entry. */
static int probe_cached(const char *cache_path, const char *key, char **ret_reason) {
        _cleanup_free_ char *text = NULL;
        if (!cache_path || read_file(cache_path, 0, &text, NULL) < 0)
                return -1;
        char *nl = strchr(text, '\n');
        if (!nl)
                return -1;
        *nl = '\0';
        if (strcmp(text, key) != 0)
                return -1;
        char *result = nl + 1;
        result[strcspn(result, "\n")] = '\0';
        if (strcmp(result, "ok") == 0)
                return 1;
        if (strncmp(result, "fail ", 5) == 0) {
                *ret_reason = strdup(result + 5);
                return *ret_reason ? 0 : -1;
        }
        return -1;
}

/* The host's program directories, bound read-only into the probe's root
 * (or linked, where the host has a symlink: merged /usr). */
static const char *const probe_dirs[] = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"};

static int probe_bundle(const char *dir, const char *id, const char *cgroup_pod,
                        struct podrt_error **err) {
        _cleanup_free_ char *rootfs = NULL, *config = NULL, *cgpath = NULL;
        struct oci_bind binds[ELEMENTSOF(probe_dirs)];
        char *dests[ELEMENTSOF(probe_dirs)] = {0}, *srcs[ELEMENTSOF(probe_dirs)] = {0};
        size_t n_binds = 0;
        int r = 0;

        if (asprintf(&rootfs, "%s/rootfs", dir) < 0 || asprintf(&config, "%s/config.json", dir) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        if (mkdir(rootfs, 0755) < 0)
                return podrt_error_set(err, errno, "%s: %s", rootfs, strerror(errno));

        for (size_t i = 0; i < ELEMENTSOF(probe_dirs); i++) {
                char host[64], target[4096], inside[4096];
                snprintf(host, sizeof host, "/%s", probe_dirs[i]);
                snprintf(inside, sizeof inside, "%s/%s", rootfs, probe_dirs[i]);
                struct stat st;
                if (lstat(host, &st) < 0)
                        continue;
                if (S_ISLNK(st.st_mode)) {
                        ssize_t n = readlink(host, target, sizeof target - 1);
                        if (n < 0)
                                continue;
                        target[n] = '\0';
                        if (symlink(target, inside) < 0) {
                                r = podrt_error_set(err, errno, "%s: %s", inside, strerror(errno));
                                goto out;
                        }
                } else if (S_ISDIR(st.st_mode)) {
                        if (mkdir(inside, 0755) < 0) {
                                r = podrt_error_set(err, errno, "%s: %s", inside, strerror(errno));
                                goto out;
                        }
                        srcs[n_binds] = strdup(host);
                        dests[n_binds] = strdup(host);
                        if (!srcs[n_binds] || !dests[n_binds]) {
                                r = podrt_error_set(err, ENOMEM, "out of memory");
                                n_binds++;
                                goto out;
                        }
                        binds[n_binds] = (struct oci_bind){srcs[n_binds], dests[n_binds], true, false};
                        n_binds++;
                }
        }

        const char *true_path = is_executable_file("/bin/true") ? "/bin/true" : "/usr/bin/true";
        const char *args[] = {true_path, NULL};
        const char *env[] = {"PATH=/usr/bin:/bin", NULL};
        cgpath = oci_cgroup_app_path(cgroup_pod, "probe");
        struct oci_container c = {
                .name = "probe",
                .id = id,
                .hostname = "probe",
                .rootfs = rootfs,
                .args = args,
                .env = env,
                .cwd = "/",
                .binds = binds,
                .n_binds = n_binds,
                .cgroup_ns = oci_cgroup_is_v2(),
                .cgroups_path = cgpath,
                .pids = 64,
                .nofile = oci_nofile_limit(),
        };
        struct json_object *spec = NULL;
        r = oci_spec_build(&c, &spec, err);
        if (r < 0)
                goto out;
        const char *text = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PLAIN);
        r = write_file_new(config, text, strlen(text), 0600);
        json_object_put(spec);
        if (r < 0)
                r = podrt_error_set(err, r, "%s: %s", config, strerror(-r));
out:
        for (size_t i = 0; i < n_binds; i++) {
                free(srcs[i]);
                free(dests[i]);
        }
        return r;
}

int oci_runtime_probe(const char *path, const char *work_dir, const char *cache_path,
                      char **ret_reason, bool *ret_cached) {
        _cleanup_free_ char *key = probe_key(path), *reason = NULL, *dir = NULL, *root = NULL,
                            *output = NULL, *id = NULL, *cgroup_pod = NULL;
        _cleanup_error_ struct podrt_error *err = NULL;
        if (!key)
                return -errno ?: -ENOMEM;

        int ok = probe_cached(cache_path, key, &reason);
        if (ok >= 0) {
                if (ret_cached)
                        *ret_cached = true;
                if (!ok)
                        *ret_reason = TAKE_PTR(reason);
                return ok;
        }

        int r = mkdir_p(work_dir, 0700);
        if (r < 0)
                return r;
        if (asprintf(&dir, "%s/probe-XXXXXX", work_dir) < 0 || !mkdtemp(dir))
                return -errno ?: -ENOMEM;
        if (asprintf(&root, "%s/root", dir) < 0 || asprintf(&id, "podrt-probe-%d", (int)getpid()) < 0 ||
            asprintf(&cgroup_pod, "probe-%d", (int)getpid()) < 0) {
                rm_rf(dir);
                return -ENOMEM;
        }

        int status = -1;
        r = probe_bundle(dir, id, cgroup_pod, &err);
        if (r >= 0) {
                char *argv[] = {(char *)path, "--root", root, "run", "--bundle", dir, id, NULL};
                r = oci_run_capture(argv, PROBE_TIMEOUT_MS, &status, &output, &err);
        }
        ok = r >= 0 && status == 0;
        if (!ok) {
                char line[512];
                if (r < 0)
                        reason = strdup(podrt_error_message(err));
                else if (*oci_last_line(output, line, sizeof line))
                        reason = strdup(line);
                else {
                        snprintf(line, sizeof line, "exit status %d", status);
                        reason = strdup(line);
                }
        }

        /* Nothing of the probe stays: runtime state, cgroups, files. */
        struct stat st;
        _cleanup_free_ char *state = NULL;
        if (asprintf(&state, "%s/%s", root, id) >= 0 && stat(state, &st) == 0) {
                char *argv[] = {(char *)path, "--root", root, "delete", "--force", id, NULL};
                int ignored;
                oci_run_capture(argv, PROBE_TIMEOUT_MS, &ignored, NULL, NULL);
        }
        oci_cgroup_remove_pod(cgroup_pod, NULL);
        rm_rf(dir);

        if (!ok && !reason)
                return -ENOMEM;
        /* Cached: what the runtime answered, not a failure of the probe
         * itself (a timeout, a full disk), which may pass next time. */
        if (cache_path && r >= 0) {
                _cleanup_free_ char *entry = NULL;
                if (asprintf(&entry, "%s\n%s%s\n", key, ok ? "ok" : "fail ", ok ? "" : reason) >= 0)
                        (void)write_file_atomic(cache_path, entry, strlen(entry), 0600, 0);
        }
        if (ret_cached)
                *ret_cached = false;
        if (!ok)
                *ret_reason = TAKE_PTR(reason);
        return ok;
}

/* ---- choosing ----------------------------------------------------------------- */

static int make_runtime(const char *name, const char *path, const char *state_dir,
                        struct oci_runtime **ret, struct podrt_error **err) {
        _cleanup_free_ char *root = NULL;
        if (asprintf(&root, "%s/oci/%s", state_dir, name) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = oci_runtime_new(name, path, root, ret);
        if (r < 0)
                return podrt_error_set(err, r, "out of memory");
        return 0;
}

int oci_runtime_resolve(const char *setting, const char *state_dir,
                        const struct podrt_host *host, struct oci_runtime **ret,
                        struct podrt_error **err) {
        _cleanup_free_ char *crun = NULL, *runc = NULL, *path = NULL;
        int r;

        if (!setting || !*setting)
                setting = "auto";

        if (strchr(setting, '/')) {
                if (setting[0] != '/')
                        return podrt_error_set(err, EINVAL,
                                               "oci.runtime: '%s': a path must be absolute", setting);
                if (!is_executable_file(setting))
                        return podrt_error_set(err, ENOENT, "oci.runtime: %s: %s", setting,
                                               access(setting, F_OK) == 0 ? "not an executable file"
                                                                          : strerror(errno));
                const char *name = strrchr(setting, '/') + 1;
                return make_runtime(*name ? name : "runtime", setting, state_dir, ret, err);
        }

        if (strcmp(setting, "auto") != 0) {
                r = oci_find_program(setting, &path);
                if (r < 0)
                        return podrt_error_set(err, ENOENT,
                                               "oci.runtime: '%s' not found on PATH: install it, or set oci.runtime to auto, runc, crun or a path",
                                               setting);
                return make_runtime(setting, path, state_dir, ret, err);
        }

        bool have_crun = oci_find_program("crun", &crun) == 0;
        bool have_runc = oci_find_program("runc", &runc) == 0;
        if (!have_crun && !have_runc)
                return podrt_error_set(err, ENOENT,
                                       "no OCI runtime found: neither crun nor runc is on PATH; install runc (apt-get install runc) or set oci.runtime");
        if (have_crun) {
                _cleanup_free_ char *work = NULL, *cache = NULL, *reason = NULL;
                bool cached = false;
                if (asprintf(&work, "%s/oci", state_dir) < 0 ||
                    asprintf(&cache, "%s/oci/probe-crun", state_dir) < 0)
                        return podrt_error_set(err, ENOMEM, "out of memory");
                r = oci_runtime_probe(crun, work, cache, &reason, &cached);
                if (r > 0)
                        return make_runtime("crun", crun, state_dir, ret, err);
                if (r < 0 && !reason) {
                        char buf[256];
                        snprintf(buf, sizeof buf, "probe failed: %s", strerror(-r));
                        reason = strdup(buf);
                }
                if (!have_runc)
                        return podrt_error_set(err, ENOENT,
                                               "crun cannot run containers here (%s) and runc is not installed: install runc (apt-get install runc) or set oci.runtime",
                                               reason ? reason : "unknown reason");
                if (host && host->log)
                        host->log(host, cached ? PODRT_LOG_INFO : PODRT_LOG_WARNING,
                                  "crun cannot run containers here (%s); using runc",
                                  reason ? reason : "unknown reason");
        }
        return make_runtime("runc", runc, state_dir, ret, err);
}

/* ---- commands ------------------------------------------------------------------ */

char **oci_runtime_argv(const struct oci_runtime *rt, const char *log, const char *const *args) {
        _cleanup_strv_free_ char **v = calloc(1, sizeof(char *));
        if (!v || strv_push(&v, rt->path) < 0 || strv_push(&v, "--root") < 0 ||
            strv_push(&v, rt->root) < 0)
                return NULL;
        if (log) {
                char *s = NULL;
                if (asprintf(&s, "--log=%s", log) < 0)
                        return NULL;
                if (strv_consume(&v, s) < 0) {
                        free(s);
                        return NULL;
                }
                if (strv_push(&v, "--log-format=json") < 0)
                        return NULL;
        }
        for (size_t i = 0; args && args[i]; i++)
                if (strv_push(&v, args[i]) < 0)
                        return NULL;
        return TAKE_PTR(v);
}

int oci_runtime_run(const struct oci_runtime *rt, const char *const *args, int *ret_status,
                    char **ret_output, struct podrt_error **err) {
        _cleanup_strv_free_ char **argv = oci_runtime_argv(rt, NULL, args);
        _cleanup_free_ char *output = NULL;
        if (!argv)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int status = 0;
        int r = oci_run_capture(argv, COMMAND_TIMEOUT_MS, &status, &output, err);
        if (r < 0)
                return podrt_error_set(err, r, "%s %s", rt->name, args[0]);
        if (status != 0 && !ret_status) {
                char line[1024];
                return podrt_error_set(err, EIO, "%s %s: exit status %d: %s", rt->name, args[0],
                                       status, oci_last_line(output, line, sizeof line));
        }
        if (ret_status)
                *ret_status = status;
        if (ret_output)
                *ret_output = TAKE_PTR(output);
        return 0;
}

int oci_runtime_has(const struct oci_runtime *rt, const char *id) {
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", rt->root, id) < 0)
                return 0;
        struct stat st;
        return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The start time (clock ticks since boot) of pid, 0 when unknown. */
static unsigned long long process_start_time(pid_t pid) {
        _cleanup_free_ char *stat = NULL;
        const char *p = pid_stat_fields(pid, &stat);
        if (!p)
                return 0;
        /* p is the space before field 3 (state); starttime is field 22. */
        for (int field = 3; field < 22 && p; field++)
                p = strchr(p + 1, ' ');
        return p ? strtoull(p + 1, NULL, 10) : 0;
}

static int64_t json_int(struct json_object *o, const char *key) {
        struct json_object *v;
        return o && json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

/* The integer that "key": introduces in compact JSON text (no space after
 * the colon, as Go's encoding/json writes it), when it appears once. */
static bool member_int(const char *text, const char *key, long long *ret) {
        char pattern[64];
        snprintf(pattern, sizeof pattern, "\"%s\":", key);
        const char *at = strstr(text, pattern);
        if (!at || strstr(at + 1, pattern))
                return false;
        char *end;
        errno = 0;
        long long v = strtoll(at + strlen(pattern), &end, 10);
        if (errno || end == at + strlen(pattern) || (*end != ',' && *end != '}'))
                return false;
        *ret = v;
        return true;
}

pid_t oci_runtime_container_pid(const struct oci_runtime *rt, const char *id) {
        /* Created but not started: the runtime's init still waits on its
         * exec FIFO (runc and crun both call it exec.fifo).  A signal now
         * would end the runtime's init, not the app. */
        _cleanup_free_ char *fifo = NULL;
        struct stat st;
        if (asprintf(&fifo, "%s/%s/exec.fifo", rt->root, id) < 0 || lstat(fifo, &st) == 0)
                return 0;

        static const struct {
                const char *file, *pid_key, *start_key;
        } layouts[] = {
                {"state.json", "init_process_pid", "init_process_start"}, /* runc */
                {"status", "pid", NULL},                                   /* crun */
        };
        for (size_t i = 0; i < ELEMENTSOF(layouts); i++) {
                _cleanup_free_ char *path = NULL, *text = NULL;
                if (asprintf(&path, "%s/%s/%s", rt->root, id, layouts[i].file) < 0)
                        return 0;
                if (read_file(path, 0, &text, NULL) < 0)
                        continue;
                long long pid_v, start_v = 0;
                pid_t pid;
                unsigned long long start;
                /* runc's state.json holds the container's whole config
                 * (~10 KB): the two numbers are found in the text, which
                 * costs a fiftieth of parsing it; anything else is parsed. */
                if (member_int(text, layouts[i].pid_key, &pid_v) &&
                    (!layouts[i].start_key || member_int(text, layouts[i].start_key, &start_v))) {
                        pid = (pid_t)pid_v;
                        start = (unsigned long long)start_v;
                } else {
                        struct json_object *j = json_tokener_parse(text);
                        pid = (pid_t)json_int(j, layouts[i].pid_key);
                        start = layouts[i].start_key ? (unsigned long long)json_int(j, layouts[i].start_key) : 0;
                        json_object_put(j);
                }
                if (pid <= 0)
                        return 0;
                /* A pid reused by another process is not the container's. */
                if (start && process_start_time(pid) != start)
                        return 0;
                return pid;
        }
        if (!oci_runtime_has(rt, id))
                return 0;
        const char *args[] = {"state", id, NULL};
        _cleanup_free_ char *output = NULL;
        int status;
        if (oci_runtime_run(rt, args, &status, &output, NULL) < 0 || status != 0)
                return 0;
        struct json_object *j = json_tokener_parse(output ? output : "");
        pid_t pid = (pid_t)json_int(j, "pid");
        json_object_put(j);
        return pid > 0 ? pid : 0;
}

char *oci_runtime_log_error(const char *log_path) {
        _cleanup_free_ char *text = NULL;
        if (read_file(log_path, 0, &text, NULL) < 0)
                return NULL;
        char *found = NULL, *save = NULL;
        for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                struct json_object *j = json_tokener_parse(line), *level, *msg;
                if (j && json_object_object_get_ex(j, "level", &level) &&
                    strcmp(json_object_get_string(level), "error") == 0 &&
                    json_object_object_get_ex(j, "msg", &msg)) {
                        free(found);
                        found = strdup(json_object_get_string(msg));
                }
                json_object_put(j);
        }
        return found;
}

int oci_failure_exit_code(const char *msg) {
        bool exec = strstr(msg, "exec:") || strstr(msg, "exec ") || strstr(msg, "executable");
        if (strstr(msg, "executable file not found") || strstr(msg, "not found in $PATH") ||
            (exec && (strstr(msg, "no such file or directory") || strstr(msg, "No such file or directory"))))
                return 127;
        if (exec && (strstr(msg, "permission denied") || strstr(msg, "Permission denied") ||
                     strstr(msg, "exec format error") || strstr(msg, "Exec format error")))
                return 126;
        return 125;
}
