/* SPDX-License-Identifier: Apache-2.0 */
/* A client of podrt-init's control socket, for the integration test:
 *   init-ctl SOCKET start DESCRIPTION   start the one app DESCRIPTION holds,
 *                                       its stdout and stderr this program's;
 *                                       "started PID" (or the refusal) on fd 3;
 *                                       exits with the app's exit code (124:
 *                                       the socket closed before it ended)
 *   init-ctl SOCKET start-stdin DESCRIPTION   the same, with this program's
 *                                       stdin as the app's
 *   init-ctl SOCKET signal NAME SIGNO   prints the answer (1, 0 or -1)
 *   init-ctl --dir DIR start DESCRIPTION | signal NAME SIGNO
 *                                       the same request as a file in DIR
 *                                       (request-dir); prints each frame of
 *                                       the answer file as "TYPE DATA" */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "errors.h"
#include "fileio.h"
#include "initspec.h"

static void say(const char *fmt, const char *s, size_t n) {
        if (fcntl(3, F_GETFD) < 0)
                return;
        dprintf(3, fmt, (int)n, s);
}

/* A request file in dir, and its answer file's frames on stdout. */
static int by_file(const char *dir, char type, const char *data, size_t n) {
        char req[4096], ans[4096];
        snprintf(req, sizeof(req), "%s/t%d.req", dir, (int)getpid());
        snprintf(ans, sizeof(ans), "%s/t%d.ans", dir, (int)getpid());
        unsigned char *frame = malloc(INITSPEC_FRAME_HEADER + n);
        if (!frame)
                return 2;
        initspec_frame_header(frame, type, n);
        memcpy(frame + INITSPEC_FRAME_HEADER, data, n);
        if (write_file_atomic(req, frame, INITSPEC_FRAME_HEADER + n, 0644, 0) < 0)
                return 2;
        free(frame);
        char *text = NULL;
        size_t len = 0;
        for (int i = 0; read_file(ans, 0, &text, &len) < 0; i++) {
                if (i == 500)
                        return 124;
                usleep(20000);
        }
        unlink(ans);
        if (access(req, F_OK) == 0)
                return 3;   /* podrt-init must have removed it */
        for (size_t off = 0; off < len;) {
                char t;
                size_t k;
                if (initspec_frame_parse((unsigned char *)text + off, len - off, &t, &k) != 1)
                        return 4;
                printf("%c %.*s\n", t, (int)strcspn(text + off + INITSPEC_FRAME_HEADER, "\n") < (int)k
                                               ? (int)strcspn(text + off + INITSPEC_FRAME_HEADER, "\n") : (int)k,
                       text + off + INITSPEC_FRAME_HEADER);
                off += INITSPEC_FRAME_HEADER + k;
        }
        free(text);
        return 0;
}

int main(int argc, char **argv) {
        if (argc < 4)
                return 2;
        if (!strcmp(argv[1], "--dir") && argc >= 5) {
                if (!strcmp(argv[3], "start")) {
                        char *text = NULL;
                        if (read_file(argv[4], 0, &text, NULL) < 0)
                                return 2;
                        return by_file(argv[2], INITSPEC_EXEC_APP_START, text, strlen(text));
                }
                char req[256];
                int n = argc == 6 ? snprintf(req, sizeof(req), "%s%c%s", argv[4], '\0', argv[5]) : 0;
                return n > 0 ? by_file(argv[2], INITSPEC_EXEC_APP_SIGNAL, req, (size_t)n) : 2;
        }
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                perror("init-ctl: connect");
                return 2;
        }
        if (!strcmp(argv[2], "signal") && argc == 5) {
                char req[256];
                int n = snprintf(req, sizeof(req), "%s%c%s", argv[3], '\0', argv[4]);
                char type, *data = NULL;
                size_t len;
                if (initspec_frame_send(fd, INITSPEC_EXEC_APP_SIGNAL, req, (size_t)n, NULL, 0) < 0 ||
                    initspec_frame_recv(fd, 5000, &type, &data, &len, NULL, NULL) < 0 || type != INITSPEC_EXEC_EXIT)
                        return 2;
                printf("%s\n", data);
                return 0;
        }
        bool with_stdin = !strcmp(argv[2], "start-stdin");
        if (strcmp(argv[2], "start") != 0 && !with_stdin)
                return 2;
        char *text = NULL;
        if (read_file(argv[3], 0, &text, NULL) < 0)
                return 2;
        int fds[3] = { 1, 2, 0 };
        if (initspec_frame_send(fd, INITSPEC_EXEC_APP_START, text, strlen(text), fds, with_stdin ? 3 : 2) < 0)
                return 2;
        /* Not ours to hold: the app's end is seen through the socket. */
        close(0);
        close(1);
        close(2);
        for (;;) {
                char type, *data = NULL;
                size_t len;
                if (initspec_frame_recv(fd, -1, &type, &data, &len, NULL, NULL) < 0)
                        return 124;
                if (type == INITSPEC_EXEC_APP_STARTED)
                        say("started %.*s\n", data, len);
                else if (type == INITSPEC_EXEC_STDERR)
                        say("%.*s", data, len);
                else if (type == INITSPEC_EXEC_EXIT)
                        return atoi(data);
                free(data);
        }
}
