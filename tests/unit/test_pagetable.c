/* Unit tests: page-table validation and the type/reference state machine
 * (mm/pagetable.c) on fake machine memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pv86/xen.h>

#include "mm/pagetable.h"

#define NFRAMES 32
#define DOM 1
#define HV_MARK 0x8000000000000BADull        /* what hv_slots writes */

#define FAKE_FRAMES NFRAMES
#include "fake_machine.h"

static void fake_hv_slots(void *ctx, uint16_t dom, uint64_t *l2)
{
    (void)ctx;
    assert_int_equal(dom, DOM);
    for (unsigned i = L2_HV_FIRST_SLOT; i < 512; i++)
        l2[i] = HV_MARK;
}

static unsigned validated;            /* entries the validated hook was told of */
static void fake_validated(void *ctx, uint16_t dom, unsigned n)
{
    (void)ctx;
    assert_int_equal(dom, DOM);
    validated += n;
}

static const struct mm_ops ops = { fake_page, fake_map, fake_hv_slots, NULL, fake_validated, NULL, 0, NULL };

static int setup(void **state)
{
    (void)state;
    fake_reset(DOM);
    pages[30].owner = 2;                  /* another domain's */
    pages[31].owner = DOMID_HV;           /* the hypervisor's */
    return 0;
}

#define P _PAGE_PRESENT
#define RW _PAGE_RW
#define A _PAGE_ACCESSED
#define D _PAGE_DIRTY
#define E(m, f) (((uint64_t)(m) << 12) | (f))

static void all_zero(void)
{
    for (unsigned i = 0; i < NFRAMES; i++) {
        if (pages[i].count || pages[i].type_count)
            fail_msg("frame %u: count %u type_count %u", i, pages[i].count, pages[i].type_count);
        assert_int_equal(pages[i].type, PGT_none);
    }
}

static void test_pin_unpin(void **state)
{
    (void)state;
    validated = 0;
    assert_int_equal(page_table_pin(&ops, DOM, 5, PGT_l1), 0);
    assert_int_equal(validated, 512);                  /* a whole L1 was checked */
    assert_int_equal(pages[5].type, PGT_l1);
    assert_int_equal(pages[5].type_count, 1);
    assert_int_equal(pages[5].count, 1);
    assert_true(pages[5].flags & PGF_PINNED);
    assert_int_equal(page_table_pin(&ops, DOM, 5, PGT_l1), -XEN_EINVAL);   /* pinned already */
    assert_int_equal(page_table_pin(&ops, DOM, 5, PGT_l2), -XEN_EINVAL);
    assert_int_equal(page_table_unpin(&ops, DOM, 5), 0);
    assert_int_equal(page_table_unpin(&ops, DOM, 5), -XEN_EINVAL);         /* not pinned */
    assert_int_equal(page_table_pin(&ops, DOM, 30, PGT_l1), -XEN_EINVAL);  /* not ours: Xen -EINVAL */
    assert_int_equal(page_table_pin(&ops, DOM, 31, PGT_l1), -XEN_EINVAL);
    assert_int_equal(page_table_pin(&ops, DOM, NFRAMES + 1, PGT_l1), -XEN_EINVAL);
    assert_int_equal(page_table_pin(&ops, DOM, 30, PGT_l3), -XEN_EINVAL);
    assert_int_equal(page_table_unpin(&ops, DOM, 30), -XEN_EINVAL);        /* Xen: bad owner */
    assert_int_equal(page_table_unpin(&ops, DOM, 31), -XEN_EINVAL);
    assert_int_equal(page_table_get(&ops, DOM, 31, PGT_l3), -XEN_EINVAL);  /* a base pointer */
    pages[6].flags = PGF_XENHEAP;                                          /* shared_info */
    assert_int_equal(page_table_pin(&ops, DOM, 6, PGT_l1), -XEN_EINVAL);
    pages[6].flags = 0;
    all_zero();
}

