/* Unit tests: the nested page tables of the hw mode (hypervisor/hw/npt.c):
 * the frames counted, the exact entries built, what the nested walk finds
 * at the boundaries (first and last page, the first page past RAM, the
 * local APIC, the 4 GiB wrap), and refusal before anything is taken. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hw/npt.h"

#define POOL_BASE 0x40000u                 /* the first table frame's number */

struct pool {
    uint8_t *mem;
    uint32_t size, used;                   /* frames */
};

static void *alloc(void *ctx, uint32_t *mfn)
{
    struct pool *p = ctx;
    if (p->used == p->size)
        return NULL;
    *mfn = POOL_BASE + p->used;
    return memset(p->mem + (size_t)p->used++ * 4096, 0, 4096);
}

/* RAM frames: scattered, above the pool, some above 4 GiB. */
static uint32_t mfn_of(void *ctx, uint32_t pfn)
{
    (void)ctx;
    return 0x100000u + pfn * 3u;
}

static void *map(void *ctx, uint32_t mfn)
{
    struct pool *p = ctx;
    assert_true(mfn >= POOL_BASE && mfn < POOL_BASE + p->used);
    return p->mem + (size_t)(mfn - POOL_BASE) * 4096;
}

static struct pool pool;
static const struct npt_ops ops = { &pool, alloc, mfn_of, map };

static void pool_init(uint32_t frames)
{
    free(pool.mem);
    pool.mem = malloc((size_t)frames * 4096 + 1);
    pool.size = frames;
    pool.used = 0;
}

static const uint64_t *table(uint32_t mfn)
{
    return map(&pool, mfn);
}

static void test_frames_needed(void **state)
{
    (void)state;
    assert_int_equal(npt_frames_needed(0), 0);
    assert_int_equal(npt_frames_needed(1), 3);                 /* PDPT, L2, L1 */
    assert_int_equal(npt_frames_needed(512), 3);
    assert_int_equal(npt_frames_needed(513), 4);
    assert_int_equal(npt_frames_needed(32768), 1 + 1 + 64);    /* 128 MiB */
    assert_int_equal(npt_frames_needed(262144), 1 + 1 + 512);  /* 1 GiB */
    assert_int_equal(npt_frames_needed(262145), 1 + 2 + 513);
    assert_int_equal(npt_frames_needed(NPT_MAX_PAGES), 1 + 4 + 2048);
    assert_int_equal(npt_frames_needed(NPT_MAX_PAGES + 1), 0);
    assert_int_equal(npt_frames_needed(0xFFFFFFFFu), 0);
}

static void test_small_exact(void **state)
{
    struct npt n;
    (void)state;
    pool_init(16);
    assert_int_equal(npt_build(&n, 3, &ops), 0);
    assert_int_equal(pool.used, npt_frames_needed(3));
    assert_int_equal(n.nr_pages, 3);
    assert_int_equal(n.pdpt_mfn, POOL_BASE);
    assert_int_equal(npt_cr3(&n), (uint64_t)POOL_BASE << 12);
    const uint64_t *pdpt = table(POOL_BASE), *l2 = table(POOL_BASE + 1),
                   *l1 = table(POOL_BASE + 2);
    /* PDPTE: P only (bits 2:1 reserved in legacy PAE) */
    assert_int_equal(pdpt[0], ((uint64_t)(POOL_BASE + 1) << 12) | 0x1);
    for (int i = 1; i < 512; i++)
        assert_int_equal(pdpt[i], 0);
    assert_int_equal(l2[0], ((uint64_t)(POOL_BASE + 2) << 12) | 0x27);   /* P RW U A */
    for (int i = 1; i < 512; i++)
        assert_int_equal(l2[i], 0);
    for (uint32_t i = 0; i < 3; i++)
        assert_int_equal(l1[i], ((uint64_t)mfn_of(NULL, i) << 12) | 0x67);   /* P RW U A D */
    for (int i = 3; i < 512; i++)
        assert_int_equal(l1[i], 0);
    uint32_t mfn = 0;
    assert_true(npt_lookup(&n, &ops, 0, &mfn));
    assert_int_equal(mfn, mfn_of(NULL, 0));
    assert_true(npt_lookup(&n, &ops, 0x2FFF, &mfn));
    assert_int_equal(mfn, mfn_of(NULL, 2));
    assert_false(npt_lookup(&n, &ops, 0x3000, &mfn));          /* first page past RAM */
    assert_false(npt_lookup(&n, &ops, 0x200000, &mfn));        /* no L1 there */
    assert_false(npt_lookup(&n, &ops, 0x40000000, &mfn));      /* no L2 there */
}

