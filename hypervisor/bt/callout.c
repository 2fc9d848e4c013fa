/*
 * callout: a guest kernel instruction the translation sent out (int3 at
 * its site), emulated on the virtual CPU. te's emulation does the
 * privileged ones (mov CR/DR, lgdt/lidt/ltr/lldt, invlpg, in/out,
 * ins/outs, hlt, rdmsr/wrmsr, iret/lret, mov/pop ss, sgdt/sidt/sldt/str/
 * smsw with the virtual values, clts, lmsw, wbinvd/invd); here is what te
 * never needed because under te it ran natively and gave the real
 * machine's answers (docs/census.md): int n, pushf/popf and cli/sti when
 * sent out, the reads of CS and SS (the guest's selectors as it sees them,
 * RPL 0), GS (virtual while translated code runs: its loads, stores and
 * gs:-prefixed memory operands), lar/lsl/verr/verw on the guest's own
 * descriptors (its DPL 0, not the shadow's DPL 1), far jmp/call, cpuid,
 * sysenter/sysexit/syscall/sysret (#GP/#UD as te's CPU gives them).
 *
 * The guest context is at the instruction (CPL 0). Each returns with the
 * instruction done (EIP past it), or a fault injected, as te's emulate.
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/descriptor.h"
#include "arch/x86/emulate.h"
#include "bt/counters.h"
#include "bt/priv.h"
#include "hw/mmio.h"

#define DESC_S        (1ull << 44)
#define DESC_CODE     (1ull << 43)
#define DESC_CONFORM  (1ull << 42)   /* code: conforming; data: expand-down */
#define DESC_RW       (1ull << 41)   /* code: readable; data: writable */
#define DESC_P        (1ull << 47)
#define DESC_G        (1ull << 55)
#define ARITH_FLAGS   0x000008D5u   /* CF PF AF ZF SF OF: what the mov/ALU forms change */

static uint32_t *gpr(struct cpu_frame *r, unsigned n) { return frame_reg(r, n & 7); }

/* The guest's registers eax..edi. */
static void gprs(const struct cpu_frame *r, uint32_t g[8])
{
    g[0] = r->eax; g[1] = r->ecx; g[2] = r->edx; g[3] = r->ebx;
    g[4] = r->esp; g[5] = r->ebp; g[6] = r->esi; g[7] = r->edi;
}

static uint32_t sreg(const struct cpu_frame *r, int seg)
{
    switch (seg) {
    case X86_SEG_ES: return r->es;
    case X86_SEG_CS: return r->cs;
    case X86_SEG_SS: return r->ss;
    case X86_SEG_DS: return r->ds;
    case X86_SEG_FS: return r->fs;
    default: return r->gs;
    }
}

/* A segment register as the guest reads it: CS and SS of its ring 0 hold
 * RPL 1 on the CPU, RPL 0 on the guest's. */
static uint16_t sreg_guest_view(const struct cpu_frame *r, int seg)
{
    uint32_t s = sreg(r, seg) & 0xFFFF;
    if ((seg == X86_SEG_CS || seg == X86_SEG_SS) && (s & 3) == 1)
        s &= ~3u;
    return (uint16_t)s;
}

static uint32_t seg_base(struct vcpu *v, int seg)
{
    uint32_t sel = sreg(&v->regs, seg) & 0xFFFF;
    if ((sel & ~3u) == 0 || (sel & 4))
        return 0;
    uint64_t d = vx_gdt_entry(v, sel >> 3);
    return desc_base((uint32_t)d, (uint32_t)(d >> 32));
}

/* The memory operand's linear address. */
static uint32_t ea(struct vcpu *v, const struct x86_insn *in)
{
    uint32_t g[8];
    gprs(&v->regs, g);
    int seg = in->seg;
    if (seg < 0)
        seg = (!in->addr16 && (in->base == 4 || in->base == 5)) ||
              (in->addr16 && in->base == 5) ? X86_SEG_SS : X86_SEG_DS;
    struct x86_memop m = { in->addr16, in->base, in->index, in->scale ? in->scale : 1,
                           in->disp };
    return seg_base(v, seg) + emul_effective_address(&m, g);
}

