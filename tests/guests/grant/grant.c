/*
 * grant: two PV domains share pages through grant tables v1
 * (docs/grant-tables.md). One image, two roles:
 *
 *   role=a peer=B [hold=1]   the granter: sets up its table, grants page P
 *                            (writable) and page R (read-only, filled with
 *                            0x99) to domain B, tells B, waits for B's
 *                            signal, then reads back what B wrote into P.
 *                            hold=1: B still maps P when A powers off.
 *   role=b peer=A [hold=1]   the mapper: maps A's grants, writes a pattern
 *                            through the mapping, tries what must be
 *                            refused, copies both ways, unmaps, tells A.
 *                            hold=1: unmaps only after A is gone, and
 *                            finds P's contents intact before it does;
 *                            hold=2: never unmaps (its teardown does).
 * Every check is a TAP line; the domain powers off with the result.
 */
#include "guest.h"

#define REF_RW   8          /* A's entry for P */
#define REF_RO   9          /* A's entry for R */
#define REF_NONE 10         /* never granted */
#define GT_VA    0x00300000u      /* A: its grant table's frame */
#define P_PFN    600u
#define R_PFN    601u
#define MAP_VA   0x00200000u      /* B: where it maps P */
#define MAP_RO_VA 0x00201000u     /* B: where it maps R */
#define LOCAL_PFN 700u            /* B: its own page for the copies */

static uint32_t peer;

static uint8_t *pfn_va(uint32_t pfn) { return (uint8_t *)(uintptr_t)(pfn << 12); }

static int32_t offer_port(void)
{
    struct evtchn_alloc_unbound a = { DOMID_SELF, (domid_t)peer, 0 };
    int32_t rc = hv_event_channel_op(EVTCHNOP_alloc_unbound, &a);
    return rc ? rc : (int32_t)a.port;
}

static void wait_port(uint32_t port)
{
    while (!(shared_info->evtchn_pending[port / 32] & (1u << (port % 32))))
        poll_port(port, system_time_ns() + 20000000u);
    shared_info->evtchn_pending[port / 32] &= ~(1u << (port % 32));
}

static int16_t map(uint32_t ref, uint32_t va, uint32_t flags, uint32_t *handle)
{
    struct gnttab_map_grant_ref op;
    memset(&op, 0, sizeof(op));
    op.host_addr = va;
    op.flags = flags;
    op.ref = ref;
    op.dom = (domid_t)peer;
    int32_t rc = hv_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
    if (rc)
        return (int16_t)-1000;
    if (handle)
        *handle = op.handle;
    return op.status;
}

static int16_t unmap(uint32_t va, uint32_t handle)
{
    struct gnttab_unmap_grant_ref op = { va, 0, handle, 0, 0 };
    int32_t rc = hv_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
    return rc ? (int16_t)-1000 : op.status;
}

static int16_t copy(uint32_t src, uint16_t sdom, uint16_t soff, uint32_t dst, uint16_t ddom,
                    uint16_t doff, uint16_t len, uint16_t flags)
{
    struct gnttab_copy c;
    memset(&c, 0, sizeof(c));
    c.source.u.ref = src;
    c.source.domid = sdom;
    c.source.offset = soff;
    c.dest.u.ref = dst;
    c.dest.domid = ddom;
    c.dest.offset = doff;
    c.len = len;
    c.flags = flags;
    int32_t rc = hv_grant_table_op(GNTTABOP_copy, &c, 1);
    return rc ? (int16_t)-1000 : c.status;
}

static int bytes_are(const uint8_t *p, unsigned n, uint8_t v)
{
    for (unsigned i = 0; i < n; i++)
        if (p[i] != v)
            return 0;
    return 1;
}

