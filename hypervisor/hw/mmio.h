/*
 * mmio: the instruction behind an MMIO exit (#VMEXIT(NPF) on a device
 * hole), decoded from the bytes at the guest's EIP and carried out against
 * the device (QEMU's SVM has no decode assists: pv86 decodes the exit
 * itself). Pure, unit-tested.
 *
 * The forms kernels use on device registers, each with a memory operand
 * (a register operand cannot have faulted: refused):
 *   mov        88 89 8A 8B (r/m <-> r), A0-A3 (moffs <-> al/ax/eax),
 *              C6 /0 ib, C7 /0 iw/id (r/m <- imm)
 *   movzx      0F B6, 0F B7;  movsx 0F BE, 0F BF
 *   ALU        add or adc sbb and sub xor cmp: 00-3B's r/m,r and r,r/m
 *              forms (op*8 + 0..3), 80 /op ib, 81 /op iz, 82 /op ib
 *              (80's alias), 83 /op ib sign-extended
 *   test       84 85 (r/m, r), F6 /0 ib, F7 /0 iz
 *   xchg       86 87
 *   inc, dec   FE /0 /1, FF /0 /1;  not, neg  F6 /2 /3, F7 /2 /3
 * Prefixes: 66 (operand size), 67 (16-bit addressing: ModRM, and a
 * 2-byte moffs), segment overrides (they change only the linear address,
 * which the NPF exit does not need: the caller gives the guest-physical
 * one), REP/REPNE (ignored, as the CPU ignores them on these), LOCK (on
 * the read-modify-write forms with a memory destination: ALU but cmp,
 * xchg, inc, dec, not, neg; elsewhere the CPU raises #UD before any
 * access, so it is refused). At most 15 bytes.
 *
 * EFLAGS as the CPU leaves them: CF PF AF ZF SF OF of add/adc/sub/sbb/cmp/
 * neg/inc/dec (CF kept by inc/dec); the logical ones (and or xor test)
 * clear CF and OF and set PF ZF SF, and clear AF (the SDM leaves AF
 * undefined there; QEMU clears it). mov, movzx, movsx, xchg, not: none.
 */
#ifndef HV_HW_MMIO_H
#define HV_HW_MMIO_H

#include <stddef.h>
#include <stdint.h>

/* The guest's general registers (eax ecx edx ebx esp ebp esi edi, in that
 * order) and EFLAGS. */
struct mmio_regs {
    uint32_t gpr[8];
    uint32_t eflags;
};

/* The device at the faulting guest-physical address: 0, or -1 if it
 * refuses the access (the caller crashes the domain). size is 1, 2 or 4;
 * a read's *val holds size bytes, zero-extended. */
struct mmio_ops {
    void *ctx;
    int (*read)(void *ctx, uint64_t gpa, unsigned size, uint32_t *val);
    int (*write)(void *ctx, uint64_t gpa, unsigned size, uint32_t val);
};

enum mmio_op {
    MMIO_NONE = 0,
    MMIO_STORE,        /* mov r/m <- reg or imm (88 89 A2 A3 C6 C7) */
    MMIO_LOAD,         /* mov reg <- r/m (8A 8B A0 A1) */
    MMIO_MOVZX,
    MMIO_MOVSX,
    MMIO_ALU_MEM,      /* ALU, memory the destination (cmp: not written) */
    MMIO_ALU_REG,      /* ALU, a register the destination (memory read) */
    MMIO_TEST,
    MMIO_XCHG,
    MMIO_INC, MMIO_DEC, MMIO_NOT, MMIO_NEG,
    MMIO_NR_OPS
};

/* The ALU operation (the opcode's bits 5:3, or ModRM.reg of 80-83). */
enum { MMIO_ADD, MMIO_OR, MMIO_ADC, MMIO_SBB, MMIO_AND, MMIO_SUB, MMIO_XOR, MMIO_CMP };

struct mmio_insn {
    enum mmio_op op;
    unsigned alu;          /* MMIO_ALU_*: MMIO_ADD .. MMIO_CMP */
    unsigned len;          /* bytes, prefixes included */
    unsigned size;         /* the memory access: 1, 2 or 4 bytes */
    unsigned opsize;       /* movzx/movsx: the destination register's bytes (2 or 4) */
    int reg;               /* the register operand (8-bit: al cl dl bl ah ch dh bh), or -1 */
    uint32_t imm;          /* reg -1: the immediate, sign-extended and cut to size */
    int lock;              /* F0 seen */
    int seg;               /* segment override (X86_SEG_*), or -1 */
    int addr16;            /* 16-bit addressing */
    int reads, writes;     /* the instruction reads / writes the device */
};

/* Decode b[0..n) with the code segment's default size (cs32: CS.D; 0 for
 * 16-bit code): 1 if it is one of the forms above with a memory operand,
 * 0 otherwise (too short, another instruction, a register operand, a
 * LOCK the CPU would refuse, more than 15 bytes). */
int mmio_decode(const uint8_t *b, size_t n, int cs32, struct mmio_insn *out);

enum { MMIO_DONE = 0, MMIO_UNHANDLED = 1, MMIO_DEVICE_ERROR = 2 };

/* Carry out i against the device at gpa (read before write), then update
 * r: MMIO_DONE; MMIO_DEVICE_ERROR if a callback refused (r unchanged). */
int mmio_execute(const struct mmio_insn *i, struct mmio_regs *r, uint64_t gpa,
                 const struct mmio_ops *ops);

/* Both: MMIO_DONE with *len the bytes to add to EIP; MMIO_UNHANDLED (not
 * an instruction pv86 emulates: the caller crashes the domain naming the
 * bytes); MMIO_DEVICE_ERROR. */
int mmio_emulate(const uint8_t *b, size_t n, int cs32, struct mmio_regs *r, uint64_t gpa,
                 const struct mmio_ops *ops, unsigned *len);

/* A short name ("mov", "movzx", "or", ...), for messages and counters. */
const char *mmio_name(const struct mmio_insn *i);

#endif
