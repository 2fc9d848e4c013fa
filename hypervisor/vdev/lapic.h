/*
 * lapic: the local APIC (xAPIC) of the one vCPU of a full-virtualization
 * domain, as QEMU 7.2's pc machine shows it to a kernel booted by SeaBIOS
 * (hw/intc/apic.c, apic_common.c; SeaBIOS src/fw/smp.c). Pure: time comes in
 * as nanoseconds of the domain's clock. See docs/hw.md, "The virtual PC".
 *
 * Registers live in a 4 KiB page at VLAPIC_MMIO_BASE; vlapic_read/write take
 * the offset in that page. As in QEMU, only 4-byte accesses at 4-byte
 * aligned offsets reach a register, the one of the 16-byte slot the offset
 * falls in (offset >> 4); 1- and 2-byte accesses read 0 and are dropped, and
 * so are misaligned or 8-byte ones. Reading or writing a slot with no
 * register sets ESR bit 7 (illegal register address) and reads 0, except
 * that a 4-byte write to slot 0 (0x000-0x00F) is an MSI write, which QEMU
 * decodes because MSI and the APIC share this address range.
 */
#ifndef HV_VDEV_LAPIC_H
#define HV_VDEV_LAPIC_H

#include <stdint.h>

#define VLAPIC_MMIO_BASE   0xFEE00000u
#define VLAPIC_MMIO_SIZE   0x1000u
#define VLAPIC_MSR_BASE    0x1Bu        /* IA32_APIC_BASE */
#define VLAPIC_BASE_BSP    0x100u
#define VLAPIC_BASE_ENABLE 0x800u
#define VLAPIC_SVR_ENABLE  0x100u
#define VLAPIC_LVT_MASKED  0x10000u
#define VLAPIC_LVT_PERIODIC 0x20000u
#define VLAPIC_VERSION     0x00050014u  /* version 0x14, max LVT entry 5 */
#define VLAPIC_ESR_ILLEGAL_ADDRESS 0x80u

enum { VLAPIC_LVT_TIMER, VLAPIC_LVT_THERMAL, VLAPIC_LVT_PERF, VLAPIC_LVT_LINT0,
       VLAPIC_LVT_LINT1, VLAPIC_LVT_ERROR, VLAPIC_NR_LVT };

struct vlapic {
    uint32_t apicbase;                 /* IA32_APIC_BASE (bits 63:32 read 0) */
    uint8_t id, tpr, log_dest, dest_mode;
    uint32_t svr, esr, icr[2];
    uint32_t lvt[VLAPIC_NR_LVT];
    uint32_t isr[8], tmr[8], irr[8];
    uint32_t divide_conf, initial_count;
    unsigned count_shift;              /* the count runs at 1 GHz >> shift */
    uint64_t load_ns;                  /* when the initial count was written */
    uint64_t next_ns;                  /* the timer's next expiry, if armed */
    int armed;
};

/* The state a multiboot kernel finds: QEMU's reset (ID 0, BSP, enabled at
 * 0xFEE00000, TPR 0, SVR 0xFF, LVTs masked, DFR all ones) with what SeaBIOS
 * then writes (SVR |= 0x100, LINT0 = 0x8700 ExtINT, LINT1 = 0x8400 NMI, and
 * its last ICR write, the startup IPI to all but self: 0x000C4610). */
void vlapic_reset(struct vlapic *a);
uint32_t vlapic_read(struct vlapic *a, uint32_t offset, unsigned size, uint64_t now_ns);
void vlapic_write(struct vlapic *a, uint32_t offset, unsigned size, uint32_t val,
                  uint64_t now_ns);
/* IA32_APIC_BASE. A write keeps BSP, takes the base from bits 31:12 (the
 * register page nevertheless stays at 0xFEE00000, as in QEMU), and clears
 * ENABLE (and SVR bit 8) when bit 11 is clear; once clear, ENABLE stays
 * clear until reset. Never faults (QEMU 7.2 TCG takes any value). */
uint64_t vlapic_get_base(const struct vlapic *a);
void vlapic_set_base(struct vlapic *a, uint64_t val);
/* Hardware-enabled (IA32_APIC_BASE bit 11); QEMU then also clears CPUID
 * leaf 1 EDX bit 9 (APIC) for the guest. */
int vlapic_hw_enabled(const struct vlapic *a);
/* Does the 8259's output reach the CPU (QEMU's apic_accept_pic_intr)? When
 * the APIC is hardware-disabled, or LINT0 is not masked. */
int vlapic_accept_pic(const struct vlapic *a);
/* Time passes: an expired timer sets its vector in IRR (coalesced). */
void vlapic_advance(struct vlapic *a, uint64_t now_ns);
/* When the timer next expires, or UINT64_MAX. */
uint64_t vlapic_deadline_ns(const struct vlapic *a);
/* The vector the APIC would deliver now (highest in IRR, its class above
 * PPR, APIC hardware- and software-enabled), or -1. */
int vlapic_pending(const struct vlapic *a);
/* The CPU takes it: IRR -> ISR; the vector, or -1. */
int vlapic_ack(struct vlapic *a);
/* A fixed interrupt with this vector arrives (level: TMR bit set). */
void vlapic_set_irq(struct vlapic *a, unsigned vector, int level);
uint32_t vlapic_ppr(const struct vlapic *a);

#endif
