/*
 * grant: grant tables v1 at run time (see grant.h and docs/grant-tables.md).
 * The tables live here, one per domain, for as long as the hypervisor
 * runs: a dead domain's entries that others still map stay pinned until
 * they unmap. Each op reads the guest's request, asks core/grant_rules.c,
 * and writes the answer back; host mappings go into the mapper's current
 * page tables under the rules of mm/ (the L1 must be one of its validated
 * L1s, the entry replaced is released as mmu_update releases it).
 */
#include "core/grant.h"

#include <pv86/errno.h>
#include <pv86/grant_table.h>
#include <pv86/xen.h>
#include <string.h>

#include "core/console.h"
#include "core/domain.h"
#include "core/grant_rules.h"
#include "core/hypercall.h"
#include "mm/mm.h"
#include "mm/pagetable.h"

static struct gnt_table gnt_tables[MAX_DOMAINS];

/* The table's frames up to n (hypervisor pages the owner may map, each
 * held as a guest pointer). GNTST_okay or GNTST_general_error. */
static int grow(struct domain *d, struct gnt_table *t, uint32_t n)
{
    while (t->nr_frames < n) {
        uint32_t mfn, i = t->nr_frames;
        if (mm_alloc_frame(d->id, &mfn))
            return GNTST_general_error;
        frame_table[mfn].flags |= PGF_XENHEAP;
        if (guest_ptr_take(&hv_mm_ops, &d->guest_ptrs, d->id,
                           (enum guest_ptr_kind)(GUEST_PTR_GRANT0 + i), mfn)) {
            frame_table[mfn].flags = 0;
            return GNTST_general_error;     /* never: a fresh frame of d's */
        }
        t->frame_mfn[i] = mfn;
        t->shared[i] = mfn_to_virt(mfn);
        t->nr_frames = i + 1;
    }
    return GNTST_okay;
}

static int is_live_pv(const struct domain *d)
{
    return d && !d->mode && (d->state == DOM_RUNNABLE || d->state == DOM_BLOCKED);
}

/* Domain id's table; a live PV domain's gets its first frame on first use
 * (Xen gives every domain one at creation: the same to any observer). */
static struct gnt_table *table_of(uint16_t id)
{
    struct domain *d = domain_by_id(id);
    if (!d || d->state == DOM_FREE)
        return NULL;
    struct gnt_table *t = &gnt_tables[id - 1];
    t->domid = id;
    if (!t->nr_frames && !t->dying) {
        if (!is_live_pv(d) || grow(d, t, 1) != GNTST_okay)
            return NULL;
    }
    return t;
}

/* ---- the mapper's page tables ---- */

static int l1_slot(struct vcpu *v, uint64_t va, uint64_t **slot)
{
    mfn_t l1;
    unsigned idx;
    if (va >= HYPERVISOR_VIRT_START)
        return GNTST_general_error;
    if (guest_l1e_slot(&hv_mm_ops, v->l3_mfn, (uint32_t)va, &l1, &idx))
        return GNTST_general_error;               /* Xen: "Could not find L1 PTE" */
    struct page_info *pg = hv_mm_ops.page(NULL, l1);
    if (!pg || pg->owner != v->domain->id || pg->type != PGT_l1 || !pg->type_count ||
        (pg->flags & PGF_PARTIAL))
        return GNTST_general_error;
    *slot = (uint64_t *)mfn_to_virt((uint32_t)l1) + idx;
    walk_cache_entry_changed(pg, l1, *slot);   /* the caller writes it (mm/pte.h) */
    return GNTST_okay;
}

