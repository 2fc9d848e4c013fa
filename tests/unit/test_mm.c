/* Unit tests: frame allocator, frame types, L1 entry rules, guest pointers
 * and the software page walk, on fake machine memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pv86/xen.h>

#include "mm/frame_alloc.h"
#include "mm/frame_table.h"
#include "mm/pte.h"

/* ---- frame allocator ---- */

static void test_alloc_starts_reserved(void **state)
{
    uint32_t bits[4], mfn;
    struct frame_alloc fa;
    (void)state;
    frame_alloc_init(&fa, bits, 100);
    assert_int_equal(fa.nfree, 0);
    assert_int_equal(frame_alloc_one(&fa, &mfn), -XEN_ENOMEM);
}

static void test_alloc_ranges_and_reserve(void **state)
{
    uint32_t bits[4], mfn;
    struct frame_alloc fa;
    (void)state;
    frame_alloc_init(&fa, bits, 100);
    frame_alloc_add_free(&fa, 10, 20);
    frame_alloc_add_free(&fa, 90, 200);        /* clipped at 100 */
    assert_int_equal(fa.nfree, 20);
    frame_alloc_reserve(&fa, 15, 18);
    assert_int_equal(fa.nfree, 17);
    frame_alloc_add_free(&fa, 10, 12);         /* already free: no double count */
    assert_int_equal(fa.nfree, 17);

    unsigned seen[100] = { 0 };
    for (unsigned i = 0; i < 17; i++) {
        assert_int_equal(frame_alloc_one(&fa, &mfn), 0);
        assert_true((mfn >= 10 && mfn < 15) || (mfn >= 18 && mfn < 20) || mfn >= 90);
        assert_int_equal(seen[mfn]++, 0);
    }
    assert_int_equal(frame_alloc_one(&fa, &mfn), -XEN_ENOMEM);
    assert_int_equal(frame_alloc_free(&fa, 12), 0);
    assert_int_equal(frame_alloc_free(&fa, 12), -XEN_EINVAL);    /* double free */
    assert_int_equal(frame_alloc_free(&fa, 100), -XEN_EINVAL);   /* out of range */
    assert_int_equal(frame_alloc_one(&fa, &mfn), 0);
    assert_int_equal(mfn, 12);
}

static void test_alloc_contig(void **state)
{
    uint32_t bits[4], first;
    struct frame_alloc fa;
    (void)state;
    frame_alloc_init(&fa, bits, 128);
    frame_alloc_add_free(&fa, 0, 10);
    frame_alloc_add_free(&fa, 20, 60);
    assert_int_equal(frame_alloc_contig(&fa, 11, &first), 0);
    assert_int_equal(first, 20);
    assert_int_equal(fa.nfree, 10 + 40 - 11);
    assert_int_equal(frame_alloc_contig(&fa, 30, &first), -XEN_ENOMEM);
    assert_int_equal(frame_alloc_contig(&fa, 29, &first), 0);
    assert_int_equal(first, 31);
    assert_int_equal(frame_alloc_contig(&fa, 0, &first), -XEN_ENOMEM);
}

/* ---- frame types ---- */

static void test_type_rules(void **state)
{
    struct page_info pg = { 1, PGT_none, 0, 0, 0, 0, 0 };
    (void)state;
    assert_int_equal(page_get_type(&pg, PGT_writable), 0);
    assert_int_equal(page_get_type(&pg, PGT_writable), 0);
    assert_int_equal(pg.type_count, 2);
    /* Mapped writable: cannot become a page table or descriptor page. */
    assert_int_equal(page_get_type(&pg, PGT_l1), -XEN_EBUSY);
    assert_int_equal(page_get_type(&pg, PGT_seg_desc), -XEN_EBUSY);
    assert_int_equal(page_put_type(&pg), 0);
    assert_int_equal(page_put_type(&pg), 0);
    assert_int_equal(page_put_type(&pg), -XEN_EINVAL);
    /* Count zero: the type may change. */
    assert_int_equal(page_get_type(&pg, PGT_l1), 0);
    assert_int_equal(pg.type, PGT_l1);
    assert_int_equal(page_get_type(&pg, PGT_writable), -XEN_EBUSY);
    assert_int_equal(page_put(&pg), -XEN_EINVAL);
    page_get(&pg);
    assert_int_equal(page_put(&pg), 0);
    assert_string_equal(page_type_name(PGT_seg_desc), "descriptor table");
}

