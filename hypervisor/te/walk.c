/* walk: see walk.h. */
#include "te/walk.h"

#define PTE_P    0x001ull
#define PTE_RW   0x002ull
#define PTE_US   0x004ull
#define PTE_A    0x020ull
#define PTE_D    0x040ull
#define PTE_PS   0x080ull
#define PTE_ADDR 0x000FFFFFFFFFF000ull

/* The reserved bits of a present PAE PDE or PTE (SDM Vol. 3, 4.4.2):
 * from MAXPHYADDR up, bit 63 too (XD is reserved: te gives the guest no
 * EFER.NXE), and bits 13-20 of a 2 MiB PDE. */
static uint64_t reserved(uint64_t e, int large, unsigned maxphy)
{
    uint64_t r = maxphy < 64 ? ~0ull << maxphy : 0;
    if (large)
        r |= 0x1FE000ull;
    return e & r;
}

int te_walk_pae(te_entry_fn entry, void *ctx, const uint64_t pdpte[4], int wp, unsigned maxphy,
                uint32_t va, unsigned access, struct te_walk *w)
{
    int user = (access & TE_ACC_USER) != 0, write = (access & TE_ACC_WRITE) != 0;
    uint64_t l3e = pdpte[va >> 30];

    w->error = access & (TE_ACC_WRITE | TE_ACC_USER);
    if (!(l3e & PTE_P))
        return TE_WALK_FAULT;
    uint64_t *l2e = entry(ctx, (l3e & PTE_ADDR) + ((va >> 21) & 511) * 8);
    if (!l2e)
        return TE_WALK_BAD_TABLE;
    if (!(*l2e & PTE_P))
        return TE_WALK_FAULT;
    if (reserved(*l2e, (*l2e & PTE_PS) != 0, maxphy)) {
        w->error |= 1 | TE_ERR_RSVD;
        return TE_WALK_FAULT;
    }
    uint64_t *leaf = l2e, frame;
    unsigned shift = 21;
    if (!(*l2e & PTE_PS)) {
        leaf = entry(ctx, (*l2e & PTE_ADDR) + ((va >> 12) & 511) * 8);
        if (!leaf)
            return TE_WALK_BAD_TABLE;
        if (!(*leaf & PTE_P))
            return TE_WALK_FAULT;
        if (reserved(*leaf, 0, maxphy)) {
            w->error |= 1 | TE_ERR_RSVD;
            return TE_WALK_FAULT;
        }
        shift = 12;
    }
    w->writable = (*l2e & PTE_RW) && (*leaf & PTE_RW);
    w->user = (*l2e & PTE_US) && (*leaf & PTE_US);
    w->error |= 1;                                   /* present: a protection fault */
    if (user && !w->user)
        return TE_WALK_FAULT;
    if (write && !w->writable && (user || wp))
        return TE_WALK_FAULT;
    w->large = shift == 21;
    frame = *leaf & PTE_ADDR & ~((1ull << shift) - 1);
    w->gpa = frame + (va & ((1u << shift) - 1));
    *l2e |= PTE_A;
    *leaf |= PTE_A | (write ? PTE_D : 0);
    w->dirty = (*leaf & PTE_D) != 0;
    return TE_WALK_OK;
}

uint64_t te_desc_shadow(uint64_t desc)
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
