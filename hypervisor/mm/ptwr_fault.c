/*
 * ptwr_fault: the hypervisor's side of writable page tables (the rules and
 * the emulation are mm/ptwr.c's, pure): a qualifying #PF of a PV guest is
 * emulated on the vCPU's registers, or left to be bounced.
 */
#include "mm/ptwr.h"

#include "arch/x86/debugreg.h"
#include "arch/x86/emulate.h"
#include "arch/x86/traps.h"
#include "core/domain.h"
#include "mm/mm.h"

int ptwr_page_fault(struct vcpu *v, uint32_t cr2)
{
    struct cpu_frame *r = &v->regs;
    struct domain *d = v->domain;
    uint8_t insn[X86_MAX_INSN_LEN];
    size_t n;

    if (!ptwr_fault_qualifies(r->error, r->cs, r->eflags, cr2, d->vm_assist))
        return 0;
    /* The instruction: what is readable of 15 bytes at EIP. */
    n = fetch_insn(v, insn);
    if (n == 0)
        return 0;

    struct ptwr_regs g = {
        { r->eax, r->ecx, r->edx, r->ebx, r->esp, r->ebp, r->esi, r->edi },
        r->eip, r->eflags,
    };
    if (!ptwr_emulate(&hv_mm_ops, d->id, v->l3_mfn, cr2, insn, n, &g))
        return 0;
    r->eax = g.gpr[0];
    r->ecx = g.gpr[1];
    r->edx = g.gpr[2];
    r->ebx = g.gpr[3];
    r->esp = g.gpr[4];
    r->ebp = g.gpr[5];
    r->esi = g.gpr[6];
    r->edi = g.gpr[7];
    r->eip = g.eip;
    r->eflags = g.eflags;
    /* The entry is in place: the CR3 load on the way back to the guest
     * flushes its TLB, as after an mmu_update. An instruction run with TF
     * set ends in a single-step trap with DR6.BS, as Xen's emulator retires
     * it (pv_ro_page_fault: pv_inject_DB(X86_DR6_BS)), like every other
     * instruction the hypervisor emulates. */
    debugreg_insn_retired(v);
    return 1;
}
