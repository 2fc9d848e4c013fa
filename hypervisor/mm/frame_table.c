/* frame_table: frame type and reference rules (see frame_table.h). */
#include "mm/frame_table.h"

#include <pv86/errno.h>

int page_get_type(struct page_info *pg, enum page_type type)
{
    if (pg->type_count == 0) {
        pg->type = (uint8_t)type;
    } else if (pg->type != type) {
        return -XEN_EBUSY;
    }
    pg->type_count++;
    return 0;
}

int page_put_type(struct page_info *pg)
{
    if (pg->type_count == 0)
        return -XEN_EINVAL;
    if (--pg->type_count == 0)
        pg->type = PGT_none;       /* unused: the next user sets (and checks) it */
    return 0;
}

void page_get(struct page_info *pg)
{
    pg->count++;
}

int page_put(struct page_info *pg)
{
    if (pg->count == 0)
        return -XEN_EINVAL;
    pg->count--;
    return 0;
}

const char *page_type_name(enum page_type type)
{
    switch (type) {
    case PGT_none: return "none";
    case PGT_writable: return "writable";
    case PGT_l1: return "L1";
    case PGT_l2: return "L2";
    case PGT_l2h: return "L2 (hypervisor slots)";
    case PGT_l3: return "L3";
    case PGT_seg_desc: return "descriptor table";
    }
    return "?";
}
