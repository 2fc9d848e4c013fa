/* runq: a ring of domain ids (see runq.h). */
#include "core/runq.h"

#include <pv86/errno.h>

void runq_init(struct runq *q)
{
    q->head = q->len = 0;
}

static uint16_t *at(struct runq *q, unsigned i)
{
    return &q->ids[(q->head + i) % RUNQ_MAX];
}

int runq_contains(const struct runq *q, uint16_t id)
{
    for (unsigned i = 0; i < q->len; i++)
        if (q->ids[(q->head + i) % RUNQ_MAX] == id)
            return 1;
    return 0;
}

int runq_push(struct runq *q, uint16_t id)
{
    if (runq_contains(q, id))
        return -XEN_EEXIST;
    if (q->len == RUNQ_MAX)
        return -XEN_ENOSPC;
    *at(q, q->len++) = id;
    return 0;
}

int runq_pop(struct runq *q, uint16_t *id)
{
    if (q->len == 0)
        return -XEN_ENOENT;
    *id = q->ids[q->head];
    q->head = (q->head + 1) % RUNQ_MAX;
    q->len--;
    return 0;
}

int runq_remove(struct runq *q, uint16_t id)
{
    for (unsigned i = 0; i < q->len; i++) {
        if (*at(q, i) != id)
            continue;
        for (unsigned j = i; j + 1 < q->len; j++)
            *at(q, j) = *at(q, j + 1);
        q->len--;
        return 0;
    }
    return -XEN_ENOENT;
}
