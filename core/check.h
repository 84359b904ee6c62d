/* SPDX-License-Identifier: Apache-2.0 */
/* Host readiness (`podrt check`): per backend, what it needs and whether the
 * host has it.  Never fails because something is missing: it reports. */
#ifndef PODRT_CORE_CHECK_H
#define PODRT_CORE_CHECK_H

#include <json-c/json.h>
#include <podrt/config.h>
#include <podrt/error.h>
#include "internal.h"

/* Builds the report:
 * { "host": { "kernel": "...", "cgroup": "v1|hybrid|v2", "kvm": {...},
 *             "modules": [ {"name":"kvm","status":"loaded|builtin|loadable|missing"} ] },
 *   "backends": [ { "name":"oci", "ready":true, "checks":[ {"name":"runc",
 *                   "ok":true, "detail":"runc version 1.1.5"} ... ] } ... ] }
 * Exit status for the command: 0 when the configured backend is ready. */
PODRT_INTERNAL int check_host(const struct podrt_config *cfg, struct json_object **ret,
                              struct podrt_error **err);
/* Human-readable form of the report, to f. */
PODRT_INTERNAL void check_print(struct json_object *report, FILE *f);

/* Kernel module status through libkmod: "loaded", "builtin", "loadable" or
 * "missing" (also when there is no /lib/modules at all). */
PODRT_INTERNAL const char *check_module_status(const char *name);
/* 1 when KVM can run a tiny guest here (KVM_CREATE_VM, one vCPU, a few real
 * mode instructions ending in hlt), 0 when not; detail says why. */
PODRT_INTERNAL int check_kvm_works(char *detail, size_t detail_size);

#endif
