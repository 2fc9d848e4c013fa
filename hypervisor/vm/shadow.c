/*
 * shadow: the shadow page tables (te, bt), a virtual TLB. A shadow entry
 * is filled on the fault of its first use from a walk of the guest's own
 * tables and dropped at the guest's invlpg; a CR3 write drops them all but
 * those of slots whose tables are tracked and clean (vm/keep.h).
 * The shadows are PAE whatever the guest's paging mode (vm/walk.h), filled
 * with 4 KiB entries; the marks of vm/rules.h make invlpg drop every entry
 * of a guest large page (2 or 4 MiB). A fill also fills neighbours the
 * guest has accessed already (prefetch, below); the hypervisor's own
 * accesses to guest linear memory use a shadow entry when one allows them
 * (vx_shadow_ptr), as the CPU uses its TLB.
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

/* ---- tracked guest tables (vm/keep.h) ---- */

static uint32_t *bit_word(const uint32_t *bitmap_mfn, uint32_t gpfn)
{
    return (uint32_t *)mfn_to_virt(bitmap_mfn[gpfn / VX_PROT_BITS_PER_FRAME]) +
           (gpfn % VX_PROT_BITS_PER_FRAME) / 32;
}

static int tracked(const struct vx_cpu *x, uint32_t gpfn)
{
    return gpfn < x->mem.nr_pages && ((*bit_word(x->track_mfn, gpfn) >> (gpfn % 32)) & 1);
}

/* Slot i's frames no longer tracked for it: each one's bit cleared unless
 * a live slot holds it too. */
static void release(struct vx_cpu *x, unsigned i)
{
    struct vx_keep *k = &x->keep;
    for (unsigned j = 0; j < k->n[i]; j++)
        if (!vx_keep_holds(k, ~(1u << i), k->gpfn[i][j]))
            *bit_word(x->track_mfn, k->gpfn[i][j]) &= ~(1u << (k->gpfn[i][j] % 32));
    k->n[i] = 0;
}

static void release_mask(struct vx_cpu *x, unsigned mask)
{
    for (unsigned i = 0; i < VX_KEEP_SLOTS; i++)
        if (mask & (1u << i))
            release(x, i);
}

/* Track slot i's guest L2 (its PDPTE's) and every L1 a present 4 KiB-page
 * entry of it names (within the guest's RAM: a table beyond it is the
 * walk's fault), or give up: the L2 beyond RAM, or more such entries than
 * a list holds (counted first, so that the work is bounded: 512 reads,
 * then at most VX_KEEP_FRAMES additions). The caller then drops the
 * shadows of every slot not kept and makes the kept ones read-only: none
 * is writable for these frames afterwards. */
static void track(struct vx_cpu *x, unsigned i)
{
    struct vx_keep *k = &x->keep;
    const uint64_t *l2 = gpmem_ptr(&x->mem, x->pdpte[i] & 0x000FFFFFFFFFF000ull);
    unsigned tables = 1;
    for (unsigned j = 0; l2 && j < 512; j++)
        tables += (l2[j] & (_PAGE_PRESENT | _PAGE_PSE)) == _PAGE_PRESENT;
    int ok = l2 && tables <= VX_KEEP_FRAMES;
    for (int j = -1; ok && j < 512; j++) {
        uint64_t e = j < 0 ? x->pdpte[i] : l2[j];
        if (j >= 0 && (e & (_PAGE_PRESENT | _PAGE_PSE)) != _PAGE_PRESENT)
            continue;
        uint64_t gpfn = (e & 0x000FFFFFFFFFF000ull) >> PAGE_SHIFT;
        if (gpfn >= x->mem.nr_pages)
            continue;
        int r = vx_keep_add(k, i, (uint32_t)gpfn);
        if (r < 0)
            ok = 0;                             /* (not reached: counted) */
        else if (r > 0)
            *bit_word(x->track_mfn, (uint32_t)gpfn) |= 1u << (gpfn % 32);
    }
    if (!ok) {
        release(x, i);
        vx_keep_give_up(k, i);
    }
}

void vx_shadow_table_write(struct vx_cpu *x, uint32_t gpfn)
{
    if (!tracked(x, gpfn))
        return;
    x->table_writes++;
    release_mask(x, vx_keep_written(&x->keep, gpfn));
}

/* ---- dropping shadows ---- */

/* The shadow L1s of the slots not in keep go back to the pool (their L2
 * entries cleared); the kept ones move to its front, in use. */
