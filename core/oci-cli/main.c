/* SPDX-License-Identifier: Apache-2.0 */
/* podrt-runtime: runc's command line, as podman's conmon and containerd's
 * runc shim call it, over podrt pods.  Each container is a pod of one app
 * made from the bundle's config.json (translate.c), plus a folder
 * <root>/containers/<ID> with what runc's state holds.
 *
 * The process create leaves behind, the keeper, is the pid of --pid-file:
 * a child of create (so a descendant of the caller), with the caller's
 * stdio (or the terminal whose master went over --console-socket).  It
 * waits on start.fifo, then becomes the pod's monitor in the foreground:
 * it copies the workload's output to its stdio and exits with the
 * workload's status when the workload ends. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "errors.h"
#include "fileio.h"
#include "lifecycle.h"
#include "monitor.h"
#include "podrt-build.h"
#include "process.h"
#include "runtime.h"
#include "strv.h"
#include "translate.h"

#define OCI_VERSION "1.0.2"

/* ---- logging: --log FILE, --log-format text|json --------------------- */

static const char *log_path;
static int log_json;
static bool debug;

static void rfc3339(char *buf, size_t size) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, size - n, ".%09ldZ", ts.tv_nsec);
}

/* One line to the log file (json: one object), and errors (or everything
 * without --log) to stderr too. */
static void logf_(const char *level, const char *fmt, ...) PODRT_PRINTF(2, 3);
static void logf_(const char *level, const char *fmt, ...) {
        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg)
                return;
        bool is_error = strcmp(level, "error") == 0;
        if (strcmp(level, "debug") == 0 && !debug) {
                free(msg);
                return;
        }
        if (log_path) {
                int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
                if (fd >= 0) {
                        char t[64];
                        rfc3339(t, sizeof t);
                        char *line = NULL;
                        if (log_json) {
                                struct json_object *o = json_object_new_object();
                                json_object_object_add(o, "level", json_object_new_string(level));
                                json_object_object_add(o, "msg", json_object_new_string(msg));
                                json_object_object_add(o, "time", json_object_new_string(t));
                                if (asprintf(&line, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
                                        line = NULL;
                                json_object_put(o);
                        } else if (asprintf(&line, "time=\"%s\" level=%s msg=\"%s\"\n", t, level, msg) < 0)
                                line = NULL;
                        if (line)
                                (void)write_all(fd, line, strlen(line));
                        free(line);
                        close(fd);
                }
        }
        if (is_error || !log_path)
                fprintf(stderr, "%s%s\n", is_error ? "" : "podrt-runtime: warning: ", msg);
        free(msg);
}

#define log_error(...) logf_("error", __VA_ARGS__)
#define log_warning(...) logf_("warning", __VA_ARGS__)
#define log_debug(...) logf_("debug", __VA_ARGS__)

/* runc's exit code of a failed command. */
#define EXIT_FAIL 1

static int fail_err(struct podrt_error *e) {
        log_error("%s", e ? podrt_error_message(e) : "unknown error");
        podrt_error_free(e);
        return EXIT_FAIL;
}

/* ---- the context ------------------------------------------------------ */

/* Where the containers' records are: <--root>/containers, else a fixed
 * folder, since podman gives its --runtime-flag options to create and
 * start but not to delete: a record names the configuration, backend and
 * state folder its pod was made with. */
#define OCI_CONTAINERS_DIR "/run/podrt-runtime"

struct ctx {
        struct runtime_options opts;
        struct runtime *rt;
        char *containers;
};

struct container;
static int ctx_runtime(struct ctx *c, const struct container *k);

/* ---- a container's record --------------------------------------------- */

struct container {
        char *id;
        char *dir;
        char *config;       /* the runtime's options at create */
        char *backend;
        char *state;
        char *pod;          /* the pod's ID */
        char *bundle;
        char *rootfs;
        char *created;      /* RFC 3339 */
        pid_t keeper;
        uid_t owner;
        struct json_object *annotations;
        struct json_object *hooks;
};

static void container_done(struct container *k) {
        free(k->config);
        free(k->backend);
        free(k->state);
        free(k->id);
        free(k->dir);
        free(k->pod);
        free(k->bundle);
        free(k->rootfs);
        free(k->created);
        json_object_put(k->annotations);
        json_object_put(k->hooks);
        *k = (struct container){ 0 };
}

static bool id_is_valid(const char *id) {
        if (!*id || strlen(id) > 1024 || strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
                return false;
        for (const char *p = id; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      strchr("_+-.", *p)))
                        return false;
        return true;
}

static int container_save(const struct container *k) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(k->id));
        json_object_object_add(o, "pod", json_object_new_string(k->pod ? k->pod : ""));
        json_object_object_add(o, "config", k->config ? json_object_new_string(k->config) : NULL);
        json_object_object_add(o, "backend", k->backend ? json_object_new_string(k->backend) : NULL);
        json_object_object_add(o, "state", k->state ? json_object_new_string(k->state) : NULL);
        json_object_object_add(o, "bundle", json_object_new_string(k->bundle));
        json_object_object_add(o, "rootfs", json_object_new_string(k->rootfs ? k->rootfs : ""));
        json_object_object_add(o, "created", json_object_new_string(k->created));
        json_object_object_add(o, "keeper", json_object_new_int(k->keeper));
        json_object_object_add(o, "owner", json_object_new_int64(k->owner));
        json_object_object_add(o, "annotations", json_object_get(k->annotations));
        json_object_object_add(o, "hooks", json_object_get(k->hooks));
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        _cleanup_free_ char *path = path_join(k->dir, "container.json");
        int r = path ? write_file_atomic(path, s, strlen(s), 0600, 0) : -ENOMEM;
        json_object_put(o);
        if (r < 0)
                log_error("%s: %s", path ? path : k->dir, strerror(-r));
        return r;
}

static const char *jstr(struct json_object *o, const char *key) {
        struct json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                       ? json_object_get_string(v)
                       : NULL;
}

static char *xstrdup(const char *s) {
        return s ? strdup(s) : NULL;
}

