/*
 * emul: the te mode's trap entry and the instructions it emulates.
 *
 * Every exception and `int n` of the guest comes here (the CPU's IDT is
 * the hypervisor's). A #GP in ring 1 is a privileged instruction to
 * emulate; a #PF may be only a missing shadow entry; the rest goes to the
 * guest through its own IDT, with the frame a CPU would have pushed in
 * ring 0 (the CS in it has RPL 0, so the guest's iret traps and restores
 * its IF).
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/descriptor.h"
#include "core/console.h"
#include "core/domain.h"
#include "mm/mm.h"
#include "te/priv.h"

static uint32_t ea(struct vcpu *v, const struct te_insn *in)
{
    const struct cpu_frame *r = &v->regs;
    uint32_t g[8] = { r->eax, r->ecx, r->edx, r->ebx, r->esp, r->ebp, r->esi, r->edi };
    return te_effective_address(in, g);
}

/* The 16-bit r/m operand: 0, or 1 after a #PF was injected. */
static int read_rm16(struct vcpu *v, const struct te_insn *in, uint16_t *val)
{
    if (in->mod_reg) {
        *val = (uint16_t)*frame_reg(&v->regs, in->rm);
        return 0;
    }
    return te_access_linear(v, ea(v, in), val, 2, 0, ring_of(v));
}

/* Store a 16-bit value (sldt, str, smsw): to a register zero-extended with
 * a 32-bit operand size (smsw: all of CR0), to memory two bytes. */
static int write_rm16(struct vcpu *v, const struct te_insn *in, uint32_t val32)
{
    uint16_t val = (uint16_t)val32;
    if (in->mod_reg) {
        uint32_t *r = frame_reg(&v->regs, in->rm);
        *r = in->opsize == 2 ? ((*r & 0xFFFF0000u) | val) : val32;
        return 0;
    }
    return te_access_linear(v, ea(v, in), &val, 2, 1, ring_of(v));
}

static void guest_write_cr0(struct vcpu *v, uint32_t val)
{
    struct te_state *t = te_of(v);
    struct domain *d = v->domain;
    if (!(val & CR0_PE))
        domain_crash(d, "te: CR0.PE cleared: real mode is not supported");
    if ((val & CR0_PG) && !(t->cr4 & CR4_PAE))
        domain_crash(d, "te: paging without CR4.PAE: only PAE guests are supported");
    if ((val & CR0_PG) && !(val & CR0_WP))
        domain_crash(d, "te: paging with CR0.WP clear is not supported");
    int was = te_paging_on(t);
    t->cr0 = val | CR0_ET;
    if (te_paging_on(t) != was) {
        if (te_paging_on(t))
            te_load_pdptes(v);
        te_shadow_flush_all(t);
    }
}

static void guest_write_cr4(struct vcpu *v, uint32_t val)
{
    struct te_state *t = te_of(v);
    if (val & CR4_VME_PVI)
        domain_crash(v->domain, "te: CR4.VME/PVI (virtual-8086 extensions) not supported");
    if (te_paging_on(t) && ((val ^ t->cr4) & CR4_PAE))
        domain_crash(v->domain, "te: CR4.PAE changed with paging on");
    t->cr4 = val;
    te_shadow_flush_all(t);
}

/* The 6-byte operand of lgdt/lidt: a 16-bit limit, then the base (24 bits
 * of it with a 16-bit operand size). 0, or 1 after a #PF was injected. */
static int read_table_pointer(struct vcpu *v, const struct te_insn *in, uint16_t *limit,
                              uint32_t *base)
{
    uint8_t b[6];
    if (te_access_linear(v, ea(v, in), b, 6, 0, 0))
        return 1;
    memcpy(limit, b, 2);
    memcpy(base, b + 2, 4);
    if (in->opsize == 2)
        *base &= 0xFFFFFF;
    return 0;
}

static int do_lgdt(struct vcpu *v, const struct te_insn *in)
{
    struct te_state *t = te_of(v);
    uint16_t limit;
    uint32_t base;
    if (read_table_pointer(v, in, &limit, &base))
        return 1;
    if (limit >= PAGE_SIZE)
        domain_crash(v->domain, "te: a GDT of more than 512 descriptors (limit %#x) is "
                     "not supported", limit);
    uint64_t *shadow = mfn_to_virt(t->shadow_gdt_mfn);
    static uint64_t desc[512];                 /* one vCPU runs at a time */
    unsigned n = (limit + 1u) / 8;
    if (n && te_copy_linear(v, base, desc, n * 8, 0))
        domain_crash(v->domain, "te: the GDT at %#x is not readable at lgdt", base);
    for (unsigned i = 0; i < 512; i++)
        shadow[i] = i < n ? te_desc_shadow(desc[i]) : 0;
    t->gdt_base = base;
    t->gdt_limit = limit;
    return 0;
}

