/* mmio: see mmio.h. */
#include "hw/mmio.h"

#include <string.h>

#include "arch/x86/emulate.h"

#define F_CF 0x001u
#define F_PF 0x004u
#define F_AF 0x010u
#define F_ZF 0x040u
#define F_SF 0x080u
#define F_OF 0x800u
#define F_ARITH (F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

/* ---- decoding ---- */

static uint32_t le(const uint8_t *b, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)b[i] << (8 * i);
    return v;
}

static uint32_t size_mask(unsigned size)
{
    return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

/* Sign-extend the low `size` bytes of v to 32 bits. */
static uint32_t sext(uint32_t v, unsigned size)
{
    return size == 1 ? (uint32_t)(int32_t)(int8_t)v
         : size == 2 ? (uint32_t)(int32_t)(int16_t)v : v;
}

/* Which ops LOCK may prefix (with a memory destination): else #UD. */
static int lockable(const struct mmio_insn *i)
{
    switch (i->op) {
    case MMIO_ALU_MEM:
        return i->alu != MMIO_CMP;
    case MMIO_XCHG: case MMIO_INC: case MMIO_DEC: case MMIO_NOT: case MMIO_NEG:
        return 1;
    default:
        return 0;
    }
}

int mmio_decode(const uint8_t *b, size_t n, int cs32, struct mmio_insn *o)
{
    struct x86_prefixes px;
    size_t p = emul_prefixes(b, n, &px);
    unsigned osz = (cs32 ? !px.opsize16 : px.opsize16) ? 4 : 2;

    memset(o, 0, sizeof(*o));
    o->reg = -1;
    o->lock = px.lock;
    o->seg = px.seg;
    o->addr16 = cs32 ? px.addr16 : !px.addr16;
    if (p >= n)
        return 0;
    const uint8_t *q = b + p;
    size_t left = n - p;
    uint8_t op = q[0];
    unsigned at = 1, imm = 0;             /* opcode bytes; immediate bytes */
    int has_modrm = 1;

    o->size = (op & 1) ? osz : 1;
    if (op < 0x40 && (op & 7) < 4) {                  /* ALU r/m,r and r,r/m */
        o->op = (op & 2) ? MMIO_ALU_REG : MMIO_ALU_MEM;
        o->alu = op >> 3;
    } else {
        switch (op) {
        case 0x88: case 0x89: o->op = MMIO_STORE; break;
        case 0x8A: case 0x8B: o->op = MMIO_LOAD; break;
        case 0x84: case 0x85: o->op = MMIO_TEST; break;
        case 0x86: case 0x87: o->op = MMIO_XCHG; break;
        case 0xA0: case 0xA1: case 0xA2: case 0xA3: {
            unsigned w = o->addr16 ? 2 : 4;
            if (left < 1 + w)
                return 0;
            o->op = (op & 2) ? MMIO_STORE : MMIO_LOAD;
            o->reg = 0;                                /* al, ax, eax */
            has_modrm = 0;
            at = 1 + w;
            break;
        }
        case 0x80: case 0x81: case 0x82: case 0x83:
            o->size = op == 0x81 || op == 0x83 ? osz : 1;
            o->op = MMIO_ALU_MEM;
            imm = op == 0x81 ? (osz == 2 ? 2 : 4) : 1;
            break;
        case 0xC6: case 0xC7:
            o->op = MMIO_STORE;
            imm = op == 0xC6 ? 1 : osz;
            break;
        case 0xF6: case 0xF7: case 0xFE: case 0xFF:
            o->op = MMIO_NONE;                          /* by ModRM.reg below */
            break;
        case 0x0F:
            if (left < 2)
                return 0;
            if (q[1] != 0xB6 && q[1] != 0xB7 && q[1] != 0xBE && q[1] != 0xBF)
                return 0;
            o->op = q[1] >= 0xBE ? MMIO_MOVSX : MMIO_MOVZX;
            o->size = (q[1] & 1) ? 2 : 1;
            o->opsize = osz;
            at = 2;
            break;
        default:
            return 0;
        }
    }

    if (has_modrm) {
        struct x86_modrm m;
        unsigned ml = emul_modrm(q + at, left - at, o->addr16, &m);
        if (!ml || m.mod_reg)
            return 0;                                  /* short, or no memory operand */
        switch (op) {
        case 0x80: case 0x81: case 0x82: case 0x83:
            o->alu = (unsigned)m.reg;
            break;
        case 0xC6: case 0xC7:
            if (m.reg != 0)
                return 0;
            break;
        case 0xF6: case 0xF7: {
            static const enum mmio_op grp3[8] = { MMIO_TEST, MMIO_NONE, MMIO_NOT, MMIO_NEG };
            o->op = grp3[m.reg];
            if (o->op == MMIO_TEST)
                imm = op == 0xF6 ? 1 : osz;
            break;
        }
        case 0xFE: case 0xFF:
            o->op = m.reg == 0 ? MMIO_INC : m.reg == 1 ? MMIO_DEC : MMIO_NONE;
            break;
        default:
            o->reg = m.reg;                            /* the register operand */
            break;
        }
        if (o->op == MMIO_NONE)
            return 0;
        at += ml;
    }
    if (left < at + imm)
        return 0;
    if (imm)
        o->imm = sext(le(q + at, imm), imm) & size_mask(o->size);
    o->len = (unsigned)p + at + imm;
    if (o->len > X86_MAX_INSN_LEN)
        return 0;                                      /* #GP(0) before any access */
    if (o->lock && !lockable(o))
        return 0;                                      /* #UD before any access */
    o->reads = o->op != MMIO_STORE;
    o->writes = o->op == MMIO_STORE || o->op == MMIO_XCHG || o->op == MMIO_INC ||
                o->op == MMIO_DEC || o->op == MMIO_NOT || o->op == MMIO_NEG ||
                (o->op == MMIO_ALU_MEM && o->alu != MMIO_CMP);
    return 1;
}

/* ---- registers ---- */

static uint32_t get_reg(const struct mmio_regs *r, int n, unsigned size)
{
    if (size == 1)
        return n < 4 ? r->gpr[n] & 0xFF : (r->gpr[n - 4] >> 8) & 0xFF;
    return r->gpr[n] & size_mask(size);
}

static void set_reg(struct mmio_regs *r, int n, unsigned size, uint32_t v)
{
    if (size == 1 && n >= 4)
        r->gpr[n - 4] = (r->gpr[n - 4] & ~0xFF00u) | (v & 0xFF) << 8;
    else if (size == 4)
        r->gpr[n] = v;
    else
        r->gpr[n] = (r->gpr[n] & ~size_mask(size)) | (v & size_mask(size));
}

/* ---- the ALU and its flags ---- */

static uint32_t szp(uint32_t res, unsigned size)
{
    uint32_t f = 0, low = res & 0xFF;
    low ^= low >> 4;
    low ^= low >> 2;
    low ^= low >> 1;
    if (!(low & 1))
        f |= F_PF;                                     /* even parity of the low byte */
    if (!(res & size_mask(size)))
        f |= F_ZF;
    if (res & (1u << (8 * size - 1)))
        f |= F_SF;
    return f;
}

/* a op b at size; *flags gets the arithmetic flags it sets. */
static uint32_t alu(unsigned op, uint32_t a, uint32_t b, unsigned size, uint32_t eflags,
                    uint32_t *flags)
{
    uint32_t m = size_mask(size), sign = 1u << (8 * size - 1), res, f = 0;
    uint32_t cin = (op == MMIO_ADC || op == MMIO_SBB) ? (eflags & F_CF) : 0;
    a &= m;
    b &= m;
    switch (op) {
    case MMIO_ADD: case MMIO_ADC:
        res = (a + b + cin) & m;
        if ((uint64_t)a + b + cin > m)
            f |= F_CF;
        if ((a ^ res) & (b ^ res) & sign)
            f |= F_OF;
        f |= (a ^ b ^ res) & F_AF;
        break;
    case MMIO_SUB: case MMIO_SBB: case MMIO_CMP:
        res = (a - b - cin) & m;
        if ((uint64_t)a < (uint64_t)b + cin)
            f |= F_CF;
        if ((a ^ b) & (a ^ res) & sign)
            f |= F_OF;
        f |= (a ^ b ^ res) & F_AF;
        break;
    case MMIO_OR:  res = a | b; break;
    case MMIO_AND: res = a & b; break;
    default:       res = a ^ b; break;             /* MMIO_XOR */
    }
    *flags = f | szp(res, size);
    return res;
}

/* ---- carrying it out ---- */

int mmio_execute(const struct mmio_insn *i, struct mmio_regs *regs, uint64_t gpa,
                 const struct mmio_ops *ops)
{
    struct mmio_regs r = *regs;
    unsigned size = i->size;
    uint32_t mem = 0, src = i->reg >= 0 ? get_reg(&r, i->reg, size) : i->imm;
    uint32_t res = 0, f = 0, fmask = 0;

    if (i->reads && ops->read(ops->ctx, gpa, size, &mem))
        return MMIO_DEVICE_ERROR;
    mem &= size_mask(size);
    switch (i->op) {
    case MMIO_STORE:
        res = src;
        break;
    case MMIO_LOAD:
        set_reg(&r, i->reg, size, mem);
        break;
    case MMIO_MOVZX:
        set_reg(&r, i->reg, i->opsize, mem);
        break;
    case MMIO_MOVSX:
        set_reg(&r, i->reg, i->opsize, sext(mem, size));
        break;
    case MMIO_ALU_MEM:
        res = alu(i->alu, mem, src, size, r.eflags, &f);
        fmask = F_ARITH;
        break;
    case MMIO_ALU_REG:
        res = alu(i->alu, src, mem, size, r.eflags, &f);
        fmask = F_ARITH;
        if (i->alu != MMIO_CMP)
            set_reg(&r, i->reg, size, res);
        break;
    case MMIO_TEST:
        (void)alu(MMIO_AND, mem, src, size, r.eflags, &f);
        fmask = F_ARITH;
        break;
    case MMIO_XCHG:
        res = src;
        set_reg(&r, i->reg, size, mem);
        break;
    case MMIO_INC: case MMIO_DEC:
        res = alu(i->op == MMIO_INC ? MMIO_ADD : MMIO_SUB, mem, 1, size, r.eflags, &f);
        fmask = F_ARITH & ~F_CF;
        break;
    case MMIO_NOT:
        res = ~mem;
        break;
    case MMIO_NEG:
        res = alu(MMIO_SUB, 0, mem, size, r.eflags, &f);
        fmask = F_ARITH;
        break;
    default:
        return MMIO_DEVICE_ERROR;                  /* not from mmio_decode */
    }
    if (i->writes && ops->write(ops->ctx, gpa, size, res & size_mask(size)))
        return MMIO_DEVICE_ERROR;
    r.eflags = (r.eflags & ~fmask) | (f & fmask);
    *regs = r;
    return MMIO_DONE;
}

int mmio_emulate(const uint8_t *b, size_t n, int cs32, struct mmio_regs *r, uint64_t gpa,
                 const struct mmio_ops *ops, unsigned *len)
{
    struct mmio_insn i;
    if (!mmio_decode(b, n, cs32, &i))
        return MMIO_UNHANDLED;
    int rc = mmio_execute(&i, r, gpa, ops);
    if (rc == MMIO_DONE)
        *len = i.len;
    return rc;
}

const char *mmio_name(const struct mmio_insn *i)
{
    static const char *const alu_names[8] = { "add", "or", "adc", "sbb", "and", "sub", "xor",
                                              "cmp" };
    static const char *const names[MMIO_NR_OPS] = {
        [MMIO_NONE] = "?", [MMIO_STORE] = "mov", [MMIO_LOAD] = "mov", [MMIO_MOVZX] = "movzx",
        [MMIO_MOVSX] = "movsx", [MMIO_TEST] = "test", [MMIO_XCHG] = "xchg",
        [MMIO_INC] = "inc", [MMIO_DEC] = "dec", [MMIO_NOT] = "not", [MMIO_NEG] = "neg",
    };
    if (i->op == MMIO_ALU_MEM || i->op == MMIO_ALU_REG)
        return alu_names[i->alu & 7];
    return (unsigned)i->op < MMIO_NR_OPS && names[i->op] ? names[i->op] : "?";
}
