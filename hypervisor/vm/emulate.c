/*
 * emulate: the privileged instructions of a ring-1 guest's kernel on the
 * virtual CPU (see emulate.h): control, debug and descriptor-table
 * registers, far returns and stack-segment loads, MSRs, and the rest of
 * what faults at CPL 1 (port I/O: io.c).
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/descriptor.h"
#include "core/domain.h"
#include "mm/mm.h"
#include "vm/deliver.h"
#include "vm/emulate.h"
#include "vm/pcrules.h"
#include "vm/shadow.h"
#include "vm/vcpu.h"
#include "vm/vgdt.h"
#include "vm/vmem.h"

/* The base of segment register seg (X86_SEG_*) from the shadow GDT: 0 for
 * a null selector (LDTs are refused at lldt). */
uint32_t vx_seg_base(struct vcpu *v, int seg)
{
    const struct cpu_frame *r = &v->regs;
    uint32_t sel = seg == X86_SEG_ES ? r->es : seg == X86_SEG_CS ? r->cs :
                   seg == X86_SEG_SS ? r->ss : seg == X86_SEG_DS ? r->ds :
                   seg == X86_SEG_FS ? r->fs : r->gs;
    if ((sel & ~3u) == 0 || (sel & 4))
        return 0;
    uint64_t d = vx_gdt_entry(v, (sel & 0xFFFF) >> 3);
    return desc_base((uint32_t)d, (uint32_t)(d >> 32));
}

/* The memory operand's linear address: its segment's base plus offset. */
static uint32_t ea(struct vcpu *v, const struct te_insn *in)
{
    const struct cpu_frame *r = &v->regs;
    uint32_t g[8] = { r->eax, r->ecx, r->edx, r->ebx, r->esp, r->ebp, r->esi, r->edi };
    return vx_seg_base(v, te_operand_segment(in)) + te_effective_address(in, g);
}

/* The 16-bit r/m operand: 0, or 1 after a #PF was injected. */
static int read_rm16(struct vcpu *v, const struct te_insn *in, uint16_t *val)
{
    if (in->mod_reg) {
        *val = (uint16_t)*frame_reg(&v->regs, in->rm);
        return 0;
    }
    return vx_access_linear(v, ea(v, in), val, 2, 0, vx_ring_of(v));
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
    return vx_access_linear(v, ea(v, in), &val, 2, 1, vx_ring_of(v));
}

/* mov to CR0 (and lmsw): 0, or 1 after injecting #GP(0). */
static int guest_write_cr0(struct vcpu *v, uint32_t val)
{
    struct vx_cpu *x = vx_of(v);
    if (vx_cr0_invalid(val)) {
        vx_inject(v, TRAP_GP, 1, 0);
        return 1;
    }
    if (!(val & CR0_PE))
        vx_crash(v, "CR0.PE cleared: real mode is not supported");
    /* Turning PAE paging on, or changing CD or NW under it, loads the
     * PDPTEs (SDM Vol. 3, 4.4.1); 32-bit paging has none. */
    int reload = vx_cr0_write_loads_pdptes(x->cr0, val | CR0_ET, x->cr4);
    if (reload && vx_load_pdptes(v, x->cr3)) {
        vx_inject(v, TRAP_GP, 1, 0);             /* a PDPTE with reserved bits */
        return 1;
    }
    /* Paging or WP changed: what every shadow entry allows changes; reloaded
     * PDPTEs may name other L2s than the shadows were built from. */
    uint32_t changed = (x->cr0 ^ (val | CR0_ET)) & (CR0_PG | CR0_WP);
    x->cr0 = val | CR0_ET;
    if (changed || reload)
        vx_shadow_flush_all(x);
    return 0;
}

/* mov to CR4: 0, or 1 after injecting #GP(0). */
static int guest_write_cr4(struct vcpu *v, uint32_t val)
{
    struct vx_cpu *x = vx_of(v);
    if (vx_cr4_invalid(val)) {
        vx_inject(v, TRAP_GP, 1, 0);
        return 1;
    }
    if (val & CR4_VME_PVI)
        vx_crash(v, "CR4.VME/PVI (virtual-8086 extensions) not supported");
    if (vx_paging_on(x) && ((val ^ x->cr4) & CR4_PAE))
        vx_crash(v, "CR4.PAE changed with paging on");
    /* A change of PGE or PSE with PAE paging on reloads the PDPTEs (SDM
     * Vol. 3, 4.4.1); under 32-bit paging there are none. Any change
     * flushes the shadows: PSE and PAE change what the guest's tables
     * mean, PGE drops its global entries. */
    if (vx_paging_on(x) && (val & CR4_PAE) && ((val ^ x->cr4) & (CR4_PGE | CR4_PSE)) &&
        vx_load_pdptes(v, x->cr3)) {
        vx_inject(v, TRAP_GP, 1, 0);
        return 1;
    }
    x->cr4 = val;
    vx_shadow_flush_all(x);
    return 0;
}

