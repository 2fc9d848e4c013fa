/* Unit tests of the shared layer's paging decisions (vm/walk.h, vm/rules.h):
 * the translation of each 32-bit paging mode the guest's CR0 and CR4 choose
 * (none, 32-bit with 4 KiB pages, with 4 MiB pages under CR4.PSE, PAE) on a
 * fake guest memory, the shadow L2 marks a guest large page leaves and what
 * invlpg then drops, the rights of a shadow entry under CR0.WP clear, and
 * the fill decision for write-protected frames (bt's code pages). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vm/rules.h"
#include "vm/walk.h"

#define PG   (1u << 31)
#define WP   (1u << 16)
#define PSE  (1u << 4)
#define PAE  (1u << 5)

static uint8_t guest[16 * 4096];               /* guest-physical pages 0..15 */

static void *table(void *ctx, uint64_t gpa)
{
    (void)ctx;
    return gpa + 4 <= sizeof(guest) ? &guest[gpa] : NULL;
}

static uint32_t *pde32(unsigned page, unsigned i) { return (uint32_t *)&guest[page * 4096] + i; }
static uint64_t *pte64(unsigned page, unsigned i) { return (uint64_t *)&guest[page * 4096] + i; }

static int walk(uint32_t cr0, uint32_t cr3, uint32_t cr4, const uint64_t *pdpte, uint32_t va,
                unsigned access, struct vx_walk *w)
{
    const struct vx_paging p = { cr0, cr3, cr4, pdpte, 36 };
    return vx_walk_guest(table, NULL, &p, va, access, w);
}

static void test_paging_off(void **state)
{
    struct vx_walk w;
    (void)state;
    /* CR0.PG clear: the address itself, every right, whatever CR4 says. */
    assert_int_equal(walk(WP, 0x1000, PSE | PAE, NULL, 0x12345678, VX_ACC_USER | VX_ACC_WRITE, &w),
                     VX_WALK_OK);
    assert_int_equal(w.gpa, 0x12345678);
    assert_true(w.writable && w.user && w.dirty);
    assert_int_equal(w.page_shift, 0);
    assert_false(w.large);
}

