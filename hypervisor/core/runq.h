/* runq: the scheduler's run queue, round-robin over domain ids. Pure. */
#ifndef HV_CORE_RUNQ_H
#define HV_CORE_RUNQ_H

#include <stdint.h>

#define RUNQ_MAX 16

struct runq {
    uint16_t ids[RUNQ_MAX];
    unsigned head, len;
};

void runq_init(struct runq *q);
/* Add at the tail: 0, -XEN_EEXIST if queued already, -XEN_ENOSPC if full. */
int runq_push(struct runq *q, uint16_t id);
/* Take the head: 0, or -XEN_ENOENT when empty. */
int runq_pop(struct runq *q, uint16_t *id);
/* Take id out wherever it is: 0 or -XEN_ENOENT. */
int runq_remove(struct runq *q, uint16_t id);
int runq_contains(const struct runq *q, uint16_t id);

#endif
