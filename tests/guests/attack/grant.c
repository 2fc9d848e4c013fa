/*
 * grant (test=grant, beside the innocent domain, as d1 and as a domU):
 * grant tables v1 (docs/grant-tables.md) turned against the hypervisor and
 * the innocent. With no granter willing to help, the attacker grants its
 * own frames to itself (one's own id maps one's own grant) and to the
 * innocent, and guesses the innocent's refs and frames. Every attempt is
 * refused with Xen's exact status; nothing is left referenced at the end,
 * the innocent's checksum holds. With neighbour=N the latency neighbour
 * measures the long batches (a multicall of 16384 grant copies).
 */
#include <pv86/grant_table.h>
#include <string.h>

#include "attack.h"
#include "guest.h"

#define EQ(call, want) ((int32_t)(call) == (int32_t)(want))
#define VA(i)  (GUEST_SCRATCH_VA + (uint32_t)(i) * 4096u)   /* scratch pages */
#define GT_VA  VA(700)                 /* our grant table's frame */
#define F_RW   300u                    /* pfns: granted writable, read-only */
#define F_RO   301u
#define LOCAL  302u                    /* copy buffer */

static domid_t me, inn;
static uint32_t gt_mfn;
static struct grant_entry_v1 *gt;

static uint8_t *pfn_va(uint32_t pfn) { return (uint8_t *)(uintptr_t)(pfn << 12); }

static int16_t map(domid_t dom, uint32_t ref, uint64_t va, uint32_t flags, uint32_t *handle,
                   uint64_t *bus)
{
    struct gnttab_map_grant_ref op;
    memset(&op, 0, sizeof(op));
    op.host_addr = va;
    op.flags = flags;
    op.ref = ref;
    op.dom = dom;
    int32_t rc = hv_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
    if (rc)
        return (int16_t)-1000;
    if (handle)
        *handle = op.handle;
    if (bus)
        *bus = op.dev_bus_addr;
    return op.status;
}

static int16_t unmap(uint64_t va, uint64_t bus, uint32_t handle)
{
    struct gnttab_unmap_grant_ref op = { va, bus, handle, 0, 0 };
    int32_t rc = hv_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
    return rc ? (int16_t)-1000 : op.status;
}

static void copy_op(struct gnttab_copy *c, uint32_t src, domid_t sdom, uint16_t soff,
                    uint32_t dst, domid_t ddom, uint16_t doff, uint16_t len, uint16_t flags)
{
    memset(c, 0, sizeof(*c));
    c->source.u.ref = src;
    c->source.domid = sdom;
    c->source.offset = soff;
    c->dest.u.ref = dst;
    c->dest.domid = ddom;
    c->dest.offset = doff;
    c->len = len;
    c->flags = flags;
}

static int16_t copy(uint32_t src, domid_t sdom, uint16_t soff, uint32_t dst, domid_t ddom,
                    uint16_t doff, uint16_t len, uint16_t flags)
{
    struct gnttab_copy c;
    copy_op(&c, src, sdom, soff, dst, ddom, doff, len, flags);
    int32_t rc = hv_grant_table_op(GNTTABOP_copy, &c, 1);
    return rc ? (int16_t)-1000 : c.status;
}

static void grant(uint32_t ref, domid_t to, uint32_t mfn, uint16_t flags)
{
    gt[ref].domid = to;
    gt[ref].frame = mfn;
    __atomic_store_n(&gt[ref].flags, flags, __ATOMIC_SEQ_CST);
}

/* The frames of our bootstrap tables: the L3, the L2 and L1 over va. */
static uint32_t l3_mfn(void) { return pfn_to_mfn(start_info->pt_base >> 12); }
static uint32_t l2_mfn(uint32_t va)
{
    const uint64_t *l3 = (const uint64_t *)start_info->pt_base;
    return (uint32_t)(l3[va >> 30] >> 12) & 0xFFFFFu;
}
static uint32_t l1_mfn(uint32_t va)
{
    const uint64_t *l2 = (const uint64_t *)(uintptr_t)(mfn_to_pfn(l2_mfn(va)) << 12);
    return (uint32_t)(l2[(va >> 21) & 511] >> 12) & 0xFFFFFu;
}

static void setup(void)
{
    uint32_t frame = 0;
    struct gnttab_setup_table st = { DOMID_SELF, 0, 1, 0, 0, (uint32_t)(uintptr_t)&frame };
    int32_t rc = hv_grant_table_op(GNTTABOP_setup_table, &st, 1);
    ok(rc == 0 && st.status == GNTST_okay && frame && !owns_mfn(frame) &&
       map_page(GT_VA, frame, PTE_P | PTE_RW | PTE_A | PTE_D) == 0,
       "setup_table 1 frame: %d, status %d; the frame mapped writable", (int)rc, st.status);
    gt_mfn = frame;
    gt = (struct grant_entry_v1 *)(uintptr_t)GT_VA;
    memset(pfn_va(F_RW), 0xF0, 4096);
    memset(pfn_va(F_RO), 0x99, 4096);
}

