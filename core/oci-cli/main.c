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

#include "oci-cli.h"

/* ---- features, version, unsupported ------------------------------------ */

int cmd_features(void) {
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

void print_version(void) {
        printf("podrt-runtime version %s\nspec: %s\n", PODRT_VERSION, OCI_VERSION);
}

void usage(FILE *f) {
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
        else if (strcmp(cmd, "update") == 0)
                code = cmd_update(&c, argc, argv, i);
        else if (strcmp(cmd, "checkpoint") == 0 || strcmp(cmd, "restore") == 0) {
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
