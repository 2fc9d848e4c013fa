/* Unit tests: the event-channel state machine and the run queue. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pv86/errno.h>

#include "core/evtchn.h"
#include "core/runq.h"

static struct shared_info sh[3];
static struct evtchn_domain doms[3];     /* ids 1, 2; index 0 unused */
static unsigned kicks[3], hv_notes, port_events[3];
static int alive[3];

static struct evtchn_domain *lookup(void *ctx, uint16_t id)
{
    (void)ctx;
    return id >= 1 && id <= 2 && alive[id] ? &doms[id] : NULL;
}
static void kick(void *ctx, uint16_t id) { (void)ctx; kicks[id]++; }
static void notify(void *ctx, uint16_t id, uint32_t port) { (void)ctx; (void)id; (void)port; hv_notes++; }
static void port_pending(void *ctx, uint16_t id, uint32_t port) { (void)ctx; (void)port; port_events[id]++; }
static const struct evtchn_ops ops = { lookup, kick, port_pending, notify, NULL };

static int setup(void **state)
{
    (void)state;
    memset(sh, 0, sizeof(sh));
    memset(kicks, 0, sizeof(kicks));
    memset(port_events, 0, sizeof(port_events));
    hv_notes = 0;
    for (uint16_t i = 1; i <= 2; i++) {
        evtchn_init(&doms[i], i, &sh[i]);
        alive[i] = 1;
    }
    return 0;
}

static int pending(int d, uint32_t p) { return evtchn_is_pending(&doms[d], p); }

static void test_interdomain(void **state)
{
    uint32_t p1, p2;
    (void)state;
    assert_int_equal(evtchn_alloc_unbound(&doms[1], 2, 1, &p1), 0);
    assert_int_equal(p1, 1);                                     /* port 0 is reserved */
    /* As Xen: the remote domain need not exist (yet). */
    assert_int_equal(evtchn_alloc_unbound(&doms[1], 7, 1, &p2), 0);
    assert_int_equal(p2, 2);
    assert_int_equal(evtchn_close(&ops, &doms[1], p2), 0);
    /* Not allowed (another domain's table, unprivileged): -EPERM, no port. */
    assert_int_equal(evtchn_alloc_unbound(&doms[1], 2, 0, &p2), -XEN_EPERM);
    assert_int_equal(doms[1].ports[2].state, ECS_FREE);
    /* Only the named remote may bind. */
    assert_int_equal(evtchn_bind_interdomain(&ops, &doms[1], 1, p1, &p2), -XEN_EINVAL);
    assert_int_equal(evtchn_bind_interdomain(&ops, &doms[2], 1, 0, &p2), -XEN_EINVAL);
    assert_int_equal(evtchn_bind_interdomain(&ops, &doms[2], 1, 5, &p2), -XEN_EINVAL);
    assert_int_equal(evtchn_bind_interdomain(&ops, &doms[2], 1, p1, &p2), 0);
    assert_true(pending(2, p2));                                 /* Xen: local end set once */
    assert_int_equal(kicks[2], 1);
    sh[2].evtchn_pending[0] = 0;
    sh[2].vcpu_info[0].evtchn_pending_sel = 0;
    sh[2].vcpu_info[0].evtchn_upcall_pending = 0;
    /* SEND from 1 reaches 2's port and sets selector and upcall flag. */
    assert_int_equal(evtchn_send(&ops, &doms[1], p1), 0);
    assert_true(pending(2, p2));
    assert_int_equal(sh[2].vcpu_info[0].evtchn_pending_sel, 1);
    assert_int_equal(sh[2].vcpu_info[0].evtchn_upcall_pending, 1);
    assert_int_equal(kicks[2], 2);
    /* Pending already: no second kick, no second delivery. */
    assert_int_equal(evtchn_send(&ops, &doms[1], p1), 0);
    assert_int_equal(kicks[2], 2);

    struct evtchn_status st = { 1, 0, p1, 99, 99, { { 0, 0 } } };
    assert_int_equal(evtchn_status(&doms[1], 1, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, 2);
    assert_int_equal(st.u.interdomain.port, p2);
    /* CLOSE on one end leaves the other unbound, waiting for the closer. */
    assert_int_equal(evtchn_close(&ops, &doms[2], p2), 0);
    st.port = p1;
    evtchn_status(&doms[1], 1, &st);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 2);
    assert_int_equal(evtchn_send(&ops, &doms[1], p1), 0);        /* dropped */
    assert_int_equal(evtchn_close(&ops, &doms[2], p2), -XEN_EINVAL);
    assert_int_equal(evtchn_send(&ops, &doms[2], p2), -XEN_EINVAL);
    assert_int_equal(evtchn_send(&ops, &doms[2], EVTCHN_PORTS), -XEN_EINVAL);
}