/* Push/pop on the guest's stack (flat SS, as te's delivery): 0, or 1
 * after the #PF was injected. */
static int push(struct vcpu *v, uint32_t val, unsigned size)
{
    if (vx_access_linear(v, v->regs.esp - size, &val, size, 1, 0))
        return 1;
    v->regs.esp -= size;
    return 0;
}

static void done(struct vcpu *v, const struct x86_insn *in)
{
    struct vx_cpu *t = vx_of(v);
    v->regs.eip += in->len;
    if (v->regs.eflags & EFLAGS_TF) {           /* the single step after it */
        t->dr[6] |= VX_DR6_BS;
        vx_inject(v, TRAP_DB, 0, 0);
    }
}

__attribute__((noreturn)) static void unsupported(struct vcpu *v, const struct x86_insn *in,
                                                  const char *what)
{
    domain_crash(v->domain, "bt: %s at guest eip %#x (%s, opcode %#x%s) is not supported",
                 what, v->regs.eip, x86_class_name((enum x86_class)in->cls), in->opcode,
                 in->map == X86M_0F ? " in 0F" : "");
}

/* ---- int n ---- */
static void do_int(struct vcpu *v, const struct x86_insn *in, const uint8_t *b)
{
    uint8_t op = b[in->npfx];
    if (op == 0xCD) {
        bt_of(v)->te.emulated[TE_INT][0]++;
        vx_soft_int(v, in->imm & 0xFF, in->len);
    } else if (op == 0xCC) {
        bt_of(v)->te.emulated[TE_INT3][0]++;
        vx_soft_int(v, TRAP_BP, in->len);
    } else if (op == 0xCE) {
        bt_of(v)->te.emulated[TE_INTO][0]++;
        if (v->regs.eflags & (1u << 11))
            vx_soft_int(v, TRAP_OF, in->len);
        else
            v->regs.eip += in->len;
    } else {                                     /* F1: int1, a #DB trap */
        v->regs.eip += in->len;
        vx_inject(v, TRAP_DB, 0, 0);
    }
}

/* ---- segment registers ---- */

/* The guest's descriptor for a data-segment load at CPL 0 (SDM Vol. 2,
 * MOV, "loading a segment register"): 0 with the selector fine (null
 * included), or 1 after the fault was injected. */
static int data_selector_ok(struct vcpu *v, uint16_t sel)
{
    if ((sel & ~3u) == 0)
        return 0;                                /* the null selector */
    uint64_t d = (sel & 4) ? 0 : vx_gdt_entry(v, sel >> 3);
    if (!(sel & 4) && vx_desc_is_ring1(d))
        domain_crash(v->domain, "te: selector %#x is a ring-1 segment: te runs the guest's "
                     "ring 0 in ring 1 and cannot give it a ring 1 of its own", sel);
    unsigned dpl = (unsigned)(d >> 45) & 3;
    if (dpl == 1)
        dpl = 0;                                 /* the shadow's DPL 1 is the guest's 0 */
    int ok = (d & DESC_S) && (!(d & DESC_CODE) || (d & DESC_RW)) &&
             ((d & DESC_CODE) && (d & DESC_CONFORM) ? 1 : dpl >= (sel & 3u));
    if (!ok) {
        vx_inject(v, TRAP_GP, 1, sel & ~3u);
        return 1;
    }
    if (!(d & DESC_P)) {
        vx_inject(v, VX_TRAP_NP, 1, sel & ~3u);
        return 1;
    }
    return 0;
}

static void set_sreg(struct cpu_frame *r, int seg, uint16_t sel)
{
    switch (seg) {
    case X86_SEG_ES: r->es = sel; break;
    case X86_SEG_DS: r->ds = sel; break;
    case X86_SEG_FS: r->fs = sel; break;
    default: r->gs = sel; break;
    }
}