static void test_l1_validation(void **state)
{
    (void)state;
    fake_mem[5][0] = E(7, P | RW);
    fake_mem[5][1] = E(8, P);
    fake_mem[5][2] = E(7, P);
    assert_int_equal(page_table_pin(&ops, DOM, 5, PGT_l1), 0);
    assert_int_equal(pages[7].type, PGT_writable);
    assert_int_equal(pages[7].type_count, 1);
    assert_int_equal(pages[7].count, 2);
    assert_int_equal(pages[8].type_count, 0);
    assert_int_equal(pages[8].count, 1);
    /* A writable-mapped frame cannot become a table (Xen's "Bad type",
     * -EINVAL); a table cannot be mapped writable (get_page_from_l1e's
     * could_not_pin, -EBUSY). */
    assert_int_equal(page_table_pin(&ops, DOM, 7, PGT_l1), -XEN_EINVAL);
    assert_int_equal(page_table_update(&ops, DOM, 5, 3, E(5, P | RW), 0), -XEN_EBUSY);
    assert_int_equal(fake_mem[5][3], 0);                       /* refused: unchanged */
    assert_int_equal(page_table_update(&ops, DOM, 5, 3, E(5, P), 0), 0);   /* read-only self map */
    assert_int_equal(page_table_unpin(&ops, DOM, 5), 0);
    all_zero();

    /* A bad entry late in the table: nothing stays taken. */
    memset(fake_mem[5], 0, sizeof(fake_mem[5]));
    fake_mem[5][0] = E(7, P | RW);
    fake_mem[5][1] = E(8, P);
    fake_mem[5][300] = E(30, P);                     /* another domain's: -EBUSY */
    assert_int_equal(page_table_pin(&ops, DOM, 5, PGT_l1), -XEN_EBUSY);
    all_zero();
    fake_mem[5][300] = E(31, P | RW);                /* the hypervisor's: -EBUSY */
    assert_int_equal(page_table_pin(&ops, DOM, 5, PGT_l1), -XEN_EBUSY);
    all_zero();
    fake_mem[5][300] = E(8, P) | (1ull << 52);
    assert_int_equal(page_table_pin(&ops, DOM, 5, PGT_l1), -XEN_EINVAL);
    all_zero();
    fake_mem[5][300] = E(5, P | RW);                           /* writable self map */
    assert_int_equal(page_table_pin(&ops, DOM, 5, PGT_l1), -XEN_EBUSY);
    all_zero();
}

static void test_l2_validation(void **state)
{
    (void)state;
    fake_mem[4][0] = E(5, P | RW);          /* -> L1 5 */
    fake_mem[5][0] = E(7, P | RW);
    assert_int_equal(page_table_pin(&ops, DOM, 4, PGT_l2), 0);
    assert_int_equal(pages[5].type, PGT_l1);
    assert_int_equal(pages[5].type_count, 1);
    assert_int_equal(pages[7].type, PGT_writable);
    /* Refusals, each leaving the entry as it was. */
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, E(9, P | _PAGE_PSE), 0), -XEN_EINVAL);
    /* Xen's L2_DISALLOW_MASK: no PWT, PCD, G either; the available 9-11 are fine. */
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, E(9, P | _PAGE_PWT), 0), -XEN_EINVAL);
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, E(9, P | _PAGE_PCD), 0), -XEN_EINVAL);
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, E(9, P | _PAGE_GLOBAL), 0), -XEN_EINVAL);
    assert_int_equal(pages[9].type_count, 0);
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, E(9, P | 0xE00), 0), 0);
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, 0, 0), 0);
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, E(4, P), 0), -XEN_EINVAL);  /* loop */
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, E(7, P), 0), -XEN_EINVAL);  /* writable page */
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, E(30, P), 0), -XEN_EINVAL); /* not ours */
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, E(31, P), 0), -XEN_EINVAL); /* the hv's */
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, E(9, P) | (1ull << 60), 0), -XEN_EINVAL);
    assert_int_equal(fake_mem[4][1], 0);
    /* Shared L1: two L2 entries, one table. */
    assert_int_equal(page_table_update(&ops, DOM, 4, 1, E(5, P | RW), 0), 0);
    assert_int_equal(pages[5].type_count, 2);
    /* An L2 entry to an L1 with a bad entry is refused whole. */
    fake_mem[9][3] = E(31, P);
    assert_int_equal(page_table_update(&ops, DOM, 4, 2, E(9, P), 0), -XEN_EBUSY);
    assert_int_equal(pages[9].type_count, 0);
    assert_int_equal(page_table_unpin(&ops, DOM, 4), 0);
    all_zero();
}

