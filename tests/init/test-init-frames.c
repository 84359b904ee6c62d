/* SPDX-License-Identifier: Apache-2.0 */
/* The channels of podrt-init for apps added to a running pod: the frames
 * (header, parsing, sending and receiving with descriptors), the one-app
 * descriptions an APP_START request carries, and the control key. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../cunit-main.h"
#include "errors.h"
#include "initspec.h"
#include "strv.h"

static void test_frame_header_and_parse(void) {
        unsigned char buf[16];
        char type = 0;
        size_t n = 0;
        initspec_frame_header(buf, INITSPEC_EXEC_APP_START, 0x010203);
        CU_ASSERT_EQUAL(buf[0], 'A');
        CU_ASSERT_EQUAL(buf[1], 0x03);
        CU_ASSERT_EQUAL(buf[2], 0x02);
        CU_ASSERT_EQUAL(buf[3], 0x01);
        CU_ASSERT_EQUAL(buf[4], 0x00);
        /* Too long for the format: refused, not waited for. */
        CU_ASSERT_EQUAL(initspec_frame_parse(buf, 5, &type, &n), -EPROTO);

        initspec_frame_header(buf, INITSPEC_EXEC_APP_STARTED, 3);
        memcpy(buf + 5, "42", 3);
        CU_ASSERT_EQUAL(initspec_frame_parse(buf, 4, &type, &n), 0);   /* half a header */
        CU_ASSERT_EQUAL(initspec_frame_parse(buf, 7, &type, &n), 0);   /* half the data */
        CU_ASSERT_EQUAL(initspec_frame_parse(buf, 8, &type, &n), 1);
        CU_ASSERT_EQUAL(type, 'T');
        CU_ASSERT_EQUAL(n, 3);
}

/* Over a socket pair: a frame with two descriptors, then one without, in
 * one read; a frame cut short; a frame that never comes. */
static void test_frame_send_recv(void) {
        int sp[2], p[2];
        CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) == 0);
        CU_ASSERT_FATAL(pipe2(p, O_CLOEXEC) == 0);
        int fds[4] = { p[1], p[1], p[1], p[1] };
        CU_ASSERT_EQUAL(initspec_frame_send(sp[0], INITSPEC_EXEC_APP_START, "text", 4, fds, 2), 0);
        CU_ASSERT_EQUAL(initspec_frame_send(sp[0], INITSPEC_EXEC_APP_SIGNAL, "web\0" "15", 6, NULL, 0), 0);
        CU_ASSERT_EQUAL(initspec_frame_send(sp[0], 'X', NULL, 0, fds, 4), -EINVAL);

        char type, *data = NULL;
        size_t n = 0, n_fds = 0;
        int got[2] = { -1, -1 };
        CU_ASSERT_FATAL(initspec_frame_recv(sp[1], 1000, &type, &data, &n, got, &n_fds) == 0);
        CU_ASSERT_EQUAL(type, 'A');
        CU_ASSERT_EQUAL(n, 4);
        CU_ASSERT_STRING_EQUAL(data, "text");
        CU_ASSERT_EQUAL_FATAL(n_fds, 2);
        /* The descriptors are the pipe: what goes in comes out. */
        CU_ASSERT_EQUAL(write(got[1], "x", 1), 1);
        char c = 0;
        CU_ASSERT_EQUAL(read(p[0], &c, 1), 1);
        CU_ASSERT_EQUAL(c, 'x');
        CU_ASSERT(fcntl(got[0], F_GETFD) & FD_CLOEXEC);
        close(got[0]);
        close(got[1]);
        free(data);

        CU_ASSERT_FATAL(initspec_frame_recv(sp[1], 1000, &type, &data, &n, got, &n_fds) == 0);
        CU_ASSERT_EQUAL(type, 'S');
        CU_ASSERT_EQUAL(n, 6);
        CU_ASSERT_STRING_EQUAL(data, "web");
        CU_ASSERT_STRING_EQUAL(data + 4, "15");
        CU_ASSERT_EQUAL(n_fds, 0);
        free(data);

        /* Nothing comes: a timeout. */
        CU_ASSERT_EQUAL(initspec_frame_recv(sp[1], 50, &type, &data, &n, NULL, NULL), -ETIMEDOUT);
        /* Half a frame, then the other end closes. */
        unsigned char h[5];
        initspec_frame_header(h, 'Q', 10);
        CU_ASSERT_EQUAL(write(sp[0], h, 5), 5);
        CU_ASSERT_EQUAL(write(sp[0], "12", 2), 2);
        close(sp[0]);
        CU_ASSERT_EQUAL(initspec_frame_recv(sp[1], 1000, &type, &data, &n, NULL, NULL), -ECONNRESET);
        close(sp[1]);
        close(p[0]);
        close(p[1]);
}

