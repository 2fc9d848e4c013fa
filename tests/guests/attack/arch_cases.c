/*
 * arch_cases: attacks on how the hypervisor tells guest from hypervisor
 * and kernel from user, and on the pages it maps in every domain.
 *
 *   test=vm86-r1     a native iret with EFLAGS.VM from ring 1 (QEMU's TCG
 *   test=vm86-r3     enters vm86 at any CPL), from ring 3, and from ring 3
 *   test=vm86-int80  with IOPL 3 so that vm86 reaches the direct int $0x80
 *                    gate: each must crash this domain alone, with "entered
 *                    virtual-8086 mode", never the hypervisor.
 *   test=vm86-cli-spin  vm86 with IOPL 3, then cli; jmp $: QEMU's iret
 *                    loads IF and IOPL from the vm86 image at any CPL, so
 *                    no maskable interrupt reaches the hypervisor again;
 *                    the NMI watchdog (hypervisor/arch/x86/watchdog.c) must.
 *   test=vm86-iret   the iret hypercall with EFLAGS.VM: as Xen, our #GP
 *                    handler gets the vm86 frame (error 0, eip 0x10).
 *   test=ring2       an iret hypercall to ring 2 (accepted, as Xen's), and
 *                    traps from ring 2 bounced onto the kernel stack.
 *   test=covert-send / test=covert-recv (two domains): the sender writes a
 *                    pattern into every hypervisor-mapped page it can (the
 *                    switcher region and the M2P), the receiver looks for it
 *                    in the same pages; it must find none.
 */
#include "guest.h"

#include "arch_cases.h"

void arch_vm86_from_r1(void), arch_iret_hypercall_vm86(void), r1_int5(void);
extern char r2_hello[], r2_ud2[], r2_read_cr2[], r2_int82[], r2_int5[];
extern char r3_vm86[], r3_vm86_iopl3[];

#define SCRATCH(i) (GUEST_SCRATCH_VA + (uint32_t)(i) * 4096u)
#define SCRATCH_MFN(i) pfn_to_mfn(SCRATCH(i) >> 12)

/* ---- virtual-8086 mode: the code at 0300:0010 (linear 0x3010) */
static void vm86_case(const char *how, const uint8_t *code, size_t n, char *r3_entry)
{
    if (user_setup()) {
        printf("attack: cannot map the ring-3 pages\n");
        return;
    }
    for (size_t i = 0; i < n; i++)
        ((volatile uint8_t *)(GUEST_USTACK_VA + 0x10))[i] = code[i];
    printf("attack: a native iret with EFLAGS.VM %s\n", how);
    if (r3_entry) {
        uint32_t rv = user_run((uint32_t)(uintptr_t)r3_entry);
        printf("attack: ring 3 came back with %#x\n", (unsigned)rv);
    } else {
        arch_vm86_from_r1();
    }
}

static void vm86_frame_seen(void)
{
    printf("attack: the #GP frame: cs %#x, ss:esp %#x:%#x\n", (unsigned)last_trap.cs,
           (unsigned)last_trap.user_ss, (unsigned)last_trap.user_esp);
}

/* ---- ring 2 */
#define R2_CS 0x0Au          /* our GDT entry 1, DPL 2 code */
#define R2_SS 0x12u          /* our GDT entry 2, DPL 2 data */

static void ring2(void)
{
    uint32_t *gdt = (uint32_t *)SCRATCH(14);
    uint32_t mfn = SCRATCH_MFN(14);
    for (unsigned i = 0; i < 1024; i++)
        gdt[i] = 0;
    map_page(SCRATCH(14), mfn, PTE_P | PTE_A);
    uint64_t ma = (uint64_t)mfn << 12;
    ok(hv_update_descriptor(ma + 8, 0x00CFDA000000FFFFull) == 0 &&
       hv_update_descriptor(ma + 16, 0x00CFD2000000FFFFull) == 0 && hv_set_gdt(&mfn, 3) == 0,
       "a DPL-2 code and a DPL-2 data segment in our GDT: accepted, as Xen does");
    map_page(SCRATCH(13), SCRATCH_MFN(13), PTE_P | PTE_RW | PTE_A | PTE_D);
    uint32_t r2_esp = SCRATCH(13) + 4096;

    uint32_t rv = user_run_ring((uint32_t)(uintptr_t)r2_hello, R2_CS, R2_SS, r2_esp);
    ok(rv == 0x2222 && (last_trap.cs & 3) == 2,
       "iret hypercall to ring 2: accepted, the code ran at CPL %u (returned %#x)",
       (unsigned)(last_trap.cs & 3), (unsigned)rv);

    rv = user_run_ring((uint32_t)(uintptr_t)r2_ud2, R2_CS, R2_SS, r2_esp);
    uint32_t frame_sp = last_trap.user_esp, frame_ss = last_trap.user_ss;
    ok(rv == (USER_TRAPPED | 6) && last_trap.cs == R2_CS && frame_ss == R2_SS &&
       frame_sp == r2_esp,
       "#UD in ring 2: bounced onto the kernel stack, the frame holding ring 2's "
       "ss:esp (%#x:%#x)", (unsigned)frame_ss, (unsigned)frame_sp);

    rv = user_run_ring((uint32_t)(uintptr_t)r2_read_cr2, R2_CS, R2_SS, r2_esp);
    ok(rv == (USER_TRAPPED | 13), "mov from %%cr2 in ring 2: #GP, not the kernel's emulation (%#x)",
       (unsigned)rv);
    rv = user_run_ring((uint32_t)(uintptr_t)r2_int82, R2_CS, R2_SS, r2_esp);
    ok(rv == (USER_TRAPPED | 13), "int $0x82 (a hypercall) in ring 2: #GP (%#x)", (unsigned)rv);

    /* int $5 through a trap-table entry of DPL 2: the kernel may, ring 2
     * may not (Xen: DPL 3 is needed outside ring 1). */
    extern char trap_stub_5[];
    struct trap_info t5[] = { { 5, 2, FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_stub_5 },
                              { 0, 0, 0, 0 } };
    ok(hv_set_trap_table(t5) == 0 && probe_vector(r1_int5) == 5,
       "int $5 through a DPL-2 trap entry in ring 1: delivered");
    rv = user_run_ring((uint32_t)(uintptr_t)r2_int5, R2_CS, R2_SS, r2_esp);
    ok(rv == (USER_TRAPPED | 13), "... in ring 2: #GP (%#x)", (unsigned)rv);
    t5[0].flags = 0;
    hv_set_trap_table(t5);

    hv_set_gdt(&mfn, 0);
    map_page(SCRATCH(14), mfn, PTE_P | PTE_RW | PTE_A | PTE_D);
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "the hypervisor still serves us");
}

