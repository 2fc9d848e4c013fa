/* x86dec: see x86dec.h. The tables are x86dec_tables.c. */
#include "arch/x86/x86dec.h"
#include "arch/x86/x86dec_tab.h"

#include <string.h>

#define MAX_LEN 15

/* The bytes being decoded: b[0..n), at most MAX_LEN of them read. */
struct cur {
    const uint8_t *b;
    size_t n;
    size_t pos;
};

/* k more bytes there? */
static int avail(const struct cur *c, size_t k)
{
    return c->pos + k <= c->n && c->pos + k <= MAX_LEN;
}

static uint32_t rd(const struct cur *c, size_t at, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)c->b[at + i] << (8 * i);
    return v;
}

static int32_t sext(uint32_t v, unsigned size)
{
    if (size == 1)
        return (int8_t)v;
    if (size == 2)
        return (int16_t)v;
    return (int32_t)v;
}

/* The ModRM at c->pos and what follows it (SIB, displacement). 0: the
 * bytes end first. */
static int modrm(struct cur *c, struct x86_insn *o, int forcereg)
{
    if (!avail(c, 1))
        return 0;
    uint8_t m = c->b[c->pos];
    o->has_modrm = 1;
    o->modrm_off = (uint8_t)c->pos;
    o->modrm = m;
    o->mod = m >> 6;
    o->reg = (m >> 3) & 7;
    o->rm = m & 7;
    c->pos++;
    if (o->mod == 3 || forcereg)
        return 1;
    o->has_mem = 1;
    unsigned dsize = 0;
    if (o->addr16) {
        static const int8_t base[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };   /* bx bx bp bp si di bp bx */
        static const int8_t index[8] = { 6, 7, 6, 7, -1, -1, -1, -1 };
        o->base = base[o->rm];
        o->index = index[o->rm];
        if (o->mod == 0 && o->rm == 6) {
            o->base = -1;
            dsize = 2;
        } else {
            dsize = o->mod == 1 ? 1 : o->mod == 2 ? 2 : 0;
        }
    } else {
        int base = o->rm;
        if (o->rm == 4) {
            if (!avail(c, 1))
                return 0;
            uint8_t sib = c->b[c->pos++];
            o->scale = (uint8_t)(1u << (sib >> 6));
            if (((sib >> 3) & 7) != 4)
                o->index = (int8_t)((sib >> 3) & 7);
            base = sib & 7;
        }
        if (base == 5 && o->mod == 0) {
            o->base = -1;
            dsize = 4;
        } else {
            o->base = (int8_t)base;
            dsize = o->mod == 1 ? 1 : o->mod == 2 ? 4 : 0;
        }
    }
    if (dsize) {
        if (!avail(c, dsize))
            return 0;
        o->disp_off = (uint8_t)c->pos;
        o->disp_size = (uint8_t)dsize;
        o->disp = sext(rd(c, c->pos, dsize), dsize);
        c->pos += dsize;
    }
    return 1;
}

/* The immediate(s) of kind k. 0: the bytes end first. */
static int immediate(struct cur *c, struct x86_insn *o, unsigned k)
{
    unsigned s1 = 0, s2 = 0, z = o->opsize == 2 ? 2 : 4;
    switch (k) {
    case IM_NONE: return 1;
    case IM_B: s1 = 1; break;
    case IM_W: s1 = 2; break;
    case IM_Z: s1 = z; break;
    case IM_WB: s1 = 2; s2 = 1; break;
    case IM_BB: s1 = 1; s2 = 1; break;
    case IM_AP: s1 = z; s2 = 2; break;
    case IM_MOFFS: {
        unsigned a = o->addr16 ? 2 : 4;
        if (!avail(c, a))
            return 0;
        o->has_mem = 1;
        o->disp_off = (uint8_t)c->pos;
        o->disp_size = (uint8_t)a;
        o->disp = (int32_t)rd(c, c->pos, a);      /* an offset: zero-extended */
        c->pos += a;
        return 1;
    }
    case IM_REL8:
    case IM_RELZ: {
        unsigned r = k == IM_REL8 ? 1 : z;
        if (!avail(c, r))
            return 0;
        o->rel_off = (uint8_t)c->pos;
        o->rel_size = (uint8_t)r;
        o->rel = sext(rd(c, c->pos, r), r);
        c->pos += r;
        return 1;
    }
    default: return 1;
    }
    if (!avail(c, s1 + s2))
        return 0;
    o->imm_off = (uint8_t)c->pos;
    o->imm_size = (uint8_t)s1;
    o->imm = rd(c, c->pos, s1);
    c->pos += s1;
    if (s2) {
        o->imm2_size = (uint8_t)s2;
        o->imm2 = (uint16_t)rd(c, c->pos, s2);
        c->pos += s2;
    }
    return 1;
}

