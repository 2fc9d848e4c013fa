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

/* What a guest computes from its record alone, with the TSC delta in 32
 * bits as mini-os and old Linux do. */
static uint64_t guest_time_32(const struct vcpu_time_info *t, uint64_t tsc)
{
    uint32_t delta = (uint32_t)(tsc - t->tsc_timestamp);
    return t->system_time + timescale_apply(delta, t->tsc_to_system_mul, t->tsc_shift);
}

static struct time_stamp stamp_at(uint64_t hz, uint64_t tsc)
{
    struct time_stamp s = { tsc, 0, 0, 0 };
    timescale_compute(hz, &s.mul, &s.shift);
    return s;
}

/* Ten minutes of a 1 GHz TSC (as under -icount shift=0) and of a 3 GHz
 * one, the stamp renewed each second and the record refreshed from it:
 * the guest's 32-bit reading is exactly the hypervisor's system time, and
 * that stays within 2e-9 of the TSC's own count. */
static void check_ten_minutes(uint64_t hz)
{
    const uint64_t tsc0 = 123456789ull;
    struct time_stamp s = stamp_at(hz, tsc0);
    struct vcpu_time_info rec = { 0 };
    assert_int_equal(timescale_update_record(&rec, &s), 1);
    assert_int_equal(rec.version, 2);
    for (uint64_t sec = 1; sec <= 600; sec++) {
        uint64_t tsc = tsc0 + sec * hz - 17;           /* just before the stamp */
        assert_true(guest_time_32(&rec, tsc) == timescale_now(&s, tsc));
        timescale_restamp(&s, tsc0 + sec * hz);
        timescale_update_record(&rec, &s);
        tsc = tsc0 + sec * hz + hz / 2;
        assert_true(guest_time_32(&rec, tsc) == timescale_now(&s, tsc));
    }
    uint64_t now = timescale_now(&s, tsc0 + 600 * hz);
    assert_true(now >= 600000000000ull - 1200 && now <= 600000000000ull + 1200);
    assert_int_equal(rec.version, 1202);
    assert_true(rec.tsc_timestamp == tsc0 + 600 * hz);
}

static void test_ten_minutes(void **state)
{
    (void)state;
    check_ten_minutes(1000000000ull);
    check_ten_minutes(3000000000ull);
}

/* Without the refresh the 32-bit delta wraps after 2^32 cycles (4.3 s at
 * 1 GHz): what the issue saw. The check above can fail. */
static void test_stale_record_wraps(void **state)
{
    (void)state;
    struct time_stamp s = stamp_at(1000000000ull, 0);
    struct vcpu_time_info rec = { 0 };
    timescale_update_record(&rec, &s);
    assert_true(guest_time_32(&rec, 4000000000ull) == timescale_now(&s, 4000000000ull));
    assert_true(guest_time_32(&rec, 5000000000ull) != timescale_now(&s, 5000000000ull));
}

/* The record: unchanged stamp, no write; the version odd while writing,
 * even after, whatever the guest left there. */
static void test_record_version(void **state)
{
    (void)state;
    struct time_stamp s = stamp_at(1000000000ull, 1000);
    struct vcpu_time_info rec = { 0 };
    assert_int_equal(timescale_update_record(&rec, &s), 1);
    assert_int_equal(timescale_update_record(&rec, &s), 0);
    assert_int_equal(rec.version, 2);
    assert_true(rec.tsc_timestamp == 1000 && rec.system_time == 0 &&
                rec.tsc_to_system_mul == s.mul && rec.tsc_shift == s.shift && rec.flags == 0);
    rec.version = 7;                                  /* the guest's scribble */
    assert_int_equal(timescale_update_record(&rec, &s), 1);
    assert_int_equal(rec.version, 10);
    rec.system_time = 5;                              /* ... and another */
    assert_int_equal(timescale_update_record(&rec, &s), 1);
    assert_int_equal(rec.version, 12);
    assert_true(rec.system_time == 0);
    rec.version = UINT32_MAX;
    assert_int_equal(timescale_update_record(&rec, &s), 1);
    assert_int_equal(rec.version, 2);
    /* A new stamp continues the old time: monotonic across it. */
    uint64_t before = timescale_now(&s, 1000 + 777777777ull);
    timescale_restamp(&s, 1000 + 777777777ull);
    assert_true(s.stime == before && s.tsc == 1000 + 777777777ull);
    assert_true(timescale_now(&s, 1000 + 777777778ull) >= before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale),
        cmocka_unit_test(test_unix_time),
        cmocka_unit_test(test_ten_minutes),
        cmocka_unit_test(test_stale_record_wraps),
        cmocka_unit_test(test_record_version),
    };
    return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
