/*
 * pv86 ABI: hypercall wrappers for 32-bit PV guests, hv_<hypercall>().
 * Each calls its slot of the hypercall page, which the guest provides as the
 * symbol `hypercall_page` (page aligned, named by its HYPERCALL_PAGE note)
 * and the hypervisor fills at domain build time.
 * The iret hypercall is not a function: a guest jumps to
 * PV86_HYPERCALL_IRET_ADDR with the iret frame on its stack (see xen.h).
 */
#ifndef PV86_HYPERCALL_H
#define PV86_HYPERCALL_H

#include "abi.h"
#include "xen.h"
#include "shared.h"
#include "version.h"
#include "event_channel.h"
#include "memory.h"
#include "vcpu.h"
#include "counters.h"
#include "physdev.h"
#include "grant_table.h"

#if defined(__i386__) && defined(__GNUC__)

#ifdef __cplusplus
extern "C" {
#endif
extern char hypercall_page[4096];
#ifdef __cplusplus
}
#endif

#define PV86_STR_(x) #x
#define PV86_STR(x) PV86_STR_(x)
#define PV86_HYPERCALL_INSN(nr) "call hypercall_page + (" PV86_STR(nr) " * 32)"
#define PV86_HYPERCALL_IRET_ADDR (hypercall_page + __HYPERVISOR_iret * 32)

#define PV86_HC1(nr, a1) do {                                                  \
    uint32_t b_ = (uint32_t)(a1);                                             \
    __asm__ __volatile__(PV86_HYPERCALL_INSN(nr)                              \
        : "=a"(ret_), "+b"(b_) : : "memory");                                 \
} while (0)
#define PV86_HC2(nr, a1, a2) do {                                              \
    uint32_t b_ = (uint32_t)(a1), c_ = (uint32_t)(a2);                        \
    __asm__ __volatile__(PV86_HYPERCALL_INSN(nr)                              \
        : "=a"(ret_), "+b"(b_), "+c"(c_) : : "memory");                       \
} while (0)
#define PV86_HC3(nr, a1, a2, a3) do {                                          \
    uint32_t b_ = (uint32_t)(a1), c_ = (uint32_t)(a2), d_ = (uint32_t)(a3);   \
    __asm__ __volatile__(PV86_HYPERCALL_INSN(nr)                              \
        : "=a"(ret_), "+b"(b_), "+c"(c_), "+d"(d_) : : "memory");             \
} while (0)
#define PV86_HC4(nr, a1, a2, a3, a4) do {                                      \
    uint32_t b_ = (uint32_t)(a1), c_ = (uint32_t)(a2), d_ = (uint32_t)(a3);   \
    uint32_t s_ = (uint32_t)(a4);                                             \
    __asm__ __volatile__(PV86_HYPERCALL_INSN(nr)                              \
        : "=a"(ret_), "+b"(b_), "+c"(c_), "+d"(d_), "+S"(s_) : : "memory");   \
} while (0)

static inline int32_t hv_set_trap_table(const struct trap_info *table)
{ int32_t ret_; PV86_HC1(__HYPERVISOR_set_trap_table, (uintptr_t)table); return ret_; }

static inline int32_t hv_mmu_update(const struct mmu_update *req, uint32_t count,
                                    uint32_t *done, domid_t domid)
{ int32_t ret_; PV86_HC4(__HYPERVISOR_mmu_update, (uintptr_t)req, count, (uintptr_t)done, domid); return ret_; }

static inline int32_t hv_set_gdt(const uint32_t *frames, uint32_t entries)
{ int32_t ret_; PV86_HC2(__HYPERVISOR_set_gdt, (uintptr_t)frames, entries); return ret_; }

static inline int32_t hv_stack_switch(uint32_t ss, uint32_t esp)
{ int32_t ret_; PV86_HC2(__HYPERVISOR_stack_switch, ss, esp); return ret_; }

static inline int32_t hv_set_callbacks(uint32_t event_cs, uint32_t event_eip,
                                       uint32_t failsafe_cs, uint32_t failsafe_eip)
{ int32_t ret_; PV86_HC4(__HYPERVISOR_set_callbacks, event_cs, event_eip, failsafe_cs, failsafe_eip); return ret_; }

static inline int32_t hv_fpu_taskswitch(int set)
{ int32_t ret_; PV86_HC1(__HYPERVISOR_fpu_taskswitch, (uint32_t)set); return ret_; }

/* ---- set_debugreg(reg, value), get_debugreg(reg) ----
 * The vCPU's DR0-DR7 as Xen keeps them for a 32-bit PV guest (the same
 * registers a mov to or from %drN in ring 1 reaches; ring 3 gets #GP). The
 * values are in the CPU only while the guest runs; a breakpoint raises #DB
 * through the trap table, and get_debugreg(6) then says why (B0-B3 replaced
 * at each #DB, BS, BD and BT kept until the guest writes DR6).
 *   DR0-3: a linear address whose 4 bytes end at or below
 *          HYPERVISOR_VIRT_START, else -XEN_EPERM.
 *   DR4/5: DR6/DR7 while the guest's CR4.DE is clear, else -XEN_ENODEV.
 *   DR6:   bits 4-11 and 16-31 read as 1, bit 12 as 0.
 *   DR7:   bit 10 reads as 1, bits 11, 12, 14 and 15 as 0; GD (bit 13)
 *          -XEN_EPERM; an enabled I/O breakpoint (R/W 10b) -XEN_EPERM
 *          without CR4.DE.
 *   Any other register: -XEN_ENODEV.
 * get_debugreg returns the value itself, all 32 bits of it (a DR6 of
 * 0xffff0ff0 is not an error code), or -XEN_ENODEV (0xffffffed). */
