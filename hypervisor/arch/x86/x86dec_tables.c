/*
 * x86dec_tables: the opcode maps of the Intel SDM Vol. 2, Appendix A, as
 * x86dec reads them (x86dec_tab.h). An entry left out is an undefined
 * opcode (#UD). Written from the SDM's maps, checked against QEMU 7.2's
 * TCG decoder where the two disagree (docs/decoder.md).
 */
#include "arch/x86/x86dec_tab.h"

#define E(c, im, fl)  { X86C_##c, IM_##im, 0, 0, (fl) }
#define GR(g)         { X86C_PLAIN, IM_NONE, G_##g, 0, F_M | F_GRP }
#define INV           { X86C_INVALID, IM_NONE, 0, 0, 0 }
#define INVM          { X86C_INVALID, IM_NONE, 0, 0, F_M }

/* the eight ALU operations: Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib eAX,Iz */
#define ALU(b) \
    [(b) + 0] = E(PLAIN, NONE, F_M | F_LOCK | F_BYTE | F_RW), \
    [(b) + 1] = E(PLAIN, NONE, F_M | F_LOCK | F_RW), \
    [(b) + 2] = E(PLAIN, NONE, F_M | F_BYTE | F_R), \
    [(b) + 3] = E(PLAIN, NONE, F_M | F_R), \
    [(b) + 4] = E(PLAIN, B, F_BYTE), \
    [(b) + 5] = E(PLAIN, Z, 0)