static int do_ltr(struct vcpu *v, uint16_t sel)
{
    struct te_state *t = te_of(v);
    uint32_t desc[2];
    uint32_t at = t->gdt_base + (sel & ~7u);
    if ((sel & 4) || (sel & ~7u) == 0 || (sel | 7u) > t->gdt_limit ||
        te_copy_linear(v, at, desc, 8, 0) || ((desc[1] >> 8) & 0x9F) != 0x89) {
        te_inject(v, TRAP_GP, 1, sel & ~3u);      /* not an available, present 32-bit TSS */
        return 1;
    }
    desc[1] |= 0x200;                          /* busy, as the CPU marks it */
    if (te_copy_linear(v, at + 4, &desc[1], 4, 1)) {
        te_inject(v, TRAP_GP, 1, sel & ~3u);
        return 1;
    }
    t->tr = sel;
    t->tss_base = desc_base(desc[0], desc[1]);
    return 0;
}

/* A data selector of RPL 0 for SS: the CPU refuses it in ring 1; the
 * compressed ring-1 copy of a ring-0 data segment is loaded instead. */
static int load_ss(struct vcpu *v, uint16_t sel)
{
    uint64_t dsc = te_shadow_gdt_entry(te_of(v), sel >> 3);
    int writable_data = (dsc & (1ull << 44)) && !(dsc & (1ull << 43)) && (dsc & (1ull << 41));
    if ((sel & 3) != 0 || (sel & 4) || !writable_data || ((dsc >> 45) & 3) != 1 ||
        !(dsc & (1ull << 47))) {
        te_inject(v, TRAP_GP, 1, sel & ~3u);
        return 1;
    }
    v->regs.ss = sel | 1;
    return 0;
}

/* iret or lret in ring 1 faulted: a return to RPL 0, that is to the guest
 * kernel itself. Pop as the CPU would for ring 0; an iret restores the
 * virtual IF from the popped EFLAGS. */
static int do_far_return(struct vcpu *v, int is_iret)
{
    struct te_state *t = te_of(v);
    struct cpu_frame *r = &v->regs;
    uint32_t w[5];
    unsigned n = is_iret ? 3 : 2;
    if (te_access_linear(v, r->esp, w, n * 4, 0, 0))
        return 1;
    uint16_t cs = (uint16_t)w[1];
    if ((cs & 3) == 3) {                       /* outward: ESP and SS follow */
        if (te_access_linear(v, r->esp + n * 4, &w[n], 8, 0, 0))
            return 1;
        r->esp = w[n];
        r->ss = w[n + 1] & 0xFFFF;
    } else if ((cs & 3) == 0) {
        r->esp += n * 4;
        cs |= 1;
    } else {
        te_inject(v, TRAP_GP, 1, cs & ~3u);
        return 1;
    }
    if (is_iret) {
        if (w[2] & EFLAGS_NT)
            domain_crash(v->domain, "te: iret with EFLAGS.NT (a task return) is not supported");
        r->eflags = (r->eflags & ~EFLAGS_ARITH & ~EFLAGS_TF) |
                    (w[2] & (EFLAGS_ARITH | EFLAGS_TF));
        if (!(w[2] & EFLAGS_IF) && t->vif) {
            t->vif_off_eip = r->eip;
            t->vif_off_by = "iret";
        }
        t->vif = (w[2] & EFLAGS_IF) != 0;
    }
    r->cs = cs;
    r->eip = w[0];
    return 0;
}

static int do_msr(struct vcpu *v, int write)
{
    struct te_state *t = te_of(v);
    struct cpu_frame *r = &v->regs;
    uint32_t msr = r->ecx;
    if (msr == 0x10) {                          /* IA32_TIME_STAMP_COUNTER */
        if (!write) {
            uint64_t tsc = rdtsc();
            r->eax = (uint32_t)tsc;
            r->edx = (uint32_t)(tsc >> 32);
        }
        return 0;                               /* writes are ignored */
    }
    if (msr >= 0x174 && msr <= 0x176) {         /* SYSENTER_CS/ESP/EIP */
        if (write)
            t->sysenter[msr - 0x174] = r->eax;
        else {
            r->eax = t->sysenter[msr - 0x174];
            r->edx = 0;
        }
        return 0;
    }
    te_inject(v, TRAP_GP, 1, 0);                   /* as a CPU does for an unknown MSR */
    return 1;
}

