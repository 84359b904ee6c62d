/* SPDX-License-Identifier: Apache-2.0 */
/* The exec agent.  The kvm backend gives the VM a virtio-serial port named
 * by the description's exec-port; its host end is a socket beside the VM
 * (docs/kvm.md, exec).  The agent opens the port (/dev/vportNpM, found by
 * name under /sys/class/virtio-ports) and serves one session at a time: a
 * request names the app and the command; the command runs as the app's
 * processes do (exec_in_app: the app's mount namespace, root, identity,
 * capabilities, environment), its stdin fed from the host's frames, its
 * stdout and stderr (or its terminal, for -t) sent back, and, last, its
 * exit code.  When the host goes away mid-session, the command is killed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "agent-apps.h"
#include "agent.h"
#include "cgroups.h"
#include "exec.h"
#include "process.h"
#include "status.h"

#define FIND_PORT_MS 10000

/* /dev/<vport> of the port called name. */
static int find_port(const char *name, char *path, size_t size) {
        DIR *d = opendir("/sys/class/virtio-ports");
        if (!d)
                return -ENOENT;
        struct dirent *de;
        int r = -ENOENT;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                char p[512], buf[128] = "";
                snprintf(p, sizeof(p), "/sys/class/virtio-ports/%s/name", de->d_name);
                int fd = open(p, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                ssize_t n = read(fd, buf, sizeof(buf) - 1);
                close(fd);
                if (n <= 0)
                        continue;
                buf[n] = '\0';
                buf[strcspn(buf, "\n")] = '\0';
                if (!strcmp(buf, name)) {
                        snprintf(path, size, "/dev/%s", de->d_name);
                        r = 0;
                        break;
                }
        }
        closedir(d);
        return r;
}

static int write_all(int fd, const void *buf, size_t n) {
        const char *p = buf;
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EAGAIN) {
                        /* The port blocks while no host is connected: a
                         * host gone for good is no reason to wait. */
                        struct pollfd p = { .fd = fd, .events = POLLOUT };
                        if (poll(&p, 1, 1000) == 1 && (p.revents & (POLLHUP | POLLERR)) && !(p.revents & POLLOUT))
                                return -1;
                        continue;
                }
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0)
                        return -1;
                p += w, n -= (size_t)w;
        }
        return 0;
}

static int agent_send_frame(int fd, char type, const void *data, size_t n) {
        unsigned char h[INITSPEC_FRAME_HEADER];
        initspec_frame_header(h, type, n);
        if (write_all(fd, h, sizeof(h)) < 0)
                return -1;
        return n ? write_all(fd, data, n) : 0;
}

/* The frames coming in, parsed as they arrive. */
struct inbox {
        unsigned char buf[5 + INITSPEC_EXEC_MAX_FRAME];
        size_t len;
};

/* Reads what is there: 1 when data came, 0 when the host is not connected,
 * -1 on error. */
static int inbox_fill(struct inbox *in, int fd) {
        if (in->len == sizeof(in->buf))
                return 1;
        ssize_t n = read(fd, in->buf + in->len, sizeof(in->buf) - in->len);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
                return 1;
        if (n < 0)
                return -1;
        if (n == 0)
                return 0;
        in->len += (size_t)n;
        return 1;
}

/* The next whole frame, if any: its type, data (NUL-terminated), length. */
static bool inbox_next(struct inbox *in, char *type, char *data, size_t *n) {
        size_t len;
        int k = initspec_frame_parse(in->buf, in->len, type, &len);
        if (k < 0)
                in->len = 0;   /* garbage: drop it all */
        if (k <= 0)
                return false;
        memcpy(data, in->buf + 5, len);
        data[len] = '\0';
        *n = len;
        memmove(in->buf, in->buf + 5 + len, in->len - 5 - len);
        in->len -= 5 + len;
        return true;
}

static const struct initspec_app *find_app(const struct initspec *s, const char *name) {
        /* An app added to the running pod (agent-apps.c) first: one of the
         * pod's own that was removed may have been added again. */
        const struct initspec_app *a = name[0] ? agent_added_app(name) : NULL;
        if (a)
                return a;
        for (size_t i = 0; i < s->n_apps; i++)
                if (!name[0] ? i == 0 : !strcmp(s->apps[i].name, name))
                        return &s->apps[i];
        return NULL;
}

