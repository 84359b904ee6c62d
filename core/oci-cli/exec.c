/* SPDX-License-Identifier: Apache-2.0 */
/* exec: a process in a running container. */
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

#include "oci-cli.h"

/* ---- exec --------------------------------------------------------------- */

static int parse_id(const char *s, uint32_t *ret) {
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (!*s || *end || errno || v > UINT32_MAX - 1 || *s == '-')
                return -1;
        *ret = (uint32_t)v;
        return 0;
}

/* runc's --user UID[:GID]. */
static int parse_user(const char *s, struct podrt_exec_process *proc) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", s);
        char *colon = strchr(buf, ':');
        if (colon)
                *colon = '\0';
        if (parse_id(buf, &proc->uid) < 0 || (colon ? parse_id(colon + 1, &proc->gid) : parse_id(buf, &proc->gid)) < 0) {
                log_error("--user %s: must be UID[:GID] (numbers)", s);
                return -1;
        }
        proc->flags |= PODRT_EXEC_PROCESS_USER;
        return 0;
}

/* --process FILE's env, cwd and user (uid, gid, additionalGids). */
static int process_options(const char *file, struct json_object *p, char ***env, char **cwd, uint32_t **groups,
                           struct podrt_exec_process *proc) {
        struct json_object *o, *u;
        if (json_object_object_get_ex(p, "env", &o) && o) {
                if (!json_object_is_type(o, json_type_array)) {
                        log_error("--process %s: process.env: must be an array of KEY=VALUE", file);
                        return -1;
                }
                strv_free(*env);
                *env = calloc(1, sizeof(char *));
                for (size_t j = 0; *env && j < json_object_array_length(o); j++) {
                        const char *kv = json_object_get_string(json_object_array_get_idx(o, j));
                        if (!kv || !strchr(kv, '=') || kv[0] == '=') {
                                log_error("--process %s: process.env[%zu]: must be KEY=VALUE", file, j);
                                return -1;
                        }
                        if (strv_push(env, kv) < 0)
                                break;
                }
                if (!*env) {
                        log_error("out of memory");
                        return -1;
                }
        }
        if (json_object_object_get_ex(p, "cwd", &o) && o) {
                const char *d = json_object_get_string(o);
                if (!json_object_is_type(o, json_type_string) || d[0] != '/') {
                        log_error("--process %s: process.cwd: must be an absolute path", file);
                        return -1;
                }
                free(*cwd);
                *cwd = strdup(d);
        }
        if (json_object_object_get_ex(p, "user", &u) && u) {
                struct json_object *id;
                proc->flags |= PODRT_EXEC_PROCESS_USER;
                proc->uid = json_object_object_get_ex(u, "uid", &id) ? (uint32_t)json_object_get_int64(id) : 0;
                proc->gid = json_object_object_get_ex(u, "gid", &id) ? (uint32_t)json_object_get_int64(id) : 0;
                if (json_object_object_get_ex(u, "additionalGids", &o) && json_object_is_type(o, json_type_array)) {
                        size_t n = json_object_array_length(o);
                        free(*groups);
                        if (!(*groups = calloc(n + 1, sizeof(**groups)))) {
                                log_error("out of memory");
                                return -1;
                        }
                        for (size_t j = 0; j < n; j++)
                                (*groups)[j] = (uint32_t)json_object_get_int64(json_object_array_get_idx(o, j));
                        proc->groups = *groups;
                        proc->n_groups = n;
                }
        }
        return 0;
}

int cmd_exec(struct ctx *c, int argc, char **argv, int i) {
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
        _cleanup_strv_free_ char **args = calloc(1, sizeof(char *)), **env = NULL;
        _cleanup_free_ char *cwd = v[6] ? strdup(v[6]) : NULL;
        _cleanup_free_ uint32_t *groups = NULL;
        struct podrt_exec_process proc = { .size = sizeof proc };
        bool tty = v[3] != NULL;
        if (v[7] && (strv_push(&env, v[7]) < 0 || !strchr(v[7], '='))) {
                log_error("--env %s: must be KEY=VALUE", v[7]);
                return EXIT_FAIL;
        }
        if (v[8] && parse_user(v[8], &proc) < 0)
                return EXIT_FAIL;
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
                r = process_options(v[0], p, &env, &cwd, &groups, &proc);
                json_object_put(p);
                if (r < 0)
                        return EXIT_FAIL;
        } else
                for (; i < argc; i++)
                        strv_push(&args, argv[i]);
        if (!args || !args[0]) {
                log_error("exec: a command is required (ID CMD... or --process FILE)");
                return EXIT_FAIL;
        }
        proc.env = (const char *const *)env;
        proc.cwd = cwd;
        if ((r = container_open(c, id, &k)) != 0)
                return r;
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
                r = runtime_exec(c->rt, k.pod, k.app, args, tty && term >= 0 ? 1 : tty && isatty(0), &proc, &st, &e);
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
