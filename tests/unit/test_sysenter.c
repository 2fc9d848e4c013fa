/* Unit tests: where a guest's SYSENTER goes (hypervisor/arch/x86/
 * sysenter_rules.c), Xen's rules for a 32-bit PV guest: the sysenter
 * callback, else #GP(0) to the #GP handler; null selectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/x86/sysenter_rules.h"

static const struct trap_info gp_handler = { 13, 0, FLAT_RING1_CS, 0x401234 };
static const struct trap_info gp_masking = { 13, 4, 0xe01b, 0x405678 };
static const struct trap_info no_handler = { 0, 0, 0, 0 };

static void test_callback(void **state)
{
    struct xen_callback cb = { FLAT_RING1_CS, 0x402000 };
    struct sysenter_target t;
    (void)state;
    assert_int_equal(sysenter_target(&cb, 0, &gp_handler, &t), 0);
    assert_int_equal(t.cs, FLAT_RING1_CS);
    assert_int_equal(t.eip, 0x402000);
    assert_int_equal(t.mask_events, 0);
    assert_int_equal(t.gp, 0);
    /* Only CALLBACKF_mask_events counts; no #GP handler is needed. */
    assert_int_equal(sysenter_target(&cb, 0xFFFE, &no_handler, &t), 0);
    assert_int_equal(t.mask_events, 0);
    assert_int_equal(sysenter_target(&cb, CALLBACKF_mask_events, &no_handler, &t), 0);
    assert_int_equal(t.mask_events, 1);
}

static void test_no_callback_is_gp(void **state)
{
    struct xen_callback none = { FLAT_RING1_CS, 0 };
    struct sysenter_target t;
    (void)state;
    assert_int_equal(sysenter_target(&none, CALLBACKF_mask_events, &gp_handler, &t), 0);
    assert_int_equal(t.gp, 1);
    assert_int_equal(t.cs, FLAT_RING1_CS);
    assert_int_equal(t.eip, 0x401234);
    assert_int_equal(t.mask_events, 0);        /* the #GP entry's flag, not the callback's */
    assert_int_equal(sysenter_target(&none, 0, &gp_masking, &t), 0);
    assert_int_equal(t.mask_events, 1);
    assert_int_equal(t.cs, 0xe01b);
    /* Nowhere to go: the domain is crashed. */
    assert_int_equal(sysenter_target(&none, 0, &no_handler, &t), -1);
}

static void test_null_selector(void **state)
{
    struct xen_callback null_cs = { 3, 0x402000 };
    struct sysenter_target t;
    (void)state;
    /* Xen's compat_sysenter: a null callback selector takes the #GP one. */
    assert_int_equal(sysenter_target(&null_cs, 0, &gp_handler, &t), 0);
    assert_int_equal(t.cs, FLAT_RING1_CS);
    assert_int_equal(t.eip, 0x402000);
    assert_int_equal(t.gp, 0);
    /* ... and with none there either, the bounce has no selector: crash. */
    assert_int_equal(sysenter_target(&null_cs, 0, &no_handler, &t), -1);
}

static void test_frame_constants(void **state)
{
    (void)state;
    assert_int_equal(SYSENTER_FRAME_EIP, 0);
    assert_int_equal(SYSENTER_FRAME_CS, 3);
    assert_int_equal(SYSENTER_FRAME_ESP, 0);
    assert_int_equal(SYSENTER_FRAME_SS, 0xe033);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_callback),
        cmocka_unit_test(test_no_callback_is_gp),
        cmocka_unit_test(test_null_selector),
        cmocka_unit_test(test_frame_constants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
