/* SPDX-License-Identifier: Apache-2.0 */
/* podrt: global options, help, and how errors reach the user (once, at this
 * boundary, on stderr).  The commands are in commands.c's table. */
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

static const char global_options[] =
        "Global options:\n"
        "  --config FILE      configuration file (default $PODRT_CONFIG, then\n"
        "                     " PODRT_CONFIG_FILE ", then built-in defaults)\n"
        "  --backend NAME     pod backend (beats the configuration)\n"
        "  --network NAME     network plugin of the pods created (beats the configuration)\n"
        "  --root DIR         state directory (beats the configuration)\n"
        "  --log-level LEVEL  err, warning, notice, info or debug (default warning)\n"
        "  -h, --help         print this help\n"
        "  --version          print podrt's version\n";

static const char environment[] =
        "Environment:\n"
        "  PODRT_CONFIG       the configuration file when --config is not given\n"
        "  PODRT_PLUGIN_PATH  ':'-separated folders searched for plugins before the\n"
        "                     configuration's plugin_path\n";

static void print_main_usage(FILE *f) {
        fputs("Usage: podrt [--config FILE] [--backend NAME] [--network NAME] [--root DIR]\n"
              "             [--log-level LEVEL] COMMAND ...\n\n", f);
        fputs(global_options, f);
        fputs("\n", f);
        fputs(environment, f);
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
        if (c->options_help) {
                const char *opt = c->options_help + strspn(c->options_help, " ");
                const char *gap = strstr(opt, "  ");
                if (gap && gap - c->options_help + 2 > col)
                        col = (int)(gap - c->options_help) + 2;
        }
        printf("\nOptions:\n%s%-*s%s\n", c->options_help ? c->options_help : "", col, "  -h, --help",
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

int cmd_version(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        printf("podrt %s (plugin ABI %d.%d)\n", PODRT_VERSION, PODRT_ABI_MAJOR, PODRT_ABI_MINOR);
        return cli_finish_output(cli, 0);
}

int cmd_help(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        if (a->argc == 0) {
                print_main_usage(stdout);
                return cli_finish_output(cli, 0);
        }
        if (a->argc > 1)
                return cli_usage_error(cli, "too many arguments");
        const struct command *c = command_find(a->argv[0]);
        if (!c) {
                fprintf(stderr, "podrt: help: unknown command '%s'\nSee 'podrt help'.\n",
                        a->argv[0]);
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
        OPT_NETWORK,
};

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "config", required_argument, NULL, OPT_CONFIG },
                { "backend", required_argument, NULL, OPT_BACKEND },
                { "network", required_argument, NULL, OPT_NETWORK },
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
                case OPT_NETWORK:
                        if (!*optarg) {
                                fputs("podrt: --network: empty name\n", stderr);
                                return EXIT_PODRT_FAILED;
                        }
                        cli.opts.network = optarg;
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
                        return command_run(&cli, command_find("version"), 1,
                                           (char *[]){ "version", NULL });
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
        int r = command_run(&cli, c, argc - optind, argv + optind);
        runtime_free(cli.rt);
        return r;
}
