/*
 * guest_ptr: every pointer the hypervisor keeps into memory a guest owns,
 * in one list, and the reference each one holds.
 *
 * Rule (shared/DESIGN.md, "Trust and errors"): a frame the hypervisor
 * writes, or reads as a structure, after the domain has started holds a
 * general reference and a "writable" type reference for as long as the
 * pointer lives, as Xen's get_page_and_type(PGT_writable_page) does for
 * the pages it maps for itself (map_vcpu_info, map_guest_area) and as the
 * backends' mappings do for the console and xenstore rings. A frame with a
 * writable type reference can never become a page table (L1, L2, L3) or a
 * descriptor frame (GDT, LDT) of any domain: every such attempt is a type
 * conflict (-EINVAL, Xen's "Bad type"), as for a frame mapped writable. The
 * references are dropped at teardown, after the pointer is cleared and
 * before domain_release_memory counts what is left.
 *
 * The list (docs/guest-memory.md says the same for readers):
 *
 *   what            who writes / reads it               held
 *   --------------  ----------------------------------  -------------------
 *   shared_info     event channels (pending, mask,      build -> teardown
 *                   vcpu_info selector and upcall
 *                   flags), time records, wallclock.
 *                   A hypervisor (xenheap) page the
 *                   guest maps, also PGF_XENHEAP:
 *                   never a table or descriptor page.
 *   console ring    domU only: the 1 ms drain reads     build -> teardown
 *                   out[] and out_prod, writes out_cons
 *   xenstore page   nobody yet (no xenstored in pv86):  build -> teardown
 *                   held as xenstored's mapping is in
 *                   Xen, so a future server may write it
 *   pirq EOI map    physdev_op pirq_eoi_gmfn: nobody     registration ->
 *                   (no pirq is ever bound), held as     teardown
 *                   Xen holds its global mapping
 *   grant frames    core/grant.c reads entries, sets    first use (setup_table,
 *   (up to 4)       and clears GTF_reading/writing      a map of its grants,
 *                   with cmpxchg. Hypervisor pages      the builder) -> teardown
 *                   (PGF_XENHEAP) the owner maps
 *
 * Written only while the domain is built, before it first runs, and never
 * again, so they hold nothing (as in Xen, whose builder's mappings go away):
 * start_info, the p2m list, the hypercall page, the bootstrap page tables
 * (validated and pinned like any guest's), the boot stack; for te, the
 * multiboot information. Transient writes, each checked when made and not
 * kept: copy_to_guest, the accessed/dirty bits of a software page walk,
 * mmu_update and update_descriptor writes (with a reference taken for the
 * write). vcpu_info, the time records and the event bits all live in
 * shared_info, so they are covered by its entry; a later registered
 * vcpu_info, runstate or time area get an entry here.
 *
 * Pure logic over struct mm_ops: the host unit tests run it on fake frames.
 */
#ifndef HV_CORE_GUEST_PTR_H
#define HV_CORE_GUEST_PTR_H

#include <stdint.h>

#include "mm/pte.h"

enum guest_ptr_kind {
    GUEST_PTR_SHARED_INFO,
    GUEST_PTR_CONSOLE,
    GUEST_PTR_XENSTORE,
    GUEST_PTR_PIRQ_EOI,
    GUEST_PTR_GRANT0,           /* grant-table frames 0-3 (core/grant.c) */
    GUEST_PTR_GRANT1,
    GUEST_PTR_GRANT2,
    GUEST_PTR_GRANT3,
    GUEST_PTR_KINDS,
};

/* The frames behind a domain's pointers; 0 = none (frame 0 is never a
 * domain's: the low 1 MiB is reserved). */
struct guest_ptrs {
    uint32_t mfn[GUEST_PTR_KINDS];
};

/*
 * Take the references for pointer `kind` of domain dom into frame mfn:
 * general + writable type. 0; -XEN_EPERM if the frame is not dom's;
 * -XEN_EBUSY if it is in use as another type (a table or descriptor frame);
 * -XEN_EEXIST if that pointer is held already. On error nothing is taken.
 */
int guest_ptr_take(const struct mm_ops *ops, struct guest_ptrs *gp, uint16_t dom,
                   enum guest_ptr_kind kind, uint32_t mfn);
/* Drop every reference gp holds; the list is empty afterwards. */
void guest_ptr_release_all(const struct mm_ops *ops, struct guest_ptrs *gp);
const char *guest_ptr_name(enum guest_ptr_kind kind);

#endif
