/* Unit tests of bt's translation cache (bt/cache.c): get/find and the
 * lookup table, where over the cache (miss stub, blocks, outside),
 * chaining (on an exit's resolution and eagerly at translation) and its
 * undoing, invalidation by guest frame and by guest address (blocks
 * dropped, chains into them undone, lookup entries cleared), the cache
 * full (TC bytes, blocks, instruction maps) -> flushed whole, faults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bt/cache.h"
#include "bt_fake.h"

static struct fake_guest G;
static struct bt_env env;
static struct bt_cache C;
static uint8_t tc[BT_TC_SIZE];
static uint32_t lookup[BT_LOOKUP_ENTRIES];
static uint32_t fault_va;

#define A (GUEST_VA + 0x100u)
#define MISS_STUB BT_TC_VA
#define FIRST_BLOCK (BT_TC_VA + BT_MISS_STUB_LEN)

static int setup(void **state)
{
    (void)state;
    memset(&G, 0x90, sizeof G.mem);
    memset(G.unreadable, 0, sizeof G.unreadable);
    G.nforced = G.nframes = G.fetches = 0;
    env = fake_env(&G);
    memset(tc, 0xAA, sizeof tc);
    memset(lookup, 0x55, sizeof lookup);
    bt_cache_init(&C, tc, BT_TC_VA, BT_TC_SIZE, lookup);
    return 0;
}

static uint32_t get(uint32_t eip)
{
    uint32_t va = 0;
    assert_int_equal(bt_cache_get(&C, &env, eip, &va, &fault_va), BT_GET_OK);
    return va;
}

static struct bt_where where(uint32_t va)
{
    struct bt_where w;
    bt_cache_where(&C, va, &w);
    return w;
}

static void test_init(void **state)
{
    (void)state;
    for (unsigned i = 0; i < BT_LOOKUP_ENTRIES; i++)
        assert_int_equal(lookup[i], MISS_STUB);
    static const uint8_t stub[] = { 0x65, 0x8B, 0x0D, 0x44, 0, 0, 0, 0xCC };
    assert_memory_equal(tc, stub, sizeof stub);
    assert_int_equal(where(MISS_STUB + 7).site, BT_SITE_MISS);
    assert_int_equal(where(MISS_STUB).site, BT_SITE_INSN);
    assert_int_equal(where(MISS_STUB).boundary, 0);
    assert_int_equal(where(MISS_STUB + 8).site, BT_SITE_NONE);   /* nothing there yet */
    assert_int_equal(where(0x1000).site, BT_SITE_NONE);
    assert_int_equal(C.stats.flushes, 0);
    assert_int_equal(C.stats.bytes, BT_MISS_STUB_LEN);
}

