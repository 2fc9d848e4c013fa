/* evtchn: 2-level event channels, with Xen's argument checks (see evtchn.h). */
#include "core/evtchn.h"

#include <pv86/errno.h>
#include <string.h>

void evtchn_init(struct evtchn_domain *ed, uint16_t id, struct shared_info *shared)
{
    memset(ed, 0, sizeof(*ed));
    ed->id = id;
    ed->shared = shared;
    ed->valid = EVTCHN_BUCKET;           /* Xen allocates the first bucket at once */
}

/* Xen's port_is_valid: in a bucket that exists (port 0, reserved, is). */
static int valid(const struct evtchn_domain *ed, uint32_t port)
{
    return port < ed->valid;
}

/* Xen's get_free_port: the first free port from 1 up; the first port past
 * the valid ones brings its bucket into being, even if the caller then
 * fails (as Xen's does: the bucket stays). */
static int alloc_port(struct evtchn_domain *ed, uint32_t *port)
{
    for (uint32_t p = 1; p < EVTCHN_PORTS; p++) {
        if (p >= ed->valid) {
            ed->valid += EVTCHN_BUCKET;
            *port = p;
            return 0;
        }
        if (ed->ports[p].state == ECS_FREE) {
            *port = p;
            return 0;
        }
    }
    return -XEN_ENOSPC;
}

/* Xen's 2-level rule: the selector bit is set once per word; only the
 * change from clear to set marks the vCPU's upcall pending. */
static void mark_upcall(const struct evtchn_ops *ops, struct evtchn_domain *ed, uint32_t word)
{
    struct vcpu_info *vi = &ed->shared->vcpu_info[0];
    if (vi->evtchn_pending_sel & (1u << word))
        return;
    vi->evtchn_pending_sel |= 1u << word;
    if (!vi->evtchn_upcall_pending) {
        vi->evtchn_upcall_pending = 1;
        ops->kick(ops->ctx, ed->id);
    }
}

void evtchn_set_pending(const struct evtchn_ops *ops, struct evtchn_domain *ed, uint32_t port)
{
    uint32_t word = port / 32, bit = 1u << (port % 32);
    struct shared_info *sh = ed->shared;
    if (sh->evtchn_pending[word] & bit)
        return;                          /* pending already: delivered once */
    sh->evtchn_pending[word] |= bit;
    if (!(sh->evtchn_mask[word] & bit))
        mark_upcall(ops, ed, word);      /* masked: UNMASK delivers it */
    ops->port_pending(ops->ctx, ed->id, port);
}

int evtchn_is_pending(const struct evtchn_domain *ed, uint32_t port)
{
    return port > 0 && port < EVTCHN_PORTS &&
           (ed->shared->evtchn_pending[port / 32] >> (port % 32)) & 1;
}

int evtchn_virq_is_global(uint32_t virq)
{
    return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF &&
           virq != VIRQ_XENPMU;
}

int evtchn_send_virq(const struct evtchn_ops *ops, struct evtchn_domain *ed, uint32_t virq)
{
    if (virq >= NR_VIRQS || !ed->virq_port[virq])
        return 0;
    evtchn_set_pending(ops, ed, ed->virq_port[virq]);
    return 1;
}

int evtchn_alloc_unbound(struct evtchn_domain *ed, uint16_t remote_dom, int allowed,
                         uint32_t *port)
{
    int rc = alloc_port(ed, port);
    if (rc)
        return rc;
    if (!allowed)
        return -XEN_EPERM;               /* Xen asks XSM after taking the port */
    ed->ports[*port] = (struct evtchn){ ECS_UNBOUND, 0, remote_dom, 0 };
    return 0;
}

int evtchn_bind_interdomain(const struct evtchn_ops *ops, struct evtchn_domain *ed,
                            uint16_t remote_dom, uint32_t remote_port, uint32_t *port)
{
    struct evtchn_domain *rd = ops->domain(ops->ctx, remote_dom);
    if (!rd)
        return -XEN_ESRCH;
    int rc = alloc_port(ed, port);
    if (rc)
        return rc;
    if (!valid(rd, remote_port))
        return -XEN_EINVAL;
    struct evtchn *rp = &rd->ports[remote_port];
    if (rp->state != ECS_UNBOUND || rp->remote_dom != ed->id)
        return -XEN_EINVAL;
    ed->ports[*port] = (struct evtchn){ ECS_INTERDOMAIN, 0, rd->id, remote_port };
    *rp = (struct evtchn){ ECS_INTERDOMAIN, 0, ed->id, *port };
    /* A notification sent to the unbound port was lost: as Xen does, make
     * the new local end pending once. */
    evtchn_set_pending(ops, ed, *port);
    return 0;
}

int evtchn_bind_virq(struct evtchn_domain *ed, uint32_t virq, uint32_t vcpu, uint32_t *port)
{
    if (virq >= NR_VIRQS)
        return -XEN_EINVAL;
    if (evtchn_virq_is_global(virq) && vcpu != 0)
        return -XEN_EINVAL;
    if (vcpu != 0)
        return -XEN_ENOENT;
    if (ed->virq_port[virq])
        return -XEN_EEXIST;
    int rc = alloc_port(ed, port);
    if (rc)
        return rc;
    ed->ports[*port] = (struct evtchn){ ECS_VIRQ, (uint8_t)virq, 0, 0 };
    ed->virq_port[virq] = (uint16_t)*port;
    return 0;
}

int evtchn_bind_ipi(struct evtchn_domain *ed, uint32_t vcpu, uint32_t *port)
{
    if (vcpu != 0)
        return -XEN_ENOENT;
    int rc = alloc_port(ed, port);
    if (rc)
        return rc;
    ed->ports[*port] = (struct evtchn){ ECS_IPI, 0, 0, 0 };
    return 0;
}

