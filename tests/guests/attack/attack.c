/*
 * attack: a guest that tries every escape we know, each a TAP case that
 * passes only when the attempt is refused the documented way: an error
 * code, a #GP or #PF bounced to us, or (test=NAME, one boot each) this
 * domain crashed alone. An innocent domain runs beside it (tests/guests/
 * innocent); at the end we tell it so.
 */
#include "guest.h"

#include "attack.h"
#include "arch_cases.h"

#define STR2(x) #x
#define STR(x) STR2(x)
#define EQ(call, want) ((int32_t)(call) == (int32_t)(want))

void r1_cli(void), r1_sti(void), r1_hlt(void), r1_lgdt(void), r1_lidt(void), r1_lldt(void),
     r1_ltr(void), r1_clts(void), r1_invlpg(void), r1_wbinvd(void), r1_rdmsr(void),
     r1_wrmsr(void), r1_in(void), r1_out(void), r1_mov_cr0(void), r1_mov_cr4(void),
     r1_read_cr0(void), r1_mov_dr7(void), r1_far_ring0(void);
extern char r3_cli[], r3_hlt[], r3_in[], r3_out[], r3_rdmsr[], r3_mov_cr3[], r3_lgdt[],
     r3_int82[], r3_read_hv[], r3_read_kernel[];

#define SCRATCH(i) (GUEST_SCRATCH_VA + (uint32_t)(i) * 4096u)
#define SCRATCH_MFN(i) pfn_to_mfn(SCRATCH(i) >> 12)

static uint64_t l1e_machine_addr(uint32_t va)
{
    /* The L1 entry of va, in the bootstrap tables (VA = pfn << 12). */
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    const uint64_t *l2 = (const uint64_t *)((mfn_to_pfn((uint32_t)(l3[va >> 30] >> 12))) << 12);
    uint32_t l1_mfn = (uint32_t)(l2[(va >> 21) & 511] >> 12) & 0xFFFFFu;
    return ((uint64_t)l1_mfn << 12) + ((va >> 12) & 511) * 8;
}

static int32_t mmu1(uint64_t ptr, uint64_t val)
{
    struct mmu_update u = { ptr, val };
    return hv_mmu_update(&u, 1, NULL, DOMID_SELF);
}