static void test_get_find(void **state)
{
    (void)state;
    put_code(&G, A, "90 c3");
    uint32_t va = get(A);
    assert_int_equal(va, FIRST_BLOCK + BT_PROLOGUE_LEN);
    assert_int_equal(bt_cache_find(&C, A), va);
    assert_int_equal(bt_cache_find(&C, A + 1), 0);
    assert_int_equal(C.stats.lookup_misses, 1);
    assert_int_equal(get(A), va);
    assert_int_equal(C.stats.lookup_hits, 1);
    assert_int_equal(C.stats.blocks, 1);
    assert_int_equal(C.stats.insns, 2);
    /* the lookup table points at the block's indirect entry */
    assert_int_equal(lookup[A & BT_LOOKUP_MASK], FIRST_BLOCK);
    assert_int_equal(lookup[(A + 1) & BT_LOOKUP_MASK], MISS_STUB);
    /* the frame it came from was reported */
    assert_int_equal(G.nframes, 1);
    assert_int_equal(G.frames[0], GUEST_GPFN0);
    assert_true(bt_cache_has_gpfn(&C, GUEST_GPFN0));
    assert_false(bt_cache_has_gpfn(&C, GUEST_GPFN0 + 1));
    /* where over it */
    struct bt_where w = where(va);
    assert_int_equal(w.site, BT_SITE_INSN);
    assert_int_equal(w.eip, A);
    assert_int_equal(w.boundary, 1);
    assert_int_equal(w.live, 1);
    w = where(va + 1);
    assert_int_equal(w.eip, A + 1);
    assert_int_equal(w.boundary, 1);
    assert_int_equal(where(FIRST_BLOCK + BT_PROLOGUE_MISS).site, BT_SITE_MISS);
    assert_int_equal(where(BT_TC_VA + C.used).site, BT_SITE_NONE);
    /* a second block follows, 4-aligned */
    put_code(&G, A + 0x40, "c3");
    uint32_t vb = get(A + 0x40);
    assert_true(vb > va);
    assert_int_equal((vb - BT_PROLOGUE_LEN) & 3, 0);
    /* between them: the first block's 61 bytes, then int3 padding */
    assert_int_equal(C.blocks[0].size, BT_PROLOGUE_LEN + 1 + 30);
    for (uint32_t p = FIRST_BLOCK + C.blocks[0].size; p < vb - BT_PROLOGUE_LEN; p++)
        assert_int_equal(tc[p - BT_TC_VA], 0xCC);
    assert_int_equal(vb - BT_PROLOGUE_LEN, FIRST_BLOCK + 64);
    assert_int_equal(where(vb).eip, A + 0x40);
    assert_int_equal(where(va + 1).eip, A + 1);
}

static void test_fault(void **state)
{
    (void)state;
    G.unreadable[2] = 1;
    uint32_t va = 0;
    assert_int_equal(bt_cache_get(&C, &env, GUEST_VA + 0x2000, &va, &fault_va), BT_GET_FAULT);
    assert_int_equal(fault_va, GUEST_VA + 0x2000);
    assert_int_equal(C.nblocks, 0);
    assert_int_equal(C.used, BT_MISS_STUB_LEN);
    /* code running into it ends before it, with an exit there */
    va = get(GUEST_VA + 0x2000 - 2);
    struct bt_where w = where(va + 2);
    assert_int_equal(w.site, BT_SITE_EXIT);
    assert_int_equal(w.eip, GUEST_VA + 0x2000);
}

static void expect_jmp(uint32_t at, uint32_t to)
{
    uint32_t off = at - BT_TC_VA, rel = to - (at + 5);
    assert_int_equal(tc[off], 0xE9);
    assert_int_equal(tc[off + 1] | tc[off + 2] << 8 | tc[off + 3] << 16 | (uint32_t)tc[off + 4] << 24, rel);
}

static void expect_stub(uint32_t at)
{
    for (unsigned i = 0; i < BT_STUB_LEN; i++)
        assert_int_equal(tc[at - BT_TC_VA + i], 0xCC);
}

static void test_chain(void **state)
{
    (void)state;
    put_code(&G, A, "eb 10");                        /* jmp A+0x12 */
    put_code(&G, A + 0x12, "c3");
    uint32_t va = get(A);
    struct bt_where w = where(va);
    assert_int_equal(w.site, BT_SITE_EXIT);
    assert_int_equal(w.eip, A + 0x12);
    assert_int_equal(w.boundary, 1);
    expect_stub(va);
    uint32_t vb = get(A + 0x12);
    assert_int_equal(bt_cache_chain(&C, va, vb + 1), -1);      /* not the target's entry */
    assert_int_equal(bt_cache_chain(&C, va + 1, vb), -1);      /* not an exit */
    assert_int_equal(bt_cache_chain(&C, vb, vb), -1);
    assert_int_equal(bt_cache_chain(&C, 0x1000, vb), -1);
    expect_stub(va);
    assert_int_equal(C.stats.chains, 0);
    assert_int_equal(bt_cache_chain(&C, va, vb), 0);
    expect_jmp(va, vb);
    assert_int_equal(C.stats.chains, 1);
    assert_int_equal(where(va).site, BT_SITE_EXIT);             /* still the exit */
    assert_int_equal(bt_cache_chain(&C, va, vb), 0);            /* again: nothing new */
    assert_int_equal(C.stats.chains, 1);
    /* a block whose target is there already is chained when made */
    put_code(&G, A + 0x20, "75 f0");                             /* jne A+0x12 */
    uint32_t vc = get(A + 0x20);
    assert_int_equal(C.stats.chains, 2);
    expect_stub(vc + 2);                                         /* fall-through: not there */
    expect_jmp(vc + 7, vb);                                      /* taken: chained */
    assert_int_equal(where(vc + 7).eip, A + 0x12);
}

