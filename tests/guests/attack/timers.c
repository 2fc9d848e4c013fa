/*
 * timers: huge and wrapping guest times (pv86 issue 13, finding 3: a
 * periodic timer of 2^64-1 ns wrapped now + period and the tick handler
 * looped about `now` times with interrupts off). Every value is taken as
 * Xen takes it (hypervisor/core/timer.h): refused, fired at once, armed
 * 100 ms ahead or armed as given, and none keeps the CPU. Run beside the
 * latency neighbour under -icount shift=0 (neighbour=N names its domain):
 * its longest gap shows that no timer held the machine.
 *
 * VIRQ_TIMER is bound to a port we keep masked: SCHEDOP_poll wakes on it
 * all the same, and its pending bit says whether the timer fired.
 */
#include "guest.h"

#include "attack.h"

#define MS 1000000ull
#define TOP (~0ull)

static uint32_t tport, tbit;
static volatile uint32_t *tpend;

static void clear_timer(void)
{
    __atomic_and_fetch(tpend, ~tbit, __ATOMIC_SEQ_CST);
}

static int fired(void)
{
    return (*tpend & tbit) != 0;
}

/* Wait until the timer fires or `ms` pass; the ns waited. */
static uint64_t wait_fire(uint64_t ms)
{
    uint64_t t0 = system_time_ns();
    while (!fired() && system_time_ns() - t0 < ms * MS)
        poll_port(tport, t0 + ms * MS);
    return system_time_ns() - t0;
}

static int32_t set_timer_op(uint64_t t)
{
    return hv_hypercall5(__HYPERVISOR_set_timer_op, (uint32_t)t, (uint32_t)(t >> 32), 0, 0, 0);
}

static int32_t periodic(uint64_t ns)
{
    struct vcpu_set_periodic_timer p = { (uint32_t)ns, (uint32_t)(ns >> 32) };
    return hv_vcpu_op(VCPUOP_set_periodic_timer, 0, &p);
}

static int32_t singleshot(uint64_t t, uint32_t flags)
{
    struct vcpu_set_singleshot_timer s = { (uint32_t)t, (uint32_t)(t >> 32), flags };
    return hv_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
}

/* A poll on the (masked, idle) timer port with this timeout: the ns it took. */
static uint64_t poll_took(uint64_t timeout, int32_t *rc)
{
    uint32_t p = tport;
    struct sched_poll poll = { (uint32_t)(uintptr_t)&p, 1, timeout };
    uint64_t t0 = system_time_ns();
    *rc = hv_sched_op(SCHEDOP_poll, &poll);
    return system_time_ns() - t0;
}

static void periodic_cases(void)
{
    int32_t rc;
    rc = periodic(TOP);
    wait_fire(5);                   /* ticks to come: where the wrap used to loop */
    hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    ok(rc == -XEN_EINVAL, "periodic timer of 2^64-1 ns: %d (want -EINVAL)", (int)rc);
    rc = periodic(1ull << 63);
    ok(rc == -XEN_EINVAL, "periodic timer of 2^63 ns: %d (want -EINVAL)", (int)rc);
    rc = periodic(MS - 1);
    ok(rc == -XEN_EINVAL, "periodic timer of 1 ms - 1 ns: %d (want -EINVAL)", (int)rc);
    /* The longest allowed: now + period saturates, it never fires. Re-armed
     * many times, as the attack did. */
    unsigned refused = 0;
    for (unsigned i = 0; i < 100; i++)
        refused += periodic(TOP >> 1) != 0;
    clear_timer();
    uint64_t waited = wait_fire(40);
    ok(refused == 0 && !fired() && waited >= 40 * MS,
       "periodic timer of 2^63-1 ns, armed 100 times: accepted, silent for 40 ms");
    hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    /* An ordinary one still works: 1 ms, fires soon (within a slice or two
     * of the other domains). */
    clear_timer();
    rc = periodic(MS);
    waited = wait_fire(100);
    hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    ok(rc == 0 && fired() && waited < 40 * MS, "periodic timer of 1 ms: fired after %u us",
       (unsigned)(waited / 1000));
    clear_timer();
}