/* ---- fake machine: 64 frames of 4 KiB ---- */

#define NFRAMES 64
#define FAKE_FRAMES NFRAMES
#include "fake_machine.h"

static uint8_t *const mem = (uint8_t *)fake_mem;     /* byte view */
static const struct mm_ops ops = { fake_page, fake_map, NULL, NULL, NULL, NULL, 0, NULL };

static int setup_mem(void **state)
{
    (void)state;
    fake_reset(1);
    pages[5].owner = DOMID_HV;
    return 0;
}

static uint64_t *table(uint32_t mfn) { return fake_mem[mfn]; }

#define P _PAGE_PRESENT
#define RW _PAGE_RW
#define A _PAGE_ACCESSED
#define D _PAGE_DIRTY
#define MFN(m) ((uint64_t)(m) << 12)

static void test_l1e_rules(void **state)
{
    (void)state;
    assert_int_equal(l1e_get(&ops, 1, 0), 0);                       /* not present */
    assert_int_equal(l1e_get(&ops, 1, MFN(7) | RW), 0);             /* not present, any bits */
    assert_int_equal(l1e_get(&ops, 1, MFN(7) | P | RW), 0);
    assert_int_equal(pages[7].type, PGT_writable);
    assert_int_equal(pages[7].type_count, 1);
    assert_int_equal(pages[7].count, 1);
    /* RAM not the domain's: Xen's get_page_from_l1e cannot pin it, -EBUSY. */
    assert_int_equal(l1e_get(&ops, 1, MFN(5) | P), -XEN_EBUSY);     /* hypervisor's */
    assert_int_equal(l1e_get(&ops, 1, MFN(5) | P | RW), -XEN_EBUSY);
    assert_int_equal(l1e_get(&ops, 2, MFN(7) | P), -XEN_EBUSY);     /* another domain's */
    assert_int_equal(l1e_get(&ops, 2, MFN(7) | P | RW), -XEN_EBUSY);
    assert_int_equal(pages[5].count, 0);                            /* nothing taken */
    assert_int_equal(pages[7].count, 1);
    assert_int_equal(pages[7].type_count, 1);
    /* Below 1 MiB it is Xen's DOMID_IO: MMIO the domain may not map, -EPERM;
     * the domain's own frames there stay mappable. */
    l1e_io_frames = 6;
    assert_int_equal(l1e_get(&ops, 1, MFN(5) | P), -XEN_EPERM);
    assert_int_equal(l1e_get(&ops, 2, MFN(4) | P | RW), -XEN_EPERM);
    assert_int_equal(l1e_get(&ops, 1, MFN(4) | P), 0);
    l1e_put(&ops, MFN(4) | P);
    l1e_io_frames = 0;
    assert_int_equal(l1e_get(&ops, 1, MFN(NFRAMES) | P), -XEN_EPERM); /* not RAM */
    assert_int_equal(l1e_get(&ops, 1, (1ull << 52) | MFN(7) | P), -XEN_EINVAL);
    assert_int_equal(l1e_get(&ops, 1, (1ull << 63) | MFN(7) | P), -XEN_EINVAL);
    /* Every frame bit counts: bits 36-51 name no RAM here, whatever MAXPHYADDR
     * (Xen: MMIO the domain may not map, -EPERM), and take nothing. */
    for (unsigned paddr_bits = 36; paddr_bits <= 52; paddr_bits += 16) {
        pte_paddr_bits = paddr_bits;
        for (unsigned bit = 36; bit <= 51; bit++) {
            assert_int_equal(l1e_get(&ops, 1, (1ull << bit) | MFN(7) | P), -XEN_EPERM);
            assert_int_equal(l1e_get(&ops, 1, (1ull << bit) | MFN(7) | P | RW), -XEN_EPERM);
        }
        assert_int_equal(l1e_get(&ops, 1, PTE_ADDR_MASK | P), -XEN_EINVAL);  /* INVALID_MFN */
    }
    pte_paddr_bits = 36;
    assert_int_equal(pages[7].count, 1);
    assert_int_equal(pages[7].type_count, 1);

    /* A page table can be mapped read-only, never writable... */
    assert_int_equal(page_get_type(&pages[8], PGT_l1), 0);
    assert_int_equal(l1e_get(&ops, 1, MFN(8) | P), 0);
    assert_int_equal(l1e_get(&ops, 1, MFN(8) | P | RW), -XEN_EBUSY);
    assert_int_equal(pages[8].count, 1);                            /* refusal took nothing */
    /* ...and a writable-mapped frame cannot become one. */
    assert_int_equal(page_get_type(&pages[7], PGT_l1), -XEN_EBUSY);
    l1e_put(&ops, MFN(7) | P | RW);
    assert_int_equal(pages[7].type_count, 0);
    assert_int_equal(pages[7].count, 0);
    assert_int_equal(page_get_type(&pages[7], PGT_l1), 0);
}

