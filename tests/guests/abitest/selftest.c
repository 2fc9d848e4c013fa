/*
 * selftest (pv): the guest's checks of the pv86 ABI, as TAP lines. Each
 * asserts an exact value: a return code, a byte pattern, a trap frame word.
 * Test modes (test=...) crash on purpose or probe the hypervisor's area.
 */
#include "pv.h"

#include <pv86/version.h>

#include "kernel.h"
#include "lib/string.h"

#define UNMAPPED_VA     0x00C00000u     /* inside nr_pages, beyond the boot map */
#define USER_STACK_VA   0x00300000u     /* free page below the image */
#define GDT_TEST_VA     0x00301000u
#define PTE_P   0x001ull
#define PTE_RW  0x002ull
#define PTE_U   0x004ull
#define PTE_A   0x020ull

static uint8_t kernel_trap_stack[4096] __attribute__((aligned(16)));

static int streq(const char *a, const char *b) { return strcmp(a, b) == 0; }

static void check_start_info(void)
{
    const struct start_info *si = start_info_va;
    tap_ok(memcmp(si->magic, XEN_START_INFO_MAGIC, sizeof(XEN_START_INFO_MAGIC)) == 0,
           "start_info magic is \"%s\"", XEN_START_INFO_MAGIC);
    tap_ok(si->nr_pages == 4096, "start_info nr_pages is 4096 (16 MiB)");
    tap_ok((si->flags & (SIF_INITDOMAIN | SIF_PRIVILEGED)) == (SIF_INITDOMAIN | SIF_PRIVILEGED),
           "start_info flags: initial, privileged domain");
    tap_ok(si->pt_base > 0x00400000u && (si->pt_base & 0xFFF) == 0 && si->nr_pt_frames == 9,
           "bootstrap page tables: page-aligned L3 after the image, 9 frames");

    /* Every pfn's frame maps back to it in the read-only M2P. */
    const uint32_t *m2p = (const uint32_t *)MACH2PHYS_VIRT_START;
    uint32_t bad = 0;
    for (uint32_t pfn = 0; pfn < si->nr_pages; pfn++)
        if (m2p[pfn_to_mfn(pfn)] != pfn)
            bad++;
    tap_ok(bad == 0, "M2P and p2m agree for all %u pfns", (unsigned)si->nr_pages);
}

static void check_hypercall_page(void)
{
    unsigned bad = 0;
    for (uint32_t i = 0; i < PV86_HYPERCALL_SLOTS; i++) {
        const uint8_t *s = (const uint8_t *)hypercall_page + i * 32;
        uint8_t want[32];
        memset(want, 0xCC, sizeof(want));
        if (i == __HYPERVISOR_iret) {
            const uint8_t w[8] = { 0x50, 0xB8, 23, 0, 0, 0, 0xCD, 0x82 };
            memcpy(want, w, 8);
        } else {
            const uint8_t w[8] = { 0xB8, (uint8_t)i, 0, 0, 0, 0xCD, 0x82, 0xC3 };
            memcpy(want, w, 8);
        }
        if (memcmp(s, want, 32) != 0)
            bad++;
    }
    tap_ok(bad == 0, "hypercall page: 128 slots as the ABI says (%u differ)", bad);
}

