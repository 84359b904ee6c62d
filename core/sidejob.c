/* SPDX-License-Identifier: Apache-2.0 */
/* Side jobs: see sidejob.h.
 *
 * Left to the scheduler, a new thread queues behind its creator on the
 * creator's CPU on these VMs and starts only when the creator blocks
 * (0.7-1.2 ms later, measured with a spinning creator, against 10 us on the
 * idle CPU), which would leave nothing side by side: the thread is placed on
 * the process's other CPUs.  When those are busy (the thread has not
 * started by the time the caller waits for it), it may go anywhere again,
 * hence where the caller is about to block: never slower than no thread. */
#include <sched.h>

#include "sidejob.h"

static void *trampoline(void *p) {
        struct side_job *j = p;
        j->started = true;
        j->fn(j->arg);
        return NULL;
}

void side_job_start(struct side_job *j, void (*fn)(void *arg), void *arg) {
        *j = (struct side_job){ .fn = fn, .arg = arg };
        pthread_attr_t attr;
        cpu_set_t cpus;
        int self = sched_getcpu();
        bool attr_ok = pthread_attr_init(&attr) == 0;
        if (attr_ok && self >= 0 && self < CPU_SETSIZE && sched_getaffinity(0, sizeof cpus, &cpus) == 0 &&
            CPU_COUNT(&cpus) > 1) {
                CPU_CLR(self, &cpus);
                (void)pthread_attr_setaffinity_np(&attr, sizeof cpus, &cpus);
        }
        j->threaded = pthread_create(&j->thread, attr_ok ? &attr : NULL, trampoline, j) == 0;
        if (attr_ok)
                pthread_attr_destroy(&attr);
        if (!j->threaded) {
                fn(arg);
                j->joined = true;
        }
}

void side_job_join(struct side_job *j) {
        if (j->joined)
                return;
        cpu_set_t cpus;
        if (!j->started && sched_getaffinity(0, sizeof cpus, &cpus) == 0)
                (void)pthread_setaffinity_np(j->thread, sizeof cpus, &cpus);
        pthread_join(j->thread, NULL);
        j->joined = true;
}
