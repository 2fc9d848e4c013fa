/*
 * baseptr: the reference moves of a base-pointer switch (MMUEXT_NEW_BASEPTR)
 * in their common case, a switch between address spaces whose L3s are in
 * use already (pinned, as every process's is): a count goes up on the new
 * table and down on the old one, and nothing is validated or released.
 * Each answers 0 when its case does not apply, and then has changed
 * nothing: the caller takes the general path (mm/pagetable.c's
 * page_table_get_preemptible / page_table_put_preemptible), whose result
 * these equal exactly where they apply (tests/unit/test_baseptr.c).
 * Pure: on the frame's record only.
 */
#ifndef HV_MM_BASEPTR_H
#define HV_MM_BASEPTR_H

#include <stdint.h>
#include "mm/frame_table.h"

/* get_type's "in use as this type already" case: the domain's frame, not
 * shared_info, not left partial by a preempted hypercall, typed `type`
 * with references: one more type and general reference. */
static inline int baseptr_ref_in_use(struct page_info *pg, uint16_t dom, unsigned type)
{
    if (pg->owner != dom || (pg->flags & (PGF_XENHEAP | PGF_PARTIAL)) || pg->type_count == 0 ||
        pg->type != type)
        return 0;
    pg->type_count++;
    pg->count++;
    return 1;
}

/* put_ref's "not the last type reference" case: one type and one general
 * reference fewer (page_put's guard kept), the table stays valid. */
static inline int baseptr_unref_not_last(struct page_info *pg)
{
    if (pg->type_count <= 1)
        return 0;
    pg->type_count--;
    if (pg->count)
        pg->count--;
    return 1;
}

#endif
