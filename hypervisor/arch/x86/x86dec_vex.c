/*
 * x86dec_vex: which VEX-encoded instructions exist (AVX, AVX2, FMA, F16C,
 * BMI1/2, AES, PCLMULQDQ), from the Intel SDM's instruction pages: for each
 * map, opcode and pp (the implied 66/F3/F2), whether VEX.vvvv names a
 * register (else it must be 1111b), the VEX.L and VEX.W it takes, register
 * or memory forms, the ModRM.reg of the groups. Anything not listed is #UD.
 */
#include "arch/x86/x86dec_tab.h"

/* pp bits */
#define NP  0x1
#define X66 0x2
#define XF3 0x4
#define XF2 0x8

/* flags */
#define NDS   0x001u   /* vvvv is an operand */
#define L0    0x002u   /* VEX.L must be 0 */
#define L1    0x004u   /* VEX.L must be 1 */
#define W0    0x008u   /* VEX.W must be 0 */
#define W1    0x010u   /* VEX.W must be 1 */
#define MEM   0x020u   /* memory form only */
#define REG   0x040u   /* register form only */
#define VSIB  0x080u   /* a SIB byte must follow (gathers) */
#define NDSR  0x100u   /* vvvv an operand in the register form only (vmovss/sd) */

struct vex_op {
    uint8_t map, op, pp;
    int8_t reg;          /* ModRM.reg for the groups, or -1 */
    uint16_t f;
};

