/* Unit tests: grant tables v1 (core/grant_rules.c), the answers Xen's
 * grant_table.c gives, on fake frames and a fake mapper's page table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pv86/errno.h>

#define FAKE_FRAMES 64
#include "fake_machine.h"

#include "core/grant_rules.h"

#define DA 1            /* the granter */
#define DB 2            /* the mapper */
#define GT_FRAME 1      /* A's grant-table frame */
#define PAGE_A 10       /* A's frames that it grants */
#define PAGE_A2 11
#define PAGE_B 20       /* B's own frame */
#define VA_LIMIT 0x400000u   /* the fake page table covers VAs below this */

static void no_slots(void *ctx, uint16_t dom, uint64_t *l2)
{
    (void)ctx, (void)dom, (void)l2;
}

static const struct mm_ops mm = { fake_page, fake_map, no_slots, NULL, NULL, NULL, 0, NULL };

static struct gnt_table ta, tb;
static uint64_t fake_pte[VA_LIMIT >> 12];     /* B's L1 entries, by VA */

/* A fake PTE holds the references an L1 entry would (pte.c's l1e_put). */
static void pte_release(uint64_t e)
{
    if (!(e & _PAGE_PRESENT))
        return;
    struct page_info *pg = &pages[pte_mfn(e)];
    if (e & _PAGE_RW)
        page_put_type(pg);
    page_put(pg);
}

static int pte_install(void *ctx, uint64_t va, uint32_t mfn, uint32_t flags)
{
    (void)ctx;
    if (va >= VA_LIMIT)
        return GNTST_general_error;
    uint64_t old = fake_pte[va >> 12];
    fake_pte[va >> 12] = ((uint64_t)mfn << 12) | _PAGE_PRESENT |
                         ((flags & GNTMAP_readonly) ? 0 : _PAGE_RW);
    pte_release(old);
    return GNTST_okay;
}

static int pte_remove(void *ctx, uint64_t va, uint32_t mfn, int readonly)
{
    (void)ctx;
    if (va >= VA_LIMIT)
        return GNTST_general_error;
    uint64_t e = fake_pte[va >> 12];
    if (!(e & _PAGE_PRESENT) || pte_mfn(e) != mfn || !!(e & _PAGE_RW) != !readonly)
        return GNTST_general_error;
    fake_pte[va >> 12] = 0;
    return GNTST_okay;
}

static struct gnt_table *table(void *ctx, uint16_t domid)
{
    (void)ctx;
    return domid == DA ? &ta : domid == DB ? &tb : NULL;
}

static const struct gnt_ops ops = { &mm, pte_install, pte_remove, table, NULL, NULL };

static struct grant_entry_v1 *ent(uint32_t ref)
{
    return gnt_entry(&ta, ref);
}

static int setup(void **state)
{
    (void)state;
    fake_reset(DA);
    pages[PAGE_B].owner = DB;
    memset(&ta, 0, sizeof(ta));
    memset(&tb, 0, sizeof(tb));
    memset(fake_pte, 0, sizeof(fake_pte));
    ta.domid = DA;
    tb.domid = DB;
    ta.nr_frames = 1;
    ta.shared[0] = (struct grant_entry_v1 *)(void *)fake_mem[GT_FRAME];
    ta.frame_mfn[0] = GT_FRAME;
    tb.nr_frames = 1;
    tb.shared[0] = (struct grant_entry_v1 *)(void *)fake_mem[2];
    return 0;
}

static void grant(uint32_t ref, uint16_t to, uint32_t frame, uint16_t flags)
{
    ent(ref)->domid = to;
    ent(ref)->frame = frame;
    ent(ref)->flags = flags;
}

static struct gnttab_map_grant_ref map_req(uint32_t ref, uint64_t va, uint32_t flags)
{
    struct gnttab_map_grant_ref op;
    memset(&op, 0, sizeof(op));
    op.host_addr = va;
    op.flags = flags;
    op.ref = ref;
    op.dom = DA;
    op.handle = 0xdeadbeef;
    return op;
}

