/* pagetable: validation and reference counting of guest page tables
 * (see pagetable.h), preemptible as Xen's (docs/continuations.md). */
#include "mm/pagetable.h"

#include <pv86/errno.h>
#include <string.h>

/* L3 entries: Xen's l3_disallow_mask for a 32-bit guest allows P, RW, U,
 * A, D and the available bits 9-11 (no PWT, PCD, PSE, G, no bit 52-63);
 * the hypervisor filters RW/U/A/D out of the PDPT copy. */
#define L3E_ALLOWED (PTE_ADDR_MASK | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | \
                     _PAGE_ACCESSED | _PAGE_DIRTY | 0xE00ull)
/* L2 entries: Xen's L2_DISALLOW_MASK refuses PWT, PCD, PSE and G (bits
 * 52-63: see pte.h's PTE_RSVD_MASK). */
#define L2E_REFUSED (PTE_RSVD_MASK | _PAGE_PSE | _PAGE_PWT | _PAGE_PCD | _PAGE_GLOBAL)

void (*page_table_warn)(uint16_t dom, const char *msg);

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

static int preempt_due(const struct mm_ops *ops)
{
    return ops->preempt && ops->preempt(ops->ctx);
}

static int get_type(const struct mm_ops *ops, uint16_t dom, mfn_t mfn, unsigned type,
                    mfn_t *pending);
static int put_ref(const struct mm_ops *ops, mfn_t mfn, int preemptible);

/* An L2 or L3 entry names a table: the frame its whole address field names
 * must be RAM the CPU can address, else -XEN_EINVAL as in Xen
 * (get_page_and_type_from_mfn on a frame that is not valid). */
static int table_entry_get(const struct mm_ops *ops, uint16_t dom, uint64_t e,
                           unsigned type, mfn_t *pending)
{
    if (pte_addr_reserved(e) || !ops->page(ops->ctx, pte_mfn(e)))
        return -XEN_EINVAL;
    return get_type(ops, dom, pte_mfn(e), type, pending);
}

/* Take the references entry `index` of a table of `type` needs. pending:
 * NULL when this may not stop (see get_type). */
static int entry_get(const struct mm_ops *ops, uint16_t dom, unsigned type,
                     unsigned index, uint64_t e, mfn_t *pending)
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
        if (index != 3)
            return table_entry_get(ops, dom, e, PGT_l2, pending);
        /* Xen's PAE rule (pae_xen_mappings_check): the L2 behind slot 3
         * carries the hypervisor's entries and belongs to this L3 alone.
         * An L2h is referenced only from some L3's slot 3 (no pin, no other
         * slot takes that type), so a type count above 1 means another L3
         * has it. Nothing is validated twice: the reference is a count. */
        int rc = table_entry_get(ops, dom, e, PGT_l2h, pending);
        if (rc == 0 && ops->page(ops->ctx, pte_mfn(e))->type_count != 1) {
            put_ref(ops, pte_mfn(e), 0);           /* not the last: a decrement */
            if (page_table_warn)
                page_table_warn(dom, "PAE L3 3rd slot is shared");
            return -XEN_EINVAL;
        }
        return rc;
    }
    /* L2 */
    if (type == PGT_l2h && index >= L2_HV_FIRST_SLOT)
        return -XEN_EPERM;
    if (!(e & _PAGE_PRESENT))
        return 0;
    if (e & L2E_REFUSED)
        return -XEN_EINVAL;
    return table_entry_get(ops, dom, e, PGT_l1, NULL);     /* an L1: never long */
}

/* Drop entry e's references. 0, or -PT_ERESTART when the table it names
 * was left partial: the entry's reference became that table's partial one. */
static int entry_put(const struct mm_ops *ops, unsigned type, uint64_t e, int preemptible)
{
    if (!(e & _PAGE_PRESENT))
        return 0;
    if (type == PGT_l1) {
        l1e_put(ops, e);
        return 0;
    }
    return put_ref(ops, pte_mfn(e), preemptible);
}

/*
 * Take the references of entries [start, n) of table mfn (typed already).
 * pg->nr_validated ends where it stopped: n, the entry that failed, or the
 * entry a preemption check stopped before (-PT_ERESTART; the first entry of
 * a call is always done, so every call makes progress). *child: the entry
 * that failed left its own table partial for the caller to undo.
 */
static int validate(const struct mm_ops *ops, uint16_t dom, mfn_t mfn,
                    struct page_info *pg, unsigned start, mfn_t *pending, int *child)
{
    unsigned type = pg->type, n = entries_of(type), i;
    uint64_t *t = ops->map(ops->ctx, mfn);
    int rc = 0;

