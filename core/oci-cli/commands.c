/* SPDX-License-Identifier: Apache-2.0 */
/* start, state, kill, delete, pause, resume, ps, list. */
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

#include "cri.h"
#include "oci-cli.h"

/* ---- start, state, kill, delete, pause, resume, ps, list --------------- */

int one_id(const char *cmd, const struct oci_opt *opts, const char **v, int argc, char **argv, int *i) {
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

/* A command's options and its one ID, the container's record and the
 * runtime it was made with: 0, else the exit code to return. */
int open_container(struct ctx *c, const char *cmd, const struct oci_opt *opts, const char **v,
                          int argc, char **argv, int i, struct container *k) {
        if (one_id(cmd, opts, v, argc, argv, &i) < 0)
                return EXIT_FAIL;
        return container_open(c, argv[i], k);
}


int cmd_start(struct ctx *c, int argc, char **argv, int i) {
        const char *v[OCI_MAX_OPTS] = { 0 };
        struct container k;
        int r;
        if ((r = open_container(c, "start", no_opts, v, argc, argv, i, &k)) != 0)
                return r;
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

int cmd_state(struct ctx *c, int argc, char **argv, int i) {
        const char *v[OCI_MAX_OPTS] = { 0 };
        struct container k;
        int r;
        if ((r = open_container(c, "state", no_opts, v, argc, argv, i, &k)) != 0)
                return r;
        pid_t pid;
        const char *status = container_status(c, &k, &pid, NULL);
        struct json_object *o = state_object(&k, status, pid, true);
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        container_done(&k);
        return 0;
}

int cmd_kill(struct ctx *c, int argc, char **argv, int i) {
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
        if ((r = container_open(c, argv[i], &k)) != 0)
                return r;
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
                if ((k.app ? runtime_app_kill(c->rt, k.pod, k.app, signo, &e) : runtime_kill(c->rt, k.pod, signo, &e)) < 0)
                        code = fail_err(e);
        }
        container_done(&k);
        return code;
}

void keeper_wait_gone(const struct container *k, int ms) {
        for (int t = 0; t < ms / 10 && keeper_alive(k); t++)
                usleep(10000);
}

int cmd_delete(struct ctx *c, int argc, char **argv, int i) {
        static const struct oci_opt opts[] = { { "force", 'f', false }, { NULL, 0, false } };
        const char *v[OCI_MAX_OPTS] = { 0 };
        struct container k;
        int r;
        if ((r = open_container(c, "delete", opts, v, argc, argv, i, &k)) != 0)
                return r;
        pid_t pid;
        const char *status = container_status(c, &k, &pid, NULL);
        bool force = v[0] != NULL;
        if (strcmp(status, "stopped") != 0 && strcmp(status, "created") != 0 && !force) {
                log_error("cannot delete container %s that is not stopped: %s", k.id, status);
                container_done(&k);
                return EXIT_FAIL;
        }
        struct podrt_error *e = NULL;
        int code = 0;
        if (k.app) {
                /* A CRI container: its app leaves the pod (cri.c). */
                if (strcmp(status, "created") == 0 && keeper_alive(&k))
                        kill(k.keeper, SIGKILL);
                code = -cri_remove_app(c, &k);
                keeper_wait_gone(&k, 10000);
                goto hooks;
        }
        if (cri_pod_shared(c, &k)) {
                /* A sandbox whose containers remain: the pod goes with the
                 * last of them. */
                if (strcmp(status, "created") == 0 && keeper_alive(&k))
                        kill(k.keeper, SIGKILL);
                goto hooks;
        }
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
        if (k.pod && *k.pod && runtime_delete(c->rt, k.pod, 1, &e) < 0) {
                if (podrt_error_code(e) != ENOENT)
                        code = fail_err(e);
                else
                        podrt_error_free(e);
                e = NULL;
        }
hooks:;
        _cleanup_free_ char *done = path_join(k.dir, "poststop.done");
        if (done && access(done, F_OK) < 0)
                run_hooks(&k, "poststop", "stopped", 0);
        if (code == 0)
                rm_rf(k.dir);
        container_done(&k);
        return code;
}

int cmd_pause_resume(struct ctx *c, int argc, char **argv, int i, bool pause) {
        const char *v[OCI_MAX_OPTS] = { 0 };
        struct container k;
        int r;
        if (one_id(pause ? "pause" : "resume", no_opts, v, argc, argv, &i) < 0)
                return EXIT_FAIL;
        if ((r = container_open(c, argv[i], &k)) != 0)
                return r;
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
size_t descendants(pid_t root, pid_t *out, size_t max) {
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

int cmd_ps(struct ctx *c, int argc, char **argv, int i) {
        static const struct oci_opt opts[] = { { "format", 'f', true }, { NULL, 0, false } };
        const char *v[OCI_MAX_OPTS] = { 0 };
        struct container k;
        int r;
        if ((r = open_container(c, "ps", opts, v, argc, argv, i, &k)) != 0)
                return r;
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

int cmd_list(struct ctx *c, int argc, char **argv, int i) {
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
