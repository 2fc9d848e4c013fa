/* Unit tests: preemptible validation and release of page tables (the
 * continuation side of mm/pagetable.c): a pin, unpin or entry update
 * stopped after every unit of work and made again until it finishes ends
 * exactly where the same call without preemption does; a failure after a
 * restart leaves the undoing to the caller and it undoes everything; a table
 * left half validated or half released is taken over, or released at
 * teardown, without a reference leaked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pv86/xen.h>

#include "mm/pagetable.h"

#define NFRAMES 160
#define DOM 1
#define DATA 1                        /* the data frame every L1 entry maps */
#define FOREIGN (NFRAMES - 1)
#define HV_MARK 0x8000000000000BADull

#define FAKE_FRAMES NFRAMES
#include "fake_machine.h"

static void fake_hv_slots(void *ctx, uint16_t dom, uint64_t *l2)
{
    (void)ctx, (void)dom;
    for (unsigned i = L2_HV_FIRST_SLOT; i < 512; i++)
        l2[i] = HV_MARK;
}

static unsigned validated;
static void fake_validated(void *ctx, uint16_t dom, unsigned n)
{
    (void)ctx, (void)dom;
    validated += n;
}

/* preempt_every N: the check says "stop" on every Nth call (0: never). */
static unsigned preempt_every, preempt_calls;
static int fake_preempt(void *ctx)
{
    (void)ctx;
    preempt_calls++;
    return preempt_every && preempt_calls % preempt_every == 0;
}

static const struct mm_ops ops = { fake_page, fake_map, fake_hv_slots, NULL, fake_validated,
                                   fake_preempt, 0, NULL };

#define P _PAGE_PRESENT
#define E(m, f) (((uint64_t)(m) << 12) | (f))

static int setup(void **state)
{
    (void)state;
    fake_reset(DOM);
    pages[FOREIGN].owner = 2;
    validated = preempt_calls = 0;
    preempt_every = 1;                /* stop at every chance */
    return 0;
}

static void all_zero(void)
{
    for (unsigned i = 0; i < NFRAMES; i++) {
        if (pages[i].count || pages[i].type_count || pages[i].flags || pages[i].nr_validated)
            fail_msg("frame %u: count %u type_count %u flags %#x nr %u", i, pages[i].count,
                     pages[i].type_count, pages[i].flags, pages[i].nr_validated);
        assert_int_equal(pages[i].type, PGT_none);
    }
}

/* Table `l2` whose entries [0, n) name full L1s first, first+1, ... */
static void make_l2(unsigned l2, unsigned first, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        fake_mem[l2][i] = E(first + i, P);
        for (unsigned j = 0; j < 512; j++)
            fake_mem[first + i][j] = E(DATA, P);
    }
}

/* Call until it stops saying "again"; how many calls it took. */
#define UNTIL_DONE(call, rcvar, calls)                        \
    do {                                                      \
        calls = 0;                                            \
        do {                                                  \
            rcvar = (call);                                   \
            calls++;                                          \
        } while (rcvar == -PT_ERESTART && calls < 100000);    \
    } while (0)

static unsigned release_all(uint32_t mfn)
{
    unsigned calls = 0;
    while (page_table_put_partial(&ops, mfn, 1) == -PT_ERESTART)
        calls++;
    return calls + 1;
}

/* An L2 over 32 full L1s: one L1 per call, then the same end state as an
 * unpreempted pin; its release the same, one L1 per call. */