static void test_mask_unmask_delivers_once(void **state)
{
    uint32_t p;
    (void)state;
    assert_int_equal(evtchn_bind_ipi(&doms[1], 0, &p), 0);
    sh[1].evtchn_mask[0] = 1u << p;
    assert_int_equal(evtchn_send(&ops, &doms[1], p), 0);
    assert_true(pending(1, p));
    assert_int_equal(sh[1].vcpu_info[0].evtchn_upcall_pending, 0);    /* masked */
    assert_int_equal(kicks[1], 0);
    assert_int_equal(port_events[1], 1);          /* a poller hears it all the same */
    assert_int_equal(evtchn_send(&ops, &doms[1], p), 0);
    assert_int_equal(port_events[1], 1);          /* pending already: no news */
    assert_int_equal(evtchn_unmask(&ops, &doms[1], p), 0);
    assert_int_equal(sh[1].vcpu_info[0].evtchn_upcall_pending, 1);
    assert_int_equal(kicks[1], 1);
    assert_int_equal(evtchn_unmask(&ops, &doms[1], p), 0);            /* again: no new kick */
    assert_int_equal(kicks[1], 1);
    assert_int_equal(evtchn_unmask(&ops, &doms[1], 0), 0);           /* port 0 is valid */
    assert_int_equal(evtchn_unmask(&ops, &doms[1], EVTCHN_BUCKET), -XEN_EINVAL);
    assert_int_equal(evtchn_bind_ipi(&doms[1], 1, &p), -XEN_ENOENT);
}

static void test_virq(void **state)
{
    uint32_t p, q;
    (void)state;
    assert_int_equal(evtchn_send_virq(&ops, &doms[1], VIRQ_TIMER), 0);   /* unbound: dropped */
    assert_int_equal(evtchn_bind_virq(&doms[1], VIRQ_TIMER, 0, &p), 0);
    assert_int_equal(evtchn_bind_virq(&doms[1], VIRQ_TIMER, 0, &q), -XEN_EEXIST);
    assert_int_equal(evtchn_bind_virq(&doms[1], NR_VIRQS, 0, &q), -XEN_EINVAL);
    assert_int_equal(evtchn_bind_virq(&doms[1], VIRQ_DEBUG, 3, &q), -XEN_ENOENT);
    assert_int_equal(evtchn_bind_virq(&doms[1], VIRQ_CONSOLE, 3, &q), -XEN_EINVAL);  /* global */
    assert_int_equal(evtchn_send_virq(&ops, &doms[1], VIRQ_TIMER), 1);
    assert_true(pending(1, p));
    assert_int_equal(evtchn_send(&ops, &doms[1], p), -XEN_EINVAL);     /* cannot send a VIRQ */
    struct evtchn_status st = { 1, 0, p, 0, 0, { { 0, 0 } } };
    evtchn_status(&doms[1], 1, &st);
    assert_int_equal(st.status, EVTCHNSTAT_virq);
    assert_int_equal(st.u.virq, VIRQ_TIMER);
    assert_int_equal(evtchn_bind_vcpu(&doms[1], p, 0), -XEN_EINVAL);  /* a per-vCPU virq */
    assert_int_equal(evtchn_bind_vcpu(&doms[1], p, 1), -XEN_ENOENT);
    assert_int_equal(evtchn_close(&ops, &doms[1], p), 0);
    assert_int_equal(evtchn_bind_virq(&doms[1], VIRQ_TIMER, 0, &q), 0);  /* rebindable */
}

