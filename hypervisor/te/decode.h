/*
 * decode: the instructions the te mode emulates, decoded from the bytes at
 * the guest's EIP (32-bit code segment): a mapping of x86dec's decode
 * (arch/x86/x86dec.h) onto te's ops. Pure, unit-tested. Every legacy
 * prefix is decoded: 66 (operand size), 67 (16-bit addressing), segment
 * overrides, REP/REPNE (the string forms of ins and outs; ignored
 * elsewhere, as the CPU ignores them) and LOCK (#UD on every instruction
 * here), and the 15-byte limit (#GP(0)).
 *
 * These are the privileged instructions (they fault at CPL 1), the
 * descriptor-table reads that fault under CR4.UMIP, the far returns and
 * stack-segment loads that fault because the guest kernel asks for RPL 0,
 * and `int n`.
 */
#ifndef HV_TE_DECODE_H
#define HV_TE_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86/emulate.h"

enum te_op {
    TE_NONE = 0,
    TE_CLI, TE_STI, TE_HLT,
    TE_MOV_FROM_CR, TE_MOV_TO_CR,
    TE_LGDT, TE_LIDT, TE_LLDT, TE_LTR, TE_LMSW,
    TE_SGDT, TE_SIDT, TE_SLDT, TE_STR, TE_SMSW,
    TE_INVLPG, TE_IN, TE_OUT, TE_INS, TE_OUTS,
    TE_IRET, TE_LRET, TE_MOV_TO_SS, TE_POP_SS,
    TE_RDMSR, TE_WRMSR, TE_WBINVD, TE_INVD, TE_CLTS,
    TE_INT, TE_INT3, TE_INTO,
    TE_MOV_FROM_DR, TE_MOV_TO_DR,
    TE_NR_OPS
};

/* What the CPU does with the bytes before executing them. */
enum te_fault { TE_FAULT_NONE = 0, TE_FAULT_UD, TE_FAULT_GP };

struct te_insn {
    enum te_op op;         /* TE_NONE only with a fault (too long to see) */
    enum te_fault fault;   /* LOCK here: #UD; more than 15 bytes: #GP(0) */
    unsigned len;          /* bytes, prefixes included */
    unsigned opsize;       /* operand size in bytes: 1 (in/out, ins/outs), 2 or 4 */
    int addr16;            /* 67: 16-bit addressing (ModRM; SI, DI, CX of ins/outs) */
    int seg;               /* segment override (X86_SEG_*), or -1 */
    int rep;               /* F3 or F2 before ins/outs (both mean REP there), or 0 */
    int reg;               /* control register number (8: lock mov CR0, the CR8 alias), or the ModRM reg field */
    int mod_reg;           /* the r/m operand is a register: 1; memory: 0 */
    int rm;                /* that register (0 eax .. 7 edi) */
    int base, index;       /* memory operand: registers or -1 */
    unsigned scale;        /* 1, 2, 4 or 8 */
    int32_t disp;
    int port;              /* in/out: the port, or -1 for DX */
    uint8_t imm;           /* int n: n */
};

/* Decode b[0..n); 1 if it is one of the ops above or an instruction the
 * CPU refuses before executing it (out->fault), 0 otherwise. */
int te_decode(const uint8_t *b, size_t n, struct te_insn *out);
/* The memory operand's offset in its segment, given eax..edi in that
 * order (16 bits of it with 67). */
uint32_t te_effective_address(const struct te_insn *i, const uint32_t gpr[8]);
/* The segment of the memory operand: the override, else SS for a base of
 * ESP or EBP (BP with 67), else DS. */
int te_operand_segment(const struct te_insn *i);
/* A short name ("lgdt"), for messages and counters. */
const char *te_op_name(enum te_op op);

#endif