/* push sreg, mov r/m16, sreg. */
static void seg_read(struct vcpu *v, const struct x86_insn *in, const uint8_t *b)
{
    struct cpu_frame *r = &v->regs;
    uint8_t op = b[in->npfx + (in->map == X86M_0F ? 1 : 0)];
    int seg;
    if (in->map == X86M_0F)
        seg = op == 0xA0 ? X86_SEG_FS : X86_SEG_GS;              /* 0F A0, 0F A8 */
    else if (op == 0x8C)
        seg = in->reg;
    else
        seg = op >> 3;                                           /* 06 0E 16 1E */
    if (seg > X86_SEG_GS) {
        vx_inject(v, TRAP_UD, 0, 0);
        return;
    }
    uint16_t val = sreg_guest_view(r, seg);
    if (op == 0x8C) {
        if (in->mod == 3) {
            uint32_t *d = gpr(r, in->rm);
            *d = in->opsize == 2 ? (*d & 0xFFFF0000u) | val : val;
        } else if (vx_access_linear(v, ea(v, in), &val, 2, 1, 0)) {
            return;
        }
    } else if (push(v, val, in->opsize == 2 ? 2 : 4)) {
        return;
    }
    done(v, in);
}

/* mov sreg, r/m16; pop sreg; lgs (lds les lfs). SS goes to te. */
static void seg_write(struct vcpu *v, const struct x86_insn *in, const uint8_t *b)
{
    struct cpu_frame *r = &v->regs;
    unsigned at = in->npfx + (in->map == X86M_0F ? 1 : 0);
    uint8_t op = b[at];
    uint16_t sel = 0;
    int seg;
    unsigned size = in->opsize == 2 ? 2 : 4;
    if (op == 0x8E) {
        seg = in->reg;
        if (seg == X86_SEG_CS || seg > X86_SEG_GS) {
            vx_inject(v, TRAP_UD, 0, 0);
            return;
        }
        if (in->mod == 3)
            sel = (uint16_t)*gpr(r, in->rm);
        else if (vx_access_linear(v, ea(v, in), &sel, 2, 0, 0))
            return;
        if (data_selector_ok(v, sel))
            return;
        set_sreg(r, seg, sel);
    } else if ((in->map == X86M_ONE && (op == 0x07 || op == 0x1F)) ||
               (in->map == X86M_0F && (op == 0xA1 || op == 0xA9))) {
        seg = in->map == X86M_ONE ? op >> 3 : op == 0xA1 ? X86_SEG_FS : X86_SEG_GS;
        uint32_t w = 0;
        if (vx_access_linear(v, r->esp, &w, size, 0, 0))
            return;
        sel = (uint16_t)w;
        if (data_selector_ok(v, sel))
            return;
        r->esp += size;
        set_sreg(r, seg, sel);
    } else if ((in->map == X86M_ONE && (op == 0xC4 || op == 0xC5)) ||
               (in->map == X86M_0F && (op == 0xB4 || op == 0xB5))) {
        seg = in->map == X86M_ONE ? (op == 0xC4 ? X86_SEG_ES : X86_SEG_DS)
                                  : (op == 0xB4 ? X86_SEG_FS : X86_SEG_GS);
        if (in->mod == 3) {
            vx_inject(v, TRAP_UD, 0, 0);
            return;
        }
        uint8_t p[6] = { 0 };
        if (vx_access_linear(v, ea(v, in), p, size + 2, 0, 0))
            return;
        uint32_t off = 0;
        memcpy(&off, p, size);
        memcpy(&sel, p + size, 2);
        if (data_selector_ok(v, sel))
            return;
        uint32_t *d = gpr(r, in->reg);
        *d = size == 2 ? (*d & 0xFFFF0000u) | (off & 0xFFFF) : off;
        set_sreg(r, seg, sel);
    } else {
        unsupported(v, in, "this segment-register load");
    }
    done(v, in);
}

