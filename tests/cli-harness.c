/* SPDX-License-Identifier: Apache-2.0 */
/* The podrt command as the CLI suites run it (cli-harness.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli-harness.h"

char tmpdir[] = "/tmp/podrt-test-cli-XXXXXX";
char root[4096], podrt_bin[4096], mock_log[4096];

/* The last call's output. */
char *OUT, *ERR;
int OUT_EOF;     /* stdout reached EOF within 5 s of podrt's exit */

static void append(char **buf, size_t *len, const char *data, size_t n) {
        char *b = realloc(*buf, *len + n + 1);
        if (!b)
                abort();
        memcpy(b + *len, data, n);
        *len += n;
        b[*len] = 0;
        *buf = b;
}

/* Runs argv with env (NULL-terminated "K=V", or NULL) added; fills OUT and
 * ERR; returns the exit code, 128+N for a signal, -1 on a timeout (60 s). */
int run_argv(char *const *env, char *const *argv) {
        int out[2], err[2];
        free(OUT);
        free(ERR);
        OUT = strdup("");
        ERR = strdup("");
        OUT_EOF = 0;
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
                abort();
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
                abort();
        if (pid == 0) {
                int null = open("/dev/null", O_RDONLY);
                dup2(null, 0);
                dup2(out[1], 1);
                dup2(err[1], 2);
                close_range(3, ~0U, 0);
                signal(SIGPIPE, SIG_DFL);
                for (char *const *e = env; e && *e; e++)
                        putenv(*e);
                execv(argv[0], argv);
                _exit(127);
        }
        close(out[1]);
        close(err[1]);
        struct pollfd pfd[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
        size_t lens[2] = { 0, 0 };
        char **bufs[2] = { &OUT, &ERR };
        int status = 0, exited = 0, open_fds = 2;
        long long start = now_ms(), exit_time = 0;
        while (open_fds > 0) {
                if (!exited && waitpid(pid, &status, WNOHANG) == pid) {
                        exited = 1;
                        exit_time = now_ms();
                }
                if (exited && now_ms() - exit_time > 5000)
                        break;  /* something podrt started holds the pipe */
                if (!exited && now_ms() - start > 60000) {
                        kill(pid, SIGKILL);
                        waitpid(pid, &status, 0);
                        close(out[0]);
                        close(err[0]);
                        return -1;
                }
                if (poll(pfd, 2, 100) < 0 && errno != EINTR)
                        abort();
                for (int i = 0; i < 2; i++) {
                        if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                                continue;
                        char buf[4096];
                        ssize_t n = read(pfd[i].fd, buf, sizeof buf);
                        if (n > 0) {
                                append(bufs[i], &lens[i], buf, (size_t)n);
                        } else {
                                if (i == 0)
                                        OUT_EOF = 1;
                                close(pfd[i].fd);
                                pfd[i].fd = -1;
                                open_fds--;
                        }
                }
        }
        for (int i = 0; i < 2; i++)
                if (pfd[i].fd >= 0)
                        close(pfd[i].fd);
        if (!exited)
                waitpid(pid, &status, 0);
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        return 128 + WTERMSIG(status);
}

#define MAX_ARGS 64

/* podrt [--root ROOT --backend mock] ARGS...; env may be NULL. */
static int vpodrt(char *const *env, int std, va_list ap) {
        char *argv[MAX_ARGS];
        int n = 0;
        argv[n++] = podrt_bin;
        if (std) {
                argv[n++] = "--root";
                argv[n++] = root;
                argv[n++] = "--backend";
                argv[n++] = "mock";
        }
        const char *a;
        while ((a = va_arg(ap, const char *)) && n < MAX_ARGS - 1)
                argv[n++] = (char *)a;
        argv[n] = NULL;
        return run_argv(env, argv);
}

int podrt_env(char *const *env, ...) {
        va_list ap;
        va_start(ap, env);
        int r = vpodrt(env, 1, ap);
        va_end(ap);
        return r;
}

int podrt_raw(int dummy, ...) {
        va_list ap;
        va_start(ap, dummy);
        int r = vpodrt(NULL, 0, ap);
        va_end(ap);
        return r;
}


void write_file(const char *path, const char *content) {
        FILE *f = fopen(path, "we");
        if (!f) {
                perror(path);
                abort();
        }
        fputs(content, f);
        fclose(f);
}

/* A manifest in tmpdir/NAME.json for pod NAME running the shell script. */
const char *manifest_sh(const char *name, const char *script) {
        static char path[4096];
        json_object *m = json_object_new_object(), *c = json_object_new_object(),
                    *cs = json_object_new_array(), *cmd = json_object_new_array();
        json_object_object_add(m, "apiVersion", json_object_new_string("podrt/v1"));
        json_object_object_add(m, "kind", json_object_new_string("Pod"));
        json_object_object_add(m, "name", json_object_new_string(name));
        json_object_object_add(c, "name", json_object_new_string("app"));
        json_object_object_add(c, "rootfs", json_object_new_string("rootfs"));
        json_object_array_add(cmd, json_object_new_string("/bin/sh"));
        json_object_array_add(cmd, json_object_new_string("-c"));
        json_object_array_add(cmd, json_object_new_string(script));
        json_object_object_add(c, "command", cmd);
        json_object_array_add(cs, c);
        json_object_object_add(m, "containers", cs);
        snprintf(path, sizeof path, "%s/%s.json", tmpdir, name);
        write_file(path, json_object_to_json_string(m));
        json_object_put(m);
        return path;
}

json_object *parse_out(void) {
        return json_tokener_parse(OUT);
}

/* The pod's state from `status --json`, or "" (static buffer). */
const char *pod_state(const char *ref) {
        static char state[32];
        state[0] = 0;
        if (PODRT("status", "--json", ref) != 0)
                return state;
        json_object *o = parse_out(), *s;
        if (o && json_object_object_get_ex(o, "state", &s))
                snprintf(state, sizeof state, "%s", json_object_get_string(s));
        json_object_put(o);
        return state;
}

/* Waits up to 15 s for the pod to reach state. */
int wait_state(const char *ref, const char *state) {
        for (int i = 0; i < 150; i++) {
                if (strcmp(pod_state(ref), state) == 0)
                        return 1;
                usleep(100 * 1000);
        }
        return 0;
}

/* The first app's exitCode from `status --json`, or -1000. */
int app_exit_code(const char *ref) {
        int code = -1000;
        if (PODRT("status", "--json", ref) != 0)
                return code;
        json_object *o = parse_out(), *apps, *c;
        if (o && json_object_object_get_ex(o, "apps", &apps) &&
            json_object_array_length(apps) > 0 &&
            json_object_object_get_ex(json_object_array_get_idx(apps, 0), "exitCode", &c) &&
            json_object_is_type(c, json_type_int))
                code = json_object_get_int(c);
        json_object_put(o);
        return code;
}

/* Number of pods `list --json` reports, -1 when it fails. */
int pod_count(void) {
        if (PODRT("list", "--json") != 0)
                return -1;
        json_object *o = parse_out();
        int n = json_object_is_type(o, json_type_array) ? (int)json_object_array_length(o) : -1;
        json_object_put(o);
        return n;
}

/* Deletes every pod (after a failed test, so the next one starts clean). */
void delete_all(void) {
        if (PODRT("list", "--json") != 0)
                return;
        json_object *o = parse_out();
        size_t n = json_object_is_type(o, json_type_array) ? json_object_array_length(o) : 0;
        for (size_t i = 0; i < n; i++) {
                json_object *id;
                if (json_object_object_get_ex(json_object_array_get_idx(o, i), "id", &id))
                        PODRT("delete", "--force", json_object_get_string(id));
        }
        json_object_put(o);
}

int is_pod_id_line(const char *s) {
        size_t n = strspn(s, "0123456789abcdef");
        return n == 32 && strcmp(s + n, "\n") == 0;
}

int suite_init(void) {
        if (!mkdtemp(tmpdir))
                return -1;
        const char *build = getenv("PODRT_BUILD_DIR");
        if (!build)
                return -1;
        snprintf(podrt_bin, sizeof podrt_bin, "%s/core/cli/podrt", build);
        snprintf(root, sizeof root, "%s/root", tmpdir);
        snprintf(mock_log, sizeof mock_log, "%s/mock.log", tmpdir);
        char rootfs[4200];
        snprintf(rootfs, sizeof rootfs, "%s/rootfs", tmpdir);
        if (mkdir(rootfs, 0755) < 0)
                return -1;
        unsetenv("PODRT_CONFIG");
        unsetenv("PODRT_MOCK_FAIL");
        unsetenv("PODRT_MOCK_LOG");
        return access(podrt_bin, X_OK);
}

int suite_cleanup(void) {
        delete_all();
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
        free(OUT);
        free(ERR);
        OUT = ERR = NULL;
        return system(cmd) == 0 ? 0 : -1;
}

