/*
 * back.c: the block backend domain: maps the frontend's ring, serves it
 * from a RAM disk held in its own frames (pfns DISK_PFN.., never mapped:
 * every byte moves by GNTTABOP_copy between the frontend's granted page and
 * a disk frame), until the frontend closes its event channel.
 */
#include "blkdom.h"

#define DISK_PFN    2048u            /* 8 MiB up: past the image and its tables */
#define DISK_PAGES  2048u            /* 8 MiB */

static uint32_t peer, copies, copy_calls;

/* page <-> disk, split where the disk range crosses a frame */
static int copy_io(void *ctx, blkif_gref gref, uint32_t page_off, uint64_t disk_off, uint32_t len,
                   int write)
{
    (void)ctx;
    struct gnttab_copy c[2];
    unsigned n = 0;
    while (len && n < 2) {
        uint32_t frame = (uint32_t)(disk_off / 4096), off = (uint32_t)(disk_off % 4096);
        uint32_t chunk = 4096 - off < len ? 4096 - off : len;
        if (frame >= DISK_PAGES)
            return -1;
        memset(&c[n], 0, sizeof(c[n]));
        struct gnttab_copy_ptr theirs = { { .ref = gref }, (domid_t)peer, (uint16_t)page_off };
        struct gnttab_copy_ptr ours = { { .gmfn = pfn_to_mfn(DISK_PFN + frame) }, DOMID_SELF,
                                        (uint16_t)off };
        c[n].source = write ? theirs : ours;
        c[n].dest = write ? ours : theirs;
        c[n].flags = write ? GNTCOPY_source_gref : GNTCOPY_dest_gref;
        c[n].len = (uint16_t)chunk;
        n++;
        len -= chunk;
        disk_off += chunk;
        page_off += chunk;
    }
    if (len)
        return -1;
    copy_calls++;
    copies += n;
    if (hv_grant_table_op(GNTTABOP_copy, c, n))
        return -1;
    for (unsigned i = 0; i < n; i++)
        if (c[i].status != GNTST_okay)
            return -1;
    return 0;
}

static struct blkback be;

int blk_back(uint32_t fe, unsigned crash_after)
{
    peer = fe;
    if (start_info->nr_pages < DISK_PFN + DISK_PAGES ||
        start_info->pt_base + start_info->nr_pt_frames * 4096u > DISK_PFN * 4096u) {
        printf("blkback: error: %u pages: give the backend mem=24\n",
               (unsigned)start_info->nr_pages);
        return 1;
    }
    /* xenstore first (the stub says ENOSYS until it is wired in) */
    struct blkback_hs hs;
    int h = blkback_hs_start(&hs, &xenbus_stub, BLK_DEVPATH_BE, DISK_PAGES * 8ull, 0, NULL, NULL);
    ok(h == BLKHS_FAILED, "back: no xenbus (%s): the fixed rendezvous", hs.why);
    uint32_t ring_ref, port;
    if (rendezvous_back(fe, &ring_ref, &port))
        return tap_done() | 1;
    struct gnttab_map_grant_ref m;
    memset(&m, 0, sizeof(m));
    m.host_addr = BLK_RING_VA;
    m.flags = GNTMAP_host_map;
    m.ref = ring_ref;
    m.dom = (domid_t)fe;
    int32_t rc = hv_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
    ok(rc == 0 && m.status == GNTST_okay,
       "back: bound d%u's port, mapped its ring (ref %u): status %d", (unsigned)fe,
       (unsigned)ring_ref, m.status);
    if (rc || m.status != GNTST_okay)
        return tap_done() | 1;

    const struct blk_disk disk = { DISK_PAGES * 8ull, 0 };
    const struct blk_seg_io io = { copy_io, NULL };
    blkback_init(&be, (struct blkif_sring *)(uintptr_t)BLK_RING_VA, &disk, &io);
    printf("blkback: serving %u sectors (%u MiB) to d%u on port %u\n", DISK_PAGES * 8,
           DISK_PAGES / 256, (unsigned)fe, (unsigned)port);
    uint64_t idle_since = system_time_ns();
    const char *end = "the frontend closed its event channel";
    for (;;) {
        clear_pending(port);
        unsigned budget = 32;
        if (crash_after && crash_after - be.stats.requests < budget)
            budget = crash_after - be.stats.requests;
        int notify;
        int n = blkback_serve(&be, budget, &notify);
        if (notify)
            evtchn_send(port);
        if (n < 0) {
            end = "the ring's indices are corrupt: no longer served";
            break;
        }
        if (crash_after && be.stats.requests >= crash_after) {
            printf("blkback: crash_after=%u: crashing with %u requests served\n", crash_after,
                   be.stats.requests);
            struct sched_shutdown sd = { SHUTDOWN_crash };
            hv_sched_op(SCHEDOP_shutdown, &sd);
        }
        if (n > 0) {
            idle_since = system_time_ns();
            continue;
        }
        if (port_status(port) != EVTCHNSTAT_interdomain)
            break;
        if (system_time_ns() - idle_since > 10000000000ull) {
            end = "the frontend was silent for 10 s";
            break;
        }
        poll_port(port, system_time_ns() + 50000000u);
    }
    struct blkback_stats *s = &be.stats;
    printf("blkback: %s\n", end);
    printf("blkback: %u requests (%u reads, %u writes, %u errors, %u unsupported), %u segments\n",
           s->requests, s->reads, s->writes, s->errors, s->unsupported, s->segments);
    unsigned mib = s->segments / 256 ? s->segments / 256 : 1;
    printf("blkback: %u grant copies in %u hypercalls for %u MiB\n", copies, copy_calls, mib);
    print_per_mib("blkback", "grant copies", copies, mib);
    struct gnttab_unmap_grant_ref u = { BLK_RING_VA, 0, m.handle, 0, 0 };
    rc = hv_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
    ok(rc == 0 && u.status == GNTST_okay, "back: ring unmapped: %d", u.status);
    uint32_t cl = port;                     /* struct evtchn_close */
    hv_event_channel_op(EVTCHNOP_close, &cl);
    ok(!be.broken && s->errors == 0, "back: served without error");
    return tap_done();
}
