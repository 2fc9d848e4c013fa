/*
 * bt: the mode's table (core/mode.h), its tick and its counters. The
 * runtime is run.c and callout.c, the builder load.c; the translator and
 * the cache are translate.c and cache.c.
 */
#include "bt/bt.h"

#include "arch/x86/cpu.h"
#include "core/console.h"
#include "lib/format.h"
#include "bt/counters.h"
#include "bt/priv.h"

void bt_tick(struct domain *d, uint64_t now)
{
    /* The interrupted registers (the tick is an interrupt): in translated
     * code the virtual IF is the vpage's, for te's wake-ups and watchdog. */
    if (d == current_domain && bt_in_tc(&d->vcpu))
        bt_sync_in(&d->vcpu);
    te_tick(d, now);
}

void bt_counters_now(struct vcpu *v, uint32_t *ctr)
{
    const struct bt_state *b = bt_of(v);
    const struct bt_cache_stats *cs = &b->cache.stats;
    const struct domain *d = v->domain;
    uint32_t callouts = b->ev[BT_EV_CALLOUT] + b->ev[BT_EV_EXIT] + b->ev[BT_EV_MISS];
    for (unsigned i = 0; i < BT_NR_COUNTERS; i++)
        ctr[i] = 0;
    ctr[BT_CTR_BLOCKS] = cs->blocks;
    ctr[BT_CTR_INSNS] = cs->insns;
    ctr[BT_CTR_CACHE_BYTES] = cs->bytes;
    ctr[BT_CTR_CALLOUTS] = callouts;
    ctr[BT_CTR_TRAPS] = d->stats.traps + d->stats.interrupts - callouts;
    ctr[BT_CTR_CHAIN_HITS] = cs->chains;        /* exits patched: what the runtime sees */
    ctr[BT_CTR_CHAIN_MISSES] = b->ev[BT_EV_EXIT] + b->ev[BT_EV_MISS];
    ctr[BT_CTR_XLATE_INSNS] = (uint32_t)b->translate_cycles;
    ctr[BT_CTR_INVALIDATIONS] = cs->invalidations;
    ctr[BT_CTR_FLUSHES] = cs->flushes;
}

static const char *const ev_name[BT_EV_NR] = {
    [BT_EV_CALLOUT] = "emulated", [BT_EV_EXIT] = "exit", [BT_EV_MISS] = "lookup miss",
    [BT_EV_PEND] = "pending check",
};

void bt_print_stats(struct domain *d)
{
    const struct bt_state *b = bt_dom(d);
    const struct bt_cache_stats *cs = &b->cache.stats;
    uint32_t callouts = 0;
    for (unsigned i = 0; i < BT_EV_NR; i++)
        callouts += b->ev[i];
    callouts -= b->ev[BT_EV_PEND];              /* a fault, not an int3 */
    printk("d%u bt: %u blocks translated, %u bytes of cache, %u callouts, %u traps from "
           "translated code, chained %u of %u exits, lookups %u hit %u missed, %u flushes, "
           "translation %llu instructions\n", d->id, (unsigned)cs->blocks, (unsigned)cs->bytes,
           (unsigned)callouts, (unsigned)b->traps_tc, (unsigned)b->exits_chained,
           (unsigned)b->ev[BT_EV_EXIT], (unsigned)cs->lookup_hits, (unsigned)cs->lookup_misses,
           (unsigned)cs->flushes, (unsigned long long)b->translate_cycles);
    char line[400];
    size_t n = 0;
    for (unsigned i = 0; i < BT_EV_NR; i++) {
        int k = fmt_snprintf(line + n, sizeof(line) - n, "%s%s %u", i ? ", " : "", ev_name[i],
                             (unsigned)b->ev[i]);
        if (k > 0 && n + (size_t)k < sizeof(line))
            n += (size_t)k;
    }
    for (unsigned c = 0; c < X86C_NR; c++) {
        if (!b->callout_class[c])
            continue;
        int k = fmt_snprintf(line + n, sizeof(line) - n, ", %s %u",
                             x86_class_name((enum x86_class)c), (unsigned)b->callout_class[c]);
        if (k > 0 && n + (size_t)k < sizeof(line))
            n += (size_t)k;
    }
    line[n] = '\0';
    printk("d%u bt callouts by kind: %s\n", d->id, line);
    bt_smc_print(d);
    te_print_stats(d);
}

const struct mode_ops bt_mode_ops = {
    .name = "bt",
    .build = bt_domain_build,
    .trap = bt_trap,
    .before_exit = bt_before_exit,
    .enter = NULL,                              /* the switcher's exit, ring 1 or 3 */
    .tick = bt_tick,
    .switch_in = NULL,                          /* te_switch_in serves bt domains too */
    .print_stats = bt_print_stats,
};
