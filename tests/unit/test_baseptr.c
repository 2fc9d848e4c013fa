/* Unit tests: mm/baseptr.h, the base-pointer switch's count-only case,
 * against mm/pagetable.c's general path on every frame state that matters
 * (owner, flags, type, type count, general count). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pv86/xen.h>

#include "mm/baseptr.h"
#include "mm/pagetable.h"

#define NFRAMES 8
#define DOM 1
#define M 5                                   /* the frame under test */

#define FAKE_FRAMES NFRAMES
#include "fake_machine.h"

static void fake_hv_slots(void *ctx, uint16_t dom, uint64_t *l2)
{
    (void)ctx, (void)dom, (void)l2;
}

static const struct mm_ops ops = { fake_page, fake_map, fake_hv_slots, NULL, NULL, NULL, 0, NULL };

static const uint16_t owners[] = { DOM, 2, DOMID_HV };
static const uint32_t type_counts[] = { 0, 1, 2, 3, 7 };

static struct page_info state(unsigned o, unsigned fl, unsigned ty, unsigned tc, unsigned extra)
{
    struct page_info p = { 0 };
    p.owner = owners[o];
    p.flags = (uint8_t)fl;
    p.type = (uint8_t)ty;
    p.type_count = type_counts[tc];
    p.count = p.type_count + extra;
    p.nr_validated = 0;
    return p;
}

static int same(const struct page_info *a, const struct page_info *b)
{
    return a->owner == b->owner && a->type == b->type && a->flags == b->flags &&
           a->type_count == b->type_count && a->count == b->count &&
           a->nr_validated == b->nr_validated;
}

/* Every state the fast reference takes ends as page_table_get leaves it
 * (result 0, nothing pending); every state it refuses is untouched; and it
 * takes every state page_table_get answers with a plain count. */
static void test_ref_matches_general_path(void **st)
{
    (void)st;
    unsigned taken = 0, refused = 0;
    for (unsigned o = 0; o < 3; o++)
        for (unsigned fl = 0; fl < 16; fl++)
            for (unsigned ty = PGT_none; ty <= PGT_seg_desc; ty++)
                for (unsigned tc = 0; tc < 5; tc++)
                    for (unsigned extra = 0; extra < 3; extra++) {
                        struct page_info s = state(o, fl, ty, tc, extra), fast = s;
                        int in_use = s.owner == DOM && !(fl & (PGF_XENHEAP | PGF_PARTIAL)) &&
                                     s.type_count && ty == PGT_l3;
                        int applied = baseptr_ref_in_use(&fast, DOM, PGT_l3);
                        assert_int_equal(applied, in_use);
                        if (!applied) {
                            assert_true(same(&fast, &s));
                            refused++;
                            continue;
                        }
                        fake_reset(DOM);
                        pages[M] = s;
                        mfn_t pending = 0;
                        assert_int_equal(page_table_get_preemptible(&ops, DOM, M, PGT_l3, &pending), 0);
                        assert_int_equal(pending, 0);
                        assert_true(same(&pages[M], &fast));
                        assert_int_equal(fast.type_count, s.type_count + 1);
                        assert_int_equal(fast.count, s.count + 1);
                        taken++;
                    }
    assert_int_equal(taken, 4 * 4 * 3);       /* 4 flag sets (PINNED, CHILD), 4 counts, 3 */
    assert_true(refused > 0);
}

/* The fast release: exactly page_table_put's "not the last" case. */
static void test_unref_matches_general_path(void **st)
{
    (void)st;
    unsigned taken = 0;
    for (unsigned fl = 0; fl < 16; fl++)
        for (unsigned ty = PGT_l1; ty <= PGT_l3; ty++)
            for (unsigned tc = 1; tc < 5; tc++)
                for (unsigned extra = 0; extra < 3; extra++) {
                    if (fl & (PGF_PARTIAL | PGF_PARTIAL_CHILD))
                        continue;             /* a table in use is never partial */
                    struct page_info s = state(0, fl, ty, tc, extra), fast = s;
                    int applied = baseptr_unref_not_last(&fast);
                    assert_int_equal(applied, s.type_count > 1);
                    if (!applied) {
                        assert_true(same(&fast, &s));
                        continue;
                    }
                    fake_reset(DOM);
                    pages[M] = s;
                    mfn_t pending = 0;
                    page_table_put_preemptible(&ops, M, &pending);
                    assert_int_equal(pending, 0);
                    assert_true(same(&pages[M], &fast));
                    assert_int_equal(fast.type_count, s.type_count - 1);
                    taken++;
                }
    assert_int_equal(taken, 4 * 4 * 3 * 3);   /* 4 flag sets, 4 types, 3 counts, 3 */
}

/* A whole switch between two pinned L3s and back leaves every count as
 * it was, and a last reference is never taken by the fast release. */
static void test_switch_round_trip(void **st)
{
    (void)st;
    fake_reset(DOM);
    struct page_info a = { DOM, PGT_l3, PGF_PINNED, 2, 2, 0, 0 };   /* pin + base */
    struct page_info b = { DOM, PGT_l3, PGF_PINNED, 1, 1, 0, 0 };   /* pin */
    assert_true(baseptr_ref_in_use(&b, DOM, PGT_l3));
    assert_true(baseptr_unref_not_last(&a));
    assert_int_equal(a.type_count, 1);
    assert_int_equal(b.type_count, 2);
    assert_true(baseptr_ref_in_use(&a, DOM, PGT_l3));
    assert_true(baseptr_unref_not_last(&b));
    assert_int_equal(a.type_count, 2);
    assert_int_equal(a.count, 2);
    assert_int_equal(b.type_count, 1);
    assert_int_equal(b.count, 1);
    assert_false(baseptr_unref_not_last(&b));   /* the pin's: the general path's */
    assert_int_equal(b.type_count, 1);
    /* Another domain's L3, or one left partial: never by count. */
    struct page_info other = { 2, PGT_l3, PGF_PINNED, 1, 1, 0, 0 };
    struct page_info part = { DOM, PGT_l3, PGF_PARTIAL, 1, 1, 2, 0 };
    assert_false(baseptr_ref_in_use(&other, DOM, PGT_l3));
    assert_false(baseptr_ref_in_use(&part, DOM, PGT_l3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref_matches_general_path),
        cmocka_unit_test(test_unref_matches_general_path),
        cmocka_unit_test(test_switch_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
