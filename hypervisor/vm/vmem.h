/*
 * vmem: the guest's linear memory as its CPU sees it, through its own page
 * tables (vm/vcpu.h's virtual CPU: CR0, CR4, the PDPTEs).
 */
#ifndef HV_VM_VMEM_H
#define HV_VM_VMEM_H

#include <stdint.h>

#include "vm/walk.h"

struct vcpu;

/* Translate va for an access (VX_ACC_*): VX_WALK_OK with w filled (with
 * paging off: the same address, every right), or VX_WALK_FAULT with the
 * guest's #PF error code in w->error. A guest table or page outside its
 * memory crashes the domain. */
int vx_translate(struct vcpu *v, uint32_t va, unsigned access, struct vx_walk *w);
/* The same, but a page outside the guest's RAM is VX_WALK_OK too (w->gpa
 * beyond it: a device's page, vm/mmio.c), for the page-fault path. */
int vx_translate_any(struct vcpu *v, uint32_t va, unsigned access, struct vx_walk *w);
/* Crash the domain: va's page is guest-physical gpa, outside its RAM. */
void vx_crash_beyond_ram(struct vcpu *v, uint32_t va, uint64_t gpa);
/* Copy to/from guest linear memory with the rights of ring 3 (user) or of
 * the guest kernel. 0, or -1 at the first page the guest's tables refuse:
 * its address and #PF error code in *fault_va and *fault_error. */
int vx_copy_linear_as(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write,
                      int user, uint32_t *fault_va, uint32_t *fault_error);
/* For an emulated instruction: 0, or 1 after injecting the guest's #PF. */
int vx_access_linear(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write,
                     int user);
/* As the guest kernel, injecting nothing: 0 or -1. */
int vx_copy_linear(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write);

#endif