/* The granter's revoke, as its guest code does it: only when unused. */
static int try_revoke(uint32_t ref)
{
    uint16_t flags = ent(ref)->flags;
    if (flags & (GTF_reading | GTF_writing))
        return 0;
    return __atomic_compare_exchange_n(&ent(ref)->flags, &flags, 0, 0, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST);
}

static void nothing_held(uint32_t ref, uint32_t mfn)
{
    assert_int_equal(ta.active[ref].pin, 0);
    assert_int_equal(pages[mfn].count, 0);
    assert_int_equal(pages[mfn].type_count, 0);
    for (unsigned h = 0; h < GNT_MAPTRACK_MAX; h++)
        assert_int_equal(tb.maptrack[h].used, 0);
}

static void test_map_not_granted(void **state)
{
    (void)state;
    struct gnttab_map_grant_ref op = map_req(8, 0x5000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_general_error);
    assert_int_equal(op.status, GNTST_general_error);
    assert_int_equal(op.handle, 0xdeadbeef);            /* untouched on error */
    nothing_held(8, PAGE_A);
    assert_int_equal(ent(8)->flags, 0);
    assert_int_equal(fake_pte[5], 0);
    /* Granted to another domain: the same. */
    grant(8, 3, PAGE_A, GTF_permit_access);
    op = map_req(8, 0x5000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_general_error);
    assert_int_equal(ent(8)->flags, GTF_permit_access);
    /* Accept-transfer and transitive entries are no permit_access. */
    grant(8, DB, PAGE_A, GTF_accept_transfer);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_general_error);
    grant(8, DB, PAGE_A, GTF_permit_access | GTF_sub_page);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_general_error);
    nothing_held(8, PAGE_A);
}

static void test_map_revoked(void **state)
{
    (void)state;
    grant(9, DB, PAGE_A, GTF_permit_access);
    assert_true(try_revoke(9));
    assert_int_equal(ent(9)->flags, 0);
    struct gnttab_map_grant_ref op = map_req(9, 0x5000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_general_error);
    nothing_held(9, PAGE_A);
}

static void test_map_beyond_table(void **state)
{
    (void)state;
    struct gnttab_map_grant_ref op = map_req(GNT_ENTRIES_PER_FRAME, 0x5000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_bad_gntref);
    op = map_req(0xFFFFFFFFu, 0x5000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_bad_gntref);
    /* No map flag at all is bad_gntref too (Xen: "Bad flags"), before the ref. */
    grant(3, DB, PAGE_A, GTF_permit_access);
    op = map_req(3, 0x5000, GNTMAP_readonly);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_bad_gntref);
    /* No such granter. */
    op = map_req(3, 0x5000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, NULL, &op), GNTST_bad_domain);
    nothing_held(3, PAGE_A);
}

static void test_readonly_mapped_writable(void **state)
{
    (void)state;
    grant(4, DB, PAGE_A, GTF_permit_access | GTF_readonly);
    struct gnttab_map_grant_ref op = map_req(4, 0x5000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_general_error);
    nothing_held(4, PAGE_A);
    assert_int_equal(ent(4)->flags, GTF_permit_access | GTF_readonly);
    /* Read-only is fine: reading set, one general reference, no type. */
    op = map_req(4, 0x5000, GNTMAP_host_map | GNTMAP_readonly);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_okay);
    assert_int_equal(op.handle, 0);
    assert_int_equal(op.dev_bus_addr, (uint64_t)PAGE_A << 12);
    assert_int_equal(ent(4)->flags, GTF_permit_access | GTF_readonly | GTF_reading);
    assert_int_equal(pages[PAGE_A].count, 1);
    assert_int_equal(pages[PAGE_A].type_count, 0);
    assert_int_equal(fake_pte[5], ((uint64_t)PAGE_A << 12) | _PAGE_PRESENT);
    /* While pinned read-only, a writable map is still refused. */
    struct gnttab_map_grant_ref w = map_req(4, 0x6000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &w), GNTST_general_error);
    assert_int_equal(ta.active[4].pin, GNTPIN_hstr_inc);
    assert_int_equal(gnt_unmap(&ops, &tb, 0x5000, 0, 0), GNTST_okay);
    nothing_held(4, PAGE_A);
    assert_int_equal(ent(4)->flags, GTF_permit_access | GTF_readonly);
}

