/*
 * emulate: the privileged instructions of a ring-1 guest's kernel run on
 * the virtual CPU (vm/vcpu.h) and the virtual PC: what te's #GP path and
 * bt's callouts both call, once the privilege check (vx_privilege,
 * vm/rules.h) said the guest's CPU would run it.
 */
#ifndef HV_VM_EMULATE_H
#define HV_VM_EMULATE_H

#include <stddef.h>
#include <stdint.h>

#include "te/decode.h"

struct vcpu;

/* Emulate in, which the guest's CPU would execute at its CPL. 1: done (or
 * a fault injected; *completed says which: 1 if the instruction completed,
 * EIP past it or where it went), 0: not an instruction emulated here. */
int vx_emulate(struct vcpu *v, const struct te_insn *in, int *completed);
/* The base of segment register seg (X86_SEG_*) from the shadow GDT: 0 for
 * a null selector (LDTs are refused at lldt). */
uint32_t vx_seg_base(struct vcpu *v, int seg);
/* iret or lret (in->op TE_IRET or TE_LRET) at the guest's CPL 0, popped
 * as the CPU would: 0, or 1 after injecting a fault. */
int vx_far_return(struct vcpu *v, const struct te_insn *in);
/* A selector the guest loads names one of its ring-1 segments: refused
 * (the domain crashes). */
__attribute__((noreturn)) void vx_refuse_ring1(struct vcpu *v, uint32_t sel);
/* Up to 15 bytes at the guest's EIP (a supervisor fetch, CS flat): how
 * many could be read. */
size_t vx_fetch(struct vcpu *v, uint8_t *buf);

/* ---- io.c ---- */
/* in/out: 0 (a write to the exit or power-off port ends the domain). */
int vx_do_io(struct vcpu *v, const struct te_insn *in);
/* ins/outs (REP: with ECX, at most a batch per trap): 0 done, 1 after
 * injecting a #PF (the registers say how far it got), 2 to be continued
 * (EIP stays on the instruction). Segment bases of the source (outs) and
 * of ES (ins). */
int vx_do_string_io(struct vcpu *v, const struct te_insn *in, uint32_t ds_base,
                    uint32_t es_base);
/* CPL > IOPL: 1 if the TSS's I/O bitmap allows the access. */
int vx_io_permitted(struct vcpu *v, const struct te_insn *in);

#endif
