/*
 * arch (pv): the kernel's arch layer on pv86, through hypercalls only.
 *   interrupt flag   vcpu_info.evtchn_upcall_mask (plain writes)
 *   page tables      mmu_update batches, with a flush in the same multicall
 *   address spaces   pinned L3s, MMUEXT_NEW_BASEPTR
 *   kernel stack     stack_switch (with NEW_BASEPTR: one multicall a switch)
 *   system calls     trap-table entry 0x80 with DPL 3: a direct trap gate
 *   timer, console   VIRQ_TIMER (periodic while running), console_io or the
 *                    console ring
 *   halting          set_timer_op for the next deadline, then SCHEDOP_block
 * No sensitive instruction; tools/sensitive-scan checks (make check-sensitive).
 */
#include <pv86/guest.h>
#include <pv86/hypercall.h>

#include <pvguest/census.h>

#include "arch/pv/pv.h"
#include "kernel/kernel.h"
#include "lib/string.h"

extern struct start_info *start_info_va;
void pv_load_user_segments(void);
void syscall_entry(void), failsafe_callback(void);
void trap_stub_0(void), trap_stub_1(void), trap_stub_2(void), trap_stub_3(void),
     trap_stub_4(void), trap_stub_5(void), trap_stub_6(void), trap_stub_7(void),
     trap_stub_8(void), trap_stub_9(void), trap_stub_10(void), trap_stub_11(void),
     trap_stub_12(void), trap_stub_13(void), trap_stub_14(void), trap_stub_16(void),
     trap_stub_17(void), trap_stub_18(void), trap_stub_19(void), trap_stub_256(void);

#define EVENT_VECTOR 256
#define shared ((struct shared_info *)PV_SHARED_INFO_VA)
#define vcpu0 (&shared->vcpu_info[0])

static const uint32_t *p2m;
static const uint32_t *const m2p = (const uint32_t *)MACH2PHYS_VIRT_START;
static uint32_t nr_pfns;
static uint32_t kmap_l1[MAX_PFNS / 512];   /* the direct map's L1 pfns */
static uint32_t cur_l3;
static uint32_t timer_port, console_port;

const char *arch_name(void) { return "pv"; }
const char *arch_cmdline(void) { return start_info_va->cmd_line; }
static int initial_domain(void) { return (start_info_va->flags & SIF_INITDOMAIN) != 0; }

static void check(int32_t rc, const char *what)
{
    if (rc)
        panic("%s: hypercall error %d", what, (int)rc);
}

/* ---- console */

void arch_console_write(const char *s, size_t n)
{
    if (initial_domain()) {
        hv_console_io(CONSOLEIO_write, (uint32_t)n, (char *)(uintptr_t)s);
        return;
    }
    pv86_console_write((struct xencons_interface *)PV_CONSOLE_VA,
                       start_info_va->console.domU.evtchn, s, (uint32_t)n);
}

static void console_poll(void)
{
    if (initial_domain()) {
        char buf[64];
        int32_t n;
        while ((n = hv_console_io(CONSOLEIO_read, sizeof(buf), buf)) > 0)
            for (int32_t i = 0; i < n; i++)
                console_input(buf[i]);
        return;
    }
    char buf[64];
    uint32_t got;
    while ((got = pv86_console_get((struct xencons_interface *)PV_CONSOLE_VA, buf, sizeof(buf))))
        for (uint32_t i = 0; i < got; i++)
            console_input(buf[i]);
}

void arch_poweroff(int ok)
{
    struct sched_shutdown s = { ok ? SHUTDOWN_poweroff : SHUTDOWN_crash };
    hv_sched_op(SCHEDOP_shutdown, &s);
    for (;;)
        ;
}

/* ---- boot */

void pv_failsafe(struct trap_frame *f)
{
    panic("failsafe callback: segments could not be loaded (eip %#x)", (unsigned)f->eip);
}

