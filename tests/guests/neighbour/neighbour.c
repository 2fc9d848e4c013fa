/*
 * neighbour: the latency neighbour. It spins reading system time (its
 * vcpu_info time record and RDTSC, no hypercall) and records the longest
 * gap between two consecutive readings: the longest time it was kept off
 * the CPU, by another domain's slice or by a hypercall, interrupt or
 * console drain the hypervisor did not cut short. It stops after `max_ms`
 * (default 2000) of system time, or when domain `peer` (default 1) signals
 * the port it offers it (as the innocent domain is signalled), then prints
 * exactly one line
 *
 *     neighbour: longest gap N us over M ms
 *
 * and powers off. The gap means something only under virtual time:
 * `QEMU_EXTRA="-icount shift=0,sleep=off"` ($VTIME in tests/boot/lib.sh:
 * system time counts instructions, so a gap is the work done elsewhere,
 * not the host's load). With one other busy
 * domain and 10 ms slices the longest gap is about one slice, 10-20 ms.
 * tests/boot/lib.sh's gap_within checks the line.
 */
#include "guest.h"

int guest_main(void)
{
    uint64_t max_ns = (uint64_t)cmdline_num("max_ms", 2000) * 1000000u;
    struct evtchn_alloc_unbound a = { DOMID_SELF, (domid_t)cmdline_num("peer", 1), 0 };
    int32_t rc = hv_event_channel_op(EVTCHNOP_alloc_unbound, &a);
    const volatile uint32_t *pending = &shared_info->evtchn_pending[a.port / 32];
    uint32_t bit = 1u << (a.port % 32);
    uint64_t start = system_time_ns(), last = start, longest = 0;
    for (;;) {
        /* The signal is looked at before the time is read: a preemption
         * between the two still ends in one more reading that counts it. */
        int signalled = rc == 0 && (*pending & bit);
        uint64_t now = system_time_ns();
        if (now > last && now - last > longest)
            longest = now - last;
        last = now;
        if (signalled || now - start >= max_ns)
            break;
    }
    printf("neighbour: longest gap %u us over %u ms\n", (unsigned)(longest / 1000u),
           (unsigned)((last - start) / 1000000u));
    return 0;
}
