/* SPDX-License-Identifier: Apache-2.0 */
/* Reading the hook directories, as podman does: later directories mask
 * same-named files of earlier ones; order by lower-cased file name.  Only
 * the files in effect are parsed, so a broken file that is masked does no
 * harm. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "load.h"

struct entry {
        char *name;   /* file name */
        char *path;   /* dir/name */
};

static void entries_free(struct entry *e, size_t n) {
        for (size_t i = 0; e && i < n; i++) {
                free(e[i].name);
                free(e[i].path);
        }
        free(e);
}

struct hook_set *hook_set_free(struct hook_set *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n; i++)
                hook_free(s->hooks[i]);
        free(s->hooks);
        for (size_t i = 0; s->dirs && s->dirs[i]; i++)
                free(s->dirs[i]);
        free(s->dirs);
        free(s);
        return NULL;
}

static int lower(int c) {
        return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

int hook_name_compare(const char *a, const char *b) {
        const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
        for (; *x && lower(*x) == lower(*y); x++, y++)
                ;
        int d = lower(*x) - lower(*y);
        return d != 0 ? d : strcmp(a, b);
}

static int entry_compare(const void *a, const void *b) {
        return hook_name_compare(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static bool is_json_name(const char *name) {
        size_t n = strlen(name);
        return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* Adds (or, when the name is known, replaces) the entry for dir/name. */
static int add_entry(struct entry **e, size_t *n, const char *dir, const char *name) {
        char *path = NULL;
        if (asprintf(&path, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < *n; i++)
                if (strcmp((*e)[i].name, name) == 0) {
                        free((*e)[i].path);
                        (*e)[i].path = path;
                        return 0;
                }
        struct entry *ne = realloc(*e, (*n + 1) * sizeof(struct entry));
        if (!ne) {
                free(path);
                return -ENOMEM;
        }
        *e = ne;
        ne[*n].path = path;
        if (!(ne[*n].name = strdup(name))) {
                free(path);
                return -ENOMEM;
        }
        (*n)++;
        return 0;
}

static int read_dir(const char *dir, bool explicit, struct entry **e, size_t *n,
                    struct podrt_error **err) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT && !explicit)
                        return 0;
                return podrt_error_set(err, errno, "%s: %s", dir, strerror(errno));
        }
        DIR *d = fdopendir(fd);
        if (!d) {
                int e2 = errno;
                close(fd);
                return podrt_error_set(err, e2, "%s: %s", dir, strerror(e2));
        }
        int r = 0;
        struct dirent *de;
        errno = 0;
        while ((de = readdir(d))) {
                if (!is_json_name(de->d_name))
                        continue;
                struct stat st;
                /* Directories and other non-files named *.json are not hooks;
                 * a dangling symlink is reported when it is read. */
                if (fstatat(fd, de->d_name, &st, 0) == 0 && !S_ISREG(st.st_mode))
                        continue;
                r = add_entry(e, n, dir, de->d_name);
                if (r < 0) {
                        r = podrt_error_set(err, r, "%s: out of memory", dir);
                        break;
                }
                errno = 0;
        }
        if (r == 0 && errno != 0)
                r = podrt_error_set(err, errno, "%s: %s", dir, strerror(errno));
        closedir(d);
        return r;
}

int hook_set_load(const char *const *dirs, bool explicit, struct hook_set **ret_set,
                  struct podrt_error **err) {
        struct entry *e = NULL;
        size_t n = 0;
        int r;

        _cleanup_(hook_set_freep) struct hook_set *s = calloc(1, sizeof(*s));
        if (!s)
                return podrt_error_set(err, ENOMEM, "out of memory");
        size_t n_dirs = 0;
        while (dirs && dirs[n_dirs])
                n_dirs++;
        if (!(s->dirs = calloc(n_dirs + 1, sizeof(char *))))
                return podrt_error_set(err, ENOMEM, "out of memory");
        for (size_t i = 0; i < n_dirs; i++) {
                if (!dirs[i][0]) {
                        r = podrt_error_set(err, EINVAL, "an empty directory name");
                        goto out;
                }
                if (!(s->dirs[i] = strdup(dirs[i]))) {
                        r = podrt_error_set(err, ENOMEM, "out of memory");
                        goto out;
                }
                r = read_dir(dirs[i], explicit, &e, &n, err);
                if (r < 0)
                        goto out;
        }

        if (n > 0)
                qsort(e, n, sizeof(struct entry), entry_compare);
        if (!(s->hooks = calloc(n ? n : 1, sizeof(struct hook *)))) {
                r = podrt_error_set(err, ENOMEM, "out of memory");
                goto out;
        }
        for (size_t i = 0; i < n; i++) {
                r = hook_load_file(e[i].path, &s->hooks[s->n], err);
                if (r < 0)
                        goto out;
                s->n++;
        }
        *ret_set = TAKE_PTR(s);
        r = 0;
out:
        entries_free(e, n);
        return r;
}
