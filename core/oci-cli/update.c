/* SPDX-License-Identifier: Apache-2.0 */
/* update: new memory, cpu and pids limits for a running container, from
 * --resources FILE|- (the OCI linux.resources object, as runc reads it) or
 * runc's --memory, --cpu-quota, --cpu-period and --pids-limit flags. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "args.h"
#include "errors.h"
#include "fileio.h"
#include "runtime.h"

#include "oci-cli.h"
#include "resources.h"

int cmd_update(struct ctx *c, int argc, char **argv, int i) {
        static const struct oci_opt opts[] = {
                { "resources", 'r', true }, { "memory", 'm', true }, { "cpu-quota", 0, true },
                { "cpu-period", 0, true }, { "pids-limit", 0, true }, { NULL, 0, false },
        };
        const char *v[OCI_MAX_OPTS] = { 0 };
        struct container k;
        int r;
        if ((r = open_container(c, "update", opts, v, argc, argv, i, &k)) != 0)
                return r;
        int code = EXIT_FAIL;
        _cleanup_free_ char *text = NULL;
        char msg[256];
        struct podrt_resources res;
        if (v[0]) {
                size_t len;
                r = read_file(strcmp(v[0], "-") == 0 ? "/dev/stdin" : v[0], 1 << 20, &text, &len);
                if (r < 0) {
                        log_error("--resources %s: %s", v[0], strerror(-r));
                        goto out;
                }
        } else if (v[1] || v[2] || v[3] || v[4]) {
                /* runc's flags, as the same object. */
                if (asprintf(&text, "{\"memory\":{%s%s},\"cpu\":{%s%s%s%s%s},\"pids\":{%s%s}}", v[1] ? "\"limit\":" : "",
                             v[1] ? v[1] : "", v[2] ? "\"quota\":" : "", v[2] ? v[2] : "", v[2] && v[3] ? "," : "",
                             v[3] ? "\"period\":" : "", v[3] ? v[3] : "", v[4] ? "\"limit\":" : "", v[4] ? v[4] : "") < 0)
                        goto out;
        } else {
                log_error("update: --resources FILE|- or a limit (--memory, --cpu-quota, --pids-limit) is required");
                goto out;
        }
        if (oci_parse_resources(text, &res, msg, sizeof msg) < 0) {
                log_error("update: resources: %s", msg);
                goto out;
        }
        pid_t pid;
        const char *status = container_status(c, &k, &pid, NULL);
        struct podrt_error *e = NULL;
        if (strcmp(status, "running") != 0 && strcmp(status, "paused") != 0)
                log_error("container not running");
        else if (runtime_update(c->rt, k.pod, NULL, &res, &e) < 0)
                code = fail_err(e);
        else
                code = 0;
out:
        container_done(&k);
        return code;
}
