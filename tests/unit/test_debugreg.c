/* Unit tests: a PV guest's debug registers (hypervisor/arch/x86/debugreg.c),
 * Xen's set_debugreg / x86emul_read_dr / x86_merge_dr6 rules for a 32-bit
 * PV guest, and the decoding of mov to and from DRn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pv86/errno.h>

#include "arch/x86/debugreg.h"

static const struct debugreg_cpu plain = { 0, 0 };
static const struct debugreg_cpu with_rtm = { 1, 0 };

static uint32_t get(const struct debugreg_vcpu *d, uint32_t reg, int de)
{
    uint32_t v = 0xDEADBEEF;
    assert_int_equal(debugreg_get(d, reg, de, &v), 0);
    return v;
}

static void test_initial_values(void **state)
{
    struct debugreg_vcpu d;
    (void)state;
    debugreg_init(&d);
    for (uint32_t r = 0; r < 4; r++)
        assert_int_equal(get(&d, r, 0), 0);
    assert_int_equal(get(&d, 6, 0), 0xFFFF0FF0u);
    assert_int_equal(get(&d, 7, 0), 0x00000400u);
    assert_int_equal(get(&d, 4, 0), 0xFFFF0FF0u);     /* DR4 is DR6 without DE */
    assert_int_equal(get(&d, 5, 0), 0x00000400u);     /* DR5 is DR7 */
    assert_int_equal(d.hw_dr6, 0xFFFF0FF0u);
    assert_int_equal(debugreg_active(&d), 0);
}

static void test_address_limit(void **state)
{
    struct debugreg_vcpu d;
    (void)state;
    debugreg_init(&d);
    assert_int_equal(debugreg_set(&d, &plain, 0, 0x00400000u, 0), 0);
    assert_int_equal(debugreg_set(&d, &plain, 1, 0xF57FFFFCu, 0), 0);
    assert_int_equal(debugreg_set(&d, &plain, 2, 0, 0), 0);
    assert_int_equal(debugreg_set(&d, &plain, 3, 0x12345678u, 0), 0);
    static const uint32_t bad[] = { 0xF57FFFFDu, 0xF57FFFFFu, 0xF5800000u, 0xF6800000u,
                                    0xFFE00000u, 0xFFE15000u, 0xFFFFFFFFu };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        for (uint32_t r = 0; r < 4; r++)
            assert_int_equal(debugreg_set(&d, &plain, r, bad[i], 0), -XEN_EPERM);
    /* A refusal changes nothing. */
    assert_int_equal(get(&d, 0, 0), 0x00400000u);
    assert_int_equal(get(&d, 1, 0), 0xF57FFFFCu);
    assert_int_equal(get(&d, 2, 0), 0);
    assert_int_equal(get(&d, 3, 0), 0x12345678u);
}

static void test_dr6_reserved_bits(void **state)
{
    struct debugreg_vcpu d;
    (void)state;
    debugreg_init(&d);
    assert_int_equal(debugreg_set(&d, &plain, 6, 0, 0), 0);
    assert_int_equal(get(&d, 6, 0), 0xFFFF0FF0u);
    assert_int_equal(debugreg_set(&d, &plain, 6, 0xFFFFFFFFu, 0), 0);
    assert_int_equal(get(&d, 6, 0), 0xFFFFEFFFu);    /* bit 12 reads as 0 */
    assert_int_equal(d.hw_dr6, 0xFFFFEFFFu);         /* the CPU gets it too */
    assert_int_equal(debugreg_set(&d, &plain, 4, 0x00004001u, 0), 0);   /* via DR4 */
    assert_int_equal(get(&d, 6, 0), 0xFFFF4FF1u);
    /* With RTM the inverted RTM bit is the guest's. */
    assert_int_equal(debugreg_set(&d, &with_rtm, 6, 0, 0), 0);
    assert_int_equal(get(&d, 6, 0), 0xFFFE0FF0u);
}

