/*
 * cache: the translation cache's blocks, chains, lookup table and
 * invalidation (bt/cache.h). Everything is bounded by the fixed arrays:
 * a translation needs room for a whole block (BT_BLOCK_MAX TC bytes,
 * BT_MAX_INSNS instruction maps, BT_MAX_EXITS exits) or the cache is
 * flushed whole first.
 */
#include "bt/cache.h"
#include "bt/emit.h"

_Static_assert(BT_CACHE_BLOCKS <= 8191u, "block indexes are int16, insn indexes uint16");
_Static_assert((BT_CACHE_HASH & (BT_CACHE_HASH - 1u)) == 0, "hash size is a power of 2");

static unsigned hash_of(uint32_t eip)
{
    return (eip ^ (eip >> 12)) & (BT_CACHE_HASH - 1u);
}

void bt_cache_flush(struct bt_cache *c)
{
    c->nblocks = c->ninsns = c->nexits = 0;
    for (unsigned i = 0; i < BT_CACHE_HASH; i++)
        c->hash[i] = -1;
    bt_emit_miss_stub(c->tc);
    c->used = BT_MISS_STUB_LEN;
    for (unsigned i = 0; i < BT_LOOKUP_ENTRIES; i++)
        c->lookup[i] = c->tc_va;
    c->stats.bytes = c->used;
    c->stats.flushes++;
}

void bt_cache_init(struct bt_cache *c, uint8_t *tc, uint32_t tc_va, uint32_t tc_size,
                   uint32_t *lookup)
{
    c->tc = tc;
    c->tc_va = tc_va;
    c->tc_size = tc_size > BT_TC_SIZE ? BT_TC_SIZE : tc_size;
    c->lookup = lookup;
    c->stats = (struct bt_cache_stats){ 0 };
    bt_cache_flush(c);
    c->stats.flushes = 0;
}

static int find_block(const struct bt_cache *c, uint32_t eip)
{
    for (int b = c->hash[hash_of(eip)], n = 0; b >= 0 && n < (int)BT_CACHE_BLOCKS;
         b = c->blocks[b].hnext, n++)
        if (c->blocks[b].eip == eip && c->blocks[b].live)
            return b;
    return -1;
}

static uint32_t block_va(const struct bt_cache *c, const struct bt_cblock *b)
{
    return c->tc_va + b->tc_off;
}

uint32_t bt_cache_find(const struct bt_cache *c, uint32_t eip)
{
    int b = find_block(c, eip);
    return b < 0 ? 0 : block_va(c, &c->blocks[b]) + c->blocks[b].body_off;
}

static void patch_jmp(struct bt_cache *c, uint32_t at_off, uint32_t to_va)
{
    uint32_t rel = to_va - (c->tc_va + at_off + 5u);
    uint8_t *p = c->tc + at_off;
    p[0] = 0xE9;
    for (int i = 0; i < 4; i++)
        p[1 + i] = (uint8_t)(rel >> (8 * i));
}

static void unpatch(struct bt_cache *c, uint32_t at_off)
{
    for (unsigned i = 0; i < BT_STUB_LEN; i++)
        c->tc[at_off + i] = BT_CALLOUT_BYTE;
}

/* An exit's stub, from the TC's start. */
static uint32_t exit_off(const struct bt_cache *c, unsigned x, const struct bt_cblock *owner)
{
    return owner->tc_off + c->exits[x].tc_off;
}

