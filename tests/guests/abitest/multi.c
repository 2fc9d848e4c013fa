/*
 * multi (pv): test modes for several domains at once.
 *   test=pong peer=N count=C        answer C events from domain N; with
 *                                   a xenstore, the port is published in
 *                                   our home's data/port (readable by N)
 *   test=ping peer=N port=P count=C interval=MS delay=MS
 *                                   C round trips to domain N's port P,
 *                                   the first after delay ms; without
 *                                   port=, P is read from N's data/port
 *                                   in xenstore (watched until it is there)
 *   test=periodic-blocked peer=N    block with only a 10 ms periodic timer
 *                                   until domain N's event: timer events
 *                                   seen while blocked (Xen: none)
 *   test=timer                      VIRQ_TIMER deadlines, periodic, poll
 *   test=spin ms=T                  burn the CPU for T ms (preemption)
 *   test=crash-late ms=T            run T ms, then crash
 *   test=irqflags count=C           C disable/enable pairs, nothing pending
 *   test=echo                       read one line of serial input (d1 only)
 * Each prints TAP and powers off (or crashes) at the end.
 */
#include "pv.h"

#include <pv86/event_channel.h>
#include <pv86/vcpu.h>

#include "kernel.h"
#include "lib/format.h"
#include "lib/string.h"
#include "wire.h"
#include "xs.h"

#define MS 1000000ull
/* A timer fires on the hypervisor's next 1 ms tick; its domain then waits
 * at most one 10 ms slice for the CPU. */
#define TIMER_TOLERANCE_NS (12 * MS)

static volatile uint32_t received;
static volatile uint64_t last_event_ns;
static uint32_t pp_port;

static void on_ping(uint32_t port)
{
    received++;
    if (received <= 5)
        kprintf("# round %u received at %u us\n", (unsigned)received,
                (unsigned)(system_time_ns() / 1000));
    evtchn_send_port(port);                        /* answer */
}

/* As a Xen guest pair rendezvous: the port goes into our xenstore home,
 * data/port, owned by us and readable by the peer alone ("n<us>",
 * "r<peer>"); the peer reads it there. */
static void publish_port(uint32_t port, domid_t peer)
{
    uint32_t me = 0;
    char value[12], perms[24];
    fmt_snprintf(value, sizeof(value), "%u", (unsigned)port);
    uint32_t t = xs_read_number("domid", &me);
    int n = fmt_snprintf(perms, sizeof(perms), "n%u", (unsigned)me);
    n += 1 + fmt_snprintf(perms + n + 1, sizeof(perms) - (size_t)n - 1, "r%u", (unsigned)peer);
    int ok = t == XS_READ && me != 0 && xs_write("data/port", value) == XS_WRITE &&
             xs_request(XS_SET_PERMS, "data/port", 10, perms, (uint32_t)n + 1) == XS_SET_PERMS;
    tap_ok(ok, "pong: port %u published in xenstore: /local/domain/%u/data/port, readable by d%u",
           (unsigned)port, (unsigned)me, (unsigned)peer);
}

static void run_pong(void)
{
    uint32_t count = cmdline_number("count", 100);
    struct evtchn_alloc_unbound a = { DOMID_SELF, (domid_t)cmdline_number("peer", 0), 0 };
    /* Events stay masked until the port has its handler: a ping that
     * arrives in between must wait for it, not find nobody. */
    uint8_t flags = events_save_disable();
    int32_t rc = hv_event_channel_op(EVTCHNOP_alloc_unbound, &a);
    event_bind(a.port, on_ping);
    events_restore(flags);
    tap_ok(rc == 0, "pong: port for domain %u allocated", (unsigned)a.remote_dom);
    kprintf("# pong: listening on port %u\n", (unsigned)a.port);
    if (rc == 0 && xs_init())
        publish_port(a.port, a.remote_dom);
    WAIT_UNTIL(received >= count);
    tap_ok(received == count, "pong: answered %u pings", (unsigned)count);
}

static void on_reply(uint32_t port)
{
    (void)port;
    received++;
}

static void on_tick(uint32_t port)
{
    (void)port;
    last_event_ns = system_time_ns();
}

/* VIRQ_TIMER without Xen's default 100 Hz periodic timer (a PV vCPU
 * starts with one; Linux stops it at boot too): only our deadlines. */
