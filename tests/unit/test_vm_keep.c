/* Unit tests of vm/keep.h: which shadow slots a CR3 write keeps, when
 * tracking of a slot's guest tables starts, what a write to a tracked
 * table does, the back-off of a slot whose tables keep changing, and the
 * frame lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vm/keep.h"

/* PDPTEs: slot 0 a kernel's shared L2 (frame 0x10), slot 1 a process's. */
#define KERN 0x10001ull
static const uint64_t as_a[4] = { KERN, 0x20001ull, 0, 0 };
static const uint64_t as_b[4] = { KERN, 0x30001ull, 0, 0 };

static void test_first_cr3_starts_nothing(void **state)
{
    (void)state;
    struct vx_keep k;
    memset(&k, 0, sizeof(k));
    struct vx_keep_plan p = vx_keep_at_cr3(&k, as_a);
    assert_int_equal(p.keep, 0);
    assert_int_equal(p.start, 0);                /* nothing was there before */
    assert_int_equal(p.stop, 0);
    /* the same kernel slot again: tracking starts there, only there */
    p = vx_keep_at_cr3(&k, as_b);
    assert_int_equal(p.keep, 0);
    assert_int_equal(p.start, 1);
    assert_int_equal(k.tracked, 1);
    assert_int_equal(vx_keep_add(&k, 0, 0x10), 1);
    assert_int_equal(vx_keep_add(&k, 0, 0x11), 1);
    assert_int_equal(vx_keep_add(&k, 0, 0x10), 0);   /* held already */
    /* a switch back: slot 0 kept, slot 1 (another L2) not, not started */
    p = vx_keep_at_cr3(&k, as_a);
    assert_int_equal(p.keep, 1);
    assert_int_equal(p.start, 0);
    assert_int_equal(p.stop, 0);
    /* the same CR3 reloaded: slot 1 now starts, and slot 0 stays tracked */
    p = vx_keep_at_cr3(&k, as_a);
    assert_int_equal(p.keep, 1);
    assert_int_equal(p.start, 2);
    assert_int_equal(k.tracked, 3);
}

static void test_not_present_never_kept(void **state)
{
    (void)state;
    struct vx_keep k;
    memset(&k, 0, sizeof(k));
    const uint64_t none[4] = { 0, 0, 0, 0 };
    vx_keep_at_cr3(&k, none);
    struct vx_keep_plan p = vx_keep_at_cr3(&k, none);
    assert_int_equal(p.keep | p.start | p.stop, 0);
}

static void test_pdpte_change_stops(void **state)
{
    (void)state;
    struct vx_keep k;
    memset(&k, 0, sizeof(k));
    vx_keep_at_cr3(&k, as_a);
    vx_keep_at_cr3(&k, as_a);                  /* slots 0 and 1 start */
    assert_int_equal(k.tracked, 3);
    struct vx_keep_plan p = vx_keep_at_cr3(&k, as_b);
    assert_int_equal(p.keep, 1);
    assert_int_equal(p.stop, 2);              /* slot 1's L2 changed */
    assert_int_equal(p.start, 0);
    assert_int_equal(k.tracked, 1);
    assert_int_equal(k.backoff[1], 1);        /* it never paid: a back-off */
    assert_int_equal(k.backoff[0], 0);
    /* flags count: the same frame with another flag is another PDPTE */
    const uint64_t kern_flags[4] = { KERN | 0x8, 0x30001ull, 0, 0 };
    p = vx_keep_at_cr3(&k, kern_flags);
    assert_int_equal(p.keep, 0);
    assert_int_equal(p.stop, 1);
}