static const struct vex_op vex_ops[] = {
    /* ---- map 1 (0F) */
    { 1, 0x10, NP | X66, -1, 0 }, { 1, 0x10, XF3 | XF2, -1, NDSR },
    { 1, 0x11, NP | X66, -1, 0 }, { 1, 0x11, XF3 | XF2, -1, NDSR },
    { 1, 0x12, NP, -1, NDS | L0 }, { 1, 0x12, X66, -1, NDS | L0 | MEM },
    { 1, 0x12, XF3 | XF2, -1, 0 },
    { 1, 0x13, NP | X66, -1, L0 | MEM },
    { 1, 0x14, NP | X66, -1, NDS }, { 1, 0x15, NP | X66, -1, NDS },
    { 1, 0x16, NP, -1, NDS | L0 }, { 1, 0x16, X66, -1, NDS | L0 | MEM },
    { 1, 0x16, XF3, -1, 0 },
    { 1, 0x17, NP | X66, -1, L0 | MEM },
    { 1, 0x28, NP | X66, -1, 0 }, { 1, 0x29, NP | X66, -1, 0 },
    { 1, 0x2A, XF3 | XF2, -1, NDS },
    { 1, 0x2B, NP | X66, -1, MEM },
    { 1, 0x2C, XF3 | XF2, -1, 0 }, { 1, 0x2D, XF3 | XF2, -1, 0 },
    { 1, 0x2E, NP | X66, -1, 0 }, { 1, 0x2F, NP | X66, -1, 0 },
    { 1, 0x50, NP | X66, -1, REG },
    { 1, 0x51, NP | X66, -1, 0 }, { 1, 0x51, XF3 | XF2, -1, NDS },
    { 1, 0x52, NP, -1, 0 }, { 1, 0x52, XF3, -1, NDS },
    { 1, 0x53, NP, -1, 0 }, { 1, 0x53, XF3, -1, NDS },
    { 1, 0x54, NP | X66, -1, NDS }, { 1, 0x55, NP | X66, -1, NDS },
    { 1, 0x56, NP | X66, -1, NDS }, { 1, 0x57, NP | X66, -1, NDS },
    { 1, 0x58, NP | X66 | XF3 | XF2, -1, NDS }, { 1, 0x59, NP | X66 | XF3 | XF2, -1, NDS },
    { 1, 0x5A, NP | X66, -1, 0 }, { 1, 0x5A, XF3 | XF2, -1, NDS },
    { 1, 0x5B, NP | X66 | XF3, -1, 0 },
    { 1, 0x5C, NP | X66 | XF3 | XF2, -1, NDS }, { 1, 0x5D, NP | X66 | XF3 | XF2, -1, NDS },
    { 1, 0x5E, NP | X66 | XF3 | XF2, -1, NDS }, { 1, 0x5F, NP | X66 | XF3 | XF2, -1, NDS },
    { 1, 0x60, X66, -1, NDS }, { 1, 0x61, X66, -1, NDS }, { 1, 0x62, X66, -1, NDS },
    { 1, 0x63, X66, -1, NDS }, { 1, 0x64, X66, -1, NDS }, { 1, 0x65, X66, -1, NDS },
    { 1, 0x66, X66, -1, NDS }, { 1, 0x67, X66, -1, NDS }, { 1, 0x68, X66, -1, NDS },
    { 1, 0x69, X66, -1, NDS }, { 1, 0x6A, X66, -1, NDS }, { 1, 0x6B, X66, -1, NDS },
    { 1, 0x6C, X66, -1, NDS }, { 1, 0x6D, X66, -1, NDS },
    { 1, 0x6E, X66, -1, L0 },
    { 1, 0x6F, X66 | XF3, -1, 0 },
    { 1, 0x70, X66 | XF3 | XF2, -1, 0 },
    { 1, 0x71, X66, 2, NDS | REG }, { 1, 0x71, X66, 4, NDS | REG }, { 1, 0x71, X66, 6, NDS | REG },
    { 1, 0x72, X66, 2, NDS | REG }, { 1, 0x72, X66, 4, NDS | REG }, { 1, 0x72, X66, 6, NDS | REG },
    { 1, 0x73, X66, 2, NDS | REG }, { 1, 0x73, X66, 3, NDS | REG }, { 1, 0x73, X66, 6, NDS | REG },
    { 1, 0x73, X66, 7, NDS | REG },
    { 1, 0x74, X66, -1, NDS }, { 1, 0x75, X66, -1, NDS }, { 1, 0x76, X66, -1, NDS },
    { 1, 0x77, NP, -1, 0 },
    { 1, 0x7C, X66 | XF2, -1, NDS }, { 1, 0x7D, X66 | XF2, -1, NDS },
    { 1, 0x7E, X66, -1, L0 }, { 1, 0x7E, XF3, -1, L0 },
    { 1, 0x7F, X66 | XF3, -1, 0 },
    { 1, 0xAE, NP, 2, L0 | MEM }, { 1, 0xAE, NP, 3, L0 | MEM },
    { 1, 0xC2, NP | X66 | XF3 | XF2, -1, NDS },
    { 1, 0xC4, X66, -1, NDS | L0 }, { 1, 0xC5, X66, -1, L0 | REG },
    { 1, 0xC6, NP | X66, -1, NDS },
    { 1, 0xD0, X66 | XF2, -1, NDS },
    { 1, 0xD1, X66, -1, NDS }, { 1, 0xD2, X66, -1, NDS }, { 1, 0xD3, X66, -1, NDS },
    { 1, 0xD4, X66, -1, NDS }, { 1, 0xD5, X66, -1, NDS },
    { 1, 0xD6, X66, -1, L0 }, { 1, 0xD7, X66, -1, REG },
    { 1, 0xD8, X66, -1, NDS }, { 1, 0xD9, X66, -1, NDS }, { 1, 0xDA, X66, -1, NDS },
    { 1, 0xDB, X66, -1, NDS }, { 1, 0xDC, X66, -1, NDS }, { 1, 0xDD, X66, -1, NDS },
    { 1, 0xDE, X66, -1, NDS }, { 1, 0xDF, X66, -1, NDS },
    { 1, 0xE0, X66, -1, NDS }, { 1, 0xE1, X66, -1, NDS }, { 1, 0xE2, X66, -1, NDS },
    { 1, 0xE3, X66, -1, NDS }, { 1, 0xE4, X66, -1, NDS }, { 1, 0xE5, X66, -1, NDS },
    { 1, 0xE6, X66 | XF3 | XF2, -1, 0 }, { 1, 0xE7, X66, -1, MEM },
    { 1, 0xE8, X66, -1, NDS }, { 1, 0xE9, X66, -1, NDS }, { 1, 0xEA, X66, -1, NDS },
    { 1, 0xEB, X66, -1, NDS }, { 1, 0xEC, X66, -1, NDS }, { 1, 0xED, X66, -1, NDS },
    { 1, 0xEE, X66, -1, NDS }, { 1, 0xEF, X66, -1, NDS },
    { 1, 0xF0, XF2, -1, MEM },
    { 1, 0xF1, X66, -1, NDS }, { 1, 0xF2, X66, -1, NDS }, { 1, 0xF3, X66, -1, NDS },
    { 1, 0xF4, X66, -1, NDS }, { 1, 0xF5, X66, -1, NDS }, { 1, 0xF6, X66, -1, NDS },
    { 1, 0xF7, X66, -1, L0 | REG },
    { 1, 0xF8, X66, -1, NDS }, { 1, 0xF9, X66, -1, NDS }, { 1, 0xFA, X66, -1, NDS },
    { 1, 0xFB, X66, -1, NDS }, { 1, 0xFC, X66, -1, NDS }, { 1, 0xFD, X66, -1, NDS },
    { 1, 0xFE, X66, -1, NDS },
    /* ---- map 2 (0F 38) */
    { 2, 0x00, X66, -1, NDS }, { 2, 0x01, X66, -1, NDS }, { 2, 0x02, X66, -1, NDS },
    { 2, 0x03, X66, -1, NDS }, { 2, 0x04, X66, -1, NDS }, { 2, 0x05, X66, -1, NDS },
    { 2, 0x06, X66, -1, NDS }, { 2, 0x07, X66, -1, NDS }, { 2, 0x08, X66, -1, NDS },
    { 2, 0x09, X66, -1, NDS }, { 2, 0x0A, X66, -1, NDS }, { 2, 0x0B, X66, -1, NDS },
    { 2, 0x0C, X66, -1, NDS | W0 }, { 2, 0x0D, X66, -1, NDS | W0 },
    { 2, 0x0E, X66, -1, W0 }, { 2, 0x0F, X66, -1, W0 },
    { 2, 0x13, X66, -1, W0 }, { 2, 0x16, X66, -1, NDS | W0 | L1 }, { 2, 0x17, X66, -1, 0 },
    { 2, 0x18, X66, -1, W0 }, { 2, 0x19, X66, -1, W0 | L1 }, { 2, 0x1A, X66, -1, W0 | L1 | MEM },
    { 2, 0x1C, X66, -1, 0 }, { 2, 0x1D, X66, -1, 0 }, { 2, 0x1E, X66, -1, 0 },
    { 2, 0x20, X66, -1, 0 }, { 2, 0x21, X66, -1, 0 }, { 2, 0x22, X66, -1, 0 },
    { 2, 0x23, X66, -1, 0 }, { 2, 0x24, X66, -1, 0 }, { 2, 0x25, X66, -1, 0 },
    { 2, 0x28, X66, -1, NDS }, { 2, 0x29, X66, -1, NDS }, { 2, 0x2A, X66, -1, MEM },
    { 2, 0x2B, X66, -1, NDS },
    { 2, 0x2C, X66, -1, NDS | W0 | MEM }, { 2, 0x2D, X66, -1, NDS | W0 | MEM },
    { 2, 0x2E, X66, -1, NDS | W0 | MEM }, { 2, 0x2F, X66, -1, NDS | W0 | MEM },
    { 2, 0x30, X66, -1, 0 }, { 2, 0x31, X66, -1, 0 }, { 2, 0x32, X66, -1, 0 },
    { 2, 0x33, X66, -1, 0 }, { 2, 0x34, X66, -1, 0 }, { 2, 0x35, X66, -1, 0 },
    { 2, 0x36, X66, -1, NDS | W0 | L1 },
    { 2, 0x37, X66, -1, NDS }, { 2, 0x38, X66, -1, NDS }, { 2, 0x39, X66, -1, NDS },
    { 2, 0x3A, X66, -1, NDS }, { 2, 0x3B, X66, -1, NDS }, { 2, 0x3C, X66, -1, NDS },
    { 2, 0x3D, X66, -1, NDS }, { 2, 0x3E, X66, -1, NDS }, { 2, 0x3F, X66, -1, NDS },
    { 2, 0x40, X66, -1, NDS }, { 2, 0x41, X66, -1, L0 },
    { 2, 0x45, X66, -1, NDS }, { 2, 0x46, X66, -1, NDS | W0 }, { 2, 0x47, X66, -1, NDS },
    { 2, 0x58, X66, -1, W0 }, { 2, 0x59, X66, -1, W0 }, { 2, 0x5A, X66, -1, W0 | L1 | MEM },
    { 2, 0x78, X66, -1, W0 }, { 2, 0x79, X66, -1, W0 },
    { 2, 0x8C, X66, -1, NDS | MEM }, { 2, 0x8E, X66, -1, NDS | MEM },
    { 2, 0x90, X66, -1, NDS | MEM | VSIB }, { 2, 0x91, X66, -1, NDS | MEM | VSIB },
    { 2, 0x92, X66, -1, NDS | MEM | VSIB }, { 2, 0x93, X66, -1, NDS | MEM | VSIB },
    { 2, 0x96, X66, -1, NDS }, { 2, 0x97, X66, -1, NDS }, { 2, 0x98, X66, -1, NDS },
    { 2, 0x99, X66, -1, NDS }, { 2, 0x9A, X66, -1, NDS }, { 2, 0x9B, X66, -1, NDS },
    { 2, 0x9C, X66, -1, NDS }, { 2, 0x9D, X66, -1, NDS }, { 2, 0x9E, X66, -1, NDS },
    { 2, 0x9F, X66, -1, NDS },
    { 2, 0xA6, X66, -1, NDS }, { 2, 0xA7, X66, -1, NDS }, { 2, 0xA8, X66, -1, NDS },
    { 2, 0xA9, X66, -1, NDS }, { 2, 0xAA, X66, -1, NDS }, { 2, 0xAB, X66, -1, NDS },
    { 2, 0xAC, X66, -1, NDS }, { 2, 0xAD, X66, -1, NDS }, { 2, 0xAE, X66, -1, NDS },
    { 2, 0xAF, X66, -1, NDS },
    { 2, 0xB6, X66, -1, NDS }, { 2, 0xB7, X66, -1, NDS }, { 2, 0xB8, X66, -1, NDS },
    { 2, 0xB9, X66, -1, NDS }, { 2, 0xBA, X66, -1, NDS }, { 2, 0xBB, X66, -1, NDS },
    { 2, 0xBC, X66, -1, NDS }, { 2, 0xBD, X66, -1, NDS }, { 2, 0xBE, X66, -1, NDS },
    { 2, 0xBF, X66, -1, NDS },
    { 2, 0xCF, X66, -1, NDS | W0 },                                 /* vgf2p8mulb */
    { 2, 0xDB, X66, -1, L0 },
    { 2, 0xDC, X66, -1, NDS }, { 2, 0xDD, X66, -1, NDS }, { 2, 0xDE, X66, -1, NDS },
    { 2, 0xDF, X66, -1, NDS },
    { 2, 0xF2, NP, -1, NDS | L0 },
    { 2, 0xF3, NP, 1, NDS | L0 }, { 2, 0xF3, NP, 2, NDS | L0 }, { 2, 0xF3, NP, 3, NDS | L0 },
    { 2, 0xF5, NP | XF3 | XF2, -1, NDS | L0 },
    { 2, 0xF6, XF2, -1, NDS | L0 },
    { 2, 0xF7, NP | X66 | XF3 | XF2, -1, NDS | L0 },
    /* ---- map 3 (0F 3A, imm8) */
    { 3, 0x00, X66, -1, W1 | L1 }, { 3, 0x01, X66, -1, W1 | L1 },
    { 3, 0x02, X66, -1, NDS | W0 },
    { 3, 0x04, X66, -1, W0 }, { 3, 0x05, X66, -1, W0 }, { 3, 0x06, X66, -1, NDS | W0 | L1 },
    { 3, 0x08, X66, -1, 0 }, { 3, 0x09, X66, -1, 0 },
    { 3, 0x0A, X66, -1, NDS }, { 3, 0x0B, X66, -1, NDS }, { 3, 0x0C, X66, -1, NDS },
    { 3, 0x0D, X66, -1, NDS }, { 3, 0x0E, X66, -1, NDS }, { 3, 0x0F, X66, -1, NDS },
    { 3, 0x14, X66, -1, L0 }, { 3, 0x15, X66, -1, L0 }, { 3, 0x16, X66, -1, L0 },
    { 3, 0x17, X66, -1, L0 },
    { 3, 0x18, X66, -1, NDS | W0 | L1 }, { 3, 0x19, X66, -1, W0 | L1 },
    { 3, 0x1D, X66, -1, W0 },
    { 3, 0x20, X66, -1, NDS | L0 }, { 3, 0x21, X66, -1, NDS | L0 }, { 3, 0x22, X66, -1, NDS | L0 },
    { 3, 0x38, X66, -1, NDS | W0 | L1 }, { 3, 0x39, X66, -1, W0 | L1 },
    { 3, 0x40, X66, -1, NDS }, { 3, 0x41, X66, -1, NDS | L0 }, { 3, 0x42, X66, -1, NDS },
    { 3, 0x44, X66, -1, NDS },
    { 3, 0x46, X66, -1, NDS | W0 | L1 },
    { 3, 0x4A, X66, -1, NDS | W0 }, { 3, 0x4B, X66, -1, NDS | W0 }, { 3, 0x4C, X66, -1, NDS | W0 },
    { 3, 0x60, X66, -1, L0 }, { 3, 0x61, X66, -1, L0 }, { 3, 0x62, X66, -1, L0 },
    { 3, 0x63, X66, -1, L0 },
    { 3, 0xCE, X66, -1, NDS | W1 }, { 3, 0xCF, X66, -1, NDS | W1 },  /* vgf2p8affine(inv)qb */
    { 3, 0xDF, X66, -1, L0 },
    { 3, 0xF0, XF2, -1, L0 },
};

