/*
 * front.c: the block frontend domain: grants its ring page and, per
 * request, its data pages (read-only for writes, as Xen's blkfront), keeps
 * NSLOT requests of 11 pages in flight, writes mib MiB of a pattern, reads
 * it back and compares checksums. It never waits unbounded: each wait is a
 * SCHEDOP_poll with a deadline, and a backend whose end of the event
 * channel is gone (EVTCHNOP_status) or that answers nothing for 2 s ends
 * the transfer with an error.
 */
#include <pv86/errno.h>

#include "blkdom.h"

#define NSLOT     4
#define SEGS      BLKIF_MAX_SEGMENTS_PER_REQUEST
#define RING_PFN  300u
#define DATA_PFN  320u                   /* NSLOT * SEGS pages */

static uint32_t peer, port;
static struct grant_entry_v1 *gt;
static struct blkfront fe;
static struct {
    unsigned first_page, npages;         /* the disk pages of the slot's request */
    int used;
} slot[BLKIF_RING_SIZE];
static unsigned slot_of_id[BLKIF_RING_SIZE];
static unsigned grants, revokes, revoke_failures, bad_status, pages_differ;
static uint32_t sum;                     /* order-free: a sum of per-page hashes */
static int reading, bench;     /* bench: no pattern made or checked: the ring's cost alone */

