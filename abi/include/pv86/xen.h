/*
 * pv86 ABI: the core of the Xen x86_32 PAE paravirtual interface that pv86
 * implements. Numbers, selectors, the memory map and the argument structures
 * of the hypercalls. Binary compatible with Xen: same numbers, same layouts.
 *
 * Register convention (int $0x82, normally through the hypercall page):
 *   EAX = hypercall number; arguments in EBX, ECX, EDX, ESI, EDI;
 *   result in EAX: 0 (or a count) on success, -XEN_Exxx on failure.
 *   64-bit arguments take two registers, low half first.
 *   The argument registers are undefined after the call.
 * Guest pointers and unsigned longs are 32 bits wide (uint32_t here), so these
 * layouts are the same whether a header user is compiled -m32 or -m64.
 */
#ifndef PV86_XEN_H
#define PV86_XEN_H

#include "abi.h"
#include "errno.h"

/* ---- Hypercall numbers (append-only, Xen's numbering) ---- */
#define __HYPERVISOR_set_trap_table                  0
#define __HYPERVISOR_mmu_update                      1
#define __HYPERVISOR_set_gdt                         2
#define __HYPERVISOR_stack_switch                    3
#define __HYPERVISOR_set_callbacks                   4
#define __HYPERVISOR_fpu_taskswitch                  5
#define __HYPERVISOR_platform_op                     7
#define __HYPERVISOR_set_debugreg                    8
#define __HYPERVISOR_get_debugreg                    9
#define __HYPERVISOR_update_descriptor              10
#define __HYPERVISOR_memory_op                      12
#define __HYPERVISOR_multicall                      13
#define __HYPERVISOR_update_va_mapping              14
#define __HYPERVISOR_set_timer_op                   15
#define __HYPERVISOR_xen_version                    17
#define __HYPERVISOR_console_io                     18
#define __HYPERVISOR_grant_table_op                 20
#define __HYPERVISOR_vm_assist                      21
#define __HYPERVISOR_update_va_mapping_otherdomain  22
#define __HYPERVISOR_iret                           23
#define __HYPERVISOR_vcpu_op                        24
#define __HYPERVISOR_mmuext_op                      26
#define __HYPERVISOR_nmi_op                         28
#define __HYPERVISOR_sched_op                       29
#define __HYPERVISOR_callback_op                    30
#define __HYPERVISOR_event_channel_op               32
#define __HYPERVISOR_physdev_op                     33
#define __HYPERVISOR_sysctl                         35
#define __HYPERVISOR_domctl                         36
#define __HYPERVISOR_argo_op                        39
/* 48-55: architecture-specific slots, free for pv86's own extensions. */
#define __HYPERVISOR_arch_0                         48
#define PV86_NR_HYPERCALLS                          64

/* The hypercall trap vector. Its IDT gate has DPL 1: ring 3 gets #GP. */
#define PV86_HYPERCALL_VECTOR                     0x82

/* ---- Hypercall page ----
 * 128 slots of 32 bytes, filled by the hypervisor at the VA named by the
 * guest's XEN_ELFNOTE_HYPERCALL_PAGE note:
 *   slot i:  B8 <i, 4 bytes LE> CD 82 C3     mov $i,%eax; int $0x82; ret
 *   slot 23: 50 B8 17 00 00 00 CD 82         push %eax; mov $23,%eax; int $0x82
 * (iret is entered with jmp, never call). Unused bytes are 0xCC (int3). */
#define PV86_HYPERCALL_SLOT_SIZE                    32
#define PV86_HYPERCALL_SLOTS                       128