/* ---- lar, lsl, verr, verw: the guest's own descriptors ---- */
static void desc_test(struct vcpu *v, const struct x86_insn *in)
{
    struct vx_cpu *t = vx_of(v);
    struct cpu_frame *r = &v->regs;
    uint16_t sel;
    if (in->mod == 3)
        sel = (uint16_t)*gpr(r, in->rm);
    else if (vx_access_linear(v, ea(v, in), &sel, 2, 0, 0))
        return;
    int which = in->opcode == 0x02 ? 0 : in->opcode == 0x03 ? 1 : in->reg == 4 ? 2 : 3;
    uint64_t d = 0;
    int ok = (sel & ~3u) && !(sel & 4) && vx_gdt_within(sel >> 3, t->gdt_limit) &&
             vx_copy_linear(v, t->gdt_base + (sel & ~7u), &d, 8, 0) == 0;
    unsigned dpl = (unsigned)(d >> 45) & 3, type = (unsigned)(d >> 40) & 0xF;
    int conforming_code = (d & DESC_S) && (d & DESC_CODE) && (d & DESC_CONFORM);
    if (ok && !conforming_code && dpl < (sel & 3u))
        ok = 0;                                  /* DPL < RPL (CPL is 0) */
    if (ok) {
        if (!(d & DESC_S)) {
            /* system types: LAR takes TSSs, LDT, call and task gates; LSL
             * TSSs and the LDT; VERR/VERW none */
            unsigned lar = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 4) | (1u << 5) |
                           (1u << 9) | (1u << 0xB) | (1u << 0xC);
            unsigned lsl = (1u << 1) | (1u << 2) | (1u << 3) | (1u << 9) | (1u << 0xB);
            ok = which == 0 ? (lar >> type) & 1 : which == 1 ? (lsl >> type) & 1 : 0;
        } else if (which == 2) {
            ok = !(d & DESC_CODE) || (d & DESC_RW);           /* readable */
        } else if (which == 3) {
            ok = !(d & DESC_CODE) && (d & DESC_RW);           /* writable data */
        }
    }
    if (ok && which < 2) {
        uint32_t val;
        if (which == 0) {
            val = (uint32_t)(d >> 32) & 0x00F0FF00u;
        } else {
            val = ((uint32_t)d & 0xFFFF) | ((uint32_t)(d >> 32) & 0xF0000u);
            if (d & DESC_G)
                val = (val << 12) | 0xFFF;
        }
        uint32_t *dst = gpr(r, in->reg);
        *dst = in->opsize == 2 ? (*dst & 0xFFFF0000u) | (val & 0xFFFF) : val;
    }
    r->eflags = (r->eflags & ~(1u << 6)) | (ok ? 1u << 6 : 0);   /* ZF */
    done(v, in);
}

