/*
 * time: system time and the hypervisor's tick.
 *
 * System time is the TSC scaled to ns, counted from boot; its rate is
 * measured against the PIT (channel 2, 10 ms) at boot. It is extrapolated
 * from a time stamp (core/timescale.h) renewed once a second, as Xen's
 * per-CPU calibration does; every vCPU's vcpu_info.time is a copy of the
 * stamp, refreshed as Xen refreshes it (update_vcpu_system_time): when the
 * vCPU is scheduled in, and for the running vCPU at each new stamp. So the
 * guest's own reading (Xen's formula, no hypercall) is exactly the
 * hypervisor's, and its TSC delta stays under about a second. The wallclock
 * in shared_info is the time of day at system time 0, written when the
 * domain is built (Xen rewrites it only on a settime, which pv86 lacks).
 * Channel 0 interrupts at 1 kHz: each tick fires the guests' timers
 * (VIRQ_TIMER), wakes pollers whose timeout passed, forwards serial input
 * as VIRQ_CONSOLE to the initial domain and drives the scheduler's slices.
 * Under `-icount shift=0` the TSC counts instructions, at 1 GHz nominal.
 */
#include <pv86/shared.h>
#include <pv86/xen.h>

#include "arch/x86/cpu.h"
#include "arch/x86/traps.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/toolstack.h"
#include "core/timer.h"
#include "core/timescale.h"

#define PIT_HZ        1193182u
#define PIT_TICK      1193u                  /* 1 kHz */
#define CALIBRATE_MS  10u
#define EPOCH_TICKS   1000u                  /* a new time stamp about every second */

extern struct domain domains[MAX_DOMAINS];

static uint64_t tsc_hz, boot_unix_time;
static struct time_stamp stamp;
static unsigned epoch_ticks;

static uint64_t calibrate_tsc(void)
{
    uint32_t latch = PIT_HZ / (1000 / CALIBRATE_MS);
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);  /* gate 2 on, speaker off */
    outb(0x43, 0xB0);                        /* channel 2, lo/hi, mode 0 */
    outb(0x42, latch & 0xFF);
    outb(0x42, latch >> 8);
    uint64_t t0 = rdtsc();
    while (!(inb(0x61) & 0x20))              /* OUT2 goes high at zero */
        ;
    return (rdtsc() - t0) * (1000 / CALIBRATE_MS);
}

static unsigned cmos(unsigned reg)
{
    outb(0x70, (uint8_t)reg);
    return inb(0x71);
}

static uint64_t read_rtc(void)
{
    while (cmos(0x0A) & 0x80)                /* update in progress */
        ;
    unsigned sec = cmos(0), min = cmos(2), hour = cmos(4), day = cmos(7), mon = cmos(8),
             year = cmos(9), b = cmos(0x0B);
    if (!(b & 0x04)) {                       /* BCD */
#define BCD(x) (((x) & 0x0F) + ((x) >> 4) * 10)
        sec = BCD(sec);
        min = BCD(min);
        hour = BCD(hour & 0x7F) | (hour & 0x80);
        day = BCD(day);
        mon = BCD(mon);
        year = BCD(year);
#undef BCD
    }
    if (!(b & 0x02) && (hour & 0x80))        /* 12-hour clock, PM */
        hour = ((hour & 0x7F) % 12) + 12;
    return timescale_unix_time(2000 + year, mon, day, hour & 0x7F, min, sec);
}

void time_init(void)
{
    tsc_hz = calibrate_tsc();
    stamp.tsc = rdtsc();
    stamp.stime = 0;
    timescale_compute(tsc_hz, &stamp.mul, &stamp.shift);
    boot_unix_time = read_rtc();
    outb(0x43, 0x34);                        /* channel 0, lo/hi, rate generator */
    outb(0x40, PIT_TICK & 0xFF);
    outb(0x40, PIT_TICK >> 8);
    pic_unmask(0);
    printk("time: TSC %u kHz, tick 1 kHz, wallclock %u s since 1970\n",
           (unsigned)(tsc_hz / 1000), (unsigned)boot_unix_time);
}

uint64_t time_now(void)
{
    return timescale_now(&stamp, rdtsc());
}

void time_update_vcpu(struct vcpu *v)
{
    if (v->vcpu_info)
        timescale_update_record(&v->vcpu_info->time, &stamp);
}

void time_fill_wallclock(struct shared_info *s)
{
    s->wc_version++;
    __asm__ __volatile__("" ::: "memory");
    s->wc_sec = (uint32_t)boot_unix_time;    /* the wallclock at system time 0 */
    s->wc_nsec = 0;
    s->arch.wc_sec_hi = (uint32_t)(boot_unix_time >> 32);
    __asm__ __volatile__("" ::: "memory");
    s->wc_version++;
}

void time_tick(void)
{
    if (++epoch_ticks >= EPOCH_TICKS) {
        struct domain *run = sched_running();
        epoch_ticks = 0;
        timescale_restamp(&stamp, rdtsc());
        if (run && !run->mode)
            time_update_vcpu(&run->vcpu);        /* the others at schedule-in */
    }
    uint64_t now = time_now();
    for (unsigned i = 0; i < MAX_DOMAINS; i++) {
        struct domain *d = &domains[i];
        struct vcpu *v = &d->vcpu;
        if (d->state != DOM_RUNNABLE && d->state != DOM_BLOCKED)
            continue;
        if (d->mode) {
            d->mode->tick(d, now);
            continue;
        }
        if (v->timer_deadline && timer_expired(v->timer_deadline, now)) {
            v->timer_deadline = 0;
            event_send_virq(d, VIRQ_TIMER);
        }
        /* Armed only while d runs (core/sched.c); catch-up-free. */
        if (timer_periodic_tick(&v->periodic, now))
            event_send_virq(d, VIRQ_TIMER);
        if (v->polling && v->poll_timeout && timer_expired(v->poll_timeout, now))
            sched_wake(d);                   /* a port that goes pending wakes it at once */
        if (d->console)
            console_ring_drain(d);
    }
    if (console_input_ready() && !domains[0].mode && domains[0].state != DOM_FREE &&
        domains[0].state != DOM_DEAD)
        event_send_virq(&domains[0], VIRQ_CONSOLE);
    toolstack_poll();                        /* bounded: core/toolstack.c */
    sched_tick();
}