static void test_granter_revokes_while_mapped(void **state)
{
    (void)state;
    grant(5, DB, PAGE_A, GTF_permit_access);
    struct gnttab_map_grant_ref op = map_req(5, 0x7000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_okay);
    assert_int_equal(ent(5)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    assert_int_equal(pages[PAGE_A].count, 1);
    assert_int_equal(pages[PAGE_A].type_count, 1);
    assert_int_equal(pages[PAGE_A].type, PGT_writable);
    /* The granter cannot take the entry back, nor make the frame a table. */
    assert_false(try_revoke(5));
    assert_int_equal(ent(5)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    assert_int_equal(page_get_type(&pages[PAGE_A], PGT_l1), -XEN_EBUSY);
    /* A hostile granter overwrites the entry: the map is not affected,
     * the frame stays pinned, and another domain cannot take the entry. */
    grant(5, 3, PAGE_A2, GTF_permit_access);
    struct gnttab_map_grant_ref again = map_req(5, 0x8000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &again), GNTST_okay);    /* same mapper: pinned */
    assert_int_equal(again.dev_bus_addr, (uint64_t)PAGE_A << 12);    /* the pinned frame */
    assert_int_equal(pages[PAGE_A].count, 2);
    assert_int_equal(pages[PAGE_A2].count, 0);
    assert_int_equal(gnt_unmap(&ops, &tb, 0x8000, 0, again.handle), GNTST_okay);
    assert_int_equal(gnt_unmap(&ops, &tb, 0x7000, 0, op.handle), GNTST_okay);
    /* Only then are the hypervisor's flags cleared, the frame free of us. */
    assert_int_equal(ent(5)->flags, GTF_permit_access);
    nothing_held(5, PAGE_A);
}

static void test_double_unmap_and_bad_handle(void **state)
{
    (void)state;
    grant(6, DB, PAGE_A, GTF_permit_access);
    struct gnttab_map_grant_ref op = map_req(6, 0x9000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_okay);
    /* Wrong address: the PTE there does not map the frame. */
    assert_int_equal(gnt_unmap(&ops, &tb, 0xA000, 0, op.handle), GNTST_general_error);
    /* Wrong device address. */
    assert_int_equal(gnt_unmap(&ops, &tb, 0x9000, 0x1000, op.handle), GNTST_bad_dev_addr);
    assert_int_equal(pages[PAGE_A].count, 1);
    assert_int_equal(gnt_unmap(&ops, &tb, 0x9000, 0, op.handle), GNTST_okay);
    assert_int_equal(gnt_unmap(&ops, &tb, 0x9000, 0, op.handle), GNTST_bad_handle);
    nothing_held(6, PAGE_A);
    assert_int_equal(gnt_unmap(&ops, &tb, 0x9000, 0, 5), GNTST_bad_handle);
    assert_int_equal(gnt_unmap(&ops, &tb, 0x9000, 0, GNT_MAPTRACK_MAX), GNTST_bad_handle);
    assert_int_equal(gnt_unmap(&ops, &tb, 0x9000, 0, 0xFFFFFFFFu), GNTST_bad_handle);
}

static void test_bad_frame_and_table_frame(void **state)
{
    (void)state;
    grant(7, DB, PAGE_B, GTF_permit_access);            /* not the granter's frame */
    struct gnttab_map_grant_ref op = map_req(7, 0x9000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_bad_page);
    assert_int_equal(ent(7)->flags, GTF_permit_access);   /* flags set, then cleared */
    grant(7, DB, 0xFFFFF, GTF_permit_access);            /* no RAM */
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_bad_page);
    /* A page table of the granter: writable is refused, read-only is fine. */
    assert_int_equal(page_get_type(&pages[PAGE_A2], PGT_l1), 0);
    grant(7, DB, PAGE_A2, GTF_permit_access);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_general_error);
    assert_int_equal(ent(7)->flags, GTF_permit_access);
    assert_int_equal(pages[PAGE_A2].count, 0);
    /* No L1 at that address: refused and undone. */
    op = map_req(7, VA_LIMIT, GNTMAP_host_map | GNTMAP_readonly);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_general_error);
    assert_int_equal(ent(7)->flags, GTF_permit_access);
    assert_int_equal(ta.active[7].pin, 0);
    assert_int_equal(pages[PAGE_A2].count, 0);
}

