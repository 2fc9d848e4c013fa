/* Unit tests: guest timer arithmetic (core/timer.c) and ring indices
 * (core/ring.h): every guest-supplied time and index, wrapping and huge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pv86/errno.h>
#include <pv86/vcpu.h>

#include "core/ring.h"
#include "core/timer.h"

#define MS 1000000ull
#define NOW (5000 * MS)                 /* 5 s after boot */

static void test_expired_is_signed(void **state)
{
    (void)state;
    assert_true(timer_expired(NOW, NOW));
    assert_true(timer_expired(NOW - 1, NOW));
    assert_false(timer_expired(NOW + 1, NOW));
    assert_false(timer_expired(TIME_MAX, NOW));
    /* Bit 63 set: negative as s_time_t, in the past. */
    assert_true(timer_expired(UINT64_MAX, NOW));
    assert_true(timer_expired(1ull << 63, NOW));
    assert_true(timer_expired(UINT64_MAX - 1000000000ull, NOW));
}

static void test_add_saturates(void **state)
{
    (void)state;
    assert_true(timer_add(NOW, MS) == NOW + MS);
    assert_true(timer_add(NOW, TIME_MAX) == TIME_MAX);
    assert_true(timer_add(TIME_MAX, 1) == TIME_MAX);
    assert_true(timer_add(TIME_MAX - 5, 5) == TIME_MAX);
    assert_true(timer_add(TIME_MAX - 5, 4) == TIME_MAX - 1);
    assert_true(timer_add(UINT64_MAX, 0) == TIME_MAX);
}

static void test_set_timer_op(void **state)
{
    (void)state;
    assert_true(timer_op_deadline(0, NOW) == 0);                       /* stop */
    assert_true(timer_op_deadline(NOW + 15 * MS, NOW) == NOW + 15 * MS);
    assert_true(timer_op_deadline(1, NOW) == 1);                       /* past: at once */
    assert_true(timer_expired(timer_op_deadline(1, NOW), NOW));
    /* Negative, or 2^50 ns ahead or more: 100 ms from now (Xen). */
    assert_true(timer_op_deadline(UINT64_MAX, NOW) == NOW + 100 * MS);
    assert_true(timer_op_deadline(1ull << 63, NOW) == NOW + 100 * MS);
    assert_true(timer_op_deadline(NOW + (1ull << 50), NOW) == NOW + 100 * MS);
    assert_true(timer_op_deadline(TIME_MAX, NOW) == NOW + 100 * MS);
    assert_true(timer_op_deadline(NOW + (1ull << 50) - 1, NOW) == NOW + (1ull << 50) - 1);
}

static void test_singleshot(void **state)
{
    uint64_t d = 7;
    (void)state;
    assert_int_equal(timer_singleshot_deadline(NOW - 1, VCPU_SSHOTTMR_future, NOW, &d),
                     -XEN_ETIME);
    assert_true(d == 7);                                               /* untouched */
    assert_int_equal(timer_singleshot_deadline(1, VCPU_SSHOTTMR_future, NOW, &d), -XEN_ETIME);
    assert_int_equal(timer_singleshot_deadline(NOW - 1, 0, NOW, &d), 0);
    assert_true(timer_expired(d, NOW));                                /* fires at once */
    assert_int_equal(timer_singleshot_deadline(0, 0, NOW, &d), 0);
    assert_true(d == 0 && timer_expired(d, NOW));                      /* 0 is not "stop" */
    assert_int_equal(timer_singleshot_deadline(NOW, VCPU_SSHOTTMR_future, NOW, &d), 0);
    assert_true(timer_expired(d, NOW));
    /* 2^64-1 is not below now as an unsigned number, so not -ETIME; as
     * s_time_t it is negative: it fires at once, as in Xen. */
    assert_int_equal(timer_singleshot_deadline(UINT64_MAX, VCPU_SSHOTTMR_future, NOW, &d), 0);
    assert_true(timer_expired(d, NOW));
    /* Far in the future but positive: armed, never due soon. */
    assert_int_equal(timer_singleshot_deadline(1ull << 62, 0, NOW, &d), 0);
    assert_false(timer_expired(d, NOW) || timer_expired(d, NOW + 1000000 * MS));
}

static void test_periodic(void **state)
{
    (void)state;
    assert_int_equal(timer_periodic_check(0), -XEN_EINVAL);
    assert_int_equal(timer_periodic_check(MS - 1), -XEN_EINVAL);
    assert_int_equal(timer_periodic_check(MS), 0);
    assert_int_equal(timer_periodic_check(TIME_MAX), 0);
    assert_int_equal(timer_periodic_check(TIME_MAX + 1), -XEN_EINVAL);
    assert_int_equal(timer_periodic_check(UINT64_MAX), -XEN_EINVAL);

}

