/* timer: guest timer arithmetic (see timer.h). */
#include "core/timer.h"

#include <pv86/errno.h>
#include <pv86/vcpu.h>

uint64_t timer_add(uint64_t now, uint64_t delta)
{
    if (now > TIME_MAX || delta > TIME_MAX - now)
        return TIME_MAX;
    return now + delta;
}

uint64_t timer_op_deadline(uint64_t timeout, uint64_t now)
{
    if (timeout == 0)
        return 0;
    if ((int64_t)timeout < 0)
        return timer_add(now, TIMER_HUGE_DELAY_NS);
    if (timeout > now && ((timeout - now) >> TIMER_HUGE_OFFSET_SHIFT) != 0)
        return timer_add(now, TIMER_HUGE_DELAY_NS);
    return timeout;
}

int timer_singleshot_deadline(uint64_t timeout, uint32_t flags, uint64_t now,
                              uint64_t *deadline)
{
    if ((flags & VCPU_SSHOTTMR_future) && timeout < now)
        return -XEN_ETIME;
    *deadline = timeout;
    return 0;
}

int timer_periodic_check(uint64_t period)
{
    return period < TIMER_MIN_PERIOD_NS || period > TIME_MAX ? -XEN_EINVAL : 0;
}

int timer_periodic_start(struct timer_periodic *p, uint64_t now)
{
    int fire = 0;
    if (p->period == 0) {
        p->armed = 0;
        return 0;
    }
    uint64_t next = timer_add(p->last, p->period);
    if (timer_expired(next, now)) {
        fire = 1;
        p->last = now;
        next = timer_add(now, p->period);
    }
    p->next = next;
    p->armed = 1;
    return fire;
}

void timer_periodic_stop(struct timer_periodic *p)
{
    p->armed = 0;
}

int timer_periodic_set(struct timer_periodic *p, uint64_t period, uint64_t now)
{
    timer_periodic_stop(p);
    p->period = period;
    return timer_periodic_start(p, now);
}

int timer_periodic_tick(struct timer_periodic *p, uint64_t now)
{
    if (!p->armed || !timer_expired(p->next, now))
        return 0;
    return timer_periodic_start(p, now);
}
