/* SPDX-License-Identifier: Apache-2.0 */
/* The pod description podrt-init reads: a line-based text format
 * (docs/podrt-init.md), its parser and its writer.
 *
 * The host side (the nspawn and kvm plugins) fills a struct initspec and
 * writes it with initspec_write_file(); podrt-init reads it back with
 * initspec_load().  Both sides validate the same rules, so a description that
 * writes also parses.  This file and initspec*.c (the description and its
 * rules, the writer, the parser) depend only on libc, the error object
 * (core/error.c) and core/strv.c, so that the static podrt-init and the
 * plugins can compile them in.  The functions are not libpodrt's (no
 * PODRT_INTERNAL): each program that compiles initspec*.c keeps them
 * hidden. */
#ifndef PODRT_INITSPEC_H
#define PODRT_INITSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <podrt/error.h>
#include "macro.h"

/* The format version written on the first line ("podrt-init 1"). */
#define INITSPEC_VERSION 1
/* Where podrt-init looks when no path is given on its command line. */
#define INITSPEC_DEFAULT_PATH "/podrt/pod.conf"

/* A kernel module podrt-init loads with finit_module(), in list order.
 * PATH + this suffix, when it exists, is the signature the host cut off the
 * module (plugins/kvm/initramfs.c): podrt-init appends it again for a kernel
 * that refuses the module without it. */
#define INITSPEC_MODULE_SIG_SUFFIX ".sig"
struct initspec_module {
        char *path;          /* absolute path of the .ko (.ko.xz/.zst/.gz) */
        char *params;        /* module parameters, or NULL */
};

/* A mount podrt-init makes for the pod itself (proc, sysfs, devtmpfs, 9p by
 * tag, tmpfs, ...), in list order; the target is created when missing. */
struct initspec_mount {
        char *fstype;        /* "proc", "9p", ... */
        char *source;        /* "proc", a 9p mount tag, ... */
        char *target;        /* absolute */
        char *data;          /* file system options ("trans=virtio"), or NULL */
        unsigned long flags; /* MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC */
};

/* A bind mount done inside an app's root: source is a path of the pod,
 * target a path inside the app's root (created when missing). */
struct initspec_bind {
        char *source;
        char *target;
        bool read_only;
};

struct initspec_app {
        char *name;          /* [a-z0-9][a-z0-9.-]{0,62} */
        char *root;          /* absolute: the app's root directory */
        char **argv;         /* strv, at least one element */
        char **env;          /* strv of KEY=VALUE: exactly the app's env */
        char *workdir;       /* absolute, inside the root; NULL = "/" */
        uint32_t uid, gid;
        uint32_t *groups;    /* supplementary groups */
        size_t n_groups;
        char **caps_drop;    /* strv: names ("CAP_NET_RAW", "net_raw") or numbers */
        bool no_new_privs;
        bool read_only_root;
        struct initspec_bind *binds;
        size_t n_binds;
        char **pre_start;    /* strv or NULL */
        char **post_stop;    /* strv or NULL */
        char *stdin_path;    /* opened read-only as stdin; NULL: /dev/null */
        char *stdout_path;   /* NULL: inherit init's stdout (the console) */
        char *stderr_path;   /* NULL: inherit init's stderr */
        char *status_path;   /* where the exit status is written, or NULL */
        char *pid_path;      /* where the app's pid is written, or NULL */
        /* Limits, enforced in a cgroup of the app's own (cgroup2, as PID 1
         * of a VM); 0: none. */
        uint64_t memory_max; /* bytes (memory.max; memory.swap.max 0) */
        uint64_t cpu_millis; /* 1000 = one CPU (cpu.max) */
        uint64_t pids_max;   /* pids.max */
};

/* A network interface of the guest, found by its MAC: brought up with its
 * MTU (0: left alone) and IPv4 addresses ("10.89.0.5/16"). */
struct initspec_iface {
        char *mac;           /* aa:bb:cc:dd:ee:ff */
        uint32_t mtu;
        char **addresses;    /* strv of ADDRESS/PREFIX, or NULL */
};

/* An IPv4 route through the interface whose MAC is mac. */
struct initspec_route {
        char *mac;
        char *dst;           /* DESTINATION/PREFIX ("0.0.0.0/0") */
        char *gateway;       /* NULL: on the link */
};

