/* smc: see smc.h. */
#include "bt/smc.h"

#include <string.h>

#include "bt/translate.h"
#include "lib/format.h"

#define PAGE 4096u

void bt_smc_init(struct bt_smc *s, const struct bt_smc_ops *ops)
{
    memset(s, 0, sizeof(*s));
    s->ops = *ops;
    bt_adapt_init(&s->adapt);
    s->map_free = BT_SMC_MAPS == 32 ? 0xFFFFFFFFu : (1u << BT_SMC_MAPS) - 1;
}

/* ---- the frames with translations: linear probing in a table never
 * more than half full, deletion by backward shift ---- */

unsigned bt_smc_home(uint32_t gpfn)
{
    return (unsigned)((gpfn * 2654435761u) >> 20) & (BT_SMC_SLOTS - 1);
}

static int find(const struct bt_smc *s, uint32_t gpfn)
{
    for (unsigned i = bt_smc_home(gpfn), k = 0; k < BT_SMC_SLOTS; i = (i + 1) & (BT_SMC_SLOTS - 1), k++) {
        if (!s->slot[i].used)
            return -1;
        if (s->slot[i].gpfn == gpfn)
            return (int)i;
    }
    return -1;
}

static void forget(struct bt_smc *s, uint32_t gpfn)
{
    int at = find(s, gpfn);
    if (at < 0)
        return;
    unsigned hole = (unsigned)at;
    if (s->slot[hole].map >= 0)
        s->map_free |= 1u << s->slot[hole].map;
    s->slot[hole].used = 0;
    s->frames--;
    /* shift back the entries after the hole that may not stay behind it */
    for (unsigned j = (hole + 1) & (BT_SMC_SLOTS - 1); s->slot[j].used;
         j = (j + 1) & (BT_SMC_SLOTS - 1)) {
        unsigned h = bt_smc_home(s->slot[j].gpfn);
        /* j's entry may stay if its home lies cyclically in (hole, j] */
        int stays = hole < j ? (h > hole && h <= j) : (h > hole || h <= j);
        if (stays)
            continue;
        s->slot[hole] = s->slot[j];
        s->slot[j].used = 0;
        hole = j;
    }
}

static void mark(uint32_t *map, unsigned off, unsigned len)
{
    for (unsigned b = off; b < off + len; b++)
        map[b / 32] |= 1u << (b % 32);
}

void bt_smc_code(struct bt_smc *s, uint32_t gpfn, unsigned off, unsigned len)
{
    if (off >= PAGE || !len)
        return;
    if (len > PAGE - off)
        len = PAGE - off;
    int at = find(s, gpfn);
    if (at < 0) {
        if (s->frames >= BT_SMC_FRAMES) {
            /* protected all the same, untracked: from now on every store
             * the callout emulates counts as one to translated bytes */
            s->ops.protect(s->ops.ctx, gpfn);
            s->overflow = 1;
            s->protected_frames++;
            return;
        }
        unsigned i = bt_smc_home(gpfn);
        while (s->slot[i].used)
            i = (i + 1) & (BT_SMC_SLOTS - 1);
        s->slot[i].used = 1;
        s->slot[i].gpfn = gpfn;
        s->slot[i].map = -1;
        if (s->map_free) {
            int m = __builtin_ctz(s->map_free);
            s->map_free &= ~(1u << m);
            memset(s->map[m], 0, sizeof(s->map[m]));
            s->slot[i].map = (int16_t)m;
        }
        s->frames++;
        s->protected_frames++;
        s->ops.protect(s->ops.ctx, gpfn);
        at = (int)i;
    }
    if (s->slot[at].map >= 0)
        mark(s->map[s->slot[at].map], off, len);
}

