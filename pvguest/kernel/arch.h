/*
 * arch: what each flavour of pvguest provides to the portable kernel (the
 * pv_ops idea of Linux, chosen at build time). arch/pv implements it with
 * pv86 hypercalls and never executes a sensitive instruction; arch/native
 * with the real instructions on bare (virtual) hardware.
 *
 * The kernel runs with interrupts (pv: events) off. They are on only in
 * user mode and in arch_idle(), so an interrupt handler sees the kernel's
 * data in a consistent state. Page tables are PAE in both flavours; kernel
 * code reads them through the direct map and changes them only with
 * arch_pt_set(), whose writes take effect at the next arch_pt_commit().
 */
#ifndef PVGUEST_ARCH_H
#define PVGUEST_ARCH_H

#include <stddef.h>
#include <stdint.h>

struct trap_frame;
struct pv86_counters;

const char *arch_name(void);
const char *arch_cmdline(void);
void arch_console_write(const char *s, size_t n);
__attribute__((noreturn)) void arch_poweroff(int ok);

/* Boot: arch_early_init() before anything prints; arch_mem_ranges() gives
 * the free pfn ranges below nr_pfns to the frame allocator; arch_vm_init()
 * maps every pfn in the kernel's direct map (VA = pfn << 12; pfn 0 stays
 * unmapped) and returns what a process L3 shares with the kernel. */
void arch_early_init(void);
uint32_t arch_nr_pfns(void);
void arch_mem_ranges(void (*add)(uint32_t first, uint32_t end));
struct kernel_tables {
    uint32_t l2_pfn;        /* L3 slot 0: the direct map */
    uint32_t l2h_pfn;       /* L3 slot 3 (pv: the hypervisor's L2), 0 if none */
};
void arch_vm_init(struct kernel_tables *kt);
void arch_start_timer(void);            /* kernel_tick() every TICK_MS */

/* Page-table entries: a pfn and flags in the form the MMU sees (pv: the
 * machine frame), and back. */
uint64_t arch_pte(uint32_t pfn, uint64_t flags);
uint32_t arch_pte_pfn(uint64_t pte);
void arch_pt_set(uint64_t *entry, uint64_t value);
/* A page becomes a page table (pv: its direct mapping goes read-only), or
 * stops being one; both queued like arch_pt_set. */
void arch_pt_table_new(uint32_t pfn);
void arch_pt_table_free(uint32_t pfn);
/* Apply the queued writes, then flush: 0 nothing, FLUSH_ALL the TLB, or one
 * page's VA. */
#define FLUSH_NONE 0u
#define FLUSH_ALL  1u
void arch_pt_commit(uint32_t flush);
/* An L3 filled while still a plain page becomes an address space (pv: pin,
 * which validates the tree), and stops being one. */
void arch_as_create(uint32_t l3_pfn);
void arch_as_destroy(uint32_t l3_pfn);
/* Switch to a process: its address space and its kernel stack top. */
void arch_switch(uint32_t l3_pfn, uint32_t kstack_top);

/* The FPU (kernel/fpu.c): arch_fpu_init() prepares it (native: CR0.MP/NE,
 * CR4.OSFXSR when the CPU has FXSR) and says whether fxsave is usable;
 * arch_fpu_ts() sets or clears CR0.TS (pv: fpu_taskswitch); at #NM,
 * arch_fpu_nm_ack() clears it (native: clts; pv: the hypervisor already
 * cleared the virtual TS when it bounced the #NM). */
int arch_fpu_init(void);
void arch_fpu_ts(int on);
void arch_fpu_nm_ack(void);

/* The faulting address of the page fault being handled. */
uint32_t arch_fault_addr(void);
/* Wait for an interrupt with interrupts on; return with them off.
 * wake_ns (arch_time_ns's clock; 0: none) is the kernel's next timer
 * deadline: an arch whose tick stops while it idles (pv: Xen stops a
 * blocked vCPU's periodic timer) arranges to be woken then. */
void arch_idle(uint64_t wake_ns);
/* Called by the trap code for arch vectors (interrupts, event upcalls). */
void arch_interrupt(struct trap_frame *f);
/* Fill the selectors and flags of a fresh ring-3 frame (eip, esp set). */
void arch_user_frame(struct trap_frame *f);
/* Enter ring 3 with the frame (never returns; head.S). */
__attribute__((noreturn)) void trap_return_to(struct trap_frame *f);
uint64_t arch_time_ns(void);

/* For the benchmarks (SYS_bench, SYS_hvcounters): one device-register
 * read; the interrupt flag saved-and-cleared, restored, enabled; the
 * hypervisor's counters (-ENOSYS without a hypervisor). */
void arch_device_read(void);
uint32_t arch_irq_save(void);
void arch_irq_restore(uint32_t state);
void arch_irq_enable(void);
int arch_hv_counters(struct pv86_counters *out);
/* CPUID (leaf, subleaf) run by the kernel into out[4]: 0, or -ENOSYS (pv). */
int arch_hv_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);

/* The sensitive-instruction census (<pvguest/census.h>): run one probe in
 * kernel context (-ENOSYS in the pv flavour, which has none of them), and
 * what the kernel set up itself. */
struct census_obs;
struct census_info;
int arch_census(int probe, struct census_obs *out);
void arch_census_info(struct census_info *out);

#endif