int x86_vex_valid(unsigned map, uint8_t op, unsigned pp, unsigned l, unsigned w,
                  unsigned vvvv, uint8_t sib, const struct x86_insn *o)
{
    for (unsigned i = 0; i < sizeof(vex_ops) / sizeof(vex_ops[0]); i++) {
        const struct vex_op *v = &vex_ops[i];
        if (v->map != map || v->op != op || !(v->pp & (1u << pp)))
            continue;
        if (v->reg >= 0 && v->reg != o->reg)
            continue;
        int mem = o->mod != 3;
        unsigned f = v->f;
        if ((f & MEM) && !mem)
            return 0;
        if ((f & REG) && mem)
            return 0;
        if ((f & L0) && l)
            return 0;
        if ((f & L1) && !l)
            return 0;
        if ((f & W0) && w)
            return 0;
        if ((f & W1) && !w)
            return 0;
        if (f & VSIB) {
            /* a SIB, and the destination, index and mask registers distinct */
            unsigned dst = o->reg, index = (sib >> 3) & 7, mask = (~vvvv) & 7;
            if (o->addr16 || o->rm != 4 || dst == index || dst == mask || index == mask)
                return 0;
        }
        int nds = (f & NDS) || ((f & NDSR) && !mem);
        if (!nds && vvvv != 0xF)
            return 0;
        return 1;
    }
    return 0;
}