static uint32_t bind_timer(void)
{
    struct evtchn_bind_virq b = { VIRQ_TIMER, 0, 0 };
    if (hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL) ||
        hv_event_channel_op(EVTCHNOP_bind_virq, &b))
        return 0;
    event_bind(b.port, on_tick);
    return b.port;
}

static void sleep_ms(uint32_t ms)
{
    uint64_t until = system_time_ns() + ms * MS;
    hv_hypercall5(__HYPERVISOR_set_timer_op, (uint32_t)until, (uint32_t)(until >> 32), 0, 0, 0);
    WAIT_UNTIL(system_time_ns() >= until);
}

/* No port= given: the peer's port from its xenstore home (data/port),
 * as a Xen frontend reads its backend's. It may not be written (or not
 * yet readable by us) when we first look: a watch on it, and a bounded
 * number of looks (each after a watch event or 10 ms). */
static int find_port(domid_t peer, uint32_t *port)
{
    char path[48];
    fmt_snprintf(path, sizeof(path), "/local/domain/%u/data/port", (unsigned)peer);
    uint32_t t = XS_TIMEOUT;
    unsigned looks = 0;
    if (xs_init() && xs_watch(path, "pong") == XS_WATCH)
        while ((t = xs_read_number(path, port)) != XS_READ && ++looks < 2000)
            xs_wait_event();
    tap_ok(t == XS_READ, "ping: read %s = %u from xenstore (%u looks)", path,
           t == XS_READ ? (unsigned)*port : 0, looks + 1);
    return t == XS_READ;
}

static void run_ping(void)
{
    uint32_t count = cmdline_number("count", 100), interval = cmdline_number("interval", 0),
             delay = cmdline_number("delay", 0);
    struct evtchn_bind_interdomain b = { (domid_t)cmdline_number("peer", 0), 0,
                                         cmdline_number("port", 0), 0 };
    int32_t rc;
    unsigned tries = 0;
    size_t len;
    if (!cmdline_get(arch_cmdline(), "port", &len) && !find_port(b.remote_dom, &b.remote_port))
        return;
    bind_timer();
    /* The peer may not have opened its port yet: retry. */
    uint8_t flags = events_save_disable();
    while ((rc = hv_event_channel_op(EVTCHNOP_bind_interdomain, &b)) == -XEN_EINVAL &&
           tries++ < 2000)
        hv_sched_op(SCHEDOP_yield, NULL);
    if (rc == 0) {
        /* Binding sets the new port pending once (lost notifications):
         * drop that, and give the port its handler before events come. */
        __atomic_fetch_and(&shared_info->evtchn_pending[b.local_port / 32],
                           ~(1u << (b.local_port % 32)), __ATOMIC_SEQ_CST);
        pp_port = b.local_port;
        event_bind(pp_port, on_reply);
    }
    events_restore(flags);
    tap_ok(rc == 0, "ping: bound to domain %u port %u", (unsigned)b.remote_dom,
           (unsigned)b.remote_port);
    if (rc)
        return;
    if (delay)
        sleep_ms(delay);
    for (uint32_t i = 0; i < count; i++) {
        if (i < 5)
            kprintf("# round %u sent at %u us\n", (unsigned)(i + 1),
                    (unsigned)(system_time_ns() / 1000));
        evtchn_send_port(pp_port);
        WAIT_UNTIL(received >= i + 1);
        if (interval)
            sleep_ms(interval);
    }
    tap_ok(received == count, "ping: %u round trips, %u replies", (unsigned)count,
           (unsigned)received);
}