void arch_early_init(void)
{
    p2m = (const uint32_t *)start_info_va->mfn_list;
    check(hv_update_va_mapping(PV_SHARED_INFO_VA,
                               (uint64_t)start_info_va->shared_info | PTE_P | PTE_RW | PTE_A,
                               UVMF_INVLPG), "mapping shared_info");
    if (!initial_domain())
        check(hv_update_va_mapping(PV_CONSOLE_VA,
                                   ((uint64_t)start_info_va->console.domU.mfn << 12) |
                                   PTE_P | PTE_RW | PTE_A, UVMF_INVLPG), "mapping the console");
    pv_load_user_segments();
    static const struct trap_info traps[] = {
#define T(v) { v, 4, FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_stub_##v }
        T(0), T(1), T(2), T(3), T(4), T(5), T(6), T(7), T(8), T(9), T(10), T(11),
        T(12), T(13), T(14), T(16), T(17), T(18), T(19),
#undef T
        { 0x80, 3, FLAT_RING1_CS, (uint32_t)(uintptr_t)syscall_entry },
        { 0, 0, 0, 0 },
    };
    check(hv_set_trap_table(traps), "set_trap_table");
    check(hv_set_callbacks(FLAT_RING1_CS, (uint32_t)(uintptr_t)trap_stub_256,
                           FLAT_RING1_CS, (uint32_t)(uintptr_t)failsafe_callback),
          "set_callbacks");
    nr_pfns = start_info_va->nr_pages < MAX_PFNS ? start_info_va->nr_pages : MAX_PFNS;
}

uint32_t arch_nr_pfns(void) { return nr_pfns; }

/* The FPU: the hypervisor set CR4.OSFXSR if the CPU has FXSR (as Xen does);
 * CPUID through the forced-emulation prefix says so. */
int arch_fpu_init(void)
{
    uint32_t r[4];
    hv_cpuid(1, 0, r);
    return (r[3] >> 24) & 1;
}

void arch_fpu_ts(int on)
{
    check(hv_fpu_taskswitch(on), "fpu_taskswitch");
}

void arch_fpu_nm_ack(void)
{
    /* Nothing: the hypervisor cleared the virtual TS when it bounced #NM. */
}

/* Free: the pages below the image but the fixed ones, and everything after
 * the boot stack (which follows the bootstrap page tables). */
void arch_mem_ranges(void (*add)(uint32_t first, uint32_t end))
{
    extern char _text_start[];
    uint32_t first = (start_info_va->pt_base >> PAGE_SHIFT) + start_info_va->nr_pt_frames + 1;
    add(PV_FIRST_FREE_PFN, (uint32_t)(uintptr_t)_text_start >> PAGE_SHIFT);
    add(first, nr_pfns);
}

/* ---- page tables */

#define QUEUE_MAX 128
static struct mmu_update queue[QUEUE_MAX];
static unsigned queued;

static void queue_flush(void)
{
    if (queued)
        check(hv_mmu_update(queue, queued, NULL, DOMID_SELF), "mmu_update");
    queued = 0;
}

uint64_t arch_pte(uint32_t pfn, uint64_t flags)
{
    return ((uint64_t)p2m[pfn] << PAGE_SHIFT) | flags;
}

uint32_t arch_pte_pfn(uint64_t pte)
{
    return m2p[(uint32_t)((pte & 0x000FFFFFFFFFF000ull) >> PAGE_SHIFT)];
}

void arch_pt_set(uint64_t *entry, uint64_t value)
{
    uint32_t va = (uint32_t)(uintptr_t)entry;
    if (queued == QUEUE_MAX)
        queue_flush();
    queue[queued].ptr = ((uint64_t)p2m[va >> PAGE_SHIFT] << PAGE_SHIFT) | (va & 0xFFF) |
                        MMU_NORMAL_PT_UPDATE;
    queue[queued].val = value;
    queued++;
}

static uint64_t *kmap_pte(uint32_t pfn)
{
    return (uint64_t *)pfn_va(kmap_l1[pfn / 512]) + pfn % 512;
}

/* Xen allows no writable mapping of a page table: the direct map's entry
 * goes read-only while the page is one. */
void arch_pt_table_new(uint32_t pfn)
{
    arch_pt_set(kmap_pte(pfn), arch_pte(pfn, PTE_P | PTE_A));
}

void arch_pt_table_free(uint32_t pfn)
{
    arch_pt_set(kmap_pte(pfn), arch_pte(pfn, PTE_P | PTE_RW | PTE_A | PTE_D));
}

