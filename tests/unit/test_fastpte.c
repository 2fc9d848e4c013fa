/* Unit tests: the single-PTE fast paths (mm/pagetable.c, mm/pte.c).
 *  - page_table_update's fast path for an L1 entry that keeps its frame,
 *    differentially against page_table_update_slow: the same answer, the
 *    same table and the same frame records on random (old, new) pairs;
 *  - the walk cache: every cached copy gives what the uncached walk gives,
 *    and stays right across every change of the tables it relied on
 *    (an L1, L2 or L3 entry, a table devalidated, a frame given out). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pv86/errno.h>
#include <pv86/xen.h>

#include "mm/pagetable.h"

#define NFRAMES 40
#define DOM 1
#define FAKE_FRAMES NFRAMES
#include "fake_machine.h"

#define P _PAGE_PRESENT
#define RW _PAGE_RW
#define U _PAGE_USER
#define A _PAGE_ACCESSED
#define D _PAGE_DIRTY
#define E(m, f) (((uint64_t)(m) << 12) | (f))

static void fake_hv_slots(void *ctx, uint16_t dom, uint64_t *l2)
{
    (void)ctx, (void)dom;
    for (unsigned i = L2_HV_FIRST_SLOT; i < 512; i++)
        l2[i] = 0;
}

static unsigned validated;
static void fake_validated(void *ctx, uint16_t dom, unsigned n)
{
    (void)ctx;
    assert_int_equal(dom, DOM);
    validated += n;
}

static const struct mm_ops ops = { fake_page, fake_map, fake_hv_slots, NULL, fake_validated,
                                   NULL, 0, NULL };

/* Frames: L3 1 (slot 0 -> L2 2, slot 3 -> L2h 3), L2 2 (entries 0, 1 ->
 * L1s 4, 5), L1 4 maps pages 0-7 to frames 10-17 (RW), L1 5 maps page 512
 * to frame 18 read-only. 30: another domain's; 31: the hypervisor's; 20:
 * an L1 pinned on its own (a table no entry may map RW). */
static void build(void)
{
    fake_reset(DOM);
    pages[30].owner = 2;
    pages[31].owner = DOMID_HV;
    fake_mem[1][0] = E(2, P);
    fake_mem[1][3] = E(3, P);
    fake_mem[2][0] = E(4, P | RW | U);
    fake_mem[2][1] = E(5, P | RW | U);
    for (unsigned i = 0; i < 8; i++)
        fake_mem[4][i] = E(10 + i, P | RW | U);
    fake_mem[5][0] = E(18, P | U);
    assert_int_equal(page_table_pin(&ops, DOM, 1, PGT_l3), 0);
    assert_int_equal(page_table_pin(&ops, DOM, 20, PGT_l1), 0);
    walk_cache_flush();
}

static int setup(void **state)
{
    (void)state;
    build();
    return 0;
}

/* ---- the L1 fast path, differentially ---- */

static uint64_t rand64(void)
{
    return ((uint64_t)(unsigned)rand() << 33) ^ ((uint64_t)(unsigned)rand() << 11) ^
           (uint64_t)(unsigned)rand();
}

/* A random entry, mostly near the interesting ones. */
static uint64_t random_entry(uint64_t near)
{
    static const uint32_t frames[] = { 10, 11, 18, 20, 30, 31, 39, 0, 1, 4 };
    uint64_t flags = (uint64_t)(unsigned)rand() & 0xFFF;
    switch (rand() % 6) {
    case 0: return rand64();                                  /* anything */
    case 1: return (near & ~0xFFFull) | flags;                /* same frame, new flags */
    case 2: return (near & ~0xFFFull) | flags | P;
    case 3: return (near & ~0xFFFull) | (flags ^ RW) | P | ((uint64_t)(rand() & 1) << 63);
    case 4: return E(frames[rand() % 10], flags | P);
    default: return (near ^ ((uint64_t)1 << (rand() % 64)));  /* one bit flipped */
    }
}

