/*
 * pte: PAE page-table entry bits, the validation rule for a guest L1 entry,
 * and the software walk of a guest's page tables that copy_from_guest and
 * copy_to_guest rely on (the hypervisor never dereferences a guest virtual
 * address: it walks the tables and uses its direct map of RAM).
 * Pure: memory is reached only through struct mm_ops.
 */
#ifndef HV_MM_PTE_H
#define HV_MM_PTE_H

#include <stdint.h>
#include <pv86/xen.h>

#include "mm/frame_table.h"

#define PAGE_SHIFT      12
#define PAGE_SIZE       4096u
#define PAGE_MASK       (~(PAGE_SIZE - 1))

#define _PAGE_PRESENT   0x001ull
#define _PAGE_RW        0x002ull
#define _PAGE_USER      0x004ull
#define _PAGE_PWT       0x008ull
#define _PAGE_PCD       0x010ull
#define _PAGE_ACCESSED  0x020ull
#define _PAGE_DIRTY     0x040ull
#define _PAGE_PSE       0x080ull    /* in an L2 entry: 2 MiB page; in L1: PAT */
#define _PAGE_GLOBAL    0x100ull
#define PTE_ADDR_MASK   0x000FFFFFFFFFF000ull
#define PTE_RSVD_MASK   0xFFF0000000000000ull  /* bits 52-63: reserved (no NX) */
#define PDPTE_ALLOWED   (_PAGE_PRESENT | _PAGE_PWT | _PAGE_PCD | PTE_ADDR_MASK)


/*
 * A machine frame number. Wide enough for every machine address a guest can
 * name (a PAE entry's 40-bit frame field, mmu_update's and update_descriptor's
 * 64-bit addresses), so nothing a guest supplies is cut short before the
 * frame table has looked at all of it. Frames the hypervisor tracks lie
 * below max_mfn (< 2^20); a frame number is narrowed to 32 bits only after
 * that lookup succeeded.
 */
typedef uint64_t mfn_t;

/* The one conversion from a machine address to its frame... */
static inline mfn_t maddr_to_mfn(uint64_t maddr) { return maddr >> PAGE_SHIFT; }
/* ...and from an entry (its address field, bits 12-51) to the frame it names. */
static inline mfn_t pte_mfn(uint64_t e) { return maddr_to_mfn(e & PTE_ADDR_MASK); }

/* An entry's flag bits (P, RW, U, PWT, PCD, A, D, PSE, G: bits 0-8) live in
 * its low word: tested as 32 bits. */
static inline uint32_t pte_flags(uint64_t e) { return (uint32_t)e; }

/*
 * The CPU's physical-address width (MAXPHYADDR: CPUID 0x80000008 EAX[7:0],
 * 36 on a CPU without that leaf); mm_init sets it at boot. Address bits of an
 * entry from MAXPHYADDR to 51 are reserved: the CPU faults on them (and a
 * PDPTE with one makes the mov to CR3 fault).
 */
extern unsigned pte_paddr_bits;
/* 1 if entry e's address field has a bit at or above MAXPHYADDR.
 * MAXPHYADDR is 36..52 (mm_init clamps it), so the bits it reserves all lie
 * in the entry's high word: the whole test is one 32-bit shift of that word
 * (address bits 32-51), not a variable 64-bit shift. */
static inline int pte_addr_reserved(uint64_t e)
{
    uint32_t hi = (uint32_t)(e >> 32) & (uint32_t)(PTE_ADDR_MASK >> 32);
    return (hi >> (pte_paddr_bits - 32)) != 0;
}
#define l3_index(va)    ((uint32_t)(va) >> 30)
#define l2_index(va)    (((uint32_t)(va) >> 21) & 511u)
#define l1_index(va)    (((uint32_t)(va) >> 12) & 511u)

