/* SPDX-License-Identifier: Apache-2.0 */
/* What the commands that act on pods do: run, create, start, stop, kill,
 * pause, resume, delete, logs, exec, gc.  Their options, operands and the
 * runtime are commands.c's. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_run(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        char id[POD_ID_LEN + 1] = "";
        int status = 0;
        fflush(stdout);
        if (a->network && runtime_set_network(a->rt, a->network) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = runtime_run(a->rt, a->operand, a->name, (a->flags & CLI_DETACH ? RUN_DETACH : 0) |
                                                        (a->flags & CLI_RM ? RUN_RM : 0),
                            id, &status, err);
        if (r < 0)
                return r;
        if (a->flags & CLI_DETACH) {
                printf("%s\n", id);
                return cli_finish_output(cli, 0);
        }
        fflush(stdout);
        return status >= 0 && status <= 255 ? status : EXIT_PODRT_FAILED;
}

int cmd_create(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        char id[POD_ID_LEN + 1] = "";
        if (a->network && runtime_set_network(a->rt, a->network) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        int r = runtime_create(a->rt, a->operand, a->name, id, err);
        if (r < 0)
                return r;
        printf("%s\n", id);
        return cli_finish_output(cli, 0);
}

/* What the runtime returns: < 0 fails, anything else is exit code 0. */
static int done(int r) {
        return r < 0 ? r : 0;
}

int cmd_start(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        return done(runtime_start(a->rt, a->operand, err));
}

int cmd_pause(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        return done(runtime_pause(a->rt, a->operand, err));
}

int cmd_resume(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        return done(runtime_resume(a->rt, a->operand, err));
}

int cmd_stop(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        return done(runtime_stop(a->rt, a->operand, a->seconds, err));
}

int cmd_kill(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        if (a->app)
                return done(runtime_app_kill(a->rt, a->operand, a->app, a->signo, err));
        return done(runtime_kill(a->rt, a->operand, a->signo, err));
}

/* Every POD is tried, each failure reported. */
int cmd_delete(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        int failed = 0;
        for (int i = 0; i < a->argc; i++) {
                struct podrt_error *e = NULL;
                if (runtime_delete(a->rt, a->argv[i], a->flags & CLI_FORCE ? 1 : 0, &e) < 0) {
                        cli_fail(cli, a->argv[i], e);
                        failed = 1;
                }
        }
        return failed ? EXIT_PODRT_FAILED : 0;
}

int cmd_logs(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        fflush(stdout);
        int r = runtime_logs(a->rt, a->operand, a->app, a->flags & CLI_FOLLOW ? 1 : 0,
                             STDOUT_FILENO, err);
        if (r < 0 && podrt_error_code(*err) == EPIPE) {         /* `podrt logs x | head` */
                *err = podrt_error_free(*err);
                return 0;
        }
        return done(r);
}

/* POD -- CMD [ARG...]: "--" may be left out. */
int cmd_exec(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        if (a->argc == 0)
                return cli_usage_error(cli, "missing POD");
        a->operand = a->argv[0];
        if (!*a->operand)
                return cli_usage_error(cli, "empty POD");
        char **cmd = a->argv + 1, **end = a->argv + a->argc;
        if (cmd < end && streq(*cmd, "--"))
                cmd++;
        if (cmd == end)
                return cli_usage_error(cli, "missing CMD (podrt exec POD -- CMD [ARG...])");
        if (!**cmd)
                return cli_usage_error(cli, "empty CMD");
        int r = cli_runtime(cli, a->operand, &a->rt);
        if (r != 0)
                return r;

        int status = 0;
        fflush(stdout);
        if ((r = runtime_exec(a->rt, a->operand, a->app, cmd, a->flags & CLI_TTY ? 1 : 0, NULL, &status,
                              err)) < 0)
                return r;
        return status >= 0 && status <= 255 ? status : EXIT_PODRT_FAILED;
}

int cmd_gc(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        int n = runtime_gc(a->rt, a->seconds, err);
        if (n < 0)
                return n;
        printf("removed %d pod%s\n", n, n == 1 ? "" : "s");
        return cli_finish_output(cli, 0);
}
