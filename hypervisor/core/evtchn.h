/*
 * evtchn: the 2-level event channels of a domain, as pure logic over the
 * domain's shared_info (pending/mask bits, vcpu_info's selector and upcall
 * flag). See abi/include/pv86/event_channel.h for the guest's view.
 * Other domains are reached through struct evtchn_ops, so the host tests
 * can run several fake domains.
 */
#ifndef HV_CORE_EVTCHN_H
#define HV_CORE_EVTCHN_H

#include <stdint.h>
#include <pv86/event_channel.h>
#include <pv86/shared.h>

#define EVTCHN_PORTS  EVTCHN_2L_NR_CHANNELS
#define EVTCHN_BUCKET 64     /* Xen 4.19: a page of 64-byte struct evtchn */

enum evtchn_state {
    ECS_FREE = 0,
    ECS_UNBOUND,        /* waiting for remote_dom to bind */
    ECS_INTERDOMAIN,    /* connected to remote_dom:remote_port */
    ECS_VIRQ,           /* delivers virtual interrupt `virq` */
    ECS_IPI,            /* to this domain's own vCPU */
    ECS_HYPERVISOR,     /* the hypervisor is the other end (the console ring) */
};

struct evtchn {
    uint8_t  state;
    uint8_t  virq;
    uint16_t remote_dom;
    uint32_t remote_port;
};

struct evtchn_domain {
    uint16_t id;
    uint32_t valid;          /* ports below this are valid (whole buckets) */
    struct shared_info *shared;
    uint16_t virq_port[NR_VIRQS];
    struct evtchn ports[EVTCHN_PORTS];
};

struct evtchn_ops {
    /* The live domain with this id (DOMID_SELF is resolved by the caller),
     * or NULL. */
    struct evtchn_domain *(*domain)(void *ctx, uint16_t id);
    /* The domain's vCPU has an upcall pending now: wake it if it sleeps. */
    void (*kick)(void *ctx, uint16_t id);
    /* A port of domain id became pending (masked or not): SCHEDOP_poll
     * waits on ports with events masked, so it needs this, not a kick. */
    void (*port_pending)(void *ctx, uint16_t id, uint32_t port);
    /* A guest notified a hypervisor-end port. */
    void (*notify_hypervisor)(void *ctx, uint16_t id, uint32_t port);
    void *ctx;
};

void evtchn_init(struct evtchn_domain *ed, uint16_t id, struct shared_info *shared);

/*
 * The operations, each with Xen's argument checks in Xen's order (see
 * abi/include/pv86/event_channel.h). Domain ids are resolved by the caller
 * (DOMID_SELF, lookups); `allowed` is the caller's right over ed (its own,
 * or privileged), checked where Xen's XSM hook is.
 */
int evtchn_alloc_unbound(struct evtchn_domain *ed, uint16_t remote_dom, int allowed,
                         uint32_t *port);
int evtchn_bind_interdomain(const struct evtchn_ops *ops, struct evtchn_domain *ed,
                            uint16_t remote_dom, uint32_t remote_port, uint32_t *port);
int evtchn_bind_virq(struct evtchn_domain *ed, uint32_t virq, uint32_t vcpu, uint32_t *port);
int evtchn_bind_ipi(struct evtchn_domain *ed, uint32_t vcpu, uint32_t *port);
int evtchn_bind_hypervisor(struct evtchn_domain *ed, uint32_t *port);
/* Close a port. A hypervisor-bound port (the console ring's) may be closed
 * like any, as a guest may close its end of the console channel in Xen: it
 * is then unbound for good, free for the next bind, and the hypervisor never
 * signals that number again (it checks evtchn_is_hypervisor_port first).
 * The hypervisor end cannot be bound again (Xen's backend domain would wait
 * on an unbound port; pv86 has no backend domain to bind to). */
int evtchn_close(const struct evtchn_ops *ops, struct evtchn_domain *ed, uint32_t port);
/* Is port bound to the hypervisor (ECS_HYPERVISOR)? 0 for any invalid port. */
int evtchn_is_hypervisor_port(const struct evtchn_domain *ed, uint32_t port);
int evtchn_send(const struct evtchn_ops *ops, struct evtchn_domain *ed, uint32_t port);
int evtchn_status(struct evtchn_domain *ed, int allowed, struct evtchn_status *st);
int evtchn_unmask(const struct evtchn_ops *ops, struct evtchn_domain *ed, uint32_t port);
int evtchn_bind_vcpu(struct evtchn_domain *ed, uint32_t port, uint32_t vcpu);
/* EVTCHNOP_set_priority under the 2-level ABI: -EINVAL or -ENOSYS. */
int evtchn_set_priority(const struct evtchn_domain *ed, uint32_t port);
/* Close every port but the hypervisor's (console) one. */
void evtchn_reset(const struct evtchn_ops *ops, struct evtchn_domain *ed);
/* Xen's virq_is_global: all but the per-vCPU TIMER, DEBUG, XENOPROF, XENPMU. */
int evtchn_virq_is_global(uint32_t virq);

/* Mark port pending (2-level rules); kicks the vCPU when an upcall becomes
 * due. */
void evtchn_set_pending(const struct evtchn_ops *ops, struct evtchn_domain *ed,
                        uint32_t port);
/* Raise a virtual interrupt if the domain bound it; 1 if it was bound. */
int evtchn_send_virq(const struct evtchn_ops *ops, struct evtchn_domain *ed, uint32_t virq);
/* Is port pending (for SCHEDOP_poll)? */
int evtchn_is_pending(const struct evtchn_domain *ed, uint32_t port);

#endif