/* Loads the container; prints runc's error when it does not exist. */
static int container_load(struct ctx *c, const char *id, struct container *ret) {
        if (!id_is_valid(id)) {
                log_error("container \"%s\" does not exist", id);
                return -EXIT_FAIL;
        }
        struct container k = { 0 };
        if (asprintf(&k.dir, "%s/%s", c->containers, id) < 0)
                return -EXIT_FAIL;
        _cleanup_free_ char *path = path_join(k.dir, "container.json"), *text = NULL;
        size_t len;
        if (!path || read_file(path, 1 << 20, &text, &len) < 0) {
                log_error("container \"%s\" does not exist", id);
                container_done(&k);
                return -EXIT_FAIL;
        }
        struct json_object *o = json_tokener_parse(text), *v;
        if (!o) {
                log_error("container \"%s\": %s is not valid JSON", id, path);
                container_done(&k);
                return -EXIT_FAIL;
        }
        k.id = strdup(id);
        k.pod = xstrdup(jstr(o, "pod"));
        k.config = xstrdup(jstr(o, "config"));
        k.backend = xstrdup(jstr(o, "backend"));
        k.state = xstrdup(jstr(o, "state"));
        k.bundle = xstrdup(jstr(o, "bundle"));
        k.rootfs = xstrdup(jstr(o, "rootfs"));
        k.created = xstrdup(jstr(o, "created"));
        if (json_object_object_get_ex(o, "keeper", &v))
                k.keeper = json_object_get_int(v);
        if (json_object_object_get_ex(o, "owner", &v))
                k.owner = (uid_t)json_object_get_int64(v);
        if (json_object_object_get_ex(o, "annotations", &v))
                k.annotations = json_object_get(v);
        if (json_object_object_get_ex(o, "hooks", &v))
                k.hooks = json_object_get(v);
        json_object_put(o);
        *ret = k;
        return 0;
}

static int ctx_runtime(struct ctx *c, const struct container *k) {
        if (c->rt)
                return 0;
        struct runtime_options o = c->opts;
        if (k) {
                if (!o.config_path && k->config && *k->config)
                        o.config_path = k->config;
                if (!o.backend && k->backend && *k->backend)
                        o.backend = k->backend;
                if (!o.root && k->state && *k->state)
                        o.root = k->state;
        }
        struct podrt_error *e = NULL;
        if (runtime_new(&o, &c->rt, &e) < 0)
                return -fail_err(e);
        return 0;
}

/* The keeper runs: alive and still the process we made (its command line
 * names the container). */
static bool keeper_alive(const struct container *k) {
        return k->keeper > 0 && kill(k->keeper, 0) == 0 && pid_cmdline_contains(k->keeper, k->id) > 0;
}

/* runc's status and pid of the container. */
static const char *container_status(struct ctx *c, const struct container *k, pid_t *ret_pid,
                                    struct json_object **ret_pod) {
        *ret_pid = 0;
        bool alive = keeper_alive(k);
        const char *state = "stopped";
        struct json_object *st = NULL;
        struct podrt_error *e = NULL;
        if (k->pod && *k->pod && runtime_status(c->rt, k->pod, &st, &e) >= 0) {
                const char *s = jstr(st, "state");
                /* Static strings: st goes before the caller reads them. */
                if (s && alive)
                        state = strcmp(s, "created") == 0   ? "created"
                              : strcmp(s, "running") == 0 ? "running"
                              : strcmp(s, "paused") == 0  ? "paused"
                                                          : "stopped";
        } else
                podrt_error_free(e);
        if (strcmp(state, "stopped") != 0)
                *ret_pid = k->keeper;
        if (ret_pod)
                *ret_pod = st;
        else
                json_object_put(st);
        return state;
}

static struct json_object *state_object(const struct container *k, const char *status, pid_t pid, bool full) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "ociVersion", json_object_new_string(OCI_VERSION));
        json_object_object_add(o, "id", json_object_new_string(k->id));
        json_object_object_add(o, "pid", json_object_new_int(pid));
        json_object_object_add(o, "status", json_object_new_string(status));
        json_object_object_add(o, "bundle", json_object_new_string(k->bundle ? k->bundle : ""));
        if (full) {
                json_object_object_add(o, "rootfs", json_object_new_string(k->rootfs ? k->rootfs : ""));
                json_object_object_add(o, "created", json_object_new_string(k->created ? k->created : ""));
                struct passwd *pw = getpwuid(k->owner);
                json_object_object_add(o, "owner", json_object_new_string(pw ? pw->pw_name : ""));
        }
        json_object_object_add(o, "annotations",
                               k->annotations ? json_object_get(k->annotations) : json_object_new_object());
        return o;
}

/* ---- hooks: run by podrt-runtime at the spec's stages ------------------ */

/* Runs every hook of stage with the state on stdin.  Returns 0, or -1 when
 * one failed (logged). */
static int run_hooks(const struct container *k, const char *stage, const char *status, pid_t pid) {
        struct json_object *list = NULL;
        if (!k->hooks || !json_object_object_get_ex(k->hooks, stage, &list) || !json_object_is_type(list, json_type_array))
                return 0;
        struct json_object *st = state_object(k, status, pid, false);
        const char *state = json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        int ret = 0;
        for (size_t i = 0; i < json_object_array_length(list) && ret == 0; i++) {
                struct json_object *h = json_object_array_get_idx(list, i), *v;
                const char *path = jstr(h, "path");
                _cleanup_strv_free_ char **args = calloc(1, sizeof(char *)), **env = calloc(1, sizeof(char *));
                if (!path || !args || !env)
                        continue;
                if (json_object_object_get_ex(h, "args", &v) && json_object_is_type(v, json_type_array))
                        for (size_t j = 0; j < json_object_array_length(v); j++)
                                strv_push(&args, json_object_get_string(json_object_array_get_idx(v, j)));
                if (!args[0])
                        strv_push(&args, path);
                if (json_object_object_get_ex(h, "env", &v) && json_object_is_type(v, json_type_array))
                        for (size_t j = 0; j < json_object_array_length(v); j++)
                                strv_push(&env, json_object_get_string(json_object_array_get_idx(v, j)));
                int timeout = json_object_object_get_ex(h, "timeout", &v) ? json_object_get_int(v) : 0;
                int p[2];
                if (pipe2(p, O_CLOEXEC) < 0) {
                        ret = -1;
                        break;
                }
                pid_t child = fork();
                if (child == 0) {
                        child_setup(p[0], -1, -1, 0);
                        execve(path, args, env);
                        _exit(127);
                }
                close(p[0]);
                if (child > 0)
                        (void)write_all(p[1], state, strlen(state));
                close(p[1]);
                int status_code = -1;
                if (child > 0) {
                        int64_t deadline = timeout > 0 ? (int64_t)time(NULL) + timeout : 0;
                        for (;;) {
                                int wst;
                                pid_t w = waitpid(child, &wst, deadline ? WNOHANG : 0);
                                if (w == child) {
                                        status_code = WIFEXITED(wst) ? WEXITSTATUS(wst) : 128 + WTERMSIG(wst);
                                        break;
                                }
                                if (w < 0 && errno != EINTR)
                                        break;
                                if (deadline && time(NULL) >= deadline) {
                                        kill(child, SIGKILL);
                                        waitpid(child, NULL, 0);
                                        log_error("%s hook %s: timed out after %ds", stage, path, timeout);
                                        break;
                                }
                                if (deadline)
                                        usleep(10000);
                        }
                }
                if (status_code != 0) {
                        if (status_code > 0)
                                log_error("%s hook #%zu (%s): exit status %d", stage, i, path, status_code);
                        ret = -1;
                }
        }
        json_object_put(st);
        return ret;
}

