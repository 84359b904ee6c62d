/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "mountinfo.h"

void mountinfo_unescape(char *s) {
        char *w = s;
        for (char *r = s; *r; r++) {
                if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
                    r[3] >= '0' && r[3] <= '7') {
                        *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
                        r += 3;
                } else
                        *w++ = *r;
        }
        *w = '\0';
}

int mountinfo_each(const char *mountinfo,
                   int (*fn)(const char *mnt, const char *fstype, const char *super_opts, void *u),
                   void *u) {
        const char *line = mountinfo;
        while (line && *line) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);
                _cleanup_free_ char *l = strndup(line, len);
                if (!l)
                        return -ENOMEM;
                line = end ? end + 1 : NULL;

                /* id parent maj:min root mountpoint options [optional...] - fstype source super */
                char *save = NULL, *f[64];
                int n = 0;
                for (char *t = strtok_r(l, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
                        f[n++] = t;
                int sep = -1;
                for (int i = 6; i < n; i++)
                        if (strcmp(f[i], "-") == 0) {
                                sep = i;
                                break;
                        }
                if (sep < 0 || sep + 1 >= n)
                        continue;
                mountinfo_unescape(f[4]);
                int r = fn(f[4], f[sep + 1], sep + 3 < n ? f[sep + 3] : "", u);
                if (r != 0)
                        return r;
        }
        return 0;
}

struct mode_scan {
        bool v1, v2_root, v2_other;
};

static int mode_fn(const char *mnt, const char *fstype, const char *super_opts, void *u) {
        struct mode_scan *m = u;
        if (strcmp(fstype, "cgroup") == 0)
                m->v1 = true;
        else if (strcmp(fstype, "cgroup2") == 0) {
                if (strcmp(mnt, "/sys/fs/cgroup") == 0)
                        m->v2_root = true;
                else
                        m->v2_other = true;
        }
        return 0;
}

int cgroup_mode_from_mountinfo(const char *mountinfo) {
        struct mode_scan m = { 0 };
        mountinfo_each(mountinfo, mode_fn, &m);
        if (m.v2_root)
                return CGROUP_V2;
        if (m.v1 && m.v2_other)
                return CGROUP_HYBRID;
        if (!m.v1 && m.v2_other)
                return CGROUP_V2;
        return CGROUP_V1;
}

int cgroup_mode(void) {
        _cleanup_free_ char *mi = NULL;
        if (read_file("/proc/self/mountinfo", 0, &mi, NULL) < 0)
                return CGROUP_V1;
        return cgroup_mode_from_mountinfo(mi);
}

const char *cgroup_mode_name(int mode) {
        switch (mode) {
        case CGROUP_V2: return "v2";
        case CGROUP_HYBRID: return "hybrid";
        default: return "v1";
        }
}
