/*
 * priv: what the hw mode's files share (not for core/): the state of an hw
 * domain and the functions between hw.c (the mode table, build, run),
 * exit.c (the #VMEXIT handlers) and nptmin.c (the nested tables).
 */
#ifndef HV_HW_PRIV_H
#define HV_HW_PRIV_H

#include <stdint.h>

#include "arch/x86/svm.h"
#include "core/domain.h"
#include "hw/hw.h"
#include "hw/rules.h"
#include "vdev/vdev.h"
#include "vm/gpmem.h"

struct hw_state {
    struct vplatform plat;
    struct gpmem mem;             /* its guest-physical RAM */
    struct svm_vmcb *vmcb;        /* its VMCB (one vCPU), identity mapped */
    uint32_t vmcb_pa;
    struct svm_gprs gprs;         /* EBX..EBP while the hypervisor runs */
    uint32_t npt_root_mfn;        /* the nested PDPT */
    uint32_t npt_frames;          /* frames the nested tables took */
    int halted;                   /* HLT or MWAIT: wait for an interrupt */
    uint32_t ext_edx;             /* CPUID 0x80000001 EDX: EFER bits it may set */
    uint64_t msr_store[HW_MSR_STORE_SLOTS];
    /* what happened, printed when the domain ends */
    uint32_t exits[HW_EXIT_COUNTERS];
    uint32_t injected, reinjected, windows, mmio;
};

static inline struct hw_state *hw_dom(const struct domain *d) { return d->mode_state; }
static inline struct hw_state *hw_of(struct vcpu *v) { return hw_dom(v->domain); }

/* ---- nptmin.c: the nested tables ---- */
/* Frames hw_npt_build takes for nr_pages of RAM. */
uint32_t hw_npt_frames(uint32_t nr_pages);
/* Nested tables (PAE: PDPT, L2s, L1s) mapping guest-physical [0, RAM) to
 * the domain's frames, nothing else: the root's machine frame. */
uint32_t hw_npt_build(struct domain *d, const struct gpmem *m);

/* ---- exit.c ---- */
/* The guest's registers by x86 number (0 EAX .. 7 EDI): in the VMCB or
 * in gprs. */
uint32_t hw_reg(struct hw_state *h, unsigned n);
void hw_set_reg(struct hw_state *h, unsigned n, uint32_t val);
/* Inject exception vec (with an error code if has_error) at the next run. */
void hw_inject_exception(struct hw_state *h, unsigned vec, int has_error, uint32_t error);

#endif
