/* SPDX-License-Identifier: Apache-2.0 */
/* A bundle's own hooks, run by podrt-runtime at the spec's stages. */
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

/* ---- hooks: run by podrt-runtime at the spec's stages ------------------ */

/* Runs every hook of stage with the state on stdin.  Returns 0, or -1 when
 * one failed (logged). */
int run_hooks(const struct container *k, const char *stage, const char *status, pid_t pid) {
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
