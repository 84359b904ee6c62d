/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the pod's monitor: what monitor.c (the loop, output, exits),
 * monitor-apps.c (apps added to and removed from the running pod) and
 * monitor-control.c (its control socket) share. */
#ifndef PODRT_MONITOR_INTERNAL_H
#define PODRT_MONITOR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lifecycle.h"

/* An app's log file, bounded: past max bytes it is renamed to <log>.1
 * (the one before is dropped) and a new one begun, as conmon's
 * log_size_max does.  stdout and stderr of the app share it. */
struct applog {
        int fd;
        uint64_t size;
        uint64_t max;  /* 0: no limit */
        char *path;
};

struct stream {
        int fd;                /* read end, -1 once closed */
        int echo;              /* 1 or 2 in the foreground, else -1 */
};

/* What the monitor keeps per app, side by side with pod->apps. */
struct mapp {
        struct applog log;
        struct stream out, err;
        pid_t waited;          /* the process start named: the one to wait for */
        bool started;          /* started while this monitor runs */
};

struct monitor {
        struct runtime *rt;
        struct podrt_pod *pod;
        struct plugin *backend;
        unsigned flags;        /* MONITOR_* */
        uint64_t log_max;
        struct mapp *apps;     /* pod->spec->n_apps of them */
        size_t cap;
        int control_fd;        /* the listening control socket, or -1 */
        bool sandbox;          /* stays up when its apps have ended */
        bool shutdown;         /* asked to end (stop, a signal) */
        bool saved_running;    /* state.json has said running (or paused) */
};

/* monitor.c: saves state.json under the pod's lock, keeping a pause
 * another command recorded. */
PODRT_INTERNAL int monitor_save(struct monitor *m, struct podrt_error **err);
/* monitor.c: the backend's state() asked now (an app of the pod's own
 * process may have ended inside it: nspawn, kvm), what ended recorded. */
PODRT_INTERNAL int monitor_refresh(struct monitor *m, struct podrt_error **err);
/* monitor-output.c: opens app i's log and the pipes of its output, the
 * write ends as the app's stdout/stderr fds (and in writers[2]) for start. */
PODRT_INTERNAL int monitor_app_streams(struct monitor *m, size_t i, int writers[2], struct podrt_error **err);
/* monitor-output.c: closes what monitor_app_streams() gave start. */
PODRT_INTERNAL void monitor_app_streams_started(struct monitor *m, size_t i, int writers[2]);
/* monitor-output.c: closes app i's reading ends and log. */
PODRT_INTERNAL void monitor_app_close(struct mapp *a);
/* monitor-output.c: room for one more app in m->apps. */
PODRT_INTERNAL int monitor_grow(struct monitor *m);
/* monitor-output.c: opens (appending) an app's log at path, rotated when
 * max (0: never) would be passed. */
PODRT_INTERNAL int monitor_applog_open(struct applog *l, const char *path, uint64_t max);
/* monitor-output.c: copies what s has to read into log (and s's echo);
 * closes s at EOF.  Returns the bytes read. */
PODRT_INTERNAL ssize_t monitor_stream_pump(struct stream *s, struct applog *log);

/* monitor-apps.c: the control requests.  Each fails with *err naming what
 * and leaves the pod as it was. */
PODRT_INTERNAL int monitor_app_add(struct monitor *m, const char *text, size_t len, const char *source,
                                   const char *base_dir, bool start, struct podrt_error **err);
PODRT_INTERNAL int monitor_app_start(struct monitor *m, const char *name, struct podrt_error **err);
PODRT_INTERNAL int monitor_app_rm(struct monitor *m, const char *name, struct podrt_error **err);

/* monitor-control.c: the control socket <pod dir>/monitor.sock (0600). */
PODRT_INTERNAL int monitor_control_open(struct monitor *m, struct podrt_error **err);
/* Serves one client whose connection is waiting. */
PODRT_INTERNAL void monitor_control_serve(struct monitor *m);
PODRT_INTERNAL void monitor_control_close(struct monitor *m);

#endif