static void test_ports_run_out_and_reset(void **state)
{
    uint32_t p, hv;
    (void)state;
    assert_int_equal(evtchn_bind_hypervisor(&doms[1], &hv), 0);
    for (unsigned i = 2; i < EVTCHN_PORTS; i++)
        assert_int_equal(evtchn_bind_ipi(&doms[1], 0, &p), 0);
    assert_int_equal(evtchn_bind_ipi(&doms[1], 0, &p), -XEN_ENOSPC);
    assert_int_equal(evtchn_send(&ops, &doms[1], hv), 0);
    assert_int_equal(hv_notes, 1);
    evtchn_reset(&ops, &doms[1]);
    assert_int_equal(evtchn_bind_ipi(&doms[1], 0, &p), 0);
    assert_int_equal(p, 2);                 /* all closed but the hypervisor's port */
    struct evtchn_status st = { 1, 0, hv, 0, 0, { { 0, 0 } } };
    evtchn_status(&doms[1], 1, &st);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    st.port = 5000;
    assert_int_equal(evtchn_status(&doms[1], 1, &st), -XEN_EINVAL);
}

/* The console's port closed by the guest: unbound for good; the number is
 * free for the next bind and is no longer the hypervisor's. */
static void test_close_hypervisor_port(void **state)
{
    uint32_t hv, p;
    (void)state;
    assert_int_equal(evtchn_bind_hypervisor(&doms[1], &hv), 0);
    assert_true(evtchn_is_hypervisor_port(&doms[1], hv));
    assert_int_equal(evtchn_close(&ops, &doms[1], hv), 0);
    assert_false(evtchn_is_hypervisor_port(&doms[1], hv));
    assert_int_equal(evtchn_send(&ops, &doms[1], hv), -XEN_EINVAL);
    assert_int_equal(evtchn_bind_ipi(&doms[1], 0, &p), 0);
    assert_int_equal(p, hv);                               /* the same number again */
    assert_false(evtchn_is_hypervisor_port(&doms[1], p));
    hv_notes = 0;
    assert_int_equal(evtchn_send(&ops, &doms[1], p), 0);   /* an IPI to itself now */
    assert_int_equal(hv_notes, 0);
    assert_true(pending(1, p));
    assert_false(evtchn_is_hypervisor_port(&doms[1], 0));
    assert_false(evtchn_is_hypervisor_port(&doms[1], EVTCHN_PORTS));
    assert_false(evtchn_is_hypervisor_port(&doms[1], 0xFFFFFFFFu));
}

static void test_dead_peer(void **state)
{
    uint32_t p1, p2;
    (void)state;
    evtchn_alloc_unbound(&doms[1], 2, 1, &p1);
    evtchn_bind_interdomain(&ops, &doms[2], 1, p1, &p2);
    alive[2] = 0;                            /* domain 2 is gone */
    assert_int_equal(evtchn_send(&ops, &doms[1], p1), 0);
    assert_int_equal(evtchn_close(&ops, &doms[1], p1), 0);
}

/* Xen's answers to each kind of bad argument, in Xen's order of checks:
 * one row per case, with the domain's ports as the setup leaves them
 * (port 1 unbound for domain 2, 2 an IPI, 3 VIRQ_TIMER, 4 VIRQ_CONSOLE). */