    pg->nr_validated = (uint16_t)start;
    if (!t)
        return -XEN_EPERM;
    walk_cache_table_changed(pg, mfn);    /* becoming a table (see pte.h) */
    /* Xen (promote_l3_table, 32-bit guest): the CPU sees the whole page,
     * so entries 4-511 are cleared rather than checked. */
    if (type == PGT_l3)
        memset(&t[4], 0, (512 - 4) * sizeof(*t));
    const uint32_t *lo = (const uint32_t *)t;      /* the low halves: P is bit 0 */
    int every = type == PGT_l3, checks = pending && type != PGT_l1;
    for (i = start; i < n; i++) {
        if (!(lo[2 * i] & _PAGE_PRESENT) && !every)
            continue;                   /* the common case: nothing to take */
        if (checks && i > start && (lo[2 * i] & _PAGE_PRESENT) && preempt_due(ops)) {
            rc = -PT_ERESTART;
            break;
        }
        mfn_t below = 0;
        rc = entry_get(ops, dom, type, i, t[i], pending ? &below : NULL);
        if (rc) {
            *child = below != 0;
            break;
        }
    }
    pg->nr_validated = (uint16_t)i;
    if (ops->validated && (rc == 0 || rc == -PT_ERESTART) && i > start)
        ops->validated(ops->ctx, dom, i - start);
    return rc;
}

/*
 * Release a table whose entries [0, nr_validated) hold references (and
 * entry nr_validated a partial one if PGF_PARTIAL_CHILD), from the top
 * down; at the end its type and the general reference go. Preemptible: may
 * stop after one entry or more, leaving the frame PGF_PARTIAL.
 */
static int devalidate(const struct mm_ops *ops, mfn_t mfn, struct page_info *pg,
                      int preemptible)
{
    unsigned type = pg->type, i = pg->nr_validated;
    int progress = 0;
    uint64_t *t = NULL;

    preemptible = preemptible && type != PGT_l1;     /* an L1 is one unit */
    walk_cache_table_changed(pg, mfn);    /* about to stop being a table */
    if (i || (pg->flags & PGF_PARTIAL_CHILD))
        t = ops->map(ops->ctx, mfn);
    if (pg->flags & PGF_PARTIAL_CHILD) {
        if (page_table_put_partial(ops, pte_mfn(t[i]), preemptible))
            goto stop;
        pg->flags &= ~PGF_PARTIAL_CHILD;
        progress = 1;
    }
    const uint32_t *lo = (const uint32_t *)t;      /* the low halves: P is bit 0 */
    while (i) {
        if (lo[2 * (i - 1)] & _PAGE_PRESENT) {
            uint64_t e = t[i - 1];
            if (preemptible && progress && preempt_due(ops))
                goto stop;
            progress = 1;
            if (entry_put(ops, type, e, preemptible)) {
                i--;
                pg->flags |= PGF_PARTIAL_CHILD;     /* its partial reference is ours */
                goto stop;
            }
        }
        i--;
    }
    pg->flags &= ~(PGF_PARTIAL | PGF_PARTIAL_CHILD);
    pg->nr_validated = 0;
    page_put_type(pg);
    page_put(pg);
    return 0;
stop:
    pg->nr_validated = (uint16_t)i;
    pg->flags |= PGF_PARTIAL;
    return -PT_ERESTART;
}

/* A frame in use as `have` asked for as `want`: Xen's _get_page_type
 * answers every such conflict -EINVAL ("Bad type"), the two L2 kinds (an
 * ordinary L2 and the L2 behind slot 3, PGT_pae_xen_l2) included. An L2
 * entry naming an L2 is one of them: Xen would then try a read-only linear
 * page table (get_l2_linear_pagetable), which pv86 does not implement; a
 * Xen without CONFIG_PV_LINEAR_PT keeps the -EINVAL. */
#define TYPE_CONFLICT (-XEN_EINVAL)

/*
 * Take a type + general reference on table mfn as `type`, validating it
 * when it was not in use, or going on with a validation left partial (the
 * partial state's references become the caller's). pending NULL: to the end.
 */
