/* Unit tests: the exception bounce frame (arch/x86/bounce.h: Xen's 32-bit
 * create_bounce_frame layout, flags and error codes) and the remembered
 * kernel-stack translation it is written through (guest_wcache_map in
 * mm/pte.c), differentially against the plain copy (guest_copy_to): the
 * same bytes land in the same frames with the same accessed/dirty bits,
 * and the same writes fail, while the page tables change under the cache. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pv86/xen.h>

#include "arch/x86/bounce.h"

#define FAKE_FRAMES 24
#include "fake_machine.h"

#define P  _PAGE_PRESENT
#define RW _PAGE_RW
#define A  _PAGE_ACCESSED
#define D  _PAGE_DIRTY
#define MFN(m) ((uint64_t)(m) << 12)

/* ---- the frame ---- */

static struct cpu_frame frame_at(uint32_t cs, uint32_t eflags)
{
    struct cpu_frame r;
    memset(&r, 0, sizeof(r));
    r.eip = 0x40001208;
    r.cs = 0xABCD0000u | cs;            /* junk above 16 bits, as a push may leave */
    r.eflags = eflags;
    r.esp = 0xBFFFF000;
    r.ss = 0x12340000u | 0xe02b;
    return r;
}

static void test_frame_from_user(void **state)
{
    (void)state;
    /* ring 3, #PF with its error code, events unmasked: IF set in the image */
    struct cpu_frame r = frame_at(0xe023, 0x2 | (1u << 9) | (3u << 12) | (1u << 17));
    uint32_t w[BOUNCE_MAX_WORDS] = { 0 };
    assert_int_equal(bounce_frame_words(&r, 1), 6);
    bounce_frame_build(&r, 0, 0, 1, 0x6, w);
    const uint32_t want[6] = { 0x6, 0x40001208, 0xe023, 0x202, 0xBFFFF000, 0xe02b };
    assert_memory_equal(w, want, sizeof(want));

    /* #DE, events masked: the mask in CS bits 16-23, IF clear; TF, RF and
     * NT stay, the virtual IOPL shows when asked for */
    r = frame_at(0xe023, 0x2 | BOUNCE_TF | BOUNCE_NT | BOUNCE_RF | BOUNCE_IF);
    memset(w, 0xEE, sizeof(w));
    assert_int_equal(bounce_frame_words(&r, 0), 5);
    bounce_frame_build(&r, 1, 1u << 12, 0, 0xDEAD, w);
    const uint32_t want2[6] = { 0x40001208, 0x1e023, 0x2 | BOUNCE_TF | BOUNCE_NT | BOUNCE_RF | (1u << 12),
                                0xBFFFF000, 0xe02b, 0xEEEEEEEE };
    assert_memory_equal(w, want2, sizeof(want2));
}

static void test_frame_from_kernel(void **state)
{
    (void)state;
    struct cpu_frame r = frame_at(0xe019, 0x2 | BOUNCE_IF);
    uint32_t w[BOUNCE_MAX_WORDS];
    memset(w, 0xEE, sizeof(w));
    assert_int_equal(bounce_frame_words(&r, 1), 4);
    bounce_frame_build(&r, 0, 0, 1, 0x2, w);
    const uint32_t want[6] = { 0x2, 0x40001208, 0xe019, 0x202, 0xEEEEEEEE, 0xEEEEEEEE };
    assert_memory_equal(w, want, sizeof(want));
    /* ring 2 is outer, as Xen's ring_2 test: ESP and SS come too */
    r = frame_at(0xe01a, 0x2);
    assert_int_equal(bounce_frame_words(&r, 0), 5);
}

static void test_handler_flags_and_errors(void **state)
{
    (void)state;
    assert_int_equal(bounce_handler_eflags(0xFFFFFFFFu),
                     0xFFFFFFFFu & ~(BOUNCE_TF | BOUNCE_NT | BOUNCE_VM | BOUNCE_RF));
    assert_int_equal(bounce_eflags(0xFFFFFFFFu, 1, 0),
                     0xFFFFFFFFu & ~(BOUNCE_IF | BOUNCE_IOPL | BOUNCE_VM));
    assert_int_equal(bounce_eflags(0x2, 0, 0), 0x202);
    for (unsigned v = 0; v < 256; v++) {
        int want = v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;
        assert_int_equal(bounce_vector_has_error(v), want);
    }
}

