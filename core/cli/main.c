/* SPDX-License-Identifier: Apache-2.0 */
/* podrt: global options, the command table, help, and how errors reach the
 * user (once, at this boundary, on stderr). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "errors.h"
#include "podrt-build.h"

const struct command cli_commands[] = {
        { "run", NULL, cmd_run, "[-d|--detach] [--rm] [--name NAME] MANIFEST",
          "create a pod from MANIFEST and start it",
          "  -d, --detach     start the pod in the background and print its ID\n"
          "      --rm         delete the pod once it has stopped\n"
          "      --name NAME  the pod's name (default: the manifest's name)\n",
          "In the foreground the apps' output streams here and podrt exits with\n"
          "the status of the first app that failed, else 0.\n" },
        { "create", NULL, cmd_create, "[--name NAME] MANIFEST",
          "create a pod from MANIFEST and print its ID",
          "      --name NAME  the pod's name (default: the manifest's name)\n", NULL },
        { "start", NULL, cmd_start, "POD", "start a created or stopped pod", NULL, NULL },
        { "stop", NULL, cmd_stop, "[--timeout SECS] POD",
          "stop a pod: gracefully, then killed after the timeout",
          "  -t, --timeout SECS  seconds to wait before killing (default 10)\n", NULL },
        { "kill", NULL, cmd_kill, "[--signal SIG] POD", "send a signal to a pod's apps",
          "  -s, --signal SIG  a name (TERM, SIGTERM) or a number (default TERM)\n", NULL },
        { "pause", NULL, cmd_pause, "POD", "freeze a running pod", NULL, NULL },
        { "resume", NULL, cmd_resume, "POD", "thaw a paused pod", NULL, NULL },
        { "delete", "rm", cmd_delete, "[--force] POD...", "delete pods",
          "  -f, --force  kill a running pod first\n",
          "Every POD is tried; podrt exits 125 if any could not be deleted.\n" },
        { "list", "ps", cmd_list, "[--json]", "list pods",
          "      --json  print the pods as a JSON array\n", NULL },
        { "status", "inspect", cmd_status, "[--json] POD", "show a pod's state",
          "      --json  print the pod's state as a JSON object\n", NULL },
        { "logs", NULL, cmd_logs, "[--app NAME] [-f|--follow] POD", "print a pod's output",
          "      --app NAME  only this app's output (default: every app's)\n"
          "  -f, --follow    keep printing until the pod stops\n", NULL },
        { "exec", NULL, cmd_exec, "[--app NAME] [-t] POD -- CMD [ARG...]",
          "run a command inside a running pod",
          "      --app NAME  the app to run in (default: the first)\n"
          "  -t, --tty       give the command a terminal\n",
          "podrt exits with the command's status (126: it could not be invoked,\n"
          "127: it was not found).\n" },
        { "gc", NULL, cmd_gc, "[--grace SECS]", "remove pods that have stopped",
          "      --grace SECS  only pods stopped at least SECS ago (default 300)\n",
          "Also removes pods whose monitor died.  Prints how many were removed.\n" },
        { "plugins", NULL, cmd_plugins, "[--json]",
          "list the plugins found, their ABI and what each provides",
          "      --json  print them as a JSON array\n", NULL },
        { "check", NULL, cmd_check, "[--json]", "check the host's readiness per backend",
          "      --json  print the report as JSON\n",
          "Exits 0 when the configured backend is ready, 1 when not.\n" },
        { "hooks", NULL, cmd_hooks, "[--json] MANIFEST",
          "show the OCI hooks that would run for MANIFEST's pod",
          "      --json  print them as JSON\n", NULL },
        { "version", NULL, cmd_version, "", "print podrt's version", NULL, NULL },
        { "help", NULL, cmd_help, "[COMMAND]", "print help about podrt or a command", NULL, NULL },
        { NULL },
};

const struct command *command_find(const char *name) {
        for (const struct command *c = cli_commands; c->name; c++)
                if (streq(c->name, name) || (c->alias && streq(c->alias, name)))
                        return c;
        return NULL;
}

static const char global_options[] =
        "Global options:\n"
        "  --config FILE      configuration file (default $PODRT_CONFIG, then\n"
        "                     " PODRT_CONFIG_FILE ", then built-in defaults)\n"
        "  --backend NAME     pod backend (beats the configuration)\n"
        "  --root DIR         state directory (beats the configuration)\n"
        "  --log-level LEVEL  err, warning, notice, info or debug (default warning)\n"
        "  -h, --help         print this help\n"
        "  --version          print podrt's version\n";

static void print_main_usage(FILE *f) {
        fputs("Usage: podrt [--config FILE] [--backend NAME] [--root DIR] [--log-level LEVEL]\n"
              "             COMMAND ...\n\n", f);
        fputs(global_options, f);
        fputs("\nCommands:\n", f);
        for (const struct command *c = cli_commands; c->name; c++) {
                char name[32];
                if (c->alias)
                        snprintf(name, sizeof name, "%s, %s", c->name, c->alias);
                else
                        snprintf(name, sizeof name, "%s", c->name);
                fprintf(f, "  %-17s  %s\n", name, c->summary);
        }
        fputs("\nPOD is a full pod ID, a unique ID prefix, or the pod's name.\n"
              "'podrt COMMAND --help' or 'podrt help COMMAND' tells more.\n"
              "Exit codes: 0 success, 125 podrt failed, 126 a command could not be\n"
              "invoked, 127 not found; run and exec exit with the app's status.\n", f);
}

int cli_print_usage(const struct command *c) {
        printf("Usage: podrt %s%s%s\n\n%c%s.\n", c->name, *c->synopsis ? " " : "",
               c->synopsis, toupper((unsigned char)c->summary[0]), c->summary + 1);
        if (c->alias)
                printf("Alias: %s\n", c->alias);
        /* "-h, --help" lined up with the command's own options */
        int col = 14;
        if (c->options) {
                const char *opt = c->options + strspn(c->options, " ");
                const char *gap = strstr(opt, "  ");
                if (gap && gap - c->options + 2 > col)
                        col = (int)(gap - c->options) + 2;
        }
        printf("\nOptions:\n%s%-*s%s\n", c->options ? c->options : "", col, "  -h, --help",
               "print this help");
        if (c->notes)
                printf("\n%s", c->notes);
        return 0;
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "podrt: %s: ", cli->cmd);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        const struct command *c = command_find(cli->cmd);
        fprintf(stderr, "\nSee 'podrt %s --help'.\n", c ? c->name : cli->cmd);
        return EXIT_PODRT_FAILED;
}

