/*
 * vm: per-process address spaces over PAE page tables.
 *
 *   L3 slot 0   the kernel's direct map (VA = pfn << 12), shared by all
 *   L3 slot 1   user space, 0x40000000-0x7fffffff: one L2 per process
 *   L3 slot 3   pv flavour: an L2 of this L3's own, which the hypervisor fills
 *               with its entries (Xen's PAE rule); native: empty
 *
 * User memory is described by regions (struct vma) and filled lazily: a
 * page appears on its first fault (demand-zero). fork shares every page
 * read-only with PTE_COW; the first write copies it, or just makes it
 * writable again when no one else maps it. Page tables are read through the
 * direct map and written only through arch_pt_set (see arch.h).
 */
#include "kernel/kernel.h"

#include "lib/string.h"

#define L2_INDEX(va) (((va) >> 21) & 511u)
#define L1_INDEX(va) (((va) >> 12) & 511u)
#define USER_L2_FIRST L2_INDEX(USER_BASE)     /* 0: slot 1 starts at its L2's 0 */

static struct kernel_tables kt;

static uint64_t *table(uint32_t pfn) { return pfn_va(pfn); }

static int user_range(uint32_t start, uint32_t end)
{
    return start >= USER_BASE && end <= USER_END && start <= end;
}

static uint64_t prot_flags(uint32_t prot)
{
    if (prot & PROT_WRITE)
        return PTE_P | PTE_U | PTE_A | PTE_RW | PTE_D;
    if (prot & (PROT_READ | PROT_EXEC))
        return PTE_P | PTE_U | PTE_A;
    return PTE_P | PTE_A;               /* PROT_NONE: kept, but not for ring 3 */
}

void vm_init(void)
{
    arch_vm_init(&kt);
}

/* ---- regions */

static struct vma *vma_find(struct aspace *as, uint32_t va)
{
    for (unsigned i = 0; i < NVMA; i++)
        if (as->vma[i].end && va >= as->vma[i].start && va < as->vma[i].end)
            return &as->vma[i];
    return NULL;
}

static struct vma *vma_free_slot(struct aspace *as)
{
    for (unsigned i = 0; i < NVMA; i++)
        if (!as->vma[i].end)
            return &as->vma[i];
    return NULL;
}

/* Make addr a region boundary (if a region spans it). */
static int vma_split(struct aspace *as, uint32_t addr)
{
    struct vma *v = vma_find(as, addr);
    if (!v || v->start == addr)
        return 0;
    struct vma *n = vma_free_slot(as);
    if (!n)
        return -ENOMEM;
    *n = *v;
    v->end = addr;
    n->start = addr;
    return 0;
}

int vm_map_region(struct aspace *as, uint32_t start, uint32_t end, uint32_t prot)
{
    if ((start | end) & (PAGE_SIZE - 1) || start >= end || !user_range(start, end))
        return -EINVAL;
    for (unsigned i = 0; i < NVMA; i++)
        if (as->vma[i].end && start < as->vma[i].end && as->vma[i].start < end)
            return -EINVAL;
    struct vma *v = vma_free_slot(as);
    if (!v)
        return -ENOMEM;
    v->start = start;
    v->end = end;
    v->prot = prot;
    return 0;
}

/* ---- page-table walk */

/* The L1 entry for va, creating its L1 when create is set (NULL if none). */
static uint64_t *pte_slot(struct aspace *as, uint32_t va, int create)
{
    uint64_t *l2e = &table(as->l2_pfn)[L2_INDEX(va)];
    if (!(*l2e & PTE_P)) {
        if (!create)
            return NULL;
        uint32_t l1 = pmm_alloc();
        if (!l1)
            return NULL;
        arch_pt_table_new(l1);
        arch_pt_set(l2e, arch_pte(l1, PTE_P | PTE_RW | PTE_U | PTE_A));
        arch_pt_commit(FLUSH_NONE);     /* so that *l2e reads back present */
    }
    return &table(arch_pte_pfn(*l2e))[L1_INDEX(va)];
}

static int l1_empty(const uint64_t *t)
{
    for (unsigned i = 0; i < 512; i++)
        if (t[i] & PTE_P)
            return 0;
    return 1;
}

