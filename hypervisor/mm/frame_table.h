/*
 * frame_table: what the hypervisor knows about every machine frame: its
 * owner, its type (what it is being used as) with a type count, and a general
 * reference count. The rules, in Xen's model:
 *   - a frame's type may change only while its type count is zero;
 *   - every writable mapping holds one "writable" type reference, so a frame
 *     mapped writable anywhere cannot become a page table or descriptor page,
 *     and a page table or descriptor page can never be mapped writable;
 *   - every mapping holds one general reference.
 * Pure: operates on struct page_info records the caller owns.
 */
#ifndef HV_MM_FRAME_TABLE_H
#define HV_MM_FRAME_TABLE_H

#include <stdint.h>

enum page_type {
    PGT_none = 0,       /* no use yet */
    PGT_writable,       /* mapped writable somewhere */
    PGT_l1,             /* L1 page table */
    PGT_l2,             /* L2 page table */
    PGT_l2h,            /* L2 behind L3 slot 3: holds the hypervisor slots */
    PGT_l3,             /* L3 page table (PDPT) */
    PGT_seg_desc,       /* GDT/LDT frame */
};

#define DOMID_FREE      0xFFFFu   /* owner of a free frame */
#define DOMID_HV        0x7FF2u   /* DOMID_XEN: hypervisor-owned frames */

#define PGF_PINNED      0x01u     /* a pinned page table */
#define PGF_XENHEAP     0x02u     /* hypervisor page shared with its owner (shared_info) */
/* A page table whose validation or devalidation stopped halfway (a
 * preempted hypercall, see docs/continuations.md): entries [0, nr_validated)
 * hold their references; the partial state itself holds one type and one
 * general reference. PGF_PARTIAL_CHILD: entry nr_validated's table is itself
 * partial, and this frame owns that partial reference. */
#define PGF_PARTIAL        0x04u
#define PGF_PARTIAL_CHILD  0x08u
/* The frame was read as a table by a walk the walk cache keeps (mm/pte.h):
 * a change of its entries or of its use empties the cache. Never cleared
 * but by that emptying: a stale mark costs one needless emptying. */
#define PGF_WALKED         0x10u

struct page_info {
    uint16_t owner;       /* domain id, DOMID_HV or DOMID_FREE */
    uint8_t  type;        /* enum page_type */
    uint8_t  flags;       /* PGF_* */
    uint32_t type_count;  /* references that rely on the type */
    uint32_t count;       /* general references (mappings, pins) */
    uint16_t nr_validated;/* PGF_PARTIAL: entries below hold references */
    uint16_t _pad;
};

/* Take a reference of the given type: 0, or -XEN_EBUSY when the frame is in
 * use as another type. */
int page_get_type(struct page_info *pg, enum page_type type);
/* Drop one type reference; at zero the type is back to PGT_none.
 * -XEN_EINVAL if there is none (a caller bug). */
int page_put_type(struct page_info *pg);
void page_get(struct page_info *pg);
int page_put(struct page_info *pg);
const char *page_type_name(enum page_type type);

#endif
