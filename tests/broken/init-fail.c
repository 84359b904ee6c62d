/* SPDX-License-Identifier: Apache-2.0 */
/* Broken on purpose: init fails, with a message and -EHOSTDOWN. */
#include <errno.h>
#include <stdlib.h>

#include <podrt/podrt.h>

static int init_fail_init(const struct podrt_host *host, void **ret_data,
                          struct podrt_error **err) {
        return podrt_error_set(err, EHOSTDOWN, "cannot reach the frobnicator");
}

static void init_fail_fini(void *data) {
        /* Never called: init failed. */
        abort();
}

static const struct podrt_plugin plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "init-fail",
        .version = "1.0",
        .init = init_fail_init,
        .fini = init_fail_fini,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &plugin;
}