/* ---- the innocent's grants and frames, without a grant */
static void foreign(void)
{
    unsigned refused = 0;
    for (uint32_t ref = 0; ref < 512; ref++)
        refused += map(inn, ref, VA(10), GNTMAP_host_map | GNTMAP_readonly, NULL, NULL) ==
                   GNTST_general_error;
    ok(refused == 512, "the innocent's refs 0-511 guessed: %u of 512 GNTST_general_error", refused);
    static const uint32_t beyond[] = { 512, 2048, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFFu };
    refused = 0;
    for (unsigned i = 0; i < 5; i++)
        refused += map(inn, beyond[i], VA(10), GNTMAP_host_map, NULL, NULL) == GNTST_bad_gntref;
    ok(refused == 5, "its refs 512, 2048, 2^31-1, 2^31, 2^32-1: %u of 5 GNTST_bad_gntref", refused);
    ok(map(DOMID_SELF, 8, VA(10), GNTMAP_host_map, NULL, NULL) == GNTST_bad_domain &&
       map(0x7FF4, 0, VA(10), GNTMAP_host_map, NULL, NULL) == GNTST_bad_domain &&
       map(0, 0, VA(10), GNTMAP_host_map, NULL, NULL) == GNTST_bad_domain,
       "map from DOMID_SELF, 0x7ff4, domain 0: GNTST_bad_domain");
    ok(map(inn, 0, VA(10), GNTMAP_readonly, NULL, NULL) == GNTST_bad_gntref,
       "map with neither host_map nor device_map: GNTST_bad_gntref");
    /* Our entry 5 grants our frame to the innocent: not to us. */
    grant(5, inn, pfn_to_mfn(F_RW), GTF_permit_access);
    ok(map(me, 5, VA(10), GNTMAP_host_map, NULL, NULL) == GNTST_general_error &&
       copy(5, me, 0, pfn_to_mfn(LOCAL), DOMID_SELF, 0, 8, GNTCOPY_source_gref) ==
           GNTST_general_error,
       "our ref 5, granted to the innocent, mapped and copied by us: GNTST_general_error");
    grant(5, 0, 0, 0);
    /* The innocent's (and everyone else's) frames by number. */
    unsigned tried = 0, bad_page = 0;
    for (uint32_t m = 0; m < 4096; m++) {
        if (owns_mfn(m) || m == gt_mfn || m == start_info->shared_info >> 12)
            continue;
        tried++;
        bad_page += copy(m, DOMID_SELF, 0, pfn_to_mfn(LOCAL), DOMID_SELF, 0, 4096, 0) ==
                    GNTST_bad_page;
    }
    ok(tried > 512 && bad_page == tried,
       "copy from every machine frame below 4096 not ours: %u of %u GNTST_bad_page",
       bad_page, tried);
    ok(copy(0x100, inn, 0, pfn_to_mfn(LOCAL), DOMID_SELF, 0, 8, 0) == GNTST_permission_denied &&
       copy(pfn_to_mfn(LOCAL), DOMID_SELF, 0, 0x100, inn, 0, 8, 0) == GNTST_permission_denied,
       "copy naming a frame of the innocent's by gmfn: GNTST_permission_denied");
    ok(copy(0, inn, 0, 1, inn, 0, 8, GNTCOPY_source_gref | GNTCOPY_dest_gref) ==
           GNTST_general_error,
       "copy between the innocent's refs 0 and 1: GNTST_general_error");
}