/* ---- Selectors (GDT entries 7171-7174, in the hypervisor's GDT page) ---- */
#define FLAT_RING1_CS   0xe019
#define FLAT_RING1_DS   0xe021
#define FLAT_RING1_SS   0xe021
#define FLAT_RING3_CS   0xe02b
#define FLAT_RING3_DS   0xe033
#define FLAT_RING3_SS   0xe033
#define FLAT_KERNEL_CS  FLAT_RING1_CS
#define FLAT_KERNEL_DS  FLAT_RING1_DS
#define FLAT_KERNEL_SS  FLAT_RING1_SS
#define FLAT_USER_CS    FLAT_RING3_CS
#define FLAT_USER_DS    FLAT_RING3_DS
#define FLAT_USER_SS    FLAT_RING3_SS
/* Guests own GDT entries 0..7167: 14 frames at most. */
#define FIRST_RESERVED_GDT_PAGE   14
#define FIRST_RESERVED_GDT_BYTE   (FIRST_RESERVED_GDT_PAGE * 4096)
#define FIRST_RESERVED_GDT_ENTRY  (FIRST_RESERVED_GDT_BYTE / 8)

/* ---- Memory map (PAE) ---- */
#define HYPERVISOR_VIRT_START     0xF5800000u
#define MACH2PHYS_VIRT_START      0xF5800000u   /* read-only M2P table */
#define MACH2PHYS_VIRT_END        0xF6800000u
#define MACH2PHYS_ENTRY_SIZE      4
#define INVALID_M2P_ENTRY         0xFFFFFFFFu

/* ---- Domain ids ---- */
#ifndef __ASSEMBLER__
typedef uint16_t domid_t;
#endif
#define DOMID_SELF  0x7FF0
#define DOMID_IO    0x7FF1
#define DOMID_XEN   0x7FF2

/* ---- set_trap_table(struct trap_info *table) ----
 * IN: an array ending with an entry whose address is 0; a NULL table
 * clears every entry. Only the listed vectors change.
 * cs with RPL 0 is taken as RPL 1 and is not checked otherwise, as Xen's
 * compat set_trap_table: a selector the CPU cannot load fails when the trap
 * is delivered (the failsafe callback, else the domain crashes). Returns 0,
 * -EFAULT, -E2BIG (no terminator within 1024 entries; the entries before it
 * were applied). */
#ifndef __ASSEMBLER__
struct trap_info {
    uint8_t  vector;    /* 0: exception or `int n` vector */
    uint8_t  flags;     /* 1: bits 0-1 DPL for `int n`; bit 2 mask events */
    uint16_t cs;        /* 2: code selector of the handler */
    uint32_t address;   /* 4: handler EIP; 0 ends the list */
};
PV86_STATIC_ASSERT(sizeof(struct trap_info) == 8, "trap_info is 8 bytes");
#endif
#define TI_GET_DPL(ti)      ((ti)->flags & 3)
#define TI_GET_IF(ti)       ((ti)->flags & 4)

/* ---- Page-table hypercalls: common errors (Xen's) ----
 * -EINVAL  a malformed request or entry (reserved bits, a 2 MiB page, an L3
 *          slot past 3, L3 slot 3 absent or changed in an L3 in use, a
 *          misaligned address); an L3 whose slot-3 L2 another L3 uses (see
 *          PIN_L3_TABLE); a frame in use as another type asked for as a
 *          table or descriptor page (Xen's "Bad type": a writable-mapped
 *          frame, a table of another level, an L2 naming an L2 or itself,
 *          which Xen would take as a linear page table and pv86 does not
 *          implement, an L2 behind some L3's slot 3 as an ordinary L2 or the
 *          reverse); a frame that is not the caller's RAM (past the last
 *          frame, an address bit at or above the CPU's MAXPHYADDR: every bit
 *          of a frame field or machine address counts; another domain's,
 *          the hypervisor's, shared_info as a table) named by an L2 or L3
 *          entry, a table address, MACHPHYS_UPDATE, update_descriptor,
 *          set_gdt, SET_LDT or an mmuext_op frame; an mmu_update into a
 *          descriptor page
 * -EPERM   a hypervisor slot, another domain; an L1 entry naming a frame
 *          that is no RAM or lies below 1 MiB and is not the caller's
 *          (Xen: MMIO the domain may not map; all 40 frame bits set: -EINVAL)
 * -EBUSY   an L1 entry Xen cannot pin (get_page_from_l1e): writable on a
 *          page table or descriptor page, or naming RAM at or above 1 MiB
 *          that is not the caller's (another domain's, the hypervisor's)
 * -EFAULT  an argument the hypervisor cannot read or write
 * Batches (mmu_update, mmuext_op) stop at the first failing entry; *done
 * (when done is not NULL) says how many entries took effect. An array that
 * does not lie below HYPERVISOR_VIRT_START is -EFAULT before anything runs.
 * Entries are read 16 at a time: when one of a group cannot be read, none of
 * that group runs (-EFAULT).
 * Long calls are preempted and continued as in Xen (docs/continuations.md):
 * the hypervisor rewrites the argument registers (count becomes
 * remaining | MMU_UPDATE_PREEMPTED, the array pointer moves on, *done holds
 * the entries done so far) and makes the guest execute the same `int $0x82`
 * again; a guest sees only that its argument registers changed. Counts are
 * not capped (Xen caps none), nor is a console_io write. */
