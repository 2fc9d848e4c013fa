/*
 * x86dec: the one decoder of 32-bit protected-mode x86 instructions (the
 * Intel SDM Vol. 2 opcode maps, Appendix A), table-driven and pure. Every
 * part of the hypervisor that reads guest instructions uses it: bt's
 * translator, te's emulation (te/decode.c maps it onto te's ops), the PV
 * privileged-instruction paths (mov CR) and hw's decode of exits.
 *
 * It decodes what a CPU in 32-bit protected mode (CS.D = 1) decodes:
 * legacy prefixes, the one-byte map, 0F, 0F 38, 0F 3A, the x87 escapes,
 * 3DNow! (0F 0F), VEX (C4/C5) and EVEX (62) where mod = 11 makes them so,
 * ModRM/SIB/displacement in 32- and 16-bit addressing, immediates. For
 * each instruction: its length, prefixes, operands, memory access,
 * control flow, and the class the binary translator acts on (enum
 * x86_class). Differential-tested on the host against libzydis and
 * objdump (tests/decoder, docs/decoder.md lists every accepted difference).
 */
#ifndef HV_ARCH_X86_X86DEC_H
#define HV_ARCH_X86_X86DEC_H

#include <stddef.h>
#include <stdint.h>

/* What a binary translator must do with an instruction met at the guest's
 * CPL 0 (docs/bt.md). */
enum x86_class {
    X86C_INVALID = 0,  /* the CPU raises #UD (undefined, or LOCK where not allowed) */
    X86C_PLAIN,        /* innocuous: same effect in ring 1 as in ring 0: copied (IDENT) */
    X86C_JMP_REL,      /* jmp rel8/rel16/rel32 */
    X86C_JCC_REL,      /* jcc rel8/rel32 */
    X86C_LOOP_REL,     /* loop, loope, loopne, jecxz/jcxz (rel8; 67: CX) */
    X86C_CALL_REL,     /* call rel32 (rel16 with 66) */
    X86C_JMP_IND,      /* jmp r/m */
    X86C_CALL_IND,     /* call r/m */
    X86C_RET,          /* ret, ret imm16 (near) */
    X86C_JMP_FAR,      /* jmp ptr16:32, jmp m16:32 */
    X86C_CALL_FAR,     /* call ptr16:32, call m16:32 */
    X86C_RET_FAR,      /* retf, retf imm16 */
    X86C_IRET,         /* iret */
    X86C_INT,          /* int n, int3, into, int1 (F1) */
    X86C_CLI, X86C_STI,
    X86C_PUSHF, X86C_POPF,
    X86C_SEG_READ,     /* mov r/m, sreg; push sreg (ES CS SS DS FS GS) */
    X86C_SEG_WRITE,    /* mov sreg, r/m; pop sreg; lds les lfs lgs lss */
    X86C_DESC_READ,    /* sgdt sidt sldt str smsw */
    X86C_DESC_CHECK,   /* lar lsl verr verw */
    X86C_PRIV,         /* CPL 0 only: mov CR/DR, lgdt lidt lldt ltr lmsw clts invlpg
                        * invd wbinvd rdmsr wrmsr hlt, the SVM/VMX instructions... */
    X86C_IO,           /* in out ins outs */
    X86C_SYSTEM,       /* sysenter sysexit syscall sysret rsm */
    X86C_CPUID,        /* cpuid: plain for the CPU, but the hypervisor's view */
    X86C_NR
};

/* How the CPU refuses the bytes before running them. */
enum x86_fault { X86F_NONE = 0, X86F_UD, X86F_GP /* more than 15 bytes */ };

enum x86_map { X86M_ONE = 0, X86M_0F, X86M_0F38, X86M_0F3A, X86M_3DNOW, X86M_VEX, X86M_EVEX,
               X86M_X87 };

#define X86_MEM_READ   1u
#define X86_MEM_WRITE  2u

struct x86_insn {
    uint8_t len;           /* bytes, prefixes included (valid unless fault == X86F_GP) */
    uint8_t fault;         /* enum x86_fault */
    uint8_t cls;           /* enum x86_class */
    uint8_t map;           /* enum x86_map */
    uint8_t opcode;        /* the opcode byte within its map */
    uint8_t npfx;          /* legacy prefix bytes */
    uint8_t opsize;        /* operand size: 2 or 4 (1 for byte forms) */
    uint8_t addr16;        /* 67: 16-bit addressing */
    int8_t  seg;           /* segment override X86_SEG_* (emulate.h), or -1 */
    uint8_t rep;           /* 0xF3, 0xF2 or 0: the last of them */
    uint8_t lock;          /* F0 seen */
    uint8_t has_modrm, modrm_off, modrm;   /* offset of the ModRM byte in the insn */
    uint8_t mod, reg, rm;  /* its fields */
    uint8_t has_mem;       /* a memory operand (ModRM with mod != 3, moffs, string ops' implicit ones) */
    uint8_t mem_access;    /* X86_MEM_READ | X86_MEM_WRITE of the explicit operand */
    int8_t  base, index;   /* memory operand registers (0 eax .. 7 edi), or -1 */
    uint8_t scale;         /* 1, 2, 4, 8 */
    int32_t disp;          /* sign-extended */
    uint8_t disp_off, disp_size;  /* where the displacement is (0 size: none) */
    uint8_t imm_off, imm_size;    /* the (first) immediate */
    uint32_t imm;          /* zero-extended first immediate */
    uint8_t imm2_size;     /* enter's second immediate, far pointers' selector */
    uint16_t imm2;
    int32_t rel;           /* relative branches: the displacement, sign-extended */
    uint8_t rel_off, rel_size;
};

/* Decode the instruction at b[0..n). Returns 1 when it is decoded (out
 * filled; out->fault says whether the CPU runs it), 0 when the n bytes end
 * before the instruction does (fewer than 15 were given). With X86F_GP the
 * fields decoded within the 15 bytes are kept (npfx; map, opcode and ModRM
 * once seen). */
int x86_decode(const uint8_t *b, size_t n, struct x86_insn *out);
/* The address of the next instruction, and of a relative branch's target,
 * for an instruction at eip (16-bit operand size truncates the target). */
uint32_t x86_next(const struct x86_insn *i, uint32_t eip);
uint32_t x86_branch_target(const struct x86_insn *i, uint32_t eip);
/* Short names, for messages and tests. */
const char *x86_class_name(enum x86_class c);

#endif