/* A pseudo-terminal pair, devpts mounted when needed. */
static int open_pty(int *ret_master, int *ret_slave) {
        if (access("/dev/pts/ptmx", F_OK) < 0) {
                mkdir("/dev/pts", 0755);
                mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "mode=0620,ptmxmode=0666");
        }
        int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (m < 0)
                return -errno;
        char name[64];
        if (grantpt(m) < 0 || unlockpt(m) < 0 || ptsname_r(m, name, sizeof(name)) != 0) {
                close(m);
                return -errno;
        }
        int sl = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (sl < 0) {
                close(m);
                return -errno;
        }
        *ret_master = m, *ret_slave = sl;
        return 0;
}

/* One session, after its request (data: n bytes).  Returns false when the
 * host went away. */
/* The app with what a process frame (INITSPEC_EXEC_PROCESS: cwd=, uid=,
 * gid=, group=, env= tokens) sets instead; in the command's child. */
static struct initspec_app with_process(const struct initspec_app *app, char *proc, size_t n) {
        static char *env[1024];
        static uint32_t groups[256];
        struct initspec_app a = *app;
        size_t n_env = 0, n_groups = 0;
        bool user = false;
        for (size_t i = 0; i < n; i += strlen(proc + i) + 1) {
                char *t = proc + i;
                if (!strncmp(t, "cwd=", 4))
                        a.workdir = t + 4;
                else if (!strncmp(t, "uid=", 4))
                        a.uid = (uint32_t)strtoul(t + 4, NULL, 10), user = true;
                else if (!strncmp(t, "gid=", 4))
                        a.gid = (uint32_t)strtoul(t + 4, NULL, 10);
                else if (!strncmp(t, "group=", 6) && n_groups < ELEMENTSOF(groups))
                        groups[n_groups++] = (uint32_t)strtoul(t + 6, NULL, 10);
                else if (!strncmp(t, "env=", 4) && n_env < ELEMENTSOF(env) - 1)
                        env[n_env++] = t + 4;
        }
        if (n_env)
                env[n_env] = NULL, a.env = env;
        if (user)
                a.groups = groups, a.n_groups = n_groups;
        return a;
}

