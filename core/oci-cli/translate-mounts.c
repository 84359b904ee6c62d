/* SPDX-License-Identifier: Apache-2.0 */
/* config.json's mounts to the manifest's volumes, hosts and dns. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include "translate-internal.h"

/* ---- mounts ----------------------------------------------------------- */

static bool word_is_name(const char *w) {
        if (!*w || strlen(w) > 253)
                return false;
        for (const char *p = w; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '-' || *p == '.'))
                        return false;
        return w[0] != '-' && w[0] != '.';
}

static bool word_is_ip(const char *w) {
        unsigned char buf[16];
        return inet_pton(AF_INET, w, buf) == 1 || inet_pton(AF_INET6, w, buf) == 1;
}

/* The files the client made for /etc/hosts and /etc/resolv.conf become the
 * manifest's hosts and dns, which every backend writes (a bind-mounted file
 * is not something every backend can do).  Loopback entries are the
 * backend's own. */
static void etc_file(const char *dest, const char *source, struct json_object *manifest, struct oci_translation *t) {
        FILE *f = fopen(source, "re");
        if (!f) {
                tr_warn(t, "%s: %s: %m", dest, source);
                return;
        }
        bool hosts = strcmp(dest, "/etc/hosts") == 0;
        struct json_object *list = json_object_new_array(), *servers = json_object_new_array(),
                           *searches = json_object_new_array(), *options = json_object_new_array();
        char line[1024];
        while (fgets(line, sizeof line, f)) {
                line[strcspn(line, "#")] = '\0';
                char *save = NULL, *w = strtok_r(line, " \t\r\n", &save);
                if (!w)
                        continue;
                if (hosts) {
                        if (!word_is_ip(w) || strncmp(w, "127.", 4) == 0 || strcmp(w, "::1") == 0)
                                continue;
                        struct json_object *e = json_object_new_object(), *names = json_object_new_array();
                        tr_add(e, "ip", json_object_new_string(w));
                        while ((w = strtok_r(NULL, " \t\r\n", &save)))
                                if (word_is_name(w))
                                        json_object_array_add(names, json_object_new_string(w));
                        tr_add(e, "names", names);
                        if (json_object_array_length(names))
                                json_object_array_add(list, e);
                        else
                                json_object_put(e);
                } else {
                        struct json_object *into = strcmp(w, "nameserver") == 0 ? servers
                                                 : strcmp(w, "search") == 0    ? searches
                                                 : strcmp(w, "options") == 0   ? options
                                                                               : NULL;
                        while (into && (w = strtok_r(NULL, " \t\r\n", &save)))
                                if (into == options || (into == servers ? word_is_ip(w) : word_is_name(w)))
                                        json_object_array_add(into, json_object_new_string(w));
                }
        }
        fclose(f);
        if (hosts) {
                tr_add(manifest, "hosts", list);
                json_object_put(servers), json_object_put(searches), json_object_put(options);
        } else {
                struct json_object *dns = json_object_new_object();
                tr_add(dns, "servers", servers);
                tr_add(dns, "searches", searches);
                tr_add(dns, "options", options);
                tr_add(manifest, "dns", dns);
                json_object_put(list);
        }
}

/* What every backend mounts itself: proc, sysfs, /dev and its parts, the
 * cgroup tree. */
static bool mount_is_standard(const char *dest, const char *type) {
        static const struct { const char *dest, *type; } std[] = {
                { "/proc", "proc" },           { "/sys", "sysfs" },         { "/dev", "tmpfs" },
                { "/dev/pts", "devpts" },      { "/dev/shm", "tmpfs" },     { "/dev/shm", "bind" },
                { "/dev/mqueue", "mqueue" },   { "/sys/fs/cgroup", "cgroup" }, { "/sys/fs/cgroup", "cgroup2" },
        };
        for (size_t i = 0; i < ELEMENTSOF(std); i++)
                if (strcmp(dest, std[i].dest) == 0 && strcmp(type, std[i].type) == 0)
                        return true;
        return false;
}

