/* pagetable: validation and reference counting of guest page tables
 * (see pagetable.h). */
#include "mm/pagetable.h"

#include <pv86/errno.h>
#include <string.h>

/* L3 entries: what a PAE PDPT entry may carry here. The guest's L3 keeps
 * Xen's RW/U/A/D bits; the hypervisor filters them out of the PDPT copy. */
#define L3E_ALLOWED (PTE_ADDR_MASK | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_PWT | \
                     _PAGE_PCD | _PAGE_ACCESSED | _PAGE_DIRTY | 0xE00ull)

static unsigned entries_of(unsigned type)
{
    switch (type) {
    case PGT_l1:
    case PGT_l2: return 512;
    case PGT_l2h: return L2_HV_FIRST_SLOT;   /* the rest are the hypervisor's */
    case PGT_l3: return 4;
    default: return 0;
    }
}

/* An L2 or L3 entry names a table: the frame its whole address field names
 * must be RAM the CPU can address, else -XEN_EINVAL as in Xen
 * (get_page_and_type_from_mfn on a frame that is not valid). */
static int table_entry_get(const struct mm_ops *ops, uint16_t dom, uint64_t e,
                           enum page_type type)
{
    if (pte_addr_reserved(e) || !ops->page(ops->ctx, pte_mfn(e)))
        return -XEN_EINVAL;
    return page_table_get(ops, dom, pte_mfn(e), type);
}

/* Take the references entry `index` of a table of `type` needs. */
static int entry_get(const struct mm_ops *ops, uint16_t dom, unsigned type,
                     unsigned index, uint64_t e)
{
    if (type == PGT_l1)
        return l1e_get(ops, dom, e);
    if (type == PGT_l3) {
        if (index >= 4)
            return -XEN_EINVAL;
        if (!(e & _PAGE_PRESENT))
            return index == 3 ? -XEN_EINVAL : 0;   /* slot 3 holds the hypervisor */
        if (e & ~L3E_ALLOWED)
            return -XEN_EINVAL;
        return table_entry_get(ops, dom, e, index == 3 ? PGT_l2h : PGT_l2);
    }
    /* L2 */
    if (type == PGT_l2h && index >= L2_HV_FIRST_SLOT)
        return -XEN_EPERM;
    if (!(e & _PAGE_PRESENT))
        return 0;
    if ((e & PTE_RSVD_MASK) || (e & _PAGE_PSE))
        return -XEN_EINVAL;
    return table_entry_get(ops, dom, e, PGT_l1);
}

static void entry_put(const struct mm_ops *ops, unsigned type, uint64_t e)
{
    if (!(e & _PAGE_PRESENT))
        return;
    if (type == PGT_l1)
        l1e_put(ops, e);
    else
        page_table_put(ops, pte_mfn(e));
}

static int validate(const struct mm_ops *ops, uint16_t dom, mfn_t mfn, unsigned type)
{
    uint64_t *t = ops->map(ops->ctx, mfn);
    unsigned n = entries_of(type);
    if (!t)
        return -XEN_EPERM;
    if (type == PGT_l2h)
        ops->hv_slots(ops->ctx, dom, t);
    for (unsigned i = 0; i < n; i++) {
        if (!(t[i] & _PAGE_PRESENT) && type != PGT_l3)
            continue;                   /* the common case: nothing to take */
        int rc = entry_get(ops, dom, type, i, t[i]);
        if (rc) {
            while (i--)
                entry_put(ops, type, t[i]);
            return rc;
        }
    }
    if (ops->validated)
        ops->validated(ops->ctx, dom, n);
    return 0;
}

int page_table_get(const struct mm_ops *ops, uint16_t dom, mfn_t mfn,
                   enum page_type type)
{
    struct page_info *pg = ops->page(ops->ctx, mfn);
    if (!pg || pg->owner != dom || (pg->flags & PGF_XENHEAP))
        return -XEN_EPERM;
    if (pg->type_count) {
        if (pg->type != type)
            return -XEN_EBUSY;
        pg->type_count++;
        page_get(pg);
        return 0;
    }
    /* Becoming a table: it holds its type while its entries are checked, so
     * an entry that names the table itself is refused as a type conflict. */
    pg->type = (uint8_t)type;
    pg->type_count = 1;
    int rc = validate(ops, dom, mfn, type);
    if (rc) {
        pg->type_count = 0;
        pg->type = PGT_none;
        return rc;
    }
    page_get(pg);
    return 0;
}

void page_table_put(const struct mm_ops *ops, mfn_t mfn)
{
    struct page_info *pg = ops->page(ops->ctx, mfn);
    unsigned type = pg->type;
    page_put(pg);
    if (pg->type_count == 1) {
        uint64_t *t = ops->map(ops->ctx, mfn);
        unsigned n = entries_of(type);
        for (unsigned i = 0; i < n; i++)
            if (t[i] & _PAGE_PRESENT)
                entry_put(ops, type, t[i]);
        if (type == PGT_l2h)      /* no hypervisor entries left in a guest page */
            memset(&t[L2_HV_FIRST_SLOT], 0, (512 - L2_HV_FIRST_SLOT) * sizeof(*t));
    }
    page_put_type(pg);
}

int page_table_update(const struct mm_ops *ops, uint16_t dom, mfn_t table_mfn,
                      unsigned index, uint64_t val, int preserve_ad)
{
    struct page_info *pg = ops->page(ops->ctx, table_mfn);
    uint64_t *t = ops->map(ops->ctx, table_mfn);
    unsigned type = pg->type;

    /* Xen's PAE rule (mod_l3_entry): the final L3 slot holds the hypervisor's
     * mappings and is never changed in a table in use. */
    if (index >= 512 || (type == PGT_l3 && index >= 3))
        return -XEN_EINVAL;
    if (type == PGT_l2h && index >= L2_HV_FIRST_SLOT)
        return -XEN_EPERM;
    uint64_t old = t[index];
    if (preserve_ad)
        val = (val & ~(_PAGE_ACCESSED | _PAGE_DIRTY)) | (old & (_PAGE_ACCESSED | _PAGE_DIRTY));
    if (((old ^ val) & ~(_PAGE_ACCESSED | _PAGE_DIRTY)) == 0 && (old & _PAGE_PRESENT)) {
        t[index] = val;            /* same frame, same rights: no references move */
        return 0;
    }
    int rc = entry_get(ops, dom, type, index, val);
    if (rc)
        return rc;
    if (ops->validated)
        ops->validated(ops->ctx, dom, 1);
    t[index] = val;
    entry_put(ops, type, old);
    return 0;
}

int page_table_pin(const struct mm_ops *ops, uint16_t dom, mfn_t mfn,
                   enum page_type type)
{
    struct page_info *pg = ops->page(ops->ctx, mfn);
    if (!pg || pg->owner != dom)
        return -XEN_EPERM;
    if (pg->flags & PGF_PINNED)
        return -XEN_EINVAL;
    int rc = page_table_get(ops, dom, mfn, type);
    if (rc)
        return rc;
    pg->flags |= PGF_PINNED;
    return 0;
}

int page_table_unpin(const struct mm_ops *ops, uint16_t dom, mfn_t mfn)
{
    struct page_info *pg = ops->page(ops->ctx, mfn);
    if (!pg || pg->owner != dom)
        return -XEN_EPERM;
    if (!(pg->flags & PGF_PINNED))
        return -XEN_EINVAL;
    pg->flags &= ~PGF_PINNED;
    page_table_put(ops, mfn);
    return 0;
}
