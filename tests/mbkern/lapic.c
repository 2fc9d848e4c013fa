/*
 * lapic: the local APIC at 0xFEE00000 on a single-CPU machine: the
 * IA32_APIC_BASE MSR, ID, version, SVR, TPR and PPR, the timer (one-shot,
 * periodic, masked, stopped by a zero initial count), self-IPIs through the
 * ICR (the vector, IRR until accepted, ISR until EOI, priority order, TPR
 * holding lower classes back), and INIT / startup IPIs to a CPU that is not
 * there. Waits are hlt until an interrupt: no check depends on how fast the
 * host runs, only on counts and on the order of events. The 8254 (through
 * the 8259 on LINT0, virtual-wire mode as a BIOS leaves it) is the second
 * clock that tells "did not fire" from "not yet".
 */
#include "mbkern.h"
#include "lapic.h"

const char mbk_name[] = "lapic";

#define V_TIMER 0x30
#define V_SPURIOUS 0xFF
#define PIT_DIV 11932                   /* 100 Hz */

/* ---- handlers: record the order of vectors and the ISR/IRR seen ---- */

static volatile uint32_t order[16], n_order;
static volatile int isr_in_handler, irr_in_handler;
static volatile uint32_t ppr_in_handler;
static volatile int no_eoi_vector = -1;

static void on_apic(struct mbk_frame *f)
{
    unsigned v = f->vector;
    if (n_order < 16)
        order[n_order] = v;
    n_order++;
    isr_in_handler = apic_isr(v);
    irr_in_handler = apic_irr(v);
    ppr_in_handler = apic_read(APIC_PPR);
    if ((int)v != no_eoi_vector)
        apic_eoi();
}

static void wait_pit(unsigned ticks) { mbk_wait(&pit_ticks, pit_ticks + ticks); }

static void clear_order(void) { n_order = 0; for (unsigned i = 0; i < 16; i++) order[i] = 0; }

/* ---- the registers ---- */

static void test_registers(void)
{
    uint32_t r[4];
    cpuid(1, r);
    report((r[3] >> 9) & 1, "CPUID.1:EDX.APIC set");
    uint64_t base = rdmsr(APIC_BASE_MSR);
    mbk_printf("# IA32_APIC_BASE 0x%x (high half 0x%x)\n", (uint32_t)base, (uint32_t)(base >> 32));
    report(base == 0xFEE00900u, "IA32_APIC_BASE is 0xfee00900 (base, global enable, BSP)");
    uint32_t id = apic_read(APIC_ID) >> 24;
    report(id == r[1] >> 24, "APIC ID %u is CPUID.1's initial APIC ID", id);
    uint32_t ver = apic_read(APIC_VER);
    mbk_printf("# version register 0x%x\n", ver);
    report((ver & 0xF0) == 0x10 && ((ver >> 16) & 0xFF) >= 4,
           "version: an integrated APIC (0x1X) with at least 5 LVT entries");

    apic_write(APIC_SVR, V_SPURIOUS);                 /* software-disabled */
    report((apic_read(APIC_SVR) & 0x1FF) == V_SPURIOUS, "SVR: disabled reads back 0x0ff");
    apic_write(APIC_SVR, APIC_SVR_ENABLE | V_SPURIOUS);
    report((apic_read(APIC_SVR) & 0x1FF) == 0x1FF, "SVR: enabled reads back 0x1ff");

    apic_write(APIC_TPR, 0x5A);
    uint32_t tpr = apic_read(APIC_TPR);
    apic_write(APIC_TPR, 0);
    report(tpr == 0x5A && apic_read(APIC_TPR) == 0, "TPR reads back 0x5a, then 0");
    report(apic_read(APIC_PPR) == 0, "PPR 0 with TPR 0 and nothing in service");

    apic_write(APIC_TIMER_DIV, APIC_DIV_128);
    uint32_t d128 = apic_read(APIC_TIMER_DIV);
    apic_write(APIC_TIMER_DIV, APIC_DIV_1);
    report(d128 == APIC_DIV_128 && apic_read(APIC_TIMER_DIV) == APIC_DIV_1,
           "timer divide configuration reads back (0xa, 0xb)");

    /* virtual wire: the 8259 through LINT0 as ExtINT, NMI on LINT1 */
    apic_write(APIC_LVT_LINT0, APIC_DM_EXTINT);
    apic_write(APIC_LVT_LINT1, APIC_DM_NMI);
    apic_write(APIC_LVT_ERROR, APIC_LVT_MASKED | 0xFE);
    report(apic_read(APIC_LVT_LINT0) == APIC_DM_EXTINT && apic_read(APIC_LVT_LINT1) == APIC_DM_NMI &&
           apic_read(APIC_LVT_ERROR) == (APIC_LVT_MASKED | 0xFE),
           "LVT LINT0 (ExtINT), LINT1 (NMI) and error (masked) read back");
}

/* ---- the timer ---- */

