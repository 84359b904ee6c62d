/* SPDX-License-Identifier: Apache-2.0 */
/* The processes of a pod under nspawn (see proc.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "argv.h"
#include "fileio.h"
#include "macro.h"
#include "podroot.h"
#include "proc.h"

int nspawn_pid_save(struct podrt_pod *pod, pid_t pid) {
        _cleanup_free_ char *path = nspawn_pod_path(pod, "nspawn/pid");
        char text[32];
        if (!path)
                return -ENOMEM;
        snprintf(text, sizeof text, "%d\n", (int)pid);
        return write_file_atomic(path, text, strlen(text), 0600, 0);
}

/* 1 when the process's command line holds needle as one argument. */
static int cmdline_has(pid_t pid, const char *needle) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        char buf[8192];
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        for (char *p = buf; p < buf + n; p += strlen(p) + 1)
                if (strcmp(p, needle) == 0)
                        return 1;
        return 0;
}

pid_t nspawn_pid_running(struct podrt_pod *pod) {
        _cleanup_free_ char *path = nspawn_pod_path(pod, "nspawn/pid"), *text = NULL;
        _cleanup_free_ char *machine = nspawn_machine_name(podrt_pod_id(pod)), *arg = NULL;
        if (!path || !machine || read_file(path, 0, &text, NULL) < 0 ||
            asprintf(&arg, "--machine=%s", machine) < 0)
                return 0;
        long pid = strtol(text, NULL, 10);
        if (pid <= 0 || !cmdline_has((pid_t)pid, arg))
                return 0;
        return (pid_t)pid;
}

/* A field ("PPid:", "NSpid:") of /proc/<pid>/status, or NULL. */
static char *status_field(pid_t pid, const char *key) {
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
        _cleanup_free_ char *text = NULL;
        if (read_file(path, 0, &text, NULL) < 0)
                return NULL;
        size_t n = strlen(key);
        for (char *line = text; line && *line;) {
                char *end = strchr(line, '\n');
                if (end)
                        *end = '\0';
                if (strncmp(line, key, n) == 0) {
                        char *v = line + n;
                        while (*v == ' ' || *v == '\t')
                                v++;
                        return strdup(v);
                }
                line = end ? end + 1 : NULL;
        }
        return NULL;
}

/* The last pid of an NSpid line (the pid in the innermost namespace) and
 * how many there are. */
static long nspid_last(const char *v, int *ret_levels) {
        long last = 0;
        int levels = 0;
        for (const char *p = v; p && *p;) {
                char *end;
                long x = strtol(p, &end, 10);
                if (end == p)
                        break;
                last = x;
                levels++;
                p = end;
        }
        *ret_levels = levels;
        return last;
}

static int each_pid(int (*fn)(pid_t pid, void *u), void *u) {
        DIR *d = opendir("/proc");
        if (!d)
                return -errno;
        struct dirent *de;
        int r = 0;
        while ((de = readdir(d)) && r == 0) {
                if (!isdigit((unsigned char)de->d_name[0]))
                        continue;
                r = fn((pid_t)atol(de->d_name), u);
        }
        closedir(d);
        return r;
}

struct leader_find {
        pid_t parent;
        pid_t found;
};

static int leader_fn(pid_t pid, void *u) {
        struct leader_find *f = u;
        _cleanup_free_ char *ppid = status_field(pid, "PPid:");
        if (!ppid || atol(ppid) != f->parent)
                return 0;
        _cleanup_free_ char *ns = status_field(pid, "NSpid:");
        int levels;
        if (ns && nspid_last(ns, &levels) == 1 && levels >= 2) {
                f->found = pid;
                return 1;
        }
        return 0;
}

pid_t nspawn_leader(pid_t nspawn) {
        struct leader_find f = { .parent = nspawn };
        if (nspawn > 0)
                each_pid(leader_fn, &f);
        return f.found;
}

struct app_find {
        long nspid;
        ino_t pidns;
        dev_t pidns_dev;
        pid_t found;
};

static int app_fn(pid_t pid, void *u) {
        struct app_find *f = u;
        _cleanup_free_ char *ns = status_field(pid, "NSpid:");
        int levels;
        if (!ns || nspid_last(ns, &levels) != f->nspid || levels < 2)
                return 0;
        char path[64];
        struct stat st;
        snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)pid);
        if (stat(path, &st) < 0 || st.st_ino != f->pidns || st.st_dev != f->pidns_dev)
                return 0;
        f->found = pid;
        return 1;
}

pid_t nspawn_app_pid(struct podrt_pod *pod, struct podrt_app *app, pid_t leader) {
        if (leader <= 0)
                return 0;
        _cleanup_free_ char *rel = NULL, *path = NULL, *text = NULL;
        if (asprintf(&rel, "nspawn/root/podrt/pids/%s", podrt_app_name(app)) < 0 ||
            !(path = nspawn_pod_path(pod, rel)) || read_file(path, 0, &text, NULL) < 0)
                return 0;
        struct app_find f = { .nspid = strtol(text, NULL, 10) };
        char ns[64];
        struct stat st;
        snprintf(ns, sizeof ns, "/proc/%d/ns/pid", (int)leader);
        if (f.nspid <= 0 || stat(ns, &st) < 0)
                return 0;
        f.pidns = st.st_ino;
        f.pidns_dev = st.st_dev;
        each_pid(app_fn, &f);
        return f.found;
}

int nspawn_wait_gone(pid_t pid, int timeout_ms) {
        int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
                return errno == ESRCH ? 1 : 0;
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int r;
        while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
                ;
        close(fd);
        if (r > 0)
                return 1;
        /* A child of ours that ended is a zombie until reaped: gone too. */
        return kill(pid, 0) < 0 && errno == ESRCH;
}

int nspawn_read_status(struct podrt_pod *pod, struct podrt_app *app, const char *dir, int *code,
                       struct timespec *when) {
        _cleanup_free_ char *rel = NULL, *path = NULL, *text = NULL;
        if (asprintf(&rel, "nspawn/root/podrt/%s/%s", dir, podrt_app_name(app)) < 0 ||
            !(path = nspawn_pod_path(pod, rel)))
                return 0;
        struct stat st;
        if (stat(path, &st) < 0)
                return 0;
        if (when)
                *when = st.st_mtim;
        if (!code)
                return 1;
        if (read_file(path, 0, &text, NULL) < 0)
                return 0;
        char *end;
        long v = strtol(text, &end, 10);
        if (end == text || v < 0 || v > 255)
                return 0;
        *code = (int)v;
        return 1;
}