static int pte_install(void *ctx, uint64_t va, uint32_t mfn, uint32_t flags)
{
    uint64_t *slot;
    int rc = l1_slot(ctx, va, &slot);
    if (rc != GNTST_okay)
        return rc;
    uint64_t e = ((uint64_t)mfn << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_DIRTY;
    if (!(flags & GNTMAP_readonly))
        e |= _PAGE_RW;
    if (flags & GNTMAP_application_map)
        e |= _PAGE_USER;
    uint64_t old = *slot;
    *slot = e;
    l1e_put(&hv_mm_ops, old);          /* as mmu_update releases what it replaces */
    return GNTST_okay;                 /* the CR3 load on the way out flushes */
}

static int pte_remove(void *ctx, uint64_t va, uint32_t mfn, int readonly)
{
    uint64_t *slot;
    int rc = l1_slot(ctx, va, &slot);
    if (rc != GNTST_okay)
        return rc;
    uint64_t e = *slot;
    /* Xen: "PTE entry for address doesn't match frame"; pv86 also wants the
     * entry's RW to be the map's, so that the references it gives back
     * are the ones it holds (docs/xen-deviations.md). */
    if (!(pte_flags(e) & _PAGE_PRESENT) || pte_mfn(e) != mfn ||
        !!(pte_flags(e) & _PAGE_RW) != !readonly)
        return GNTST_general_error;
    *slot = 0;
    return GNTST_okay;
}

static struct gnt_table *ops_table(void *ctx, uint16_t domid)
{
    (void)ctx;
    return table_of(domid);
}

/* A dead granter's frame whose last reference went is freed now. */
static void frame_released(void *ctx, uint32_t mfn)
{
    (void)ctx;
    uint16_t owner = mfn < max_mfn ? frame_table[mfn].owner : DOMID_FREE;
    if (mm_free_orphan_frame(mfn))
        printk("d%u: granted frame %#x freed: its last mapping is gone\n", (unsigned)owner,
               (unsigned)mfn);
}

static struct gnt_ops ops_for(struct vcpu *v)
{
    struct gnt_ops o = { &hv_mm_ops, pte_install, pte_remove, ops_table, NULL, v };
    o.frame_released = NULL;
    return o;
}

/* ---- the hypercall ---- */

static int range_ok(uint32_t va, uint32_t count, uint32_t size)
{
    uint64_t len = (uint64_t)count * size;
    return len <= HYPERVISOR_VIRT_START && !guest_range_ok(va, (uint32_t)len);
}

/* The target of setup_table, query_size, get_status_frames: DOMID_SELF or
 * one's own id, or (the control domain, XSM_TARGET) another. */
static int target(struct vcpu *v, uint16_t dom, struct gnt_table **t, struct domain **td)
{
    struct domain *d = dom == DOMID_SELF ? v->domain : domain_by_id(dom);
    if (!is_live_pv(d))
        return GNTST_bad_domain;
    if (d != v->domain && !(v->domain->flags & SIF_PRIVILEGED))
        return GNTST_permission_denied;
    *t = table_of(d->id);
    *td = d;
    return *t ? GNTST_okay : GNTST_general_error;
}

static int32_t cont(struct vcpu *v, uint32_t cmd, uint32_t uop, uint32_t count)
{
    uint32_t args[3] = { cmd, uop, count };
    return hypercall_create_continuation(v, __HYPERVISOR_grant_table_op, 3, args);
}

static int32_t op_map(struct vcpu *v, struct gnt_table *lt, uint32_t uop, uint32_t count)
{
    struct gnt_ops o = ops_for(v);
    o.frame_released = frame_released;
    if (!range_ok(uop, count, sizeof(struct gnttab_map_grant_ref)))
        return -XEN_EFAULT;
    for (uint32_t i = 0; i < count; i++, uop += sizeof(struct gnttab_map_grant_ref)) {
        if (i && hypercall_preempt_check())
            return cont(v, GNTTABOP_map_grant_ref, uop, count - i);
        struct gnttab_map_grant_ref op;
        if (copy_from_guest(v, &op, uop, sizeof(op)))
            return -XEN_EFAULT;
        /* By id only, as Xen's rcu_lock_domain_by_id: DOMID_SELF is no
         * domain here (GNTST_bad_domain); one's own id maps one's own grant. */
        struct gnt_table *rt = table_of(op.dom);
        if (op.flags & GNTMAP_contains_pte)
            op.status = GNTST_general_error;        /* not in pv86: docs/xen-deviations.md */
        else
            gnt_map(&o, lt, rt, &op);
        if (copy_to_guest(v, uop, &op, sizeof(op)))
            return -XEN_EFAULT;
    }
    return 0;
}

/* unmap_grant_ref and unmap_and_replace: the same but for new_addr. */
static int32_t op_unmap(struct vcpu *v, struct gnt_table *lt, uint32_t cmd, uint32_t uop,
                        uint32_t count)
{
    struct gnt_ops o = ops_for(v);
    o.frame_released = frame_released;
    uint32_t size = cmd == GNTTABOP_unmap_grant_ref ? sizeof(struct gnttab_unmap_grant_ref)
                                                    : sizeof(struct gnttab_unmap_and_replace);
    if (!range_ok(uop, count, size))
        return -XEN_EFAULT;
    for (uint32_t i = 0; i < count; i++, uop += size) {
        if (i && hypercall_preempt_check())
            return cont(v, cmd, uop, count - i);
        struct gnttab_unmap_and_replace op;     /* both: host_addr, u64, handle, status */
        if (copy_from_guest(v, &op, uop, size))
            return -XEN_EFAULT;
        if (cmd == GNTTABOP_unmap_grant_ref)
            op.status = (int16_t)gnt_unmap(&o, lt, op.host_addr, op.new_addr, op.handle);
        else if (op.new_addr)
            op.status = GNTST_general_error;    /* replace: not in pv86 */
        else
            op.status = (int16_t)gnt_unmap(&o, lt, op.host_addr, 0, op.handle);
        if (copy_to_guest(v, uop + 20, &op.status, sizeof(op.status)))
            return -XEN_EFAULT;
    }
    return 0;
}

static int32_t op_copy(struct vcpu *v, struct gnt_table *lt, uint32_t uop, uint32_t count)
{
    struct gnt_ops o = ops_for(v);
    o.frame_released = frame_released;
    if (!range_ok(uop, count, sizeof(struct gnttab_copy)))
        return -XEN_EFAULT;
    for (uint32_t i = 0; i < count; i++, uop += sizeof(struct gnttab_copy)) {
        if (i && hypercall_preempt_check())
            return cont(v, GNTTABOP_copy, uop, count - i);
        struct gnttab_copy op;
        if (copy_from_guest(v, &op, uop, sizeof(op)))
            return -XEN_EFAULT;
        gnt_copy(&o, lt, &op);
        if (copy_to_guest(v, uop + 20, &op.status, sizeof(op.status)))
            return -XEN_EFAULT;
    }
    return 0;
}

/* transfer: pv86 moves no frame between domains. A frame that is not the
 * caller's is GNTST_bad_page, as in Xen; any other GNTST_general_error,
 * and the frame stays the caller's. */
static int32_t op_transfer(struct vcpu *v, uint32_t uop, uint32_t count)
{
    if (!range_ok(uop, count, sizeof(struct gnttab_transfer)))
        return -XEN_EFAULT;
    for (uint32_t i = 0; i < count; i++, uop += sizeof(struct gnttab_transfer)) {
        if (i && hypercall_preempt_check())
            return cont(v, GNTTABOP_transfer, uop, count - i);
        struct gnttab_transfer op;
        if (copy_from_guest(v, &op, uop, sizeof(op)))
            return -XEN_EFAULT;
        struct page_info *pg = hv_mm_ops.page(NULL, op.mfn);
        op.status = !pg || pg->owner != v->domain->id ? GNTST_bad_page : GNTST_general_error;
        if (copy_to_guest(v, uop + 12, &op.status, sizeof(op.status)))
            return -XEN_EFAULT;
    }
    return 0;
}

static int32_t op_setup(struct vcpu *v, uint32_t uop, uint32_t count)
{
    struct gnttab_setup_table op;
    struct gnt_table *t = NULL;
    struct domain *d = NULL;
    if (count != 1)
        return -XEN_EINVAL;
    if (copy_from_guest(v, &op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!range_ok(op.frame_list, op.nr_frames, 4))
        return -XEN_EFAULT;
    op.status = (int16_t)target(v, op.dom, &t, &d);
    if (op.status == GNTST_okay)
        op.status = (int16_t)gnt_setup_check(op.nr_frames);
    if (op.status == GNTST_okay && !t->dying)
        op.status = (int16_t)grow(d, t, op.nr_frames);
    if (op.status == GNTST_okay) {
        for (uint32_t i = 0; i < op.nr_frames; i++)
            if (copy_to_guest(v, op.frame_list + i * 4, &t->frame_mfn[i], 4))
                op.status = GNTST_bad_virt_addr;
    }
    return copy_to_guest(v, uop + 8, &op.status, sizeof(op.status)) ? -XEN_EFAULT : 0;
}

static int32_t op_query(struct vcpu *v, uint32_t uop, uint32_t count)
{
    struct gnttab_query_size op;
    struct gnt_table *t = NULL;
    struct domain *d = NULL;
    if (count != 1)
        return -XEN_EINVAL;
    if (copy_from_guest(v, &op, uop, sizeof(op)))
        return -XEN_EFAULT;
    op.status = (int16_t)target(v, op.dom, &t, &d);
    if (op.status == GNTST_okay) {
        op.nr_frames = t->nr_frames;
        op.max_nr_frames = GNT_MAX_FRAMES;
    }
    return copy_to_guest(v, uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

static int32_t op_status_frames(struct vcpu *v, uint32_t uop, uint32_t count)
{
    struct gnttab_get_status_frames op;
    struct gnt_table *t = NULL;
    struct domain *d = NULL;
    if (count != 1)
        return -XEN_EINVAL;
    if (copy_from_guest(v, &op, uop, sizeof(op)))
        return -XEN_EFAULT;
    if (!range_ok(op.frame_list, op.nr_frames, 8))
        return -XEN_EFAULT;
    op.status = (int16_t)target(v, op.dom, &t, &d);
    if (op.status == GNTST_okay)
        op.status = (int16_t)gnt_status_frames_check(op.nr_frames);
    return copy_to_guest(v, uop + 6, &op.status, sizeof(op.status)) ? -XEN_EFAULT : 0;
}

static int32_t op_set_version(struct vcpu *v, uint32_t uop)
{
    struct gnttab_set_version op;
    if (copy_from_guest(v, &op, uop, sizeof(op)))
        return -XEN_EFAULT;
    int32_t rc = gnt_set_version(&op.version);
    return copy_to_guest(v, uop, &op, sizeof(op)) ? -XEN_EFAULT : rc;
}

static int32_t op_get_version(struct vcpu *v, uint32_t uop, uint32_t count)
{
    struct gnttab_get_version op;
    if (count != 1)
        return -XEN_EINVAL;
    if (copy_from_guest(v, &op, uop, sizeof(op)))
        return -XEN_EFAULT;
    struct domain *d = op.dom == DOMID_SELF ? v->domain : domain_by_id(op.dom);
    if (!d || d->state == DOM_FREE)
        return -XEN_ESRCH;
    if (d != v->domain && !(v->domain->flags & SIF_PRIVILEGED))
        return -XEN_EPERM;
    op.version = 1;
    return copy_to_guest(v, uop, &op, sizeof(op)) ? -XEN_EFAULT : 0;
}

int32_t do_grant_table_op(struct vcpu *v, uint32_t cmd, uint32_t uop, uint32_t count,
                          uint32_t a4, uint32_t a5)
{
    (void)a4, (void)a5;
    if ((int32_t)count < 0)
        return -XEN_EINVAL;                 /* Xen's first check, for every op */
    if (cmd & ~GNTTABOP_CMD_MASK)
        return -XEN_EINVAL;                 /* no op of pv86's carries progress there */
    struct gnt_table *lt = table_of(v->domain->id);
    if (!lt)
        return -XEN_ENOMEM;                 /* no frame for the caller's own table */
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        return op_map(v, lt, uop, count);
    case GNTTABOP_unmap_grant_ref:
    case GNTTABOP_unmap_and_replace:
        return op_unmap(v, lt, cmd, uop, count);
    case GNTTABOP_setup_table:
        return op_setup(v, uop, count);
    case GNTTABOP_transfer:
        return op_transfer(v, uop, count);
    case GNTTABOP_copy:
        return op_copy(v, lt, uop, count);
    case GNTTABOP_query_size:
        return op_query(v, uop, count);
    case GNTTABOP_set_version:
        return op_set_version(v, uop);
    case GNTTABOP_get_status_frames:
        return op_status_frames(v, uop, count);
    case GNTTABOP_get_version:
        return op_get_version(v, uop, count);
    default:
        return -XEN_ENOSYS;
    }
}

/* ---- the builder and teardown ---- */

int grant_builder_reserve(struct domain *d, unsigned ref, uint16_t to_domid, uint32_t gmfn,
                          int readonly)
{
    /* A PV domain being built (not yet scheduled) or running. */
    if (!d || d->mode || d->state == DOM_DYING || d->state == DOM_DEAD ||
        ref >= GNT_ENTRIES_PER_FRAME)
        return -XEN_EINVAL;
    struct page_info *pg = hv_mm_ops.page(NULL, gmfn);
    if (!pg || pg->owner != d->id)
        return -XEN_EINVAL;
    struct gnt_table *t = &gnt_tables[d->id - 1];
    t->domid = d->id;
    if (t->dying)
        return -XEN_EINVAL;
    if (!t->nr_frames && grow(d, t, 1) != GNTST_okay)
        return -XEN_ENOMEM;
    if (t->active[ref].pin)
        return -XEN_EBUSY;
    struct grant_entry_v1 *e = gnt_entry(t, ref);
    e->domid = to_domid;
    e->frame = gmfn;
    __atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
                     __ATOMIC_SEQ_CST);
    return 0;
}

void grant_domain_stop(struct domain *d)
{
    struct gnt_table *t = &gnt_tables[d->id - 1];
    struct gnt_ops o = ops_for(&d->vcpu);
    o.frame_released = frame_released;
    unsigned n = gnt_release_mappings(&o, t);
    if (n)
        printk("d%u: %u grant maps of other domains' frames dropped\n", d->id, n);
    t->dying = 1;                       /* its frames are not written any more */
    for (unsigned i = 0; i < GNT_MAX_FRAMES; i++)
        t->shared[i] = NULL;
}

void grant_refs_on_frame(uint16_t dom, uint32_t mfn, uint32_t *count, uint32_t *type_count)
{
    *count = *type_count = 0;
    if (dom >= 1 && dom <= MAX_DOMAINS)
        gnt_refs_on_frame(&gnt_tables[dom - 1], mfn, count, type_count);
}

const struct gnt_table *grant_table_peek(uint16_t domid)
{
    struct domain *d = domain_by_id(domid);
    if (!d || d->state == DOM_FREE)
        return NULL;
    return &gnt_tables[domid - 1];         /* no frame made: only a look */
}
