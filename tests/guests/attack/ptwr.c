/*
 * ptwr: writable page tables (vm_assist writable_pagetables) turned against
 * the hypervisor and the domain beside us (test=ptwr). With the assist on,
 * our kernel's writes to a read-only mapping of our own L1 are emulated as
 * mmu_updates: we try to use that to map, writable or at all, a frame of
 * the other domain, a hypervisor frame (the M2P's and the switcher's L1s,
 * named in our slot-3 L2), our own page tables writable, and to slip a bad
 * entry in through Xen's PAE fix-up (an upper half written first) or
 * through cmpxchg8b, xchg and a locked or, and from ring 3 through a
 * user mapping of the L1. Each write must come back as
 * the #PF the CPU raised (vector 14, error code 3, CR2 the entry's address)
 * with the entry unchanged; writes to the M2P, in the hypervisor's area,
 * are never emulated; and the innocent domain's checksum holds.
 */
#include "guest.h"

#include "attack.h"

#define PFN_T    0x3E0u                 /* our L1 for the games */
#define PFN_D    0x3E1u                 /* a data frame of ours */
#define T_VA     (PFN_T << 12)
#define USER_VA  0x3E2000u              /* our L1 again, user read-only (ptwr_probes.S) */
#define HOOK_SLOT 0x1E0u                /* L2 slot of L3 slot 0 (VA 960 MiB) */

