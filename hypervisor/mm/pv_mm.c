/*
 * pv_mm: the memory hypercalls of a PV guest. The rules live in
 * mm/pagetable.c (tables) and mm/pte.c (L1 entries); this file decodes the
 * guest's requests, applies them to the current vCPU and keeps the PDPT copy
 * and the LDT in step. Batches stop at the first failure and report how many
 * entries took effect, as Xen does.
 */
#include <pv86/memory.h>
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/descriptor.h"
#include "arch/x86/layout.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/batch.h"
#include "core/grant.h"
#include "core/hypercall.h"
#include "core/prof.h"
#include "mm/baseptr.h"
#include "mm/mm.h"
#include "mm/pagetable.h"

static int is_self(struct vcpu *v, uint32_t domid)
{
    domid &= 0xFFFF;
    return domid == DOMID_SELF || domid == v->domain->id;
}

/*
 * The batches (mmu_update, mmuext_op): their decisions, continuations and
 * *done are core/batch.c's (pure, unit-tested; docs/continuations.md); here
 * is what they act on: the guest's memory, the vCPU's owed release
 * (v->cont.old_table), one entry.
 */
_Static_assert(sizeof(struct mmu_update) <= 16 && sizeof(struct mmuext_op) <= 16,
               "batch_run's entry buffer holds either request");

static int batch_read(void *ctx, void *dst, uint32_t va, uint32_t len)
{
    return copy_from_guest(ctx, dst, va, len);
}

static int batch_write(void *ctx, uint32_t va, const void *src, uint32_t len)
{
    return copy_to_guest(ctx, va, src, len);
}

static int batch_preempt(void *ctx)
{
    (void)ctx;
    return hypercall_preempt_check();
}

static int batch_release(void *ctx)
{
    struct vcpu *v = ctx;
    if (page_table_put_partial(&hv_mm_ops, v->cont.old_table, 1))
        return -PT_ERESTART;
    v->cont.old_table = 0;
    return 0;
}

static int32_t mmu_update_cont(void *ctx, unsigned nargs, const uint32_t *args)
{
    return hypercall_create_continuation(ctx, __HYPERVISOR_mmu_update, nargs, args);
}

static int32_t mmuext_cont(void *ctx, unsigned nargs, const uint32_t *args)
{
    return hypercall_create_continuation(ctx, __HYPERVISOR_mmuext_op, nargs, args);
}

/*
 * A frame a guest names (a machine address it supplies, a frame number, an
 * entry), looked up at its full width: the frame's record, or NULL when it is
 * no RAM the hypervisor tracks (beyond RAM, or above MAXPHYADDR). Xen refuses
 * such a frame with -EINVAL wherever it is not an L1 entry's (mfn_valid
 * failing in get_page_from_mfn): the hypercalls here do the same, and narrow
 * a frame number to 32 bits only once this lookup succeeded.
 */
static struct page_info *guest_frame(mfn_t mfn)
{
    /* Frame bits 40 and up are address bits 52 and up: above any
     * MAXPHYADDR. Below that, the frame's address is an entry's address
     * field, and the high-word test of pte_addr_reserved applies. */
    if ((mfn >> 40) || pte_addr_reserved(mfn << PAGE_SHIFT) || !mm_frame_is_ram(mfn))
        return NULL;
    return &frame_table[(uint32_t)mfn];      /* hv_mm_ops.page, without the call */
}

/* ---- descriptor pages ---- */

int seg_desc_get(struct domain *d, uint32_t mfn)
{
    /* Xen's set_gdt answers -EINVAL for every frame it cannot take: no
     * RAM, not the domain's (get_page_from_gfn), or in use as another type
     * (shared_info's permanent writable type included). */
    struct page_info *pg = guest_frame(mfn);
    if (!pg || pg->owner != d->id || (pg->flags & PGF_XENHEAP))
        return -XEN_EINVAL;
    if (page_get_type(pg, PGT_seg_desc))
        return -XEN_EINVAL;
    if (pg->type_count == 1) {
        uint32_t *desc = mfn_to_virt(mfn);
        for (unsigned i = 0; i < 512; i++) {
            if (!desc_check(&desc[2 * i], &desc[2 * i + 1])) {
                page_put_type(pg);
                return -XEN_EINVAL;
            }
        }
    }
    page_get(pg);
    return 0;
}

