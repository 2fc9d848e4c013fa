/*
 * priv: what the te mode's files share among themselves (not for core/):
 * te's state of a domain (the shared virtual CPU, hypervisor/vm, and te's
 * own watchdog and counters), its trap dispatch (trap.c), the loader
 * (load.c) and the running domain (te.c).
 */
#ifndef HV_TE_PRIV_H
#define HV_TE_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "core/domain.h"
#include "te/decode.h"
#include "te/te.h"
#include "vm/vcpu.h"

#define TE_WATCHDOG_MS  2000      /* IRQ pending with IF clear this long: stop */

/* A te domain: the virtual CPU and what te adds to it. */
struct te_state {
    struct vx_cpu vx;             /* first: d->vcpu.vx points here */
    /* watchdog: IRQ pending with the virtual IF clear */
    uint32_t wd_ms;
    int watchdog_fired;
    /* what happened, printed when the domain ends (with vx's counters) */
    uint32_t emulated[TE_NR_OPS][3];  /* [op][0: the kernel (ring 1), 1: ring 3, 2: ring 2] */
};

extern int te_umip_available;          /* the CPU has CR4.UMIP (load.c asks) */

static inline struct te_state *te_dom(const struct domain *d) { return d->mode_state; }
static inline struct te_state *te_of(struct vcpu *v) { return te_dom(v->domain); }
/* The te_state.emulated column of the guest's ring. */
static inline unsigned stats_ring(const struct vcpu *v)
{
    unsigned rpl = v->regs.cs & 3;
    return rpl == 3 ? 1 : rpl == 2 ? 2 : 0;
}

/* ---- trap.c ---- */
void te_general_protection(struct vcpu *v);
/* The same for the instruction at the guest's EIP already fetched and
 * decoded (decoded: te_decode's answer, *in its result). */
struct te_insn;
void te_gp_decoded(struct vcpu *v, int decoded, const struct te_insn *in);

#endif