static void test_dr7_reserved_bits_and_gd(void **state)
{
    struct debugreg_vcpu d;
    (void)state;
    debugreg_init(&d);
    assert_int_equal(debugreg_set(&d, &plain, 7, 0, 0), 0);
    assert_int_equal(get(&d, 7, 0), 0x00000400u);
    /* Every control field 11b (read/write, 4 bytes), every enable, no GD. */
    assert_int_equal(debugreg_set(&d, &plain, 7, 0xFFFFDFFFu, 0), 0);
    assert_int_equal(get(&d, 7, 0), 0xFFFF07FFu);    /* 11, 12, 14, 15 read as 0 */
    assert_int_equal(debugreg_active(&d), 0xFF);
    assert_int_equal(debugreg_set(&d, &with_rtm, 5, 0xFFFFDFFFu, 0), 0);  /* via DR5 */
    assert_int_equal(get(&d, 7, 0), 0xFFFF0FFFu);    /* RTM (11) kept with RTM */
    /* GD is refused, whatever else is set; nothing changes. */
    assert_int_equal(debugreg_set(&d, &plain, 7, 0x00002000u, 0), -XEN_EPERM);
    assert_int_equal(debugreg_set(&d, &plain, 7, 0xFFFFFFFFu, 0), -XEN_EPERM);
    assert_int_equal(debugreg_set(&d, &plain, 7, 0x00002001u, 1), -XEN_EPERM);
    assert_int_equal(get(&d, 7, 0), 0xFFFF0FFFu);
    /* Bits 12, 14 and 15 are dropped, not refused. */
    assert_int_equal(debugreg_set(&d, &plain, 7, 0x0000D001u, 0), 0);
    assert_int_equal(get(&d, 7, 0), 0x00000401u);
}

static void test_io_breakpoints(void **state)
{
    struct debugreg_vcpu d;
    (void)state;
    debugreg_init(&d);
    /* L0 with R/W 10b (I/O): without CR4.DE it is refused. */
    assert_int_equal(debugreg_set(&d, &plain, 7, 0x00020001u, 0), -XEN_EPERM);
    assert_int_equal(get(&d, 7, 0), 0x00000400u);
    /* An I/O field that is not enabled counts too while anything is. */
    assert_int_equal(debugreg_set(&d, &plain, 7, 0x00020004u, 0), -XEN_EPERM);
    /* With nothing enabled no field is looked at. */
    assert_int_equal(debugreg_set(&d, &plain, 7, 0x00020000u, 0), 0);
    assert_int_equal(get(&d, 7, 0), 0x00020400u);
    /* With DE: the enable is the hypervisor's to emulate, not the CPU's. */
    assert_int_equal(debugreg_set(&d, &plain, 0, 0x60, 1), 0);
    assert_int_equal(debugreg_set(&d, &plain, 7, 0x00020003u, 1), 0);
    assert_int_equal(d.dr7, 0x00020400u);
    assert_int_equal(d.dr7_emul, 3);
    assert_int_equal(debugreg_active(&d), 0);
    assert_int_equal(get(&d, 7, 1), 0x00020403u);    /* reads show it */
    /* An I/O breakpoint beside a data one: only the data one is loaded. */
    assert_int_equal(debugreg_set(&d, &plain, 7, 0x00D20005u, 1), 0);
    assert_int_equal(d.dr7, 0x00D20404u);
    assert_int_equal(d.dr7_emul, 1);
    assert_int_equal(get(&d, 7, 1), 0x00D20405u);
    /* Switched off: the emulated enables go. */
    assert_int_equal(debugreg_set(&d, &plain, 7, 0x00020000u, 1), 0);
    assert_int_equal(d.dr7_emul, 0);
}