static int do_io(struct vcpu *v, const struct te_insn *in)
{
    struct te_state *t = te_of(v);
    struct cpu_frame *r = &v->regs;
    uint16_t port = in->port >= 0 ? (uint16_t)in->port : (uint16_t)r->edx;
    uint32_t mask = in->opsize == 4 ? 0xFFFFFFFFu : (1u << (8 * in->opsize)) - 1;
    if (in->op == TE_IN) {
        uint32_t val = vplatform_in(&t->plat, port, in->opsize, time_now());
        r->eax = (r->eax & ~mask) | (val & mask);
        return 0;
    }
    vplatform_out(&t->plat, port, in->opsize, r->eax & mask, time_now());
    if (t->plat.request == VDEV_POWEROFF) {
        r->eip += in->len;
        domain_shutdown(v->domain, SHUTDOWN_poweroff);
    }
    if (t->plat.request == VDEV_EXIT) {
        printk("d%u: wrote %u to the exit port (isa-debug-exit)\n", v->domain->id,
               (unsigned)t->plat.exit_value);
        domain_shutdown(v->domain, t->plat.exit_value ? SHUTDOWN_crash : SHUTDOWN_poweroff);
    }
    return 0;
}

/* Up to 15 bytes at the guest's EIP (a supervisor fetch). */
static size_t fetch(struct vcpu *v, uint8_t *buf)
{
    uint32_t eip = v->regs.eip, first = PAGE_SIZE - (eip & 0xFFF);
    if (first > 15)
        first = 15;
    if (te_copy_linear(v, eip, buf, first, 0))
        return 0;
    if (first < 15 && te_copy_linear(v, eip + first, buf + first, 15 - first, 0) == 0)
        return 15;
    return first;
}

/* The UMIP-faulting reads: the virtual CPU's values. */
static int umip_read(struct vcpu *v, const struct te_insn *in)
{
    struct te_state *t = te_of(v);
    switch (in->op) {
    case TE_SGDT:
    case TE_SIDT: {
        uint8_t b[6];
        uint16_t limit = in->op == TE_SGDT ? t->gdt_limit : t->idt_limit;
        uint32_t base = in->op == TE_SGDT ? t->gdt_base : t->idt_base;
        memcpy(b, &limit, 2);
        memcpy(b + 2, &base, 4);
        return te_access_linear(v, ea(v, in), b, 6, 1, ring_of(v));
    }
    case TE_SLDT: return write_rm16(v, in, t->ldtr);
    case TE_STR: return write_rm16(v, in, t->tr);
    default: return write_rm16(v, in, t->cr0);     /* smsw */
    }
}

/* Emulate in at ring 1 (the guest kernel). 1: done (or a fault injected),
 * 0: not an instruction the te mode emulates. */
