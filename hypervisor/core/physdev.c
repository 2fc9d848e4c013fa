/* physdev: Xen's physdev_op for an unprivileged PV guest (physdev.h). Pure.
 *
 * One table row per sub-op: how many bytes of argument Xen copies in first
 * (-EFAULT if it cannot), then what it answers. Where Xen refuses at its
 * XSM check before reading the argument, the row copies nothing. */
#include "core/physdev.h"

#include <pv86/errno.h>
#include <pv86/physdev.h>
#include <string.h>

#include "mm/pte.h"

#define IOPL_SHIFT 12

enum pd_kind {
    PD_ENOSYS = 0,      /* not a sub-op (Xen's default) */
    PD_EPERM,           /* refused before the argument is read */
    PD_COPY_EPERM,      /* read the argument, then refused (XSM_PRIV/DM_PRIV) */
    PD_COPY_ENODEV,     /* read the argument; no such PCI device */
    PD_FN,              /* its own function below */
};

struct pd_call {
    const struct physdev_ops *ops;
    struct physdev_vcpu *pv;
    struct physdev_domain *pd;
    uint32_t cmd, arg;
    uint8_t buf[36];    /* the argument as read */
};

typedef int32_t pd_fn(struct pd_call *c);

static int32_t put_back(struct pd_call *c, uint32_t len, int32_t ret)
{
    return c->ops->write(c->ops->ctx, c->arg, c->buf, len) ? -XEN_EFAULT : ret;
}

static int32_t unmask_notify(struct pd_call *c)
{
    (void)c;
    return 0;               /* pirq_guest_unmask: nothing bound, nothing to do */
}

static int32_t irq_status_query(struct pd_call *c)
{
    struct physdev_irq_status_query q;
    memcpy(&q, c->buf, sizeof(q));
    if ((int32_t)q.irq < 0 || (int32_t)q.irq >= PHYSDEV_NR_PIRQS)
        return -XEN_EINVAL;
    q.flags = XENIRQSTAT_needs_eoi;     /* never shared: no pirq is bound */
    memcpy(c->buf, &q, sizeof(q));
    return put_back(c, sizeof(q), 0);
}

static int32_t set_iopl(struct pd_call *c)
{
    struct physdev_set_iopl s;
    memcpy(&s, c->buf, sizeof(s));
    if (s.iopl > 3)
        return -XEN_EINVAL;
    c->pv->iopl = s.iopl << IOPL_SHIFT;
    return 0;
}

static int32_t set_iobitmap(struct pd_call *c)
{
    struct physdev_set_iobitmap s;
    memcpy(&s, c->buf, sizeof(s));
    /* Xen checks only that the 8 KiB lie below the hypervisor area. */
    if (guest_range_ok(s.bitmap, PHYSDEV_IOBMP_BYTES) || s.nr_ports > 65536)
        return -XEN_EINVAL;
    c->pv->iobmp = s.bitmap;
    c->pv->iobmp_nr = s.nr_ports;
    return 0;
}

static int pirq_taken(const struct physdev_domain *pd, unsigned pirq)
{
    return (pd->pirq_allocated >> pirq) & 1;
}

static int32_t eoi(struct pd_call *c)
{
    struct physdev_eoi e;
    memcpy(&e, c->buf, sizeof(e));
    /* An allocated pirq has no IRQ behind it: the EOI does nothing. */
    if (e.irq >= PHYSDEV_NR_PIRQS || !pirq_taken(c->pd, e.irq))
        return -XEN_EINVAL;
    return 0;
}

static int32_t eoi_gmfn(struct pd_call *c)
{
    struct physdev_pirq_eoi_gmfn g;
    memcpy(&g, c->buf, sizeof(g));
    int rc = c->ops->eoi_map(c->ops->ctx, g.gmfn);
    if (rc)
        return rc;
    if (c->cmd == PHYSDEVOP_pirq_eoi_gmfn_v1)
        c->pd->auto_unmask = 1;
    return 0;
}

static int32_t domain_refusal(struct pd_call *c, domid_t domid)
{
    return c->ops->domain_exists(c->ops->ctx, domid) ? -XEN_EPERM : -XEN_ESRCH;
}

static int32_t map_pirq(struct pd_call *c)
{
    struct physdev_map_pirq m;
    memcpy(&m, c->buf, sizeof(m));
    if (m.type == MAP_PIRQ_TYPE_MULTI_MSI && (m.table_base[0] | m.table_base[1]))
        return -XEN_EINVAL;             /* Xen returns before writing back */
    if (m.type == MAP_PIRQ_TYPE_MSI_SEG)
        m.type = MAP_PIRQ_TYPE_MSI;     /* and writes the converted type back */
    int32_t ret = domain_refusal(c, m.domid);
    memcpy(c->buf, &m, sizeof(m));
    return put_back(c, sizeof(m), ret);
}

static int32_t unmap_pirq(struct pd_call *c)
{
    struct physdev_unmap_pirq u;
    memcpy(&u, c->buf, sizeof(u));
    return domain_refusal(c, u.domid);
}

static int32_t manage_pci_add_ext(struct pd_call *c)
{
    struct physdev_manage_pci_ext m;
    memcpy(&m, c->buf, sizeof(m));
    if (m.is_extfn > 1 || m.is_virtfn > 1)
        return -XEN_EINVAL;
    return -XEN_EPERM;                  /* pci_add_device's XSM check */
}

static int32_t pci_device_add(struct pd_call *c)
{
    struct physdev_pci_device_add a;
    uint32_t pxm;
    memcpy(&a, c->buf, sizeof(a));
    if ((a.flags & XEN_PCI_DEV_PXM) &&
        c->ops->read(c->ops->ctx, &pxm, c->arg + (uint32_t)sizeof(a), sizeof(pxm)))
        return -XEN_EFAULT;
    return -XEN_EPERM;
}