/* ---- far jmp and call, to the guest's own code segments ---- */
static void far_transfer(struct vcpu *v, const struct x86_insn *in)
{
    struct vx_cpu *t = vx_of(v);
    struct cpu_frame *r = &v->regs;
    int call = in->cls == X86C_CALL_FAR;
    unsigned size = in->opsize == 2 ? 2 : 4;
    uint32_t off = 0;
    uint16_t sel = 0;
    if (in->map == X86M_ONE && (in->opcode == 0xEA || in->opcode == 0x9A)) {
        off = in->imm;
        sel = in->imm2;
    } else {
        if (in->mod == 3) {
            vx_inject(v, TRAP_UD, 0, 0);
            return;
        }
        uint8_t p[6] = { 0 };
        if (vx_access_linear(v, ea(v, in), p, size + 2, 0, 0))
            return;
        memcpy(&off, p, size);
        memcpy(&sel, p + size, 2);
    }
    if ((sel & ~3u) == 0) {
        vx_inject(v, TRAP_GP, 1, 0);
        return;
    }
    uint64_t d = (sel & 4) ? 0 : vx_gdt_entry(v, sel >> 3);
    if (!(sel & 4) && vx_desc_is_ring1(d))
        domain_crash(v->domain, "te: selector %#x is a ring-1 segment: te runs the guest's "
                     "ring 0 in ring 1 and cannot give it a ring 1 of its own", sel);
    if (!(sel & 4) && !(d & DESC_S)) {
        uint64_t own = 0;
        if (vx_gdt_within(sel >> 3, t->gdt_limit) &&
            vx_copy_linear(v, t->gdt_base + (sel & ~7u), &own, 8, 0) == 0 && !(own & DESC_S)) {
            /* the CPU's other targets: call gates, task gates, available
             * TSSs (anything else of the system kind is its #GP) */
            unsigned type = (unsigned)(own >> 40) & 0xF;
            if (type == 1 || type == 4 || type == 5 || type == 9 || type == 0xC)
                unsupported(v, in, "a far jmp or call through a gate or TSS");
        }
    }
    unsigned dpl = (unsigned)(d >> 45) & 3;
    /* CPL 0: non-conforming code of (guest) DPL 0 with RPL 0; conforming of DPL 0 */
    int ok = (d & DESC_S) && (d & DESC_CODE) && dpl == 1 &&
             ((d & DESC_CONFORM) || (sel & 3) == 0);
    if (!ok) {
        vx_inject(v, TRAP_GP, 1, sel & ~3u);
        return;
    }
    if (!(d & DESC_P)) {
        vx_inject(v, VX_TRAP_NP, 1, sel & ~3u);
        return;
    }
    if (call) {
        uint32_t ret = r->eip + in->len, old_cs = sreg_guest_view(r, X86_SEG_CS);
        uint8_t frame[8];
        if (size == 4) {
            memcpy(frame, &ret, 4);
            memcpy(frame + 4, &old_cs, 4);
        } else {
            memcpy(frame, &ret, 2);
            memcpy(frame + 2, &old_cs, 2);
        }
        if (vx_access_linear(v, r->esp - 2 * size, frame, 2 * size, 1, 0))
            return;
        r->esp -= 2 * size;
    }
    r->cs = (sel & ~3u) | 1;
    r->eip = size == 2 ? off & 0xFFFF : off;
    if (r->eflags & EFLAGS_TF) {
        t->dr[6] |= VX_DR6_BS;
        vx_inject(v, TRAP_DB, 0, 0);
    }
}

/* ---- pushf and popf, when sent out: the virtual IF and IOPL ---- */
static void flags_op(struct vcpu *v, const struct x86_insn *in)
{
    struct vx_cpu *t = vx_of(v);
    struct cpu_frame *r = &v->regs;
    unsigned size = in->opsize == 2 ? 2 : 4;
    if (in->cls == X86C_PUSHF) {
        uint32_t f = (r->eflags & ~(EFLAGS_IF | EFLAGS_IOPL | EFLAGS_RF | EFLAGS_VM)) |
                     (t->vif ? EFLAGS_IF : 0) | (t->viopl << 12);
        if (push(v, f, size))
            return;
    } else {
        uint32_t f = 0;
        if (vx_access_linear(v, r->esp, &f, size, 0, 0))
            return;
        r->esp += size;
        /* CPL 0: every flag but VM, RF, VIF, VIP (16 bits: the low half) */
        uint32_t mask = 0x00244FD5u & ~(EFLAGS_VIF | EFLAGS_VIP);
        if (size == 2)
            mask &= 0xFFFF;
        uint32_t nf = (r->eflags & ~mask) | (f & mask);
        int vif = (nf & EFLAGS_IF) != 0;
        if (t->vif && !vif) {
            t->vif_off_eip = r->eip;
            t->vif_off_by = "popf";
        }
        t->vif = vif;
        t->viopl = (nf & EFLAGS_IOPL) >> 12;
        r->eflags = (nf & ~(EFLAGS_IF | EFLAGS_IOPL)) | (r->eflags & (EFLAGS_IF | EFLAGS_IOPL));
    }
    done(v, in);
}

