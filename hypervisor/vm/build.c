/*
 * build: the part of a te or hw domain's build that does not depend on
 * the mode (see build.h).
 */
#include "vm/build.h"

#include "core/domain.h"
#include "core/panic.h"
#include "mm/frame_table.h"
#include "mm/mm.h"

void vm_build_common(struct domain *d, const struct mode_ops *mode, void *state,
                     struct gpmem *mem, uint32_t nr_pages, const void *image,
                     const struct elf_xen_info *info, const char *cmdline,
                     struct mb_boot *boot)
{
    d->mode = mode;
    d->mode_state = state;
    d->nr_pages = nr_pages;
    if (gpmem_alloc(mem, d->id, nr_pages))
        panic("frame allocator ran dry after its count said otherwise");
    mb_load(mem, image, info, cmdline, boot);

    if (mm_alloc_frame(d->id, &d->shared_info_mfn) || mm_new_switcher_l1(&d->switcher_l1_mfn))
        panic("out of memory building d%u", d->id);
    frame_table[d->shared_info_mfn].flags |= PGF_XENHEAP;
    d->shared_info = mfn_to_virt(d->shared_info_mfn);
    d->shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    d->vcpu.vcpu_info = &d->shared_info->vcpu_info[0];
    evtchn_init(&d->evtchn, d->id, d->shared_info);
}