struct mm_ops {
    /* The frame's record, or NULL if mfn is not a frame of RAM we track. */
    struct page_info *(*page)(void *ctx, mfn_t mfn);
    /* The frame's 4 KiB contents, or NULL if it is not reachable. */
    void *(*map)(void *ctx, mfn_t mfn);
    /* Write the hypervisor's entries (slots 428-511) of domain dom into an
     * L2 that is becoming the one behind L3 slot 3. */
    void (*hv_slots)(void *ctx, uint16_t dom, uint64_t *l2);
    void *ctx;
    /* Optional: n entries of domain dom's tables were validated (counters). */
    void (*validated)(void *ctx, uint16_t dom, unsigned n);
    /* Optional: should a preemptible operation stop now? (NULL: never.) */
    int (*preempt)(void *ctx);
    /* Optional: frames are direct-mapped, frame m (0 < m < *direct_frames)
     * at direct_base + m * 4 KiB, and map() says the same; the software page
     * walk (every guest copy) then maps without an indirect call. */
    uintptr_t direct_base;
    const uint32_t *direct_frames;
};

/* ops->map(mfn), through the direct map when there is one. */
static inline void *mm_ops_map(const struct mm_ops *ops, mfn_t mfn)
{
    if (ops->direct_frames) {
        if ((uint32_t)(mfn >> 32) != 0 || (uint32_t)mfn == 0 ||
            (uint32_t)mfn >= *ops->direct_frames)
            return (void *)0;
        return (void *)(ops->direct_base + ((uintptr_t)(uint32_t)mfn << PAGE_SHIFT));
    }
    return ops->map(ops->ctx, mfn);
}

/* Frames below this one (1 MiB: 0x100) are Xen's DOMID_IO ("historically
 * I/O"): MMIO to a guest L1 entry that names one the domain does not own.
 * A variable only so that the host tests' small fake machines can place it. */
extern uint32_t l1e_io_frames;

/*
 * A guest L1 entry `pte` about to be installed by domain `domid`: check it
 * and take the references it needs (general, plus a writable type reference
 * when RW). Xen's answers (get_page_from_l1e): 0, -XEN_EINVAL (reserved
 * flag bits 52-63; the all-ones frame), -XEN_EPERM (MMIO the domain may not
 * map: a frame beyond RAM or above MAXPHYADDR, or one below 1 MiB not its
 * own) or -XEN_EBUSY ("could not pin": other RAM not the domain's, or RW on
 * a frame in use as a page table or descriptor table).
 * A not-present entry takes nothing and is always accepted.
 */
int l1e_get(const struct mm_ops *ops, uint16_t domid, uint64_t pte);
/* l1e_get's checks of a present entry, taking nothing: 0 and the frame's
 * record in *frame, or l1e_get's error. l1e_get is this, then the writable
 * type reference when RW (-XEN_EBUSY if it cannot be had), then the general
 * reference. */
int l1e_check(const struct mm_ops *ops, uint16_t domid, uint64_t pte, struct page_info **frame);
/* Does an L1 update from old to val keep a present entry's frame? Then
 * page_table_update takes its fast path (mm/pagetable.c). */
static inline int l1e_same_frame(uint64_t old, uint64_t val)
{
    return (pte_flags(old) & pte_flags(val) & _PAGE_PRESENT) &&
           ((old ^ val) & PTE_ADDR_MASK) == 0;
}
/* Drop the references of an entry accepted by l1e_get. */
void l1e_put(const struct mm_ops *ops, uint64_t pte);

/* 0 if [va, va+len) is a range a guest may name: no wrap, below
 * HYPERVISOR_VIRT_START. -XEN_EFAULT otherwise. len 0 is fine. */
int guest_range_ok(uint32_t va, uint32_t len);

/* Where is the L1 entry that maps va? Needs present L3 and L2 entries and no
 * 2 MiB page. 0 or -XEN_EINVAL. */
int guest_l1e_slot(const struct mm_ops *ops, mfn_t l3_mfn, uint32_t va,
                   mfn_t *l1_mfn, unsigned *index);

/* A remembered translation for supervisor writes, one per use (the bounce
 * frame's kernel stack): the frame behind one page and the three entries
 * the walk read, with their values. Zeroed = empty. */
struct guest_wcache {
    uint64_t *slot[3];                  /* L3, L2 and L1 entry, direct-mapped */
    uint64_t val[3];                    /* their values after the walk */
    unsigned char *frame;               /* NULL: empty */
    mfn_t l3_mfn;
    uint32_t page;                      /* va >> PAGE_SHIFT */
};

