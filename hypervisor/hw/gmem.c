/*
 * gmem: an hw guest's memory as its instructions see it: linear addresses
 * through its own page tables (vm/gwalk.c, in the paging mode its VMCB's
 * CR0, CR4 and EFER say; PDPTEs read at each walk, as QEMU's nested paging
 * does), then guest-physical RAM (vm/gpmem.c). For the exits that touch
 * guest memory: the instruction bytes of an MMIO access, and the data of
 * string I/O. The hypervisor's own page tables are not involved: RAM is
 * reached through the direct map.
 */
#include <string.h>

#include "arch/x86/cpu.h"
#include "hw/priv.h"
#include "mm/pte.h"
#include "vm/gwalk.h"

#define EFER_NXE_BIT (1ull << 11)

static void *mem_at(void *ctx, uint64_t gpa)
{
    const struct hw_state *h = ctx;
    return gpmem_ptr(&h->mem, gpa);
}

int hw_translate(struct hw_state *h, uint32_t va, unsigned access, uint64_t *gpa,
                 uint32_t *error)
{
    const struct svm_save *s = &h->vmcb->s;
    struct gwalk_cpu cpu = {
        .cr0 = (uint32_t)s->cr0, .cr3 = (uint32_t)s->cr3, .cr4 = (uint32_t)s->cr4,
        .nxe = (s->efer & EFER_NXE_BIT) != 0, .maxphy = h->maxphy, .pdpte = NULL,
    };
    struct gwalk w;
    switch (gwalk(&cpu, mem_at, h, va, access | GWALK_SET_AD, &w)) {
    case GWALK_OK:
        *gpa = w.gpa;
        return 0;
    case GWALK_FAULT:
        *error = w.error;
        return 1;
    default:
        *error = 0;
        return 2;
    }
}

int hw_copy_linear(struct hw_state *h, uint32_t va, void *buf, uint32_t len, unsigned access,
                   uint32_t *fault_va, uint32_t *error)
{
    uint8_t *b = buf;
    while (len) {
        uint32_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        uint64_t gpa;
        int rc = hw_translate(h, va, access, &gpa, error);
        if (rc == 0 && gpmem_copy(&h->mem, gpa, b, chunk, (access & GWALK_WRITE) != 0))
            rc = 2;                        /* RAM ends inside it: a device or nothing */
        if (rc) {
            *fault_va = va;
            return rc;
        }
        va += chunk;
        b += chunk;
        len -= chunk;
    }
    return 0;
}

size_t hw_fetch_insn(struct hw_state *h, uint8_t *buf, size_t max)
{
    const struct svm_save *s = &h->vmcb->s;
    uint32_t eip = (uint32_t)(s->cs.base + s->rip);
    unsigned access = GWALK_FETCH | (s->cpl == 3 ? GWALK_USER : 0);
    uint32_t fva, err;
    uint32_t first = PAGE_SIZE - (eip & (PAGE_SIZE - 1));
    if (first > max)
        first = (uint32_t)max;
    if (hw_copy_linear(h, eip, buf, first, access, &fva, &err))
        return 0;
    if (first == max || hw_copy_linear(h, eip + first, buf + first, (uint32_t)max - first,
                                       access, &fva, &err))
        return first;
    return max;
}