static void test_pin_overflow_and_handles(void **state)
{
    (void)state;
    grant(2, DB, PAGE_A, GTF_permit_access | GTF_readonly);
    struct gnttab_map_grant_ref op;
    for (unsigned i = 0; i < 128; i++) {
        op = map_req(2, 0x1000 * (i + 1), GNTMAP_host_map | GNTMAP_readonly);
        assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_okay);
        assert_int_equal(op.handle, i);
    }
    op = map_req(2, 0x1000 * 200, GNTMAP_host_map | GNTMAP_readonly);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_general_error);  /* counter overflow */
    assert_int_equal(pages[PAGE_A].count, 128);
    /* The freed handle is the next one given. */
    assert_int_equal(gnt_unmap(&ops, &tb, 0x1000 * 5, 0, 4), GNTST_okay);
    op = map_req(2, 0x1000 * 5, GNTMAP_host_map | GNTMAP_readonly);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_okay);
    assert_int_equal(op.handle, 4);
    /* Out of handles: no_device_space. */
    grant(3, DB, PAGE_A2, GTF_permit_access | GTF_readonly);
    for (unsigned i = 128; i < GNT_MAPTRACK_MAX; i++) {
        op = map_req(3, 0x1000 * (i + 1), GNTMAP_host_map | GNTMAP_readonly);
        assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_okay);
    }
    op = map_req(3, 0x1000, GNTMAP_host_map | GNTMAP_readonly);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_no_device_space);
    uint32_t c, t;
    gnt_refs_on_frame(&ta, PAGE_A, &c, &t);
    assert_int_equal(c, 128);
    assert_int_equal(t, 0);
}

static void test_mapper_dies(void **state)
{
    (void)state;
    grant(10, DB, PAGE_A, GTF_permit_access);
    struct gnttab_map_grant_ref op = map_req(10, 0x3000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_okay);
    struct gnttab_map_grant_ref dev = map_req(10, 0, GNTMAP_device_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &dev), GNTST_okay);
    assert_int_equal(pages[PAGE_A].count, 2);
    assert_int_equal(pages[PAGE_A].type_count, 2);
    uint32_t c, t;
    gnt_refs_on_frame(&ta, PAGE_A, &c, &t);
    assert_int_equal(c, 2);
    assert_int_equal(t, 2);
    assert_int_equal(gnt_release_mappings(&ops, &tb), 2);
    /* Pins and flags gone; the device map's references too; the host
     * map's stay with its PTE until the page tables go. */
    assert_int_equal(ta.active[10].pin, 0);
    assert_int_equal(ent(10)->flags, GTF_permit_access);
    assert_int_equal(pages[PAGE_A].count, 1);
    assert_int_equal(pages[PAGE_A].type_count, 1);
    pte_release(fake_pte[3]);
    nothing_held(10, PAGE_A);
}

static void test_granter_dies_first(void **state)
{
    (void)state;
    grant(11, DB, PAGE_A, GTF_permit_access);
    struct gnttab_map_grant_ref op = map_req(11, 0x3000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op), GNTST_okay);
    ta.dying = 1;                                    /* its shared frames are not ours any more */
    memset(fake_mem[GT_FRAME], 0xAA, 4096);
    struct gnttab_map_grant_ref op2 = map_req(11, 0x4000, GNTMAP_host_map);
    assert_int_equal(gnt_map(&ops, &tb, &ta, &op2), GNTST_bad_domain);
    assert_int_equal(pages[PAGE_A].count, 1);        /* the frame lives on */
    assert_int_equal(gnt_unmap(&ops, &tb, 0x3000, 0, op.handle), GNTST_okay);
    assert_int_equal(fake_mem[GT_FRAME][0], 0xAAAAAAAAAAAAAAAAull);   /* not written */
    nothing_held(11, PAGE_A);
}