static void test_io_match(void **state)
{
    struct debugreg_vcpu d;
    (void)state;
    debugreg_init(&d);
    d.dr[0] = 0x60;                      /* 1 byte */
    d.dr[1] = 0x70;                      /* 2 bytes */
    d.dr[2] = 0x80;                      /* 8 bytes */
    d.dr[3] = 0xFFFFFFFEu;               /* 4 bytes, at the very top */
    d.dr7 = 0xEA620400u;                 /* I/O: LEN 00, 01, 10, 11 */
    d.dr7_emul = 0x55;
    assert_int_equal(debugreg_io_match(&d, 0x60, 1, 1), 1);
    assert_int_equal(debugreg_io_match(&d, 0x61, 1, 1), 0);
    assert_int_equal(debugreg_io_match(&d, 0x5F, 2, 1), 1);
    assert_int_equal(debugreg_io_match(&d, 0x5D, 4, 1), 1);
    assert_int_equal(debugreg_io_match(&d, 0x5D, 4, 0), 0);   /* DE off */
    assert_int_equal(debugreg_io_match(&d, 0x71, 1, 1), 2);
    assert_int_equal(debugreg_io_match(&d, 0x72, 1, 1), 0);
    assert_int_equal(debugreg_io_match(&d, 0x87, 1, 1), 4);
    assert_int_equal(debugreg_io_match(&d, 0x88, 4, 1), 0);
    assert_int_equal(debugreg_io_match(&d, 0x6E, 4, 1), 2);
    assert_int_equal(debugreg_io_match(&d, 0xFFFF, 2, 1), 0);
    d.dr[3] = 0xFFFE;
    assert_int_equal(debugreg_io_match(&d, 0xFFFF, 1, 1), 8);
    d.dr7_emul = 0x04;                   /* only breakpoint 1 enabled */
    assert_int_equal(debugreg_io_match(&d, 0x60, 1, 1), 0);
    assert_int_equal(debugreg_io_match(&d, 0x70, 4, 1), 2);
    d.dr7_emul = 0;
    assert_int_equal(debugreg_io_match(&d, 0x70, 4, 1), 0);
}

static void test_dr4_dr5_with_de(void **state)
{
    struct debugreg_vcpu d;
    uint32_t v = 7;
    (void)state;
    debugreg_init(&d);
    assert_int_equal(debugreg_set(&d, &plain, 4, 0, 1), -XEN_ENODEV);
    assert_int_equal(debugreg_set(&d, &plain, 5, 0, 1), -XEN_ENODEV);
    assert_int_equal(debugreg_get(&d, 4, 1, &v), -XEN_ENODEV);
    assert_int_equal(debugreg_get(&d, 5, 1, &v), -XEN_ENODEV);
    assert_int_equal(v, 7);
    /* DR6 and DR7 themselves do not care. */
    assert_int_equal(debugreg_set(&d, &plain, 6, 0x8000u, 1), 0);
    assert_int_equal(get(&d, 6, 1), 0xFFFF8FF0u);
}

static void test_no_such_register(void **state)
{
    struct debugreg_vcpu d;
    uint32_t v = 7;
    (void)state;
    debugreg_init(&d);
    static const uint32_t bad[] = { 8, 9, 15, 16, 255, 0x80000000u, 0xFFFFFFFFu };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(debugreg_set(&d, &plain, bad[i], 0, 0), -XEN_ENODEV);
        assert_int_equal(debugreg_set(&d, &plain, bad[i], 0, 1), -XEN_ENODEV);
        assert_int_equal(debugreg_get(&d, bad[i], 0, &v), -XEN_ENODEV);
    }
    assert_int_equal(v, 7);
}

static void test_activation_reloads_dr6(void **state)
{
    struct debugreg_vcpu d;
    (void)state;
    debugreg_init(&d);
    d.dr6 = 0xFFFF4FF1u;                 /* as a #DB left it */
    d.hw_dr6 = 0xFFFF0FF0u;              /* the CPU's, reset after the #DB */
    assert_int_equal(debugreg_set(&d, &plain, 7, 0x00000002u, 0), 0);
    assert_int_equal(d.hw_dr6, 0xFFFF4FF1u);   /* Xen's activate_debugregs */
    d.hw_dr6 = 0xFFFF0FF0u;
    assert_int_equal(debugreg_set(&d, &plain, 7, 0x00000003u, 0), 0);
    assert_int_equal(d.hw_dr6, 0xFFFF0FF0u);   /* already active: untouched */
    assert_int_equal(debugreg_set(&d, &plain, 7, 0, 0), 0);
    assert_int_equal(d.hw_dr6, 0xFFFF0FF0u);
}