const struct x86_op x86_map_one[256] = {
    ALU(0x00), ALU(0x08), ALU(0x10), ALU(0x18), ALU(0x20), ALU(0x28), ALU(0x30),
    [0x38] = E(PLAIN, NONE, F_M | F_BYTE | F_R), [0x39] = E(PLAIN, NONE, F_M | F_R),
    [0x3A] = E(PLAIN, NONE, F_M | F_BYTE | F_R), [0x3B] = E(PLAIN, NONE, F_M | F_R),
    [0x3C] = E(PLAIN, B, F_BYTE), [0x3D] = E(PLAIN, Z, 0),
    [0x06] = E(SEG_READ, NONE, 0), [0x07] = E(SEG_WRITE, NONE, 0),
    [0x0E] = E(SEG_READ, NONE, 0),
    [0x16] = E(SEG_READ, NONE, 0), [0x17] = E(SEG_WRITE, NONE, 0),
    [0x1E] = E(SEG_READ, NONE, 0), [0x1F] = E(SEG_WRITE, NONE, 0),
    [0x27] = E(PLAIN, NONE, 0), [0x2F] = E(PLAIN, NONE, 0),
    [0x37] = E(PLAIN, NONE, 0), [0x3F] = E(PLAIN, NONE, 0),
    [0x40 ... 0x5F] = E(PLAIN, NONE, 0),
    [0x60] = E(PLAIN, NONE, 0), [0x61] = E(PLAIN, NONE, 0),
    [0x62] = E(PLAIN, NONE, F_M | F_MEMONLY | F_R),            /* bound (mod 3: EVEX) */
    [0x63] = E(PLAIN, NONE, F_M | F_RW),                       /* arpl Ew, Gw */
    [0x68] = E(PLAIN, Z, 0), [0x69] = E(PLAIN, Z, F_M | F_R),
    [0x6A] = E(PLAIN, B, 0), [0x6B] = E(PLAIN, B, F_M | F_R),
    [0x6C] = E(IO, NONE, F_BYTE | F_STR), [0x6D] = E(IO, NONE, F_STR),
    [0x6E] = E(IO, NONE, F_BYTE | F_STR), [0x6F] = E(IO, NONE, F_STR),
    [0x70 ... 0x7F] = E(JCC_REL, REL8, 0),
    [0x80] = GR(1B), [0x81] = GR(1Z), [0x82] = GR(1B), [0x83] = GR(1IB),
    [0x84] = E(PLAIN, NONE, F_M | F_BYTE | F_R), [0x85] = E(PLAIN, NONE, F_M | F_R),
    [0x86] = E(PLAIN, NONE, F_M | F_LOCK | F_BYTE | F_RW),
    [0x87] = E(PLAIN, NONE, F_M | F_LOCK | F_RW),
    [0x88] = E(PLAIN, NONE, F_M | F_BYTE | F_W), [0x89] = E(PLAIN, NONE, F_M | F_W),
    [0x8A] = E(PLAIN, NONE, F_M | F_BYTE | F_R), [0x8B] = E(PLAIN, NONE, F_M | F_R),
    [0x8C] = E(SEG_READ, NONE, F_M | F_W),                     /* reg > 5: #UD (code) */
    [0x8D] = E(PLAIN, NONE, F_M | F_MEMONLY),                  /* lea: no access */
    [0x8E] = E(SEG_WRITE, NONE, F_M | F_R),                    /* reg 1 or > 5: #UD */
    [0x8F] = GR(1A),
    [0x90 ... 0x99] = E(PLAIN, NONE, 0),
    [0x9A] = E(CALL_FAR, AP, 0), [0x9B] = E(PLAIN, NONE, 0),
    [0x9C] = E(PUSHF, NONE, 0), [0x9D] = E(POPF, NONE, 0),
    [0x9E] = E(PLAIN, NONE, 0), [0x9F] = E(PLAIN, NONE, 0),
    [0xA0] = E(PLAIN, MOFFS, F_BYTE | F_R), [0xA1] = E(PLAIN, MOFFS, F_R),
    [0xA2] = E(PLAIN, MOFFS, F_BYTE | F_W), [0xA3] = E(PLAIN, MOFFS, F_W),
    [0xA4] = E(PLAIN, NONE, F_BYTE | F_STR | F_RW), [0xA5] = E(PLAIN, NONE, F_STR | F_RW),
    [0xA6] = E(PLAIN, NONE, F_BYTE | F_STR | F_R), [0xA7] = E(PLAIN, NONE, F_STR | F_R),
    [0xA8] = E(PLAIN, B, F_BYTE), [0xA9] = E(PLAIN, Z, 0),
    [0xAA] = E(PLAIN, NONE, F_BYTE | F_STR | F_W), [0xAB] = E(PLAIN, NONE, F_STR | F_W),
    [0xAC] = E(PLAIN, NONE, F_BYTE | F_STR | F_R), [0xAD] = E(PLAIN, NONE, F_STR | F_R),
    [0xAE] = E(PLAIN, NONE, F_BYTE | F_STR | F_R), [0xAF] = E(PLAIN, NONE, F_STR | F_R),
    [0xB0 ... 0xB7] = E(PLAIN, B, F_BYTE), [0xB8 ... 0xBF] = E(PLAIN, Z, 0),
    [0xC0] = GR(2B1), [0xC1] = GR(2V1),
    [0xC2] = E(RET, W, 0), [0xC3] = E(RET, NONE, 0),
    [0xC4] = E(SEG_WRITE, NONE, F_M | F_MEMONLY | F_R),        /* les (mod 3: VEX) */
    [0xC5] = E(SEG_WRITE, NONE, F_M | F_MEMONLY | F_R),        /* lds (mod 3: VEX) */
    [0xC6] = GR(11B), [0xC7] = GR(11Z),
    [0xC8] = E(PLAIN, WB, 0), [0xC9] = E(PLAIN, NONE, 0),
    [0xCA] = E(RET_FAR, W, 0), [0xCB] = E(RET_FAR, NONE, 0),
    [0xCC] = E(INT, NONE, 0), [0xCD] = E(INT, B, 0), [0xCE] = E(INT, NONE, 0),
    [0xCF] = E(IRET, NONE, 0),
    [0xD0] = GR(2B), [0xD1] = GR(2V), [0xD2] = GR(2B), [0xD3] = GR(2V),
    [0xD4] = E(PLAIN, B, 0), [0xD5] = E(PLAIN, B, 0),
    [0xD6] = E(PLAIN, NONE, 0),                                /* salc */
    [0xD7] = E(PLAIN, NONE, F_STR | F_R),                      /* xlat */
    /* D8-DF: the x87 escapes, decoded by x86dec.c */
    [0xE0 ... 0xE3] = E(LOOP_REL, REL8, 0),
    [0xE4] = E(IO, B, F_BYTE), [0xE5] = E(IO, B, 0), [0xE6] = E(IO, B, F_BYTE), [0xE7] = E(IO, B, 0),
    [0xE8] = E(CALL_REL, RELZ, 0), [0xE9] = E(JMP_REL, RELZ, 0),
    [0xEA] = E(JMP_FAR, AP, 0), [0xEB] = E(JMP_REL, REL8, 0),
    [0xEC] = E(IO, NONE, F_BYTE), [0xED] = E(IO, NONE, 0),
    [0xEE] = E(IO, NONE, F_BYTE), [0xEF] = E(IO, NONE, 0),
    [0xF1] = E(INT, NONE, 0), [0xF4] = E(PRIV, NONE, 0), [0xF5] = E(PLAIN, NONE, 0),
    [0xF6] = GR(3B), [0xF7] = GR(3V),
    [0xF8 ... 0xF9] = E(PLAIN, NONE, 0),
    [0xFA] = E(CLI, NONE, 0), [0xFB] = E(STI, NONE, 0),
    [0xFC ... 0xFD] = E(PLAIN, NONE, 0),
    [0xFE] = GR(4), [0xFF] = GR(5),
};

