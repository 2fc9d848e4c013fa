/*
 * shadow: the shadow page tables (te, bt), a virtual TLB. A shadow entry
 * is filled on the fault of its first use from a walk of the guest's own
 * tables and dropped at the guest's invlpg; every CR3 write drops them all.
 * The shadows are PAE whatever the guest's paging mode (vm/walk.h), filled
 * with 4 KiB entries; the marks of vm/rules.h make invlpg drop every entry
 * of a guest large page (2 or 4 MiB).
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "core/domain.h"
#include "mm/mm.h"
#include "vm/deliver.h"
#include "vm/mmio.h"
#include "vm/shadow.h"
#include "vm/vcpu.h"
#include "vm/vmem.h"

void vx_shadow_flush_all(struct vx_cpu *x)
{
    for (unsigned i = 0; i < x->sl1_used; i++) {
        uint64_t *l2 = mfn_to_virt(x->sl2_mfn[x->sl1_slot[i] / 512]);
        l2[x->sl1_slot[i] % 512] = 0;
    }
    x->sl1_used = 0;
    x->flushes++;
}

/* Every entry of the L1 of shadow L2 entry *l2e, and its marks. */
static void drop_slot(uint64_t *l2e)
{
    memset(mfn_to_virt((uint32_t)(*l2e >> PAGE_SHIFT)), 0, PAGE_SIZE);
    *l2e &= ~(VX_SL2_LARGE | VX_SL2_4M);
}

/* invlpg: the shadow entry of va; every entry of its slot when a guest
 * large page filled any of them, and of the other 2 MiB of its 4 MiB when
 * a guest 4 MiB page filled any there (vx_invlpg_plan), since the CPU
 * drops every TLB entry of the large page that holds va. */
void vx_shadow_invlpg(struct vx_cpu *x, uint32_t va)
{
    if (va >= HYPERVISOR_VIRT_START)
        return;
    uint64_t *l2 = mfn_to_virt(x->sl2_mfn[va >> 30]);
    unsigned slot = (va >> 21) & 511;
    uint64_t *l2e = &l2[slot], *buddy = &l2[slot ^ 1];
    unsigned plan = vx_invlpg_plan(*l2e, *buddy);
    if (plan & VX_INVLPG_SLOT)
        drop_slot(l2e);
    else if (plan & VX_INVLPG_ENTRY)
        ((uint64_t *)mfn_to_virt((uint32_t)(*l2e >> PAGE_SHIFT)))[(va >> 12) & 511] = 0;
    if (plan & VX_INVLPG_BUDDY)
        drop_slot(buddy);
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

/* ---- write protection of guest frames (bt's translated code) ---- */

static uint32_t *prot_word(const struct vx_cpu *x, uint32_t gpfn)
{
    return (uint32_t *)mfn_to_virt(x->prot_mfn[gpfn / VX_PROT_BITS_PER_FRAME]) +
           (gpfn % VX_PROT_BITS_PER_FRAME) / 32;
}

int vx_shadow_is_protected(const struct vx_cpu *x, uint32_t gpfn)
{
    return gpfn < x->mem.nr_pages && ((*prot_word(x, gpfn) >> (gpfn % 32)) & 1);
}

void vx_shadow_protect(struct vx_cpu *x, uint32_t gpfn)
{
    if (gpfn >= x->mem.nr_pages || vx_shadow_is_protected(x, gpfn))
        return;
    *prot_word(x, gpfn) |= 1u << (gpfn % 32);
    /* A writable shadow entry may map it anywhere: drop them all (the
     * shadows are a virtual TLB; the next fills are read-only). */
    vx_shadow_flush_all(x);
}

void vx_shadow_unprotect(struct vx_cpu *x, uint32_t gpfn)
{
    /* Its read-only shadow entries stay: a write faults once more and is
     * filled writable then. */
    if (gpfn < x->mem.nr_pages)
        *prot_word(x, gpfn) &= ~(1u << (gpfn % 32));
}

/* A page fault: a missing shadow entry is filled from the guest's tables;
 * anything the guest's tables refuse is the guest's own #PF; a device's
 * page is never mapped: the access is emulated (vm/mmio.c). */
int vx_page_fault(struct vcpu *v, uint32_t va, uint32_t hw_error)
{
    struct vx_cpu *x = vx_of(v);
    unsigned access = (hw_error & VX_ACC_WRITE) | ((v->regs.cs & 3) == 3 ? VX_ACC_USER : 0);
    struct vx_walk w;

    if (vx_translate_any(v, va, access, &w) != VX_WALK_OK) {
        x->cr2 = va;
        vx_inject(v, TRAP_PF, 1, w.error);
        return VX_PF_GUEST_FAULT;
    }
    if (w.gpa >= (uint64_t)x->mem.nr_pages << PAGE_SHIFT) {
        if (!vplatform_mmio_decodes(&x->plat, w.gpa))
            vx_crash_beyond_ram(v, va, w.gpa);
        vx_mmio_access(v, va, w.gpa);
        return VX_PF_EMULATED;
    }
    if (va >= HYPERVISOR_VIRT_START)
        vx_crash(v, "the guest maps %#x, inside the hypervisor's area (from %#x)", va,
                 HYPERVISOR_VIRT_START);
    uint32_t gpfn = (uint32_t)(w.gpa >> PAGE_SHIFT);
    int writable = w.writable, user = w.user;
    vx_shadow_rights((access & VX_ACC_WRITE) != 0, (access & VX_ACC_USER) != 0,
                     (x->cr0 & CR0_WP) != 0, &writable, &user);
    /* User or supervisor as the guest says; writable only once the guest's
     * entry is dirty, so that the first write comes back here to set D;
     * never while the frame is write-protected. */
    enum vx_fill fill = vx_fill_decision((access & VX_ACC_WRITE) != 0, writable, w.dirty,
                                         vx_shadow_is_protected(x, gpfn), x->code_write != NULL);
    if (fill == VX_FILL_CODE_WRITE) {
        x->code_write(v, va, w.gpa);
        return VX_PF_CODE_WRITE;
    }
    if (fill == VX_FILL_UNPROTECT) {
        vx_shadow_unprotect(x, gpfn);
        fill = VX_FILL_RW;
    }
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
    uint64_t flags = _PAGE_PRESENT | _PAGE_ACCESSED;
    if (fill == VX_FILL_RW)
        flags |= _PAGE_RW | _PAGE_DIRTY;
    if (user)
        flags |= _PAGE_USER;
    l2[slot] |= vx_sl2_marks(w.page_shift);
    uint64_t *l1 = mfn_to_virt((uint32_t)(l2[slot] >> PAGE_SHIFT));
    l1[(va >> 12) & 511] = ((uint64_t)gpmem_mfn(&x->mem, gpfn) << PAGE_SHIFT) | flags;
    x->shadow_fills++;
    return VX_PF_FILLED;
}
