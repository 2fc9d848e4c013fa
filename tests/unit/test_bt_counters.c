/* Unit tests: the bt mode's counters and their hypervisor CPUID range
 * (hypervisor/bt/counters.c): the signature leaf, each counter by subleaf,
 * subleaves past the table, the rest of the range zero, leaves outside it
 * refused (out untouched), a NULL table, the names, and the stats line's
 * format with truncation at whole fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bt/counters.h"

#define POISON 0xA5A5A5A5u

static void fill(uint32_t out[4]) { out[0] = out[1] = out[2] = out[3] = POISON; }

static void test_signature(void **state)
{
    (void)state;
    uint32_t out[4];
    fill(out);
    assert_int_equal(bt_cpuid_hv_leaf(NULL, 0, 0x40000000u, 0, out), 1);
    assert_int_equal(out[0], 0x40000001u);
    char sig[12];
    memcpy(sig, &out[1], 4);
    memcpy(sig + 4, &out[2], 4);
    memcpy(sig + 8, &out[3], 4);
    assert_memory_equal(sig, "pv86 bt\0\0\0\0\0", 12);
    uint32_t again[4];
    fill(again);
    assert_int_equal(bt_cpuid_hv_leaf(NULL, 0, 0x40000000u, 77, again), 1);
    assert_memory_equal(out, again, sizeof(out));
}

static void test_counters(void **state)
{
    (void)state;
    uint32_t ctr[BT_NR_COUNTERS];
    for (unsigned i = 0; i < BT_NR_COUNTERS; i++)
        ctr[i] = 1000u + i * 7u;
    ctr[BT_CTR_XLATE_INSNS] = 0xFFFFFFF0u;
    uint32_t out[4];
    for (unsigned i = 0; i < BT_NR_COUNTERS; i++) {
        fill(out);
        assert_int_equal(bt_cpuid_hv_leaf(ctr, BT_NR_COUNTERS, 0x40000001u, i, out), 1);
        assert_int_equal(out[0], ctr[i]);
        assert_int_equal(out[1], 0);
        assert_int_equal(out[2], BT_NR_COUNTERS);
        assert_int_equal(out[3], 0);
    }
    /* past the table, and a subleaf that wraps an index computation */
    uint32_t past[] = { BT_NR_COUNTERS, BT_NR_COUNTERS + 1, 0x80000000u, 0xFFFFFFFFu };
    for (unsigned k = 0; k < 4; k++) {
        fill(out);
        assert_int_equal(bt_cpuid_hv_leaf(ctr, BT_NR_COUNTERS, 0x40000001u, past[k], out), 1);
        assert_int_equal(out[0], 0);
        assert_int_equal(out[2], BT_NR_COUNTERS);
    }
    /* a table smaller than the enum: only its counters */
    fill(out);
    assert_int_equal(bt_cpuid_hv_leaf(ctr, 2, 0x40000001u, 2, out), 1);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[2], 2);
    /* no table */
    fill(out);
    assert_int_equal(bt_cpuid_hv_leaf(NULL, BT_NR_COUNTERS, 0x40000001u, 0, out), 1);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[2], 0);
}

static void test_range(void **state)
{
    (void)state;
    uint32_t ctr[BT_NR_COUNTERS] = { 5 };
    uint32_t out[4];
    uint32_t zero[] = { 0x40000002u, 0x40000010u, 0x400000FFu };
    for (unsigned k = 0; k < 3; k++) {
        fill(out);
        assert_int_equal(bt_cpuid_hv_leaf(ctr, BT_NR_COUNTERS, zero[k], 0, out), 1);
        for (unsigned r = 0; r < 4; r++)
            assert_int_equal(out[r], 0);
    }
    uint32_t outside[] = { 0, 1, 7, 0x3FFFFFFFu, 0x40000100u, 0x80000000u, 0xFFFFFFFFu };
    for (unsigned k = 0; k < 7; k++) {
        fill(out);
        assert_int_equal(bt_cpuid_hv_leaf(ctr, BT_NR_COUNTERS, outside[k], 0, out), 0);
        for (unsigned r = 0; r < 4; r++)
            assert_int_equal(out[r], POISON);
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(bt_counter_name(BT_CTR_BLOCKS), "blocks");
    assert_string_equal(bt_counter_name(BT_CTR_CACHE_BYTES), "cache_bytes");
    assert_string_equal(bt_counter_name(BT_CTR_CALLOUTS), "callouts");
    assert_string_equal(bt_counter_name(BT_CTR_TRAPS), "traps");
    assert_string_equal(bt_counter_name(BT_CTR_XLATE_INSNS), "xlate_insns");
    assert_string_equal(bt_counter_name(BT_CTR_ADAPTIVE), "adaptive");
    for (unsigned i = 0; i < BT_NR_COUNTERS; i++) {
        const char *n = bt_counter_name(i);
        assert_non_null(n);
        for (const char *p = n; *p; p++)         /* the bench line's key syntax */
            assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
    }
    assert_null(bt_counter_name(BT_NR_COUNTERS));
    assert_null(bt_counter_name(0xFFFFFFFFu));
}

static void test_format(void **state)
{
    (void)state;
    uint32_t ctr[BT_NR_COUNTERS] = { 0 };
    ctr[BT_CTR_BLOCKS] = 12;
    ctr[BT_CTR_INSNS] = 345;
    ctr[BT_CTR_ADAPTIVE] = 4000000000u;
    char buf[400];
    bt_counters_format(ctr, BT_NR_COUNTERS, buf, sizeof(buf));
    assert_string_equal(buf, "blocks=12 insns=345 cache_bytes=0 callouts=0 traps=0 "
                             "chain_hits=0 chain_misses=0 xlate_insns=0 invalidations=0 "
                             "flushes=0 adaptive=4000000000");
    char small[24];
    memset(small, 'x', sizeof(small));
    bt_counters_format(ctr, BT_NR_COUNTERS, small, sizeof(small));
    assert_string_equal(small, "blocks=12 insns=345");   /* whole fields only */
    bt_counters_format(ctr, 1, buf, sizeof(buf));
    assert_string_equal(buf, "blocks=12");
    bt_counters_format(NULL, BT_NR_COUNTERS, buf, sizeof(buf));
    assert_string_equal(buf, "");
    buf[0] = 'x';
    bt_counters_format(ctr, BT_NR_COUNTERS, buf, 0);       /* nothing written */
    assert_int_equal(buf[0], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature), cmocka_unit_test(test_counters),
        cmocka_unit_test(test_range), cmocka_unit_test(test_names),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
