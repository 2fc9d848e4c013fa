/* Unit tests: the MSRs and CR4 a PV guest sees (hypervisor/arch/x86/msr.c,
 * emulate.c's CR4 rules), as Xen 4.19 shows them to a 32-bit PV domU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/emulate.h"
#include "arch/x86/msr.h"

static uint64_t host(void *ctx, uint32_t msr)
{
    (void)ctx;
    switch (msr) {
    case MSR_IA32_TSC: return 0x1122334455667788ull;
    case MSR_IA32_PLATFORM_ID: return 0x0004000000000000ull;
    case MSR_IA32_UCODE_REV: return 0x0000002a00000000ull;
    case MSR_IA32_MISC_ENABLE: return 0x0000000000850089ull;  /* PERF_AVAIL, MONITOR set */
    default: fail(); return 0;
    }
}

static struct msr_cpu cpu_of(unsigned vendor, unsigned family, uint64_t efer)
{
    struct msr_cpu c = { vendor, family, efer, host, NULL };
    return c;
}

static void test_vendor(void **state)
{
    uint32_t r[4] = { 0xd, 0, 0, 0 };
    (void)state;
    memcpy(&r[1], "Genu", 4); memcpy(&r[3], "ineI", 4); memcpy(&r[2], "ntel", 4);
    assert_int_equal(msr_vendor_of(r), MSR_VENDOR_INTEL);
    memcpy(&r[1], "Auth", 4); memcpy(&r[3], "enti", 4); memcpy(&r[2], "cAMD", 4);
    assert_int_equal(msr_vendor_of(r), MSR_VENDOR_AMD);
    memcpy(&r[1], "TCGT", 4);
    assert_int_equal(msr_vendor_of(r), 0);
}

static void test_read_any_vendor(void **state)
{
    struct msr_vcpu v = { 0 };
    uint64_t val;
    (void)state;
    static const unsigned vendors[] = { MSR_VENDOR_INTEL, MSR_VENDOR_AMD };
    for (size_t i = 0; i < 2; i++) {
        struct msr_cpu c = cpu_of(vendors[i], 6, 0);
        assert_int_equal(msr_pv_read(&c, &v, 0, 0x1b, &val), 0);
        assert_int_equal(val, 0xFEE00900u);
        assert_int_equal(msr_pv_read(&c, &v, 1, 0x1b, &val), 0);
        assert_int_equal(val, 0xFEE00800u);
        assert_int_equal(msr_pv_read(&c, &v, 0, MSR_IA32_CR_PAT, &val), 0);
        assert_int_equal(val, 0x0000050100070406ull);
        assert_int_equal(msr_pv_read(&c, &v, 0, MSR_IA32_TSC, &val), 0);
        assert_int_equal(val, 0x1122334455667788ull);
        assert_int_equal(msr_pv_read(&c, &v, 0, 0xce, &val), 0);
        assert_int_equal(val, 0);
        assert_int_equal(msr_pv_read(&c, &v, 0, 0x140, &val), 0);
        assert_int_equal(msr_pv_read(&c, &v, 0, 0x345, &val), 0);
        assert_int_equal(msr_pv_read(&c, &v, 0, 0xc001001f, &val), 0);
        assert_int_equal(msr_pv_read(&c, &v, 0, 0x40000000, &val), 0);
        assert_int_equal(val, 0);
        assert_int_equal(msr_pv_read(&c, &v, 0, MSR_IA32_UCODE_REV, &val), 0);
        assert_int_equal(val, 0x0000002a00000000ull);
        /* #GP: SYSENTER (the hypervisor's), FS/GS bases (no long mode),
         * MTRRs, MCA, the x2APIC, unknown ones. */
        static const uint32_t gp[] = { 0x174, 0x175, 0x176, 0xc0000100, 0xc0000101,
                                       0xc0000102, 0xfe, 0x200, 0x2ff, 0x179, 0x17a, 0x400,
                                       0x802, 0x40000001, 0x400000ff, 0xc0000081, 0x12345678,
                                       0xe7, 0x19a, 0x1b0, 0xc0000103, 0x48, 0x10a };
        for (size_t k = 0; k < sizeof(gp) / sizeof(gp[0]); k++)
            assert_int_equal(msr_pv_read(&c, &v, 0, gp[k], &val), -1);
    }
}