static struct initspec *one_app(void) {
        struct initspec *s = initspec_new();
        struct initspec_app *a;
        CU_ASSERT_FATAL(s && initspec_add_app(s, "side", "/podrt/apps/side", &a) == 0);
        static char *const argv[] = { "/bin/sh", "-c", "hostname > /v/host; echo a b", NULL };
        static char *const env[] = { "PATH=/bin", "HOSTNAME=pod", NULL };
        a->argv = strv_copy(argv);
        a->env = strv_copy(env);
        a->uid = 1000;
        a->gid = 100;
        CU_ASSERT_FATAL(initspec_app_add_bind(a, "/podrt/volumes/v", "/v", false) == 0);
        a->stdout_path = strdup("/podrt/status/out/side");
        a->status_path = strdup("/podrt/status/exit/side");
        a->memory_max = 1 << 20;
        return s;
}

static void test_app_text_round_trip(void) {
        _cleanup_(initspec_freep) struct initspec *s = one_app();
        _cleanup_error_ struct podrt_error *e = NULL;
        _cleanup_free_ char *text = NULL;
        CU_ASSERT_FATAL(initspec_app_text(&s->apps[0], &text, &e) == 0);
        ASSERT_CONTAINS(text, "\napp side\nroot /podrt/apps/side\n");
        _cleanup_(initspec_freep) struct initspec *back = NULL;
        CU_ASSERT_FATAL(initspec_app_parse(text, &back, &e) == 0);
        CU_ASSERT_EQUAL_FATAL(back->n_apps, 1);
        const struct initspec_app *a = &back->apps[0];
        CU_ASSERT_STRING_EQUAL(a->argv[2], "hostname > /v/host; echo a b");
        CU_ASSERT_STRING_EQUAL(a->env[1], "HOSTNAME=pod");
        CU_ASSERT_EQUAL(a->uid, 1000);
        CU_ASSERT_EQUAL(a->gid, 100);
        CU_ASSERT_EQUAL_FATAL(a->n_binds, 1);
        CU_ASSERT_STRING_EQUAL(a->binds[0].target, "/v");
        CU_ASSERT_STRING_EQUAL(a->stdout_path, "/podrt/status/out/side");
        CU_ASSERT_PTR_NULL(a->stderr_path);
        CU_ASSERT_STRING_EQUAL(a->status_path, "/podrt/status/exit/side");
        CU_ASSERT_EQUAL(a->memory_max, 1 << 20);

        /* What the writer refuses, it refuses for one app too. */
        free(s->apps[0].workdir);
        s->apps[0].workdir = strdup("relative");
        _cleanup_free_ char *bad = NULL;
        podrt_error_free(TAKE_PTR(e));
        CU_ASSERT(initspec_app_text(&s->apps[0], &bad, &e) < 0);
        CU_ASSERT_PTR_NULL(bad);
        ASSERT_CONTAINS(podrt_error_message(e), "app side: workdir");
}

