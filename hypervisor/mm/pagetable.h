/*
 * pagetable: Xen's validated direct paging, as pure logic.
 *
 * A PV guest's page tables hold machine frame numbers and are real: the CPU
 * walks them. The guest cannot write them (they are mapped read-only); it
 * asks the hypervisor, which keeps this invariant for every frame:
 *
 *   a frame is in use as at most one type at a time (its type count says
 *   how many references rely on it), and a page table is valid: each entry
 *   maps a frame of the same domain, with the type that level requires.
 *
 * References. Each present entry holds a general reference on the frame it
 * names plus a type reference: L1 entries a "writable" one when RW; L2
 * entries an L1 one; L3 entries an L2 one (slot 3: L2 with the hypervisor
 * slots). A pin and the vCPU's base pointer hold a type reference on their
 * table. A table is validated when its type count goes 0 -> 1 and its entries'
 * references are dropped when it goes back to 0 (recursively), so tearing a
 * domain down releases everything.
 *
 * Errors, Xen's: -XEN_EINVAL (malformed entry: reserved bits, 2 MiB page,
 * L3 slot past 3, slot 3 absent or changed in a table in use; an L2 or L3
 * entry, a pin, an unpin or a base pointer naming a frame that is not the
 * domain's RAM (beyond RAM, above MAXPHYADDR, another domain's, the
 * hypervisor's), as Xen's get_page_and_type_from_mfn; a frame in use as
 * another type, as _get_page_type's "Bad type"), -XEN_EPERM (a hypervisor
 * slot of the slot-3 L2); L1 entries: see l1e_get.
 *
 * Preemption (docs/continuations.md). Validating an L2 may validate 512 L1s,
 * an L3 four such L2s; devalidating them when the last reference goes is as
 * long. The _preemptible calls stop when ops->preempt says so, after at
 * least one entry of progress, and return -PT_ERESTART: the work done is kept
 * in the frame (PGF_PARTIAL, nr_validated) and the same call made again goes
 * on from there. Entries are examined one at a time; between two preemption
 * checks there is at most one entry of the table being worked on, that is
 * at most one whole L1 (512 entries) validated or released.
 * `pending` (never NULL for these calls, 0 on entry) may come back naming a
 * frame left partial whose references the caller now owns: it must release
 * them later with page_table_put_partial (Xen's old_guest_table).
 */
#ifndef HV_MM_PAGETABLE_H
#define HV_MM_PAGETABLE_H

#include <stdint.h>
#include "mm/frame_table.h"
#include "mm/pte.h"

#define L2_HV_FIRST_SLOT  428u     /* l2_index(HYPERVISOR_VIRT_START) */

/* "Stopped, progress saved: call again." Internal (Xen's ERESTART): never
 * returned to a guest, which sees a continuation instead. */
#define PT_ERESTART       85

static inline int is_table_type(unsigned t)
{
    return t == PGT_l1 || t == PGT_l2 || t == PGT_l2h || t == PGT_l3;
}

/* Where Xen logs a warning for a refused request of domain dom, this is
 * told Xen's message (NULL: nothing is said; the hypervisor prints it). */
extern void (*page_table_warn)(uint16_t dom, const char *msg);

/* Take a type + general reference on table mfn as `type`, validating it when
 * it was not in use. 0 or -errno; on error nothing is taken. */
int page_table_get(const struct mm_ops *ops, uint16_t dom, mfn_t mfn,
                   enum page_type type);
/* Drop one; when the last type reference goes, release the entries. */
void page_table_put(const struct mm_ops *ops, mfn_t mfn);

/*
 * Replace entry `index` of table `table_mfn` (a validated table of domain
 * dom) with val: the new entry's references are taken before the old one's
 * are dropped. preserve_ad keeps the old accessed/dirty bits.
 */
int page_table_update(const struct mm_ops *ops, uint16_t dom, mfn_t table_mfn,
                      unsigned index, uint64_t val, int preserve_ad);

/* page_table_update without its fast path for an L1 entry that keeps its
 * frame (see l1e_same_frame): for the differential unit test, which checks
 * that both reach the same answer and the same frame state on every input. */
int page_table_update_slow(const struct mm_ops *ops, uint16_t dom, mfn_t table_mfn,
                           unsigned index, uint64_t val, int preserve_ad);

/* Pinning: a pin holds the table valid with no other user. */
int page_table_pin(const struct mm_ops *ops, uint16_t dom, mfn_t mfn,
                   enum page_type type);
int page_table_unpin(const struct mm_ops *ops, uint16_t dom, mfn_t mfn);

/* The same, preemptible (see the top). get/pin: 0, -errno (possibly with
 * *pending set: a failure halfway leaves the undoing to the caller) or
 * -PT_ERESTART (nothing taken; call again). put/unpin: the reference is gone
 * at return; *pending is set if the table's devalidation was interrupted.
 * update: -PT_ERESTART when the new entry's table is not validated yet
 * (nothing changed; call again); the old entry's release may set *pending. */
int page_table_get_preemptible(const struct mm_ops *ops, uint16_t dom, mfn_t mfn,
                               enum page_type type, mfn_t *pending);
void page_table_put_preemptible(const struct mm_ops *ops, mfn_t mfn, mfn_t *pending);
int page_table_update_preemptible(const struct mm_ops *ops, uint16_t dom, mfn_t table_mfn,
                                  unsigned index, uint64_t val, int preserve_ad,
                                  mfn_t *pending);
int page_table_pin_preemptible(const struct mm_ops *ops, uint16_t dom, mfn_t mfn,
                               enum page_type type, mfn_t *pending);
int page_table_unpin_preemptible(const struct mm_ops *ops, uint16_t dom, mfn_t mfn,
                                 mfn_t *pending);
/* Go on releasing a frame left partial (a *pending of the calls above, or
 * any PGF_PARTIAL frame at teardown): 0 when it is done (or was not partial
 * any more), -PT_ERESTART when stopped again (only if preemptible). */
int page_table_put_partial(const struct mm_ops *ops, mfn_t mfn, int preemptible);

#endif