/* ---- address-space roots
 *
 * An L3 with slot 0 (the kernel) and, in the pv flavour, a slot-3 L2 of its
 * own, made a table and pinned, is the part of an address space that is the
 * same for every process. Xen's PAE rule gives each L3 its own slot-3 L2
 * (it holds the hypervisor's entries, and one L3 may use it), so a new one
 * costs a page and its validation; a root therefore outlives its process:
 * vm_destroy clears its slot 1 and keeps it here, and the next vm_create or
 * fork fills slot 1 with one page-table write. Only an address space that is
 * not the current one is destroyed, so no TLB holds a pooled root's old
 * user mappings.
 */
#define ROOT_POOL 8u
static uint32_t roots[ROOT_POOL];
static unsigned nroots;

static uint32_t root_new(void)
{
    uint32_t l3 = pmm_alloc(), l2h = 0;
    if (!l3)
        return 0;
    if (kt.l2h_pfn && !(l2h = pmm_alloc())) {   /* pv: slot 3 of its own */
        pmm_put(l3);
        return 0;
    }
    uint64_t *t = table(l3);
    t[0] = arch_pte(kt.l2_pfn, PTE_P);
    if (l2h) {
        t[3] = arch_pte(l2h, PTE_P);            /* empty: the hypervisor fills */
        arch_pt_table_new(l2h);                 /* its slots when it validates */
    }
    arch_pt_table_new(l3);
    arch_pt_commit(FLUSH_NONE);
    arch_as_create(l3);
    return l3;
}

static void root_free(uint32_t l3)
{
    const uint64_t *t = table(l3);
    uint32_t l2h = (t[3] & PTE_P) ? arch_pte_pfn(t[3]) : 0;
    arch_as_destroy(l3);
    arch_pt_table_free(l3);
    if (l2h)
        arch_pt_table_free(l2h);
    arch_pt_commit(FLUSH_NONE);
    pmm_put(l3);
    if (l2h)
        pmm_put(l2h);
}

static void root_put(uint32_t l3)
{
    if (nroots < ROOT_POOL)
        roots[nroots++] = l3;
    else
        root_free(l3);
}

void vm_trim(void)
{
    while (nroots)
        root_free(roots[--nroots]);
}

/* ---- address spaces */

/* A root and a user L2 as a plain page; the L2's tree is validated when
 * as_activate puts it in slot 1. */
static int as_alloc(struct aspace *as)
{
    memset(as, 0, sizeof(*as));
    as->l2_pfn = pmm_alloc();
    if (!as->l2_pfn)
        return -ENOMEM;
    as->l3_pfn = nroots ? roots[--nroots] : root_new();
    if (!as->l3_pfn) {
        pmm_put(as->l2_pfn);
        as->l2_pfn = 0;
        return -ENOMEM;
    }
    return 0;
}

static void as_activate(struct aspace *as)
{
    uint64_t *l2 = table(as->l2_pfn);
    for (unsigned i = 0; i < 512; i++)
        if (l2[i] & PTE_P)
            arch_pt_table_new(arch_pte_pfn(l2[i]));
    arch_pt_table_new(as->l2_pfn);
    arch_pt_set(&table(as->l3_pfn)[1], arch_pte(as->l2_pfn, PTE_P));
    arch_pt_commit(FLUSH_NONE);
}

int vm_create(struct aspace *as)
{
    int rc = as_alloc(as);
    if (rc == 0)
        as_activate(as);
    return rc;
}

/* Drop every user page and L1 of a tree that is no longer in use; with
 * tables set, the tree hangs in slot 1 and its pages were tables. The root
 * goes back to the pool. */
static void as_release(struct aspace *as, int tables)
{
    uint64_t *l2 = table(as->l2_pfn);
    if (tables)
        arch_pt_set(&table(as->l3_pfn)[1], 0);  /* first: the tree stops being one */
    for (unsigned i = 0; i < 512; i++) {
        if (!(l2[i] & PTE_P))
            continue;
        uint32_t l1 = arch_pte_pfn(l2[i]);
        uint64_t *t = table(l1);
        for (unsigned j = 0; j < 512; j++)
            if (t[j] & PTE_P)
                pmm_put(arch_pte_pfn(t[j]));
        if (tables)
            arch_pt_table_free(l1);
    }
    if (tables) {
        arch_pt_table_free(as->l2_pfn);
        arch_pt_commit(FLUSH_NONE);
    }
    for (unsigned i = 0; i < 512; i++)
        if (l2[i] & PTE_P)
            pmm_put(arch_pte_pfn(l2[i]));
    pmm_put(as->l2_pfn);
    root_put(as->l3_pfn);
    as->l3_pfn = as->l2_pfn = 0;
}

void vm_destroy(struct aspace *as)
{
    as_release(as, 1);
}