static void check_xen_version(void)
{
    char buf[1024];
    struct xen_platform_parameters pp = { 0 };
    struct xen_feature_info fi = { 0, 0 };
    struct xen_compile_info ci;

    tap_ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "xen_version: 3.0");
    tap_ok(hv_xen_version(XENVER_extraversion, buf) == 0 && streq(buf, "-pv86"),
           "xen_version extraversion \"-pv86\"");
    tap_ok(hv_xen_version(XENVER_capabilities, buf) == 0 && streq(buf, "xen-3.0-x86_32p"),
           "xen_version capabilities \"xen-3.0-x86_32p\"");
    tap_ok(hv_xen_version(XENVER_compile_info, &ci) == 0 &&
           memcmp(ci.compiler, "gcc ", 4) == 0 && streq(ci.compile_by, "pv86"),
           "xen_version compile_info");
    tap_ok(hv_xen_version(XENVER_changeset, buf) == 0 && strlen(buf) > 0 && strlen(buf) < 64,
           "xen_version changeset: a terminated string");
    tap_ok(hv_xen_version(XENVER_platform_parameters, &pp) == 0 &&
           pp.virt_start == HYPERVISOR_VIRT_START,
           "xen_version platform_parameters: virt_start %#x", (unsigned)pp.virt_start);
    tap_ok(hv_xen_version(XENVER_get_features, &fi) == 0 &&
           fi.submap == ((1u << XENFEAT_pae_pgdir_above_4gb) |
                         (1u << XENFEAT_mmu_pt_update_preserve_ad) |
                         (1u << XENFEAT_dom0) | (1u << XENFEAT_direct_mapped)),
           "xen_version get_features: pae_pgdir_above_4gb, mmu_pt_update_preserve_ad, "
           "dom0, direct_mapped");
    fi.submap_idx = 1;
    tap_ok(hv_xen_version(XENVER_get_features, &fi) == -XEN_EINVAL,
           "xen_version get_features submap 1: -EINVAL");
    tap_ok(hv_xen_version(XENVER_pagesize, NULL) == 4096, "xen_version pagesize 4096");
    tap_ok(hv_xen_version(99, NULL) == -XEN_ENOSYS, "xen_version unknown command: -ENOSYS");
    tap_ok(hv_xen_version(XENVER_capabilities, (void *)0xF5800000u) == -XEN_EFAULT,
           "xen_version into the hypervisor area: -EFAULT");
}

static void check_misc_hypercalls(void)
{
    tap_ok(hv_hypercall5(40, 0, 0, 0, 0, 0) == -XEN_ENOSYS &&
           hv_hypercall5(__HYPERVISOR_physdev_op, 0, 0, 0, 0, 0) == -XEN_ENOSYS &&
           hv_hypercall5(127, 0, 0, 0, 0, 0) == -XEN_ENOSYS,
           "unimplemented hypercalls 40 and 127, and physdev_op sub-op 0 (none in Xen): -ENOSYS");
    tap_ok(hv_vm_assist(VMASST_CMD_enable, VMASST_TYPE_pae_extended_cr3) == 0,
           "vm_assist enable pae_extended_cr3");
    tap_ok(hv_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables) == 0 &&
           hv_vm_assist(VMASST_CMD_disable, VMASST_TYPE_writable_pagetables) == 0,
           "vm_assist writable_pagetables: enabled and disabled again (as Xen)");
    tap_ok(hv_vm_assist(7, VMASST_TYPE_pae_extended_cr3) == -XEN_ENOSYS,
           "vm_assist bad command: -ENOSYS");
    tap_ok(hv_sched_op(SCHEDOP_yield, NULL) == 0, "sched_op yield");
    /* Any shutdown reason stops the domain (as Xen): those are boot tests
     * (tests/boot/shutdown.sh); here what answers. */
    struct sched_remote_shutdown rs = { 7, 0, SHUTDOWN_poweroff };
    tap_ok(hv_sched_op(SCHEDOP_remote_shutdown, &rs) == -XEN_ESRCH,
           "sched_op remote_shutdown of d7, which does not exist: -ESRCH");
    tap_ok(hv_sched_op(SCHEDOP_shutdown_code, (void *)0x00C00000u) == -XEN_EFAULT,
           "sched_op shutdown_code with an unmapped argument: -EFAULT");
    tap_ok(hv_sched_op(SCHEDOP_shutdown, (void *)0x00C00000u) == -XEN_EFAULT,
           "sched_op shutdown with an unmapped argument: -EFAULT");
    tap_ok(hv_sched_op(42, NULL) == -XEN_ENOSYS, "sched_op unknown command: -ENOSYS");
    char c;
    tap_ok(hv_console_io(CONSOLEIO_read, 1, &c) == 0, "console_io read with no input: 0 bytes");
    tap_ok(hv_console_io(CONSOLEIO_write, 16, (char *)0x00C00000u) == -XEN_EFAULT,
           "console_io write from an unmapped buffer: -EFAULT");

    struct callback_register cb = { CALLBACKTYPE_event, 0, { FLAT_RING1_CS, 0x401000 } };
    tap_ok(hv_callback_op(CALLBACKOP_register, &cb) == 0, "callback_op register event");
    cb.address.cs = 0xe008;
    tap_ok(hv_callback_op(CALLBACKOP_register, &cb) == 0,
           "callback_op with the hypervisor's code segment: accepted, RPL fixed up (as Xen)");
    cb.address.cs = FLAT_RING1_CS;
    hv_callback_op(CALLBACKOP_register, &cb);
    cb.address.cs = FLAT_RING1_CS;
    cb.type = CALLBACKTYPE_syscall32;
    tap_ok(hv_callback_op(CALLBACKOP_register, &cb) == 0,
           "callback_op syscall32: 0 (as Xen for a 32-bit guest)");
    struct callback_unregister un = { CALLBACKTYPE_event, 0 };
    tap_ok(hv_callback_op(CALLBACKOP_unregister, &un) == -XEN_EINVAL,
           "callback_op unregister event: -EINVAL");
    tap_ok(hv_set_callbacks(FLAT_RING1_CS, 0x401000, FLAT_RING1_CS, 0x401000) == 0,
           "set_callbacks");
    tap_ok(hv_set_callbacks(0xe008, 0x401000, FLAT_RING1_CS, 0x401000) == 0 &&
           hv_set_callbacks(FLAT_RING1_CS, 0x401000, FLAT_RING1_CS, 0x401000) == 0,
           "set_callbacks with a ring-0 hypervisor selector: 0, as Xen (RPL fixed up)");
    tap_ok(hv_stack_switch(0xe010, 0x1000) == -XEN_EPERM,
           "stack_switch to the hypervisor's data segment: -EPERM");
    uint32_t regs[4];
    hv_cpuid(0x40000000u, 0, regs);
    tap_ok(memcmp(&regs[1], "XenVMMXenVMM", 12) == 0 && regs[0] >= 0x40000002u,
           "forced-emulation cpuid: \"XenVMMXenVMM\"");
    hv_cpuid(1, 0, regs);
    tap_ok((regs[2] & (1u << 31)) && !(regs[2] & (1u << 5)) && !(regs[3] & (1u << 13)),
           "forced-emulation cpuid leaf 1: hypervisor bit, no VMX, no PGE");
}