/* ---- x87 (D8-DF): the memory forms by reg, the register forms by ModRM
 * bits 5:0, as bitmaps of the valid ones. */
static const uint8_t x87_mem_valid[8] = {
    0xFF, 0xFD, 0xFF, 0xAF, 0xFF, 0xDF, 0xFF, 0xFF,   /* D9 /1; DB /4 /6; DD /5 */
};
static const uint8_t x87_mem_write[8] = {
    0x00, 0xCC, 0x00, 0x8E, 0x00, 0xCE, 0x00, 0xCE,   /* fst(p), fist(t)(p), fnstenv... */
};
/* register forms: one bit per ModRM & 0x3F (C0..FF) */
static const uint64_t x87_reg_valid[8] = {
    [0] = ~0ull,
    /* D9: C0-CF fld fxch, D0 fnop, D8-DF fstp1, E0 E1 E4 E5, E8-EE, F0-FF */
    [1] = 0xFFFFull | (1ull << 0x10) | (0xFFull << 0x18) | (0x33ull << 0x20) |
          (0x7Full << 0x28) | (0xFFFFull << 0x30),
    /* DA: C0-DF fcmov, E9 fucompp */
    [2] = 0xFFFFFFFFull | (1ull << 0x29),
    /* DB: C0-DF fcmovn, E0-E4 (feni fdisi fnclex fninit fsetpm), E8-F7 */
    [3] = 0xFFFFFFFFull | (0x1Full << 0x20) | (0xFFFFull << 0x28),
    [4] = ~0ull,
    /* DD: C0-C7 ffree, C8-CF fxch4, D0-DF fst fstp, E0-EF fucom fucomp */
    [5] = 0xFFFFFFFFFFFFull,
    /* DE: C0-CF, D0-D7 fcomp5, D9 fcompp, E0-FF */
    [6] = 0xFFFFFFull | (1ull << 0x19) | (0xFFFFFFFFull << 0x20),
    /* DF: C0-C7 ffreep, C8-CF fxch7, D0-DF fstp8 fstp9, E0 fnstsw ax, E8-F7 */
    [7] = 0xFFFFFFFFull | (1ull << 0x20) | (0xFFFFull << 0x28),
};

/* ---- 3DNow! (0F 0F ModRM imm8): the valid suffixes */
static int amd3dnow_valid(uint8_t s)
{
    static const uint8_t ok[] = {
        0x0C, 0x0D, 0x1C, 0x1D, 0x8A, 0x8E, 0x90, 0x94, 0x96, 0x97, 0x9A, 0x9E,
        0xA0, 0xA4, 0xA6, 0xA7, 0xAA, 0xAE, 0xB0, 0xB4, 0xB6, 0xB7, 0xBB, 0xBF,
    };
    for (unsigned i = 0; i < sizeof(ok); i++)
        if (ok[i] == s)
            return 1;
    return 0;
}

