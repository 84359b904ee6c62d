/* SPDX-License-Identifier: Apache-2.0 */
/* What podrt-runtime's files share: logging (--log, --log-format), the
 * context, a container's record, and each command. */
#ifndef PODRT_OCI_CLI_H
#define PODRT_OCI_CLI_H

#include <stdbool.h>
#include <sys/types.h>
#include <json-c/json.h>

#include "args.h"
#include "errors.h"
#include "runtime.h"
#include "translate.h"

#define OCI_VERSION "1.0.2"

extern const char *log_path;
extern int log_json;
extern bool debug;
void logf_(const char *level, const char *fmt, ...) PODRT_PRINTF(2, 3);
#define log_error(...) logf_("error", __VA_ARGS__)
#define log_warning(...) logf_("warning", __VA_ARGS__)
#define log_debug(...) logf_("debug", __VA_ARGS__)

/* runc's exit code of a failed command. */
#define EXIT_FAIL 1

/* Where the containers' records are: <--root>/containers, else a fixed
 * folder, since podman gives its --runtime-flag options to create and
 * start but not to delete: a record names the configuration, backend and
 * state folder its pod was made with. */
#define OCI_CONTAINERS_DIR "/run/podrt-runtime"

struct ctx {
        struct runtime_options opts;
        struct runtime *rt;
        char *containers;
};

struct container {
        char *id;
        char *dir;
        char *config;       /* the runtime's options at create */
        char *backend;
        char *state;
        char *pod;          /* the pod's ID */
        char *app;          /* a CRI container's app in its sandbox's pod, or NULL (cri.c) */
        char *bundle;
        char *rootfs;
        char *created;      /* RFC 3339 */
        pid_t keeper;
        uid_t owner;
        struct json_object *annotations;
        struct json_object *hooks;
};

void rfc3339(char *buf, size_t size);
int fail_err(struct podrt_error *e);
void container_done(struct container *k);
bool oci_id_is_valid(const char *id);
int container_save(const struct container *k);
const char *jstr(struct json_object *o, const char *key);
char *xstrdup(const char *s);
int container_load(struct ctx *c, const char *id, struct container *ret);
int ctx_runtime(struct ctx *c, const struct container *k);
bool keeper_alive(const struct container *k);
const char *container_status(struct ctx *c, const struct container *k, pid_t *ret_pid, struct json_object **ret_pod);
struct json_object *state_object(const struct container *k, const char *status, pid_t pid, bool full);
int run_hooks(const struct container *k, const char *stage, const char *status, pid_t pid);
int send_fd(const char *socket_path, int fd, const char *name);
int terminal_open(const char *console_socket);
int write_pid_file(const char *path, pid_t pid);
void apply_process_limits(const struct oci_translation *t, const char *backend);
/* In a keeper: waits on start_fd for `start`, runs the startContainer
 * hooks; the ready FIFO (write "0" or "ERRNO message" there), or -1.
 * Exits when start never comes or a hook fails. */
int keeper_wait_start(const struct container *k, int start_fd);
/* In a keeper, once the workload ended: the poststop hooks, noted done. */
void keeper_poststop(const struct container *k);
_Noreturn void keeper_main(struct ctx *c, struct container *k, struct oci_translation *t, int tty, int start_fd);
char *absolute(const char *path);
int cmd_create(struct ctx *c, int argc, char **argv, int i);
int one_id(const char *cmd, const struct oci_opt *opts, const char **v, int argc, char **argv, int *i);
int open_container(struct ctx *c, const char *cmd, const struct oci_opt *opts, const char **v, int argc, char **argv, int i, struct container *k);
int cmd_start(struct ctx *c, int argc, char **argv, int i);
int cmd_state(struct ctx *c, int argc, char **argv, int i);
int cmd_kill(struct ctx *c, int argc, char **argv, int i);
void keeper_wait_gone(const struct container *k, int ms);
int cmd_delete(struct ctx *c, int argc, char **argv, int i);
int cmd_pause_resume(struct ctx *c, int argc, char **argv, int i, bool pause);
size_t descendants(pid_t root, pid_t *out, size_t max);
int cmd_ps(struct ctx *c, int argc, char **argv, int i);
int cmd_list(struct ctx *c, int argc, char **argv, int i);
int cmd_exec(struct ctx *c, int argc, char **argv, int i);
int cmd_update(struct ctx *c, int argc, char **argv, int i);

int cmd_features(void);
void print_version(void);
void usage(FILE *f);
int container_open(struct ctx *c, const char *id, struct container *k);

#endif