/* SSE forms: ModRM, the prefixes that select a form, VEX when it exists */
#define S(p)      E(PLAIN, NONE, F_M | (p))
#define SV(p)     E(PLAIN, NONE, F_M | F_VEX | (p))
#define SVI(p)    E(PLAIN, B, F_M | F_VEX | (p))
#define MMX       S(P_NP | P_66)
#define MMXV      E(PLAIN, NONE, F_M | F_VEX | F_MMX | P_NP | P_66)

const struct x86_op x86_map_0f[256] = {
    [0x00] = GR(6), [0x01] = GR(7),
    [0x02] = E(DESC_CHECK, NONE, F_M | F_R), [0x03] = E(DESC_CHECK, NONE, F_M | F_R),
    [0x05] = E(SYSTEM, NONE, 0), [0x06] = E(PRIV, NONE, 0), [0x07] = E(SYSTEM, NONE, 0),
    [0x08] = E(PRIV, NONE, 0), [0x09] = E(PRIV, NONE, 0),
    [0x0B] = INV,                                              /* ud2 */
    [0x0D] = GR(P),
    [0x0E] = E(PLAIN, NONE, 0),                                /* femms */
    /* 0F 0F: 3DNow!, decoded by x86dec.c */
    [0x10] = SV(P_ALL), [0x11] = SV(P_ALL),
    [0x12] = SV(P_ALL), [0x13] = E(PLAIN, NONE, F_M | F_VEX | F_MEMONLY | P_NP | P_66),
    [0x14] = SV(P_NP | P_66), [0x15] = SV(P_NP | P_66),
    [0x16] = SV(P_NP | P_66 | P_F3), [0x17] = E(PLAIN, NONE, F_M | F_VEX | F_MEMONLY | P_NP | P_66),
    [0x18] = GR(16),
    [0x19 ... 0x1F] = E(PLAIN, NONE, F_M),                     /* nop Ev (hints) */
    [0x20 ... 0x23] = E(PRIV, NONE, F_M | F_FORCEREG),
    [0x28] = SV(P_NP | P_66), [0x29] = SV(P_NP | P_66),
    [0x2A] = SV(P_ALL),
    [0x2B] = E(PLAIN, NONE, F_M | F_VEX | F_MEMONLY | P_ALL),  /* F3 F2: SSE4a movntss movntsd */
    [0x2C] = SV(P_ALL), [0x2D] = SV(P_ALL),
    [0x2E] = SV(P_NP | P_66), [0x2F] = SV(P_NP | P_66),
    [0x30] = E(PRIV, NONE, 0), [0x31] = E(PLAIN, NONE, 0), [0x32] = E(PRIV, NONE, 0),
    [0x33] = E(PRIV, NONE, 0),                                 /* rdpmc: CPL 0 unless CR4.PCE */
    [0x34] = E(SYSTEM, NONE, 0), [0x35] = E(SYSTEM, NONE, 0),
    /* 0F 38, 0F 3A: the three-byte maps */
    [0x40 ... 0x4F] = E(PLAIN, NONE, F_M | F_R),               /* cmovcc */
    [0x50] = E(PLAIN, NONE, F_M | F_VEX | F_REGONLY | P_NP | P_66),
    [0x51] = SV(P_ALL), [0x52] = SV(P_NP | P_F3), [0x53] = SV(P_NP | P_F3),
    [0x54 ... 0x57] = SV(P_NP | P_66),
    [0x58 ... 0x5A] = SV(P_ALL), [0x5B] = SV(P_NP | P_66 | P_F3),
    [0x5C ... 0x5F] = SV(P_ALL),
    [0x60 ... 0x6B] = MMXV, [0x6C ... 0x6D] = SV(P_66),
    [0x6E] = MMXV, [0x6F] = E(PLAIN, NONE, F_M | F_VEX | F_MMX | P_NP | P_66 | P_F3),
    [0x70] = E(PLAIN, B, F_M | F_VEX | F_MMX | P_ALL), [0x71] = GR(12), [0x72] = GR(13), [0x73] = GR(14),
    [0x74 ... 0x76] = MMXV,
    [0x77] = E(PLAIN, NONE, P_NP),                             /* emms (VEX: vzeroupper/all) */
    [0x78] = E(PRIV, NONE, F_M | P_NP | P_66 | P_F2),          /* vmread; 66, F2: SSE4a */
    [0x79] = E(PRIV, NONE, F_M | P_NP | P_66 | P_F2),          /* vmwrite; extrq insertq */
    [0x7C ... 0x7D] = SV(P_66 | P_F2),
    [0x7E] = E(PLAIN, NONE, F_M | F_VEX | F_MMX | P_NP | P_66 | P_F3),
    [0x7F] = E(PLAIN, NONE, F_M | F_VEX | F_MMX | P_NP | P_66 | P_F3),
    [0x80 ... 0x8F] = E(JCC_REL, RELZ, 0),
    [0x90 ... 0x9F] = E(PLAIN, NONE, F_M | F_BYTE | F_W),      /* setcc */
    [0xA0] = E(SEG_READ, NONE, 0), [0xA1] = E(SEG_WRITE, NONE, 0),
    [0xA2] = E(CPUID, NONE, 0),
    [0xA3] = E(PLAIN, NONE, F_M | F_R),                        /* bt */
    [0xA4] = E(PLAIN, B, F_M | F_RW), [0xA5] = E(PLAIN, NONE, F_M | F_RW),
    [0xA6 ... 0xA7] = INVM,                                    /* VIA PadLock: left out */
    [0xA8] = E(SEG_READ, NONE, 0), [0xA9] = E(SEG_WRITE, NONE, 0),
    [0xAA] = E(SYSTEM, NONE, 0),                               /* rsm */
    [0xAB] = E(PLAIN, NONE, F_M | F_LOCK | F_RW),              /* bts */
    [0xAC] = E(PLAIN, B, F_M | F_RW), [0xAD] = E(PLAIN, NONE, F_M | F_RW),
    [0xAE] = GR(15),
    [0xAF] = E(PLAIN, NONE, F_M | F_R),
    [0xB0] = E(PLAIN, NONE, F_M | F_LOCK | F_BYTE | F_RW), [0xB1] = E(PLAIN, NONE, F_M | F_LOCK | F_RW),
    [0xB2] = E(SEG_WRITE, NONE, F_M | F_MEMONLY | F_R),        /* lss */
    [0xB3] = E(PLAIN, NONE, F_M | F_LOCK | F_RW),              /* btr */
    [0xB4] = E(SEG_WRITE, NONE, F_M | F_MEMONLY | F_R),        /* lfs */
    [0xB5] = E(SEG_WRITE, NONE, F_M | F_MEMONLY | F_R),        /* lgs */
    [0xB6] = E(PLAIN, NONE, F_M | F_R), [0xB7] = E(PLAIN, NONE, F_M | F_R),
    [0xB8] = E(PLAIN, NONE, F_M | F_R | P_F3),                 /* popcnt (no prefix: jmpe) */
    [0xB9] = INVM,                                             /* ud1 */
    [0xBA] = GR(8),
    [0xBB] = E(PLAIN, NONE, F_M | F_LOCK | F_RW),              /* btc */
    [0xBC ... 0xBD] = E(PLAIN, NONE, F_M | F_R),               /* bsf bsr (F3: tzcnt lzcnt) */
    [0xBE ... 0xBF] = E(PLAIN, NONE, F_M | F_R),
    [0xC0] = E(PLAIN, NONE, F_M | F_LOCK | F_BYTE | F_RW), [0xC1] = E(PLAIN, NONE, F_M | F_LOCK | F_RW),
    [0xC2] = SVI(P_ALL),
    [0xC3] = E(PLAIN, NONE, F_M | F_MEMONLY | F_W | P_NP),     /* movnti */
    [0xC4] = E(PLAIN, B, F_M | F_VEX | F_MMX | P_NP | P_66),
    [0xC5] = E(PLAIN, B, F_M | F_VEX | F_MMX | F_REGONLY | P_NP | P_66),
    [0xC6] = SVI(P_NP | P_66),
    [0xC7] = GR(9),
    [0xC8 ... 0xCF] = E(PLAIN, NONE, 0),                       /* bswap */
    [0xD0] = SV(P_66 | P_F2),
    [0xD1 ... 0xD5] = MMXV,
    [0xD6] = S(P_66 | P_F3 | P_F2),                            /* movq; movq2dq movdq2q */
    [0xD7] = E(PLAIN, NONE, F_M | F_VEX | F_REGONLY | P_NP | P_66),
    [0xD8 ... 0xDF] = MMXV,
    [0xE0 ... 0xE5] = MMXV,
    [0xE6] = SV(P_66 | P_F3 | P_F2),
    [0xE7] = E(PLAIN, NONE, F_M | F_VEX | F_MMX | F_MEMONLY | F_W | P_NP | P_66),
    [0xE8 ... 0xEF] = MMXV,
    [0xF0] = E(PLAIN, NONE, F_M | F_VEX | F_MEMONLY | F_R | P_F2),   /* lddqu */
    [0xF1 ... 0xF6] = MMXV,
    [0xF7] = E(PLAIN, NONE, F_M | F_VEX | F_MMX | F_REGONLY | P_NP | P_66),  /* maskmovq */
    [0xF8 ... 0xFE] = MMXV,
    [0xFF] = INVM,                                             /* ud0 */
};

