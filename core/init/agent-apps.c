/* SPDX-License-Identifier: Apache-2.0 */
/* The agent is a child of PID 1 with a copy of the description as it was at
 * boot; apps added later are PID 1's to supervise.  So the agent passes the
 * host's requests to PID 1 over the control socket (control.c), one
 * connection each, and relays the answer (APP_STARTED, or STDERR and EXIT;
 * EXIT for a signal).  The VM's host follows an added app's output and
 * status in the files of the status share, as for the pod's own apps, so
 * the agent does not wait for the app's end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent-apps.h"
#include "errors.h"
#include "status.h"

#define ANSWER_TIMEOUT_MS 10000

/* The apps added so far: one-app descriptions, the last of a name wins. */
static struct initspec **added;
static size_t n_added;

const struct initspec_app *agent_added_app(const char *name) {
        for (size_t i = n_added; i > 0; i--)
                if (!strcmp(added[i - 1]->apps[0].name, name))
                        return &added[i - 1]->apps[0];
        return NULL;
}

size_t agent_n_added(void) {
        return n_added;
}

struct initspec_app *agent_added_at(size_t i) {
        return i < n_added ? &added[i]->apps[0] : NULL;
}

static void remember(const char *text) {
        _cleanup_error_ struct podrt_error *e = NULL;
        struct initspec *s = NULL;
        if (initspec_app_parse(text, &s, &e) < 0)
                return;
        for (size_t i = 0; i < n_added; i++)
                if (!strcmp(added[i]->apps[0].name, s->apps[0].name)) {
                        initspec_free(added[i]);
                        added[i] = s;
                        return;
                }
        struct initspec **n = realloc(added, (n_added + 1) * sizeof(*n));
        if (!n) {
                initspec_free(s);
                return;
        }
        added = n;
        added[n_added++] = s;
}

static void fail(int port, const char *fmt, const char *detail) {
        char msg[512];
        int len = snprintf(msg, sizeof(msg), fmt, detail);
        agent_send_frame(port, INITSPEC_EXEC_STDERR, msg, (size_t)len < sizeof(msg) ? (size_t)len : sizeof(msg) - 1);
        agent_send_frame(port, INITSPEC_EXEC_EXIT, "125", 3);
}

void agent_app_request(const struct initspec *s, int port, char type, const char *data, size_t n) {
        if (!s->control_path) {
                fail(port, "podrt-init: %s: this pod has no control socket: apps cannot be added to it\n", "exec");
                return;
        }
        _cleanup_close_ int fd = initspec_connect(s->control_path);
        if (fd < 0) {
                fail(port, "podrt-init: control socket: %s (is the pod stopping?)\n", strerror(-fd));
                return;
        }
        int r = initspec_frame_send(fd, type, data, n, NULL, 0);
        if (r < 0) {
                fail(port, "podrt-init: control socket: %s\n", strerror(-r));
                return;
        }
        for (;;) {
                char t, *answer = NULL;
                size_t len = 0;
                r = initspec_frame_recv(fd, ANSWER_TIMEOUT_MS, &t, &answer, &len, NULL, NULL);
                if (r < 0) {
                        fail(port, "podrt-init: control socket: no answer: %s\n", strerror(-r));
                        return;
                }
                agent_send_frame(port, t, answer, len);
                free(answer);
                if (t == INITSPEC_EXEC_APP_STARTED && type == INITSPEC_EXEC_APP_START)
                        remember(data);
                if (t == INITSPEC_EXEC_APP_STARTED || t == INITSPEC_EXEC_EXIT)
                        return;
        }
}
