/* Unit tests of te's shadow-GDT decisions (vm/rules.h): which entries the
 * hypervisor keeps, which faults name an entry a lazy shadow may not have
 * filled yet, and the limit check of a 64 KiB GDT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/x86/layout.h"
#include "vm/rules.h"

static void test_reserved(void **state)
{
    (void)state;
    unsigned n = 0;
    for (unsigned i = 0; i < VX_GDT_ENTRIES; i++)
        n += (unsigned)vx_gdt_reserved(i);
    assert_int_equal(n, 4);
    assert_true(vx_gdt_reserved(HV_CS >> 3));
    assert_true(vx_gdt_reserved(HV_DS >> 3));
    assert_true(vx_gdt_reserved(HV_TSS_SEL >> 3));
    assert_true(vx_gdt_reserved(HV_LDT_SEL >> 3));
    /* pv's flat ring-1 and ring-3 entries are the guest's under te */
    for (unsigned sel = 0xe018; sel <= 0xe030; sel += 8)
        assert_false(vx_gdt_reserved(sel >> 3));
    assert_false(vx_gdt_reserved(0));
    assert_false(vx_gdt_reserved(0xe000 >> 3));
    assert_false(vx_gdt_reserved(0xFFF8 >> 3));
}

static void test_within(void **state)
{
    (void)state;
    assert_true(vx_gdt_within(8191, 0xFFFF));
    assert_false(vx_gdt_within(8192, 0xFFFF));
    assert_true(vx_gdt_within(0xFF, 0x7FF));
    assert_false(vx_gdt_within(0x100, 0x7FF));
    /* the whole descriptor must fit: limit 0x803 holds entry 0x100 only in part */
    assert_false(vx_gdt_within(0x100, 0x803));
    assert_true(vx_gdt_within(0x100, 0x807));
    assert_false(vx_gdt_within(1, 0));
}

static void test_fault_index(void **state)
{
    (void)state;
    /* #GP, #NP, #SS, #TS with a GDT selector */
    assert_int_equal(vx_gdt_fault_index(13, 0x8000, 0xFFFF), 0x1000);
    assert_int_equal(vx_gdt_fault_index(11, 0xFFF8, 0xFFFF), 0x1FFF);
    assert_int_equal(vx_gdt_fault_index(12, 0x0010, 0xFFFF), 2);
    assert_int_equal(vx_gdt_fault_index(10, 0x0028, 0xFFFF), 5);
    /* EXT does not matter; IDT and TI do */
    assert_int_equal(vx_gdt_fault_index(13, 0x8001, 0xFFFF), 0x1000);
    assert_int_equal(vx_gdt_fault_index(13, 0x0102, 0xFFFF), 0);   /* int 0x20's gate */
    assert_int_equal(vx_gdt_fault_index(13, 0x8004, 0xFFFF), 0);   /* the LDT */
    /* #GP(0), other vectors */
    assert_int_equal(vx_gdt_fault_index(13, 0, 0xFFFF), 0);
    assert_int_equal(vx_gdt_fault_index(14, 0x8000, 0xFFFF), 0);
    assert_int_equal(vx_gdt_fault_index(6, 0x8000, 0xFFFF), 0);
    /* beyond the guest's limit: the CPU's #GP is the guest's */
    assert_int_equal(vx_gdt_fault_index(13, 0x800, 0x7FF), 0);
    assert_int_equal(vx_gdt_fault_index(13, 0x7F8, 0x7FF), 0xFF);
    /* the hypervisor's entries are never filled from the guest's */
    assert_int_equal(vx_gdt_fault_index(13, HV_CS, 0xFFFF), 0);
    assert_int_equal(vx_gdt_fault_index(13, HV_DS, 0xFFFF), 0);
    assert_int_equal(vx_gdt_fault_index(13, HV_TSS_SEL, 0xFFFF), 0);
    assert_int_equal(vx_gdt_fault_index(13, HV_LDT_SEL, 0xFFFF), 0);
    assert_int_equal(vx_gdt_fault_index(13, 0xe018, 0xFFFF), 0xe018 >> 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserved),
        cmocka_unit_test(test_within),
        cmocka_unit_test(test_fault_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