static void test_l2_pin_unpin_one_l1_per_call(void **state)
{
    (void)state;
    mfn_t pending = 0;
    unsigned calls;
    int rc;
    make_l2(2, 10, 32);
    UNTIL_DONE(page_table_pin_preemptible(&ops, DOM, 2, PGT_l2, &pending), rc, calls);
    assert_int_equal(rc, 0);
    assert_int_equal(calls, 32);
    assert_int_equal(pending, 0);
    assert_int_equal(pages[2].flags, PGF_PINNED);
    assert_int_equal(pages[2].type_count, 1);
    assert_int_equal(pages[2].count, 1);
    assert_int_equal(pages[DATA].count, 32 * 512);
    for (unsigned i = 10; i < 42; i++)
        assert_int_equal(pages[i].type_count, 1);
    assert_int_equal(validated, 512 + 32 * 512);

    assert_int_equal(page_table_unpin_preemptible(&ops, DOM, 2, &pending), 0);
    assert_int_equal(pending, 2);                   /* stopped after one L1 */
    assert_true(pages[2].flags & PGF_PARTIAL);
    assert_int_equal(pages[2].nr_validated, 31);
    assert_int_equal(pages[DATA].count, 31 * 512);
    assert_int_equal(release_all(2), 31);
    all_zero();
}

/* While partial, the frame is nobody's table: it cannot be mapped writable,
 * used as another type or updated; a get of its type goes on with it. */
static void test_partial_frame_refusals(void **state)
{
    (void)state;
    mfn_t pending = 0;
    make_l2(2, 10, 4);
    assert_int_equal(page_table_pin_preemptible(&ops, DOM, 2, PGT_l2, &pending), -PT_ERESTART);
    assert_int_equal(pages[2].flags, PGF_PARTIAL);
    assert_int_equal(pages[2].nr_validated, 1);
    assert_int_equal(pages[2].type_count, 1);
    assert_int_equal(pages[2].count, 1);
    assert_int_equal(l1e_get(&ops, DOM, E(2, P | _PAGE_RW)), -XEN_EBUSY);
    assert_int_equal(page_table_get(&ops, DOM, 2, PGT_l1), -XEN_EINVAL);   /* Xen: "Bad type" */
    assert_int_equal(page_table_update(&ops, DOM, 2, 7, 0, 0), -XEN_EINVAL);
    assert_int_equal(page_table_update_preemptible(&ops, DOM, 2, 0, 0, 0, &pending),
                     -XEN_EINVAL);
    /* Not preemptible (the builder's kind): finishes it at once. */
    assert_int_equal(page_table_get(&ops, DOM, 2, PGT_l2), 0);
    assert_int_equal(pages[2].flags, 0);
    assert_int_equal(pages[2].type_count, 1);
    assert_int_equal(pages[DATA].count, 4 * 512);
    page_table_put(&ops, 2);
    all_zero();
}

/* Stopped every 7th check rather than every one: the same end state. */
static void test_sparse_preemption(void **state)
{
    (void)state;
    mfn_t pending = 0;
    unsigned calls;
    int rc;
    preempt_every = 7;
    make_l2(2, 10, 40);
    UNTIL_DONE(page_table_pin_preemptible(&ops, DOM, 2, PGT_l2, &pending), rc, calls);
    assert_int_equal(rc, 0);
    assert_true(calls > 1 && calls < 40);
    assert_int_equal(pages[DATA].count, 40 * 512);
    assert_int_equal(page_table_unpin_preemptible(&ops, DOM, 2, &pending), 0);
    if (pending)
        release_all(pending);
    all_zero();
}

/* L3 over two L2s of 8 full L1s and a slot-3 L2: the L2s are continued
 * from inside the L3, and released the same way (PGF_PARTIAL_CHILD). */
static void test_l3_over_l2s(void **state)
{
    (void)state;
    mfn_t pending = 0;
    unsigned calls;
    int rc;
    make_l2(2, 10, 8);
    make_l2(4, 20, 8);
    fake_mem[3][0] = E(2, P);
    fake_mem[3][1] = E(4, P);
    fake_mem[3][3] = E(5, P);
    UNTIL_DONE(page_table_pin_preemptible(&ops, DOM, 3, PGT_l3, &pending), rc, calls);
    assert_int_equal(rc, 0);
    assert_int_equal(calls, 8 + 8 + 1);        /* an L1 a call, then slot 3 */
    assert_int_equal(pending, 0);
    assert_int_equal(pages[3].flags, PGF_PINNED);
    assert_int_equal(pages[2].type, PGT_l2);
    assert_int_equal(pages[5].type, PGT_l2h);
    assert_true(fake_mem[5][500] == HV_MARK);
    assert_int_equal(pages[DATA].count, 16 * 512);

    assert_int_equal(page_table_unpin_preemptible(&ops, DOM, 3, &pending), 0);
    assert_int_equal(pending, 3);
    assert_true(fake_mem[5][500] == HV_MARK); /* left in the page, as Xen leaves them */
    calls = release_all(3);
    assert_true(calls >= 16);
    all_zero();
}