#define S66       SV(P_66)
#define S66I      SVI(P_66)

const struct x86_op x86_map_0f38[256] = {
    [0x00 ... 0x0B] = MMXV,
    [0x10] = S(P_66), [0x14 ... 0x15] = S(P_66), [0x17] = S66,
    [0x1C ... 0x1E] = MMXV,
    [0x20 ... 0x25] = S66,
    [0x28 ... 0x29] = S66, [0x2A] = E(PLAIN, NONE, F_M | F_VEX | F_MEMONLY | P_66), [0x2B] = S66,
    [0x30 ... 0x35] = S66, [0x37 ... 0x41] = S66,
    [0x80 ... 0x81] = E(PRIV, NONE, F_M | F_MEMONLY | P_66),   /* invept invvpid */
    [0x82] = E(PRIV, NONE, F_M | F_MEMONLY | P_66),            /* invpcid */
    [0xC8 ... 0xCD] = S(P_NP),                                 /* sha */
    [0xCF] = S(P_66),                                          /* gf2p8mulb */
    [0xDB ... 0xDF] = S66,                                     /* aes */
    [0xF0 ... 0xF1] = E(PLAIN, NONE, F_M | P_NP | P_66 | P_F2),   /* movbe; crc32 */
    [0xF6] = S(P_66 | P_F3),                                   /* adcx adox */
};

