/* SPDX-License-Identifier: Apache-2.0 */
/* Following an app's output in the files podrt-init writes on the status
 * share (out/<app>, err/<app>), for the VM's keeper and an added app's
 * relay; and how the VM ended, for the exit code of an app without a
 * status file. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "kvm.h"

void follow_pump(struct follow *f) {
        if (f->in < 0) {
                f->in = open(f->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                if (f->in < 0)
                        return;
        }
        char buf[65536];
        for (;;) {
                ssize_t n = read(f->in, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return;
                const char *p = buf;
                while (n > 0 && f->out >= 0) {
                        ssize_t w = write(f->out, p, (size_t)n);
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0) {
                                f->out = -1;   /* the monitor is gone: keep the VM going */
                                break;
                        }
                        p += w, n -= w;
                }
        }
}

int kvm_ended_by_signal(const char *kvm_dir) {
        _cleanup_free_ char *path = path_join(kvm_dir, "signal"), *text = NULL;
        if (!path || read_file(path, 64, &text, NULL) < 0)
                return 0;
        int s = atoi(text);
        return s > 0 && s < 65 ? s : 0;
}

