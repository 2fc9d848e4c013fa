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

/* The grant-map path: map the frontend's page (read-only when we only
 * read it), map the disk frame(s) at a window, memcpy, unmap the grant. */
#define WIN_GREF_VA 0x00210000u
#define WIN_DISK_VA 0x00212000u          /* two pages: a range may cross a frame */
static uint32_t maps, unmaps;

/* lengths are whole sectors: rep movsl, as a real backend's memcpy */
static void copy_words(void *dst, const void *src, uint32_t len)
{
    uint32_t n = len / 4;
    __asm__ __volatile__("cld; rep movsl" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static int map_io(void *ctx, blkif_gref gref, uint32_t page_off, uint64_t disk_off, uint32_t len,
                  int write)
{
    (void)ctx;
    uint32_t frame = (uint32_t)(disk_off / 4096), off = (uint32_t)(disk_off % 4096);
    unsigned frames = off + len > 4096 ? 2 : 1;
    if (frame + frames > DISK_PAGES || page_off + len > 4096)
        return -1;
    for (unsigned i = 0; i < frames; i++)
        if (map_page(WIN_DISK_VA + i * 4096, pfn_to_mfn(DISK_PFN + frame + i),
                     PTE_P | PTE_RW | PTE_A | PTE_D))
            return -1;
    struct gnttab_map_grant_ref m;
    memset(&m, 0, sizeof(m));
    m.host_addr = WIN_GREF_VA;
    m.flags = GNTMAP_host_map | (write ? GNTMAP_readonly : 0);
    m.ref = gref;
    m.dom = (domid_t)peer;
    maps++;
    if (hv_grant_table_op(GNTTABOP_map_grant_ref, &m, 1) || m.status != GNTST_okay)
        return -1;
    uint8_t *page = (uint8_t *)(uintptr_t)WIN_GREF_VA + page_off;
    uint8_t *d = (uint8_t *)(uintptr_t)WIN_DISK_VA + off;
    if (write)
        copy_words(d, page, len);
    else
        copy_words(page, d, len);
    struct gnttab_unmap_grant_ref u = { WIN_GREF_VA, 0, m.handle, 0, 0 };
    unmaps++;
    if (hv_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1) || u.status != GNTST_okay)
        return -1;
    return 0;
}

static struct blkback be;
static uint32_t port;
static struct gnttab_map_grant_ref ring_map;

/* the handshake's connect: bind the published event channel, map ring-ref */
static int connect_ring(void *ctx, uint32_t ring_ref, uint32_t evtchn)
{
    (void)ctx;
    struct evtchn_bind_interdomain b = { (domid_t)peer, 0, evtchn, 0 };
    if (hv_event_channel_op(EVTCHNOP_bind_interdomain, &b)) {
        printf("blkback: error: bind_interdomain d%u port %u refused\n", (unsigned)peer,
               (unsigned)evtchn);
        return -1;
    }
    port = b.local_port;
    memset(&ring_map, 0, sizeof(ring_map));
    ring_map.host_addr = BLK_RING_VA;
    ring_map.flags = GNTMAP_host_map;
    ring_map.ref = ring_ref;
    ring_map.dom = (domid_t)peer;
    int32_t rc = hv_grant_table_op(GNTTABOP_map_grant_ref, &ring_map, 1);
    if (rc || ring_map.status != GNTST_okay) {
        printf("blkback: error: ring-ref %u of d%u: map status %d\n", (unsigned)ring_ref,
               (unsigned)peer, ring_map.status);
        uint32_t cl = port;
        hv_event_channel_op(EVTCHNOP_close, &cl);
        return -1;
    }
    return 0;
}

static int back_step(void *h) { return blkback_hs_step(h); }

static void snprintf_path(char *path, uint32_t fe)
{
    /* backend/vbd/<fe>/51712, relative to our home */
    const char *a = "backend/vbd/";
    unsigned n = 0;
    for (; a[n]; n++)
        path[n] = a[n];
    char d[12];
    unsigned k = 0;
    do
        d[k++] = (char)('0' + fe % 10);
    while ((fe /= 10));
    while (k)
        path[n++] = d[--k];
    a = "/" BLK_VDEV;
    for (unsigned i = 0; a[i]; i++)
        path[n++] = a[i];
    path[n] = 0;
}

int blk_back(uint32_t fe, unsigned crash_after, int use_map)
{
    peer = fe;
    if (start_info->nr_pages < DISK_PFN + DISK_PAGES ||
        start_info->pt_base + start_info->nr_pt_frames * 4096u > DISK_PFN * 4096u) {
        printf("blkback: error: %u pages: give the backend mem=24\n",
               (unsigned)start_info->nr_pages);
        return 1;
    }
    /* the toolstack's part, then the backend's handshake over xenstore */
    uint32_t self = blk_own_domid();
    if (!self) {
        printf("blkback: error: cannot read our domid from the store\n");
        return 1;
    }
    if (blk_toolstack_add(self, fe))
        return 1;
    char path[BLKHS_PATH];
    snprintf_path(path, fe);
    struct blkback_hs hs;
    int h = blkback_hs_start(&hs, &blk_xenbus, path, DISK_PAGES * 8ull, 0, connect_ring, NULL);
    h = blk_hs_run(back_step, &hs, h, &hs.why);
    ok(h == BLKHS_CONNECTED, "back: %s: connected through xenstore (%s)", path,
       h == BLKHS_CONNECTED ? "state 4" : hs.why);
    if (h != BLKHS_CONNECTED)
        return tap_done() | 1;
    ok(1, "back: bound d%u's port %u as %u, mapped its ring (ref %u): status %d", (unsigned)fe,
       (unsigned)hs.evtchn, (unsigned)port, (unsigned)hs.ring_ref, ring_map.status);

    const struct blk_disk disk = { DISK_PAGES * 8ull, 0 };
    const struct blk_seg_io io = { use_map ? map_io : copy_io, NULL };
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
    if (use_map) {
        printf("blkback: grant map path: %u maps and %u unmaps for %u MiB\n", maps, unmaps, mib);
        print_per_mib("blkback", "grant maps + unmaps", maps + unmaps, mib);
    } else {
        printf("blkback: %u grant copies in %u hypercalls for %u MiB\n", copies, copy_calls, mib);
        print_per_mib("blkback", "grant copies", copies, mib);
    }
    struct gnttab_unmap_grant_ref u = { BLK_RING_VA, 0, ring_map.handle, 0, 0 };
    int32_t rc = hv_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
    ok(rc == 0 && u.status == GNTST_okay, "back: ring unmapped: %d", u.status);
    uint32_t cl = port;                     /* struct evtchn_close */
    hv_event_channel_op(EVTCHNOP_close, &cl);
    ok(!be.broken && s->errors == 0, "back: served without error");
    /* as blkback on the frontend's close: Closed */
    char st[BLKHS_PATH + 8];
    unsigned pl = 0;
    while (path[pl])
        pl++;
    memcpy(st, path, pl);
    memcpy(st + pl, "/state", 7);
    int w = xs_write(0, st, "6");
    ok(w == 0, "back: %s = 6 (Closed): %d", st, w);
    return tap_done();
}