static void singleshot_cases(void)
{
    int32_t rc;
    clear_timer();
    rc = singleshot(TOP, VCPU_SSHOTTMR_future);
    ok(rc == 0 && fired(), "single-shot at 2^64-1 (negative as s_time_t), future flag: %d, "
       "fired at once", (int)rc);
    clear_timer();
    rc = singleshot(TOP - 1000 * MS, 0);
    ok(rc == 0 && fired(), "single-shot at 2^64 - 1 s: fired at once");
    clear_timer();
    rc = singleshot(1, VCPU_SSHOTTMR_future);
    ok(rc == -XEN_ETIME && !fired(), "single-shot in the past, future flag: %d (want -ETIME)",
       (int)rc);
    rc = singleshot(1, 0);
    ok(rc == 0 && fired(), "single-shot in the past: fired at once");
    clear_timer();
    rc = singleshot(0, 0);
    ok(rc == 0 && fired(), "single-shot at 0 (not a stop): fired at once");
    clear_timer();
    rc = singleshot(1ull << 62, 0);
    uint64_t waited = wait_fire(40);
    ok(rc == 0 && !fired() && waited >= 40 * MS, "single-shot at 2^62 ns: armed, silent for 40 ms");
    hv_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
    rc = singleshot(system_time_ns() + 5 * MS, VCPU_SSHOTTMR_future);
    waited = wait_fire(100);
    ok(rc == 0 && fired(), "single-shot 5 ms ahead: fired after %u us",
       (unsigned)(waited / 1000));
    clear_timer();
}

static void set_timer_op_cases(void)
{
    /* Negative, or 2^50 ns ahead or more: Xen arms it 100 ms from now. */
    static const uint64_t huge[] = { TOP, 1ull << 63, 1ull << 60 };
    for (unsigned i = 0; i < 3; i++) {
        clear_timer();
        uint64_t t0 = system_time_ns();
        int32_t rc = set_timer_op(huge[i]);
        int early = fired();
        wait_fire(300);
        uint64_t after = system_time_ns() - t0;
        ok(rc == 0 && !early && fired() && after >= 100 * MS && after < 160 * MS,
           "set_timer_op(0x%08x%08x): fired after %u ms (want 100 ms and a slice or two)",
           (unsigned)(huge[i] >> 32), (unsigned)huge[i], (unsigned)(after / MS));
    }
    clear_timer();
    int32_t rc = set_timer_op(1);
    ok(rc == 0 && fired(), "set_timer_op in the past: fired at once");
    clear_timer();
    uint64_t now = system_time_ns();
    set_timer_op(now + (1ull << 49));
    set_timer_op(0);                                /* stops it */
    wait_fire(20);
    ok(!fired(), "set_timer_op 2^49 ns ahead, then 0: silent");
    clear_timer();
}

static void poll_cases(void)
{
    static const uint64_t at_once[] = { TOP, TOP - 1000 * MS, 1ull << 63, 1 };
    for (unsigned i = 0; i < 4; i++) {
        int32_t rc;
        uint64_t took = poll_took(at_once[i], &rc);
        ok(rc == 0 && took < 2 * MS, "poll with timeout 0x%08x%08x: returned %d at once (%u us)",
           (unsigned)(at_once[i] >> 32), (unsigned)at_once[i], (int)rc, (unsigned)(took / 1000));
    }
    int32_t rc;
    uint64_t took = poll_took(system_time_ns() + 5 * MS, &rc);
    ok(rc == 0 && took >= 5 * MS && took < 40 * MS, "poll 5 ms ahead: returned after %u us",
       (unsigned)(took / 1000));
}

int timers_case(const char *name, size_t len)
{
    if (!(len == 6 && memcmp(name, "timers", 6) == 0))
        return -1;
    printf("attack: huge and wrapping timer values\n");
    struct evtchn_bind_virq v = { VIRQ_TIMER, 0, 0 };
    hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);  /* Xen's default 100 Hz one */
    int32_t rc = hv_event_channel_op(EVTCHNOP_bind_virq, &v);
    ok(rc == 0, "VIRQ_TIMER bound to port %u", (unsigned)v.port);
    tport = v.port;
    tbit = 1u << (tport % 32);
    tpend = &shared_info->evtchn_pending[tport / 32];
    shared_info->evtchn_mask[tport / 32] |= tbit;
    periodic_cases();
    singleshot_cases();
    set_timer_op_cases();
    poll_cases();
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "the hypervisor still serves us");
    uint32_t nb = cmdline_num("neighbour", 0);
    if (nb)
        signal_domain(nb);
    signal_innocent();
    return tap_done();
}