/* fork: the child's tables are built as plain pages, sharing every page;
 * the parent's pages all become read-only copy-on-write, in one batch. */
int vm_clone(struct aspace *child, struct aspace *parent)
{
    if (as_alloc(child))
        return -ENOMEM;
    memcpy(child->vma, parent->vma, sizeof(child->vma));
    child->brk_start = parent->brk_start;
    child->brk = parent->brk;
    uint64_t *pl2 = table(parent->l2_pfn), *cl2 = table(child->l2_pfn);
    for (unsigned i = 0; i < 512; i++) {
        if (!(pl2[i] & PTE_P) || l1_empty(table(arch_pte_pfn(pl2[i]))))
            continue;                           /* the child faults its own in */
        uint32_t cl1 = pmm_alloc();
        if (!cl1) {
            arch_pt_commit(FLUSH_ALL);
            as_release(child, 0);
            return -ENOMEM;
        }
        uint64_t *p = table(arch_pte_pfn(pl2[i])), *c = table(cl1);
        for (unsigned j = 0; j < 512; j++) {
            uint64_t e = p[j];
            if (!(e & PTE_P))
                continue;
            /* Read-only pages are marked too: an mprotect may make them
             * writable later, and then the first write must copy. */
            if ((e & (PTE_RW | PTE_COW)) != PTE_COW) {
                e = (e & ~PTE_RW) | PTE_COW;
                arch_pt_set(&p[j], e);
            }
            c[j] = e;
            pmm_get(arch_pte_pfn(e));
        }
        cl2[i] = pl2[i] & ~0xFFFFFFFFF000ull;
        cl2[i] |= arch_pte(cl1, 0);
    }
    arch_pt_commit(FLUSH_ALL);
    as_activate(child);
    return 0;
}

/* ---- faults */

int vm_fault(struct aspace *as, uint32_t va, int write, const char **why)
{
    struct vma *v = user_range(va, va) && va < USER_END ? vma_find(as, va) : NULL;
    if (!v) {
        *why = "no mapping";
        return -1;
    }
    if (write && !(v->prot & PROT_WRITE)) {
        *why = "write to read-only memory";
        return -1;
    }
    if (!(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC))) {
        *why = "access to PROT_NONE memory";
        return -1;
    }
    uint64_t *slot = pte_slot(as, va, 1);
    if (!slot) {
        *why = "out of memory";
        return -1;
    }
    uint64_t e = *slot;
    if (!(e & PTE_P)) {                             /* demand-zero */
        uint32_t pfn = pmm_alloc();
        if (!pfn) {
            *why = "out of memory";
            return -1;
        }
        arch_pt_set(slot, arch_pte(pfn, prot_flags(v->prot)));
        arch_pt_commit(FLUSH_NONE);
        return 0;
    }
    if (write && !(e & PTE_RW)) {
        uint32_t old = arch_pte_pfn(e);
        uint64_t ne;
        if ((e & PTE_COW) && pmm_refs(old) > 1) {   /* copy */
            uint32_t pfn = pmm_alloc();
            if (!pfn) {
                *why = "out of memory";
                return -1;
            }
            memcpy(pfn_va(pfn), pfn_va(old), PAGE_SIZE);
            ne = arch_pte(pfn, prot_flags(v->prot));
            arch_pt_set(slot, ne);
            arch_pt_commit(PAGE_DOWN(va));
            pmm_put(old);
            return 0;
        }
        ne = (e & ~PTE_COW) | prot_flags(v->prot);   /* last user: reuse */
        arch_pt_set(slot, ne);
        arch_pt_commit(PAGE_DOWN(va));
        return 0;
    }
    if (!(e & PTE_U)) {                             /* mprotect'ed back */
        arch_pt_set(slot, (e & ~PTE_FLAGS) | (e & PTE_COW) |
                          (prot_flags(v->prot) & ~((e & PTE_COW) ? PTE_RW : 0)));
        arch_pt_commit(PAGE_DOWN(va));
        return 0;
    }
    arch_pt_commit(PAGE_DOWN(va));                  /* a stale TLB entry */
    return 0;
}

/* ---- changing regions */

