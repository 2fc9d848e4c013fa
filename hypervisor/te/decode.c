/* decode: see decode.h. */
#include "te/decode.h"

#include <string.h>

static const char *const names[TE_NR_OPS] = {
    [TE_NONE] = "?", [TE_CLI] = "cli", [TE_STI] = "sti", [TE_HLT] = "hlt",
    [TE_MOV_FROM_CR] = "mov-from-cr", [TE_MOV_TO_CR] = "mov-to-cr",
    [TE_LGDT] = "lgdt", [TE_LIDT] = "lidt", [TE_LLDT] = "lldt", [TE_LTR] = "ltr",
    [TE_LMSW] = "lmsw", [TE_SGDT] = "sgdt", [TE_SIDT] = "sidt", [TE_SLDT] = "sldt",
    [TE_STR] = "str", [TE_SMSW] = "smsw", [TE_INVLPG] = "invlpg", [TE_IN] = "in",
    [TE_OUT] = "out", [TE_INS] = "ins", [TE_OUTS] = "outs", [TE_IRET] = "iret",
    [TE_LRET] = "lret",
    [TE_MOV_TO_SS] = "mov-to-ss", [TE_POP_SS] = "pop-ss", [TE_RDMSR] = "rdmsr",
    [TE_WRMSR] = "wrmsr", [TE_WBINVD] = "wbinvd", [TE_INVD] = "invd", [TE_CLTS] = "clts",
    [TE_INT] = "int", [TE_INT3] = "int3", [TE_INTO] = "into",
    [TE_MOV_FROM_DR] = "mov-from-dr", [TE_MOV_TO_DR] = "mov-to-dr",
};

const char *te_op_name(enum te_op op)
{
    return (unsigned)op < TE_NR_OPS && names[op] ? names[op] : "?";
}

/* A 16-bit ModRM (67): bx+si, bx+di, bp+si, bp+di, si, di, bp (or disp16
 * alone with mod 0), bx; disp8 or disp16. Its length, or 0 if the bytes
 * end first. */
static unsigned modrm16(const uint8_t *b, size_t n, struct te_insn *o)
{
    static const int8_t base[8] = { 3, 3, 5, 5, 6, 7, 5, 3 };   /* bx bx bp bp si di bp bx */
    static const int8_t index[8] = { 6, 7, 6, 7, -1, -1, -1, -1 };
    unsigned mod = b[0] >> 6, rm = b[0] & 7;
    o->base = base[rm];
    o->index = index[rm];
    if (mod == 0 && rm == 6) {
        if (n < 3)
            return 0;
        o->base = -1;
        o->disp = (int16_t)(b[1] | b[2] << 8);
        return 3;
    }
    if (mod == 1) {
        if (n < 2)
            return 0;
        o->disp = (int8_t)b[1];
        return 2;
    }
    if (mod == 2) {
        if (n < 3)
            return 0;
        o->disp = (int16_t)(b[1] | b[2] << 8);
        return 3;
    }
    return 1;
}

/* ModRM (and SIB, displacement) at b[0..n): fills the operand; its length,
 * or 0 if the bytes end first. */
static unsigned modrm(const uint8_t *b, size_t n, struct te_insn *o)
{
    if (n < 1)
        return 0;
    unsigned mod = b[0] >> 6, rm = b[0] & 7, len = 1;
    o->reg = (b[0] >> 3) & 7;
    o->base = o->index = -1;
    o->scale = 1;
    o->disp = 0;
    if (mod == 3) {
        o->mod_reg = 1;
        o->rm = (int)rm;
        return 1;
    }
    o->mod_reg = 0;
    if (o->addr16)
        return modrm16(b, n, o);
    if (rm == 4) {                            /* SIB */
        if (n < 2)
            return 0;
        uint8_t sib = b[1];
        len = 2;
        o->scale = 1u << (sib >> 6);
        if (((sib >> 3) & 7) != 4)
            o->index = (sib >> 3) & 7;
        if ((sib & 7) == 5 && mod == 0) {
            if (n < len + 4)
                return 0;
            memcpy(&o->disp, b + len, 4);
            return len + 4;
        }
        o->base = sib & 7;
    } else if (rm == 5 && mod == 0) {
        if (n < 5)
            return 0;
        memcpy(&o->disp, b + 1, 4);
        return 5;
    } else {
        o->base = (int)rm;
    }
    if (mod == 1) {
        if (n < len + 1)
            return 0;
        o->disp = (int8_t)b[len];
        return len + 1;
    }
    if (mod == 2) {
        if (n < len + 4)
            return 0;
        memcpy(&o->disp, b + len, 4);
        return len + 4;
    }
    return len;
}

