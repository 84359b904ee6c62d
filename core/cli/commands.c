/* SPDX-License-Identifier: Apache-2.0 */
/* The command table, and the one path every command takes: its options
 * (getopt_long), its operands, the runtime, then what it does, or what it
 * fetches printed as JSON or for people. */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "errors.h"

static const struct cli_option run_options[] = {
        { "detach", 'd', CLI_FLAG, CLI_DETACH },
        { "rm", 'r', CLI_FLAG, CLI_RM },
        { "name", 'n', CLI_NAME, 0 },
        { "network", 'N', CLI_NETWORK, 0 },
        { NULL },
};
static const struct cli_option create_options[] = {
        { "name", 'n', CLI_NAME, 0 },
        { "network", 'N', CLI_NETWORK, 0 },
        { NULL },
};
static const struct cli_option stop_options[] = {
        { "timeout", 't', CLI_SECONDS, 0 },
        { "time", 't', CLI_SECONDS, 0 },
        { NULL },
};
static const struct cli_option kill_options[] = {
        { "signal", 's', CLI_SIGNAL, 0 },
        { "app", 'a', CLI_APP, 0 },
        { NULL },
};
static const struct cli_option delete_options[] = {
        { "force", 'f', CLI_FLAG, CLI_FORCE },
        { NULL },
};
static const struct cli_option logs_options[] = {
        { "app", 'a', CLI_APP, 0 },
        { "follow", 'f', CLI_FLAG, CLI_FOLLOW },
        { NULL },
};
static const struct cli_option exec_options[] = {
        { "app", 'a', CLI_APP, 0 },
        { "tty", 't', CLI_FLAG, CLI_TTY },
        { NULL },
};
static const struct cli_option gc_options[] = {
        { "grace", 'g', CLI_SECONDS, 0 },
        { NULL },
};
static const struct cli_option json_options[] = {
        { "json", 'j', CLI_FLAG, CLI_JSON },
        { NULL },
};

