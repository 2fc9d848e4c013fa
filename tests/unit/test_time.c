/* Unit tests: PV time arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/timescale.h"

static void check_rate(uint64_t hz)
{
    uint32_t mul;
    int8_t shift;
    timescale_compute(hz, &mul, &shift);
    /* One second of ticks is one second of ns, within 2 ns either way. */
    uint64_t ns = timescale_apply(hz, mul, shift);
    assert_true(ns >= 1000000000ull - 2 && ns <= 1000000000ull + 2);
    /* And 100 s: no overflow, the same relative precision (2e-9). */
    ns = timescale_apply(hz * 100, mul, shift);
    assert_true(ns >= 100000000000ull - 200 && ns <= 100000000000ull + 200);
    assert_true(mul >= 0x80000000u);            /* full precision */
}

static void test_scale(void **state)
{
    uint32_t mul;
    int8_t shift;
    (void)state;
    check_rate(1000000000ull);       /* -icount shift=0: one tick a ns */
    check_rate(2400000000ull);
    check_rate(3999999999ull);
    check_rate(8000000000ull);       /* needs a negative shift */
    check_rate(100000000ull);
    check_rate(1193182ull);          /* the PIT */
    timescale_compute(1000000000ull, &mul, &shift);
    assert_int_equal(shift, 1);
    assert_int_equal(mul, 0x80000000u);
    assert_int_equal(timescale_apply(12345, mul, shift), 12345);
    timescale_compute(8000000000ull, &mul, &shift);
    assert_int_equal(shift, -2);
}

static void test_unix_time(void **state)
{
    (void)state;
    assert_int_equal(timescale_unix_time(1970, 1, 1, 0, 0, 0), 0);
    assert_int_equal(timescale_unix_time(2000, 3, 1, 0, 0, 0), 951868800ull);
    assert_int_equal(timescale_unix_time(2026, 11, 23, 19, 40, 5), 1795462805ull);
    assert_int_equal(timescale_unix_time(2024, 2, 29, 12, 0, 0), 1709208000ull);
    assert_int_equal(timescale_unix_time(2100, 3, 1, 0, 0, 0), 4107542400ull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_unix_time),
    };
    return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
