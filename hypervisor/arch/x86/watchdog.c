/*
 * watchdog: an NMI twice a second, so that the hypervisor gets the CPU
 * back from a guest that no maskable interrupt can stop.
 *
 * QEMU's TCG lets a guest's iret enter virtual-8086 mode at any CPL and
 * takes IF and IOPL from the image it pops (a CPU does so only at CPL 0),
 * so a guest process can run in vm86 with interrupts off, out of reach of
 * the timer. An NMI still arrives: the RTC's periodic interrupt (IRQ 8,
 * 2 Hz), which the 8259 keeps masked, is routed by the I/O APIC to the CPU
 * as an NMI. The NMI stub (switcher.S) acknowledges it at the RTC and
 * returns at once, except from vm86, where the C entry crashes the domain
 * ("entered virtual-8086 mode"). Nothing else reads the RTC after boot.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/traps.h"
#include "mm/mm.h"

#define RTC_INDEX     0x70
#define RTC_DATA      0x71
#define RTC_A_RATE_2HZ 0x0F             /* 32768 Hz >> (15 - 1) */
#define RTC_B_PIE     0x40              /* periodic interrupt enable */
#define RTC_IRQ       8

#define IOAPIC_REDIR_LO(pin) (0x10 + 2 * (pin))
#define IOAPIC_DM_NMI  (4u << 8)        /* edge, active high, physical */

static void ioapic_write(unsigned reg, uint32_t value)
{
    volatile uint32_t *ioapic = mm_ioapic();
    ioapic[0] = reg;                    /* IOREGSEL */
    ioapic[4] = value;                  /* IOWIN, at +0x10 */
}

static uint8_t rtc_read(uint8_t reg)
{
    outb(RTC_INDEX, reg);
    return inb(RTC_DATA);
}

static void rtc_write(uint8_t reg, uint8_t value)
{
    outb(RTC_INDEX, reg);
    outb(RTC_DATA, value);
}

void watchdog_init(void)
{
    rtc_write(0x0A, (uint8_t)((rtc_read(0x0A) & 0xF0) | RTC_A_RATE_2HZ));
    rtc_write(0x0B, (uint8_t)(rtc_read(0x0B) | RTC_B_PIE));
    (void)rtc_read(0x0C);
    ioapic_write(IOAPIC_REDIR_LO(RTC_IRQ) + 1, 0);              /* to APIC 0 */
    ioapic_write(IOAPIC_REDIR_LO(RTC_IRQ), IOAPIC_DM_NMI | TRAP_NMI);
}