static int32_t mmuext1(uint32_t cmd, uint32_t arg1, uint32_t arg2)
{
    struct mmuext_op op = { cmd, arg1, arg2 };
    return hv_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/* ---- the hypervisor's memory */
static void hypervisor_memory(void)
{
    unsigned before = last_trap.count;
    uint32_t v = probe_read(MACH2PHYS_VIRT_START + 4 * pfn_to_mfn(0));
    ok(last_trap.count == before && v == 0, "the M2P is readable (our pfn 0's entry says 0)");
    static const uint32_t writes[] = { MACH2PHYS_VIRT_START, 0xFFE00000u, 0xFFFFF000u };
    for (unsigned i = 0; i < 3; i++) {
        before = last_trap.count;
        probe_write(writes[i], 0xBAD0BAD0u);
        ok(last_trap.count == before + 1 && last_trap.vector == 14 && last_trap.cr2 == writes[i],
           "write to hypervisor address %#x: #PF", (unsigned)writes[i]);
    }
    static const uint32_t reads[] = { 0xF6000000u, 0xFC000000u, 0xFFC00000u };
    for (unsigned i = 0; i < 3; i++) {
        before = last_trap.count;
        probe_read(reads[i]);
        ok(last_trap.count == before + 1 && last_trap.vector == 14 && last_trap.cr2 == reads[i],
           "read of hypervisor address %#x: #PF (not mapped here)", (unsigned)reads[i]);
    }
}

/* ---- frames that are not ours */

/* Xen's answer to an L1 entry naming a frame of RAM that is not ours
 * (get_page_from_l1e): the first MiB is DOMID_IO's, MMIO we may not map
 * (-EPERM); above it, another domain's or the hypervisor's frame cannot be
 * pinned for us (-EBUSY). */
static int32_t foreign_l1_rc(uint32_t mfn)
{
    return mfn < 0x100 ? -XEN_EPERM : -XEN_EBUSY;
}

static void foreign_frames(void)
{
    uint32_t max = (uint32_t)hv_memory_op(XENMEM_maximum_ram_page, NULL);
    unsigned tried = 0, refused = 0, mapped = 0;
    for (uint32_t mfn = 0; mfn < max; mfn += 7) {
        /* Our shared_info frame is ours though no pfn names it (as in Xen). */
        if (owns_mfn(mfn) || mfn == start_info->shared_info >> 12)
            continue;
        tried++;
        int32_t rc = map_page(SCRATCH(0), mfn, PTE_P | PTE_A);
        if (rc == foreign_l1_rc(mfn))
            refused++;
        else if (rc == 0)
            mapped++;
    }
    map_page(SCRATCH(0), SCRATCH_MFN(0), PTE_P | PTE_RW | PTE_A | PTE_D);
    ok(tried > 1000 && refused == tried && mapped == 0,
       "update_va_mapping of every 7th frame not ours (%u tried): all refused, -EPERM "
       "below 1 MiB, -EBUSY above", tried);

    /* The same through mmu_update on our own L1 entry and through multicall. */
    uint32_t foreign = 0x100;                   /* above 1 MiB: -EBUSY */
    while (owns_mfn(foreign))
        foreign++;
    ok(EQ(mmu1(l1e_machine_addr(SCRATCH(0)), ((uint64_t)foreign << 12) | PTE_P | PTE_A),
          -XEN_EBUSY), "mmu_update mapping a frame not ours: -EBUSY");
    struct multicall_entry mc[2] = {
        { __HYPERVISOR_update_va_mapping, 0, { SCRATCH(0), (foreign << 12) | 0x23, 0, UVMF_INVLPG, 0, 0 } },
        { __HYPERVISOR_update_va_mapping, 0, { SCRATCH(0), (foreign << 12) | 0x21, 0, UVMF_INVLPG, 0, 0 } },
    };
    ok(hv_multicall(mc, 2) == 0 && EQ(mc[0].result, -XEN_EBUSY) && EQ(mc[1].result, -XEN_EBUSY),
       "multicall mapping a frame not ours, writable and read-only: -EBUSY each");

    /* The M2P's own frames: found through the L2 behind L3 slot 3. */
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    const uint64_t *l2h = (const uint64_t *)(mfn_to_pfn((uint32_t)(l3[3] >> 12)) << 12);
    uint32_t m2p_l1 = (uint32_t)(l2h[(MACH2PHYS_VIRT_START >> 21) & 511] >> 12) & 0xFFFFFu;
    ok(m2p_l1 != 0 && EQ(map_page(SCRATCH(0), m2p_l1, PTE_P | PTE_RW | PTE_A),
                         foreign_l1_rc(m2p_l1)),
       "mapping the M2P's page table (%#x) writable: %s", (unsigned)m2p_l1,
       m2p_l1 < 0x100 ? "-EPERM" : "-EBUSY");
    ok(EQ(map_page(SCRATCH(0), m2p_l1, PTE_P | PTE_A), foreign_l1_rc(m2p_l1)),
       "... or read-only: the same");
    map_page(SCRATCH(0), SCRATCH_MFN(0), PTE_P | PTE_RW | PTE_A | PTE_D);
}

/* ---- our own page tables */
static void page_tables(void)
{
    uint32_t l3_mfn = pfn_to_mfn(start_info->pt_base >> 12);
    ok(EQ(map_page(SCRATCH(1), l3_mfn, PTE_P | PTE_RW | PTE_A), -XEN_EBUSY),
       "a writable alias of our L3: -EBUSY");
    uint64_t l1e = l1e_machine_addr(SCRATCH(1));
    uint32_t l1_mfn = (uint32_t)(l1e >> 12);
    ok(EQ(mmu1(l1e, ((uint64_t)l1_mfn << 12) | PTE_P | PTE_RW | PTE_A), -XEN_EBUSY),
       "an L1 entry mapping its own L1 writable: -EBUSY");
    /* A data page, still mapped writable, made a table. */
    ok(EQ(mmuext1(MMUEXT_PIN_L1_TABLE, SCRATCH_MFN(2), 0), -XEN_EINVAL),
       "pinning a frame mapped writable as an L1: -EINVAL");
    map_page(SCRATCH(2), SCRATCH_MFN(2), PTE_P | PTE_A);
    ok(mmuext1(MMUEXT_PIN_L1_TABLE, SCRATCH_MFN(2), 0) == 0, "the same frame read-only: pinned");
    ok(EQ(map_page(SCRATCH(3), SCRATCH_MFN(2), PTE_P | PTE_RW | PTE_A), -XEN_EBUSY),
       "a writable alias of the pinned table elsewhere: -EBUSY");
    ok(EQ(mmuext1(MMUEXT_PIN_L2_TABLE, SCRATCH_MFN(2), 0), -XEN_EINVAL),
       "the pinned L1 pinned again, as an L2: -EINVAL");
    ok(mmuext1(MMUEXT_UNPIN_TABLE, SCRATCH_MFN(2), 0) == 0 &&
       map_page(SCRATCH(2), SCRATCH_MFN(2), PTE_P | PTE_RW | PTE_A | PTE_D) == 0,
       "unpinned, it is a plain page again");
    /* An L2 whose entry names itself, and one naming a data page. */
    uint32_t *l2 = (uint32_t *)SCRATCH(4);
    for (unsigned i = 0; i < 1024; i++)
        l2[i] = 0;
    l2[0] = (SCRATCH_MFN(4) << 12) | 0x21;
    map_page(SCRATCH(4), SCRATCH_MFN(4), PTE_P | PTE_A);
    ok(EQ(mmuext1(MMUEXT_PIN_L2_TABLE, SCRATCH_MFN(4), 0), -XEN_EINVAL),
       "an L2 whose entry points at itself: -EINVAL");
    map_page(SCRATCH(4), SCRATCH_MFN(4), PTE_P | PTE_RW | PTE_A | PTE_D);
    l2[0] = (SCRATCH_MFN(5) << 12) | 0x21;           /* a data page, mapped writable */
    map_page(SCRATCH(4), SCRATCH_MFN(4), PTE_P | PTE_A);
    ok(EQ(mmuext1(MMUEXT_PIN_L2_TABLE, SCRATCH_MFN(4), 0), -XEN_EINVAL),
       "an L2 entry pointing at a writable data page: -EINVAL");
    map_page(SCRATCH(4), SCRATCH_MFN(4), PTE_P | PTE_RW | PTE_A | PTE_D);
    /* The hypervisor's slots of the live slot-3 L2. */
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    uint32_t l2h = (uint32_t)(l3[3] >> 12) & 0xFFFFFu;
    ok(EQ(mmu1(((uint64_t)l2h << 12) + 500 * 8, 0), -XEN_EPERM),
       "clearing a hypervisor slot of our slot-3 L2: -EPERM");
    ok(EQ(mmu1(((uint64_t)l3_mfn << 12) + 3 * 8, 0), -XEN_EINVAL),
       "removing L3 slot 3: -EINVAL");
    ok(EQ(mmu1(((uint64_t)l3_mfn << 12) + 4, 0), -XEN_EINVAL),
       "an L3 entry address that is not 8-byte aligned: -EINVAL");
    /* Giving back frames: pv86 takes none back while the domain lives. */
    uint32_t frames[1] = { SCRATCH_MFN(10) };
    ok(EQ(hv_memory_op(XENMEM_decrease_reservation, frames), -XEN_ENOSYS),
       "decrease_reservation (giving frames back): -ENOSYS");
    /* Unpinning the L3 we run on: allowed, and it stays in use. */
    ok(mmuext1(MMUEXT_UNPIN_TABLE, l3_mfn, 0) == 0 && hv_xen_version(XENVER_version, NULL) > 0 &&
       mmuext1(MMUEXT_PIN_L3_TABLE, l3_mfn, 0) == 0,
       "unpinning the running L3: it stays in use; pinned again");
}

/* ---- descriptors, trap table, callbacks, stacks */
static void descriptors(void)
{
    uint32_t *gdt = (uint32_t *)SCRATCH(6);
    uint32_t mfn = SCRATCH_MFN(6);
    for (unsigned i = 0; i < 1024; i++)
        gdt[i] = 0;
    map_page(SCRATCH(6), mfn, PTE_P | PTE_A);
    uint64_t ma = (uint64_t)mfn << 12;
    /* 1: a call gate into the hypervisor's ring-0 code */
    uint64_t gate = 0x0000EC0000000000ull | ((uint64_t)0xe008 << 16);
    ok(EQ(hv_update_descriptor(ma + 8, gate), -XEN_EINVAL),
       "a call gate to the hypervisor's code: -EINVAL");
    /* 2: a conforming code segment of DPL 0: raised to DPL 1 */
    ok(hv_update_descriptor(ma + 16, 0x00CF9E000000FFFFull) == 0 &&
       ((gdt[5] >> 13) & 3) == 1, "a conforming DPL-0 code segment: DPL raised to 1");
    /* 3: a data segment whose limit reaches the hypervisor: cut */
    ok(hv_update_descriptor(ma + 24, 0x00CF92000000FFFFull) == 0 &&
       (gdt[6] & 0xFFFF) != 0xFFFF, "a 4 GiB data segment: its limit cut below the hypervisor");
    /* 4: a segment based inside the hypervisor: refused */
    ok(EQ(hv_update_descriptor(ma + 32, 0xFF4F9200F0000000ull | 0xFFFF), -XEN_EINVAL),
       "a segment based in the hypervisor area: -EINVAL");
    ok(hv_set_gdt(&mfn, 8) == 0, "set_gdt with these descriptors");
    ok(EQ(hv_set_gdt(&mfn, 0x7FFFFFFF), -XEN_EINVAL), "set_gdt with 2^31 entries: -EINVAL");
    hv_set_gdt(&mfn, 0);
    map_page(SCRATCH(6), mfn, PTE_P | PTE_RW | PTE_A | PTE_D);

    struct trap_info bad[] = { { 13, 0, 0xe008, 0x00401000 }, { 0, 0, 0, 0 } };
    /* Xen checks neither (compat_set_trap_table, compat_set_callbacks): RPL
     * 0 becomes 1, and a trap through such a gate would fail at the return
     * to us. Ours go back at once. */
    ok(EQ(hv_set_trap_table(bad), 0), "a trap entry with the hypervisor's ring-0 CS: 0, as Xen");
    ok(EQ(hv_set_callbacks(0xe008, 0x401000, FLAT_RING1_CS, 0x401000), 0),
       "an event callback with the hypervisor's CS: 0, as Xen");
    if (guest_traps_install())
        ok(0, "our trap table and callbacks back");
    ok(EQ(hv_stack_switch(0xe010, 0x300000), -XEN_EPERM),
       "stack_switch to the hypervisor's stack segment: -EPERM");
    ok(EQ(hv_stack_switch(FLAT_RING1_SS & ~3u, 0x300000), 0),
       "stack_switch with RPL 0 is taken as ring 1 (a stack in our scratch pages)");
}

/* ---- hypercall arguments */
static void arguments(void)
{
    uint32_t hv = 0xFFE00000u, unmapped = 0x00C00000u;
    ok(EQ(hv_xen_version(XENVER_extraversion, (void *)hv), -XEN_EFAULT),
       "an output buffer in the hypervisor: -EFAULT");
    ok(EQ(hv_xen_version(XENVER_extraversion, (void *)unmapped), -XEN_EFAULT),
       "an unmapped output buffer: -EFAULT");
    /* console_io is d1's; a domU has a console ring and gets -EPERM first. */
    int dom0 = (start_info->flags & SIF_INITDOMAIN) != 0;
    ok(EQ(hv_console_io(CONSOLEIO_write, 16, (char *)(MACH2PHYS_VIRT_START - 8)),
          dom0 ? -XEN_EFAULT : -XEN_EPERM),
       "a console buffer running into the hypervisor: %s", dom0 ? "-EFAULT" : "-EPERM (a domU)");
    /* An argument straddling a mapped page and an unmapped one. */
    map_page(SCRATCH(8), 0, 0);
    struct sched_shutdown *s = (struct sched_shutdown *)(SCRATCH(8) - 2);
    ok(EQ(hv_sched_op(SCHEDOP_shutdown, s), -XEN_EFAULT), "a shutdown argument straddling a hole: -EFAULT");
    map_page(SCRATCH(8), SCRATCH_MFN(8), PTE_P | PTE_RW | PTE_A | PTE_D);
    ok(EQ(mmu1(((uint64_t)SCRATCH_MFN(9) << 12) + 4, 0), -XEN_EINVAL),
       "mmu_update at a machine address not 8-byte aligned: -EINVAL");
    /* Absurd counts. */
    struct mmu_update u = { 0, 0 };
    ok(EQ(hv_mmu_update(&u, 0xFFFFFFFFu, NULL, DOMID_SELF), -XEN_EFAULT),
       "mmu_update of 2^32-1 entries (an array into the hypervisor): -EFAULT");
    struct mmuext_op op = { MMUEXT_TLB_FLUSH_LOCAL, 0, 0 };
    ok(EQ(hv_mmuext_op(&op, 0x15555555u, NULL, DOMID_SELF), -XEN_EFAULT),
       "mmuext_op of 0x15555555 entries (4 GiB of them): -EFAULT");
    struct multicall_entry mc = { __HYPERVISOR_xen_version, 0, { 0, 0, 0, 0, 0, 0 } };
    ok(EQ(hv_multicall(&mc, 0x7FFFFFFF), -XEN_EFAULT), "a multicall of 2^31-1 entries: -EFAULT");
    struct multicall_entry nest = { __HYPERVISOR_multicall, 0,
                                    { (uint32_t)(uintptr_t)&nest, 1, 0, 0, 0, 0 } };
    ok(hv_multicall(&nest, 1) == 0 && EQ(nest.result, -XEN_EINVAL), "a multicall inside a multicall: -EINVAL");
    ok(EQ(hv_console_io(CONSOLEIO_write, 0x7FFFFFFF, (char *)unmapped),
          dom0 ? -XEN_EFAULT : -XEN_EPERM),
       "console_io of 2 GiB from an unmapped buffer: %s",
       dom0 ? "-EFAULT (no cap, as Xen)" : "-EPERM (a domU)");
    ok(EQ(hv_hypercall5(63, 1, 2, 3, 4, 5), -XEN_ENOSYS) &&
       EQ(hv_hypercall5(127, 0, 0, 0, 0, 0), -XEN_ENOSYS),
       "hypercalls 63 and 127: -ENOSYS");
}

/* ---- event channels and domain ids */
static void events(void)
{
    domid_t other = (domid_t)cmdline_num("innocent", 2);    /* the innocent's domain */
    struct evtchn_port_arg p = { 4096 };
    ok(EQ(hv_event_channel_op(EVTCHNOP_send, &p), -XEN_EINVAL), "send on port 4096: -EINVAL");
    p.port = 0xFFFFFFFFu;
    ok(EQ(hv_event_channel_op(EVTCHNOP_close, &p), -XEN_EINVAL), "close port 2^32-1: -EINVAL");
    ok(EQ(hv_event_channel_op(EVTCHNOP_unmask, &p), -XEN_EINVAL), "unmask port 2^32-1: -EINVAL");
    struct evtchn_bind_interdomain b = { 0x7FF0 - 1, 0, 1, 0 };
    ok(EQ(hv_event_channel_op(EVTCHNOP_bind_interdomain, &b), -XEN_ESRCH),
       "bind to domain 0x7fef: -ESRCH");
    b.remote_dom = other;
    b.remote_port = 100000;
    ok(EQ(hv_event_channel_op(EVTCHNOP_bind_interdomain, &b), -XEN_EINVAL),
       "bind to port 100000 of domain %u: -EINVAL", (unsigned)other);
    /* As Xen: only a privileged domain (d1) may take a port in another's
     * table; towards a domain that does not exist, so that nobody binds it. */
    int priv = (start_info->flags & SIF_PRIVILEGED) != 0;
    struct evtchn_alloc_unbound a = { other, 0x7FEF, 0 };
    ok(EQ(hv_event_channel_op(EVTCHNOP_alloc_unbound, &a), priv ? 0 : -XEN_EPERM),
       "alloc_unbound in domain %u's name: %s", (unsigned)other,
       priv ? "0 (privileged, as Xen's dom0)" : "-EPERM");
    a = (struct evtchn_alloc_unbound){ 0x7FEF, DOMID_SELF, 0 };
    ok(EQ(hv_event_channel_op(EVTCHNOP_alloc_unbound, &a), -XEN_ESRCH),
       "alloc_unbound in the name of domain 0x7fef (none): -ESRCH");
    struct evtchn_bind_virq v = { VIRQ_TIMER, 7, 0 };
    ok(EQ(hv_event_channel_op(EVTCHNOP_bind_virq, &v), -XEN_ENOENT), "bind_virq on vCPU 7: -ENOENT");
    uint32_t ports[40] = { 0 };
    struct sched_poll poll = { (uint32_t)(uintptr_t)ports, 129, 0 };
    ok(EQ(hv_sched_op(SCHEDOP_poll, &poll), -XEN_EINVAL), "poll on 129 ports: -EINVAL (Xen: at most 128)");
    domid_t about = other;
    ok(EQ(hv_memory_op(XENMEM_current_reservation, &about), -XEN_EPERM),
       "memory_op about domain %u: -EPERM", (unsigned)other);
    struct mmu_update u = { l1e_machine_addr(SCRATCH(0)), 0 };
    ok(EQ(hv_mmu_update(&u, 1, NULL, other), -XEN_EPERM),
       "mmu_update on domain %u's behalf: -EPERM", (unsigned)other);
}

/* ---- privileged instructions */
static void instructions(void)
{
    static const struct { void (*fn)(void); const char *name; } r1[] = {
        { r1_cli, "cli" }, { r1_sti, "sti" }, { r1_hlt, "hlt" }, { r1_lgdt, "lgdt" },
        { r1_lidt, "lidt" }, { r1_lldt, "lldt" }, { r1_ltr, "ltr" },
        { r1_invlpg, "invlpg" }, { r1_rdmsr, "rdmsr" },
        { r1_wrmsr, "wrmsr" }, { r1_in, "in" }, { r1_out, "out" },
        { r1_mov_cr0, "mov to %cr0" },
        { r1_mov_dr7, "mov to %dr7 with GD set" },
        { r1_far_ring0, "ljmp to the hypervisor's code selector" },
    };
    for (unsigned i = 0; i < sizeof(r1) / sizeof(r1[0]); i++) {
        int vec = probe_vector(r1[i].fn);
        ok(vec == 13, "%s in ring 1: #GP bounced to us (vector %d)", r1[i].name, vec);
    }
    /* Emulated as Xen does: clts clears the virtual CR0.TS, a CR0 read shows it. */
    int vec = probe_vector(r1_clts);
    ok(vec == -1, "clts in ring 1: emulated (vector %d)", vec);
    vec = probe_vector(r1_read_cr0);
    ok(vec == -1, "mov from %%cr0 in ring 1: emulated (vector %d)", vec);
    /* As Xen: wbinvd is ignored for a guest without cache control, and a
     * CR4 write keeps the bits the guest controls (none of EAX's here). */
    vec = probe_vector(r1_wbinvd);
    ok(vec == -1, "wbinvd in ring 1: ignored, as Xen (vector %d)", vec);
    vec = probe_vector(r1_mov_cr4);
    ok(vec == -1, "mov to %%cr4 in ring 1: emulated, as Xen (vector %d)", vec);
    ok(user_setup() == 0, "ring-3 code and stack mapped");
    static const struct { char *code; const char *name; uint32_t want; } r3[] = {
        { r3_cli, "cli", USER_TRAPPED | 13 }, { r3_hlt, "hlt", USER_TRAPPED | 13 },
        { r3_in, "in", USER_TRAPPED | 13 }, { r3_out, "out", USER_TRAPPED | 13 },
        { r3_rdmsr, "rdmsr", USER_TRAPPED | 13 }, { r3_mov_cr3, "mov to %cr3", USER_TRAPPED | 13 },
        { r3_lgdt, "lgdt", USER_TRAPPED | 13 }, { r3_int82, "int $0x82 (a hypercall)", USER_TRAPPED | 13 },
        { r3_read_hv, "a read of the M2P", USER_TRAPPED | 14 },
        { r3_read_kernel, "a read of ring-1 memory", USER_TRAPPED | 14 },
    };
    for (unsigned i = 0; i < sizeof(r3) / sizeof(r3[0]); i++) {
        uint32_t rv = user_run((uint32_t)(uintptr_t)r3[i].code);
        ok(rv == r3[i].want, "%s in ring 3: %s %u", r3[i].name,
           (rv & USER_TRAPPED) ? "vector" : "no fault, returned", (unsigned)(rv & 0xFFFF));
    }
}

/* ---- the end: the innocent learns we are done */
void signal_innocent(void)
{
    signal_domain(cmdline_num("innocent", 2));
    if (cmdline_num("neighbour", 0))
        signal_domain(cmdline_num("neighbour", 0));
}

void long_batch_case(const char *name, size_t len);   /* longbatch.c */

/* Crash cases: each ends this domain, alone. */
static void crash_case(const char *name, size_t len)
{
    long_batch_case(name, len);          /* returns unless it is one of them */
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
    if (IS("bad-stack")) {
        printf("attack: kernel stack moved to an unmapped page, then a fault\n");
        hv_stack_switch(FLAT_RING1_SS, 0x00C00000u);
        user_setup();
        user_run((uint32_t)(uintptr_t)r3_cli);    /* #GP in ring 3: no stack to bounce onto */
    } else if (IS("iret0")) {
        printf("attack: iret to ring 0\n");
        __asm__ __volatile__("pushl $0xe010\n pushl $0x300000\n pushl $0x2\n"
                             "pushl $0xe008\n pushl $0x100000\n"
                             "jmp hypercall_page + " STR(__HYPERVISOR_iret) " * 32");
    }
    printf("attack: test=%.*s did not crash the domain\n", (int)len, name);
    signal_innocent();
    poweroff(0);
}

void address_width(void);          /* address_width.c */
int attack_fpu(void);         /* fpu.c */

int guest_main(void)
{
    size_t len;
    const char *t = cmdline_arg("test", &len);
    if (t && len == 13 && memcmp(t, "address-width", 13) == 0) {
        address_width();              /* alone, e.g. as a domU */
        signal_innocent();
        return tap_done();
    }
    if (t && len == 3 && memcmp(t, "fpu", 3) == 0) {
        attack_fpu();
        signal_innocent();
        return tap_done();
    }
    if (t && arch_case(t, len)) {
        signal_innocent();
        return tap_done();
    }
    if (t) {
        /* Topics in files of their own: the first that knows the name. */
        static int (*const topics[])(const char *, size_t) = {
            hvpages_case, timers_case, slot3_case, ptwr_case, iopl_case,
            debugreg_case, sysenter_case, slot3_stale_case, dr6_stale_case,
            grant_case, xenstore_case, walk_cache_case,
        };
        int rc = -1;
        for (size_t i = 0; rc < 0 && i < sizeof(topics) / sizeof(topics[0]); i++)
            rc = topics[i](t, len);
        if (rc >= 0)
            return rc;
        crash_case(t, len);
    }
    printf("attack: every escape we know, each refused\n");
    /* A latency neighbour measures only once it runs: let it start first. */
    if (cmdline_num("neighbour", 0))
        for (int i = 0; i < 3; i++)
            hv_sched_op(SCHEDOP_yield, NULL);
    hypervisor_memory();
    foreign_frames();
    page_tables();
    descriptors();
    arguments();
    events();
    instructions();
    address_width();
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "the hypervisor still serves us");
    signal_innocent();
    return tap_done();
}