/* A bad entry found after restarts: the error, and the frame left for the
 * caller to release (all it had taken). */
static void test_failure_after_restart(void **state)
{
    (void)state;
    mfn_t pending = 0;
    unsigned calls;
    int rc;
    make_l2(2, 10, 8);
    fake_mem[2][8] = E(FOREIGN, P);
    UNTIL_DONE(page_table_pin_preemptible(&ops, DOM, 2, PGT_l2, &pending), rc, calls);
    assert_int_equal(rc, -XEN_EINVAL);
    assert_int_equal(calls, 9);
    assert_int_equal(pending, 2);
    assert_false(pages[2].flags & PGF_PINNED);
    assert_int_equal(pages[DATA].count, 8 * 512);
    release_all(2);
    all_zero();

    /* The first entry bad: nothing to undo, nothing pending. */
    pending = 0;
    make_l2(2, 10, 1);
    fake_mem[2][0] = E(FOREIGN, P);
    assert_int_equal(page_table_pin_preemptible(&ops, DOM, 2, PGT_l2, &pending), -XEN_EINVAL);
    assert_int_equal(pending, 0);
    all_zero();
}

/* The failure is in an L2 under an L3: the L3 owns the L2's undoing. */
static void test_failure_in_child(void **state)
{
    (void)state;
    mfn_t pending = 0;
    unsigned calls;
    int rc;
    make_l2(2, 10, 4);
    fake_mem[2][4] = E(FOREIGN, P);
    fake_mem[3][0] = E(2, P);
    fake_mem[3][3] = E(5, P);
    UNTIL_DONE(page_table_pin_preemptible(&ops, DOM, 3, PGT_l3, &pending), rc, calls);
    assert_int_equal(rc, -XEN_EINVAL);
    assert_int_equal(pending, 3);
    assert_int_equal(pages[3].flags, PGF_PARTIAL | PGF_PARTIAL_CHILD);
    assert_int_equal(pages[2].flags, PGF_PARTIAL);
    release_all(3);
    all_zero();
}

/* A domain dies with one table half validated (a pin never made again)
 * and one half released: releasing every PGF_PARTIAL frame, in any
 * order, leaves nothing. */
static void test_teardown_half_done(void **state)
{
    (void)state;
    mfn_t pending = 0;
    make_l2(2, 10, 8);
    make_l2(4, 20, 8);
    make_l2(6, 30, 8);
    fake_mem[3][0] = E(2, P);
    fake_mem[3][1] = E(4, P);
    fake_mem[3][3] = E(5, P);
    for (int i = 0; i < 11; i++)             /* L2 2 done, L2 4 three L1s in */
        assert_int_equal(page_table_pin_preemptible(&ops, DOM, 3, PGT_l3, &pending),
                         -PT_ERESTART);
    assert_int_equal(pages[4].flags, PGF_PARTIAL);
    assert_int_equal(page_table_pin(&ops, DOM, 6, PGT_l2), 0);
    assert_int_equal(page_table_unpin_preemptible(&ops, DOM, 6, &pending), 0);
    assert_int_equal(pending, 6);
    for (unsigned m = NFRAMES; m-- > 0;)     /* highest first: children before parents */
        if (pages[m].flags & PGF_PARTIAL)
            assert_int_equal(page_table_put_partial(&ops, m, 0), 0);
    all_zero();
}

/* A half-validated L2 named by an update of a live L3 is finished by that
 * update (the partial references become the entry's); the pin made again
 * then takes one more. */