#define MMU_UPDATE_PREEMPTED  0x80000000u

/* ---- mmu_update(struct mmu_update *req, count, uint32_t *done, domid) ----
 * ptr & 3 is the command. NORMAL_PT_UPDATE and PT_UPDATE_PRESERVE_AD: ptr is
 * the machine address of an 8-byte entry; in a page table in use it is
 * validated (PRESERVE_AD keeps the old accessed/dirty bits), in any other
 * frame of the caller that could be mapped writable (shared_info too) it is
 * a plain write; a descriptor page: -EINVAL. MACHPHYS_UPDATE: ptr >> 12 is a
 * frame of the caller, val its pfn in the M2P. domid: DOMID_SELF. */
#define MMU_NORMAL_PT_UPDATE       0
#define MMU_MACHPHYS_UPDATE        1
#define MMU_PT_UPDATE_PRESERVE_AD  2
#define MMU_PT_UPDATE_NO_TRANSLATE 3   /* as NORMAL_PT_UPDATE: ptr and val are
                                        * machine addresses for a PV guest */
#ifndef __ASSEMBLER__
struct mmu_update {
    uint64_t ptr;       /* 0: machine address of the PTE | command */
    uint64_t val;       /* 8: new value */
};
PV86_STATIC_ASSERT(sizeof(struct mmu_update) == 16, "mmu_update is 16 bytes");
#endif

/* ---- mmuext_op(struct mmuext_op *op, count, uint32_t *done, domid) ----
 * PIN_Lx_TABLE arg1=mfn: validate and pin (-EINVAL if pinned already).
 * UNPIN_TABLE arg1=mfn. NEW_BASEPTR arg1=mfn of an L3: switch to it.
 * PAE rule of Xen's (pae_xen_mappings_check) for PIN_L3_TABLE, NEW_BASEPTR
 *   and every L3 validated: slot 3 must be present and its L2 is used by
 *   this L3 alone; the hypervisor writes its own entries into slots 428-511
 *   of that L2 when the L3 is validated (the guest's values there are
 *   ignored) and leaves them in the page when the L2's last user goes. An
 *   L3 whose slot-3 L2 another L3 already uses is refused with -EINVAL and
 *   the hypervisor prints "dN: PAE L3 3rd slot is shared" (the first 16
 *   times). Entries 4-511 of an L3 are cleared when it is validated, as Xen
 *   clears them. An L3 in use never changes its slot 3 (mmu_update:
 *   -EINVAL); slots 428-511 of its L2 are the hypervisor's (-EPERM).
 * TLB_FLUSH_*, INVLPG_* (arg1=va): accepted (every exit reloads CR3; pv86
 *   maps nothing global). *_MULTI: arg2 points at a vCPU bitmap.
 * SET_LDT arg1=page-aligned va, arg2=entries (<= 8192); 0 entries: none.
 *   The pages are resolved and validated when the call is made (Xen: at
 *   first use; docs/xen-deviations.md); a page refused is -EINVAL. */