static int emulate_kernel(struct vcpu *v, const struct te_insn *in)
{
    struct te_state *t = te_of(v);
    struct cpu_frame *r = &v->regs;
    uint16_t sel;
    int faulted = 0;

    switch (in->op) {
    case TE_CLI:
        if (t->vif) {
            t->vif_off_eip = r->eip;
            t->vif_off_by = "cli";
        }
        t->vif = 0;
        break;
    case TE_STI:
        t->vif = 1;
        break;
    case TE_HLT:
        r->eip += in->len;
        if (!t->vif)
            domain_crash(v->domain, "te: hlt with interrupts off at eip %#x: the CPU would "
                         "stop for good", r->eip - in->len);
        t->halted = 1;
        return 1;
    case TE_MOV_FROM_CR: {
        uint32_t val;
        switch (in->reg) {
        case 0: val = t->cr0; break;
        case 2: val = t->cr2; break;
        case 3: val = t->cr3; break;
        case 4: val = t->cr4; break;
        default: te_inject(v, TRAP_UD, 0, 0); return 1;
        }
        *frame_reg(r, in->rm) = val;
        break;
    }
    case TE_MOV_TO_CR: {
        uint32_t val = *frame_reg(r, in->rm);
        switch (in->reg) {
        case 0: guest_write_cr0(v, val); break;
        case 2: t->cr2 = val; break;
        case 3:
            t->cr3 = val;
            if (te_paging_on(t))
                te_load_pdptes(v);
            te_shadow_flush_all(t);
            break;
        case 4: guest_write_cr4(v, val); break;
        default: te_inject(v, TRAP_UD, 0, 0); return 1;
        }
        break;
    }
    case TE_LMSW:
        faulted = read_rm16(v, in, &sel);
        if (!faulted)
            guest_write_cr0(v, (t->cr0 & ~0xEu) | (sel & 0xFu) | (t->cr0 & CR0_PE));
        break;
    case TE_CLTS:
        t->cr0 &= ~CR0_TS;
        break;
    case TE_LGDT:
        faulted = do_lgdt(v, in);
        break;
    case TE_LIDT:
        faulted = read_table_pointer(v, in, &t->idt_limit, &t->idt_base);
        break;
    case TE_LTR:
        faulted = read_rm16(v, in, &sel) || do_ltr(v, sel);
        break;
    case TE_LLDT:
        faulted = read_rm16(v, in, &sel);
        if (!faulted && (sel & ~3u))
            domain_crash(v->domain, "te: lldt %#x: LDTs are not supported", sel);
        if (!faulted)
            t->ldtr = 0;
        break;
    case TE_SGDT: case TE_SIDT: case TE_SLDT: case TE_STR: case TE_SMSW:
        faulted = umip_read(v, in);
        break;
    case TE_INVLPG:
        te_shadow_invlpg(t, ea(v, in));
        break;
    case TE_IN:
    case TE_OUT:
        faulted = do_io(v, in);
        break;
    case TE_IRET:
    case TE_LRET:
        if (do_far_return(v, in->op == TE_IRET) == 0)
            return 1;                           /* EIP is the popped one */
        faulted = 1;
        break;
    case TE_MOV_TO_SS:
        faulted = read_rm16(v, in, &sel) || load_ss(v, sel);
        break;
    case TE_POP_SS: {
        uint32_t w;
        faulted = te_access_linear(v, r->esp, &w, 4, 0, 0) || load_ss(v, (uint16_t)w);
        if (!faulted)
            r->esp += 4;
        break;
    }
    case TE_RDMSR:
    case TE_WRMSR:
        faulted = do_msr(v, in->op == TE_WRMSR);
        break;
    case TE_WBINVD:
    case TE_INVD:
        break;
    case TE_STRING_IO:
        domain_crash(v->domain, "te: ins/outs at eip %#x: string I/O is not supported", r->eip);
    default:
        return 0;
    }
    if (!faulted)
        r->eip += in->len;
    return 1;
}

void te_general_protection(struct vcpu *v)
{
    struct te_state *t = te_of(v);
    struct cpu_frame *r = &v->regs;
    uint8_t insn[15];
    struct te_insn in;
    size_t n = fetch(v, insn);
    int decoded = n && te_decode(insn, n, &in);
    int user = (r->cs & 3) == 3;

    if ((r->error & 3) == 2) {                  /* int n through a gate of lower DPL */
        unsigned vec = (r->error >> 3) & 0xFF;
        if (decoded && (in.op == TE_INT || in.op == TE_INT3 || in.op == TE_INTO)) {
            t->emulated[in.op][user]++;
            te_soft_int(v, vec, in.len);
            return;
        }
    }
    if (decoded && r->error == 0 && user && !(t->cr4 & CR4_UMIP) &&
        (in.op == TE_SGDT || in.op == TE_SIDT || in.op == TE_SLDT || in.op == TE_STR ||
         in.op == TE_SMSW)) {
        t->emulated[in.op][1]++;                /* UMIP on the real CPU, not the guest's */
        if (umip_read(v, &in) == 0)
            r->eip += in.len;
        return;
    }
    if (decoded && !user && emulate_kernel(v, &in)) {
        t->emulated[in.op][0]++;
        return;
    }
    te_inject(v, TRAP_GP, 1, r->error);
}

void te_trap(struct vcpu *v, uint32_t cr2)
{
    struct cpu_frame *r = &v->regs;
    switch (r->vector) {
    case TRAP_PF:
        te_page_fault(v, cr2, r->error);
        return;
    case TRAP_GP:
        te_general_protection(v);
        return;
    case TRAP_BP:
    case TRAP_OF:
    case PV86_HYPERCALL_VECTOR:
        /* int3, into, int $0x82: gates the CPU let through; EIP is already
         * past the instruction, so back up for soft_int's DPL check. */
        r->eip -= r->vector == PV86_HYPERCALL_VECTOR ? 2 : 1;
        te_of(v)->emulated[r->vector == TRAP_BP ? TE_INT3 : r->vector == TRAP_OF ? TE_INTO
                                                                  : TE_INT][ring_of(v)]++;
        te_soft_int(v, r->vector, r->vector == PV86_HYPERCALL_VECTOR ? 2 : 1);
        return;
    case TRAP_NMI:
    case TRAP_MC:
        printk("ignoring %s while running d%u\n", trap_name(r->vector), v->domain->id);
        return;
    case TRAP_DF:
        domain_crash(v->domain, "double fault at eip %#x", r->eip);
    default:
        te_inject(v, r->vector, vector_has_error(r->vector), r->error);
        return;
    }
}
