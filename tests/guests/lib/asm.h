/* asm.h: assembler macros of the guest runtime. PROBE registers an
 * instruction that may fault, and where to resume when it does. */
#ifndef PV86_GUEST_LIB_ASM_H
#define PV86_GUEST_LIB_ASM_H
#ifdef __ASSEMBLER__
.macro PROBE insn, resume
    .pushsection __probe_table, "a"
    .long \insn, \resume
    .popsection
.endm
/* PROBE_FN name, instruction...: a function that runs one instruction. */
.macro PROBE_FN name, insn:vararg
    .globl \name
\name:
1:  \insn
2:  ret
    PROBE 1b, 2b
.endm
#endif
#include "probe_fns.h"
#endif
