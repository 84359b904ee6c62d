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
