/* SPDX-License-Identifier: Apache-2.0 */
/* The host's facts every backend shares in `podrt check`: the kernel, the
 * cgroup layout, whether PID 1 is systemd.  What a backend needs beyond
 * them (KVM, modules, runtimes) is that plugin's check method. */
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "check.h"
#include "mountinfo.h"

/* sd_booted(): systemd's own test for "PID 1 is systemd". */
static bool pid1_is_systemd(void) {
        struct stat st;
        return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

static int add(struct json_object *o, const char *key, struct json_object *value) {
        if (!value || json_object_object_add(o, key, value) < 0) {
                json_object_put(value);
                return -ENOMEM;
        }
        return 0;
}

struct json_object *check_host_facts(void) {
        struct json_object *host = json_object_new_object();
        struct utsname u;
        if (!host ||
            add(host, "kernel", json_object_new_string(uname(&u) == 0 ? u.release : "unknown")) < 0 ||
            add(host, "cgroup", json_object_new_string(cgroup_mode_name(cgroup_mode()))) < 0 ||
            add(host, "systemd", json_object_new_boolean(pid1_is_systemd())) < 0) {
                json_object_put(host);
                return NULL;
        }
        return host;
}