static void check_update_va_mapping(void)
{
    const struct start_info *si = start_info_va;
    struct shared_info *sh = pv_shared_info();
    tap_ok(sh != NULL, "update_va_mapping maps shared_info");
    tap_ok(sh && sh->vcpu_info[0].evtchn_upcall_mask == 1,
           "events start masked (vcpu_info[0].evtchn_upcall_mask == 1)");
    uint32_t l3_mfn = pfn_to_mfn(si->pt_base >> 12);
    tap_ok(pv_map(USER_STACK_VA, l3_mfn, PTE_P | PTE_RW | PTE_A) == -XEN_EBUSY,
           "writable mapping of a page-table frame: -EBUSY");
    tap_ok(pv_map(USER_STACK_VA, l3_mfn, PTE_P | PTE_A) == 0,
           "read-only mapping of a page-table frame is allowed");
    tap_ok(pv_map(USER_STACK_VA, 0x100, PTE_P | PTE_A) == -XEN_EBUSY,
           "mapping a hypervisor frame: -EBUSY");
    tap_ok(hv_update_va_mapping(USER_STACK_VA, (1ull << 52) | ((uint64_t)pfn_to_mfn(0x300) << 12) |
                                PTE_P, UVMF_INVLPG) == -XEN_EINVAL,
           "PTE with reserved bits: -EINVAL");
    tap_ok(pv_map(0xF6000000u, pfn_to_mfn(0x300), PTE_P | PTE_A) == -XEN_EINVAL,
           "mapping at a hypervisor address: -EINVAL");
    tap_ok(pv_map(UNMAPPED_VA, pfn_to_mfn(0x300), PTE_P | PTE_A) == -XEN_EINVAL,
           "mapping where no L1 table exists: -EINVAL");
    tap_ok(hv_update_va_mapping(USER_STACK_VA, 0, 3) == 0,
           "update_va_mapping flush type 3: no flush, 0 (as Xen)");
    tap_ok(pv_map(USER_STACK_VA, pfn_to_mfn(USER_STACK_VA >> 12), PTE_P | PTE_RW | PTE_A | PTE_U) == 0,
           "user stack page mapped with the user bit");
}

