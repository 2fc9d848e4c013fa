/* walk: see walk.h. */
#include "vm/walk.h"

#include "vm/gwalk.h"

int vx_walk_guest(vx_table_fn table, void *ctx, const struct vx_paging *p, uint32_t va,
                  unsigned access, struct vx_walk *w)
{
    const struct gwalk_cpu cpu = {
        .cr0 = p->cr0 & (GWALK_CR0_PG | GWALK_CR0_WP),
        .cr3 = p->cr3,
        .cr4 = p->cr4 & (GWALK_CR4_PSE | GWALK_CR4_PAE),
        .maxphy = p->maxphy, .pdpte = p->pdpte,
    };
    struct gwalk g;
    int rc = gwalk(&cpu, table, ctx, va, (access & (VX_ACC_WRITE | VX_ACC_USER)) | GWALK_SET_AD,
                   &g);
    w->gpa = g.gpa;
    w->writable = g.writable;
    w->user = g.user;
    w->dirty = g.dirty;
    w->page_shift = g.page_shift;
    w->large = g.page_shift > 12;
    w->error = g.error;
    return rc;
}

/* vx_walk_pae: vx_walk_guest in PAE mode with the cached PDPTEs. */
struct pae_mem {
    vx_entry_fn entry;
    void *ctx;
};

static void *pae_mem_at(void *ctx, uint64_t gpa)
{
    const struct pae_mem *m = ctx;
    return m->entry(m->ctx, gpa);
}

int vx_walk_pae(vx_entry_fn entry, void *ctx, const uint64_t pdpte[4], int wp, unsigned maxphy,
                uint32_t va, unsigned access, struct vx_walk *w)
{
    const struct vx_paging p = {
        .cr0 = GWALK_CR0_PG | (wp ? GWALK_CR0_WP : 0), .cr4 = GWALK_CR4_PAE,
        .maxphy = maxphy, .pdpte = pdpte,
    };
    struct pae_mem m = { entry, ctx };
    return vx_walk_guest(pae_mem_at, &m, &p, va, access, w);
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