static void run_timer(void)
{
    uint32_t port = bind_timer();
    tap_ok(port != 0, "timer: VIRQ_TIMER bound");
    static const uint32_t delays_ms[] = { 1, 3, 7, 15 };
    for (unsigned i = 0; i < 4; i++) {
        uint64_t deadline = system_time_ns() + delays_ms[i] * MS;
        last_event_ns = 0;
        hv_hypercall5(__HYPERVISOR_set_timer_op, (uint32_t)deadline, (uint32_t)(deadline >> 32),
                      0, 0, 0);
        WAIT_UNTIL(last_event_ns != 0);
        uint64_t late = last_event_ns - deadline;
        tap_ok(last_event_ns >= deadline && late <= TIMER_TOLERANCE_NS,
               "set_timer_op +%u ms: VIRQ_TIMER at the deadline, late by at most 12 ms",
               (unsigned)delays_ms[i]);
        kprintf("# +%u ms: late by %u us\n", (unsigned)delays_ms[i], (unsigned)(late / 1000));
    }
    struct vcpu_set_singleshot_timer past = { 1, 0, VCPU_SSHOTTMR_future };
    tap_ok(hv_vcpu_op(VCPUOP_set_singleshot_timer, 0, &past) == -XEN_ETIME,
           "vcpu_op singleshot in the past with VCPU_SSHOTTMR_future: -ETIME");
    tap_ok(hv_vcpu_op(VCPUOP_set_singleshot_timer, 1, &past) == -XEN_ENOENT,
           "vcpu_op for vcpu 1: -ENOENT");
    struct vcpu_set_periodic_timer per = { 5 * 1000 * 1000, 0 };
    uint64_t start = system_time_ns(), prev = start;
    int spacing_ok = 1;
    tap_ok(hv_vcpu_op(VCPUOP_set_periodic_timer, 0, &per) == 0, "periodic timer every 5 ms");
    /* It runs only while we do (Xen stops it while a vCPU is blocked): wait
     * for its events on the CPU, events on. */
    for (unsigned n = 0; n < 5; n++) {
        last_event_ns = 0;
        while (!last_event_ns)
            ;
        if (last_event_ns < prev)
            spacing_ok = 0;
        prev = last_event_ns;
    }
    hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    /* Ticks that fall due while the domain waits for the CPU coalesce into
     * one pending event (as in Xen): never early, at most 12 ms late each. */
    tap_ok(spacing_ok && prev - start >= 25 * MS - 2 * MS &&
           prev - start <= 5 * (5 * MS + TIMER_TOLERANCE_NS),
           "five periodic events: none early, each at most 12 ms late");
    kprintf("# five periodic events in %u us\n", (unsigned)((prev - start) / 1000));
    per.period_ns_lo = 1000;
    tap_ok(hv_vcpu_op(VCPUOP_set_periodic_timer, 0, &per) == -XEN_EINVAL,
           "periodic timer below 1 ms: -EINVAL");

    /* poll with a timeout and nothing pending: returns at the timeout. */
    uint32_t ports[1] = { port };
    uint64_t t0 = system_time_ns();
    struct sched_poll p = { (uint32_t)(uintptr_t)ports, 1, t0 + 4 * MS };
    tap_ok(hv_sched_op(SCHEDOP_poll, &p) == 0 && system_time_ns() >= t0 + 4 * MS,
           "sched_op poll: returns at its timeout");

    uint64_t prev_t = system_time_ns();
    int mono = 1;
    for (unsigned i = 0; i < 100000; i++) {
        uint64_t t = system_time_ns();
        if (t < prev_t)
            mono = 0;
        prev_t = t;
    }
    tap_ok(mono, "system time never goes back over 100000 reads");
    kprintf("# system time now %u us\n", (unsigned)(system_time_ns() / 1000));
    const struct shared_info *sh = shared_info;
    tap_ok(sh->wc_version % 2 == 0 && sh->wc_sec > 1600000000u,
           "wallclock set (%s)", sh->wc_sec > 1600000000u ? "after 2020" : "unset");
}

static void run_spin(void)
{
    uint64_t until = system_time_ns() + cmdline_number("ms", 100) * MS;
    unsigned long loops = 0;
    while (system_time_ns() < until)
        loops++;
    tap_ok(loops > 0, "spin: burned %u ms without a hypercall", (unsigned)cmdline_number("ms", 100));
}

static void run_crash_late(void)
{
    bind_timer();
    sleep_ms(cmdline_number("ms", 20));
    kprintf("# crashing on purpose now\n");
    probe_read(0x00C00000u);           /* no trap table: the fault is fatal */
}

static void run_irqflags(void)
{
    uint32_t count = cmdline_number("count", 100000);
    volatile uint32_t work = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint8_t flags = events_save_disable();
        work++;
        events_restore(flags);
    }
    tap_ok(work == count, "irqflags: %u disable/enable pairs (hypercalls: see the hypervisor)",
           (unsigned)count);
}

/* test=echo: serial input reaches the initial domain as VIRQ_CONSOLE. */
static volatile unsigned console_events;
static void on_console(uint32_t port) { (void)port; console_events++; }

