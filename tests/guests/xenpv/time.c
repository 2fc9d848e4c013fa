/*
 * time: system time from vcpu_info alone, over 30 s of virtual time, and
 * Xen's timers.
 *
 * The guest reads system time as mini-os and old 32-bit Linux do: from its
 * vcpu_info.time record only, with the TSC delta cut to 32 bits
 * ((uint32_t)(tsc - tsc_timestamp), scaled). That is right only while the
 * hypervisor refreshes the record well within 2^32 cycles (4.3 s at the
 * 1 GHz of -icount shift=0): Xen rewrites it when the vCPU is scheduled in
 * and once a second for the running vCPU.
 *
 * Then it blocks four times (1 + 5 + 10 + 14 = 30 s) with a single-shot
 * timer set for the next deadline and a 10 ms periodic timer running: the
 * periodic timer is stopped while the vCPU is blocked (Xen), so only the
 * single-shot wakes it, and the 32-bit reading right after the wake must be
 * the deadline exactly to a tick: never before it (a Xen timer never fires
 * early), and at most one tick of pv86's 1 kHz timer (999848 ns: pv86 fires
 * timers at its tick, Xen at a one-shot hardware deadline) plus the wake-up
 * path (under 100 us of instructions) after it. All ports but the timer's
 * are masked while blocked, so nothing else can wake it.
 *
 * The wallclock (shared_info wc_*) is, as in Xen, the time of day at system
 * time 0: unchanged over the run (Xen rewrites it only on a settime), and
 * wallclock + system time moves by the same 30 s.
 */
#include <pv86/vcpu.h>

#include "xenpv.h"

#define MS        1000000ull
#define SEC       1000000000ull
#define TICK_NS   999848ull             /* pv86's timer tick: 1193 PIT cycles */
#define WAKE_NS   100000ull             /* the wake-up path, generously */
#define NWORDS    (sizeof(((struct shared_info *)0)->evtchn_mask) / 4)

struct reading {
    uint64_t ns32;                      /* system time, 32-bit TSC delta */
    uint64_t ns64;                      /* the same with the full delta */
    uint64_t delta;                     /* tsc - tsc_timestamp */
};

static void read_time(struct reading *r)
{
    const volatile struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
    uint32_t version, lo, hi;
    do {
        version = t->version;
        __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
        uint64_t tsc = ((uint64_t)hi << 32) | lo;
        uint32_t d32 = (uint32_t)(tsc - t->tsc_timestamp);
        uint64_t d = d32;
        int8_t shift = t->tsc_shift;
        d = shift >= 0 ? d << shift : d >> -shift;
        r->ns32 = t->system_time + (d >> 32) * t->tsc_to_system_mul +
                  (((d & 0xFFFFFFFFull) * t->tsc_to_system_mul) >> 32);
        r->ns64 = pv86_time_scale(t, tsc);
        r->delta = tsc - t->tsc_timestamp;
        __asm__ __volatile__("" : : : "memory");
    } while ((version & 1) || version != t->version);
}

static uint32_t timer_port;
static volatile unsigned timer_upcalls;

static void on_port(uint32_t port, void *ctx)
{
    (void)ctx;
    if (port == timer_port)
        timer_upcalls++;
}

static void upcall(void)
{
    pv86_evtchn_scan(shared_info, on_port, NULL);
}

static int32_t singleshot(uint64_t t, uint32_t flags)
{
    struct vcpu_set_singleshot_timer s = { (uint32_t)t, (uint32_t)(t >> 32), flags };
    return hv_vcpu_op(VCPUOP_set_singleshot_timer, 0, &s);
}

static int32_t periodic(uint32_t vcpu, uint64_t ns)
{
    struct vcpu_set_periodic_timer p = { (uint32_t)ns, (uint32_t)(ns >> 32) };
    return hv_vcpu_op(VCPUOP_set_periodic_timer, vcpu, &p);
}

/* Timer events that arrive while we spin ms of system time, events on. */
static unsigned spin_count(uint64_t ms)
{
    struct reading r;
    read_time(&r);
    uint64_t until = r.ns32 + ms * MS;
    unsigned before = timer_upcalls;
    do
        read_time(&r);
    while (r.ns32 < until);
    return timer_upcalls - before;
}

