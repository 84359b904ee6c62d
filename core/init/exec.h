/* SPDX-License-Identifier: Apache-2.0 */
/* The child side of an app's process: from fork() to execve() of the app,
 * its pre-start or its post-stop command. */
#ifndef PODRT_INIT_EXEC_H
#define PODRT_INIT_EXEC_H

#include <stdbool.h>

#include "initspec.h"

/* In a freshly forked child of podrt-init: default signals, its own process
 * group, stdin from /dev/null, stdout/stderr to the console or the app's log
 * files, the app's mount namespace and root, working directory, capability
 * bounding set, groups, gid, uid, no_new_privs, then execve(argv) with
 * exactly the app's env.  Never returns: on failure it prints one line
 * naming the app (what: "" for the app, "pre-start: " or "post-stop: ") and
 * exits 125 (setup), 126 (exec failed) or 127 (program not found). */
_Noreturn void exec_app_child(const struct initspec_app *app, char *const *argv, const char *what);

/* The same for `podrt exec` (agent.c): stdio as the caller set it up; for a
 * terminal, the caller made the session and its controlling terminal. */
_Noreturn void exec_in_app(const struct initspec_app *app, char *const *argv, bool tty);

#endif
