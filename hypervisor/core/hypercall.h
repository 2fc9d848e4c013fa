/*
 * hypercall: the table and the dispatcher. A guest's EAX picks the handler,
 * EBX, ECX, EDX, ESI, EDI are its arguments, and its result goes back in EAX.
 * Numbers without a handler answer -ENOSYS.
 */
#ifndef HV_CORE_HYPERCALL_H
#define HV_CORE_HYPERCALL_H

#include <stdint.h>

struct vcpu;

typedef int32_t (*hypercall_fn)(struct vcpu *v, uint32_t a1, uint32_t a2,
                                uint32_t a3, uint32_t a4, uint32_t a5);

void hypercall_dispatch(struct vcpu *v);
const char *hypercall_name(unsigned nr);

/*
 * Continuations, as Xen's (docs/continuations.md). A long hypercall checks
 * hypercall_preempt_check() between bounded pieces of work; when it says
 * so, the hypercall saves its progress in its own arguments and calls
 * hypercall_create_continuation: the guest's EAX gets the hypercall number
 * back, its argument registers the new arguments, and its EIP goes back
 * over the `int $0x82`, so the guest makes the same hypercall again, from
 * where it stopped, when it next runs. Inside a multicall the arguments go
 * into the multicall entry instead, and the multicall itself is continued.
 */
enum { MC_YIELD = 1, MC_BLOCK = 2 };

struct hcall_cont {
    uint64_t old_table;     /* (an mfn_t) a page table left partial whose release this vCPU
                             * still owes (Xen's old_guest_table); 0: none */
    uint8_t preempted;      /* the running hypercall made a continuation */
    uint8_t in_multicall;   /* a multicall is running one of its entries */
    uint32_t *mc_args;      /* there: the entry's arguments, rewritten by a
                             * continuation */
    uint8_t mc_defer;       /* a sched_op entry yields or blocks once its
                             * multicall has stopped after it (MC_YIELD, MC_BLOCK) */
    /* A dying domain's release of its memory, done in pieces too
     * (domain_release_memory): how far it got. */
    uint8_t release_started;
    uint32_t release_next, release_partial;
};

/* Is it time to stop? A timer tick waits (the hypervisor runs with
 * interrupts off: on the way out the tick is taken, time and the scheduler
 * run), or the vCPU has an event to deliver (Xen's local_events_need_delivery). */
int hypercall_preempt_check(void);
/* Make the continuation; returns what the hypercall should return (op). */
int32_t hypercall_create_continuation(struct vcpu *v, uint32_t op, unsigned nargs,
                                      const uint32_t *args);

/* What xen_version(XENVER_version) answers: major << 16 | minor. */
uint32_t hypervisor_version(void);
/* XENFEAT_* bits of submap 0 this hypervisor offers. */
#define HV_FEATURES  ((1u << 4 /* XENFEAT_pae_pgdir_above_4gb */) | \
                      (1u << 5 /* XENFEAT_mmu_pt_update_preserve_ad */))
/* (What xen_version(get_features) reports: core/features.h.) */

/* Handlers, one per hypercall, in the file of their subsystem. */
int32_t do_set_trap_table(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_set_gdt(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_stack_switch(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_set_callbacks(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_update_va_mapping(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_xen_version(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_console_io(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_vm_assist(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_iret(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_physdev_op(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_physdev_op_compat(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_sched_op(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_pv86_counters_op(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_callback_op(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_mmu_update(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_mmuext_op(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_update_descriptor(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_memory_op(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_multicall(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_event_channel_op(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_set_timer_op(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_fpu_taskswitch(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_vcpu_op(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_set_debugreg(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);
int32_t do_get_debugreg(struct vcpu *v, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t);

#endif
