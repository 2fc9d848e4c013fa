/*
 * mmutest (pv): the guest's TAP self-test of pv86's validated direct paging.
 * It builds page tables of its own out of free frames, validates and pins
 * them, switches address spaces, and tries every forbidden operation: each
 * must fail with the documented errno and change nothing.
 *
 * Frames used (pfns beyond the boot mapping, all free):
 *   0x900 L1n: a new L1 filled by one 512-entry mmu_update (pfns 0xA00-0xBFF)
 *   0x901 L3n, 0x902 L2n0, 0x903 L2n3: a second address space
 *   0x904 a descriptor page, 0x905 an LDT page, 0x906 a plain data page
 */
#include "pv.h"

#include <pv86/memory.h>

#include "kernel.h"
#include "lib/string.h"

#define SCRATCH_VA   0x00320000u     /* 8 pages of windows below the image */
#define HOOK_VA      0x00C00000u     /* the 2 MiB L1n maps, in L2 slot 0 index 6 */
#define P   0x001ull
#define RW  0x002ull
#define U   0x004ull
#define A   0x020ull
#define PSE 0x080ull

enum { PFN_L1N = 0x900, PFN_L3N, PFN_L2N0, PFN_L2N3, PFN_DESC, PFN_LDT, PFN_DATA,
       PFN_DATA_BASE = 0xA00 };

static uint64_t mfn_of(uint32_t pfn) { return pfn_to_mfn(pfn); }
static uint64_t ma_of(uint32_t mfn, unsigned index) { return ((uint64_t)mfn << 12) + index * 8; }

/* Map pfn (rw or not) at scratch window `slot`; 0 = not mapped. */
static void *window(unsigned slot, uint32_t pfn, int rw)
{
    uint32_t va = SCRATCH_VA + slot * 4096;
    int32_t rc = pfn ? pv_map(va, pfn_to_mfn(pfn), P | A | (rw ? RW : 0))
                     : hv_update_va_mapping(va, 0, UVMF_INVLPG);
    if (rc)
        kprintf("# window %u for pfn %#x: %d\n", slot, (unsigned)pfn, (int)rc);
    return (void *)va;
}

static int32_t pt_write(uint32_t table_mfn, unsigned index, uint64_t val, uint32_t *done)
{
    struct mmu_update u = { ma_of(table_mfn, index) | MMU_NORMAL_PT_UPDATE, val };
    return hv_mmu_update(&u, 1, done, DOMID_SELF);
}

static int32_t ext(uint32_t cmd, uint32_t arg1, uint32_t arg2, uint32_t *done)
{
    struct mmuext_op op = { cmd, arg1, arg2 };
    return hv_mmuext_op(&op, 1, done, DOMID_SELF);
}

static uint32_t cur_l3_mfn, l2_0_mfn, l2_3_mfn;

static void read_current_tables(void)
{
    const uint64_t *l3 = (const uint64_t *)start_info_va->pt_base;   /* mapped read-only */
    cur_l3_mfn = pfn_to_mfn(start_info_va->pt_base >> 12);
    l2_0_mfn = (uint32_t)(l3[0] >> 12);
    l2_3_mfn = (uint32_t)(l3[3] >> 12);
}

static void check_memory_op(void)
{
    domid_t self = DOMID_SELF, other = 5;
    struct e820_entry e = { 1, 1, 1, 1, 1 };
    struct xen_memory_map map = { 1, (uint32_t)(uintptr_t)&e };

    tap_ok(hv_memory_op(XENMEM_current_reservation, &self) == 4096,
           "memory_op current_reservation: 4096 pages");
    tap_ok(hv_memory_op(XENMEM_maximum_reservation, &self) == 4096,
           "memory_op maximum_reservation: 4096 pages");
    tap_ok(hv_memory_op(XENMEM_current_reservation, &other) == -XEN_EPERM,
           "memory_op for another domain: -EPERM");
    tap_ok(hv_memory_op(XENMEM_current_reservation, (void *)0xF5800000u) == -XEN_EFAULT,
           "memory_op with an argument in the hypervisor area: -EFAULT");
    int32_t top = hv_memory_op(XENMEM_maximum_ram_page, NULL);
    tap_ok(top > (int32_t)pfn_to_mfn(0xFFF), "memory_op maximum_ram_page is above every frame we own");
    tap_ok(hv_memory_op(XENMEM_memory_map, &map) == 0 && map.nr_entries == 1 &&
           e.addr_lo == 0 && e.addr_hi == 0 && e.size_lo == 16u << 20 && e.size_hi == 0 &&
           e.type == E820_RAM, "memory_op memory_map: one RAM entry of 16 MiB");
    map.nr_entries = 0;
    tap_ok(hv_memory_op(XENMEM_memory_map, &map) == -XEN_EINVAL,
           "memory_op memory_map with no room: -EINVAL");
    tap_ok(hv_memory_op(XENMEM_populate_physmap, NULL) == -XEN_ENOSYS,
           "memory_op populate_physmap: -ENOSYS (not offered)");
}

