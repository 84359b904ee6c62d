/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcfiles.h"
#include "macro.h"
#include "strv.h"

/* A memstream with its buffer. */
struct text {
        char *buf;
        size_t size;
        FILE *f;
};

static bool text_open(struct text *t) {
        t->buf = NULL;
        t->size = 0;
        t->f = open_memstream(&t->buf, &t->size);
        return t->f != NULL;
}

static char *text_close(struct text *t) {
        if (fclose(t->f) != 0) {
                free(t->buf);
                return NULL;
        }
        return t->buf;
}

static bool names_contain(const char *const *names, const char *name) {
        for (size_t i = 0; names && names[i]; i++)
                if (strcmp(names[i], name) == 0)
                        return true;
        return false;
}

char *oci_etc_hosts(const char *base, bool host_network, const char *hostname,
                    const struct oci_host_entry *entries, size_t n_entries) {
        struct text t;
        if (!text_open(&t))
                return NULL;
        if (host_network && base) {
                fputs(base, t.f);
                if (base[0] && base[strlen(base) - 1] != '\n')
                        fputc('\n', t.f);
        } else {
                fputs("127.0.0.1\tlocalhost\n"
                      "::1\tlocalhost ip6-localhost ip6-loopback\n", t.f);
        }
        bool named = false;
        for (size_t i = 0; i < n_entries; i++) {
                fputs(entries[i].ip, t.f);
                for (size_t j = 0; entries[i].names && entries[i].names[j]; j++)
                        fprintf(t.f, "%c%s", j == 0 ? '\t' : ' ', entries[i].names[j]);
                fputc('\n', t.f);
                if (hostname && names_contain(entries[i].names, hostname))
                        named = true;
        }
        if (hostname && hostname[0] && !named && !host_network)
                fprintf(t.f, "127.0.1.1\t%s\n", hostname);
        return text_close(&t);
}

/* The host's resolv.conf, split: nameservers, search domains, options. */
static int parse_resolv(const char *text, char ***servers, char ***searches, char ***options) {
        _cleanup_free_ char *copy = strdup(text ? text : "");
        if (!copy)
                return -ENOMEM;
        char *save_line = NULL;
        for (char *line = strtok_r(copy, "\n", &save_line); line;
             line = strtok_r(NULL, "\n", &save_line)) {
                char *save = NULL;
                char *key = strtok_r(line, " \t", &save);
                if (!key || key[0] == '#' || key[0] == ';')
                        continue;
                char ***into = NULL;
                if (strcmp(key, "nameserver") == 0)
                        into = servers;
                else if (strcmp(key, "search") == 0 || strcmp(key, "domain") == 0) {
                        /* The last search/domain line wins, as in glibc. */
                        strv_free(*searches);
                        *searches = NULL;
                        into = searches;
                } else if (strcmp(key, "options") == 0)
                        into = options;
                else
                        continue;
                for (char *v = strtok_r(NULL, " \t", &save); v; v = strtok_r(NULL, " \t", &save)) {
                        if (v[0] == '#' || v[0] == ';')
                                break;
                        if (strv_push(into, v) < 0)
                                return -ENOMEM;
                        if (into == servers)
                                break;
                }
        }
        return 0;
}

static bool is_loopback(const char *ip) {
        return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0;
}

char *oci_etc_resolv(const char *host_resolv, bool host_network, const char *const *servers,
                     const char *const *searches, const char *const *options) {
        _cleanup_strv_free_ char **hs = NULL, **hd = NULL, **ho = NULL;
        if (parse_resolv(host_resolv, &hs, &hd, &ho) < 0)
                return NULL;

        struct text t;
        if (!text_open(&t))
                return NULL;
        const char *const *d = searches && searches[0] ? searches : (const char *const *)hd;
        for (size_t i = 0; d && d[i]; i++)
                fprintf(t.f, "%s%s", i == 0 ? "search " : " ", d[i]);
        if (d && d[0])
                fputc('\n', t.f);
        if (servers && servers[0]) {
                for (size_t i = 0; servers[i]; i++)
                        fprintf(t.f, "nameserver %s\n", servers[i]);
        } else {
                for (size_t i = 0; hs && hs[i]; i++)
                        if (host_network || !is_loopback(hs[i]))
                                fprintf(t.f, "nameserver %s\n", hs[i]);
        }
        const char *const *o = options && options[0] ? options : (const char *const *)ho;
        for (size_t i = 0; o && o[i]; i++)
                fprintf(t.f, "%s%s", i == 0 ? "options " : " ", o[i]);
        if (o && o[0])
                fputc('\n', t.f);
        return text_close(&t);
}

char *oci_etc_hostname(const char *hostname) {
        char *s = NULL;
        return asprintf(&s, "%s\n", hostname ? hostname : "") < 0 ? NULL : s;
}

char *oci_containerenv(const char *engine, const char *pod_name, const char *pod_id,
                       const char *name, const char *id) {
        char *s = NULL;
        return asprintf(&s,
                        "engine=\"%s\"\n"
                        "name=\"%s\"\n"
                        "id=\"%s\"\n"
                        "pod=\"%s\"\n"
                        "podid=\"%s\"\n"
                        "image=\"\"\n"
                        "imageid=\"\"\n"
                        "rootless=0\n",
                        engine, name, id, pod_name, pod_id) < 0
                       ? NULL
                       : s;
}
