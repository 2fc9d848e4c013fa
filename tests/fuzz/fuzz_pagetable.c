/* libFuzzer harness: the page-table validator (hypervisor/mm/pagetable.c)
 * driven by arbitrary sequences of what a guest can ask for: write a frame
 * that is not a table, pin, unpin, update an entry of a table in use, take
 * and drop a reference (as a base pointer does). After every step the
 * counts must be consistent; at the end, with every pin and reference
 * dropped, no frame may hold a reference: the "nothing leaked" property the
 * hypervisor checks when a domain dies. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pv86/xen.h>

#include "mm/pagetable.h"

#define FAKE_FRAMES 24
#include "../unit/fake_machine.h"

#define DOM 1

static void hv_slots(void *ctx, uint16_t dom, uint64_t *l2)
{
    (void)ctx, (void)dom;
    for (unsigned i = L2_HV_FIRST_SLOT; i < 512; i++)
        l2[i] = 0;
}

static const struct mm_ops ops = { fake_page, fake_map, hv_slots, NULL, NULL, NULL, 0, NULL };

struct input { const uint8_t *p; size_t n; };
static uint32_t take(struct input *in, unsigned bytes)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v = (v << 8) | (in->n ? (in->n--, *in->p++) : 0);
    return v;
}

/* Counts consistent, and every present entry of a table in use names a
 * frame that exists: a frame number is never cut short (an entry with
 * address bits 36-51 must be refused, not taken for a frame it is not). */
static void check_counts(void)
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
        for (unsigned i = 0; i < n; i++)
            if ((fake_mem[f][i] & _PAGE_PRESENT) &&
                ((fake_mem[f][i] & 0x000FFFFFFFFFF000ull) >> 12) >= FAKE_FRAMES)
                abort();                        /* computed here, not by pte_mfn() */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned types[] = { PGT_l1, PGT_l2, PGT_l2h, PGT_l3 };
    struct input in = { data, size };
    uint32_t held[64];
    unsigned nheld = 0;
    fake_reset(DOM);
    pages[FAKE_FRAMES - 1].owner = 2;               /* another domain's frame */
    while (in.n) {
        unsigned op = take(&in, 1) % 6, f = take(&in, 1) % FAKE_FRAMES;
        unsigned idx = take(&in, 2) % 512;
        uint64_t val = ((uint64_t)take(&in, 4) << 32) | take(&in, 4);
        val = (val & ~0x000FFFFFFFFFF000ull) | ((uint64_t)((val >> 12) % (FAKE_FRAMES + 2)) << 12);
        unsigned high = take(&in, 1);           /* now and then, one address bit 36-51 */
        if (high >= 0xF0)
            val |= 1ull << (36 + (high & 15));
        unsigned type = types[take(&in, 1) % 4];
        struct page_info *pg = &pages[f];
        switch (op) {
        case 0:   /* a guest write: only into frames that are not tables */
            if (f && !is_table_type(pg->type) && pg->type_count == 0)
                fake_mem[f][idx] = val;
            break;
        case 1:
            page_table_pin(&ops, DOM, f, type);
            break;
        case 2:
            page_table_unpin(&ops, DOM, f);
            break;
        case 3:   /* mmu_update of an entry of a table in use */
            if (pg->type_count && is_table_type(pg->type) && pg->owner == DOM)
                page_table_update(&ops, DOM, f, idx, val, take(&in, 1) & 1);
            break;
        case 4:   /* a reference such as the base pointer's */
            if (nheld < 64 && page_table_get(&ops, DOM, f, PGT_l3) == 0)
                held[nheld++] = f;
            break;
        case 5:
            if (nheld)
                page_table_put(&ops, held[--nheld]);
            break;
        }
        check_counts();
    }
    while (nheld)
        page_table_put(&ops, held[--nheld]);
    for (unsigned f = 0; f < FAKE_FRAMES; f++)
        if (pages[f].flags & PGF_PINNED)
            page_table_unpin(&ops, DOM, f);
    for (unsigned f = 0; f < FAKE_FRAMES; f++)
        if (pages[f].count || pages[f].type_count)
            abort();                                /* a reference leaked */
    return 0;
}