struct initspec {
        char *hostname;      /* NULL: leave the hostname alone */
        bool poweroff;       /* PID 1 of a VM: power off instead of exiting */
        struct initspec_module *modules;
        size_t n_modules;
        struct initspec_mount *mounts;
        size_t n_mounts;
        struct initspec_app *apps;
        size_t n_apps;
        char *stop_path;     /* polled while the apps run: when it appears,
                              * the apps are stopped as by SIGTERM (a VM's
                              * stop request over its status share); NULL:
                              * not polled */
        struct initspec_iface *ifaces;   /* "iface" lines (initspec-net.c) */
        size_t n_ifaces;
        struct initspec_route *routes;   /* "route" lines, in order */
        size_t n_routes;
        char *exec_port;     /* the name of a virtio-serial port (a VM's
                              * exec channel, /sys/class/virtio-ports/ * /name)
                              * podrt-init serves `podrt exec` on; NULL: none */
        bool linger;         /* stay when every app is over, until a stop
                              * (SIGTERM, the stop-file): a sandbox, for
                              * apps added later */
        char *control_path;  /* a unix socket PID 1 listens on for apps added
                              * to the running pod and signals to one app
                              * (the control channel, below); NULL: none */
        char *request_dir;   /* a folder PID 1 looks in, with the stop-file's
                              * tick, for request files of the control
                              * channel (a VM's status share); NULL: none */
};

/* Where PID 1 keeps the description of each app added to the running pod
 * (<dir>/<app>), for the exec agent's `podrt exec --app`. */
#define INITSPEC_ADDED_DIR "/run/podrt-init/apps"

/* At most this long, so that it fits a sockaddr_un. */
#define INITSPEC_CONTROL_PATH_MAX 100

/* The exec channel (exec-port) between the kvm backend and podrt-init:
 * frames of a type byte, a 32-bit little-endian length and that many bytes
 * (at most INITSPEC_EXEC_MAX_FRAME).  One session at a time: the host sends
 * a request, stdin and its end; the guest answers with the command's stdout,
 * stderr and, last, its exit code.  docs/podrt-init.md, exec-port. */
#define INITSPEC_EXEC_REQUEST 'X'   /* host: app NUL tty ("0"/"1") NUL argv[0] NUL argv[1] NUL ... */
#define INITSPEC_EXEC_PROCESS 'P'   /* host, just before a request: what the command runs with instead
                                     * of the app's: NUL-ended "cwd=DIR", "uid=N", "gid=N",
                                     * "group=N" (each), "env=KEY=VALUE" (each: the whole env) */
#define INITSPEC_EXEC_STDIN 'I'     /* host: bytes for the command's stdin */
#define INITSPEC_EXEC_STDIN_EOF 'E' /* host: stdin is over */
#define INITSPEC_EXEC_SIGNAL 'K'    /* host: a signal number (decimal) for the command; outside a
                                     * session, for every app (answered by an EXIT frame: how
                                     * many apps it reached, -1 for a bad signal) */
#define INITSPEC_EXEC_UPDATE 'U'    /* host, outside a session: app ("": every app) NUL memory NUL
                                     * cpu-millis NUL pids (decimal; 0 unchanged, -1 none): new
                                     * limits (answered by an EXIT frame: 0, or -errno) */
#define INITSPEC_EXEC_STDOUT 'O'    /* guest: the command's stdout (and its terminal's output) */
#define INITSPEC_EXEC_STDERR 'R'    /* guest: its stderr */
#define INITSPEC_EXEC_EXIT 'Q'      /* guest: its exit code (decimal), the session's end */
#define INITSPEC_EXEC_MAX_FRAME 65536

/* Apps added to the running pod (docs/podrt-init.md, "The control channel"):
 * requests on the exec channel outside a session (the agent passes them on)
 * and on the control socket (control_path), in the same frames.
 *   host: APP_START, a description (initspec text) holding exactly one app;
 *         on the control socket it may carry two descriptors (SCM_RIGHTS),
 *         the app's stdout and stderr, which then replace its stdout and
 *         stderr paths, or three: and its stdin.  Answer: APP_STARTED with the app's pid in the pod,
 *         or STDERR (why) then EXIT (non-zero).  On the control socket, the
 *         connection then stays open: EXIT with the app's exit code when it
 *         and its post-stop are over (the host's relay for the app waits for
 *         it).
 *   host: APP_SIGNAL, "NAME" NUL "SIGNO": to the process group of that app's
 *         current process (pre-start, app or post-stop).  Answer: EXIT with 1
 *         (sent), 0 (the app is not running) or -1 (no such app, bad signal).
 * The same requests come as files too (request_dir): NAME.req holds one
 * frame (written whole, then renamed there); PID 1 answers in NAME.ans (the
 * frames, written whole, then renamed) and removes NAME.req.  No descriptor
 * and no watcher there: a VM's host follows an added app in its files on
 * the status share. */
#define INITSPEC_EXEC_APP_START 'A'
#define INITSPEC_EXEC_APP_STARTED 'T'
#define INITSPEC_EXEC_APP_SIGNAL 'S'