/* ---- create ------------------------------------------------------------ */

static int send_fd(const char *socket_path, int fd, const char *name) {
        _cleanup_close_ int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (s < 0 || strlen(socket_path) >= sizeof sa.sun_path)
                return -EINVAL;
        strcpy(sa.sun_path, socket_path);
        if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0)
                return -errno;
        char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
        struct iovec iov = { .iov_base = (void *)name, .iov_len = strlen(name) };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(cm), &fd, sizeof(int));
        return sendmsg(s, &msg, 0) < 0 ? -errno : 0;
}

/* A new terminal: the master sent over console_socket, the slave returned. */
static int terminal_open(const char *console_socket) {
        _cleanup_close_ int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
                log_error("allocating a terminal: %m");
                return -1;
        }
        const char *name = ptsname(master);
        int slave = name ? open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
        if (slave < 0) {
                log_error("opening %s: %m", name ? name : "the terminal");
                return -1;
        }
        int r = send_fd(console_socket, master, name);
        if (r < 0) {
                log_error("--console-socket %s: %s", console_socket, strerror(-r));
                close(slave);
                return -1;
        }
        return slave;
}

static int write_pid_file(const char *path, pid_t pid) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%d", (int)pid);
        int r = write_file_atomic(path, buf, (size_t)n, 0644, 0);
        if (r < 0)
                log_error("--pid-file %s: %s", path, strerror(-r));
        return r;
}

/* The rlimits go on the keeper, whose children the backend and the
 * workload are.  The oci backend writes its own rlimits into runc's
 * config.json, and runc cannot raise a hard limit lowered here: there only
 * the soft limits are set. */
static void apply_process_limits(const struct oci_translation *t, const char *backend) {
        bool soft_only = backend && strcmp(backend, "oci") == 0;
        if (soft_only && t->n_rlimits)
                log_warning("process.rlimits: the oci backend sets its own hard limits; only the soft ones apply");
        for (size_t i = 0; i < t->n_rlimits; i++) {
                struct rlimit rl = { .rlim_cur = t->rlimits[i].soft, .rlim_max = t->rlimits[i].hard };
                if (soft_only) {
                        struct rlimit cur;
                        if (getrlimit(t->rlimits[i].resource, &cur) < 0)
                                continue;
                        rl.rlim_max = cur.rlim_max;
                        if (rl.rlim_cur > rl.rlim_max)
                                rl.rlim_cur = rl.rlim_max;
                }
                if (setrlimit(t->rlimits[i].resource, &rl) < 0)
                        log_warning("rlimit %d (%" PRIu64 ":%" PRIu64 "): %m", t->rlimits[i].resource,
                                    t->rlimits[i].soft, t->rlimits[i].hard);
        }
        if (t->has_oom_score_adj) {
                char buf[16];
                snprintf(buf, sizeof buf, "%d", t->oom_score_adj);
                if (write_string_file("/proc/self/oom_score_adj", buf) < 0)
                        log_warning("oomScoreAdj %d: %m", t->oom_score_adj);
        }
}

/* The keeper, after fork: waits for start, runs the pod in the foreground,
 * exits with the workload's status. */
static _Noreturn void keeper_main(struct ctx *c, struct container *k, struct oci_translation *t, int tty,
                                  int start_fd) {
        if (tty >= 0) {
                setsid();
                ioctl(tty, TIOCSCTTY, 0);
                dup2(tty, 0), dup2(tty, 1), dup2(tty, 2);
                if (tty > 2)
                        close(tty);
        }
        apply_process_limits(t, k->backend);
        if (t->netns_path) {
                int fd = open(t->netns_path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
                        log_error("joining the network namespace %s: %m", t->netns_path);
                        _exit(EXIT_FAIL);
                }
                close(fd);
        }
        _cleanup_free_ char *rf = path_join(k->dir, "ready.fifo");
        char b;
        ssize_t got;
        while ((got = read(start_fd, &b, 1)) < 0 && errno == EINTR)
                ;
        if (got != 1)
                _exit(EXIT_FAIL);
        close(start_fd);
        int ready = open(rf, O_WRONLY | O_CLOEXEC);
        if (run_hooks(k, "startContainer", "created", getpid()) < 0) {
                if (ready >= 0)
                        dprintf(ready, "%d startContainer hook failed", EIO);
                _exit(EXIT_FAIL);
        }
        int status = 0;
        struct podrt_error *e = NULL;
        int r = monitor_run(c->rt, k->pod, MONITOR_FOREGROUND, ready, &status, &e);
        if (r < 0) {
                log_error("%s", podrt_error_message(e));
                _exit(EXIT_FAIL);
        }
        run_hooks(k, "poststop", "stopped", 0);
        /* runc runs poststop at delete; podrt-runtime once, when the
         * workload ended, and notes it so delete does not run them again. */
        _cleanup_free_ char *done = path_join(k->dir, "poststop.done");
        if (done)
                (void)write_file_atomic(done, "1", 1, 0600, 0);
        _exit(status);
}