/* Clear or rewrite the present entries of [start, end). */
static void range_update(struct aspace *as, uint32_t start, uint32_t end, int unmap,
                         uint32_t prot)
{
    for (uint32_t va = start; va < end; va += PAGE_SIZE) {
        uint64_t *slot = pte_slot(as, va, 0);
        if (!slot) {
            va = (va | 0x1FFFFF);               /* no L1: skip its 2 MiB */
            va -= PAGE_SIZE - 1;
            continue;
        }
        uint64_t e = *slot;
        if (!(e & PTE_P))
            continue;
        if (unmap) {
            arch_pt_set(slot, 0);
            pmm_put(arch_pte_pfn(e));
            continue;
        }
        uint64_t f = prot_flags(prot);
        if (e & PTE_COW)
            f &= ~PTE_RW;                       /* the write fault will copy */
        arch_pt_set(slot, (e & ~PTE_FLAGS) | (e & PTE_COW) | f);
    }
    arch_pt_commit(FLUSH_ALL);
}

static int range_check(uint32_t start, uint32_t len, uint32_t *end)
{
    if (start & (PAGE_SIZE - 1) || len == 0 || len > USER_END)
        return -EINVAL;
    *end = start + PAGE_UP(len);
    if (*end < start || !user_range(start, *end))
        return -EINVAL;
    return 0;
}

int vm_unmap_region(struct aspace *as, uint32_t start, uint32_t len)
{
    uint32_t end;
    int rc = range_check(start, len, &end);
    if (rc)
        return rc;
    if ((rc = vma_split(as, start)) || (rc = vma_split(as, end)))
        return rc;
    for (unsigned i = 0; i < NVMA; i++)
        if (as->vma[i].end && as->vma[i].start >= start && as->vma[i].end <= end)
            as->vma[i].start = as->vma[i].end = 0;
    range_update(as, start, end, 1, 0);
    /* L1s left empty go back too (range_update has committed). */
    uint64_t *l2 = table(as->l2_pfn);
    uint32_t freed[16], nfreed = 0;
    for (unsigned i = L2_INDEX(start); i <= L2_INDEX(end - 1); i++) {
        if ((l2[i] & PTE_P) && l1_empty(table(arch_pte_pfn(l2[i])))) {
            freed[nfreed++] = arch_pte_pfn(l2[i]);
            arch_pt_set(&l2[i], 0);
            arch_pt_table_free(freed[nfreed - 1]);
        }
        if (nfreed == 16 || (nfreed && i == L2_INDEX(end - 1))) {
            arch_pt_commit(FLUSH_ALL);
            while (nfreed)
                pmm_put(freed[--nfreed]);
        }
    }
    return 0;
}