static void check_traps(void)
{
    struct vcpu_info *vi = &shared_info->vcpu_info[0];

    pv_install_traps(0);
    tap_ok(hv_stack_switch(FLAT_RING1_SS, (uint32_t)(uintptr_t)kernel_trap_stack +
                           sizeof(kernel_trap_stack)) == 0, "stack_switch");

    unsigned before = last_trap.count;
    probe_read(UNMAPPED_VA + 0x123);
    tap_ok(last_trap.count == before + 1 && last_trap.vector == 14 &&
           last_trap.cr2 == UNMAPPED_VA + 0x123 && last_trap.error == 0,
           "#PF bounced: vector 14, error 0, cr2 %#x", (unsigned)last_trap.cr2);
    tap_ok(last_trap.cs == (FLAT_RING1_CS | (1u << 16)) && !(last_trap.eflags & 0x200),
           "#PF frame with events masked: cs %#x (mask 1 in bits 16-23), IF clear",
           (unsigned)last_trap.cs);

    before = last_trap.count;
    probe_cli();
    tap_ok(last_trap.count == before + 1 && last_trap.vector == 13 && last_trap.error == 0,
           "cli in ring 1: #GP(0) bounced to the guest");

    vi->evtchn_upcall_mask = 0;                 /* events on: a plain write */
    probe_read(UNMAPPED_VA);
    tap_ok(last_trap.cs == FLAT_RING1_CS && (last_trap.eflags & 0x200) &&
           last_trap.mask_in_handler == 0,
           "#PF frame with events unmasked: cs %#x, IF set", (unsigned)last_trap.cs);
    pv_install_traps(1);
    probe_read(UNMAPPED_VA);
    tap_ok(last_trap.mask_in_handler == 1 && vi->evtchn_upcall_mask == 0,
           "trap entry with the mask flag masks events; iret with IF unmasks them");
    vi->evtchn_upcall_mask = 1;
    pv_install_traps(0);
}

static uint8_t syscall_stack[4096] __attribute__((aligned(16)));

void ring3_setup(void)
{
    pv_map((uint32_t)(uintptr_t)user_code, pfn_to_mfn((uint32_t)(uintptr_t)user_code >> 12),
           PTE_P | PTE_A | PTE_U);
    pv_map(USER_STACK_VA, pfn_to_mfn(USER_STACK_VA >> 12), PTE_P | PTE_RW | PTE_A | PTE_U);
    pv_install_traps(0);
    hv_stack_switch(FLAT_RING1_SS, (uint32_t)(uintptr_t)syscall_stack + sizeof(syscall_stack));
}

uint32_t ring3_getpid_loop(uint32_t count)
{
    *(volatile uint32_t *)(USER_STACK_VA + 4092) = count;
    return user_run((uint32_t)(uintptr_t)user_getpid_loop, USER_STACK_VA + 4092);
}

static void check_ring3(void)
{
    uint32_t mfn = pfn_to_mfn((uint32_t)(uintptr_t)user_code >> 12);
    tap_ok(pv_map((uint32_t)(uintptr_t)user_code, mfn, PTE_P | PTE_A | PTE_U) == 0,
           "user code page mapped with the user bit");
    user_log_len = 0;
    uint32_t rv = user_run((uint32_t)(uintptr_t)user_code, USER_STACK_VA + 4096);
    tap_ok(rv == 0x600d && user_log_len == 4, "ring 3 ran and came back by int $0x80 (%u traps)",
           (unsigned)user_log_len);
    tap_ok(user_log[0].vector == 13 && user_log[0].error == ((0x82u << 3) | 2) &&
           (user_log[0].cs & 3) == 3,
           "int $0x82 from ring 3: #GP(%#x)", (unsigned)user_log[0].error);
    tap_ok(user_log[1].vector == 13 && user_log[1].error == ((0x40u << 3) | 2),
           "int $0x40 with a DPL-1 trap entry from ring 3: #GP(%#x)", (unsigned)user_log[1].error);
    tap_ok(user_log[2].vector == 3 && (user_log[2].cs & 3) == 3,
           "int3 from ring 3 reaches the guest's #BP handler");
    tap_ok(user_log[3].vector == 0x80 && (user_log[3].cs & 3) == 3 &&
           (user_log[3].eflags & 0x200),
           "int $0x80 from ring 3 reaches the DPL-3 handler, IF set");
    tap_ok(ring3_getpid_loop(10000) == 0,
           "10000 getpid system calls from ring 3, each returned 1");
}