static void test_app_parse_refuses(void) {
        static const struct {
                const char *text, *message;
        } cases[] = {
                { "podrt-init 1\n", "app: 0 apps described, not one" },
                { "podrt-init 1\napp a\nroot /r\nexec /x\napp b\nroot /r\nexec /x\n",
                  "app: 2 apps described, not one" },
                { "podrt-init 1\nhostname h\napp a\nroot /r\nexec /x\n", "app a: pod keys in an app's description" },
                { "podrt-init 1\ncontrol /c\napp a\nroot /r\nexec /x\n", "app a: pod keys in an app's description" },
                { "podrt-init 1\nlinger yes\napp a\nroot /r\nexec /x\n", "app a: pod keys in an app's description" },
                { "podrt-init 1\napp a\nroot /r\n", "app:2: app a: no \"exec\" line" },
                { "app a\n", "app:1:" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_error_ struct podrt_error *e = NULL;
                struct initspec *s = NULL;
                CU_ASSERT(initspec_app_parse(cases[i].text, &s, &e) < 0);
                CU_ASSERT_PTR_NULL(s);
                CU_ASSERT_PTR_NOT_NULL_FATAL(e);
                ASSERT_CONTAINS(podrt_error_message(e), cases[i].message);
        }
}

static void test_control_key(void) {
        _cleanup_error_ struct podrt_error *e = NULL;
        _cleanup_(initspec_freep) struct initspec *s = NULL;
        CU_ASSERT_FATAL(initspec_parse_string("podrt-init 1\nlinger yes\ncontrol /podrt/control\nrequest-dir /podrt/status/requests\n",
                                              "pod.conf", &s, &e) == 0);
        CU_ASSERT_STRING_EQUAL(s->request_dir, "/podrt/status/requests");
        CU_ASSERT_STRING_EQUAL(s->control_path, "/podrt/control");
        CU_ASSERT(s->linger);
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        CU_ASSERT_FATAL(initspec_write(s, f, &e) == 0);
        fclose(f);
        ASSERT_CONTAINS(text, "\nlinger yes\ncontrol /podrt/control\nrequest-dir /podrt/status/requests\n");
        free(text);

        static const struct {
                const char *text, *message;
        } bad[] = {
                { "podrt-init 1\ncontrol podrt/control\n", "pod.conf:2: control: \"podrt/control\" must be an absolute path" },
                { "podrt-init 1\ncontrol /a\ncontrol /b\n", "pod.conf:3: control: given twice" },
                { "podrt-init 1\ncontrol\n", "pod.conf:2: control: expects one path" },
                { "podrt-init 1\nlinger maybe\n", "pod.conf:2: linger:" },
                { "podrt-init 1\nrequest-dir rel\n", "pod.conf:2: request-dir: \"rel\" must be an absolute path" },
                { "podrt-init 1\napp a\nroot /r\nexec /x\nrequest-dir /q\n", "pod.conf:5: \"request-dir\" is a pod key" },
                { "podrt-init 1\napp a\nroot /r\nexec /x\nlinger yes\n", "pod.conf:5: \"linger\" is a pod key" },
                { "podrt-init 1\napp a\nroot /r\nexec /x\ncontrol /c\n", "pod.conf:5: \"control\" is a pod key" },
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                _cleanup_error_ struct podrt_error *e2 = NULL;
                struct initspec *x = NULL;
                CU_ASSERT(initspec_parse_string(bad[i].text, "pod.conf", &x, &e2) < 0);
                CU_ASSERT_PTR_NOT_NULL_FATAL(e2);
                ASSERT_CONTAINS(podrt_error_message(e2), bad[i].message);
        }
        /* Too long for a socket address: the writer refuses it too. */
        free(s->control_path);
        s->control_path = malloc(INITSPEC_CONTROL_PATH_MAX + 2);
        memset(s->control_path, 'c', INITSPEC_CONTROL_PATH_MAX + 1);
        s->control_path[0] = '/';
        s->control_path[INITSPEC_CONTROL_PATH_MAX + 1] = '\0';
        CU_ASSERT(initspec_validate(s, &e) < 0);
        ASSERT_CONTAINS(podrt_error_message(e), "must be an absolute path of at most 100 bytes");
}

void register_tests(void) {
        CU_pSuite s = add_suite("frames", NULL, NULL);
        ADD_TEST(s, test_frame_header_and_parse);
        ADD_TEST(s, test_frame_send_recv);
        ADD_TEST(s, test_app_text_round_trip);
        ADD_TEST(s, test_app_parse_refuses);
        ADD_TEST(s, test_control_key);
}
