/* libFuzzer harness: the page-table validator's preemptible paths
 * (hypervisor/mm/pagetable.c, docs/continuations.md), as a hostile guest
 * drives them: pins, unpins, updates and base-pointer references that stop
 * half way wherever the input says, continuations made again or abandoned
 * (a partial table left for another L3 to take over, as Xen allows), the
 * one owed release (Xen's old_guest_table) finished before the next
 * operation, as the batches do. After every step the counts must be
 * consistent and no L2 behind slot 3 may have two users (Xen's PAE rule);
 * at the end, with the teardown's order of releases (core pv_mm.c), no
 * frame may hold a reference. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pv86/xen.h>

#define FAKE_FRAMES 16
#include "fuzz_pagetable_common.h"

static uint32_t preempt_bits;
static int preempt(void *ctx)
{
    (void)ctx;
    int stop = preempt_bits & 1;
    preempt_bits = (preempt_bits >> 1) | ((uint32_t)stop << 31);
    return stop;
}

static const struct mm_ops ops = { fake_page, fake_map, hv_slots, NULL, NULL, preempt, 0, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned types[] = { PGT_l1, PGT_l2, PGT_l3, PGT_l3 };
    struct input in = { data, size };
    uint32_t held[32];
    unsigned nheld = 0;
    mfn_t pend = 0;                              /* the owed release */
    fake_reset(DOM);
    pages[FAKE_FRAMES - 1].owner = 2;
    preempt_bits = take(&in, 4);
    while (in.n) {
        unsigned op = take(&in, 1) % 8, f = take(&in, 1) % FAKE_FRAMES;
        unsigned idx = take(&in, 1) % 8;        /* the entries that matter: few */
        if (take(&in, 1) & 1)
            idx = L2_HV_FIRST_SLOT - 1 - idx;
        uint64_t val = ((uint64_t)(take(&in, 1) % (FAKE_FRAMES + 1)) << 12) |
                       (take(&in, 1) & (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER));
        unsigned type = types[take(&in, 1) % 4];
        preempt_bits ^= take(&in, 1);
        struct page_info *pg = &pages[f];
        if (pend && op != 7 && op != 0)
            op = 7;                              /* the batches release first */
        switch (op) {
        case 0:   /* a guest write into a frame it may map writable */
            if (f && pg->type_count == 0 && !(pg->flags & PGF_PARTIAL))
                fake_mem[f][idx] = val;
            break;
        case 1:
            page_table_pin_preemptible(&ops, DOM, f, type, &pend);
            break;
        case 2:
            page_table_unpin_preemptible(&ops, DOM, f, &pend);
            break;
        case 3:
            if (pg->type_count && is_table_type(pg->type) && pg->owner == DOM &&
                !(pg->flags & PGF_PARTIAL))
                page_table_update_preemptible(&ops, DOM, f, idx, val, 0, &pend);
            break;
        case 4:   /* a base pointer's reference, preemptible as NEW_BASEPTR's */
            if (nheld < 32 && page_table_get_preemptible(&ops, DOM, f, PGT_l3, &pend) == 0)
                held[nheld++] = f;
            break;
        case 5:
            if (nheld)
                page_table_put_preemptible(&ops, held[--nheld], &pend);
            break;
        case 6:   /* the same as 1 without preemption (the boot's tables) */
            page_table_pin(&ops, DOM, f, type);
            break;
        case 7:
            if (pend && page_table_put_partial(&ops, pend, 1) == 0)
                pend = 0;
            break;
        }
        check_counts(1);
    }
    /* Teardown's order: the owed release, the base pointers, then frame by
     * frame the pins and the tables left partial. */
    preempt_bits = 0;
    if (pend)
        page_table_put_partial(&ops, pend, 0);
    while (nheld)
        page_table_put(&ops, held[--nheld]);
    for (unsigned f = 0; f < FAKE_FRAMES; f++) {
        if (pages[f].owner != DOM)
            continue;
        if (pages[f].flags & PGF_PINNED)
            page_table_unpin(&ops, DOM, f);
        else if (pages[f].flags & PGF_PARTIAL)
            page_table_put_partial(&ops, f, 0);
        check_counts(1);
    }
    for (unsigned f = 0; f < FAKE_FRAMES; f++)
        if (pages[f].count || pages[f].type_count || (pages[f].flags & PGF_PARTIAL))
            abort();                             /* a reference leaked */
    return 0;
}