static void test_l2h_and_l3(void **state)
{
    (void)state;
    /* L3 3 -> L2 {0: 4, 3: 6}; L2 4 -> L1 5; slot-3 L2 6 -> L1 8. */
    fake_mem[3][0] = E(4, P);
    fake_mem[3][3] = E(6, P);
    fake_mem[4][0] = E(5, P);
    fake_mem[6][0] = E(8, P);
    fake_mem[6][500] = E(7, P | RW);            /* guest junk in a hypervisor slot */
    assert_int_equal(page_table_pin(&ops, DOM, 3, PGT_l3), 0);
    assert_int_equal(pages[6].type, PGT_l2h);
    assert_int_equal(pages[4].type, PGT_l2);
    assert_int_equal(fake_mem[6][500], HV_MARK);  /* replaced, and never counted */
    assert_int_equal(pages[7].count, 0);
    assert_int_equal(page_table_update(&ops, DOM, 6, 428, 0, 0), -XEN_EPERM);
    assert_int_equal(page_table_update(&ops, DOM, 6, 511, E(8, P), 0), -XEN_EPERM);
    assert_int_equal(page_table_update(&ops, DOM, 3, 3, 0, 0), -XEN_EINVAL);      /* slot 3 */
    assert_int_equal(page_table_update(&ops, DOM, 3, 4, E(9, P), 0), -XEN_EINVAL);
    assert_int_equal(page_table_update(&ops, DOM, 3, 1, E(9, P | _PAGE_PSE), 0), -XEN_EINVAL);
    assert_int_equal(page_table_update(&ops, DOM, 3, 1, E(6, P), 0), -XEN_EINVAL); /* L2h as L2 */
    assert_int_equal(page_table_update(&ops, DOM, 3, 1, E(3, P), 0), -XEN_EINVAL); /* itself */
    assert_int_equal(page_table_update(&ops, DOM, 3, 1, E(30, P), 0), -XEN_EINVAL); /* not ours */
    assert_int_equal(page_table_update(&ops, DOM, 3, 1, E(31, P), 0), -XEN_EINVAL);
    assert_int_equal(page_table_update(&ops, DOM, 3, 1, E(5, P), 0), -XEN_EINVAL); /* an L1 */
    /* Xen's l3_disallow_mask (32-bit guest): no PWT, PCD, G, nor PSE. */
    assert_int_equal(page_table_update(&ops, DOM, 3, 1, E(9, P | _PAGE_PWT), 0), -XEN_EINVAL);
    assert_int_equal(page_table_update(&ops, DOM, 3, 1, E(9, P | _PAGE_PCD), 0), -XEN_EINVAL);
    assert_int_equal(page_table_update(&ops, DOM, 3, 1, E(9, P | _PAGE_GLOBAL), 0), -XEN_EINVAL);
    assert_int_equal(pages[9].type_count, 0);
    /* L3 entries may carry Xen's RW/U/A/D bits, and the available 9-11. */
    assert_int_equal(page_table_update(&ops, DOM, 3, 1, E(9, P | 0xE00), 0), 0);
    assert_int_equal(page_table_update(&ops, DOM, 3, 1, 0, 0), 0);
    assert_int_equal(page_table_update(&ops, DOM, 3, 1, E(9, P | RW | _PAGE_USER | A | D), 0), 0);
    assert_int_equal(pages[9].type, PGT_l2);
    /* Base pointer plus pin, then both gone: everything released; the
     * hypervisor's entries stay in what is a guest page again (Xen's
     * demote_l2_table leaves them). */
    assert_int_equal(page_table_get(&ops, DOM, 3, PGT_l3), 0);
    assert_int_equal(page_table_unpin(&ops, DOM, 3), 0);
    assert_int_equal(pages[3].type_count, 1);
    page_table_put(&ops, 3);
    all_zero();
    assert_true(fake_mem[6][500] == HV_MARK);

    memset(fake_mem, 0, sizeof(fake_mem));
    fake_mem[3][0] = E(4, P);                     /* slot 3 absent */
    assert_int_equal(page_table_pin(&ops, DOM, 3, PGT_l3), -XEN_EINVAL);
    all_zero();
}