#define MMUEXT_PIN_L1_TABLE      0
#define MMUEXT_PIN_L2_TABLE      1
#define MMUEXT_PIN_L3_TABLE      2
#define MMUEXT_UNPIN_TABLE       4
#define MMUEXT_NEW_BASEPTR       5
#define MMUEXT_TLB_FLUSH_LOCAL   6
#define MMUEXT_INVLPG_LOCAL      7
#define MMUEXT_TLB_FLUSH_MULTI   8
#define MMUEXT_INVLPG_MULTI      9
#define MMUEXT_TLB_FLUSH_ALL    10
#define MMUEXT_INVLPG_ALL       11
#define MMUEXT_SET_LDT          13
#ifndef __ASSEMBLER__
struct mmuext_op {
    uint32_t cmd;       /* 0 */
    uint32_t arg1;      /* 4: mfn or linear_addr */
    uint32_t arg2;      /* 8: nr_ents, vcpumask pointer or src_mfn */
};
PV86_STATIC_ASSERT(sizeof(struct mmuext_op) == 12, "mmuext_op is 12 bytes");
#endif

/* ---- update_descriptor(ma_lo, ma_hi, desc_lo, desc_hi) ----
 * Writes one checked descriptor (see set_gdt) at machine address ma, which
 * must be 8-byte aligned in a frame of the caller: a descriptor page in use,
 * or any frame that could be mapped writable (not a page table), as Xen.
 * Every refusal is -EINVAL.
 *
 * ---- set_gdt(uint32_t *frames, entries) ----
 * entries <= 7168; frames: the caller's, not mapped writable; every
 * descriptor in them is checked (DPL 0 becomes 1, limits cut below the
 * M2P end, only code/data and call gates into guest code). Every refusal
 * of a frame is -EINVAL, as Xen's. */

/* ---- update_va_mapping(va, pte_lo, pte_hi, flags) ----
 * Rewrites the L1 entry that maps va in the current address space.
 * flags: a flush type in bits 0-1, UVMF_ALL in bit 2; without UVMF_ALL, the
 * bits above 2 may hold a pointer to a vCPU bitmap (uint32_t) to flush on.
 * The entry is written first, then the flush: only types 1 (TLB_FLUSH) and
 * 2 (INVLPG) flush, 0 and 3 do nothing; for a flush the bits above the type
 * are UVMF_LOCAL, UVMF_ALL or the bitmap's address, read then (as Xen).
 * Returns 0, -EINVAL (va in the hypervisor area, reserved bits, no L1 table
 * maps va), the L1-entry errors above (-EPERM MMIO, -EBUSY a frame Xen
 * cannot pin), -EFAULT (an unreadable vCPU bitmap: the entry is written). */
#define UVMF_NONE            0
#define UVMF_TLB_FLUSH       1
#define UVMF_INVLPG          2
#define UVMF_FLUSHTYPE_MASK  3
#define UVMF_MULTI           0
#define UVMF_LOCAL           0
#define UVMF_ALL             4

/* ---- multicall(struct multicall_entry *calls, nr) ----
 * Runs each entry's hypercall (args[0..4]) and writes its result into the
 * entry. Entries are read up to 8 at a time before those run (an entry that
 * rewrites a later one of its group is not seen). Returns 0, or -EFAULT if
 * the array does not lie below HYPERVISOR_VIRT_START or an entry cannot be
 * read or written back. A multicall entry inside a multicall gets -EINVAL
 * (no nesting, Xen's answer), as does pv86_counters_op; an unimplemented
 * hypercall -ENOSYS. An iret entry ends the batch (the rest is not run) and
 * the multicall returns what the iret returned. A sched_op entry that
 * yields or blocks returns 0, and the batch stops after it and is continued
 * when the vCPU runs again (as Xen). A long multicall is continued
 * as in Xen: from the first entry not finished; an entry preempted itself
 * has its args rewritten in place and its result holds its hypercall number
 * until it finishes (docs/continuations.md). */
#ifndef __ASSEMBLER__
struct multicall_entry {
    uint32_t op;        /* 0 */
    uint32_t result;    /* 4: written by the hypervisor */
    uint32_t args[6];   /* 8 */
};
PV86_STATIC_ASSERT(sizeof(struct multicall_entry) == 32, "multicall_entry is 32 bytes");
#endif

