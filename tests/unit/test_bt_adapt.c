/* Unit tests: bt's adaptive translation counters (hypervisor/bt/adapt.c):
 * the threshold exactly, one retranslation per site, sites the callout
 * cannot emulate, callouts and what they avoided, the estimate of what
 * was saved, the table's bounded window (eviction of the coldest site,
 * traps uncounted when only retranslated sites are left) and the bounded,
 * sorted report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bt/adapt.h"

static struct bt_adapt a;

static char lines[16][200];
static unsigned nlines;

static void out(void *ctx, const char *line)
{
    assert_ptr_equal(ctx, &nlines);
    assert_true(nlines < 16);
    assert_true(strlen(line) < sizeof(lines[0]));
    strcpy(lines[nlines++], line);
}

static unsigned report(void)
{
    nlines = 0;
    unsigned n = bt_adapt_report(&a, 3, out, &nlines);
    assert_int_equal(n, nlines);
    return n;
}

/* n guest EIPs (from 0xC0100000 up) whose windows start at the same slot. */
static void same_window(uint32_t *eip, unsigned n)
{
    unsigned home = bt_adapt_home(0xC0100000u), got = 0;
    for (uint32_t e = 0xC0100000u; got < n; e++)
        if (bt_adapt_home(e) == home)
            eip[got++] = e;
}

static void hot(uint32_t eip)
{
    for (unsigned i = 0; i < BT_ADAPT_HOT; i++)
        bt_adapt_trap(&a, eip, 1);
}

static void threshold_exact(void **state)
{
    (void)state;
    bt_adapt_init(&a);
    for (unsigned i = 1; i < BT_ADAPT_HOT; i++) {
        assert_int_equal(bt_adapt_trap(&a, 0xC0101234u, 1), BT_ADAPT_COUNTED);
        assert_false(bt_adapt_is_hot(&a, 0xC0101234u));
    }
    assert_int_equal(bt_adapt_trap(&a, 0xC0101234u, 1), BT_ADAPT_RETRANSLATE);
    assert_true(bt_adapt_is_hot(&a, 0xC0101234u));
    /* once: later traps (the retranslation not yet run) are only counted */
    for (unsigned i = 0; i < 20; i++)
        assert_int_equal(bt_adapt_trap(&a, 0xC0101234u, 1), BT_ADAPT_COUNTED);
    const struct bt_adapt_site *s = bt_adapt_find(&a, 0xC0101234u);
    assert_non_null(s);
    assert_int_equal(s->traps, BT_ADAPT_HOT + 20);
    assert_int_equal(a.hot_sites, 1);
    assert_int_equal(a.traps, BT_ADAPT_HOT + 20);
    assert_int_equal(a.sites, 1);
    /* another site is counted apart */
    assert_int_equal(bt_adapt_trap(&a, 0xC0101235u, 1), BT_ADAPT_COUNTED);
    assert_false(bt_adapt_is_hot(&a, 0xC0101235u));
    assert_int_equal(bt_adapt_find(&a, 0xC0101235u)->traps, 1);
    assert_null(bt_adapt_find(&a, 0xC0109999u));
    assert_false(bt_adapt_is_hot(&a, 0xC0109999u));
}

static void refused_site(void **state)
{
    (void)state;
    bt_adapt_init(&a);
    for (unsigned i = 0; i < 3 * BT_ADAPT_HOT; i++)
        assert_int_equal(bt_adapt_trap(&a, 0xC0100010u, 0), BT_ADAPT_COUNTED);
    assert_false(bt_adapt_is_hot(&a, 0xC0100010u));
    const struct bt_adapt_site *s = bt_adapt_find(&a, 0xC0100010u);
    assert_int_equal(s->traps, 3 * BT_ADAPT_HOT);
    assert_true(s->refused);
    assert_int_equal(a.hot_sites, 0);
    /* refused for good, even if it could be a callout later */
    assert_int_equal(bt_adapt_trap(&a, 0xC0100010u, 1), BT_ADAPT_COUNTED);
    assert_false(bt_adapt_is_hot(&a, 0xC0100010u));
}

