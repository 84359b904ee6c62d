/* SPDX-License-Identifier: Apache-2.0 */
/* runc's flag syntax, as urfave/cli and Go's flag package take it: --name,
 * -name, --name=value, --name value, -x for the short flags; flags end at
 * the first operand or at "--".  A pure function, unit-tested. */
#ifndef PODRT_OCI_CLI_ARGS_H
#define PODRT_OCI_CLI_ARGS_H

#include <stdbool.h>

struct oci_opt {
        const char *name;   /* long name, without dashes */
        char short_name;    /* or 0 */
        bool has_value;
};

#define OCI_MAX_OPTS 32

/* Parses argv[*index...] against opts (terminated by a NULL name): values[i]
 * is the value of opts[i] (the last one given; "true" for a flag without a
 * value), or NULL.  *index ends at the first operand.  A boolean flag takes
 * --flag=false too.  On error returns -EINVAL with the message in ret_error
 * (static storage or argv): "flag provided but not defined: -x" or
 * "flag needs an argument: -x", as runc says them. */
int oci_parse_opts(const struct oci_opt *opts, int argc, char **argv, int *index, const char **values,
                   char *ret_error, unsigned error_size);

/* A signal by name ("TERM", "SIGTERM", "term"), number or RTMIN+N: the
 * number, or -1. */
int oci_parse_signal(const char *s);

#endif
