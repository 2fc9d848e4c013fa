/*
 * timescale: the arithmetic of PV time. System time in ns is
 *   ((tsc_delta << shift or >> -shift) * mul) >> 32
 * (vcpu_time_info's tsc_to_system_mul and tsc_shift), and the wallclock
 * comes from the RTC's calendar date. Pure.
 */
#ifndef HV_CORE_TIMESCALE_H
#define HV_CORE_TIMESCALE_H

#include <stdint.h>

/* mul and shift for a counter of hz ticks per second: 1e9 < hz << shift <= 2e9. */
void timescale_compute(uint64_t hz, uint32_t *mul, int8_t *shift);
uint64_t timescale_apply(uint64_t delta, uint32_t mul, int8_t shift);
/* Seconds since 1970-01-01 for a date and time in UTC (year >= 1970). */
uint64_t timescale_unix_time(unsigned year, unsigned month, unsigned day,
                             unsigned hour, unsigned min, unsigned sec);

#endif