void arch_pt_commit(uint32_t flush)
{
    if (flush == FLUSH_NONE) {
        queue_flush();
        return;
    }
    struct mmuext_op op = { flush == FLUSH_ALL ? MMUEXT_TLB_FLUSH_LOCAL : MMUEXT_INVLPG_LOCAL,
                            flush == FLUSH_ALL ? 0 : flush, 0 };
    if (!queued) {
        check(hv_mmuext_op(&op, 1, NULL, DOMID_SELF), "mmuext_op flush");
        return;
    }
    struct multicall_entry mc[2] = {
        { __HYPERVISOR_mmu_update, 0,
          { (uint32_t)(uintptr_t)queue, queued, 0, DOMID_SELF, 0, 0 } },
        { __HYPERVISOR_mmuext_op, 0, { (uint32_t)(uintptr_t)&op, 1, 0, DOMID_SELF, 0, 0 } },
    };
    check(hv_multicall(mc, 2), "multicall");
    check((int32_t)mc[0].result, "mmu_update");
    check((int32_t)mc[1].result, "mmuext_op flush");
    queued = 0;
}

void arch_as_create(uint32_t l3_pfn)
{
    struct mmuext_op op = { MMUEXT_PIN_L3_TABLE, p2m[l3_pfn], 0 };
    check(hv_mmuext_op(&op, 1, NULL, DOMID_SELF), "pin L3");
}

void arch_as_destroy(uint32_t l3_pfn)
{
    struct mmuext_op op = { MMUEXT_UNPIN_TABLE, p2m[l3_pfn], 0 };
    check(hv_mmuext_op(&op, 1, NULL, DOMID_SELF), "unpin L3");
}

void arch_switch(uint32_t l3_pfn, uint32_t kstack_top)
{
    if (l3_pfn == cur_l3) {                     /* no multicall for one call */
        check(hv_stack_switch(FLAT_RING1_SS, kstack_top), "stack_switch");
        return;
    }
    struct mmuext_op op = { MMUEXT_NEW_BASEPTR, p2m[l3_pfn], 0 };
    struct multicall_entry mc[2] = {
        { __HYPERVISOR_stack_switch, 0, { FLAT_RING1_SS, kstack_top, 0, 0, 0, 0 } },
        { __HYPERVISOR_mmuext_op, 0, { (uint32_t)(uintptr_t)&op, 1, 0, DOMID_SELF, 0, 0 } },
    };
    check(hv_multicall(mc, 2), "multicall");
    check((int32_t)mc[0].result, "stack_switch");
    check((int32_t)mc[1].result, "new_baseptr");
    cur_l3 = l3_pfn;
}

/* The direct map: the builder's tables map the image and a little more;
 * L1s are added for the rest of the pfns, and pfn 0 is unmapped. */
void arch_vm_init(struct kernel_tables *kt)
{
    const uint64_t *l3 = (const uint64_t *)start_info_va->pt_base;
    kt->l2_pfn = arch_pte_pfn(l3[0]);
    kt->l2h_pfn = arch_pte_pfn(l3[3]);
    cur_l3 = start_info_va->pt_base >> PAGE_SHIFT;
    uint64_t *l2 = pfn_va(kt->l2_pfn);
    for (uint32_t c = 0; c < (nr_pfns + 511) / 512; c++) {
        if (l2[c] & PTE_P) {
            kmap_l1[c] = arch_pte_pfn(l2[c]);
            continue;
        }
        uint32_t l1 = pmm_alloc();
        if (!l1 || !kmap_l1[l1 / 512])
            panic("no page mapped at boot for the direct map's L1s");
        uint64_t *t = pfn_va(l1);
        for (uint32_t i = 0; i < 512 && c * 512 + i < nr_pfns; i++)
            t[i] = arch_pte(c * 512 + i, PTE_P | PTE_RW | PTE_A | PTE_D);
        arch_pt_table_new(l1);
        arch_pt_set(&l2[c], arch_pte(l1, PTE_P | PTE_RW | PTE_A));
        arch_pt_commit(FLUSH_NONE);
        kmap_l1[c] = l1;
    }
    arch_pt_set(kmap_pte(0), 0);
    arch_pt_commit(FLUSH_ALL);
}

/* ---- events: the timer, console input */