/* Xen's vcpu_periodic_timer_work: the timer runs only while the vCPU is
 * scheduled; a restart sends one event if a period passed since the last. */
static void test_periodic_runs_while_scheduled(void **state)
{
    (void)state;
    struct timer_periodic p = { 0 };
    /* Off: never armed, never fires. */
    assert_int_equal(timer_periodic_start(&p, NOW), 0);
    assert_false(p.armed);
    assert_int_equal(timer_periodic_tick(&p, NOW + 1000 * MS), 0);

    /* Set at NOW (last event long ago, at 0): one event at once, then
     * armed a period later. */
    assert_int_equal(timer_periodic_set(&p, 10 * MS, NOW), 1);
    assert_true(p.armed && p.last == NOW && p.next == NOW + 10 * MS);
    assert_int_equal(timer_periodic_tick(&p, NOW + 9 * MS), 0);
    assert_int_equal(timer_periodic_tick(&p, NOW + 10 * MS + 300), 1);
    assert_true(p.last == NOW + 10 * MS + 300 && p.next == NOW + 20 * MS + 300);

    /* Descheduled (blocked) for a second: no event at any tick. */
    timer_periodic_stop(&p);
    for (uint64_t t = NOW + 11 * MS; t < NOW + 1000 * MS; t += MS)
        assert_int_equal(timer_periodic_tick(&p, t), 0);
    /* Scheduled in again: the missed ticks collapse into one event now. */
    assert_int_equal(timer_periodic_start(&p, NOW + 1000 * MS), 1);
    assert_true(p.next == NOW + 1010 * MS);

    /* Descheduled before a period passed: back in, no event, and the
     * deadline is still a period after the last event. */
    timer_periodic_stop(&p);
    assert_int_equal(timer_periodic_start(&p, NOW + 1004 * MS), 0);
    assert_true(p.armed && p.next == NOW + 1010 * MS);

    /* Re-setting the period keeps the last event: 5 ms after it. */
    assert_int_equal(timer_periodic_set(&p, 5 * MS, NOW + 1004 * MS), 0);
    assert_true(p.next == NOW + 1005 * MS);
    assert_int_equal(timer_periodic_set(&p, 3 * MS, NOW + 1004 * MS), 1);

    /* Stopped by a period of 0: disarmed, and a restart leaves it so. */
    assert_int_equal(timer_periodic_set(&p, 0, NOW + 1004 * MS), 0);
    assert_false(p.armed);
    assert_int_equal(timer_periodic_start(&p, NOW + 2000 * MS), 0);
    assert_int_equal(timer_periodic_tick(&p, NOW + 3000 * MS), 0);
}

/* The longest period: the next deadline saturates, never wraps. */
static void test_periodic_saturates(void **state)
{
    (void)state;
    struct timer_periodic p = { 0 };
    assert_int_equal(timer_periodic_set(&p, TIME_MAX, NOW), 0);  /* 0 + max: not due */
    assert_true(p.armed && p.next == TIME_MAX);
    assert_int_equal(timer_periodic_tick(&p, NOW), 0);
    p.last = NOW;
    assert_int_equal(timer_periodic_start(&p, TIME_MAX - 1), 0);
    assert_true(p.next == TIME_MAX);
    assert_int_equal(timer_periodic_tick(&p, TIME_MAX), 1);
    assert_true(p.next == TIME_MAX);
    assert_int_equal(TIMER_DEFAULT_PERIOD_NS, 10 * MS);
}

static void test_ring_indices(void **state)
{
    uint32_t n = 99;
    (void)state;
    assert_int_equal(ring_used(0, 0, 2048, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(ring_used(10, 2058, 2048, &n), 0);
    assert_int_equal(n, 2048);                                         /* full */
    assert_int_equal(ring_used(10, 2059, 2048, &n), -1);               /* more than it holds */
    assert_int_equal(ring_used(11, 10, 2048, &n), -1);                 /* prod behind cons */
    /* Free-running indices wrap at 2^32 without harm. */
    assert_int_equal(ring_used(0xFFFFFF00u, 0x00000100u, 2048, &n), 0);
    assert_int_equal(n, 0x200);
    assert_int_equal(ring_used(0x80000000u, 0, 2048, &n), -1);
    assert_int_equal(ring_offset(0xFFFFFFFFu, 2048), 2047);
    assert_int_equal(ring_offset(2048, 2048), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expired_is_signed),
        cmocka_unit_test(test_add_saturates),
        cmocka_unit_test(test_set_timer_op),
        cmocka_unit_test(test_singleshot),
        cmocka_unit_test(test_periodic),
        cmocka_unit_test(test_periodic_runs_while_scheduled),
        cmocka_unit_test(test_periodic_saturates),
        cmocka_unit_test(test_ring_indices),
    };
    return cmocka_run_group_tests_name("timer", tests, NULL, NULL);
}
