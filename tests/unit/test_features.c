/* Unit tests: xen_version(get_features) and vm_assist as Xen answers a
 * 32-bit PV guest (hypervisor/core/features.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pv86/errno.h>
#include <pv86/version.h>
#include <pv86/xen.h>

#include "core/features.h"

#define BIT(n) (1u << (n))

static void test_submap0(void **state)
{
    (void)state;
    uint32_t pv = BIT(XENFEAT_mmu_pt_update_preserve_ad) | BIT(XENFEAT_direct_mapped);
    assert_int_equal(features_submap0(0, 0), pv);
    assert_int_equal(features_submap0(BIT(VMASST_TYPE_pae_extended_cr3), 0),
                     pv | BIT(XENFEAT_pae_pgdir_above_4gb));
    assert_int_equal(features_submap0(BIT(VMASST_TYPE_pae_extended_cr3), 1),
                     pv | BIT(XENFEAT_pae_pgdir_above_4gb) | BIT(XENFEAT_dom0));
    /* The other assists change nothing here; writable_page_tables is never
     * reported to a PV guest (Xen: translated guests only). */
    assert_int_equal(features_submap0(0x37u, 0), pv);
}

static void test_initial(void **state)
{
    (void)state;
    uint32_t ext = BIT(VMASST_TYPE_pae_extended_cr3);
    assert_int_equal(vm_assist_initial("yes", 1), ext);
    assert_int_equal(vm_assist_initial("yes", 0), ext);
    assert_int_equal(vm_assist_initial("bimodal", 0), ext);      /* the toolstack's builder */
    assert_int_equal(vm_assist_initial("yes,bimodal", 0), ext);
    assert_int_equal(vm_assist_initial("bimodal", 1), 0);        /* dom0: extended-cr3 only */
    assert_int_equal(vm_assist_initial("extended-cr3", 0), 0);   /* libelf: not "yes" */
    assert_int_equal(vm_assist_initial("", 1), 0);
}

static void test_apply(void **state)
{
    (void)state;
    uint32_t bits = 0;
    for (uint32_t t = 0; t <= 5; t++) {
        assert_int_equal(vm_assist_apply(&bits, VMASST_CMD_enable, t), 0);
        assert_int_equal(bits, BIT(t + 1) - 1);
    }
    assert_int_equal(vm_assist_apply(&bits, VMASST_CMD_disable, 3), 0);
    assert_int_equal(bits, 0x37u);
    static const uint32_t bad[] = { 6, 31, 32, 33, 0xFFFFFFFFu };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(vm_assist_apply(&bits, VMASST_CMD_enable, bad[i]), -XEN_EINVAL);
        assert_int_equal(vm_assist_apply(&bits, 7, bad[i]), -XEN_EINVAL);   /* type first */
    }
    assert_int_equal(vm_assist_apply(&bits, 2, 0), -XEN_ENOSYS);
    assert_int_equal(bits, 0x37u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submap0),
        cmocka_unit_test(test_initial),
        cmocka_unit_test(test_apply),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
