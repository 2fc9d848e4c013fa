/* Unit tests: bt's self-modifying code bookkeeping (hypervisor/bt/smc.c)
 * against a fake shadow layer and cache: a frame is protected at its
 * first translation only, a write trap drops the frame's translations and
 * unprotects it, the frame is protected again when translated again, the
 * bitmap of translated bytes (overlap exact to the byte), frames without
 * a bitmap, the frame table full (overflow: every frame counts as code),
 * deletion keeping the others findable, the hot site retranslated once
 * (its own frame dropped), and the report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bt/smc.h"
#include "bt/translate.h"

/* the fake: what was asked, in order */
static struct fake {
    char log[64][24];
    unsigned n;
} f;

static void logf_(const char *what, uint32_t gpfn)
{
    if (f.n < 64)
        snprintf(f.log[f.n], sizeof(f.log[0]), "%s %#x", what, (unsigned)gpfn);
    f.n++;
}
static void fake_protect(void *ctx, uint32_t gpfn) { assert_ptr_equal(ctx, &f); logf_("protect", gpfn); }
static void fake_unprotect(void *ctx, uint32_t gpfn) { assert_ptr_equal(ctx, &f); logf_("unprotect", gpfn); }
static void fake_invalidate(void *ctx, uint32_t gpfn) { assert_ptr_equal(ctx, &f); logf_("invalidate", gpfn); }
static void fake_invalidate_eip(void *ctx, uint32_t eip) { assert_ptr_equal(ctx, &f); logf_("retranslate", eip); }

static const struct bt_smc_ops ops = { &f, fake_protect, fake_unprotect, fake_invalidate,
                                       fake_invalidate_eip };
static struct bt_smc s;

static int setup(void **state)
{
    (void)state;
    memset(&f, 0, sizeof(f));
    bt_smc_init(&s, &ops);
    return 0;
}

static void expect_log(const char *const *want, unsigned n)
{
    assert_int_equal(f.n, n);
    assert_true(n <= 64);
    for (unsigned i = 0; i < n; i++)
        assert_string_equal(f.log[i], want[i]);
    f.n = 0;
}

static void protect_once(void **state)
{
    (void)state;
    assert_false(bt_smc_has_code(&s, 0x100));
    bt_smc_code(&s, 0x100, 0x10, 5);
    bt_smc_code(&s, 0x100, 0x15, 3);
    bt_smc_code(&s, 0x101, 0, 2);
    static const char *const want[] = { "protect 0x100", "protect 0x101" };
    expect_log(want, 2);
    assert_true(bt_smc_has_code(&s, 0x100));
    assert_true(bt_smc_has_code(&s, 0x101));
    assert_false(bt_smc_has_code(&s, 0x102));
    assert_int_equal(s.frames, 2);
    assert_int_equal(s.protected_frames, 2);
}

static void overlap_exact(void **state)
{
    (void)state;
    bt_smc_code(&s, 0x200, 0x10, 5);              /* bytes 0x10-0x14 */
    bt_smc_code(&s, 0x200, 0xFFE, 40);            /* clipped: 0xFFE, 0xFFF */
    assert_false(bt_smc_overlaps(&s, 0x200, 0x0C, 4));   /* 0x0C-0x0F */
    assert_true(bt_smc_overlaps(&s, 0x200, 0x0D, 4));    /* 0x10 */
    assert_true(bt_smc_overlaps(&s, 0x200, 0x14, 1));
    assert_false(bt_smc_overlaps(&s, 0x200, 0x15, 4));
    assert_false(bt_smc_overlaps(&s, 0x200, 0xFF0, 0xE));
    assert_true(bt_smc_overlaps(&s, 0x200, 0xFFF, 1));
    assert_false(bt_smc_overlaps(&s, 0x200, 0x1000, 4));  /* outside the page */
    assert_false(bt_smc_overlaps(&s, 0x201, 0, 4096));    /* no translations */
    /* nothing to do with an empty range */
    bt_smc_code(&s, 0x300, 0, 0);
    bt_smc_code(&s, 0x300, 4096, 1);
    assert_false(bt_smc_has_code(&s, 0x300));
}

