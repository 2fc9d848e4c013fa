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

int timer_periodic_tick(uint64_t *next, uint64_t period, uint64_t now)
{
    if (!timer_expired(*next, now))
        return 0;
    *next = timer_add(now, period);
    return 1;
}
