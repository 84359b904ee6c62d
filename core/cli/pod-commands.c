/* SPDX-License-Identifier: Apache-2.0 */
/* The commands that act on pods: run, create, start, stop, kill, pause,
 * resume, delete, logs, exec, gc. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int no_options(struct cli *cli, int opt, const char *arg, void *userdata) {
        return 1;
}

struct create_args {
        unsigned flags;
        const char *name;
};

static int create_option(struct cli *cli, int opt, const char *arg, void *userdata) {
        struct create_args *a = userdata;
        switch (opt) {
        case 'd':
                a->flags |= RUN_DETACH;
                return 0;
        case 'r':
                a->flags |= RUN_RM;
                return 0;
        case 'n':
                if (!*arg) {
                        cli_usage_error(cli, "--name: empty name");
                        return 1;
                }
                a->name = arg;
                return 0;
        }
        return 1;
}

int cmd_run(struct cli *cli, int argc, char **argv) {
        static const struct option options[] = {
                { "detach", no_argument, NULL, 'd' },
                { "rm", no_argument, NULL, 'r' },
                { "name", required_argument, NULL, 'n' },
                { 0 },
        };
        struct create_args a = { 0 };
        struct runtime *rt;
        int r = cli_parse(cli, argc, argv, "d", options, create_option, &a);
        if (r >= 0)
                return r;
        const char *manifest;
        if ((r = cli_operand_runtime(cli, argc, argv, "MANIFEST", &manifest, &rt)) != 0)
                return r;

        struct podrt_error *err = NULL;
        char id[POD_ID_LEN + 1] = "";
        int status = 0;
        fflush(stdout);
        if (runtime_run(rt, manifest, a.name, a.flags, id, &status, &err) < 0)
                return cli_fail(cli, manifest, err);
        if (a.flags & RUN_DETACH) {
                printf("%s\n", id);
                return cli_finish_output(cli, 0);
        }
        fflush(stdout);
        return status >= 0 && status <= 255 ? status : EXIT_PODRT_FAILED;
}

int cmd_create(struct cli *cli, int argc, char **argv) {
        static const struct option options[] = {
                { "name", required_argument, NULL, 'n' },
                { 0 },
        };
        struct create_args a = { 0 };
        struct runtime *rt;
        int r = cli_parse(cli, argc, argv, "", options, create_option, &a);
        if (r >= 0)
                return r;
        const char *manifest;
        if ((r = cli_operand_runtime(cli, argc, argv, "MANIFEST", &manifest, &rt)) != 0)
                return r;

        struct podrt_error *err = NULL;
        char id[POD_ID_LEN + 1] = "";
        if (runtime_create(rt, manifest, a.name, id, &err) < 0)
                return cli_fail(cli, manifest, err);
        printf("%s\n", id);
        return cli_finish_output(cli, 0);
}

/* start, pause, resume: POD and no options. */
static int simple_pod_command(struct cli *cli, int argc, char **argv,
                              int (*fn)(struct runtime *, const char *, struct podrt_error **)) {
        struct runtime *rt;
        int r = cli_parse(cli, argc, argv, "", NULL, no_options, NULL);
        if (r >= 0)
                return r;
        const char *pod;
        if ((r = cli_operand_runtime(cli, argc, argv, "POD", &pod, &rt)) != 0)
                return r;
        struct podrt_error *err = NULL;
        if (fn(rt, pod, &err) < 0)
                return cli_fail(cli, pod, err);
        return 0;
}

int cmd_start(struct cli *cli, int argc, char **argv) {
        return simple_pod_command(cli, argc, argv, runtime_start);
}

int cmd_pause(struct cli *cli, int argc, char **argv) {
        return simple_pod_command(cli, argc, argv, runtime_pause);
}

int cmd_resume(struct cli *cli, int argc, char **argv) {
        return simple_pod_command(cli, argc, argv, runtime_resume);
}

static int stop_option(struct cli *cli, int opt, const char *arg, void *userdata) {
        if (parse_seconds(arg, userdata) < 0) {
                cli_usage_error(cli, "--timeout: '%s' is not a number of seconds", arg);
                return 1;
        }
        return 0;
}

int cmd_stop(struct cli *cli, int argc, char **argv) {
        static const struct option options[] = {
                { "timeout", required_argument, NULL, 't' },
                { "time", required_argument, NULL, 't' },
                { 0 },
        };
        unsigned timeout = 10;
        struct runtime *rt;
        int r = cli_parse(cli, argc, argv, "t:", options, stop_option, &timeout);
        if (r >= 0)
                return r;
        const char *pod;
        if ((r = cli_operand_runtime(cli, argc, argv, "POD", &pod, &rt)) != 0)
                return r;
        struct podrt_error *err = NULL;
        if (runtime_stop(rt, pod, timeout, &err) < 0)
                return cli_fail(cli, pod, err);
        return 0;
}

static int kill_option(struct cli *cli, int opt, const char *arg, void *userdata) {
        if (parse_signal(arg, userdata) < 0) {
                cli_usage_error(cli, "--signal: unknown signal '%s'", arg);
                return 1;
        }
        return 0;
}

int cmd_kill(struct cli *cli, int argc, char **argv) {
        static const struct option options[] = {
                { "signal", required_argument, NULL, 's' },
                { 0 },
        };
        int signo = SIGTERM;
        struct runtime *rt;
        int r = cli_parse(cli, argc, argv, "s:", options, kill_option, &signo);
        if (r >= 0)
                return r;
        const char *pod;
        if ((r = cli_operand_runtime(cli, argc, argv, "POD", &pod, &rt)) != 0)
                return r;
        struct podrt_error *err = NULL;
        if (runtime_kill(rt, pod, signo, &err) < 0)
                return cli_fail(cli, pod, err);
        return 0;
}

