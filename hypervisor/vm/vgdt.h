/*
 * vgdt: the shadow GDT the CPU runs a ring-1 guest on (vm/vcpu.h: 16
 * pages at SW_GDT_VA, the guest's entries rewritten by vx_desc_shadow and
 * filled at their first use, the hypervisor's in page 14).
 */
#ifndef HV_VM_VGDT_H
#define HV_VM_VGDT_H

#include <stdint.h>

struct vcpu;
struct vx_cpu;

/* Shadow entry index as the CPU sees it now (filled from the guest's GDT
 * if it was not): 0 for the null entry and beyond the guest's limit. A
 * guest descriptor in an entry the hypervisor keeps crashes the domain. */
uint64_t vx_gdt_entry(struct vcpu *v, unsigned index);
/* A fault naming a GDT entry not filled yet: fill it, 1 (the instruction
 * runs again); else 0. */
int vx_gdt_fault_fill(struct vcpu *v);
/* lgdt: the guest's GDTR, every shadow entry dropped. */
void vx_gdt_load(struct vcpu *v, uint32_t base, uint16_t limit);
/* Before every exit: the entries of the six segment registers filled, for
 * the exit reloads them all (the CPU would keep their descriptors; the
 * hypervisor cannot, so they come from the guest's table as it is now). */
void vx_gdt_fill_current(struct vcpu *v);
/* The hypervisor's entries into the shadow's page 14. */
void vx_gdt_hv_entries(struct vx_cpu *x);

#endif