/* ---- counts and table-wide ops */
static void counts(void)
{
    struct gnttab_map_grant_ref op;
    memset(&op, 0, sizeof(op));
    ok(EQ(hv_grant_table_op(GNTTABOP_map_grant_ref, &op, 0x80000000u), -XEN_EINVAL) &&
       EQ(hv_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 0xFFFFFFFFu), -XEN_EINVAL) &&
       EQ(hv_grant_table_op(GNTTABOP_copy, &op, 0x80000001u), -XEN_EINVAL) &&
       EQ(hv_grant_table_op(GNTTABOP_set_version, &op, 0xFFFFFFFFu), -XEN_EINVAL),
       "map, unmap, copy, set_version with a negative count: -EINVAL");
    ok(EQ(hv_grant_table_op(GNTTABOP_map_grant_ref, &op, 0x7FFFFFFFu), -XEN_EFAULT) &&
       EQ(hv_grant_table_op(GNTTABOP_copy, (void *)0xF5800000u, 1), -XEN_EFAULT) &&
       EQ(hv_grant_table_op(GNTTABOP_unmap_grant_ref, (void *)0xFFFFFFF0u, 1), -XEN_EFAULT),
       "a count of 2^31-1, an array in the hypervisor or wrapping: -EFAULT");
    uint32_t frames[4];
    struct gnttab_setup_table st = { DOMID_SELF, 0, 0x40000000u, 0, 0, (uint32_t)(uintptr_t)frames };
    int32_t r1 = hv_grant_table_op(GNTTABOP_setup_table, &st, 1);
    st.nr_frames = 2, st.frame_list = 0xF5800000u;
    int32_t r2 = hv_grant_table_op(GNTTABOP_setup_table, &st, 1);
    st.frame_list = 0xFFFFFFFCu;
    int32_t r3 = hv_grant_table_op(GNTTABOP_setup_table, &st, 1);
    st.frame_list = (uint32_t)(uintptr_t)frames;
    int32_t r4 = hv_grant_table_op(GNTTABOP_setup_table, &st, 2);
    ok(EQ(r1, -XEN_EFAULT) && EQ(r2, -XEN_EFAULT) && EQ(r3, -XEN_EFAULT) && EQ(r4, -XEN_EINVAL),
       "setup_table of 2^30 frames, frame_list in the hypervisor, wrapping: -EFAULT; count 2: "
       "-EINVAL");
    st.nr_frames = 5;
    st.status = 0;
    ok(hv_grant_table_op(GNTTABOP_setup_table, &st, 1) == 0 && st.status == GNTST_general_error,
       "setup_table of 5 frames (the most is 4): status GNTST_general_error");
    st.dom = 0x7FF4, st.nr_frames = 1;
    ok(hv_grant_table_op(GNTTABOP_setup_table, &st, 1) == 0 && st.status == GNTST_bad_domain,
       "setup_table for domain 0x7ff4: status GNTST_bad_domain");
    static const uint32_t vers[] = { 0, 3, 0xFFFFFFFFu, 0x80000001u };
    unsigned einval = 0;
    for (unsigned i = 0; i < 4; i++) {
        struct gnttab_set_version sv = { vers[i] };
        einval += EQ(hv_grant_table_op(GNTTABOP_set_version, &sv, 1), -XEN_EINVAL) &&
                  sv.version == 1;
    }
    struct gnttab_set_version sv = { 2 };
    int32_t v2 = hv_grant_table_op(GNTTABOP_set_version, &sv, 1);
    ok(einval == 4 && EQ(v2, -XEN_ENOSYS) && sv.version == 1 &&
       EQ(hv_grant_table_op(GNTTABOP_set_version, (void *)0xF5800000u, 1), -XEN_EFAULT),
       "set_version 0, 3, 2^32-1, 2^31+1: -EINVAL, version 1; 2: -ENOSYS; in the "
       "hypervisor: -EFAULT");
    struct gnttab_get_status_frames gs = { 1, DOMID_SELF, 0, (uint32_t)(uintptr_t)frames };
    ok(hv_grant_table_op(GNTTABOP_get_status_frames, &gs, 1) == 0 && gs.status == GNTST_general_error,
       "get_status_frames in v1: status GNTST_general_error");
}

