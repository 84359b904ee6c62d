/* SPDX-License-Identifier: Apache-2.0 */
/* The podrt command: what its files share.  The CLI parses and prints; the
 * work is done by core/runtime.h. */
#ifndef PODRT_CLI_H
#define PODRT_CLI_H

#include <getopt.h>
#include <stdbool.h>
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

struct command {
        const char *name;
        const char *alias;              /* or NULL */
        int (*run)(struct cli *cli, int argc, char **argv);
        const char *synopsis;           /* after "podrt NAME " */
        const char *summary;            /* one line for `podrt help` */
        const char *options;            /* option lines for --help, or NULL */
        const char *notes;              /* more for --help, or NULL */
};

/* The commands, in the order `podrt help` lists them (main.c). */
extern const struct command cli_commands[];
const struct command *command_find(const char *name);

/* Prints "podrt: CMD: <what>" and a pointer to the command's help to stderr;
 * returns EXIT_PODRT_FAILED. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the command's usage to stdout; returns 0. */
int cli_print_usage(const struct command *c);
/* Reports err once, at the boundary: "podrt: CMD[ OPERAND]: <message>";
 * frees it; returns EXIT_PODRT_FAILED. */
int cli_fail(const struct cli *cli, const char *operand, struct podrt_error *err);
/* The runtime, made on first use; on failure reported as for operand. */
int cli_runtime(struct cli *cli, const char *operand, struct runtime **ret);
/* Exactly one non-empty operand at argv[optind] (what: "POD", "MANIFEST"),
 * then the runtime.  As cli_runtime(): 0 to go on, else the exit code. */
int cli_operand_runtime(struct cli *cli, int argc, char **argv, const char *what,
                        const char **ret_operand, struct runtime **ret_rt);

/* Parses a command's options with getopt_long ('+': options stop at the
 * first operand; "--" ends them).  Calls handle(opt, optarg, userdata) for
 * each option other than --help.  Returns -1 to go on (optind is the first
 * operand), else the exit code to return now (0 after --help, 125 on a
 * usage error or when handle returns non-zero). */
int cli_parse(struct cli *cli, int argc, char **argv, const char *shortopts,
              const struct option *longopts,
              int (*handle)(struct cli *cli, int opt, const char *arg, void *userdata),
              void *userdata);

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

/* The commands (pod.c, info.c). */
int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_create(struct cli *cli, int argc, char **argv);
int cmd_start(struct cli *cli, int argc, char **argv);
int cmd_stop(struct cli *cli, int argc, char **argv);
int cmd_kill(struct cli *cli, int argc, char **argv);
int cmd_pause(struct cli *cli, int argc, char **argv);
int cmd_resume(struct cli *cli, int argc, char **argv);
int cmd_delete(struct cli *cli, int argc, char **argv);
int cmd_logs(struct cli *cli, int argc, char **argv);
int cmd_exec(struct cli *cli, int argc, char **argv);
int cmd_gc(struct cli *cli, int argc, char **argv);
int cmd_list(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_plugins(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_hooks(struct cli *cli, int argc, char **argv);
int cmd_version(struct cli *cli, int argc, char **argv);
int cmd_help(struct cli *cli, int argc, char **argv);

#endif