/* A new L1, pinned, then filled by one batched mmu_update. */
static uint32_t l1n;

static void check_batched_l1(void)
{
    static struct mmu_update batch[512];
    uint32_t done = 0;

    l1n = pfn_to_mfn(PFN_L1N);
    memset(window(0, PFN_L1N, 1), 0, 4096);
    window(0, 0, 0);
    tap_ok(ext(MMUEXT_PIN_L1_TABLE, l1n, 0, &done) == 0 && done == 1, "pin an empty L1");
    for (unsigned i = 0; i < 512; i++) {
        batch[i].ptr = ma_of(l1n, i) | MMU_NORMAL_PT_UPDATE;
        batch[i].val = (mfn_of(PFN_DATA_BASE + i) << 12) | P | RW | A;
    }
    tap_ok(hv_mmu_update(batch, 512, &done, DOMID_SELF) == 0 && done == 512,
           "one mmu_update of 512 entries fills the L1 (done %u)", (unsigned)done);
    tap_ok(pt_write(l2_0_mfn, 6, ((uint64_t)l1n << 12) | P | RW | A | U, &done) == 0,
           "hook the new L1 into the live L2 (slot 0, index 6)");
    volatile uint32_t *hooked = (volatile uint32_t *)(HOOK_VA + 5 * 4096);
    *hooked = 0xC0FFEE05u;
    uint32_t seen = *(volatile uint32_t *)window(1, PFN_DATA_BASE + 5, 0);
    window(1, 0, 0);
    tap_ok(seen == 0xC0FFEE05u, "a write through the new mapping reaches frame pfn %#x",
           PFN_DATA_BASE + 5);
}

