/*
 * traps: what happens when a guest traps into the hypervisor.
 *
 * hv_trap_entry runs on the hypervisor stack in the hypervisor's address
 * space. It copies the frame off the (guest-writable) entry stack into the
 * vCPU, then: hypercall (int $0x82), device interrupt, or exception. An
 * exception the hypervisor does not emulate is bounced to the guest kernel's
 * handler with Xen's frame. Then return_to_guest() leaves through the
 * switcher. Nothing here trusts a value the guest controls.
 */
#include "arch/x86/traps.h"

#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/debugreg.h"
#include "arch/x86/descriptor.h"
#include "arch/x86/emulate.h"
#include "arch/x86/fpu.h"
#include "arch/x86/priv_op.h"
#include "arch/x86/sysenter.h"
#include "core/console.h"
#include "core/domain.h"
#include "core/hypercall.h"
#include "core/panic.h"
#include "core/prof.h"
#include "mm/mm.h"
#include "mm/ptwr.h"

extern char switcher_exit_pops[], switcher_exit_iret[], switcher_exit_end[], sysenter_entry[];

_Static_assert(EFLAGS_VM_BIT == EFLAGS_VM, "EFLAGS.VM for the switcher");

static const char *const names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available",
    "#DF double fault", "coprocessor overrun", "#TS invalid TSS",
    "#NP segment not present", "#SS stack fault", "#GP general protection",
    "#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
    "#MC machine check", "#XM SIMD error", "#VE virtualization",
    "#CP control protection",
};

const char *trap_name(unsigned vector)
{
    if (vector < 32 && names[vector])
        return names[vector];
    return "software interrupt";
}

int vector_has_error(unsigned v)
{
    return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;
}

/* Base of a data segment the guest uses for its stack: flat ones are 0; a
 * selector of the guest's own GDT or LDT is read from its (validated)
 * descriptor frames. */
static int stack_segment_base(struct vcpu *v, uint32_t sel, uint32_t *base)
{
    sel &= 0xFFFF;
    if ((sel & ~3u) == (FLAT_RING1_DS & ~3u) || (sel & ~3u) == (FLAT_RING3_DS & ~3u)) {
        *base = 0;
        return 0;
    }
    uint32_t index = sel >> 3;
    const uint32_t *frames = (sel & 4) ? v->ldt_frames : v->gdt_frames;
    if (index >= ((sel & 4) ? v->ldt_ents : v->gdt_ents))
        return -1;
    const uint32_t *desc = (uint32_t *)mfn_to_virt(frames[index / 512]) + (index % 512) * 2;
    *base = desc_base(desc[0], desc[1]);
    return 0;
}

/*
 * Enter the guest kernel at cs:eip with Xen's bounce frame on its stack
 * (the kernel stack from stack_switch when coming from ring 2 or 3, as
 * Xen's 32-bit bounce frame does: desc_ring_is_outer):
 *   [error code,] EIP, CS | saved upcall mask << 16, EFLAGS, [ESP, SS]
 * EFLAGS.IF in the frame is !upcall_mask; mask_events sets the mask.
 */
void bounce_to(struct vcpu *v, uint16_t cs, uint32_t eip, int mask_events,
               int has_error, uint32_t error, const char *what)
{
    struct domain *d = v->domain;
    struct cpu_frame *r = &v->regs;
    int from_user = desc_ring_is_outer(r->cs);
    uint32_t ss, sp, base, words[7], n = 0;

    PROF_PUSH(PROF_BOUNCE);
    if (from_user) {
        if (!v->kernel_ss)
            domain_crash(d, "cannot deliver %s from ring %u: no kernel stack "
                         "(stack_switch never called)", what, (unsigned)(r->cs & 3));
        ss = v->kernel_ss;
        sp = v->kernel_sp;
    } else {
        ss = r->ss;
        sp = r->esp;
    }
    if (stack_segment_base(v, ss, &base) || base != 0)
        domain_crash(d, "cannot deliver %s: stack segment %#x is not flat", what, ss & 0xFFFF);

    uint8_t mask = v->vcpu_info->evtchn_upcall_mask;
    /* TF, RF and NT stay in the image, as in Xen's compat bounce frame: an
     * iret resumes a single step, RF steps past an instruction breakpoint,
     * and the guest sees the NT it set (the handler itself runs without
     * it, and no exit of the hypervisor's ever has it). */
    uint32_t eflags = r->eflags & ~(EFLAGS_IF | EFLAGS_IOPL | EFLAGS_VM);
    if (!mask)
        eflags |= EFLAGS_IF;
    if (__builtin_expect(d->vm_assist & (1u << VMASST_TYPE_architectural_iopl), 0))
        eflags |= v->priv.physdev.iopl; /* Xen: the virtual IOPL shows */
    if (has_error)
        words[n++] = error;
    words[n++] = r->eip;
    words[n++] = (r->cs & 0xFFFF) | ((uint32_t)mask << 16);
    words[n++] = eflags;
    if (from_user) {
        words[n++] = r->esp;
        words[n++] = r->ss & 0xFFFF;
    }
    sp -= n * 4;
    if (copy_to_guest(v, sp, words, n * 4))
        domain_crash(d, "cannot deliver %s: kernel stack %#x:%#x not writable",
                     what, ss & 0xFFFF, sp + n * 4);

    if (mask_events)
        v->vcpu_info->evtchn_upcall_mask = 1;
    r->cs = desc_fixup_code_selector(cs);
    r->eip = eip;
    r->ss = ss;
    r->esp = sp;
    r->eflags &= ~(EFLAGS_TF | EFLAGS_NT | EFLAGS_VM | EFLAGS_RF);
    PROF_POP();
}