int cli_fail(const struct cli *cli, const char *operand, struct podrt_error *err) {
        const char *msg = err ? podrt_error_message(err) : "unknown error";
        if (operand)
                fprintf(stderr, "podrt: %s %s: %s\n", cli->cmd, operand, msg);
        else
                fprintf(stderr, "podrt: %s: %s\n", cli->cmd, msg);
        podrt_error_free(err);
        return EXIT_PODRT_FAILED;
}

int cli_runtime(struct cli *cli, const char *operand, struct runtime **ret) {
        if (!cli->rt) {
                struct podrt_error *err = NULL;
                if (runtime_new(&cli->opts, &cli->rt, &err) < 0)
                        return cli_fail(cli, operand, err);
        }
        *ret = cli->rt;
        return 0;
}

int cli_operand_runtime(struct cli *cli, int argc, char **argv, const char *what,
                        const char **ret_operand, struct runtime **ret_rt) {
        if (optind >= argc)
                return cli_usage_error(cli, "missing %s", what);
        if (argc - optind > 1)
                return cli_usage_error(cli, "too many arguments (one %s expected)", what);
        if (!*argv[optind])
                return cli_usage_error(cli, "empty %s", what);
        *ret_operand = argv[optind];
        return cli_runtime(cli, *ret_operand, ret_rt);
}

int cli_parse(struct cli *cli, int argc, char **argv, const char *shortopts,
              const struct option *longopts,
              int (*handle)(struct cli *cli, int opt, const char *arg, void *userdata),
              void *userdata) {
        /* '+': stop at the first operand; ':': report a missing value as ':'. */
        char optstring[64];
        snprintf(optstring, sizeof optstring, "+:h%s", shortopts);

        size_t n = 0;
        while (longopts && longopts[n].name)
                n++;
        struct option all[n + 2];
        memcpy(all, longopts, n * sizeof(*all));
        all[n] = (struct option){ "help", no_argument, NULL, 'h' };
        all[n + 1] = (struct option){ 0 };

        optind = 0;     /* glibc: a full reset */
        opterr = 0;
        int opt;
        while ((opt = getopt_long(argc, argv, optstring, all, NULL)) != -1) {
                switch (opt) {
                case 'h':
                        return cli_print_usage(command_find(cli->cmd));
                case '?':
                        if (optopt)
                                return cli_usage_error(cli, "unknown option '-%c'", optopt);
                        return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
                case ':':
                        if (optopt && optopt < 256 && strchr(shortopts, optopt) &&
                            argv[optind - 1][1] != '-')
                                return cli_usage_error(cli, "option '-%c' needs a value", optopt);
                        return cli_usage_error(cli, "option '%s' needs a value", argv[optind - 1]);
                default:
                        if (handle(cli, opt, optarg, userdata) != 0)
                                return EXIT_PODRT_FAILED;
                }
        }
        return -1;
}

void cli_ignore_sigpipe(void) {
        signal(SIGPIPE, SIG_IGN);
}

int cli_finish_output(const struct cli *cli, int code) {
        if (fflush(stdout) != 0 || ferror(stdout)) {
                if (errno == EPIPE)
                        return code;
                fprintf(stderr, "podrt: %s: writing output: %m\n", cli->cmd);
                return EXIT_PODRT_FAILED;
        }
        return code;
}