static void run_echo(void)
{
    char line[64];
    size_t n = 0;
    struct evtchn_bind_virq b = { VIRQ_CONSOLE, 0, 0 };
    tap_ok(hv_event_channel_op(EVTCHNOP_bind_virq, &b) == 0, "echo: VIRQ_CONSOLE bound");
    event_bind(b.port, on_console);
    WAIT_UNTIL(console_events != 0);    /* the next tick announces the input */
    while (n < sizeof(line) - 1 && (n == 0 || line[n - 1] != '\n')) {
        int32_t got = hv_console_io(CONSOLEIO_read, (uint32_t)(sizeof(line) - 1 - n), line + n);
        if (got > 0) {
            n += (size_t)got;
        } else {
            unsigned seen = console_events;
            WAIT_UNTIL(console_events != seen);
        }
    }
    line[n ? n - 1 : 0] = '\0';
    tap_ok(console_events > 0, "echo: input announced by VIRQ_CONSOLE");
    tap_ok(n > 0, "echo: read \"%s\" with console_io", line);
}

/* test=periodic-blocked: Xen stops a vCPU's periodic timer while it is
 * descheduled, so blocked with only that timer we see no timer event until
 * the peer's event wakes us. The peer's port is bound first (the lower
 * port), so in the upcall that wakes us its handler runs before the
 * timer's: the event the restarted periodic timer sends then is not
 * counted as one seen while blocked. */
static volatile uint32_t ticks, ticks_blocked;

static void on_periodic(uint32_t port)
{
    (void)port;
    ticks++;
    if (!received)
        ticks_blocked++;
}

static void on_wake(uint32_t port)
{
    received++;
    evtchn_send_port(port);                        /* answer the ping */
}

static void run_periodic_blocked(void)
{
    struct evtchn_alloc_unbound a = { DOMID_SELF, (domid_t)cmdline_number("peer", 0), 0 };
    struct evtchn_bind_virq b = { VIRQ_TIMER, 0, 0 };
    struct vcpu_set_periodic_timer per = { 10 * MS, 0 };
    uint8_t flags = events_save_disable();
    int32_t rc = hv_event_channel_op(EVTCHNOP_alloc_unbound, &a);
    event_bind(a.port, on_wake);
    rc = rc ? rc : hv_event_channel_op(EVTCHNOP_bind_virq, &b);
    event_bind(b.port, on_periodic);
    rc = rc ? rc : hv_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
    rc = rc ? rc : hv_vcpu_op(VCPUOP_set_periodic_timer, 0, &per);
    events_restore(flags);
    tap_ok(rc == 0 && a.port < b.port, "periodic-blocked: port %u for domain %u, timer on %u",
           (unsigned)a.port, (unsigned)a.remote_dom, (unsigned)b.port);
    /* It ticks while we run: wait for two of its events on the CPU. */
    while (__atomic_load_n(&ticks, __ATOMIC_SEQ_CST) < 2)
        ;
    tap_ok(ticks >= 2, "periodic-blocked: the periodic timer ticks while we run");
    uint64_t t0 = system_time_ns();
    uint32_t before = ticks_blocked;
    WAIT_UNTIL(received >= 1);
    uint64_t blocked_ms = (system_time_ns() - t0) / MS;
    kprintf("# blocked for %u ms\n", (unsigned)blocked_ms);
    tap_ok(ticks_blocked - before == 0 && blocked_ms >= 100,
           "periodic-blocked: %u timer events while blocked %s 100 ms with a 10 ms periodic timer",
           (unsigned)(ticks_blocked - before), blocked_ms >= 100 ? "over" : "under");
    hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
}

int run_multi_mode(const char *mode, size_t len)
{
#define IS(m) (len == sizeof(m) - 1 && memcmp(mode, m, len) == 0)
    void (*run)(void) = IS("ping") ? run_ping : IS("pong") ? run_pong : IS("timer") ? run_timer
                      : IS("spin") ? run_spin : IS("crash-late") ? run_crash_late
                      : IS("irqflags") ? run_irqflags : IS("echo") ? run_echo
                      : IS("periodic-blocked") ? run_periodic_blocked : NULL;
#undef IS
    if (!run)
        return 0;
    events_init();
    shared_info->vcpu_info[0].evtchn_upcall_mask = 0;    /* events on */
    run();
    arch_poweroff(tap_done() == 0);
}