/* guest_wcache_map's walk, which fills c (NULL on a fault). */
unsigned char *guest_wcache_fill(const struct mm_ops *ops, struct guest_wcache *c,
                                 mfn_t l3_mfn, uint32_t va);
/* The remembered page, if it still holds and [va, va + len) lies in it:
 * where the bytes are, else NULL (walk). */
static inline __attribute__((always_inline)) unsigned char *
guest_wcache_hit(const struct mm_ops *ops, const struct guest_wcache *c, mfn_t l3_mfn,
                 uint32_t va, uint32_t len)
{
    uint32_t off = va & (PAGE_SIZE - 1);
    if (len > PAGE_SIZE - off || va >= HYPERVISOR_VIRT_START || !ops->direct_frames)
        return (unsigned char *)0;
    if (c->frame && c->page == va >> PAGE_SHIFT && c->l3_mfn == l3_mfn &&
        *c->slot[0] == c->val[0] && *c->slot[1] == c->val[1] && *c->slot[2] == c->val[2])
        return c->frame + off;
    return (unsigned char *)0;
}

/* Where len bytes at va (within one page) can be written, as a write by
 * guest_copy_to would find them (accessed and dirty set the same), or NULL:
 * not in one page, no direct map, or a fault (guest_copy_to tells which).
 * It walks only when the remembered entries changed (pte.c says why that
 * is exact); the pointer is good until the hypervisor next runs guest code
 * or changes a page table. */
static inline __attribute__((always_inline)) unsigned char *
guest_wcache_map(const struct mm_ops *ops, struct guest_wcache *c, mfn_t l3_mfn,
                 uint32_t va, uint32_t len)
{
    unsigned char *p = guest_wcache_hit(ops, c, l3_mfn, va, len);
    if (p)
        return p;
    uint32_t off = va & (PAGE_SIZE - 1);
    if (len > PAGE_SIZE - off || va >= HYPERVISOR_VIRT_START || !ops->direct_frames)
        return (unsigned char *)0;
    return guest_wcache_fill(ops, c, l3_mfn, va);
}

/* Translate va for a supervisor access (ring 1): 0 and *mfn, or -XEN_EFAULT.
 * Sets the accessed bit (and dirty for a write) as the CPU would. */
int guest_translate(const struct mm_ops *ops, mfn_t l3_mfn, uint32_t va,
                    int write, mfn_t *mfn);

int guest_copy_from(const struct mm_ops *ops, mfn_t l3_mfn, void *dst,
                    uint32_t va, uint32_t len);
int guest_copy_to(const struct mm_ops *ops, mfn_t l3_mfn, uint32_t va,
                  const void *src, uint32_t len);

/*
 * The walk cache: the answers of the software walk (translate_map) for the
 * pages a PV guest's hypercalls name again and again (its multicall array,
 * its mmu_update queue, its kernel stack), kept across copies and across
 * entries, so that a copy to or from such a page is a lookup and a memcpy.
 *
 * A slot says: in the address space of L3 frame l3, page vpage is frame
 * `frame`, reached through the L2 and L1 frames the walk read (each marked
 * PGF_WALKED, the slot naming them), with the accessed bits set; WALK_RW: RW at both levels, so
 * that a write needs only the dirty bit the write walk would set (set then,
 * through l1e); WALK_DIRTY: that too is done. It stays true while none of those three
 * tables changes: the CPU only ever sets accessed and dirty bits, and a PV
 * guest's tables in use change only through page_table_update (mmu_update,
 * update_va_mapping, the writable page tables' emulation) and the grant
 * maps, which call walk_cache_table_changed for the table they write. A
 * table stops being one (devalidate) or becomes one (validate) only with
 * the same call; a frame is given out again (mm_alloc_frame) only after
 * walk_cache_flush. A change drops the slots that name the table changed
 * (walk_cache_forget); every slot is dropped at once by a new generation.
 *
 * Only for PV domains, whose tables the guest cannot write directly (the
 * hypervisor's callers decide: core/domain.c); the result of every copy is
 * exactly guest_copy_from's / guest_copy_to's on the same memory.
 */
