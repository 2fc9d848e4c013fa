/*
 * timer: the arithmetic of the guests' timers, on guest-supplied times.
 *
 * System time is Xen's s_time_t: nanoseconds since boot, a signed 64-bit
 * number. Every deadline a guest gives is read as one, as Xen's set_timer()
 * reads it: a value with bit 63 set is negative, so it is in the past and
 * fires at once. No guest value makes the hypervisor loop: the periodic
 * timer computes its next deadline from the time it fired (as Xen's
 * vcpu_periodic_timer_work does), it never catches up tick by tick.
 *
 * The rules, from Xen (xen/common/sched/core.c, xen/common/domain.c):
 *   set_timer_op(t)          t == 0 stops the single-shot timer; t negative
 *                            or more than 2^50 ns (about 13 days) ahead arms
 *                            it 100 ms from now (Xen's workaround for
 *                            wrapped Linux jiffies); otherwise t, and a past
 *                            t fires at once.
 *   VCPUOP_set_singleshot    with VCPU_SSHOTTMR_future, t below now (as
 *                            unsigned numbers) is -ETIME; otherwise t, past
 *                            or negative firing at once.
 *   VCPUOP_set_periodic      a period below 1 ms or above 2^63-1 ns is
 *                            -EINVAL; each event comes period after the one
 *                            before it was delivered.
 *   SCHEDOP_poll timeout     0 waits without a deadline; otherwise read as
 *                            any deadline: past or negative returns at once.
 * Where Xen's own sums could pass 2^63-1 (now + period) pv86 saturates at
 * TIME_MAX instead of wrapping: such a timer never fires.
 *
 * Pure: the host unit tests run it.
 */
#ifndef HV_CORE_TIMER_H
#define HV_CORE_TIMER_H

#include <stdint.h>

#define TIME_MAX                 ((uint64_t)INT64_MAX)   /* STIME_MAX */
#define TIMER_MIN_PERIOD_NS      1000000ull              /* 1 ms */
#define TIMER_HUGE_OFFSET_SHIFT  50                      /* 2^50 ns: about 13 days */
#define TIMER_HUGE_DELAY_NS      100000000ull            /* 100 ms */

/* Has a deadline passed at now? Both read as s_time_t. */
static inline int timer_expired(uint64_t deadline, uint64_t now)
{
    return (int64_t)deadline <= (int64_t)now;
}

/* now + delta, at most TIME_MAX (now and delta at most TIME_MAX). */
uint64_t timer_add(uint64_t now, uint64_t delta);

/* set_timer_op's deadline for a guest's timeout at now: 0 = stop the timer. */
uint64_t timer_op_deadline(uint64_t timeout, uint64_t now);

/* VCPUOP_set_singleshot_timer: 0 with *deadline set, or -XEN_ETIME. */
int timer_singleshot_deadline(uint64_t timeout, uint32_t flags, uint64_t now,
                              uint64_t *deadline);

/* VCPUOP_set_periodic_timer: 0 if period is allowed, else -XEN_EINVAL. */
int timer_periodic_check(uint64_t period);

/* The periodic timer at a tick: 1 if it fires now, and *next moves to
 * period after now; 0 otherwise. */
int timer_periodic_tick(uint64_t *next, uint64_t period, uint64_t now);

#endif