static char *absolute(const char *path) {
        if (path[0] == '/')
                return strdup(path);
        _cleanup_free_ char *cwd = getcwd(NULL, 0);
        char *j = NULL;
        return cwd && asprintf(&j, "%s/%s", cwd, path) >= 0 ? j : NULL;
}

static int cmd_create(struct ctx *c, int argc, char **argv, int i) {
        static const struct oci_opt opts[] = {
                { "bundle", 'b', true }, { "pid-file", 0, true }, { "console-socket", 0, true },
                { "no-pivot", 0, false }, { "no-new-keyring", 0, false }, { "preserve-fds", 0, true },
                { NULL, 0, false },
        };
        const char *v[OCI_MAX_OPTS] = { 0 };
        char msg[256];
        if (oci_parse_opts(opts, argc, argv, &i, v, msg, sizeof msg) < 0) {
                log_error("%s", msg);
                return EXIT_FAIL;
        }
        if (i + 1 != argc) {
                log_error("create: exactly one container ID is required");
                return EXIT_FAIL;
        }
        const char *id = argv[i];
        if (!id_is_valid(id)) {
                log_error("invalid container ID \"%s\"", id);
                return EXIT_FAIL;
        }
        if (v[5] && atoi(v[5]) > 0)
                log_warning("--preserve-fds %s: extra file descriptors do not reach the workload", v[5]);
        int r = ctx_runtime(c, NULL);
        if (r < 0)
                return -r;

        _cleanup_free_ char *bundle = absolute(v[0] ? v[0] : ".");
        _cleanup_free_ char *cfgpath = bundle ? path_join(bundle, "config.json") : NULL, *text = NULL;
        size_t len;
        if (!cfgpath || (r = read_file(cfgpath, 4 << 20, &text, &len)) < 0) {
                log_error("%s: %s", cfgpath ? cfgpath : "config.json", strerror(r < 0 ? -r : ENOMEM));
                return EXIT_FAIL;
        }
        struct json_object *config = json_tokener_parse(text);
        if (!config) {
                log_error("%s: not valid JSON", cfgpath);
                return EXIT_FAIL;
        }
        struct oci_translation t;
        struct podrt_error *e = NULL;
        r = oci_translate(config, bundle, id, runtime_backend(c->rt), &t, &e);
        json_object_put(config);
        if (r < 0)
                return fail_err(e);
        for (size_t w = 0; t.warnings[w]; w++)
                log_warning("%s", t.warnings[w]);

        struct container k = { .id = strdup(id), .bundle = strdup(bundle), .owner = getuid() };
        k.config = c->opts.config_path ? absolute(c->opts.config_path) : NULL;
        k.backend = xstrdup(runtime_backend(c->rt));
        k.state = xstrdup(runtime_state_dir(c->rt));
        char created[64];
        rfc3339(created, sizeof created);
        k.created = strdup(created);
        struct json_object *app = json_object_array_get_idx(json_object_object_get(t.manifest, "containers"), 0);
        k.rootfs = xstrdup(jstr(app, "rootfs"));
        k.annotations = json_object_get(json_object_object_get(t.manifest, "annotations"));
        k.hooks = json_object_get(t.hooks);
        int code = EXIT_FAIL, tty = -1, start_fd = -1;
        bool made = false;
        _cleanup_free_ char *mpath = NULL, *sf = NULL, *rf = NULL;
        if (asprintf(&k.dir, "%s/%s", c->containers, id) < 0)
                goto out;
        if (mkdir(k.dir, 0700) < 0) {
                log_error(errno == EEXIST ? "container with id exists: %s" : "%s: %m", errno == EEXIST ? id : k.dir);
                goto out;
        }
        made = true;
        mpath = path_join(k.dir, "manifest.json"), sf = path_join(k.dir, "start.fifo"), rf = path_join(k.dir, "ready.fifo");
        const char *mtext = json_object_to_json_string_ext(t.manifest, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!mpath || !sf || !rf || write_file_atomic(mpath, mtext, strlen(mtext), 0600, 0) < 0 ||
            mkfifo(sf, 0600) < 0 || mkfifo(rf, 0600) < 0) {
                log_error("%s: %m", k.dir);
                goto out;
        }
        runtime_set_network(c->rt, t.netns_path ? "host" : t.network);
        char podid[POD_ID_LEN + 1];
        char name[64];
        oci_pod_name(id, name);
        if (runtime_create(c->rt, mpath, name, podid, &e) < 0) {
                code = fail_err(e);
                goto out;
        }
        k.pod = strdup(podid);
        if (t.terminal) {
                if (!v[2]) {
                        log_error("process.terminal is true but no --console-socket was given");
                        goto out_pod;
                }
                if ((tty = terminal_open(v[2])) < 0)
                        goto out_pod;
        }
        /* Open for reading and writing: start's write finds a reader from
         * now on, for as long as the keeper lives. */
        start_fd = open(sf, O_RDWR | O_CLOEXEC);
        if (start_fd < 0) {
                log_error("%s: %m", sf);
                goto out_pod;
        }
        fflush(stdout);
        fflush(stderr);
        pid_t keeper = fork();
        if (keeper < 0) {
                log_error("fork: %m");
                goto out_pod;
        }
        if (keeper == 0)
                keeper_main(c, &k, &t, tty, start_fd);
        close(TAKE_FD(start_fd));
        k.keeper = keeper;
        if (container_save(&k) < 0)
                goto out_kill;
        /* runc runs these between creating the namespaces and pivoting into
         * the root: here, once the pod exists and before it runs. */
        if (run_hooks(&k, "prestart", "created", keeper) < 0 || run_hooks(&k, "createRuntime", "created", keeper) < 0 ||
            run_hooks(&k, "createContainer", "created", keeper) < 0)
                goto out_kill;
        if (v[1] && write_pid_file(v[1], keeper) < 0)
                goto out_kill;
        code = 0;
        made = false;
        goto out;
out_kill:
        kill(keeper, SIGKILL);
        waitpid(keeper, NULL, 0);
out_pod:
        if (k.pod) {
                struct podrt_error *de = NULL;
                if (runtime_delete(c->rt, k.pod, 1, &de) < 0)
                        podrt_error_free(de);
        }
out:
        if (tty >= 0)
                close(tty);
        if (start_fd >= 0)
                close(start_fd);
        if (made && k.dir)
                rm_rf(k.dir);
        container_done(&k);
        oci_translation_done(&t);
        return code;
}