void bounce_exception(struct vcpu *v, unsigned vector, int has_error, uint32_t error)
{
    struct domain *d = v->domain;
    const struct trap_info *ti = &v->traps[vector & 0xFF];

    if (!ti->address) {
        if (vector == TRAP_PF)
            domain_crash(d, "unhandled %s at eip %#x, cr2 %#x, error %#x (no handler)",
                         trap_name(vector), v->regs.eip, v->vcpu_info->arch.cr2, error);
        if (has_error)
            domain_crash(d, "unhandled %s (vector %u) at eip %#x, error %#x (no handler)",
                         trap_name(vector), vector, v->regs.eip, error);
        domain_crash(d, "unhandled %s (vector %u) at eip %#x (no handler)",
                     trap_name(vector), vector, v->regs.eip);
    }
    d->stats.bounced++;
    bounce_to(v, ti->cs, ti->address, TI_GET_IF(ti), has_error, error, trap_name(vector));
}

void deliver_pending_upcall(struct vcpu *v)
{
    struct vcpu_info *vi = v->vcpu_info;
    if (!vi->evtchn_upcall_pending || vi->evtchn_upcall_mask || !v->event_cb.eip)
        return;
    v->domain->stats.upcalls++;
    bounce_to(v, (uint16_t)v->event_cb.cs, v->event_cb.eip, 1, 0, 0, "an event upcall");
}

/* Up to 15 instruction bytes at the guest's EIP; how many could be read.
 * A page is readable whole or not at all, so this is a copy from EIP's
 * page and, if the instruction may go on, one from the next. */
size_t fetch_insn(struct vcpu *v, uint8_t *buf)
{
    uint32_t eip = v->regs.eip;
    uint32_t first = PAGE_SIZE - (eip & (PAGE_SIZE - 1));
    if (first > X86_MAX_INSN_LEN)
        first = X86_MAX_INSN_LEN;
    if (copy_from_guest(v, buf, eip, first))
        return 0;
    if (first == X86_MAX_INSN_LEN ||
        copy_from_guest(v, buf + first, eip + first, X86_MAX_INSN_LEN - first))
        return first;
    return X86_MAX_INSN_LEN;
}

uint32_t *frame_reg(struct cpu_frame *r, int reg)
{
    switch (reg) {
    case 0: return &r->eax;
    case 1: return &r->ecx;
    case 2: return &r->edx;
    case 3: return &r->ebx;
    case 4: return &r->esp;
    case 5: return &r->ebp;
    case 6: return &r->esi;
    default: return &r->edi;
    }
}

/* #GP(0): the privileged instructions Xen's PV emulation handles
 * (arch/x86/priv_op.c). */
static int emulate_privileged(struct vcpu *v)
{
    return priv_op_emulate(v);
}

static void emulate_forced_cpuid(struct vcpu *v)
{
    uint32_t regs[4];
    cpuid_count(v->regs.eax, v->regs.ecx, regs);
    emul_cpuid_filter(v->regs.eax, v->regs.ecx, regs, hypervisor_version());
    v->regs.eax = regs[0];
    v->regs.ebx = regs[1];
    v->regs.ecx = regs[2];
    v->regs.edx = regs[3];
    v->regs.eip += XEN_FORCED_CPUID_LEN;
    debugreg_insn_retired(v);
}

