/*
 * run: a bt vCPU's two contexts (bt.h), and every entry into the
 * hypervisor from translated code. One function per event, for the
 * helpers that hook them (self-modifying code, adaptive translation):
 *
 *   callout_site   int3 of a callout, an unchained exit or a lookup miss
 *   pend_site      the #PF at BT_GUARD_VA of a pending-interrupt check
 *   tc_fault       any other exception from translated code
 *   bt_before_exit an interrupt taken in translated code (it never comes
 *                  to bt_trap), and the map back into TC context
 *
 * Everything the guest controls is untrusted here: its code bytes and
 * tables (through te's walks), the vpage (only IF and IOPL are read from
 * vflags, and the miss target, a guest address like any other), its
 * registers. A state the runtime cannot map crashes the domain alone with
 * one line.
 */
#include <pv86/xen.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/descriptor.h"
#include "arch/x86/traps.h"
#include "bt/priv.h"
#include "mm/mm.h"

/* Attempts at mapping a CPL-0 guest context to translated code whose
 * fetch faults (the #PF given, then its handler's code): past them the
 * guest's own fault handlers cannot be fetched either. */
#define TO_TC_TRIES  4

/* ---- the translator's view of the guest ---- */

/* Guest code as its kernel fetches it: a supervisor read through its
 * tables (te's walk, which sets their accessed bits as the CPU's fetch
 * does). The first fault of a translation is kept for bt_lookup. */
static size_t fetch(void *ctx, uint32_t va, uint8_t *buf, size_t n, uint32_t *gpfn)
{
    struct bt_state *b = ctx;
    struct vcpu *v = b->vcpu;
    size_t done = 0;
    if (n > 16)
        n = 16;
    while (done < n) {
        uint32_t at = va + (uint32_t)done, chunk = PAGE_SIZE - (at & 0xFFF);
        if (chunk > n - done)
            chunk = (uint32_t)(n - done);
        struct vx_walk w;
        int rc = vx_translate(v, at, 0, &w);
        if (rc == VX_WALK_OK && at >= HYPERVISOR_VIRT_START)
            domain_crash(v->domain, "bt: the guest kernel runs code at %#x, which it maps "
                         "inside the hypervisor's area (from %#x)", at, HYPERVISOR_VIRT_START);
        if (rc != VX_WALK_OK) {
            if (!b->fetch_faulted) {
                b->fetch_faulted = 1;
                b->fetch_fault_va = at;
                b->fetch_fault_error = w.error;
            }
            break;
        }
        if (done == 0 && gpfn)
            *gpfn = (uint32_t)(w.gpa >> PAGE_SHIFT);
        memcpy(buf + done, gpmem_ptr(&b->te.vx.mem, w.gpa), chunk);
        done += chunk;
    }
    return done;
}

void bt_runtime_init(struct bt_state *b)
{
    b->env.ctx = b;
    b->env.fetch = fetch;
    b->env.force_callout = NULL;
    b->env.code_frame = NULL;
    bt_cache_init(&b->cache, mfn_to_virt(b->tc_mfn), BT_TC_VA, BT_TC_SIZE, mfn_to_virt(b->lookup_mfn));
    bt_smc_setup(b);
}

int bt_lookup(struct vcpu *v, uint32_t eip, uint32_t *tc)
{
    struct bt_state *b = bt_of(v);
    struct bt_cache_stats *cs = &b->cache.stats;
    for (unsigned tries = 0; tries < 2; tries++) {
        uint32_t before = cs->lookup_misses, fault_va = 0;
        b->fetch_faulted = 0;
        uint64_t t0 = rdtsc();
        int rc = bt_cache_get(&b->cache, &b->env, eip, tc, &fault_va);
        if (cs->lookup_misses != before)
            b->translate_cycles += rdtsc() - t0;
        if (rc == BT_GET_FLUSHED) {
            b->hint = 0;                        /* every TC address held is stale */
            continue;
        }
        if (rc == BT_GET_OK) {
            if (*tc - BT_TC_VA >= BT_TC_SIZE)
                domain_crash(v->domain, "bt: the cache gave %#x for guest %#x, outside the "
                             "translation cache (a translator bug)", *tc, eip);
            return 0;
        }
        if (!b->fetch_faulted)
            domain_crash(v->domain, "bt: the guest's code at %#x cannot be translated (its "
                         "fetch at %#x failed without a fault)", eip, fault_va);
        return -1;
    }
    domain_crash(v->domain, "bt: the guest's code at %#x does not fit in an empty "
                 "translation cache", eip);
}

