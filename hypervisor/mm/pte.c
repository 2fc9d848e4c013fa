/* pte: guest L1 entry rules and the software page walk (see pte.h). */
#include "mm/pte.h"

#include <pv86/errno.h>
#include <pv86/xen.h>
#include <string.h>

#include "core/prof.h"

unsigned pte_paddr_bits = 36;
uint32_t l1e_io_frames = 0x100;

static inline int check(const struct mm_ops *ops, uint16_t domid, uint64_t pte,
                        struct page_info **frame)
{
    if (pte & PTE_RSVD_MASK)
        return -XEN_EINVAL;
    /* Xen (get_page_from_l1e): a frame that is not RAM is MMIO, which a
     * domain without I/O-memory rights may not map: -EPERM; except the
     * all-ones frame (INVALID_MFN), -EINVAL. The whole 40-bit frame field
     * counts: bits at or above MAXPHYADDR name no RAM either. */
    /* pte_mfn(pte) == INVALID_MFN: bits 52-63 are clear here, so the high
     * word is address bits 32-51 alone and is compared first (32 bits). */
    if ((uint32_t)(pte >> 32) == (uint32_t)(PTE_ADDR_MASK >> 32) &&
        ((uint32_t)pte & PAGE_MASK) == PAGE_MASK)
        return -XEN_EINVAL;
    if (pte_addr_reserved(pte))
        return -XEN_EPERM;
    struct page_info *pg = ops->page(ops->ctx, pte_mfn(pte));
    if (!pg)
        return -XEN_EPERM;
    if (pg->owner != domid) {
        /* RAM that is not the domain's (another domain's, the hypervisor's,
         * free): Xen's get_page_from_l1e fails to pin it, -EBUSY; except
         * the first MiB, which Xen gives to DOMID_IO: MMIO, -EPERM. */
        return pte_mfn(pte) < l1e_io_frames ? -XEN_EPERM : -XEN_EBUSY;
    }
    *frame = pg;
    return 0;
}

int l1e_check(const struct mm_ops *ops, uint16_t domid, uint64_t pte, struct page_info **frame)
{
    return check(ops, domid, pte, frame);
}

int l1e_get(const struct mm_ops *ops, uint16_t domid, uint64_t pte)
{
    struct page_info *pg;
    if (!(pte & _PAGE_PRESENT))
        return 0;
    int rc = check(ops, domid, pte, &pg);
    if (rc)
        return rc;
    if (pte & _PAGE_RW) {
        if (page_get_type(pg, PGT_writable))
            return -XEN_EBUSY;
    }
    page_get(pg);
    return 0;
}

void l1e_put(const struct mm_ops *ops, uint64_t pte)
{
    if (!(pte & _PAGE_PRESENT))
        return;
    struct page_info *pg = ops->page(ops->ctx, pte_mfn(pte));
    if (!pg)
        return;
    if (pte & _PAGE_RW)
        page_put_type(pg);
    page_put(pg);
}

int guest_range_ok(uint32_t va, uint32_t len)
{
    if (va >= HYPERVISOR_VIRT_START || len > HYPERVISOR_VIRT_START - va)
        return -XEN_EFAULT;
    return 0;
}

static uint64_t *table(const struct mm_ops *ops, mfn_t mfn)
{
    return mm_ops_map(ops, mfn);
}

int guest_l1e_slot(const struct mm_ops *ops, mfn_t l3_mfn, uint32_t va,
                   mfn_t *l1_mfn, unsigned *index)
{
    uint64_t *l3 = table(ops, l3_mfn);
    if (!l3 || !(l3[l3_index(va)] & _PAGE_PRESENT))
        return -XEN_EINVAL;
    uint64_t *l2 = table(ops, pte_mfn(l3[l3_index(va)]));
    if (!l2)
        return -XEN_EINVAL;
    uint64_t l2e = l2[l2_index(va)];
    if (!(l2e & _PAGE_PRESENT) || (l2e & _PAGE_PSE))
        return -XEN_EINVAL;
    if (!table(ops, pte_mfn(l2e)))
        return -XEN_EINVAL;
    *l1_mfn = pte_mfn(l2e);
    *index = l1_index(va);
    return 0;
}

/* The table or frame an entry names, through the direct map when there is
 * one: there only the low word can name a frame below *direct_frames, so
 * the test is on 32-bit halves. */
static inline unsigned char *entry_map(const struct mm_ops *ops, uint64_t e)
{
    if (ops->direct_frames) {
        uint32_t lo = (uint32_t)e, m = lo >> PAGE_SHIFT;
        if (((uint32_t)(e >> 32) & (uint32_t)(PTE_ADDR_MASK >> 32)) || m == 0 ||
            m >= *ops->direct_frames)
            return NULL;
        return (unsigned char *)(ops->direct_base + (lo & PAGE_MASK));
    }
    return ops->map(ops->ctx, pte_mfn(e));
}

/* One walk: the frame behind va and its mapping, or NULL (and the frame's
 * number in *mfn unless mfn is NULL: a copy needs only the mapping). Every
 * copy to or from a guest comes through here, so it looks at each level
 * once; the flag tests read the low words (P, RW, PSE live there). */