static uint64_t snap_mem[NFRAMES][512];
static struct page_info snap_pages[NFRAMES];

static void test_l1_fast_path_differential(void **state)
{
    (void)state;
    static uint64_t fast_mem[NFRAMES][512];
    static struct page_info fast_pages[NFRAMES];
    unsigned fast_taken = 0, same = 0, ok = 0, refused = 0;
    srand(18);
    for (unsigned iter = 0; iter < 200000; iter++) {
        unsigned index = (unsigned)rand() % 8;
        uint64_t old = fake_mem[4][index];
        uint64_t val = random_entry(old);
        int preserve = rand() % 4 == 0;
        memcpy(snap_mem, fake_mem, sizeof(snap_mem));
        memcpy(snap_pages, pages, sizeof(snap_pages));

        unsigned v0 = validated;
        int rc_fast = page_table_update(&ops, DOM, 4, index, val, preserve);
        unsigned v_fast = validated - v0;
        memcpy(fast_mem, fake_mem, sizeof(fast_mem));
        memcpy(fast_pages, pages, sizeof(fast_pages));

        memcpy(fake_mem, snap_mem, sizeof(snap_mem));
        memcpy(pages, snap_pages, sizeof(snap_pages));
        v0 = validated;
        int rc_slow = page_table_update_slow(&ops, DOM, 4, index, val, preserve);
        unsigned v_slow = validated - v0;

        if (rc_fast != rc_slow || v_fast != v_slow)
            fail_msg("iter %u: %#llx -> %#llx: fast %d (%u validated), slow %d (%u)", iter,
                     (unsigned long long)old, (unsigned long long)val, rc_fast, v_fast,
                     rc_slow, v_slow);
        assert_memory_equal(fast_mem, fake_mem, sizeof(fast_mem));
        assert_memory_equal(fast_pages, pages, sizeof(fast_pages));
        uint64_t eff = preserve ? (val & ~(A | D)) | (old & (A | D)) : val;
        if (l1e_same_frame(old, eff) && ((old ^ eff) & ~(A | D)))
            fast_taken++;
        if (l1e_same_frame(old, eff))
            same++;
        if (rc_slow)
            refused++;
        else
            ok++;
        /* Keep the table near the interesting states: back to frames 10-17
         * now and then (refused: the state stays as it is). */
        if (rand() % 64 == 0)
            (void)page_table_update(&ops, DOM, 4, index, E(10 + index, P | RW | U), 0);
    }
    /* The fast path ran often, and both answers came up. */
    assert_true(fast_taken > 20000);
    assert_true(same > fast_taken);
    assert_true(ok > 20000);
    assert_true(refused > 20000);
}

/* The fast path's own answers, one by one. */
static void test_l1_fast_path_cases(void **state)
{
    (void)state;
    assert_int_equal(pages[10].type, PGT_writable);
    assert_int_equal(pages[10].type_count, 1);
    assert_int_equal(pages[10].count, 1);
    unsigned v0 = validated;
    /* RW off: the writable type goes, the general reference stays. */
    assert_int_equal(page_table_update(&ops, DOM, 4, 0, E(10, P | U), 0), 0);
    assert_int_equal(pages[10].type_count, 0);
    assert_int_equal(pages[10].type, PGT_none);
    assert_int_equal(pages[10].count, 1);
    assert_int_equal(validated - v0, 1);
    /* RW on again. */
    assert_int_equal(page_table_update(&ops, DOM, 4, 0, E(10, P | RW | U), 0), 0);
    assert_int_equal(pages[10].type, PGT_writable);
    assert_int_equal(pages[10].type_count, 1);
    assert_int_equal(pages[10].count, 1);
    /* Now a table: RW refused, nothing changed; read-only fine. */
    assert_int_equal(page_table_update(&ops, DOM, 4, 0, E(10, P | U), 0), 0);
    assert_int_equal(page_table_pin(&ops, DOM, 10, PGT_l1), 0);
    assert_int_equal(page_table_update(&ops, DOM, 4, 0, E(10, P | RW | U), 0), -XEN_EBUSY);
    assert_int_equal(fake_mem[4][0], E(10, P | U));
    assert_int_equal(pages[10].type_count, 1);
    assert_int_equal(pages[10].count, 2);
    /* Reserved bits in the new entry: the slow path's -EINVAL. */
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, E(11, P | U) | (1ull << 63), 0),
                     -XEN_EINVAL);
    assert_int_equal(fake_mem[4][1], E(11, P | RW | U));
    /* A frame whose owner changed under the entry: the slow path's -EBUSY. */
    pages[12].owner = 2;
    assert_int_equal(page_table_update(&ops, DOM, 4, 2, E(12, P), 0), -XEN_EBUSY);
    assert_int_equal(fake_mem[4][2], E(12, P | RW | U));
    pages[12].owner = DOM;
}