static void handle_exception(struct vcpu *v, uint32_t cr2)
{
    struct cpu_frame *r = &v->regs;
    unsigned vec = r->vector;

    switch (vec) {
    case TRAP_PF:
        /* A kernel's write to its own L1 table, if it asked for that. */
        if ((r->error & PTWR_PFEC_MASK) == PTWR_PFEC_WANT && ptwr_page_fault(v, cr2))
            return;
        v->vcpu_info->arch.cr2 = cr2;
        bounce_exception(v, vec, 1, r->error);
        return;
    case TRAP_GP:
        if ((r->error & 3) == 2) {
            /* `int n` through a gate whose DPL is below the caller's ring:
             * the virtual trap table decides (#BP/#OF have DPL 3 gates),
             * with Xen's rule for the caller's ring. */
            unsigned n = r->error >> 3;
            const struct trap_info *ti = &v->traps[n & 0xFF];
            if (n < 256 && ti->address && desc_softint_permitted(TI_GET_DPL(ti), r->cs)) {
                r->eip += 2;
                bounce_exception(v, n, 0, 0);
                return;
            }
        } else if (r->error == 0 && emulate_privileged(v)) {
            return;
        }
        bounce_exception(v, vec, 1, r->error);
        return;
    case TRAP_UD: {
        uint8_t insn[15];
        size_t n = fetch_insn(v, insn);
        if (emul_is_forced_cpuid(insn, n)) {
            emulate_forced_cpuid(v);
            return;
        }
        bounce_exception(v, vec, 0, 0);
        return;
    }
    case TRAP_NM:
        fpu_device_not_available(v);
        return;
    case TRAP_DB:
        debugreg_guest_trap(v);         /* DR6 for get_debugreg(6), then bounced */
        return;
    case TRAP_NMI:
    case TRAP_MC:
        printk("ignoring %s while running d%u\n", trap_name(vec), v->domain->id);
        return;
    case TRAP_DF:
        domain_crash(v->domain, "double fault at eip %#x", r->eip);
    case SW_VEC_SYSENTER:
        sysenter_deliver(v);
        return;
    default:
        bounce_exception(v, vec, vector_has_error(vec), r->error);
        return;
    }
}

/* The CPU refused the frame we handed it on exit: a guest segment or
 * EIP it cannot load. Xen's answer: the failsafe callback if there is one,
 * else the domain dies. The entry stack may hold that guest's registers
 * below the frame: wipe it. */
static void failed_exit(struct vcpu *v, const struct cpu_frame *f)
{
    memset((void *)(SW_STACK_TOP - 4096), 0, 4096 - FRAME_SIZE);
    if (f->eip < (uint32_t)(uintptr_t)switcher_exit_iret && v->failsafe_cb.eip) {
        /* Failsafe frame: ds, es, fs, gs, then a normal bounce frame. The
         * segments go to null so the next exit cannot fail the same way. */
        uint32_t segs[4] = { v->regs.ds & 0xFFFF, v->regs.es & 0xFFFF,
                             v->regs.fs & 0xFFFF, v->regs.gs & 0xFFFF };
        v->regs.ds = v->regs.es = v->regs.fs = v->regs.gs = 0;
        bounce_to(v, (uint16_t)v->failsafe_cb.cs, v->failsafe_cb.eip,
                  v->failsafe_flags & CALLBACKF_mask_events, 0, 0, "the failsafe callback");
        v->regs.esp -= sizeof(segs);
        if (copy_to_guest(v, v->regs.esp, segs, sizeof(segs)))
            domain_crash(v->domain, "cannot deliver the failsafe callback");
        return;
    }
    domain_crash(v->domain, "return to guest refused by the CPU (%s, error %#x): "
                 "cs %#x eip %#x ss %#x ds %#x es %#x fs %#x gs %#x",
                 trap_name(f->vector), f->error, v->regs.cs & 0xFFFF, v->regs.eip,
                 v->regs.ss & 0xFFFF, v->regs.ds & 0xFFFF, v->regs.es & 0xFFFF,
                 v->regs.fs & 0xFFFF, v->regs.gs & 0xFFFF);
}

void irq_handle(unsigned vector)
{
    if (vector == 0x20) {
        outb(0x20, 0x20);               /* EOI before the work: ticks queue up */
        time_tick();
    }
    /* Every other line is masked: spurious (IRQ 7/15), nothing to do. */
}