/* ---- 0F 01 with mod = 3: by the whole ModRM byte */
static void grp7_reg(struct x86_insn *o, int has66)
{
    uint8_t m = o->modrm;
    unsigned cls = X86C_INVALID;
    switch (m) {
    case 0xC1: case 0xC2: case 0xC3: case 0xC4:    /* vmcall vmlaunch vmresume vmxoff */
    case 0xC8: case 0xC9:                          /* monitor mwait */
    case 0xCA: case 0xCB:                          /* clac stac */
    case 0xD8: case 0xD9: case 0xDA: case 0xDB:    /* vmrun vmmcall vmload vmsave */
    case 0xDC: case 0xDD: case 0xDE: case 0xDF:    /* stgi clgi skinit invlpga */
        cls = X86C_PRIV;
        break;
    case 0xEE: case 0xEF:                          /* rdpkru wrpkru */
    case 0xF9:                                     /* rdtscp */
        cls = X86C_PLAIN;
        break;
    case 0xD0:                                     /* xgetbv, xsetbv: no 66 F2 F3 */
    case 0xD1:
        if (!has66 && !o->rep)
            cls = m == 0xD0 ? X86C_PLAIN : X86C_PRIV;
        break;
    default:
        if (o->reg == 4)
            cls = X86C_DESC_READ;                  /* smsw r */
        else if (o->reg == 6)
            cls = X86C_PRIV;                       /* lmsw r */
        break;                                     /* swapgs (64-bit only) and the rest: #UD */
    }
    o->cls = (uint8_t)cls;
}

static unsigned pfx_bit(const struct x86_insn *o, int has66)
{
    if (o->rep == 0xF3)
        return P_F3;
    if (o->rep == 0xF2)
        return P_F2;
    return has66 ? P_66 : P_NP;
}

/* ---- VEX (C4/C5) and EVEX (62): the opcode after the prefix */
static int vex_has_imm8(unsigned map, uint8_t op)
{
    if (map == 3)
        return 1;
    return map == 1 && ((op >= 0x70 && op <= 0x73) || op == 0xC2 || (op >= 0xC4 && op <= 0xC6));
}

/* The access of an SSE/AVX instruction's memory operand (map 1-3 for 0F,
 * 0F 38, 0F 3A; pp 0 none, 1 66, 2 F3, 3 F2): a load, but the stores. */
static uint8_t vector_access(unsigned map, uint8_t op, unsigned pp, unsigned reg)
{
    int store = 0;
    if (map == 1) {
        switch (op) {
        case 0x11: case 0x13: case 0x17: case 0x29: case 0x2B: case 0x7F: case 0xE7:
            store = 1;
            break;
        case 0x7E: store = pp != 2; break;        /* movd r/m32, mm/xmm; F3: movq xmm, m64 */
        case 0xD6: store = pp == 1; break;        /* movq m64, xmm */
        case 0xAE: store = reg == 3; break;       /* vstmxcsr */
        }
    } else if (map == 2) {
        switch (op) {
        case 0xF1: store = pp < 2; break;         /* movbe m, r (F2: crc32) */
        case 0x2E: case 0x2F: case 0x8E: store = 1; break;   /* vmaskmov, vpmaskmov stores */
        }
    } else if (map == 3) {
        switch (op) {
        case 0x14: case 0x15: case 0x16: case 0x17:   /* pextrb/w/d, extractps */
        case 0x19: case 0x1D: case 0x39:              /* vextractf128, vcvtps2ph, vextracti128 */
            store = 1;
            break;
        }
    }
    return store ? X86_MEM_WRITE : X86_MEM_READ;
}

/* The bytes ran out: 0 if fewer than 15 were given, else the CPU's #GP. */
static int ran_out(const struct cur *c, struct x86_insn *o)
{
    if (c->n < MAX_LEN)
        return 0;
    o->fault = X86F_GP;
    o->cls = X86C_INVALID;
    o->len = MAX_LEN;
    return 1;
}

