/*
 * pcrules: the virtual PC's side of the shared layer (te, bt), as pure
 * functions (unit-tested): which MSRs the virtual CPU answers itself and
 * which the platform's devices own, the code segment's default size for
 * the MMIO decoder, and the accessed bit the CPU sets in a segment
 * descriptor it loads.
 */
#ifndef HV_VM_PCRULES_H
#define HV_VM_PCRULES_H

#include <stdint.h>

/* Where rdmsr/wrmsr of msr goes. */
enum vx_msr_route {
    VX_MSR_GP = 0,       /* none of them: #GP(0), as a CPU for an unknown MSR */
    VX_MSR_TSC,          /* IA32_TIME_STAMP_COUNTER (0x10): the host's TSC, writes ignored */
    VX_MSR_SYSENTER,     /* IA32_SYSENTER_CS/ESP/EIP (0x174-0x176): the virtual CPU's */
    VX_MSR_PLATFORM,     /* IA32_APIC_BASE (0x1B): the platform's LAPIC (vplatform_*msr) */
};
enum vx_msr_route vx_msr_route(uint32_t msr);

/* 1 if the code segment of descriptor desc (the guest's own) is 32-bit
 * (D set): the default operand and address size of its instructions. */
static inline int vx_desc_cs32(uint64_t desc) { return (desc >> 54) & 1; }

/* The accessed bit (SDM Vol. 3, 3.4.5.1: type bit 0 of a code or data
 * descriptor, byte 5 bit 0). The SDM has the CPU set it in memory at every
 * load of a segment register; QEMU 7.2, the reference, sets it when a data
 * or stack segment is loaded and leaves a code segment's alone at far
 * transfers, returns and gates (the census's LAR of the kernel's CS reads
 * it clear on bare QEMU), so the shared layer does the same. System
 * descriptors have no accessed bit. VX_DESC_A: the bit in the 64-bit
 * descriptor. */
#define VX_DESC_A  (1ull << 40)
/* 1 if loading desc makes the CPU write its accessed bit (P set, S set,
 * a data segment, A clear); 0 otherwise. */
int vx_desc_sets_accessed(uint64_t desc);

/* Delivery of vector vec finds its interrupt or trap gate not present
 * (SDM Vol. 3, 6.13 and 6.15 table 6-5): #NP with the IDT entry in its
 * error code, but #DF when vec is a contributory exception (#DE, #TS,
 * #NP, #SS, #GP) or a #PF, and shutdown when vec is #DF itself. */
enum vx_gate_np { VX_GATE_NP = 0, VX_GATE_DF, VX_GATE_SHUTDOWN };
enum vx_gate_np vx_gate_np_action(unsigned vec);

#endif