/* ---- gs: (and cs:) memory operands: the common mov/ALU forms ---- */
struct lin_ctx {
    struct vcpu *v;
    int faulted;
    uint32_t va, error;
};

static int lin_access(void *ctx, uint64_t la, unsigned size, uint32_t *val, int write)
{
    struct lin_ctx *c = ctx;
    uint32_t fva, err;
    if (vx_copy_linear_as(c->v, (uint32_t)la, val, size, write, 0, &fva, &err)) {
        c->faulted = 1;
        c->va = fva;
        c->error = err;
        return -1;
    }
    return 0;
}
static int lin_read(void *ctx, uint64_t la, unsigned size, uint32_t *val)
{
    *val = 0;
    return lin_access(ctx, la, size, val, 0);
}
static int lin_write(void *ctx, uint64_t la, unsigned size, uint32_t val)
{
    return lin_access(ctx, la, size, &val, 1);
}

static void seg_memory(struct vcpu *v, const struct x86_insn *in, const uint8_t *b, size_t n)
{
    struct cpu_frame *r = &v->regs;
    struct mmio_insn mi;
    if (!mmio_decode(b, n, 1, &mi))
        unsupported(v, in, "a gs:-prefixed instruction of this form");
    struct lin_ctx c = { v, 0, 0, 0 };
    const struct mmio_ops ops = { &c, lin_read, lin_write };
    struct mmio_regs mr;
    gprs(r, mr.gpr);
    mr.eflags = r->eflags;
    if (mmio_execute(&mi, &mr, ea(v, in), &ops) != MMIO_DONE) {
        vx_of(v)->cr2 = c.va;
        vx_inject(v, TRAP_PF, 1, c.error);
        return;
    }
    r->eax = mr.gpr[0]; r->ecx = mr.gpr[1]; r->edx = mr.gpr[2]; r->ebx = mr.gpr[3];
    r->esp = mr.gpr[4]; r->ebp = mr.gpr[5]; r->esi = mr.gpr[6]; r->edi = mr.gpr[7];
    r->eflags = (r->eflags & ~ARITH_FLAGS) | (mr.eflags & ARITH_FLAGS);
    done(v, in);
}

/* lret or iret to a selector of RPL 1: te refuses it whatever it names
 * (the guest's ring 1); the CPU first checks the descriptor, so what it
 * refuses is the guest's #GP as there (null, beyond the GDT, bt's and the
 * hypervisor's entries, not code, code of DPL 0, which RPL 1 cannot
 * return to). 1 if it was such a return, the #GP given; 0: te's. */
static int far_return_to_rpl1(struct vcpu *v)
{
    uint32_t cs = 0;
    if (vx_copy_linear(v, v->regs.esp + 4, &cs, 2, 0) || (cs & 3) != 1)
        return 0;
    uint64_t d = (cs & 4) ? 0 : vx_gdt_entry(v, (cs & 0xFFFF) >> 3);
    if (vx_desc_is_ring1(d) || ((d & DESC_S) && (d & DESC_CODE) && (d & DESC_CONFORM)))
        return 0;                                /* a ring 1 indeed: te refuses it */
    vx_inject(v, TRAP_GP, 1, cs & 0xFFFC);
    return 1;
}

/* Up to 15 bytes at the guest's EIP, as its kernel fetches them. */
static size_t fetch_guest_insn(struct vcpu *v, uint8_t *buf, uint32_t *fault_va, uint32_t *fault_err)
{
    uint32_t eip = v->regs.eip, first = PAGE_SIZE - (eip & 0xFFF);
    if (first > X86_MAX_INSN_LEN)
        first = X86_MAX_INSN_LEN;
    if (vx_copy_linear_as(v, eip, buf, first, 0, 0, fault_va, fault_err))
        return 0;
    if (first < X86_MAX_INSN_LEN &&
        vx_copy_linear_as(v, eip + first, buf + first, X86_MAX_INSN_LEN - first, 0, 0,
                          fault_va, fault_err))
        return first;
    return X86_MAX_INSN_LEN;
}

