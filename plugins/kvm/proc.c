/* SPDX-License-Identifier: Apache-2.0 */
/* Short helper runs of the kvm backend (the accel probe, lkvm's own
 * commands), with a deadline. */
#include <errno.h>
#include <string.h>

#include "kvm.h"

int proc_run(char *const *argv, int log_fd, int timeout_ms, struct podrt_error **err) {
        int status = 0;
        int r = run_program(argv, log_fd, timeout_ms, &status);
        if (r == -ETIMEDOUT)
                return podrt_error_set(err, ETIMEDOUT, "%s did not finish within %d ms", argv[0],
                                       timeout_ms);
        if (r < 0)
                return podrt_error_set(err, r, "fork: %s", strerror(-r));
        return status;
}