static void test_timer(void)
{
    mbk_handle(V_TIMER, on_apic);

    /* counting down, then stopped by a zero initial count */
    apic_write(APIC_TIMER_DIV, APIC_DIV_128);
    apic_write(APIC_LVT_TIMER, V_TIMER);              /* one-shot, unmasked */
    apic_write(APIC_TIMER_INIT, 0xFFFFFFFFu);
    uint32_t c1 = apic_read(APIC_TIMER_CUR);
    wait_pit(1);
    uint32_t c2 = apic_read(APIC_TIMER_CUR);
    report(apic_read(APIC_TIMER_INIT) == 0xFFFFFFFFu && c1 > 0 && c2 > 0 && c2 < c1,
           "one-shot: initial count reads back, the current count goes down");
    apic_write(APIC_TIMER_INIT, 0);
    uint32_t c3 = apic_read(APIC_TIMER_CUR);
    wait_pit(2);
    report(c3 == 0 && apic_read(APIC_TIMER_CUR) == 0 && mbk_count[V_TIMER] == 0,
           "a zero initial count stops the timer: current count 0, no interrupt");

    /* one-shot: fires once */
    apic_write(APIC_TIMER_DIV, APIC_DIV_1);
    clear_order();
    apic_write(APIC_LVT_TIMER, V_TIMER);
    report(apic_read(APIC_LVT_TIMER) == V_TIMER, "LVT timer one-shot reads back 0x%x", V_TIMER);
    apic_write(APIC_TIMER_INIT, 100000);
    mbk_wait(&mbk_count[V_TIMER], 1);
    report(n_order == 1 && order[0] == V_TIMER && isr_in_handler && !irr_in_handler,
           "one-shot: vector 0x%x taken, in service (ISR set, IRR clear) in its handler", V_TIMER);
    report(apic_read(APIC_TIMER_CUR) == 0, "one-shot: current count 0 after it fired");
    wait_pit(3);
    report(mbk_count[V_TIMER] == 1 && apic_read(APIC_TIMER_CUR) == 0 && !apic_isr(V_TIMER),
           "one-shot: fired once (3 8254 ticks later: still 1 interrupt, count 0, ISR clear)");

    /* periodic: keeps firing, stopped by a zero initial count. The
     * one-shot's count is stopped first (the periodic mode would restart
     * it at once), and the period is a few milliseconds: longer than an
     * emulated LAPIC's interrupt and EOI take under te and bt, which with
     * a period of 100 us would take one interrupt after another for ever
     * (on any CPU whose handler outlasts the period). */
    apic_write(APIC_TIMER_INIT, 0);
    apic_write(APIC_TIMER_DIV, APIC_DIV_16);
    apic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | V_TIMER);
    report(apic_read(APIC_LVT_TIMER) == (APIC_LVT_PERIODIC | V_TIMER), "LVT timer periodic reads back");
    uint32_t before = mbk_count[V_TIMER];
    apic_write(APIC_TIMER_INIT, 200000);
    mbk_wait(&mbk_count[V_TIMER], before + 5);
    uint32_t cur = apic_read(APIC_TIMER_CUR);
    report(mbk_count[V_TIMER] >= before + 5 && cur <= 200000,
           "periodic: 5 interrupts from one initial count, current count within it");
    cli();
    apic_write(APIC_TIMER_INIT, 0);
    sti();
    wait_pit(1);                                      /* one already pending may come */
    uint32_t stopped = mbk_count[V_TIMER];
    wait_pit(3);
    report(mbk_count[V_TIMER] == stopped && apic_read(APIC_TIMER_CUR) == 0,
           "periodic: no interrupt in 3 8254 ticks after a zero initial count");

    /* masked: counts down to 0, delivers nothing, even once unmasked */
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | V_TIMER);
    uint32_t was = mbk_count[V_TIMER];
    apic_write(APIC_TIMER_INIT, 100000);
    while (apic_read(APIC_TIMER_CUR) != 0)
        ;
    wait_pit(2);
    report(mbk_count[V_TIMER] == was && !apic_irr(V_TIMER),
           "masked one-shot: counts to 0, no interrupt, IRR clear");
    apic_write(APIC_LVT_TIMER, V_TIMER);
    wait_pit(2);
    report(mbk_count[V_TIMER] == was, "masked one-shot: unmasking after it expired delivers nothing");
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_LVT_PERIODIC | V_TIMER);
    apic_write(APIC_TIMER_INIT, 100000);
    wait_pit(3);
    report(mbk_count[V_TIMER] == was && apic_read(APIC_TIMER_CUR) <= 100000,
           "masked periodic: no interrupt in 3 8254 ticks");
    apic_write(APIC_TIMER_INIT, 0);
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | V_TIMER);
}

/* ---- IPIs ---- */

static int same_order(const uint32_t *want, unsigned n)
{
    if (n_order != n)
        return 0;
    for (unsigned i = 0; i < n; i++)
        if (order[i] != want[i])
            return 0;
    return 1;
}

