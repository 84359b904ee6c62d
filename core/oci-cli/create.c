/* SPDX-License-Identifier: Apache-2.0 */
/* create: the bundle to a pod, and the keeper process the --pid-file names. */
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
#include <sys/sysmacros.h>
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

#include "cri.h"
#include "oci-cli.h"

/* ---- create ------------------------------------------------------------ */

int send_fd(const char *socket_path, int fd, const char *name) {
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
int terminal_open(const char *console_socket) {
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

int write_pid_file(const char *path, pid_t pid) {
        char buf[32];
        int n = snprintf(buf, sizeof buf, "%d", (int)pid);
        int r = write_file_atomic(path, buf, (size_t)n, 0644, 0);
        if (r < 0)
                log_error("--pid-file %s: %s", path, strerror(-r));
        return r;
}

/* The rlimits and oomScoreAdj go on the keeper, whose children the backend
 * and the workload are.  On the oci backend the runtime runs the bundle's
 * own config.json and applies them itself. */
void apply_process_limits(const struct oci_translation *t, const char *backend) {
        if (backend && strcmp(backend, "oci") == 0)
                return;
        for (size_t i = 0; i < t->n_rlimits; i++) {
                struct rlimit rl = { .rlim_cur = t->rlimits[i].soft, .rlim_max = t->rlimits[i].hard };
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

int keeper_wait_start(const struct container *k, int start_fd) {
        _cleanup_free_ char *rf = path_join(k->dir, "ready.fifo");
        char b;
        ssize_t got;
        while ((got = read(start_fd, &b, 1)) < 0 && errno == EINTR)
                ;
        if (got != 1)
                _exit(EXIT_FAIL);
        close(start_fd);
        int ready = rf ? open(rf, O_WRONLY | O_CLOEXEC) : -1;
        if (run_hooks(k, "startContainer", "created", getpid()) < 0) {
                if (ready >= 0)
                        dprintf(ready, "%d startContainer hook failed", EIO);
                _exit(EXIT_FAIL);
        }
        return ready;
}

/* The keeper, after fork: waits for start, runs the pod in the foreground,
 * exits with the workload's status. */
_Noreturn void keeper_main(struct ctx *c, struct container *k, struct oci_translation *t, int tty,
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
        int ready = keeper_wait_start(k, start_fd);
        int status = 0;
        struct podrt_error *e = NULL;
        /* The workload's stdin is ours (conmon's pipe, the shim's fifo, or
         * /dev/null); with a terminal, its stdio are the terminal. */
        unsigned mflags = MONITOR_FOREGROUND | (tty >= 0 ? MONITOR_TTY : MONITOR_STDIN);
        int r = monitor_run(c->rt, k->pod, mflags, ready, &status, &e);
        if (r < 0) {
                log_error("%s", podrt_error_message(e));
                _exit(EXIT_FAIL);
        }
        keeper_poststop(k);
        _exit(status);
}

/* runc runs poststop at delete; podrt-runtime once, when the workload
 * ended, and notes it so delete does not run them again. */
void keeper_poststop(const struct container *k) {
        run_hooks(k, "poststop", "stopped", 0);
        _cleanup_free_ char *done = path_join(k->dir, "poststop.done");
        if (done)
                (void)write_file_atomic(done, "1", 1, 0600, 0);
}

char *absolute(const char *path) {
        if (path[0] == '/')
                return strdup(path);
        _cleanup_free_ char *cwd = getcwd(NULL, 0);
        char *j = NULL;
        return cwd && asprintf(&j, "%s/%s", cwd, path) >= 0 ? j : NULL;
}

int cmd_create(struct ctx *c, int argc, char **argv, int i) {
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
        if (!oci_id_is_valid(id)) {
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
        /* What podrt's pods cannot do: moot on the oci backend, whose runtime
         * gets the bundle as it is. */
        bool passthrough = strcmp(runtime_backend(c->rt), "oci") == 0;
        for (size_t w = 0; !passthrough && t.warnings[w]; w++)
                log_warning("%s", t.warnings[w]);
        struct stat in;
        if (strcmp(runtime_backend(c->rt), "kvm") == 0 && fstat(STDIN_FILENO, &in) == 0 &&
            !(S_ISCHR(in.st_mode) && in.st_rdev == makedev(1, 3)))
                log_warning("kvm: the workload's stdin is not connected into the VM (not supported yet): it reads /dev/null");

        struct container k = { .id = strdup(id), .bundle = strdup(bundle), .owner = getuid() };
        k.config = c->opts.config_path ? absolute(c->opts.config_path) : NULL;
        k.backend = xstrdup(runtime_backend(c->rt));
        k.state = xstrdup(runtime_state_dir(c->rt));
        char created[64];
        rfc3339(created, sizeof created);
        k.created = strdup(created);
        struct json_object *app = json_object_array_get_idx(json_object_object_get(t.manifest, "containers"), 0);
        k.rootfs = xstrdup(jstr(app, "rootfs"));
        struct json_object *an = json_object_object_get(t.manifest, "annotations");
        if (an)
                json_object_deep_copy(an, &k.annotations, NULL);
        k.hooks = json_object_get(t.hooks);
        /* The oci backend runs the client's own config.json (plugins/oci
         * passthrough.c): it learns where from the pod's annotation. */
        if (passthrough) {
                if (!an)
                        json_object_object_add(t.manifest, "annotations", an = json_object_new_object());
                json_object_object_add(an, "io.podrt.oci.bundle", json_object_new_string(bundle));
        }
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
        /* The bundle's root is the container's, as with runc: what the
         * workload writes lands there (podman cp, diff, commit), not in a
         * layer of podrt's. */
        if (!podrt_config_is_set(c->rt->cfg, "storage"))
                runtime_set_storage(c->rt, "dir");
        const char *sandbox = cri_sandbox_of(k.annotations);
        if (sandbox) {
                /* A CRI container: an app of its sandbox's pod (cri.c). */
                if (t.terminal) {
                        log_error("%s: process.terminal: a container of a sandbox has no terminal yet", cfgpath);
                        goto out;
                }
                if (cri_add(c, &k, &t, sandbox, cfgpath) < 0)
                        goto out;
        } else {
                char podid[POD_ID_LEN + 1];
                char name[64];
                oci_pod_name(id, name);
                if (runtime_create(c->rt, mpath, name, podid, &e) < 0) {
                        code = fail_err(e);
                        goto out;
                }
                k.pod = strdup(podid);
        }
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
        if (keeper == 0 && k.app)
                cri_keeper_main(c, &k, start_fd);
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
        if (k.app)
                (void)cri_remove_app(c, &k);
        else if (k.pod) {
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
