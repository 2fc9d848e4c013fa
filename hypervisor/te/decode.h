/*
 * decode: the instructions the te mode emulates, decoded from the bytes at
 * the guest's EIP (32-bit code, 32-bit addressing). Pure, unit-tested.
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

enum te_op {
    TE_NONE = 0,
    TE_CLI, TE_STI, TE_HLT,
    TE_MOV_FROM_CR, TE_MOV_TO_CR,
    TE_LGDT, TE_LIDT, TE_LLDT, TE_LTR, TE_LMSW,
    TE_SGDT, TE_SIDT, TE_SLDT, TE_STR, TE_SMSW,
    TE_INVLPG, TE_IN, TE_OUT, TE_STRING_IO,
    TE_IRET, TE_LRET, TE_MOV_TO_SS, TE_POP_SS,
    TE_RDMSR, TE_WRMSR, TE_WBINVD, TE_INVD, TE_CLTS,
    TE_INT, TE_INT3, TE_INTO,
    TE_NR_OPS
};

struct te_insn {
    enum te_op op;
    unsigned len;          /* bytes, prefixes included */
    unsigned opsize;       /* operand size in bytes: 1 (in/out), 2 or 4 */
    int reg;               /* control register number, or the ModRM reg field */
    int mod_reg;           /* the r/m operand is a register: 1; memory: 0 */
    int rm;                /* that register (0 eax .. 7 edi) */
    int base, index;       /* memory operand: registers or -1 */
    unsigned scale;        /* 1, 2, 4 or 8 */
    int32_t disp;
    int port;              /* in/out: the port, or -1 for DX */
    uint8_t imm;           /* int n: n */
};

/* Decode b[0..n); 1 if it is one of the ops above, 0 otherwise. */
int te_decode(const uint8_t *b, size_t n, struct te_insn *out);
/* The memory operand's address, given eax..edi in that order. */
uint32_t te_effective_address(const struct te_insn *i, const uint32_t gpr[8]);
/* A short name ("lgdt"), for messages and counters. */
const char *te_op_name(enum te_op op);

#endif