struct walk_info {              /* what a cached answer depends on */
    mfn_t l2, l1;               /* the tables read below the L3 */
    uint64_t *l1e;              /* the entry that maps the page */
    uint32_t rw;                /* RW at both levels: a write would pass */
    uint64_t *l3e, *l2e;        /* the entries read above it (guest_wcache_fill) */
};

static unsigned char *translate_map(const struct mm_ops *ops, mfn_t l3_mfn, uint32_t va,
                                    int write, mfn_t *mfn, struct walk_info *wi)
{
    if (va >= HYPERVISOR_VIRT_START)
        return NULL;
    uint64_t *l3 = table(ops, l3_mfn);
    if (!l3)
        return NULL;
    uint64_t l3e = l3[l3_index(va)];
    if (!((uint32_t)l3e & _PAGE_PRESENT))
        return NULL;
    uint64_t *l2 = (uint64_t *)entry_map(ops, l3e);
    if (!l2)
        return NULL;
    uint64_t *l2e = &l2[l2_index(va)];
    uint32_t l2lo = (uint32_t)*l2e;
    if (!(l2lo & _PAGE_PRESENT) || (l2lo & _PAGE_PSE))
        return NULL;
    uint64_t *l1 = (uint64_t *)entry_map(ops, *l2e);
    if (!l1)
        return NULL;
    uint64_t *l1e = &l1[l1_index(va)];
    uint32_t l1lo = (uint32_t)*l1e;
    if (!(l1lo & _PAGE_PRESENT))
        return NULL;
    if (write && !(l1lo & l2lo & _PAGE_RW))
        return NULL;
    unsigned char *frame = entry_map(ops, *l1e);
    if (!frame)
        return NULL;
    *l2e |= _PAGE_ACCESSED;
    *l1e |= _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0);
    if (mfn)
        *mfn = pte_mfn(*l1e);
    if (wi) {
        wi->l2 = pte_mfn(l3e);
        wi->l1 = pte_mfn(*l2e);
        wi->l1e = l1e;
        wi->rw = l1lo & l2lo & _PAGE_RW;
        wi->l3e = &l3[l3_index(va)];
        wi->l2e = l2e;
    }
    return frame;
}

int guest_translate(const struct mm_ops *ops, mfn_t l3_mfn, uint32_t va,
                    int write, mfn_t *mfn)
{
    PROF_PUSH(PROF_WALK);
    unsigned char *frame = translate_map(ops, l3_mfn, va, write, mfn, NULL);
    PROF_POP();
    return frame ? 0 : -XEN_EFAULT;
}

static inline unsigned char *walk_lookup(const struct mm_ops *ops, mfn_t l3_mfn, uint32_t va,
                                         int write);

/* Copy page by page; dir 0 = from guest, 1 = to guest; each page's frame
 * from a walk, or from the walk cache when cached (a PV domain's copies,
 * pte.h). Inline in both directions (the walk's third caller made gcc keep
 * it out of line); to_guest and cached are constants at every call. */
static inline __attribute__((always_inline)) int
guest_copy(const struct mm_ops *ops, mfn_t l3_mfn, uint32_t va, void *buf, uint32_t len,
           int to_guest, int cached)
{
    unsigned char *p = buf;
    if (guest_range_ok(va, len))
        return -XEN_EFAULT;
    while (len) {
        uint32_t off = va & (PAGE_SIZE - 1);
        uint32_t chunk = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
        unsigned char *frame;
        if (cached) {
            frame = walk_lookup(ops, l3_mfn, va, to_guest);
        } else {
            PROF_PUSH(PROF_WALK);
            frame = translate_map(ops, l3_mfn, va, to_guest, NULL, NULL);
            PROF_POP();
        }
        if (!frame)
            return -XEN_EFAULT;
        if (to_guest)
            memcpy(frame + off, p, chunk);
        else
            memcpy(p, frame + off, chunk);
        p += chunk;
        va += chunk;
        len -= chunk;
    }
    return 0;
}

int guest_copy_from(const struct mm_ops *ops, mfn_t l3_mfn, void *dst,
                    uint32_t va, uint32_t len)
{
    return guest_copy(ops, l3_mfn, va, dst, len, 0, 0);
}

int guest_copy_to(const struct mm_ops *ops, mfn_t l3_mfn, uint32_t va,
                  const void *src, uint32_t len)
{
    return guest_copy(ops, l3_mfn, va, (void *)src, len, 1, 0);
}

/*
 * The remembered write translation (pte.h). A walk is a function of the L3
 * frame, va's page and the values of the three entries it reads: the L3
 * entry names the L2, whose entry names the L1, whose entry names the frame
 * (and the limits it checks are fixed at boot). So while l3_mfn and the
 * page are the same and the three slots still hold the values the walk left
 * in them (accessed and dirty already set), a new walk would give the same
 * frame and change nothing: the entries are compared in walk order, each
 * slot being where the previous entry's value says the walk would look.
 * Only with a direct map: its mappings never move. guest_wcache_map (the
 * comparison, inline in pte.h) walks here when one fails.
 */