static int32_t setup_gsi(struct pd_call *c)
{
    struct physdev_setup_gsi s;
    memcpy(&s, c->buf, sizeof(s));
    if (s.gsi < 0 || s.gsi >= PHYSDEV_NR_GSIS)
        return -XEN_EINVAL;
    return -XEN_EPERM;
}

/* Xen's get_free_pirq: a GSI-type request takes the lowest free pirq above
 * the ISA IRQs among the GSIs; every request then falls back to the
 * highest free one above the GSIs. */
static int32_t get_free_pirq(struct pd_call *c)
{
    struct physdev_get_free_pirq g;
    int pirq = -1;
    memcpy(&g, c->buf, sizeof(g));
    if (g.type == MAP_PIRQ_TYPE_GSI)
        for (int i = 16; i < PHYSDEV_NR_GSIS && pirq < 0; i++)
            if (!pirq_taken(c->pd, (unsigned)i))
                pirq = i;
    for (int i = PHYSDEV_NR_PIRQS - 1; i >= PHYSDEV_NR_GSIS && pirq < 0; i--)
        if (!pirq_taken(c->pd, (unsigned)i))
            pirq = i;
    if (pirq < 0)
        return -XEN_ENOSPC;
    c->pd->pirq_allocated |= 1ull << pirq;
    g.pirq = (uint32_t)pirq;
    memcpy(c->buf, &g, sizeof(g));
    return put_back(c, sizeof(g), 0);
}

static const struct pd_row {
    uint8_t kind;
    uint8_t size;           /* bytes of argument read first */
    pd_fn *fn;
} rows[] = {
    [PHYSDEVOP_IRQ_UNMASK_NOTIFY]  = { PD_FN, 0, unmask_notify },
    [PHYSDEVOP_irq_status_query]   = { PD_FN, 8, irq_status_query },
    [PHYSDEVOP_set_iopl]           = { PD_FN, 4, set_iopl },
    [PHYSDEVOP_set_iobitmap]       = { PD_FN, 8, set_iobitmap },
    [PHYSDEVOP_apic_read]          = { PD_COPY_EPERM, 12, NULL },
    [PHYSDEVOP_apic_write]         = { PD_COPY_EPERM, 12, NULL },
    [PHYSDEVOP_alloc_irq_vector]   = { PD_COPY_EPERM, 8, NULL },
    [PHYSDEVOP_eoi]                = { PD_FN, 4, eoi },
    [PHYSDEVOP_map_pirq]           = { PD_FN, 36, map_pirq },
    [PHYSDEVOP_unmap_pirq]         = { PD_FN, 8, unmap_pirq },
    [PHYSDEVOP_manage_pci_add]     = { PD_COPY_EPERM, 2, NULL },
    [PHYSDEVOP_manage_pci_remove]  = { PD_COPY_EPERM, 2, NULL },
    [PHYSDEVOP_pirq_eoi_gmfn_v1]   = { PD_FN, 4, eoi_gmfn },
    [PHYSDEVOP_restore_msi]        = { PD_COPY_ENODEV, 2, NULL },
    [PHYSDEVOP_manage_pci_add_ext] = { PD_FN, 16, manage_pci_add_ext },
    [PHYSDEVOP_setup_gsi]          = { PD_FN, 8, setup_gsi },
    [PHYSDEVOP_get_free_pirq]      = { PD_FN, 8, get_free_pirq },
    [PHYSDEVOP_pci_mmcfg_reserved] = { PD_EPERM, 0, NULL },
    [PHYSDEVOP_pci_device_add]     = { PD_FN, 12, pci_device_add },
    [PHYSDEVOP_pci_device_remove]  = { PD_COPY_EPERM, 4, NULL },
    [PHYSDEVOP_restore_msi_ext]    = { PD_COPY_ENODEV, 4, NULL },
    [PHYSDEVOP_pirq_eoi_gmfn_v2]   = { PD_FN, 4, eoi_gmfn },
    [PHYSDEVOP_dbgp_op]            = { PD_EPERM, 0, NULL },
    [PHYSDEVOP_prepare_msix]       = { PD_COPY_EPERM, 4, NULL },
    [PHYSDEVOP_release_msix]       = { PD_COPY_EPERM, 4, NULL },
};

int32_t physdev_op(const struct physdev_ops *ops, struct physdev_vcpu *pv,
                   struct physdev_domain *pd, uint32_t cmd, uint32_t arg)
{
    struct pd_call c = { ops, pv, pd, cmd, arg, { 0 } };
    if (cmd >= sizeof(rows) / sizeof(rows[0]) || rows[cmd].kind == PD_ENOSYS)
        return -XEN_ENOSYS;
    const struct pd_row *r = &rows[cmd];
    if (r->kind == PD_EPERM)
        return -XEN_EPERM;
    if (r->size && ops->read(ops->ctx, c.buf, arg, r->size))
        return -XEN_EFAULT;
    switch (r->kind) {
    case PD_COPY_EPERM:
        return -XEN_EPERM;
    case PD_COPY_ENODEV:
        return -XEN_ENODEV;
    default:
        return r->fn(&c);
    }
}

int32_t physdev_op_compat(const struct physdev_ops *ops, struct physdev_vcpu *pv,
                          struct physdev_domain *pd, uint32_t uop)
{
    struct physdev_op op;
    if (ops->read(ops->ctx, &op, uop, sizeof(op)))
        return -XEN_EFAULT;
    return physdev_op(ops, pv, pd, op.cmd, uop + 4);
}