const struct command cli_commands[] = {
        { .name = "run", .run = cmd_run,
          .synopsis = "[-d|--detach] [--rm] [--name NAME] MANIFEST",
          .summary = "create a pod from MANIFEST and start it",
          .options_help = "  -d, --detach     start the pod in the background and print its ID\n"
                          "      --rm         delete the pod once it has stopped\n"
                          "      --name NAME  the pod's name (default: the manifest's name)\n",
          .notes = "In the foreground the apps' output streams here and podrt exits with\n"
                   "the status of the first app that failed, else 0.\n",
          .shortopts = "d", .options = run_options, .operands = CLI_ONE_MANIFEST },
        { .name = "create", .run = cmd_create, .synopsis = "[--name NAME] MANIFEST",
          .summary = "create a pod from MANIFEST and print its ID",
          .options_help = "      --name NAME  the pod's name (default: the manifest's name)\n",
          .shortopts = "", .options = create_options, .operands = CLI_ONE_MANIFEST },
        { .name = "start", .run = cmd_start, .synopsis = "POD",
          .summary = "start a created or stopped pod", .shortopts = "", .operands = CLI_ONE_POD },
        { .name = "stop", .run = cmd_stop, .synopsis = "[--timeout SECS] POD",
          .summary = "stop a pod: gracefully, then killed after the timeout",
          .options_help = "  -t, --timeout SECS  seconds to wait before killing (default 10)\n",
          .shortopts = "t:", .options = stop_options, .operands = CLI_ONE_POD, .seconds = 10 },
        { .name = "kill", .run = cmd_kill, .synopsis = "[--signal SIG] [--app NAME] POD",
          .summary = "send a signal to a pod's apps",
          .options_help = "  -s, --signal SIG  a name (TERM, SIGTERM) or a number (default TERM)\n"
                          "      --app NAME   only to this app (the backend needs container ops)\n",
          .shortopts = "s:", .options = kill_options, .operands = CLI_ONE_POD },
        { .name = "pause", .run = cmd_pause, .synopsis = "POD", .summary = "freeze a running pod",
          .shortopts = "", .operands = CLI_ONE_POD },
        { .name = "resume", .run = cmd_resume, .synopsis = "POD", .summary = "thaw a paused pod",
          .shortopts = "", .operands = CLI_ONE_POD },
        { .name = "delete", .alias = "rm", .run = cmd_delete, .synopsis = "[--force] POD...",
          .summary = "delete pods", .options_help = "  -f, --force  kill a running pod first\n",
          .notes = "Every POD is tried; podrt exits 125 if any could not be deleted.\n",
          .shortopts = "f", .options = delete_options, .operands = CLI_PODS },
        { .name = "list", .alias = "ps", .fetch = fetch_list, .print = print_list,
          .synopsis = "[--json]", .summary = "list pods",
          .options_help = "      --json  print the pods as a JSON array\n",
          .shortopts = "", .options = json_options, .flags = CMD_SIGPIPE },
        { .name = "status", .alias = "inspect", .fetch = fetch_status, .print = print_status,
          .synopsis = "[--json] POD", .summary = "show a pod's state",
          .options_help = "      --json  print the pod's state as a JSON object\n",
          .shortopts = "", .options = json_options, .operands = CLI_ONE_POD, .flags = CMD_SIGPIPE },
        { .name = "logs", .run = cmd_logs, .synopsis = "[--app NAME] [-f|--follow] POD",
          .summary = "print a pod's output",
          .options_help = "      --app NAME  only this app's output (default: every app's)\n"
                          "  -f, --follow    keep printing until the pod stops\n",
          .shortopts = "f", .options = logs_options, .operands = CLI_ONE_POD, .flags = CMD_SIGPIPE },
        { .name = "exec", .run = cmd_exec, .synopsis = "[--app NAME] [-t] POD -- CMD [ARG...]",
          .summary = "run a command inside a running pod",
          .options_help = "      --app NAME  the app to run in (default: the first)\n"
                          "  -t, --tty       give the command a terminal\n",
          .notes = "podrt exits with the command's status (126: it could not be invoked,\n"
                   "127: it was not found).\n",
          .shortopts = "t", .options = exec_options, .operands = CLI_ANY_OPERANDS },
        { .name = "gc", .run = cmd_gc, .synopsis = "[--grace SECS]",
          .summary = "remove pods that have stopped",
          .options_help = "      --grace SECS  only pods stopped at least SECS ago (default 300)\n",
          .notes = "Also removes pods whose monitor died.  Prints how many were removed.\n",
          .shortopts = "", .options = gc_options, .seconds = 300 },
        { .name = "plugins", .fetch = fetch_plugins, .print = print_plugins, .synopsis = "[--json]",
          .summary = "list the plugins found, their ABI and what each provides",
          .options_help = "      --json  print them as a JSON array\n",
          .shortopts = "", .options = json_options, .flags = CMD_SIGPIPE },
        { .name = "check", .fetch = fetch_check, .print = print_check, .synopsis = "[--json]",
          .summary = "check the host's readiness per backend",
          .options_help = "      --json  print the report as JSON\n",
          .notes = "Exits 0 when the configured backend is ready, 1 when not.\n",
          .shortopts = "", .options = json_options, .flags = CMD_SIGPIPE },
        { .name = "hooks", .fetch = fetch_hooks, .print = print_hooks, .synopsis = "[--json] MANIFEST",
          .summary = "show the OCI hooks that would run for MANIFEST's pod",
          .options_help = "      --json  print them as JSON\n",
          .shortopts = "", .options = json_options, .operands = CLI_ONE_MANIFEST,
          .flags = CMD_SIGPIPE },
        { .name = "image", .run = cmd_image, .synopsis = "import|list|inspect|rm|prune ...",
          .summary = "manage the image store (podrt image SUBCOMMAND --help)",
          .notes = "  import [--name NAME[:TAG]] SOURCE   oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE\n"
                   "  list [--json] | inspect NAME | rm [--force] NAME | prune\n",
          .shortopts = "", .operands = CLI_ANY_OPERANDS, .flags = CMD_NO_RUNTIME },
        { .name = "app", .run = cmd_app, .synopsis = "add|start|stop|rm|list ...",
          .summary = "change a running pod's apps (podrt app SUBCOMMAND --help)",
          .notes = "  add [--start] POD APP.json | start POD APP | stop [--timeout SECS] POD APP\n"
                   "  rm [--force] POD APP | list [--json] POD\n",
          .shortopts = "", .operands = CLI_ANY_OPERANDS, .flags = CMD_NO_RUNTIME },
        { .name = "version", .run = cmd_version, .synopsis = "", .summary = "print podrt's version",
          .shortopts = "", .flags = CMD_NO_RUNTIME },
        { .name = "help", .run = cmd_help, .synopsis = "[COMMAND]",
          .summary = "print help about podrt or a command", .shortopts = "",
          .operands = CLI_ANY_OPERANDS, .flags = CMD_NO_RUNTIME },
        { NULL },
};