static void test_read_by_vendor(void **state)
{
    struct msr_vcpu v = { 0 };
    struct msr_cpu intel = cpu_of(MSR_VENDOR_INTEL, 6, 0);
    struct msr_cpu amd = cpu_of(MSR_VENDOR_AMD, 0x10, 0);
    uint64_t val;
    (void)state;
    assert_int_equal(msr_pv_read(&intel, &v, 0, MSR_IA32_PLATFORM_ID, &val), 0);
    assert_int_equal(val, 0x0004000000000000ull);
    assert_int_equal(msr_pv_read(&amd, &v, 0, MSR_IA32_PLATFORM_ID, &val), -1);
    assert_int_equal(msr_pv_read(&intel, &v, 0, MSR_IA32_FEATURE_CONTROL, &val), 0);
    assert_int_equal(val, 1);
    assert_int_equal(msr_pv_read(&amd, &v, 0, MSR_IA32_FEATURE_CONTROL, &val), -1);
    assert_int_equal(msr_pv_read(&intel, &v, 0, MSR_IA32_MISC_ENABLE, &val), 0);
    assert_int_equal(val, 0x0000000000811809ull);   /* - PERF_AVAIL, MONITOR; + BTS, PEBS, xTPR */
    assert_int_equal(msr_pv_read(&amd, &v, 0, MSR_IA32_MISC_ENABLE, &val), -1);
    /* Intel's PMU reads 0 with vPMU off; AMD's PMU ranges likewise. */
    assert_int_equal(msr_pv_read(&intel, &v, 0, 0xc1, &val), 0);
    assert_int_equal(msr_pv_read(&intel, &v, 0, 0x38f, &val), 0);
    assert_int_equal(msr_pv_read(&amd, &v, 0, 0xc1, &val), -1);
    assert_int_equal(msr_pv_read(&amd, &v, 0, 0xc0010004, &val), 0);
    assert_int_equal(msr_pv_read(&intel, &v, 0, 0xc0010004, &val), -1);
    assert_int_equal(msr_pv_read(&amd, &v, 0, MSR_K8_HWCR, &val), 0);
    assert_int_equal(val, 0);
    assert_int_equal(msr_pv_read(&amd, &v, 0, MSR_AMD64_DE_CFG, &val), 0);
    assert_int_equal(val, 2);
    assert_int_equal(msr_pv_read(&intel, &v, 0, MSR_AMD64_DE_CFG, &val), -1);
    assert_int_equal(msr_pv_read(&amd, &v, 0, 0xc0010058, &val), 0);
    amd.family = 0x17;
    assert_int_equal(msr_pv_read(&amd, &v, 0, 0xc0010058, &val), -1);
    assert_int_equal(msr_pv_read(&amd, &v, 0, 0xc0010064, &val), 0);   /* P-state 0 */
    assert_int_equal(msr_pv_read(&intel, &v, 0, 0x198, &val), 0);
    assert_int_equal(msr_pv_read(&amd, &v, 0, 0x198, &val), -1);
    assert_int_equal(msr_pv_read(&intel, &v, 0, 0x19c, &val), 0);
}

static void test_efer(void **state)
{
    struct msr_vcpu v = { 0 };
    uint64_t val;
    (void)state;
    struct msr_cpu intel = cpu_of(MSR_VENDOR_INTEL, 6, EFER_SCE | EFER_NXE | EFER_LME | (1ull << 30));
    struct msr_cpu amd = cpu_of(MSR_VENDOR_AMD, 0x10, EFER_SCE | EFER_NXE | EFER_SVME | EFER_LMA);
    assert_int_equal(msr_pv_read(&intel, &v, 0, MSR_EFER, &val), 0);
    assert_int_equal(val, EFER_NXE);
    assert_int_equal(msr_pv_read(&amd, &v, 0, MSR_EFER, &val), 0);
    assert_int_equal(val, EFER_SCE | EFER_NXE);
    assert_int_equal(msr_pv_write(&amd, &v, MSR_EFER, EFER_SCE | EFER_NXE), 0);
    assert_int_equal(msr_pv_write(&amd, &v, MSR_EFER, EFER_NXE), -1);
    assert_int_equal(msr_pv_write(&intel, &v, MSR_EFER, 0), -1);
}