/* A frame's 5-byte header. */
#define INITSPEC_FRAME_HEADER 5
void initspec_frame_header(unsigned char h[INITSPEC_FRAME_HEADER], char type, size_t n);
/* Whether buf (len bytes) starts with a whole frame: 1 (*ret_type, its data
 * at buf + INITSPEC_FRAME_HEADER, *ret_n bytes), 0 (not yet), -EPROTO (a
 * length over INITSPEC_EXEC_MAX_FRAME). */
int initspec_frame_parse(const unsigned char *buf, size_t len, char *ret_type, size_t *ret_n);
/* Writes one frame to a socket, with n_fds descriptors (SCM_RIGHTS, at most
 * 3) on its first byte; blocks.  0 or -errno. */
int initspec_frame_send(int fd, char type, const void *data, size_t n, const int *fds,
                        size_t n_fds);
/* Reads one frame from a socket within timeout_ms (-1: no limit): its type,
 * its data (malloc'd, NUL-terminated) and length, and up to 3 descriptors
 * that came with it (received O_CLOEXEC; *ret_n_fds of them; ret_fds may be
 * NULL, then any that came are closed).  -ETIMEDOUT, -ECONNRESET (closed
 * before a whole frame), -EPROTO. */
int initspec_frame_recv(int fd, int timeout_ms, char *ret_type, char **ret_data, size_t *ret_n,
                        int *ret_fds, size_t *ret_n_fds);

/* A stream socket connected to the unix socket at path (a path too long
 * for a socket address is reached through an O_PATH descriptor of it):
 * the fd (O_CLOEXEC), or -errno. */
int initspec_connect(const char *path);

/* The text of an APP_START request: a description holding app alone. */
int initspec_app_text(const struct initspec_app *app, char **ret_text, struct podrt_error **err);
/* Parses an APP_START request: exactly one app, and no pod keys but the
 * format's version.  *ret holds it as ret->apps[0]. */
int initspec_app_parse(const char *text, struct initspec **ret, struct podrt_error **err);

struct initspec *initspec_new(void);
/* Frees everything; NULL is fine; returns NULL. */
struct initspec *initspec_free(struct initspec *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct initspec *, initspec_free)

/* Builders: append a zeroed element (strings copied) and return it through
 * ret (may be NULL).  -ENOMEM on failure, nothing appended. */
int initspec_add_app(struct initspec *s, const char *name, const char *root,
                     struct initspec_app **ret);
int initspec_add_module(struct initspec *s, const char *path, const char *params);
/* Removes (and frees) app i; out of range: nothing. */
void initspec_remove_app(struct initspec *s, size_t i);
int initspec_add_mount(struct initspec *s, const char *fstype, const char *source,
                       const char *target, const char *data, unsigned long flags);
int initspec_app_add_bind(struct initspec_app *app, const char *source, const char *target,
                          bool read_only);
int initspec_app_add_group(struct initspec_app *app, uint32_t gid);

/* The network keys (initspec-net.c). */
int initspec_add_iface(struct initspec *s, const char *mac, uint32_t mtu,
                       struct initspec_iface **ret);
int initspec_iface_add_address(struct initspec_iface *i, const char *cidr);
int initspec_add_route(struct initspec *s, const char *mac, const char *dst, const char *gateway);
/* aa:bb:cc:dd:ee:ff (hex digits of either case). */
bool initspec_mac_is_valid(const char *s);
/* "10.1.2.3/16" (with_prefix) or "10.1.2.3": the address in network order
 * and the prefix (32 without one); -EINVAL when it is not that. */
int initspec_parse_ipv4(const char *s, bool with_prefix, uint32_t *ret_addr, unsigned *ret_prefix);

/* Checks every rule of the format (names, absolute paths, capabilities,
 * argv not empty, env entries with '=', unique app names, ...).  The error
 * names the app and the field: "app web: workdir: must be absolute". */
int initspec_validate(const struct initspec *s, struct podrt_error **err);

/* Validates, then writes the description to f. */
int initspec_write(const struct initspec *s, FILE *f, struct podrt_error **err);
/* Validates, then writes path atomically (a temporary file renamed over it,
 * mode 0644); nothing is left behind on failure. */
int initspec_write_file(const struct initspec *s, const char *path, struct podrt_error **err);

/* Parses a description; name (a path) prefixes every message, with the
 * line: "pod.conf:12: unknown key \"foo\"".  ret untouched on failure. */
int initspec_parse(FILE *f, const char *name, struct initspec **ret, struct podrt_error **err);
int initspec_parse_string(const char *text, const char *name, struct initspec **ret,
                          struct podrt_error **err);
int initspec_load(const char *path, struct initspec **ret, struct podrt_error **err);


/* Escapes one string as a token of the format (\s for space, \n, \t, \\,
 * \xHH for other control bytes and '"', "" for the empty string).  Returns a
 * new string, or NULL on ENOMEM. */
char *initspec_escape(const char *s);

#endif