/* The 6-byte operand of lgdt/lidt: a 16-bit limit, then the base (24 bits
 * of it with a 16-bit operand size). 0, or 1 after a #PF was injected. */
static int read_table_pointer(struct vcpu *v, const struct te_insn *in, uint16_t *limit,
                              uint32_t *base)
{
    uint8_t b[6];
    if (vx_access_linear(v, ea(v, in), b, 6, 0, 0))
        return 1;
    memcpy(limit, b, 2);
    memcpy(base, b + 2, 4);
    if (in->opsize == 2)
        *base &= 0xFFFFFF;
    return 0;
}

static int do_lgdt(struct vcpu *v, const struct te_insn *in)
{
    uint16_t limit;
    uint32_t base;
    if (read_table_pointer(v, in, &limit, &base))
        return 1;
    vx_gdt_load(v, base, limit);
    return 0;
}

static int do_ltr(struct vcpu *v, uint16_t sel)
{
    struct vx_cpu *x = vx_of(v);
    uint32_t desc[2];
    uint32_t at = x->gdt_base + (sel & ~7u);
    if ((sel & 4) || (sel & ~7u) == 0 || (sel | 7u) > x->gdt_limit ||
        vx_copy_linear(v, at, desc, 8, 0) || ((desc[1] >> 8) & 0x9F) != 0x89) {
        vx_inject(v, TRAP_GP, 1, sel & ~3u);      /* not an available, present 32-bit TSS */
        return 1;
    }
    desc[1] |= 0x200;                          /* busy, as the CPU marks it */
    if (vx_copy_linear(v, at + 4, &desc[1], 4, 1)) {
        vx_inject(v, TRAP_GP, 1, sel & ~3u);
        return 1;
    }
    x->tr = sel;
    x->tss_base = desc_base(desc[0], desc[1]);
    x->tss_limit = (desc[0] & 0xFFFF) | (desc[1] & 0xF0000);
    if (desc[1] & (1u << 23))                  /* G: 4 KiB units */
        x->tss_limit = (x->tss_limit << 12) | 0xFFF;
    return 0;
}

/* A selector the guest loads names one of its ring-1 segments: refused. */
void vx_refuse_ring1(struct vcpu *v, uint32_t sel)
{
    vx_crash(v, "selector %#x is a ring-1 segment: te runs the guest's ring 0 "
                 "in ring 1 and cannot give it a ring 1 of its own", sel & 0xFFFF);
}

/* A data selector of RPL 0 for SS: the CPU refuses it in ring 1; the
 * compressed ring-1 copy of a ring-0 data segment is loaded instead. */
static int load_ss(struct vcpu *v, uint16_t sel)
{
    uint64_t dsc = vx_gdt_entry(v, sel >> 3);
    if ((sel & 3) == 1 || (!(sel & 4) && vx_desc_is_ring1(dsc)))
        vx_refuse_ring1(v, sel);
    int writable_data = (dsc & (1ull << 44)) && !(dsc & (1ull << 43)) && (dsc & (1ull << 41));
    if ((sel & 3) != 0 || (sel & 4) || !writable_data || ((dsc >> 45) & 3) != 1 ||
        !(dsc & (1ull << 47))) {
        vx_inject(v, TRAP_GP, 1, sel & ~3u);
        return 1;
    }
    v->regs.ss = sel | 1;
    return 0;
}

/* iret or lret at the guest's CPL 0 faulted: a return to RPL 0 (the guest
 * kernel itself, run in ring 1) or one the CPU refused for another reason.
 * Pop as the CPU would at CPL 0 (SDM Vol. 2, IRET and RET): to RPL 0 the
 * same ring, to RPL 2 or 3 outward with ESP and SS; an iret takes every
 * flag a CPL-0 iret may change (vx_iret_eflags), IF and IOPL into the
 * virtual CPU. 0, or 1 after injecting a fault. */