static void drop_slots(struct vx_cpu *x, unsigned keep)
{
    unsigned k = 0;
    for (unsigned i = 0; i < x->sl1_used; i++) {
        unsigned slot = x->sl1_slot[i];
        if (!(keep & (1u << (slot / 512)))) {
            uint64_t *l2 = mfn_to_virt(x->sl2_mfn[slot / 512]);
            l2[slot % 512] = 0;
            continue;
        }
        if (i != k) {                  /* swap: pool L1 k (free) keeps its range */
            uint32_t mfn = x->sl1_mfn[k];
            uint16_t lo = x->sl1_lo[k], hi = x->sl1_hi[k];
            x->sl1_mfn[k] = x->sl1_mfn[i];
            x->sl1_lo[k] = x->sl1_lo[i];
            x->sl1_hi[k] = x->sl1_hi[i];
            x->sl1_slot[k] = (uint16_t)slot;
            x->sl1_mfn[i] = mfn;
            x->sl1_lo[i] = lo;
            x->sl1_hi[i] = hi;
            x->sl2_pool[slot] = (uint8_t)k;
        }
        k++;
    }
    x->sl1_used = k;
}

void vx_shadow_flush_all(struct vx_cpu *x)
{
    drop_slots(x, 0);
    release_mask(x, x->keep.tracked);
    x->keep.tracked = 0;
    x->keep.dirty = 0;
    x->flushes++;
}

