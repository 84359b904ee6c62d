/* SPDX-License-Identifier: Apache-2.0 */
/* Starting an app's container detached (`<runtime> run --detach`) and
 * removing it: see launch.h.  Why detached: a `<runtime> run` in the
 * foreground stays alive for as long as its container (runc 1.1: 7-14 MB
 * of PSS each); conmon's way is the runtime's create + start with the
 * monitor as the subreaper that waits for the container's own process, and
 * `run --detach` is both in one runtime process. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bundle.h"
#include "cgroup.h"
#include "command.h"
#include "errors.h"
#include "fileio.h"
#include "launch.h"
#include "passthrough.h"
#include "process.h"
#include "strv.h"

static int open_log(struct podrt_app *app, struct podrt_error **err) {
        int fd = open(podrt_app_log_path(app), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY,
                      0640);
        if (fd < 0)
                return podrt_error_set(err, errno, "%s: %s", podrt_app_log_path(app), strerror(errno));
        return fd;
}

/* What the runtime logged in memory (fd), written to path for its reader
 * (and the user): kept only when the runtime failed. */
static void keep_log(int fd, const char *path) {
        char self[64];
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
        if (read_file(self, 0, &text, &n) == 0)
                (void)write_file_new(path, text, n, 0640);
}

int oci_app_launch(const struct oci_runtime *rt, struct podrt_app *app, struct podrt_error **err) {
        _cleanup_free_ char *log = oci_app_path(app, "runtime.log");
        if (!log)
                return podrt_error_set(err, ENOMEM, "out of memory");
        (void)unlink(log);
        /* What an earlier start left (its monitor died before the
         * container ended, say) would make the runtime refuse the ID. */
        int r = oci_container_remove(rt, podrt_app_pod(app), app, err);
        if (r < 0)
                return r;

        /* No --pid-file: the runtime writes it through a temporary file and
         * rename() (~0.5 ms on ext4); its own state file holds the pid.  Its
         * log goes to memory (its fd 3), to runtime.log only when it
         * failed: a file made and removed at every run costs 50 us on ext4,
         * and the runtime logs nothing when all goes well. */
        const char *args[] = {"run", "--detach", "--bundle", podrt_app_dir(app), podrt_app_id(app), NULL};
        _cleanup_close_ int mlog = memfd_create("runtime.log", MFD_CLOEXEC);
        _cleanup_strv_free_ char **argv = oci_runtime_argv(rt, mlog >= 0 ? "/proc/self/fd/3" : log, args);
        if (!argv)
                return podrt_error_set(err, ENOMEM, "out of memory");

        /* The runtime's stdio become the container's: the monitor's pipes
         * (or the app's log when there are none), stdin the caller's or
         * /dev/null. */
        _cleanup_close_ int own_out = -1, own_err = -1;
        int out = podrt_app_stdout_fd(app), errfd = podrt_app_stderr_fd(app);
        if (out < 0 && (out = own_out = open_log(app, err)) < 0)
                return out;
        if (errfd < 0 && (errfd = own_err = open_log(app, err)) < 0)
                return errfd;
        pid_t pid;
        int status;
        r = oci_spawn_fd3(argv, podrt_app_stdin_fd(app), out, errfd, mlog, &pid, err);
        if (r < 0)
                return podrt_error_set(err, r, "app %s", podrt_app_name(app));
        /* Meanwhile (the runtime takes milliseconds): what the app's end
         * will need, read now. */
        (void)oci_cgroup_host_mounts_read();
        r = oci_wait(pid, &status);
        if (r < 0)
                return podrt_error_set(err, r, "app %s: %s run: %s", podrt_app_name(app), rt->name,
                                       strerror(-r));

        if (status == 0) {
                /* The container's process: our child now (the runtime that
                 * made it has exited), a zombie of ours if it ended already,
                 * so its pid is not reused before the monitor reaps it. */
                pid_t cpid = oci_runtime_container_pid(rt, podrt_app_id(app));
                if (cpid <= 0)
                        return podrt_error_set(err, ESRCH, "app %s: %s run: no process for container %s",
                                               podrt_app_name(app), rt->name, podrt_app_id(app));
                podrt_app_set_pid(app, cpid);
                return 0;
        }
        /* The runtime said why on the app's stderr and in its log: a
         * failure of its own ("runc run failed: ...", not a complaint
         * logged on the way) gets the status of the command line's
         * contract, else the app has the runtime's status. */
        if (mlog >= 0)
                keep_log(mlog, log);
        _cleanup_free_ char *msg = oci_runtime_log_error(log);
        if (msg && (strcmp(rt->name, "runc") != 0 || strstr(msg, "runc run failed")))
                status = oci_failure_exit_code(msg);
        podrt_app_set_exited(app, status);
        return 0;
}

int oci_container_forget_ended(const struct oci_runtime *rt, struct podrt_app *app,
                         struct podrt_error **err) {
        pid_t pid = podrt_app_pid(app);
        _cleanup_free_ char *stat = NULL;
        if (pid <= 0 || pid_stat_fields(pid, &stat) || !oci_runtime_has(rt, podrt_app_id(app)))
                return 0;
        if (strcmp(rt->name, "runc") != 0)
                return oci_container_remove(rt, podrt_app_pod(app), app, err);
        /* What `runc delete` does for a stopped container (its destroy():
         * the cgroups, then the state folder; config.json has no poststop
         * hooks), without a runc process (~8 ms here) on every app's end,
         * as `runc run` in the foreground does it in its own process.  A
         * cgroup still busy is left to the pod's delete. */
        _cleanup_free_ char *state = NULL, *state_json = NULL;
        if (asprintf(&state, "%s/%s", rt->root, podrt_app_id(app)) < 0 ||
            asprintf(&state_json, "%s/state.json", state) < 0)
                return podrt_error_set(err, ENOMEM, "out of memory");
        /* A client's bundle (podrt-runtime) names its own cgroupsPath (or
         * none: runc's /<id>): the runtime's state file says where. */
        if (podrt_pod_annotation(podrt_app_pod(app), OCI_BUNDLE_ANNOTATION))
                oci_cgroup_remove_recorded(state_json);
        else
                oci_cgroup_remove_app(podrt_pod_id(podrt_app_pod(app)), podrt_app_name(app));
        int r = rm_rf(state);
        if (r < 0)
                return podrt_error_set(err, r, "%s: %s", state, strerror(-r));
        return 0;
}

int oci_container_remove(const struct oci_runtime *rt, struct podrt_pod *pod, struct podrt_app *app,
                   struct podrt_error **err) {
        const char *id = podrt_app_id(app);
        if (!oci_runtime_has(rt, id))
                return 0;
        if (oci_cgroup_app_frozen(podrt_pod_id(pod), podrt_app_name(app))) {
                const char *resume[] = {"resume", id, NULL};
                int ignored;
                oci_runtime_run(rt, resume, &ignored, NULL, NULL);
        }
        const char *del[] = {"delete", "--force", id, NULL};
        _cleanup_free_ char *output = NULL;
        int status;
        int r = oci_runtime_run(rt, del, &status, &output, err);
        if (r < 0)
                return r;
        if (status != 0 && oci_runtime_has(rt, id)) {
                char line[1024];
                return podrt_error_set(err, EIO, "app %s: %s delete: exit status %d: %s",
                                       podrt_app_name(app), rt->name, status,
                                       oci_last_line(output, line, sizeof line));
        }
        return 0;
}