static void insn_split(void **state)
{
    (void)state;
    const uint32_t g[2] = { 0x700, 0x333 };       /* not contiguous: frames, not pages */
    /* a block at 0xC0100FF0; an instruction 0xC0100FFD-0xC0101002 */
    bt_smc_insn(&s, 0xC0100FF0u, g, 2, 0xC0100FF0u, 3);
    bt_smc_insn(&s, 0xC0100FF0u, g, 2, 0xC0100FFDu, 6);
    static const char *const want[] = { "protect 0x700", "protect 0x333" };
    expect_log(want, 2);
    assert_true(bt_smc_overlaps(&s, 0x700, 0xFF0, 3));
    assert_false(bt_smc_overlaps(&s, 0x700, 0xFF3, 10));
    assert_true(bt_smc_overlaps(&s, 0x700, 0xFFD, 1));
    assert_true(bt_smc_overlaps(&s, 0x700, 0xFFF, 1));
    assert_true(bt_smc_overlaps(&s, 0x333, 0x0, 1));
    assert_true(bt_smc_overlaps(&s, 0x333, 0x2, 1));
    assert_false(bt_smc_overlaps(&s, 0x333, 0x3, 100));
    /* a one-frame block: bytes past its page are ignored */
    bt_smc_insn(&s, 0xC0200FF0u, (const uint32_t[2]){ 0x800, 0 }, 1, 0xC0200FFEu, 4);
    assert_true(bt_smc_overlaps(&s, 0x800, 0xFFE, 2));
    assert_false(bt_smc_has_code(&s, 0));
    assert_int_equal(s.frames, 3);
}

static void block(void **state)
{
    (void)state;
    /* a block at 0xC0101FF8: 5 + 3 bytes in its first page, then 4 in the next */
    struct bt_block_out b = { .eip = 0xC0101FF8u, .gpfn = { 0x42, 0x17 }, .ngpfn = 2,
                              .ninsns = 3 };
    b.insns[0] = (struct bt_insn_map){ .eip_off = 0, .len = 5 };
    b.insns[1] = (struct bt_insn_map){ .eip_off = 5, .len = 3 };
    b.insns[2] = (struct bt_insn_map){ .eip_off = 8, .len = 4 };
    bt_smc_block(&s, &b);
    static const char *const want[] = { "protect 0x42", "protect 0x17" };
    expect_log(want, 2);
    assert_true(bt_smc_overlaps(&s, 0x42, 0xFF8, 1));
    assert_true(bt_smc_overlaps(&s, 0x42, 0xFFF, 1));
    assert_false(bt_smc_overlaps(&s, 0x42, 0, 0xFF8));
    assert_true(bt_smc_overlaps(&s, 0x17, 3, 1));
    assert_false(bt_smc_overlaps(&s, 0x17, 4, 0xFFC));
}

static void write_trap_drops(void **state)
{
    (void)state;
    bt_smc_code(&s, 0x100, 0x10, 5);
    bt_smc_code(&s, 0x180, 0x10, 5);
    f.n = 0;
    assert_int_equal(bt_smc_write_trap(&s, 0xC0180010u, 1, 0x100), 0);
    static const char *const want[] = { "invalidate 0x100", "unprotect 0x100" };
    expect_log(want, 2);
    assert_false(bt_smc_has_code(&s, 0x100));
    assert_true(bt_smc_has_code(&s, 0x180));
    assert_int_equal(s.write_traps, 1);
    assert_int_equal(s.invalidations, 1);
    /* translated again: protected again, with a fresh bitmap */
    bt_smc_code(&s, 0x100, 0x800, 1);
    static const char *const again[] = { "protect 0x100" };
    expect_log(again, 1);
    assert_false(bt_smc_overlaps(&s, 0x100, 0x10, 5));
    assert_true(bt_smc_overlaps(&s, 0x100, 0x800, 1));
    assert_int_equal(s.protected_frames, 3);
}

