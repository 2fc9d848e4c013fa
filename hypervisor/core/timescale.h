/*
 * timescale: the arithmetic of PV time. System time in ns is
 *   ((tsc_delta << shift or >> -shift) * mul) >> 32
 * (vcpu_time_info's tsc_to_system_mul and tsc_shift), and the wallclock
 * comes from the RTC's calendar date. Pure.
 */
#ifndef HV_CORE_TIMESCALE_H
#define HV_CORE_TIMESCALE_H

#include <stdint.h>
#include <pv86/shared.h>

/* mul and shift for a counter of hz ticks per second: 1e9 < hz << shift <= 2e9. */
void timescale_compute(uint64_t hz, uint32_t *mul, int8_t *shift);
uint64_t timescale_apply(uint64_t delta, uint32_t mul, int8_t shift);
/*
 * The time stamp system time is extrapolated from (Xen's cpu_time.stamp):
 * now = stime + scale(tsc_now - tsc). The hypervisor takes a new one once a
 * second (Xen's calibration EPOCH) from the old one, so system time stays
 * continuous; every vCPU's vcpu_info.time is a copy of it, refreshed when
 * the vCPU is scheduled in and, for the running vCPU, at each new stamp.
 * A guest's TSC delta is so always under about a second: 32 bits suffice.
 */
struct time_stamp {
    uint64_t tsc;                       /* local_tsc */
    uint64_t stime;                     /* local_stime, ns */
    uint32_t mul;                       /* tsc_to_system_mul */
    int8_t shift;                       /* tsc_shift */
};

/* System time at tsc (at or after the stamp's). */
uint64_t timescale_now(const struct time_stamp *s, uint64_t tsc);
/* A new stamp at tsc, continuing the old one. */
void timescale_restamp(struct time_stamp *s, uint64_t tsc);
/* Copy the stamp into a guest's record unless it holds it already (as
 * Xen's update_vcpu_system_time): version odd while the fields change,
 * even after, whatever the guest left in it. 1 if it wrote. */
int timescale_update_record(struct vcpu_time_info *t, const struct time_stamp *s);

/* Seconds since 1970-01-01 for a date and time in UTC (year >= 1970). */
uint64_t timescale_unix_time(unsigned year, unsigned month, unsigned day,
                             unsigned hour, unsigned min, unsigned sec);

#endif
