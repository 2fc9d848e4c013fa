/*
 * vmem: the guest's linear memory as its CPU sees it (through its own page
 * tables): see vmem.h.
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "core/domain.h"
#include "mm/mm.h"
#include "vm/deliver.h"
#include "vm/shadow.h"
#include "vm/vcpu.h"
#include "vm/vmem.h"

static void *table_at(void *ctx, uint64_t gpa)
{
    const struct vx_cpu *x = ctx;
    return (gpa & 3) ? NULL : gpmem_ptr(&x->mem, gpa);
}

/* vx_translate (vmem.h), but a page outside the guest's RAM is not
 * refused (its gpa in w: a device's, or the caller crashes the domain). */
int vx_translate_any(struct vcpu *v, uint32_t va, unsigned access, struct vx_walk *w)
{
    struct vx_cpu *x = vx_of(v);
    const struct vx_paging p = {
        .cr0 = x->cr0, .cr3 = x->cr3, .cr4 = x->cr4, .pdpte = x->pdpte, .maxphy = x->maxphy,
    };
    int rc = vx_walk_guest(table_at, x, &p, va, access, w);
    if (rc == VX_WALK_BAD_TABLE)
        vx_crash(v, "a page table for %#x is outside the guest's %u MiB",
                 va, x->mem.nr_pages >> 8);
    return rc;
}

/* The translation's guest-physical address is outside the guest's RAM. */
void vx_crash_beyond_ram(struct vcpu *v, uint32_t va, uint64_t gpa)
{
    vx_crash(v, "%#x is guest-physical %#llx, beyond the guest's %u MiB",
             va, (unsigned long long)gpa, vx_of(v)->mem.nr_pages >> 8);
}

int vx_translate(struct vcpu *v, uint32_t va, unsigned access, struct vx_walk *w)
{
    if (vx_translate_any(v, va, access, w) == VX_WALK_FAULT)
        return VX_WALK_FAULT;
    if (w->gpa >= (uint64_t)vx_of(v)->mem.nr_pages << PAGE_SHIFT)
        vx_crash_beyond_ram(v, va, w->gpa);
    return VX_WALK_OK;
}

/* Copy to/from guest linear memory with the rights of ring 3 (user) or of
 * the guest kernel. 0, or -1 at the first page the guest's tables refuse:
 * its address and #PF error code in *fault_va and *fault_error. */
int vx_copy_linear_as(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write,
                          int user, uint32_t *fault_va, uint32_t *fault_error)
{
    struct vx_cpu *x = vx_of(v);
    uint8_t *p = buf;
    while (len) {
        uint32_t chunk = PAGE_SIZE - (va & 0xFFF);
        if (chunk > len)
            chunk = len;
        /* The shadows' translation when they hold one for this access
         * (a TLB hit: vm/shadow.h), else a walk of the guest's tables. */
        uint8_t *g = vx_shadow_ptr(x, va, write, user);
        if (!g) {
            struct vx_walk w;
            unsigned acc = (write ? VX_ACC_WRITE : 0) | (user ? VX_ACC_USER : 0);
            if (vx_translate(v, va, acc, &w) != VX_WALK_OK) {
                *fault_va = va;
                *fault_error = w.error;
                return -1;
            }
            g = gpmem_ptr(&x->mem, w.gpa);
            /* (A frame with translations is write-protected, and a
             * tracked table read-only: their writes come here.) */
            if (write)
                vx_shadow_table_write(x, (uint32_t)(w.gpa >> PAGE_SHIFT));
            if (write && x->hv_write)
                x->hv_write(v, w.gpa, chunk);
        }
        if (write)
            memcpy(g, p, chunk);
        else
            memcpy(p, g, chunk);
        p += chunk;
        va += chunk;
        len -= chunk;
    }
    return 0;
}

/* For an emulated instruction: 0, or 1 after injecting the guest's #PF. */
int vx_access_linear(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write,
                         int user)
{
    uint32_t fva, err;
    if (vx_copy_linear_as(v, va, buf, len, write, user, &fva, &err) == 0)
        return 0;
    vx_of(v)->cr2 = fva;
    vx_inject(v, TRAP_PF, 1, err);
    return 1;
}

/* As the guest kernel, injecting nothing: 0 or -1. */
int vx_copy_linear(struct vcpu *v, uint32_t va, void *buf, uint32_t len, int write)
{
    uint32_t fva, err;
    return vx_copy_linear_as(v, va, buf, len, write, 0, &fva, &err);
}
