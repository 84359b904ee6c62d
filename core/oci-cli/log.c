/* SPDX-License-Identifier: Apache-2.0 */
/* Logging of podrt-runtime: --log FILE, --log-format text|json. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "errors.h"
#include "fileio.h"
#include "lifecycle.h"
#include "monitor.h"
#include "podrt-build.h"
#include "process.h"
#include "runtime.h"
#include "strv.h"
#include "translate.h"

#include "oci-cli.h"

/* ---- logging: --log FILE, --log-format text|json --------------------- */

const char *log_path;
int log_json;
bool debug;

void rfc3339(char *buf, size_t size) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, size - n, ".%09ldZ", ts.tv_nsec);
}

/* One line to the log file (json: one object), and errors (or everything
 * without --log) to stderr too. */
void logf_(const char *level, const char *fmt, ...) PODRT_PRINTF(2, 3);
void logf_(const char *level, const char *fmt, ...) {
        char *msg = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg)
                return;
        bool is_error = strcmp(level, "error") == 0;
        if (strcmp(level, "debug") == 0 && !debug) {
                free(msg);
                return;
        }
        if (log_path) {
                int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
                if (fd >= 0) {
                        char t[64];
                        rfc3339(t, sizeof t);
                        char *line = NULL;
                        if (log_json) {
                                struct json_object *o = json_object_new_object();
                                json_object_object_add(o, "level", json_object_new_string(level));
                                json_object_object_add(o, "msg", json_object_new_string(msg));
                                json_object_object_add(o, "time", json_object_new_string(t));
                                if (asprintf(&line, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
                                        line = NULL;
                                json_object_put(o);
                        } else if (asprintf(&line, "time=\"%s\" level=%s msg=\"%s\"\n", t, level, msg) < 0)
                                line = NULL;
                        if (line)
                                (void)write_all(fd, line, strlen(line));
                        free(line);
                        close(fd);
                }
        }
        if (is_error || !log_path)
                fprintf(stderr, "%s%s\n", is_error ? "" : "podrt-runtime: warning: ", msg);
        free(msg);
}


int fail_err(struct podrt_error *e) {
        log_error("%s", e ? podrt_error_message(e) : "unknown error");
        podrt_error_free(e);
        return EXIT_FAIL;
}