static bool session(const struct initspec *s, int port, struct inbox *in, char *data, size_t n,
                    char *frame, char *proc, size_t proc_n) {
        /* app NUL tty NUL argv... */
        char *argv[256];
        size_t argc = 0;
        const char *app_name = data, *tty_flag = NULL;
        for (size_t i = 0, k = 0; i < n && argc < ELEMENTSOF(argv) - 1; k++) {
                char *field = data + i;
                if (k == 1)
                        tty_flag = field;
                else if (k >= 2)
                        argv[argc++] = field;
                i += strlen(field) + 1;
        }
        argv[argc] = NULL;
        const struct initspec_app *app = find_app(s, app_name);
        if (!app || argc == 0) {
                char msg[160];
                int len = snprintf(msg, sizeof(msg), "podrt-init: exec: %s\n",
                                   !app ? "no such app" : "no command");
                agent_send_frame(port, INITSPEC_EXEC_STDERR, msg, (size_t)len);
                agent_send_frame(port, INITSPEC_EXEC_EXIT, "125", 3);
                return true;
        }
        bool tty = tty_flag && !strcmp(tty_flag, "1");
        int in_p[2] = { -1, -1 }, out_p[2] = { -1, -1 }, err_p[2] = { -1, -1 }, master = -1, slave = -1;
        if (tty && open_pty(&master, &slave) < 0)
                tty = false;   /* no terminal here: pipes */
        if (!tty && (pipe2(in_p, O_CLOEXEC) < 0 || pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0)) {
                agent_send_frame(port, INITSPEC_EXEC_STDERR, "podrt-init: exec: pipe failed\n", 30);
                agent_send_frame(port, INITSPEC_EXEC_EXIT, "125", 3);
                return true;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
                if (tty) {
                        setsid();
                        dup2(slave, 0), dup2(slave, 1), dup2(slave, 2);
                        ioctl(0, TIOCSCTTY, 0);
                } else
                        dup2(in_p[0], 0), dup2(out_p[1], 1), dup2(err_p[1], 2);
                struct initspec_app a = with_process(app, proc, proc_n);
                exec_in_app(&a, argv, tty);
        }
        int to_child = tty ? master : in_p[1];
        int from[2] = { tty ? master : out_p[0], tty ? -1 : err_p[0] };
        if (tty)
                close(slave);
        else
                close(in_p[0]), close(out_p[1]), close(err_p[1]);
        int wstatus = 0;
        bool exited = false, host = true;
        if (pid < 0) {
                agent_send_frame(port, INITSPEC_EXEC_STDERR, "podrt-init: exec: fork failed\n", 30);
                agent_send_frame(port, INITSPEC_EXEC_EXIT, "125", 3);
                goto out;
        }
        for (int i = 0; i < 2; i++)
                if (from[i] >= 0)
                        fcntl(from[i], F_SETFL, O_NONBLOCK);
        for (;;) {
                struct pollfd p[3] = { { .fd = port, .events = POLLIN }, { .fd = from[0], .events = POLLIN },
                                       { .fd = from[1], .events = POLLIN } };
                poll(p, 3, exited ? 0 : 100);
                if (host && (p[0].revents & (POLLIN | POLLHUP))) {
                        int r = inbox_fill(in, port);
                        if (r <= 0) {
                                host = false;   /* gone: end the command */
                                kill(tty ? -pid : pid, SIGKILL);
                                kill(pid, SIGKILL);
                        }
                }
                /* Frames that came with the request are in the inbox
                 * already: every round, not only when more came. */
                if (host) {
                        char type;
                        size_t len;
                        while (inbox_next(in, &type, frame, &len)) {
                                if (type == INITSPEC_EXEC_STDIN && to_child >= 0)
                                        write_all(to_child, frame, len);
                                else if (type == INITSPEC_EXEC_STDIN_EOF && to_child >= 0) {
                                        if (tty) {
                                                const char eot = 4;   /* ^D */
                                                write_all(to_child, &eot, 1);
                                        } else {
                                                close(to_child);
                                                to_child = -1;
                                        }
                                } else if (type == INITSPEC_EXEC_SIGNAL) {
                                        int sig = atoi(frame);
                                        if (sig > 0 && sig < NSIG && kill(-pid, sig) < 0)
                                                kill(pid, sig);
                                }
                        }
                }
                bool more = false;
                for (int i = 0; i < 2; i++) {
                        if (from[i] < 0)
                                continue;
                        ssize_t r = read(from[i], frame, INITSPEC_EXEC_MAX_FRAME);
                        if (r > 0) {
                                more = true;
                                if (host && agent_send_frame(port, i ? INITSPEC_EXEC_STDERR : INITSPEC_EXEC_STDOUT, frame, (size_t)r) < 0)
                                        host = false;
                        } else if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
                                if (!tty || exited) {
                                        close(from[i]);
                                        if (tty)
                                                master = to_child = -1;
                                        from[i] = -1;
                                }
                        }
                }
                if (!exited && waitpid(pid, &wstatus, WNOHANG) == pid)
                        exited = true;
                /* Done: the command is over and its output is out (a
                 * terminal's master never reads EOF while others hold the
                 * slave: over once nothing more comes). */
                if (exited && !more && (tty || (from[0] < 0 && from[1] < 0)))
                        break;
        }
        if (host) {
                char code[16];
                int len = snprintf(code, sizeof(code), "%d", exit_code_from_wait(wstatus));
                agent_send_frame(port, INITSPEC_EXEC_EXIT, code, (size_t)len);
        }
out:
        for (int i = 0; i < 2; i++)
                if (from[i] >= 0)
                        close(from[i]);
        if (to_child >= 0 && to_child != from[0])
                close(to_child);
        return host;
}

/* A signal for every app (a K frame outside a session: `podrt kill`): to
 * the process group of each app's current process, i.e. of every child of
 * PID 1 that leads its own group (podrt-init gives each its own; the agent
 * is not one).  The number of groups it reached. */
static int signal_apps(int sig) {
        DIR *d = opendir("/proc");
        if (!d)
                return 0;
        int n = 0;
        pid_t self = getpid();
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] < '1' || de->d_name[0] > '9')
                        continue;
                pid_t pid = (pid_t)atoi(de->d_name);
                if (pid == self)
                        continue;
                char path[64], text[512];
                snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        continue;
                ssize_t k = read(fd, text, sizeof(text) - 1);
                close(fd);
                if (k <= 0)
                        continue;
                text[k] = '\0';
                /* pid (comm) state ppid pgrp ...: comm may hold anything. */
                char *c = strrchr(text, ')');
                int ppid = 0, pgrp = 0;
                char state;
                if (!c || sscanf(c + 1, " %c %d %d", &state, &ppid, &pgrp) != 3)
                        continue;
                if (ppid == 1 && pgrp == pid && kill(-pid, sig) == 0)
                        n++;
        }
        closedir(d);
        return n;
}

