/* SPDX-License-Identifier: Apache-2.0 */
/* The writer of podrt-init's pod description: tokens escaped, one key a
 * line, the app's keys after its "app NAME" line (docs/podrt-init.md). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "caps.h"
#include "initspec-internal.h"
#include "initspec.h"
#include "strv.h"

/* ---- escaping ---- */

char *initspec_escape(const char *s) {
        size_t n = strlen(s);
        if (n == 0)
                return strdup("\"\"");
        char *out = malloc(n * 4 + 1), *o = out;
        if (!out)
                return NULL;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                unsigned char c = *p;
                switch (c) {
                case '\\': *o++ = '\\'; *o++ = '\\'; break;
                case ' ': *o++ = '\\'; *o++ = 's'; break;
                case '\t': *o++ = '\\'; *o++ = 't'; break;
                case '\n': *o++ = '\\'; *o++ = 'n'; break;
                case '\r': *o++ = '\\'; *o++ = 'r'; break;
                default:
                        if (c < 0x20 || c == 0x7f || c == '"')
                                o += sprintf(o, "\\x%02x", c);
                        else
                                *o++ = (char)c;
                }
        }
        *o = '\0';
        return out;
}

/* ---- the writer ---- */

static int put_tokens(FILE *f, const char *key, char *const *tokens) {
        fputs(key, f);
        for (size_t i = 0; tokens && tokens[i]; i++) {
                _cleanup_free_ char *e = initspec_escape(tokens[i]);
                if (!e)
                        return -ENOMEM;
                fputc(' ', f);
                fputs(e, f);
        }
        fputc('\n', f);
        return 0;
}

/* key followed by the given strings (NULL-terminated varargs). */
static int put(FILE *f, const char *key, ...) {
        const char *v[8];
        size_t n = 0;
        va_list ap;
        va_start(ap, key);
        for (const char *s; n < ELEMENTSOF(v) - 1 && (s = va_arg(ap, const char *));)
                v[n++] = s;
        va_end(ap);
        v[n] = NULL;
        return put_tokens(f, key, (char *const *)v);
}

static int write_app(const struct initspec_app *a, FILE *f) {
        int r;
        fputc('\n', f);
        if ((r = put(f, "app", a->name, NULL)) < 0 || (r = put(f, "root", a->root, NULL)) < 0 ||
            (r = put_tokens(f, "exec", a->argv)) < 0)
                return r;
        for (size_t i = 0; a->env && a->env[i]; i++)
                if ((r = put(f, "env", a->env[i], NULL)) < 0)
                        return r;
        if (a->workdir && (r = put(f, "workdir", a->workdir, NULL)) < 0)
                return r;
        fprintf(f, "uid %u\ngid %u\n", a->uid, a->gid);
        if (a->n_groups > 0) {
                fputs("groups", f);
                for (size_t i = 0; i < a->n_groups; i++)
                        fprintf(f, " %u", a->groups[i]);
                fputc('\n', f);
        }
        if (a->caps_drop && a->caps_drop[0] && (r = put_tokens(f, "cap-drop", a->caps_drop)) < 0)
                return r;
        if (a->no_new_privs)
                fputs("no-new-privs yes\n", f);
        if (a->read_only_root)
                fputs("read-only-root yes\n", f);
        for (size_t i = 0; i < a->n_binds; i++)
                if ((r = put(f, "bind", a->binds[i].source, a->binds[i].target,
                             a->binds[i].read_only ? "ro" : NULL, NULL)) < 0)
                        return r;
        if (a->pre_start && (r = put_tokens(f, "pre-start", a->pre_start)) < 0)
                return r;
        if (a->post_stop && (r = put_tokens(f, "post-stop", a->post_stop)) < 0)
                return r;
        if ((r = put(f, "stdout", a->stdout_path ? a->stdout_path : "inherit", NULL)) < 0 ||
            (r = put(f, "stderr", a->stderr_path ? a->stderr_path : "inherit", NULL)) < 0)
                return r;
        if (a->stdin_path && (r = put(f, "stdin", a->stdin_path, NULL)) < 0)
                return r;
        if (a->status_path && (r = put(f, "status", a->status_path, NULL)) < 0)
                return r;
        if (a->pid_path && (r = put(f, "pidfile", a->pid_path, NULL)) < 0)
                return r;
        if (a->memory_max)
                fprintf(f, "memory-max %llu\n", (unsigned long long)a->memory_max);
        if (a->cpu_millis)
                fprintf(f, "cpu-max %llu\n", (unsigned long long)a->cpu_millis);
        if (a->pids_max)
                fprintf(f, "pids-max %llu\n", (unsigned long long)a->pids_max);
        return 0;
}

