/* npt: see npt.h. */
#include "hw/npt.h"

#define L1_PAGES 512u                      /* 4 KiB pages per L1 (2 MiB) */
#define L2_PAGES (512u * 512u)             /* pages per L2 (1 GiB) */

uint32_t npt_frames_needed(uint32_t nr_pages)
{
    if (nr_pages == 0 || nr_pages > NPT_MAX_PAGES)
        return 0;
    return 1 + (nr_pages + L2_PAGES - 1) / L2_PAGES + (nr_pages + L1_PAGES - 1) / L1_PAGES;
}

int npt_build(struct npt *n, uint32_t nr_pages, const struct npt_ops *ops)
{
    if (nr_pages == 0 || nr_pages > NPT_MAX_PAGES)
        return -1;
    uint32_t mfn;
    uint64_t *pdpt = ops->alloc(ops->ctx, &mfn), *l2 = 0, *l1 = 0;
    if (!pdpt)
        return -2;
    n->nr_pages = nr_pages;
    n->pdpt_mfn = mfn;
    for (uint32_t pfn = 0; pfn < nr_pages; pfn++) {
        if (pfn % L2_PAGES == 0) {
            if (!(l2 = ops->alloc(ops->ctx, &mfn)))
                return -2;
            pdpt[pfn / L2_PAGES] = ((uint64_t)mfn << 12) | NPT_P;   /* bits 2:1 reserved */
        }
        if (pfn % L1_PAGES == 0) {
            if (!(l1 = ops->alloc(ops->ctx, &mfn)))
                return -2;
            l2[(pfn / L1_PAGES) % 512] = ((uint64_t)mfn << 12) | NPT_L2E_FLAGS;
        }
        l1[pfn % L1_PAGES] = ((uint64_t)ops->mfn_of(ops->ctx, pfn) << 12) | NPT_L1E_FLAGS;
    }
    return 0;
}

int npt_lookup(const struct npt *n, const struct npt_ops *ops, uint64_t gpa, uint32_t *mfn)
{
    uint32_t a = (uint32_t)gpa;            /* the walk's bits 31:12 */
    const uint64_t *pdpt = ops->map(ops->ctx, n->pdpt_mfn);
    uint64_t e = pdpt[a >> 30];
    if (!(e & NPT_P))
        return 0;
    const uint64_t *l2 = ops->map(ops->ctx, (uint32_t)((e & NPT_ADDR) >> 12));
    e = l2[(a >> 21) & 511];
    if (!(e & NPT_P))
        return 0;
    const uint64_t *l1 = ops->map(ops->ctx, (uint32_t)((e & NPT_ADDR) >> 12));
    e = l1[(a >> 12) & 511];
    if (!(e & NPT_P))
        return 0;
    *mfn = (uint32_t)((e & NPT_ADDR) >> 12);
    return 1;
}