unsigned char *guest_wcache_fill(const struct mm_ops *ops, struct guest_wcache *c,
                                 mfn_t l3_mfn, uint32_t va)
{
    struct walk_info wi;
    c->frame = NULL;
    unsigned char *frame = translate_map(ops, l3_mfn, va, 1, NULL, &wi);
    if (!frame)
        return NULL;
    uint64_t *slots[3] = { wi.l3e, wi.l2e, wi.l1e };
    for (unsigned i = 0; i < 3; i++) {
        c->slot[i] = slots[i];
        c->val[i] = *slots[i];
    }
    c->page = va >> PAGE_SHIFT;
    c->l3_mfn = l3_mfn;
    c->frame = frame;
    return frame + (va & (PAGE_SIZE - 1));
}

/* ---- the walk cache (see pte.h) ---- */

struct walk_cache walk_cache = { .gen = 1 };

void walk_cache_flush(void)
{
    if (++walk_cache.gen == 0) {          /* wrapped: no old slot may match again */
        memset(walk_cache.slot, 0, sizeof(walk_cache.slot));
        walk_cache.gen = 1;
    }
}

void walk_cache_forget(mfn_t mfn)
{
    if (mfn >> 32) {                      /* no slot names such a frame: be safe */
        walk_cache_flush();
        return;
    }
    uint32_t m = (uint32_t)mfn;
    for (unsigned i = 0; i < WALK_CACHE_SLOTS; i++) {
        struct walk_cache_slot *s = &walk_cache.slot[i];
        if (s->l1 == m || s->l2 == m || s->l3 == m)
            s->gen = 0;
    }
}

void walk_cache_forget_entry(mfn_t mfn, const uint64_t *e)
{
    if (mfn >> 32) {
        walk_cache_flush();
        return;
    }
    uint32_t m = (uint32_t)mfn;
    for (unsigned i = 0; i < WALK_CACHE_SLOTS; i++) {
        struct walk_cache_slot *s = &walk_cache.slot[i];
        if (s->l1e == e || s->l2 == m || s->l3 == m)
            s->gen = 0;
    }
}

static void mark_walked(const struct mm_ops *ops, mfn_t mfn)
{
    struct page_info *pg = ops->page(ops->ctx, mfn);
    if (pg)
        pg->flags |= PGF_WALKED;
}

/* The full walk, its answer kept. A slot holds 32-bit frame numbers: an
 * L3 above that is walked every time. */
static unsigned char *walk_fill(const struct mm_ops *ops, mfn_t l3_mfn, uint32_t va, int write)
{
    struct walk_info wi;
    unsigned char *frame = translate_map(ops, l3_mfn, va, write, NULL, &wi);
    walk_cache.misses++;
    if (!frame || ((l3_mfn | wi.l2 | wi.l1) >> 32))
        return frame;
    mark_walked(ops, l3_mfn);
    mark_walked(ops, wi.l2);
    mark_walked(ops, wi.l1);
    struct walk_cache_slot *s = walk_cache_slot_of((uint32_t)l3_mfn, va);
    s->vpage = va >> PAGE_SHIFT;
    s->l3 = (uint32_t)l3_mfn;
    s->l2 = (uint32_t)wi.l2;
    s->l1 = (uint32_t)wi.l1;
    s->write = write ? WALK_DIRTY : wi.rw ? WALK_RW : 0;
    s->l1e = wi.l1e;
    s->frame = frame;
    s->gen = walk_cache.gen;
    return frame;
}

unsigned char *walk_cache_write_slot(struct walk_cache_slot *s)
{
    /* What the write walk would do now: RW was checked at both levels when
     * the slot was made (nothing changed since), the accessed bits are
     * set; the dirty bit is what is left. */
    *s->l1e |= _PAGE_DIRTY;
    s->write = WALK_DIRTY;
    return s->frame;
}

static inline unsigned char *walk_lookup(const struct mm_ops *ops, mfn_t l3_mfn, uint32_t va,
                                         int write)
{
    struct walk_cache_slot *s = walk_cache_slot_of((uint32_t)l3_mfn, va);
    if (s->gen == walk_cache.gen && s->vpage == va >> PAGE_SHIFT && s->l3 == l3_mfn) {
        if (!write || s->write == WALK_DIRTY) {
            walk_cache.hits++;
            return s->frame;
        }
        if (s->write == WALK_RW) {
            walk_cache.hits++;
            return walk_cache_write_slot(s);
        }
    }
    return walk_fill(ops, l3_mfn, va, write);
}

int guest_copy_from_cached(const struct mm_ops *ops, mfn_t l3_mfn, void *dst,
                           uint32_t va, uint32_t len)
{
    return guest_copy(ops, l3_mfn, va, dst, len, 0, 1);
}

int guest_copy_to_cached(const struct mm_ops *ops, mfn_t l3_mfn, uint32_t va,
                         const void *src, uint32_t len)
{
    return guest_copy(ops, l3_mfn, va, (void *)(uintptr_t)src, len, 1, 1);
}
