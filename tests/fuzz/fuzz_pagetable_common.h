/* fuzz_pagetable_common: what the page-table harnesses (fuzz_pagetable.c,
 * fuzz_pagetable_preempt.c) share: the fake machine (FAKE_FRAMES frames,
 * define it before including), the hypervisor-slot callback, the input
 * reader and the count check run after every step. */
#ifndef TESTS_FUZZ_PAGETABLE_COMMON_H
#define TESTS_FUZZ_PAGETABLE_COMMON_H

#include <stdint.h>
#include <stdlib.h>

#include <pv86/xen.h>

#include "mm/pagetable.h"

#include "../unit/fake_machine.h"

#define DOM 1

static void hv_slots(void *ctx, uint16_t dom, uint64_t *l2)
{
    (void)ctx, (void)dom;
    for (unsigned i = L2_HV_FIRST_SLOT; i < 512; i++)
        l2[i] = 0;
}

/* The input, read big-endian `bytes` at a time; 0 once it is used up. */
struct input { const uint8_t *p; size_t n; };
static uint32_t take(struct input *in, unsigned bytes)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v = (v << 8) | (in->n ? (in->n--, *in->p++) : 0);
    return v;
}

/* Counts consistent, no L2 behind slot 3 with two users (Xen's PAE rule),
 * and every present entry of a table in use names a frame that exists: a
 * frame number is never cut short (an entry with address bits 36-51 must
 * be refused, not taken for a frame it is not). partial_ok: a table left
 * partial (PGF_PARTIAL) is checked only up to its nr_validated entries. */
static void check_counts(int partial_ok)
{
    for (unsigned f = 0; f < FAKE_FRAMES; f++) {
        const struct page_info *pg = &pages[f];
        if (pg->type_count > pg->count || (pg->type_count && !pg->type))
            abort();
        if (pg->type == PGT_l2h && pg->type_count > 1)
            abort();                            /* Xen's PAE rule: one L3 per slot-3 L2 */
        if (!pg->type_count || !is_table_type(pg->type))
            continue;
        unsigned n = pg->type == PGT_l3 ? 4 : pg->type == PGT_l2h ? L2_HV_FIRST_SLOT : 512;
        if (partial_ok && (pg->flags & PGF_PARTIAL))
            n = pg->nr_validated;               /* the rest hold nothing yet */
        for (unsigned i = 0; i < n; i++)
            if ((fake_mem[f][i] & _PAGE_PRESENT) &&
                ((fake_mem[f][i] & 0x000FFFFFFFFFF000ull) >> 12) >= FAKE_FRAMES)
                abort();                        /* computed here, not by pte_mfn() */
    }
}

#endif