static uint32_t *page_va(unsigned s, unsigned i)
{
    return (uint32_t *)(uintptr_t)((DATA_PFN + s * SEGS + i) << 12);
}
static uint32_t word(unsigned page, unsigned i) { return ((page << 10) | i) * 2654435761u; }
static uint32_t hash_page(const uint32_t *p, unsigned page)
{
    uint32_t h = 2166136261u ^ page;
    for (unsigned i = 0; i < 1024; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static uint32_t grant(unsigned s, unsigned i, int readonly)
{
    uint32_t ref = BLK_DATA_REF0 + s * SEGS + i;
    gt[ref].domid = (domid_t)peer;
    gt[ref].frame = pfn_to_mfn(DATA_PFN + s * SEGS + i);
    __atomic_store_n(&gt[ref].flags, GTF_permit_access | (readonly ? GTF_readonly : 0),
                     __ATOMIC_SEQ_CST);
    grants++;
    return ref;
}

/* end access: only while the hypervisor holds no copy or map of it */
static void revoke(uint32_t ref)
{
    uint16_t f = __atomic_load_n(&gt[ref].flags, __ATOMIC_SEQ_CST);
    if ((f & (GTF_reading | GTF_writing)) ||
        !__atomic_compare_exchange_n(&gt[ref].flags, &f, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        revoke_failures++;
    revokes++;
}

static void done(void *ctx, unsigned id, int16_t status)
{
    (void)ctx;
    unsigned s = slot_of_id[id];
    for (unsigned i = 0; i < slot[s].npages; i++) {
        revoke(BLK_DATA_REF0 + s * SEGS + i);
        if (reading && !bench && status == BLKIF_RSP_OKAY) {
            const uint32_t *p = page_va(s, i);
            unsigned page = slot[s].first_page + i;
            sum += hash_page(p, page);
            for (unsigned w = 0; w < 1024; w++)
                if (p[w] != word(page, w)) {
                    pages_differ++;
                    break;
                }
        }
    }
    if (status != BLKIF_RSP_OKAY)
        bad_status++;
    slot[s].used = 0;
}

/* One pass over npages disk pages: 0, or < 0 with the error said. */
static int pass(uint8_t op, unsigned npages, unsigned *requests)
{
    unsigned next = 0, answered = 0;
    uint64_t last_progress = system_time_ns();
    reading = op == BLKIF_OP_READ;
    while (answered < npages) {
        int queued = 0;
        for (unsigned s = 0; s < NSLOT && next < npages; s++) {
            if (slot[s].used)
                continue;
            unsigned n = npages - next < SEGS ? npages - next : SEGS;
            blkif_gref refs[SEGS];
            for (unsigned i = 0; i < n; i++) {
                uint32_t *p = page_va(s, i);
                for (unsigned w = 0; w < 1024 && !bench; w++)
                    p[w] = reading ? 0 : word(next + i, w);
                if (!reading && !bench)
                    sum += hash_page(p, next + i);
                refs[i] = grant(s, i, !reading);
            }
            int id = blkfront_queue(&fe, op, (blkif_sector)next * 8, refs, n);
            if (id < 0)
                return -1;
            slot_of_id[id] = s;
            slot[s].first_page = next;
            slot[s].npages = n;
            slot[s].used = 1;
            next += n;
            (*requests)++;
            queued = 1;
        }
        if (queued && blkfront_push(&fe))
            evtchn_send(port);
        clear_pending(port);
        int got = blkfront_collect(&fe, done, NULL);
        if (got < 0) {
            printf("blkfront: error: the backend broke the ring protocol\n");
            return -1;
        }
        if (got > 0) {
            /* pages answered: count them from the slots freed */
            answered = 0;
            for (unsigned s = 0; s < NSLOT; s++)
                if (slot[s].used)
                    answered += slot[s].npages;
            answered = next - answered;
            last_progress = system_time_ns();
            continue;
        }
        if (port_status(port) != EVTCHNSTAT_interdomain) {
            printf("blkfront: error: the backend is gone (port %u no longer bound) after %u "
                   "responses, %u requests in flight\n", (unsigned)port, fe.stats.responses,
                   fe.outstanding);
            return -1;
        }
        if (system_time_ns() - last_progress > 2000000000ull) {
            printf("blkfront: error: no response for 2 s, %u requests in flight\n",
                   fe.outstanding);
            return -1;
        }
        poll_port(port, system_time_ns() + 20000000u);
    }
    return 0;
}

/* bounded (watched, 10 s): until path can no longer be read (its node
 * removed: ENOENT, or EACCES once its parents went too); the error, or 0 */
static int backend_gone(const char *path)
{
    (void)xs_watch(path, "gone");
    uint64_t until = system_time_ns() + BLK_HS_TIMEOUT_NS;
    char v[8];
    int r;
    while ((r = xs_read(0, path, v, sizeof(v))) >= 0 || r == -XEN_ETIME) {
        char p[64], t[16];
        if (!xs_next_event(p, sizeof(p), t, sizeof(t), until))
            return 0;
    }
    return r;
}

/* corrupt=1: publish a req_prod 100 requests ahead of a 32-entry ring;
 * the backend must stop serving us (its port goes) rather than loop. */
static int corrupt_ring(void)
{
    __atomic_store_n(&fe.ring.sring->req_prod, 100u, __ATOMIC_SEQ_CST);
    evtchn_send(port);
    uint64_t until = system_time_ns() + 5000000000ull;
    while (port_status(port) == EVTCHNSTAT_interdomain && system_time_ns() < until)
        poll_port(port, system_time_ns() + 20000000u);
    int gone = port_status(port) != EVTCHNSTAT_interdomain;
    ok(gone, "front: req_prod 100 on a 32-entry ring: the backend %s",
       gone ? "stopped serving us (port no longer bound)" : "still serves after 5 s");
    return gone ? 0 : -1;
}

static int front_step(void *h) { return blkfront_hs_step(h); }

/* our device's backend-id, once the toolstack wrote device/vbd/51712
 * (watched; bounded): 0 or -1, said */
static int find_backend(uint32_t *be)
{
    if (xs_watch("device", "device")) {
        printf("blkfront: error: cannot watch device\n");
        return -1;
    }
    char v[12];
    int n;
    while ((n = xs_read(0, BLK_DEVPATH_FE "/backend-id", v, sizeof(v))) < 0) {
        char p[64], t[16];
        if (!xs_next_event(p, sizeof(p), t, sizeof(t), system_time_ns() + BLK_HS_TIMEOUT_NS)) {
            printf("blkfront: error: no " BLK_DEVPATH_FE " written in 10 s\n");
            return -1;
        }
    }
    uint64_t id;
    if (blkhs_parse_u64(v, 0x7FEF, &id) || id == 0) {
        printf("blkfront: error: backend-id \"%s\" is not a domain\n", v);
        return -1;
    }
    *be = (uint32_t)id;
    return 0;
}

/* our state in the store, read back: the XenbusState, or -1 */
static int own_state(void)
{
    char v[8];
    uint64_t s;
    if (xs_read(0, BLK_DEVPATH_FE "/state", v, sizeof(v)) < 0 || blkhs_parse_u64(v, 8, &s))
        return -1;
    return (int)s;
}

/* after a failure: Closed, as blkfront does when its backend goes away */
static void close_device(void)
{
    int w = xs_write(0, BLK_DEVPATH_FE "/state", "6");
    int st = own_state();
    ok(w == 0 && st == 6, "front: " BLK_DEVPATH_FE "/state in xenstore: %d (Closed)", st);
}

int blk_front(unsigned mib, int bench_only, int corrupt)
{
    bench = bench_only;
    if (mib == 0 || mib > 8)
        mib = 8;
    uint32_t be;
    if (find_backend(&be))
        return 1;
    peer = be;
    uint32_t frame = 0;
    struct gnttab_setup_table st = { DOMID_SELF, 0, 1, 0, 0, (uint32_t)(uintptr_t)&frame };
    int32_t rc = hv_grant_table_op(GNTTABOP_setup_table, &st, 1);
    if (rc || st.status || map_page(BLK_GT_VA, frame, PTE_P | PTE_RW | PTE_A | PTE_D)) {
        printf("blkfront: error: no grant table (%d, %d)\n", (int)rc, st.status);
        return 1;
    }
    gt = (struct grant_entry_v1 *)(uintptr_t)BLK_GT_VA;
    struct blkif_sring *ring = (struct blkif_sring *)(uintptr_t)(RING_PFN << 12);
    blkfront_init(&fe, ring);
    gt[BLK_RING_REF].domid = (domid_t)peer;
    gt[BLK_RING_REF].frame = pfn_to_mfn(RING_PFN);
    __atomic_store_n(&gt[BLK_RING_REF].flags, GTF_permit_access, __ATOMIC_SEQ_CST);
    struct evtchn_alloc_unbound a = { DOMID_SELF, (domid_t)peer, 0 };
    if (hv_event_channel_op(EVTCHNOP_alloc_unbound, &a)) {
        printf("blkfront: error: alloc_unbound towards d%u refused\n", (unsigned)peer);
        return 1;
    }
    port = a.port;

    struct blkfront_hs hs;
    int h = blkfront_hs_start(&hs, &blk_xenbus, BLK_DEVPATH_FE, BLK_RING_REF, port);
    h = blk_hs_run(front_step, &hs, h, &hs.why);
    ok(h == BLKHS_CONNECTED,
       "front: connected through xenstore to %s (d%u): ring-ref %u, event-channel %u, %u sectors%s%s",
       hs.backend, (unsigned)be, (unsigned)hs.ring_ref, (unsigned)hs.evtchn, (unsigned)hs.sectors,
       h == BLKHS_CONNECTED ? "" : ": ", h == BLKHS_CONNECTED ? "" : hs.why);
    if (h != BLKHS_CONNECTED)
        return tap_done() | 1;
    /* the backend's directory is its own: we may read it, not write it */
    char bstate[BLKHS_PATH + 8];
    unsigned bl = 0;
    while (hs.backend[bl])
        bl++;
    memcpy(bstate, hs.backend, bl);
    memcpy(bstate + bl, "/state", 7);
    int w = xs_write(0, bstate, "6");
    ok(w == -XEN_EACCES, "front: WRITE %s: %d (EACCES: the backend's node)", bstate, w);
    if (hs.sectors < mib * 2048ull) {
        printf("blkfront: error: the disk has %u sectors, %u MiB need %u\n",
               (unsigned)hs.sectors, mib, mib * 2048);
        close_device();
        return tap_done() | 1;
    }

    if (corrupt) {
        int r = corrupt_ring();
        uint32_t cl = port;
        hv_event_channel_op(EVTCHNOP_close, &cl);
        uint16_t f = GTF_permit_access;
        ok(__atomic_compare_exchange_n(&gt[BLK_RING_REF].flags, &f, 0, 0, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST),
           "front: the ring's grant ended (the backend unmapped it)");
        close_device();
        return tap_done() | (r ? 1 : 0);
    }
    unsigned pages = mib * 256, wr = 0, rd = 0;
    sum = 0;
    uint64_t t0 = blk_tsc();
    int err = pass(BLKIF_OP_WRITE, pages, &wr);
    uint32_t wsum = sum;
    if (!err) {
        printf("blkfront: wrote %u MiB in %u requests, checksum %#x\n", mib, wr, wsum);
        sum = 0;
        err = pass(BLKIF_OP_READ, pages, &rd);
    }
    uint64_t ticks = blk_tsc() - t0;
    if (!err) {
        /* under -icount shift=0 a TSC tick is an instruction (make bench) */
        printf("blkfront: %u bytes moved in %u TSC ticks\n", 2 * mib << 20,
               ticks >> 32 ? 0xFFFFFFFFu : (uint32_t)ticks);
        printf("blkfront: read %u MiB in %u requests, checksum %#x\n", mib, rd, sum);
        if (bench)
            printf("blkfront: bench=1: no data made or checked\n");
        ok(sum == wsum && pages_differ == 0 && bad_status == 0,
           "front: checksums equal (%#x), %u pages differ, %u bad statuses", sum, pages_differ,
           bad_status);
        printf("blkfront: %u requests, %u grants, %u revocations for %u MiB moved\n",
               fe.stats.requests, grants, revokes, 2 * mib);
        print_per_mib("blkfront", "requests", fe.stats.requests, 2 * mib);
        print_per_mib("blkfront", "grant operations (grant + revoke)", grants + revokes, 2 * mib);
    } else {
        /* the requests in flight will not be answered: end their grants */
        for (unsigned s = 0; s < NSLOT; s++)
            if (slot[s].used)
                for (unsigned i = 0; i < slot[s].npages; i++)
                    revoke(BLK_DATA_REF0 + s * SEGS + i);
        printf("blkfront: transfer failed after %u responses\n", fe.stats.responses);
    }
    ok(revoke_failures == 0, "front: every data grant ended (%u revocations, %u failed)", revokes,
       revoke_failures);
    /* done: close our end; the backend sees it, unmaps the ring, goes */
    uint32_t cl = port;
    hv_event_channel_op(EVTCHNOP_close, &cl);
    uint64_t until = system_time_ns() + 5000000000ull;
    uint16_t f;
    while (((f = __atomic_load_n(&gt[BLK_RING_REF].flags, __ATOMIC_SEQ_CST)) &
            (GTF_reading | GTF_writing)) && system_time_ns() < until)
        hv_sched_op(SCHEDOP_yield, NULL);
    int took = !(f & (GTF_reading | GTF_writing)) &&
               __atomic_compare_exchange_n(&gt[BLK_RING_REF].flags, &f, 0, 0, __ATOMIC_SEQ_CST,
                                           __ATOMIC_SEQ_CST);
    ok(took, "front: the ring's grant ended once the backend let go (flags were %#x)", f);
    if (err) {
        close_device();
        /* the backend's domain is gone: the xenstore domain removes its home */
        int gone = backend_gone(bstate);
        ok(gone == -XEN_EACCES || gone == -XEN_ENOENT, "front: READ %s: %d (%s)", bstate, gone,
           gone == -XEN_EACCES ? "EACCES: the backend's home was removed with its domain"
           : gone == -XEN_ENOENT ? "ENOENT: the backend's node was removed"
                                 : "still there after 10 s");
    } else {
        int s5 = xs_write(0, BLK_DEVPATH_FE "/state", "5") == 0 && own_state() == 5;
        int s6 = xs_write(0, BLK_DEVPATH_FE "/state", "6") == 0 && own_state() == 6;
        ok(s5 && s6, "front: " BLK_DEVPATH_FE "/state in xenstore: 5 (Closing), then 6 (Closed)");
    }
    if (err)
        printf("blkfront: error reported: exit status 1\n");
    return tap_done() | (err ? 1 : 0);
}