/* ---- the walk cache ---- */

static void put_byte(uint32_t frame, uint32_t off, uint8_t b)
{
    ((uint8_t *)fake_mem[frame])[off] = b;
}

static uint8_t get_byte(uint32_t frame, uint32_t off)
{
    return ((uint8_t *)fake_mem[frame])[off];
}

static uint32_t walk_slot_write(uint32_t va)
{
    const struct walk_cache_slot *s = walk_cache_slot_of(1, va);
    assert_int_equal(s->gen, walk_cache.gen);
    assert_int_equal(s->vpage, va >> 12);
    return s->write;
}

/* A copy through the cache agrees with the plain walk, bytes and answer. */
static int read_both(uint32_t va, uint32_t len, uint8_t *out)
{
    uint8_t plain[64];
    assert_true(len <= sizeof(plain));
    memcpy(snap_mem, fake_mem, sizeof(snap_mem));
    int rc_plain = guest_copy_from(&ops, 1, plain, va, len);
    uint64_t after_plain[NFRAMES][512];
    memcpy(after_plain, fake_mem, sizeof(after_plain));
    memcpy(fake_mem, snap_mem, sizeof(snap_mem));
    int rc = guest_copy_from_cached(&ops, 1, out, va, len);
    assert_int_equal(rc, rc_plain);
    if (rc == 0)
        assert_memory_equal(out, plain, len);
    assert_memory_equal(after_plain, fake_mem, sizeof(after_plain));   /* the same A/D */
    return rc;
}

