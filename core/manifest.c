/* SPDX-License-Identifier: Apache-2.0 */
/* Pod manifests (CONTRACTS.md §1, docs/manifest.md): JSON text to a validated
 * struct pod_spec.  Everything is checked before anything is returned, and
 * nothing is created: the file system is only read, to check rootfs
 * directories and host volume sources, to resolve user and group names in a
 * rootfs, and to refuse mount paths that leave a rootfs through symlinks.
 *
 * Every message reads "<source>: <json path>: <what>", the path written with
 * dots and [i]: "pod.json: containers[0].mounts[0].path: must be absolute". */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "fileio.h"
#include "manifest-parser.h"
#include "manifest.h"
#include "store.h"
#include "strv.h"

#define API_VERSION "podrt/v1"
#define HOSTNAME_MAX 64             /* the kernel's limit for sethostname() */
#define DOMAIN_MAX 253

/* ---- names and addresses ---------------------------------------------------- */

static bool is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* RFC 1123: dot-separated labels of 1-63 letters, digits and '-', neither
 * starting nor ending with '-'. */
static bool hostname_is_valid(const char *s, size_t max) {
        size_t n = strlen(s);
        if (n == 0 || n > max)
                return false;
        for (const char *l = s;;) {
                const char *e = strchrnul(l, '.');
                size_t ln = (size_t) (e - l);
                if (ln == 0 || ln > 63 || l[0] == '-' || e[-1] == '-')
                        return false;
                for (const char *c = l; c < e; c++)
                        if (!is_alnum(*c) && *c != '-')
                                return false;
                if (!*e)
                        return true;
                l = e + 1;
        }
}

