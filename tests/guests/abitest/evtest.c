/*
 * evtest (pv): the self-test of event channels, run in one domain: a pair
 * of ports connected to ourselves, masking at both levels, VIRQs, and every
 * refusal with its errno.
 */
#include "pv.h"

#include "kernel.h"

static volatile unsigned hits;
static void count_hit(uint32_t port) { (void)port; hits++; }

static int32_t ev(uint32_t cmd, void *arg) { return hv_event_channel_op(cmd, arg); }

static int port_pending(uint32_t p)
{
    return (shared_info->evtchn_pending[p / 32] >> (p % 32)) & 1;
}

void event_selftest(void)
{
    struct vcpu_info *vi = &shared_info->vcpu_info[0];
    events_init();
    vi->evtchn_upcall_mask = 1;

    struct evtchn_alloc_unbound a = { DOMID_SELF, DOMID_SELF, 0 };
    tap_ok(ev(EVTCHNOP_alloc_unbound, &a) == 0, "alloc_unbound for ourselves");
    struct evtchn_bind_interdomain b = { DOMID_SELF, 0, a.port, 0 };
    tap_ok(ev(EVTCHNOP_bind_interdomain, &b) == 0 && b.local_port != a.port,
           "bind_interdomain to it: a connected pair");
    event_bind(b.local_port, count_hit);
    tap_ok(port_pending(b.local_port) && vi->evtchn_upcall_pending && hits == 0,
           "the new end is pending once; events masked, no upcall yet");
    events_restore(0);
    tap_ok(hits == 1, "unmasking delivers it: one upcall");

    uint8_t flags = events_save_disable();
    tap_ok(ev(EVTCHNOP_send, &(struct evtchn_port_arg){ a.port }) == 0 && hits == 1 &&
           port_pending(b.local_port), "send while masked: pending, not delivered");
    events_restore(flags);
    hv_xen_version(XENVER_version, NULL);
    hv_xen_version(XENVER_version, NULL);
    tap_ok(hits == 2, "masked then unmasked: delivered exactly once");

    __atomic_fetch_or(&shared_info->evtchn_mask[b.local_port / 32], 1u << (b.local_port % 32),
                      __ATOMIC_SEQ_CST);
    ev(EVTCHNOP_send, &(struct evtchn_port_arg){ a.port });
    tap_ok(hits == 2 && port_pending(b.local_port), "a masked port: pending, no upcall");
    tap_ok(ev(EVTCHNOP_unmask, &(struct evtchn_port_arg){ b.local_port }) == 0 && hits == 3,
           "EVTCHNOP_unmask delivers it once");

    struct evtchn_status st = { DOMID_SELF, 0, a.port, 0, 0, { { 0, 0 } } };
    tap_ok(ev(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_interdomain &&
           st.u.interdomain.port == b.local_port, "status: interdomain, to our other end");
    st.port = 63;
    tap_ok(ev(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_closed,
           "status: closed port (63, in the first bucket of 64)");
    st.port = 64;
    tap_ok(ev(EVTCHNOP_status, &st) == -XEN_EINVAL,
           "status of port 64 (no bucket of ports there yet, as Xen's): -EINVAL");

    struct evtchn_bind_virq v = { VIRQ_DEBUG, 0, 0 };
    tap_ok(ev(EVTCHNOP_bind_virq, &v) == 0, "bind VIRQ_DEBUG");
    tap_ok(ev(EVTCHNOP_bind_virq, &v) == -XEN_EEXIST, "bind it again: -EEXIST");
    struct evtchn_bind_virq bad = { 99, 0, 0 };
    tap_ok(ev(EVTCHNOP_bind_virq, &bad) == -XEN_EINVAL, "bind virq 99: -EINVAL");
    tap_ok(ev(EVTCHNOP_send, &(struct evtchn_port_arg){ v.port }) == -XEN_EINVAL,
           "send on a VIRQ port: -EINVAL");
    tap_ok(ev(EVTCHNOP_bind_vcpu, &(struct evtchn_bind_vcpu){ b.local_port, 1 }) == -XEN_ENOENT,
           "bind_vcpu to vcpu 1: -ENOENT");
    struct evtchn_alloc_unbound other = { DOMID_ABSENT, DOMID_SELF, 0 },
                                nobody = { DOMID_SELF, DOMID_ABSENT, 0 };
    tap_ok(ev(EVTCHNOP_alloc_unbound, &other) == -XEN_ESRCH,
           "alloc_unbound in the name of no domain: -ESRCH");
    tap_ok(ev(EVTCHNOP_alloc_unbound, &nobody) == 0 &&
           ev(EVTCHNOP_close, &(struct evtchn_port_arg){ nobody.port }) == 0,
           "alloc_unbound towards a domain that does not exist: accepted, as Xen");
    tap_ok(ev(EVTCHNOP_init_control, &a) == -XEN_ENOSYS &&
           ev(EVTCHNOP_expand_array, &a) == -XEN_ENOSYS,
           "FIFO init_control/expand_array: -ENOSYS (2-level only)");
    tap_ok(ev(EVTCHNOP_send, (void *)0xF5800000u) == -XEN_EFAULT,
           "event_channel_op argument in the hypervisor area: -EFAULT");

    /* Polling and blocking return at once when something is pending. */
    uint32_t ports[1] = { b.local_port };
    struct sched_poll p = { (uint32_t)(uintptr_t)ports, 1, 0 };
    flags = events_save_disable();
    ev(EVTCHNOP_send, &(struct evtchn_port_arg){ a.port });
    tap_ok(hv_sched_op(SCHEDOP_poll, &p) == 0, "poll on a pending port returns at once");
    uint32_t bad_first[2] = { 1024, b.local_port }, zero_first[2] = { 0, b.local_port };
    struct sched_poll p0 = { (uint32_t)(uintptr_t)bad_first, 2, 0 };
    struct sched_poll pz = { (uint32_t)(uintptr_t)zero_first, 2, 0 };
    tap_ok(hv_sched_op(SCHEDOP_poll, &p0) == -XEN_EINVAL && hv_sched_op(SCHEDOP_poll, &pz) == 0,
           "poll listing port 1024 first: -EINVAL; port 0 first: 0, the next is pending (as Xen)");
    p.nr_ports = 129;
    tap_ok(hv_sched_op(SCHEDOP_poll, &p) == -XEN_EINVAL, "poll on 129 ports: -EINVAL (as Xen)");
    tap_ok(hv_sched_op(SCHEDOP_block, NULL) == 0 && hits == 4,
           "block with an event pending: returns at once, the upcall runs");
    /* Xen's do_poll: an upcall the guest would take at once ends a poll
     * before its ports are read, so even a port list it would refuse
     * returns 0 (the upcall then runs). */
    events_save_disable();
    ev(EVTCHNOP_send, &(struct evtchn_port_arg){ a.port });
    uint32_t beyond[1] = { 1024 };
    struct sched_poll pu = { (uint32_t)(uintptr_t)beyond, 1, 0 };
    shared_info->vcpu_info[0].evtchn_upcall_mask = 0;     /* no exit in between */
    __asm__ __volatile__("" ::: "memory");
    tap_ok(hv_sched_op(SCHEDOP_poll, &pu) == 0 && hits == 5,
           "poll with an unmasked upcall pending: 0 before its ports are read (as Xen), the upcall runs");

    /* A timer already due fires at once. Xen's default 100 Hz periodic
     * timer first stopped (as Linux does at boot): only our deadline. */
    struct evtchn_bind_virq t = { VIRQ_TIMER, 0, 0 };
    hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    ev(EVTCHNOP_bind_virq, &t);
    event_bind(t.port, count_hit);
    flags = events_save_disable();
    tap_ok(hv_hypercall5(__HYPERVISOR_set_timer_op, 1, 0, 0, 0, 0) == 0 && port_pending(t.port),
           "set_timer_op with a past deadline: VIRQ_TIMER at once");
    events_restore(flags);
    tap_ok(hits == 6, "and it is delivered");

    /* Closing one end leaves the other waiting for us again. */
    tap_ok(ev(EVTCHNOP_close, &(struct evtchn_port_arg){ b.local_port }) == 0, "close one end");
    st.port = a.port;
    tap_ok(ev(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_unbound,
           "the other end is unbound again");
    tap_ok(ev(EVTCHNOP_send, &(struct evtchn_port_arg){ a.port }) == 0 && hits == 6,
           "send on it: dropped");
    tap_ok(ev(EVTCHNOP_close, &(struct evtchn_port_arg){ 5000 }) == -XEN_EINVAL,
           "close port 5000: -EINVAL");
    tap_ok(ev(EVTCHNOP_reset, &(struct evtchn_reset){ DOMID_SELF }) == 0, "reset");
    tap_ok(ev(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_closed,
           "after reset every port is closed");
    vi->evtchn_upcall_mask = 1;
}
