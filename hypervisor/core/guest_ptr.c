/* guest_ptr: the references behind the hypervisor's pointers into guest
 * frames (see guest_ptr.h for the list and the rule). */
#include "core/guest_ptr.h"

#include <pv86/errno.h>

int guest_ptr_take(const struct mm_ops *ops, struct guest_ptrs *gp, uint16_t dom,
                   enum guest_ptr_kind kind, uint32_t mfn)
{
    if ((unsigned)kind >= GUEST_PTR_KINDS || mfn == 0)
        return -XEN_EINVAL;
    if (gp->mfn[kind])
        return -XEN_EEXIST;
    struct page_info *pg = ops->page(ops->ctx, mfn);
    if (!pg || pg->owner != dom)
        return -XEN_EPERM;
    if (page_get_type(pg, PGT_writable))
        return -XEN_EBUSY;
    page_get(pg);
    gp->mfn[kind] = mfn;
    return 0;
}

void guest_ptr_release_all(const struct mm_ops *ops, struct guest_ptrs *gp)
{
    for (unsigned k = 0; k < GUEST_PTR_KINDS; k++) {
        if (!gp->mfn[k])
            continue;
        struct page_info *pg = ops->page(ops->ctx, gp->mfn[k]);
        if (pg) {
            page_put_type(pg);
            page_put(pg);
        }
        gp->mfn[k] = 0;
    }
}

const char *guest_ptr_name(enum guest_ptr_kind kind)
{
    switch (kind) {
    case GUEST_PTR_SHARED_INFO: return "shared_info";
    case GUEST_PTR_CONSOLE: return "console ring";
    case GUEST_PTR_XENSTORE: return "xenstore page";
    case GUEST_PTR_PIRQ_EOI: return "pirq EOI map";
    case GUEST_PTR_GRANT0: return "grant frame 0";
    case GUEST_PTR_GRANT1: return "grant frame 1";
    case GUEST_PTR_GRANT2: return "grant frame 2";
    case GUEST_PTR_GRANT3: return "grant frame 3";
    case GUEST_PTR_KINDS: break;
    }
    return "?";
}
