/*
 * domain: PV domains and their (single) vCPU, the domain builder, and the
 * lifecycle: run, shut down, crash.
 */
#ifndef HV_CORE_DOMAIN_H
#define HV_CORE_DOMAIN_H

#include <stddef.h>
#include <stdint.h>
#include <pv86/shared.h>
#include <pv86/xen.h>

#include "arch/x86/traps.h"

#define MAX_DOMAINS        8
#define DEFAULT_GUEST_MB   16

struct domain;

struct vcpu {
    struct domain *domain;
    struct cpu_frame regs;              /* guest registers while we run */
    struct trap_info traps[256];        /* the virtual trap table */
    uint32_t kernel_ss, kernel_sp;      /* stack_switch */
    struct xen_callback event_cb, failsafe_cb, nmi_cb;
    uint16_t event_flags, failsafe_flags;
    uint32_t l3_mfn;                    /* the guest's current L3 */
    uint64_t pdpt[4] __attribute__((aligned(32)));  /* filtered copy for CR3 */
    uint32_t gdt_frames[FIRST_RESERVED_GDT_PAGE];
    uint32_t gdt_nframes, gdt_ents;
    struct vcpu_info *vcpu_info;        /* in shared_info, via the direct map */
};

enum domain_state { DOM_FREE = 0, DOM_RUNNING, DOM_DEAD };

struct domain {
    uint16_t id;
    enum domain_state state;
    uint32_t shutdown_reason;           /* SHUTDOWN_* once DEAD */
    uint32_t flags;                     /* SIF_* given in start_info */
    uint32_t nr_pages;
    uint32_t virt_base;
    uint32_t shared_info_mfn;
    struct shared_info *shared_info;
    uint32_t switcher_l1_mfn;
    uint32_t vm_assist;                 /* bit per VMASST_TYPE_* */
    uint32_t hypercalls[PV86_NR_HYPERCALLS];
    uint32_t hypercalls_total;
    struct vcpu vcpu;
};

extern struct domain *current_domain;
static inline struct vcpu *current_vcpu(void) { return &current_domain->vcpu; }

/* Build a domain from a guest image; 0 or -errno (a line says why). */
int domain_build(const void *image, size_t size, const char *cmdline);

/* Leave the hypervisor for the current vCPU (never returns). */
__attribute__((noreturn)) void return_to_guest(struct vcpu *v);
/* Run the next live domain, or end the machine when none is left. */
__attribute__((noreturn)) void schedule(void);

/* The domain stops with reason (SHUTDOWN_*). */
__attribute__((noreturn)) void domain_shutdown(struct domain *d, uint32_t reason);
/* "(dN) crashed: <why>", then it stops. Never for the hypervisor's bugs. */
__attribute__((noreturn, format(printf, 2, 3)))
void domain_crash(struct domain *d, const char *fmt, ...);

/* Guest memory of the current address space of v. 0 or -XEN_EFAULT. */
int copy_from_guest(struct vcpu *v, void *dst, uint32_t va, uint32_t len);
int copy_to_guest(struct vcpu *v, uint32_t va, const void *src, uint32_t len);

/* Recompute the PDPT copy CR3 points at from the guest's L3. */
void vcpu_update_pdpt(struct vcpu *v);

#endif