/* ---- the remembered translation against the plain copy ---- */

static uint32_t nframes = FAKE_FRAMES;
static struct mm_ops ops;
static uint64_t snap[FAKE_FRAMES][512];

static uint64_t *table(unsigned m) { return fake_mem[m]; }

/* Two address spaces: L3s 1 and 2; L2s 3, 4; L1s 5, 6, 7; data 10-19. */
static void build(void)
{
    fake_reset(1);
    ops = (struct mm_ops){ .page = fake_page, .map = fake_map,
                           .direct_base = (uintptr_t)fake_mem, .direct_frames = &nframes };
    table(1)[0] = MFN(3) | P;
    table(1)[2] = MFN(4) | P;
    table(2)[0] = MFN(3) | P;
    table(3)[0] = MFN(5) | P | RW;
    table(3)[1] = MFN(6) | P | RW;
    table(4)[0] = MFN(7) | P | RW;
    for (unsigned i = 0; i < 8; i++) {
        table(5)[i] = MFN(10 + i) | P | RW;
        table(7)[i] = MFN(12 + i) | P | RW;
    }
    table(6)[0] = MFN(18) | P;          /* read-only */
    table(6)[1] = MFN(19) | P | RW;
}

/* What bounce_inline does: through the cache, else the plain copy. */
static int fast_write(struct guest_wcache *c, mfn_t l3, uint32_t va, const void *src, uint32_t len)
{
    unsigned char *p = guest_wcache_map(&ops, c, l3, va, len);
    if (p) {
        memcpy(p, src, len);
        return 0;
    }
    return guest_copy_to(&ops, l3, va, src, len);
}

static const uint32_t vas[] = {
    0x0000, 0x0FEC, 0x0FF0, 0x1000, 0x1FE8, 0x2004, 0x7FF8, 0x200000, 0x201000,
    0x80000000u, 0x80001FF4u, 0x40000000u, 0xF57FFFF0u, 0xF5800000u,
};

/* One change a guest's page-table update (or the CPU's A/D bits) could make. */
static void mutate(unsigned r)
{
    static const unsigned l1s[] = { 5, 6, 7 };
    unsigned what = r % 9, m = l1s[(r / 9) % 3], slot = (r / 27) % 8;
    uint64_t *e;
    switch (what) {
    case 0: table(m)[slot] = MFN(10 + (r / 216) % 10) | P | RW; break;  /* remap */
    case 1: table(m)[slot] &= ~(uint64_t)RW; break;
    case 2: table(m)[slot] &= ~(uint64_t)P; break;
    case 3: table(m)[slot] &= ~(uint64_t)(A | D); break;
    case 4: e = &table(3)[(r / 9) % 2]; *e ^= RW; break;                 /* L2 entry */
    case 5: table(3)[(r / 9) % 2] = MFN(l1s[(r / 27) % 3]) | P | RW; break;
    case 6: table(1)[(r / 9) % 4] = ((r / 27) & 1) ? (MFN(3 + (r / 54) % 2) | P) : 0; break;
    case 7: table(3)[0] ^= _PAGE_PSE; break;
    default: table(m)[slot] = MFN(FAKE_FRAMES + 5) | P | RW; break;      /* not RAM */
    }
}

static void test_wcache_differential(void **state)
{
    (void)state;
    struct guest_wcache c;
    memset(&c, 0, sizeof(c));
    build();
    srand(18);
    unsigned hits = 0, ok = 0, failed = 0;
    mfn_t l3 = 1;
    uint32_t va = 0x1FE8;
    for (unsigned step = 0; step < 20000; step++) {
        if (step % 8 == 0)
            mutate((unsigned)rand());
        if (step % 150 == 0)
            build();                                /* now and then start afresh */
        if (rand() % 4 == 0) {                      /* mostly the same stack page */
            l3 = (rand() % 5) ? 1 : 2;
            va = vas[(unsigned)rand() % (sizeof(vas) / sizeof(vas[0]))];
        }
        uint32_t len = 4u * (3 + (unsigned)rand() % 4);      /* 3 to 6 words */
        uint32_t words[6];
        for (unsigned i = 0; i < 6; i++)
            words[i] = (uint32_t)rand();

        memcpy(snap, fake_mem, sizeof(snap));
        int slow = guest_copy_to(&ops, l3, va, words, len);
        uint64_t after_slow[FAKE_FRAMES][512];
        memcpy(after_slow, fake_mem, sizeof(after_slow));
        memcpy(fake_mem, snap, sizeof(snap));

        /* a hit: the cache was full for this page and nothing it read changed */
        int hit = c.frame && c.page == va >> 12 && c.l3_mfn == l3 && *c.slot[0] == c.val[0] &&
                  *c.slot[1] == c.val[1] && *c.slot[2] == c.val[2];
        int fast = fast_write(&c, l3, va, words, len);
        assert_int_equal(fast, slow);
        assert_memory_equal(fake_mem, after_slow, sizeof(after_slow));
        hits += hit && fast == 0;
        fast == 0 ? ok++ : failed++;
    }
    /* the mix exercised every outcome */
    print_message("%u writes hit the cache, %u written, %u failed\n", hits, ok, failed);
    assert_true(hits > 2000);
    assert_true(ok > 2000);
    assert_true(failed > 2000);
}

