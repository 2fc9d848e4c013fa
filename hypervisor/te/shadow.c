/*
 * shadow: the te mode's shadow page tables, a virtual TLB. A shadow entry
 * is filled on the fault of its first use from a walk of the guest's own
 * tables and dropped at the guest's invlpg; every CR3 write drops them all.
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "core/domain.h"
#include "mm/mm.h"
#include "te/priv.h"

/* A software bit of a shadow L2 entry (bits 9-11 are the OS's): its L1
 * holds entries of a guest 2 MiB page. */
#define SHADOW_L2_LARGE (1ull << 9)

void te_shadow_flush_all(struct te_state *t)
{
    for (unsigned i = 0; i < t->sl1_used; i++) {
        uint64_t *l2 = mfn_to_virt(t->sl2_mfn[t->sl1_slot[i] / 512]);
        l2[t->sl1_slot[i] % 512] = 0;
    }
    t->sl1_used = 0;
    t->flushes++;
}

/* invlpg: the shadow entry of va; and when a guest 2 MiB page filled any
 * entry of its shadow L1 (SHADOW_L2_LARGE), every entry of it, since the
 * CPU drops every TLB entry of the large page that holds va. */
void te_shadow_invlpg(struct te_state *t, uint32_t va)
{
    if (va >= HYPERVISOR_VIRT_START)
        return;
    uint64_t *l2e = &((uint64_t *)mfn_to_virt(t->sl2_mfn[va >> 30]))[(va >> 21) & 511];
    if (!(*l2e & _PAGE_PRESENT))
        return;
    uint64_t *l1 = mfn_to_virt((uint32_t)(*l2e >> PAGE_SHIFT));
    if (*l2e & SHADOW_L2_LARGE) {
        memset(l1, 0, PAGE_SIZE);
        *l2e &= ~SHADOW_L2_LARGE;
    } else {
        l1[(va >> 12) & 511] = 0;
    }
}

int te_load_pdptes(struct vcpu *v, uint32_t cr3)
{
    struct te_state *t = te_of(v);
    const uint64_t *p = gpmem_ptr(&t->mem, cr3 & ~0x1Fu);
    if (!p)
        domain_crash(v->domain, "te: CR3 %#x is outside the guest's memory", cr3);
    for (unsigned i = 0; i < 4; i++)
        if (te_pdpte_reserved(p[i], t->maxphy))
            return -1;
    memcpy(t->pdpte, p, sizeof(t->pdpte));
    return 0;
}

/* A page fault: a missing shadow entry is filled from the guest's tables;
 * anything the guest's tables refuse is the guest's own #PF. */
void te_page_fault(struct vcpu *v, uint32_t va, uint32_t hw_error)
{
    struct te_state *t = te_of(v);
    unsigned access = (hw_error & TE_ACC_WRITE) | ((v->regs.cs & 3) == 3 ? TE_ACC_USER : 0);
    struct te_walk w;

    if (te_translate(v, va, access, &w) != TE_WALK_OK) {
        t->cr2 = va;
        te_inject(v, TRAP_PF, 1, w.error);
        return;
    }
    if (va >= HYPERVISOR_VIRT_START)
        domain_crash(v->domain, "te: the guest maps %#x, inside the hypervisor's area "
                     "(from %#x)", va, HYPERVISOR_VIRT_START);
    uint64_t *l2 = mfn_to_virt(t->sl2_mfn[va >> 30]);
    unsigned slot = (va >> 21) & 511;
    if (!(l2[slot] & _PAGE_PRESENT)) {
        if (t->sl1_used == TE_SL1_POOL)
            te_shadow_flush_all(t);
        unsigned i = t->sl1_used++;
        memset(mfn_to_virt(t->sl1_mfn[i]), 0, PAGE_SIZE);
        t->sl1_slot[i] = (uint16_t)((va >> 30) * 512 + slot);
        l2[slot] = ((uint64_t)t->sl1_mfn[i] << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW |
                   _PAGE_USER | _PAGE_ACCESSED;
    }
    /* User or supervisor as the guest says; writable only once the guest's
     * entry is dirty, so that the first write comes back here to set D. */
    uint64_t flags = _PAGE_PRESENT | _PAGE_ACCESSED;
    if (w.writable && w.dirty)
        flags |= _PAGE_RW | _PAGE_DIRTY;
    if (w.user)
        flags |= _PAGE_USER;
    if (w.large)
        l2[slot] |= SHADOW_L2_LARGE;
    uint64_t *l1 = mfn_to_virt((uint32_t)(l2[slot] >> PAGE_SHIFT));
    l1[(va >> 12) & 511] = ((uint64_t)gpmem_mfn(&t->mem, (uint32_t)(w.gpa >> PAGE_SHIFT)) << PAGE_SHIFT) |
                           flags;
    t->shadow_fills++;
}