static int granter(int hold)
{
    int32_t port = offer_port();
    ok(port > 0, "a: port %d offered to d%u", (int)port, (unsigned)peer);
    uint32_t frame = 0;
    struct gnttab_setup_table st = { DOMID_SELF, 0, 1, 0, 0, (uint32_t)(uintptr_t)&frame };
    int32_t rc = hv_grant_table_op(GNTTABOP_setup_table, &st, 1);
    ok(rc == 0 && st.status == GNTST_okay && owns_mfn(frame) == 0 && frame != 0,
       "a: setup_table 1 frame: %d, status %d, a hypervisor frame", (int)rc, st.status);
    ok(map_page(GT_VA, frame, PTE_P | PTE_RW | PTE_A | PTE_D) == 0,
       "a: the table's frame mapped writable");
    struct grant_entry_v1 *gt = (struct grant_entry_v1 *)(uintptr_t)GT_VA;
    memset(pfn_va(P_PFN), 0, 4096);
    memset(pfn_va(R_PFN), 0x99, 4096);
    gt[REF_RW].domid = (domid_t)peer;
    gt[REF_RW].frame = pfn_to_mfn(P_PFN);
    gt[REF_RO].domid = (domid_t)peer;
    gt[REF_RO].frame = pfn_to_mfn(R_PFN);
    __atomic_store_n(&gt[REF_RO].flags, GTF_permit_access | GTF_readonly, __ATOMIC_SEQ_CST);
    __atomic_store_n(&gt[REF_RW].flags, GTF_permit_access, __ATOMIC_SEQ_CST);
    signal_domain(peer);
    wait_port((uint32_t)port);
    const uint8_t *p = pfn_va(P_PFN);
    ok(bytes_are(p, 256, 0xB0) && bytes_are(p + 256, 3840 - 256, 0) &&
       bytes_are(p + 3840, 256, 0x5B),
       "a: page P holds what d%u wrote through its map (0xb0 x 256) and copied in "
       "(0x5b x 256 at 3840)", (unsigned)peer);
    if (hold) {
        ok(gt[REF_RW].flags == (GTF_permit_access | GTF_reading | GTF_writing),
           "a: entry %u still mapped: flags %#x (permit, reading, writing)", REF_RW,
           gt[REF_RW].flags);
        uint16_t f = GTF_permit_access;
        int took = __atomic_compare_exchange_n(&gt[REF_RW].flags, &f, 0, 0, __ATOMIC_SEQ_CST,
                                               __ATOMIC_SEQ_CST);
        ok(!took && f == (GTF_permit_access | GTF_reading | GTF_writing),
           "a: revoking it while mapped fails (cmpxchg saw %#x)", f);
        printf("grant: a powers off with page P mapped by d%u\n", (unsigned)peer);
        return tap_done();
    }
    ok(gt[REF_RW].flags == GTF_permit_access && gt[REF_RO].flags == (GTF_permit_access | GTF_readonly),
       "a: after d%u unmapped, entries %u and %u have flags %#x and %#x again", (unsigned)peer,
       REF_RW, REF_RO, gt[REF_RW].flags, gt[REF_RO].flags);
    uint16_t f = GTF_permit_access;
    ok(__atomic_compare_exchange_n(&gt[REF_RW].flags, &f, 0, 0, __ATOMIC_SEQ_CST,
                                   __ATOMIC_SEQ_CST) && gt[REF_RW].flags == 0,
       "a: entry %u revoked (cmpxchg to 0)", REF_RW);
    return tap_done();
}