static void test_guest_range(void **state)
{
    (void)state;
    assert_int_equal(guest_range_ok(0, 0), 0);
    assert_int_equal(guest_range_ok(0x1000, 4096), 0);
    assert_int_equal(guest_range_ok(HYPERVISOR_VIRT_START - 4, 4), 0);
    assert_int_equal(guest_range_ok(HYPERVISOR_VIRT_START - 4, 5), -XEN_EFAULT);   /* straddles */
    assert_int_equal(guest_range_ok(HYPERVISOR_VIRT_START, 0), -XEN_EFAULT);
    assert_int_equal(guest_range_ok(0xFFFFFFF0u, 0x20), -XEN_EFAULT);            /* wraps */
    assert_int_equal(guest_range_ok(0x1000, 0xFFFFFFFFu), -XEN_EFAULT);
}

/* Address space: L3 in frame 1, L2 for slot 0 in frame 2, L1 for VA 0-2M in
 * frame 3. VA 0x1000 -> frame 10 (RW), 0x2000 -> frame 11 (RO),
 * 0x3000 not present, 0x200000.. no L1. */
static void build_space(void)
{
    memset(mem, 0, (size_t)NFRAMES * 4096);
    table(1)[0] = MFN(2) | P;
    table(2)[0] = MFN(3) | P | RW;
    table(3)[1] = MFN(10) | P | RW;
    table(3)[2] = MFN(11) | P;
}

/* The walk and the copies run twice: through map() and through the direct
 * map (mm_ops.direct_base/direct_frames, as the hypervisor's hv_mm_ops). */
static const uint32_t fake_nframes = NFRAMES;
static struct mm_ops direct_ops;
static const struct mm_ops *walk_ops = &ops;

static int setup_direct(void **state)
{
    direct_ops = ops;
    direct_ops.direct_base = (uintptr_t)fake_mem;
    direct_ops.direct_frames = &fake_nframes;
    walk_ops = &direct_ops;
    return setup_mem(state);
}

static int setup_map(void **state)
{
    walk_ops = &ops;
    return setup_mem(state);
}

