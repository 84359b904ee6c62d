/* SPDX-License-Identifier: Apache-2.0 */
/* A client of podrt-init's control socket, for the integration test:
 *   init-ctl SOCKET start DESCRIPTION   start the one app DESCRIPTION holds,
 *                                       its stdout and stderr this program's;
 *                                       "started PID" (or the refusal) on fd 3;
 *                                       exits with the app's exit code (124:
 *                                       the socket closed before it ended)
 *   init-ctl SOCKET start-stdin DESCRIPTION   the same, with this program's
 *                                       stdin as the app's
 *   init-ctl SOCKET signal NAME SIGNO   prints the answer (1, 0 or -1) */
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

int main(int argc, char **argv) {
        if (argc < 4)
                return 2;
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