const struct command *command_find(const char *name) {
        for (const struct command *c = cli_commands; c->name; c++)
                if (streq(c->name, name) || (c->alias && streq(c->alias, name)))
                        return c;
        return NULL;
}

/* ---- options -------------------------------------------------------------- */

#define CLI_OPTIONS_MAX 4       /* the most a command has */

/* Stores one option's value in a; 0, or the exit code of a usage error. */
static int option_set(struct cli *cli, const struct cli_option *o, const char *arg,
                      struct cli_args *a) {
        switch (o->kind) {
        case CLI_FLAG:
                a->flags |= o->flag;
                return 0;
        case CLI_NAME:
        case CLI_APP:
        case CLI_NETWORK:
                if (!*arg)
                        return cli_usage_error(cli, "--%s: empty name", o->name);
                *(o->kind == CLI_NAME ? &a->name : o->kind == CLI_APP ? &a->app : &a->network) = arg;
                return 0;
        case CLI_SECONDS:
                if (parse_seconds(arg, &a->seconds) < 0)
                        return cli_usage_error(cli, "--%s: '%s' is not a number of seconds",
                                               o->name, arg);
                return 0;
        case CLI_SIGNAL:
                if (parse_signal(arg, &a->signo) < 0)
                        return cli_usage_error(cli, "--%s: unknown signal '%s'", o->name, arg);
                return 0;
        }
        return EXIT_PODRT_FAILED;
}

/* The command's options with getopt_long ('+': options stop at the first
 * operand; "--" ends them), and -h/--help.  -1 to go on (optind is the
 * first operand), else the exit code to return now (0 after --help, 125 on
 * a usage error). */
static int options_parse(struct cli *cli, const struct command *c, int argc, char **argv,
                         struct cli_args *a) {
        /* ':': report a missing value as ':'. */
        char optstring[64];
        snprintf(optstring, sizeof optstring, "+:h%s", c->shortopts);

        struct option all[CLI_OPTIONS_MAX + 2];
        size_t n = 0;
        for (; c->options && c->options[n].name; n++) {
                assert(n < CLI_OPTIONS_MAX);
                const struct cli_option *o = &c->options[n];
                all[n] = (struct option){ o->name, o->kind == CLI_FLAG ? no_argument : required_argument,
                                          NULL, o->val };
        }
        all[n] = (struct option){ "help", no_argument, NULL, 'h' };
        all[n + 1] = (struct option){ 0 };

        optind = 0;     /* glibc: a full reset */
        opterr = 0;
        int opt;
        while ((opt = getopt_long(argc, argv, optstring, all, NULL)) != -1) {
                switch (opt) {
                case 'h':
                        return cli_print_usage(c);
                case '?':
                        if (optopt)
                                return cli_usage_error(cli, "unknown option '-%c'", optopt);
                        return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
                case ':':
                        if (optopt && optopt < 256 && strchr(c->shortopts, optopt) &&
                            argv[optind - 1][1] != '-')
                                return cli_usage_error(cli, "option '-%c' needs a value", optopt);
                        return cli_usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
                }
                for (size_t i = 0; i < n; i++)
                        if (c->options[i].val == opt) {
                                int r = option_set(cli, &c->options[i], optarg, a);
                                if (r != 0)
                                        return r;
                                break;
                        }
        }
        return -1;
}

