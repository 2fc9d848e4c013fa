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

#define FAKE_FRAMES 24
#include "fuzz_pagetable_common.h"

static const struct mm_ops ops = { fake_page, fake_map, hv_slots, NULL, NULL, NULL, 0, NULL };

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
        check_counts(0);
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
