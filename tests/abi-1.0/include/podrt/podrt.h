/* SPDX-License-Identifier: Apache-2.0 */
/* podrt: everything a plugin or a program using libpodrt needs. */
#ifndef PODRT_PODRT_H
#define PODRT_PODRT_H

#include <podrt/common.h>
#include <podrt/config.h>
#include <podrt/error.h>
#include <podrt/objects.h>
#include <podrt/ops.h>
#include <podrt/plugin.h>

#endif
