/* SPDX-License-Identifier: Apache-2.0 */
/* The podrt command: what its files share.  The CLI parses and prints; the
 * work is done by core/runtime.h. */
#ifndef PODRT_CLI_H
#define PODRT_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>

#include <podrt/error.h>
#include "runtime.h"

/* Exit codes (CONTRACTS.md §2). */
#define EXIT_PODRT_FAILED 125
#define EXIT_CANNOT_INVOKE 126
#define EXIT_NOT_FOUND 127

#define streq(a, b) (strcmp((a), (b)) == 0)

struct cli {
        struct runtime_options opts;    /* from the global options */
        const char *cmd;                /* the command as the user typed it */
        struct runtime *rt;             /* made on first use */
};

/* The options a command takes: getopt_long parses them (commands.c), and
 * each kind stores its value in struct cli_args, or says why not. */
enum cli_option_kind {
        CLI_FLAG,               /* sets .flag in cli_args.flags */
        CLI_NAME,               /* a non-empty name: cli_args.name */
        CLI_APP,                /* a non-empty app name: cli_args.app */
        CLI_NETWORK,            /* a network plugin's name: cli_args.network */
        CLI_SECONDS,            /* a number of seconds: cli_args.seconds */
        CLI_SIGNAL,             /* a signal name or number: cli_args.signo */
};

struct cli_option {
        const char *name;               /* the long option, "--NAME" */
        int val;                        /* what getopt returns: the short
                                         * option's letter (command.shortopts
                                         * says whether -X is accepted); the
                                         * first option of a val names it in
                                         * messages (--time is --timeout) */
        enum cli_option_kind kind;
        unsigned flag;                  /* CLI_FLAG: the CLI_* bit */
};

/* cli_args.flags */
#define CLI_DETACH (1u << 0)
#define CLI_RM (1u << 1)
#define CLI_FORCE (1u << 2)
#define CLI_FOLLOW (1u << 3)
#define CLI_TTY (1u << 4)
#define CLI_JSON (1u << 5)
#define CLI_START (1u << 6)

/* What comes after a command's options. */
enum cli_operands {
        CLI_NO_OPERANDS,        /* "too many arguments" */
        CLI_ONE_POD,            /* exactly one POD: cli_args.operand */
        CLI_ONE_MANIFEST,       /* exactly one MANIFEST: cli_args.operand */
        CLI_PODS,               /* one POD or more, none empty */
        CLI_ANY_OPERANDS,       /* the command checks them (and makes the
                                 * runtime when it needs one) */
};

/* command.flags */
#define CMD_NO_RUNTIME (1u << 0)        /* version, help */
#define CMD_SIGPIPE (1u << 1)           /* output may be cut: cli_ignore_sigpipe() */

/* A command, as the shared path hands it over: options parsed, operands
 * checked, the runtime made. */
struct cli_args {
        unsigned flags;                 /* CLI_* */
        const char *name;               /* --name */
        const char *app;                /* --app */
        const char *network;            /* --network */
        unsigned seconds;               /* --timeout, --grace (command.seconds) */
        int signo;                      /* --signal (SIGTERM) */
        const char *operand;            /* the POD or MANIFEST; names errors */
        int argc;                       /* the operands */
        char **argv;
        struct runtime *rt;             /* NULL with CLI_ANY_OPERANDS, CMD_NO_RUNTIME */
};

struct command {
        const char *name;
        const char *alias;              /* or NULL */
        const char *synopsis;           /* after "podrt NAME " */
        const char *summary;            /* one line for `podrt help` */
        const char *options_help;       /* option lines for --help, or NULL */
        const char *notes;              /* more for --help, or NULL */
        const char *shortopts;          /* getopt's, "" for none */
        const struct cli_option *options;       /* ends with { NULL }; or NULL */
        enum cli_operands operands;
        unsigned flags;                 /* CMD_* */
        unsigned seconds;               /* the default of cli_args.seconds */
        /* A command that acts: < 0 with *err set is reported as "podrt: CMD
         * [OPERAND]: <message>" (125); else the exit code. */
        int (*run)(struct cli *cli, struct cli_args *a, struct podrt_error **err);
        /* A command that reports, instead of run: fetch as run, its JSON
         * printed as is with --json, else by print (< 0: -errno). */
        int (*fetch)(struct cli_args *a, struct json_object **ret, struct podrt_error **err);
        int (*print)(struct json_object *obj, FILE *f);
};