void seg_desc_put(uint32_t mfn)
{
    struct page_info *pg = hv_mm_ops.page(NULL, mfn);
    page_put_type(pg);
    page_put(pg);
}

/* Show frames[0..n) in the switcher region at first_va, the zero page after. */
static void map_desc_frames(struct domain *d, uint32_t first_va, unsigned pages,
                            const uint32_t *frames, uint32_t n)
{
    uint64_t *l1 = mfn_to_virt(d->switcher_l1_mfn);
    for (uint32_t i = 0; i < pages; i++) {
        uint32_t m = i < n ? frames[i] : mm_zero_mfn();
        l1[l1_index(first_va) + i] = ((uint64_t)m << PAGE_SHIFT) | _PAGE_PRESENT |
                                     _PAGE_ACCESSED;
    }
}

/* ---- mmu_update ---- */

static int mmu_update_one(void *ctx, const void *entry)
{
    struct vcpu *v = ctx;
    const struct mmu_update *req = entry;
    struct domain *d = v->domain;
    unsigned cmd = req->ptr & 3;

    /* ptr is a 64-bit machine address (its low bits the command): all of it
     * names the frame. */
    mfn_t mfn = maddr_to_mfn(req->ptr);
    struct page_info *pg = guest_frame(mfn);

    if (cmd == MMU_MACHPHYS_UPDATE) {
        if (!pg || pg->owner != d->id)
            return -XEN_EINVAL;      /* Xen: "Could not get page for mach->phys update" */
        m2p_table[mfn] = (uint32_t)req->val;
        return 0;
    }
    /* Commands 0, 2 and 3 (NO_TRANSLATE: for a guest that is not
     * translated, Xen's normal update) are page-table updates; ptr & 3 leaves
     * no other command. */
    /* Not RAM, or not the domain's: Xen's get_page_from_gfn fails, "Could
     * not get page for normal update". */
    if (!pg || (req->ptr & 4) || pg->owner != d->id)
        return -XEN_EINVAL;
    unsigned index = (unsigned)(req->ptr & (PAGE_SIZE - 1)) / 8;
    if (pg->type_count && is_table_type(pg->type)) {
        PROF_PUSH(PROF_VALIDATE);
        int rc = page_table_update_preemptible(&hv_mm_ops, d->id, mfn, index, req->val,
                                               cmd == MMU_PT_UPDATE_PRESERVE_AD,
                                               &v->cont.old_table);
        PROF_POP();
        if (rc == 0 && mfn == v->l3_mfn)
            vcpu_update_pdpt(v);
        return rc;
    }
    /* Not a table in use: an ordinary write into a frame of the guest, as
     * long as it could be mapped writable (shared_info can: Xen writes it
     * too). A descriptor frame, or a table left partial: Xen finds no entry
     * type to update, -EINVAL. */
    if (page_get_type(pg, PGT_writable))
        return -XEN_EINVAL;
    ((uint64_t *)mfn_to_virt((uint32_t)mfn))[index] = req->val;
    page_put_type(pg);
    return 0;
}

int32_t do_mmu_update(struct vcpu *v, uint32_t reqs, uint32_t count, uint32_t pdone,
                      uint32_t domid, uint32_t a5)
{
    static const struct batch_ops ops = {
        .read = batch_read, .write = batch_write, .preempt = batch_preempt,
        .cont = mmu_update_cont, .one = mmu_update_one, .release = batch_release,
    };
    uint32_t ran;
    (void)a5;
    int32_t rc = batch_run(&ops, v, &v->cont.old_table, reqs, count, pdone, domid, sizeof(struct mmu_update),
                           is_self(v, domid), &ran);
    v->domain->stats.pt_updates += ran;
    return rc;
}

