/* SPDX-License-Identifier: Apache-2.0 */
/* podrt app add|start|stop|rm|list: the apps of a running pod, one at a
 * time, as rkt's `rkt app` does.  Subcommands declared as the top-level
 * commands are, run through the same path (command_run). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Exactly POD and one more operand (what names it): 0 to go on, with
 * a->operand the POD and the runtime made, else the exit code. */
static int pod_and(struct cli *cli, struct cli_args *a, const char *what) {
        if (a->argc == 0)
                return cli_usage_error(cli, "missing POD");
        if (a->argc == 1)
                return cli_usage_error(cli, "missing %s", what);
        if (a->argc > 2)
                return cli_usage_error(cli, "too many arguments (POD and %s expected)", what);
        if (!*a->argv[0])
                return cli_usage_error(cli, "empty POD");
        if (!*a->argv[1])
                return cli_usage_error(cli, "empty %s", what);
        a->operand = a->argv[0];
        return cli_runtime(cli, a->operand, &a->rt);
}

static int cmd_app_add(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        int r = pod_and(cli, a, "APP.json");
        if (r)
                return r;
        r = runtime_app_add(a->rt, a->operand, a->argv[1], a->flags & CLI_START, err);
        return r < 0 ? r : 0;
}

static int cmd_app_start(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        int r = pod_and(cli, a, "APP");
        if (r)
                return r;
        r = runtime_app_start(a->rt, a->operand, a->argv[1], err);
        return r < 0 ? r : 0;
}

static int cmd_app_stop(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        int r = pod_and(cli, a, "APP");
        if (r)
                return r;
        r = runtime_app_stop(a->rt, a->operand, a->argv[1], a->seconds, err);
        return r < 0 ? r : 0;
}

static int cmd_app_rm(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        int r = pod_and(cli, a, "APP");
        if (r)
                return r;
        r = runtime_app_rm(a->rt, a->operand, a->argv[1], a->flags & CLI_FORCE, err);
        return r < 0 ? r : 0;
}

static int fetch_app_list(struct cli_args *a, struct json_object **ret, struct podrt_error **err) {
        struct json_object *pod = NULL, *apps;
        int r = runtime_status(a->rt, a->operand, &pod, err);
        if (r < 0)
                return r;
        *ret = json_object_object_get_ex(pod, "apps", &apps) ? json_object_get(apps) : json_object_new_array();
        json_object_put(pod);
        return 0;
}

static const struct cli_option add_options[] = {
        { "start", 's', CLI_FLAG, CLI_START },
        { NULL },
};
static const struct cli_option stop_options[] = {
        { "timeout", 't', CLI_SECONDS, 0 },
        { "time", 't', CLI_SECONDS, 0 },
        { NULL },
};
static const struct cli_option rm_options[] = {
        { "force", 'f', CLI_FLAG, CLI_FORCE },
        { NULL },
};
static const struct cli_option list_options[] = {
        { "json", 'j', CLI_FLAG, CLI_JSON },
        { NULL },
};

static const struct command app_commands[] = {
        { .name = "app add", .run = cmd_app_add, .synopsis = "[--start] POD APP.json",
          .summary = "add an app to a running pod",
          .options_help = "      --start  start it too\n",
          .notes = "APP.json holds one object of a manifest's containers[] form, validated as\n"
                   "a manifest's containers are, against the pod's volumes; a relative rootfs\n"
                   "is taken from APP.json's folder.  The pod's backend needs container ops.\n",
          .shortopts = "", .options = add_options, .operands = CLI_ANY_OPERANDS },
        { .name = "app start", .run = cmd_app_start, .synopsis = "POD APP",
          .summary = "start an app of a running pod (added, or stopped)",
          .shortopts = "", .operands = CLI_ANY_OPERANDS },
        { .name = "app stop", .run = cmd_app_stop, .synopsis = "[--timeout SECS] POD APP",
          .summary = "stop one app of a running pod: gracefully, then killed after the timeout",
          .options_help = "  -t, --timeout SECS  seconds to wait before killing (default 10)\n",
          .notes = "Returns once the pod's monitor has recorded the app's exit.  The pod's\n"
                   "other apps go on running.\n",
          .shortopts = "t:", .options = stop_options, .operands = CLI_ANY_OPERANDS, .seconds = 10 },
        { .name = "app rm", .run = cmd_app_rm, .synopsis = "[--force] POD APP",
          .summary = "remove a stopped app from a running pod",
          .options_help = "  -f, --force  stop it first (killed at once)\n",
          .shortopts = "f", .options = rm_options, .operands = CLI_ANY_OPERANDS },
        { .name = "app list", .alias = "ls", .fetch = fetch_app_list, .print = print_apps,
          .synopsis = "[--json] POD", .summary = "list a pod's apps",
          .options_help = "      --json  print them as a JSON array (status --json's apps)\n",
          .shortopts = "", .options = list_options, .operands = CLI_ONE_POD, .flags = CMD_SIGPIPE },
        { NULL },
};

int cmd_app(struct cli *cli, struct cli_args *a, struct podrt_error **err) {
        return command_run_sub(cli, a, app_commands, "add, start, stop, rm, list");
}