/* ---- start, state, kill, delete, pause, resume, ps, list --------------- */

static int one_id(const char *cmd, const struct oci_opt *opts, const char **v, int argc, char **argv, int *i) {
        char msg[256];
        if (oci_parse_opts(opts, argc, argv, i, v, msg, sizeof msg) < 0) {
                log_error("%s", msg);
                return -1;
        }
        if (*i >= argc) {
                log_error("%s: a container ID is required", cmd);
                return -1;
        }
        return 0;
}

static const struct oci_opt no_opts[] = { { NULL, 0, false } };

static int cmd_start(struct ctx *c, int argc, char **argv, int i) {
        const char *v[OCI_MAX_OPTS] = { 0 };
        struct container k;
        int r;
        if (one_id("start", no_opts, v, argc, argv, &i) < 0)
                return EXIT_FAIL;
        if ((r = container_load(c, argv[i], &k)) < 0)
                return -r;
        if ((r = ctx_runtime(c, &k)) < 0) {
                container_done(&k);
                return -r;
        }
        pid_t pid;
        const char *status = container_status(c, &k, &pid, NULL);
        int code = EXIT_FAIL;
        _cleanup_free_ char *sf = path_join(k.dir, "start.fifo"), *rf = path_join(k.dir, "ready.fifo");
        _cleanup_close_ int ready = -1;
        if (strcmp(status, "created") != 0) {
                log_error(strcmp(status, "stopped") == 0 ? "cannot start a container that has stopped"
                                                         : "cannot start an already running container");
                goto out;
        }
        ready = rf ? open(rf, O_RDONLY | O_NONBLOCK | O_CLOEXEC) : -1;
        int s = sf ? open(sf, O_WRONLY | O_NONBLOCK | O_CLOEXEC) : -1;
        if (ready < 0 || s < 0 || write(s, "1", 1) != 1) {
                log_error("container %s: its process is gone: %m", k.id);
                if (s >= 0)
                        close(s);
                goto out;
        }
        close(s);
        char buf[4096];
        size_t n = 0;
        bool connected = false;
        for (;;) {
                struct pollfd p = { .fd = ready, .events = POLLIN };
                int pr = poll(&p, 1, 100);
                if (pr > 0) {
                        ssize_t got = read(ready, buf + n, sizeof buf - 1 - n);
                        if (got > 0) {
                                n += (size_t)got, connected = true;
                                continue;
                        }
                        if (got == 0 && (connected || (p.revents & POLLHUP)))
                                break;
                }
                if (!keeper_alive(&k) && !connected)
                        break;
                if (pr == 0 && connected && n > 0)
                        continue;
        }
        buf[n] = '\0';
        char *rest = NULL;
        long rc = n ? strtol(buf, &rest, 10) : -1;
        if (rc != 0) {
                log_error("starting container %s: %s", k.id, n ? (rest && *rest == ' ' ? rest + 1 : buf) : "its process exited");
                goto out;
        }
        run_hooks(&k, "poststart", "running", k.keeper);
        code = 0;
out:
        container_done(&k);
        return code;
}

static int cmd_state(struct ctx *c, int argc, char **argv, int i) {
        const char *v[OCI_MAX_OPTS] = { 0 };
        struct container k;
        int r;
        if (one_id("state", no_opts, v, argc, argv, &i) < 0)
                return EXIT_FAIL;
        if ((r = container_load(c, argv[i], &k)) < 0)
                return -r;
        if ((r = ctx_runtime(c, &k)) < 0) {
                container_done(&k);
                return -r;
        }
        pid_t pid;
        const char *status = container_status(c, &k, &pid, NULL);
        struct json_object *o = state_object(&k, status, pid, true);
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        container_done(&k);
        return 0;
}

static int cmd_kill(struct ctx *c, int argc, char **argv, int i) {
        static const struct oci_opt opts[] = { { "all", 'a', false }, { "pid", 'p', true }, { NULL, 0, false } };
        const char *v[OCI_MAX_OPTS] = { 0 };
        struct container k;
        int r;
        if (one_id("kill", opts, v, argc, argv, &i) < 0)
                return EXIT_FAIL;
        int signo = SIGTERM;
        if (i + 1 < argc && (signo = oci_parse_signal(argv[i + 1])) < 0) {
                log_error("unknown signal \"%s\"", argv[i + 1]);
                return EXIT_FAIL;
        }
        if ((r = container_load(c, argv[i], &k)) < 0)
                return -r;
        if ((r = ctx_runtime(c, &k)) < 0) {
                container_done(&k);
                return -r;
        }
        pid_t pid;
        const char *status = container_status(c, &k, &pid, NULL);
        int code = 0;
        if (strcmp(status, "stopped") == 0) {
                log_error("container not running");
                code = EXIT_FAIL;
        } else if (strcmp(status, "created") == 0) {
                /* Nothing runs yet but the keeper: it is the container. */
                if (kill(k.keeper, signo) < 0) {
                        log_error(errno == ESRCH ? "no such process" : "kill: %m");
                        code = EXIT_FAIL;
                }
        } else {
                struct podrt_error *e = NULL;
                if (runtime_kill(c->rt, k.pod, signo, &e) < 0)
                        code = fail_err(e);
        }
        container_done(&k);
        return code;
}

static void keeper_wait_gone(const struct container *k, int ms) {
        for (int t = 0; t < ms / 10 && keeper_alive(k); t++)
                usleep(10000);
}

