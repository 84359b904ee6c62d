/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the libconfig configuration file and its validation. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf.h"
#include "errors.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        int fd = memfd_create("podrt.conf", MFD_CLOEXEC);
        if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
                if (fd >= 0)
                        close(fd);
                return 0;
        }
        char path[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        struct podrt_config *cfg = NULL;
        struct podrt_error *err = NULL;
        if (config_load(path, &cfg, &err) == 0)
                config_free(cfg);
        podrt_error_free(err);
        close(fd);
        return 0;
}