/* ---- our own grants: read-only, page tables, the hypervisor's area */
static void own(void)
{
    grant(6, me, pfn_to_mfn(F_RO), GTF_permit_access | GTF_readonly);
    grant(7, me, l1_mfn(VA(0)), GTF_permit_access);
    grant(8, me, pfn_to_mfn(F_RW), GTF_permit_access);
    grant(9, me, l2_mfn(VA(0)), GTF_permit_access);
    grant(10, me, l3_mfn(), GTF_permit_access);
    grant(11, me, gt_mfn, GTF_permit_access);
    uint32_t h = 0xFFFF;
    ok(map(me, 6, VA(20), GNTMAP_host_map, NULL, NULL) == GNTST_general_error &&
       map(me, 6, 0, GNTMAP_device_map, NULL, NULL) == GNTST_general_error,
       "our read-only ref 6 mapped writable (host, device): GNTST_general_error");
    ok(copy(pfn_to_mfn(LOCAL), DOMID_SELF, 0, 6, me, 0, 8, GNTCOPY_dest_gref) == GNTST_general_error,
       "a copy into read-only ref 6: GNTST_general_error");
    unsigned before = last_trap.count;
    int16_t s = map(me, 6, VA(20), GNTMAP_host_map | GNTMAP_readonly, &h, NULL);
    probe_write(VA(20) + 16, 1);
    ok(s == GNTST_okay && last_trap.count == before + 1 && last_trap.vector == 14 &&
       *pfn_va(F_RO + 0) == 0x99 && *(volatile uint8_t *)(uintptr_t)(VA(20) + 16) == 0x99,
       "ref 6 mapped read-only: %d; a write through it faults, 0x99 stays", s);
    ok(unmap(VA(20), 0, h) == GNTST_okay && unmap(VA(20), 0, h) == GNTST_bad_handle,
       "unmapped: 0; the same handle again: GNTST_bad_handle");
    ok(unmap(VA(20), 0, 255) == GNTST_bad_handle && unmap(VA(20), 0, 256) == GNTST_bad_handle &&
       unmap(VA(20), 0, 0xFFFFFFFFu) == GNTST_bad_handle,
       "unmap of handles 255 (not ours), 256, 2^32-1: GNTST_bad_handle");

    /* Our page tables: never writable through a grant, readable. */
    static const uint32_t pts[] = { 7, 9, 10 };
    unsigned refused = 0;
    for (unsigned i = 0; i < 3; i++)
        refused += map(me, pts[i], VA(21), GNTMAP_host_map, NULL, NULL) == GNTST_general_error &&
                   map(me, pts[i], 0, GNTMAP_device_map, NULL, NULL) == GNTST_general_error &&
                   copy(pfn_to_mfn(LOCAL), DOMID_SELF, 0, pts[i], me, 0, 8, GNTCOPY_dest_gref) ==
                       GNTST_general_error;
    ok(refused == 3, "our L1, L2, L3 granted to us: map writable (host, device) and copy into "
       "them GNTST_general_error, %u of 3", refused);
    refused = 0;
    uint32_t ptm[] = { l1_mfn(VA(0)), l2_mfn(VA(0)), l3_mfn() };
    for (unsigned i = 0; i < 3; i++)
        refused += copy(pfn_to_mfn(LOCAL), DOMID_SELF, 0, ptm[i], DOMID_SELF, 0, 8, 0) ==
                   GNTST_general_error;
    ok(refused == 3, "a copy into our L1, L2, L3 by gmfn: %u of 3 GNTST_general_error", refused);
    /* The L1 mapped read-only at a VA it maps itself. */
    s = map(me, 7, VA(22), GNTMAP_host_map | GNTMAP_readonly, &h, NULL);
    const volatile uint64_t *l1 = (const volatile uint64_t *)(uintptr_t)VA(22);
    unsigned idx = (VA(22) >> 12) & 511;
    uint64_t self = l1[idx];
    before = last_trap.count;
    probe_write(VA(22) + 8 * (idx + 1), 0x67);
    unsigned faults = last_trap.count - before;
    int16_t u = unmap(VA(22), 0, h);
    ok(s == GNTST_okay && (uint32_t)(self >> 12 & 0xFFFFF) == l1_mfn(VA(0)) && !(self & PTE_RW) &&
       faults == 1 && u == GNTST_okay,
       "our L1 mapped read-only through itself: %d, its entry for that VA read-only, a write "
       "faults, unmapped: %d", s, u);

    /* The hypervisor's area and beyond 4 GiB. */
    static const uint64_t hv[] = { 0xF5800000u, 0xFC000000u, 0xFFFFF000u, 0x100000000ull + VA(20),
                                   0xFFFFFFFFFFFFF000ull };
    refused = 0;
    for (unsigned i = 0; i < 5; i++)
        refused += map(me, 8, hv[i], GNTMAP_host_map, NULL, NULL) == GNTST_general_error;
    ok(refused == 5 && gt[8].flags == GTF_permit_access,
       "ref 8 mapped at 0xf5800000, 0xfc000000, 0xfffff000, 4 GiB up, 2^64-4096: %u of 5 "
       "GNTST_general_error, entry 8 back to %#x", refused, gt[8].flags);
    /* A frame mapped writable through a grant cannot become a page table. */
    s = map(me, 8, VA(23), GNTMAP_host_map, &h, NULL);
    struct mmuext_op pin = { MMUEXT_PIN_L1_TABLE, pfn_to_mfn(F_RW), 0 };
    int32_t pr = hv_mmuext_op(&pin, 1, NULL, DOMID_SELF);
    ok(s == GNTST_okay && EQ(pr, -XEN_EINVAL) && unmap(VA(23), 0, h) == GNTST_okay,
       "ref 8 mapped writable: %d; pinning its frame as an L1 then: %d (-EINVAL)", s, (int)pr);
    /* Our grant table's frame granted to us: that is our memory. */
    s = map(me, 11, VA(24), GNTMAP_host_map, &h, NULL);
    const volatile struct grant_entry_v1 *g2 = (const volatile struct grant_entry_v1 *)(uintptr_t)VA(24);
    ok(s == GNTST_okay && g2[11].flags == (GTF_permit_access | GTF_reading | GTF_writing) &&
       unmap(VA(24), 0, h) == GNTST_okay && gt[11].flags == GTF_permit_access,
       "our table's own frame through ref 11: %d, its entry reads 0x19 there, unmapped", s);
    /* A handle unmapped at a VA that maps another frame, or read-only. */
    s = map(me, 8, VA(25), GNTMAP_host_map, &h, NULL);
    int16_t u1 = unmap(VA(26), 0, h);
    ok(s == GNTST_okay && u1 == GNTST_general_error && unmap(VA(25), 0x1000, h) == GNTST_bad_dev_addr &&
       unmap(VA(25), 0, h) == GNTST_okay,
       "unmap at a VA mapping another frame: %d; with a wrong dev_bus_addr: GNTST_bad_dev_addr",
       u1);
    /* transfer: our page table, a frame not ours. */
    struct gnttab_transfer tr[2] = { { l1_mfn(VA(0)), inn, 0, 0, 0, 0 }, { 0x100, inn, 0, 0, 0, 0 } };
    while (owns_mfn(tr[1].mfn))
        tr[1].mfn++;
    ok(hv_grant_table_op(GNTTABOP_transfer, tr, 2) == 0 && tr[0].status == GNTST_general_error &&
       tr[1].status == GNTST_bad_page,
       "transfer of our L1: GNTST_general_error; of a frame not ours: GNTST_bad_page");
}