static struct gnttab_copy copy_req(uint32_t s, uint16_t sdom, uint16_t soff, uint32_t d,
                                   uint16_t ddom, uint16_t doff, uint16_t len, uint16_t flags)
{
    struct gnttab_copy c;
    memset(&c, 0, sizeof(c));
    c.source.u.ref = s;
    c.source.domid = sdom;
    c.source.offset = soff;
    c.dest.u.ref = d;
    c.dest.domid = ddom;
    c.dest.offset = doff;
    c.len = len;
    c.flags = flags;
    return c;
}

static void test_copy(void **state)
{
    (void)state;
    grant(12, DB, PAGE_A, GTF_permit_access);
    grant(13, DB, PAGE_A2, GTF_permit_access | GTF_readonly);
    memset(fake_mem[PAGE_B], 0x5B, 4096);
    memset(fake_mem[PAGE_A2], 0xA2, 4096);
    /* B's frame into A's ref 12. */
    struct gnttab_copy c = copy_req(PAGE_B, DOMID_SELF, 16, 12, DA, 100, 64, GNTCOPY_dest_gref);
    assert_int_equal(gnt_copy(&ops, &tb, &c), GNTST_okay);
    assert_int_equal(((unsigned char *)fake_mem[PAGE_A])[100], 0x5B);
    assert_int_equal(((unsigned char *)fake_mem[PAGE_A])[163], 0x5B);
    assert_int_equal(((unsigned char *)fake_mem[PAGE_A])[164], 0);
    assert_int_equal(ent(12)->flags, GTF_permit_access);   /* only while copying */
    /* A's read-only ref 13 into B's frame; as a destination it is refused. */
    c = copy_req(13, DA, 0, PAGE_B, DOMID_SELF, 0, 4096, GNTCOPY_source_gref);
    assert_int_equal(gnt_copy(&ops, &tb, &c), GNTST_okay);
    assert_int_equal(((unsigned char *)fake_mem[PAGE_B])[4095], 0xA2);
    c = copy_req(PAGE_B, DOMID_SELF, 0, 13, DA, 0, 8, GNTCOPY_dest_gref);
    assert_int_equal(gnt_copy(&ops, &tb, &c), GNTST_general_error);
    /* Bounds: offset + len past the page. */
    c = copy_req(13, DA, 4000, PAGE_B, DOMID_SELF, 0, 97, GNTCOPY_source_gref);
    assert_int_equal(gnt_copy(&ops, &tb, &c), GNTST_bad_copy_arg);
    c = copy_req(13, DA, 0, PAGE_B, DOMID_SELF, 4095, 2, GNTCOPY_source_gref);
    assert_int_equal(gnt_copy(&ops, &tb, &c), GNTST_bad_copy_arg);
    c = copy_req(13, DA, 4000, PAGE_B, DOMID_SELF, 0, 96, GNTCOPY_source_gref);
    assert_int_equal(gnt_copy(&ops, &tb, &c), GNTST_okay);
    /* The grant is checked before the bounds. */
    c = copy_req(600, DA, 4000, PAGE_B, DOMID_SELF, 0, 200, GNTCOPY_source_gref);
    assert_int_equal(gnt_copy(&ops, &tb, &c), GNTST_bad_gntref);
    /* A frame named by a numeric domid, even one's own: permission_denied. */
    c = copy_req(PAGE_B, DB, 0, 12, DA, 0, 8, GNTCOPY_dest_gref);
    assert_int_equal(gnt_copy(&ops, &tb, &c), GNTST_permission_denied);
    /* A frame not the caller's: bad_page. */
    c = copy_req(PAGE_A, DOMID_SELF, 0, 12, DA, 0, 8, GNTCOPY_dest_gref);
    assert_int_equal(gnt_copy(&ops, &tb, &c), GNTST_bad_page);
    /* No such domain. */
    c = copy_req(12, 5, 0, PAGE_B, DOMID_SELF, 0, 8, GNTCOPY_source_gref);
    assert_int_equal(gnt_copy(&ops, &tb, &c), GNTST_bad_domain);
    /* Not granted to us. */
    c = copy_req(14, DA, 0, PAGE_B, DOMID_SELF, 0, 8, GNTCOPY_source_gref);
    assert_int_equal(gnt_copy(&ops, &tb, &c), GNTST_general_error);
    nothing_held(12, PAGE_A);
    nothing_held(13, PAGE_A2);
    assert_int_equal(pages[PAGE_B].count, 0);
    assert_int_equal(pages[PAGE_B].type_count, 0);
}