static void test_cache_hits_and_ad(void **state)
{
    (void)state;
    uint8_t b[8];
    put_byte(10, 0x10, 0x5A);
    uint32_t h = walk_cache.hits, m = walk_cache.misses;
    assert_int_equal(read_both(0x10, 1, b), 0);
    assert_int_equal(b[0], 0x5A);
    assert_int_equal(walk_cache.misses - m, 1);
    assert_true(fake_mem[4][0] & A);
    assert_false(fake_mem[4][0] & D);
    assert_true(pages[1].flags & PGF_WALKED);
    assert_true(pages[2].flags & PGF_WALKED);
    assert_true(pages[4].flags & PGF_WALKED);
    assert_int_equal(read_both(0x10, 1, b), 0);
    assert_int_equal(walk_cache.hits - h, 1);
    assert_int_equal(walk_cache.misses - m, 1);
    /* A write after a read: no new walk, but D set as the write walk sets it. */
    assert_int_equal(walk_slot_write(0x20), WALK_RW);
    assert_int_equal(guest_copy_to_cached(&ops, 1, 0x20, "xy", 2), 0);
    assert_int_equal(walk_cache.misses - m, 1);
    assert_true(fake_mem[4][0] & D);
    assert_int_equal(walk_slot_write(0x20), WALK_DIRTY);
    assert_int_equal(get_byte(10, 0x20), 'x');
    assert_int_equal(guest_copy_to_cached(&ops, 1, 0x22, "z", 1), 0);
    assert_int_equal(walk_cache.misses - m, 1);
    assert_int_equal(get_byte(10, 0x22), 'z');
    /* The same through the inline lookup, on page 1. */
    assert_int_equal(read_both(0x1000, 1, b), 0);
    assert_false(fake_mem[4][1] & D);
    assert_non_null(walk_cache_hit(1, 0x1000, 4, 1));
    assert_true(fake_mem[4][1] & D);
    assert_int_equal(walk_cache.misses - m, 2);
    /* The inline lookup: within one page only, and writes only on write slots. */
    assert_non_null(walk_cache_hit(1, 0x30, 8, 1));
    assert_null(walk_cache_hit(1, 0xFFC, 8, 0));
    assert_null(walk_cache_hit(1, 0x30, 0, 0));
    assert_null(walk_cache_hit(2, 0x30, 8, 0));
    /* A read-only page: read cached, a write refused as by the walk. */
    assert_int_equal(read_both(0x200000, 4, b), 0);
    assert_int_equal(guest_copy_to_cached(&ops, 1, 0x200000, "w", 1), -XEN_EFAULT);
    assert_int_equal(guest_copy_to(&ops, 1, 0x200000, "w", 1), -XEN_EFAULT);
    assert_null(walk_cache_hit(1, 0x200000, 1, 1));
    /* Across pages: 16 bytes over the 0/1 boundary. */
    put_byte(11, 0, 0x77);
    uint8_t c[16];
    assert_int_equal(read_both(0xFF8, 16, c), 0);
    assert_int_equal(c[8], 0x77);
    /* Unmapped and hypervisor addresses: refused. */
    assert_int_equal(read_both(0x9000, 4, b), -XEN_EFAULT);
    assert_int_equal(read_both(0x40000000, 4, b), -XEN_EFAULT);
    assert_int_equal(read_both(HYPERVISOR_VIRT_START, 4, b), -XEN_EFAULT);
    assert_int_equal(read_both(HYPERVISOR_VIRT_START - 2, 4, b), -XEN_EFAULT);
}

/* Every change of a table a slot relied on is seen at once. */
static void test_cache_follows_updates(void **state)
{
    (void)state;
    uint8_t b[4];
    put_byte(10, 0, 1);
    put_byte(13, 0, 3);
    put_byte(18, 0, 8);
    assert_int_equal(read_both(0, 1, b), 0);
    assert_int_equal(b[0], 1);
    /* L1 entry remapped: page 0 -> frame 13. */
    assert_int_equal(page_table_update(&ops, DOM, 4, 0, E(13, P | RW | U), 0), 0);
    assert_int_equal(read_both(0, 1, b), 0);
    assert_int_equal(b[0], 3);
    /* Made read-only: a write slot must go. */
    assert_int_equal(guest_copy_to_cached(&ops, 1, 0, "a", 1), 0);
    assert_int_equal(page_table_update(&ops, DOM, 4, 0, E(13, P | U), 0), 0);
    assert_int_equal(guest_copy_to_cached(&ops, 1, 0, "b", 1), -XEN_EFAULT);
    assert_int_equal(get_byte(13, 0), 'a');
    /* Not present. */
    assert_int_equal(page_table_update(&ops, DOM, 4, 0, 0, 0), 0);
    assert_int_equal(read_both(0, 1, b), -XEN_EFAULT);
    /* L2 entry: page 0's L1 becomes L1 5 (page 0 -> frame 18). */
    assert_int_equal(read_both(1 << 12, 1, b), 0);
    assert_int_equal(page_table_update(&ops, DOM, 2, 0, E(5, P | RW | U), 0), 0);
    assert_int_equal(read_both(0, 1, b), 0);
    assert_int_equal(b[0], 8);
    assert_int_equal(read_both(1 << 12, 1, b), -XEN_EFAULT);
    /* L2 entry read-only: writes through it refused. */
    assert_int_equal(page_table_update(&ops, DOM, 2, 0, E(4, P | U), 0), 0);
    assert_int_equal(read_both(1 << 12, 1, b), 0);
    assert_int_equal(guest_copy_to_cached(&ops, 1, 1 << 12, "c", 1), -XEN_EFAULT);
    /* L3 entry: slot 0 emptied. */
    assert_int_equal(page_table_update(&ops, DOM, 2, 0, E(4, P | RW | U), 0), 0);
    assert_int_equal(guest_copy_to_cached(&ops, 1, 1 << 12, "c", 1), 0);
    assert_int_equal(page_table_update(&ops, DOM, 1, 0, 0, 0), 0);
    assert_int_equal(guest_copy_to_cached(&ops, 1, 1 << 12, "d", 1), -XEN_EFAULT);
    assert_int_equal(get_byte(11, 0), 'c');
}

