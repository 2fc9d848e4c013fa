/* decode: see decode.h. */
#include "te/decode.h"

#include <string.h>

static const char *const names[TE_NR_OPS] = {
    [TE_NONE] = "?", [TE_CLI] = "cli", [TE_STI] = "sti", [TE_HLT] = "hlt",
    [TE_MOV_FROM_CR] = "mov-from-cr", [TE_MOV_TO_CR] = "mov-to-cr",
    [TE_LGDT] = "lgdt", [TE_LIDT] = "lidt", [TE_LLDT] = "lldt", [TE_LTR] = "ltr",
    [TE_LMSW] = "lmsw", [TE_SGDT] = "sgdt", [TE_SIDT] = "sidt", [TE_SLDT] = "sldt",
    [TE_STR] = "str", [TE_SMSW] = "smsw", [TE_INVLPG] = "invlpg", [TE_IN] = "in",
    [TE_OUT] = "out", [TE_STRING_IO] = "ins/outs", [TE_IRET] = "iret", [TE_LRET] = "lret",
    [TE_MOV_TO_SS] = "mov-to-ss", [TE_POP_SS] = "pop-ss", [TE_RDMSR] = "rdmsr",
    [TE_WRMSR] = "wrmsr", [TE_WBINVD] = "wbinvd", [TE_INVD] = "invd", [TE_CLTS] = "clts",
    [TE_INT] = "int", [TE_INT3] = "int3", [TE_INTO] = "into",
};

const char *te_op_name(enum te_op op)
{
    return (unsigned)op < TE_NR_OPS && names[op] ? names[op] : "?";
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
    size_t p = 0;
    unsigned opsize = 4;

    memset(o, 0, sizeof(*o));
    o->port = -1;
    o->base = o->index = -1;
    for (;; p++) {                            /* prefixes */
        if (p >= n || p >= 4)
            return 0;
        if (b[p] == 0x66)
            opsize = 2;
        else if (b[p] != 0x26 && b[p] != 0x2E && b[p] != 0x36 && b[p] != 0x3E &&
                 b[p] != 0x64 && b[p] != 0x65)
            break;                            /* segment overrides: flat, ignored */
    }
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
        o->op = TE_STRING_IO;
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
        case 0x20: case 0x22:
            if (left < 3)
                return 0;
            /* always a register operand: the CPU ignores the mod bits */
            o->op = q[1] == 0x22 ? TE_MOV_TO_CR : TE_MOV_FROM_CR;
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
    if (o->op == TE_IRET && opsize != 4)
        return 0;                             /* 16-bit iret: not supported */
    o->len = (unsigned)p + len;
    return o->len <= n;
}

uint32_t te_effective_address(const struct te_insn *i, const uint32_t gpr[8])
{
    uint32_t a = (uint32_t)i->disp;
    if (i->base >= 0)
        a += gpr[i->base];
    if (i->index >= 0)
        a += gpr[i->index] * i->scale;
    return a;
}