int translate_mounts(struct json_object *mounts, const char *bundle, struct json_object *manifest,
                            struct json_object *app, struct oci_translation *t, struct podrt_error **err) {
        if (!mounts)
                return 0;
        if (!tr_is(mounts, json_type_array))
                return FAIL(err, "mounts", "must be an array");
        struct json_object *vols = json_object_new_array(), *ms = json_object_new_array();
        tr_add(manifest, "volumes", vols);
        tr_add(app, "mounts", ms);
        for (size_t i = 0; i < json_object_array_length(mounts); i++) {
                struct json_object *m = json_object_array_get_idx(mounts, i);
                struct json_object *dst = tr_get(m, "destination"), *type = tr_get(m, "type"), *src = tr_get(m, "source");
                if (!tr_is(m, json_type_object))
                        return podrt_error_set(err, EINVAL, "config.json: mounts[%zu]: must be an object", i);
                if (!tr_is(dst, json_type_string) || json_object_get_string(dst)[0] != '/')
                        return podrt_error_set(err, EINVAL, "config.json: mounts[%zu].destination: must be an absolute path", i);
                if (type && !tr_is(type, json_type_string))
                        return podrt_error_set(err, EINVAL, "config.json: mounts[%zu].type: must be a string", i);
                if (src && !tr_is(src, json_type_string))
                        return podrt_error_set(err, EINVAL, "config.json: mounts[%zu].source: must be a string", i);
                _cleanup_strv_free_ char **opts = NULL;
                if (tr_strv_of(tr_get(m, "options"), &opts) < 0)
                        return podrt_error_set(err, EINVAL, "config.json: mounts[%zu].options: must be an array of strings", i);
                const char *d = json_object_get_string(dst);
                bool bind = strv_contains(opts, "bind") || strv_contains(opts, "rbind");
                const char *ty = type ? json_object_get_string(type) : (bind ? "bind" : "");
                if (bind && strcmp(ty, "none") == 0)
                        ty = "bind";
                if (mount_is_standard(d, ty))
                        continue;
                char vname[32];
                snprintf(vname, sizeof vname, "m%zu", i);
                struct json_object *vol = json_object_new_object();
                tr_add(vol, "name", json_object_new_string(vname));
                if (strcmp(ty, "bind") == 0) {
                        if (!src || !json_object_get_string(src)[0]) {
                                json_object_put(vol);
                                return podrt_error_set(err, EINVAL, "config.json: mounts[%zu].source: required for a bind mount", i);
                        }
                        const char *s = json_object_get_string(src);
                        _cleanup_free_ char *abs = NULL;
                        if (s[0] != '/' && asprintf(&abs, "%s/%s", bundle, s) < 0) {
                                json_object_put(vol);
                                return podrt_error_set(err, ENOMEM, "out of memory");
                        }
                        const char *real = abs ? abs : s;
                        if (strcmp(d, "/etc/hosts") == 0 || strcmp(d, "/etc/resolv.conf") == 0) {
                                json_object_put(vol);
                                etc_file(d, real, manifest, t);
                                continue;
                        }
                        if (strcmp(d, "/etc/hostname") == 0 || strcmp(d, "/run/.containerenv") == 0) {
                                /* The backend writes the hostname; podman's marker is not needed. */
                                json_object_put(vol);
                                continue;
                        }
                        tr_add(vol, "kind", json_object_new_string("host"));
                        tr_add(vol, "source", json_object_new_string(abs ? abs : s));
                } else if (strcmp(ty, "tmpfs") == 0) {
                        tr_warn(t, "mounts[%zu]: tmpfs on %s is an empty directory of the pod, not a tmpfs", i, d);
                        tr_add(vol, "kind", json_object_new_string("empty"));
                } else if (strcmp(ty, "proc") == 0 || strcmp(ty, "sysfs") == 0 || strcmp(ty, "devpts") == 0 ||
                           strcmp(ty, "mqueue") == 0 || strcmp(ty, "cgroup") == 0 || strcmp(ty, "cgroup2") == 0) {
                        json_object_put(vol);
                        tr_warn(t, "mounts[%zu]: %s on %s: the backend mounts %s only at its standard place", i, ty, d, ty);
                        continue;
                } else {
                        json_object_put(vol);
                        return podrt_error_set(err, EOPNOTSUPP, "config.json: mounts[%zu].type: \"%s\" is not supported (bind, tmpfs, proc, sysfs, devpts, mqueue, cgroup are)",
                                               i, ty);
                }
                /* A later mount of the same place wins, as in the kernel. */
                for (size_t j = 0; j < json_object_array_length(ms); j++)
                        if (strcmp(json_object_get_string(tr_get(json_object_array_get_idx(ms, j), "path")), d) == 0) {
                                json_object_array_del_idx(ms, j, 1);
                                break;
                        }
                json_object_array_add(vols, vol);
                struct json_object *mo = json_object_new_object();
                tr_add(mo, "volume", json_object_new_string(vname));
                tr_add(mo, "path", json_object_new_string(d));
                if (strv_contains(opts, "ro"))
                        tr_add(mo, "readOnly", json_object_new_boolean(1));
                json_object_array_add(ms, mo);
        }
        return 0;
}

