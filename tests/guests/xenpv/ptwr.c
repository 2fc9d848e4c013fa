/*
 * ptwr: direct writes to our own L1 entries, as a Xen PV kernel makes them
 * with vm_assist(writable_pagetables): the L1 frame mapped read-only (a
 * page-table frame may be mapped no other way), pinned and hooked into the
 * live L2, written by two 32-bit movs (low then high, high then low), by
 * cmpxchg8b (locked and not) and by xchg, each checked by reading through
 * the new mapping, and Xen's PAE fix-up of an upper half written first. A bad direct write (another's frame, our own page table
 * writable, an L2 entry, any write with the assist off) is refused as Xen
 * refuses it: the #PF as the CPU raised it (vector 14, error code 3:
 * present + write, supervisor), CR2 the entry's address, the entry unchanged.
 *
 * Frames: pfns 0x3F0 (the L1), 0x3F1-0x3F3 (data), from the scratch range.
 */
#include <pv86/xen.h>

#include "xenpv.h"

#define PFN_T    0x3F0u
#define PFN_D1   0x3F1u
#define PFN_D2   0x3F2u
#define PFN_D3   0x3F3u
#define T_VA     (PFN_T << 12)           /* the L1, read-only once it is one */
#define HOOK_SLOT 0x1F0u                 /* L2 slot 496 of L3 slot 0: VA 992 MiB */
#define HOOK_VA  (HOOK_SLOT << 21)
#define VA_OF(i) (HOOK_VA + (uint32_t)(i) * 4096u)

/* The guest runtime's printf has no %ll: an entry is printed hi:lo. */
#define HI(e) ((unsigned)((e) >> 32))
#define LO(e) ((unsigned)(e))

static volatile uint32_t *word(uint32_t va) { return (volatile uint32_t *)va; }

static void st32(uint32_t va, uint32_t v)
{
    __asm__ __volatile__("movl %1, %0" : "=m"(*word(va)) : "r"(v) : "memory");
}

/* cmpxchg8b on the entry at va: 1 if ZF came back set; *old gets edx:eax. */
static int cx8(uint32_t va, uint64_t *old, uint64_t val, int lock)
{
    uint32_t lo = (uint32_t)*old, hi = (uint32_t)(*old >> 32);
    uint8_t zf;
    if (lock)
        __asm__ __volatile__("lock cmpxchg8b %0\n\tsetz %1"
                             : "+m"(*(volatile uint64_t *)va), "=q"(zf), "+a"(lo), "+d"(hi)
                             : "b"((uint32_t)val), "c"((uint32_t)(val >> 32)) : "memory", "cc");
    else
        __asm__ __volatile__("cmpxchg8b %0\n\tsetz %1"
                             : "+m"(*(volatile uint64_t *)va), "=q"(zf), "+a"(lo), "+d"(hi)
                             : "b"((uint32_t)val), "c"((uint32_t)(val >> 32)) : "memory", "cc");
    *old = ((uint64_t)hi << 32) | lo;
    return zf;
}

static uint32_t xchg32(uint32_t va, uint32_t v)
{
    __asm__ __volatile__("xchgl %0, %1" : "+r"(v), "+m"(*word(va)) : : "memory");
    return v;
}

static uint64_t entry(unsigned i)
{
    return ((volatile uint64_t *)T_VA)[i];
}

static int32_t mmu1(uint64_t ptr, uint64_t val)
{
    struct mmu_update u = { ptr, val };
    return hv_mmu_update(&u, 1, NULL, DOMID_SELF);
}