/* A table that stops being one may be written directly afterwards (by the
 * guest, through a writable mapping); so must every slot through it go. */
static void test_cache_devalidate_and_flush(void **state)
{
    (void)state;
    uint8_t b[4];
    put_byte(12, 0, 1);
    assert_int_equal(read_both(0x2000, 1, b), 0);
    assert_int_equal(read_both(0x200000, 1, b), 0);       /* through L1 5 */
    uint32_t gen = walk_cache.gen;
    /* Another entry of L1 5 changes: both slots stay (page 512 reads entry 0). */
    assert_int_equal(page_table_update(&ops, DOM, 5, 1, E(19, P), 0), 0);
    assert_non_null(walk_cache_hit(1, 0x2000, 1, 0));
    assert_non_null(walk_cache_hit(1, 0x200000, 1, 0));
    /* Its entry 0: page 512's slot goes, page 2's stays. */
    assert_int_equal(page_table_update(&ops, DOM, 5, 0, E(18, P | RW | U), 0), 0);
    assert_non_null(walk_cache_hit(1, 0x2000, 1, 0));
    assert_null(walk_cache_hit(1, 0x200000, 1, 0));
    assert_int_equal(walk_cache.gen, gen);
    /* Entry 1 of L1 4 (page 1's): page 2's slot stays; entry 2: it goes. */
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, E(11, P | U), 0), 0);
    assert_non_null(walk_cache_hit(1, 0x2000, 1, 0));
    assert_int_equal(page_table_update(&ops, DOM, 4, 2, E(12, P | U), 0), 0);
    assert_null(walk_cache_hit(1, 0x2000, 1, 0));
    assert_int_equal(read_both(0x2000, 1, b), 0);
    assert_non_null(walk_cache_hit(1, 0x2000, 1, 0));
    /* An L2 entry other than page 2's: page 2's slot goes all the same (an
     * L2 or L3 change drops every slot through that table). */
    assert_int_equal(page_table_update(&ops, DOM, 2, 5, 0, 0), 0);
    assert_null(walk_cache_hit(1, 0x2000, 1, 0));
    assert_int_equal(read_both(0x2000, 1, b), 0);
    /* Unpinning the L3 devalidates 1, 2 and 4: the slot goes. */
    assert_int_equal(read_both(0, 1, b), 0);
    assert_non_null(walk_cache_hit(1, 0, 1, 0));
    assert_int_equal(page_table_unpin(&ops, DOM, 1), 0);
    assert_null(walk_cache_hit(1, 0, 1, 0));
    assert_null(walk_cache_hit(1, 0x2000, 1, 0));
    assert_int_equal(walk_cache.gen, gen);
    fake_mem[4][0] = E(14, P | RW | U);     /* now an ordinary frame */
    put_byte(14, 0, 4);
    assert_int_equal(page_table_pin(&ops, DOM, 1, PGT_l3), 0);
    assert_int_equal(read_both(0, 1, b), 0);
    assert_int_equal(b[0], 4);
    /* Explicit flush, and the generation's wrap. */
    assert_non_null(walk_cache_hit(1, 0, 1, 0));
    walk_cache_flush();
    assert_null(walk_cache_hit(1, 0, 1, 0));
    assert_int_equal(read_both(0, 1, b), 0);
    assert_non_null(walk_cache_hit(1, 0, 1, 0));
    walk_cache.gen = 0xFFFFFFFFu;
    walk_cache.slot[0].gen = 0xFFFFFFFFu;
    walk_cache_flush();
    assert_int_equal(walk_cache.gen, 1);
    for (unsigned i = 0; i < WALK_CACHE_SLOTS; i++)
        assert_int_equal(walk_cache.slot[i].gen, 0);
    assert_null(walk_cache_hit(1, 0, 1, 0));
}