/* ---- fpu_taskswitch(int set) ----
 * Sets (set != 0) or clears the vCPU's virtual CR0.TS, Xen's lazy FPU
 * interface. While it is set, the guest's next FPU, MMX or SSE instruction
 * raises #NM, which is bounced to its trap table's vector 7 handler with
 * the virtual TS cleared on the way (the handler need not call
 * fpu_taskswitch(0)). The FPU registers themselves are always the vCPU's
 * own: the hypervisor switches them between vCPUs lazily, whatever the
 * virtual TS says. clts and mov to %cr0 that changes only TS are emulated as
 * this call; mov from %cr0 shows the virtual TS. Returns 0. */

/* ---- console_io(cmd, count, char *buf) ----
 * The initial domain's only, as Xen's (XSM dummy policy): any other domain
 * gets -EPERM for every command (it has its console ring).
 * WRITE: prints count bytes (any count), 127 at a time; returns 0 (also for
 *   count 0, whatever buf), or -EFAULT at the first piece that cannot be
 *   read (the pieces before it are printed). A long write is preempted and
 *   continued (count and buf advanced).
 * READ: copies up to count pending input bytes; returns how many (0: none
 *   waiting); -E2BIG when count is above 2^31-1; -EFAULT when buf cannot
 *   take them, and then the input stays for the next read.
 * TOOLSTACK (pv86's own, not Xen's; docs/toolstack.md): buf holds one
 *   toolstack command line of count bytes (1-64, printable ASCII), e.g.
 *   "list" or "destroy 2"; its output goes to the serial console. Returns
 *   0 when carried out or started, -EINVAL (bad line or command), -ESRCH
 *   (no such domain), -EPERM (destroy of the privileged domain), -EBUSY
 *   (a command is still printing), -EFAULT.
 * Other commands: -ENOSYS. */
#define CONSOLEIO_write   0
#define CONSOLEIO_read    1
#define PV86_CONSOLEIO_toolstack 0x7086

/* ---- set_timer_op(deadline_lo, deadline_hi) ----
 * A single-shot VIRQ_TIMER at an absolute system time (ns); 0 cancels.
 * A deadline already past fires at once. As in Xen, a deadline that is
 * negative as a signed 64-bit time, or 2^50 ns (about 13 days) or more
 * ahead, fires 100 ms from now instead. Returns 0. The timer is the
 * vCPU's single-shot one (VCPUOP_set_singleshot_timer's): it fires while
 * the vCPU is blocked, unlike the periodic timer, so a guest arms it for
 * its next deadline before it blocks (as Linux's PV idle loop does). */

/* ---- sched_op(cmd, void *arg) ----
 * yield: let another domain run. block: unmask events (upcall_mask = 0) and
 * sleep until one is pending (returns at once if one is). poll: sleep until
 * one of the listed ports is pending or the timeout (absolute system time,
 * 0 = none; negative as a signed 64-bit time counts as past) passes; events
 * stay masked. shutdown: the domain stops with code (uint8_t)reason, any
 * value, as Xen's domain_shutdown (crash prints "(dN) crashed: ..."; no
 * toolstack resumes a suspend). shutdown_code: the code a later shutdown
 * reports (the first one set stays), returns 0. remote_shutdown: only the
 * privileged domain (d1) may, on any domain (-ESRCH: no such domain;
 * -EPERM: the caller is not d1; 0: done, or it had stopped already). */