/* app NUL memory NUL cpu NUL pids: 0, or -errno. */
static int update_apps(const struct initspec *s, char *req, size_t n) {
        char *f[4] = { 0 };
        size_t k = 0;
        for (size_t i = 0; i < n && k < 4; i += strlen(req + i) + 1)
                f[k++] = req + i;
        if (k != 4)
                return -EINVAL;
        int r = 0, found = 0;
        /* The agent's own copy of the description: later execs join the
         * cgroups it now gives the apps. */
        for (size_t i = 0; i < s->n_apps; i++) {
                struct initspec_app *a = (struct initspec_app *)&s->apps[i];
                if (*f[0] && strcmp(f[0], a->name) != 0)
                        continue;
                found++;
                int q = cgroups_update(a, strtoll(f[1], NULL, 10), strtoll(f[2], NULL, 10), strtoll(f[3], NULL, 10));
                r = r < 0 ? r : q;
        }
        /* And the apps added since (agent-apps.c). */
        int q = 0;
        found += agent_update_added(f[0], strtoll(f[1], NULL, 10), strtoll(f[2], NULL, 10), strtoll(f[3], NULL, 10), &q);
        r = r < 0 ? r : q;
        return found ? r : -ENOENT;
}

_Noreturn static void agent_main(const struct initspec *s) {
        prctl(PR_SET_NAME, "podrt-exec");
        char path[300];
        for (int waited = 0; find_port(s->exec_port, path, sizeof(path)) < 0; waited += 100) {
                if (waited >= FIND_PORT_MS) {
                        fprintf(stderr, "podrt-init: exec: no virtio port named %s: podrt exec cannot reach this VM\n",
                                s->exec_port);
                        _exit(INIT_EXIT_FAILURE);
                }
                usleep(100000);
        }
        int port = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
        if (port < 0) {
                fprintf(stderr, "podrt-init: exec: %s: %s\n", path, strerror(errno));
                _exit(INIT_EXIT_FAILURE);
        }
        static struct inbox in;
        static char frame[INITSPEC_EXEC_MAX_FRAME + 1], proc[INITSPEC_EXEC_MAX_FRAME + 1];
        size_t proc_n = 0;
        for (;;) {
                struct pollfd p = { .fd = port, .events = POLLIN };
                poll(&p, 1, -1);
                int r = inbox_fill(&in, port);
                if (r == 0) {
                        /* No host: anything half-read was the last one's. */
                        in.len = 0;
                        usleep(50000);
                        continue;
                }
                if (r < 0) {
                        usleep(100000);
                        continue;
                }
                char type;
                size_t n;
                while (inbox_next(&in, &type, frame, &n))
                        if (type == INITSPEC_EXEC_SIGNAL) {
                                int sig = atoi(frame);
                                char num[16];
                                int len = snprintf(num, sizeof(num), "%d",
                                                   sig > 0 && sig < NSIG ? signal_apps(sig) : -1);
                                agent_send_frame(port, INITSPEC_EXEC_EXIT, num, (size_t)len);
                        } else if (type == INITSPEC_EXEC_UPDATE) {
                                char num[16];
                                int len = snprintf(num, sizeof(num), "%d", update_apps(s, frame, n));
                                agent_send_frame(port, INITSPEC_EXEC_EXIT, num, (size_t)len);
                        } else if (type == INITSPEC_EXEC_PROCESS) {
                                memcpy(proc, frame, n + 1);
                                proc_n = n;
                        } else if (type == INITSPEC_EXEC_REQUEST) {
                                static char req[INITSPEC_EXEC_MAX_FRAME + 1];
                                memcpy(req, frame, n + 1);
                                if (!session(s, port, &in, req, n, frame, proc, proc_n))
                                        in.len = 0;
                                proc_n = 0;
                        }
                        /* Anything else outside a session: a stale frame. */
        }
}

pid_t agent_spawn(const struct initspec *s) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
                fprintf(stderr, "podrt-init: exec: fork: %s\n", strerror(errno));
                return -1;
        }
        if (pid == 0) {
                /* Forked inside apps_run(): PID 1's control socket and
                 * signalfd are not the agent's to hold. */
                fds_close_from(3, 0);
                agent_main(s);
        }
        return pid;
}