static void check_refusals(void)
{
    uint32_t done = 99;
    const uint64_t *l1_ro = window(2, PFN_L1N, 0);           /* read-only view of L1n */
    uint64_t before = l1_ro[7];
    uint32_t hv_mfn = 0x100;

    tap_ok(pt_write(l1n, 7, ((uint64_t)l2_0_mfn << 12) | P | RW | A, &done) == -XEN_EBUSY &&
           done == 0 && l1_ro[7] == before,
           "L1 entry mapping a page table writable: -EBUSY, done 0, entry unchanged");
    tap_ok(pt_write(l1n, 7, ((uint64_t)hv_mfn << 12) | P | A, &done) == -XEN_EBUSY && l1_ro[7] == before,
           "L1 entry mapping a hypervisor frame: -EBUSY");
    tap_ok(pt_write(l1n, 7, (1ull << 52) | (mfn_of(PFN_DATA) << 12) | P, &done) == -XEN_EINVAL &&
           l1_ro[7] == before, "L1 entry with reserved bits: -EINVAL");
    tap_ok(pt_write(l2_0_mfn, 7, (mfn_of(PFN_DATA) << 12) | P | RW | A | PSE, &done) == -XEN_EINVAL,
           "L2 entry with a 2 MiB page: -EINVAL");
    tap_ok(pt_write(l2_0_mfn, 7, ((uint64_t)l2_0_mfn << 12) | P | RW | A, &done) == -XEN_EINVAL,
           "L2 entry pointing at its own L2 (a loop): -EINVAL");
    window(3, PFN_DATA, 1);                                    /* a writable data page */
    tap_ok(pt_write(l2_0_mfn, 7, (mfn_of(PFN_DATA) << 12) | P | RW | A, &done) == -XEN_EINVAL,
           "L2 entry pointing at a writable-mapped data page: -EINVAL");
    tap_ok(pt_write(l2_3_mfn, 428, (mfn_of(PFN_DATA) << 12) | P, &done) == -XEN_EPERM &&
           pt_write(l2_3_mfn, 511, 0, &done) == -XEN_EPERM,
           "hypervisor slots of the slot-3 L2 (428, 511): -EPERM");
    tap_ok(pt_write(cur_l3_mfn, 3, 0, &done) == -XEN_EINVAL, "clearing L3 slot 3: -EINVAL");
    tap_ok(pt_write(cur_l3_mfn, 4, 0, &done) == -XEN_EINVAL, "L3 entry 4: -EINVAL");
    tap_ok(pt_write(cur_l3_mfn, 1, (mfn_of(PFN_DATA) << 12) | P, &done) == -XEN_EINVAL,
           "L3 entry pointing at a writable-mapped data page: -EINVAL");
    struct mmu_update hv = { ((uint64_t)hv_mfn << 12) | MMU_NORMAL_PT_UPDATE, 0 };
    tap_ok(hv_mmu_update(&hv, 1, &done, DOMID_SELF) == -XEN_EINVAL,
           "mmu_update into a hypervisor frame: -EINVAL");
    struct mmu_update mis = { ma_of(l1n, 7) + 4, 0 };
    tap_ok(hv_mmu_update(&mis, 1, &done, DOMID_SELF) == -XEN_EINVAL,
           "mmu_update at a misaligned address: -EINVAL");
    /* Command 3 (MMU_PT_UPDATE_NO_TRANSLATE): Xen's normal update for a
     * guest that is not translated, refusals included. */
    struct mmu_update nt[2] = { { ma_of(l1n, 7) | MMU_PT_UPDATE_NO_TRANSLATE, 0 },
                                { ma_of(l1n, 7) | MMU_PT_UPDATE_NO_TRANSLATE, before } };
    tap_ok(hv_mmu_update(&nt[0], 1, &done, DOMID_SELF) == 0 && l1_ro[7] == 0 &&
           hv_mmu_update(&nt[1], 1, &done, DOMID_SELF) == 0 && l1_ro[7] == before,
           "mmu_update command 3 (NO_TRANSLATE): an L1 entry cleared and set back");
    nt[0].val = ((uint64_t)hv_mfn << 12) | P | A;
    tap_ok(hv_mmu_update(&nt[0], 1, &done, DOMID_SELF) == -XEN_EBUSY && l1_ro[7] == before,
           "... and refused as a normal update: -EBUSY");
    /* shared_info is ours and typed writable for good: a plain write, as
     * Xen's (its own value written back). */
    const struct start_info *si = start_info_va;
    const volatile uint64_t *sh = (const volatile uint64_t *)pv_shared_info();
    struct mmu_update shw = { (si->shared_info & ~0xFFFull) + 0xF00, sh ? sh[0xF00 / 8] : 0 };
    tap_ok(sh && hv_mmu_update(&shw, 1, &done, DOMID_SELF) == 0,
           "mmu_update into our shared_info: a plain write, 0");
    tap_ok(hv_mmu_update(&hv, 1, &done, 5) == -XEN_EPERM, "mmu_update for another domain: -EPERM");
    done = 77;
    tap_ok(hv_mmu_update((struct mmu_update *)0xF5800000u, 1, &done, DOMID_SELF) == -XEN_EFAULT &&
           done == 77, "mmu_update requests in the hypervisor area: -EFAULT, *done untouched");

    /* A batch that fails at its third entry: two applied, the fourth not. */
    struct mmu_update b[4];
    for (unsigned i = 0; i < 4; i++) {
        b[i].ptr = ma_of(l1n, 10 + i);
        b[i].val = (mfn_of(PFN_DATA_BASE + 100 + i) << 12) | P | A;
    }
    b[2].val = ((uint64_t)hv_mfn << 12) | P;
    uint64_t fourth = l1_ro[13];
    tap_ok(hv_mmu_update(b, 4, &done, DOMID_SELF) == -XEN_EBUSY && done == 2 &&
           l1_ro[10] == b[0].val && l1_ro[11] == b[1].val && l1_ro[13] == fourth,
           "a batch failing at entry 2: done 2, entries 0-1 applied, 3 untouched");

    tap_ok(pv_map(SCRATCH_VA + 4 * 4096, l1n, P | RW | A) == -XEN_EBUSY,
           "update_va_mapping of the pinned L1, writable: -EBUSY");
    tap_ok(ext(MMUEXT_PIN_L1_TABLE, l1n, 0, &done) == -XEN_EINVAL && done == 0,
           "pinning a pinned table: -EINVAL");
    tap_ok(ext(MMUEXT_UNPIN_TABLE, (uint32_t)mfn_of(PFN_DATA), 0, &done) == -XEN_EINVAL,
           "unpinning a frame that is not pinned: -EINVAL");
    tap_ok(ext(MMUEXT_PIN_L1_TABLE, (uint32_t)mfn_of(PFN_DATA), 0, &done) == -XEN_EINVAL,
           "pinning a writable-mapped frame: -EINVAL");
    tap_ok(ext(MMUEXT_PIN_L2_TABLE, hv_mfn, 0, &done) == -XEN_EINVAL,
           "pinning a hypervisor frame: -EINVAL");
    tap_ok(ext(MMUEXT_NEW_BASEPTR, (uint32_t)mfn_of(PFN_DATA), 0, &done) == -XEN_EINVAL,
           "NEW_BASEPTR to a writable-mapped frame: -EINVAL");
    tap_ok(ext(99, 0, 0, &done) == -XEN_ENOSYS && done == 0, "mmuext_op 99: -ENOSYS");

    /* MACHPHYS_UPDATE: our frames only; the read-only M2P shows it. */
    const volatile uint32_t *m2p = (const volatile uint32_t *)MACH2PHYS_VIRT_START;
    uint32_t data_mfn = (uint32_t)mfn_of(PFN_DATA);
    struct mmu_update mp = { ((uint64_t)data_mfn << 12) | MMU_MACHPHYS_UPDATE, 0x12345 };
    tap_ok(hv_mmu_update(&mp, 1, &done, DOMID_SELF) == 0 && m2p[data_mfn] == 0x12345,
           "MACHPHYS_UPDATE of our own frame shows in the M2P");
    mp.val = PFN_DATA;
    hv_mmu_update(&mp, 1, &done, DOMID_SELF);
    mp.ptr = ((uint64_t)hv_mfn << 12) | MMU_MACHPHYS_UPDATE;
    tap_ok(hv_mmu_update(&mp, 1, &done, DOMID_SELF) == -XEN_EINVAL && m2p[data_mfn] == PFN_DATA,
           "MACHPHYS_UPDATE of a hypervisor frame: -EINVAL");
    window(2, 0, 0);
    window(3, 0, 0);
}

