/* The shared layer's virtual-PC rules (hypervisor/vm/pcrules.c): where an
 * MSR goes, the accessed bit a descriptor load sets, what a not-present
 * IDT gate raises, the code segment's default size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vm/pcrules.h"

static void test_msr_route(void **state)
{
    (void)state;
    assert_int_equal(vx_msr_route(0x10), VX_MSR_TSC);
    assert_int_equal(vx_msr_route(0x174), VX_MSR_SYSENTER);
    assert_int_equal(vx_msr_route(0x175), VX_MSR_SYSENTER);
    assert_int_equal(vx_msr_route(0x176), VX_MSR_SYSENTER);
    assert_int_equal(vx_msr_route(0x1B), VX_MSR_PLATFORM);      /* IA32_APIC_BASE */
    assert_int_equal(vx_msr_route(0x173), VX_MSR_GP);
    assert_int_equal(vx_msr_route(0x177), VX_MSR_GP);
    assert_int_equal(vx_msr_route(0x1A), VX_MSR_GP);
    assert_int_equal(vx_msr_route(0x1C), VX_MSR_GP);
    assert_int_equal(vx_msr_route(0x11), VX_MSR_GP);
    assert_int_equal(vx_msr_route(0x800), VX_MSR_GP);            /* x2APIC: not offered */
    assert_int_equal(vx_msr_route(0xC0000080u), VX_MSR_GP);      /* EFER */
}

static void test_accessed(void **state)
{
    (void)state;
    uint64_t code = 0x00CF9A000000FFFFull, data = 0x00CF92000000FFFFull;
    assert_int_equal(vx_desc_sets_accessed(code), 0);                  /* QEMU 7.2: code loads leave it */
    assert_int_equal(vx_desc_sets_accessed(data), 1);
    assert_int_equal(vx_desc_sets_accessed(code | VX_DESC_A), 0);      /* already set */
    assert_int_equal(vx_desc_sets_accessed(data | VX_DESC_A), 0);
    assert_int_equal(vx_desc_sets_accessed(data & ~(1ull << 47)), 0);  /* not present: #NP */
    /* system descriptors (S clear): a 32-bit TSS, an LDT, a call gate */
    assert_int_equal(vx_desc_sets_accessed(0x0000890000000067ull), 0);
    assert_int_equal(vx_desc_sets_accessed(0x0000820000000FFFull), 0);
    assert_int_equal(vx_desc_sets_accessed(0x00008C0000080000ull), 0);
    assert_int_equal(vx_desc_sets_accessed(0), 0);
    assert_true(VX_DESC_A == 1ull << 40);
}

static void test_gate_np(void **state)
{
    (void)state;
    assert_int_equal(vx_gate_np_action(0x40), VX_GATE_NP);     /* an interrupt */
    assert_int_equal(vx_gate_np_action(0x80), VX_GATE_NP);     /* int $0x80 */
    assert_int_equal(vx_gate_np_action(1), VX_GATE_NP);        /* #DB: benign */
    assert_int_equal(vx_gate_np_action(3), VX_GATE_NP);
    assert_int_equal(vx_gate_np_action(6), VX_GATE_NP);        /* #UD: benign */
    assert_int_equal(vx_gate_np_action(7), VX_GATE_NP);
    assert_int_equal(vx_gate_np_action(0), VX_GATE_DF);        /* #DE: contributory */
    for (unsigned v = 10; v <= 13; v++)
        assert_int_equal(vx_gate_np_action(v), VX_GATE_DF);
    assert_int_equal(vx_gate_np_action(14), VX_GATE_DF);       /* #PF */
    assert_int_equal(vx_gate_np_action(8), VX_GATE_SHUTDOWN);  /* #DF */
    assert_int_equal(vx_gate_np_action(16), VX_GATE_NP);
}

static void test_cs32(void **state)
{
    (void)state;
    assert_int_equal(vx_desc_cs32(0x00CF9A000000FFFFull), 1);
    assert_int_equal(vx_desc_cs32(0x008F9A000000FFFFull), 0);   /* D clear: 16-bit */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_msr_route),
        cmocka_unit_test(test_accessed),
        cmocka_unit_test(test_gate_np),
        cmocka_unit_test(test_cs32),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
