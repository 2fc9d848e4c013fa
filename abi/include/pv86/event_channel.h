/*
 * pv86 ABI: event_channel_op(cmd, void *arg), the 2-level event channels.
 *
 * A port is a bit in shared_info.evtchn_pending / evtchn_mask; a port that
 * goes pending while unmasked sets its word's bit of
 * vcpu_info.evtchn_pending_sel and, if that bit was clear, sets
 * vcpu_info.evtchn_upcall_pending; an upcall to the event callback follows
 * when vcpu_info.evtchn_upcall_mask is 0. Port 0 is reserved. pv86 has 1024
 * ports per domain (32 x 32 bits) and one vCPU (vcpu 0). As in Xen, ports
 * come in buckets of 64: a port is valid once its bucket exists (0-63 from
 * the start; the next bucket when a bind needs a port past them).
 *
 *   ALLOC_UNBOUND     IN dom (DOMID_SELF, or another domain for a privileged
 *                     caller), remote_dom (any id; DOMID_SELF: the caller);
 *                     OUT port. -ESRCH no domain dom, -ENOSPC, -EPERM.
 *   BIND_INTERDOMAIN  IN remote_dom, remote_port (unbound, for us); OUT
 *                     local_port. -ESRCH, -ENOSPC, -EINVAL (port).
 *   BIND_VIRQ         IN virq, vcpu; OUT port. -EINVAL virq >= 24 or a
 *                     global virq (all but TIMER, DEBUG, XENOPROF, XENPMU)
 *                     on a vcpu other than 0; -ENOENT vcpu; -EEXIST.
 *   BIND_IPI          IN vcpu; OUT port. -ENOENT vcpu.
 *   CLOSE             IN port; an interdomain peer goes back to unbound; the
 *                     port's pending bit is cleared. -EINVAL not bound.
 *   SEND              IN port; interdomain: the peer's port goes pending;
 *                     ipi: our own; unbound: dropped; others -EINVAL
 *   STATUS            IN dom, port; OUT status, vcpu, the fields of u that
 *                     status has (the rest as given). -ESRCH, -EINVAL
 *                     (port not valid), -EPERM (not ours, unprivileged).
 *   UNMASK            IN port; delivers it if it was masked and pending
 *   BIND_VCPU         IN port, vcpu (0 only here). -ENOENT vcpu; -EINVAL
 *                     port, or an ipi, a per-vCPU virq, a closed port.
 *   RESET             IN dom (DOMID_SELF): close every port. -ESRCH,
 *                     -EPERM (another domain, unprivileged), -EINVAL
 *                     (another domain: it would have to be paused).
 *   INIT_CONTROL, EXPAND_ARRAY (FIFO ABI): -ENOSYS whatever the argument,
 *                     as a Xen without the FIFO ABI: 2-level only
 *   SET_PRIORITY      IN port, priority: -EINVAL not valid, else -ENOSYS
 *                     (as Xen while a domain uses the 2-level ABI)
 * Errors: -EFAULT (argument) first.
 */
#ifndef PV86_EVENT_CHANNEL_H
#define PV86_EVENT_CHANNEL_H

#include "abi.h"
#include "xen.h"

#define EVTCHN_2L_NR_CHANNELS  1024
#define NR_VIRQS               24

#define EVTCHNSTAT_closed       0
#define EVTCHNSTAT_unbound      1
#define EVTCHNSTAT_interdomain  2
#define EVTCHNSTAT_pirq         3
#define EVTCHNSTAT_virq         4
#define EVTCHNSTAT_ipi          5

#ifndef __ASSEMBLER__
struct evtchn_alloc_unbound {
    domid_t  dom;            /* 0 */
    domid_t  remote_dom;     /* 2 */
    uint32_t port;           /* 4: OUT */
};
PV86_STATIC_ASSERT(sizeof(struct evtchn_alloc_unbound) == 8, "alloc_unbound is 8 bytes");

struct evtchn_bind_interdomain {
    domid_t  remote_dom;     /* 0 */
    uint16_t _pad0;          /* 2 */
    uint32_t remote_port;    /* 4 */
    uint32_t local_port;     /* 8: OUT */
};
PV86_STATIC_ASSERT(sizeof(struct evtchn_bind_interdomain) == 12, "bind_interdomain is 12 bytes");

struct evtchn_bind_virq {
    uint32_t virq;           /* 0 */
    uint32_t vcpu;           /* 4 */
    uint32_t port;           /* 8: OUT */
};
PV86_STATIC_ASSERT(sizeof(struct evtchn_bind_virq) == 12, "bind_virq is 12 bytes");

struct evtchn_bind_ipi {
    uint32_t vcpu;           /* 0 */
    uint32_t port;           /* 4: OUT */
};
PV86_STATIC_ASSERT(sizeof(struct evtchn_bind_ipi) == 8, "bind_ipi is 8 bytes");

struct evtchn_port_arg {     /* close, send, unmask */
    uint32_t port;           /* 0 */
};
PV86_STATIC_ASSERT(sizeof(struct evtchn_port_arg) == 4, "port argument is 4 bytes");

struct evtchn_status {
    domid_t  dom;            /* 0 */
    uint16_t _pad0;          /* 2 */
    uint32_t port;           /* 4 */
    uint32_t status;         /* 8: OUT EVTCHNSTAT_* */
    uint32_t vcpu;           /* 12: OUT */
    union {                  /* 16: OUT */
        struct { domid_t dom; uint16_t _pad; } unbound;
        struct { domid_t dom; uint16_t _pad; uint32_t port; } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u;
};
PV86_STATIC_ASSERT(sizeof(struct evtchn_status) == 24, "evtchn_status is 24 bytes");

struct evtchn_bind_vcpu {
    uint32_t port;           /* 0 */
    uint32_t vcpu;           /* 4 */
};
PV86_STATIC_ASSERT(sizeof(struct evtchn_bind_vcpu) == 8, "bind_vcpu is 8 bytes");

struct evtchn_reset {
    domid_t  dom;            /* 0 */
};
PV86_STATIC_ASSERT(sizeof(struct evtchn_reset) == 2, "evtchn_reset is 2 bytes");

struct evtchn_set_priority {
    uint32_t port;           /* 0 */
    uint32_t priority;       /* 4 */
};
PV86_STATIC_ASSERT(sizeof(struct evtchn_set_priority) == 8, "set_priority is 8 bytes");
#endif

#endif /* PV86_EVENT_CHANNEL_H */