int te_decode(const uint8_t *b, size_t n, struct te_insn *o)
{
    struct x86_prefixes px;
    size_t p = emul_prefixes(b, n, &px);
    unsigned opsize = px.opsize16 ? 2 : 4;

    memset(o, 0, sizeof(*o));
    o->port = -1;
    o->base = o->index = -1;
    o->addr16 = px.addr16;
    o->seg = px.seg;
    if (p == X86_MAX_INSN_LEN) {              /* prefixes alone fill 15 bytes */
        o->fault = TE_FAULT_GP;
        o->len = X86_MAX_INSN_LEN;
        return 1;
    }
    if (p >= n)
        return 0;
    o->opsize = opsize;
    const uint8_t *q = b + p;
    size_t left = n - p;
    unsigned len = 1;

    switch (q[0]) {
    case 0xFA: o->op = TE_CLI; break;
    case 0xFB: o->op = TE_STI; break;
    case 0xF4: o->op = TE_HLT; break;
    case 0xCF: o->op = TE_IRET; break;
    case 0xCB: o->op = TE_LRET; break;
    case 0x17: o->op = TE_POP_SS; break;
    case 0xCC: o->op = TE_INT3; break;
    case 0xCE: o->op = TE_INTO; break;
    case 0xCD:
        if (left < 2)
            return 0;
        o->op = TE_INT;
        o->imm = q[1];
        len = 2;
        break;
    case 0xE4: case 0xE5: case 0xE6: case 0xE7:
        if (left < 2)
            return 0;
        o->op = (q[0] & 2) ? TE_OUT : TE_IN;
        o->port = q[1];
        o->opsize = (q[0] & 1) ? opsize : 1;
        len = 2;
        break;
    case 0xEC: case 0xED: case 0xEE: case 0xEF:
        o->op = (q[0] & 2) ? TE_OUT : TE_IN;
        o->opsize = (q[0] & 1) ? opsize : 1;
        break;
    case 0x6C: case 0x6D: case 0x6E: case 0x6F:
        o->op = (q[0] & 2) ? TE_OUTS : TE_INS;
        o->opsize = (q[0] & 1) ? opsize : 1;
        o->rep = px.rep;
        break;
    case 0x8E: {
        unsigned m = modrm(q + 1, left - 1, o);
        if (!m || o->reg != 2)                /* only SS faults for a ring-0 selector */
            return 0;
        o->op = TE_MOV_TO_SS;
        len = 1 + m;
        break;
    }
    case 0x0F: {
        if (left < 2)
            return 0;
        len = 2;
        switch (q[1]) {
        case 0x06: o->op = TE_CLTS; break;
        case 0x08: o->op = TE_INVD; break;
        case 0x09: o->op = TE_WBINVD; break;
        case 0x30: o->op = TE_WRMSR; break;
        case 0x32: o->op = TE_RDMSR; break;
        case 0x20: case 0x22: case 0x21: case 0x23:
            if (left < 3)
                return 0;
            /* always a register operand: the CPU ignores the mod bits */
            o->op = q[1] == 0x22 ? TE_MOV_TO_CR : q[1] == 0x20 ? TE_MOV_FROM_CR
                  : q[1] == 0x23 ? TE_MOV_TO_DR : TE_MOV_FROM_DR;
            o->reg = (q[2] >> 3) & 7;
            o->mod_reg = 1;
            o->rm = q[2] & 7;
            len = 3;
            break;
        case 0x00: case 0x01: {
            static const enum te_op grp6[8] = { TE_SLDT, TE_STR, TE_LLDT, TE_LTR };
            static const enum te_op grp7[8] = { TE_SGDT, TE_SIDT, TE_LGDT, TE_LIDT,
                                                TE_SMSW, TE_NONE, TE_LMSW, TE_INVLPG };
            unsigned m = modrm(q + 2, left - 2, o);
            if (!m)
                return 0;
            o->op = (q[1] == 0x00 ? grp6 : grp7)[o->reg];
            if (o->op == TE_NONE)
                return 0;
            if (o->mod_reg && (o->op == TE_SGDT || o->op == TE_SIDT || o->op == TE_LGDT ||
                               o->op == TE_LIDT || o->op == TE_INVLPG))
                return 0;                     /* these take memory only */
            len = 2 + m;
            break;
        }
        default:
            return 0;
        }
        break;
    }
    default:
        return 0;
    }
    o->len = (unsigned)p + len;
    if (o->len > n)
        return 0;
    if (o->len > X86_MAX_INSN_LEN)
        o->fault = TE_FAULT_GP;
    else if (px.lock)
        o->fault = TE_FAULT_UD;               /* none of these may be locked */
    return 1;
}

int te_operand_segment(const struct te_insn *i)
{
    if (i->seg >= 0)
        return i->seg;
    if (i->addr16)
        return i->base == 5 ? X86_SEG_SS : X86_SEG_DS;       /* bp */
    return i->base == 4 || i->base == 5 ? X86_SEG_SS : X86_SEG_DS;
}

uint32_t te_effective_address(const struct te_insn *i, const uint32_t gpr[8])
{
    uint32_t a = (uint32_t)i->disp;
    if (i->addr16) {
        if (i->base >= 0)
            a += gpr[i->base] & 0xFFFF;
        if (i->index >= 0)
            a += gpr[i->index] & 0xFFFF;
        return a & 0xFFFF;
    }
    if (i->base >= 0)
        a += gpr[i->base];
    if (i->index >= 0)
        a += gpr[i->index] * i->scale;
    return a;
}