/* ---- mmuext_op ---- */

static void release_ldt(struct vcpu *v)
{
    for (uint32_t i = 0; i < v->ldt_nframes; i++)
        seg_desc_put(v->ldt_frames[i]);
    v->ldt_nframes = v->ldt_ents = v->ldt_va = 0;
    map_desc_frames(v->domain, SW_LDT_VA, SW_LDT_PAGES, NULL, 0);
}

static int set_ldt(struct vcpu *v, uint32_t va, uint32_t ents)
{
    uint32_t frames[SW_LDT_PAGES];

    if (ents == 0) {
        release_ldt(v);
        return 0;
    }
    if (ents > 8192 || (va & (PAGE_SIZE - 1)) || guest_range_ok(va, ents * 8))
        return -XEN_EINVAL;
    uint32_t n = (ents * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
    for (uint32_t i = 0; i < n; i++) {
        mfn_t mfn;
        int rc = guest_translate(&hv_mm_ops, v->l3_mfn, va + i * PAGE_SIZE, 0, &mfn);
        if (rc == 0 && !guest_frame(mfn))
            rc = -XEN_EINVAL;
        if (rc == 0) {
            frames[i] = (uint32_t)mfn;           /* a frame of RAM: < max_mfn */
            rc = seg_desc_get(v->domain, frames[i]);
        }
        if (rc) {
            while (i--)
                seg_desc_put(frames[i]);
            return rc == -XEN_EFAULT ? -XEN_EINVAL : rc;
        }
    }
    release_ldt(v);
    memcpy(v->ldt_frames, frames, n * sizeof(frames[0]));
    v->ldt_nframes = n;
    v->ldt_ents = ents;
    v->ldt_va = va;
    map_desc_frames(v->domain, SW_LDT_VA, SW_LDT_PAGES, frames, n);
    return 0;
}

static int mmuext_one(void *ctx, const void *entry)
{
    struct vcpu *v = ctx;
    const struct mmuext_op *op = entry;
    struct domain *d = v->domain;
    mfn_t *pending = &v->cont.old_table;
    uint32_t mask;

    PROF_MMUEXT(op->cmd);
    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_UNPIN_TABLE:
    case MMUEXT_NEW_BASEPTR:
        /* arg1 is a frame number: Xen refuses one that is no RAM (its
         * get_page_from_gfn fails) with -EINVAL. */
        if (!guest_frame(op->arg1))
            return -XEN_EINVAL;
        break;
    default:
        break;
    }
    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
        return page_table_pin_preemptible(&hv_mm_ops, d->id, op->arg1, PGT_l1, pending);
    case MMUEXT_PIN_L2_TABLE:
        return page_table_pin_preemptible(&hv_mm_ops, d->id, op->arg1, PGT_l2, pending);
    case MMUEXT_PIN_L3_TABLE:
        return page_table_pin_preemptible(&hv_mm_ops, d->id, op->arg1, PGT_l3, pending);
    case MMUEXT_UNPIN_TABLE:
        /* Done even if the release goes on later (the next entry waits). */
        return page_table_unpin_preemptible(&hv_mm_ops, d->id, op->arg1, pending);
    case MMUEXT_NEW_BASEPTR: {
        if (op->arg1 == v->l3_mfn)
            return 0;   /* as Xen: also how a switch whose release of the old
                         * L3 was interrupted ends when it is made again */
        /* Between two L3s in use (pinned): two counts (mm/baseptr.h). */
        if (!baseptr_ref_in_use(&frame_table[op->arg1], d->id, PGT_l3)) {
            PROF_PUSH(PROF_VALIDATE);
            int rc = page_table_get_preemptible(&hv_mm_ops, d->id, op->arg1, PGT_l3, pending);
            PROF_POP();
            if (rc)
                return rc;
        }
        uint32_t old = v->l3_mfn;
        v->l3_mfn = op->arg1;
        vcpu_update_pdpt(v);
        if (!baseptr_unref_not_last(&frame_table[old])) {
            PROF_PUSH(PROF_VALIDATE);
            page_table_put_preemptible(&hv_mm_ops, old, pending);
            PROF_POP();
        }
        return *pending ? -PT_ERESTART : 0;
    }
    case MMUEXT_TLB_FLUSH_LOCAL:
    case MMUEXT_TLB_FLUSH_ALL:
    case MMUEXT_INVLPG_LOCAL:
    case MMUEXT_INVLPG_ALL:
        d->stats.tlb_flushes++;
        return 0;      /* the CR3 reload on the way out flushes everything */
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI:
        if (copy_from_guest(v, &mask, op->arg2, sizeof(mask)))
            return -XEN_EFAULT;
        d->stats.tlb_flushes++;
        return 0;
    case MMUEXT_SET_LDT: {
        /* Up to 16 descriptor frames checked, 512 descriptors each: as many
         * units of the batch's work (core/batch.h), so that the next check
         * comes at once after a large LDT. */
        int rc = set_ldt(v, op->arg1, op->arg2);
        if (rc || op->arg2 == 0)
            return rc;
        return (int)((op->arg2 * 8 + PAGE_SIZE - 1) / PAGE_SIZE);
    }
    default:
        return -XEN_ENOSYS;
    }
}