int cmd_version(struct cli *cli, int argc, char **argv) {
        int r = cli_parse(cli, argc, argv, "", NULL, NULL, NULL);
        if (r >= 0)
                return r;
        if (optind < argc)
                return cli_usage_error(cli, "too many arguments");
        printf("podrt %s (plugin ABI %d.%d)\n", PODRT_VERSION, PODRT_ABI_MAJOR, PODRT_ABI_MINOR);
        return cli_finish_output(cli, 0);
}

int cmd_help(struct cli *cli, int argc, char **argv) {
        int r = cli_parse(cli, argc, argv, "", NULL, NULL, NULL);
        if (r >= 0)
                return r;
        if (optind == argc) {
                print_main_usage(stdout);
                return cli_finish_output(cli, 0);
        }
        if (argc - optind > 1)
                return cli_usage_error(cli, "too many arguments");
        const struct command *c = command_find(argv[optind]);
        if (!c) {
                fprintf(stderr, "podrt: help: unknown command '%s'\nSee 'podrt help'.\n",
                        argv[optind]);
                return EXIT_PODRT_FAILED;
        }
        cli_print_usage(c);
        return cli_finish_output(cli, 0);
}

/* path made absolute against the current directory (which it need not
 * exist in yet); NULL with errno set on failure. */
static char *absolute_path(const char *path) {
        _cleanup_free_ char *cwd = getcwd(NULL, 0);
        char *joined;
        if (!cwd)
                return NULL;
        if (asprintf(&joined, "%s/%s", streq(cwd, "/") ? "" : cwd, path) < 0) {
                errno = ENOMEM;
                return NULL;
        }
        return joined;
}

enum {
        OPT_CONFIG = 0x100,
        OPT_BACKEND,
        OPT_ROOT,
        OPT_LOG_LEVEL,
        OPT_VERSION,
};

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "config", required_argument, NULL, OPT_CONFIG },
                { "backend", required_argument, NULL, OPT_BACKEND },
                { "root", required_argument, NULL, OPT_ROOT },
                { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, OPT_VERSION },
                { 0 },
        };
        _cleanup_free_ char *root = NULL;
        struct cli cli = {
                /* log_level 0: the configuration's log_level, else warning */
                .cmd = "podrt",
        };
        int opt;

        opterr = 0;
        while ((opt = getopt_long(argc, argv, "+:h", options, NULL)) != -1) {
                switch (opt) {
                case OPT_CONFIG:
                        cli.opts.config_path = optarg;
                        break;
                case OPT_BACKEND:
                        if (!*optarg) {
                                fputs("podrt: --backend: empty name\n", stderr);
                                return EXIT_PODRT_FAILED;
                        }
                        cli.opts.backend = optarg;
                        break;
                case OPT_ROOT:
                        if (!*optarg) {
                                fputs("podrt: --root: empty path\n", stderr);
                                return EXIT_PODRT_FAILED;
                        }
                        if (optarg[0] != '/') {
                                /* --root is relative to where podrt runs */
                                free(root);
                                root = absolute_path(optarg);
                                if (!root) {
                                        fprintf(stderr, "podrt: --root %s: %m\n", optarg);
                                        return EXIT_PODRT_FAILED;
                                }
                                cli.opts.root = root;
                        } else {
                                cli.opts.root = optarg;
                        }
                        break;
                case OPT_LOG_LEVEL:
                        if (parse_log_level(optarg, &cli.opts.log_level) < 0) {
                                fprintf(stderr, "podrt: --log-level: unknown level '%s' "
                                        "(err, warning, notice, info or debug)\n", optarg);
                                return EXIT_PODRT_FAILED;
                        }
                        break;
                case 'h':
                        print_main_usage(stdout);
                        return cli_finish_output(&cli, 0);
                case OPT_VERSION:
                        cli.cmd = "version";
                        return cmd_version(&cli, 1, (char *[]){ "version", NULL });
                case ':':
                        fprintf(stderr, "podrt: option '%s' needs a value\nSee 'podrt help'.\n",
                                argv[optind - 1]);
                        return EXIT_PODRT_FAILED;
                default:
                        if (optopt)
                                fprintf(stderr, "podrt: unknown option '-%c'\n", optopt);
                        else
                                fprintf(stderr, "podrt: unknown option '%s'\n", argv[optind - 1]);
                        fputs("See 'podrt help'.\n", stderr);
                        return EXIT_PODRT_FAILED;
                }
        }

        if (optind >= argc) {
                fputs("podrt: missing command\nSee 'podrt help'.\n", stderr);
                return EXIT_PODRT_FAILED;
        }

        const struct command *c = command_find(argv[optind]);
        if (!c) {
                fprintf(stderr, "podrt: unknown command '%s'\nSee 'podrt help'.\n", argv[optind]);
                return EXIT_PODRT_FAILED;
        }
        if (cli.opts.log_level > 0)
                log_set_level(cli.opts.log_level);

        cli.cmd = argv[optind];
        int r = c->run(&cli, argc - optind, argv + optind);
        runtime_free(cli.rt);
        return r;
}
