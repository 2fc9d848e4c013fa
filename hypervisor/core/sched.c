/*
 * sched: which domain runs. Round-robin over the runnable domains with a
 * fixed slice of SCHED_SLICE_TICKS timer ticks. A domain that blocks leaves
 * the queue until an event wakes it. With nothing runnable the CPU halts
 * with interrupts on (idle) until the tick or another interrupt. When no
 * domain is left, the machine ends.
 *
 * The hypervisor keeps no state on its stack across a guest's run, so
 * switching domains is only: pick the next one and return to it.
 */
#include "arch/x86/cpu.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/panic.h"
#include "core/runq.h"

extern struct domain domains[MAX_DOMAINS];

static struct runq runq;
static unsigned slice_left;
static int need_resched;
static int idling;

void sched_add(struct domain *d)
{
    d->state = DOM_RUNNABLE;
    if (runq_push(&runq, d->id) == -XEN_ENOSPC)
        panic("run queue full");
}

void sched_add_dying(struct domain *d)
{
    if (runq_push(&runq, d->id) == -XEN_ENOSPC)
        panic("run queue full");
}

void sched_wake(struct domain *d)
{
    if (d->state != DOM_BLOCKED)
        return;
    d->vcpu.polling = 0;
    d->state = DOM_RUNNABLE;
    if (d != current_domain || idling)
        runq_push(&runq, d->id);
}

static int any_live(void)
{
    for (unsigned i = 0; i < MAX_DOMAINS; i++)
        if (domains[i].state == DOM_RUNNABLE || domains[i].state == DOM_BLOCKED ||
            domains[i].state == DOM_DYING)
            return 1;
    return 0;
}

void schedule(void)
{
    struct domain *prev = current_domain;
    if (prev && prev->state == DOM_RUNNABLE && !idling)
        runq_push(&runq, prev->id);          /* back of the queue */
    for (;;) {
        uint16_t id;
        if (runq_pop(&runq, &id) == 0) {
            struct domain *d = domain_by_id(id);
            if (d->state == DOM_DYING) {
                /* A piece of its teardown, then the tick that stopped it
                 * (time, the others' turns) before the next piece. No guest
                 * runs meanwhile: one woken now must be queued (idling). */
                idling = 1;
                if (domain_teardown_step(d)) {
                    runq_push(&runq, d->id);
                    idle_halt();
                }
                continue;
            }
            if (d->state != DOM_RUNNABLE)
                continue;
            idling = 0;
            if (current_domain != d) {
                d->stats.domain_switches++;
                fpu_switch_in(&d->vcpu);     /* CR0.TS unless d owns the FPU */
            }
            current_domain = d;
            slice_left = SCHED_SLICE_TICKS;
            need_resched = 0;
            return_to_guest(&d->vcpu);
        }
        if (!any_live())
            machine_end();
        idling = 1;
        idle_halt();                         /* the tick may wake someone */
    }
}

void resume_guest(void)
{
    if (need_resched)
        schedule();
    return_to_guest(current_vcpu());
}

void sched_block_current(uint32_t result)
{
    struct domain *d = current_domain;
    d->vcpu.regs.eax = result;               /* what the hypercall returns */
    d->state = DOM_BLOCKED;
    schedule();
}

void sched_tick(void)
{
    if (idling || !current_domain)
        return;
    if (slice_left)
        slice_left--;
    if (slice_left == 0 && runq.len)
        need_resched = 1;
}