enum op { ALLOC, INTER, VIRQ, IPI, CLOSE, SEND, STATUS, UNMASK, VCPU, PRIO };
static const struct row {
    enum op op;
    uint32_t a, b;           /* port / virq / remote domain; vcpu / remote port */
    int allowed;
    int want;
    const char *what;
} rows[] = {
    { ALLOC, 0x7FEF, 0, 1, 0, "alloc_unbound towards a domain that does not exist" },
    { ALLOC, 2, 0, 0, -XEN_EPERM, "alloc_unbound in another's table, unprivileged" },
    { INTER, 9, 1, 0, -XEN_ESRCH, "bind_interdomain to no domain" },
    { INTER, 2, EVTCHN_BUCKET, 0, -XEN_EINVAL, "bind_interdomain to a port not valid" },
    { INTER, 2, 0, 0, -XEN_EINVAL, "bind_interdomain to port 0" },
    { INTER, 1, 2, 0, -XEN_EINVAL, "bind_interdomain to a port not unbound" },
    { VIRQ, NR_VIRQS, 0, 0, -XEN_EINVAL, "bind_virq 24" },
    { VIRQ, 0x80000000u, 0, 0, -XEN_EINVAL, "bind_virq negative" },
    { VIRQ, VIRQ_CONSOLE, 1, 0, -XEN_EINVAL, "a global virq on vcpu 1" },
    { VIRQ, VIRQ_ARCH_0, 1, 0, -XEN_EINVAL, "VIRQ_ARCH_0 (global on x86) on vcpu 1" },
    { VIRQ, VIRQ_DEBUG, 1, 0, -XEN_ENOENT, "a per-vCPU virq on vcpu 1" },
    { VIRQ, VIRQ_XENPMU, 0xFFFFFFFFu, 0, -XEN_ENOENT, "a per-vCPU virq on vcpu -1" },
    { VIRQ, VIRQ_TIMER, 0, 0, -XEN_EEXIST, "VIRQ_TIMER again" },
    { IPI, 0, 1, 0, -XEN_ENOENT, "bind_ipi on vcpu 1" },
    { CLOSE, 0, 0, 0, -XEN_EINVAL, "close port 0 (reserved)" },
    { CLOSE, 5, 0, 0, -XEN_EINVAL, "close a free port" },
    { CLOSE, EVTCHN_BUCKET, 0, 0, -XEN_EINVAL, "close a port not valid" },
    { SEND, 0, 0, 0, -XEN_EINVAL, "send on port 0" },
    { SEND, 3, 0, 0, -XEN_EINVAL, "send on a virq" },
    { SEND, 5, 0, 0, -XEN_EINVAL, "send on a free port" },
    { SEND, 1, 0, 0, 0, "send on an unbound port: dropped" },
    { STATUS, 0, 0, 1, 0, "status of port 0: closed" },
    { STATUS, EVTCHN_BUCKET - 1, 0, 1, 0, "status of a free valid port" },
    { STATUS, EVTCHN_BUCKET, 0, 1, -XEN_EINVAL, "status of a port not valid" },
    { STATUS, EVTCHN_BUCKET, 0, 0, -XEN_EINVAL, "not valid before not allowed" },
    { STATUS, 1, 0, 0, -XEN_EPERM, "status of another's port" },
    { UNMASK, 0, 0, 0, 0, "unmask port 0" },
    { UNMASK, EVTCHN_BUCKET - 1, 0, 0, 0, "unmask the last valid port" },
    { UNMASK, EVTCHN_BUCKET, 0, 0, -XEN_EINVAL, "unmask a port not valid" },
    { VCPU, EVTCHN_BUCKET, 1, 0, -XEN_ENOENT, "bind_vcpu: the vcpu first" },
    { VCPU, EVTCHN_BUCKET, 0, 0, -XEN_EINVAL, "bind_vcpu of a port not valid" },
    { VCPU, 5, 0, 0, -XEN_EINVAL, "bind_vcpu of a free port" },
    { VCPU, 2, 0, 0, -XEN_EINVAL, "bind_vcpu of an IPI" },
    { VCPU, 3, 0, 0, -XEN_EINVAL, "bind_vcpu of VIRQ_TIMER (per-vCPU)" },
    { VCPU, 4, 0, 0, 0, "bind_vcpu of VIRQ_CONSOLE (global)" },
    { VCPU, 1, 0, 0, 0, "bind_vcpu of an unbound port" },
    { PRIO, EVTCHN_BUCKET, 0, 0, -XEN_EINVAL, "set_priority of a port not valid" },
    { PRIO, 1, 0, 0, -XEN_ENOSYS, "set_priority under the 2-level ABI" },
};