static int32_t ext1(uint32_t cmd, uint32_t arg)
{
    struct mmuext_op op = { cmd, arg, 0 };
    return hv_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* A direct write that must come back as the #PF the CPU raised. */
static void refused(unsigned i, uint32_t half, uint32_t val, const char *what)
{
    uint32_t va = T_VA + i * 8 + half * 4;
    uint64_t before = entry(i);
    unsigned n = last_trap.count;
    probe_write(va, val);
    ok(last_trap.count == n + 1 && last_trap.vector == 14 && last_trap.error == 3 &&
       last_trap.cr2 == va && entry(i) == before,
       "%s: #PF %u error %#x cr2 %#x (want %#x), entry %x:%08x unchanged", what,
       (unsigned)last_trap.vector, (unsigned)last_trap.error, (unsigned)last_trap.cr2,
       (unsigned)va, HI(entry(i)), LO(entry(i)));
}

void xenpv_ptwr(void)
{
    uint32_t t = pfn_to_mfn(PFN_T), d1 = pfn_to_mfn(PFN_D1), d2 = pfn_to_mfn(PFN_D2);
    uint32_t d3 = pfn_to_mfn(PFN_D3);
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    uint32_t l2_mfn = (uint32_t)(l3[0] >> 12) & 0xFFFFFu;
    uint64_t l2e = ((uint64_t)l2_mfn << 12) + HOOK_SLOT * 8;
    const uint64_t ro = PTE_P | PTE_A, rw = PTE_P | PTE_RW | PTE_A | PTE_D;

    *word(PFN_D1 << 12) = 0xD1D1D1D1u;
    *word(PFN_D2 << 12) = 0xD2D2D2D2u;
    *word(PFN_D3 << 12) = 0xD3D3D3D3u;
    memset((void *)T_VA, 0, 4096);
    int32_t rc = hv_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);
    int32_t rc_ro = map_page(T_VA, t, ro);
    int32_t rc_pin = ext1(MMUEXT_PIN_L1_TABLE, t);
    int32_t rc_hook = mmu1(l2e, ((uint64_t)t << 12) | PTE_P | PTE_RW | PTE_A);
    ok(rc == 0 && rc_ro == 0 && rc_pin == 0 && rc_hook == 0,
       "vm_assist writable_pagetables %d; L1 mapped read-only %d, pinned %d, hooked %d",
       (int)rc, (int)rc_ro, (int)rc_pin, (int)rc_hook);

    unsigned traps = last_trap.count;
    /* Two movs, low then high. */
    uint64_t want = ((uint64_t)d1 << 12) | ro;
    st32(T_VA + 0, (uint32_t)want);
    st32(T_VA + 4, (uint32_t)(want >> 32));
    ok(entry(0) == want && *word(VA_OF(0)) == 0xD1D1D1D1u && last_trap.count == traps,
       "two movs, low then high: entry %x:%08x, read through it %#x",
       HI(entry(0)), LO(entry(0)), (unsigned)*word(VA_OF(0)));
    /* High then low. */
    want = ((uint64_t)d2 << 12) | ro;
    st32(T_VA + 12, (uint32_t)(want >> 32));
    st32(T_VA + 8, (uint32_t)want);
    ok(entry(1) == want && *word(VA_OF(1)) == 0xD2D2D2D2u && last_trap.count == traps,
       "two movs, high then low: entry %x:%08x, read through it %#x",
       HI(entry(1)), LO(entry(1)), (unsigned)*word(VA_OF(1)));
    /* lock cmpxchg8b: a writable mapping, written through. */
    uint64_t old = 0;
    want = ((uint64_t)d3 << 12) | rw;
    int zf = cx8(T_VA + 16, &old, want, 1);
    *word(VA_OF(2)) = 0x33333333u;
    ok(zf && old == 0 && entry(2) == want && *word(PFN_D3 << 12) == 0x33333333u &&
       last_trap.count == traps,
       "lock cmpxchg8b: ZF %d, entry %x:%08x, a write through it reads %#x", zf,
       HI(entry(2)), LO(entry(2)), (unsigned)*word(PFN_D3 << 12));
    /* cmpxchg8b without lock, with a stale expected value: nothing written,
     * edx:eax get the entry. */
    old = 0;
    zf = cx8(T_VA + 16, &old, 0, 0);
    ok(!zf && old == want && entry(2) == want && last_trap.count == traps,
       "cmpxchg8b, stale expected value: ZF %d, edx:eax %x:%08x, entry unchanged", zf,
       HI(old), LO(old));
    /* ...and with the right one: the entry goes (its writable reference too:
     * the frame may become a page table again, below). */
    zf = cx8(T_VA + 16, &old, 0, 0);
    ok(zf && entry(2) == 0 && last_trap.count == traps,
       "cmpxchg8b: ZF %d, entry %x:%08x", zf, HI(entry(2)), LO(entry(2)));
    /* xchg on the low half. */
    want = ((uint64_t)d1 << 12) | ro;
    uint32_t was = xchg32(T_VA + 24, (uint32_t)want);
    ok(was == 0 && entry(3) == want && *word(VA_OF(3)) == 0xD1D1D1D1u &&
       last_trap.count == traps, "xchg: got %#x, entry %x:%08x, read through it %#x",
       (unsigned)was, HI(entry(3)), LO(entry(3)), (unsigned)*word(VA_OF(3)));

    /* Xen's PAE fix-up: an upper half that would make the present entry
     * name no RAM is taken with _PAGE_PRESENT cleared, the low half
     * expected next; then the low half makes it whole. */
    want = ((uint64_t)d2 << 12) | ro;
    st32(T_VA + 48, (uint32_t)want);
    st32(T_VA + 52, 1);
    uint64_t zapped = entry(6);
    st32(T_VA + 52, 0);
    st32(T_VA + 48, (uint32_t)want);
    ok(zapped == ((1ull << 32) | (want & ~PTE_P)) && entry(6) == want &&
       *word(VA_OF(6)) == 0xD2D2D2D2u && last_trap.count == traps,
       "upper half naming no RAM: entry %x:%08x (present cleared), then %x:%08x",
       HI(zapped), LO(zapped), HI(entry(6)), LO(entry(6)));

    /* Refused as Xen refuses them: the #PF as it came, nothing changed. */
    uint32_t foreign = 0;
    for (uint32_t m = 0x100; m < 0x200 && !foreign; m++)
        if (!owns_mfn(m))
            foreign = m;
    refused(4, 0, (foreign << 12) | (uint32_t)ro, "a frame not ours");
    refused(4, 0, (t << 12) | (uint32_t)rw, "our own L1, writable");
    refused(4, 0, (l2_mfn << 12) | (uint32_t)rw, "our own L2, writable");
    /* An L2 is no L1: a write to its read-only mapping is refused whatever
     * the value. */
    uint32_t l2_va = mfn_to_pfn(l2_mfn) << 12;
    uint32_t va = l2_va + (HOOK_SLOT + 1) * 8;
    unsigned n = last_trap.count;
    probe_write(va, 0);
    ok(last_trap.count == n + 1 && last_trap.vector == 14 && last_trap.error == 3 &&
       last_trap.cr2 == va, "a direct write to an L2: #PF %u error %#x cr2 %#x",
       (unsigned)last_trap.vector, (unsigned)last_trap.error, (unsigned)last_trap.cr2);
    /* With the assist off, even a good entry is a #PF. */
    rc = hv_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables);
    refused(5, 0, (d2 << 12) | (uint32_t)ro, "writable_pagetables off");
    rc_ro = hv_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables);

    /* Clean up: entries cleared by direct writes, unhooked, unpinned, and
     * the frame mapped writable again (no type left). */
    st32(T_VA + 0, 0);
    st32(T_VA + 8, 0);
    st32(T_VA + 24, 0);
    st32(T_VA + 48, 0);
    rc_hook = mmu1(l2e, 0);
    rc_pin = ext1(MMUEXT_UNPIN_TABLE, t);
    int32_t rc_rw = map_page(T_VA, t, rw);
    int32_t rc_off = hv_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables);
    ok(rc == 0 && rc_ro == 0 && entry(0) == 0 && entry(1) == 0 && entry(3) == 0 &&
       entry(6) == 0 && rc_hook == 0 && rc_pin == 0 && rc_rw == 0 && rc_off == 0 &&
       last_trap.count == n + 2,
       "entries cleared directly; unhooked %d, unpinned %d, writable again %d",
       (int)rc_hook, (int)rc_pin, (int)rc_rw);
}