static void check_gdt(void)
{
    uint32_t pfn = GDT_TEST_VA >> 12, mfn = pfn_to_mfn(pfn);
    uint32_t *gdt = (uint32_t *)GDT_TEST_VA;
    /* Entry 1: flat data with DPL 0 and no accessed bit: to be fixed up. */
    gdt[2] = 0x0000FFFF;
    gdt[3] = 0x00CF9200;
    tap_ok(hv_set_gdt(&mfn, 2) == -XEN_EINVAL, "set_gdt with a frame still mapped writable: -EINVAL");
    pv_map(GDT_TEST_VA, mfn, PTE_P | PTE_A);
    tap_ok(hv_set_gdt(&mfn, 2) == 0, "set_gdt with a read-only frame");
    tap_ok(gdt[3] == 0x00CFB300 && gdt[2] == 0x000067FF,
           "descriptor fixed up: DPL 1, accessed, limit ends at the M2P (%08x%08x)",
           (unsigned)gdt[3], (unsigned)gdt[2]);
    tap_ok(pv_map(GDT_TEST_VA, mfn, PTE_P | PTE_RW | PTE_A) == -XEN_EBUSY,
           "a GDT frame cannot be mapped writable: -EBUSY");
    tap_ok(hv_set_gdt(&mfn, 7169) == -XEN_EINVAL, "set_gdt with 7169 entries: -EINVAL");
    tap_ok(hv_set_gdt(NULL, 0) == 0 && pv_map(GDT_TEST_VA, mfn, PTE_P | PTE_RW | PTE_A) == 0,
           "after set_gdt(0) the frame is writable again");
    gdt[2] = 0x0000FFFF;
    gdt[3] = 0x00CF8900;     /* a TSS descriptor */
    pv_map(GDT_TEST_VA, mfn, PTE_P | PTE_A);
    tap_ok(hv_set_gdt(&mfn, 2) == -XEN_EINVAL, "set_gdt with a TSS descriptor: -EINVAL");
    pv_map(GDT_TEST_VA, mfn, PTE_P | PTE_RW | PTE_A);
}

/* pv86's own hypercall (48): the domain's counters, without the reading. */
static void check_counters(void)
{
    static struct pv86_counters a, b;
    int32_t rc = hv_pv86_counters_op(PV86_COUNTERS_READ, &a);
    hv_xen_version(XENVER_version, NULL);
    hv_pv86_counters_op(PV86_COUNTERS_READ, &b);
    tap_ok(rc == 0 && a.version == PV86_COUNTERS_VERSION && a.size == sizeof(a),
           "pv86_counters_op: version 1, %u bytes", (unsigned)sizeof(a));
    tap_ok(b.hypercalls_total == a.hypercalls_total + 1 &&
           b.hypercalls[__HYPERVISOR_xen_version] == a.hypercalls[__HYPERVISOR_xen_version] + 1 &&
           b.hypercalls[__HYPERVISOR_pv86_counters_op] == 0,
           "pv86_counters_op: between two readings, one xen_version; readings not counted");
    struct multicall_entry mc = { __HYPERVISOR_pv86_counters_op, 0,
                                  { PV86_COUNTERS_READ, (uint32_t)(uintptr_t)&a, 0, 0, 0, 0 } };
    tap_ok(hv_pv86_counters_op(7, &a) == -XEN_EINVAL &&
           hv_pv86_counters_op(PV86_COUNTERS_READ, (void *)HYPERVISOR_VIRT_START) == -XEN_EFAULT &&
           hv_multicall(&mc, 1) == 0 && (int32_t)mc.result == -XEN_EINVAL,
           "pv86_counters_op: bad command -EINVAL, bad buffer -EFAULT, in a multicall -EINVAL");
}