/* Block until the single-shot timer for +sec s wakes us; check the time. */
static void block_for(unsigned sec)
{
    uint32_t saved[NWORDS];
    struct reading r0, r1;
    volatile struct vcpu_info *vi = &shared_info->vcpu_info[0];
    for (unsigned i = 0; i < NWORDS; i++) {
        saved[i] = shared_info->evtchn_mask[i];
        shared_info->evtchn_mask[i] = ~0u;
    }
    __atomic_fetch_and(&shared_info->evtchn_mask[timer_port / 32], ~(1u << (timer_port % 32)),
                       __ATOMIC_SEQ_CST);
    vi->evtchn_upcall_mask = 1;
    read_time(&r0);
    uint64_t deadline = r0.ns32 + sec * SEC;
    int32_t rc = singleshot(deadline, VCPU_SSHOTTMR_future);
    unsigned before = timer_upcalls;
    int32_t brc = hv_sched_op(SCHEDOP_block, NULL);   /* unmasks events; the upcall on return */
    read_time(&r1);
    unsigned seen = timer_upcalls - before;
    for (unsigned i = 0; i < NWORDS; i++)
        shared_info->evtchn_mask[i] = saved[i];
    int64_t late = (int64_t)(r1.ns32 - deadline);
    ok(rc == 0 && brc == 0 && seen == 1 && late >= 0 && late <= (int64_t)(TICK_NS + WAKE_NS),
       "time: single-shot for +%u s: woken once (%u timer upcalls), %d us after the deadline "
       "(want 0 to 1 tick + 100 us)", sec, seen, (int)(late / 1000));
    /* Refreshed at schedule-in from a stamp renewed each second. */
    ok(r1.ns32 == r1.ns64 && r1.delta < SEC + WAKE_NS && r0.ns32 == r0.ns64,
       "time: after +%u s the 32-bit reading is the full one (record %u ms old, want under 1 s)",
       sec, (unsigned)(r1.delta / MS));
}

void xenpv_time(void)
{
    const volatile struct vcpu_time_info *t = &shared_info->vcpu_info[0].time;
    const volatile struct shared_info *sh = shared_info;
    ok(t->version % 2 == 0 && t->tsc_to_system_mul != 0,
       "time: vcpu_info.time set (version %u even, mul %#x, shift %d)", (unsigned)t->version,
       (unsigned)t->tsc_to_system_mul, (int)t->tsc_shift);

    struct evtchn_bind_virq b = { VIRQ_TIMER, 0, 0 };
    event_fn old_handler = event_handler;
    event_handler = upcall;
    int32_t rc = hv_event_channel_op(EVTCHNOP_bind_virq, &b);
    timer_port = b.port;
    shared_info->vcpu_info[0].evtchn_upcall_mask = 0;      /* events on */
    unsigned n = rc ? 0 : spin_count(50);
    ok(rc == 0 && n >= 4 && n <= 6,
       "time: Xen's default periodic timer (100 Hz): %u events in 50 ms (want 4-6)", n);

    /* Xen's refusals. */
    ok(singleshot(1, VCPU_SSHOTTMR_future) == -XEN_ETIME,
       "time: single-shot in the past with VCPU_SSHOTTMR_future: -ETIME");
    ok(periodic(0, MS - 1) == -XEN_EINVAL, "time: periodic timer below 1 ms: -EINVAL");
    ok(periodic(1, 10 * MS) == -XEN_ENOENT, "time: periodic timer of vCPU 1: -ENOENT");
    ok(hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL) == 0 && spin_count(30) == 0,
       "time: periodic timer stopped: no event in 30 ms");
    ok(periodic(0, 10 * MS) == 0 && spin_count(30) >= 2,
       "time: periodic timer of 10 ms set: it ticks while we run");

    uint32_t wc_version = sh->wc_version, wc_sec = sh->wc_sec, wc_nsec = sh->wc_nsec;
    struct reading start, end;
    read_time(&start);
    static const unsigned secs[] = { 1, 5, 10, 14 };
    for (unsigned i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
        block_for(secs[i]);
    read_time(&end);
    uint64_t wall0 = wc_sec * SEC + wc_nsec + start.ns32, wall1 = sh->wc_sec * SEC +
                     sh->wc_nsec + end.ns32;
    ok(wc_version % 2 == 0 && sh->wc_version == wc_version && sh->wc_sec == wc_sec &&
       sh->wc_nsec == wc_nsec && wc_sec > 1600000000u,
       "time: wallclock base unchanged over the run (version %u even, after 2020)",
       (unsigned)wc_version);
    ok((wall1 - wall0) / SEC == 30 && (end.ns32 - start.ns32) / SEC == 30,
       "time: wallclock and system time both moved %u s", (unsigned)((wall1 - wall0) / SEC));

    /* Leave no timer, port or pending event behind for the next topic. */
    hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    hv_event_channel_op(EVTCHNOP_close, &(struct evtchn_port_arg){ timer_port });
    shared_info->vcpu_info[0].evtchn_pending_sel = 0;
    shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
    event_handler = old_handler;
}
