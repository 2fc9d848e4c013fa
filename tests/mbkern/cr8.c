/*
 * cr8: CR8 in 32-bit code, AMD's alias (lock mov to or from CR0, CPUID
 * 0x80000001 ECX bit 4, which QEMU's -cpu max has), is the LAPIC's
 * TPR[7:4]: it reads what the LAPIC page's TPR holds, a write sets that
 * TPR and holds lower interrupt classes back until it is lowered again.
 * The 8254 through the 8259 (LINT0 in ExtINT) is the clock that tells
 * "held back" from "not yet".
 */
#include "mbkern.h"
#include "lapic.h"

const char mbk_name[] = "cr8";

#define V_IPI 0x41

static uint32_t read_cr8(void)
{
    uint32_t v;
    __asm__ volatile(".byte 0xf0, 0x0f, 0x20, 0xc0" : "=a"(v));     /* lock mov %cr0, %eax */
    return v;
}

static void write_cr8(uint32_t v)
{
    __asm__ volatile(".byte 0xf0, 0x0f, 0x22, 0xc3" :: "b"(v) : "memory");  /* lock mov %ebx, %cr0 */
}

static void on_ipi(struct mbk_frame *f)
{
    (void)f;
    apic_eoi();
}

void mbk_main(void)
{
    uint32_t r[4];
    cpuid(0x80000001u, r);
    report((r[2] >> 4) & 1, "CPUID 0x80000001 ECX bit 4: the CR8 alias");
    apic_write(APIC_SVR, APIC_SVR_ENABLE | 0xFF);
    apic_write(APIC_LVT_LINT0, APIC_DM_EXTINT);
    mbk_handle(V_IPI, on_ipi);
    pit_start(11932);                          /* 100 Hz */

    apic_write(APIC_TPR, 0x30);
    uint32_t c = read_cr8();
    report(c == 3, "TPR 0x30: CR8 reads 3 (%u)", c);
    write_cr8(5);
    uint32_t tpr = apic_read(APIC_TPR);
    report(tpr == 0x50, "CR8 5: TPR reads 0x50 (0x%x)", tpr);

    write_cr8(4);
    cli();
    apic_send(0, APIC_ICR_ASSERT | APIC_SH_SELF | V_IPI);
    sti();
    mbk_wait(&pit_ticks, pit_ticks + 2);
    report(mbk_count[V_IPI] == 0 && apic_irr(V_IPI),
           "CR8 4 holds vector 0x41 back, in IRR (%u taken)", mbk_count[V_IPI]);
    write_cr8(0);
    mbk_wait(&pit_ticks, pit_ticks + 2);
    report(mbk_count[V_IPI] == 1 && !apic_irr(V_IPI) && read_cr8() == 0,
           "CR8 0: vector 0x41 taken once (%u)", mbk_count[V_IPI]);
    mbk_exit();
}