static void test_32bit_4k(void **state)
{
    struct vx_walk w;
    (void)state;
    memset(guest, 0, sizeof(guest));
    /* CR3 at page 1: PDE 0 -> a page table at page 2; PTE 3 -> frame 9, P U, read-only */
    *pde32(1, 0) = 0x2000 | 0x7;
    *pde32(2, 3) = 0x9000 | 0x5;
    assert_int_equal(walk(PG | WP, 0x1000, 0, NULL, 0x3abc, VX_ACC_USER, &w), VX_WALK_OK);
    assert_int_equal(w.gpa, 0x9abc);
    assert_int_equal(w.page_shift, 12);
    assert_false(w.large);
    assert_false(w.writable);
    assert_true(w.user);
    assert_int_equal(*pde32(1, 0), 0x2000 | 0x27);        /* A in the PDE */
    assert_int_equal(*pde32(2, 3), 0x9000 | 0x25);        /* A, no D in the PTE */
    /* A supervisor write: #PF(P|W) with WP, allowed (and D set) without. */
    assert_int_equal(walk(PG | WP, 0x1000, 0, NULL, 0x3000, VX_ACC_WRITE, &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 3);
    assert_int_equal(walk(PG, 0x1000, 0, NULL, 0x3000, VX_ACC_WRITE, &w), VX_WALK_OK);
    assert_true(w.dirty);
    assert_int_equal(*pde32(2, 3), 0x9000 | 0x65);
    /* Not present PDE and PTE. */
    assert_int_equal(walk(PG | WP, 0x1000, 0, NULL, 0x00400000, VX_ACC_USER, &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 4);
    assert_int_equal(walk(PG | WP, 0x1000, 0, NULL, 0x4000, VX_ACC_WRITE, &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 2);
    /* CR3's low 12 bits are not address bits. */
    assert_int_equal(walk(PG | WP, 0x1018, 0, NULL, 0x3abc, VX_ACC_USER, &w), VX_WALK_OK);
    assert_int_equal(w.gpa, 0x9abc);
}

static void test_32bit_pse(void **state)
{
    struct vx_walk w;
    (void)state;
    memset(guest, 0, sizeof(guest));
    /* PDE 1 (0x00400000-0x007fffff): PS, a 4 MiB page at 0x00c00000, P RW, kernel */
    *pde32(1, 1) = 0x00c00000 | 0x83;
    *pde32(1, 2) = 0x00800000 | 0x83 | (1u << 21);        /* bit 21: reserved */
    /* Under CR4.PSE: a 4 MiB page; A and D set in the PDE by a write. */
    assert_int_equal(walk(PG | WP, 0x1000, PSE, NULL, 0x00654321, VX_ACC_WRITE, &w), VX_WALK_OK);
    assert_int_equal(w.gpa, 0x00e54321);
    assert_int_equal(w.page_shift, 22);
    assert_true(w.large && w.writable && w.dirty);
    assert_false(w.user);
    assert_int_equal(*pde32(1, 1), 0x00c00000 | 0x83 | 0x60);
    /* A user access to the kernel page: #PF(P|U). */
    assert_int_equal(walk(PG | WP, 0x1000, PSE, NULL, 0x00400000, VX_ACC_USER, &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 5);
    /* The reserved bit 21: #PF(P|RSVD), neither A nor D set. */
    assert_int_equal(walk(PG | WP, 0x1000, PSE, NULL, 0x00800040, 0, &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 1 | VX_ERR_RSVD);
    assert_int_equal(*pde32(1, 2), 0x00800000 | 0x83 | (1u << 21));
    /* Without CR4.PSE the PS bit is ignored: the PDE names a page table
     * (at 0x00c00000, outside this guest's 64 KiB: a bad table). */
    assert_int_equal(walk(PG | WP, 0x1000, 0, NULL, 0x00654321, 0, &w), VX_WALK_BAD_TABLE);
}

static void test_pae(void **state)
{
    struct vx_walk w;
    (void)state;
    memset(guest, 0, sizeof(guest));
    uint64_t pdpte[4] = { 0x3000 | 1, 0, 0, 0 };           /* L2 at page 3 */
    *pte64(3, 0) = 0x4000 | 0x7;                           /* L1 at page 4 */
    *pte64(4, 2) = 0xa000 | 0x7;
    *pte64(3, 1) = 0x00600000 | 0x83;                      /* a 2 MiB page */
    /* The cached PDPTEs, not memory at CR3 (CR3 points at zeroes). */
    assert_int_equal(walk(PG | WP, 0x5000, PAE | PSE, pdpte, 0x2010, VX_ACC_USER | VX_ACC_WRITE, &w),
                     VX_WALK_OK);
    assert_int_equal(w.gpa, 0xa010);
    assert_int_equal(w.page_shift, 12);
    assert_true(w.dirty);
    assert_int_equal(walk(PG | WP, 0x5000, PAE, pdpte, 0x00234567, 0, &w), VX_WALK_OK);
    assert_int_equal(w.gpa, 0x00634567);
    assert_int_equal(w.page_shift, 21);
    assert_true(w.large);
    /* PDPTE 1 not present. */
    assert_int_equal(walk(PG | WP, 0x5000, PAE, pdpte, 0x40000000, 0, &w), VX_WALK_FAULT);
    assert_int_equal(w.error, 0);
}

static void test_sl2_marks_and_invlpg(void **state)
{
    (void)state;
    const uint64_t present = 0x5000 | 1;
    assert_int_equal(vx_sl2_marks(0), 0);                          /* paging off */
    assert_int_equal(vx_sl2_marks(12), 0);
    assert_int_equal(vx_sl2_marks(21), VX_SL2_LARGE);              /* PAE 2 MiB */
    assert_int_equal(vx_sl2_marks(22), VX_SL2_LARGE | VX_SL2_4M);  /* 4 MiB: both halves */

    /* Nothing filled here or in the buddy: nothing to drop. */
    assert_int_equal(vx_invlpg_plan(0, 0), 0);
    /* 4 KiB entries only: the one entry. */
    assert_int_equal(vx_invlpg_plan(present, present), VX_INVLPG_ENTRY);
    /* A 2 MiB page filled this slot: all of it, not the buddy. */
    assert_int_equal(vx_invlpg_plan(present | VX_SL2_LARGE, present | VX_SL2_LARGE), VX_INVLPG_SLOT);
    /* A 4 MiB page filled this slot: all of it; the buddy's 4 KiB entries stay. */
    assert_int_equal(vx_invlpg_plan(present | VX_SL2_LARGE | VX_SL2_4M, present), VX_INVLPG_SLOT);
    /* A 4 MiB page filled the other half only: the buddy's entries go too,
     * whether or not this half has any. */
    assert_int_equal(vx_invlpg_plan(0, present | VX_SL2_LARGE | VX_SL2_4M), VX_INVLPG_BUDDY);
    assert_int_equal(vx_invlpg_plan(present, present | VX_SL2_LARGE | VX_SL2_4M),
                     VX_INVLPG_ENTRY | VX_INVLPG_BUDDY);
    assert_int_equal(vx_invlpg_plan(present | VX_SL2_LARGE | VX_SL2_4M,
                                    present | VX_SL2_LARGE | VX_SL2_4M),
                     VX_INVLPG_SLOT | VX_INVLPG_BUDDY);
    /* A mark on an entry not present means nothing. */
    assert_int_equal(vx_invlpg_plan(VX_SL2_LARGE, VX_SL2_4M), 0);
}

static void test_shadow_rights(void **state)
{
    (void)state;
    int rw, u;
    /* WP set: as the guest says. */
    rw = 0, u = 1;
    vx_shadow_rights(1, 0, 1, &rw, &u);
    assert_true(!rw && u);
    /* WP clear, a supervisor write to a read-only user page: writable for
     * the supervisor only. */
    rw = 0, u = 1;
    vx_shadow_rights(1, 0, 0, &rw, &u);
    assert_true(rw && !u);
    /* ... a read of it, or a user access: unchanged. */
    rw = 0, u = 1;
    vx_shadow_rights(0, 0, 0, &rw, &u);
    assert_true(!rw && u);
    rw = 0, u = 1;
    vx_shadow_rights(0, 1, 0, &rw, &u);
    assert_true(!rw && u);
    /* A writable page stays as it is. */
    rw = 1, u = 1;
    vx_shadow_rights(1, 0, 0, &rw, &u);
    assert_true(rw && u);
}

static void test_fill_decision(void **state)
{
    (void)state;
    /* Not protected: writable only when the guest's entry is writable and dirty. */
    assert_int_equal(vx_fill_decision(0, 1, 1, 0, 0), VX_FILL_RW);
    assert_int_equal(vx_fill_decision(0, 1, 0, 0, 0), VX_FILL_RO);
    assert_int_equal(vx_fill_decision(1, 1, 1, 0, 1), VX_FILL_RW);
    assert_int_equal(vx_fill_decision(0, 0, 1, 0, 1), VX_FILL_RO);
    /* Protected: a read is read-only even if writable and dirty. */
    assert_int_equal(vx_fill_decision(0, 1, 1, 1, 0), VX_FILL_RO);
    assert_int_equal(vx_fill_decision(0, 1, 1, 1, 1), VX_FILL_RO);
    /* A write the guest allows: the mode's callback, or unprotect without one. */
    assert_int_equal(vx_fill_decision(1, 1, 1, 1, 1), VX_FILL_CODE_WRITE);
    assert_int_equal(vx_fill_decision(1, 1, 1, 1, 0), VX_FILL_UNPROTECT);
}

static void test_prefetch_flags(void **state)
{
    (void)state;
    const uint32_t P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, ALL = RW | US;
    /* Present and accessed: read-only unless writable at both levels and dirty. */
    assert_int_equal(vx_prefetch_flags(0x5000 | P | A, 0, ALL, 16), P | A);
    assert_int_equal(vx_prefetch_flags(0x5000 | P | A | US, 0, ALL, 16), P | A | US);
    assert_int_equal(vx_prefetch_flags(0x5000 | P | A | RW, 0, ALL, 16), P | A);
    assert_int_equal(vx_prefetch_flags(0x5000 | P | A | RW | D | US, 0, ALL, 16),
                     P | A | US | RW | D);
    assert_int_equal(VX_PREFETCH_RW, RW | D);
    /* The table entry above takes rights away. */
    assert_int_equal(vx_prefetch_flags(0x5000 | P | A | RW | D | US, 0, US, 16), P | A | US);
    assert_int_equal(vx_prefetch_flags(0x5000 | P | A | RW | D | US, 0, RW, 16), P | A | RW | D);
    /* Not present, or not accessed yet (no A bit is set by a prefetch): none. */
    assert_int_equal(vx_prefetch_flags(0x5000 | A | RW | D, 0, ALL, 16), 0);
    assert_int_equal(vx_prefetch_flags(0x5000 | P | RW | D, 0, ALL, 16), 0);
    /* A reserved or high bit (bit 63 without NXE), or a frame beyond the RAM: none. */
    assert_int_equal(vx_prefetch_flags(0x5000 | P | A, 0x80000000u, ALL, 16), 0);
    assert_int_equal(vx_prefetch_flags(0x5000 | P | A, 1, ALL, 16), 0);
    assert_int_equal(vx_prefetch_flags(0x10000 | P | A, 0, ALL, 16), 0);
    assert_int_equal(vx_prefetch_flags(0xF000 | P | A, 0, ALL, 16), P | A);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paging_off),
        cmocka_unit_test(test_32bit_4k),
        cmocka_unit_test(test_32bit_pse),
        cmocka_unit_test(test_pae),
        cmocka_unit_test(test_sl2_marks_and_invlpg),
        cmocka_unit_test(test_shadow_rights),
        cmocka_unit_test(test_fill_decision),
        cmocka_unit_test(test_prefetch_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
