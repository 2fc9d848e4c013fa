/* decode: see decode.h. */
#include "te/decode.h"

#include <string.h>

#include "arch/x86/x86dec.h"

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

/* te's op for the instruction x86dec decoded (the forms te emulates:
 * lgdt lidt sgdt sidt invlpg take memory only), or TE_NONE. */
static enum te_op te_op_of(const struct x86_insn *x)
{
    static const enum te_op grp6[8] = { TE_SLDT, TE_STR, TE_LLDT, TE_LTR };
    static const enum te_op grp7[8] = { TE_SGDT, TE_SIDT, TE_LGDT, TE_LIDT,
                                        TE_SMSW, TE_NONE, TE_LMSW, TE_INVLPG };
    if (x->map == X86M_ONE) {
        switch (x->opcode) {
        case 0xFA: return TE_CLI;
        case 0xFB: return TE_STI;
        case 0xF4: return TE_HLT;
        case 0xCF: return TE_IRET;
        case 0xCB: return TE_LRET;
        case 0x17: return TE_POP_SS;
        case 0xCC: return TE_INT3;
        case 0xCE: return TE_INTO;
        case 0xCD: return TE_INT;
        case 0xE4: case 0xE5: case 0xEC: case 0xED: return TE_IN;
        case 0xE6: case 0xE7: case 0xEE: case 0xEF: return TE_OUT;
        case 0x6C: case 0x6D: return TE_INS;
        case 0x6E: case 0x6F: return TE_OUTS;
        case 0x8E:                            /* only SS faults for a ring-0 selector */
            return x->has_modrm && x->reg == 2 ? TE_MOV_TO_SS : TE_NONE;
        }
        return TE_NONE;
    }
    if (x->map != X86M_0F)
        return TE_NONE;
    switch (x->opcode) {
    case 0x06: return TE_CLTS;
    case 0x08: return TE_INVD;
    case 0x09: return TE_WBINVD;
    case 0x30: return TE_WRMSR;
    case 0x32: return TE_RDMSR;
    case 0x20: return x->has_modrm ? TE_MOV_FROM_CR : TE_NONE;
    case 0x22: return x->has_modrm ? TE_MOV_TO_CR : TE_NONE;
    case 0x21: return x->has_modrm ? TE_MOV_FROM_DR : TE_NONE;
    case 0x23: return x->has_modrm ? TE_MOV_TO_DR : TE_NONE;
    case 0x00:
    case 0x01: {
        if (!x->has_modrm)
            return TE_NONE;
        enum te_op op = (x->opcode == 0x00 ? grp6 : grp7)[x->reg];
        if (x->mod == 3 && (op == TE_SGDT || op == TE_SIDT || op == TE_LGDT ||
                            op == TE_LIDT || op == TE_INVLPG))
            return TE_NONE;                   /* these take memory only */
        return op;
    }
    }
    return TE_NONE;
}

int te_decode(const uint8_t *b, size_t n, struct te_insn *o)
{
    struct x86_insn x;

    memset(o, 0, sizeof(*o));
    o->port = -1;
    o->base = o->index = -1;
    o->scale = 1;
    if (!x86_decode(b, n, &x))
        return 0;
    o->addr16 = x.addr16;
    o->seg = x.seg;
    if (x.fault == X86F_GP && x.npfx >= X86_MAX_INSN_LEN) {
        o->fault = TE_FAULT_GP;               /* prefixes alone fill 15 bytes */
        o->len = X86_MAX_INSN_LEN;
        return 1;
    }
    o->op = te_op_of(&x);
    if (o->op == TE_NONE)
        return 0;
    o->len = x.len;
    o->opsize = x.opsize;
    if (o->op == TE_INS || o->op == TE_OUTS)
        o->rep = x.rep;
    if (x.has_modrm) {
        o->reg = x.reg;
        o->mod_reg = !x.has_mem;              /* mov CR/DR: a register, whatever mod says */
        if (o->mod_reg)
            o->rm = x.rm;
        o->base = x.base;
        o->index = x.index;
        o->scale = x.scale;
        o->disp = x.disp;
    }
    if (x.imm_size) {
        if (o->op == TE_IN || o->op == TE_OUT)
            o->port = (int)x.imm;
        else
            o->imm = (uint8_t)x.imm;
    }
    if (x.fault == X86F_GP)
        o->fault = TE_FAULT_GP;
    else if (x.lock && (o->op == TE_MOV_TO_CR || o->op == TE_MOV_FROM_CR) && o->reg == 0)
        o->reg = 8;                           /* AMD's CR8 alias: lock mov to/from CR0 */
    else if (x.lock)
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
