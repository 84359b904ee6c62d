/* SPDX-License-Identifier: Apache-2.0 */
/* podrt: basic definitions shared by the core and every plugin. */
#ifndef PODRT_COMMON_H
#define PODRT_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
#define PODRT_BEGIN_DECLS extern "C" {
#define PODRT_END_DECLS }
#else
#define PODRT_BEGIN_DECLS
#define PODRT_END_DECLS
#endif

/* Marks a symbol of libpodrt (or a plugin's entry point) as exported.
 * libpodrt and the plugins are built with hidden visibility by default. */
#define PODRT_EXPORT __attribute__((visibility("default")))

#if defined(__GNUC__)
#define PODRT_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define PODRT_PRINTF(fmt, args)
#endif

/* The plugin ABI.  A plugin built against major M, minor N loads into a core
 * of major M and minor >= N.  Structs only ever grow at their end. */
#define PODRT_ABI_MAJOR 1
#define PODRT_ABI_MINOR 2

/* Pod states (uint32_t in every ABI struct and accessor). */
#define PODRT_POD_CREATED 0u
#define PODRT_POD_RUNNING 1u
#define PODRT_POD_PAUSED 2u
#define PODRT_POD_STOPPED 3u

/* App (container) states. */
#define PODRT_APP_CREATED 0u
#define PODRT_APP_RUNNING 1u
#define PODRT_APP_EXITED 2u

/* Volume kinds. */
#define PODRT_VOLUME_HOST 0u
#define PODRT_VOLUME_EMPTY 1u

/* Log levels, as syslog's. */
#define PODRT_LOG_ERR 3
#define PODRT_LOG_WARNING 4
#define PODRT_LOG_NOTICE 5
#define PODRT_LOG_INFO 6
#define PODRT_LOG_DEBUG 7

#endif