/* ---- Xen's PAE rules for the L2 behind L3 slot 3 (pae_xen_mappings_check
 * and the PGT_pae_xen_l2 type) ---- */

static unsigned warnings;
static char last_warning[64];
static void fake_warn(uint16_t dom, const char *msg)
{
    assert_int_equal(dom, DOM);
    warnings++;
    snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

/* Frames: L3s 3 and 10, L2 4 -> L1 5, slot-3 L2s 6 and 11. */
static void slot3_tables(void)
{
    fake_mem[3][0] = E(4, P);
    fake_mem[3][3] = E(6, P);
    fake_mem[4][0] = E(5, P);
    fake_mem[10][0] = E(4, P);                  /* an ordinary L2 may be shared */
    fake_mem[10][3] = E(6, P);                  /* ...the slot-3 L2 may not */
    warnings = 0;
    last_warning[0] = 0;
    page_table_warn = fake_warn;
}

static void test_slot3_shared(void **state)
{
    (void)state;
    slot3_tables();
    assert_int_equal(page_table_pin(&ops, DOM, 3, PGT_l3), 0);
    assert_int_equal(pages[6].type, PGT_l2h);
    assert_int_equal(pages[6].type_count, 1);
    struct page_info before[NFRAMES];
    memcpy(before, pages, sizeof(before));
    /* A second L3 over the same slot-3 L2: refused at pin, as a base
     * pointer too, with Xen's answer and warning; nothing kept. */
    assert_int_equal(page_table_pin(&ops, DOM, 10, PGT_l3), -XEN_EINVAL);
    assert_int_equal(warnings, 1);
    assert_string_equal(last_warning, "PAE L3 3rd slot is shared");
    assert_memory_equal(before, pages, sizeof(before));
    assert_int_equal(page_table_get(&ops, DOM, 10, PGT_l3), -XEN_EINVAL);
    assert_int_equal(warnings, 2);
    mfn_t pending = 0;
    int rc = page_table_pin_preemptible(&ops, DOM, 10, PGT_l3, &pending);
    assert_int_equal(rc, -XEN_EINVAL);
    if (pending)                                /* slots 0-2 left to undo */
        assert_int_equal(page_table_put_partial(&ops, pending, 1), 0);
    assert_memory_equal(before, pages, sizeof(before));
    /* Its own slot-3 L2: fine, and the L2 of slot 0 is shared by both. */
    fake_mem[10][3] = E(11, P);
    assert_int_equal(page_table_pin(&ops, DOM, 10, PGT_l3), 0);
    assert_int_equal(pages[4].type_count, 2);
    assert_int_equal(pages[11].type, PGT_l2h);
    assert_int_equal(pages[11].type_count, 1);
    assert_int_equal(page_table_unpin(&ops, DOM, 10), 0);
    /* Once the first L3 is gone its slot-3 L2 may serve another. */
    assert_int_equal(page_table_unpin(&ops, DOM, 3), 0);
    all_zero();
    fake_mem[10][3] = E(6, P);
    assert_int_equal(page_table_pin(&ops, DOM, 10, PGT_l3), 0);
    assert_int_equal(page_table_unpin(&ops, DOM, 10), 0);
    all_zero();
    assert_int_equal(warnings, 3);
    page_table_warn = NULL;
}

static void test_slot3_type(void **state)
{
    (void)state;
    slot3_tables();
    assert_int_equal(page_table_pin(&ops, DOM, 3, PGT_l3), 0);
    /* An L2h is no ordinary L2: not pinned as one, not in slots 0-2. */
    assert_int_equal(page_table_pin(&ops, DOM, 6, PGT_l2), -XEN_EINVAL);
    assert_false(pages[6].flags & PGF_PINNED);
    assert_int_equal(page_table_update(&ops, DOM, 3, 2, E(6, P), 0), -XEN_EINVAL);
    fake_mem[10][3] = 0;
    fake_mem[10][1] = E(6, P);
    fake_mem[10][3] = E(11, P);
    assert_int_equal(page_table_pin(&ops, DOM, 10, PGT_l3), -XEN_EINVAL);
    assert_int_equal(pages[6].type_count, 1);
    /* An ordinary L2 in use is no slot-3 L2. */
    fake_mem[10][1] = 0;
    fake_mem[10][3] = E(4, P);
    assert_int_equal(page_table_pin(&ops, DOM, 10, PGT_l3), -XEN_EINVAL);
    assert_int_equal(page_table_pin(&ops, DOM, 11, PGT_l2), 0);
    fake_mem[10][3] = E(11, P);                 /* pinned as an L2 */
    assert_int_equal(page_table_pin(&ops, DOM, 10, PGT_l3), -XEN_EINVAL);
    assert_int_equal(page_table_unpin(&ops, DOM, 11), 0);
    /* One frame in slot 0 and slot 3 of an L3: the two types conflict. */
    fake_mem[10][0] = E(11, P);
    assert_int_equal(page_table_pin(&ops, DOM, 10, PGT_l3), -XEN_EINVAL);
    assert_int_equal(pages[11].type_count, 0);
    /* Slot 3 must be present, and is never changed in an L3 in use. */
    fake_mem[10][0] = E(4, P);
    fake_mem[10][3] = 0;
    assert_int_equal(page_table_pin(&ops, DOM, 10, PGT_l3), -XEN_EINVAL);
    assert_int_equal(page_table_update(&ops, DOM, 3, 3, E(11, P), 0), -XEN_EINVAL);
    assert_int_equal(page_table_update(&ops, DOM, 3, 3, E(6, P | A), 0), -XEN_EINVAL);
    /* In an L3 that is no table, slot 3 is a plain word of a guest page. */
    assert_int_equal(pages[10].type_count, 0);
    assert_int_equal(warnings, 0);              /* none of these is "shared" */
    assert_int_equal(page_table_unpin(&ops, DOM, 3), 0);
    all_zero();
    /* The special type goes with the last reference: frame 6 may now be
     * pinned as an L1 (its hypervisor entries name no frame of ours: Xen
     * refuses them there too, so clear them first, as a guest must). */
    assert_int_equal(pages[6].type, PGT_none);
    assert_int_equal(page_table_pin(&ops, DOM, 6, PGT_l2), -XEN_EINVAL);   /* 2 MiB "pages" */
    all_zero();
    for (unsigned i = L2_HV_FIRST_SLOT; i < 512; i++)
        fake_mem[6][i] = 0;
    assert_int_equal(page_table_pin(&ops, DOM, 6, PGT_l2), 0);
    assert_int_equal(pages[6].type, PGT_l2);
    assert_int_equal(page_table_unpin(&ops, DOM, 6), 0);
    all_zero();
    page_table_warn = NULL;
}

/* Xen clears entries 4-511 of a 32-bit guest's L3 when it validates it
 * (the CPU may see the whole page); an L3 already in use is left alone. */
static void test_l3_upper_entries(void **state)
{
    (void)state;
    slot3_tables();
    for (unsigned i = 4; i < 512; i++)
        fake_mem[3][i] = E(7, P | RW);
    assert_int_equal(page_table_pin(&ops, DOM, 3, PGT_l3), 0);
    for (unsigned i = 4; i < 512; i++)
        assert_true(fake_mem[3][i] == 0);
    assert_int_equal(pages[7].count, 0);
    fake_mem[3][4] = E(7, P);                   /* a write the guest could not make */
    assert_int_equal(page_table_get(&ops, DOM, 3, PGT_l3), 0);     /* no revalidation */
    assert_true(fake_mem[3][4] == E(7, P));
    page_table_put(&ops, 3);
    assert_int_equal(page_table_unpin(&ops, DOM, 3), 0);
    all_zero();
    page_table_warn = NULL;
}

static void test_update_ad_and_fast_path(void **state)
{
    (void)state;
    fake_mem[5][0] = E(7, P | RW | A | D);
    assert_int_equal(page_table_pin(&ops, DOM, 5, PGT_l1), 0);
    /* PRESERVE_AD: the old A/D bits survive a value without them. */
    assert_int_equal(page_table_update(&ops, DOM, 5, 0, E(7, P | RW), 1), 0);
    assert_int_equal(fake_mem[5][0], E(7, P | RW | A | D));
    assert_int_equal(pages[7].type_count, 1);
    /* Same frame, only A/D differ: no reference moves. */
    assert_int_equal(page_table_update(&ops, DOM, 5, 0, E(7, P | RW), 0), 0);
    assert_int_equal(pages[7].count, 1);
    /* RW -> RO drops the writable type; the frame may become a table. */
    assert_int_equal(page_table_update(&ops, DOM, 5, 0, E(7, P), 0), 0);
    assert_int_equal(pages[7].type_count, 0);
    assert_int_equal(page_table_pin(&ops, DOM, 7, PGT_l1), 0);
    assert_int_equal(page_table_update(&ops, DOM, 5, 1, E(7, P | RW), 0), -XEN_EBUSY);
    assert_int_equal(page_table_update(&ops, DOM, 5, 512, 0, 0), -XEN_EINVAL);
    assert_int_equal(page_table_unpin(&ops, DOM, 7), 0);
    assert_int_equal(page_table_unpin(&ops, DOM, 5), 0);
    all_zero();
}

/* ---- machine addresses at their full width ----
 * Every address bit from 36 to 51 of an entry names a frame beyond this
 * machine's RAM (and, below MAXPHYADDR 52, one the CPU could still reach):
 * refused at every level, in a table being validated and in an update of a
 * table in use, with Xen's codes, and no reference taken. Run once with
 * MAXPHYADDR 36 (the reserved-bit check refuses) and once with 52 (only the
 * frame lookup does). */
static void expect_refused(mfn_t table, enum page_type type, unsigned index, uint64_t e,
                           int rc, unsigned bit)
{
    struct page_info before[NFRAMES];
    memcpy(before, pages, sizeof(before));
    uint64_t old = fake_mem[table][index];
    int got = page_table_update(&ops, DOM, table, index, e, 0);
    if (got != rc)
        fail_msg("bit %u, %s entry %u := %#llx: %d, want %d", bit, page_type_name(type),
                 index, (unsigned long long)e, got, rc);
    assert_int_equal(fake_mem[table][index], old);
    assert_memory_equal(before, pages, sizeof(before));
}

static void expect_pin_refused(mfn_t f, enum page_type type, unsigned index, uint64_t e,
                               int rc, unsigned bit)
{
    struct page_info before[NFRAMES];
    memcpy(before, pages, sizeof(before));
    fake_mem[f][index] = e;
    int got = page_table_pin(&ops, DOM, f, type);
    if (got != rc)
        fail_msg("bit %u, pin %s with entry %u = %#llx: %d, want %d", bit,
                 page_type_name(type), index, (unsigned long long)e, got, rc);
    fake_mem[f][index] = 0;
    assert_memory_equal(before, pages, sizeof(before));
}

static void address_width_at(unsigned paddr_bits)
{
    pte_paddr_bits = paddr_bits;
    /* L3 3 -> {0: L2 4, 3: L2h 6}; L2 4 -> L1 5 -> data 7. */
    fake_mem[3][0] = E(4, P);
    fake_mem[3][3] = E(6, P);
    fake_mem[4][0] = E(5, P);
    fake_mem[5][0] = E(7, P | RW);
    assert_int_equal(page_table_pin(&ops, DOM, 3, PGT_l3), 0);
    for (unsigned bit = 36; bit <= 51; bit++) {
        uint64_t hi = 1ull << bit;
        /* Updates of tables in use. */
        expect_refused(5, PGT_l1, 1, E(7, P) | hi, -XEN_EPERM, bit);
        expect_refused(5, PGT_l1, 1, E(7, P | RW) | hi, -XEN_EPERM, bit);
        expect_refused(4, PGT_l2, 1, E(5, P) | hi, -XEN_EINVAL, bit);
        for (unsigned slot = 1; slot < 3; slot++)
            expect_refused(3, PGT_l3, slot, E(4, P) | hi, -XEN_EINVAL, bit);
        expect_refused(3, PGT_l3, 3, E(6, P) | hi, -XEN_EINVAL, bit);
        /* The frame named by the truncated value is in use with the right
         * type: that is what made the 32-bit frame number accept these. */
        assert_int_equal(pages[5].type, PGT_l1);
        assert_int_equal(pages[6].type, PGT_l2h);
        /* Tables being validated: a pin of a fresh frame. */
        expect_pin_refused(10, PGT_l1, 0, E(7, P) | hi, -XEN_EPERM, bit);
        expect_pin_refused(10, PGT_l2, 0, E(5, P) | hi, -XEN_EINVAL, bit);
        fake_mem[10][3] = E(6, P);
        expect_pin_refused(10, PGT_l3, 0, E(4, P) | hi, -XEN_EINVAL, bit);
        fake_mem[10][3] = 0;
        fake_mem[10][0] = E(9, P);
        expect_pin_refused(10, PGT_l3, 3, E(6, P) | hi, -XEN_EINVAL, bit);
        fake_mem[10][0] = 0;
    }
    /* Xen's INVALID_MFN (every frame bit set) in an L1: -EINVAL. */
    expect_refused(5, PGT_l1, 1, PTE_ADDR_MASK | P, -XEN_EINVAL, 0);
    /* Just past RAM, below every MAXPHYADDR: as not RAM. */
    expect_refused(5, PGT_l1, 1, E(NFRAMES, P), -XEN_EPERM, 0);
    expect_refused(4, PGT_l2, 1, E(NFRAMES, P), -XEN_EINVAL, 0);
    expect_refused(3, PGT_l3, 1, E(NFRAMES, P), -XEN_EINVAL, 0);
    /* And slot 3 of an L3 in use changes for nothing, even to itself. */
    expect_refused(3, PGT_l3, 3, E(6, P), -XEN_EINVAL, 0);
    assert_int_equal(page_table_unpin(&ops, DOM, 3), 0);
    all_zero();
    pte_paddr_bits = 36;
}

static void test_address_width(void **state)
{
    (void)state;
    address_width_at(36);
    memset(fake_mem, 0, sizeof(fake_mem));
    address_width_at(52);
    /* The one conversion: all 40 frame bits of an entry, none of its flags. */
    assert_true(pte_mfn(0xFFF0000000000FFFull | (1ull << 51)) == 1ull << 39);
    assert_true(maddr_to_mfn(0x123456789ABCDEFull) == 0x123456789ABCull);
}

/* ---- random sequences against a model ---- */

static uint32_t rng_state;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) % n;
}