/* A second address space: same mappings but for the hooked 2 MiB. */
static void check_address_spaces(void)
{
    uint32_t done;
    uint32_t l3n = (uint32_t)mfn_of(PFN_L3N), l2n0 = (uint32_t)mfn_of(PFN_L2N0);
    uint32_t l2n3 = (uint32_t)mfn_of(PFN_L2N3);

    /* Write the new tables through writable windows, copying the current
     * L2s through read-only ones (a page table may be mapped read-only). */
    uint64_t *w3 = window(0, PFN_L3N, 1), *w20 = window(1, PFN_L2N0, 1);
    uint64_t *w23 = window(2, PFN_L2N3, 1);
    pv_map(SCRATCH_VA + 3 * 4096, l2_0_mfn, P | A);
    pv_map(SCRATCH_VA + 4 * 4096, l2_3_mfn, P | A);
    memset(w3, 0, 4096);
    memset(w23, 0, 4096);
    memcpy(w20, (void *)(SCRATCH_VA + 3 * 4096), 4096);
    memcpy(w23, (void *)(SCRATCH_VA + 4 * 4096), 428 * 8);     /* the guest's part */
    w20[6] = 0;                                   /* the new space lacks the hook */
    w3[0] = ((uint64_t)l2n0 << 12) | P;
    w3[3] = ((uint64_t)l2n3 << 12) | P;

    /* ...then drop the writable windows in one multicall. */
    struct multicall_entry mc[5];
    for (unsigned i = 0; i < 5; i++) {
        memset(&mc[i], 0, sizeof(mc[i]));
        mc[i].op = __HYPERVISOR_update_va_mapping;
        mc[i].args[0] = SCRATCH_VA + i * 4096;
        mc[i].args[3] = UVMF_INVLPG;
        mc[i].result = 0xFFFF;
    }
    tap_ok(hv_multicall(mc, 5) == 0 && mc[0].result == 0 && mc[1].result == 0 &&
           mc[2].result == 0 && mc[3].result == 0 && mc[4].result == 0,
           "one multicall unmaps five windows, each result 0");

    tap_ok(ext(MMUEXT_PIN_L3_TABLE, l3n, 0, &done) == 0, "pin the new L3 (validates its L2s)");
    tap_ok(pv_map(SCRATCH_VA, l2n3, P | RW | A) == -XEN_EBUSY,
           "its slot-3 L2 is now a table: no writable mapping (-EBUSY)");
    tap_ok(ext(MMUEXT_NEW_BASEPTR, l3n, 0, &done) == 0, "NEW_BASEPTR: switch to the new space");
    tap_ok(probe_read_cr3() == xen_pfn_to_cr3(l3n), "mov %%cr3 (emulated) names the new L3");
    unsigned before = last_trap.count;
    probe_read(HOOK_VA);
    tap_ok(last_trap.count == before + 1 && last_trap.vector == 14 && last_trap.cr2 == HOOK_VA,
           "in the new space the hooked 2 MiB is not mapped (#PF)");
    tap_ok(ext(MMUEXT_UNPIN_TABLE, l3n, 0, &done) == 0,
           "unpin the new L3 while it is the base: allowed, it stays in use");
    tap_ok(ext(MMUEXT_NEW_BASEPTR, cur_l3_mfn, 0, &done) == 0 &&
           probe_read_cr3() == xen_pfn_to_cr3(cur_l3_mfn), "switch back to the boot space");
    tap_ok(*(volatile uint32_t *)(HOOK_VA + 5 * 4096) == 0xC0FFEE05u,
           "the hooked mapping is there again");
    tap_ok(pv_map(SCRATCH_VA, l3n, P | RW | A) == 0 && pv_map(SCRATCH_VA, l2n3, P | RW | A) == 0,
           "the unused new tables were freed: writable mappings allowed again");
    window(0, 0, 0);

    /* Unhook and unpin the L1: its 512 data frames lose their references. */
    tap_ok(pt_write(l2_0_mfn, 6, 0, &done) == 0 && ext(MMUEXT_UNPIN_TABLE, l1n, 0, &done) == 0 &&
           pv_map(SCRATCH_VA, l1n, P | RW | A) == 0,
           "unhooked and unpinned, the L1 is an ordinary page again");
    window(0, 0, 0);
}

