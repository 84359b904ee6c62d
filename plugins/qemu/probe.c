/* SPDX-License-Identifier: Apache-2.0 */
/* Whether QEMU's guests run under KVM here: the cheap first stage.
 *
 * "/dev/kvm exists" is not enough (on nested hosts QEMU aborts at the first
 * vCPU MSR write, or the guest dies later), nor is a few real-mode
 * instructions run through KVM_RUN.  The probe boots a real QEMU with the
 * options a pod gets (-M microvm -accel kvm -cpu host), on a tiny PVH guest
 * that counts down a loop and writes to the isa-debug-exit port: QEMU then
 * exits with status 67.  The loop must run at hardware speed: the same
 * guest under TCG must take at least twice as long, else KVM is emulated
 * and not worth booting a kernel on.  When this passes, the kvm backend
 * boots the real guest kernel under KVM before trusting it (its second
 * stage, plugins/kvm/accel.c), and caches both answers per boot. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qemu.h"

#define PROBE_EXIT_VALUE 0x21   /* QEMU exits with (0x21 << 1) | 1 = 67 (probe-image.c) */
#define PROBE_TIMEOUT_MS 5000

int qemu_probe_kvm(const char *dir, char *detail, size_t size) {
        if (access("/dev/kvm", R_OK | W_OK) < 0) {
                snprintf(detail, size, "/dev/kvm: %s", strerror(errno));
                return 0;
        }
        int r = mkdir_p(dir, 0755);
        _cleanup_free_ char *image = path_join(dir, "kvm-probe.elf");
        _cleanup_free_ char *log = path_join(dir, "kvm-probe.log");
        if (r < 0 || !image || !log || (r = qemu_write_probe_image(image)) < 0) {
                snprintf(detail, size, "cannot write the probe guest in %s: %s", dir,
                         strerror(r < 0 ? -r : ENOMEM));
                return 0;
        }
        char *argv[] = {
                (char *)qemu_binary(), "-M", "microvm,x-option-roms=off", "-accel", "kvm",
                "-cpu", "host", "-m", "16", "-nodefaults", "-no-user-config", "-display", "none",
                "-no-reboot", "-kernel", image, "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
                NULL,
        };
        _cleanup_close_ int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        int64_t t0 = now_ms();
        int status = 0;
        r = run_program(argv, logfd, PROBE_TIMEOUT_MS, &status);
        int64_t ms = now_ms() - t0;
        if (r == -ETIMEDOUT) {
                unlink(image);
                snprintf(detail, size, "QEMU's KVM test guest did not finish within %d ms", PROBE_TIMEOUT_MS);
                return 0;
        }
        if (r < 0) {
                unlink(image);
                snprintf(detail, size, "QEMU's KVM test guest: %s", strerror(-r));
                return 0;
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == ((PROBE_EXIT_VALUE << 1) | 1)) {
                /* The cheap stage: the loop must run at hardware speed.  The
                 * same guest under TCG, for comparison; a KVM that is not
                 * clearly faster is emulated, and booting a real kernel on
                 * it is not worth trying. */
                char *tcg[ELEMENTSOF(argv)];
                size_t j = 0;
                for (size_t i = 0; argv[i]; i++) {
                        if (!strcmp(argv[i], "-cpu")) {
                                i++;
                                continue;
                        }
                        tcg[j++] = !strcmp(argv[i], "kvm") ? (char *)"tcg" : argv[i];
                }
                tcg[j] = NULL;
                int64_t t1 = now_ms();
                int tst = 0;
                int tr = run_program(tcg, -1, PROBE_TIMEOUT_MS * 2, &tst);
                int64_t tcg_ms = now_ms() - t1;
                unlink(image);
                unlink(log);
                if (tr == 0 && WIFEXITED(tst) && WEXITSTATUS(tst) == ((PROBE_EXIT_VALUE << 1) | 1) &&
                    ms * 2 > tcg_ms) {
                        snprintf(detail, size, "KVM is present but runs a test loop no faster than TCG "
                                 "(%lld ms, TCG %lld ms): it is emulated here", (long long)ms, (long long)tcg_ms);
                        return 0;
                }
                snprintf(detail, size, "KVM works (a test guest ran under QEMU in %lld ms, %lld ms under TCG)",
                         (long long)ms, (long long)tcg_ms);
                return 1;
        }
        unlink(image);
        /* QEMU's last line says why ("failed to set MSR 0x10a"). */
        _cleanup_free_ char *text = NULL;
        char why[160] = "";
        if (read_file(log, 1 << 16, &text, NULL) >= 0) {
                char *end = text + strlen(text);
                while (end > text && (end[-1] == '\n' || end[-1] == ' '))
                        *--end = '\0';
                char *line = strrchr(text, '\n');
                line = line ? line + 1 : text;
                /* An assertion follows the real reason: prefer an "error" line. */
                char *errline = strstr(text, "error: ");
                if (errline) {
                        char *nl = strchr(errline, '\n');
                        if (nl)
                                *nl = '\0';
                        line = errline;
                }
                if (*line)
                        snprintf(why, sizeof(why), ": %s", line);
        }
        if (WIFSIGNALED(status))
                snprintf(detail, size, "QEMU's KVM test guest died of signal %d after %lld ms%s",
                         WTERMSIG(status), (long long)ms, why);
        else
                snprintf(detail, size, "QEMU's KVM test guest exited with status %d after %lld ms%s",
                         WEXITSTATUS(status), (long long)ms, why);
        return 0;
}