int evtchn_bind_hypervisor(struct evtchn_domain *ed, uint32_t *port)
{
    int rc = alloc_port(ed, port);
    if (rc)
        return rc;
    ed->ports[*port] = (struct evtchn){ ECS_HYPERVISOR, 0, 0, 0 };
    return 0;
}

int evtchn_close(const struct evtchn_ops *ops, struct evtchn_domain *ed, uint32_t port)
{
    if (!valid(ed, port) || ed->ports[port].state == ECS_FREE)
        return -XEN_EINVAL;              /* port 0 is always free here: Xen's RESERVED */
    struct evtchn *c = &ed->ports[port];
    if (c->state == ECS_VIRQ)
        ed->virq_port[c->virq] = 0;
    if (c->state == ECS_INTERDOMAIN) {
        struct evtchn_domain *rd = ops->domain(ops->ctx, c->remote_dom);
        if (rd && rd->ports[c->remote_port].state == ECS_INTERDOMAIN &&
            rd->ports[c->remote_port].remote_dom == ed->id &&
            rd->ports[c->remote_port].remote_port == port)
            rd->ports[c->remote_port] = (struct evtchn){ ECS_UNBOUND, 0, ed->id, 0 };
    }
    *c = (struct evtchn){ ECS_FREE, 0, 0, 0 };
    /* Xen's evtchn_free: no stale event for the next bind of this port. */
    ed->shared->evtchn_pending[port / 32] &= ~(1u << (port % 32));
    return 0;
}

int evtchn_is_hypervisor_port(const struct evtchn_domain *ed, uint32_t port)
{
    return valid(ed, port) && ed->ports[port].state == ECS_HYPERVISOR;
}

int evtchn_send(const struct evtchn_ops *ops, struct evtchn_domain *ed, uint32_t port)
{
    if (!valid(ed, port))
        return -XEN_EINVAL;
    struct evtchn *c = &ed->ports[port];
    switch (c->state) {
    case ECS_INTERDOMAIN: {
        struct evtchn_domain *rd = ops->domain(ops->ctx, c->remote_dom);
        if (rd)
            evtchn_set_pending(ops, rd, c->remote_port);
        return 0;
    }
    case ECS_IPI:
        evtchn_set_pending(ops, ed, port);
        return 0;
    case ECS_UNBOUND:
        return 0;                        /* nobody there yet: dropped */
    case ECS_HYPERVISOR:
        ops->notify_hypervisor(ops->ctx, ed->id, port);
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

int evtchn_status(struct evtchn_domain *ed, int allowed, struct evtchn_status *st)
{
    if (!valid(ed, st->port))
        return -XEN_EINVAL;
    if (!allowed)
        return -XEN_EPERM;               /* Xen: after the port check */
    const struct evtchn *c = &ed->ports[st->port];
    st->vcpu = 0;                        /* the rest of u stays as the guest gave it */
    switch (c->state) {
    case ECS_UNBOUND:
        st->status = EVTCHNSTAT_unbound;
        st->u.unbound.dom = c->remote_dom;
        break;
    case ECS_INTERDOMAIN:
        st->status = EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = c->remote_dom;
        st->u.interdomain.port = c->remote_port;
        break;
    case ECS_HYPERVISOR:
        st->status = EVTCHNSTAT_interdomain;   /* the other end is the hypervisor */
        st->u.interdomain.dom = DOMID_XEN;
        st->u.interdomain.port = 0;
        break;
    case ECS_VIRQ:
        st->status = EVTCHNSTAT_virq;
        st->u.virq = c->virq;
        break;
    case ECS_IPI:
        st->status = EVTCHNSTAT_ipi;
        break;
    default:
        st->status = EVTCHNSTAT_closed;
        break;
    }
    return 0;
}

int evtchn_unmask(const struct evtchn_ops *ops, struct evtchn_domain *ed, uint32_t port)
{
    if (!valid(ed, port))
        return -XEN_EINVAL;
    uint32_t word = port / 32, bit = 1u << (port % 32);
    struct shared_info *sh = ed->shared;
    if (!(sh->evtchn_mask[word] & bit))
        return 0;                        /* Xen: only a masked port is delivered here */
    sh->evtchn_mask[word] &= ~bit;
    if (sh->evtchn_pending[word] & bit)
        mark_upcall(ops, ed, word);
    return 0;
}

int evtchn_bind_vcpu(struct evtchn_domain *ed, uint32_t port, uint32_t vcpu)
{
    if (vcpu != 0)
        return -XEN_ENOENT;
    if (!valid(ed, port))
        return -XEN_EINVAL;
    const struct evtchn *c = &ed->ports[port];
    switch (c->state) {
    case ECS_VIRQ:
        return evtchn_virq_is_global(c->virq) ? 0 : -XEN_EINVAL;
    case ECS_UNBOUND:
    case ECS_INTERDOMAIN:
    case ECS_HYPERVISOR:                 /* Xen: the console's is interdomain */
        return 0;
    default:                             /* free, reserved, IPI */
        return -XEN_EINVAL;
    }
}

int evtchn_set_priority(const struct evtchn_domain *ed, uint32_t port)
{
    return valid(ed, port) ? -XEN_ENOSYS : -XEN_EINVAL;
}

void evtchn_reset(const struct evtchn_ops *ops, struct evtchn_domain *ed)
{
    for (uint32_t p = 1; p < ed->valid; p++)
        if (ed->ports[p].state != ECS_FREE && ed->ports[p].state != ECS_HYPERVISOR)
            evtchn_close(ops, ed, p);
}