void vx_shadow_new_cr3(struct vx_cpu *x)
{
    if (!vx_paging_on(x) || !(x->cr4 & CR4_PAE)) {
        vx_shadow_flush_all(x);
        return;
    }
    struct vx_keep_plan p = vx_keep_at_cr3(&x->keep, x->pdpte);
    release_mask(x, p.stop);
    for (unsigned i = 0; i < VX_KEEP_SLOTS; i++)
        if (p.start & (1u << i))
            track(x, i);
    drop_slots(x, p.keep);
    /* Frames tracked from now on may have writable entries in the kept
     * slots' shadows: those become read-only (a write faults and refills
     * through the fill rules, which know the tracking). */
    if (p.start)
        for (unsigned i = 0; i < x->sl1_used; i++) {
            uint64_t *l1 = mfn_to_virt(x->sl1_mfn[i]);
            for (unsigned e = x->sl1_lo[i]; e <= x->sl1_hi[i]; e++)
                l1[e] &= ~(uint64_t)_PAGE_RW;
        }
    for (unsigned i = 0; i < VX_KEEP_SLOTS; i++)
        x->slots_kept += (p.keep >> i) & 1;
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

int vx_shadow_is_protected(const struct vx_cpu *x, uint32_t gpfn)
{
    return gpfn < x->mem.nr_pages && ((*bit_word(x->prot_mfn, gpfn) >> (gpfn % 32)) & 1);
}

void vx_shadow_protect(struct vx_cpu *x, uint32_t gpfn)
{
    if (gpfn >= x->mem.nr_pages || vx_shadow_is_protected(x, gpfn))
        return;
    *bit_word(x->prot_mfn, gpfn) |= 1u << (gpfn % 32);
    /* A writable shadow entry may map it anywhere: drop them all (the
     * shadows are a virtual TLB; the next fills are read-only). */
    vx_shadow_flush_all(x);
}

void vx_shadow_unprotect(struct vx_cpu *x, uint32_t gpfn)
{
    /* Its read-only shadow entries stay: a write faults once more and is
     * filled writable then. */
    if (gpfn < x->mem.nr_pages)
        *bit_word(x->prot_mfn, gpfn) &= ~(1u << (gpfn % 32));
}

/* The hypervisor's pointer to the byte at guest linear va when the
 * shadows already map it for the access (present; user: user; write:
 * writable, which a shadow entry is only once the guest's entry is
 * writable and dirty and the frame unprotected), else NULL: a TLB hit,
 * which uses the translation the guest's own accesses would use and, as
 * the CPU's, sets no accessed or dirty bit (they are set already). */
void *vx_shadow_ptr(const struct vx_cpu *x, uint32_t va, int write, int user)
{
    if (va >= HYPERVISOR_VIRT_START)
        return NULL;
    /* The low words of the PAE entries: flags and frame (the shadows'
     * frames are the hypervisor's, below 4 GiB: mfn_to_virt). */
    const uint32_t *l2 = mfn_to_virt(x->sl2_mfn[va >> 30]);
    uint32_t l2e = l2[((va >> 21) & 511) * 2];
    if (!(l2e & _PAGE_PRESENT))
        return NULL;
    uint32_t e = ((const uint32_t *)(uintptr_t)(l2e & ~0xFFFu))[((va >> 12) & 511) * 2];
    uint32_t need = _PAGE_PRESENT | (write ? _PAGE_RW : 0) | (user ? _PAGE_USER : 0);
    if ((e & need) != need)
        return NULL;
    return (uint8_t *)(uintptr_t)(e & ~0xFFFu) + (va & 0xFFF);
}

/* ---- prefetch: the neighbours of a fill ---- */

/* The shadow entry for guest leaf entry e (a 4 KiB page; rights: RW and
 * US of its table entry above, ANDed with e's own), or 0 to leave it to
 * its own fault: e not present, not accessed yet (the CPU would set A: a
 * TLB caches only what the walk marked accessed), with a reserved bit
 * (rsvd: a fault with RSVD), or outside the guest's RAM (its own fault
 * decides: the guest's crash). Read-only unless the guest's entry is
 * writable and dirty already and the frame is not write-protected: the
 * fill rules of a read access (vx_fill_decision); no guest bit changes. */
static uint64_t prefetch_entry(const struct vx_cpu *x, const uint32_t *dir, uint32_t lo,
                               uint32_t hi, uint32_t rights)
{
    uint32_t flags = vx_prefetch_flags(lo, hi, rights, x->mem.nr_pages);
    if (!flags)
        return 0;
    uint32_t gpfn = lo >> PAGE_SHIFT;
    if ((flags & VX_PREFETCH_RW) &&
        (tracked(x, gpfn) || vx_fill_decision(0, 1, 1, vx_shadow_is_protected(x, gpfn),
                                              x->code_write != NULL) != VX_FILL_RW))
        flags &= ~VX_PREFETCH_RW;
    uint32_t mfn = ((const uint32_t *)mfn_to_virt(dir[gpfn / 1024]))[gpfn % 1024];
    return ((uint64_t)mfn << PAGE_SHIFT) | flags;
}

/* After the fill of va from a guest 4 KiB entry: the empty entries of
 * its aligned group of VX_PREFETCH_SPAN in the same shadow L1 (va's 2 MiB;
 * their guest entries are in the same guest L1: PAE, or the half of a
 * 32-bit L1 in that 2 MiB) whose guest entries are present and accessed
 * (vx_prefetch_flags), as the standard shadow-MMU prefetch does: the
 * shadows stay a TLB (which may hold any translation whose entries are
 * present and accessed), and the neighbours a context switch's flush
 * dropped come back with one fault instead of one each. The span is
 * measured (bench fork_exit under bt: span 4 243k instructions, 8 229k,
 * 16 255k, 64 290k, none 263k): wider spans cost more than the faults
 * they save. The walk of va has
 * just read the tables (and set A in the table entry above), so they are
 * in the guest's RAM. */
#define VX_PREFETCH_SPAN 8u
_Static_assert((VX_PREFETCH_SPAN & (VX_PREFETCH_SPAN - 1u)) == 0 && VX_PREFETCH_SPAN <= 512,
               "an aligned group within one shadow L1");

static void prefetch(struct vx_cpu *x, uint32_t va, uint64_t *sl1)
{
    if (!(x->cr0 & CR0_PG))
        return;
    unsigned own = (va >> 12) & 511, lo = own & ~(VX_PREFETCH_SPAN - 1u),
             hi = lo + VX_PREFETCH_SPAN;
    const uint32_t *dir = mfn_to_virt(x->mem.dir_mfn);
    if (x->cr4 & CR4_PAE) {
        uint64_t l3e = x->pdpte[va >> 30];
        const uint64_t *l2e = gpmem_ptr(&x->mem, (l3e & 0x000FFFFFFFFFF000ull) +
                                                     ((va >> 21) & 511) * 8);
        if (!l2e)
            return;
        const uint64_t *gl1 = gpmem_ptr(&x->mem, *l2e & 0x000FFFFFFFFFF000ull);
        if (!gl1)
            return;
        const uint32_t *g = (const uint32_t *)gl1;
        uint32_t rights = (uint32_t)*l2e & (_PAGE_RW | _PAGE_USER);
        for (unsigned i = lo; i < hi; i++)
            if (i != own && !sl1[i])
                sl1[i] = prefetch_entry(x, dir, g[2 * i], g[2 * i + 1], rights);
    } else {
        const uint32_t *pde = gpmem_ptr(&x->mem, (x->cr3 & 0xFFFFF000u) + (va >> 22) * 4);
        if (!pde)
            return;
        const uint32_t *gl1 = gpmem_ptr(&x->mem, *pde & 0xFFFFF000u);
        if (!gl1)
            return;
        gl1 += ((va >> 21) & 1) * 512;
        uint32_t rights = *pde & (_PAGE_RW | _PAGE_USER);
        for (unsigned i = lo; i < hi; i++)
            if (i != own && !sl1[i])
                sl1[i] = prefetch_entry(x, dir, gl1[i], 0, rights);
    }
}

/* A page fault: a missing shadow entry is filled from the guest's tables;
 * anything the guest's tables refuse is the guest's own #PF; a device's
 * page is never mapped: the access is emulated (vm/mmio.c).
 * fill_only: VX_PF_NOT_FILLED when the fault is more than a fill (the
 * guest's #PF, a device, a write to a protected frame, a mapping in the
 * hypervisor's area), with nothing done but the accessed bits the walk
 * set (a second walk finds the same). */
#define VX_PF_NOT_FILLED (-1)
static int page_fault(struct vcpu *v, uint32_t va, uint32_t hw_error, int fill_only)
{
    struct vx_cpu *x = vx_of(v);
    unsigned access = (hw_error & VX_ACC_WRITE) | ((v->regs.cs & 3) == 3 ? VX_ACC_USER : 0);
    struct vx_walk w;

    if (vx_translate_any(v, va, access, &w) != VX_WALK_OK) {
        if (fill_only)
            return VX_PF_NOT_FILLED;
        x->cr2 = va;
        vx_inject(v, TRAP_PF, 1, w.error);
        return VX_PF_GUEST_FAULT;
    }
    if (w.gpa >= (uint64_t)x->mem.nr_pages << PAGE_SHIFT) {
        if (fill_only)
            return VX_PF_NOT_FILLED;
        if (!vplatform_mmio_decodes(&x->plat, w.gpa))
            vx_crash_beyond_ram(v, va, w.gpa);
        vx_mmio_access(v, va, w.gpa);
        return VX_PF_EMULATED;
    }
    if (va >= HYPERVISOR_VIRT_START) {
        if (fill_only)
            return VX_PF_NOT_FILLED;
        vx_crash(v, "the guest maps %#x, inside the hypervisor's area (from %#x)", va,
                 HYPERVISOR_VIRT_START);
    }
    uint32_t gpfn = (uint32_t)(w.gpa >> PAGE_SHIFT);
    int writable = w.writable, user = w.user;
    vx_shadow_rights((access & VX_ACC_WRITE) != 0, (access & VX_ACC_USER) != 0,
                     (x->cr0 & CR0_WP) != 0, &writable, &user);
    /* A write to a tracked guest table: its slots' shadows are stale from
     * now on (dropped at the next CR3 write) and it is tracked no more. */
    if ((access & VX_ACC_WRITE) && writable)
        vx_shadow_table_write(x, gpfn);
    /* User or supervisor as the guest says; writable only once the guest's
     * entry is dirty, so that the first write comes back here to set D;
     * never while the frame is write-protected or tracked. */
    enum vx_fill fill = vx_fill_decision((access & VX_ACC_WRITE) != 0, writable, w.dirty,
                                         vx_shadow_is_protected(x, gpfn), x->code_write != NULL);
    if (fill == VX_FILL_RW && tracked(x, gpfn))
        fill = VX_FILL_RO;                   /* a read of a tracked table */
    if (fill == VX_FILL_CODE_WRITE) {
        if (fill_only)
            return VX_PF_NOT_FILLED;
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
        if (x->sl1_lo[i] <= x->sl1_hi[i])        /* what its last use can have left */
            memset((uint64_t *)mfn_to_virt(x->sl1_mfn[i]) + x->sl1_lo[i], 0,
                   (x->sl1_hi[i] - x->sl1_lo[i] + 1u) * sizeof(uint64_t));
        x->sl1_lo[i] = 511;
        x->sl1_hi[i] = 0;
        x->sl1_slot[i] = (uint16_t)((va >> 30) * 512 + slot);
        x->sl2_pool[x->sl1_slot[i]] = (uint8_t)i;
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
    unsigned e = (va >> 12) & 511, pi = x->sl2_pool[(va >> 30) * 512 + slot];
    l1[e] = ((uint64_t)gpmem_mfn(&x->mem, gpfn) << PAGE_SHIFT) | flags;
    x->shadow_fills++;
    /* The range this L1 may hold: e, and the prefetch's group around it. */
    unsigned lo = e, hi = e;
    if (w.page_shift == 12) {
        prefetch(x, va, l1);
        lo = e & ~(VX_PREFETCH_SPAN - 1u);
        hi = lo + VX_PREFETCH_SPAN - 1u;
    }
    if (lo < x->sl1_lo[pi])
        x->sl1_lo[pi] = (uint16_t)lo;
    if (hi > x->sl1_hi[pi])
        x->sl1_hi[pi] = (uint16_t)hi;
    return VX_PF_FILLED;
}

int vx_page_fault(struct vcpu *v, uint32_t va, uint32_t hw_error)
{
    return page_fault(v, va, hw_error, 0);
}

int vx_shadow_fill(struct vcpu *v, uint32_t va, uint32_t hw_error)
{
    return page_fault(v, va, hw_error, 1) == VX_PF_FILLED;
}
