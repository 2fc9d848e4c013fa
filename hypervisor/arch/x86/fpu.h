/*
 * fpu: each vCPU's x87/MMX/SSE registers, switched lazily (the rules are
 * in fpu_rules.h). With FXSR (every CPU QEMU models but the oldest) the
 * hypervisor sets CR4.OSFXSR and CR4.OSXMMEXCPT, as Xen does, and saves
 * with fxsave; without it, with fnsave (x87 and MMX only). CR4.OSXSAVE is
 * never set, so no guest can have state that fxsave does not cover.
 * The hypervisor itself never uses the FPU: it is built with -mno-80387
 * -mno-mmx -mno-sse, and only this file's glue touches the registers.
 */
#ifndef HV_ARCH_X86_FPU_H
#define HV_ARCH_X86_FPU_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86/fpu_rules.h"

#define FPU_AREA_SIZE 512       /* an FXSAVE image; FNSAVE uses 108 bytes */

struct fpu_vcpu {
    uint8_t area[FPU_AREA_SIZE] __attribute__((aligned(16)));
    uint32_t vcr0;              /* the guest's virtual CR0: TS (PV); TS, EM, MP (te) */
    int used;                   /* area holds this vCPU's registers */
};

struct vcpu;

/* CR0 (MP, NE; EM and TS clear) and CR4 (OSFXSR, OSXMMEXCPT) for the FPU. */
void fpu_init(void);
/* v is about to run after another vCPU: CR0.TS unless v owns the FPU. */
void fpu_switch_in(struct vcpu *v);

/* v's domain is stopping: if it owns the FPU, its registers are dropped
 * (never saved, never loaded into another vCPU) and the FPU has no owner,
 * so a later domain with the same id starts from a clean state. */
void fpu_vcpu_stop(struct vcpu *v);

/* PV guests */
/* #NM from a PV guest: give it its registers; if its virtual TS is set,
 * bounce #NM to its handler and clear the virtual TS (as Xen does). */
void fpu_device_not_available(struct vcpu *v);
/* #GP(0) in ring 1: clts, mov to/from %cr0 as Xen emulates them. 1 if
 * done (EIP advanced), 0 if the instruction is not one of them or the
 * write changes a bit other than TS (the guest gets #GP). */
int fpu_emulate_cr0(struct vcpu *v, const uint8_t *insn, size_t n);

/* te guests */
/* The te guest's CR0 changed (or may have): its TS, EM and MP decide. */
void fpu_te_cr0(struct vcpu *v, uint32_t cr0);
/* #NM from a te guest with virtual CR0 cr0 and the instruction bytes at
 * EIP: loads its registers, then returns the vector to deliver through its
 * IDT (7 #NM, 6 #UD, 16 #MF) or -1 to resume it (EIP may have advanced
 * over an emulated WAIT). */
int fpu_te_device_not_available(struct vcpu *v, uint32_t cr0, const uint8_t *insn, size_t n);

/* hw guests: v's registers into the CPU before VMRUN, every time (the
 * guest's own CR0.TS, EM and MP are in its VMCB and act there). */
void fpu_hw_take(struct vcpu *v);

#endif