void bt_callout(struct vcpu *v)
{
    struct bt_state *b = bt_of(v);
    struct cpu_frame *r = &v->regs;
    uint8_t bytes[X86_MAX_INSN_LEN];
    uint32_t fva = 0, ferr = 0;
    struct x86_insn in;
    size_t n = fetch_guest_insn(v, bytes, &fva, &ferr);
    /* Its bytes are gone since the translation (the guest's tables
     * changed): the CPU's fetch would fault now. */
    if (n == 0 || !x86_decode(bytes, n, &in)) {
        vx_of(v)->cr2 = fva;
        vx_inject(v, TRAP_PF, 1, ferr);
        return;
    }
    if (in.fault) {
        if (in.fault == X86F_UD)
            vx_inject(v, TRAP_UD, 0, 0);
        else
            vx_inject(v, TRAP_GP, 1, 0);
        return;
    }
    b->callout_class[in.cls < X86C_NR ? in.cls : 0]++;
    switch (in.cls) {
    case X86C_INT:
        do_int(v, &in, bytes);
        return;
    case X86C_SEG_READ:
        seg_read(v, &in, bytes);
        return;
    case X86C_SEG_WRITE: {
        uint8_t op = bytes[in.npfx];
        int ss = (in.map == X86M_ONE && (op == 0x17 || (op == 0x8E && in.reg == X86_SEG_SS)));
        if (in.map == X86M_0F && in.opcode == 0xB2)
            unsupported(v, &in, "lss");
        if (!ss) {
            seg_write(v, &in, bytes);
            return;
        }
        break;                                   /* mov/pop ss: te's */
    }
    case X86C_DESC_CHECK:
        desc_test(v, &in);
        return;
    case X86C_JMP_FAR:
    case X86C_CALL_FAR:
        far_transfer(v, &in);
        return;
    case X86C_PUSHF:
    case X86C_POPF:
        flags_op(v, &in);
        return;
    case X86C_CPUID: {
        /* The hypervisor range is bt's counters (bt/counters.h); the rest
         * the CPU's, as the guest's CPU would answer in ring 1. */
        uint32_t out[4], ctr[BT_NR_COUNTERS];
        bt_counters_now(v, ctr);
        if (!bt_cpuid_hv_leaf(ctr, BT_NR_COUNTERS, r->eax, r->ecx, out))
            cpuid_count(r->eax, r->ecx, out);
        r->eax = out[0]; r->ebx = out[1]; r->ecx = out[2]; r->edx = out[3];
        done(v, &in);
        return;
    }
    case X86C_SYSTEM:
        /* sysenter and sysexit: #GP(0), as te's CPU gives them (its
         * SYSENTER_CS is the hypervisor's null one for te and bt domains);
         * syscall, sysret, rsm: #UD in 32-bit protected mode. */
        if (in.map == X86M_0F && (in.opcode == 0x34 || in.opcode == 0x35))
            vx_inject(v, TRAP_GP, 1, 0);
        else
            vx_inject(v, TRAP_UD, 0, 0);
        return;
    case X86C_PLAIN:
        if (in.has_mem && (in.seg == X86_SEG_GS || in.seg == X86_SEG_CS)) {
            seg_memory(v, &in, bytes, n);
            return;
        }
        break;
    default:
        break;
    }
    if ((in.cls == X86C_RET_FAR || in.cls == X86C_IRET) && far_return_to_rpl1(v))
        return;
    /* te's emulation, of the bytes fetched and decoded here. */
    struct te_insn ti;
    if (!te_decode(bytes, n, &ti) || ti.op == TE_NONE)
        unsupported(v, &in, "this instruction");
    r->error = 0;
    te_gp_decoded(v, 1, &ti);
}