int bt_cache_get(struct bt_cache *c, const struct bt_env *env, uint32_t eip,
                 uint32_t *tc_va, uint32_t *fault_va)
{
    int found = find_block(c, eip);
    if (found >= 0) {
        struct bt_cblock *b = &c->blocks[found];
        c->lookup[eip & BT_LOOKUP_MASK] = block_va(c, b);
        *tc_va = block_va(c, b) + b->body_off;
        c->stats.lookup_hits++;
        return BT_GET_OK;
    }
    if (c->nblocks >= BT_CACHE_BLOCKS || c->ninsns + BT_MAX_INSNS > BT_CACHE_INSNS ||
        c->nexits + BT_MAX_EXITS > BT_CACHE_EXITS || c->used + BT_BLOCK_MAX > c->tc_size) {
        bt_cache_flush(c);
        return BT_GET_FLUSHED;
    }
    struct bt_block_out *o = &c->out;
    int r = bt_translate(env, eip, c->tc + c->used, c->tc_va + c->used, BT_BLOCK_MAX, o, fault_va);
    if (r == BT_TX_FAULT)
        return BT_GET_FAULT;
    if (r != BT_TX_OK) {
        bt_cache_flush(c);
        return BT_GET_FLUSHED;
    }
    c->stats.lookup_misses++;
    unsigned bi = c->nblocks++;
    struct bt_cblock *b = &c->blocks[bi];
    *b = (struct bt_cblock){
        .eip = eip, .tc_off = c->used, .gpfn = { o->gpfn[0], o->gpfn[1] },
        .size = (uint16_t)o->size, .body_off = (uint16_t)o->body_off,
        .exits_off = (uint16_t)o->exits_off, .first_insn = (uint16_t)c->ninsns,
        .first_exit = (uint16_t)c->nexits, .ninsns = (uint8_t)o->ninsns,
        .nexits = (uint8_t)o->nexits, .ngpfn = (uint8_t)o->ngpfn, .live = 1,
    };
    for (unsigned i = 0; i < o->ninsns; i++)
        c->insns[c->ninsns + i] = o->insns[i];
    if (o->ninsns) {
        const struct bt_insn_map *last = &o->insns[o->ninsns - 1];
        b->guest_len = (uint32_t)last->eip_off + last->len;
    }
    c->ninsns += o->ninsns;
    uint32_t end = (c->used + o->size + 3u) & ~3u;
    for (uint32_t p = c->used + o->size; p < end; p++)
        c->tc[p] = BT_CALLOUT_BYTE;          /* the padding is never run: int3 */
    c->used = end;
    b->hnext = c->hash[hash_of(eip)];       /* the new block heads its chain */
    c->hash[hash_of(eip)] = (int16_t)bi;
    for (unsigned i = 0; i < o->nexits; i++) {
        unsigned x = c->nexits++;
        c->exits[x] = o->exits[i];
        c->exit_to[x] = -1;
        /* eager chaining: the target is there already */
        int t = find_block(c, o->exits[i].target);
        if (t >= 0) {
            patch_jmp(c, exit_off(c, x, b), block_va(c, &c->blocks[t]) + c->blocks[t].body_off);
            c->exit_to[x] = (int16_t)t;
            c->stats.chains++;
        }
    }
    c->lookup[eip & BT_LOOKUP_MASK] = block_va(c, b);
    c->stats.blocks++;
    c->stats.insns += o->ninsns;
    c->stats.bytes = c->used;
    if (env->code_frame)
        for (unsigned i = 0; i < o->ngpfn; i++)
            env->code_frame(env->ctx, o->gpfn[i]);
    *tc_va = block_va(c, b) + b->body_off;
    return BT_GET_OK;
}

/* The block whose bytes hold TC offset off, or -1 (blocks are in TC order). */
static int block_at(const struct bt_cache *c, uint32_t off)
{
    int lo = 0, hi = (int)c->nblocks - 1, best = -1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (c->blocks[mid].tc_off <= off) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (best < 0 || off >= c->blocks[best].tc_off + c->blocks[best].size)
        return -1;
    return best;
}

static void info_of(const struct bt_cache *c, const struct bt_cblock *b, struct bt_block_info *bi)
{
    *bi = (struct bt_block_info){
        .eip = b->eip, .tc_va = block_va(c, b), .size = b->size, .body_off = b->body_off,
        .exits_off = b->exits_off, .ninsns = b->ninsns, .nexits = b->nexits,
        .insns = &c->insns[b->first_insn], .exits = &c->exits[b->first_exit],
    };
}

void bt_cache_where(const struct bt_cache *c, uint32_t tc_va, struct bt_where *w)
{
    *w = (struct bt_where){ .site = BT_SITE_NONE };
    uint32_t off = tc_va - c->tc_va;
    if (tc_va < c->tc_va || off >= c->used)
        return;
    if (off < BT_MISS_STUB_LEN) {
        /* the miss stub: after an indirect transfer, ecx in the vpage */
        w->site = off == BT_MISS_STUB_LEN - 1u ? BT_SITE_MISS : BT_SITE_INSN;
        w->live = 1;
        return;
    }
    int b = block_at(c, off);
    if (b < 0)
        return;
    struct bt_block_info bi;
    info_of(c, &c->blocks[b], &bi);
    bt_block_where(&bi, tc_va, w);
    if (w->site != BT_SITE_NONE)
        w->live = c->blocks[b].live;
}

