/*
 * trap: the te mode's trap entry. Every exception and `int n` of the
 * guest comes here (the CPU's IDT is the hypervisor's). A #GP in ring 1 is
 * a privileged instruction to emulate (vm/emulate.h, on the shared virtual
 * CPU); a #PF may be only a missing shadow entry (vm/shadow.h); the rest
 * goes to the guest through its own IDT (vm/deliver.h), with the frame a
 * CPU would have pushed in ring 0 (the CS in it has RPL 0, so the guest's
 * iret traps and restores its IF).
 */
#include <pv86/xen.h>

#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"
#include "core/console.h"
#include "core/domain.h"
#include "te/priv.h"
#include "vm/deliver.h"
#include "vm/emulate.h"
#include "vm/shadow.h"
#include "vm/vgdt.h"
#include "vm/walk.h"

void te_general_protection(struct vcpu *v)
{
    uint8_t insn[X86_MAX_INSN_LEN];
    struct te_insn in;
    size_t n = vx_fetch(v, insn);
    te_gp_decoded(v, n && te_decode(insn, n, &in), &in);
}

void te_gp_decoded(struct vcpu *v, int decoded, const struct te_insn *ip)
{
    struct te_state *t = te_of(v);
    struct vx_cpu *x = vx_of(v);
    struct cpu_frame *r = &v->regs;
    struct te_insn in = *ip;
    unsigned cpl = vx_guest_cpl(r->cs), ring = stats_ring(v);

    if ((r->error & 3) == 2) {                  /* int n through a gate of lower DPL */
        unsigned vec = (r->error >> 3) & 0xFF;
        if (decoded && !in.fault && (in.op == TE_INT || in.op == TE_INT3 || in.op == TE_INTO)) {
            t->emulated[in.op][ring]++;
            vx_soft_int(v, vec, in.len);
            return;
        }
    }
    if (!decoded) {
        vx_inject(v, TRAP_GP, 1, r->error);
        return;
    }
    if (in.fault) {                             /* LOCK: #UD; over 15 bytes: #GP(0) */
        if (in.fault == TE_FAULT_UD)
            vx_inject(v, TRAP_UD, 0, 0);
        else
            vx_inject(v, TRAP_GP, 1, 0);
        return;
    }
    switch (vx_privilege(in.op, cpl, x->viopl, (x->cr4 & CR4_UMIP) != 0)) {
    case VX_RAISE_GP:
        vx_inject(v, TRAP_GP, 1, r->error);
        return;
    case VX_CHECK_IO_BITMAP:
        if (!vx_io_permitted(v, &in)) {
            vx_inject(v, TRAP_GP, 1, 0);
            return;
        }
        break;
    case VX_RUN_IT:
        break;
    }
    int tf = (r->eflags & EFLAGS_TF) != 0, completed;
    if (!vx_emulate(v, &in, &completed)) {
        vx_inject(v, TRAP_GP, 1, r->error);
        return;
    }
    t->emulated[in.op][ring]++;
    /* Single-step: the CPU traps after the instruction it completed, and
     * so does te after the one it emulated. */
    if (completed && vx_single_step_after(in.op, tf)) {
        x->dr[6] |= VX_DR6_BS;
        vx_inject(v, TRAP_DB, 0, 0);
    }
}

/* A fault whose error code names a guest ring-1 segment (the shadow GDT's
 * marker) that the guest's ring 0 loads: its CPU would have let it. */
static void check_ring1_selector(struct vcpu *v)
{
    struct cpu_frame *r = &v->regs;
    unsigned vec = r->vector;
    if (vec != VX_TRAP_TS && vec != VX_TRAP_NP && vec != VX_TRAP_SS && vec != TRAP_GP)
        return;
    if (vx_guest_cpl(r->cs) != 0 || (r->error & 6) || (r->error & 0xFFF8u) == 0)
        return;
    if (vx_desc_is_ring1(vx_gdt_entry(v, (r->error & 0xFFF8u) >> 3)))
        vx_refuse_ring1(v, r->error & 0xFFF8u);
}

void te_trap(struct vcpu *v, uint32_t cr2)
{
    struct cpu_frame *r = &v->regs;
    struct vx_cpu *x = vx_of(v);
    if (vx_gdt_fault_fill(v))
        return;                                 /* a GDT entry's first use: again */
    if (x->shadow && r->vector != TRAP_PF) {
        /* The instruction after sti or mov ss has run (its single step,
         * ours unless the guest's TF was set too) or has trapped (a shadow
         * fill keeps the shadow: the instruction runs again). */
        int ours = r->vector == TRAP_DB && !x->shadow_tf;
        vx_intr_shadow_end(v);
        if (ours)
            return;
    }
    check_ring1_selector(v);
    switch (r->vector) {
    case TRAP_PF:
        vx_page_fault(v, cr2, r->error);
        return;
    case TRAP_GP:
        te_general_protection(v);
        return;
    case TRAP_DB:
        /* The CPU's DR6 is the hypervisor's; with no breakpoint armed a
         * #DB with TF in the pushed EFLAGS is a single step. */
        if (r->eflags & EFLAGS_TF)
            vx_of(v)->dr[6] |= VX_DR6_BS;
        vx_inject(v, TRAP_DB, 0, 0);
        return;
    case TRAP_BP:
    case TRAP_OF:
    case PV86_HYPERCALL_VECTOR:
        /* int3, into, int $0x82: gates the CPU let through; EIP is already
         * past the instruction, so back up for soft_int's DPL check. */
        r->eip -= r->vector == PV86_HYPERCALL_VECTOR ? 2 : 1;
        te_of(v)->emulated[r->vector == TRAP_BP ? TE_INT3 : r->vector == TRAP_OF ? TE_INTO
                                                                  : TE_INT][stats_ring(v)]++;
        vx_soft_int(v, r->vector, r->vector == PV86_HYPERCALL_VECTOR ? 2 : 1);
        return;
    case TRAP_NM: {                             /* the FPU, switched lazily (fpu.c) */
        uint8_t insn[15];
        int vec = fpu_te_device_not_available(v, vx_of(v)->cr0, insn, vx_fetch(v, insn));
        if (vec >= 0)
            vx_inject(v, (unsigned)vec, 0, 0);
        return;
    }
    case TRAP_NMI:
    case TRAP_MC:
        printk("ignoring %s while running d%u\n", trap_name(r->vector), v->domain->id);
        return;
    case TRAP_DF:
        domain_crash(v->domain, "double fault at eip %#x", r->eip);
    default:
        vx_inject(v, r->vector, vector_has_error(r->vector), r->error);
        return;
    }
}
