/* SPDX-License-Identifier: Apache-2.0 */
/* The resources of `update --resources`: the OCI linux.resources object's
 * memory, cpu and pids limits, as runc reads them. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include <json-c/json.h>

#include "resources.h"

static int get_int(struct json_object *o, const char *k1, const char *k2, bool *has, int64_t *ret,
                   char *msg, size_t size) {
        struct json_object *a, *b;
        if (!json_object_object_get_ex(o, k1, &a) || !a || !json_object_object_get_ex(a, k2, &b) || !b)
                return 0;
        if (!json_object_is_type(b, json_type_int)) {
                snprintf(msg, size, "%s.%s: must be an integer", k1, k2);
                return -EINVAL;
        }
        *has = true;
        *ret = json_object_get_int64(b);
        return 0;
}

/* 0: no value; -1 in OCI terms is "no limit". */
static int64_t limit_of(bool has, int64_t v) {
        return !has ? 0 : v < 0 ? -1 : v;
}

int oci_parse_resources(const char *text, struct podrt_resources *res, char *msg, size_t size) {
        struct json_object *o = json_tokener_parse(text);
        *res = (struct podrt_resources){ .size = sizeof *res };
        if (!o || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                snprintf(msg, size, "not a JSON object");
                return -EINVAL;
        }
        bool has_mem = false, has_quota = false, has_period = false, has_pids = false;
        int64_t mem = 0, quota = 0, period = 0, pids = 0;
        int r = 0;
        if ((r = get_int(o, "memory", "limit", &has_mem, &mem, msg, size)) < 0 ||
            (r = get_int(o, "cpu", "quota", &has_quota, &quota, msg, size)) < 0 ||
            (r = get_int(o, "cpu", "period", &has_period, &period, msg, size)) < 0 ||
            (r = get_int(o, "pids", "limit", &has_pids, &pids, msg, size)) < 0)
                goto out;
        if (has_mem && mem == 0) {
                snprintf(msg, size, "memory.limit: 0 is not a limit (-1: none)");
                r = -EINVAL;
                goto out;
        }
        if (has_period && period <= 0) {
                snprintf(msg, size, "cpu.period: must be positive");
                r = -EINVAL;
                goto out;
        }
        res->memory_bytes = limit_of(has_mem, mem);
        if (has_quota)
                res->cpu_millis = quota < 0 ? -1 : quota * 1000 / (has_period ? period : 100000);
        if (has_quota && quota > 0 && res->cpu_millis == 0)
                res->cpu_millis = 1;
        res->pids = limit_of(has_pids, pids);
        if (has_pids && pids == 0)
                res->pids = -1;     /* runc: 0 is no limit */
        if (!res->memory_bytes && !res->cpu_millis && !res->pids) {
                snprintf(msg, size, "sets none of memory.limit, cpu.quota, pids.limit");
                r = -EINVAL;
        }
out:
        json_object_put(o);
        return r;
}
