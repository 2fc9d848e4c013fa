/*
 * nptmin: the nested page tables of an hw domain, built once at its start.
 * Nested paging walks them in the host's paging format at VMRUN, which is
 * PAE here: a PDPT of 4 entries (only P and the cache bits), then L2 and
 * L1 tables of 512 entries. Every L2 and L1 entry has U set, as SVM
 * requires (a nested walk is a user access). Guest-physical [0, RAM) maps
 * to the domain's frames, read-write-execute; nothing else is mapped, so a
 * device access (the LAPIC page) or a wild one exits with #NPF.
 */
#include <string.h>

#include "core/panic.h"
#include "hw/priv.h"
#include "mm/mm.h"
#include "mm/pte.h"

#define NPT_L1_FLAGS (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define NPT_L2_FLAGS (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)

uint32_t hw_npt_frames(uint32_t nr_pages)
{
    return 1 + (nr_pages + 512 * 512 - 1) / (512 * 512) + (nr_pages + 511) / 512;
}

static uint32_t take(struct domain *d)
{
    uint32_t mfn;
    if (mm_alloc_frame(d->id, &mfn))      /* hw_domain_build counted them first */
        panic("frame allocator ran dry after its count said otherwise");
    memset(mfn_to_virt(mfn), 0, PAGE_SIZE);
    return mfn;
}

uint32_t hw_npt_build(struct domain *d, const struct gpmem *m)
{
    uint32_t root = take(d);
    uint64_t *pdpt = mfn_to_virt(root);
    uint64_t *l2 = NULL, *l1 = NULL;
    for (uint32_t pfn = 0; pfn < m->nr_pages; pfn++) {
        unsigned i3 = pfn >> 18, i2 = (pfn >> 9) & 511, i1 = pfn & 511;
        if (!(pdpt[i3] & _PAGE_PRESENT)) {
            uint32_t mfn = take(d);
            pdpt[i3] = ((uint64_t)mfn << PAGE_SHIFT) | _PAGE_PRESENT;
        }
        l2 = mfn_to_virt((uint32_t)(pdpt[i3] >> PAGE_SHIFT));
        if (!(l2[i2] & _PAGE_PRESENT)) {
            uint32_t mfn = take(d);
            l2[i2] = ((uint64_t)mfn << PAGE_SHIFT) | NPT_L2_FLAGS;
        }
        l1 = mfn_to_virt((uint32_t)(l2[i2] >> PAGE_SHIFT) & 0xFFFFFu);
        l1[i1] = ((uint64_t)gpmem_mfn(m, pfn) << PAGE_SHIFT) | NPT_L1_FLAGS;
    }
    return root;
}
