/* Unit tests: lazy FPU switching (hypervisor/arch/x86/fpu_rules.c): who
 * owns the FPU, what a take saves and loads, when CR0.TS must be set, and
 * what a te guest's virtual CR0 makes of an #NM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arch/x86/fpu_rules.h"

static void test_first_take_loads_clean(void **state)
{
    struct fpu_track t = { FPU_NO_OWNER };
    (void)state;
    assert_int_equal(fpu_take(&t, 1, 0, 0), FPU_LOAD_CLEAN);
    assert_int_equal(t.owner, 1);
    /* The owner again: nothing to move. */
    assert_int_equal(fpu_take(&t, 1, 1, 1), 0);
}

static void test_take_saves_live_owner(void **state)
{
    struct fpu_track t = { 1 };
    (void)state;
    assert_int_equal(fpu_take(&t, 2, 0, 1), FPU_SAVE_OWNER | FPU_LOAD_CLEAN);
    assert_int_equal(t.owner, 2);
    assert_int_equal(fpu_take(&t, 1, 1, 1), FPU_SAVE_OWNER | FPU_LOAD_OWN);
    assert_int_equal(t.owner, 1);
}

static void test_dead_owner_dropped(void **state)
{
    struct fpu_track t = { 3 };
    (void)state;
    /* The owner's domain ended: its registers are not saved anywhere. */
    assert_int_equal(fpu_take(&t, 2, 1, 0), FPU_LOAD_OWN);
    fpu_drop(&t, 1);                    /* not the owner: no change */
    assert_int_equal(t.owner, 2);
    fpu_drop(&t, 2);
    assert_int_equal(t.owner, FPU_NO_OWNER);
    assert_int_equal(fpu_take(&t, 4, 0, 0), FPU_LOAD_CLEAN);
}

static void test_real_ts(void **state)
{
    struct fpu_track t = { 1 };
    (void)state;
    assert_false(fpu_real_ts(&t, 1, 0));
    assert_false(fpu_real_ts(&t, 1, FPU_CR0_MP));
    assert_true(fpu_real_ts(&t, 1, FPU_CR0_TS));
    assert_true(fpu_real_ts(&t, 1, FPU_CR0_EM));
    assert_true(fpu_real_ts(&t, 2, 0));          /* not the owner */
    t.owner = FPU_NO_OWNER;
    assert_true(fpu_real_ts(&t, 1, 0));
}

static enum fpu_nm_action decide(uint32_t cr0, const uint8_t *b, size_t n)
{
    size_t len;
    return fpu_nm_decide(cr0, b, n, &len);
}

static void test_nm_decide(void **state)
{
    static const uint8_t fld1[] = { 0xD9, 0xE8 }, wait[] = { 0x9B },
        movq[] = { 0x0F, 0x6F, 0xC1 }, fxsave[] = { 0x0F, 0xAE, 0x00 },
        ldmxcsr[] = { 0x0F, 0xAE, 0x10 }, pfx_fld[] = { 0x66, 0x3E, 0xDD, 0x00 },
        addps[] = { 0x0F, 0x58, 0xC1 }, nop[] = { 0x90 };
    const uint32_t TS = FPU_CR0_TS, EM = FPU_CR0_EM, MP = FPU_CR0_MP;
    size_t len;
    (void)state;
    /* TS and EM clear: the guest's FPU, just loaded, runs. */
    assert_int_equal(decide(MP, fld1, 2), FPU_NM_RESUME);
    assert_int_equal(decide(0, wait, 1), FPU_NM_RESUME);
    /* x87 */
    assert_int_equal(decide(TS, fld1, 2), FPU_NM_GUEST_NM);
    assert_int_equal(decide(EM, fld1, 2), FPU_NM_GUEST_NM);
    assert_int_equal(decide(TS, pfx_fld, 4), FPU_NM_GUEST_NM);
    /* WAIT: #NM only with TS and MP; EM does not matter. */
    assert_int_equal(decide(TS | MP, wait, 1), FPU_NM_GUEST_NM);
    assert_int_equal(fpu_nm_decide(TS, wait, 1, &len), FPU_NM_RUN_WAIT);
    assert_int_equal(len, 1);
    assert_int_equal(decide(EM | MP, wait, 1), FPU_NM_RUN_WAIT);
    /* MMX and SSE: #UD with EM, #NM with TS. */
    assert_int_equal(decide(EM, movq, 3), FPU_NM_GUEST_UD);
    assert_int_equal(decide(EM | TS, addps, 3), FPU_NM_GUEST_UD);
    assert_int_equal(decide(TS, movq, 3), FPU_NM_GUEST_NM);
    assert_int_equal(decide(EM, ldmxcsr, 3), FPU_NM_GUEST_UD);
    /* fxsave and fxrstor: #NM with EM as with TS. */
    assert_int_equal(decide(EM, fxsave, 3), FPU_NM_GUEST_NM);
    /* Unreadable or unknown bytes: the CPU's #NM stands. */
    assert_int_equal(decide(TS, fld1, 0), FPU_NM_GUEST_NM);
    assert_int_equal(decide(EM, nop, 1), FPU_NM_GUEST_NM);
}

static void test_pv_cr0(void **state)
{
    const uint32_t real = 0x80010033u;           /* PG WP NE ET MP PE */
    (void)state;
    assert_true(fpu_pv_cr0_write_ok(real, real));
    assert_true(fpu_pv_cr0_write_ok(real | FPU_CR0_TS, real));
    assert_true(fpu_pv_cr0_write_ok(real, real | FPU_CR0_TS));
    assert_false(fpu_pv_cr0_write_ok(real & ~1u, real));        /* PE */
    assert_false(fpu_pv_cr0_write_ok(real | FPU_CR0_EM, real));
    assert_false(fpu_pv_cr0_write_ok(0, real));
    assert_int_equal(fpu_pv_cr0_read(real | FPU_CR0_TS, 0), real);
    assert_int_equal(fpu_pv_cr0_read(real, FPU_CR0_TS), real | FPU_CR0_TS);
    static const uint8_t clts[] = { 0x0F, 0x06 }, other[] = { 0x0F, 0x07 };
    assert_true(fpu_is_clts(clts, 2));
    assert_false(fpu_is_clts(clts, 1));
    assert_false(fpu_is_clts(other, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_take_loads_clean),
        cmocka_unit_test(test_take_saves_live_owner),
        cmocka_unit_test(test_dead_owner_dropped),
        cmocka_unit_test(test_real_ts),
        cmocka_unit_test(test_nm_decide),
        cmocka_unit_test(test_pv_cr0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
