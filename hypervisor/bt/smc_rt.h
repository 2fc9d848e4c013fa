/*
 * smc_rt: self-modifying code and adaptive translation (bt/smc.h,
 * bt/adapt.h) wired into the bt runtime. Its hooks, each one line in the
 * runtime's files:
 *
 *   bt_smc_setup        bt_runtime_init: the cache's and the shadow
 *                       layer's callbacks (env.force_callout,
 *                       env.code_frame, vx_cpu.code_write, .hv_write)
 *   bt_smc_callout      callout_site, a CALLOUT: a site retranslated as a
 *                       callout emulates its store here (1: done, or the
 *                       guest's #PF given; 0: not such a site)
 *   bt_smc_tc_live      tc_fault, before retrying the same TC address: 0
 *                       if its block was invalidated meanwhile (the write
 *                       fault of a store into its own frame): the guest
 *                       instruction is then retranslated (before_exit)
 *   bt_smc_step_trap    the start of bt_trap, and
 *   bt_smc_step_exit    the start of bt_before_exit: the store that
 *                       trapped runs once natively in guest context,
 *                       single-stepped (EFLAGS.TF), its frame unprotected;
 *                       its translation comes after it (below)
 *   bt_smc_exit         the end of bt_before_exit: the measured costs
 *   bt_smc_print        bt_print_stats: the report lines
 *
 * Why the step: the guest instruction restarts after its write trap, but
 * translating it again would protect its frame again before it ran when
 * the block is made from the frame it writes (a store into its own page:
 * the trap would repeat for ever), and would translate the instructions
 * after it from bytes it is about to change (a store just ahead of EIP).
 * So it runs once as te runs kernel code (ring 1, its own address, the
 * frame writable), with the single-step trap after it; then the next
 * instruction is translated from the bytes as they are. A rep string
 * instruction is stepped through every iteration. Interrupts wait for the
 * step's end. Only instructions that do the same natively in ring 1 are
 * stepped (x86dec's PLAIN, call rel, call r/m); another class (pushf,
 * int n: inline or callouts) restarts translated.
 */
#ifndef HV_BT_SMC_RT_H
#define HV_BT_SMC_RT_H

#include <stdint.h>

#include "bt/smc.h"

struct bt_state;
struct domain;
struct vcpu;

struct bt_smc_rt {
    struct bt_smc s;
    uint32_t flushes_seen;        /* the cache's whole flushes smc was told of */
    int timing;                   /* 0, or what is measured until bt_smc_exit */
    uint64_t t0;
    int stepping;                 /* the store at step_eip runs single-stepped */
    uint32_t step_eip;
    uint32_t steps;               /* single steps taken (for the report) */
    int mmio;                     /* the callout's store reached a device: */
    uint32_t mmio_va;             /*   its linear and guest-physical address */
    uint64_t mmio_gpa;
};

void bt_smc_setup(struct bt_state *b);
int bt_smc_callout(struct vcpu *v, uint32_t eip);
int bt_smc_tc_live(struct bt_state *b, uint32_t tc);
int bt_smc_step_trap(struct vcpu *v, uint32_t cr2);
int bt_smc_step_exit(struct vcpu *v);
void bt_smc_exit(struct vcpu *v);
void bt_smc_print(const struct domain *d);

#endif
