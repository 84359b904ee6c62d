/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <sys/wait.h>

#include "paths.h"
#include "status.h"

int exit_code_from_wait(int wstatus) {
        if (WIFEXITED(wstatus))
                return WEXITSTATUS(wstatus);
        if (WIFSIGNALED(wstatus))
                return 128 + WTERMSIG(wstatus);
        return 255;
}

void pod_outcome_record(struct pod_outcome *o, int code) {
        if (code != 0 && !o->failed) {
                o->failed = true;
                o->code = code;
        }
}

int status_file_write(const char *path, int code, struct podrt_error **err) {
        char text[16];
        snprintf(text, sizeof(text), "%d\n", code);
        return init_write_file(path, text, err);
}