static void test_128m(void **state)
{
    struct npt n;
    const uint32_t pages = 32768 + 1;                          /* 128 MiB and a page */
    uint32_t mfn;
    (void)state;
    pool_init(100);
    assert_int_equal(npt_build(&n, pages, &ops), 0);
    assert_int_equal(pool.used, npt_frames_needed(pages));
    assert_int_equal(pool.used, 1 + 1 + 65);
    for (uint32_t pfn = 0; pfn < pages; pfn++) {
        assert_true(npt_lookup(&n, &ops, (uint64_t)pfn << 12 | 0x123, &mfn));
        assert_int_equal(mfn, mfn_of(NULL, pfn));
    }
    const uint64_t *l2 = table(POOL_BASE + 1);
    assert_int_equal(l2[64], ((uint64_t)(POOL_BASE + 2 + 64) << 12) | 0x27);
    assert_int_equal(l2[65], 0);
    const uint64_t *l1 = table(POOL_BASE + 2 + 64);             /* the last L1: one entry */
    assert_int_equal(l1[0], ((uint64_t)mfn_of(NULL, 32768) << 12) | 0x67);
    assert_int_equal(l1[1], 0);
    assert_false(npt_lookup(&n, &ops, (uint64_t)pages << 12, &mfn));
    assert_false(npt_lookup(&n, &ops, 0xFEE00000, &mfn));      /* the local APIC: an NPF */
    assert_false(npt_lookup(&n, &ops, 0xFFFFF000, &mfn));
    /* A PAE guest's address above 4 GiB reaches the entry modulo 4 GiB,
     * as the nested walk of a PAE host does. */
    assert_true(npt_lookup(&n, &ops, 0x100005000ull, &mfn));
    assert_int_equal(mfn, mfn_of(NULL, 5));
    assert_false(npt_lookup(&n, &ops, 0x1FEE00000ull, &mfn));
}

static void test_4g(void **state)
{
    struct npt n;
    uint32_t mfn;
    (void)state;
    pool_init(npt_frames_needed(NPT_MAX_PAGES));
    assert_int_equal(npt_build(&n, NPT_MAX_PAGES, &ops), 0);
    assert_int_equal(pool.used, 2053);
    const uint64_t *pdpt = table(POOL_BASE);
    for (int i = 0; i < 4; i++) {
        /* the L2s come before the L1s of their GiB: 1 + 513 frames a GiB */
        assert_int_equal(pdpt[i], ((uint64_t)(POOL_BASE + 1 + 513 * i) << 12) | 1);
        const uint64_t *l2 = table(POOL_BASE + 1 + 513 * (uint32_t)i);
        for (int j = 0; j < 512; j++)
            assert_int_equal(l2[j], ((uint64_t)(POOL_BASE + 2 + 513 * i + j) << 12) | 0x27);
    }
    for (uint32_t pfn = 0; pfn < NPT_MAX_PAGES; pfn += 511) {
        assert_true(npt_lookup(&n, &ops, (uint64_t)pfn << 12, &mfn));
        assert_int_equal(mfn, mfn_of(NULL, pfn));
    }
    assert_true(npt_lookup(&n, &ops, 0xFFFFFFFF, &mfn));       /* the last page */
    assert_int_equal(mfn, mfn_of(NULL, NPT_MAX_PAGES - 1));
    assert_int_equal(((const uint64_t *)table(POOL_BASE + 1 + 513 * 3 + 512))[511],
                     ((uint64_t)mfn_of(NULL, NPT_MAX_PAGES - 1) << 12) | 0x67);
    assert_true(npt_lookup(&n, &ops, 0x100000000ull, &mfn));   /* wraps to page 0 */
    assert_int_equal(mfn, mfn_of(NULL, 0));

    /* A GiB and a page: the second L2 holds one L1 of one page. */
    pool_init(npt_frames_needed(262145));
    assert_int_equal(npt_build(&n, 262145, &ops), 0);
    assert_int_equal(pool.used, 516);
    pdpt = table(POOL_BASE);
    assert_int_equal(pdpt[1], ((uint64_t)(POOL_BASE + 514) << 12) | 1);
    assert_int_equal(pdpt[2], 0);
    assert_true(npt_lookup(&n, &ops, 0x40000FFF, &mfn));
    assert_int_equal(mfn, mfn_of(NULL, 262144));
    assert_false(npt_lookup(&n, &ops, 0x40001000, &mfn));
}

static void test_refused(void **state)
{
    struct npt n = { 0, 0 };
    (void)state;
    pool_init(8);
    assert_int_equal(npt_build(&n, 0, &ops), -1);
    assert_int_equal(npt_build(&n, NPT_MAX_PAGES + 1, &ops), -1);
    assert_int_equal(pool.used, 0);                            /* nothing taken */
    /* One frame short: the allocator's NULL comes back as -2. */
    pool_init(npt_frames_needed(1025) - 1);
    assert_int_equal(npt_build(&n, 1025, &ops), -2);
    assert_int_equal(pool.used, npt_frames_needed(1025) - 1);
    pool_init(0);
    assert_int_equal(npt_build(&n, 1, &ops), -2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames_needed),
        cmocka_unit_test(test_small_exact),
        cmocka_unit_test(test_128m),
        cmocka_unit_test(test_4g),
        cmocka_unit_test(test_refused),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(pool.mem);
    return rc;
}