static int base = -1;

/* Recount every reference from the validated tables, the pins and the base,
 * and compare with the frame table; check that no table is writable-mapped. */
static void check_invariants(unsigned step)
{
    unsigned count[NFRAMES] = { 0 }, tcount[NFRAMES] = { 0 };
    int writable[NFRAMES] = { 0 };
    for (unsigned f = 0; f < NFRAMES; f++) {
        struct page_info *pg = &pages[f];
        if (pg->flags & PGF_PINNED) {
            count[f]++;
            tcount[f]++;
        }
        if (!pg->type_count || !is_table_type(pg->type))
            continue;
        unsigned n = pg->type == PGT_l3 ? 4 : pg->type == PGT_l2h ? L2_HV_FIRST_SLOT : 512;
        for (unsigned i = 0; i < n; i++) {
            uint64_t e = fake_mem[f][i];
            if (!(e & P))
                continue;
            uint64_t t = (e & 0x000FFFFFFFFFF000ull) >> 12;     /* not pte_mfn(): a check of it */
            assert_true(t < NFRAMES);
            count[t]++;
            if (pg->type != PGT_l1 || (e & RW))
                tcount[t]++;
            if (pg->type == PGT_l1 && (e & RW))
                writable[t] = 1;
        }
    }
    if (base >= 0) {
        count[base]++;
        tcount[base]++;
    }
    for (unsigned f = 0; f < NFRAMES; f++) {
        if (count[f] != pages[f].count || tcount[f] != pages[f].type_count)
            fail_msg("step %u frame %u: count %u (model %u), type_count %u (model %u), type %u",
                     step, f, pages[f].count, count[f], pages[f].type_count, tcount[f],
                     pages[f].type);
        if (writable[f] && is_table_type(pages[f].type))
            fail_msg("step %u: frame %u is a page table and mapped writable", step, f);
        if (pages[f].owner != DOM)
            assert_int_equal(pages[f].count, 0);
    }
}

