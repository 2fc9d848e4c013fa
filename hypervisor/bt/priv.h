/*
 * priv: what the bt runtime's files share (not for core/): the domain's
 * state (te's virtual CPU first, then the cache and the two contexts), the
 * builder (load.c), the contexts and traps (run.c), the callouts te never
 * needed (callout.c), the mode's table and counters (bt.c).
 */
#ifndef HV_BT_PRIV_H
#define HV_BT_PRIV_H

#include <stdint.h>

#include "arch/x86/x86dec.h"
#include "bt/bt.h"
#include "bt/cache.h"
#include "bt/layout.h"
#include "bt/smc_rt.h"
#include "bt/translate.h"
#include "core/domain.h"
#include "mm/mm.h"
#include "te/priv.h"
#include "vm/deliver.h"
#include "vm/emulate.h"
#include "vm/shadow.h"
#include "vm/vcpu.h"
#include "vm/vgdt.h"
#include "vm/vmem.h"
#include "vm/walk.h"

/* Callout kinds counted at the domain's end (beside x86dec's classes). */
enum bt_event {
    BT_EV_CALLOUT = 0,        /* an emulated guest instruction */
    BT_EV_EXIT,               /* an unchained exit: translated, chained */
    BT_EV_MISS,               /* an indirect lookup's miss */
    BT_EV_PEND,               /* the pending-interrupt check faulted */
    BT_EV_NR
};

struct bt_state {
    struct te_state te;       /* first (its vx first): te's functions take
                               * d->mode_state as theirs, vm's d->vcpu.vx */
    struct bt_cache cache;
    struct bt_env env;
    struct vcpu *vcpu;
    uint32_t vpage_mfn, lookup_mfn, tc_mfn, l1_mfn[2];
    /* The guest's CS and GS while the registers are in TC context. */
    uint32_t guest_cs, guest_gs;
    /* Where the next exit resumes translated code, if the guest context
     * is still at hint_eip and nothing was delivered since (hint_injected
     * is te's count then): a retried fault's own TC address, a callout's
     * resume address. */
    int hint;
    uint32_t hint_eip, hint_tc, hint_injected;
    /* A translation's first fetch that faulted (bt_fetch): its #PF. */
    int fetch_faulted;
    uint32_t fetch_fault_va, fetch_fault_error;
    /* counters */
    uint32_t ev[BT_EV_NR];
    uint32_t callout_class[X86C_NR];
    uint32_t traps_tc, exits_chained;
    uint64_t translate_cycles;
    /* self-modifying code and adaptive translation (bt/smc_rt.h) */
    struct bt_smc_rt smc;
};

static inline struct bt_state *bt_dom(const struct domain *d) { return d->mode_state; }
static inline struct bt_state *bt_of(struct vcpu *v) { return bt_dom(v->domain); }
static inline int bt_in_tc(const struct vcpu *v) { return (v->regs.cs & 0xFFFF) == BT_CS_SEL; }
static inline volatile uint32_t *bt_vpage(const struct bt_state *b)
{
    return (volatile uint32_t *)mfn_to_virt(b->vpage_mfn);
}

/* ---- run.c ---- */
/* The translator's environment and the cache on the domain's frames. */
void bt_runtime_init(struct bt_state *b);
void bt_trap(struct vcpu *v, uint32_t cr2);
void bt_before_exit(struct vcpu *v);
/* The vpage's IF and IOPL into te's virtual CPU (translated code keeps
 * them there), masked: the vpage is the guest's to write. */
void bt_sync_in(struct vcpu *v);
/* The translation of guest eip (made if missing): 0 with *tc, or -1 when
 * its first instruction cannot be fetched (b->fetch_fault_*: its #PF). */
int bt_lookup(struct vcpu *v, uint32_t eip, uint32_t *tc);

/* ---- callout.c ---- */
/* The guest instruction at the guest context's EIP (CPL 0), sent out of
 * the translation: emulated on the virtual CPU (te's emulation, and what
 * te never needed because it ran natively). */
void bt_callout(struct vcpu *v);

/* ---- bt.c ---- */
void bt_tick(struct domain *d, uint64_t now);
/* The counters of bt/counters.h as they are now (the kernel's CPUID of
 * the hypervisor range answers them). */
void bt_counters_now(struct vcpu *v, uint32_t *ctr);
void bt_print_stats(struct domain *d);

#endif