static int mapper(int hold)
{
    int32_t port = offer_port();
    ok(port > 0, "b: port %d offered to d%u", (int)port, (unsigned)peer);
    wait_port((uint32_t)port);

    uint32_t h = 0xFFFF, hro = 0xFFFF;
    int16_t s = map(REF_RW, MAP_VA, GNTMAP_host_map, &h);
    ok(s == GNTST_okay && h == 0, "b: map d%u's ref %u writable: status %d, handle %u",
       (unsigned)peer, REF_RW, s, (unsigned)h);
    memset((void *)(uintptr_t)MAP_VA, 0xB0, 256);
    s = map(REF_NONE, 0x00202000u, GNTMAP_host_map, NULL);
    ok(s == GNTST_general_error, "b: map of ref %u, not granted: %d (GNTST_general_error)", REF_NONE, s);
    s = map(600, 0x00202000u, GNTMAP_host_map, NULL);
    ok(s == GNTST_bad_gntref, "b: map of ref 600, beyond the table: %d (GNTST_bad_gntref)", s);
    s = map(REF_RO, MAP_RO_VA, GNTMAP_host_map, NULL);
    ok(s == GNTST_general_error, "b: map of read-only ref %u writable: %d (GNTST_general_error)",
       REF_RO, s);
    s = map(REF_RO, MAP_RO_VA, GNTMAP_host_map | GNTMAP_readonly, &hro);
    const uint8_t *ro = (const uint8_t *)(uintptr_t)MAP_RO_VA;
    ok(s == GNTST_okay && hro == 1 && bytes_are(ro, 4096, 0x99),
       "b: map of read-only ref %u read-only: %d, handle %u, reads 0x99 x 4096", REF_RO, s,
       (unsigned)hro);
    unsigned before = last_trap.count;
    probe_write(MAP_RO_VA + 8, 1);
    ok(last_trap.count == before + 1 && last_trap.vector == 14 && ro[8] == 0x99,
       "b: a write through the read-only map faults (vector %u)", (unsigned)last_trap.vector);
    s = map(REF_RW, 0xF5800000u, GNTMAP_host_map, NULL);
    ok(s == GNTST_general_error, "b: map at the hypervisor's address: %d (GNTST_general_error)", s);

    /* Copies: our page into A's P at 3840, A's R into our page. */
    uint8_t *local = pfn_va(LOCAL_PFN);
    memset(local, 0x5B, 4096);
    s = copy(pfn_to_mfn(LOCAL_PFN), DOMID_SELF, 0, REF_RW, (uint16_t)peer, 3840, 256,
             GNTCOPY_dest_gref);
    ok(s == GNTST_okay && bytes_are((const uint8_t *)(uintptr_t)MAP_VA + 3840, 256, 0x5B),
       "b: copy of 256 bytes of our frame into ref %u at 3840: %d, seen through the map", REF_RW, s);
    memset(local, 0, 4096);
    s = copy(REF_RO, (uint16_t)peer, 0, pfn_to_mfn(LOCAL_PFN), DOMID_SELF, 0, 4096,
             GNTCOPY_source_gref);
    ok(s == GNTST_okay && bytes_are(local, 4096, 0x99),
       "b: copy of ref %u (4096 bytes) into our frame: %d, 0x99 x 4096", REF_RO, s);
    s = copy(REF_RO, (uint16_t)peer, 4000, pfn_to_mfn(LOCAL_PFN), DOMID_SELF, 0, 97,
             GNTCOPY_source_gref);
    ok(s == GNTST_bad_copy_arg, "b: copy at offset 4000 of 97 bytes: %d (GNTST_bad_copy_arg)", s);
    s = copy(pfn_to_mfn(LOCAL_PFN), DOMID_SELF, 0, REF_RO, (uint16_t)peer, 0, 8, GNTCOPY_dest_gref);
    ok(s == GNTST_general_error, "b: copy into read-only ref %u: %d (GNTST_general_error)", REF_RO, s);

    /* The table-wide ops. */
    struct gnttab_set_version sv = { 2 };
    int32_t rc = hv_grant_table_op(GNTTABOP_set_version, &sv, 1);
    ok(rc == -XEN_ENOSYS && sv.version == 1, "b: set_version 2: %d, version %u", (int)rc,
       (unsigned)sv.version);
    uint32_t frames[8];
    struct gnttab_setup_table st = { DOMID_SELF, 0, 5, 0, 0, (uint32_t)(uintptr_t)frames };
    rc = hv_grant_table_op(GNTTABOP_setup_table, &st, 1);
    ok(rc == 0 && st.status == GNTST_general_error, "b: setup_table 5 frames: %d, status %d",
       (int)rc, st.status);
    struct gnttab_query_size q = { DOMID_SELF, 0, 0, 0, 0, 0 };
    rc = hv_grant_table_op(GNTTABOP_query_size, &q, 1);
    ok(rc == 0 && q.status == 0 && q.nr_frames == 1 && q.max_nr_frames == 4,
       "b: query_size: %d, %u of %u frames", (int)rc, (unsigned)q.nr_frames,
       (unsigned)q.max_nr_frames);

    /* In a multicall: a map and a copy; then one call of 512 copies
     * (long enough to be preempted and continued). */
    static struct gnttab_map_grant_ref mop;
    static struct gnttab_copy batch[512];
    memset(&mop, 0, sizeof(mop));
    mop.host_addr = 0x00203000u;
    mop.flags = GNTMAP_host_map | GNTMAP_readonly;
    mop.ref = REF_RO;
    mop.dom = (domid_t)peer;
    memset(batch, 0, sizeof(batch));
    for (unsigned i = 0; i < 512; i++) {
        batch[i].source.u.ref = REF_RO;
        batch[i].source.domid = (domid_t)peer;
        batch[i].dest.u.gmfn = pfn_to_mfn(LOCAL_PFN);
        batch[i].dest.domid = DOMID_SELF;
        batch[i].len = 4096;
        batch[i].flags = GNTCOPY_source_gref;
        batch[i].status = 1;
    }
    struct multicall_entry mc[2] = {
        { __HYPERVISOR_grant_table_op, 0xdead, { GNTTABOP_map_grant_ref, (uintptr_t)&mop, 1, 0, 0, 0 } },
        { __HYPERVISOR_grant_table_op, 0xdead, { GNTTABOP_copy, (uintptr_t)&batch[0], 1, 0, 0, 0 } },
    };
    memset(local, 0, 4096);
    rc = hv_multicall(mc, 2);
    ok(rc == 0 && mc[0].result == 0 && mc[1].result == 0 && mop.status == 0 && mop.handle == 2 &&
       batch[0].status == 0 && bytes_are(local, 4096, 0x99) &&
       bytes_are((const uint8_t *)(uintptr_t)0x00203000u, 4096, 0x99),
       "b: in a multicall, map (status %d, handle %u) and copy (status %d): results %d %d",
       mop.status, (unsigned)mop.handle, batch[0].status, (int)mc[0].result, (int)mc[1].result);
    batch[0].status = 1;
    rc = hv_grant_table_op(GNTTABOP_copy, batch, 512);
    unsigned okays = 0;
    for (unsigned i = 0; i < 512; i++)
        okays += batch[i].status == 0;
    ok(rc == 0 && okays == 512, "b: one call of 512 copies: %d, %u of status 0", (int)rc, okays);
    s = unmap(0x00203000u, mop.handle);
    ok(s == GNTST_okay, "b: unmap handle %u: %d", (unsigned)mop.handle, s);

    s = unmap(MAP_RO_VA, hro);
    ok(s == GNTST_okay, "b: unmap handle %u: %d", (unsigned)hro, s);
    s = unmap(MAP_RO_VA, hro);
    ok(s == GNTST_bad_handle, "b: unmap handle %u again: %d (GNTST_bad_handle)", (unsigned)hro, s);
    s = unmap(MAP_VA, 77);
    ok(s == GNTST_bad_handle, "b: unmap handle 77, never given: %d (GNTST_bad_handle)", s);
    if (hold) {
        signal_domain(peer);
        /* A powers off; its teardown runs; then we look and let go. */
        uint64_t until = system_time_ns() + 200000000u;
        while (system_time_ns() < until)
            hv_sched_op(SCHEDOP_yield, NULL);
        const uint8_t *p = (const uint8_t *)(uintptr_t)MAP_VA;
        ok(bytes_are(p, 256, 0xB0) && bytes_are(p + 3840, 256, 0x5B),
           "b: after d%u is gone, page P is still its contents", (unsigned)peer);
        if (hold == 2) {
            printf("grant: b powers off with page P still mapped\n");
            return tap_done();
        }
        s = unmap(MAP_VA, h);
        ok(s == GNTST_okay, "b: unmap handle %u after d%u is gone: %d", (unsigned)h,
           (unsigned)peer, s);
        return tap_done();
    }
    s = unmap(MAP_VA, h);
    ok(s == GNTST_okay, "b: unmap handle %u: %d", (unsigned)h, s);
    before = last_trap.count;
    (void)probe_read(MAP_VA);
    ok(last_trap.count == before + 1 && last_trap.vector == 14,
       "b: the unmapped address faults (vector %u)", (unsigned)last_trap.vector);
    signal_domain(peer);
    return tap_done();
}

int guest_main(void)
{
    size_t len;
    const char *role = cmdline_arg("role", &len);
    peer = cmdline_num("peer", 0);
    int hold = (int)cmdline_num("hold", 0);
    if (role && len == 1 && role[0] == 'a')
        return granter(hold);
    if (role && len == 1 && role[0] == 'b')
        return mapper(hold);
    printf("grant: role=a or role=b\n");
    return 1;
}