/* ---- bounds of copies, pins and handles */
static void limits(void)
{
    static const uint16_t off_len[][3] = {   /* source offset, dest offset, len */
        { 4095, 0, 2 }, { 0, 4095, 2 }, { 0, 0, 0xFFFF }, { 0xFFFF, 0, 1 }, { 0, 0xFFFF, 1 },
        { 0xF001, 0x1000, 0x1000 }, { 1, 1, 4096 },
    };
    unsigned refused = 0;
    for (unsigned i = 0; i < 7; i++)
        refused += copy(8, me, off_len[i][0], pfn_to_mfn(LOCAL), DOMID_SELF, off_len[i][1],
                        off_len[i][2], GNTCOPY_source_gref) == GNTST_bad_copy_arg &&
                   copy(pfn_to_mfn(LOCAL), DOMID_SELF, off_len[i][0], 8, me, off_len[i][1],
                        off_len[i][2], GNTCOPY_dest_gref) == GNTST_bad_copy_arg;
    ok(refused == 7 && gt[8].flags == GTF_permit_access,
       "copies past a page's end (offsets up to 0xffff, len up to 0xffff): %u of 7 both ways "
       "GNTST_bad_copy_arg, entry 8 back to %#x", refused, gt[8].flags);

    /* 128 device maps of one ref (a pin's 7 bits), then its overflow. */
    static uint32_t h[256];
    uint64_t bus = 0;
    unsigned okays = 0;
    for (unsigned i = 0; i < 128; i++)
        okays += map(me, 6, 0, GNTMAP_device_map | GNTMAP_readonly, &h[i], &bus) == GNTST_okay;
    int16_t over = map(me, 6, 0, GNTMAP_device_map | GNTMAP_readonly, NULL, NULL);
    int16_t over_h = map(me, 6, VA(30), GNTMAP_host_map | GNTMAP_readonly, NULL, NULL);
    ok(okays == 128 && over == GNTST_general_error && over_h == GNTST_general_error &&
       bus == (uint64_t)pfn_to_mfn(F_RO) << 12,
       "128 device maps of ref 6: %u okay; one more, device or host: %d, %d "
       "(GNTST_general_error)", okays, over, over_h);
    for (unsigned i = 128; i < 256; i++)
        okays += map(me, 8, 0, GNTMAP_device_map | GNTMAP_readonly, &h[i], NULL) == GNTST_okay;
    int16_t full = map(me, 11, 0, GNTMAP_device_map | GNTMAP_readonly, NULL, NULL);
    ok(okays == 256 && full == GNTST_no_device_space,
       "128 more of ref 8: all 256 handles used (%u); the next map: %d (GNTST_no_device_space)",
       okays, full);
    unsigned unmapped = 0;
    for (unsigned i = 0; i < 256; i++)
        unmapped += unmap(0, (uint64_t)pfn_to_mfn(i < 128 ? F_RO : F_RW) << 12, h[i]) ==
                    GNTST_okay;
    ok(unmapped == 256 && gt[6].flags == (GTF_permit_access | GTF_readonly) &&
       gt[8].flags == GTF_permit_access && unmap(0, bus, h[0]) == GNTST_bad_handle,
       "all 256 unmapped by dev_bus_addr (%u), entries 6 and 8 idle, handle %u again: "
       "GNTST_bad_handle", unmapped, (unsigned)h[0]);
}

