/*
 * event: the hypervisor's side of event channels and timers. The port
 * rules are core/evtchn.c; here they meet domains (lookup, waking a
 * blocked vCPU, the console ring at the hypervisor's end) and the
 * hypercalls event_channel_op, set_timer_op and vcpu_op.
 */
#include <pv86/event_channel.h>
#include <pv86/vcpu.h>
#include <pv86/xen.h>
#include <string.h>

#include "core/console.h"
#include "core/domain.h"
#include "core/hypercall.h"
#include "core/ring.h"
#include "core/timer.h"

static struct evtchn_domain *ops_domain(void *ctx, uint16_t id)
{
    struct domain *d = domain_by_id(id);
    (void)ctx;
    return d && (d->state == DOM_RUNNABLE || d->state == DOM_BLOCKED) ? &d->evtchn : NULL;
}

static void ops_kick(void *ctx, uint16_t id)
{
    (void)ctx;
    struct domain *d = domain_by_id(id);
    if (d && d->state == DOM_BLOCKED)
        sched_wake(d);
}

static void ops_port_pending(void *ctx, uint16_t id, uint32_t port)
{
    struct domain *d = domain_by_id(id);
    (void)ctx;
    if (!d || !d->vcpu.polling)
        return;
    for (uint32_t i = 0; i < d->vcpu.poll_nr; i++)
        if (d->vcpu.poll_ports[i] == port)
            sched_wake(d);
}

static void ops_notify(void *ctx, uint16_t id, uint32_t port)
{
    struct domain *d = domain_by_id(id);
    (void)ctx;
    if (d && port == d->console_port)
        console_ring_drain(d);
}

const struct evtchn_ops hv_evtchn_ops = { ops_domain, ops_kick, ops_port_pending, ops_notify,
                                           NULL };

void event_send_virq(struct domain *d, uint32_t virq)
{
    if (virq == VIRQ_TIMER)
        d->stats.timer_events++;
    evtchn_send_virq(&hv_evtchn_ops, &d->evtchn, virq);
}

/*
 * The console ring is shared with the guest: everything in it is guest
 * data, read once. Its frame holds a writable type reference for the
 * domain's life (core/guest_ptr.h), so it stays an ordinary page. Bytes
 * between out_cons and out_prod are printed and out_cons is advanced, as
 * xenconsoled does; indices that claim more than the ring holds are a guest
 * error: the ring is left alone (xenconsoled returns too), and the
 * hypervisor says so once per domain. The ring's event channel is signalled
 * only while it is still bound to the hypervisor: a guest that closed it
 * gets no more events on that number (evtchn_close unbinds it for good).
 */
_Static_assert((sizeof(((struct xencons_interface *)0)->out) &
                (sizeof(((struct xencons_interface *)0)->out) - 1)) == 0,
               "the console ring's size is a power of two");

void console_ring_drain(struct domain *d)
{
    struct xencons_interface *c = d->console;
    uint32_t cons = c->out_cons, prod = c->out_prod, n;
    __asm__ __volatile__("" ::: "memory");
    if (prod == cons)
        return;
    if (ring_used(cons, prod, sizeof(c->out), &n)) {
        if (!d->console_bad_said) {
            d->console_bad_said = 1;
            printk("d%u: console ring indices out of range (cons %u, prod %u): "
                   "ring ignored until they are\n", d->id, cons, prod);
        }
        return;
    }
    while (n) {
        char buf[64];
        uint32_t k = 0;
        while (n && k < sizeof(buf)) {
            buf[k++] = c->out[ring_offset(cons++, sizeof(c->out))];
            n--;
        }
        console_guest_write(d->id, buf, k);
    }
    __asm__ __volatile__("" ::: "memory");
    c->out_cons = cons;
    if (evtchn_is_hypervisor_port(&d->evtchn, d->console_port))
        evtchn_set_pending(&hv_evtchn_ops, &d->evtchn, d->console_port);  /* space again */
}

/* ---- event_channel_op ---- */

static uint16_t resolve(struct vcpu *v, uint16_t dom)
{
    return dom == DOMID_SELF ? v->domain->id : dom;
}

/* Xen's rcu_lock_domain_by_any_id: DOMID_SELF or a live domain's id. */
static struct domain *any_domain(struct vcpu *v, uint16_t dom)
{
    return ops_domain(NULL, resolve(v, dom)) ? domain_by_id(resolve(v, dom)) : NULL;
}

/* Xen's XSM_TARGET with the dummy policy: ourselves, or a privileged caller. */
static int may_act_on(const struct domain *caller, const struct domain *target)
{
    return caller == target || (caller->flags & SIF_PRIVILEGED);
}

