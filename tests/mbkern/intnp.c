/*
 * intnp: an external interrupt whose delivery faults. The LAPIC's
 * self-IPI at vector 0x40, whose IDT gate is not present, is taken as the
 * CPU takes any interrupt: acknowledged at the APIC (IRR to ISR), then its
 * delivery raises #NP (error code: the IDT entry, 0x40 * 8 + 2, plus EXT).
 * The #NP handler makes the gate present again and returns; the interrupt
 * was consumed (its ISR bit stays until EOI), so vector 0x40's handler
 * never runs. Then a #GP inside an interrupt's handler (a selector past the
 * GDT) reaches the handler's own mbk_catch with its error code. The 8254 through the 8259 (LINT0 in ExtINT) is the clock
 * that tells "never" from "not yet".
 */
#include "mbkern.h"
#include "lapic.h"

const char mbk_name[] = "intnp";

#define V_IPI 0x40

static volatile uint32_t np_error, np_eip;

static uint32_t *idt_entry_hi(unsigned v)
{
    struct __attribute__((packed)) { uint16_t limit; uint32_t base; } d;
    __asm__ volatile("sidt %0" : "=m"(d));
    return (uint32_t *)(uintptr_t)(d.base + v * 8 + 4);
}

static void on_np(struct mbk_frame *f)
{
    np_error = f->error;
    np_eip = f->eip;
    *idt_entry_hi(V_IPI) |= 0x8000u;           /* present again */
}

#define V_FAULTY 0x41

static volatile int caught = -2;
static volatile uint32_t caught_error;

static void load_bad_es(void *arg)
{
    (void)arg;
    __asm__ volatile("movw $0x50, %%ax; movw %%ax, %%es" ::: "eax", "memory");
}

static void on_faulty(struct mbk_frame *f)
{
    (void)f;
    caught = mbk_catch(load_bad_es, NULL);
    caught_error = mbk_last_error;
    apic_eoi();
}

void mbk_main(void)
{
    apic_write(APIC_SVR, APIC_SVR_ENABLE | 0xFF);
    apic_write(APIC_LVT_LINT0, APIC_DM_EXTINT);
    mbk_handle(V_IPI, NULL);
    mbk_handle(11, on_np);
    pit_start(11932);                          /* 100 Hz */
    cli();
    *idt_entry_hi(V_IPI) &= ~0x8000u;          /* not present */
    apic_send(0, APIC_ICR_ASSERT | APIC_SH_SELF | V_IPI);
    report(apic_irr(V_IPI), "the self-IPI waits in IRR with IF clear");
    sti();
    mbk_wait(&pit_ticks, pit_ticks + 3);
    cli();
    mbk_printf("# #NP error code 0x%x\n", np_error);
    report(mbk_count[11] == 1, "its delivery raised #NP once (%u)", mbk_count[11]);
    report((np_error & ~1u) == V_IPI * 8 + 2, "#NP's error code names IDT entry 0x40");
    report(mbk_count[V_IPI] == 0, "the interrupt was consumed: its handler never ran (%u)",
           mbk_count[V_IPI]);
    report(apic_isr(V_IPI) && !apic_irr(V_IPI), "0x40 in service, not requested, until EOI");
    apic_eoi();
    report(!apic_isr(V_IPI), "EOI ends it");

    mbk_handle(V_FAULTY, on_faulty);
    apic_send(0, APIC_ICR_ASSERT | APIC_SH_SELF | V_FAULTY);
    sti();
    mbk_wait(&pit_ticks, pit_ticks + 2);
    cli();
    report(mbk_count[V_FAULTY] == 1 && caught == 13 && caught_error == 0x50,
           "a #GP in an interrupt's handler: vector %d, error code 0x%x", caught, caught_error);
    report(mbk_count[13] == 1 && mbk_count[11] == 1, "one #GP, and still one #NP");
    mbk_exit();
}
