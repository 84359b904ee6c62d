/* SPDX-License-Identifier: Apache-2.0 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent-apps.h"
#include "cgroups.h"
#include "errors.h"
#include "fileio.h"

static struct initspec *load(const char *name) {
        /* A name from the host: never a path. */
        if (!name[0] || name[0] == '.' || strchr(name, '/'))
                return NULL;
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_error_ struct podrt_error *e = NULL;
        struct initspec *s = NULL;
        if (asprintf(&path, INITSPEC_ADDED_DIR "/%s", name) < 0 ||
            read_file(path, 0, &text, NULL) < 0 || initspec_app_parse(text, &s, &e) < 0)
                return NULL;
        return s;
}

const struct initspec_app *agent_added_app(const char *name) {
        static struct initspec *last;
        last = initspec_free(last);
        last = load(name);
        return last ? &last->apps[0] : NULL;
}

static int update_one(const char *name, int64_t memory, int64_t cpu_millis, int64_t pids) {
        _cleanup_(initspec_freep) struct initspec *s = load(name);
        if (!s)
                return -ENOENT;
        int r = cgroups_update(&s->apps[0], memory, cpu_millis, pids);
        _cleanup_free_ char *path = NULL, *text = NULL;
        if (asprintf(&path, INITSPEC_ADDED_DIR "/%s", name) < 0 || initspec_app_text(&s->apps[0], &text, NULL) < 0)
                return r < 0 ? r : -ENOMEM;
        int w = write_file_atomic(path, text, strlen(text), 0644, 0);
        return r < 0 ? r : w;
}

int agent_update_added(const char *name, int64_t memory, int64_t cpu_millis, int64_t pids, int *ret) {
        int found = 0, first = 0;
        DIR *d = opendir(INITSPEC_ADDED_DIR);
        if (!d)
                return 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.' || (*name && strcmp(de->d_name, name) != 0))
                        continue;
                int r = update_one(de->d_name, memory, cpu_millis, pids);
                if (r == -ENOENT)
                        continue;
                found++;
                if (r < 0 && !first)
                        first = r;
        }
        closedir(d);
        *ret = first;
        return found;
}