void arch_selftest(void)
{
    check_start_info();
    check_hypercall_page();
    check_xen_version();
    check_misc_hypercalls();
    check_counters();
    check_update_va_mapping();
    if (!shared_info) {
        kprintf("Bail out! shared_info could not be mapped\n");
        return;
    }
    check_traps();
    check_ring3();
    check_gdt();
    mmu_selftest();
    event_selftest();
}

/* ---- test=hvarea: the hypervisor's area is out of reach ---- */
static void expect_pf(uint32_t addr, int write, uint32_t want_error)
{
    unsigned before = last_trap.count;
    if (write)
        probe_write(addr, 0xBAD0BAD0u);
    else
        probe_read(addr);
    tap_ok(last_trap.count == before + 1 && last_trap.vector == 14 && last_trap.cr2 == addr &&
           last_trap.error == want_error,
           "%s %#x: #PF, error %u", write ? "write" : "read", (unsigned)addr,
           (unsigned)last_trap.error);
}

static void run_hvarea(void)
{
    static const uint32_t holes[] = { 0xF6800000u, 0xF8000000u, 0xFFC00000u, 0xFFE14000u,
                                      0xFFFFF000u };
    static const uint32_t readonly[] = { 0xF5800000u, 0xFFE00000u, 0xFFE02000u, 0xFFE04000u,
                                         0xFFE12000u };
    if (!pv_shared_info()) {
        kprintf("Bail out! shared_info could not be mapped\n");
        return;
    }
    pv_install_traps(0);
    uint32_t text_before = probe_read(0xFFE00000u), m2p_before = probe_read(0xF5800000u);
    for (unsigned i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
        expect_pf(holes[i], 0, 0);
        expect_pf(holes[i], 1, 2);
    }
    for (unsigned i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++)
        expect_pf(readonly[i], 1, 3);
    tap_ok(probe_read(0xFFE00000u) == text_before && probe_read(0xF5800000u) == m2p_before,
           "the switcher text and the M2P are unchanged");
    /* The entry stack is writable by design and never trusted. */
    for (uint32_t a = 0xFFE15000u; a < 0xFFE16000u; a += 4)
        probe_write(a, 0xDEADBEEFu);
    tap_ok(hv_xen_version(XENVER_pagesize, NULL) == 4096,
           "garbage on the entry stack does not disturb the next hypercall");
}

int arch_run_mode(const char *mode, size_t len)
{
    if (run_multi_mode(mode, len))
        return 1;
#define IS(m) (len == sizeof(m) - 1 && memcmp(mode, m, len) == 0)
    if (IS("hvarea")) {
        run_hvarea();
        arch_poweroff(tap_done() == 0);
    }
    if (IS("syscalls")) {
        uint32_t count = cmdline_number("count", 0);
        ring3_setup();
        tap_ok(ring3_getpid_loop(count) == 0, "%u getpid system calls, each returned 1",
               (unsigned)count);
        arch_poweroff(tap_done() == 0);
    }
    if (IS("batch")) {
        mmu_batch_demo();
        arch_poweroff(tap_done() == 0);
    }
    if (IS("crash-pf")) {           /* no trap table: the fault has no handler */
        probe_read(UNMAPPED_VA);
        return 1;
    }
    if (IS("crash-stack")) {        /* a handler, but no stack to deliver on */
        pv_install_traps(0);
        probe_fault_on_bad_stack(UNMAPPED_VA + 0x1000, UNMAPPED_VA);
    }
    if (IS("crash-shutdown")) {
        struct sched_shutdown s = { SHUTDOWN_crash };
        hv_sched_op(SCHEDOP_shutdown, &s);
        return 1;
    }
    if (IS("crash-iret0")) {         /* iret to ring 0 */
        __asm__ __volatile__("pushl $0x202; pushl $0xe008; pushl $0; xorl %%eax, %%eax;"
                             "jmp hypercall_page + 23 * 32" : : : "memory");
    }
    return 0;
#undef IS
}