/* ---- the entry changes under a pin (within one multicall) */
static void toctou(void)
{
    /* Map ref 12 read-only (our F_RW); then, in the same multicall, a copy
     * rewrites entry 12 to name our L1, writable; then ref 12 is mapped
     * writable: the pin's frame is still F_RW, never the L1. */
    grant(12, me, pfn_to_mfn(F_RW), GTF_permit_access);
    static struct gnttab_map_grant_ref m[2];
    static struct gnttab_copy c;
    static struct grant_entry_v1 evil;
    memset(m, 0, sizeof(m));
    m[0].host_addr = VA(40), m[0].flags = GNTMAP_host_map | GNTMAP_readonly, m[0].ref = 12;
    m[0].dom = me;
    m[1].host_addr = VA(41), m[1].flags = GNTMAP_host_map, m[1].ref = 12, m[1].dom = me;
    evil.flags = GTF_permit_access, evil.domid = me, evil.frame = l1_mfn(VA(0));
    copy_op(&c, 0, DOMID_SELF, (uint16_t)((uintptr_t)&evil & 4095),
            gt_mfn, DOMID_SELF, 12 * 8, 8, 0);
    c.source.u.gmfn = pfn_to_mfn((uint32_t)(uintptr_t)&evil >> 12);
    struct multicall_entry mc[3] = {
        { __HYPERVISOR_grant_table_op, 0xDEAD, { GNTTABOP_map_grant_ref, (uint32_t)(uintptr_t)&m[0], 1, 0, 0, 0 } },
        { __HYPERVISOR_grant_table_op, 0xDEAD, { GNTTABOP_copy, (uint32_t)(uintptr_t)&c, 1, 0, 0, 0 } },
        { __HYPERVISOR_grant_table_op, 0xDEAD, { GNTTABOP_map_grant_ref, (uint32_t)(uintptr_t)&m[1], 1, 0, 0, 0 } },
    };
    int32_t rc = hv_multicall(mc, 3);
    const volatile uint8_t *w = (const volatile uint8_t *)(uintptr_t)VA(41);
    ok(rc == 0 && mc[0].result == 0 && mc[1].result == 0 && mc[2].result == 0 &&
       m[0].status == GNTST_okay && c.status == GNTST_okay && m[1].status == GNTST_okay &&
       gt[12].frame == l1_mfn(VA(0)) && w[0] == 0xF0 && w[4095] == 0xF0,
       "multicall: map ref 12 read-only, rewrite entry 12 to name our L1, map it writable: "
       "%d %d %d, the writable map is still our data frame", m[0].status, c.status, m[1].status);
    ok(unmap(VA(40), 0, m[0].handle) == GNTST_okay && unmap(VA(41), 0, m[1].handle) == GNTST_okay &&
       gt[12].flags == GTF_permit_access &&
       map(me, 12, VA(42), GNTMAP_host_map, NULL, NULL) == GNTST_general_error,
       "both unmapped; the entry now names our L1: a writable map is GNTST_general_error");
    grant(12, 0, 0, 0);
}

/* ---- thousands of grant ops in one multicall, beside the neighbour */
static void batches(void)
{
    /* 64 entries of 256 copies (4096 bytes, ref 8 into our frame). */
    static struct gnttab_copy ops[256];
    static struct multicall_entry mc[64];
    for (unsigned i = 0; i < 256; i++)
        copy_op(&ops[i], 8, me, 0, pfn_to_mfn(LOCAL), DOMID_SELF, 0, 4096, GNTCOPY_source_gref);
    for (unsigned i = 0; i < 64; i++)
        mc[i] = (struct multicall_entry){ __HYPERVISOR_grant_table_op, 0xDEAD,
                                          { GNTTABOP_copy, (uint32_t)(uintptr_t)ops, 256, 0, 0, 0 } };
    memset(pfn_va(LOCAL), 0, 4096);
    int32_t rc = hv_multicall(mc, 64);
    unsigned good = 0;
    for (unsigned i = 0; i < 64; i++)
        good += mc[i].result == 0;
    unsigned st = 0;
    for (unsigned i = 0; i < 256; i++)
        st += ops[i].status == GNTST_okay;
    ok(rc == 0 && good == 64 && st == 256 && pfn_va(LOCAL)[4095] == 0xF0 &&
       gt[8].flags == GTF_permit_access,
       "a multicall of 64 x 256 copies of 4096 bytes: %d, %u results 0, every status 0", (int)rc,
       good);
    /* 64 x 256 unmaps of a handle never given. */
    static struct gnttab_unmap_grant_ref un[256];
    for (unsigned i = 0; i < 256; i++)
        un[i] = (struct gnttab_unmap_grant_ref){ VA(50), 0, 200, 0, 0 };
    for (unsigned i = 0; i < 64; i++)
        mc[i] = (struct multicall_entry){ __HYPERVISOR_grant_table_op, 0xDEAD,
                                          { GNTTABOP_unmap_grant_ref, (uint32_t)(uintptr_t)un, 256, 0, 0, 0 } };
    rc = hv_multicall(mc, 64);
    good = 0;
    for (unsigned i = 0; i < 64; i++)
        good += mc[i].result == 0;
    st = 0;
    for (unsigned i = 0; i < 256; i++)
        st += un[i].status == GNTST_bad_handle;
    ok(rc == 0 && good == 64 && st == 256,
       "a multicall of 64 x 256 unmaps of handle 200, never given: %d, %u results 0, every "
       "status GNTST_bad_handle", (int)rc, good);
}