int vm_protect(struct aspace *as, uint32_t start, uint32_t len, uint32_t prot)
{
    uint32_t end;
    int rc = range_check(start, len, &end);
    if (rc)
        return rc;
    if (prot & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
        return -EINVAL;
    for (uint32_t va = start; va < end;) {      /* all of it must be mapped */
        struct vma *v = vma_find(as, va);
        if (!v)
            return -ENOMEM;
        va = v->end;
    }
    if ((rc = vma_split(as, start)) || (rc = vma_split(as, end)))
        return rc;
    for (unsigned i = 0; i < NVMA; i++)
        if (as->vma[i].end && as->vma[i].start >= start && as->vma[i].end <= end)
            as->vma[i].prot = prot;
    range_update(as, start, end, 0, prot);
    return 0;
}

int vm_sbrk(struct aspace *as, int32_t incr, uint32_t *old)
{
    uint32_t brk = as->brk, nbrk = brk + (uint32_t)incr;
    if ((incr > 0 && nbrk < brk) || (incr < 0 && nbrk > brk) ||
        nbrk < as->brk_start || nbrk > USER_MMAP_BASE)
        return -ENOMEM;
    uint32_t top = PAGE_UP(brk), ntop = PAGE_UP(nbrk);
    if (ntop > top) {
        struct vma *v = top > as->brk_start ? vma_find(as, top - 1) : NULL;
        if (v && v->end == top && v->prot == (PROT_READ | PROT_WRITE)) {
            for (unsigned i = 0; i < NVMA; i++)     /* would it overlap? */
                if (&as->vma[i] != v && as->vma[i].end &&
                    as->vma[i].start < ntop && top < as->vma[i].end)
                    return -ENOMEM;
            v->end = ntop;
        } else {
            int rc = vm_map_region(as, top, ntop, PROT_READ | PROT_WRITE);
            if (rc)
                return rc == -EINVAL ? -ENOMEM : rc;
        }
    } else if (ntop < top) {
        int rc = vm_unmap_region(as, ntop, top - ntop);
        if (rc)
            return rc;
    }
    *old = brk;
    as->brk = nbrk;
    return 0;
}

uint32_t vm_mmap(struct aspace *as, uint32_t len, uint32_t prot, int *err)
{
    *err = -EINVAL;
    if (len == 0 || len > USER_STACK_TOP - USER_STACK_MAX - USER_MMAP_BASE ||
        (prot & ~(uint32_t)(PROT_READ | PROT_WRITE | PROT_EXEC)))
        return 0;
    /* First fit above USER_MMAP_BASE, an unmapped page between regions. */
    uint32_t start = USER_MMAP_BASE, size = PAGE_UP(len);
    for (int moved = 1; moved;) {
        moved = 0;
        for (unsigned i = 0; i < NVMA; i++) {
            const struct vma *v = &as->vma[i];
            if (v->end && v->start < start + size + PAGE_SIZE && start < v->end + PAGE_SIZE) {
                start = v->end + PAGE_SIZE;
                moved = 1;
            }
        }
        if (start + size > USER_STACK_TOP - USER_STACK_MAX) {
            *err = -ENOMEM;
            return 0;
        }
    }
    *err = vm_map_region(as, start, start + size, prot);
    return *err ? 0 : start;
}

/* ---- copying to and from user memory, through the direct map */

static uint8_t *user_byte(struct aspace *as, uint32_t va, int write, int force);

int vm_bench_ptemod(struct aspace *as, uint32_t va, uint32_t count)
{
    if (!user_byte(as, va, 1, 0))               /* present and writable */
        return -EFAULT;
    uint64_t *slot = pte_slot(as, va, 0);
    for (uint32_t i = 0; i < count + (count & 1); i++) {   /* ends writable */
        arch_pt_set(slot, *slot ^ PTE_RW);
        arch_pt_commit(PAGE_DOWN(va));
    }
    return 0;
}

/* The kernel address of user byte va, resolving the fault the CPU would
 * take; force ignores the protection (the ELF loader fills read-only text). */
static uint8_t *user_byte(struct aspace *as, uint32_t va, int write, int force)
{
    struct vma *v = va >= USER_BASE && va < USER_END ? vma_find(as, va) : NULL;
    if (!v)
        return NULL;
    if (!force && (write ? !(v->prot & PROT_WRITE)
                         : !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC))))
        return NULL;
    uint64_t *slot = pte_slot(as, va, 0);
    uint64_t e = slot ? *slot : 0;
    if (!(e & PTE_P) || (write && !(e & PTE_RW))) {
        const char *why;
        uint32_t saved = v->prot;
        if (force)
            v->prot = PROT_READ | PROT_WRITE;
        int rc = vm_fault(as, va, write, &why);
        if (force) {
            v->prot = saved;
            if (rc == 0) {                          /* keep the real protection */
                slot = pte_slot(as, va, 0);
                arch_pt_set(slot, (*slot & ~PTE_FLAGS) | prot_flags(saved));
                arch_pt_commit(PAGE_DOWN(va));
            }
        }
        if (rc)
            return NULL;
        slot = pte_slot(as, va, 0);
        e = *slot;
    }
    return (uint8_t *)pfn_va(arch_pte_pfn(e)) + (va & (PAGE_SIZE - 1));
}

static int copy_user(struct aspace *as, uint32_t va, uint8_t *buf, size_t n, int write,
                     int force)
{
    while (n) {
        uint8_t *k = user_byte(as, va, write, force);
        if (!k)
            return -EFAULT;
        size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        if (chunk > n)
            chunk = n;
        if (write)
            memcpy(k, buf, chunk);
        else
            memcpy(buf, k, chunk);
        va += (uint32_t)chunk;
        buf += chunk;
        n -= chunk;
    }
    return 0;
}

int copy_to_user(struct aspace *as, uint32_t dst, const void *src, size_t n)
{
    return copy_user(as, dst, (uint8_t *)(uintptr_t)src, n, 1, 0);
}

int copy_from_user(struct aspace *as, void *dst, uint32_t src, size_t n)
{
    return copy_user(as, src, dst, n, 0, 0);
}

int vm_fill(struct aspace *as, uint32_t dst, const void *src, size_t n)
{
    return copy_user(as, dst, (uint8_t *)(uintptr_t)src, n, 1, 1);
}

int copy_string_from_user(struct aspace *as, char *dst, uint32_t src, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        uint8_t *k = user_byte(as, src + (uint32_t)i, 0, 0);
        if (!k)
            return -EFAULT;
        dst[i] = (char)*k;
        if (!*k)
            return 0;
    }
    return -E2BIG;
}
