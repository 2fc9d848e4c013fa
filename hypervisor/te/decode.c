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

/* ModRM (and SIB, displacement) at b[0..n): fills the operand; its length,
 * or 0 if the bytes end first. */
static unsigned modrm(const uint8_t *b, size_t n, struct te_insn *o)
{
    struct x86_modrm m;
    unsigned len = emul_modrm(b, n, o->addr16, &m);
    if (!len)
        return 0;
    o->reg = m.reg;
    o->mod_reg = m.mod_reg;
    if (m.mod_reg)
        o->rm = m.rm;
    o->base = m.mem.base;
    o->index = m.mem.index;
    o->scale = m.mem.scale;
    o->disp = m.mem.disp;
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
    else if (px.lock && (o->op == TE_MOV_TO_CR || o->op == TE_MOV_FROM_CR) && o->reg == 0)
        o->reg = 8;                           /* AMD's CR8 alias: lock mov to/from CR0 */
    else if (px.lock)
        o->fault = TE_FAULT_UD;               /* none of the others may be locked */
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
    struct x86_memop m = { i->addr16, i->base, i->index, i->scale, i->disp };
    return emul_effective_address(&m, gpr);
}