static void test_argument_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct row *r = &rows[i];
        uint32_t p;
        setup(NULL);
        assert_int_equal(evtchn_alloc_unbound(&doms[1], 2, 1, &p), 0);
        assert_int_equal(evtchn_bind_ipi(&doms[1], 0, &p), 0);
        assert_int_equal(evtchn_bind_virq(&doms[1], VIRQ_TIMER, 0, &p), 0);
        assert_int_equal(evtchn_bind_virq(&doms[1], VIRQ_CONSOLE, 0, &p), 0);
        struct evtchn_status st = { 1, 0, r->a, 0, 0, { { 0, 0 } } };
        int rc;
        switch (r->op) {
        case ALLOC:  rc = evtchn_alloc_unbound(&doms[r->allowed ? 1 : 2], (uint16_t)r->a,
                                               r->allowed, &p); break;
        case INTER:  rc = evtchn_bind_interdomain(&ops, &doms[2], (uint16_t)r->a, r->b, &p); break;
        case VIRQ:   rc = evtchn_bind_virq(&doms[1], r->a, r->b, &p); break;
        case IPI:    rc = evtchn_bind_ipi(&doms[1], r->b, &p); break;
        case CLOSE:  rc = evtchn_close(&ops, &doms[1], r->a); break;
        case SEND:   rc = evtchn_send(&ops, &doms[1], r->a); break;
        case STATUS: rc = evtchn_status(&doms[1], r->allowed, &st); break;
        case UNMASK: rc = evtchn_unmask(&ops, &doms[1], r->a); break;
        case VCPU:   rc = evtchn_bind_vcpu(&doms[1], r->a, r->b); break;
        default:     rc = evtchn_set_priority(&doms[1], r->a); break;
        }
        if (rc != r->want)
            fail_msg("%s: %d, want %d", r->what, rc, r->want);
    }
}

/* Buckets of 64 as Xen's: the 64th port makes the next bucket valid, and a
 * bind that then fails keeps it (Xen takes the port before its checks). */
static void test_buckets(void **state)
{
    uint32_t p;
    (void)state;
    for (unsigned i = 1; i < EVTCHN_BUCKET; i++)
        assert_int_equal(evtchn_bind_ipi(&doms[1], 0, &p), 0);
    assert_int_equal(evtchn_unmask(&ops, &doms[1], EVTCHN_BUCKET), -XEN_EINVAL);
    assert_int_equal(evtchn_bind_interdomain(&ops, &doms[1], 2, 1, &p), -XEN_EINVAL);
    assert_int_equal(evtchn_unmask(&ops, &doms[1], EVTCHN_BUCKET), 0);
    assert_int_equal(evtchn_unmask(&ops, &doms[1], 2 * EVTCHN_BUCKET - 1), 0);
    assert_int_equal(evtchn_unmask(&ops, &doms[1], 2 * EVTCHN_BUCKET), -XEN_EINVAL);
    assert_int_equal(evtchn_bind_ipi(&doms[1], 0, &p), 0);
    assert_int_equal(p, EVTCHN_BUCKET);
    /* A reset keeps the buckets, as Xen's. */
    evtchn_reset(&ops, &doms[1]);
    assert_int_equal(evtchn_unmask(&ops, &doms[1], 2 * EVTCHN_BUCKET - 1), 0);
    assert_int_equal(evtchn_bind_ipi(&doms[1], 0, &p), 0);
    assert_int_equal(p, 1);
}

/* Xen's 2-level bits: the selector bit is the news; unmask delivers only a
 * port that was masked; close clears the pending bit; status writes only
 * the fields of u that its status has. */