int vx_far_return(struct vcpu *v, const struct te_insn *in)
{
    struct vx_cpu *x = vx_of(v);
    struct cpu_frame *r = &v->regs;
    int is_iret = in->op == TE_IRET;
    uint32_t w[5];
    unsigned n = is_iret ? 3 : 2;
    if (in->opsize == 2)
        vx_crash(v, "16-bit %s (operand-size prefix) at eip %#x is not "
                     "supported", is_iret ? "iret" : "lret", r->eip);
    if (is_iret && (r->eflags & EFLAGS_NT))     /* the current NT: a task return */
        vx_crash(v, "iret with EFLAGS.NT set (a task return) at eip %#x is "
                     "not supported", r->eip);
    if (vx_access_linear(v, r->esp, w, n * 4, 0, 0))
        return 1;
    if (is_iret && (w[2] & EFLAGS_VM))
        vx_crash(v, "iret to virtual-8086 mode (EFLAGS.VM) at eip %#x is not "
                     "supported", r->eip);
    uint16_t cs = (uint16_t)w[1];
    uint64_t cd = vx_gdt_entry(v, cs >> 3);
    if ((cs & 3) == 1 || vx_desc_is_ring1(cd))
        vx_refuse_ring1(v, cs);
    unsigned dpl = (unsigned)(cd >> 45) & 3, want = (cs & 3) == 0 ? 1 : cs & 3;
    if ((cs & ~3u) == 0 || (cs & 4) || !(cd & (1ull << 44)) || !(cd & (1ull << 43)) ||
        (!(cd & (1ull << 42)) && dpl != want) || ((cd & (1ull << 42)) && dpl > want)) {
        vx_inject(v, TRAP_GP, 1, cs & ~3u);     /* not a code segment of that ring */
        return 1;
    }
    if (!(cd & (1ull << 47))) {
        vx_inject(v, VX_TRAP_NP, 1, cs & ~3u);
        return 1;
    }
    if ((cs & 3) != 0) {                        /* outward: ESP and SS follow */
        if (vx_access_linear(v, r->esp + n * 4, &w[n], 8, 0, 0))
            return 1;
        r->esp = w[n];
        r->ss = w[n + 1] & 0xFFFF;
    } else {
        r->esp += n * 4;
        cs |= 1;
    }
    if (is_iret) {
        uint32_t f = vx_iret_eflags(w[2]);
        if (!(f & EFLAGS_IF) && x->vif) {
            x->vif_off_eip = r->eip;
            x->vif_off_by = "iret";
        }
        x->vif = (f & EFLAGS_IF) != 0;
        x->viopl = (f & EFLAGS_IOPL) >> 12;
        r->eflags = (f & ~(EFLAGS_IF | EFLAGS_IOPL)) | (r->eflags & (EFLAGS_IF | EFLAGS_IOPL));
    }
    r->cs = cs;
    r->eip = w[0];
    return 0;
}

static int do_msr(struct vcpu *v, int write)
{
    struct vx_cpu *x = vx_of(v);
    struct cpu_frame *r = &v->regs;
    uint32_t msr = r->ecx;
    uint64_t val;
    switch (vx_msr_route(msr)) {
    case VX_MSR_TSC:
        if (!write) {
            uint64_t tsc = rdtsc();
            r->eax = (uint32_t)tsc;
            r->edx = (uint32_t)(tsc >> 32);
        }
        return 0;                               /* writes are ignored */
    case VX_MSR_SYSENTER:
        if (write)
            x->sysenter[msr - 0x174] = r->eax;
        else {
            r->eax = x->sysenter[msr - 0x174];
            r->edx = 0;
        }
        return 0;
    case VX_MSR_PLATFORM:                       /* IA32_APIC_BASE: the LAPIC's */
        if (write && vplatform_wrmsr(&x->plat, msr, ((uint64_t)r->edx << 32) | r->eax) == 0)
            return 0;
        if (!write && vplatform_rdmsr(&x->plat, msr, &val) == 0) {
            r->eax = (uint32_t)val;
            r->edx = (uint32_t)(val >> 32);
            return 0;
        }
        break;
    case VX_MSR_GP:
        break;
    }
    vx_inject(v, TRAP_GP, 1, 0);                   /* as a CPU does for an unknown MSR */
    return 1;
}

