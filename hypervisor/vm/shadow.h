/*
 * shadow: the shadow page tables of a ring-1 guest, a virtual TLB. A
 * shadow entry is filled on the fault of its first use from a walk of the
 * guest's own tables and dropped at the guest's invlpg; a CR3 write drops
 * them all but those of the PAE slots whose tables it tracks and nobody
 * wrote (vm/keep.h), which a refill would give again.
 */
#ifndef HV_VM_SHADOW_H
#define HV_VM_SHADOW_H

#include <stdint.h>

struct vcpu;
struct vx_cpu;

/* Every shadow entry dropped, nothing tracked any more (CR0, CR4, the
 * pool used up, a frame newly write-protected). */
void vx_shadow_flush_all(struct vx_cpu *x);
/* A CR3 write (x->cr3 and, under PAE, x->pdpte loaded): the shadows of
 * clean tracked slots with the same PDPTE stay, the others are dropped,
 * and tracking starts where vm/keep.h says (everything dropped then). */
void vx_shadow_new_cr3(struct vx_cpu *x);
/* Guest frame gpfn is about to be written, by the guest (a write fault)
 * or by the hypervisor for it (vm/vmem.h's copies, bt's emulated
 * stores): if it is a tracked table, the slots holding it are dirty. */
void vx_shadow_table_write(struct vx_cpu *x, uint32_t gpfn);
void vx_shadow_invlpg(struct vx_cpu *x, uint32_t va);
/* Load the PDPTEs at cr3, as a PAE CPU does at a CR3 load: 0, or -1
 * (nothing changed) if one has reserved bits set: the caller's #GP(0). */
int vx_load_pdptes(struct vcpu *v, uint32_t cr3);
/* Write protection of guest frame gpfn (bt: a frame it translated code
 * from): every shadow entry that maps it becomes read-only (all are
 * dropped: the shadows are a virtual TLB) and later fills of it are
 * read-only even where the guest's entry is writable and dirty; a write
 * the guest's tables allow then goes to x->code_write (vm/vcpu.h) instead
 * of a fill. Unprotect: later write faults fill writable again. Writes the
 * hypervisor makes itself (vm/vmem.h: delivery frames, ins) do not go
 * through the shadows and are not caught. gpfn beyond the guest's RAM:
 * nothing. */
void vx_shadow_protect(struct vx_cpu *x, uint32_t gpfn);
void vx_shadow_unprotect(struct vx_cpu *x, uint32_t gpfn);
int vx_shadow_is_protected(const struct vx_cpu *x, uint32_t gpfn);
/* The hypervisor's pointer to guest linear va (good to the end of its
 * page) if the shadow entry there allows the access (write, user), else
 * NULL (walk the guest's tables): a TLB hit, no A/D bit set. */
void *vx_shadow_ptr(const struct vx_cpu *x, uint32_t va, int write, int user);
/* A page fault at va (hw_error the CPU's error code), on the guest's
 * context (v->regs: its registers and EIP; bt puts the guest's EIP there
 * first): a missing shadow entry is filled; what the guest's tables refuse
 * is its own #PF; an access to a device of the virtual PC (the LAPIC
 * page: vplatform_mmio_decodes) is emulated, and the instruction has
 * completed; another page beyond the guest's RAM crashes the domain. */
enum vx_pf_result {
    VX_PF_FILLED = 0,        /* a shadow entry filled: the instruction runs again */
    VX_PF_GUEST_FAULT,       /* the guest's #PF injected */
    VX_PF_EMULATED,          /* the access emulated: EIP past it (resume there) */
    VX_PF_CODE_WRITE,        /* handed to x->code_write (a protected frame) */
};
int vx_page_fault(struct vcpu *v, uint32_t va, uint32_t hw_error);
/* The same when it is a fill only: 1 if the shadow entry was filled (the
 * access may go again), else 0 with nothing the guest sees done (its #PF,
 * a write to a protected frame: vx_page_fault's to give). */
int vx_shadow_fill(struct vcpu *v, uint32_t va, uint32_t hw_error);

#endif
