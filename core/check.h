/* SPDX-License-Identifier: Apache-2.0 */
/* Host readiness (`podrt check`): the host's backend-agnostic facts, then
 * one section per installed plugin with a check method (ABI 1.1), each
 * line what the plugin needs and whether the host has it.  Never fails
 * because something is missing: it reports.
 *
 * The report:
 * { "host": { "kernel": "6.1.0", "cgroup": "v1|hybrid|v2", "systemd": false },
 *   "backends": [ { "name": "oci", "path": ".../oci.so", "ready": true,
 *                   "checks": [ { "name": "runc", "ok": true, "required": true,
 *                                 "detail": "runc version 1.1.5" } ],
 *                   "notes": [ "..." ] } ],
 *   "notes": [ "configuration section 'foo' (...): no installed plugin reads it" ],
 *   "config": "/etc/podrt/podrt.conf",
 *   "backend": "oci", "ready": true }      <- added by runtime_check() */
#ifndef PODRT_CORE_CHECK_H
#define PODRT_CORE_CHECK_H

#include <stdio.h>

#include <json-c/json.h>
#include <podrt/check.h>
#include <podrt/config.h>
#include <podrt/error.h>
#include "internal.h"
#include "loader.h"

/* ---- one section (check.c): what podrt_check_add() fills ---- */

/* A new section named name (path: the plugin's file, or NULL); NULL when
 * out of memory. */
PODRT_INTERNAL struct podrt_check *check_section_new(const char *name, const char *path);
/* The section as JSON, with "ready": every line without
 * PODRT_CHECK_OPTIONAL passed.  Frees check.  NULL when out of memory. */
PODRT_INTERNAL struct json_object *check_section_finish(struct podrt_check *check);
PODRT_INTERNAL struct podrt_check *check_section_free(struct podrt_check *check);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct podrt_check *, check_section_free)

/* ---- the host's facts (check-host.c) ---- */

/* { "kernel", "cgroup", "systemd" } */
PODRT_INTERNAL struct json_object *check_host_facts(void);

/* ---- the report (check-report.c) ---- */

/* Scans the plugin path (loading every plugin, which validates its
 * configuration section), calls each check method, and notes the
 * configuration's sections no installed plugin reads. */
PODRT_INTERNAL int check_report(struct loader *l, const struct podrt_config *cfg,
                                struct json_object **ret, struct podrt_error **err);
/* The section named name in the report, or NULL. */
PODRT_INTERNAL struct json_object *check_report_section(struct json_object *report,
                                                        const char *name);
/* Human-readable form of the report, to f. */
PODRT_INTERNAL void check_print(struct json_object *report, FILE *f);

#endif