static void callouts_and_saved(void **state)
{
    (void)state;
    bt_adapt_init(&a);
    bt_adapt_callout(&a, 0xC0100020u, 1);          /* not a site: ignored */
    assert_null(bt_adapt_find(&a, 0xC0100020u));
    bt_adapt_trap(&a, 0xC0100020u, 1);
    bt_adapt_callout(&a, 0xC0100020u, 1);          /* not hot: ignored */
    assert_int_equal(bt_adapt_find(&a, 0xC0100020u)->callouts, 0);
    for (unsigned i = 1; i < BT_ADAPT_HOT; i++)
        bt_adapt_trap(&a, 0xC0100020u, 1);
    for (unsigned i = 0; i < 10; i++)
        bt_adapt_callout(&a, 0xC0100020u, i < 7);
    const struct bt_adapt_site *s = bt_adapt_find(&a, 0xC0100020u);
    assert_int_equal(s->callouts, 10);
    assert_int_equal(s->avoided, 7);
    assert_int_equal(bt_adapt_saved(&a), 0);       /* nothing measured */
    bt_adapt_trap_cost(&a, 5000);
    bt_adapt_trap_cost(&a, 7000);                  /* mean 6000 */
    bt_adapt_callout_cost(&a, 900);
    bt_adapt_callout_cost(&a, 1100);               /* mean 1000 */
    bt_adapt_callout_cost(&a, 1000);
    assert_int_equal(bt_adapt_saved(&a), 7 * 6000 - 10 * 1000);
    /* callouts that avoid nothing cost: a negative saving */
    for (unsigned i = 0; i < 40; i++)
        bt_adapt_callout(&a, 0xC0100020u, 0);
    assert_int_equal(bt_adapt_saved(&a), 7 * 6000 - 50 * 1000);
    /* absurd samples are refused, not summed */
    bt_adapt_trap_cost(&a, 1ull << 50);
    assert_int_equal(a.trap_samples, 2);
}

static void window_full(void **state)
{
    (void)state;
    uint32_t e[BT_ADAPT_PROBE + 2];
    same_window(e, BT_ADAPT_PROBE + 2);
    bt_adapt_init(&a);
    /* site i traps 2 + i % 5 times (never hot), but site 9 once: the coldest */
    for (unsigned i = 0; i < BT_ADAPT_PROBE; i++)
        for (unsigned k = 0; k < (i == 9 ? 1 : 2 + i % 5); k++)
            bt_adapt_trap(&a, e[i], 1);
    assert_int_equal(a.sites, BT_ADAPT_PROBE);
    for (unsigned i = 0; i < BT_ADAPT_PROBE; i++)
        assert_non_null(bt_adapt_find(&a, e[i]));
    bt_adapt_trap(&a, e[BT_ADAPT_PROBE], 1);
    assert_int_equal(a.evicted, 1);
    assert_null(bt_adapt_find(&a, e[9]));
    assert_int_equal(bt_adapt_find(&a, e[BT_ADAPT_PROBE])->traps, 1);
    /* now the newcomer is the coldest (1 trap, the others 2 or more) */
    bt_adapt_trap(&a, e[BT_ADAPT_PROBE + 1], 1);
    assert_int_equal(a.evicted, 2);
    assert_null(bt_adapt_find(&a, e[BT_ADAPT_PROBE]));
    assert_int_equal(bt_adapt_find(&a, e[BT_ADAPT_PROBE + 1])->traps, 1);
    for (unsigned i = 0; i < BT_ADAPT_PROBE; i++)
        if (i != 9)
            assert_int_equal(bt_adapt_find(&a, e[i])->traps, 2 + i % 5);
    /* the evicted site starts from zero when it comes back */
    bt_adapt_trap(&a, e[9], 1);
    assert_int_equal(bt_adapt_find(&a, e[9])->traps, 1);
    assert_int_equal(a.evicted, 3);
    assert_int_equal(a.sites, BT_ADAPT_PROBE);

    /* every site of the window hot: a new site is not counted, and no hot
     * site is lost */
    bt_adapt_init(&a);
    for (unsigned i = 0; i < BT_ADAPT_PROBE; i++)
        hot(e[i]);
    assert_int_equal(a.hot_sites, BT_ADAPT_PROBE);
    assert_int_equal(bt_adapt_trap(&a, e[BT_ADAPT_PROBE], 1), BT_ADAPT_COUNTED);
    assert_int_equal(a.uncounted, 1);
    assert_int_equal(a.evicted, 0);
    assert_null(bt_adapt_find(&a, e[BT_ADAPT_PROBE]));
    for (unsigned i = 0; i < BT_ADAPT_PROBE; i++)
        assert_true(bt_adapt_is_hot(&a, e[i]));
    assert_int_equal(a.traps, BT_ADAPT_PROBE * BT_ADAPT_HOT);
}

static void whole_table(void **state)
{
    (void)state;
    /* many more sites than slots: bounded, every lookup terminates, hot
     * sites stay */
    bt_adapt_init(&a);
    hot(0xC0100000u);
    for (uint32_t e = 0xC0200000u; e < 0xC0200000u + 4 * BT_ADAPT_SLOTS; e++)
        bt_adapt_trap(&a, e, 1);
    assert_true(a.sites <= BT_ADAPT_SLOTS);
    assert_true(bt_adapt_is_hot(&a, 0xC0100000u));
    assert_int_equal(a.traps + a.uncounted, BT_ADAPT_HOT + 4 * BT_ADAPT_SLOTS);
    assert_int_equal(a.sites + a.evicted, 1 + 4 * BT_ADAPT_SLOTS - a.uncounted);
}