int32_t do_event_channel_op(struct vcpu *v, uint32_t cmd, uint32_t arg, uint32_t a3,
                            uint32_t a4, uint32_t a5)
{
    struct domain *d = v->domain, *t;
    struct evtchn_domain *ed = &d->evtchn;
    const struct evtchn_ops *ops = &hv_evtchn_ops;
    union {
        struct evtchn_alloc_unbound alloc;
        struct evtchn_bind_interdomain inter;
        struct evtchn_bind_virq virq;
        struct evtchn_bind_ipi ipi;
        struct evtchn_port_arg port;
        struct evtchn_status status;
        struct evtchn_bind_vcpu vcpu;
        struct evtchn_reset reset;
        struct evtchn_set_priority prio;
    } a;
    /* The argument's size per command; 0: not a command (EVTCHNOP_bind_pirq,
     * and the FIFO ABI's init_control and expand_array, answer -ENOSYS
     * before reading anything, as a Xen without them). */
    static const uint8_t sizes[] = {
        [EVTCHNOP_bind_interdomain] = sizeof(a.inter), [EVTCHNOP_bind_virq] = sizeof(a.virq),
        [EVTCHNOP_close] = sizeof(a.port), [EVTCHNOP_send] = sizeof(a.port),
        [EVTCHNOP_status] = sizeof(a.status), [EVTCHNOP_alloc_unbound] = sizeof(a.alloc),
        [EVTCHNOP_bind_ipi] = sizeof(a.ipi), [EVTCHNOP_bind_vcpu] = sizeof(a.vcpu),
        [EVTCHNOP_unmask] = sizeof(a.port), [EVTCHNOP_reset] = sizeof(a.reset),
        [EVTCHNOP_set_priority] = sizeof(a.prio),
    };
    int rc;
    (void)a3, (void)a4, (void)a5;

    if (cmd >= sizeof(sizes) || !sizes[cmd])
        return -XEN_ENOSYS;
    if (copy_from_guest(v, &a, arg, sizes[cmd]))
        return -XEN_EFAULT;
    switch (cmd) {
    case EVTCHNOP_alloc_unbound:
        /* In dom's table (a privileged caller may name another domain);
         * remote_dom is not looked up: Xen accepts any id there. */
        if (!(t = any_domain(v, a.alloc.dom)))
            return -XEN_ESRCH;
        rc = evtchn_alloc_unbound(&t->evtchn, resolve(v, a.alloc.remote_dom), may_act_on(d, t),
                                  &a.alloc.port);
        break;
    case EVTCHNOP_bind_interdomain:
        rc = evtchn_bind_interdomain(ops, ed, resolve(v, a.inter.remote_dom),
                                     a.inter.remote_port, &a.inter.local_port);
        break;
    case EVTCHNOP_bind_virq:
        rc = evtchn_bind_virq(ed, a.virq.virq, a.virq.vcpu, &a.virq.port);
        break;
    case EVTCHNOP_bind_ipi:
        rc = evtchn_bind_ipi(ed, a.ipi.vcpu, &a.ipi.port);
        break;
    case EVTCHNOP_close:
        return evtchn_close(ops, ed, a.port.port);
    case EVTCHNOP_send:
        return evtchn_send(ops, ed, a.port.port);
    case EVTCHNOP_unmask:
        return evtchn_unmask(ops, ed, a.port.port);
    case EVTCHNOP_bind_vcpu:
        return evtchn_bind_vcpu(ed, a.vcpu.port, a.vcpu.vcpu);
    case EVTCHNOP_set_priority:
        return evtchn_set_priority(ed, a.prio.port);
    case EVTCHNOP_reset:
        if (!(t = any_domain(v, a.reset.dom)))
            return -XEN_ESRCH;
        if (!may_act_on(d, t))
            return -XEN_EPERM;
        if (t != d)
            return -XEN_EINVAL;          /* Xen: only a domain its controller paused */
        evtchn_reset(ops, ed);
        return 0;
    case EVTCHNOP_status:
        if (!(t = any_domain(v, a.status.dom)))
            return -XEN_ESRCH;
        rc = evtchn_status(&t->evtchn, may_act_on(d, t), &a.status);
        break;
    default:
        return -XEN_ENOSYS;
    }
    if (rc == 0 && copy_to_guest(v, arg, &a, sizes[cmd]))
        return -XEN_EFAULT;
    return rc;
}

/* ---- timers (the arithmetic, with Xen's rules, is core/timer.c) ---- */

/* Arm the single-shot VIRQ_TIMER for deadline, or fire it now if due. */
static void singleshot_arm(struct vcpu *v, uint64_t deadline)
{
    v->timer_deadline = 0;
    if (timer_expired(deadline, time_now()))
        event_send_virq(v->domain, VIRQ_TIMER);     /* already due */
    else
        v->timer_deadline = deadline;               /* in (now, TIME_MAX]: never 0 */
}

int32_t do_set_timer_op(struct vcpu *v, uint32_t lo, uint32_t hi, uint32_t a3,
                        uint32_t a4, uint32_t a5)
{
    uint64_t deadline = timer_op_deadline(((uint64_t)hi << 32) | lo, time_now());
    (void)a3, (void)a4, (void)a5;
    if (deadline == 0)
        v->timer_deadline = 0;
    else
        singleshot_arm(v, deadline);
    return 0;
}

int32_t do_vcpu_op(struct vcpu *v, uint32_t cmd, uint32_t vcpu, uint32_t arg, uint32_t a4,
                   uint32_t a5)
{
    (void)a4, (void)a5;
    if (vcpu != 0)
        return -XEN_ENOENT;
    switch (cmd) {
    case VCPUOP_is_up:
        return 1;
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer t;
        uint64_t deadline;
        if (copy_from_guest(v, &t, arg, sizeof(t)))
            return -XEN_EFAULT;
        int rc = timer_singleshot_deadline(((uint64_t)t.timeout_abs_ns_hi << 32) |
                                           t.timeout_abs_ns_lo, t.flags, time_now(), &deadline);
        if (rc)
            return rc;
        singleshot_arm(v, deadline);
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        v->timer_deadline = 0;
        return 0;
    case VCPUOP_set_periodic_timer: {
        struct vcpu_set_periodic_timer t;
        if (copy_from_guest(v, &t, arg, sizeof(t)))
            return -XEN_EFAULT;
        uint64_t period = ((uint64_t)t.period_ns_hi << 32) | t.period_ns_lo;
        int rc = timer_periodic_check(period);
        if (rc)
            return rc;
        if (timer_periodic_set(&v->periodic, period, time_now()))
            event_send_virq(v->domain, VIRQ_TIMER);   /* a period since the last one */
        return 0;
    }
    case VCPUOP_stop_periodic_timer:
        timer_periodic_set(&v->periodic, 0, time_now());
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}