static void check_flush_flags(void)
{
    uint32_t va = SCRATCH_VA, mfn = (uint32_t)mfn_of(PFN_DATA), mask = 1, done;
    uint64_t pte = ((uint64_t)mfn << 12) | P | RW | A;
    tap_ok(hv_update_va_mapping(va, pte, UVMF_NONE) == 0 &&
           hv_update_va_mapping(va, pte, UVMF_TLB_FLUSH) == 0 &&
           hv_update_va_mapping(va, pte, UVMF_INVLPG) == 0 &&
           hv_update_va_mapping(va, pte, UVMF_INVLPG | UVMF_ALL) == 0 &&
           hv_update_va_mapping(va, pte, UVMF_TLB_FLUSH | UVMF_ALL) == 0 &&
           hv_update_va_mapping(va, pte, UVMF_INVLPG | (uint32_t)(uintptr_t)&mask) == 0,
           "update_va_mapping with every flush flag");
    /* As Xen: the entry is written first, the mask read for the flush. */
    *(volatile uint32_t *)va = 0xC0FFEE01u;
    tap_ok(hv_update_va_mapping(va, 0, UVMF_INVLPG) == 0 &&
           hv_update_va_mapping(va, pte, UVMF_INVLPG | 0xF5800000u) == -XEN_EFAULT &&
           *(volatile uint32_t *)va == 0xC0FFEE01u,
           "update_va_mapping with an unreadable vCPU mask: -EFAULT, the entry written");
    tap_ok(hv_update_va_mapping(va, pte, UVMF_NONE | 0xF5800000u) == 0 &&
           hv_update_va_mapping(va, pte, 3u | 0xF5800000u) == 0,
           "no flush (type 0 or 3): the mask is not read, 0");
    struct mmuext_op ops[6] = {
        { MMUEXT_TLB_FLUSH_LOCAL, 0, 0 }, { MMUEXT_TLB_FLUSH_ALL, 0, 0 },
        { MMUEXT_INVLPG_LOCAL, va, 0 }, { MMUEXT_INVLPG_ALL, va, 0 },
        { MMUEXT_TLB_FLUSH_MULTI, 0, (uint32_t)(uintptr_t)&mask },
        { MMUEXT_INVLPG_MULTI, va, (uint32_t)(uintptr_t)&mask },
    };
    tap_ok(hv_mmuext_op(ops, 6, &done, DOMID_SELF) == 0 && done == 6,
           "mmuext_op: every flush command in one batch");
    window(0, 0, 0);
}

