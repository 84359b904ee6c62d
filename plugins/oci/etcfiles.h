/* SPDX-License-Identifier: Apache-2.0 */
/* The files podrt generates for a pod's containers: /etc/hosts,
 * /etc/resolv.conf and /etc/hostname (one each per pod, shared by its
 * containers) and /run/.containerenv (one per container).  The builders are
 * pure: text in, malloc'd text out (NULL when out of memory). */
#ifndef PODRT_OCI_ETCFILES_H
#define PODRT_OCI_ETCFILES_H

#include <stdbool.h>
#include <stddef.h>

struct oci_host_entry {
        const char *ip;
        const char *const *names;
};

/* host_network: base is the host's /etc/hosts (may be NULL), kept whole;
 * otherwise the localhost lines.  Then the manifest's entries, then
 * "127.0.1.1 hostname" unless an entry names the hostname already. */
char *oci_etc_hosts(const char *base, bool host_network, const char *hostname,
                    const struct oci_host_entry *entries, size_t n_entries);

/* Each of servers, searches and options comes from the manifest when it
 * gives any, else from host_resolv (the host's resolv.conf, may be NULL).
 * Off the host's network, loopback nameservers of the host are dropped:
 * they answer only in the host's namespace. */
char *oci_etc_resolv(const char *host_resolv, bool host_network, const char *const *servers,
                     const char *const *searches, const char *const *options);

char *oci_etc_hostname(const char *hostname);

/* podman's /run/.containerenv, for programs that look for it. */
char *oci_containerenv(const char *engine, const char *pod_name, const char *pod_id,
                       const char *name, const char *id);

#endif