/* ---- a map over the page that holds its own request */
static void over_itself(void)
{
    /* Ref 7 (our L1, read-only) mapped at the VA of the page holding the
     * map request: the status, handle and bus address written back would
     * land in our L1 if the write-back ignored the new entry's rights; it
     * is -EFAULT (as Xen's copy back), the L1 unchanged, the map made. */
    uint32_t h = 0;
    uint64_t before[4];
    const volatile uint64_t *l1 = (const volatile uint64_t *)(uintptr_t)VA(81);
    int16_t s0 = map(me, 7, VA(81), GNTMAP_host_map | GNTMAP_readonly, &h, NULL);
    for (unsigned i = 0; i < 4; i++)
        before[i] = l1[i];
    int16_t u0 = unmap(VA(81), 0, h);
    struct gnttab_map_grant_ref *op = (struct gnttab_map_grant_ref *)(uintptr_t)VA(80);
    memset(op, 0, sizeof(*op));
    op->host_addr = VA(80), op->flags = GNTMAP_host_map | GNTMAP_readonly, op->ref = 7;
    op->dom = me, op->status = 0x5555;
    int32_t rc = hv_grant_table_op(GNTTABOP_map_grant_ref, op, 1);
    const volatile uint64_t *now = (const volatile uint64_t *)(uintptr_t)VA(80);
    unsigned same = 0;
    for (unsigned i = 0; i < 4; i++)
        same += now[i] == before[i];
    unsigned found = 256;
    for (unsigned hh = 0; hh < 256 && found == 256; hh++)
        if (unmap(VA(80), 0, hh) == GNTST_okay)
            found = hh;
    ok(s0 == GNTST_okay && u0 == GNTST_okay && EQ(rc, -XEN_EFAULT) && same == 4 && found < 256,
       "ref 7 (our L1) mapped read-only over its own request: %d (-EFAULT), the L1's first "
       "entries unchanged (%u of 4), its handle found and unmapped", (int)rc, same);
}

/* ---- a grant PTE replaced by mmu_update (last: it strands a handle) */
static void stranded(void)
{
    /* The PTE's references go with it, as in Xen (without its debug-only
     * _PAGE_GNTTAB check); the handle stays and can unmap only through a
     * PTE that maps the same frame with the same rights, i.e. one holding
     * those references: never more put back than was taken. */
    uint32_t h1 = 0, h2 = 0;
    int16_t s1 = map(me, 8, VA(70), GNTMAP_host_map, &h1, NULL);
    struct mmu_update u = { ((uint64_t)l1_mfn(VA(70)) << 12) + ((VA(70) >> 12) & 511) * 8,
                            ((uint64_t)pfn_to_mfn(LOCAL) << 12) | PTE_P | PTE_RW | PTE_A | PTE_D };
    int32_t mr = hv_mmu_update(&u, 1, NULL, DOMID_SELF);
    int16_t u1 = unmap(VA(70), 0, h1);
    int16_t s2 = map(me, 8, VA(71), GNTMAP_host_map, &h2, NULL);
    int16_t u2 = unmap(VA(71), 0, h1);
    int16_t u3 = unmap(VA(71), 0, h2);
    ok(s1 == GNTST_okay && mr == 0 && u1 == GNTST_general_error && s2 == GNTST_okay &&
       u2 == GNTST_okay && u3 == GNTST_general_error &&
       gt[8].flags == (GTF_permit_access | GTF_reading | GTF_writing),
       "ref 8's PTE replaced by mmu_update: %d; unmap there %d; mapped again, the first handle "
       "unmapped through the new PTE: %d, the second then: %d, left to our teardown",
       (int)mr, u1, u2, u3);
}

/* ---- the granter powers off while we map and unmap (test=grant-race) */
#define RACE_REF 8
#define RACE_BYTE 0xA5