static void test_ipi(void)
{
    for (unsigned v = 0x40; v < 0x70; v++)
        mbk_handle(v, on_apic);
    uint32_t id = apic_read(APIC_ID) >> 24;

    /* self shorthand, fixed: pending in IRR while IF=0, ISR until EOI */
    clear_order();
    cli();
    int idle = apic_send(0, APIC_SH_SELF | APIC_ICR_ASSERT | 0x40);
    uint32_t icr = apic_read(APIC_ICR_LO) & ~APIC_ICR_PENDING;
    report(idle && icr == (APIC_SH_SELF | APIC_ICR_ASSERT | 0x40),
           "self-IPI: ICR reads back, delivery status idle");
    int irr = apic_irr(0x40), isr = apic_isr(0x40);
    report(irr && !isr && n_order == 0, "self-IPI: with IF=0 vector 0x40 waits in IRR");
    sti();
    mbk_wait(&n_order, 1);
    static const uint32_t w40[] = { 0x40 };
    report(same_order(w40, 1) && isr_in_handler && !irr_in_handler && ppr_in_handler == 0x40,
           "self-IPI: vector 0x40 taken; in its handler ISR set, IRR clear, PPR 0x40");
    report(!apic_isr(0x40) && !apic_irr(0x40) && apic_read(APIC_PPR) == 0,
           "self-IPI: ISR clear and PPR 0 after its EOI");

    /* in service until EOI: the same vector again stays pending */
    clear_order();
    no_eoi_vector = 0x41;
    apic_send(0, APIC_SH_SELF | 0x41);
    mbk_wait(&n_order, 1);
    no_eoi_vector = -1;
    int in_service = apic_isr(0x41);
    apic_send(0, APIC_SH_SELF | 0x41);
    wait_pit(1);
    int held = n_order == 1 && apic_irr(0x41);
    apic_eoi();                                       /* ends the first 0x41 */
    mbk_wait(&n_order, 2);
    static const uint32_t w41[] = { 0x41, 0x41 };
    report(in_service && held && same_order(w41, 2) && !apic_isr(0x41),
           "without EOI 0x41 stays in service and a second 0x41 waits; EOI delivers it");

    /* priority: the higher vector first */
    clear_order();
    cli();
    apic_send(0, APIC_SH_SELF | 0x40);
    apic_send(0, APIC_SH_SELF | 0x50);
    sti();
    mbk_wait(&n_order, 2);
    static const uint32_t w5040[] = { 0x50, 0x40 };
    report(same_order(w5040, 2), "two pending: 0x50 taken before 0x40");

    /* TPR holds back the classes at or below it */
    clear_order();
    apic_write(APIC_TPR, 0x50);
    cli();
    apic_send(0, APIC_SH_SELF | 0x40);
    apic_send(0, APIC_SH_SELF | 0x50);
    apic_send(0, APIC_SH_SELF | 0x60);
    sti();
    mbk_wait(&n_order, 1);
    wait_pit(1);
    static const uint32_t w60[] = { 0x60 };
    int only60 = same_order(w60, 1) && apic_irr(0x40) && apic_irr(0x50);
    uint32_t ppr = apic_read(APIC_PPR);
    apic_write(APIC_TPR, 0);
    mbk_wait(&n_order, 3);
    static const uint32_t w604050[] = { 0x60, 0x50, 0x40 };
    report(only60 && ppr == 0x50, "TPR 0x50: only 0x60 taken, 0x40 and 0x50 wait in IRR, PPR 0x50");
    report(same_order(w604050, 3), "TPR 0: then 0x50 and 0x40, in that order");

    /* physical destination = own ID; all-including-self; all-excluding-self */
    clear_order();
    apic_send(id, 0x45);
    apic_send(0, APIC_SH_ALL | 0x46);
    apic_send(0, APIC_SH_OTHERS | 0x47);
    wait_pit(1);
    static const uint32_t w4546[] = { 0x45, 0x46 };
    report(same_order(w4546, 2) && mbk_count[0x47] == 0,
           "IPI to own APIC ID and to all-including-self taken; all-excluding-self not");

    /* INIT and startup to CPUs that are not there: nothing happens here */
    clear_order();
    int ok = apic_send(1, APIC_ICR_INIT | APIC_ICR_ASSERT | APIC_ICR_LEVEL);
    ok &= apic_send(1, APIC_ICR_INIT | APIC_ICR_LEVEL);           /* de-assert */
    ok &= apic_send(1, APIC_ICR_STARTUP | 0x10);
    ok &= apic_send(1, APIC_ICR_STARTUP | 0x10);
    ok &= apic_send(0, APIC_SH_OTHERS | APIC_ICR_INIT | APIC_ICR_ASSERT);
    ok &= apic_send(0, APIC_SH_OTHERS | APIC_ICR_STARTUP | 0x10);
    wait_pit(1);
    report(ok && n_order == 0 && (apic_read(APIC_SVR) & 0x1FF) == 0x1FF &&
           apic_read(APIC_LVT_LINT0) == APIC_DM_EXTINT,
           "INIT and startup IPIs to absent CPUs: delivered idle, this CPU and its APIC unchanged");
    apic_send(0, APIC_SH_SELF | 0x48);
    mbk_wait(&mbk_count[0x48], 1);
    report(mbk_count[0x48] == 1, "a self-IPI still works after them");
}

void mbk_main(void)
{
    test_registers();
    pit_start(PIT_DIV);
    sti();
    test_timer();
    test_ipi();
    cli();
    pit_stop();
}
