/*
 * x86dec_tab: the opcode tables of x86dec (private to x86dec.c and
 * x86dec_tables.c). One entry per opcode of a map: whether a ModRM
 * follows, the immediate's kind, the class, the access of the ModRM
 * memory operand, and what makes it #UD (a register or memory form it
 * does not have, the mandatory prefixes it has, LOCK).
 */
#ifndef HV_ARCH_X86_X86DEC_TAB_H
#define HV_ARCH_X86_X86DEC_TAB_H

#include <stdint.h>

#include "arch/x86/x86dec.h"

enum x86_imm {
    IM_NONE = 0,
    IM_B,      /* imm8 */
    IM_W,      /* imm16 */
    IM_Z,      /* imm16 or imm32 by the operand size */
    IM_WB,     /* enter: imm16, imm8 */
    IM_AP,     /* far pointer: offset (16 or 32 by the operand size), selector */
    IM_MOFFS,  /* moffs: 16 or 32 by the address size (a displacement) */
    IM_REL8,
    IM_RELZ,   /* rel16 or rel32 by the operand size */
    IM_BB,     /* extrq/insertq: imm8, imm8 */
};

/* flags */
#define F_M        0x0001u  /* a ModRM follows */
#define F_LOCK     0x0002u  /* LOCK allowed (with a memory destination) */
#define F_BYTE     0x0004u  /* byte operand size */
#define F_MEMONLY  0x0008u  /* mod = 3: #UD */
#define F_REGONLY  0x0010u  /* mod != 3: #UD */
#define F_R        0x0020u  /* the ModRM memory operand is read */
#define F_W        0x0040u  /* ... written */
#define F_GRP      0x0080u  /* the reg field picks the entry: group number in .grp */
#define F_STR      0x0100u  /* string instruction: implicit memory operands */
#define F_VEX      0x0200u  /* exists VEX-encoded (with the same prefix mask) */
#define F_FORCEREG 0x0400u  /* mov CR/DR: the ModRM is always a register */
#define F_MMX      0x0800u  /* the no-prefix form is MMX: not under VEX */
/* mandatory-prefix forms allowed (SSE and later); none set: any prefix */
#define P_NP       0x1000u
#define P_66       0x2000u
#define P_F3       0x4000u
#define P_F2       0x8000u
#define P_ALL      (P_NP | P_66 | P_F3 | P_F2)
#define P_MASK     P_ALL
#define F_RW       (F_R | F_W)

struct x86_op {
    uint8_t cls;    /* enum x86_class (X86C_INVALID: #UD) */
    uint8_t imm;    /* enum x86_imm */
    uint8_t grp;    /* with F_GRP: the group */
    uint8_t pad;
    uint16_t f;
};

enum x86_grp {
    G_NONE = 0,
    G_1B, G_1Z, G_1IB,     /* 80/82, 81, 83 */
    G_2B1, G_2V1, G_2B, G_2V,  /* C0, C1, D0/D2, D1/D3 */
    G_3B, G_3V,            /* F6, F7 */
    G_4, G_5,              /* FE, FF */
    G_1A,                  /* 8F */
    G_11B, G_11Z,          /* C6, C7 */
    G_6, G_7,              /* 0F 00, 0F 01 */
    G_P,                   /* 0F 0D */
    G_16,                  /* 0F 18 */
    G_12, G_13, G_14,      /* 0F 71, 72, 73 */
    G_15,                  /* 0F AE */
    G_8,                   /* 0F BA */
    G_9,                   /* 0F C7 */
    G_NR
};

extern const struct x86_op x86_map_one[256];
extern const struct x86_op x86_map_0f[256];
extern const struct x86_op x86_map_0f38[256];
extern const struct x86_op x86_map_0f3a[256];
/* [group][mod == 3][reg] */
extern const struct x86_op x86_groups[G_NR][2][8];

/* A VEX instruction (map 1-3, its opcode, pp, VEX.L, VEX.W, the encoded
 * vvvv field, the SIB byte if any; o: its ModRM) exists: x86dec_vex.c. */
int x86_vex_valid(unsigned map, uint8_t op, unsigned pp, unsigned l, unsigned w,
                  unsigned vvvv, uint8_t sib, const struct x86_insn *o);

#endif