/* CR8 in 32-bit code (lock mov to or from CR0), where the CPU the guest
 * sees offers the alias (CPUID 0x80000001 ECX bit 4: te leaves CPUID to
 * the CPU): TPR[7:4] of the platform's LAPIC, as hw (hw/exit.c). */
static int cr8_alias(void)
{
    uint32_t c[4];
    cpuid_count(0x80000000u, 0, c);
    if (c[0] < 0x80000001u)
        return 0;
    cpuid_count(0x80000001u, 0, c);
    return (c[2] >> 4) & 1;
}

static uint32_t cr8_read(struct vx_cpu *x)
{
    uint64_t tpr = 0;
    vplatform_mmio_read(&x->plat, VLAPIC_MMIO_BASE + 0x80, 4, &tpr, time_now());
    return ((uint32_t)tpr >> 4) & 0xF;
}

static void cr8_write(struct vx_cpu *x, uint32_t val)
{
    vplatform_mmio_write(&x->plat, VLAPIC_MMIO_BASE + 0x80, 4, (val & 0xF) << 4, time_now());
}

/* Up to 15 bytes at the guest's EIP (a supervisor fetch, CS flat). */
size_t vx_fetch(struct vcpu *v, uint8_t *buf)
{
    uint32_t eip = v->regs.eip, first = PAGE_SIZE - (eip & 0xFFF);
    if (first > 15)
        first = 15;
    if (vx_copy_linear(v, eip, buf, first, 0))
        return 0;
    if (first < 15 && vx_copy_linear(v, eip + first, buf + first, 15 - first, 0) == 0)
        return 15;
    return first;
}

/* The UMIP-faulting reads: the virtual CPU's values. */
static int umip_read(struct vcpu *v, const struct te_insn *in)
{
    struct vx_cpu *x = vx_of(v);
    switch (in->op) {
    case TE_SGDT:
    case TE_SIDT: {
        uint8_t b[6];
        uint16_t limit = in->op == TE_SGDT ? x->gdt_limit : x->idt_limit;
        uint32_t base = in->op == TE_SGDT ? x->gdt_base : x->idt_base;
        memcpy(b, &limit, 2);
        memcpy(b + 2, &base, 4);
        return vx_access_linear(v, ea(v, in), b, 6, 1, vx_ring_of(v));
    }
    case TE_SLDT: return write_rm16(v, in, x->ldtr);
    case TE_STR: return write_rm16(v, in, x->tr);
    default: return write_rm16(v, in, x->cr0);     /* smsw */
    }
}

/* mov to or from a debug register: the virtual ones. The CPU's own are
 * not armed for the guest (DR0-3 and DR7 are stored, not obeyed). */
static int do_mov_dr(struct vcpu *v, const struct te_insn *in)
{
    struct vx_cpu *x = vx_of(v);
    int n = in->reg;
    if (n == 4 || n == 5) {
        if (x->cr4 & CR4_DE) {
            vx_inject(v, TRAP_UD, 0, 0);
            return 1;
        }
        n += 2;                                  /* DR4/DR5 alias DR6/DR7 */
    }
    uint32_t *reg = frame_reg(&v->regs, in->rm);
    if (in->op == TE_MOV_FROM_DR)
        *reg = x->dr[n];
    else if (n == 6)
        x->dr[6] = (*reg & 0x0000E00Fu) | VX_DR6_INIT;
    else if (n == 7)
        x->dr[7] = (*reg & ~0x0000D800u) | VX_DR7_INIT;
    else
        x->dr[n] = *reg;
    return 0;
}

/* Emulate in, which the guest's CPU would execute at its CPL (vx_privilege
 * said so). 1: done (or a fault injected; *completed says which), 0: not
 * an instruction emulated here. */