int initspec_write(const struct initspec *s, FILE *f, struct podrt_error **err) {
        int r = initspec_validate(s, err);
        if (r < 0)
                return podrt_error_set(err, r, "pod description");

        fprintf(f, "# podrt-init pod description (docs/podrt-init.md)\npodrt-init %d\n",
                INITSPEC_VERSION);
        if (s->hostname && (r = put(f, "hostname", s->hostname, NULL)) < 0)
                goto fail;
        if (s->poweroff)
                fputs("poweroff yes\n", f);
        if (s->linger)
                fputs("linger yes\n", f);
        if (s->stop_path && (r = put(f, "stop-file", s->stop_path, NULL)) < 0)
                goto fail;
        if (s->exec_port && (r = put(f, "exec-port", s->exec_port, NULL)) < 0)
                goto fail;
        if (s->control_path && (r = put(f, "control", s->control_path, NULL)) < 0)
                goto fail;
        if (s->request_dir && (r = put(f, "request-dir", s->request_dir, NULL)) < 0)
                goto fail;
        for (size_t i = 0; i < s->n_modules; i++)
                if ((r = put(f, "module", s->modules[i].path, s->modules[i].params, NULL)) < 0)
                        goto fail;
        for (size_t i = 0; i < s->n_mounts; i++) {
                const struct initspec_mount *m = &s->mounts[i];
                char *v[9] = { m->fstype, m->source, m->target };
                size_t n = 3;
                _cleanup_free_ char *data = NULL;
                for (size_t j = 0; j < ELEMENTSOF(initspec_mount_flags); j++)
                        if (m->flags & initspec_mount_flags[j].flag)
                                v[n++] = (char *)initspec_mount_flags[j].name;
                if (m->data) {
                        if (asprintf(&data, "data=%s", m->data) < 0) {
                                data = NULL;
                                r = -ENOMEM;
                                goto fail;
                        }
                        v[n++] = data;
                }
                if ((r = put_tokens(f, "mount", v)) < 0)
                        goto fail;
        }
        initspec_net_write(s, f);
        for (size_t i = 0; i < s->n_apps; i++)
                if ((r = write_app(&s->apps[i], f)) < 0)
                        goto fail;
        if (fflush(f) != 0 || ferror(f))
                return podrt_error_set(err, errno ? errno : EIO, "writing the pod description: %m");
        return 0;
fail:
        return podrt_error_set(err, r, "writing the pod description: %s", strerror(-r));
}

int initspec_write_file(const struct initspec *s, const char *path, struct podrt_error **err) {
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.XXXXXX", path) < 0)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", path);
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return podrt_error_set(err, errno, "%s: cannot create a temporary file: %m", path);
        FILE *f = fdopen(fd, "w");
        if (!f) {
                int e = errno;
                close(fd);
                unlink(tmp);
                return podrt_error_set(err, e, "%s: %s", path, strerror(e));
        }
        int r = initspec_write(s, f, err);
        if (r >= 0 && fchmod(fd, 0644) < 0)
                r = podrt_error_set(err, errno, "%s: chmod: %m", path);
        if (r >= 0 && fsync(fd) < 0)
                r = podrt_error_set(err, errno, "%s: fsync: %m", path);
        if (fclose(f) != 0 && r >= 0)
                r = podrt_error_set(err, errno, "%s: close: %m", path);
        if (r >= 0 && rename(tmp, path) < 0)
                r = podrt_error_set(err, errno, "%s: rename: %m", path);
        if (r < 0) {
                unlink(tmp);
                return podrt_error_set(err, r, "%s", path);
        }
        return 0;
}

