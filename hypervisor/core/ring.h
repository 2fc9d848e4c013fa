/*
 * ring: the indices of a shared ring whose contents are guest data (the
 * console ring today). Indices are free-running 32-bit counters, reduced
 * modulo the ring's size (a power of two) only to index it, so they wrap
 * without harm; prod - cons is what the ring holds. Pure: unit-tested.
 */
#ifndef HV_CORE_RING_H
#define HV_CORE_RING_H

#include <stdint.h>

/* How many bytes wait between cons and prod in a ring of `size` bytes:
 * 0 and *used, or -1 when the indices claim more than the ring can hold (a
 * guest error: the reader then leaves the ring alone, as xenconsoled does). */
static inline int ring_used(uint32_t cons, uint32_t prod, uint32_t size, uint32_t *used)
{
    uint32_t n = prod - cons;
    if (n > size)
        return -1;
    *used = n;
    return 0;
}

/* The byte offset in the ring of index idx. */
static inline uint32_t ring_offset(uint32_t idx, uint32_t size)
{
    return idx & (size - 1);
}

#endif