void hv_irq_idle(struct cpu_frame *f)
{
    irq_handle(f->vector);
}

/* The frame the switcher handed us is a guest's (switcher.S decided by
 * the CPU's state), but not every guest frame can be taken as it is. */
static void check_frame(struct vcpu *v, const struct cpu_frame *f)
{
    if (__builtin_expect(f->vector == TRAP_DB, 0) && (f->eflags & EFLAGS_VM || !(f->cs & 3)))
        debugreg_discard_dr6();     /* the SYSENTER step, or the domain ends */
    if (f->eflags & EFLAGS_VM) {
        /* QEMU's TCG lets an iret at any CPL enter virtual-8086 mode (a
         * CPU does so only at CPL 0). pv86 does not serve vm86: the domain
         * ends here, whatever trapped (an interrupt is still taken). */
        if (f->vector >= 0x20 && f->vector < 0x30)
            irq_handle(f->vector);
        domain_crash(v->domain, "entered virtual-8086 mode (cs %#x, eip %#x)",
                     f->cs & 0xFFFF, f->eip & 0xFFFF);
    }
    if ((f->cs & 3) == 0) {
        uint32_t eip = f->eip;
        if ((f->cs & 0xFFFF) == HV_CS && eip >= (uint32_t)(uintptr_t)switcher_exit_pops &&
            eip < (uint32_t)(uintptr_t)switcher_exit_end) {
            failed_exit(v, f);
            resume_guest();
        }
        /* SYSENTER with TF set: the CPU's single-step trap after it. */
        if ((f->cs & 0xFFFF) == HV_CS && eip == (uint32_t)(uintptr_t)sysenter_entry &&
            f->vector == TRAP_DB)
            sysenter_single_stepped(v, f);
        /* Guest context at CPL 0: no guest may get there. */
        domain_crash(v->domain, "trapped at ring 0 (cs %#x, eip %#x)", f->cs & 0xFFFF, eip);
    }
}

void hv_trap_entry(struct cpu_frame *f)
{
    PROF_BEGIN();
    uint32_t cr2 = read_cr2();
    struct vcpu *v = current_vcpu();

    check_frame(v, f);
    v->regs = *f;
    /* A 32-bit push of a segment register may write only 16 bits, leaving
     * whatever the guest had left on the entry stack above them. */
    v->regs.cs &= 0xFFFF;
    v->regs.ss &= 0xFFFF;
    v->regs.ds &= 0xFFFF;
    v->regs.es &= 0xFFFF;
    v->regs.fs &= 0xFFFF;
    v->regs.gs &= 0xFFFF;
    PROF_TRAP(v->regs.vector);
    PROF_TO(PROF_DISPATCH);
    if (current_domain->mode && (v->regs.vector < 0x20 || v->regs.vector >= 0x30)) {
        current_domain->stats.traps++;
        if (v->regs.vector == TRAP_DB)
            debugreg_discard_dr6();     /* te keeps the guest's DR6 itself */
        if (!current_domain->mode->trap)
            domain_crash(current_domain, "%s mode: trap %u through the switcher",
                         current_domain->mode->name, (unsigned)v->regs.vector);
        current_domain->mode->trap(v, cr2);
    } else if (v->regs.vector == PV86_HYPERCALL_VECTOR) {
        hypercall_dispatch(v);
    } else if (v->regs.vector >= 0x20 && v->regs.vector < 0x30) {
        current_domain->stats.interrupts++;
        irq_handle(v->regs.vector);
    } else {
        current_domain->stats.traps++;
        handle_exception(v, cr2);
    }
    resume_guest();
}

/*
 * The hypervisor's own fault. The switcher sends here only a trap taken on
 * the hypervisor's page tables, outside vm86, in HV_CS, that is not a
 * device interrupt (switcher.S). No guest code runs on those page tables,
 * and every entry a guest can cause arrives on its own CR3: traps and
 * interrupts in any ring or in vm86 (check_frame), int n through the
 * direct int $0x80 gate (which never enters the hypervisor: from vm86 QEMU
 * delivers it to the guest kernel, a CPU would raise #GP, a guest trap),
 * and faults of the exit sequence after its CR3 load (failed_exit). So
 * only a bug of the hypervisor's can get here.
 */
void hv_trap_fatal(struct cpu_frame *f)
{
    panic_frame(__FILE__, __LINE__, f, trap_name(f->vector));
}