static uint32_t bind_virq(uint32_t virq)
{
    struct evtchn_bind_virq b = { virq, 0, 0 };
    check(hv_event_channel_op(EVTCHNOP_bind_virq, &b), "bind_virq");
    return b.port;
}

void arch_start_timer(void)
{
    timer_port = bind_virq(VIRQ_TIMER);
    console_port = initial_domain() ? bind_virq(VIRQ_CONSOLE)
                                    : start_info_va->console.domU.evtchn;
    struct vcpu_set_periodic_timer t = { TICK_MS * 1000000u, 0 };
    check(hv_vcpu_op(VCPUOP_set_periodic_timer, 0, &t), "set_periodic_timer");
}

static void port_event(uint32_t port, void *ctx)
{
    (void)ctx;
    if (port == timer_port)
        kernel_tick();
    else if (port == console_port)
        console_poll();
}

void arch_interrupt(struct trap_frame *f)
{
    if (f->vector == EVENT_VECTOR)
        pv86_evtchn_scan(shared, port_event, NULL);
    else
        panic("unexpected vector %u", (unsigned)f->vector);
}

/* ---- benchmarks' primitives */

void arch_device_read(void)
{
    if (initial_domain()) {
        char c;
        hv_console_io(CONSOLEIO_read, 0, &c);   /* the console device, no bytes */
        return;
    }
    struct xencons_interface *ring = (struct xencons_interface *)PV_CONSOLE_VA;
    (void)__atomic_load_n(&ring->in_prod, __ATOMIC_ACQUIRE);
}

uint32_t arch_irq_save(void)
{
    uint32_t old = vcpu0->evtchn_upcall_mask;
    vcpu0->evtchn_upcall_mask = 1;
    __asm__ __volatile__("" ::: "memory");
    return old;
}

/* Unmasking is a write; only an event already pending needs a hypercall
 * (any one: the hypervisor delivers it on the way out). */
void arch_irq_restore(uint32_t old)
{
    __asm__ __volatile__("" ::: "memory");
    vcpu0->evtchn_upcall_mask = (uint8_t)old;
    __asm__ __volatile__("" ::: "memory");
    if (!old && vcpu0->evtchn_upcall_pending)
        hv_xen_version(XENVER_version, NULL);
}

void arch_irq_enable(void)
{
    arch_irq_restore(0);
}

int arch_hv_counters(struct pv86_counters *out)
{
    return hv_pv86_counters_op(PV86_COUNTERS_READ, out) ? -EFAULT : 0;
}

int arch_hv_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    (void)leaf, (void)subleaf, (void)out;
    return -ENOSYS;                               /* hvcounters says it all */
}

/* Block with events on (SCHEDOP_block unmasks them atomically); what woke
 * us is delivered on the way out; mask them again. Xen stops the periodic
 * timer of a blocked vCPU, so the kernel's next deadline goes into the
 * single-shot timer first, as Linux's PV idle loop does; one already past
 * fires at once and the block returns at once. An earlier single-shot left
 * armed only wakes us for a tick with nothing to do. */
void arch_idle(uint64_t wake_ns)
{
    if (wake_ns)
        hv_hypercall5(__HYPERVISOR_set_timer_op, (uint32_t)wake_ns, (uint32_t)(wake_ns >> 32),
                      0, 0, 0);
    hv_sched_op(SCHEDOP_block, NULL);
    vcpu0->evtchn_upcall_mask = 1;
    __asm__ __volatile__("" ::: "memory");
}

uint32_t arch_fault_addr(void)
{
    return vcpu0->arch.cr2;
}

int arch_census(int probe, struct census_obs *out)
{
    (void)probe, (void)out;
    return -ENOSYS;             /* this kernel has no sensitive instruction */
}

void arch_census_info(struct census_info *out)
{
    out->user_cs = FLAT_RING3_CS;
    out->user_ss = FLAT_RING3_SS;
}

void arch_user_frame(struct trap_frame *f)
{
    f->cs = FLAT_RING3_CS;
    f->user_ss = FLAT_RING3_SS;
    f->eflags = 0x202;                          /* IF: events on in user mode */
}

/* Xen's system time over vcpu_info.time (the one rdtsc of this kernel). */
uint64_t arch_time_ns(void)
{
    return pv86_system_time_ns(&vcpu0->time);
}
