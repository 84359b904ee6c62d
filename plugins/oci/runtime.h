/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI runtime: which one (oci.runtime = auto | crun | runc | NAME |
 * /path), whether it can run here (a probe, cached), and its commands, each
 * with --root inside podrt's state directory. */
#ifndef PODRT_OCI_RUNTIME_H
#define PODRT_OCI_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <podrt/plugin.h>
#include "macro.h"

struct oci_runtime {
        char *name;   /* "runc", "crun", or the file name of a path */
        char *path;   /* absolute path of the program */
        char *root;   /* its --root: <state dir>/oci/<name> */
};

struct oci_runtime *oci_runtime_free(struct oci_runtime *rt);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct oci_runtime *, oci_runtime_free)

int oci_runtime_new(const char *name, const char *path, const char *root,
                    struct oci_runtime **ret);

/* The first executable file called name on $PATH (or the default PATH). */
int oci_find_program(const char *name, char **ret_path);

/* Chooses the runtime for setting.  "auto": crun when it is installed and
 * its probe passes, else runc, saying why through host->log (host may be
 * NULL); a named runtime or a path is taken as it is, if it exists.
 * Errors name what was looked for and how to fix it. */
int oci_runtime_resolve(const char *setting, const char *state_dir,
                        const struct podrt_host *host, struct oci_runtime **ret,
                        struct podrt_error **err);

/* Whether the runtime at path can run a trivial container here: 1 yes,
 * 0 no with the reason (malloc'd) in *ret_reason.  Runs `PATH run` of the
 * host's `true` in a throw-away bundle under work_dir.  The result is cached
 * in cache_path (keyed by the program's inode, size, mtime and the boot ID);
 * *ret_cached says whether it came from there.  cache_path may be NULL. */
int oci_runtime_probe(const char *path, const char *work_dir, const char *cache_path,
                      char **ret_reason, bool *ret_cached);

/* Runs `<runtime> --root <root> args...` and waits.  Non-zero exit: fails
 * with "<name> <args[0]>: exit status N: <its last line of output>" (-EIO).
 * ret_status (may be NULL) gets the exit status; when it is given, a
 * non-zero status is not an error. */
int oci_runtime_run(const struct oci_runtime *rt, const char *const *args, int *ret_status,
                    char **ret_output, struct podrt_error **err);

/* The argv of a runtime command (malloc'd vector of malloc'd strings):
 * path, --root root, [--log=log --log-format=json,] args. */
char **oci_runtime_argv(const struct oci_runtime *rt, const char *log, const char *const *args);

/* RLIMIT_NOFILE for containers: 1048576 (or the kernel's nr_open when
 * lower); without CAP_SYS_RESOURCE no more than our own hard limit, which
 * is all the runtime could set. */
uint64_t oci_nofile_limit(void);

/* The message of the last error the runtime wrote to its log (--log,
 * --log-format=json: one JSON object a line), malloc'd, or NULL. */
char *oci_runtime_log_error(const char *log_path);

/* What a runtime's failure message means for the command line's contract:
 * 127 the program was not found, 126 it could not be executed, 125 any
 * other failure (podrt's, here the runtime's). */
int oci_failure_exit_code(const char *msg);

/* 1 when the runtime knows container id (its state directory exists). */
int oci_runtime_has(const struct oci_runtime *rt, const char *id);

/* The pid of container id's process, 0 when it has none (not started
 * yet, or not any more).  Read from the runtime's own state file (runc's state.json, crun's
 * status), checked against the process's start time where the runtime
 * records it; other runtimes are asked (`state`). */
pid_t oci_runtime_container_pid(const struct oci_runtime *rt, const char *id);

#endif