/* ---- the two contexts ---- */

static void to_guest(struct vcpu *v, uint32_t eip)
{
    struct bt_state *b = bt_of(v);
    v->regs.cs = b->guest_cs;
    v->regs.gs = b->guest_gs;
    v->regs.eip = eip;
}

/* Back to translated code at tc, the guest's CS and GS kept aside. */
static void enter_tc(struct vcpu *v, uint32_t tc)
{
    struct bt_state *b = bt_of(v);
    b->guest_cs = v->regs.cs;
    b->guest_gs = v->regs.gs;
    v->regs.cs = BT_CS_SEL;
    v->regs.gs = BT_GS_SEL;
    v->regs.eip = tc;
}

static void set_hint(struct bt_state *b, uint32_t eip, uint32_t tc)
{
    b->hint = 1;
    b->hint_eip = eip;
    b->hint_tc = tc;
    b->hint_injected = b->te.vx.injected;
}

/* The guest's CS must be a flat 32-bit code segment: translated code runs
 * on BT_CS_SEL, which is. */
static void check_flat_cs(struct vcpu *v)
{
    uint32_t cs = v->regs.cs & 0xFFFF;
    uint64_t d = (cs & 4) ? 0 : vx_gdt_entry(v, cs >> 3);
    uint32_t base = desc_base((uint32_t)d, (uint32_t)(d >> 32));
    if (!(d & (1ull << 47)) || !(d & (1ull << 43)))
        domain_crash(v->domain, "bt: the guest kernel runs on CS %#x, not a present code "
                     "segment of its GDT", cs);
    if (base != 0 || !(d & (1ull << 54)))
        domain_crash(v->domain, "bt: the guest kernel's CS %#x is not flat 32-bit code (base "
                     "%#x%s): bt translates only flat code", cs, base,
                     (d & (1ull << 54)) ? "" : ", 16-bit");
}

/* A CPL-0 guest context into TC context: its translation (the hint's if
 * it still holds), made if missing. A fetch that faults is the guest's
 * #PF at that EIP, as the CPU's instruction fetch gives it (PAE without
 * EFER.NXE: no I/D bit); then its handler is translated. */
static void to_tc(struct vcpu *v)
{
    struct bt_state *b = bt_of(v);
    struct vx_cpu *t = &b->te.vx;
    for (unsigned tries = 0;; tries++) {
        uint32_t tc;
        check_flat_cs(v);
        if (b->hint && v->regs.eip == b->hint_eip && t->injected == b->hint_injected) {
            tc = b->hint_tc;
        } else if (bt_lookup(v, v->regs.eip, &tc)) {
            if (tries == TO_TC_TRIES)
                domain_crash(v->domain, "bt: the guest's code at %#x cannot be fetched "
                             "(#PF at %#x), nor that of its page-fault handler",
                             v->regs.eip, b->fetch_fault_va);
            t->cr2 = b->fetch_fault_va;
            vx_inject(v, TRAP_PF, 1, b->fetch_fault_error);
            continue;
        }
        b->hint = 0;
        enter_tc(v, tc);
        return;
    }
}

void bt_sync_in(struct vcpu *v)
{
    struct bt_state *b = bt_of(v);
    struct vx_cpu *t = &b->te.vx;
    volatile uint32_t *vp = bt_vpage(b);
    int vif = (vp[BT_VP_VFLAGS / 4] & EFLAGS_IF) != 0;
    if (t->vif && !vif) {
        t->vif_off_eip = 0;
        t->vif_off_by = "translated cli or popf";
    }
    t->vif = vif;
    t->viopl = (vp[BT_VP_VIOPL / 4] & EFLAGS_IOPL) >> 12;
}

/* te's virtual IF and IOPL into the vpage, and the pending check's
 * target: the guard page while an interrupt waits. */
static void sync_out(struct vcpu *v)
{
    struct bt_state *b = bt_of(v);
    struct vx_cpu *t = &b->te.vx;
    volatile uint32_t *vp = bt_vpage(b);
    vp[BT_VP_VFLAGS / 4] = t->vif ? EFLAGS_IF : 0;
    vp[BT_VP_VIOPL / 4] = t->viopl << 12;
    vp[BT_VP_PEND / 4] = vplatform_intr_pending(&t->plat) >= 0 ? BT_VP_PEND_TRAP
                                                              : BT_VP_PEND_OK;
}

