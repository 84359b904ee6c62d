/* SPDX-License-Identifier: Apache-2.0 */
/* A function run on a second thread beside its caller (sidejob.c): create
 * sets the network up so while the storage is prepared and (network none)
 * the backend writes its files. */
#ifndef PODRT_SIDEJOB_H
#define PODRT_SIDEJOB_H

#include <pthread.h>
#include <stdbool.h>

#include "internal.h"

struct side_job {
        void (*fn)(void *arg);
        void *arg;
        pthread_t thread;
        bool threaded, joined;
        _Atomic bool started;
};

/* Starts fn(arg) on a thread, off the caller's CPU where the process may
 * use another; runs it right here when no thread can be made. */
PODRT_INTERNAL void side_job_start(struct side_job *j, void (*fn)(void *arg), void *arg);
/* Waits for it to have run (once; again is a no-op). */
PODRT_INTERNAL void side_job_join(struct side_job *j);

#endif