static int get_type(const struct mm_ops *ops, uint16_t dom, mfn_t mfn, unsigned type,
                    mfn_t *pending)
{
    struct page_info *pg = ops->page(ops->ctx, mfn);
    unsigned start = 0;
    int child = 0;

    /* Not the domain's (another domain's, the hypervisor's, free): Xen's
     * get_page_from_mfn fails, -EINVAL. shared_info (PGF_XENHEAP) is the
     * domain's but typed writable for good: a type conflict, -EINVAL too. */
    if (!pg || pg->owner != dom || (pg->flags & PGF_XENHEAP))
        return -XEN_EINVAL;
    if (pg->flags & PGF_PARTIAL) {
        if (pg->type != type)
            return TYPE_CONFLICT;
        if (pg->flags & PGF_PARTIAL_CHILD)
            return -XEN_EBUSY;
        start = pg->nr_validated;
        pg->flags &= ~PGF_PARTIAL;
    } else if (pg->type_count) {
        if (pg->type != type)
            return TYPE_CONFLICT;
        pg->type_count++;
        page_get(pg);
        return 0;
    } else {
        /* Becoming a table: it holds its type while its entries are
         * checked, so an entry that names the table itself is refused as a
         * type conflict. */
        pg->type = (uint8_t)type;
        pg->type_count = 1;
        page_get(pg);
    }
    int rc = validate(ops, dom, mfn, pg, start, pending, &child);
    if (rc == 0) {
        pg->nr_validated = 0;
        if (type == PGT_l2h)
            ops->hv_slots(ops->ctx, dom, ops->map(ops->ctx, mfn));
        return 0;
    }
    if (rc == -PT_ERESTART) {
        pg->flags |= PGF_PARTIAL;         /* the partial state keeps both references */
        return rc;
    }
    if (pending && (pg->nr_validated || child)) {
        /* Undoing may be as long as the validation was: the caller does it. */
        pg->flags |= PGF_PARTIAL | (child ? PGF_PARTIAL_CHILD : 0);
        *pending = mfn;
        return rc;
    }
    devalidate(ops, mfn, pg, 0);
    return rc;
}

/* Drop one type and one general reference of table mfn; the last type
 * reference releases the entries (see devalidate). -PT_ERESTART: stopped,
 * the frame is partial and the dropped reference is now its partial one. */
static int put_ref(const struct mm_ops *ops, mfn_t mfn, int preemptible)
{
    struct page_info *pg = ops->page(ops->ctx, mfn);
    if (pg->type_count > 1) {
        pg->type_count--;
        page_put(pg);
        return 0;
    }
    /* The last reference: an L2h stops being one here (its type goes with
     * the count), its hypervisor entries left in the page as Xen leaves
     * them (demote_l2_table): they name only hypervisor frames, which no
     * entry of the guest's may name, and the guest could read them already. */
    unsigned type = pg->type;
    pg->nr_validated = (uint16_t)entries_of(type);
    pg->flags &= ~PGF_PARTIAL_CHILD;
    return devalidate(ops, mfn, pg, preemptible);
}

int page_table_put_partial(const struct mm_ops *ops, mfn_t mfn, int preemptible)
{
    struct page_info *pg = ops->page(ops->ctx, mfn);
    if (!pg || !(pg->flags & PGF_PARTIAL))
        return 0;                 /* finished, or taken over by a get */
    return devalidate(ops, mfn, pg, preemptible);
}

int page_table_get(const struct mm_ops *ops, uint16_t dom, mfn_t mfn,
                   enum page_type type)
{
    return get_type(ops, dom, mfn, type, NULL);
}

int page_table_get_preemptible(const struct mm_ops *ops, uint16_t dom, mfn_t mfn,
                               enum page_type type, mfn_t *pending)
{
    return get_type(ops, dom, mfn, type, pending);
}

void page_table_put(const struct mm_ops *ops, mfn_t mfn)
{
    put_ref(ops, mfn, 0);
}

void page_table_put_preemptible(const struct mm_ops *ops, mfn_t mfn, mfn_t *pending)
{
    if (put_ref(ops, mfn, 1))
        *pending = mfn;
}

/*
 * An L1 entry that keeps its frame, present before and after (the flag bits
 * change: RW, U, PWT, PCD, PAT, G, the available bits): the slow path's
 * work exactly, less what cancels out. The slow path would check the new
 * entry (l1e_get: l1e_check, then the writable type when RW, then a general
 * reference), write it, then drop the old one's references (the writable
 * type when RW, the general reference) on that same frame. The general
 * reference taken and dropped is the one thing left out: a count up and
 * down again. Every check stays, in the same order, with the same answer.
 */
static int update_l1_same_frame(const struct mm_ops *ops, uint16_t dom, uint64_t *t,
                                unsigned index, uint64_t old, uint64_t val)
{
    struct page_info *fp;
    int rc = l1e_check(ops, dom, val, &fp);
    if (rc)
        return rc;
    if ((val & _PAGE_RW) && page_get_type(fp, PGT_writable))
        return -XEN_EBUSY;
    if (ops->validated)
        ops->validated(ops->ctx, dom, 1);
    t[index] = val;
    if (old & _PAGE_RW)
        page_put_type(fp);
    return 0;
}