static void test_table_ops(void **state)
{
    (void)state;
    uint32_t v = 2;
    assert_int_equal(gnt_set_version(&v), -XEN_ENOSYS);
    assert_int_equal(v, 1);
    v = 1;
    assert_int_equal(gnt_set_version(&v), 0);
    assert_int_equal(v, 1);
    v = 3;
    assert_int_equal(gnt_set_version(&v), -XEN_EINVAL);
    assert_int_equal(v, 1);
    v = 0;
    assert_int_equal(gnt_set_version(&v), -XEN_EINVAL);
    assert_int_equal(gnt_setup_check(GNT_MAX_FRAMES), GNTST_okay);
    assert_int_equal(gnt_setup_check(GNT_MAX_FRAMES + 1), GNTST_general_error);
    assert_int_equal(gnt_setup_check(0xFFFFFFFFu), GNTST_general_error);
    assert_int_equal(gnt_status_frames_check(0), GNTST_okay);
    assert_int_equal(gnt_status_frames_check(1), GNTST_general_error);
}

static void test_set_status_cmpxchg(void **state)
{
    (void)state;
    struct gnt_active act = { 0 };
    grant(1, DB, PAGE_A, GTF_permit_access);
    assert_int_equal(gnt_set_status(ent(1), &act, DB, 1, 1), GNTST_okay);
    assert_int_equal(ent(1)->flags, GTF_permit_access | GTF_reading);
    assert_int_equal(ent(1)->domid, DB);
    act.pin = GNTPIN_hstr_inc;
    /* Pinned: the entry's type and domid are not looked at again. */
    ent(1)->domid = 3;
    assert_int_equal(gnt_set_status(ent(1), &act, DB, 0, 1), GNTST_okay);
    assert_int_equal(ent(1)->flags, GTF_permit_access | GTF_reading | GTF_writing);
    act.pin = GNTPIN_hstr_inc;
    gnt_reduce_status(ent(1), &act, 0);
    assert_int_equal(ent(1)->flags, GTF_permit_access | GTF_reading);
    act.pin = 0;
    gnt_reduce_status(ent(1), &act, 1);
    assert_int_equal(ent(1)->flags, GTF_permit_access);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_map_not_granted, setup),
        cmocka_unit_test_setup(test_map_revoked, setup),
        cmocka_unit_test_setup(test_map_beyond_table, setup),
        cmocka_unit_test_setup(test_readonly_mapped_writable, setup),
        cmocka_unit_test_setup(test_granter_revokes_while_mapped, setup),
        cmocka_unit_test_setup(test_double_unmap_and_bad_handle, setup),
        cmocka_unit_test_setup(test_bad_frame_and_table_frame, setup),
        cmocka_unit_test_setup(test_pin_overflow_and_handles, setup),
        cmocka_unit_test_setup(test_mapper_dies, setup),
        cmocka_unit_test_setup(test_granter_dies_first, setup),
        cmocka_unit_test_setup(test_copy, setup),
        cmocka_unit_test_setup(test_table_ops, setup),
        cmocka_unit_test_setup(test_set_status_cmpxchg, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