static void check_multicall(void)
{
    struct multicall_entry mc[5];
    memset(mc, 0, sizeof(mc));
    mc[0].op = __HYPERVISOR_xen_version;
    mc[0].args[0] = 7;                       /* XENVER_pagesize */
    mc[1].op = __HYPERVISOR_update_va_mapping;
    mc[1].args[0] = 0xF6000000u;             /* hypervisor area */
    mc[2].op = __HYPERVISOR_multicall;
    mc[3].op = 63;                           /* no such hypercall */
    mc[4].op = __HYPERVISOR_sched_op;        /* SCHEDOP_yield */
    tap_ok(hv_multicall(mc, 5) == 0 && mc[0].result == 4096 &&
           (int32_t)mc[1].result == -XEN_EINVAL && (int32_t)mc[2].result == -XEN_EINVAL &&
           (int32_t)mc[3].result == -XEN_ENOSYS && mc[4].result == 0,
           "multicall: results per entry; nested multicall -EINVAL, hypercall 63 -ENOSYS, "
           "sched_op yield 0 (it yields once the batch is done, as Xen)");
    tap_ok(hv_multicall((struct multicall_entry *)0xF5800000u, 1) == -XEN_EFAULT,
           "multicall entries in the hypervisor area: -EFAULT");
}

