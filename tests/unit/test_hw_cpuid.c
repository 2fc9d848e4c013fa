/* Unit tests: the hw mode's hypervisor CPUID range (hypervisor/hw/cpuid_leaves.c):
 * the signature leaf, the exit-counter leaf (count, total, codes counted one
 * by one, next nonzero code) on a table laid out as the hw mode's (codes
 * 0..N-1, then NPF, then entries that only count towards the total), the
 * rest of the range zero, and leaves outside it refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hw/cpuid_leaves.h"

#define POISON 0xA5A5A5A5u

static void fill(uint32_t out[4]) { out[0] = out[1] = out[2] = out[3] = POISON; }

static void test_signature(void **state)
{
    (void)state;
    uint32_t out[4];
    fill(out);
    assert_int_equal(hw_cpuid_hv_leaf(NULL, 0, 0, 0x40000000u, 0, out), 1);
    assert_int_equal(out[0], 0x40000001u);
    char sig[13];
    memcpy(sig, &out[1], 4);
    memcpy(sig + 4, &out[2], 4);
    memcpy(sig + 8, &out[3], 4);
    sig[12] = 0;
    assert_string_equal(sig, "pv86 hw");
    assert_memory_equal(sig, "pv86 hw\0\0\0\0\0", 12);
    /* the subleaf does not matter */
    uint32_t again[4];
    fill(again);
    assert_int_equal(hw_cpuid_hv_leaf(NULL, 0, 0, 0x40000000u, 0x1234u, again), 1);
    assert_memory_equal(out, again, sizeof(out));
}

static void test_counts(void **state)
{
    (void)state;
    enum { NCODES = 0x8E, NPF = NCODES, INVALID, OTHER, NR };
    uint32_t counts[NR] = { 0 };
    counts[0x00] = 3;        /* CR0 read */
    counts[0x72] = 10;       /* CPUID */
    counts[0x7b] = 7;        /* IOIO */
    counts[NPF] = 2;
    counts[OTHER] = 100;     /* in the total, never by itself */
    const unsigned nr = NR, ncodes = NCODES;
    uint32_t out[4];

    fill(out);
    assert_int_equal(hw_cpuid_hv_leaf(counts, nr, ncodes, 0x40000001u, 0, out), 1);
    assert_int_equal(out[0], 3);
    assert_int_equal(out[1], 122);
    assert_int_equal(out[2], ncodes);
    assert_int_equal(out[3], 0x72);

    /* a walk over the codes that occurred: 0, 0x72, 0x7b, 0x400, end */
    static const uint32_t walk[][3] = {    /* code, count, next */
        { 0x72, 10, 0x7b }, { 0x7b, 7, 0x400 }, { 0x400, 2, HW_CPUID_NO_NEXT },
    };
    for (unsigned i = 0; i < 3; i++) {
        fill(out);
        assert_int_equal(hw_cpuid_hv_leaf(counts, nr, ncodes, 0x40000001u, walk[i][0], out), 1);
        assert_int_equal(out[0], walk[i][1]);
        assert_int_equal(out[1], 122);
        assert_int_equal(out[3], walk[i][2]);
    }
    /* a code with no exit, between two that have some: 0, next above it */
    fill(out);
    hw_cpuid_hv_leaf(counts, nr, ncodes, 0x40000001u, 0x73, out);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[3], 0x7b);
    /* the table's other entries are not codes: 0x8E-0x90 are codes the
     * table does not count alone (RDPRU, ...), not NPF or the others */
    for (uint32_t c = NCODES; c < NCODES + 3; c++) {
        fill(out);
        hw_cpuid_hv_leaf(counts, nr, ncodes, 0x40000001u, c, out);
        assert_int_equal(out[0], 0);
        assert_int_equal(out[3], 0x400);
    }
    /* past NPF, and the largest subleaves: count 0, no next, no read */
    static const uint32_t past[] = { 0x401, 0x1000, 0xFFFFFFFEu, 0xFFFFFFFFu };
    for (unsigned i = 0; i < 4; i++) {
        fill(out);
        assert_int_equal(hw_cpuid_hv_leaf(counts, nr, ncodes, 0x40000001u, past[i], out), 1);
        assert_int_equal(out[0], 0);
        assert_int_equal(out[1], 122);
        assert_int_equal(out[2], ncodes);
        assert_int_equal(out[3], HW_CPUID_NO_NEXT);
    }
    /* no NPF yet: the walk ends at the last code */
    counts[NPF] = 0;
    fill(out);
    hw_cpuid_hv_leaf(counts, nr, ncodes, 0x40000001u, 0x7b, out);
    assert_int_equal(out[0], 7);
    assert_int_equal(out[3], HW_CPUID_NO_NEXT);
}