static void test_merge_dr6(void **state)
{
    (void)state;
    assert_int_equal(debugreg_pending(0xFFFF0FF0u), 0);
    assert_int_equal(debugreg_pending(0xFFFF0FF1u), DR6_B0);
    assert_int_equal(debugreg_pending(0xFFFF4FF0u), DR6_BS);
    assert_int_equal(debugreg_pending(0xFFFE6FF8u), 0x00016008u);   /* RTM is inverted */
    assert_int_equal(debugreg_pending(0x00000000u), 0x00010800u);   /* RTM, BLD only */
    /* B0-B3 are replaced, the rest accumulates. */
    assert_int_equal(debugreg_merge_dr6(&plain, 0xFFFF0FF0u, DR6_B0), 0xFFFF0FF1u);
    assert_int_equal(debugreg_merge_dr6(&plain, 0xFFFF0FF1u, DR6_BS), 0xFFFF4FF0u);
    assert_int_equal(debugreg_merge_dr6(&plain, 0xFFFF4FF0u, 2), 0xFFFF4FF2u);
    assert_int_equal(debugreg_merge_dr6(&plain, 0xFFFF4FF2u, 0xC), 0xFFFF4FFCu);
    assert_int_equal(debugreg_merge_dr6(&plain, 0xFFFF4FFCu, 0), 0xFFFF4FF0u);
    assert_int_equal(debugreg_merge_dr6(&plain, 0xFFFF4FF0u, DR6_BD), 0xFFFF6FF0u);
    /* Without RTM on the CPU its bit stays 1 whatever comes. */
    assert_int_equal(debugreg_merge_dr6(&plain, 0xFFFF0FF0u, DR6_RTM), 0xFFFF0FF0u);
    assert_int_equal(debugreg_merge_dr6(&with_rtm, 0xFFFF0FF0u, DR6_RTM), 0xFFFE0FF0u);
}

static void test_decode_mov(void **state)
{
    struct mov_dr m;
    (void)state;
    static const uint8_t to_dr0[] = { 0x0F, 0x23, 0xC0 };
    assert_true(debugreg_decode_mov(to_dr0, sizeof(to_dr0), &m));
    assert_int_equal(m.to_dr, 1);
    assert_int_equal(m.dr, 0);
    assert_int_equal(m.reg, 0);
    assert_int_equal(m.len, 3);
    static const uint8_t dr7_to_ecx[] = { 0x0F, 0x21, 0xF9 };
    assert_true(debugreg_decode_mov(dr7_to_ecx, sizeof(dr7_to_ecx), &m));
    assert_int_equal(m.to_dr, 0);
    assert_int_equal(m.dr, 7);
    assert_int_equal(m.reg, 1);
    assert_int_equal(m.len, 3);
    /* Prefixes are skipped; the mod bits do not matter. */
    static const uint8_t prefixed[] = { 0x66, 0x2E, 0xF3, 0x0F, 0x23, 0x1C, 0x90 };
    assert_true(debugreg_decode_mov(prefixed, sizeof(prefixed), &m));
    assert_int_equal(m.to_dr, 1);
    assert_int_equal(m.dr, 3);
    assert_int_equal(m.reg, 4);
    assert_int_equal(m.len, 6);
    /* Not this instruction. */
    static const uint8_t locked[] = { 0xF0, 0x0F, 0x23, 0xC0 };
    static const uint8_t mov_cr[] = { 0x0F, 0x22, 0xC0 };
    static const uint8_t other[] = { 0x0F, 0x20, 0xD8 };
    assert_false(debugreg_decode_mov(locked, sizeof(locked), &m));
    assert_false(debugreg_decode_mov(mov_cr, sizeof(mov_cr), &m));
    assert_false(debugreg_decode_mov(other, sizeof(other), &m));
    assert_false(debugreg_decode_mov(to_dr0, 2, &m));
    /* 15 bytes at most: 12 prefixes fit, 13 do not. */
    uint8_t longest[16];
    for (unsigned i = 0; i < 13; i++)
        longest[i] = 0x66;
    longest[13] = 0x0F;
    longest[14] = 0x21;
    longest[15] = 0xC8;
    assert_false(debugreg_decode_mov(longest, 16, &m));
    assert_true(debugreg_decode_mov(longest + 1, 15, &m));
    assert_int_equal(m.len, 15);
    assert_int_equal(m.dr, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_initial_values),
        cmocka_unit_test(test_address_limit),
        cmocka_unit_test(test_dr6_reserved_bits),
        cmocka_unit_test(test_dr7_reserved_bits_and_gd),
        cmocka_unit_test(test_io_breakpoints),
        cmocka_unit_test(test_io_match),
        cmocka_unit_test(test_dr4_dr5_with_de),
        cmocka_unit_test(test_no_such_register),
        cmocka_unit_test(test_activation_reloads_dr6),
        cmocka_unit_test(test_merge_dr6),
        cmocka_unit_test(test_decode_mov),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
