/* evtchn: 2-level event channels (see evtchn.h). */
#include "core/evtchn.h"

#include <pv86/errno.h>
#include <string.h>

void evtchn_init(struct evtchn_domain *ed, uint16_t id, struct shared_info *shared)
{
    memset(ed, 0, sizeof(*ed));
    ed->id = id;
    ed->shared = shared;
}

static int valid(uint32_t port)
{
    return port > 0 && port < EVTCHN_PORTS;
}

static int alloc_port(struct evtchn_domain *ed, uint32_t *port)
{
    for (uint32_t p = 1; p < EVTCHN_PORTS; p++)
        if (ed->ports[p].state == ECS_FREE) {
            *port = p;
            return 0;
        }
    return -XEN_ENOSPC;
}

static void mark_upcall(const struct evtchn_ops *ops, struct evtchn_domain *ed, uint32_t word)
{
    struct vcpu_info *vi = &ed->shared->vcpu_info[0];
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
    ops->port_pending(ops->ctx, ed->id, port);
    if (sh->evtchn_mask[word] & bit)
        return;                          /* masked: UNMASK delivers it */
    mark_upcall(ops, ed, word);
}

int evtchn_is_pending(const struct evtchn_domain *ed, uint32_t port)
{
    return valid(port) && (ed->shared->evtchn_pending[port / 32] >> (port % 32)) & 1;
}

int evtchn_send_virq(const struct evtchn_ops *ops, struct evtchn_domain *ed, uint32_t virq)
{
    if (virq >= NR_VIRQS || !ed->virq_port[virq])
        return 0;
    evtchn_set_pending(ops, ed, ed->virq_port[virq]);
    return 1;
}

int evtchn_alloc_unbound(const struct evtchn_ops *ops, struct evtchn_domain *ed,
                         uint16_t remote_dom, uint32_t *port)
{
    if (!ops->domain(ops->ctx, remote_dom))
        return -XEN_ESRCH;
    int rc = alloc_port(ed, port);
    if (rc)
        return rc;
    ed->ports[*port] = (struct evtchn){ ECS_UNBOUND, 0, remote_dom, 0 };
    return 0;
}

int evtchn_bind_interdomain(const struct evtchn_ops *ops, struct evtchn_domain *ed,
                            uint16_t remote_dom, uint32_t remote_port, uint32_t *port)
{
    struct evtchn_domain *rd = ops->domain(ops->ctx, remote_dom);
    if (!rd)
        return -XEN_ESRCH;
    if (!valid(remote_port))
        return -XEN_EINVAL;
    struct evtchn *rp = &rd->ports[remote_port];
    if (rp->state != ECS_UNBOUND || rp->remote_dom != ed->id)
        return -XEN_EINVAL;
    int rc = alloc_port(ed, port);
    if (rc)
        return rc;
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
    if (!valid(port) || ed->ports[port].state == ECS_FREE)
        return -XEN_EINVAL;
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
    return 0;
}

int evtchn_is_hypervisor_port(const struct evtchn_domain *ed, uint32_t port)
{
    return valid(port) && ed->ports[port].state == ECS_HYPERVISOR;
}

int evtchn_send(const struct evtchn_ops *ops, struct evtchn_domain *ed, uint32_t port)
{
    if (!valid(port))
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

int evtchn_status(const struct evtchn_ops *ops, struct evtchn_domain *ed,
                  struct evtchn_status *st)
{
    (void)ops;
    if (!valid(st->port) && st->port != 0)
        return -XEN_EINVAL;
    const struct evtchn *c = &ed->ports[st->port];
    memset(&st->u, 0, sizeof(st->u));
    st->vcpu = 0;
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
    if (!valid(port))
        return -XEN_EINVAL;
    uint32_t word = port / 32, bit = 1u << (port % 32);
    struct shared_info *sh = ed->shared;
    sh->evtchn_mask[word] &= ~bit;
    if (sh->evtchn_pending[word] & bit)
        mark_upcall(ops, ed, word);
    return 0;
}

int evtchn_bind_vcpu(struct evtchn_domain *ed, uint32_t port, uint32_t vcpu)
{
    if (!valid(port) || ed->ports[port].state == ECS_FREE)
        return -XEN_EINVAL;
    return vcpu == 0 ? 0 : -XEN_ENOENT;
}

void evtchn_reset(const struct evtchn_ops *ops, struct evtchn_domain *ed)
{
    for (uint32_t p = 1; p < EVTCHN_PORTS; p++)
        if (ed->ports[p].state != ECS_FREE && ed->ports[p].state != ECS_HYPERVISOR)
            evtchn_close(ops, ed, p);
}
