/*
 * pv86 ABI: the saved register state of a vCPU (Xen's cpu_user_regs and
 * vcpu_guest_context for x86_32), as used by vcpu_op(VCPUOP_initialise).
 */
#ifndef PV86_VCPU_H
#define PV86_VCPU_H

#include "abi.h"
#include "xen.h"

struct cpu_user_regs {
    uint32_t ebx;               /*  0 */
    uint32_t ecx;               /*  4 */
    uint32_t edx;               /*  8 */
    uint32_t esi;               /* 12 */
    uint32_t edi;               /* 16 */
    uint32_t ebp;               /* 20 */
    uint32_t eax;               /* 24 */
    uint16_t error_code;        /* 28 */
    uint16_t entry_vector;      /* 30 */
    uint32_t eip;               /* 32 */
    uint16_t cs;                /* 36 */
    uint8_t  saved_upcall_mask; /* 38 */
    uint8_t  _pad0;             /* 39 */
    uint32_t eflags;            /* 40 */
    uint32_t esp;               /* 44 */
    uint16_t ss;                /* 48 */
    uint16_t _pad1;             /* 50 */
    uint16_t es, _pad2;         /* 52 */
    uint16_t ds, _pad3;         /* 56 */
    uint16_t fs, _pad4;         /* 60 */
    uint16_t gs, _pad5;         /* 64 */
};
PV86_STATIC_ASSERT(sizeof(struct cpu_user_regs) == 68, "cpu_user_regs is 68 bytes");

#define VGCF_I387_VALID     (1u << 0)
#define VGCF_IN_KERNEL      (1u << 2)

struct vcpu_guest_context {
    uint8_t  fpu_ctxt[512];             /*    0: FXSAVE image */
    uint32_t flags;                     /*  512: VGCF_* */
    struct cpu_user_regs user_regs;     /*  516 */
    struct trap_info trap_ctxt[256];    /*  584 */
    uint32_t ldt_base, ldt_ents;        /* 2632 */
    uint32_t gdt_frames[16], gdt_ents;  /* 2640 */
    uint32_t kernel_ss, kernel_sp;      /* 2708 */
    uint32_t ctrlreg[8];                /* 2716 */
    uint32_t debugreg[8];               /* 2748 */
    uint32_t event_callback_cs;         /* 2780 */
    uint32_t event_callback_eip;        /* 2784 */
    uint32_t failsafe_callback_cs;      /* 2788 */
    uint32_t failsafe_callback_eip;     /* 2792 */
    uint32_t vm_assist;                 /* 2796 */
};
PV86_STATIC_ASSERT(sizeof(struct vcpu_guest_context) == 2800, "vcpu_guest_context is 2800 bytes");
PV86_CHECK_OFFSET(struct vcpu_guest_context, flags, 512);
PV86_CHECK_OFFSET(struct vcpu_guest_context, user_regs, 516);
PV86_CHECK_OFFSET(struct vcpu_guest_context, trap_ctxt, 584);
PV86_CHECK_OFFSET(struct vcpu_guest_context, kernel_ss, 2708);
PV86_CHECK_OFFSET(struct vcpu_guest_context, ctrlreg, 2716);
PV86_CHECK_OFFSET(struct vcpu_guest_context, event_callback_cs, 2780);

/* vcpu_op(VCPUOP_set_singleshot_timer, vcpu, arg): an absolute deadline in
 * system time (ns). With VCPU_SSHOTTMR_future a past deadline is -ETIME.
 * A past deadline (0 too), or one negative as a signed 64-bit time (bit 63
 * set), fires at once. The same timer as set_timer_op's; it fires whether
 * or not the vCPU runs (it is what wakes a blocked vCPU, as in Xen's PV
 * idle loop), never before its deadline and at most one 1 kHz tick of the
 * hypervisor (999848 ns) after it. stop_singleshot_timer cancels it.
 * 12 bytes on x86_32 (the 64-bit field is 4-byte aligned there): split. */
#define VCPU_SSHOTTMR_future  (1u << 0)
struct vcpu_set_singleshot_timer {
    uint32_t timeout_abs_ns_lo;     /* 0 */
    uint32_t timeout_abs_ns_hi;     /* 4 */
    uint32_t flags;                 /* 8 */
};
PV86_STATIC_ASSERT(sizeof(struct vcpu_set_singleshot_timer) == 12, "singleshot timer is 12 bytes");

/* vcpu_op(VCPUOP_set_periodic_timer, vcpu, arg): VIRQ_TIMER every period_ns
 * (from 1 ms to 2^63-1 ns; outside that -EINVAL), each event a period after
 * the one before it was sent. As in Xen the periodic timer runs only while
 * the vCPU is scheduled: it stops when the vCPU leaves the CPU (blocked,
 * polling, preempted) and restarts when it is back, with one event at once
 * if a period has passed since the last (the missed ones collapse into it);
 * setting it restarts it the same way. A blocked vCPU is woken only by its
 * single-shot timer or another event, never by this one. A new vCPU starts
 * with a period of 10 ms (Xen's default for PV guests); stop_periodic_timer
 * sets none. vcpu other than 0 is -ENOENT for every timer op. */
struct vcpu_set_periodic_timer {
    uint32_t period_ns_lo;          /* 0 */
    uint32_t period_ns_hi;          /* 4 */
};
PV86_STATIC_ASSERT(sizeof(struct vcpu_set_periodic_timer) == 8, "periodic timer is 8 bytes");

#endif /* PV86_VCPU_H */