int x86_decode(const uint8_t *b, size_t n, struct x86_insn *o)
{
    struct cur c = { b, n, 0 };
    int has66 = 0, ud = 0;
    const struct x86_op *e;

    memset(o, 0, sizeof(*o));
    o->seg = -1;
    o->base = o->index = -1;
    o->scale = 1;
    for (;;) {
        if (!avail(&c, 1)) {
            o->npfx = (uint8_t)c.pos;             /* prefixes alone: no opcode */
            return ran_out(&c, o);
        }
        uint8_t p = b[c.pos];
        switch (p) {
        case 0x66: has66 = 1; break;
        case 0x67: o->addr16 = 1; break;
        case 0xF0: o->lock = 1; break;
        case 0xF2: case 0xF3: o->rep = p; break;
        case 0x26: o->seg = 0; break;
        case 0x2E: o->seg = 1; break;
        case 0x36: o->seg = 2; break;
        case 0x3E: o->seg = 3; break;
        case 0x64: o->seg = 4; break;
        case 0x65: o->seg = 5; break;
        default: goto opcode;
        }
        c.pos++;
    }
opcode:
    o->npfx = (uint8_t)c.pos;
    o->opsize = has66 ? 2 : 4;
    uint8_t op = b[c.pos++];
    o->opcode = op;
    o->map = X86M_ONE;
    unsigned pfx = pfx_bit(o, has66);

    if ((op == 0xC4 || op == 0xC5 || op == 0x62)) {
        if (!avail(&c, 1))
            return ran_out(&c, o);
        if ((b[c.pos] >> 6) == 3) {
            /* VEX or EVEX: no 66, F2, F3 or LOCK before it */
            int legacy_bad = has66 || o->rep || o->lock;
            unsigned map, pp, l = 0, w = 0, vvvv = 0xF;
            if (op == 0xC5) {
                uint8_t v1 = b[c.pos++];
                map = 1;
                pp = v1 & 3;
                l = (v1 >> 2) & 1;
                vvvv = (v1 >> 3) & 0xF;
            } else if (op == 0xC4) {
                if (!avail(&c, 2))
                    return ran_out(&c, o);
                uint8_t v1 = b[c.pos], v2 = b[c.pos + 1];
                c.pos += 2;
                map = v1 & 0x1F;
                pp = v2 & 3;
                l = (v2 >> 2) & 1;
                w = v2 >> 7;
                vvvv = (v2 >> 3) & 0xF;
            } else {
                if (!avail(&c, 3))
                    return ran_out(&c, o);
                uint8_t p0 = b[c.pos], p1 = b[c.pos + 1];
                c.pos += 3;
                map = p0 & 7;
                pp = p1 & 3;
                if ((p0 & 0x08) || !(p1 & 4))
                    legacy_bad = 1;
            }
            if (!avail(&c, 1))
                return ran_out(&c, o);
            o->opcode = b[c.pos++];
            o->map = op == 0x62 ? X86M_EVEX : X86M_VEX;
            if (!(op != 0x62 && map == 1 && o->opcode == 0x77) && !modrm(&c, o, 0))
                return ran_out(&c, o);
            if (vex_has_imm8(map, o->opcode) && !immediate(&c, o, IM_B))
                return ran_out(&c, o);
            o->cls = X86C_PLAIN;
            /* EVEX: AVX-512, which QEMU 7.2 (the reference CPU) does not have */
            if (legacy_bad || op == 0x62 ||
                !x86_vex_valid(map, o->opcode, pp, l, w, vvvv,
                               o->has_modrm && o->mod != 3 && !o->addr16 && o->rm == 4 ?
                               b[o->modrm_off + 1] : 0, o))
                ud = 1;
            if (o->has_mem)
                o->mem_access = vector_access(map, o->opcode, pp, o->reg);
            goto done;
        }
    }

    if (op == 0x0F) {
        if (!avail(&c, 1))
            return ran_out(&c, o);
        op = b[c.pos++];
        o->opcode = op;
        if (op == 0x38 || op == 0x3A) {
            if (!avail(&c, 1))
                return ran_out(&c, o);
            o->opcode = b[c.pos++];
            o->map = op == 0x38 ? X86M_0F38 : X86M_0F3A;
            e = op == 0x38 ? &x86_map_0f38[o->opcode] : &x86_map_0f3a[o->opcode];
            if (!modrm(&c, o, 0))
                return ran_out(&c, o);
            if (op == 0x3A && !immediate(&c, o, IM_B))
                return ran_out(&c, o);
            /* movbe: memory only; crc32 (F2) both */
            if (op == 0x38 && (o->opcode == 0xF0 || o->opcode == 0xF1) && pfx != P_F2 &&
                o->mod == 3)
                ud = 1;
            o->cls = e->cls;
            goto checks;
        }
        if (op == 0x0F) {                         /* 3DNow!: the opcode is the last byte */
            o->map = X86M_3DNOW;
            if (!modrm(&c, o, 0) || !avail(&c, 1))
                return ran_out(&c, o);
            o->opcode = b[c.pos++];
            o->cls = X86C_PLAIN;
            ud = !amd3dnow_valid(o->opcode) || o->lock;
            if (o->has_mem)
                o->mem_access = X86_MEM_READ;
            goto done;
        }
        o->map = X86M_0F;
        e = &x86_map_0f[op];
    } else if (op >= 0xD8 && op <= 0xDF) {
        o->map = X86M_X87;
        if (!modrm(&c, o, 0))
            return ran_out(&c, o);
        unsigned x = op - 0xD8;
        o->cls = X86C_PLAIN;
        if (o->mod == 3) {
            ud = !((x87_reg_valid[x] >> (o->modrm & 0x3F)) & 1);
        } else {
            ud = !((x87_mem_valid[x] >> o->reg) & 1);
            o->mem_access = ((x87_mem_write[x] >> o->reg) & 1) ? X86_MEM_WRITE : X86_MEM_READ;
            if (x == 5 && o->reg == 4)
                o->mem_access = X86_MEM_READ;     /* frstor */
        }
        if (o->lock)
            ud = 1;
        goto done;
    } else {
        e = &x86_map_one[op];
    }

    if (e->f & F_M) {
        if (!modrm(&c, o, e->f & F_FORCEREG))
            return ran_out(&c, o);
    }
    if (e->f & F_GRP) {
        unsigned g = e->grp;
        e = &x86_groups[g][o->mod == 3][o->reg];
        if (g == G_7 && o->mod == 3) {
            grp7_reg(o, has66);
            if (o->cls == X86C_INVALID || o->lock)
                ud = 1;
            goto done;
        }
        if (g == G_15 && o->mod == 3) {
            /* lfence mfence sfence (66 sfence: pcommit), whatever the
             * 66/F2/F3 prefixes (as QEMU: the CPUs that give some of these
             * encodings other meanings have extensions x86dec leaves out) */
            o->cls = o->reg >= 5 ? X86C_PLAIN : X86C_INVALID;
            ud = o->cls == X86C_INVALID || o->lock;
            goto done;
        }
        if (g == G_15) {
            /* the memory forms: xsave xrstor take no 66/F2/F3; with 66,
             * xsaveopt is clwb and clflush clflushopt; F2/F3 make those #UD */
            if ((o->reg == 4 || o->reg == 5) && (has66 || o->rep))
                ud = 1;
            if ((o->reg == 6 || o->reg == 7) && !has66 && o->rep)
                ud = 1;
        }
    }
    /* the forms chosen by a mandatory prefix */
    if (o->map == X86M_0F && (op == 0x78 || op == 0x79) && pfx != P_NP) {
        static const struct x86_op sse4a[2][2] = {   /* [F2][0F 79] */
            { { X86C_PLAIN, IM_BB, 0, 0, F_M | F_REGONLY }, { X86C_PLAIN, IM_NONE, 0, 0, F_M | F_REGONLY } },
            { { X86C_PLAIN, IM_BB, 0, 0, F_M | F_REGONLY }, { X86C_PLAIN, IM_NONE, 0, 0, F_M | F_REGONLY } },
        };
        if (pfx == P_F3)
            ud = 1;
        else {
            e = &sse4a[pfx == P_F2][op == 0x79];
            if (pfx == P_66 && op == 0x78 && o->reg != 0)
                ud = 1;                           /* extrq xmm, imm8, imm8: /0 */
        }
    }
    if (e->f & F_BYTE)
        o->opsize = 1;
    if (!immediate(&c, o, e->imm))
        return ran_out(&c, o);
    o->cls = e->cls;

checks:
    if (o->cls == X86C_INVALID)
        ud = 1;
    if ((e->f & F_MEMONLY) && o->mod == 3)
        ud = 1;
    if ((e->f & F_REGONLY) && o->mod != 3)
        ud = 1;
    if ((e->f & P_MASK) && !(e->f & pfx))
        ud = 1;
    if (o->map == X86M_0F) {
        if ((op == 0x12 || op == 0x16) && pfx == P_66 && o->mod == 3)
            ud = 1;                               /* movlpd movhpd: memory only */
        if (op == 0xD6 && pfx != P_66 && o->mod != 3)
            ud = 1;                               /* movq2dq movdq2q: registers */
        if ((op == 0x20 || op == 0x22) && (o->reg == 1 || o->reg >= 5))
            ud = 1;                               /* CR1, CR5-CR7 */
    }
    if (o->map == X86M_ONE && ((op == 0x8C && o->reg > 5) ||
                               (op == 0x8E && (o->reg == 1 || o->reg > 5))))
        ud = 1;                                   /* no such segment register; mov cs */
    if (o->lock) {
        /* LOCK: only on the read-modify-write instructions with a memory
         * destination; mov to or from CR0 with LOCK is CR8 (AMD's alias) */
        int cr8 = o->map == X86M_0F && (op == 0x20 || op == 0x22) && o->reg == 0;
        if (!cr8 && (!(e->f & F_LOCK) || o->mod == 3 || !o->has_modrm))
            ud = 1;
    }
    if (o->has_mem && !o->mem_access)
        o->mem_access = (uint8_t)(((e->f & F_R) ? X86_MEM_READ : 0) |
                                  ((e->f & F_W) ? X86_MEM_WRITE : 0));
    if (o->has_mem && o->has_modrm && !(e->f & (F_R | F_W)) &&
        (o->map == X86M_0F38 || o->map == X86M_0F3A || (o->map == X86M_0F && (e->f & P_MASK))))
        o->mem_access = vector_access(o->map == X86M_0F ? 1 : o->map == X86M_0F38 ? 2 : 3,
                                      o->opcode, pfx == P_66 ? 1 : pfx == P_F3 ? 2 :
                                      pfx == P_F2 ? 3 : 0, o->reg);
    if (o->map == X86M_0F && (op == 0x78 || op == 0x79) && o->has_mem)
        o->mem_access = op == 0x78 ? X86_MEM_WRITE : X86_MEM_READ;   /* vmread, vmwrite */
    if (o->map == X86M_0F && op == 0xAE && o->has_mem && (o->reg == 4 || o->reg == 6))
        o->mem_access = has66 ? 0 :                     /* clwb: no data access */
                        X86_MEM_READ | X86_MEM_WRITE;   /* xsave(opt) update the header */
    if (e->f & F_STR) {
        o->has_mem = 1;
        o->mem_access = (uint8_t)(((e->f & F_R) ? X86_MEM_READ : 0) |
                                  ((e->f & F_W) ? X86_MEM_WRITE : 0));
        if (o->cls == X86C_IO)
            o->mem_access = (op & 2) ? X86_MEM_READ : X86_MEM_WRITE;   /* outs : ins */
    }

done:
    o->len = (uint8_t)c.pos;
    if (ud) {
        o->fault = X86F_UD;
        o->cls = X86C_INVALID;
    }
    return 1;
}