static int update(const struct mm_ops *ops, uint16_t dom, mfn_t table_mfn,
                  unsigned index, uint64_t val, int preserve_ad, mfn_t *pending, int fast)
{
    struct page_info *pg = ops->page(ops->ctx, table_mfn);
    uint64_t *t = ops->map(ops->ctx, table_mfn);
    unsigned type = pg->type;

    if (pg->flags & PGF_PARTIAL)
        return -XEN_EINVAL;        /* not validated: Xen refuses it too */
    /* Xen's PAE rule (mod_l3_entry): the final L3 slot holds the hypervisor's
     * mappings and is never changed in a table in use. */
    if (index >= 512 || (type == PGT_l3 && index >= 3))
        return -XEN_EINVAL;
    if (type == PGT_l2h && index >= L2_HV_FIRST_SLOT)
        return -XEN_EPERM;
    uint64_t old = t[index];
    if (preserve_ad)
        val = (val & ~(_PAGE_ACCESSED | _PAGE_DIRTY)) | (old & (_PAGE_ACCESSED | _PAGE_DIRTY));
    walk_cache_entry_changed(pg, table_mfn, &t[index]);   /* (see pte.h) */
    if (((old ^ val) & ~(_PAGE_ACCESSED | _PAGE_DIRTY)) == 0 && (old & _PAGE_PRESENT)) {
        t[index] = val;            /* same frame, same rights: no references move */
        return 0;
    }
    if (type == PGT_l1 && fast && l1e_same_frame(old, val))
        return update_l1_same_frame(ops, dom, t, index, old, val);
    int rc = entry_get(ops, dom, type, index, val, pending);
    if (rc)
        return rc;
    if (ops->validated)
        ops->validated(ops->ctx, dom, 1);
    t[index] = val;
    if (entry_put(ops, type, old, pending != NULL))
        *pending = pte_mfn(old);
    return 0;
}

int page_table_update(const struct mm_ops *ops, uint16_t dom, mfn_t table_mfn,
                      unsigned index, uint64_t val, int preserve_ad)
{
    return update(ops, dom, table_mfn, index, val, preserve_ad, NULL, 1);
}

int page_table_update_slow(const struct mm_ops *ops, uint16_t dom, mfn_t table_mfn,
                           unsigned index, uint64_t val, int preserve_ad)
{
    return update(ops, dom, table_mfn, index, val, preserve_ad, NULL, 0);
}

int page_table_update_preemptible(const struct mm_ops *ops, uint16_t dom, mfn_t table_mfn,
                                  unsigned index, uint64_t val, int preserve_ad,
                                  mfn_t *pending)
{
    return update(ops, dom, table_mfn, index, val, preserve_ad, pending, 1);
}

static int pin(const struct mm_ops *ops, uint16_t dom, mfn_t mfn, enum page_type type,
               mfn_t *pending)
{
    struct page_info *pg = ops->page(ops->ctx, mfn);
    if (!pg || pg->owner != dom)
        return -XEN_EINVAL;     /* Xen: get_page_from_gfn fails */
    if (pg->flags & PGF_PINNED)
        return -XEN_EINVAL;
    int rc = get_type(ops, dom, mfn, type, pending);
    if (rc)
        return rc;
    pg->flags |= PGF_PINNED;
    return 0;
}

int page_table_pin(const struct mm_ops *ops, uint16_t dom, mfn_t mfn,
                   enum page_type type)
{
    return pin(ops, dom, mfn, type, NULL);
}

int page_table_pin_preemptible(const struct mm_ops *ops, uint16_t dom, mfn_t mfn,
                               enum page_type type, mfn_t *pending)
{
    return pin(ops, dom, mfn, type, pending);
}

static int unpin(const struct mm_ops *ops, uint16_t dom, mfn_t mfn, mfn_t *pending)
{
    struct page_info *pg = ops->page(ops->ctx, mfn);
    if (!pg || pg->owner != dom)
        return -XEN_EINVAL;     /* Xen: "bad, or bad owner" */
    if (!(pg->flags & PGF_PINNED))
        return -XEN_EINVAL;
    pg->flags &= ~PGF_PINNED;
    if (put_ref(ops, mfn, pending != NULL))
        *pending = mfn;
    return 0;
}

int page_table_unpin(const struct mm_ops *ops, uint16_t dom, mfn_t mfn)
{
    return unpin(ops, dom, mfn, NULL);
}

int page_table_unpin_preemptible(const struct mm_ops *ops, uint16_t dom, mfn_t mfn,
                                 mfn_t *pending)
{
    return unpin(ops, dom, mfn, pending);
}
