/*
 * fpu_probes: FPU instructions and CR0 accesses for attack/fpu.c, each a
 * function that resumes after the fault when it raises one.
 */
#include "asm.h"

    .section .text.probe, "ax"
    PROBE_FN fpu_probe_fld1, fld1
    PROBE_FN fpu_probe_fnop, fnop
    PROBE_FN fpu_probe_movq, movq %mm0, %mm1
    PROBE_FN fpu_probe_clts, clts

/* uint32_t fpu_probe_read_cr0(void): CR0 as the guest sees it (0 if it faulted). */
    .globl fpu_probe_read_cr0
fpu_probe_read_cr0:
    xorl %eax, %eax
1:  movl %cr0, %eax
2:  ret
    PROBE 1b, 2b

/* void fpu_probe_write_cr0(uint32_t value) */
    .globl fpu_probe_write_cr0
fpu_probe_write_cr0:
    movl 4(%esp), %eax
1:  movl %eax, %cr0
2:  ret
    PROBE 1b, 2b