#define SCHEDOP_yield            0
#define SCHEDOP_block            1
#define SCHEDOP_shutdown         2
#define SCHEDOP_poll             3
#define SCHEDOP_remote_shutdown  4
#define SCHEDOP_shutdown_code    5
#define SHUTDOWN_poweroff  0
#define SHUTDOWN_reboot    1
#define SHUTDOWN_suspend   2
#define SHUTDOWN_crash     3
#define SHUTDOWN_watchdog  4
#define SHUTDOWN_soft_reset 5
#ifndef __ASSEMBLER__
struct sched_shutdown {
    uint32_t reason;    /* 0: SHUTDOWN_* */
};
PV86_STATIC_ASSERT(sizeof(struct sched_shutdown) == 4, "sched_shutdown is 4 bytes");
#endif
#ifndef __ASSEMBLER__
struct sched_poll {
    uint32_t ports;     /* 0: pointer to uint32_t ports[] */
    uint32_t nr_ports;  /* 4 */
    uint64_t timeout;   /* 8: absolute system time (ns), 0 = none */
};
PV86_STATIC_ASSERT(sizeof(struct sched_poll) == 16, "sched_poll is 16 bytes");
#endif
#ifndef __ASSEMBLER__
struct sched_remote_shutdown {
    domid_t  domain_id; /* 0 */
    uint16_t _pad0;     /* 2 */
    uint32_t reason;    /* 4 */
};
PV86_STATIC_ASSERT(sizeof(struct sched_remote_shutdown) == 8, "sched_remote_shutdown is 8 bytes");
#endif

/* ---- vm_assist(cmd, type) ----
 * Types 0-5 (those Xen offers a 32-bit PV guest): 0, with the bit set or
 * cleared in the domain; any other type -EINVAL; then a command other than
 * enable/disable -ENOSYS. pae_extended_cr3 starts set when the PAE_MODE
 * note is "yes" (and for a domU also "bimodal"), as Xen's builders set it.
 * What each bit changes: pae_extended_cr3 adds XENFEAT_pae_pgdir_above_4gb
 * to get_features; architectural_iopl and writable_pagetables as their
 * subsystems say; 4gb_segments, 4gb_segments_notify and
 * runstate_update_flag change nothing (no segment wrap emulation, no
 * runstate area). */
#define VMASST_CMD_enable                0
#define VMASST_CMD_disable               1
#define VMASST_TYPE_4gb_segments         0
#define VMASST_TYPE_4gb_segments_notify  1
#define VMASST_TYPE_writable_pagetables  2
#define VMASST_TYPE_pae_extended_cr3     3
#define VMASST_TYPE_architectural_iopl   4
#define VMASST_TYPE_runstate_update_flag 5

/* ---- writable page tables: vm_assist(enable, writable_pagetables) ----
 * Off until the guest enables it (as in Xen; Linux does at setup). Then a
 * write by the guest kernel (ring 1) that faults on a read-only mapping of
 * one of its own L1 tables in use is emulated as Xen emulates it ("ptwr"):
 * the new entry is checked exactly as an mmu_update MMU_NORMAL_PT_UPDATE of
 * that entry checks it, written, and the guest goes on after the
 * instruction; the TLB is as after that mmu_update. A write narrower than
 * the 8-byte entry keeps the rest of it; a plain 4-byte write of an upper
 * half that would make a present entry the check refuses is written with
 * _PAGE_PRESENT cleared (the low half is expected next). Every other write,
 * and every entry the check refuses, is the #PF the CPU raised (error code
 * 3, CR2 its address). Emulated, with a memory operand: mov, xchg, cmpxchg,
 * cmpxchg8b, xadd, add/or/adc/sbb/and/sub/xor, inc/dec/not/neg,
 * bts/btr/btc. XENVER_get_features never reports
 * XENFEAT_writable_page_tables to a PV guest (Xen reports it to translated
 * guests only): the assist is how a PV guest asks for this. */

/* ---- set_callbacks(event_cs, event_eip, failsafe_cs, failsafe_eip) and
 * callback_op(cmd, void *arg) ----
 * callback_op REGISTER (struct callback_register): types event, failsafe,
 * nmi, sysenter, syscall32 (others -ENOSYS); cs with RPL 0 is taken as
 * RPL 1, nothing else checked (as set_callbacks: Xen's
 * fixup_guest_code_selector); flags other than
 * CALLBACKF_mask_events are ignored. UNREGISTER (struct
 * callback_unregister): nmi only; the other known types -EINVAL, unknown
 * ones -ENOSYS. Any other cmd -EINVAL. -EFAULT for an unreadable arg.
 * sysenter: SYSENTER, from any ring, enters it on the kernel stack
 * (stack_switch) with the frame EIP 0, CS 3 | saved mask << 16, EFLAGS (the
 * caller's, IF = !mask, TF and NT kept), ESP 0, SS FLAT_RING3_SS, every
 * general and data segment register as the caller left it; events masked
 * with CALLBACKF_mask_events. With none registered (EIP 0) the #GP handler
 * gets that frame with error code 0. syscall32 is recorded only: SYSCALL
 * is #UD on pv86 (never enabled), as on Xen on an Intel CPU. */
