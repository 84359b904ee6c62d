/* SPDX-License-Identifier: Apache-2.0 */
/* The podrt command, end to end, for the CLI suites (test-cli.c,
 * test-apps.c): the built binary run with fork/exec on a temporary --root
 * with the mock backend, its stdout, stderr and exit code kept. */
#ifndef PODRT_TESTS_CLI_HARNESS_H
#define PODRT_TESTS_CLI_HARNESS_H

#include <json-c/json.h>

#include "timeutil.h"   /* now_ms() */

/* tmpdir: the suite's folder (tmpdir/rootfs exists); root: --root. */
extern char tmpdir[], root[4096], podrt_bin[4096], mock_log[4096];
/* The last call's output; OUT_EOF: stdout reached EOF within 5 s of exit. */
extern char *OUT, *ERR;
extern int OUT_EOF;

/* Runs argv with env ("K=V", NULL-terminated, or NULL) added; the exit
 * code, 128+N for a signal, -1 on a timeout (60 s). */
int run_argv(char *const *env, char *const *argv);
/* podrt --root ROOT --backend mock ARGS... (podrt_raw: without them). */
int podrt_env(char *const *env, ...);
int podrt_raw(int dummy, ...);
#define PODRT(...) podrt_env(NULL, __VA_ARGS__, NULL)
#define PODRT_ENV(env, ...) podrt_env((env), __VA_ARGS__, NULL)
#define PODRT_RAW(...) podrt_raw(0, __VA_ARGS__, NULL)

void write_file(const char *path, const char *content);
/* A manifest in tmpdir/NAME.json for pod NAME running the shell script. */
const char *manifest_sh(const char *name, const char *script);
json_object *parse_out(void);
/* The pod's state from `status --json`, or "". */
const char *pod_state(const char *ref);
/* Waits up to 15 s for the pod to reach state. */
int wait_state(const char *ref, const char *state);
/* The first app's exitCode from `status --json`, or -1000. */
int app_exit_code(const char *ref);
/* Number of pods `list --json` reports, -1 when it fails. */
int pod_count(void);
void delete_all(void);
int is_pod_id_line(const char *s);
int suite_init(void);
int suite_cleanup(void);

#endif
