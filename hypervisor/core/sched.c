/*
 * sched: which domain runs. Round-robin over the runnable domains with a
 * fixed slice of SCHED_SLICE_TICKS timer ticks. A domain that blocks leaves
 * the queue until an event wakes it. With nothing runnable the CPU halts
 * with interrupts on (idle) until the tick or another interrupt. When no
 * domain is left, the machine ends.
 *
 * The hypervisor keeps no state on its stack across a guest's run, so
 * switching domains is only: pick the next one and return to it. As in Xen
 * (sched_context_switch), a vCPU leaving the CPU (for another, or for idle
 * when it blocks) has its periodic timer stopped, and the one coming in has
 * its vcpu_info.time refreshed and its periodic timer restarted; a vCPU
 * that simply continues keeps both as they are.
 */
#include "arch/x86/cpu.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/panic.h"
#include "core/prof.h"
#include "core/runq.h"
#include "core/toolstack.h"
#include "core/xsdom.h"

extern struct domain domains[MAX_DOMAINS];

static struct runq runq;
static unsigned slice_left;
static int need_resched;
static int idling;

/* vCPU time (xl list's Time column): what each domain ran, charged when it
 * leaves the CPU or another comes on. */
static uint64_t cpu_ns[MAX_DOMAINS], on_since;
static struct domain *on_cpu;

static void account(struct domain *next)
{
    uint64_t now = time_now();
    if (on_cpu)
        cpu_ns[on_cpu->id - 1] += now - on_since;
    on_cpu = next;
    on_since = now;
}

uint64_t sched_cpu_time(const struct domain *d)
{
    uint64_t t = cpu_ns[d->id - 1];
    if (d == on_cpu)
        t += time_now() - on_since;
    return t;
}

void sched_request(void)
{
    need_resched = 1;
}

unsigned sched_runq_ids(uint16_t *ids, unsigned max)
{
    unsigned n = 0;
    for (; n < runq.len && n < max; n++)
        ids[n] = runq.ids[(runq.head + n) % RUNQ_MAX];
    return n;
}

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

struct domain *sched_running(void)
{
    return idling ? NULL : current_domain;
}

/* d leaves the CPU: its periodic timer stops until it is back. */
static void sched_out(struct domain *d)
{
    if (d)
        timer_periodic_stop(&d->vcpu.periodic);
}

/* d comes onto the CPU: a fresh time record, its periodic timer restarted
 * (an event at once if a period passed since the last one). */
static void sched_in(struct domain *d)
{
    if (d->mode)
        return;                              /* no PV timers: its mode's tick drives it */
    time_update_vcpu(&d->vcpu);
    if (timer_periodic_start(&d->vcpu.periodic, time_now()))
        event_send_virq(d, VIRQ_TIMER);
}

void schedule(void)
{
    struct domain *prev = current_domain;
    struct domain *ran = idling ? NULL : prev;   /* on the CPU until now */
    if (ran && ran->state == DOM_RUNNABLE)
        runq_push(&runq, ran->id);           /* back of the queue */
    for (;;) {
        uint16_t id;
        toolstack_safe_point();              /* a destroy it asked for */
        if (runq_pop(&runq, &id) == 0) {
            struct domain *d = domain_by_id(id);
            if (d->state == DOM_DYING) {
                /* A piece of its teardown, then the tick that stopped it
                 * (time, the others' turns) before the next piece. No guest
                 * runs meanwhile: one woken now must be queued (idling). */
                sched_out(ran);
                ran = NULL;
                idling = 1;
                account(NULL);
                if (domain_teardown_step(d)) {
                    runq_push(&runq, d->id);
                    idle_halt();
                }
                continue;
            }
            if (d->state != DOM_RUNNABLE)
                continue;
            idling = 0;
            if (d != ran) {
                sched_out(ran);
                sched_in(d);
            }
            if (current_domain != d) {
                d->stats.domain_switches++;
                fpu_switch_in(&d->vcpu);     /* CR0.TS unless d owns the FPU */
            }
            current_domain = d;
            account(d);
            slice_left = SCHED_SLICE_TICKS;
            need_resched = 0;
            return_to_guest(&d->vcpu);
        }
        if (!any_live())
            machine_end();
        sched_out(ran);
        ran = NULL;
        idling = 1;
        account(NULL);
        if (xsdom_stop_if_alone())
            continue;                        /* its teardown is queued */
        PROF_PUSH(PROF_IDLE);
        idle_halt();                         /* the tick may wake someone */
        PROF_POP();
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
