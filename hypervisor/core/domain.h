/*
 * domain: PV domains and their (single) vCPU, the domain builder, and the
 * lifecycle: run, shut down, crash.
 */
#ifndef HV_CORE_DOMAIN_H
#define HV_CORE_DOMAIN_H

#include <stddef.h>
#include <stdint.h>
#include <pv86/counters.h>
#include <pv86/shared.h>
#include <pv86/xen.h>

#include "arch/x86/debugreg.h"
#include "arch/x86/fpu.h"
#include "arch/x86/priv_op.h"
#include "arch/x86/traps.h"
#include "core/evtchn.h"
#include "core/guest_ptr.h"
#include "core/hypercall.h"
#include "core/timer.h"
#include "core/mode.h"
#include "mm/pte.h"

#define MAX_DOMAINS        8
#define DEFAULT_GUEST_MB   16
#define MIN_GUEST_MB       4
#define MAX_GUEST_MB       64
#define VM_DEFAULT_GUEST_MB 128    /* an unmodified kernel's (te, hw): images end past 16 MiB */
#define VM_MAX_GUEST_MB    4095    /* below 4 GiB; in practice what the machine has free */
#define POLL_MAX_PORTS     128     /* Xen's do_poll: more is -EINVAL */

struct domain;

struct vcpu {
    struct domain *domain;
    struct cpu_frame regs;              /* guest registers while we run */
    struct trap_info traps[256];        /* the virtual trap table */
    uint32_t kernel_ss, kernel_sp;      /* stack_switch */
    uint64_t int80_gate;                /* direct trap gate for int $0x80, or 0 */
    struct xen_callback event_cb, failsafe_cb, nmi_cb;
    uint16_t event_flags, failsafe_flags;
    struct xen_callback sysenter_cb, syscall32_cb;  /* callback_op (arch/x86/sysenter.c) */
    uint16_t sysenter_flags, syscall32_flags;
    uint32_t l3_mfn;                    /* the guest's current L3 */
    struct guest_wcache stack_wc;       /* the bounce frame's page (traps.c) */
    uint64_t pdpt[4] __attribute__((aligned(32)));  /* filtered copy for CR3 */
    uint32_t gdt_frames[FIRST_RESERVED_GDT_PAGE];
    uint32_t gdt_nframes, gdt_ents;
    uint32_t ldt_frames[16];            /* SET_LDT: frames, resolved at the call */
    uint32_t ldt_nframes, ldt_ents, ldt_va;
    struct vcpu_info *vcpu_info;        /* in shared_info, via the direct map */
    uint64_t timer_deadline;            /* single-shot VIRQ_TIMER, 0 = none */
    struct timer_periodic periodic;     /* periodic VIRQ_TIMER, runs while scheduled */
    int polling;                        /* blocked in SCHEDOP_poll */
    uint32_t poll_ports[POLL_MAX_PORTS], poll_nr;
    uint64_t poll_timeout;              /* 0 = none */
    struct fpu_vcpu fpu;                /* x87/MMX/SSE registers (arch/x86/fpu.c) */
    struct debugreg_vcpu dbg;           /* DR0-7 (arch/x86/debugreg.h) */
    struct hcall_cont cont;             /* continuations (core/hypercall.h) */
    struct priv_vcpu priv;              /* virtual IOPL, CR4, MSRs (arch/x86/priv_op.h) */
    /* An unmodified kernel run in ring 1 (te, bt): its virtual CPU, the
     * state the shared layer hypervisor/vm owns (struct vx_cpu,
     * vm/vcpu.h), set by vx_build; NULL otherwise (PV, hw). Opaque here:
     * core/ includes no vm/ header. */
    void *vx;
};

/* RUNNABLE: running or in the run queue; BLOCKED: waiting for an event
 * (sched_op block/poll); DYING: stopped, its memory released in pieces when
 * the scheduler picks it (docs/continuations.md), then DEAD. */
enum domain_state { DOM_FREE = 0, DOM_RUNNABLE, DOM_BLOCKED, DOM_DEAD, DOM_DYING };

struct domain {
    uint16_t id;
    char name[16];                      /* name= on its command line */
    enum domain_state state;
    uint32_t shutdown_reason;           /* SHUTDOWN_* once DEAD */
    int shutdown_code;                  /* SCHEDOP_shutdown_code's, -1: none */
    uint8_t destroyed;                  /* stopped by the toolstack (core/toolstack.c) */
    uint32_t flags;                     /* SIF_* given in start_info */
    uint32_t nr_pages;
    uint32_t virt_base;
    uint32_t shared_info_mfn;
    struct shared_info *shared_info;
    uint32_t switcher_l1_mfn;
    uint32_t vm_assist;                 /* bit per VMASST_TYPE_* */
    struct pv86_counters stats;                /* pv86_counters_op reads them */
    uint32_t console_port;                     /* domU: the ring's event channel */
    struct xencons_interface *console;         /* domU: the ring, direct map */
    int console_bad_said;                      /* out-of-range indices reported */
    struct guest_ptrs guest_ptrs;              /* references behind pointers into
                                                * guest frames (core/guest_ptr.h) */
    uint32_t si_mfn, store_mfn;                /* start_info's and the store page's frames */
    uint8_t xs_client;                         /* connected to the xenstore domain (core/xsdom.h) */
    uint32_t xs_wait;                          /* teardown steps waited for it */
    struct vcpu vcpu;
    struct evtchn_domain evtchn;
    struct priv_domain priv;                   /* pirqs, port latches (arch/x86/priv_op.h) */
    /* An unmodified multiboot kernel: the mode that runs it (te, hw) and
     * that mode's state of it; NULL for a PV domain (core/mode.h). */
    const struct mode_ops *mode;
    void *mode_state;
};