/* ---- pages the hypervisor maps in every domain */
#define SWITCHER_START 0xFFE00000u    /* the switcher's 2 MiB (layout.h) */
#define ENTRY_STACK_VA 0xFFE15000u
#define STACK_WORDS    (1024u - 64u)  /* below where the CPU pushes frames */

static uint32_t pattern(uint32_t va)
{
    return 0x5EC00000u ^ (va * 2654435761u);
}

struct region { uint32_t start, pages; };

static unsigned regions(struct region *r)
{
    uint32_t max = (uint32_t)hv_memory_op(XENMEM_maximum_ram_page, NULL);
    r[0].start = MACH2PHYS_VIRT_START;
    r[0].pages = (max * 4 + 4095) / 4096 + 1;
    r[1].start = SWITCHER_START;
    r[1].pages = 512;
    return 2;
}

static int readable(uint32_t va)
{
    unsigned before = last_trap.count;
    probe_read(va);
    return last_trap.count == before;
}

static void covert_send(void)
{
    struct region r[2];
    unsigned n = regions(r), tried = 0, writable = 0;
    uint32_t where = 0;
    for (unsigned i = 0; i < n; i++)
        for (uint32_t p = 0; p < r[i].pages; p++) {
            uint32_t va = r[i].start + p * 4096;
            unsigned before = last_trap.count;
            tried++;
            probe_write(va, pattern(va));
            if (last_trap.count != before)
                continue;                           /* #PF: read-only or absent */
            writable++;
            where = va;
        }
    ok(writable == 1 && where == ENTRY_STACK_VA,
       "of %u hypervisor-mapped pages only our entry stack is writable (%u: %#x)",
       tried, writable, (unsigned)where);
    /* Keep the pattern there while the receiver looks. */
    for (unsigned round = 0; round < 40; round++) {
        for (uint32_t w = 0; w < STACK_WORDS && writable == 1; w++)
            ((volatile uint32_t *)where)[w] = pattern(where + w * 4);
        hv_sched_op(SCHEDOP_yield, NULL);
    }
}

static void covert_recv(void)
{
    struct region r[2];
    unsigned n = regions(r), pages = 0, found = 0;
    for (unsigned round = 0; round < 30; round++) {
        hv_sched_op(SCHEDOP_yield, NULL);
        for (unsigned i = 0; i < n; i++)
            for (uint32_t p = 0; p < r[i].pages; p++) {
                uint32_t va = r[i].start + p * 4096;
                if (!readable(va))
                    continue;
                pages += round == 0;
                for (uint32_t w = 0; w < 1024; w++)
                    found += ((volatile uint32_t *)va)[w] == pattern(va + w * 4);
            }
    }
    ok(pages > 40 && found == 0,
       "%u hypervisor-mapped pages read 30 times while another domain wrote them: "
       "%u of its words seen", pages, found);
}

int arch_case(const char *name, size_t len)
{
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
    static const uint8_t hlt[] = { 0xF4 }, int80[] = { 0xCD, 0x80 }, spin[] = { 0xFA, 0xEB, 0xFE };
    if (IS("vm86-r1")) {
        vm86_case("from ring 1", hlt, sizeof(hlt), NULL);
    } else if (IS("vm86-r3")) {
        vm86_case("from ring 3", hlt, sizeof(hlt), r3_vm86);
    } else if (IS("vm86-int80")) {
        vm86_case("and IOPL 3 from ring 3, then int $0x80", int80, sizeof(int80), r3_vm86_iopl3);
    } else if (IS("vm86-cli-spin")) {
        vm86_case("and IOPL 3 from ring 3, then cli and a loop", spin, sizeof(spin), r3_vm86_iopl3);
    } else if (IS("vm86-iret")) {
        printf("attack: the iret hypercall with EFLAGS.VM\n");
        guest_crash_hook = vm86_frame_seen;
        arch_iret_hypercall_vm86();
    } else if (IS("ring2")) {
        printf("attack: ring 2\n");
        ring2();
        return 1;
    } else if (IS("covert-send")) {
        printf("attack: covert channel, sender\n");
        covert_send();
        return 1;
    } else if (IS("covert-recv")) {
        printf("attack: covert channel, receiver\n");
        covert_recv();
        return 1;
    } else {
        return 0;
    }
    printf("attack: test=%.*s did not crash the domain\n", (int)len, name);
    signal_innocent();
    poweroff(0);
#undef IS
}