/* Random updates of every level interleaved with cached and plain copies:
 * the cache never answers differently from the walk. */
static void test_cache_random(void **state)
{
    (void)state;
    static const uint64_t l1s[] = { E(10, P | RW | U), E(11, P | U), E(13, P | RW), 0,
                                    E(15, P | RW | U | A | D), E(20, P), E(16, P | U | A) };
    static const uint64_t l2s[] = { E(4, P | RW | U), E(5, P | RW | U), E(4, P | U), 0,
                                    E(5, P) };
    srand(7);
#define UPD(t, i, e, ad) \
    (pages[t].type_count && is_table_type(pages[t].type) \
         ? (void)page_table_update(&ops, DOM, t, i, e, ad) : (void)0)
    unsigned hits0 = walk_cache.hits, compared = 0;
    for (unsigned iter = 0; iter < 100000; iter++) {
        unsigned r = (unsigned)rand() % 32;
        if (r == 0)
            UPD(4, (unsigned)rand() % 4, l1s[rand() % 7], rand() & 1);
        else if (r == 1)
            UPD(5, (unsigned)rand() % 2, l1s[rand() % 7], 0);
        else if (r == 2)
            UPD(2, (unsigned)rand() % 2, l2s[rand() % 5], 0);
        else if (r == 3 && rand() % 8 == 0)
            UPD(1, 0, rand() % 2 ? E(2, P) : 0, 0);
        else {
            uint32_t va = ((uint32_t)(rand() % 2) << 21) | ((uint32_t)(rand() % 4) << 12) |
                          ((uint32_t)rand() & 0xFF8);
            uint8_t buf[8];
            if (rand() % 2) {
                compared++;
                (void)read_both(va, 8, buf);
            } else {
                uint8_t val[8];
                for (unsigned i = 0; i < 8; i++)
                    val[i] = (uint8_t)rand();
                memcpy(snap_mem, fake_mem, sizeof(snap_mem));
                int rc_plain = guest_copy_to(&ops, 1, va, val, 8);
                static uint64_t after[NFRAMES][512];
                memcpy(after, fake_mem, sizeof(after));
                memcpy(fake_mem, snap_mem, sizeof(snap_mem));
                int rc = guest_copy_to_cached(&ops, 1, va, val, 8);
                assert_int_equal(rc, rc_plain);
                assert_memory_equal(after, fake_mem, sizeof(after));
            }
        }
    }
    assert_true(compared > 20000);
    printf("random: %u compared, %u hits\n", compared, walk_cache.hits - hits0);
    assert_true(walk_cache.hits - hits0 > 2500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_l1_fast_path_differential, setup),
        cmocka_unit_test_setup(test_l1_fast_path_cases, setup),
        cmocka_unit_test_setup(test_cache_hits_and_ad, setup),
        cmocka_unit_test_setup(test_cache_follows_updates, setup),
        cmocka_unit_test_setup(test_cache_devalidate_and_flush, setup),
        cmocka_unit_test_setup(test_cache_random, setup),
    };
    return cmocka_run_group_tests_name("fastpte", tests, NULL, NULL);
}