static void test_table_without_npf(void **state)
{
    (void)state;
    uint32_t counts[4] = { 1, 0, 5, 9 };
    uint32_t out[4];
    /* ncodes == nr: no NPF entry, 0x400 reads 0 */
    fill(out);
    hw_cpuid_hv_leaf(counts, 4, 4, 0x40000001u, 0x400, out);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 15);
    assert_int_equal(out[2], 4);
    assert_int_equal(out[3], HW_CPUID_NO_NEXT);
    fill(out);
    hw_cpuid_hv_leaf(counts, 4, 4, 0x40000001u, 0, out);
    assert_int_equal(out[3], 2);
    /* ncodes past nr is cut to nr: nothing read beyond the table */
    fill(out);
    hw_cpuid_hv_leaf(counts, 4, 1000, 0x40000001u, 3, out);
    assert_int_equal(out[0], 9);
    assert_int_equal(out[2], 4);
    assert_int_equal(out[3], HW_CPUID_NO_NEXT);
    fill(out);
    hw_cpuid_hv_leaf(counts, 4, 1000, 0x40000001u, 4, out);
    assert_int_equal(out[0], 0);
}

static void test_total_wraps(void **state)
{
    (void)state;
    uint32_t counts[3] = { 0xFFFFFFFFu, 2, 0 };
    uint32_t out[4];
    hw_cpuid_hv_leaf(counts, 3, 3, 0x40000001u, 1, out);
    assert_int_equal(out[0], 2);
    assert_int_equal(out[1], 1);                    /* (2^32 - 1 + 2) mod 2^32 */
    assert_int_equal(out[3], HW_CPUID_NO_NEXT);
}

static void test_empty_table(void **state)
{
    (void)state;
    uint32_t out[4];
    fill(out);
    assert_int_equal(hw_cpuid_hv_leaf(NULL, 0, 0, 0x40000001u, 0, out), 1);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 0);
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], HW_CPUID_NO_NEXT);
    /* NULL with a size: treated as empty, never read */
    fill(out);
    assert_int_equal(hw_cpuid_hv_leaf(NULL, 100, 50, 0x40000001u, 5, out), 1);
    assert_int_equal(out[2], 0);
}

static void test_rest_of_range(void **state)
{
    (void)state;
    uint32_t counts[4] = { 1, 2, 3, 4 };
    static const uint32_t leaves[] = { 0x40000002u, 0x40000010u, 0x400000FFu };
    for (unsigned i = 0; i < 3; i++) {
        uint32_t out[4];
        fill(out);
        assert_int_equal(hw_cpuid_hv_leaf(counts, 4, 3, leaves[i], 0, out), 1);
        assert_int_equal(out[0], 0);
        assert_int_equal(out[1], 0);
        assert_int_equal(out[2], 0);
        assert_int_equal(out[3], 0);
    }
}

static void test_not_ours(void **state)
{
    (void)state;
    uint32_t counts[4] = { 1, 2, 3, 4 };
    static const uint32_t leaves[] = { 0, 1, 0x3FFFFFFFu, 0x40000100u, 0x4FFFFFFFu,
                                       0x80000000u, 0x8000000Au, 0xFFFFFFFFu };
    for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        uint32_t out[4];
        fill(out);
        assert_int_equal(hw_cpuid_hv_leaf(counts, 4, 3, leaves[i], 0, out), 0);
        assert_int_equal(out[0], POISON);
        assert_int_equal(out[1], POISON);
        assert_int_equal(out[2], POISON);
        assert_int_equal(out[3], POISON);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_table_without_npf),
        cmocka_unit_test(test_total_wraps),
        cmocka_unit_test(test_empty_table),
        cmocka_unit_test(test_rest_of_range),
        cmocka_unit_test(test_not_ours),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
