/* adapt: see adapt.h. */
#include "bt/adapt.h"

#include <string.h>

#include "lib/format.h"

void bt_adapt_init(struct bt_adapt *a)
{
    memset(a, 0, sizeof(*a));
}

unsigned bt_adapt_home(uint32_t eip)
{
    return (unsigned)((eip * 2654435761u) >> 24) & (BT_ADAPT_SLOTS - 1);
}

static struct bt_adapt_site *lookup(const struct bt_adapt *a, uint32_t eip)
{
    unsigned h = bt_adapt_home(eip);
    for (unsigned i = 0; i < BT_ADAPT_PROBE; i++) {
        const struct bt_adapt_site *s = &a->slot[(h + i) & (BT_ADAPT_SLOTS - 1)];
        if (!s->used)
            return NULL;
        if (s->eip == eip)
            return (struct bt_adapt_site *)s;
    }
    return NULL;
}

/* eip's slot, taking an empty one or evicting the coldest site of the
 * window that is not hot; NULL if the window holds only hot sites. */
static struct bt_adapt_site *lookup_or_add(struct bt_adapt *a, uint32_t eip)
{
    unsigned h = bt_adapt_home(eip);
    struct bt_adapt_site *victim = NULL;
    for (unsigned i = 0; i < BT_ADAPT_PROBE; i++) {
        struct bt_adapt_site *s = &a->slot[(h + i) & (BT_ADAPT_SLOTS - 1)];
        if (!s->used) {
            memset(s, 0, sizeof(*s));
            s->used = 1;
            s->eip = eip;
            a->sites++;
            return s;
        }
        if (s->eip == eip)
            return s;
        if (!s->hot && !s->refused && (!victim || s->traps < victim->traps))
            victim = s;
    }
    if (!victim)
        return NULL;
    a->evicted++;
    memset(victim, 0, sizeof(*victim));
    victim->used = 1;
    victim->eip = eip;
    return victim;
}

int bt_adapt_trap(struct bt_adapt *a, uint32_t eip, int can_callout)
{
    struct bt_adapt_site *s = lookup_or_add(a, eip);
    if (!s) {
        a->uncounted++;
        return BT_ADAPT_COUNTED;
    }
    a->traps++;
    if (s->traps < UINT32_MAX)
        s->traps++;
    if (s->hot || s->refused || s->traps < BT_ADAPT_HOT)
        return BT_ADAPT_COUNTED;
    if (!can_callout) {
        s->refused = 1;
        return BT_ADAPT_COUNTED;
    }
    s->hot = 1;
    a->hot_sites++;
    return BT_ADAPT_RETRANSLATE;
}

int bt_adapt_is_hot(const struct bt_adapt *a, uint32_t eip)
{
    const struct bt_adapt_site *s = lookup(a, eip);
    return s && s->hot;
}

const struct bt_adapt_site *bt_adapt_find(const struct bt_adapt *a, uint32_t eip)
{
    return lookup(a, eip);
}

void bt_adapt_callout(struct bt_adapt *a, uint32_t eip, int would_trap)
{
    struct bt_adapt_site *s = lookup(a, eip);
    if (!s || !s->hot)
        return;
    if (s->callouts < UINT32_MAX)
        s->callouts++;
    if (would_trap && s->avoided < UINT32_MAX)
        s->avoided++;
}

void bt_adapt_trap_cost(struct bt_adapt *a, uint64_t cost)
{
    if (a->trap_samples < UINT32_MAX && cost < (1ull << 40)) {
        a->trap_cost += cost;
        a->trap_samples++;
    }
}

void bt_adapt_callout_cost(struct bt_adapt *a, uint64_t cost)
{
    if (a->callout_samples < UINT32_MAX && cost < (1ull << 40)) {
        a->callout_cost += cost;
        a->callout_samples++;
    }
}

static uint64_t mean(uint64_t sum, uint32_t n)
{
    return n ? sum / n : 0;
}

/* Saturated at 2^31, so that a product of two fits in an int64_t. */
static uint64_t sat31(uint64_t v)
{
    return v > (1ull << 31) ? 1ull << 31 : v;
}