static void test_write_dirties_and_backs_off(void **state)
{
    (void)state;
    struct vx_keep k;
    memset(&k, 0, sizeof(k));
    vx_keep_at_cr3(&k, as_a);
    vx_keep_at_cr3(&k, as_b);                  /* slot 0 starts */
    vx_keep_add(&k, 0, 0x10);
    vx_keep_add(&k, 0, 0x11);
    assert_int_equal(vx_keep_written(&k, 0x55), 0);      /* not a tracked table */
    assert_int_equal(vx_keep_written(&k, 0x11), 1);
    assert_int_equal(vx_keep_live(&k), 0);
    assert_int_equal(vx_keep_written(&k, 0x11), 0);      /* dirty already */
    k.n[0] = 0;                                          /* the caller's release */
    /* dropped at the next CR3 write, then one write off before it starts */
    struct vx_keep_plan p = vx_keep_at_cr3(&k, as_a);
    assert_int_equal(p.keep, 0);
    assert_int_equal(p.stop, 1);
    assert_int_equal(p.start, 0);
    assert_int_equal(k.backoff[0], 1);
    p = vx_keep_at_cr3(&k, as_b);
    assert_int_equal(p.start, 0);                       /* cooling down */
    p = vx_keep_at_cr3(&k, as_a);
    assert_int_equal(p.start, 1);
    /* dirty again: the back-off doubles each time, up to its maximum */
    unsigned expect = 2;
    for (int round = 0; round < 12; round++) {
        vx_keep_add(&k, 0, 0x10);
        assert_int_equal(vx_keep_written(&k, 0x10), 1);
        k.n[0] = 0;
        vx_keep_at_cr3(&k, as_a);
        assert_int_equal(k.backoff[0], expect);
        unsigned waited = 0;
        while (!(vx_keep_at_cr3(&k, as_a).start & 1))
            waited++;
        assert_int_equal(waited, expect);
        expect = expect * 2 < VX_KEEP_BACKOFF_MAX ? expect * 2 : VX_KEEP_BACKOFF_MAX;
    }
    /* a clean keep clears it */
    p = vx_keep_at_cr3(&k, as_a);
    assert_int_equal(p.keep & 1, 1);
    assert_int_equal(k.backoff[0], 0);
}

static void test_shared_frames_and_holds(void **state)
{
    (void)state;
    struct vx_keep k;
    memset(&k, 0, sizeof(k));
    vx_keep_at_cr3(&k, as_a);
    vx_keep_at_cr3(&k, as_a);                  /* slots 0 and 1 */
    vx_keep_add(&k, 0, 0x40);
    vx_keep_add(&k, 1, 0x40);                  /* one L1 behind both */
    vx_keep_add(&k, 1, 0x41);
    assert_true(vx_keep_holds(&k, 1, 0x40));
    assert_true(vx_keep_holds(&k, 2, 0x41));
    assert_false(vx_keep_holds(&k, 1, 0x41));
    assert_int_equal(vx_keep_written(&k, 0x40), 3);     /* both dirty */
    assert_false(vx_keep_holds(&k, 3, 0x41));           /* dirty slots hold nothing */
}

/* A PDPTE that changes every second CR3 write (X X Y Y ...): tracking
 * starts at each second X and never pays; the back-off makes the starts
 * rare (a start is the dear part: the L2 read, the frames listed). */
static void test_flapping_backs_off(void **state)
{
    (void)state;
    struct vx_keep k;
    memset(&k, 0, sizeof(k));
    const uint64_t x[4] = { 0, 0x40001ull, 0, 0 }, y[4] = { 0, 0x50001ull, 0, 0 };
    unsigned starts = 0, stops = 0, first = 0;
    for (unsigned n = 0; n < 4000; n++) {
        struct vx_keep_plan p = vx_keep_at_cr3(&k, (n / 2) % 2 ? y : x);
        assert_int_equal(p.keep, 0);
        starts += p.start != 0;
        stops += p.stop != 0;
        if (n < 64)
            first += p.start != 0;
    }
    assert_int_equal(starts, 23);
    assert_int_equal(stops, 23);
    assert_int_equal(first, 6);               /* back-offs 1, 2, 4, 8, 16 */
    assert_int_equal(k.backoff[1], VX_KEEP_BACKOFF_MAX);
}

static void test_list_full_gives_up(void **state)
{
    (void)state;
    struct vx_keep k;
    memset(&k, 0, sizeof(k));
    vx_keep_at_cr3(&k, as_a);
    vx_keep_at_cr3(&k, as_b);
    for (unsigned i = 0; i < VX_KEEP_FRAMES; i++)
        assert_int_equal(vx_keep_add(&k, 0, 0x100 + i), 1);
    assert_int_equal(vx_keep_add(&k, 0, 0x999), -1);
    vx_keep_give_up(&k, 0);
    assert_int_equal(k.tracked, 0);
    assert_int_equal(k.n[0], 0);
    unsigned waited = 0;
    while (!(vx_keep_at_cr3(&k, as_a).start & 1))
        waited++;
    assert_int_equal(waited, VX_KEEP_BACKOFF_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_cr3_starts_nothing),
        cmocka_unit_test(test_not_present_never_kept),
        cmocka_unit_test(test_pdpte_change_stops),
        cmocka_unit_test(test_write_dirties_and_backs_off),
        cmocka_unit_test(test_shared_frames_and_holds),
        cmocka_unit_test(test_flapping_backs_off),
        cmocka_unit_test(test_list_full_gives_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