static int deliverable(const struct vx_cpu *t)
{
    return t->vif && !t->shadow && vplatform_intr_pending(&t->plat) >= 0;
}

/* ---- events from translated code ---- */

/* The int3 at site: a callout (the guest instruction emulated), an
 * unchained exit (its target translated and chained) or an indirect
 * lookup's miss (the target translated). bt_translate.h says what state
 * each leaves. */
static void callout_site(struct vcpu *v, uint32_t site)
{
    struct bt_state *b = bt_of(v);
    struct bt_where w;
    uint32_t tc;
    bt_cache_where(&b->cache, site, &w);
    switch (w.site) {
    case BT_SITE_CALLOUT:
        b->ev[BT_EV_CALLOUT]++;
        b->cache.stats.callouts++;
        to_guest(v, w.eip);
        if (bt_smc_callout(v, w.eip)) {      /* a store retranslated as a callout */
            if (w.resume && bt_smc_tc_live(b, site))
                set_hint(b, w.next, w.resume);
            return;
        }
        bt_callout(v);
        /* Completed at eip + len: on in the block, right after the int3,
         * unless the emulation's own store dropped that block (w.live was
         * before it: an smsw or sgdt into the next instruction, bthostile
         * test=calloutwr); then the next instruction is translated anew. */
        if (w.resume && bt_smc_tc_live(b, site))
            set_hint(b, w.next, w.resume);
        return;
    case BT_SITE_EXIT:
        b->ev[BT_EV_EXIT]++;
        b->cache.stats.exits++;
        to_guest(v, w.eip);
        if (bt_lookup(v, w.eip, &tc) == 0) {
            if (w.live && bt_cache_chain(&b->cache, site, tc) == 0)
                b->exits_chained++;
            set_hint(b, w.eip, tc);
        }
        return;                              /* a fetch fault: to_tc gives the #PF */
    case BT_SITE_MISS:
        b->ev[BT_EV_MISS]++;
        b->cache.stats.ind_misses++;
        /* The guest's target, written by translated code: a guest address
         * like any other (to_tc translates it, or gives its #PF). */
        to_guest(v, bt_vpage(b)[BT_VP_TARGET / 4]);
        return;
    default:
        domain_crash(v->domain, "bt: int3 at %#x in translated code is no callout site (a "
                     "translator bug)", site);
    }
}

/* The pending-interrupt check at guest EIP w->next read the guard page:
 * deliver there if the virtual IF allows (the guest's eax from the vpage),
 * else on after the check (the TC restores eax). */
static void pend_site(struct vcpu *v, const struct bt_where *w)
{
    struct bt_state *b = bt_of(v);
    struct vx_cpu *t = &b->te.vx;
    b->ev[BT_EV_PEND]++;
    vplatform_advance(&t->plat, time_now());
    if (!deliverable(t) && w->resume) {
        v->regs.eip = w->resume;
        return;
    }
    if (w->eax_saved)
        v->regs.eax = bt_vpage(b)[BT_VP_SAVE_EAX / 4];
    to_guest(v, w->next);                    /* before_exit delivers */
}

/* Any other exception from translated code: the guest's at the guest
 * instruction whose translation faulted, handled by te as for te's guest;
 * what the guest does not see retries the same TC address. */