uint32_t x86_next(const struct x86_insn *i, uint32_t eip)
{
    return eip + i->len;
}

uint32_t x86_branch_target(const struct x86_insn *i, uint32_t eip)
{
    uint32_t t = eip + i->len + (uint32_t)i->rel;
    return i->opsize == 2 ? t & 0xFFFF : t;
}

const char *x86_class_name(enum x86_class c)
{
    static const char *const names[X86C_NR] = {
        [X86C_INVALID] = "invalid", [X86C_PLAIN] = "plain", [X86C_JMP_REL] = "jmp-rel",
        [X86C_JCC_REL] = "jcc-rel", [X86C_LOOP_REL] = "loop-rel", [X86C_CALL_REL] = "call-rel",
        [X86C_JMP_IND] = "jmp-ind", [X86C_CALL_IND] = "call-ind", [X86C_RET] = "ret",
        [X86C_JMP_FAR] = "jmp-far", [X86C_CALL_FAR] = "call-far", [X86C_RET_FAR] = "ret-far",
        [X86C_IRET] = "iret", [X86C_INT] = "int", [X86C_CLI] = "cli", [X86C_STI] = "sti",
        [X86C_PUSHF] = "pushf", [X86C_POPF] = "popf", [X86C_SEG_READ] = "seg-read",
        [X86C_SEG_WRITE] = "seg-write", [X86C_DESC_READ] = "desc-read",
        [X86C_DESC_CHECK] = "desc-check", [X86C_PRIV] = "priv", [X86C_IO] = "io",
        [X86C_SYSTEM] = "system", [X86C_CPUID] = "cpuid",
    };
    return (unsigned)c < X86C_NR ? names[c] : "?";
}