static int flag_option(struct cli *cli, int opt, const char *arg, void *userdata) {
        *(int *)userdata = 1;
        return 0;
}

int cmd_delete(struct cli *cli, int argc, char **argv) {
        static const struct option options[] = {
                { "force", no_argument, NULL, 'f' },
                { 0 },
        };
        int force = 0, failed = 0;
        struct runtime *rt;
        int r = cli_parse(cli, argc, argv, "f", options, flag_option, &force);
        if (r >= 0)
                return r;
        if (optind >= argc)
                return cli_usage_error(cli, "missing POD");
        for (int i = optind; i < argc; i++)
                if (!*argv[i])
                        return cli_usage_error(cli, "empty POD");
        if ((r = cli_runtime(cli, argv[optind], &rt)) != 0)
                return r;
        for (int i = optind; i < argc; i++) {
                struct podrt_error *err = NULL;
                if (runtime_delete(rt, argv[i], force, &err) < 0) {
                        cli_fail(cli, argv[i], err);
                        failed = 1;
                }
        }
        return failed ? EXIT_PODRT_FAILED : 0;
}

struct logs_args {
        const char *app;
        int follow;
};

static int logs_option(struct cli *cli, int opt, const char *arg, void *userdata) {
        struct logs_args *a = userdata;
        if (opt == 'f') {
                a->follow = 1;
                return 0;
        }
        if (!*arg) {
                cli_usage_error(cli, "--app: empty name");
                return 1;
        }
        a->app = arg;
        return 0;
}

int cmd_logs(struct cli *cli, int argc, char **argv) {
        static const struct option options[] = {
                { "app", required_argument, NULL, 'a' },
                { "follow", no_argument, NULL, 'f' },
                { 0 },
        };
        struct logs_args a = { 0 };
        struct runtime *rt;
        int r = cli_parse(cli, argc, argv, "f", options, logs_option, &a);
        if (r >= 0)
                return r;
        const char *pod;
        if ((r = cli_operand_runtime(cli, argc, argv, "POD", &pod, &rt)) != 0)
                return r;
        cli_ignore_sigpipe();
        fflush(stdout);
        struct podrt_error *err = NULL;
        if (runtime_logs(rt, pod, a.app, a.follow, STDOUT_FILENO, &err) < 0) {
                if (podrt_error_code(err) == EPIPE) {   /* `podrt logs x | head` */
                        podrt_error_free(err);
                        return 0;
                }
                return cli_fail(cli, pod, err);
        }
        return 0;
}

struct exec_args {
        const char *app;
        int tty;
};

static int exec_option(struct cli *cli, int opt, const char *arg, void *userdata) {
        struct exec_args *a = userdata;
        if (opt == 't') {
                a->tty = 1;
                return 0;
        }
        if (!*arg) {
                cli_usage_error(cli, "--app: empty name");
                return 1;
        }
        a->app = arg;
        return 0;
}

int cmd_exec(struct cli *cli, int argc, char **argv) {
        static const struct option options[] = {
                { "app", required_argument, NULL, 'a' },
                { "tty", no_argument, NULL, 't' },
                { 0 },
        };
        struct exec_args a = { 0 };
        struct runtime *rt;
        int r = cli_parse(cli, argc, argv, "t", options, exec_option, &a);
        if (r >= 0)
                return r;
        if (optind >= argc)
                return cli_usage_error(cli, "missing POD");
        const char *pod = argv[optind++];
        if (!*pod)
                return cli_usage_error(cli, "empty POD");
        if (optind < argc && streq(argv[optind], "--"))
                optind++;
        if (optind >= argc)
                return cli_usage_error(cli, "missing CMD (podrt exec POD -- CMD [ARG...])");
        if (!*argv[optind])
                return cli_usage_error(cli, "empty CMD");
        if ((r = cli_runtime(cli, pod, &rt)) != 0)
                return r;

        struct podrt_error *err = NULL;
        int status = 0;
        fflush(stdout);
        if (runtime_exec(rt, pod, a.app, argv + optind, a.tty, &status, &err) < 0)
                return cli_fail(cli, pod, err);
        return status >= 0 && status <= 255 ? status : EXIT_PODRT_FAILED;
}

static int grace_option(struct cli *cli, int opt, const char *arg, void *userdata) {
        if (parse_seconds(arg, userdata) < 0) {
                cli_usage_error(cli, "--grace: '%s' is not a number of seconds", arg);
                return 1;
        }
        return 0;
}

int cmd_gc(struct cli *cli, int argc, char **argv) {
        static const struct option options[] = {
                { "grace", required_argument, NULL, 'g' },
                { 0 },
        };
        unsigned grace = 300;
        struct runtime *rt;
        int r = cli_parse(cli, argc, argv, "", options, grace_option, &grace);
        if (r >= 0)
                return r;
        if (optind < argc)
                return cli_usage_error(cli, "too many arguments");
        if ((r = cli_runtime(cli, NULL, &rt)) != 0)
                return r;
        struct podrt_error *err = NULL;
        int n = runtime_gc(rt, grace, &err);
        if (n < 0)
                return cli_fail(cli, NULL, err);
        printf("removed %d pod%s\n", n, n == 1 ? "" : "s");
        return cli_finish_output(cli, 0);
}