static bool ip_is_valid(const char *s) {
        unsigned char buf[sizeof(struct in6_addr)];
        return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

int parser_check_name(struct parser *p, const char *key, const char *s) {
        if (name_is_valid(s) <= 0)
                return parser_fail(p, key, EINVAL,
                                   "invalid name \"%s\": must match [a-z0-9]([a-z0-9.-]{0,62})", s);
        return 0;
}

/* ---- the pod ------------------------------------------------------------------- */

static int parse_annotations(struct parser *p, json_object *root, struct pod_spec *spec) {
        json_object *v;
        size_t saved;
        int r;

        if ((r = parser_enter_object(p, root, "annotations", NULL, &v, &saved)) <= 0)
                return r;
        size_t n = (size_t) json_object_object_length(v);
        if (!(spec->annotations = calloc(n ? n : 1, sizeof(struct spec_kv))))
                return parser_oom(p);
        json_object_object_foreach(v, key, val) {
                if (!*key)
                        return parser_fail(p, NULL, EINVAL, "keys must not be empty");
                if (!json_object_is_type(val, json_type_string))
                        return parser_fail(p, key, EINVAL, "must be a string");
                if (json_string_has_nul(val))
                        return parser_fail(p, key, EINVAL, "must not contain a NUL character");
                struct spec_kv *kv = &spec->annotations[spec->n_annotations++];
                if (!(kv->key = strdup(key)) || !(kv->value = strdup(json_object_get_string(val))))
                        return parser_oom(p);
        }
        parser_pop(p, saved);
        return 0;
}

static int parse_dns(struct parser *p, json_object *root, struct pod_spec *spec) {
        static const char *const fields[] = { "servers", "searches", "options", NULL };
        json_object *v;
        size_t saved;
        int r;

        if (!(spec->dns_servers = calloc(1, sizeof(char *))) ||
            !(spec->dns_searches = calloc(1, sizeof(char *))) ||
            !(spec->dns_options = calloc(1, sizeof(char *))))
                return parser_oom(p);
        if ((r = parser_enter_object(p, root, "dns", fields, &v, &saved)) <= 0)
                return r;
        if ((r = parser_get_strv(p, v, "servers", 0, &spec->dns_servers)) < 0 ||
            (r = parser_get_strv(p, v, "searches", 0, &spec->dns_searches)) < 0 ||
            (r = parser_get_strv(p, v, "options", 0, &spec->dns_options)) < 0)
                return r;
        for (size_t i = 0; spec->dns_servers[i]; i++)
                if (!ip_is_valid(spec->dns_servers[i]))
                        return parser_fail_item(p, "servers", i, EINVAL,
                                                "\"%s\" is not an IPv4 or IPv6 address",
                                                spec->dns_servers[i]);
        for (size_t i = 0; spec->dns_searches[i]; i++)
                if (!hostname_is_valid(spec->dns_searches[i], DOMAIN_MAX))
                        return parser_fail_item(p, "searches", i, EINVAL,
                                                "\"%s\" is not a valid domain name",
                                                spec->dns_searches[i]);
        for (size_t i = 0; spec->dns_options[i]; i++)
                if (!spec->dns_options[i][0] || strpbrk(spec->dns_options[i], " \t\r\n"))
                        return parser_fail_item(p, "options", i, EINVAL,
                                                "\"%s\" is not a resolver option (one word, as ndots:2)",
                                                spec->dns_options[i]);
        parser_pop(p, saved);
        return 0;
}

static int parse_host(struct parser *p, json_object *h, size_t index, void *userdata) {
        static const char *const fields[] = { "ip", "names", NULL };
        struct pod_spec *spec = userdata;
        const char *ip;
        int r;

        if ((r = parser_check_fields(p, h, fields)) < 0 ||
            (r = parser_get_string(p, h, "ip", true, &ip)) < 0)
                return r;
        if (!ip_is_valid(ip))
                return parser_fail(p, "ip", EINVAL, "\"%s\" is not an IPv4 or IPv6 address", ip);
        struct spec_host *host = &spec->hosts[spec->n_hosts++];
        if (!(host->ip = strdup(ip)))
                return parser_oom(p);
        r = parser_get_strv(p, h, "names", STRV_NONEMPTY, &host->names);
        if (r < 0)
                return r;
        if (r == 0)
                return parser_fail(p, "names", EINVAL, "is required");
        for (size_t j = 0; host->names[j]; j++)
                if (!hostname_is_valid(host->names[j], DOMAIN_MAX))
                        return parser_fail_item(p, "names", j, EINVAL,
                                                "\"%s\" is not a valid hostname", host->names[j]);
        return 0;
}

static int parse_volume(struct parser *p, json_object *o, size_t index, void *userdata) {
        static const char *const fields[] = { "name", "kind", "source", "readOnly", NULL };
        struct pod_spec *spec = userdata;
        const char *name, *kind, *source;
        int r;

        if ((r = parser_check_fields(p, o, fields)) < 0 || (r = parser_get_string(p, o, "name", true, &name)) < 0 ||
            (r = parser_check_name(p, "name", name)) < 0)
                return r;
        for (size_t i = 0; i < spec->n_volumes; i++)
                if (strcmp(spec->volumes[i].name, name) == 0)
                        return parser_fail(p, "name", EINVAL, "volume \"%s\" is declared twice (also volumes[%zu])",
                                           name, i);

        struct spec_volume *vol = &spec->volumes[spec->n_volumes++];
        if (!(vol->name = strdup(name)))
                return parser_oom(p);
        if ((r = parser_get_string(p, o, "kind", true, &kind)) < 0 ||
            (r = parser_get_string(p, o, "source", false, &source)) < 0 ||
            (r = parser_get_bool(p, o, "readOnly", &vol->read_only)) < 0)
                return r;

        if (strcmp(kind, "empty") == 0) {
                vol->kind = PODRT_VOLUME_EMPTY;
                if (source)
                        return parser_fail(p, "source", EINVAL, "not allowed for a volume of kind \"empty\"");
                return 0;
        }
        if (strcmp(kind, "host") != 0)
                return parser_fail(p, "kind", EINVAL, "must be \"host\" or \"empty\", not \"%s\"", kind);

        vol->kind = PODRT_VOLUME_HOST;
        if (!source)
                return parser_fail(p, "source", EINVAL, "is required for a volume of kind \"host\"");
        if (source[0] != '/')
                return parser_fail(p, "source", EINVAL, "must be absolute");
        if (path_normalise(source, true, &vol->source) < 0)
                return parser_oom(p);
        struct stat st;
        if (stat(vol->source, &st) < 0) {
                if (errno == ENOENT)
                        return parser_fail(p, "source", ENOENT, "%s does not exist on the host", vol->source);
                return parser_fail(p, "source", errno, "cannot access %s: %s", vol->source, strerror(errno));
        }
        return 0;
}

static int parse_pod(struct parser *p, json_object *root, struct pod_spec *spec) {
        static const char *const fields[] = {
                "apiVersion", "kind", "name", "hostname", "annotations", "dns", "hosts",
                "volumes", "containers", NULL,
        };
        const char *s;
        int r;

        if (!json_object_is_type(root, json_type_object))
                return parser_fail(p, NULL, EINVAL, "must be a JSON object");

        /* The version first: a newer manifest fails on it, not on its fields. */
        if ((r = parser_get_string(p, root, "apiVersion", true, &s)) < 0)
                return r;
        if (strcmp(s, API_VERSION) != 0)
                return parser_fail(p, "apiVersion", EINVAL, "unsupported version \"%s\" (expected \"%s\")",
                                   s, API_VERSION);
        if (!(spec->api_version = strdup(s)))
                return parser_oom(p);
        if ((r = parser_get_string(p, root, "kind", true, &s)) < 0)
                return r;
        if (strcmp(s, "Pod") != 0)
                return parser_fail(p, "kind", EINVAL, "must be \"Pod\", not \"%s\"", s);
        if ((r = parser_check_fields(p, root, fields)) < 0)
                return r;

        if ((r = parser_get_string(p, root, "name", true, &s)) < 0 || (r = parser_check_name(p, "name", s)) < 0)
                return r;
        if (!(spec->name = strdup(s)))
                return parser_oom(p);

        if ((r = parser_get_string(p, root, "hostname", false, &s)) < 0)
                return r;
        if (s && !hostname_is_valid(s, HOSTNAME_MAX))
                return parser_fail(p, "hostname", EINVAL,
                                   "\"%s\" is not a valid hostname (RFC 1123: labels of letters, digits "
                                   "and '-', at most %d characters)",
                                   s, HOSTNAME_MAX);
        if (!(spec->hostname = strdup(s ? s : spec->name)))
                return parser_oom(p);

        if ((r = parse_annotations(p, root, spec)) < 0 || (r = parse_dns(p, root, spec)) < 0 ||
            (r = parser_each_object(p, root, "hosts", &spec->hosts, sizeof(struct spec_host),
                                    parse_host, spec)) < 0 ||
            (r = parser_each_object(p, root, "volumes", &spec->volumes, sizeof(struct spec_volume),
                                    parse_volume, spec)) < 0 ||
            (r = parser_parse_containers(p, root, spec)) < 0)
                return r;
        return 0;
}

int parser_begin(struct parser *p, const char *text, const char *source, const char *base_dir,
                 char **ret_base, struct podrt_error **err) {
        _cleanup_free_ char *cwd = NULL, *base = NULL;
        *p = (struct parser){ .source = source ? source : "manifest", .err = err };
        if (!text)
                return podrt_error_set(err, EINVAL, "%s: no manifest text", p->source);
        /* base_dir: absolute, so that every rootfs in the spec is. */
        if (!base_dir || base_dir[0] != '/') {
                if (!(cwd = getcwd(NULL, 0)))
                        return podrt_error_set(err, errno, "%s: cannot get the current directory: %s",
                                               p->source, strerror(errno));
                if (base_dir && asprintf(&base, "%s/%s", cwd, base_dir) < 0)
                        return parser_oom(p);
        }
        if (path_normalise(base ? base : base_dir ? base_dir : cwd, true, ret_base) < 0)
                return parser_oom(p);
        p->base_dir = *ret_base;
        return 0;
}

int manifest_parse(const char *text, size_t len, const char *source, const char *base_dir,
                   struct pod_spec **ret, struct podrt_error **err) {
        struct parser p;
        _cleanup_free_ char *norm = NULL;
        _cleanup_(json_object_putp) json_object *root = NULL;
        _cleanup_(pod_spec_freep) struct pod_spec *spec = NULL;
        int r = parser_begin(&p, text, source, base_dir, &norm, err);
        if (r < 0)
                return r;

        r = parser_parse_json(&p, text, len, &root);
        if (r >= 0)
                r = parser_check_duplicate_keys(&p, text);
        if (r >= 0) {
                if (!(spec = calloc(1, sizeof(*spec))))
                        r = parser_oom(&p);
                else
                        r = parse_pod(&p, root, spec);
        }
        free(p.path);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(spec);
        return 0;
}

int manifest_read(const char *path, char **ret_text, size_t *ret_len, char **ret_dir,
                  struct podrt_error **err) {
        _cleanup_free_ char *buf = NULL, *real = NULL;
        size_t len = 0;
        struct stat st;

        if (!path)
                return podrt_error_set(err, EINVAL, "no manifest given");
        int r = read_file(path, MANIFEST_MAX_SIZE, &buf, &len);
        if (r == -EINVAL && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
                return podrt_error_set(err, EISDIR, "%s: is a directory, not a manifest file", path);
        if (r == -EINVAL)
                return podrt_error_set(err, EINVAL, "%s: not a regular file", path);
        if (r == -EFBIG)
                return podrt_error_set(err, EFBIG, "%s: larger than %d MiB", path,
                                       MANIFEST_MAX_SIZE >> 20);
        if (r == -ENOMEM)
                return podrt_error_set(err, ENOMEM, "%s: out of memory", path);
        if (r < 0)
                return podrt_error_set(err, -r, "%s: %s", path, strerror(-r));

        if (!(real = realpath(path, NULL)))
                return podrt_error_set(err, errno, "%s: %s", path, strerror(errno));
        char *slash = strrchr(real, '/');
        if (slash == real)
                slash[1] = '\0';
        else
                *slash = '\0';
        *ret_text = TAKE_PTR(buf);
        *ret_len = len;
        *ret_dir = TAKE_PTR(real);
        return 0;
}

int manifest_load(const char *path, struct pod_spec **ret, struct podrt_error **err) {
        _cleanup_free_ char *text = NULL, *dir = NULL;
        size_t len;
        int r = manifest_read(path, &text, &len, &dir, err);
        if (r < 0)
                return r;
        return manifest_parse(text, len, path, dir, ret, err);
}
