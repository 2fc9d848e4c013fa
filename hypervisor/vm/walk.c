/* walk: see walk.h. */
#include "vm/walk.h"

#include "vm/gwalk.h"

/* te's walk is gwalk's (vm/gwalk.h) in PAE mode with the cached PDPTEs,
 * no NXE, A and D set. */
struct te_mem {
    vx_entry_fn entry;
    void *ctx;
};

static void *te_mem_at(void *ctx, uint64_t gpa)
{
    const struct te_mem *m = ctx;
    return m->entry(m->ctx, gpa);
}

int vx_walk_pae(vx_entry_fn entry, void *ctx, const uint64_t pdpte[4], int wp, unsigned maxphy,
                uint32_t va, unsigned access, struct vx_walk *w)
{
    const struct gwalk_cpu cpu = {
        .cr0 = GWALK_CR0_PG | (wp ? GWALK_CR0_WP : 0), .cr4 = GWALK_CR4_PAE,
        .maxphy = maxphy, .pdpte = pdpte,
    };
    struct te_mem m = { entry, ctx };
    struct gwalk g;
    int rc = gwalk(&cpu, te_mem_at, &m, va,
                   (access & (VX_ACC_WRITE | VX_ACC_USER)) | GWALK_SET_AD, &g);
    w->gpa = g.gpa;
    w->writable = g.writable;
    w->user = g.user;
    w->dirty = g.dirty;
    w->large = g.page_shift == 21;
    w->error = g.error;
    return rc;
}

uint64_t vx_desc_shadow(uint64_t desc)
{
    const uint64_t s_bit = 1ull << 44, dpl = 3ull << 45;
    if (!(desc & s_bit))
        return 0;                                    /* system descriptor */
    if ((desc & dpl) == 0)
        desc |= 1ull << 45;                          /* DPL 0 -> 1 */
    else if ((desc & dpl) == 1ull << 45)
        return (desc & ~(dpl | (1ull << 47))) | (1ull << 40);   /* DPL 1: the marker */
    /* Accessed already: the CPU would otherwise write the bit into the
     * GDT, which is read-only where it runs. */
    return desc | (1ull << 40);
}