static void race_granter(domid_t peer)
{
    /* Grant page F_RW (0xa5 x 4096) to peer as ref 8, run a little, go. */
    setup();
    memset(pfn_va(F_RW), RACE_BYTE, 4096);
    grant(RACE_REF, peer, pfn_to_mfn(F_RW), GTF_permit_access);
    printf("attack: granter: ref %u granted to d%u; powering off in 30 ms\n", RACE_REF,
           (unsigned)peer);
    uint64_t t0 = system_time_ns();
    while (system_time_ns() - t0 < 30000000u)
        hv_sched_op(SCHEDOP_yield, NULL);
    poweroff(1);
}

static void race_mapper(domid_t peer)
{
    uint64_t t0 = system_time_ns();
    unsigned maps = 0, unmaps = 0, bad_unmaps = 0, bad_reads = 0, copies = 0, other = 0;
    unsigned iters = 0;
    int holding = 0, gone = 0;
    uint32_t h = 0;
    const volatile uint8_t *p = (const volatile uint8_t *)(uintptr_t)VA(60);
    /* Until the granter is gone, at most 5 s: map, read, copy, unmap. */
    while (!gone && system_time_ns() - t0 < 5000000000ull) {
        iters++;
        if (!holding) {
            int16_t s = map(peer, RACE_REF, VA(60), GNTMAP_host_map, &h, NULL);
            if (s == GNTST_okay)
                holding = 1, maps++;
            else if (s == GNTST_bad_domain)
                gone = 1;
            else if (s != GNTST_general_error || maps)
                other++;            /* general_error only before the grant */
        }
        int16_t c = copy(RACE_REF, peer, 0, pfn_to_mfn(LOCAL), DOMID_SELF, 0, 4096,
                         GNTCOPY_source_gref);
        if (c == GNTST_okay)
            copies++, bad_reads += pfn_va(LOCAL)[4095] != RACE_BYTE;
        else if (c == GNTST_bad_domain)
            gone = 1;
        if (holding) {
            bad_reads += p[0] != RACE_BYTE || p[4095] != RACE_BYTE;
            if (iters & 1) {           /* keep it across every other step */
                if (unmap(VA(60), 0, h) == GNTST_okay)
                    unmaps++, holding = 0;
                else
                    bad_unmaps++;
            }
        }
    }
    ok(gone && maps > 0 && copies > 0 && !bad_reads && !bad_unmaps && !other,
       "while d%u ran and powered off: maps, copies and unmaps in a loop, each okay until "
       "GNTST_bad_domain, every read 0xa5", (unsigned)peer);
    printf("attack: %u maps, %u unmaps, %u copies; %s at the end\n", maps, unmaps, copies,
           holding ? "mapped" : "not mapped");
    if (holding) {
        int ok1 = p[0] == RACE_BYTE && p[4095] == RACE_BYTE;
        ok(ok1 && unmap(VA(60), 0, h) == GNTST_okay, "the map outlived d%u, intact, and unmaps",
           (unsigned)peer);
    } else {
        ok(1, "nothing mapped when d%u went", (unsigned)peer);
    }
    ok(map(peer, RACE_REF, VA(60), GNTMAP_host_map, NULL, NULL) == GNTST_bad_domain &&
       copy(RACE_REF, peer, 0, pfn_to_mfn(LOCAL), DOMID_SELF, 0, 8, GNTCOPY_source_gref) ==
           GNTST_bad_domain,
       "d%u gone: map and copy of its ref GNTST_bad_domain", (unsigned)peer);
}

int grant_case(const char *name, size_t len)
{
    inn = (domid_t)cmdline_num("innocent", 2);
    me = (domid_t)(inn == 1 ? 2 : 1);
    domid_t peer = (domid_t)cmdline_num("peer", 3);
    if (len == 13 && memcmp(name, "grant-granter", 13) == 0)
        race_granter(peer);
    if (len == 10 && memcmp(name, "grant-race", 10) == 0) {
        printf("attack: d%u powers off while we map and unmap its grant\n", (unsigned)peer);
        race_mapper(peer);
        signal_innocent();
        return tap_done();
    }
    if (!(len == 5 && memcmp(name, "grant", 5) == 0))
        return -1;
    printf("attack: grant tables against the hypervisor and the innocent (we are d%u)\n",
           (unsigned)me);
    if (cmdline_num("neighbour", 0))
        for (int i = 0; i < 3; i++)
            hv_sched_op(SCHEDOP_yield, NULL);
    setup();
    foreign();
    counts();
    own();
    limits();
    toctou();
    batches();
    over_itself();
    stranded();
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "the hypervisor still serves us");
    signal_innocent();
    return tap_done();
}
