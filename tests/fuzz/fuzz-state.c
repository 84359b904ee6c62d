/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: a pod's state.json, as `podrt status`, `delete` and gc
 * read it (with no manifest.json beside it, as after a crashed create). */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "pod.h"

/* The folder's name is the pod's ID (a state file naming another is
 * corrupt): the corpus's files name this one. */
#define FUZZ_ID "0123456789abcdef0123456789abcdef"
static char dir[96];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (!dir[0]) {
                char base[64];
                snprintf(base, sizeof(base), "/tmp/podrt-fuzz-state-XXXXXX");
                if (!mkdtemp(base))
                        abort();
                snprintf(dir, sizeof(dir), "%s/" FUZZ_ID, base);
                if (mkdir(dir, 0700) < 0)
                        abort();
        }
        char path[128];
        snprintf(path, sizeof(path), "%s/state.json", dir);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0 || write(fd, data, size) != (ssize_t)size)
                abort();
        close(fd);
        struct podrt_pod *pod = NULL;
        struct podrt_error *err = NULL;
        if (pod_load(dir, &pod, &err) == 0)
                pod_unref(pod);
        podrt_error_free(err);
        return 0;
}