static void test_invalidate_gpfn(void **state)
{
    (void)state;
    uint32_t b = GUEST_VA + 0x1000 + 0x20;                      /* in page 1 */
    put_code(&G, A, "e9 1b 0f 00 00");                           /* jmp b */
    put_code(&G, b, "90 c3");
    uint32_t vb = get(b);
    uint32_t va = get(A);                                       /* chained eagerly */
    expect_jmp(va, vb);
    assert_int_equal(lookup[b & BT_LOOKUP_MASK], vb - BT_PROLOGUE_LEN);
    assert_true(bt_cache_has_gpfn(&C, GUEST_GPFN0 + 1));
    assert_int_equal(bt_cache_invalidate_gpfn(&C, GUEST_GPFN0 + 5), 0);
    assert_int_equal(bt_cache_invalidate_gpfn(&C, GUEST_GPFN0 + 1), 1);
    expect_stub(va);                                             /* unchained */
    assert_int_equal(C.stats.unchains, 1);
    assert_int_equal(C.stats.invalidations, 1);
    assert_int_equal(lookup[b & BT_LOOKUP_MASK], MISS_STUB);     /* lookup cleared */
    assert_int_equal(bt_cache_find(&C, b), 0);
    assert_false(bt_cache_has_gpfn(&C, GUEST_GPFN0 + 1));
    assert_true(bt_cache_has_gpfn(&C, GUEST_GPFN0));
    struct bt_where w = where(vb);                               /* still answered, dead */
    assert_int_equal(w.eip, b);
    assert_int_equal(w.live, 0);
    assert_int_equal(bt_cache_chain(&C, va, vb), -1);            /* not to a dead block */
    /* translated again, elsewhere; chained again */
    uint32_t vb2 = get(b);
    assert_true(vb2 > vb);
    assert_int_equal(bt_cache_chain(&C, va, vb2), 0);
    expect_jmp(va, vb2);
    /* a dead block's exits are not chained any more */
    assert_int_equal(bt_cache_invalidate_gpfn(&C, GUEST_GPFN0), 1);
    assert_int_equal(bt_cache_chain(&C, va, vb2), -1);
    assert_int_equal(where(va).live, 0);
}

static void test_invalidate_crossing(void **state)
{
    (void)state;
    /* a block with an instruction crossing pages 2 -> 3 */
    uint32_t e = GUEST_VA + 0x3000 - 2;
    put_code(&G, e, "b8 11 22 33 44");
    uint32_t v = get(e);
    assert_int_equal(G.nframes, 2);
    assert_int_equal(G.frames[0], GUEST_GPFN0 + 2);
    assert_int_equal(G.frames[1], GUEST_GPFN0 + 3);
    assert_true(bt_cache_has_gpfn(&C, GUEST_GPFN0 + 3));
    assert_int_equal(bt_cache_invalidate_gpfn(&C, GUEST_GPFN0 + 3), 1);
    assert_int_equal(bt_cache_find(&C, e), 0);
    assert_int_equal(where(v).live, 0);
    assert_false(bt_cache_has_gpfn(&C, GUEST_GPFN0 + 2));
}