/* ---- operands, the runtime ------------------------------------------------ */

/* The operands c takes, then the runtime: 0 to go on, else the exit code. */
static int operands_check(struct cli *cli, const struct command *c, struct cli_args *a) {
        const char *what = c->operands == CLI_ONE_MANIFEST ? "MANIFEST" : "POD";

        switch (c->operands) {
        case CLI_ANY_OPERANDS:
                return 0;
        case CLI_NO_OPERANDS:
                if (a->argc > 0)
                        return cli_usage_error(cli, "too many arguments");
                break;
        case CLI_ONE_POD:
        case CLI_ONE_MANIFEST:
                if (a->argc == 0)
                        return cli_usage_error(cli, "missing %s", what);
                if (a->argc > 1)
                        return cli_usage_error(cli, "too many arguments (one %s expected)", what);
                if (!*a->argv[0])
                        return cli_usage_error(cli, "empty %s", what);
                a->operand = a->argv[0];
                break;
        case CLI_PODS:
                if (a->argc == 0)
                        return cli_usage_error(cli, "missing POD");
                for (int i = 0; i < a->argc; i++)
                        if (!*a->argv[i])
                                return cli_usage_error(cli, "empty POD");
                break;
        }
        if (c->flags & CMD_NO_RUNTIME)
                return 0;
        return cli_runtime(cli, a->argc > 0 ? a->argv[0] : NULL, &a->rt);
}

/* ---- the one path --------------------------------------------------------- */

/* fetch, then print: JSON with --json, else for people. */
static int report(struct cli *cli, const struct command *c, struct cli_args *a) {
        struct podrt_error *err = NULL;
        struct json_object *obj = NULL;
        int code = c->fetch(a, &obj, &err);
        if (code < 0)
                return cli_fail(cli, a->operand, err);
        int r = 0;
        if (a->flags & CLI_JSON)
                print_json(obj, stdout);
        else
                r = c->print(obj, stdout);
        json_object_put(obj);
        if (r < 0) {
                podrt_error_set(&err, -r, "%s", strerror(-r));
                return cli_fail(cli, a->operand, err);
        }
        return cli_finish_output(cli, code);
}

int command_run(struct cli *cli, const struct command *c, int argc, char **argv) {
        struct cli_args a = { .seconds = c->seconds, .signo = SIGTERM };
        int r = options_parse(cli, c, argc, argv, &a);
        if (r >= 0)
                return r;
        a.argc = argc - optind;
        a.argv = argv + optind;
        if ((r = operands_check(cli, c, &a)) != 0)
                return r;
        if (c->flags & CMD_SIGPIPE)
                cli_ignore_sigpipe();
        if (c->fetch)
                return report(cli, c, &a);

        struct podrt_error *err = NULL;
        r = c->run(cli, &a, &err);
        if (r < 0)
                return cli_fail(cli, a.operand, err);
        return r;
}

int command_run_sub(struct cli *cli, struct cli_args *a, const struct command *table, const char *names) {
        if (a->argc == 0 || !*a->argv[0])
                return cli_usage_error(cli, "missing subcommand (%s)", names);
        /* "app NAME": the subcommand's usage reads "podrt app NAME". */
        for (const struct command *c = table; c->name; c++) {
                const char *sub = strchr(c->name, ' ');
                if ((sub && streq(sub + 1, a->argv[0])) || (c->alias && streq(c->alias, a->argv[0]))) {
                        cli->cmd = c->name;
                        return command_run(cli, c, a->argc, a->argv);
                }
        }
        return cli_usage_error(cli, "unknown subcommand '%s' (%s)", a->argv[0], names);
}