int32_t do_mmuext_op(struct vcpu *v, uint32_t ops, uint32_t count, uint32_t pdone,
                     uint32_t domid, uint32_t a5)
{
    static const struct batch_ops bops = {
        .read = batch_read, .write = batch_write, .preempt = batch_preempt,
        .cont = mmuext_cont, .one = mmuext_one, .release = batch_release,
    };
    uint32_t ran;
    (void)a5;
    int32_t rc = batch_run(&bops, v, &v->cont.old_table, ops, count, pdone, domid, sizeof(struct mmuext_op),
                           is_self(v, domid), &ran);
    v->domain->stats.mmuext_ops += ran;
    return rc;
}

/* ---- update_va_mapping ---- */

int32_t do_update_va_mapping(struct vcpu *v, uint32_t va, uint32_t lo, uint32_t hi,
                             uint32_t flags, uint32_t a5)
{
    mfn_t l1_mfn;
    unsigned idx;
    (void)a5;

    if (va >= HYPERVISOR_VIRT_START)
        return -XEN_EINVAL;
    PROF_PUSH(PROF_WALK);
    int rc = guest_l1e_slot(&hv_mm_ops, v->l3_mfn, va, &l1_mfn, &idx);
    PROF_POP();
    if (rc)
        return -XEN_EINVAL;
    PROF_PUSH(PROF_VALIDATE);
    rc = page_table_update(&hv_mm_ops, v->domain->id, l1_mfn, idx,
                           ((uint64_t)hi << 32) | lo, 0);
    PROF_POP();
    if (rc)
        return rc;
    /* As Xen (__do_update_va_mapping): the flush comes after the entry is
     * written, and only flush types 1 (TLB) and 2 (INVLPG) flush: 0 and 3
     * do nothing, whatever the other bits. The bits above the type are
     * UVMF_LOCAL (0), UVMF_ALL (4) or a pointer to a vCPU bitmap, read only
     * now: an unreadable one is -EFAULT with the entry already written.
     * Every return to a guest reloads CR3 and pv86 maps nothing global, so
     * every flush is satisfied on the way out. */
    unsigned type = flags & UVMF_FLUSHTYPE_MASK;
    if (type != UVMF_TLB_FLUSH && type != UVMF_INVLPG)
        return 0;
    uint32_t bmap = flags & ~(uint32_t)UVMF_FLUSHTYPE_MASK, mask;
    if (bmap != UVMF_LOCAL && bmap != UVMF_ALL &&
        copy_from_guest(v, &mask, bmap, sizeof(mask)))
        return -XEN_EFAULT;
    v->domain->stats.tlb_flushes++;
    return 0;
}