static int cmd_delete(struct ctx *c, int argc, char **argv, int i) {
        static const struct oci_opt opts[] = { { "force", 'f', false }, { NULL, 0, false } };
        const char *v[OCI_MAX_OPTS] = { 0 };
        struct container k;
        int r;
        if (one_id("delete", opts, v, argc, argv, &i) < 0)
                return EXIT_FAIL;
        if ((r = container_load(c, argv[i], &k)) < 0)
                return -r;
        if ((r = ctx_runtime(c, &k)) < 0) {
                container_done(&k);
                return -r;
        }
        pid_t pid;
        const char *status = container_status(c, &k, &pid, NULL);
        bool force = v[0] != NULL;
        if (strcmp(status, "stopped") != 0 && strcmp(status, "created") != 0 && !force) {
                log_error("cannot delete container %s that is not stopped: %s", k.id, status);
                container_done(&k);
                return EXIT_FAIL;
        }
        struct podrt_error *e = NULL;
        if (strcmp(status, "running") == 0 || strcmp(status, "paused") == 0) {
                if (strcmp(status, "paused") == 0)
                        runtime_resume(c->rt, k.pod, NULL);
                if (runtime_kill(c->rt, k.pod, SIGKILL, &e) < 0)
                        e = podrt_error_free(e);
        }
        if (keeper_alive(&k)) {
                if (strcmp(status, "created") == 0)
                        kill(k.keeper, SIGKILL);
                keeper_wait_gone(&k, 10000);
        }
        int code = 0;
        if (k.pod && *k.pod && runtime_delete(c->rt, k.pod, 1, &e) < 0) {
                if (podrt_error_code(e) != ENOENT)
                        code = fail_err(e);
                else
                        podrt_error_free(e);
                e = NULL;
        }
        _cleanup_free_ char *done = path_join(k.dir, "poststop.done");
        if (done && access(done, F_OK) < 0)
                run_hooks(&k, "poststop", "stopped", 0);
        if (code == 0)
                rm_rf(k.dir);
        container_done(&k);
        return code;
}

static int cmd_pause_resume(struct ctx *c, int argc, char **argv, int i, bool pause) {
        const char *v[OCI_MAX_OPTS] = { 0 };
        struct container k;
        int r;
        if (one_id(pause ? "pause" : "resume", no_opts, v, argc, argv, &i) < 0)
                return EXIT_FAIL;
        if ((r = container_load(c, argv[i], &k)) < 0)
                return -r;
        if ((r = ctx_runtime(c, &k)) < 0) {
                container_done(&k);
                return -r;
        }
        pid_t pid;
        const char *status = container_status(c, &k, &pid, NULL);
        int code = 0;
        struct podrt_error *e = NULL;
        if (strcmp(status, pause ? "running" : "paused") != 0) {
                log_error(strcmp(status, "stopped") == 0 || strcmp(status, "created") == 0 ? "container not running"
                                                                                          : "container not paused");
                code = EXIT_FAIL;
        } else if ((pause ? runtime_pause(c->rt, k.pod, &e) : runtime_resume(c->rt, k.pod, &e)) < 0)
                code = fail_err(e);
        container_done(&k);
        return code;
}

/* The processes of the container: the keeper's descendants, without the
 * keeper (runc lists the container's own processes). */
static size_t descendants(pid_t root, pid_t *out, size_t max) {
        size_t n = 0;
        pid_t queue[4096];
        size_t qh = 0, qt = 0;
        queue[qt++] = root;
        while (qh < qt && n < max) {
                pid_t parent = queue[qh++];
                char path[64];
                snprintf(path, sizeof path, "/proc/%d/task/%d/children", parent, parent);
                _cleanup_free_ char *text = NULL;
                size_t len;
                if (read_file(path, 1 << 20, &text, &len) < 0)
                        continue;
                for (char *p = text, *end; *p; p = end) {
                        long pid = strtol(p, &end, 10);
                        if (end == p)
                                break;
                        if (n < max)
                                out[n++] = (pid_t)pid;
                        if (qt < ELEMENTSOF(queue))
                                queue[qt++] = (pid_t)pid;
                }
        }
        return n;
}