static void test_two_level_bits(void **state)
{
    uint32_t p, q;
    (void)state;
    assert_int_equal(evtchn_bind_ipi(&doms[1], 0, &p), 0);
    assert_int_equal(evtchn_bind_ipi(&doms[1], 0, &q), 0);
    struct vcpu_info *vi = &sh[1].vcpu_info[0];
    vi->evtchn_pending_sel = 1;               /* the guest has not looked at word 0 yet */
    assert_int_equal(evtchn_send(&ops, &doms[1], p), 0);
    assert_true(pending(1, p));
    assert_int_equal(vi->evtchn_upcall_pending, 0);
    assert_int_equal(kicks[1], 0);
    vi->evtchn_pending_sel = 0;
    sh[1].evtchn_pending[0] = 0;
    /* Pending and not masked: unmask does nothing (Xen tests the mask bit). */
    sh[1].evtchn_pending[0] = 1u << q;
    assert_int_equal(evtchn_unmask(&ops, &doms[1], q), 0);
    assert_int_equal(vi->evtchn_pending_sel, 0);
    assert_int_equal(vi->evtchn_upcall_pending, 0);
    sh[1].evtchn_mask[0] = 1u << q;
    assert_int_equal(evtchn_unmask(&ops, &doms[1], q), 0);
    assert_int_equal(sh[1].evtchn_mask[0], 0);
    assert_int_equal(vi->evtchn_pending_sel, 1);
    assert_int_equal(vi->evtchn_upcall_pending, 1);
    assert_int_equal(kicks[1], 1);
    /* Close: the pending bit goes too; the next bind of it starts clean. */
    assert_int_equal(evtchn_close(&ops, &doms[1], q), 0);
    assert_false(pending(1, q));
    struct evtchn_status st = { 1, 0, p, 9, 9, { { 0xAAAA, 0xBBBB } } };
    st.u.interdomain.port = 0xCCCCCCCC;
    assert_int_equal(evtchn_status(&doms[1], 1, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_ipi);
    assert_int_equal(st.vcpu, 0);
    assert_int_equal(st.u.interdomain.dom, 0xAAAA);              /* as given */
    assert_int_equal(st.u.interdomain.port, 0xCCCCCCCC);
    st.port = q;
    assert_int_equal(evtchn_status(&doms[1], 1, &st), 0);
    assert_int_equal(st.status, EVTCHNSTAT_closed);
    assert_int_equal(st.u.interdomain.port, 0xCCCCCCCC);
}

static void test_runq(void **state)
{
    struct runq q;
    uint16_t id;
    (void)state;
    runq_init(&q);
    assert_int_equal(runq_pop(&q, &id), -XEN_ENOENT);
    assert_int_equal(runq_push(&q, 1), 0);
    assert_int_equal(runq_push(&q, 2), 0);
    assert_int_equal(runq_push(&q, 3), 0);
    assert_int_equal(runq_push(&q, 2), -XEN_EEXIST);
    assert_int_equal(runq_pop(&q, &id), 0);
    assert_int_equal(id, 1);
    assert_int_equal(runq_push(&q, 1), 0);                       /* round robin */
    assert_int_equal(runq_remove(&q, 3), 0);
    assert_int_equal(runq_remove(&q, 3), -XEN_ENOENT);
    assert_int_equal(runq_pop(&q, &id), 0);
    assert_int_equal(id, 2);
    assert_int_equal(runq_pop(&q, &id), 0);
    assert_int_equal(id, 1);
    for (uint16_t i = 0; i < RUNQ_MAX; i++)
        assert_int_equal(runq_push(&q, i + 10), 0);
    assert_int_equal(runq_push(&q, 99), -XEN_ENOSPC);
    assert_true(runq_contains(&q, 10 + RUNQ_MAX - 1));
    for (uint16_t i = 0; i < RUNQ_MAX; i++) {           /* wraps around, order kept */
        assert_int_equal(runq_pop(&q, &id), 0);
        assert_int_equal(id, i + 10);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_interdomain, setup),
        cmocka_unit_test_setup(test_mask_unmask_delivers_once, setup),
        cmocka_unit_test_setup(test_virq, setup),
        cmocka_unit_test_setup(test_ports_run_out_and_reset, setup),
        cmocka_unit_test_setup(test_close_hypervisor_port, setup),
        cmocka_unit_test_setup(test_dead_peer, setup),
        cmocka_unit_test_setup(test_argument_table, setup),
        cmocka_unit_test_setup(test_buckets, setup),
        cmocka_unit_test_setup(test_two_level_bits, setup),
        cmocka_unit_test(test_runq),
    };
    return cmocka_run_group_tests_name("evtchn", tests, NULL, NULL);
}