/* ---- descriptors ---- */

int32_t do_set_gdt(struct vcpu *v, uint32_t frame_list, uint32_t entries, uint32_t a3,
                   uint32_t a4, uint32_t a5)
{
    uint32_t frames[FIRST_RESERVED_GDT_PAGE];
    (void)a3, (void)a4, (void)a5;

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -XEN_EINVAL;
    uint32_t n = (entries + 511) / 512;
    /* The list holds 32-bit frame numbers (xen_pfn_t on x86_32): each is
     * looked up whole by seg_desc_get, -EINVAL if it is no RAM, as Xen. */
    if (n && copy_from_guest(v, frames, frame_list, n * 4))
        return -XEN_EFAULT;
    for (uint32_t i = 0; i < n; i++) {
        int rc = seg_desc_get(v->domain, frames[i]);
        if (rc) {
            while (i--)
                seg_desc_put(frames[i]);
            return rc;
        }
    }
    for (uint32_t i = 0; i < v->gdt_nframes; i++)
        seg_desc_put(v->gdt_frames[i]);
    memcpy(v->gdt_frames, frames, n * 4);
    v->gdt_nframes = n;
    v->gdt_ents = entries;
    map_desc_frames(v->domain, SW_GDT_VA, FIRST_RESERVED_GDT_PAGE, frames, n);
    return 0;
}

int32_t do_update_descriptor(struct vcpu *v, uint32_t ma_lo, uint32_t ma_hi,
                             uint32_t desc_lo, uint32_t desc_hi, uint32_t a5)
{
    (void)a5;
    /* A 64-bit machine address: every bit of it names the frame (Xen:
     * misaligned, a bad descriptor or no such frame are all -EINVAL). */
    uint64_t ma = ((uint64_t)ma_hi << 32) | ma_lo;
    if ((ma & 7) || !guest_frame(maddr_to_mfn(ma)))
        return -XEN_EINVAL;
    if (!desc_check(&desc_lo, &desc_hi))
        return -XEN_EINVAL;
    uint32_t mfn = (uint32_t)maddr_to_mfn(ma);  /* a frame of RAM: < max_mfn */
    struct page_info *pg = &frame_table[mfn];
    if (pg->owner != v->domain->id)
        return -XEN_EINVAL;                    /* Xen: get_page_from_gfn fails */
    /* As Xen: a descriptor page in use takes the checked descriptor as it
     * is; any other frame is written as a plain page, under a writable
     * type reference for the write (none to be had: a page table, -EINVAL).
     * The rest of the frame is checked when it becomes a descriptor page. */
    enum page_type t = pg->type_count && pg->type == PGT_seg_desc ? PGT_seg_desc
                                                                   : PGT_writable;
    if (page_get_type(pg, t))
        return -XEN_EINVAL;
    uint32_t *desc = (uint32_t *)mfn_to_virt(mfn) + (ma_lo & (PAGE_SIZE - 1)) / 4;
    desc[0] = desc_lo;
    desc[1] = desc_hi;
    page_put_type(pg);
    return 0;
}

/* ---- memory_op ---- */