static uint64_t random_entry(void)
{
    static const uint64_t flags[] = { 0, P, P | RW, P | A | D, P | RW | A, P | _PAGE_PSE,
                                      P | (1ull << 55), P | _PAGE_USER };
    uint64_t e = E(1 + rnd(NFRAMES - 1), flags[rnd(sizeof(flags) / sizeof(flags[0]))]);
    return e;
}

static void test_random_sequences(void **state)
{
    static const enum page_type types[] = { PGT_l1, PGT_l2, PGT_l3 };
    unsigned ok = 0, refused = 0;
    (void)state;
    for (unsigned seed = 1; seed <= 40; seed++) {
        setup(NULL);
        rng_state = seed;
        base = -1;
        /* Random garbage in every frame to start with. */
        for (unsigned f = 1; f < NFRAMES; f++)
            for (unsigned i = 0; i < 8; i++)
                fake_mem[f][rnd(2) ? i : L2_HV_FIRST_SLOT + i] = rnd(3) ? 0 : random_entry();
        for (unsigned step = 0; step < 400; step++) {
            uint32_t f = 1 + rnd(NFRAMES - 1);
            int rc = 0;
            switch (rnd(6)) {
            case 0:
                rc = page_table_pin(&ops, DOM, f, types[rnd(3)]);
                break;
            case 1:
                rc = page_table_unpin(&ops, DOM, f);
                break;
            case 2:
            case 3: {
                if (!pages[f].type_count || !is_table_type(pages[f].type)) {
                    rc = -1;
                    break;
                }
                unsigned idx = pages[f].type == PGT_l3 ? rnd(5)
                             : rnd(4) == 0 ? L2_HV_FIRST_SLOT + rnd(4) : rnd(8);
                uint64_t before = fake_mem[f][idx];
                rc = page_table_update(&ops, DOM, f, idx, random_entry(), rnd(2));
                if (rc)
                    assert_int_equal(fake_mem[f][idx], before);    /* no side effect */
                break;
            }
            case 4:
                rc = page_table_get(&ops, DOM, f, PGT_l3);
                if (rc == 0) {
                    if (base >= 0)
                        page_table_put(&ops, (uint32_t)base);
                    base = (int)f;
                }
                break;
            default:
                /* A plain write into a frame that is not a table in use. */
                if (pages[f].type_count && pages[f].type != PGT_writable) {
                    rc = -1;
                    break;
                }
                fake_mem[f][rnd(8)] = random_entry();
                break;
            }
            rc ? refused++ : ok++;
            check_invariants(step);
        }
        /* Tear down: base, then every pin; nothing may be left. */
        if (base >= 0)
            page_table_put(&ops, (uint32_t)base);
        base = -1;
        for (uint32_t f = 0; f < NFRAMES; f++)
            if (pages[f].flags & PGF_PINNED)
                assert_int_equal(page_table_unpin(&ops, DOM, f), 0);
        all_zero();
    }
    /* The sequences must exercise both outcomes a lot. */
    assert_true(ok > 2000);
    assert_true(refused > 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_pin_unpin, setup),
        cmocka_unit_test_setup(test_l1_validation, setup),
        cmocka_unit_test_setup(test_l2_validation, setup),
        cmocka_unit_test_setup(test_l2h_and_l3, setup),
        cmocka_unit_test_setup(test_slot3_shared, setup),
        cmocka_unit_test_setup(test_slot3_type, setup),
        cmocka_unit_test_setup(test_l3_upper_entries, setup),
        cmocka_unit_test_setup(test_update_ad_and_fast_path, setup),
        cmocka_unit_test_setup(test_address_width, setup),
        cmocka_unit_test(test_random_sequences),
    };
    return cmocka_run_group_tests_name("pagetable", tests, NULL, NULL);
}