static void tc_fault(struct vcpu *v, uint32_t cr2)
{
    struct bt_state *b = bt_of(v);
    struct vx_cpu *t = &b->te.vx;
    struct cpu_frame *r = &v->regs;
    uint32_t tc = r->eip;
    struct bt_where w;
    b->traps_tc++;
    /* The common case first: a shadow fill, which the guest does not see,
     * of an address below the hypervisor's area (so neither the guard
     * page nor the cache's region): the same TC address again, without
     * mapping it back to the guest's instruction. */
    if (r->vector == TRAP_PF && cr2 < HYPERVISOR_VIRT_START && vx_shadow_fill(v, cr2, r->error))
        return;
    bt_cache_where(&b->cache, tc, &w);
    if (r->vector == TRAP_DB) {
        /* The single step that ends an interrupt shadow (mov/pop ss: te's
         * TF) stops after one TC instruction, wherever that is: over, on
         * at the same address. Any other #DB is the guest kernel stepping
         * or debugging itself. */
        if (t->shadow && !t->shadow_tf) {
            vx_intr_shadow_end(v);
            return;
        }
        domain_crash(v->domain, "bt: #DB at %#x (guest eip %#x): the guest kernel single-steps "
                     "or debugs itself, which bt does not support", tc, w.eip);
    }
    if (w.site == BT_SITE_PEND) {
        if (r->vector == TRAP_PF && cr2 - BT_GUARD_VA < PAGE_SIZE) {
            pend_site(v, &w);
            return;
        }
        domain_crash(v->domain, "bt: %s at %#x (cr2 %#x), the pending check at guest eip "
                     "%#x, is not the guard page's #PF: the guest wrote its vpage's pending "
                     "word", trap_name(r->vector), tc, cr2, w.next);
    }
    if (r->vector == TRAP_PF && cr2 - BT_REGION_VA < BT_TC_VA + BT_TC_SIZE - BT_REGION_VA)
        domain_crash(v->domain, "bt: translated code at %#x (guest eip %#x) %s %#x, in the "
                     "translation cache's region (#PF error %#x)", tc, w.eip,
                     (r->error & 2) ? "writes" : "reads", cr2, r->error);
    if (w.site != BT_SITE_INSN)
        domain_crash(v->domain, "bt: %s at %#x, %s (a translator bug)", trap_name(r->vector),
                     tc, w.site == BT_SITE_NONE ? "in no translation"
                                                : "at a callout site's int3");
    uint32_t guest_cs = b->guest_cs, injected = t->injected;
    to_guest(v, w.eip);
    te_trap(v, cr2);
    if (t->injected == injected && r->eip == w.eip && r->cs == guest_cs) {
        /* Nothing the guest sees (a shadow fill, a GDT entry at its first
         * use, the FPU switched, the end of an interrupt shadow): the same
         * TC address again, unless its block is gone (a store into its own
         * frame, bt/smc.c): then the guest instruction, translated again. */
        if (bt_smc_tc_live(b, tc))
            enter_tc(v, tc);
    }
    /* Else the guest's fault at w.eip (a restart point even off a
     * boundary: translate.h), or te emulated it: before_exit maps. */
}

void bt_trap(struct vcpu *v, uint32_t cr2)
{
    struct bt_state *b = bt_of(v);
    b->hint = 0;
    if (bt_smc_step_trap(v, cr2))
        return;                                 /* a store stepped after its write trap */
    if (!bt_in_tc(v)) {
        te_trap(v, cr2);                        /* ring 3 (or 2): te's */
        return;
    }
    bt_sync_in(v);
    if (v->regs.vector == TRAP_BP)
        callout_site(v, v->regs.eip - 1);
    else
        tc_fault(v, cr2);
}

void bt_before_exit(struct vcpu *v)
{
    struct bt_state *b = bt_of(v);
    struct vx_cpu *t = &b->te.vx;
    struct cpu_frame *r = &v->regs;
    if (bt_smc_step_exit(v))
        return;                                 /* a store stepped after its write trap */
    int advanced = 0;
    if (bt_in_tc(v)) {
        /* An interrupt taken in translated code (or a retried fault): at
         * a boundary with the virtual IF set it is delivered now. */
        bt_sync_in(v);
        vplatform_advance(&t->plat, time_now());
        advanced = 1;
        if (deliverable(t)) {
            struct bt_where w;
            bt_cache_where(&b->cache, r->eip, &w);
            if ((w.site == BT_SITE_INSN && w.boundary) || w.site == BT_SITE_CALLOUT ||
                w.site == BT_SITE_EXIT) {
                set_hint(b, w.eip, r->eip);
                to_guest(v, w.eip);
            }
        }
    }
    if (bt_in_tc(v)) {
        /* Inside a guest instruction's translation: nothing delivered
         * (the pending check, the next boundary's entry will). */
        int vif = t->vif;
        t->vif = 0;
        te_before_exit_advanced(v, advanced);
        t->vif = vif;
    } else {
        te_before_exit_advanced(v, advanced);
        if (vx_guest_cpl(r->cs) == 0)
            to_tc(v);
    }
    if (bt_in_tc(v))
        sync_out(v);
    bt_smc_exit(v);
}
