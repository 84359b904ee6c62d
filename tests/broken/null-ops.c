/* SPDX-License-Identifier: Apache-2.0 */
/* Loads fine but provides no ops at all: every call must be "not
 * supported", never a crash.  init and fini append "init null-ops" and
 * "fini null-ops" to $PODRT_MOCK_PLUGIN_LOG, so the tests see their order. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <podrt/podrt.h>

static void note(const char *what) {
        const char *path = getenv("PODRT_MOCK_PLUGIN_LOG");
        if (!path || !path[0])
                return;
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return;
        char line[64];
        int n = snprintf(line, sizeof(line), "%s null-ops\n", what);
        if (n > 0 && write(fd, line, (size_t)n) < 0)
                n = 0;
        close(fd);
}

static int null_ops_init(const struct podrt_host *host, void **ret_data,
                         struct podrt_error **err) {
        note("init");
        return 0;
}

static void null_ops_fini(void *data) {
        note("fini");
}

static const struct podrt_plugin plugin = {
        .abi_major = PODRT_ABI_MAJOR,
        .abi_minor = PODRT_ABI_MINOR,
        .size = sizeof(struct podrt_plugin),
        .name = "null-ops",
        .version = "1.0",
        .init = null_ops_init,
        .fini = null_ops_fini,
};

PODRT_EXPORT const struct podrt_plugin *podrt_plugin_entry(void) {
        return &plugin;
}