extern struct domain *current_domain;
/* The domain with this id, or NULL. */
struct domain *domain_by_id(uint16_t id);
static inline struct vcpu *current_vcpu(void) { return &current_domain->vcpu; }

/* Build a domain from a guest image; 0 or -errno (a line says why). */
int domain_build(const void *image, size_t size, const char *cmdline);
/* The id the last successful domain_build gave. */
extern uint16_t domain_built_id;
/* The hypervisor stops d (the xenstore domain when it is alone): "shutdown (poweroff)". */
void domain_stop_poweroff(struct domain *d);

/* Leave the hypervisor for the current vCPU (never returns). */
__attribute__((noreturn)) void return_to_guest(struct vcpu *v);

/* ---- scheduling (core/sched.c): round-robin, a fixed time slice ---- */
#define SCHED_SLICE_TICKS 10            /* 10 ms */
/* Run the next runnable domain (the current one goes to the back of the
 * queue if it can still run); idle with the CPU halted while none can; end
 * the machine when none is left. */
__attribute__((noreturn)) void schedule(void);
/* The current vCPU's turn, after a trap: preempt it when its slice is over. */
__attribute__((noreturn)) void resume_guest(void);
void sched_add(struct domain *d);
void sched_add_dying(struct domain *d);      /* its teardown runs in pieces */
void sched_wake(struct domain *d);
/* The current domain sleeps until sched_wake; result goes in its EAX. */
__attribute__((noreturn)) void sched_block_current(uint32_t result);
void sched_tick(void);
/* The domain on the CPU now, or NULL while the CPU idles. */
struct domain *sched_running(void);
/* The toolstack's view (core/toolstack.c): ns d has run, the queued ids
 * (up to max, from the head), and a schedule() soon (at the next exit to a
 * guest, or at once when idle), where toolstack_safe_point runs. */
uint64_t sched_cpu_time(const struct domain *d);
unsigned sched_runq_ids(uint16_t *ids, unsigned max);
void sched_request(void);

/* No domain is left: check the switcher, then power off (all powered off)
 * or exit with the status that says why not. */
__attribute__((noreturn)) void machine_end(void);

/* The domain stops with reason (SHUTDOWN_*, or any code 0-255, as Xen's
 * domain_shutdown): "(pv86) dN: shutdown (<name>)" or "(code N)". */
__attribute__((noreturn)) void domain_shutdown(struct domain *d, uint32_t reason);
/* xl destroy: d stops at once, with no shutdown of its own: "(pv86) dN:
 * destroyed by the toolstack", then the teardown of any stopped domain. A
 * destroyed domain does not keep the run from ending with status 0.
 * Never for the current domain inside a hypercall: the toolstack calls it
 * from schedule() (toolstack_safe_point). */
void domain_destroy(struct domain *d);
/* SCHEDOP_remote_shutdown from `by` (privileged): d stops with code; when d
 * is `by` it never returns, else `by` runs on. */
void domain_shutdown_remote(struct domain *d, uint8_t code, struct domain *by);
/* Guest images domain_build refused (main.c counts them): the run cannot
 * end with status 0 (machine_end). */
extern unsigned images_refused;
/* "(dN) crashed: <why>", then it stops. Never for the hypervisor's bugs. */
__attribute__((noreturn, format(printf, 2, 3)))
void domain_crash(struct domain *d, const char *fmt, ...);

/* Guest memory of the current address space of v. 0 or -XEN_EFAULT.
 * PV domains only: a te or hw domain never makes hypercalls or takes a
 * bounce (hv_trap_entry sends all its traps to its mode), and its mode
 * reaches its memory itself. */
int copy_from_guest(struct vcpu *v, void *dst, uint32_t va, uint32_t len);
int copy_to_guest(struct vcpu *v, uint32_t va, const void *src, uint32_t len);

/* ---- time (core/time.c) ---- */
void time_init(void);
uint64_t time_now(void);                /* system time, ns since boot */
/* Copy the current time stamp into v's vcpu_info.time (if changed). */
void time_update_vcpu(struct vcpu *v);
void time_fill_wallclock(struct shared_info *s);
void time_tick(void);                   /* the 1 kHz PIT interrupt */
#define TICK_NS 999848u                 /* 1193 PIT cycles at 1193182 Hz */

/* ---- events (core/event.c) ---- */
extern const struct evtchn_ops hv_evtchn_ops;
void event_send_virq(struct domain *d, uint32_t virq);
/* Copy a domU's console ring to the serial line; frees space for it. */
void console_ring_drain(struct domain *d);

/* Recompute the PDPT copy CR3 points at from the guest's L3. */
void vcpu_update_pdpt(struct vcpu *v);

/* Descriptor pages (GDT/LDT frames): take one for domain d (owned, not
 * writable anywhere, every descriptor checked on first use), or drop it. */
int seg_desc_get(struct domain *d, uint32_t mfn);
void seg_desc_put(uint32_t mfn);
/* Drop every page-table, descriptor and base reference of the domain and
 * check that no reference to its frames is left. Preemptible: 0 when done,
 * nonzero when stopped for a timer tick (call again; progress is kept). */
int domain_release_memory(struct domain *d);
/* One piece of a DYING domain's teardown; at the end its frames are freed
 * and it is DEAD. 0 when finished. */
int domain_teardown_step(struct domain *d);

#endif
