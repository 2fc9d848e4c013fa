/* Unit tests: the references behind the hypervisor's pointers into guest
 * frames (core/guest_ptr.c), against the page-table and frame rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pv86/errno.h>

#define FAKE_FRAMES 16
#include "fake_machine.h"

#include "core/guest_ptr.h"
#include "mm/pagetable.h"

#define DOM 3

static void no_slots(void *ctx, uint16_t dom, uint64_t *l2)
{
    (void)ctx, (void)dom, (void)l2;
}

static const struct mm_ops ops = { fake_page, fake_map, no_slots, NULL, NULL, NULL, 0, NULL };

static int setup(void **state)
{
    (void)state;
    fake_reset(DOM);
    return 0;
}

static void test_take_pins_the_type(void **state)
{
    struct guest_ptrs gp = { { 0 } };
    (void)state;
    assert_int_equal(guest_ptr_take(&ops, &gp, DOM, GUEST_PTR_CONSOLE, 5), 0);
    assert_int_equal(pages[5].type, PGT_writable);
    assert_int_equal(pages[5].type_count, 1);
    assert_int_equal(pages[5].count, 1);
    /* The frame can now be neither a table at any level nor pinned (Xen's
     * "Bad type", -EINVAL)... */
    assert_int_equal(page_table_pin(&ops, DOM, 5, PGT_l1), -XEN_EINVAL);
    assert_int_equal(page_table_pin(&ops, DOM, 5, PGT_l2), -XEN_EINVAL);
    assert_int_equal(page_table_pin(&ops, DOM, 5, PGT_l3), -XEN_EINVAL);
    assert_int_equal(page_table_get(&ops, DOM, 5, PGT_l2h), -XEN_EINVAL);
    /* ...nor a descriptor frame, nor an entry in an L2. */
    assert_int_equal(page_get_type(&pages[5], PGT_seg_desc), -XEN_EBUSY);
    fake_mem[6][0] = (5ull << 12) | _PAGE_PRESENT;
    assert_int_equal(page_table_pin(&ops, DOM, 6, PGT_l2), -XEN_EINVAL);
    /* A read-only or writable mapping of it is still fine. */
    fake_mem[7][0] = (5ull << 12) | _PAGE_PRESENT | _PAGE_RW;
    fake_mem[7][1] = (5ull << 12) | _PAGE_PRESENT;
    assert_int_equal(page_table_pin(&ops, DOM, 7, PGT_l1), 0);
    assert_int_equal(pages[5].count, 3);
    assert_int_equal(page_table_unpin(&ops, DOM, 7), 0);
    /* The same pointer twice is the caller's bug. */
    assert_int_equal(guest_ptr_take(&ops, &gp, DOM, GUEST_PTR_CONSOLE, 8), -XEN_EEXIST);
    guest_ptr_release_all(&ops, &gp);
    assert_int_equal(pages[5].type_count, 0);
    assert_int_equal(pages[5].count, 0);
    assert_int_equal(pages[5].type, PGT_none);
    assert_int_equal(gp.mfn[GUEST_PTR_CONSOLE], 0);
    /* Released: the frame may become a table again. */
    assert_int_equal(page_table_pin(&ops, DOM, 5, PGT_l1), 0);
}

static void test_take_refused(void **state)
{
    struct guest_ptrs gp = { { 0 } };
    (void)state;
    pages[4].owner = DOM + 1;
    assert_int_equal(guest_ptr_take(&ops, &gp, DOM, GUEST_PTR_XENSTORE, 4), -XEN_EPERM);
    assert_int_equal(guest_ptr_take(&ops, &gp, DOM, GUEST_PTR_XENSTORE, FAKE_FRAMES), -XEN_EPERM);
    assert_int_equal(guest_ptr_take(&ops, &gp, DOM, GUEST_PTR_XENSTORE, 0), -XEN_EINVAL);
    assert_int_equal(guest_ptr_take(&ops, &gp, DOM, GUEST_PTR_KINDS, 3), -XEN_EINVAL);
    assert_int_equal(page_table_pin(&ops, DOM, 3, PGT_l1), 0);     /* a table already */
    assert_int_equal(guest_ptr_take(&ops, &gp, DOM, GUEST_PTR_XENSTORE, 3), -XEN_EBUSY);
    assert_int_equal(pages[3].count, 1);                            /* nothing taken */
    assert_int_equal(gp.mfn[GUEST_PTR_XENSTORE], 0);
    guest_ptr_release_all(&ops, &gp);                               /* empty: no-op */
    assert_int_equal(pages[3].count, 1);
    assert_string_equal(guest_ptr_name(GUEST_PTR_SHARED_INFO), "shared_info");
    assert_string_equal(guest_ptr_name(GUEST_PTR_KINDS), "?");
}

static void test_every_kind(void **state)
{
    struct guest_ptrs gp = { { 0 } };
    (void)state;
    for (unsigned k = 0; k < GUEST_PTR_KINDS; k++)
        assert_int_equal(guest_ptr_take(&ops, &gp, DOM, (enum guest_ptr_kind)k, 7 + k), 0);
    for (unsigned k = 0; k < GUEST_PTR_KINDS; k++)
        assert_int_equal(pages[7 + k].type_count, 1);
    guest_ptr_release_all(&ops, &gp);
    for (unsigned m = 0; m < FAKE_FRAMES; m++)
        assert_true(pages[m].count == 0 && pages[m].type_count == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_take_pins_the_type, setup),
        cmocka_unit_test_setup(test_take_refused, setup),
        cmocka_unit_test_setup(test_every_kind, setup),
    };
    return cmocka_run_group_tests_name("guest_ptr", tests, NULL, NULL);
}
