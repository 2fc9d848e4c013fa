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
 * The periodic timer runs only while its vCPU is scheduled (Xen,
 * xen/common/sched/core.c): it is stopped when the vCPU leaves the CPU
 * (blocked, preempted, yielding to another) and restarted when it comes
 * back. Restarting sends one event at once if a period has passed since
 * the last one, and arms the timer a period after the last event (or after
 * now when it just sent one). So a blocked vCPU is never woken by it, and
 * the ticks it missed collapse into one. A new PV vCPU starts with a 10 ms
 * period (Xen: "PV guests by default have a 100Hz ticker").
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
 *                            -EINVAL; otherwise the timer restarts at once
 *                            as at schedule-in (an event now if a period has
 *                            passed since the last one).
 *   VCPUOP_stop_periodic     period 0: no event until set again.
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

#define TIMER_DEFAULT_PERIOD_NS  10000000ull             /* 10 ms: Xen's PV default */

/* A vCPU's periodic timer: Xen's periodic_period, periodic_last_event and
 * the periodic timer itself (armed at next, or stopped). */
struct timer_periodic {
    uint64_t period;                    /* 0: off */
    uint64_t last;                      /* when the last event was sent */
    uint64_t next;                      /* the deadline while armed */
    int armed;
};

/* Start it (schedule-in, or a new period): 1 if an event is due now (the
 * caller sends it); then armed for the next one. Nothing when off. */
int timer_periodic_start(struct timer_periodic *p, uint64_t now);
/* Stop it (schedule-out): no event until started again. */
void timer_periodic_stop(struct timer_periodic *p);
/* VCPUOP_set/stop_periodic_timer on the running vCPU: the new period (0
 * stops it; checked already), restarted at once: 1 if an event is due. */
int timer_periodic_set(struct timer_periodic *p, uint64_t period, uint64_t now);
/* At a tick: 1 if the armed timer fired (the caller sends the event), and
 * it is re-armed a period later; 0 otherwise. */
int timer_periodic_tick(struct timer_periodic *p, uint64_t now);

#endif
