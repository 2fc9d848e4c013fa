/*
 * sysenter: SYSENTER from a PV guest, as Xen handles it for a 32-bit PV
 * guest. The hypervisor owns the SYSENTER MSRs: CS is its own code segment,
 * ESP the top of the entry stack every trap uses (each vCPU's own frame,
 * mapped at the same address: layout.h), EIP sysenter_entry in the
 * switcher. A guest's SYSENTER, from any ring (and from vm86, which QEMU
 * lets a guest reach), arrives there on the guest's page tables at CPL 0
 * and is handed to the C entry like any trap, as vector SW_VEC_SYSENTER;
 * one made with TF set arrives as the #DB the CPU raises before the first
 * instruction of sysenter_entry. Either way the guest kernel gets Xen's
 * bounce frame (sysenter_rules.h); nothing of it is taken from the entry
 * stack but the guest's registers, which were the guest's anyway.
 *
 * SYSCALL: pv86 never sets EFER.SCE, so SYSCALL is #UD everywhere (as on
 * Xen for a 32-bit PV guest on an Intel CPU). In legacy mode SYSCALL does
 * not switch stacks: its handler's first instructions would run at CPL 0
 * on a stack the guest chose, where an NMI (the watchdog's) or a #DB
 * would be pushed -- a fault there is a triple fault of the whole machine.
 * QEMU's qemu-system-i386 offers SYSCALL on no CPU model (TCG leaves it to
 * the 64-bit build), so there is nothing to lose under QEMU either.
 */
#include <pv86/xen.h>

#include "arch/x86/cpu.h"
#include "arch/x86/layout.h"
#include "arch/x86/msr.h"
#include "arch/x86/sysenter.h"
#include "arch/x86/sysenter_rules.h"
#include "arch/x86/traps.h"
#include "core/domain.h"

#define CPUID1_EDX_SEP        (1u << 11)

extern char sysenter_entry[];

static int have_sep;

void sysenter_init(void)
{
    uint32_t r[4];
    cpuid_count(1, 0, r);
    have_sep = (r[3] & CPUID1_EDX_SEP) != 0;
    if (!have_sep)
        return;                 /* SYSENTER is then #UD, a guest trap like any other */
    wrmsr(MSR_IA32_SYSENTER_ESP, SW_STACK_TOP);
    wrmsr(MSR_IA32_SYSENTER_EIP, (uint32_t)(uintptr_t)sysenter_entry);
    wrmsr(MSR_IA32_SYSENTER_CS, HV_CS);
}

void sysenter_use(const struct domain *d)
{
    /* A te guest's SYSENTER is its own business (te.c keeps its virtual
     * SYSENTER MSRs): with a null SYSENTER_CS the CPU raises #GP(0) at the
     * instruction, a trap te sees with the guest's EIP. */
    static int on = 1;
    int want = !d->mode;
    if (!have_sep || want == on)
        return;
    wrmsr(MSR_IA32_SYSENTER_CS, want ? HV_CS : 0);
    on = want;
}

void sysenter_deliver(struct vcpu *v)
{
    struct cpu_frame *r = &v->regs;
    struct sysenter_target t;
    uint32_t guest_eflags = r->eflags;

    r->eip = SYSENTER_FRAME_EIP;
    r->cs = SYSENTER_FRAME_CS;
    r->esp = SYSENTER_FRAME_ESP;
    r->ss = SYSENTER_FRAME_SS;
    if (sysenter_target(&v->sysenter_cb, v->sysenter_flags, &v->traps[TRAP_GP], &t))
        domain_crash(v->domain, "SYSENTER with no sysenter callback and no #GP handler");
    if (t.gp)
        v->domain->stats.bounced++;
    bounce_to(v, t.cs, t.eip, t.mask_events, t.gp, 0, "a SYSENTER");
    /* Xen's frame keeps the guest's TF and NT (its callback runs without
     * them): put them back into the EFLAGS word bounce_to wrote. */
    uint32_t keep = guest_eflags & (EFLAGS_TF | EFLAGS_NT);
    if (keep) {
        uint32_t at = r->esp + (t.gp ? 12u : 8u), word;
        if (copy_from_guest(v, &word, at, 4) == 0) {
            word |= keep;
            copy_to_guest(v, at, &word, 4);
        }
    }
}

void sysenter_single_stepped(struct vcpu *v, const struct cpu_frame *f)
{
    /* The CPU pushed EIP, CS and EFLAGS only (CPL 0 to CPL 0): nothing of
     * the frame past EFLAGS is read, it lies beyond the entry stack. */
    struct cpu_frame *r = &v->regs;
    r->edi = f->edi, r->esi = f->esi, r->ebp = f->ebp, r->esp0 = 0;
    r->ebx = f->ebx, r->edx = f->edx, r->ecx = f->ecx, r->eax = f->eax;
    r->gs = f->gs & 0xFFFF, r->fs = f->fs & 0xFFFF;
    r->es = f->es & 0xFFFF, r->ds = f->ds & 0xFFFF;
    r->vector = SW_VEC_SYSENTER;
    r->error = 0;
    r->eflags = f->eflags;          /* the guest's, TF set: SYSENTER keeps it */
    v->domain->stats.traps++;
    sysenter_deliver(v);            /* and the #DB is gone, as on Xen */
    resume_guest();
}