#define CALLBACKOP_register     0
#define CALLBACKOP_unregister   1
#define CALLBACKTYPE_event      0
#define CALLBACKTYPE_failsafe   1
#define CALLBACKTYPE_nmi        4
#define CALLBACKTYPE_sysenter   5
#define CALLBACKTYPE_syscall32  7
#define CALLBACKF_mask_events   1
#ifndef __ASSEMBLER__
struct xen_callback {
    uint32_t cs;        /* 0 */
    uint32_t eip;       /* 4 */
};
PV86_STATIC_ASSERT(sizeof(struct xen_callback) == 8, "xen_callback is 8 bytes");
#endif
#ifndef __ASSEMBLER__
struct callback_register {
    uint16_t type;      /* 0: CALLBACKTYPE_* */
    uint16_t flags;     /* 2: CALLBACKF_* */
    struct xen_callback address; /* 4 */
};
PV86_STATIC_ASSERT(sizeof(struct callback_register) == 12, "callback_register is 12 bytes");
#endif
#ifndef __ASSEMBLER__
struct callback_unregister {
    uint16_t type;      /* 0 */
    uint16_t _pad0;     /* 2 */
};
PV86_STATIC_ASSERT(sizeof(struct callback_unregister) == 4, "callback_unregister is 4 bytes");
#endif

/* ---- vcpu_op(cmd, vcpu, void *arg) ---- */
#define VCPUOP_initialise             0
#define VCPUOP_up                     1
#define VCPUOP_down                   2
#define VCPUOP_is_up                  3
#define VCPUOP_set_periodic_timer     6
#define VCPUOP_stop_periodic_timer    7
#define VCPUOP_set_singleshot_timer   8
#define VCPUOP_stop_singleshot_timer  9

/* ---- event_channel_op(cmd, void *arg) ---- */
#define EVTCHNOP_bind_interdomain  0
#define EVTCHNOP_bind_virq         1
#define EVTCHNOP_close             3
#define EVTCHNOP_send              4
#define EVTCHNOP_status            5
#define EVTCHNOP_alloc_unbound     6
#define EVTCHNOP_bind_ipi          7
#define EVTCHNOP_bind_vcpu         8
#define EVTCHNOP_unmask            9
#define EVTCHNOP_reset            10
#define EVTCHNOP_init_control     11
#define EVTCHNOP_expand_array     12
#define EVTCHNOP_set_priority     13
#define VIRQ_TIMER    0
#define VIRQ_DEBUG    1
#define VIRQ_CONSOLE  2
#define VIRQ_XENOPROF 7     /* per-vCPU, as TIMER and DEBUG (never raised here) */
#define VIRQ_XENPMU   13    /* per-vCPU (never raised here) */
#define VIRQ_ARCH_0   16    /* 16-23: the architecture's, global on x86 */

/* ---- Forced emulation prefix: ud2; .ascii "xen" (then cpuid) ---- */
#define XEN_EMULATE_PREFIX_BYTES  { 0x0F, 0x0B, 0x78, 0x65, 0x6E }
#define XEN_CPUID_LEAF_BASE       0x40000000u

/* CR3 values seen by a PAE guest (pae_extended_cr3): pfn<<12 | pfn>>20. */
#define xen_pfn_to_cr3(pfn)  (((uint32_t)(pfn) << 12) | ((uint32_t)(pfn) >> 20))
#define xen_cr3_to_pfn(cr3)  (((uint32_t)(cr3) >> 12) | ((uint32_t)(cr3) << 20))

#endif /* PV86_XEN_H */