static void test_invalidate_eip(void **state)
{
    (void)state;
    put_code(&G, A, "90 90 90 c3");
    put_code(&G, A + 0x40, "c3");
    get(A);
    get(A + 2);                                                  /* overlapping: its own block */
    get(A + 0x40);
    assert_int_equal(bt_cache_invalidate_eip(&C, A + 4), 0);     /* past every block */
    assert_int_equal(bt_cache_invalidate_eip(&C, A + 3), 2);     /* the ret is in both */
    assert_int_equal(bt_cache_find(&C, A), 0);
    assert_int_equal(bt_cache_find(&C, A + 2), 0);
    assert_true(bt_cache_find(&C, A + 0x40) != 0);
    assert_int_equal(C.stats.invalidations, 2);
}

/* Translate at successive guest addresses until the cache says full:
 * the number of blocks made. */
static unsigned fill(uint32_t step)
{
    uint32_t va, eip = GUEST_VA;
    for (unsigned n = 0; n < 100000; n++, eip += step) {
        if (eip >= GUEST_VA + GUEST_PAGES * 4096u - 64)
            eip = GUEST_VA + (eip & 0xFFu) + 1;              /* new addresses */
        int r = bt_cache_get(&C, &env, eip, &va, &fault_va);
        if (r == BT_GET_FLUSHED)
            return n;
        assert_int_equal(r, BT_GET_OK);
        assert_true(C.used <= C.tc_size);
        assert_true(C.nblocks <= BT_CACHE_BLOCKS);
        assert_true(C.ninsns <= BT_CACHE_INSNS);
        assert_true(C.nexits <= BT_CACHE_EXITS);
    }
    fail_msg("never full");
    return 0;
}

static void expect_flushed(void)
{
    assert_int_equal(C.stats.flushes, 1);
    assert_int_equal(C.nblocks, 0);
    assert_int_equal(C.used, BT_MISS_STUB_LEN);
    assert_int_equal(bt_cache_find(&C, GUEST_VA), 0);
    for (unsigned i = 0; i < BT_LOOKUP_ENTRIES; i++)
        assert_int_equal(lookup[i], MISS_STUB);
    /* and it works again from the start */
    assert_int_equal(get(GUEST_VA), FIRST_BLOCK + BT_PROLOGUE_LEN);
}

static void test_full_blocks(void **state)
{
    (void)state;
    memset(G.mem, 0xC3, sizeof G.mem);                  /* ret everywhere: 1-insn blocks */
    assert_int_equal(fill(1), BT_CACHE_BLOCKS);
    expect_flushed();
}

static void test_full_insns(void **state)
{
    (void)state;                                         /* nops: 48-insn blocks */
    unsigned n = fill(1);
    assert_int_equal(n, BT_CACHE_INSNS / BT_MAX_INSNS);
    expect_flushed();
}

static void test_full_tc(void **state)
{
    (void)state;
    /* a 64 KiB TC (the instruction maps would be full before 2 MiB) */
    bt_cache_init(&C, tc, BT_TC_VA, 0x10000, lookup);
    memset(G.mem, 0x9C, sizeof G.mem);                   /* pushf: 51 bytes each */
    unsigned n = fill(1);
    unsigned per = (BT_PROLOGUE_LEN + BT_MAX_INSNS * 51u + BT_STUB_LEN + 3u) & ~3u;
    assert_int_equal(n, (0x10000 - BT_BLOCK_MAX - BT_MISS_STUB_LEN) / per + 1u);
    assert_int_equal(tc[0x10000], 0xAA);                 /* nothing written past it */
    expect_flushed();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_init, setup),
        cmocka_unit_test_setup(test_get_find, setup),
        cmocka_unit_test_setup(test_fault, setup),
        cmocka_unit_test_setup(test_chain, setup),
        cmocka_unit_test_setup(test_invalidate_gpfn, setup),
        cmocka_unit_test_setup(test_invalidate_crossing, setup),
        cmocka_unit_test_setup(test_invalidate_eip, setup),
        cmocka_unit_test_setup(test_full_blocks, setup),
        cmocka_unit_test_setup(test_full_insns, setup),
        cmocka_unit_test_setup(test_full_tc, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
