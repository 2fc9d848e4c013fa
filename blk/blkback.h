/*
 * blkback.h: the backend's decisions (docs/blkif.md): validate one request
 * copied off the ring and carry it out on a RAM disk through the caller's
 * segment I/O (grant copy or grant map in a domain, memcpy on the host), and
 * serve a ring: a bounded number of requests a call, and a ring whose
 * indices cannot be right stops being served, with an error, for good.
 */
#ifndef PV86_BLKBACK_H
#define PV86_BLKBACK_H

#include "ring.h"

struct blk_seg_io {
    /* Move len bytes between the frontend's granted page gref at page_off
     * and the disk at byte disk_off (write: page -> disk). 0, or < 0 when
     * the grant operation failed (the request answers BLKIF_RSP_ERROR). */
    int (*io)(void *ctx, blkif_gref gref, uint32_t page_off, uint64_t disk_off, uint32_t len,
              int write);
    void *ctx;
};

struct blk_disk {
    uint64_t sectors;           /* the disk's size in 512-byte sectors */
    int readonly;
};

struct blkback_stats {
    unsigned requests, reads, writes, segments, errors, unsupported;
};

/* Why a request was refused (for the log): BLKB_* */
enum {
    BLKB_OK = 0,
    BLKB_NO_SEGMENTS,       /* read/write with nr_segments 0 */
    BLKB_TOO_MANY_SEGMENTS, /* nr_segments > 11 */
    BLKB_BAD_SEGMENT,       /* first_sect > last_sect or last_sect > 7 */
    BLKB_BEYOND_DISK,       /* a sector range past the end (or wrapping) */
    BLKB_READONLY,          /* a write to a read-only disk */
    BLKB_IO_FAILED,         /* the segment I/O failed */
    BLKB_UNSUPPORTED,       /* an operation we do not do */
};

/* Carry out one request (a local copy): the response's status, and why in
 * *why (BLKB_*). */
int16_t blkback_handle(const struct blk_disk *disk, const struct blk_seg_io *io,
                       const struct blkif_request *req, int *why,
                       struct blkback_stats *stats);

struct blkback {
    struct blk_back_ring ring;
    struct blk_disk disk;
    struct blk_seg_io io;
    struct blkback_stats stats;
    int broken;                 /* the ring's indices were impossible: not served again */
    unsigned crash_after;       /* test hook for the domain: 0, or stop after N requests */
};

void blkback_init(struct blkback *b, struct blkif_sring *page, const struct blk_disk *disk,
                  const struct blk_seg_io *io);
/* Serve up to budget requests; *notify says whether to kick the frontend.
 * Returns the number served (then call again while it returns budget),
 * or -1 when the ring is (or was already) broken. */
int blkback_serve(struct blkback *b, unsigned budget, int *notify);

#endif
