/* SPDX-License-Identifier: Apache-2.0 */
/* podrt-init: PID 1 of a pod, inside systemd-nspawn and as /init of the kvm
 * backend's VM.  A small static program: it reads the pod description
 * (initspec.h), mounts what the pod needs, loads the VM's modules, runs each
 * app in its own root, reaps, forwards signals, writes each app's exit
 * status, and exits (or powers the VM off) with the pod's status when every
 * app is over.  docs/podrt-init.md tells the whole story. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <unistd.h>

#include "agent.h"
#include "apps.h"
#include "cgroups.h"
#include "errors.h"
#include "initspec.h"
#include "modules.h"
#include "mounts.h"
#include "net.h"
#include "podrt-build.h"
#include "status.h"

static void usage(FILE *f) {
        fprintf(f,
                "usage: podrt-init [--poweroff] [DESCRIPTION]\n"
                "       podrt-init --check DESCRIPTION\n"
                "\n"
                "Runs the pod described in DESCRIPTION (default %s) as its PID 1.\n"
                "  --poweroff  power the machine off at the end, as PID 1 of a VM\n"
                "  --check     parse DESCRIPTION, report the first error, run nothing\n"
                "  --probe     as PID 1: say \"%s\" on the console and power off\n"
                "              (the kvm backend's KVM probe: the guest kernel reached userspace)\n"
                "  --crash     as PID 1: exit at once, which panics the kernel (tests)\n",
                INITSPEC_DEFAULT_PATH, INIT_PROBE_LINE);
}

/* Gives fds 0-2 to the console when the kernel started us without them (an
 * initramfs without /dev/console). */
static void ensure_stdio(void) {
        for (int fd = 0; fd <= 2; fd++) {
                if (fcntl(fd, F_GETFD) >= 0)
                        continue;
                int c = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (c < 0)
                        c = open("/dev/null", O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (c < 0)
                        return;
                if (c != fd) {
                        dup2(c, fd);
                        close(c);
                } else
                        fcntl(c, F_SETFD, 0);
        }
}

_Noreturn static void finish(int code, bool poweroff) {
        fflush(NULL);
        if (poweroff && getpid() == 1) {
                sync();
                reboot(RB_POWER_OFF);
                fprintf(stderr, "podrt-init: power off: %s\n", strerror(errno));
        }
        _exit(code);
}

_Noreturn static void fail(struct podrt_error *e, bool poweroff) {
        fprintf(stderr, "podrt-init: %s\n", podrt_error_message(e));
        podrt_error_free(e);
        finish(INIT_EXIT_FAILURE, poweroff);
}

int main(int argc, char *argv[]) {
        const char *path = NULL;
        bool poweroff = false, check = false, probe = false, crash = false;
        struct podrt_error *e = NULL;

        /* First: a signal that comes while we set up is forwarded later. */
        apps_block_signals();

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--poweroff") == 0)
                        poweroff = true;
                else if (strcmp(argv[i], "--check") == 0)
                        check = true;
                else if (strcmp(argv[i], "--probe") == 0)
                        probe = true;
                else if (strcmp(argv[i], "--crash") == 0)
                        crash = true;
                else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        usage(stdout);
                        return 0;
                } else if (strcmp(argv[i], "--version") == 0) {
                        printf("podrt-init %s\n", PODRT_VERSION);
                        return 0;
                } else if (argv[i][0] == '-' || path) {
                        fprintf(stderr, "podrt-init: unexpected argument \"%s\"\n", argv[i]);
                        usage(stderr);
                        finish(INIT_EXIT_FAILURE, poweroff);
                } else
                        path = argv[i];
        }
        if (!path)
                path = INITSPEC_DEFAULT_PATH;

        if (check) {
                struct initspec *s = NULL;
                if (initspec_load(path, &s, &e) < 0)
                        fail(e, false);
                initspec_free(s);
                return 0;
        }

        bool pid1 = getpid() == 1;
        if (pid1) {
                if (mounts_basic(&e) < 0) {
                        ensure_stdio();
                        fail(e, poweroff);
                }
                ensure_stdio();
                if (crash) {
                        fprintf(stderr, "podrt-init: --crash: exiting as PID 1\n");
                        fflush(NULL);
                        _exit(INIT_EXIT_FAILURE);
                }
                if (probe) {
                        /* The kernel reached userspace: all the probe asks. */
                        fprintf(stderr, "%s\n", INIT_PROBE_LINE);
                        finish(0, true);
                }
        } else
                /* Not PID 1 (a test, a debugging session): still the
                 * reaper of every orphan of the pod. */
                prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

        _cleanup_(initspec_freep) struct initspec *s = NULL;
        if (initspec_load(path, &s, &e) < 0)
                fail(e, poweroff);
        poweroff = poweroff || s->poweroff;
        /* As PID 1 of a VM: Ctrl-Alt-Del becomes a SIGINT, forwarded. */
        if (pid1 && poweroff)
                reboot(RB_DISABLE_CAD);

        if (s->hostname && sethostname(s->hostname, strlen(s->hostname)) < 0) {
                podrt_error_set(&e, errno, "hostname %s: %m", s->hostname);
                fail(e, poweroff);
        }
        if (modules_load(s, &e) < 0 || net_configure(s, &e) < 0 || mounts_pod(s, &e) < 0)
                fail(e, poweroff);
        /* Limits, as PID 1 of a VM (elsewhere the host's cgroups hold them). */
        if (pid1 && poweroff)
                cgroups_setup(s);
        /* `podrt exec` into a VM: its agent, for as long as the VM runs,
         * forked once the apps started. */
        finish(apps_run(s, pid1 && poweroff, s->exec_port && pid1 ? agent_spawn : NULL), poweroff);
}
