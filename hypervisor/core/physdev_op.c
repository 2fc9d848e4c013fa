/*
 * physdev_op and physdev_op_compat: the hypercalls, over the pure rules of
 * core/physdev.c (which say what Xen answers) and pv86's domain state.
 */
#include <pv86/errno.h>
#include <pv86/xen.h>

#include "core/domain.h"
#include "core/hypercall.h"
#include "core/physdev.h"
#include "mm/mm.h"

static int pd_read(void *ctx, void *dst, uint32_t va, uint32_t len)
{
    return copy_from_guest(ctx, dst, va, len);
}

static int pd_write(void *ctx, uint32_t va, const void *src, uint32_t len)
{
    return copy_to_guest(ctx, va, src, len);
}

static int pd_domain_exists(void *ctx, uint32_t domid)
{
    struct vcpu *v = ctx;
    if (domid == DOMID_SELF)
        return 1;
    struct domain *d = domain_by_id((uint16_t)domid);
    return domid <= 0xFFFF && d && d != v->domain ? (d->state == DOM_RUNNABLE ||
                                                    d->state == DOM_BLOCKED)
                                                 : d == v->domain;
}

/* Xen: get_page_from_gfn (the caller's frame), get_page_type(writable),
 * then one registration only. The reference is held until teardown. */
static int pd_eoi_map(void *ctx, uint32_t gmfn)
{
    struct vcpu *v = ctx;
    struct domain *d = v->domain;
    struct page_info *pg = hv_mm_ops.page(hv_mm_ops.ctx, gmfn);
    if (!pg || pg->owner != d->id || page_get_type(pg, PGT_writable))
        return -XEN_EINVAL;
    page_put_type(pg);
    if (d->guest_ptrs.mfn[GUEST_PTR_PIRQ_EOI])
        return -XEN_EBUSY;
    return guest_ptr_take(&hv_mm_ops, &d->guest_ptrs, d->id, GUEST_PTR_PIRQ_EOI, gmfn)
           ? -XEN_EINVAL : 0;
}

static const struct physdev_ops *ops_for(struct vcpu *v, struct physdev_ops *o)
{
    o->ctx = v;
    o->read = pd_read;
    o->write = pd_write;
    o->domain_exists = pd_domain_exists;
    o->eoi_map = pd_eoi_map;
    return o;
}

int32_t do_physdev_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3,
                      uint32_t a4, uint32_t a5)
{
    struct physdev_ops o;
    (void)a3, (void)a4, (void)a5;
    return physdev_op(ops_for(v, &o), &v->priv.physdev, &v->domain->priv.physdev, cmd, arg);
}

int32_t do_physdev_op_compat(struct vcpu *v, uint32_t uop, uint32_t a2, uint32_t a3,
                             uint32_t a4, uint32_t a5)
{
    struct physdev_ops o;
    (void)a2, (void)a3, (void)a4, (void)a5;
    return physdev_op_compat(ops_for(v, &o), &v->priv.physdev, &v->domain->priv.physdev, uop);
}