static void hot_site(void **state)
{
    (void)state;
    const uint32_t eip = 0xC0180010u;          /* in frame 0x180 */
    for (unsigned i = 1; i <= BT_ADAPT_HOT; i++) {
        bt_smc_code(&s, 0x100, 0x10, 5);          /* the code on the data's page */
        bt_smc_code(&s, 0x180, 0x10, 5);          /* the store's own */
        f.n = 0;
        int hot = bt_smc_write_trap(&s, eip, 1, 0x100);
        if (i < BT_ADAPT_HOT) {
            assert_int_equal(hot, 0);
            assert_false(bt_smc_force_callout(&s, eip));
            static const char *const want[] = { "invalidate 0x100", "unprotect 0x100" };
            expect_log(want, 2);
        } else {
            assert_int_equal(hot, 1);
            static const char *const want[] = { "invalidate 0x100", "unprotect 0x100",
                                                "retranslate 0xc0180010" };
            expect_log(want, 3);
            assert_true(bt_smc_has_code(&s, 0x180));      /* the store's frame kept */
        }
    }
    assert_true(bt_smc_force_callout(&s, eip));
    assert_false(bt_smc_force_callout(&s, eip + 1));
    /* once: a later trap there (a translation made before) is only counted */
    bt_smc_code(&s, 0x100, 0x10, 5);
    f.n = 0;
    assert_int_equal(bt_smc_write_trap(&s, eip, 1, 0x100), 0);
    assert_int_equal(f.n, 2);
    assert_int_equal(bt_adapt_find(&s.adapt, eip)->traps, BT_ADAPT_HOT + 1);
    /* a store on its own frame's code */
    const uint32_t eip2 = 0xC0100020u;
    for (unsigned i = 1; i <= BT_ADAPT_HOT; i++) {
        bt_smc_code(&s, 0x100, 0x10, 5);
        f.n = 0;
        assert_int_equal(bt_smc_write_trap(&s, eip2, 1, 0x100), i == BT_ADAPT_HOT);
        assert_int_equal(f.n, i == BT_ADAPT_HOT ? 3 : 2);
    }
    /* a site the callout cannot emulate is never forced */
    const uint32_t eip3 = 0xC0100030u;
    for (unsigned i = 0; i < 2 * BT_ADAPT_HOT; i++)
        assert_int_equal(bt_smc_write_trap(&s, eip3, 0, 0x100), 0);
    assert_false(bt_smc_force_callout(&s, eip3));
}

static void user_and_hv_writes(void **state)
{
    (void)state;
    bt_smc_code(&s, 0x100, 0x10, 5);
    f.n = 0;
    /* the hypervisor's store beside the code: kept; over it: dropped */
    assert_int_equal(bt_smc_hv_write(&s, 0x100, 0x0, 0x10), 1);
    assert_int_equal(f.n, 0);
    assert_int_equal(bt_smc_hv_write(&s, 0x100, 0x14, 4), 1);
    static const char *const want[] = { "invalidate 0x100", "unprotect 0x100" };
    expect_log(want, 2);
    assert_int_equal(s.callout_invalidations, 1);
    assert_int_equal(bt_smc_hv_write(&s, 0x100, 0x14, 4), 0);   /* no code now */
    assert_int_equal(f.n, 0);
    /* ring 3's store: dropped, no site counted */
    bt_smc_code(&s, 0x100, 0x10, 5);
    f.n = 0;
    bt_smc_user_write(&s, 0x100);
    expect_log(want, 2);
    assert_int_equal(s.write_traps, 1);
    assert_int_equal(s.adapt.traps, 0);
}

static void maps_run_out(void **state)
{
    (void)state;
    /* the first BT_SMC_MAPS frames get a bitmap, the next ones count as
     * translated through */
    for (uint32_t g = 0; g < BT_SMC_MAPS + 3; g++)
        bt_smc_code(&s, 0x1000 + g, 0x10, 1);
    assert_false(bt_smc_overlaps(&s, 0x1000, 0x20, 1));
    assert_false(bt_smc_overlaps(&s, 0x1000 + BT_SMC_MAPS - 1, 0x20, 1));
    assert_true(bt_smc_overlaps(&s, 0x1000 + BT_SMC_MAPS, 0x20, 1));
    assert_true(bt_smc_overlaps(&s, 0x1000 + BT_SMC_MAPS + 2, 0xFFF, 1));
    /* a frame dropped gives its bitmap back */
    bt_smc_drop(&s, 0x1005);
    bt_smc_code(&s, 0x5000, 0x10, 1);
    assert_false(bt_smc_overlaps(&s, 0x5000, 0x20, 1));
    assert_true(bt_smc_overlaps(&s, 0x5000, 0x10, 1));
}

