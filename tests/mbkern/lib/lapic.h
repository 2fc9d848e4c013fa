/* The local APIC's xAPIC registers at their architectural base (paging off). */
#ifndef MBKERN_LAPIC_H
#define MBKERN_LAPIC_H

#include <stdint.h>

#define APIC_BASE_MSR   0x1B
#define APIC_MMIO       0xFEE00000u

enum {
    APIC_ID = 0x20, APIC_VER = 0x30, APIC_TPR = 0x80, APIC_PPR = 0xA0, APIC_EOI = 0xB0,
    APIC_SVR = 0xF0, APIC_ISR = 0x100, APIC_IRR = 0x200, APIC_ESR = 0x280,
    APIC_ICR_LO = 0x300, APIC_ICR_HI = 0x310, APIC_LVT_TIMER = 0x320,
    APIC_LVT_LINT0 = 0x350, APIC_LVT_LINT1 = 0x360, APIC_LVT_ERROR = 0x370,
    APIC_TIMER_INIT = 0x380, APIC_TIMER_CUR = 0x390, APIC_TIMER_DIV = 0x3E0,
};

#define APIC_SVR_ENABLE     0x100u
#define APIC_LVT_MASKED     0x10000u
#define APIC_LVT_PERIODIC   0x20000u
#define APIC_DM_EXTINT      0x700u
#define APIC_DM_NMI         0x400u
#define APIC_ICR_PENDING    0x1000u      /* delivery status: send pending */
#define APIC_ICR_ASSERT     0x4000u
#define APIC_ICR_LEVEL      0x8000u
#define APIC_ICR_INIT       0x500u
#define APIC_ICR_STARTUP    0x600u
#define APIC_SH_SELF        (1u << 18)
#define APIC_SH_ALL         (2u << 18)
#define APIC_SH_OTHERS      (3u << 18)
#define APIC_DIV_1          0xBu
#define APIC_DIV_128        0xAu
#define APIC_DIV_16         0x3u

static inline uint32_t apic_read(uint32_t reg) { return *(volatile uint32_t *)(APIC_MMIO + reg); }
static inline void apic_write(uint32_t reg, uint32_t v) { *(volatile uint32_t *)(APIC_MMIO + reg) = v; }
static inline int apic_isr(unsigned vec) { return (apic_read(APIC_ISR + (vec / 32) * 0x10) >> (vec % 32)) & 1; }
static inline int apic_irr(unsigned vec) { return (apic_read(APIC_IRR + (vec / 32) * 0x10) >> (vec % 32)) & 1; }
static inline void apic_eoi(void) { apic_write(APIC_EOI, 0); }

/* Send an IPI (ICR high first: the low write sends) and wait, boundedly by
 * reads, for the delivery status to go idle; returns whether it did. */
static inline int apic_send(uint32_t dest_id, uint32_t lo)
{
    apic_write(APIC_ICR_HI, dest_id << 24);
    apic_write(APIC_ICR_LO, lo);
    for (unsigned i = 0; i < 100000; i++)
        if (!(apic_read(APIC_ICR_LO) & APIC_ICR_PENDING))
            return 1;
    return 0;
}

#endif
