/* ptwr: decoding and emulation of a guest's write to its own L1 table
 * (see ptwr.h). */
#include "mm/ptwr.h"

#include <string.h>

#include "arch/x86/emulate.h"
#include "mm/pagetable.h"

/* ---- decoding ---- */

static int32_t le32(const uint8_t *b)
{
    uint32_t v;
    memcpy(&v, b, 4);
    return (int32_t)v;
}

/* ModRM (+ SIB, displacement) of a memory operand at b[0..n): its length;
 * 0 if the bytes end first or the operand is a register. */
static unsigned modrm(const uint8_t *b, size_t n, struct ptwr_insn *o)
{
    struct x86_modrm m;
    unsigned len = emul_modrm(b, n, o->addr16, &m);
    if (!len || m.mod_reg)
        return 0;                             /* a register: cannot fault */
    o->reg = m.reg;
    o->base = m.mem.base;
    o->index = m.mem.index;
    o->scale = m.mem.scale;
    o->disp = m.mem.disp;
    return len;
}

/* Read an immediate of `bytes` (1, 2 or 4) at b[0..n), sign-extended if
 * sx; 0 if the bytes end. */
static int imm(const uint8_t *b, size_t n, unsigned bytes, int sx, uint32_t *out)
{
    if (n < bytes)
        return 0;
    if (bytes == 1)
        *out = sx ? (uint32_t)(int32_t)(int8_t)b[0] : b[0];
    else if (bytes == 2)
        *out = (uint32_t)(b[0] | b[1] << 8);
    else
        *out = (uint32_t)le32(b);
    return 1;
}

int ptwr_decode(const uint8_t *b, size_t n, struct ptwr_insn *o)
{
    struct x86_prefixes px;
    unsigned p = emul_prefixes(b, n, &px);

    memset(o, 0, sizeof(*o));
    o->addr16 = px.addr16;
    o->lock = px.lock;
    if (p >= n || p >= X86_MAX_INSN_LEN)
        return 0;
    unsigned opsize = px.opsize16 ? 2 : 4;
    const uint8_t *q = b + p;
    size_t left = n - p;
    unsigned op = q[0], head = 1, immlen = 0, m;
    int lockable = 1, sx = 0;

    if (op == 0xA2 || op == 0xA3) {
        /* mov %al/%ax/%eax -> moffs: no ModRM, the offset follows */
        unsigned w = px.addr16 ? 2 : 4;
        if (px.lock || !imm(q + 1, left - 1, w, 0, (uint32_t *)&o->disp))
            return 0;
        o->op = PTWR_MOV;
        o->size = op == 0xA3 ? opsize : 1;
        o->reg = 0;
        o->base = o->index = -1;
        o->scale = 1;
        o->len = p + 1 + w;
        return o->len <= X86_MAX_INSN_LEN;
    }
    if (op == 0x0F) {
        if (left < 2)
            return 0;
        op = 0x100 | q[1];
        head = 2;
    }
    m = modrm(q + head, left - head, o);
    if (!m)
        return 0;
    o->size = (op & 1) ? opsize : 1;          /* the byte forms have bit 0 clear */

    switch (op) {
    case 0x00: case 0x01: case 0x08: case 0x09: case 0x10: case 0x11: case 0x18: case 0x19:
    case 0x20: case 0x21: case 0x28: case 0x29: case 0x30: case 0x31:
        o->op = PTWR_ALU;
        o->alu = op >> 3;
        break;
    case 0x80: case 0x81: case 0x82: case 0x83:
        if (o->reg == 7)
            return 0;                         /* cmp: no write */
        o->op = PTWR_ALU;
        o->alu = (unsigned)o->reg;
        o->src_imm = 1;
        o->size = (op == 0x80 || op == 0x82) ? 1 : opsize;
        immlen = op == 0x81 ? opsize : 1;
        sx = op == 0x83;
        break;
    case 0x86: case 0x87:
        o->op = PTWR_XCHG;
        o->lock = 1;                          /* implied */
        break;
    case 0x88: case 0x89:
        o->op = PTWR_MOV;
        lockable = 0;
        break;
    case 0xC6: case 0xC7:
        if (o->reg != 0)
            return 0;
        o->op = PTWR_MOV;
        o->src_imm = 1;
        immlen = op == 0xC7 ? opsize : 1;
        lockable = 0;
        break;
    case 0xF6: case 0xF7:
        if (o->reg != 2 && o->reg != 3)
            return 0;                         /* test, mul, div: no write */
        o->op = o->reg == 2 ? PTWR_NOT : PTWR_NEG;
        break;
    case 0xFE: case 0xFF:
        if (o->reg > 1)
            return 0;                         /* call, jmp, push: not a data write */
        o->op = o->reg == 0 ? PTWR_INC : PTWR_DEC;
        break;
    case 0x1B0: case 0x1B1:
        o->op = PTWR_CMPXCHG;
        break;
    case 0x1C0: case 0x1C1:
        o->op = PTWR_XADD;
        break;
    case 0x1C7:
        if (o->reg != 1)
            return 0;
        o->op = PTWR_CMPXCHG8B;
        o->size = 8;                          /* 66 changes nothing */
        break;
    case 0x1AB: case 0x1B3: case 0x1BB:
        o->op = op == 0x1AB ? PTWR_BTS : op == 0x1B3 ? PTWR_BTR : PTWR_BTC;
        o->size = opsize;
        break;
    case 0x1BA:
        if (o->reg < 5)
            return 0;                         /* bt: no write */
        o->op = o->reg == 5 ? PTWR_BTS : o->reg == 6 ? PTWR_BTR : PTWR_BTC;
        o->size = opsize;
        o->src_imm = 1;
        immlen = 1;
        break;
    default:
        return 0;
    }
    if (o->lock && !lockable)
        return 0;                             /* the CPU: #UD, never this #PF */
    unsigned at = head + m;
    if (immlen && !imm(q + at, left - at, immlen, sx, &o->imm))
        return 0;
    o->len = p + at + immlen;
    return o->len <= X86_MAX_INSN_LEN;
}

