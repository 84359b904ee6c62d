/* SPDX-License-Identifier: Apache-2.0 */
/* runc's flag syntax (see args.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "args.h"
#include "macro.h"

int oci_parse_opts(const struct oci_opt *opts, int argc, char **argv, int *index, const char **values,
                   char *ret_error, unsigned error_size) {
        int i = *index;
        while (i < argc) {
                const char *a = argv[i];
                if (strcmp(a, "--") == 0) {
                        i++;
                        break;
                }
                if (a[0] != '-' || a[1] == '\0')
                        break;
                const char *name = a + 1 + (a[1] == '-');
                size_t len = strcspn(name, "=");
                const char *eq = name[len] == '=' ? name + len + 1 : NULL;
                int found = -1;
                for (int k = 0; opts[k].name; k++) {
                        if ((strlen(opts[k].name) == len && strncmp(opts[k].name, name, len) == 0) ||
                            (len == 1 && opts[k].short_name == name[0])) {
                                found = k;
                                break;
                        }
                }
                if (found < 0) {
                        snprintf(ret_error, error_size, "flag provided but not defined: -%.*s", (int)len, name);
                        return -EINVAL;
                }
                if (opts[found].has_value) {
                        if (eq)
                                values[found] = eq;
                        else if (i + 1 < argc)
                                values[found] = argv[++i];
                        else {
                                snprintf(ret_error, error_size, "flag needs an argument: -%.*s", (int)len, name);
                                return -EINVAL;
                        }
                } else {
                        if (eq && strcmp(eq, "true") != 0 && strcmp(eq, "false") != 0 && strcmp(eq, "1") != 0 &&
                            strcmp(eq, "0") != 0) {
                                snprintf(ret_error, error_size, "invalid boolean value \"%s\" for -%.*s", eq, (int)len, name);
                                return -EINVAL;
                        }
                        values[found] = eq && (strcmp(eq, "false") == 0 || strcmp(eq, "0") == 0) ? NULL : "true";
                }
                i++;
        }
        *index = i;
        return 0;
}

static const struct { const char *name; int signo; } signal_names[] = {
        { "HUP", SIGHUP },     { "INT", SIGINT },     { "QUIT", SIGQUIT },   { "ILL", SIGILL },
        { "TRAP", SIGTRAP },   { "ABRT", SIGABRT },   { "IOT", SIGIOT },     { "BUS", SIGBUS },
        { "FPE", SIGFPE },     { "KILL", SIGKILL },   { "USR1", SIGUSR1 },   { "SEGV", SIGSEGV },
        { "USR2", SIGUSR2 },   { "PIPE", SIGPIPE },   { "ALRM", SIGALRM },   { "TERM", SIGTERM },
        { "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },   { "STOP", SIGSTOP },
        { "TSTP", SIGTSTP },   { "TTIN", SIGTTIN },   { "TTOU", SIGTTOU },   { "URG", SIGURG },
        { "XCPU", SIGXCPU },   { "XFSZ", SIGXFSZ },   { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
        { "WINCH", SIGWINCH }, { "IO", SIGIO },       { "POLL", SIGPOLL },   { "PWR", SIGPWR },
        { "SYS", SIGSYS },
};

static int parse_num(const char *s) {
        char *end;
        long v = strtol(s, &end, 10);
        return *s && !*end && v >= 0 && v < 1000 ? (int)v : -1;
}

int oci_parse_signal(const char *s) {
        if (!s || !*s)
                return -1;
        if (s[0] >= '0' && s[0] <= '9') {
                int n = parse_num(s);
                return n >= 1 && n <= SIGRTMAX ? n : -1;
        }
        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;
        for (size_t i = 0; i < ELEMENTSOF(signal_names); i++)
                if (strcasecmp(s, signal_names[i].name) == 0)
                        return signal_names[i].signo;
        if (strncasecmp(s, "RTMIN", 5) == 0) {
                int n = s[5] ? (s[5] == '+' ? parse_num(s + 6) : -1) : 0;
                return n >= 0 && SIGRTMIN + n <= SIGRTMAX ? SIGRTMIN + n : -1;
        }
        if (strncasecmp(s, "RTMAX", 5) == 0) {
                int n = s[5] ? (s[5] == '-' ? parse_num(s + 6) : -1) : 0;
                return n >= 0 && SIGRTMAX - n >= SIGRTMIN ? SIGRTMAX - n : -1;
        }
        return -1;
}
