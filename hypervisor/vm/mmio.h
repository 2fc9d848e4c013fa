/*
 * mmio: a guest access to a device of the virtual PC (te, bt): the LAPIC
 * page, or any range vplatform_mmio_decodes. Its page is never
 * shadow-mapped, so every access faults; vx_page_fault (vm/shadow.h)
 * hands the fault here, and the guest instruction at EIP (for bt: the
 * runtime has put the guest's EIP back in the frame before the shared
 * fault path runs) is decoded and carried out against the platform by the
 * decoder and emulator hw uses (hw/mmio.h: its forms and flag rules), EIP
 * advanced past it. Interrupts the access raises are delivered as every
 * other (the mode's exit path: vplatform_intr_pending/ack).
 */
#ifndef HV_VM_MMIO_H
#define HV_VM_MMIO_H

#include <stdint.h>

struct vcpu;

/* The access of the instruction at EIP to linear va, which the guest's
 * tables map to guest-physical gpa in a device (the rights already
 * checked): emulated, the registers, EFLAGS and EIP as the instruction
 * leaves them (a single-step #DB injected after it under TF). An
 * instruction pv86 does not emulate, or a device refusing it, crashes the
 * domain with its line. */
void vx_mmio_access(struct vcpu *v, uint32_t va, uint64_t gpa);

#endif