static int32_t ext1(uint32_t cmd, uint32_t arg)
{
    struct mmuext_op op = { cmd, arg, 0 };
    return hv_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static uint64_t entry(unsigned i)
{
    return ((volatile uint64_t *)T_VA)[i];
}

/* One direct write of `val` at entry i (half 0: low word, 1: high word),
 * which must be the CPU's #PF, bounced, with the entry unchanged. */
static int bounced(unsigned i, unsigned half, uint32_t val)
{
    uint32_t va = T_VA + i * 8 + half * 4;
    uint64_t before = entry(i);
    unsigned n = last_trap.count;
    probe_write(va, val);
    return last_trap.count == n + 1 && last_trap.vector == 14 && last_trap.error == 3 &&
           last_trap.cr2 == va && entry(i) == before;
}

/* Every frame in [first, end) not ours (but shared_info), as entry `flags`: how many were
 * tried and how many were refused the right way. */
static void foreign_range(uint32_t first, uint32_t end, uint32_t flags, unsigned *tried,
                          unsigned *refused)
{
    for (uint32_t m = first; m < end; m++) {
        /* shared_info is the hypervisor's page shared with us: ours to map */
        if (owns_mfn(m) || m == start_info->shared_info >> 12)
            continue;
        (*tried)++;
        *refused += bounced(1, 0, (m << 12) | flags);
    }
}

void probe_cx8(void), probe_xchg(void), probe_lock_or(void);     /* ptwr_probes.S */
extern uint32_t ptwr_probe_va, ptwr_probe_lo, ptwr_probe_hi;

static int probe_bounced(void (*fn)(void), unsigned i, uint32_t lo, uint32_t hi)
{
    uint64_t before = entry(i);
    unsigned n = last_trap.count;
    ptwr_probe_va = T_VA + i * 8;
    ptwr_probe_lo = lo;
    ptwr_probe_hi = hi;
    fn();
    return last_trap.count == n + 1 && last_trap.vector == 14 && last_trap.error == 3 &&
           last_trap.cr2 == T_VA + i * 8 && entry(i) == before;
}

int ptwr_case(const char *name, size_t len)
{
    if (!(len == 4 && memcmp(name, "ptwr", 4) == 0))
        return -1;
    printf("attack: writable page tables against the hypervisor and our neighbour\n");
    uint32_t t = pfn_to_mfn(PFN_T), d = pfn_to_mfn(PFN_D);
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    uint32_t l2_mfn = (uint32_t)(l3[0] >> 12) & 0xFFFFFu;
    uint32_t l2h_mfn = (uint32_t)(l3[3] >> 12) & 0xFFFFFu;
    uint32_t l3_mfn = pfn_to_mfn(start_info->pt_base >> 12);
    const uint32_t ro = (uint32_t)(PTE_P | PTE_A), rw = (uint32_t)(PTE_P | PTE_RW | PTE_A | PTE_D);

    memset((void *)T_VA, 0, 4096);
    int32_t a = hv_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);
    int32_t b = map_page(T_VA, t, ro);
    int32_t c = ext1(MMUEXT_PIN_L1_TABLE, t);
    struct mmu_update hook = { ((uint64_t)l2_mfn << 12) + HOOK_SLOT * 8,
                               ((uint64_t)t << 12) | PTE_P | PTE_RW | PTE_A };
    int32_t h = hv_mmu_update(&hook, 1, NULL, DOMID_SELF);
    ((volatile uint64_t *)T_VA)[0] = ((uint64_t)d << 12) | ro;     /* a good one first */
    ok(a == 0 && b == 0 && c == 0 && h == 0 && entry(0) == (((uint64_t)d << 12) | ro),
       "our L1 read-only, pinned, hooked (%d %d %d %d); a direct write of a good entry took",
       (int)a, (int)b, (int)c, (int)h);

    /* The frames around ours belong to the domain beside us or the
     * hypervisor: every one refused, read-only and writable. */
    unsigned tried = 0, refused = 0;
    uint32_t lo = pfn_to_mfn(0), hi = pfn_to_mfn(start_info->nr_pages - 1);
    foreign_range(lo > 512 ? lo - 512 : 0, lo, ro, &tried, &refused);
    foreign_range(lo > 512 ? lo - 512 : 0, lo, rw, &tried, &refused);
    foreign_range(hi + 1, hi + 513, ro, &tried, &refused);
    foreign_range(hi + 1, hi + 513, rw, &tried, &refused);
    ok(tried >= 1024 && refused == tried,
       "frames not ours around our memory: %u of %u direct writes refused with #PF 3",
       refused, tried);

    /* The hypervisor's frames our slot-3 L2 names (M2P and switcher L1s). */
    const uint64_t *l2h = (const uint64_t *)(mfn_to_pfn(l2h_mfn) << 12);
    tried = refused = 0;
    for (unsigned i = 428; i < 512; i++) {
        if (!(l2h[i] & PTE_P))
            continue;
        uint32_t m = (uint32_t)(l2h[i] >> 12) & 0xFFFFFu;
        tried += 2;
        refused += bounced(1, 0, (m << 12) | ro) + bounced(1, 0, (m << 12) | rw);
    }
    ok(tried >= 4 && refused == tried,
       "hypervisor L1s (slots 428-511): %u of %u direct writes refused", refused, tried);
    ok(bounced(1, 0, (0x100u << 12) | rw) && bounced(1, 0, (0u << 12) | rw) &&
       bounced(1, 0, 0xFFFFF000u | ro), "the hypervisor image, frame 0, the last frame: refused");

    /* Our own page tables, writable. */
    ok(bounced(1, 0, (t << 12) | rw) && bounced(1, 0, (l2_mfn << 12) | rw) &&
       bounced(1, 0, (l2h_mfn << 12) | rw) && bounced(1, 0, (l3_mfn << 12) | rw),
       "our L1, L2, slot-3 L2 and L3 writable: refused");

    /* The PAE fix-up: an upper half naming no RAM is taken with P clear;
     * then no low half can make that entry present. */
    ((volatile uint32_t *)T_VA)[5] = 1;           /* entry 2: upper half first */
    int zapped = entry(2) == (1ull << 32);
    ok(zapped && bounced(2, 0, (d << 12) | ro) && bounced(2, 0, (d << 12) | rw),
       "upper half first naming no RAM: kept not present (%x:%08x), no low half makes it present",
       (unsigned)(entry(2) >> 32), (unsigned)entry(2));
    ((volatile uint32_t *)T_VA)[5] = 0;

    /* The other forms, with a foreign frame. */
    uint32_t f = lo > 2 ? lo - 2 : hi + 2;
    if (f == start_info->shared_info >> 12)
        f = lo > 3 ? lo - 3 : hi + 3;
    ok(!owns_mfn(f) && probe_bounced(probe_cx8, 1, (f << 12) | rw, 0) &&
       probe_bounced(probe_xchg, 1, (f << 12) | rw, 0) &&
       probe_bounced(probe_lock_or, 1, (f << 12) | rw, 0),
       "cmpxchg8b, xchg and lock or naming frame %#x: refused", (unsigned)f);

    /* Ring 3 never writes a page table, even one mapped to it read-only. */
    extern char r3_ptwr_write[];
    int32_t u = map_page(USER_VA, t, PTE_P | PTE_A | PTE_U);
    int us = user_setup();
    unsigned before = last_trap.count;
    uint32_t rv = user_run((uint32_t)(uintptr_t)r3_ptwr_write);
    ok(u == 0 && us == 0 && rv == (USER_TRAPPED | 14) && last_trap.count == before + 1 &&
       last_trap.error == 7 && last_trap.cr2 == USER_VA + 24 && entry(3) == 0 &&
       map_page(USER_VA, pfn_to_mfn(USER_VA >> 12), PTE_P | PTE_RW | PTE_A) == 0,
       "ring 3 writing our L1 mapped user read-only: vector %u error %#x, entry unchanged",
       (unsigned)(rv & 0xFFFF), (unsigned)last_trap.error);

    /* The M2P lies in the hypervisor's area: never emulated. */
    volatile uint32_t *m2p = (volatile uint32_t *)MACH2PHYS_VIRT_START;
    uint32_t was = m2p[t];
    unsigned n = last_trap.count;
    probe_write((uint32_t)(uintptr_t)&m2p[t], 0);
    ok(last_trap.count == n + 1 && last_trap.vector == 14 && m2p[t] == was,
       "a write to the M2P: #PF %u error %#x, unchanged", (unsigned)last_trap.vector,
       (unsigned)last_trap.error);

    /* Nothing of anyone else's is mapped, and all of it unwinds. */
    int clean = 1;
    for (unsigned i = 1; i < 512; i++)
        clean &= entry(i) == 0;
    ((volatile uint64_t *)T_VA)[0] = 0;
    hook.val = 0;
    h = hv_mmu_update(&hook, 1, NULL, DOMID_SELF);
    c = ext1(MMUEXT_UNPIN_TABLE, t);
    b = map_page(T_VA, t, rw);
    a = hv_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables);
    ok(clean && entry(0) == 0 && h == 0 && c == 0 && b == 0 && a == 0,
       "no other entry was ever written; unhooked, unpinned, writable again");
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "the hypervisor still serves us");
    uint32_t nb = cmdline_num("neighbour", 0);
    if (nb)
        signal_domain(nb);
    signal_innocent();
    return tap_done();
}
