/*
 * shadow: the shadow page tables (te, bt), a virtual TLB. A shadow entry
 * is filled on the fault of its first use from a walk of the guest's own
 * tables and dropped at the guest's invlpg; every CR3 write drops them all.
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "core/domain.h"
#include "mm/mm.h"
#include "vm/deliver.h"
#include "vm/shadow.h"
#include "vm/vcpu.h"
#include "vm/vmem.h"

/* A software bit of a shadow L2 entry (bits 9-11 are the OS's): its L1
 * holds entries of a guest 2 MiB page. */
#define SHADOW_L2_LARGE (1ull << 9)

void vx_shadow_flush_all(struct vx_cpu *x)
{
    for (unsigned i = 0; i < x->sl1_used; i++) {
        uint64_t *l2 = mfn_to_virt(x->sl2_mfn[x->sl1_slot[i] / 512]);
        l2[x->sl1_slot[i] % 512] = 0;
    }
    x->sl1_used = 0;
    x->flushes++;
}

/* invlpg: the shadow entry of va; and when a guest 2 MiB page filled any
 * entry of its shadow L1 (SHADOW_L2_LARGE), every entry of it, since the
 * CPU drops every TLB entry of the large page that holds va. */
void vx_shadow_invlpg(struct vx_cpu *x, uint32_t va)
{
    if (va >= HYPERVISOR_VIRT_START)
        return;
    uint64_t *l2e = &((uint64_t *)mfn_to_virt(x->sl2_mfn[va >> 30]))[(va >> 21) & 511];
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

int vx_load_pdptes(struct vcpu *v, uint32_t cr3)
{
    struct vx_cpu *x = vx_of(v);
    const uint64_t *p = gpmem_ptr(&x->mem, cr3 & ~0x1Fu);
    if (!p)
        vx_crash(v, "CR3 %#x is outside the guest's memory", cr3);
    for (unsigned i = 0; i < 4; i++)
        if (vx_pdpte_reserved(p[i], x->maxphy))
            return -1;
    memcpy(x->pdpte, p, sizeof(x->pdpte));
    return 0;
}

/* A page fault: a missing shadow entry is filled from the guest's tables;
 * anything the guest's tables refuse is the guest's own #PF. */
void vx_page_fault(struct vcpu *v, uint32_t va, uint32_t hw_error)
{
    struct vx_cpu *x = vx_of(v);
    unsigned access = (hw_error & VX_ACC_WRITE) | ((v->regs.cs & 3) == 3 ? VX_ACC_USER : 0);
    struct vx_walk w;

    if (vx_translate(v, va, access, &w) != VX_WALK_OK) {
        x->cr2 = va;
        vx_inject(v, TRAP_PF, 1, w.error);
        return;
    }
    if (va >= HYPERVISOR_VIRT_START)
        vx_crash(v, "the guest maps %#x, inside the hypervisor's area "
                     "(from %#x)", va, HYPERVISOR_VIRT_START);
    uint64_t *l2 = mfn_to_virt(x->sl2_mfn[va >> 30]);
    unsigned slot = (va >> 21) & 511;
    if (!(l2[slot] & _PAGE_PRESENT)) {
        if (x->sl1_used == VX_SL1_POOL)
            vx_shadow_flush_all(x);
        unsigned i = x->sl1_used++;
        memset(mfn_to_virt(x->sl1_mfn[i]), 0, PAGE_SIZE);
        x->sl1_slot[i] = (uint16_t)((va >> 30) * 512 + slot);
        l2[slot] = ((uint64_t)x->sl1_mfn[i] << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW |
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
    l1[(va >> 12) & 511] = ((uint64_t)gpmem_mfn(&x->mem, (uint32_t)(w.gpa >> PAGE_SHIFT)) << PAGE_SHIFT) |
                           flags;
    x->shadow_fills++;
}
