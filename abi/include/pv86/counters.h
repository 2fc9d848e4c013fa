/*
 * pv86 ABI: the hypervisor's per-domain event counters, read through
 * pv86's own hypercall in the architecture-specific range (not part of
 * Xen's interface; a Xen guest never makes it).
 *
 * ---- pv86_counters_op(cmd, struct pv86_counters *out) ----
 * PV86_COUNTERS_READ: copy the calling domain's counters into *out.
 *   Returns 0, -EFAULT (out not writable), -EINVAL (other cmd).
 * Readings are never counted (not in hypercalls_total, not by number), so
 * the difference of two readings is exactly what happened between them;
 * for the same reason the call is refused inside a multicall.
 * The counters only grow (32 bits, wrapping); a reader takes differences.
 * System calls through the direct trap gate are not counted: they never
 * enter the hypervisor, which is the point of the gate.
 */
#ifndef PV86_COUNTERS_H
#define PV86_COUNTERS_H

#include "abi.h"
#include "xen.h"

#define __HYPERVISOR_pv86_counters_op  __HYPERVISOR_arch_0    /* 48 */
#define PV86_COUNTERS_READ    0
#define PV86_COUNTERS_VERSION 1

struct pv86_counters {
    uint32_t version;                        /*    0: PV86_COUNTERS_VERSION */
    uint32_t size;                           /*    4: sizeof(struct pv86_counters) */
    uint32_t hypercalls_total;               /*    8: entries by int $0x82 */
    uint32_t hypercalls[PV86_NR_HYPERCALLS]; /*   12: by hypercall number */
    uint32_t batched[PV86_NR_HYPERCALLS];    /*  268: calls carried by multicall */
    uint32_t traps;                          /*  524: entries by exception or int n */
    uint32_t bounced;                        /*  528: exceptions and int n delivered
                                              *        to the guest's handlers */
    uint32_t interrupts;                     /*  532: device interrupts taken while
                                              *        the domain ran */
    uint32_t pt_updates;                     /*  536: mmu_update entries done */
    uint32_t pt_validated;                   /*  540: page-table entries checked, by
                                              *        updates and tables coming into use */
    uint32_t mmuext_ops;                     /*  544: mmuext_op entries done */
    uint32_t tlb_flushes;                    /*  548: flushes and invlpgs asked for */
    uint32_t upcalls;                        /*  552: event upcalls delivered */
    uint32_t timer_events;                   /*  556: VIRQ_TIMER raised */
    uint32_t domain_switches;                /*  560: times the scheduler switched to it */
    uint32_t _pad0;                          /*  564 */
};
PV86_STATIC_ASSERT(sizeof(struct pv86_counters) == 568, "pv86_counters is 568 bytes");
PV86_CHECK_OFFSET(struct pv86_counters, traps, 524);
PV86_CHECK_OFFSET(struct pv86_counters, domain_switches, 560);

#endif /* PV86_COUNTERS_H */