uint32_t ptwr_operand_offset(const struct ptwr_insn *i, const uint32_t gpr[8])
{
    struct x86_memop m = { i->addr16, i->base, i->index, i->scale, i->disp };
    return emul_effective_address(&m, gpr);
}

/* ---- arithmetic, with the flags the CPU computes ---- */

static uint64_t size_mask(unsigned size)
{
    return size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static uint32_t sign_bit(unsigned size)
{
    return 1u << (size * 8 - 1);
}

static uint32_t szp(uint32_t r, unsigned size)
{
    uint32_t f = 0;
    uint8_t lo = (uint8_t)r;
    lo ^= lo >> 4;
    lo ^= lo >> 2;
    lo ^= lo >> 1;
    if (!(lo & 1))
        f |= EFL_PF;
    if (r == 0)
        f |= EFL_ZF;
    if (r & sign_bit(size))
        f |= EFL_SF;
    return f;
}

/* a + b + c or a - b - c on `size` bytes: the result and its flags. */
static uint32_t add_sub(uint32_t a, uint32_t b, uint32_t c, int sub, unsigned size,
                        uint32_t *flags)
{
    uint32_t mask = (uint32_t)size_mask(size), r;
    uint64_t wide;
    a &= mask;
    b &= mask;
    if (sub) {
        r = (a - b - c) & mask;
        wide = (uint64_t)b + c;
        *flags = (a < wide ? EFL_CF : 0) | (((a ^ b) & (a ^ r) & sign_bit(size)) ? EFL_OF : 0);
    } else {
        wide = (uint64_t)a + b + c;
        r = (uint32_t)wide & mask;
        *flags = ((wide >> (size * 8)) & 1 ? EFL_CF : 0) |
                 (((a ^ r) & (b ^ r) & sign_bit(size)) ? EFL_OF : 0);
    }
    *flags |= ((a ^ b ^ r) & 0x10 ? EFL_AF : 0) | szp(r, size);
    return r;
}

/* What the instruction makes of the operand (dst) and the guest's state. */
struct outcome {
    uint64_t val;          /* the new operand value */
    int write;             /* the operand is written */
    int locked;            /* through Xen's cmpxchg path (no PAE fix-up) */
    struct ptwr_regs regs; /* the guest's registers afterwards */
};

static uint32_t reg_get(const struct ptwr_regs *r, int reg, unsigned size)
{
    if (size == 1)
        return reg < 4 ? r->gpr[reg] & 0xFF : (r->gpr[reg - 4] >> 8) & 0xFF;
    return r->gpr[reg] & (uint32_t)size_mask(size);
}

static void reg_set(struct ptwr_regs *r, int reg, unsigned size, uint32_t v)
{
    if (size == 1) {
        if (reg < 4)
            r->gpr[reg] = (r->gpr[reg] & ~0xFFu) | (v & 0xFF);
        else
            r->gpr[reg - 4] = (r->gpr[reg - 4] & ~0xFF00u) | (v & 0xFF) << 8;
    } else if (size == 2) {
        r->gpr[reg] = (r->gpr[reg] & ~0xFFFFu) | (v & 0xFFFF);
    } else {
        r->gpr[reg] = v;
    }
}

static void set_flags(struct ptwr_regs *r, uint32_t which, uint32_t f)
{
    r->eflags = (r->eflags & ~which) | (f & which);
}

/* Compute the outcome for operand value dst; src is the source operand. */
static void execute(const struct ptwr_insn *in, uint64_t dst64, uint32_t src,
                    struct outcome *o)
{
    unsigned s = in->size;
    uint32_t dst = (uint32_t)dst64, mask = (uint32_t)size_mask(s), f = 0, r;
    struct ptwr_regs *g = &o->regs;

    o->locked = in->lock;
    switch (in->op) {
    case PTWR_MOV:
        o->val = src & mask;
        o->write = 1;
        return;
    case PTWR_XCHG:
        reg_set(g, in->reg, s, dst);
        o->val = src & mask;
        break;
    case PTWR_ALU: {
        unsigned cf = g->eflags & EFL_CF;
        switch (in->alu) {
        case ALU_ADD: r = add_sub(dst, src, 0, 0, s, &f); break;
        case ALU_ADC: r = add_sub(dst, src, cf, 0, s, &f); break;
        case ALU_SUB: r = add_sub(dst, src, 0, 1, s, &f); break;
        case ALU_SBB: r = add_sub(dst, src, cf, 1, s, &f); break;
        default:
            r = (in->alu == ALU_OR ? dst | src : in->alu == ALU_AND ? dst & src : dst ^ src) & mask;
            f = szp(r, s);                  /* CF, OF cleared; AF as the CPU: 0 */
            break;
        }
        set_flags(g, EFL_ARITH, f);
        o->val = r;
        break;
    }
    case PTWR_INC:
    case PTWR_DEC:
        o->val = add_sub(dst, 1, 0, in->op == PTWR_DEC, s, &f);
        set_flags(g, EFL_ARITH & ~EFL_CF, f);
        break;
    case PTWR_NOT:
        o->val = ~dst & mask;
        break;
    case PTWR_NEG:
        o->val = add_sub(0, dst, 0, 1, s, &f);
        set_flags(g, EFL_ARITH, f);
        break;
    case PTWR_XADD:
        o->val = add_sub(dst, src, 0, 0, s, &f);
        set_flags(g, EFL_ARITH, f);
        reg_set(g, in->reg, s, dst);
        break;
    case PTWR_CMPXCHG: {
        uint32_t acc = reg_get(g, 0, s);
        add_sub(acc, dst, 0, 1, s, &f);
        set_flags(g, EFL_ARITH, f);
        if (!(f & EFL_ZF)) {
            reg_set(g, 0, s, dst);          /* the value seen goes to the accumulator */
            o->write = 0;
            return;
        }
        o->val = src & mask;
        break;
    }
    case PTWR_CMPXCHG8B: {
        uint64_t want = ((uint64_t)g->gpr[2] << 32) | g->gpr[0];
        if (dst64 != want) {
            g->gpr[0] = (uint32_t)dst64;
            g->gpr[2] = (uint32_t)(dst64 >> 32);
            g->eflags &= ~EFL_ZF;
            o->write = 0;
            return;
        }
        g->eflags |= EFL_ZF;
        o->val = ((uint64_t)g->gpr[1] << 32) | g->gpr[3];
        o->write = 1;                        /* always through cmpxchg, as Xen */
        o->locked = 1;
        return;
    }
    case PTWR_BTS:
    case PTWR_BTR:
    case PTWR_BTC: {
        uint32_t bit = src & (s * 8 - 1);
        set_flags(g, EFL_CF, (dst >> bit) & 1 ? EFL_CF : 0);
        uint32_t b = 1u << bit;
        o->val = in->op == PTWR_BTS ? dst | b : in->op == PTWR_BTR ? dst & ~b : dst ^ b;
        break;
    }
    }
    /* A read-modify-write writes only a changed value (x86_emulate). */
    o->write = o->val != (dst64 & mask);
}

/* ---- the fault ---- */

int ptwr_emulate(const struct mm_ops *ops, uint16_t dom, mfn_t l3_mfn, uint32_t cr2,
                 const uint8_t *insn, size_t n, struct ptwr_regs *regs)
{
    mfn_t l1_mfn;
    unsigned slot;
    struct ptwr_insn in;

    /* The entry that maps cr2: present, read-only, an L1 of ours in use. */
    if (guest_l1e_slot(ops, l3_mfn, cr2, &l1_mfn, &slot))
        return 0;
    const uint64_t *l1 = ops->map(ops->ctx, l1_mfn);
    uint64_t pte = l1[slot];
    if ((pte & (_PAGE_PRESENT | _PAGE_RW)) != _PAGE_PRESENT)
        return 0;
    mfn_t table = pte_mfn(pte);
    struct page_info *pg = ops->page(ops->ctx, table);
    if (!pg || pg->owner != dom || pg->type != PGT_l1 || !pg->type_count ||
        (pg->flags & (PGF_PARTIAL | PGF_XENHEAP)))
        return 0;
    uint64_t *entries = ops->map(ops->ctx, table);
    if (!entries || !ptwr_decode(insn, n, &in))
        return 0;

    /* The operand: naturally aligned, in the page that faulted. */
    uint32_t src = in.src_imm ? in.imm : (in.op == PTWR_CMPXCHG8B ? 0 : reg_get(regs, in.reg, in.size));
    uint32_t addr = ptwr_operand_offset(&in, regs->gpr);
    if ((in.op == PTWR_BTS || in.op == PTWR_BTR || in.op == PTWR_BTC) && !in.src_imm) {
        /* A register bit offset reaches past the operand (signed). */
        int32_t off = in.size == 2 ? (int16_t)src : (int32_t)src, bits = (int32_t)in.size * 8;
        int32_t units = off / bits - (off % bits < 0);       /* rounded down */
        addr += (uint32_t)units * in.size;
        if (in.addr16)
            addr &= 0xFFFF;
    }
    if (((addr ^ cr2) & PAGE_MASK) || (addr & (in.size - 1)))
        return 0;

    unsigned index = (addr & (PAGE_SIZE - 1)) / 8, shift = (addr & 7) * 8;
    uint64_t old = entries[index], mask = size_mask(in.size);
    struct outcome out = { .regs = *regs };
    execute(&in, (old >> shift) & mask, src, &out);
    if (out.write) {
        uint64_t val = (old & ~(mask << shift)) | ((out.val & mask) << shift);
        if (page_table_update(ops, dom, table, index, val, 0)) {
            /* Xen's PAE fix-up: the upper half written first. */
            if (out.locked || in.size != 4 || !(addr & 4) || !(val & _PAGE_PRESENT))
                return 0;
            if (page_table_update(ops, dom, table, index, val & ~_PAGE_PRESENT, 0))
                return 0;
        }
    }
    out.regs.eip = regs->eip + in.len;
    out.regs.eflags &= ~EFL_RF;
    *regs = out.regs;
    return 1;
}
