/*
 * priv: what the hw mode's files share (not for core/): the state of an hw
 * domain and the functions between hw.c (the mode table, build, run),
 * exit.c (the #VMEXIT handlers) and gmem.c (guest memory as the guest's
 * instructions see it).
 */
#ifndef HV_HW_PRIV_H
#define HV_HW_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86/svm.h"
#include "core/domain.h"
#include "hw/hw.h"
#include "hw/npt.h"
#include "hw/rules.h"
#include "vdev/vdev.h"
#include "vm/gpmem.h"

enum { HW_VIRQ_NONE, HW_VIRQ_PLATFORM, HW_VIRQ_ACKED };

struct hw_state {
    struct vplatform plat;
    struct gpmem mem;             /* its guest-physical RAM */
    struct svm_vmcb *vmcb;        /* its VMCB (one vCPU), identity mapped */
    uint32_t vmcb_pa;
    struct svm_gprs gprs;         /* EBX..EBP while the hypervisor runs */
    struct npt npt;               /* the nested tables (hw/npt.h) */
    uint32_t npt_frames;          /* frames the nested tables took */
    int halted;                   /* HLT or MWAIT: wait for an interrupt */
    int virq;                     /* an interrupt offered through V_IRQ at the entry:
                                   * HW_VIRQ_PLATFORM (acked when the guest takes it)
                                   * or HW_VIRQ_ACKED (an interrupted delivery) */
    int none_pending;             /* the platform found no interrupt and has not
                                   * been touched since: no need to ask again */
    uint32_t ext_edx;             /* CPUID 0x80000001 EDX: EFER bits it may set */
    unsigned maxphy;              /* MAXPHYADDR, for the guest's page walks */
    uint64_t msr_store[HW_MSR_STORE_SLOTS];
    uint32_t dr[4];               /* its DR0-3 (the CPU's while its DR7 arms one) */
    struct hw_host_cpu host;      /* which host MSRs may be read for it */
    /* what happened, printed when the domain ends */
    uint32_t exits[HW_EXIT_COUNTERS];
    uint32_t injected, reinjected, windows, mmio;
};

static inline struct hw_state *hw_dom(const struct domain *d) { return d->mode_state; }
/* Offer vector vec through V_IRQ (kind HW_VIRQ_*); at the next exit,
 * hw_virq_done acks a taken platform interrupt (before anything can change
 * the platform) or withdraws one not taken. */
void hw_virq_offer(struct hw_state *h, unsigned vec, int kind);
void hw_virq_done(struct hw_state *h);
static inline struct hw_state *hw_of(struct vcpu *v) { return hw_dom(v->domain); }

/* ---- gmem.c: guest memory through the guest's own page tables ---- */
/* va for access (GWALK_* bits): 0 and *gpa; 1: the guest's #PF with
 * *error; 2: a table outside its RAM. */
int hw_translate(struct hw_state *h, uint32_t va, unsigned access, uint64_t *gpa,
                 uint32_t *error);
/* Copy len bytes at linear va (GWALK_WRITE in access: to the guest): 0;
 * 1: #PF at *fault_va with *error; 2: not RAM (nothing more copied). */
int hw_copy_linear(struct hw_state *h, uint32_t va, void *buf, uint32_t len, unsigned access,
                   uint32_t *fault_va, uint32_t *error);
/* Up to max bytes of the instruction at CS:EIP: how many could be read. */
size_t hw_fetch_insn(struct hw_state *h, uint8_t *buf, size_t max);

/* ---- exit.c ---- */
/* The guest's registers by x86 number (0 EAX .. 7 EDI): in the VMCB or
 * in gprs. */
uint32_t hw_reg(struct hw_state *h, unsigned n);
void hw_set_reg(struct hw_state *h, unsigned n, uint32_t val);
/* Inject exception vec (with an error code if has_error) at the next run. */
void hw_inject_exception(struct hw_state *h, unsigned vec, int has_error, uint32_t error);

#endif