#define WALK_CACHE_SLOTS 16u
#define WALK_RW     1u        /* slot.write: a write would pass; the dirty bit not set yet */
#define WALK_DIRTY  2u        /* ...and set: a write slot */
struct walk_cache_slot {
    uint32_t gen;             /* valid while equal to walk_cache.gen (never 0) */
    uint32_t vpage;           /* va >> 12 */
    uint32_t l3;              /* the L3 frame */
    uint32_t l2, l1;          /* the L2 and L1 frames the walk read */
    uint32_t write;           /* 0 (reads only), WALK_RW or WALK_DIRTY */
    uint64_t *l1e;            /* the L1 entry that maps the page */
    unsigned char *frame;     /* the page's mapping */
};
struct walk_cache {
    uint32_t gen;
    uint32_t hits, misses;    /* counted for the profile (docs/benchmarks.md) */
    struct walk_cache_slot slot[WALK_CACHE_SLOTS];
};
extern struct walk_cache walk_cache;

/* Drop every slot. */
void walk_cache_flush(void);
/* Drop the slots whose walk read table frame mfn. */
void walk_cache_forget(mfn_t mfn);
/* Drop the slots whose answer depends on entry *e of table frame mfn: the
 * slots that read that very L1 entry, and (not told apart by entry) the
 * slots that read mfn as their L2 or L3. */
void walk_cache_forget_entry(mfn_t mfn, const uint64_t *e);
/* Entry *e of table frame mfn (record pg) is about to be written. The
 * frame keeps its mark: other slots may still have read other entries. */
static inline void walk_cache_entry_changed(struct page_info *pg, mfn_t mfn, const uint64_t *e)
{
    if (pg && (pg->flags & PGF_WALKED))
        walk_cache_forget_entry(mfn, e);
}
/* Table frame mfn (record pg) is about to become or stop being a table. */
static inline void walk_cache_table_changed(struct page_info *pg, mfn_t mfn)
{
    if (pg && (pg->flags & PGF_WALKED)) {
        pg->flags &= (uint8_t)~PGF_WALKED;
        walk_cache_forget(mfn);
    }
}
/* The slot for page va of address space l3: direct-mapped, the L3 mixed in
 * so that two address spaces' kernel pages (the same addresses) keep theirs. */
static inline struct walk_cache_slot *walk_cache_slot_of(uint32_t l3_mfn, uint32_t va)
{
    return &walk_cache.slot[((va >> PAGE_SHIFT) ^ (l3_mfn * 5u)) % WALK_CACHE_SLOTS];
}
/* A write through a WALK_RW slot: the dirty bit, as the write walk sets it. */
unsigned char *walk_cache_write_slot(struct walk_cache_slot *s);
/* The common case, inline: [va, va+len) within one page the cache knows.
 * The bytes' address, or NULL: then the copy goes through
 * guest_copy_*_cached. len 0 is never a hit. */
static inline unsigned char *walk_cache_hit(uint32_t l3_mfn, uint32_t va, uint32_t len,
                                            int write)
{
    struct walk_cache_slot *s = walk_cache_slot_of(l3_mfn, va);
    uint32_t off = va & (PAGE_SIZE - 1);
    if (s->gen != walk_cache.gen || s->vpage != va >> PAGE_SHIFT || s->l3 != l3_mfn ||
        len - 1 >= PAGE_SIZE - off)
        return (unsigned char *)0;
    if (write && s->write != WALK_DIRTY) {
        if (s->write != WALK_RW)
            return (unsigned char *)0;
        walk_cache.hits++;
        return walk_cache_write_slot(s) + off;
    }
    walk_cache.hits++;
    return s->frame + off;
}
/* guest_copy_from / guest_copy_to through the cache. */
int guest_copy_from_cached(const struct mm_ops *ops, mfn_t l3_mfn, void *dst,
                           uint32_t va, uint32_t len);
int guest_copy_to_cached(const struct mm_ops *ops, mfn_t l3_mfn, uint32_t va,
                         const void *src, uint32_t len);

#endif