int32_t do_memory_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3,
                     uint32_t a4, uint32_t a5)
{
    struct domain *d = v->domain;
    (void)a3, (void)a4, (void)a5;

    switch (cmd) {
    case XENMEM_maximum_ram_page:
        return (int32_t)max_mfn;
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation: {
        uint16_t domid;
        if (copy_from_guest(v, &domid, arg, sizeof(domid)))
            return -XEN_EFAULT;
        if (!is_self(v, domid))
            return -XEN_EPERM;
        return (int32_t)d->nr_pages;
    }
    case XENMEM_memory_map: {
        struct xen_memory_map map;
        struct e820_entry ram = { 0, 0, d->nr_pages << PAGE_SHIFT, 0, E820_RAM };
        if (copy_from_guest(v, &map, arg, sizeof(map)))
            return -XEN_EFAULT;
        if (map.nr_entries < 1)
            return -XEN_EINVAL;
        map.nr_entries = 1;
        if (copy_to_guest(v, map.buffer, &ram, sizeof(ram)) ||
            copy_to_guest(v, arg, &map, sizeof(map)))
            return -XEN_EFAULT;
        return 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}

/* ---- teardown ---- */

/* A dying domain's teardown stops for a timer tick only (its vCPU has no
 * events to take any more). */
static int teardown_preempt(void)
{
    return inb(0x20) & 1;
}

static int teardown_preempt_op(void *ctx)
{
    (void)ctx;
    return teardown_preempt();
}

int domain_release_memory(struct domain *d)
{
    struct vcpu *v = &d->vcpu;
    struct hcall_cont *c = &v->cont;
    unsigned leaks = 0, frames = 0, granted = 0;
    struct mm_ops ops = hv_mm_ops;
    ops.preempt = teardown_preempt_op;

    if (!c->release_started) {
        c->release_started = 1;
        c->release_next = 0;
        c->release_partial = c->old_table != 0;
        release_ldt(v);
        for (uint32_t i = 0; i < v->gdt_nframes; i++)
            seg_desc_put(v->gdt_frames[i]);
        v->gdt_nframes = v->gdt_ents = 0;
    }
    /* Pieces as a hypercall's: a release that stops is finished first, then
     * the base pointer, the pins and the tables a preempted hypercall left
     * partial (never made again), frame by frame. */
    for (;;) {
        if (c->old_table) {
            if (page_table_put_partial(&ops, c->old_table, 1))
                return 1;
            c->old_table = 0;
        }
        if (v->l3_mfn) {
            uint32_t l3 = v->l3_mfn;
            v->l3_mfn = 0;
            page_table_put_preemptible(&ops, l3, &c->old_table);
            continue;
        }
        if (c->release_next >= max_mfn)
            break;
        uint32_t m = c->release_next++;
        struct page_info *pg = &frame_table[m];
        if (pg->owner == d->id && (pg->flags & PGF_PINNED))
            page_table_unpin_preemptible(&ops, d->id, m, &c->old_table);
        else if (pg->owner == d->id && (pg->flags & PGF_PARTIAL)) {
            c->release_partial++;
            c->old_table = m;
        }
        if ((c->release_next & 1023) == 0 && teardown_preempt())
            return 1;
    }
    if (c->release_partial)
        printk("d%u: %u page tables left partly validated or released by a preempted "
               "hypercall: released\n", d->id, (unsigned)c->release_partial);
    for (uint32_t m = 0; m < max_mfn; m++) {
        struct page_info *pg = &frame_table[m];
        if (pg->owner != d->id)
            continue;
        frames++;
        if (pg->count || pg->type_count) {
            /* Others' grant maps keep it alive until they unmap (core/grant.c). */
            uint32_t gc, gt;
            grant_refs_on_frame(d->id, m, &gc, &gt);
            if (pg->count <= gc && pg->type_count <= gt) {
                granted++;
                continue;
            }
            if (leaks++ < 8)
                printk("d%u: frame %#x still has %u references, %u of type %s\n", d->id,
                       m, (unsigned)pg->count, (unsigned)pg->type_count,
                       page_type_name(pg->type));
        }
    }
    if (leaks)
        printk("d%u: memory released: %u of %u frames still referenced\n", d->id, leaks, frames);
    else if (granted)
        printk("d%u: memory released: %u frames, no reference left but other domains' grant "
               "maps of %u (freed when they unmap)\n", d->id, frames, granted);
    else
        printk("d%u: memory released: %u frames, no reference left\n", d->id, frames);
    return 0;
}