int bt_cache_chain(struct bt_cache *c, uint32_t exit_tc_va, uint32_t target_tc_va)
{
    uint32_t off = exit_tc_va - c->tc_va;
    if (exit_tc_va < c->tc_va || off >= c->used)
        return -1;
    int b = block_at(c, off);
    if (b < 0 || !c->blocks[b].live)
        return -1;
    const struct bt_cblock *ob = &c->blocks[b];
    int x = -1;
    for (unsigned i = 0; i < ob->nexits; i++)
        if (exit_off(c, ob->first_exit + i, ob) == off)
            x = (int)(ob->first_exit + i);
    if (x < 0)
        return -1;
    int t = find_block(c, c->exits[x].target);
    if (t < 0 || block_va(c, &c->blocks[t]) + c->blocks[t].body_off != target_tc_va)
        return -1;
    if (c->exit_to[x] == t)
        return 0;
    patch_jmp(c, off, target_tc_va);
    c->exit_to[x] = (int16_t)t;
    c->stats.chains++;
    return 0;
}

static void unhash(struct bt_cache *c, int b)
{
    int16_t *p = &c->hash[hash_of(c->blocks[b].eip)];
    for (unsigned n = 0; *p >= 0 && n < BT_CACHE_BLOCKS; n++) {
        if (*p == b) {
            *p = c->blocks[b].hnext;
            return;
        }
        p = &c->blocks[*p].hnext;
    }
}

static void kill(struct bt_cache *c, int b)
{
    struct bt_cblock *k = &c->blocks[b];
    k->live = 0;
    unhash(c, b);
    if (c->lookup[k->eip & BT_LOOKUP_MASK] == block_va(c, k))
        c->lookup[k->eip & BT_LOOKUP_MASK] = c->tc_va;
    c->stats.invalidations++;
}

/* Undo every chain into a dead block (one pass over the exits). */
static void unchain_dead(struct bt_cache *c)
{
    for (unsigned b = 0; b < c->nblocks; b++) {
        const struct bt_cblock *ob = &c->blocks[b];
        for (unsigned i = 0; i < ob->nexits; i++) {
            unsigned x = ob->first_exit + i;
            if (c->exit_to[x] >= 0 && !c->blocks[c->exit_to[x]].live) {
                unpatch(c, exit_off(c, x, ob));
                c->exit_to[x] = -1;
                c->stats.unchains++;
            }
        }
    }
}

unsigned bt_cache_invalidate_gpfn(struct bt_cache *c, uint32_t gpfn)
{
    unsigned n = 0;
    for (unsigned b = 0; b < c->nblocks; b++) {
        const struct bt_cblock *k = &c->blocks[b];
        if (k->live && ((k->ngpfn > 0 && k->gpfn[0] == gpfn) || (k->ngpfn > 1 && k->gpfn[1] == gpfn))) {
            kill(c, (int)b);
            n++;
        }
    }
    if (n)
        unchain_dead(c);
    return n;
}

unsigned bt_cache_invalidate_eip(struct bt_cache *c, uint32_t eip)
{
    unsigned n = 0;
    for (unsigned b = 0; b < c->nblocks; b++) {
        const struct bt_cblock *k = &c->blocks[b];
        if (k->live && eip - k->eip < k->guest_len) {
            kill(c, (int)b);
            n++;
        }
    }
    if (n)
        unchain_dead(c);
    return n;
}

int bt_cache_has_gpfn(const struct bt_cache *c, uint32_t gpfn)
{
    for (unsigned b = 0; b < c->nblocks; b++) {
        const struct bt_cblock *k = &c->blocks[b];
        if (k->live && ((k->ngpfn > 0 && k->gpfn[0] == gpfn) || (k->ngpfn > 1 && k->gpfn[1] == gpfn)))
            return 1;
    }
    return 0;
}