/* The commands, in the order `podrt help` lists them (commands.c). */
extern const struct command cli_commands[];
const struct command *command_find(const char *name);
/* The one path of every command: options, operands, runtime, then its run
 * or its fetch and print.  Returns the exit code. */
int command_run(struct cli *cli, const struct command *c, int argc, char **argv);
/* A command whose first operand names one of table's subcommands ("app
 * add": "add"), names listing them for messages: that one's command_run. */
int command_run_sub(struct cli *cli, struct cli_args *a, const struct command *table, const char *names);

/* Prints "podrt: CMD: <what>" and a pointer to the command's help to stderr;
 * returns EXIT_PODRT_FAILED. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the command's usage to stdout; returns 0. */
int cli_print_usage(const struct command *c);
/* Reports err once, at the boundary: "podrt: CMD[ OPERAND]: <message>";
 * frees it; returns EXIT_PODRT_FAILED. */
int cli_fail(const struct cli *cli, const char *operand, struct podrt_error *err);
/* The runtime, made on first use; on failure reported as for operand.
 * 0 to go on, else the exit code. */
int cli_runtime(struct cli *cli, const char *operand, struct runtime **ret);

/* Parsing values (parse.c). */
int parse_seconds(const char *s, unsigned *ret);
int parse_signal(const char *s, int *ret);
int parse_log_level(const char *s, int *ret);

/* Printing (format.c). */
/* JSON as the --json outputs print it: pretty, two spaces, "[]" for an
 * empty array. */
void print_json(struct json_object *obj, FILE *f);
/* Seconds since the epoch of an RFC 3339 time ("2026-11-23T10:00:00.5Z",
 * or with an offset); -1 when s is not one. */
long long parse_rfc3339(const char *s);
/* "3 minutes ago", "just now", or the date when long ago. */
const char *format_age(long long then, long long now, char *buf, size_t size);
/* A string member of obj, or NULL. */
const char *json_get_string(struct json_object *obj, const char *key);
/* A column table: rows of n_cols strings, the first row the header;
 * printed with columns padded to the widest cell, two spaces apart. */
struct table;
struct table *table_new(size_t n_cols, const char *const *header);
int table_add(struct table *t, const char *const *cells);
void table_print(const struct table *t, FILE *f);
struct table *table_free(struct table *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct table *, table_free)

/* Ignores SIGPIPE for commands whose output may be cut (`| head`); a write
 * that fails with EPIPE then ends the command quietly. */
void cli_ignore_sigpipe(void);
/* Flushes stdout; reports a write error (other than EPIPE) and returns 125,
 * else returns code. */
int cli_finish_output(const struct cli *cli, int code);

/* What the commands do (pod-commands.c, info-commands.c, main.c). */
int cmd_run(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_create(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_start(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_stop(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_kill(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_pause(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_resume(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_delete(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_logs(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_exec(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_gc(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_version(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_help(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_image(struct cli *cli, struct cli_args *a, struct podrt_error **err);
int cmd_app(struct cli *cli, struct cli_args *a, struct podrt_error **err);

int fetch_list(struct cli_args *a, struct json_object **ret, struct podrt_error **err);
int fetch_status(struct cli_args *a, struct json_object **ret, struct podrt_error **err);
int fetch_plugins(struct cli_args *a, struct json_object **ret, struct podrt_error **err);
int fetch_check(struct cli_args *a, struct json_object **ret, struct podrt_error **err);
int fetch_hooks(struct cli_args *a, struct json_object **ret, struct podrt_error **err);
int print_list(struct json_object *pods, FILE *f);
int print_status(struct json_object *pod, FILE *f);
/* A status's "apps" array as a table: APP STATE PID "EXIT CODE" STARTED FINISHED. */
int print_apps(struct json_object *apps, FILE *f);
int print_plugins(struct json_object *plugins, FILE *f);
int print_check(struct json_object *report, FILE *f);
int print_hooks(struct json_object *hooks, FILE *f);

#endif