void bt_smc_insn(struct bt_smc *s, uint32_t block_eip, const uint32_t gpfn[2], unsigned ngpfn,
                 uint32_t eip, unsigned len)
{
    uint32_t first = block_eip >> 12;
    while (len) {
        uint32_t page = eip >> 12;
        unsigned off = eip & (PAGE - 1);
        unsigned n = len < PAGE - off ? len : PAGE - off;
        if (page == first)
            bt_smc_code(s, gpfn[0], off, n);
        else if (page == first + 1 && ngpfn >= 2)
            bt_smc_code(s, gpfn[1], off, n);
        eip += n;
        len -= n;
    }
}

void bt_smc_block(struct bt_smc *s, const struct bt_block_out *b)
{
    for (unsigned i = 0; i < b->ninsns && i < BT_MAX_INSNS; i++)
        bt_smc_insn(s, b->eip, b->gpfn, b->ngpfn, b->eip + b->insns[i].eip_off,
                    b->insns[i].len);
}

void bt_smc_flushed(struct bt_smc *s)
{
    for (unsigned i = 0; i < BT_SMC_SLOTS; i++)
        s->slot[i].used = 0;
    s->frames = 0;
    s->overflow = 0;
    s->map_free = BT_SMC_MAPS == 32 ? 0xFFFFFFFFu : (1u << BT_SMC_MAPS) - 1;
}

int bt_smc_has_code(const struct bt_smc *s, uint32_t gpfn)
{
    return s->overflow || find(s, gpfn) >= 0;
}

int bt_smc_overlaps(const struct bt_smc *s, uint32_t gpfn, unsigned off, unsigned len)
{
    int at = find(s, gpfn);
    if (at < 0)
        return s->overflow;
    if (s->slot[at].map < 0)
        return 1;
    if (off >= PAGE)
        return 0;
    if (len > PAGE - off)
        len = PAGE - off;
    const uint32_t *map = s->map[s->slot[at].map];
    for (unsigned b = off; b < off + len; b++)
        if (map[b / 32] & (1u << (b % 32)))
            return 1;
    return 0;
}

void bt_smc_drop(struct bt_smc *s, uint32_t gpfn)
{
    s->ops.invalidate(s->ops.ctx, gpfn);
    s->ops.unprotect(s->ops.ctx, gpfn);
    forget(s, gpfn);
    s->invalidations++;
}

int bt_smc_write_trap(struct bt_smc *s, uint32_t eip, int can_callout, uint32_t gpfn)
{
    s->write_traps++;
    bt_smc_drop(s, gpfn);
    if (bt_adapt_trap(&s->adapt, eip, can_callout) != BT_ADAPT_RETRANSLATE)
        return 0;
    /* eip's next translation is the callout (its frame's bitmap keeps the
     * old bytes: a superset, which only costs precision) */
    s->ops.invalidate_eip(s->ops.ctx, eip);
    return 1;
}

void bt_smc_user_write(struct bt_smc *s, uint32_t gpfn)
{
    s->write_traps++;
    bt_smc_drop(s, gpfn);
}

int bt_smc_hv_write(struct bt_smc *s, uint32_t gpfn, unsigned off, unsigned len)
{
    int had = bt_smc_has_code(s, gpfn);
    if (had && bt_smc_overlaps(s, gpfn, off, len)) {
        bt_smc_drop(s, gpfn);
        s->callout_invalidations++;
    }
    return had;
}

int bt_smc_force_callout(const struct bt_smc *s, uint32_t eip)
{
    return bt_adapt_is_hot(&s->adapt, eip);
}

unsigned bt_smc_report(const struct bt_smc *s, unsigned domid,
                       void (*out)(void *ctx, const char *line), void *ctx)
{
    char line[200];
    fmt_snprintf(line, sizeof(line),
                 "d%u bt self-modifying code: %u frames protected, %u stores trapped, "
                 "%u frames' translations dropped; %u stores emulated by callouts; %u "
                 "hypervisor stores over translated bytes",
                 domid, (unsigned)s->protected_frames, (unsigned)s->write_traps,
                 (unsigned)s->invalidations, (unsigned)s->callout_stores,
                 (unsigned)s->callout_invalidations);
    out(ctx, line);
    return 1 + bt_adapt_report(&s->adapt, domid, out, ctx);
}
