/*
 * pv_mm: the memory hypercalls of the spine: update_va_mapping (one L1
 * entry of the current address space) and set_gdt. Each checks ownership
 * and frame types through the frame table, so a guest never maps a frame it
 * does not own, and never maps a page table or descriptor page writable.
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/descriptor.h"
#include "arch/x86/layout.h"
#include "core/domain.h"
#include "core/hypercall.h"
#include "mm/mm.h"

int32_t do_update_va_mapping(struct vcpu *v, uint32_t va, uint32_t lo, uint32_t hi,
                             uint32_t flags, uint32_t a5)
{
    uint32_t l1_mfn;
    unsigned idx;
    uint64_t pte = ((uint64_t)hi << 32) | lo;
    (void)a5;

    if (va >= HYPERVISOR_VIRT_START)
        return -XEN_EINVAL;
    if ((flags & UVMF_FLUSHTYPE_MASK) == 3)
        return -XEN_EINVAL;
    if (!(flags & UVMF_ALL) && (flags & ~7u)) {
        uint32_t mask;                  /* a pointer to a vCPU bitmap */
        if (copy_from_guest(v, &mask, flags & ~7u, sizeof(mask)))
            return -XEN_EFAULT;
    }
    if (guest_l1e_slot(&hv_mm_ops, v->l3_mfn, va, &l1_mfn, &idx))
        return -XEN_EINVAL;
    int rc = l1e_get(&hv_mm_ops, v->domain->id, pte);
    if (rc)
        return rc;
    uint64_t *l1 = mfn_to_virt(l1_mfn);
    uint64_t old = l1[idx];
    l1[idx] = pte;
    l1e_put(&hv_mm_ops, old);
    /* Every return to a guest reloads CR3 and pv86 maps nothing global, so
     * every flush type (local, all, invlpg) is satisfied on the way out. */
    return 0;
}

/* Take a frame as a descriptor page: owned, not writable anywhere, and on
 * first use every one of its 512 descriptors checked (and fixed up). */
static int get_gdt_frame(struct domain *d, uint32_t mfn)
{
    struct page_info *pg = hv_mm_ops.page(NULL, mfn);
    if (!pg || pg->owner != d->id || (pg->flags & PGF_XENHEAP))
        return -XEN_EINVAL;
    if (page_get_type(pg, PGT_seg_desc))
        return -XEN_EINVAL;
    if (pg->type_count == 1) {
        uint32_t *desc = mfn_to_virt(mfn);
        for (unsigned i = 0; i < 512; i++) {
            if (!desc_check(&desc[2 * i], &desc[2 * i + 1])) {
                page_put_type(pg);
                return -XEN_EINVAL;
            }
        }
    }
    page_get(pg);
    return 0;
}

static void put_gdt_frame(uint32_t mfn)
{
    struct page_info *pg = hv_mm_ops.page(NULL, mfn);
    page_put_type(pg);
    page_put(pg);
}

int32_t do_set_gdt(struct vcpu *v, uint32_t frame_list, uint32_t entries, uint32_t a3,
                   uint32_t a4, uint32_t a5)
{
    uint32_t frames[FIRST_RESERVED_GDT_PAGE];
    (void)a3, (void)a4, (void)a5;

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -XEN_EINVAL;
    uint32_t n = (entries + 511) / 512;
    if (n && copy_from_guest(v, frames, frame_list, n * 4))
        return -XEN_EFAULT;
    for (uint32_t i = 0; i < n; i++) {
        int rc = get_gdt_frame(v->domain, frames[i]);
        if (rc) {
            while (i--)
                put_gdt_frame(frames[i]);
            return rc;
        }
    }
    for (uint32_t i = 0; i < v->gdt_nframes; i++)
        put_gdt_frame(v->gdt_frames[i]);
    memcpy(v->gdt_frames, frames, n * 4);
    v->gdt_nframes = n;
    v->gdt_ents = entries;

    /* The GDT pages of the switcher region now show these frames. */
    uint64_t *l1 = mfn_to_virt(v->domain->switcher_l1_mfn);
    for (uint32_t i = 0; i < FIRST_RESERVED_GDT_PAGE; i++) {
        uint32_t m = i < n ? frames[i] : mm_zero_mfn();
        l1[l1_index(SW_GDT_VA) + i] = ((uint64_t)m << PAGE_SHIFT) | _PAGE_PRESENT |
                                      _PAGE_ACCESSED;
    }
    return 0;
}