int vx_emulate(struct vcpu *v, const struct te_insn *in, int *completed)
{
    struct vx_cpu *x = vx_of(v);
    struct cpu_frame *r = &v->regs;
    uint16_t sel;
    int faulted = 0;

    *completed = 0;
    switch (in->op) {
    case TE_CLI:
        if (x->vif) {
            x->vif_off_eip = r->eip;
            x->vif_off_by = "cli";
        }
        x->vif = 0;
        break;
    case TE_STI:
        if (!x->vif)
            vx_intr_shadow_start(v);
        x->vif = 1;
        break;
    case TE_HLT:
        r->eip += in->len;
        if (!x->vif)
            vx_crash(v, "hlt with interrupts off at eip %#x: the CPU would "
                         "stop for good", r->eip - in->len);
        x->halted = 1;
        *completed = 1;
        return 1;
    case TE_MOV_FROM_CR: {
        uint32_t val;
        switch (in->reg) {
        case 0: val = x->cr0; break;
        case 2: val = x->cr2; break;
        case 3: val = x->cr3; break;
        case 4: val = x->cr4; break;
        case 8:
            if (!cr8_alias())
                goto ud;
            val = cr8_read(x);
            break;
        default: goto ud;
        }
        *frame_reg(r, in->rm) = val;
        break;
    }
    case TE_MOV_TO_CR: {
        uint32_t val = *frame_reg(r, in->rm);
        switch (in->reg) {
        case 0: faulted = guest_write_cr0(v, val); break;
        case 2: x->cr2 = val; break;
        case 3:
            if (vx_paging_on(x) && (x->cr4 & CR4_PAE) && vx_load_pdptes(v, val)) {
                vx_inject(v, TRAP_GP, 1, 0);     /* a PDPTE with reserved bits */
                return 1;
            }
            x->cr3 = val;
            vx_shadow_new_cr3(x);
            break;
        case 4: faulted = guest_write_cr4(v, val); break;
        case 8:
            if (!cr8_alias())
                goto ud;
            cr8_write(x, val);
            break;
        default: goto ud;
        }
        break;
    }
    case TE_LMSW:
        faulted = read_rm16(v, in, &sel);
        if (!faulted)
            faulted = guest_write_cr0(v, (x->cr0 & ~0xEu) | (sel & 0xFu) | (x->cr0 & CR0_PE));
        break;
    case TE_CLTS:
        x->cr0 &= ~CR0_TS;
        break;
    case TE_LGDT:
        faulted = do_lgdt(v, in);
        break;
    case TE_LIDT:
        faulted = read_table_pointer(v, in, &x->idt_limit, &x->idt_base);
        break;
    case TE_LTR:
        faulted = read_rm16(v, in, &sel) || do_ltr(v, sel);
        break;
    case TE_LLDT:
        faulted = read_rm16(v, in, &sel);
        if (!faulted && (sel & ~3u))
            vx_crash(v, "lldt %#x: LDTs are not supported", sel);
        if (!faulted)
            x->ldtr = 0;
        break;
    case TE_SGDT: case TE_SIDT: case TE_SLDT: case TE_STR: case TE_SMSW:
        faulted = umip_read(v, in);
        break;
    case TE_INVLPG:
        vx_shadow_invlpg(x, ea(v, in));
        break;
    case TE_IN:
    case TE_OUT:
        faulted = vx_do_io(v, in);
        break;
    case TE_INS:
    case TE_OUTS: {
        int rc = vx_do_string_io(v, in, vx_seg_base(v, in->seg >= 0 ? in->seg : X86_SEG_DS),
                                 vx_seg_base(v, X86_SEG_ES));
        if (rc == 2)
            return 1;                           /* not finished: it runs again */
        faulted = rc;
        break;
    }
    case TE_IRET:
    case TE_LRET:
        if (vx_far_return(v, in) == 0) {
            *completed = 1;
            return 1;                           /* EIP is the popped one */
        }
        faulted = 1;
        break;
    case TE_MOV_FROM_DR:
    case TE_MOV_TO_DR:
        faulted = do_mov_dr(v, in);
        break;
    case TE_MOV_TO_SS:
        faulted = read_rm16(v, in, &sel) || load_ss(v, sel);
        if (!faulted)
            vx_intr_shadow_start(v);
        break;
    case TE_POP_SS: {
        uint32_t w = 0;
        faulted = vx_access_linear(v, r->esp, &w, in->opsize, 0, 0) || load_ss(v, (uint16_t)w);
        if (!faulted) {
            r->esp += in->opsize;
            vx_intr_shadow_start(v);
        }
        break;
    }
    case TE_RDMSR:
    case TE_WRMSR:
        faulted = do_msr(v, in->op == TE_WRMSR);
        break;
    case TE_WBINVD:
    case TE_INVD:
        break;
    default:
        return 0;
    }
    if (!faulted)
        r->eip += in->len;
    *completed = !faulted;
    return 1;
ud:
    vx_inject(v, TRAP_UD, 0, 0);
    return 1;
}