static void table_full(void **state)
{
    (void)state;
    /* frames chosen to collide and wrap: the table stays consistent
     * through deletions (backward shift) */
    for (uint32_t g = 0; g < BT_SMC_FRAMES; g++)
        bt_smc_code(&s, 0x40000 + g * 7, 0, 1);
    assert_int_equal(s.frames, BT_SMC_FRAMES);
    assert_false(s.overflow);
    assert_int_equal(f.n, BT_SMC_FRAMES);          /* each protected once */
    for (uint32_t g = 0; g < BT_SMC_FRAMES; g += 3)
        bt_smc_drop(&s, 0x40000 + g * 7);
    for (uint32_t g = 0; g < BT_SMC_FRAMES; g++)
        assert_int_equal(bt_smc_has_code(&s, 0x40000 + g * 7), g % 3 != 0);
    assert_false(bt_smc_has_code(&s, 0x40001));
    for (uint32_t g = 0; g < BT_SMC_FRAMES; g += 3)
        bt_smc_code(&s, 0x40000 + g * 7, 0, 1);
    assert_int_equal(s.frames, BT_SMC_FRAMES);
    /* one more: protected, untracked, and from now on every frame counts
     * as having translations */
    f.n = 0;
    bt_smc_code(&s, 0x90000, 0x10, 1);
    static const char *const want[] = { "protect 0x90000" };
    expect_log(want, 1);
    assert_true(s.overflow);
    assert_true(bt_smc_has_code(&s, 0x90001));
    assert_true(bt_smc_overlaps(&s, 0x90001, 0x800, 1));
    /* the cache flushed whole: nothing has translations, precision back */
    bt_smc_flushed(&s);
    assert_false(s.overflow);
    assert_int_equal(s.frames, 0);
    assert_false(bt_smc_has_code(&s, 0x40007));
    assert_false(bt_smc_has_code(&s, 0x90001));
    /* a write trap on a frame forgotten at the flush still unprotects it */
    f.n = 0;
    bt_smc_write_trap(&s, 0xC0100000u, 1, 0x40007);
    static const char *const want2[] = { "invalidate 0x40007", "unprotect 0x40007" };
    expect_log(want2, 2);
    /* and the frame table works from empty again */
    bt_smc_code(&s, 0x40007, 0x10, 2);
    assert_true(bt_smc_overlaps(&s, 0x40007, 0x11, 1));
    assert_false(bt_smc_overlaps(&s, 0x40007, 0x12, 1));
}

/* n frames (from `from` up) whose home slot is h */
static void at_home(unsigned h, uint32_t from, uint32_t *g, unsigned n)
{
    for (uint32_t x = from, got = 0; got < n; x++)
        if (bt_smc_home(x) == h)
            g[got++] = x;
}

static void collisions(void **state)
{
    (void)state;
    /* a chain across the table's end: 4 frames at the last slot, 2 at
     * slot 0 (pushed to 3, 4), 1 at slot 2 (pushed to 5) */
    uint32_t a[4], b[2], c[1];
    at_home(BT_SMC_SLOTS - 1, 0x10000, a, 4);
    at_home(0, 0x10000, b, 2);
    at_home(2, 0x10000, c, 1);
    uint32_t all[7] = { a[0], a[1], a[2], a[3], b[0], b[1], c[0] };
    for (unsigned i = 0; i < 7; i++)
        bt_smc_code(&s, all[i], i, 1);
    /* drop them in an order that leaves holes inside the chain each time */
    static const unsigned order[7] = { 1, 4, 0, 6, 2, 5, 3 };
    int gone[7] = { 0 };
    for (unsigned k = 0; k < 7; k++) {
        bt_smc_drop(&s, all[order[k]]);
        gone[order[k]] = 1;
        for (unsigned i = 0; i < 7; i++) {
            assert_int_equal(bt_smc_has_code(&s, all[i]), !gone[i]);
            if (!gone[i]) {
                assert_true(bt_smc_overlaps(&s, all[i], i, 1));
                assert_false(bt_smc_overlaps(&s, all[i], i + 1, 1));
            }
        }
        assert_int_equal(s.frames, 6 - k);
    }
}

static char lines[16][200];
static unsigned nlines;
static void out(void *ctx, const char *line)
{
    (void)ctx;
    assert_true(nlines < 16);
    strcpy(lines[nlines++], line);
}

static void report(void **state)
{
    (void)state;
    bt_smc_code(&s, 0x100, 0x10, 5);
    bt_smc_write_trap(&s, 0xC0100010u, 1, 0x100);
    nlines = 0;
    assert_int_equal(bt_smc_report(&s, 2, out, NULL), 2);
    assert_string_equal(lines[0],
        "d2 bt self-modifying code: 1 frames protected, 1 stores trapped, 1 frames' "
        "translations dropped; 0 stores emulated by callouts; 0 hypervisor stores over "
        "translated bytes");
    assert_string_equal(lines[1],
        "d2 bt adaptive: 0 sites retranslated as callouts (at 8 traps), 0 kept (no callout "
        "for them); 1 traps counted at 1 sites, 0 sites evicted, 0 traps uncounted");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(protect_once, setup),
        cmocka_unit_test_setup(overlap_exact, setup),
        cmocka_unit_test_setup(insn_split, setup),
        cmocka_unit_test_setup(block, setup),
        cmocka_unit_test_setup(write_trap_drops, setup),
        cmocka_unit_test_setup(hot_site, setup),
        cmocka_unit_test_setup(user_and_hv_writes, setup),
        cmocka_unit_test_setup(maps_run_out, setup),
        cmocka_unit_test_setup(table_full, setup),
        cmocka_unit_test_setup(collisions, setup),
        cmocka_unit_test_setup(report, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