int64_t bt_adapt_saved(const struct bt_adapt *a)
{
    uint64_t avoided = 0, callouts = 0;
    for (unsigned i = 0; i < BT_ADAPT_SLOTS; i++) {
        if (a->slot[i].used && a->slot[i].hot) {
            avoided += a->slot[i].avoided;
            callouts += a->slot[i].callouts;
        }
    }
    /* every factor saturated at 2^31: the products fit */
    return (int64_t)(sat31(avoided) * sat31(mean(a->trap_cost, a->trap_samples))) -
           (int64_t)(sat31(callouts) * sat31(mean(a->callout_cost, a->callout_samples)));
}

static uint64_t weight(const struct bt_adapt_site *s)
{
    return (uint64_t)s->traps + s->callouts;
}

/* s comes before t in the report. */
static int before(const struct bt_adapt_site *s, const struct bt_adapt_site *t)
{
    return weight(s) != weight(t) ? weight(s) > weight(t) : s->eip < t->eip;
}

unsigned bt_adapt_report(const struct bt_adapt *a, unsigned domid,
                         void (*out)(void *ctx, const char *line), void *ctx)
{
    char line[200];
    unsigned lines = 0;
    if (!a->traps && !a->uncounted)
        return 0;

    /* the hottest BT_ADAPT_LINES reported sites, by insertion */
    const struct bt_adapt_site *top[BT_ADAPT_LINES];
    unsigned ntop = 0, reported = 0;
    uint32_t refused = 0;
    for (unsigned i = 0; i < BT_ADAPT_SLOTS; i++) {
        const struct bt_adapt_site *s = &a->slot[i];
        if (!s->used || (!s->hot && !s->refused))
            continue;
        reported++;
        refused += s->refused;
        unsigned at = ntop;
        while (at > 0 && before(s, top[at - 1]))
            at--;
        if (at >= BT_ADAPT_LINES)
            continue;
        if (ntop < BT_ADAPT_LINES)
            ntop++;
        for (unsigned j = ntop - 1; j > at; j--)
            top[j] = top[j - 1];
        top[at] = s;
    }

    fmt_snprintf(line, sizeof(line),
                 "d%u bt adaptive: %u sites retranslated as callouts (at %u traps), %u kept "
                 "(no callout for them); %u traps counted at %u sites, %u sites evicted, "
                 "%u traps uncounted",
                 domid, (unsigned)a->hot_sites, BT_ADAPT_HOT, (unsigned)refused,
                 (unsigned)a->traps, (unsigned)a->sites, (unsigned)a->evicted,
                 (unsigned)a->uncounted);
    out(ctx, line);
    lines++;
    if (a->hot_sites) {
        fmt_snprintf(line, sizeof(line),
                     "d%u bt adaptive: a trap cost %llu, a callout %llu (rdtsc, %u and %u "
                     "measured): saved %lld",
                     domid, (unsigned long long)mean(a->trap_cost, a->trap_samples),
                     (unsigned long long)mean(a->callout_cost, a->callout_samples),
                     (unsigned)a->trap_samples, (unsigned)a->callout_samples,
                     (long long)bt_adapt_saved(a));
        out(ctx, line);
        lines++;
    }
    for (unsigned i = 0; i < ntop; i++) {
        const struct bt_adapt_site *s = top[i];
        if (s->hot)
            fmt_snprintf(line, sizeof(line),
                         "d%u bt adaptive: at eip %#x: %u traps before, %u callouts after "
                         "(%u would have trapped)",
                         domid, (unsigned)s->eip, (unsigned)s->traps, (unsigned)s->callouts,
                         (unsigned)s->avoided);
        else
            fmt_snprintf(line, sizeof(line),
                         "d%u bt adaptive: at eip %#x: %u traps, kept (no callout for it)",
                         domid, (unsigned)s->eip, (unsigned)s->traps);
        out(ctx, line);
        lines++;
    }
    if (reported > ntop) {
        fmt_snprintf(line, sizeof(line), "d%u bt adaptive: %u more sites not listed", domid,
                     reported - ntop);
        out(ctx, line);
        lines++;
    }
    return lines;
}
