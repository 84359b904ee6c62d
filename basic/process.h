/* SPDX-License-Identifier: Apache-2.0 */
/* Child processes, one way for the whole tree: a child about to exec gets a
 * clean fd table, default signal dispositions and an empty signal mask;
 * short helper runs have a deadline; programs are found on PATH. */
#ifndef PODRT_BASIC_PROCESS_H
#define PODRT_BASIC_PROCESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Every signal back to SIG_DFL (but those a child cannot change) and an
 * empty mask: what a program expects at exec. */
void signals_reset(void);
/* Closes every fd >= first (close_range, or a loop where it is missing);
 * with cloexec, marks them close-on-exec instead. */
void fds_close_from(int first, int cloexec);
/* Closes every fd above 2 but the n in keep (a child that keeps a few of
 * its parent's, as a relay does). */
void fds_close_except(const int *keep, size_t n);
/* A host-side relay's first steps after fork (a child of the pod's monitor
 * that outlives no monitor): default signals but SIGPIPE ignored, an empty
 * mask, killed when its parent dies, called name (prctl), and only the n
 * fds of keep besides stdio. */
void relay_child_setup(const char *name, const int *keep, size_t n);

/* child_setup() flags. */
#define CHILD_SETSID (1u << 0)     /* a session of its own (no terminal's ^C) */

/* In a child after fork(), before exec: stdin from in_fd, stdout and stderr
 * to out_fd and err_fd (-1: /dev/null for each), every other fd closed, and
 * signals_reset().  Never fails (what cannot be set stays as it was). */
void child_setup(int in_fd, int out_fd, int err_fd, unsigned flags);

/* Runs argv (argv[0] looked up on PATH) to completion with child_setup()
 * (stdin /dev/null, stdout and stderr to out_fd, or /dev/null when -1, its
 * own session), killed with SIGKILL after timeout_ms (-ETIMEDOUT then).
 * *ret_status: the wait status. */
int run_program(char *const *argv, int out_fd, int timeout_ms, int *ret_status);

/* name as found on $PATH (or the default PATH), or name itself when it
 * holds a '/': an executable regular file.  malloc'd, NULL when none. */
char *find_program(const char *name);

/* `path --version`'s first line (2 s at most) in out; 0, or -errno with
 * out saying what went wrong. */
int program_version(const char *path, char *out, size_t size);

/* A child that reports back through a pipe: pipe2(fd, O_CLOEXEC), fflush
 * and fork.  In the child (0) fd[1] is the write end, in the parent (the
 * pid) fd[0] the read end; the other end is closed (-1).  -1 with errno set
 * and failed "pipe" or "fork" when one fails (both ends closed then). */
struct report_pipe {
        int fd[2];
        const char *failed;
};
pid_t fork_reporting(struct report_pipe *rp);
/* Reads fd to its end (or an error) into buf, NUL-terminated (size - 1
 * bytes at the most), and closes it: the length read. */
size_t read_report(int fd, char *buf, size_t size);
/* The child's word, "CODE MESSAGE" (0: all went well), onto fd, which is
 * closed. */
void report_write(int fd, int code, const char *msg);
/* The parent's reading of it: 0 when the child said 0; else the errno it
 * said, its message in msg (EIO and died when it said nothing: it died
 * first).  fd is closed. */
int report_wait(int fd, char *msg, size_t size, const char *died);

/* 1 when pid runs and its command line holds needle, else 0. */
int pid_cmdline_contains(pid_t pid, const char *needle);
/* Reads /proc/pid/stat into *ret (malloc'd, NULL when unreadable): what
 * follows the command's ')', from the space before field 3 (the state), or
 * NULL. */
const char *pid_stat_fields(pid_t pid, char **ret);
/* Waits up to timeout_ms for pid (not necessarily our child) to go away (a
 * zombie counts as gone): 1 gone, 0 still there. */
int pid_wait_gone(pid_t pid, int timeout_ms);

#endif