static int cmd_ps(struct ctx *c, int argc, char **argv, int i) {
        static const struct oci_opt opts[] = { { "format", 'f', true }, { NULL, 0, false } };
        const char *v[OCI_MAX_OPTS] = { 0 };
        struct container k;
        int r;
        if (one_id("ps", opts, v, argc, argv, &i) < 0)
                return EXIT_FAIL;
        if ((r = container_load(c, argv[i], &k)) < 0)
                return -r;
        if ((r = ctx_runtime(c, &k)) < 0) {
                container_done(&k);
                return -r;
        }
        pid_t pid;
        const char *status = container_status(c, &k, &pid, NULL);
        pid_t pids[1024];
        size_t n = strcmp(status, "stopped") == 0 ? 0 : descendants(k.keeper, pids, ELEMENTSOF(pids));
        if (v[0] && strcmp(v[0], "json") == 0) {
                struct json_object *a = json_object_new_array();
                for (size_t j = 0; j < n; j++)
                        json_object_array_add(a, json_object_new_int(pids[j]));
                puts(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(a);
        } else {
                printf("PID\tCMD\n");
                for (size_t j = 0; j < n; j++) {
                        char path[64];
                        snprintf(path, sizeof path, "/proc/%d/comm", pids[j]);
                        _cleanup_free_ char *comm = NULL;
                        size_t len;
                        if (read_file(path, 4096, &comm, &len) >= 0 && len && comm[len - 1] == '\n')
                                comm[len - 1] = '\0';
                        printf("%d\t%s\n", pids[j], comm ? comm : "?");
                }
        }
        container_done(&k);
        return 0;
}

static int cmd_list(struct ctx *c, int argc, char **argv, int i) {
        static const struct oci_opt opts[] = { { "format", 'f', true }, { "quiet", 'q', false }, { NULL, 0, false } };
        const char *v[OCI_MAX_OPTS] = { 0 };
        char msg[256];
        if (oci_parse_opts(opts, argc, argv, &i, v, msg, sizeof msg) < 0) {
                log_error("%s", msg);
                return EXIT_FAIL;
        }
        struct json_object *all = json_object_new_array();
        _cleanup_strv_free_ char **ids = calloc(1, sizeof(char *));
        DIR *d = opendir(c->containers);
        for (struct dirent *de; d && (de = readdir(d));)
                if (de->d_name[0] != '.')
                        strv_push(&ids, de->d_name);
        if (d)
                closedir(d);
        for (size_t j = 0; ids && ids[j]; j++) {
                struct container k;
                if (container_load(c, ids[j], &k) < 0)
                        continue;
                /* Each with the runtime its pod was made with. */
                struct ctx one = { .opts = c->opts, .containers = c->containers };
                if (ctx_runtime(&one, &k) >= 0) {
                        pid_t pid;
                        const char *status = container_status(&one, &k, &pid, NULL);
                        json_object_array_add(all, state_object(&k, status, pid, true));
                }
                runtime_free(one.rt);
                container_done(&k);
        }
        if (v[0] && strcmp(v[0], "json") == 0)
                puts(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        else {
                if (!v[1])
                        printf("%-20s %-8s %-10s %-40s %-32s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
                for (size_t j = 0; j < json_object_array_length(all); j++) {
                        struct json_object *o = json_object_array_get_idx(all, j);
                        if (v[1])
                                printf("%s\n", jstr(o, "id"));
                        else
                                printf("%-20s %-8d %-10s %-40s %-32s %s\n", jstr(o, "id"),
                                       json_object_get_int(json_object_object_get(o, "pid")), jstr(o, "status"),
                                       jstr(o, "bundle"), jstr(o, "created"), jstr(o, "owner"));
                }
        }
        json_object_put(all);
        return 0;
}

/* ---- exec --------------------------------------------------------------- */

static int cmd_exec(struct ctx *c, int argc, char **argv, int i) {
        static const struct oci_opt opts[] = {
                { "process", 'p', true }, { "detach", 'd', false }, { "pid-file", 0, true },
                { "tty", 't', false }, { "console-socket", 0, true }, { "preserve-fds", 0, true },
                { "cwd", 0, true }, { "env", 'e', true }, { "user", 'u', true }, { "no-new-privs", 0, false },
                { "cap", 'c', true }, { "process-label", 0, true }, { "apparmor", 0, true },
                { "additional-gids", 'g', true }, { "cgroup", 0, true }, { "ignore-paused", 0, false },
                { NULL, 0, false },
        };
        const char *v[OCI_MAX_OPTS] = { 0 };
        struct container k;
        int r;
        if (one_id("exec", opts, v, argc, argv, &i) < 0)
                return EXIT_FAIL;
        const char *id = argv[i++];
        _cleanup_strv_free_ char **args = calloc(1, sizeof(char *));
        bool tty = v[3] != NULL;
        if (v[0]) {
                _cleanup_free_ char *text = NULL;
                size_t len;
                if ((r = read_file(v[0], 4 << 20, &text, &len)) < 0) {
                        log_error("--process %s: %s", v[0], strerror(-r));
                        return EXIT_FAIL;
                }
                struct json_object *p = json_tokener_parse(text), *a, *t;
                if (!p || !json_object_object_get_ex(p, "args", &a) || !json_object_is_type(a, json_type_array) ||
                    json_object_array_length(a) == 0) {
                        log_error("--process %s: process.args: must not be empty", v[0]);
                        json_object_put(p);
                        return EXIT_FAIL;
                }
                for (size_t j = 0; j < json_object_array_length(a); j++)
                        strv_push(&args, json_object_get_string(json_object_array_get_idx(a, j)));
                if (json_object_object_get_ex(p, "terminal", &t))
                        tty = json_object_get_boolean(t);
                json_object_put(p);
        } else
                for (; i < argc; i++)
                        strv_push(&args, argv[i]);
        if (!args || !args[0]) {
                log_error("exec: a command is required (ID CMD... or --process FILE)");
                return EXIT_FAIL;
        }
        if ((r = container_load(c, id, &k)) < 0)
                return -r;
        if ((r = ctx_runtime(c, &k)) < 0) {
                container_done(&k);
                return -r;
        }
        pid_t pid;
        const char *status = container_status(c, &k, &pid, NULL);
        int code = EXIT_FAIL, term = -1;
        if (strcmp(status, "running") != 0) {
                log_error(strcmp(status, "paused") == 0 ? "cannot exec in a paused container" : "container not running");
                goto out;
        }
        if (tty && v[4] && (term = terminal_open(v[4])) < 0)
                goto out;
        fflush(stdout);
        pid_t child = v[1] ? fork() : 0;
        if (child < 0) {
                log_error("fork: %m");
                goto out;
        }
        if (child == 0) {
                if (term >= 0) {
                        setsid();
                        ioctl(term, TIOCSCTTY, 0);
                        dup2(term, 0), dup2(term, 1), dup2(term, 2);
                }
                int st = 0;
                struct podrt_error *e = NULL;
                r = runtime_exec(c->rt, k.pod, NULL, args, tty && term >= 0 ? 1 : tty && isatty(0), &st, &e);
                if (r < 0) {
                        int en = podrt_error_code(e);
                        st = en == ENOENT ? 127 : EXIT_FAIL;
                        fail_err(e);
                }
                if (v[1])
                        _exit(st);
                code = st;
                goto out;
        }
        if (v[2] && write_pid_file(v[2], child) < 0) {
                kill(child, SIGKILL);
                goto out;
        }
        code = 0;
out:
        if (term >= 0)
                close(term);
        container_done(&k);
        return code;
}

/* ---- features, version, unsupported ------------------------------------ */

static int cmd_features(void) {
        struct json_object *o = json_object_new_object(), *a;
        json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
        json_object_object_add(o, "ociVersionMax", json_object_new_string("1.1.0"));
        a = json_object_new_array();
        static const char *const hooks[] = { "prestart", "createRuntime", "createContainer", "startContainer",
                                             "poststart", "poststop" };
        for (size_t j = 0; j < ELEMENTSOF(hooks); j++)
                json_object_array_add(a, json_object_new_string(hooks[j]));
        json_object_object_add(o, "hooks", a);
        a = json_object_new_array();
        static const char *const mopts[] = { "bind", "rbind", "ro", "rw" };
        for (size_t j = 0; j < ELEMENTSOF(mopts); j++)
                json_object_array_add(a, json_object_new_string(mopts[j]));
        json_object_object_add(o, "mountOptions", a);
        struct json_object *lx = json_object_new_object();
        a = json_object_new_array();
        static const char *const nss[] = { "pid", "network", "ipc", "uts", "mount", "cgroup" };
        for (size_t j = 0; j < ELEMENTSOF(nss); j++)
                json_object_array_add(a, json_object_new_string(nss[j]));
        json_object_object_add(lx, "namespaces", a);
        struct json_object *sec = json_object_new_object();
        json_object_object_add(sec, "enabled", json_object_new_boolean(0));
        json_object_object_add(lx, "seccomp", sec);
        json_object_object_add(o, "linux", lx);
        struct json_object *an = json_object_new_object();
        json_object_object_add(an, "io.podrt.runtime.version", json_object_new_string(PODRT_VERSION));
        json_object_object_add(o, "annotations", an);
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        return 0;
}

static void print_version(void) {
        printf("podrt-runtime version %s\nspec: %s\n", PODRT_VERSION, OCI_VERSION);
}

static void usage(FILE *f) {
        fputs("Usage: podrt-runtime [--root DIR] [--log FILE] [--log-format text|json] [--systemd-cgroup]\n"
              "                     [--debug] [--backend NAME] [--config FILE] COMMAND [ARGS...]\n\n"
              "runc's command line over podrt pods (see docs/runtime.md).\n\n"
              "Commands:\n"
              "  create    create a container: --bundle DIR --pid-file FILE [--console-socket PATH] ID\n"
              "  start     start a created container\n"
              "  state     print the OCI state of a container\n"
              "  kill      send a signal (default TERM): [--all] ID [SIGNAL]\n"
              "  delete    delete a container: [--force] ID\n"
              "  exec      run a process in a container: --process FILE [--detach] [--pid-file FILE] ID, or ID CMD...\n"
              "  pause     freeze a container\n"
              "  resume    thaw a container\n"
              "  ps        the container's processes: [--format json] ID\n"
              "  list      the containers\n"
              "  features  what podrt-runtime supports (JSON)\n"
              "  update, checkpoint, restore: not supported\n", f);
}

int main(int argc, char **argv) {
        /* conmon gives a minimal environment: helpers found by absolute
         * path through a PATH of our own when there is none. */
        setenv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", 0);
        static const struct oci_opt gopts[] = {
                { "root", 0, true },        { "log", 0, true },      { "log-format", 0, true },
                { "systemd-cgroup", 0, false }, { "debug", 0, false }, { "backend", 0, true },
                { "config", 0, true },      { "version", 'v', false }, { "help", 'h', false },
                { "criu", 0, true },        { "rootless", 0, true }, { NULL, 0, false },
        };
        const char *v[OCI_MAX_OPTS] = { 0 };
        char msg[256];
        int i = 1;
        int r = oci_parse_opts(gopts, argc, argv, &i, v, msg, sizeof msg);
        log_path = v[1];
        if (v[2] && strcmp(v[2], "json") != 0 && strcmp(v[2], "text") != 0) {
                log_error("invalid log-format: %s", v[2]);
                return EXIT_FAIL;
        }
        log_json = v[2] && strcmp(v[2], "json") == 0;
        debug = v[4] != NULL;
        if (r < 0) {
                log_error("%s", msg);
                return EXIT_FAIL;
        }
        if (v[7]) {
                print_version();
                return 0;
        }
        if (v[8] || i >= argc) {
                usage(v[8] ? stdout : stderr);
                return v[8] ? 0 : EXIT_FAIL;
        }
        _cleanup_free_ char *root = v[0] ? absolute(v[0]) : NULL;
        struct ctx c = {
                .opts = { .root = root, .backend = v[5], .config_path = v[6],
                          .log_level = debug ? PODRT_LOG_DEBUG : PODRT_LOG_WARNING },
        };
        if (v[5] && !*v[5]) {
                log_error("--backend: empty name");
                return EXIT_FAIL;
        }
        if (root && mkdir_p(root, 0711) < 0) {
                log_error("--root %s: %m", root);
                return EXIT_FAIL;
        }
        if ((root && asprintf(&c.containers, "%s/containers", root) < 0) ||
            (!root && !(c.containers = strdup(OCI_CONTAINERS_DIR)))) {
                log_error("out of memory");
                return EXIT_FAIL;
        }
        if (mkdir_p(c.containers, 0711) < 0) {
                log_error("%s: %m", c.containers);
                return EXIT_FAIL;
        }
        const char *cmd = argv[i++];
        log_debug("%s", cmd);
        int code;
        if (strcmp(cmd, "create") == 0)
                code = cmd_create(&c, argc, argv, i);
        else if (strcmp(cmd, "start") == 0)
                code = cmd_start(&c, argc, argv, i);
        else if (strcmp(cmd, "state") == 0)
                code = cmd_state(&c, argc, argv, i);
        else if (strcmp(cmd, "kill") == 0)
                code = cmd_kill(&c, argc, argv, i);
        else if (strcmp(cmd, "delete") == 0)
                code = cmd_delete(&c, argc, argv, i);
        else if (strcmp(cmd, "exec") == 0)
                code = cmd_exec(&c, argc, argv, i);
        else if (strcmp(cmd, "pause") == 0)
                code = cmd_pause_resume(&c, argc, argv, i, true);
        else if (strcmp(cmd, "resume") == 0)
                code = cmd_pause_resume(&c, argc, argv, i, false);
        else if (strcmp(cmd, "ps") == 0)
                code = cmd_ps(&c, argc, argv, i);
        else if (strcmp(cmd, "list") == 0)
                code = cmd_list(&c, argc, argv, i);
        else if (strcmp(cmd, "features") == 0)
                code = cmd_features();
        else if (strcmp(cmd, "checkpoint") == 0 || strcmp(cmd, "restore") == 0 || strcmp(cmd, "update") == 0) {
                log_error("%s is not supported by podrt-runtime", cmd);
                code = EXIT_FAIL;
        } else if (strcmp(cmd, "help") == 0) {
                usage(stdout);
                code = 0;
        } else {
                log_error("unknown command \"%s\"", cmd);
                code = EXIT_FAIL;
        }
        fflush(stdout);
        runtime_free(c.rt);
        free(c.containers);
        return code;
}