const struct x86_op x86_map_0f3a[256] = {
    [0x08 ... 0x0E] = S66I, [0x0F] = E(PLAIN, B, F_M | F_VEX | F_MMX | P_NP | P_66),
    [0x14 ... 0x17] = S66I, [0x20 ... 0x22] = S66I,
    [0x40 ... 0x42] = S66I, [0x44] = S66I,
    [0x60 ... 0x63] = S66I,
    [0xCC] = E(PLAIN, B, F_M | P_NP),                          /* sha1rnds4 */
    [0xCE ... 0xCF] = E(PLAIN, B, F_M | P_66),                 /* gf2p8affine */
    [0xDF] = S66I,
};

#define G8(a, b, c, d, e, f, g, h) { a, b, c, d, e, f, g, h }
#define LK(im, fl)  E(PLAIN, im, F_M | F_LOCK | F_RW | (fl))
#define RD(im, fl)  E(PLAIN, im, F_M | F_R | (fl))
#define SH(im, fl)  E(PLAIN, im, F_M | F_RW | (fl))

const struct x86_op x86_groups[G_NR][2][8] = {
    [G_1B] = { G8(LK(B, F_BYTE), LK(B, F_BYTE), LK(B, F_BYTE), LK(B, F_BYTE),
                  LK(B, F_BYTE), LK(B, F_BYTE), LK(B, F_BYTE), RD(B, F_BYTE)),
               G8(LK(B, F_BYTE), LK(B, F_BYTE), LK(B, F_BYTE), LK(B, F_BYTE),
                  LK(B, F_BYTE), LK(B, F_BYTE), LK(B, F_BYTE), RD(B, F_BYTE)) },
    [G_1Z] = { G8(LK(Z, 0), LK(Z, 0), LK(Z, 0), LK(Z, 0), LK(Z, 0), LK(Z, 0), LK(Z, 0), RD(Z, 0)),
               G8(LK(Z, 0), LK(Z, 0), LK(Z, 0), LK(Z, 0), LK(Z, 0), LK(Z, 0), LK(Z, 0), RD(Z, 0)) },
    [G_1IB] = { G8(LK(B, 0), LK(B, 0), LK(B, 0), LK(B, 0), LK(B, 0), LK(B, 0), LK(B, 0), RD(B, 0)),
                G8(LK(B, 0), LK(B, 0), LK(B, 0), LK(B, 0), LK(B, 0), LK(B, 0), LK(B, 0), RD(B, 0)) },
    [G_2B1] = { G8(SH(B, F_BYTE), SH(B, F_BYTE), SH(B, F_BYTE), SH(B, F_BYTE),
                   SH(B, F_BYTE), SH(B, F_BYTE), SH(B, F_BYTE), SH(B, F_BYTE)),
                G8(SH(B, F_BYTE), SH(B, F_BYTE), SH(B, F_BYTE), SH(B, F_BYTE),
                   SH(B, F_BYTE), SH(B, F_BYTE), SH(B, F_BYTE), SH(B, F_BYTE)) },
    [G_2V1] = { G8(SH(B, 0), SH(B, 0), SH(B, 0), SH(B, 0), SH(B, 0), SH(B, 0), SH(B, 0), SH(B, 0)),
                G8(SH(B, 0), SH(B, 0), SH(B, 0), SH(B, 0), SH(B, 0), SH(B, 0), SH(B, 0), SH(B, 0)) },
    [G_2B] = { G8(SH(NONE, F_BYTE), SH(NONE, F_BYTE), SH(NONE, F_BYTE), SH(NONE, F_BYTE),
                  SH(NONE, F_BYTE), SH(NONE, F_BYTE), SH(NONE, F_BYTE), SH(NONE, F_BYTE)),
               G8(SH(NONE, F_BYTE), SH(NONE, F_BYTE), SH(NONE, F_BYTE), SH(NONE, F_BYTE),
                  SH(NONE, F_BYTE), SH(NONE, F_BYTE), SH(NONE, F_BYTE), SH(NONE, F_BYTE)) },
    [G_2V] = { G8(SH(NONE, 0), SH(NONE, 0), SH(NONE, 0), SH(NONE, 0),
                  SH(NONE, 0), SH(NONE, 0), SH(NONE, 0), SH(NONE, 0)),
               G8(SH(NONE, 0), SH(NONE, 0), SH(NONE, 0), SH(NONE, 0),
                  SH(NONE, 0), SH(NONE, 0), SH(NONE, 0), SH(NONE, 0)) },
    /* F6/F7: test, not, neg, mul, imul, div, idiv; /1 (the CPUs' alias of
     * test) is #UD on QEMU 7.2 */
    [G_3B] = { G8(RD(B, F_BYTE), INVM, LK(NONE, F_BYTE), LK(NONE, F_BYTE),
                  RD(NONE, F_BYTE), RD(NONE, F_BYTE), RD(NONE, F_BYTE), RD(NONE, F_BYTE)),
               G8(RD(B, F_BYTE), INVM, LK(NONE, F_BYTE), LK(NONE, F_BYTE),
                  RD(NONE, F_BYTE), RD(NONE, F_BYTE), RD(NONE, F_BYTE), RD(NONE, F_BYTE)) },
    [G_3V] = { G8(RD(Z, 0), INVM, LK(NONE, 0), LK(NONE, 0),
                  RD(NONE, 0), RD(NONE, 0), RD(NONE, 0), RD(NONE, 0)),
               G8(RD(Z, 0), INVM, LK(NONE, 0), LK(NONE, 0),
                  RD(NONE, 0), RD(NONE, 0), RD(NONE, 0), RD(NONE, 0)) },
    [G_4] = { G8(LK(NONE, F_BYTE), LK(NONE, F_BYTE), INVM, INVM, INVM, INVM, INVM, INVM),
              G8(LK(NONE, F_BYTE), LK(NONE, F_BYTE), INVM, INVM, INVM, INVM, INVM, INVM) },
    [G_5] = { G8(LK(NONE, 0), LK(NONE, 0), E(CALL_IND, NONE, F_M | F_R),
                 E(CALL_FAR, NONE, F_M | F_R), E(JMP_IND, NONE, F_M | F_R),
                 E(JMP_FAR, NONE, F_M | F_R), RD(NONE, 0), INVM),
              G8(LK(NONE, 0), LK(NONE, 0), E(CALL_IND, NONE, F_M), INVM,
                 E(JMP_IND, NONE, F_M), INVM, E(PLAIN, NONE, F_M), INVM) },
    [G_1A] = { G8(E(PLAIN, NONE, F_M | F_W), INVM, INVM, INVM, INVM, INVM, INVM, INVM),
               G8(E(PLAIN, NONE, F_M), INVM, INVM, INVM, INVM, INVM, INVM, INVM) },
    /* C6/C7 /7 with mod = 3: xabort imm8, xbegin rel (RTM, left out: #UD) */
    [G_11B] = { G8(E(PLAIN, B, F_M | F_BYTE | F_W), INVM, INVM, INVM, INVM, INVM, INVM, INVM),
                G8(E(PLAIN, B, F_M | F_BYTE), INVM, INVM, INVM, INVM, INVM, INVM,
                   E(INVALID, B, F_M)) },
    [G_11Z] = { G8(E(PLAIN, Z, F_M | F_W), INVM, INVM, INVM, INVM, INVM, INVM, INVM),
                G8(E(PLAIN, Z, F_M), INVM, INVM, INVM, INVM, INVM, INVM,
                   E(INVALID, RELZ, F_M)) },
    [G_6] = { G8(E(DESC_READ, NONE, F_M | F_W), E(DESC_READ, NONE, F_M | F_W),
                 E(PRIV, NONE, F_M | F_R), E(PRIV, NONE, F_M | F_R),
                 E(DESC_CHECK, NONE, F_M | F_R), E(DESC_CHECK, NONE, F_M | F_R), INVM, INVM),
              G8(E(DESC_READ, NONE, F_M), E(DESC_READ, NONE, F_M),
                 E(PRIV, NONE, F_M), E(PRIV, NONE, F_M),
                 E(DESC_CHECK, NONE, F_M), E(DESC_CHECK, NONE, F_M), INVM, INVM) },
    /* 0F 01: the memory forms; the register forms are decoded by x86dec.c */
    [G_7] = { G8(E(DESC_READ, NONE, F_M | F_W), E(DESC_READ, NONE, F_M | F_W),
                 E(PRIV, NONE, F_M | F_R), E(PRIV, NONE, F_M | F_R),
                 E(DESC_READ, NONE, F_M | F_W), INVM,
                 E(PRIV, NONE, F_M | F_R), E(PRIV, NONE, F_M)),
              G8(INVM, INVM, INVM, INVM, E(DESC_READ, NONE, F_M), INVM,
                 E(PRIV, NONE, F_M), INVM) },
    /* 0F 0D: prefetch, prefetchw and their aliases */
    [G_P] = { G8(E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M),
                 E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M)),
              G8(INVM, INVM, INVM, INVM, INVM, INVM, INVM, INVM) },
    /* 0F 18: prefetchnta/t0/t1/t2 (memory only, as QEMU), hint nops */
    [G_16] = { G8(E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M),
                  E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M)),
               G8(INVM, INVM, INVM, INVM,
                  E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M), E(PLAIN, NONE, F_M)) },
    /* 0F 71/72/73: MMX/SSE2 shifts by imm8 (register forms only) */
    [G_12] = { G8(INVM, INVM, INVM, INVM, INVM, INVM, INVM, INVM),
               G8(INVM, INVM, SVI(P_NP | P_66), INVM, SVI(P_NP | P_66), INVM, SVI(P_NP | P_66), INVM) },
    [G_13] = { G8(INVM, INVM, INVM, INVM, INVM, INVM, INVM, INVM),
               G8(INVM, INVM, SVI(P_NP | P_66), INVM, SVI(P_NP | P_66), INVM, SVI(P_NP | P_66), INVM) },
    [G_14] = { G8(INVM, INVM, INVM, INVM, INVM, INVM, INVM, INVM),
               G8(INVM, INVM, SVI(P_NP | P_66), SVI(P_66), INVM, INVM, SVI(P_NP | P_66), SVI(P_66)) },
    /* 0F AE: fxsave fxrstor ldmxcsr stmxcsr xsave xrstor xsaveopt/clwb
     * clflush/clflushopt; which prefixes each takes, and the register forms
     * (fences), are decoded by x86dec.c */
    [G_15] = { G8(E(PLAIN, NONE, F_M | F_W), E(PLAIN, NONE, F_M | F_R),
                  E(PLAIN, NONE, F_M | F_R), E(PLAIN, NONE, F_M | F_W),
                  E(PLAIN, NONE, F_M | F_W), E(PLAIN, NONE, F_M | F_R),
                  E(PLAIN, NONE, F_M | F_W), E(PLAIN, NONE, F_M)),
               G8(INVM, INVM, INVM, INVM, INVM, INVM, INVM, INVM) },
    /* 0F BA: bt bts btr btc Ev, Ib */
    [G_8] = { G8(INVM, INVM, INVM, INVM, RD(B, 0), LK(B, 0), LK(B, 0), LK(B, 0)),
              G8(INVM, INVM, INVM, INVM, RD(B, 0), LK(B, 0), LK(B, 0), LK(B, 0)) },
    /* 0F C7: cmpxchg8b; vmptrld vmclear vmxon vmptrst (memory); rdrand rdseed (register) */
    [G_9] = { G8(INVM, E(PLAIN, NONE, F_M | F_LOCK | F_RW), INVM, INVM, INVM, INVM,
                 E(PRIV, NONE, F_M | F_R | P_NP | P_66 | P_F3), E(PRIV, NONE, F_M | F_W | P_NP)),
              G8(INVM, INVM, INVM, INVM, INVM, INVM,
                 E(PLAIN, NONE, F_M | P_NP | P_66), E(PLAIN, NONE, F_M | P_NP | P_66 | P_F3)) },
};