static void test_walk(void **state)
{
    mfn_t mfn, l1;
    unsigned idx;
    (void)state;
    build_space();
    assert_int_equal(guest_translate(walk_ops, 1, 0x1234, 0, &mfn), 0);
    assert_int_equal(mfn, 10);
    assert_true(table(3)[1] & A);
    assert_false(table(3)[1] & D);
    assert_int_equal(guest_translate(walk_ops, 1, 0x1234, 1, &mfn), 0);
    assert_true(table(3)[1] & D);
    assert_int_equal(guest_translate(walk_ops, 1, 0x2000, 0, &mfn), 0);
    assert_int_equal(guest_translate(walk_ops, 1, 0x2000, 1, &mfn), -XEN_EFAULT);  /* read-only */
    assert_int_equal(guest_translate(walk_ops, 1, 0x3000, 0, &mfn), -XEN_EFAULT);  /* not present */
    assert_int_equal(guest_translate(walk_ops, 1, 0x200000, 0, &mfn), -XEN_EFAULT); /* no L1 */
    assert_int_equal(guest_translate(walk_ops, 1, 0x40001000, 0, &mfn), -XEN_EFAULT); /* no L2 */
    assert_int_equal(guest_translate(walk_ops, 1, 0xF6000000u, 0, &mfn), -XEN_EFAULT); /* hypervisor */
    table(3)[5] = (1ull << 40) | MFN(10) | P;             /* a frame far above RAM */
    assert_int_equal(guest_translate(walk_ops, 1, 0x5000, 0, &mfn), -XEN_EFAULT);
    table(2)[2] = (1ull << 33) | MFN(3) | P;              /* an L1 above 4 GiB */
    assert_int_equal(guest_translate(walk_ops, 1, 0x401000, 0, &mfn), -XEN_EFAULT);
    table(3)[6] = MFN(0) | P;                             /* frame 0 is never mapped */
    assert_int_equal(guest_translate(walk_ops, 1, 0x6000, 0, &mfn), -XEN_EFAULT);

    assert_int_equal(guest_l1e_slot(walk_ops, 1, 0x2000, &l1, &idx), 0);
    assert_int_equal(l1, 3);
    assert_int_equal(idx, 2);
    assert_int_equal(guest_l1e_slot(walk_ops, 1, 0x200000, &l1, &idx), -XEN_EINVAL);
    table(2)[1] = MFN(4) | P | _PAGE_PSE;                 /* a 2 MiB page: no L1 */
    assert_int_equal(guest_l1e_slot(walk_ops, 1, 0x200000, &l1, &idx), -XEN_EINVAL);
    table(2)[1] = MFN(NFRAMES + 3) | P;                   /* L1 outside RAM */
    assert_int_equal(guest_l1e_slot(walk_ops, 1, 0x200000, &l1, &idx), -XEN_EINVAL);
}

static void test_copy(void **state)
{
    char buf[8192];
    (void)state;
    build_space();
    memcpy(mem + 10 * 4096 + 4090, "abcdef", 6);
    memcpy(mem + 11 * 4096, "ghij", 4);
    assert_int_equal(guest_copy_from(walk_ops, 1, buf, 0x1000 + 4090, 10), 0);   /* straddles pages */
    assert_memory_equal(buf, "abcdefghij", 10);
    assert_int_equal(guest_copy_from(walk_ops, 1, buf, 0x2000 + 4090, 10), -XEN_EFAULT); /* into a hole */
    assert_int_equal(guest_copy_to(walk_ops, 1, 0x1000, "xyz", 3), 0);
    assert_memory_equal(mem + 10 * 4096, "xyz", 3);
    assert_int_equal(guest_copy_to(walk_ops, 1, 0x2000, "xyz", 3), -XEN_EFAULT);  /* read-only */
    assert_int_equal(guest_copy_from(walk_ops, 1, buf, HYPERVISOR_VIRT_START - 2, 4), -XEN_EFAULT);
    assert_int_equal(guest_copy_from(walk_ops, 1, buf, 0x1000, 0), 0);
    assert_int_equal(guest_copy_from(walk_ops, 1, buf, 0xFFFFFFFFu, 2), -XEN_EFAULT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_starts_reserved),
        cmocka_unit_test(test_alloc_ranges_and_reserve),
        cmocka_unit_test(test_alloc_contig),
        cmocka_unit_test(test_type_rules),
        cmocka_unit_test_setup(test_l1e_rules, setup_mem),
        cmocka_unit_test(test_guest_range),
        cmocka_unit_test_setup(test_walk, setup_map),
        cmocka_unit_test_setup(test_copy, setup_map),
        cmocka_unit_test_setup(test_walk, setup_direct),
        cmocka_unit_test_setup(test_copy, setup_direct),
    };
    return cmocka_run_group_tests_name("mm", tests, NULL, NULL);
}