static void test_write(void **state)
{
    struct msr_vcpu v = { 0 };
    struct msr_cpu intel = cpu_of(MSR_VENDOR_INTEL, 6, 0);
    struct msr_cpu amd = cpu_of(MSR_VENDOR_AMD, 0x10, 0);
    uint64_t val;
    (void)state;
    assert_int_equal(msr_pv_write(&intel, &v, MSR_IA32_UCODE_REV, 0), 0);
    assert_int_equal(msr_pv_write(&intel, &v, MSR_IA32_UCODE_REV, 1), -1);
    assert_int_equal(msr_pv_write(&amd, &v, MSR_IA32_UCODE_REV, 0), -1);
    assert_int_equal(msr_pv_write(&intel, &v, MSR_IA32_MISC_ENABLE, 0xdead), 0);  /* dropped */
    assert_int_equal(msr_pv_write(&amd, &v, MSR_IA32_MISC_ENABLE, 0), -1);
    assert_int_equal(msr_pv_write(&intel, &v, 0x140, 1), -1);
    assert_int_equal(msr_pv_write(&intel, &v, 0x140, 0), 0);
    assert_int_equal(msr_pv_read(&intel, &v, 0, 0x140, &val), 0);
    assert_int_equal(val, 0);
    static const uint32_t gp[] = { 0x10, 0x17, 0x1b, 0x3a, 0xce, 0x277, 0x345, 0x174,
                                   0x40000000, 0x12345678, 0x198 };
    for (size_t k = 0; k < sizeof(gp) / sizeof(gp[0]); k++)
        assert_int_equal(msr_pv_write(&intel, &v, gp[k], 0), -1);
    assert_int_equal(msr_pv_write(&intel, &v, 0x199, 5), 0);
    assert_int_equal(msr_pv_write(&amd, &v, 0x199, 5), -1);
    assert_int_equal(msr_pv_write(&amd, &v, MSR_K8_HWCR, 5), 0);
    assert_int_equal(msr_pv_write(&intel, &v, MSR_K8_HWCR, 5), -1);
    assert_int_equal(msr_pv_write(&amd, &v, 0xc001001f, 5), 0);
    assert_int_equal(msr_pv_write(&intel, &v, 0xc001001f, 5), 0);
    assert_int_equal(msr_pv_write(&amd, &v, 0xe7, 5), 0);
    assert_int_equal(msr_pv_write(&intel, &v, 0x19a, 5), 0);
    assert_int_equal(msr_pv_write(&amd, &v, 0x19a, 5), -1);
    assert_int_equal(msr_pv_write(&amd, &v, MSR_AMD64_DE_CFG, 0), 0);
}

static void test_cr4(void **state)
{
    (void)state;
    uint32_t leaf1[4] = { 0, 0, 1u << 26, (1u << 4) };   /* XSAVE, TSC; no DE */
    assert_int_equal(emul_pv_cr4_bits(0xFFFFFFFFu, leaf1, 0), (1u << 2) | (1u << 18));
    assert_int_equal(emul_pv_cr4_bits(0xFFFFFFFFu, leaf1, 1), (1u << 2) | (1u << 16) | (1u << 18));
    leaf1[3] |= 1u << 2;
    assert_int_equal(emul_pv_cr4_bits(1u << 3, leaf1, 0), 1u << 3);
    leaf1[2] = 0;
    leaf1[3] = 0;
    assert_int_equal(emul_pv_cr4_bits(0xFFFFFFFFu, leaf1, 0), 0);
    /* The view: PAE, MCE, OSFXSR, OSXMMEXCPT of the real CR4, nothing else. */
    uint32_t real = (1u << 5) | (1u << 7) | (1u << 9) | (1u << 10) | (1u << 11) | (1u << 2);
    assert_int_equal(emul_pv_cr4_view(0, real), (1u << 5) | (1u << 9) | (1u << 10));
    assert_int_equal(emul_pv_cr4_view(1u << 2, real), (1u << 2) | (1u << 5) | (1u << 9) | (1u << 10));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vendor),
        cmocka_unit_test(test_read_any_vendor),
        cmocka_unit_test(test_read_by_vendor),
        cmocka_unit_test(test_efer),
        cmocka_unit_test(test_write),
        cmocka_unit_test(test_cr4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