static void check_descriptors(void)
{
    uint32_t mfn = (uint32_t)mfn_of(PFN_DESC), done;
    uint64_t ma = (uint64_t)mfn << 12;
    const uint32_t *ro = window(0, PFN_DESC, 1);
    memset((void *)ro, 0, 4096);
    /* As Xen: a plain frame is written under a writable reference, the
     * rest of it unchecked until it becomes a descriptor page. */
    tap_ok(hv_update_descriptor(ma + 8, 0x00CF92000000FFFFull) == 0 &&
           ro[2] == 0x000067FF && ro[3] == 0x00CFB300,
           "update_descriptor in a writable-mapped frame: written, as Xen");
    tap_ok(hv_update_descriptor(((uint64_t)cur_l3_mfn << 12) + 8 * 8, 0x00CF92000000FFFFull) ==
           -XEN_EINVAL, "update_descriptor in a page table (our L3): -EINVAL");
    memset((void *)ro, 0, 4096);
    ro = window(0, PFN_DESC, 0);
    tap_ok(hv_update_descriptor(ma + 8, 0x00CF92000000FFFFull) == 0 &&
           ro[2] == 0x000067FF && ro[3] == 0x00CFB300,
           "update_descriptor: written, DPL 0 raised to 1, limit cut (%08x%08x)",
           (unsigned)ro[3], (unsigned)ro[2]);
    tap_ok(hv_update_descriptor(ma + 4, 0) == -XEN_EINVAL, "update_descriptor misaligned: -EINVAL");
    tap_ok(hv_update_descriptor(ma + 16, 0x0000EC00e0081000ull) == -XEN_EINVAL,
           "update_descriptor: call gate into ring 0: -EINVAL");
    tap_ok(hv_update_descriptor(0x100000, 0) == -XEN_EINVAL,
           "update_descriptor in a hypervisor frame: -EINVAL");

    /* An LDT of one flat data descriptor; a selector of it loads. */
    uint32_t *ldt = window(1, PFN_LDT, 1);
    memset(ldt, 0, 4096);
    ldt[0] = 0x0000FFFF;
    ldt[1] = 0x00CFB200;                       /* flat data, DPL 1 */
    uint32_t ldt_va = SCRATCH_VA + 4096;
    tap_ok(ext(MMUEXT_SET_LDT, ldt_va, 1, &done) == -XEN_EINVAL,
           "SET_LDT on a writable-mapped page: -EINVAL");
    window(1, PFN_LDT, 0);
    tap_ok(ext(MMUEXT_SET_LDT, ldt_va + 8, 1, &done) == -XEN_EINVAL &&
           ext(MMUEXT_SET_LDT, ldt_va, 8193, &done) == -XEN_EINVAL,
           "SET_LDT misaligned or with 8193 entries: -EINVAL");
    tap_ok(ext(MMUEXT_SET_LDT, ldt_va, 1, &done) == 0, "SET_LDT with one descriptor");
    unsigned before = last_trap.count;
    probe_load_fs(0x0005);                     /* LDT entry 0, RPL 1 */
    tap_ok(last_trap.count == before, "a selector of the LDT loads without a fault");
    probe_load_fs(0x000D);                     /* entry 1: beyond the LDT */
    tap_ok(last_trap.count == before + 1 && last_trap.vector == 13,
           "a selector past the LDT's limit: #GP");
    /* %ds from the LDT, then the LDT goes: returning to us cannot load %ds,
     * so the hypervisor enters the failsafe callback (Xen's protocol). */
    struct callback_register fs_cb = { CALLBACKTYPE_failsafe, 0,
                                       { FLAT_RING1_CS, (uint32_t)(uintptr_t)failsafe_callback } };
    hv_callback_op(CALLBACKOP_register, &fs_cb);
    probe_load_ds(0x0005);
    int32_t rc = ext(MMUEXT_SET_LDT, 0, 0, &done);
    uint32_t seen_ds = failsafe_ds;
    tap_ok(rc == 0 && failsafe_count == 1 && seen_ds == 0x0005,
           "%%ds of a vanished LDT: the failsafe callback gets it (ds %#x)", (unsigned)seen_ds);
    tap_ok(window(1, PFN_LDT, 1) && pv_map(ldt_va, pfn_to_mfn(PFN_LDT), P | RW | A) == 0,
           "SET_LDT 0 released the page: writable again");
    window(0, 0, 0);
    window(1, 0, 0);
}

/* test=batch: only a 512-entry page-table batch, so that the hypervisor's
 * counters at shutdown show it as one hypercall. */
void mmu_batch_demo(void)
{
    static struct mmu_update batch[512];
    uint32_t done = 0;
    l1n = pfn_to_mfn(PFN_L1N);
    memset(window(0, PFN_L1N, 1), 0, 4096);
    window(0, 0, 0);
    tap_ok(ext(MMUEXT_PIN_L1_TABLE, l1n, 0, &done) == 0, "pin an empty L1");
    for (unsigned i = 0; i < 512; i++) {
        batch[i].ptr = ma_of(l1n, i) | MMU_NORMAL_PT_UPDATE;
        batch[i].val = (mfn_of(PFN_DATA_BASE + i) << 12) | P | RW | A;
    }
    tap_ok(hv_mmu_update(batch, 512, &done, DOMID_SELF) == 0 && done == 512,
           "one mmu_update call of 512 entries");
    tap_ok(ext(MMUEXT_UNPIN_TABLE, l1n, 0, &done) == 0, "unpin it");
}

void mmu_selftest(void)
{
    read_current_tables();
    check_memory_op();
    check_batched_l1();
    check_refusals();
    check_address_spaces();
    check_flush_flags();
    check_multicall();
    check_descriptors();
    tap_ok(hv_xen_version(XENVER_pagesize, NULL) == 4096,
           "after every refusal the hypervisor still serves this guest");
}