static inline int32_t hv_set_debugreg(uint32_t reg, uint32_t value)
{ int32_t ret_; PV86_HC2(__HYPERVISOR_set_debugreg, reg, value); return ret_; }

static inline uint32_t hv_get_debugreg(uint32_t reg)
{ int32_t ret_; PV86_HC1(__HYPERVISOR_get_debugreg, reg); return (uint32_t)ret_; }

static inline int32_t hv_update_descriptor(uint64_t ma, uint64_t desc)
{ int32_t ret_; PV86_HC4(__HYPERVISOR_update_descriptor, (uint32_t)ma, (uint32_t)(ma >> 32),
                        (uint32_t)desc, (uint32_t)(desc >> 32)); return ret_; }

static inline int32_t hv_memory_op(uint32_t cmd, void *arg)
{ int32_t ret_; PV86_HC2(__HYPERVISOR_memory_op, cmd, (uintptr_t)arg); return ret_; }

static inline int32_t hv_multicall(struct multicall_entry *calls, uint32_t nr)
{ int32_t ret_; PV86_HC2(__HYPERVISOR_multicall, (uintptr_t)calls, nr); return ret_; }

static inline int32_t hv_update_va_mapping(uint32_t va, uint64_t pte, uint32_t flags)
{ int32_t ret_; PV86_HC4(__HYPERVISOR_update_va_mapping, va, (uint32_t)pte, (uint32_t)(pte >> 32), flags); return ret_; }

static inline int32_t hv_xen_version(uint32_t cmd, void *arg)
{ int32_t ret_; PV86_HC2(__HYPERVISOR_xen_version, cmd, (uintptr_t)arg); return ret_; }

static inline int32_t hv_console_io(uint32_t cmd, uint32_t count, char *buf)
{ int32_t ret_; PV86_HC3(__HYPERVISOR_console_io, cmd, count, (uintptr_t)buf); return ret_; }

static inline int32_t hv_vm_assist(uint32_t cmd, uint32_t type)
{ int32_t ret_; PV86_HC2(__HYPERVISOR_vm_assist, cmd, type); return ret_; }

static inline int32_t hv_mmuext_op(const struct mmuext_op *op, uint32_t count,
                                   uint32_t *done, domid_t domid)
{ int32_t ret_; PV86_HC4(__HYPERVISOR_mmuext_op, (uintptr_t)op, count, (uintptr_t)done, domid); return ret_; }

static inline int32_t hv_sched_op(uint32_t cmd, void *arg)
{ int32_t ret_; PV86_HC2(__HYPERVISOR_sched_op, cmd, (uintptr_t)arg); return ret_; }

static inline int32_t hv_callback_op(uint32_t cmd, const void *arg)
{ int32_t ret_; PV86_HC2(__HYPERVISOR_callback_op, cmd, (uintptr_t)arg); return ret_; }

static inline int32_t hv_event_channel_op(uint32_t cmd, void *arg)
{ int32_t ret_; PV86_HC2(__HYPERVISOR_event_channel_op, cmd, (uintptr_t)arg); return ret_; }

static inline int32_t hv_grant_table_op(uint32_t cmd, void *uop, uint32_t count)
{ int32_t ret_; PV86_HC3(__HYPERVISOR_grant_table_op, cmd, (uintptr_t)uop, count); return ret_; }

static inline int32_t hv_physdev_op(uint32_t cmd, void *arg)
{ int32_t ret_; PV86_HC2(__HYPERVISOR_physdev_op, cmd, (uintptr_t)arg); return ret_; }

static inline int32_t hv_vcpu_op(uint32_t cmd, uint32_t vcpu, void *arg)
{ int32_t ret_; PV86_HC3(__HYPERVISOR_vcpu_op, cmd, vcpu, (uintptr_t)arg); return ret_; }

static inline int32_t hv_pv86_counters_op(uint32_t cmd, struct pv86_counters *out)
{ int32_t ret_; PV86_HC2(__HYPERVISOR_pv86_counters_op, cmd, (uintptr_t)out); return ret_; }

/* Any hypercall by number, for probes and fuzzers. */
static inline int32_t hv_hypercall5(uint32_t nr, uint32_t a1, uint32_t a2,
                                    uint32_t a3, uint32_t a4, uint32_t a5)
{
    int32_t ret_;
    uint32_t b_ = a1, c_ = a2, d_ = a3, s_ = a4, D_ = a5;
    uint32_t entry = (uint32_t)(uintptr_t)hypercall_page + (nr & 127) * 32;
    __asm__ __volatile__("call *%[entry]"
        : "=a"(ret_), "+b"(b_), "+c"(c_), "+d"(d_), "+S"(s_), "+D"(D_)
        : [entry] "m"(entry) : "memory");
    return ret_;
}

/* CPUID through the forced-emulation prefix: the hypervisor's filtered view. */
static inline void hv_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
    __asm__ __volatile__("ud2a; .ascii \"xen\"; cpuid"
        : "=a"(regs[0]), "=b"(regs[1]), "=c"(regs[2]), "=d"(regs[3])
        : "a"(leaf), "c"(subleaf));
}

#endif /* __i386__ && __GNUC__ */

#endif /* PV86_HYPERCALL_H */
