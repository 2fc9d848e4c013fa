/*
 * deliver: exceptions and interrupts delivered through the guest's IDT as
 * a CPU would deliver them in ring 0 (the guest kernel's ring 1), `int n`,
 * and the interrupt shadow of sti and mov/pop ss.
 */
#ifndef HV_VM_DELIVER_H
#define HV_VM_DELIVER_H

#include <stdint.h>

struct vcpu;

/* The interrupt shadow after sti (IF was 0) and mov/pop ss: no interrupt
 * before the next instruction has run. The hypervisor single-steps that
 * instruction (EFLAGS.TF, the guest's own kept aside) and delivers nothing
 * meanwhile. */
void vx_intr_shadow_start(struct vcpu *v);
/* The shadow is over: the guest's TF back. */
void vx_intr_shadow_end(struct vcpu *v);
/* Vector vec through the guest's IDT (a frame the guest cannot take
 * crashes the domain, where the CPU would shut down). */
void vx_deliver(struct vcpu *v, unsigned vec, int has_error, uint32_t error);
/* The same, counted as a guest fault when it is a #PF. */
void vx_inject(struct vcpu *v, unsigned vec, int has_error, uint32_t error);
/* `int n` at the current EIP, len bytes long: the gate's DPL decides
 * (#GP(n*8+2) if the guest's CPL may not use it). */
void vx_soft_int(struct vcpu *v, unsigned n, uint32_t len);

#endif