/* The cases by name: a hit changes nothing in the tables; each entry the
 * walk read, changed, sends the write where a new walk says. */
static void test_wcache_cases(void **state)
{
    (void)state;
    struct guest_wcache c;
    uint32_t w = 0x11223344;
    memset(&c, 0, sizeof(c));
    build();

    unsigned char *p = guest_wcache_map(&ops, &c, 1, 0x1FF0, 16);
    assert_ptr_equal(p, (unsigned char *)fake_mem[11] + 0xFF0);
    assert_int_equal(table(5)[1], MFN(11) | P | RW | A | D);
    assert_int_equal(table(3)[0], MFN(5) | P | RW | A);
    assert_ptr_equal(guest_wcache_map(&ops, &c, 1, 0x1000, 4), (unsigned char *)fake_mem[11]);
    assert_null(guest_wcache_map(&ops, &c, 1, 0x1FF4, 16));      /* across two pages */

    table(5)[1] = MFN(13) | P | RW;                               /* the L1 entry */
    assert_ptr_equal(guest_wcache_map(&ops, &c, 1, 0x1000, 4), (unsigned char *)fake_mem[13]);
    assert_int_equal(table(5)[1], MFN(13) | P | RW | A | D);      /* set again, as a walk does */
    table(5)[1] &= ~(uint64_t)RW;
    assert_null(guest_wcache_map(&ops, &c, 1, 0x1000, 4));
    assert_int_equal(guest_copy_to(&ops, 1, 0x1000, &w, 4), -XEN_EFAULT);
    table(5)[1] |= RW;
    assert_non_null(guest_wcache_map(&ops, &c, 1, 0x1000, 4));
    table(3)[0] &= ~(uint64_t)RW;                                 /* the L2 entry */
    assert_null(guest_wcache_map(&ops, &c, 1, 0x1000, 4));
    table(3)[0] = MFN(7) | P | RW;                                /* another L1 */
    assert_ptr_equal(guest_wcache_map(&ops, &c, 1, 0x1000, 4), (unsigned char *)fake_mem[13]);
    table(7)[1] = MFN(16) | P | RW;
    assert_ptr_equal(guest_wcache_map(&ops, &c, 1, 0x1000, 4), (unsigned char *)fake_mem[16]);
    table(1)[0] = 0;                                              /* the L3 entry */
    assert_null(guest_wcache_map(&ops, &c, 1, 0x1000, 4));
    table(1)[0] = MFN(3) | P;
    assert_non_null(guest_wcache_map(&ops, &c, 1, 0x1000, 4));
    assert_null(guest_wcache_map(&ops, &c, 1, 0xF5800000u, 4)); /* the hypervisor's */
    assert_ptr_equal(guest_wcache_map(&ops, &c, 2, 0x1000, 4),   /* another address space */
                     (unsigned char *)fake_mem[16]);
    assert_ptr_equal(c.slot[0], &table(2)[0]);

    struct mm_ops no_direct = ops;                                /* map() only: never cached */
    no_direct.direct_frames = NULL;
    assert_null(guest_wcache_map(&no_direct, &c, 1, 0x1000, 4));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_from_user),
        cmocka_unit_test(test_frame_from_kernel),
        cmocka_unit_test(test_handler_flags_and_errors),
        cmocka_unit_test(test_wcache_cases),
        cmocka_unit_test(test_wcache_differential),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