static void test_takeover_by_update(void **state)
{
    (void)state;
    mfn_t pending = 0;
    unsigned calls;
    int rc;
    fake_mem[3][3] = E(5, P);
    assert_int_equal(page_table_pin(&ops, DOM, 3, PGT_l3), 0);
    make_l2(4, 20, 8);
    assert_int_equal(page_table_pin_preemptible(&ops, DOM, 4, PGT_l2, &pending), -PT_ERESTART);
    UNTIL_DONE(page_table_update_preemptible(&ops, DOM, 3, 1, E(4, P), 0, &pending), rc, calls);
    assert_int_equal(rc, 0);
    assert_int_equal(calls, 7);
    assert_int_equal(pages[4].flags, 0);
    assert_int_equal(pages[4].type_count, 1);
    assert_int_equal(page_table_pin_preemptible(&ops, DOM, 4, PGT_l2, &pending), 0);
    assert_int_equal(pages[4].type_count, 2);
    assert_int_equal(page_table_unpin_preemptible(&ops, DOM, 4, &pending), 0);
    assert_int_equal(pending, 0);                   /* not the last reference */
    /* The last reference goes with the entry: released later, by the caller. */
    assert_int_equal(page_table_update_preemptible(&ops, DOM, 3, 1, 0, 0, &pending), 0);
    assert_int_equal(fake_mem[3][1], 0);
    assert_int_equal(pending, 4);
    release_all(4);
    assert_int_equal(page_table_unpin(&ops, DOM, 3), 0);
    all_zero();
}

/* A release interrupted, then the table wanted again: the get goes on from
 * where the release stopped, and the late release finds nothing to do. */
static void test_takeover_of_a_release(void **state)
{
    (void)state;
    mfn_t pending = 0;
    unsigned calls;
    int rc;
    make_l2(2, 10, 16);
    assert_int_equal(page_table_pin(&ops, DOM, 2, PGT_l2), 0);
    assert_int_equal(page_table_unpin_preemptible(&ops, DOM, 2, &pending), 0);
    assert_int_equal(pending, 2);
    assert_int_equal(page_table_put_partial(&ops, 2, 1), -PT_ERESTART);
    assert_int_equal(pages[2].nr_validated, 14);
    UNTIL_DONE(page_table_pin_preemptible(&ops, DOM, 2, PGT_l2, &pending), rc, calls);
    assert_int_equal(rc, 0);
    assert_int_equal(calls, 2);
    assert_int_equal(pages[DATA].count, 16 * 512);
    assert_int_equal(page_table_put_partial(&ops, 2, 1), 0);   /* not partial any more */
    assert_int_equal(pages[2].type_count, 1);
    assert_int_equal(page_table_unpin(&ops, DOM, 2), 0);
    all_zero();
}

/* Without ops->preempt (or never due) nothing stops. */
static void test_never_due(void **state)
{
    (void)state;
    mfn_t pending = 0;
    preempt_every = 0;
    make_l2(2, 10, 24);
    assert_int_equal(page_table_pin_preemptible(&ops, DOM, 2, PGT_l2, &pending), 0);
    assert_int_equal(page_table_unpin_preemptible(&ops, DOM, 2, &pending), 0);
    assert_int_equal(pending, 0);
    assert_true(preempt_calls >= 23);
    all_zero();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_l2_pin_unpin_one_l1_per_call, setup),
        cmocka_unit_test_setup(test_partial_frame_refusals, setup),
        cmocka_unit_test_setup(test_sparse_preemption, setup),
        cmocka_unit_test_setup(test_l3_over_l2s, setup),
        cmocka_unit_test_setup(test_failure_after_restart, setup),
        cmocka_unit_test_setup(test_failure_in_child, setup),
        cmocka_unit_test_setup(test_teardown_half_done, setup),
        cmocka_unit_test_setup(test_takeover_by_update, setup),
        cmocka_unit_test_setup(test_takeover_of_a_release, setup),
        cmocka_unit_test_setup(test_never_due, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