static void report_empty(void **state)
{
    (void)state;
    bt_adapt_init(&a);
    assert_int_equal(report(), 0);
    /* cold sites only: the summary */
    bt_adapt_trap(&a, 0xC0100000u, 1);
    assert_int_equal(report(), 1);
    assert_string_equal(lines[0],
        "d3 bt adaptive: 0 sites retranslated as callouts (at 8 traps), 0 kept (no callout "
        "for them); 1 traps counted at 1 sites, 0 sites evicted, 0 traps uncounted");
}

static void report_sorted_bounded(void **state)
{
    (void)state;
    bt_adapt_init(&a);
    /* 11 hot sites: site k traps 8 + k times and takes 3 * k callouts, so
     * weight 8 + 4k; site 5's weight equals site 4b's (two at 28) */
    for (unsigned k = 0; k < 10; k++) {
        uint32_t e = 0xC0100000u + 0x10 * k;
        for (unsigned t = 0; t < BT_ADAPT_HOT + k; t++)
            bt_adapt_trap(&a, e, 1);
        for (unsigned c = 0; c < 3 * k; c++)
            bt_adapt_callout(&a, e, c & 1);
    }
    for (unsigned t = 0; t < 28; t++)
        bt_adapt_trap(&a, 0xC0100001u, 1);        /* weight 28 = site 5's, eip lower */
    for (unsigned t = 0; t < 9; t++)
        bt_adapt_trap(&a, 0xC0100002u, 0);        /* refused, weight 9 */
    bt_adapt_trap_cost(&a, 3000);
    bt_adapt_callout_cost(&a, 400);
    assert_int_equal(report(), 2 + BT_ADAPT_LINES + 1);
    assert_string_equal(lines[0],
        "d3 bt adaptive: 11 sites retranslated as callouts (at 8 traps), 1 kept (no callout "
        "for them); 162 traps counted at 12 sites, 0 sites evicted, 0 traps uncounted");
    /* avoided: sum over k of floor(3k/2) = 0+1+3+4+6+7+9+10+12+13 = 65;
     * callouts 3 * 45 = 135 */
    assert_string_equal(lines[1],
        "d3 bt adaptive: a trap cost 3000, a callout 400 (rdtsc, 1 and 1 measured): "
        "saved 141000");
    assert_int_equal(bt_adapt_saved(&a), 65 * 3000 - 135 * 400);
    assert_string_equal(lines[2],
        "d3 bt adaptive: at eip 0xc0100090: 17 traps before, 27 callouts after "
        "(13 would have trapped)");
    assert_string_equal(lines[3],
        "d3 bt adaptive: at eip 0xc0100080: 16 traps before, 24 callouts after "
        "(12 would have trapped)");
    assert_string_equal(lines[6],
        "d3 bt adaptive: at eip 0xc0100001: 28 traps before, 0 callouts after "
        "(0 would have trapped)");
    assert_string_equal(lines[7],
        "d3 bt adaptive: at eip 0xc0100050: 13 traps before, 15 callouts after "
        "(7 would have trapped)");
    assert_string_equal(lines[8],
        "d3 bt adaptive: at eip 0xc0100040: 12 traps before, 12 callouts after "
        "(6 would have trapped)");
    assert_string_equal(lines[9],
        "d3 bt adaptive: at eip 0xc0100030: 11 traps before, 9 callouts after "
        "(4 would have trapped)");
    /* left out: sites 2, 1, 0 and the refused one */
    assert_string_equal(lines[10], "d3 bt adaptive: 4 more sites not listed");

    /* the refused site is named when it is among the hottest */
    bt_adapt_init(&a);
    for (unsigned t = 0; t < 9; t++)
        bt_adapt_trap(&a, 0xC0100002u, 0);
    hot(0xC0100100u);
    assert_int_equal(report(), 4);
    assert_string_equal(lines[2], "d3 bt adaptive: at eip 0xc0100002: 9 traps, kept (no callout for it)");
    assert_string_equal(lines[3],
        "d3 bt adaptive: at eip 0xc0100100: 8 traps before, 0 callouts after "
        "(0 would have trapped)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threshold_exact),
        cmocka_unit_test(refused_site),
        cmocka_unit_test(callouts_and_saved),
        cmocka_unit_test(window_full),
        cmocka_unit_test(whole_table),
        cmocka_unit_test(report_empty),
        cmocka_unit_test(report_sorted_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
