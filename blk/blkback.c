/* blkback.c: the block backend's request handling (see blkback.h). */
#include "blkback.h"

static int16_t fail(int *why, int reason, struct blkback_stats *st)
{
    *why = reason;
    if (reason == BLKB_UNSUPPORTED) {
        st->unsupported++;
        return BLKIF_RSP_EOPNOTSUPP;
    }
    st->errors++;
    return BLKIF_RSP_ERROR;
}

int16_t blkback_handle(const struct blk_disk *disk, const struct blk_seg_io *io,
                       const struct blkif_request *req, int *why, struct blkback_stats *st)
{
    int write = req->operation == BLKIF_OP_WRITE;
    st->requests++;
    *why = BLKB_OK;
    if (req->operation != BLKIF_OP_READ && !write)
        return fail(why, BLKB_UNSUPPORTED, st);
    unsigned n = req->nr_segments;
    if (n == 0)
        return fail(why, BLKB_NO_SEGMENTS, st);
    if (n > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return fail(why, BLKB_TOO_MANY_SEGMENTS, st);
    if (write && disk->readonly)
        return fail(why, BLKB_READONLY, st);
    /* Validate every segment and the whole range before touching data. */
    uint64_t total = 0;
    for (unsigned i = 0; i < n; i++) {
        const struct blkif_request_segment *s = &req->seg[i];
        if (s->last_sect >= BLKIF_SECTORS_PER_PAGE || s->first_sect > s->last_sect)
            return fail(why, BLKB_BAD_SEGMENT, st);
        total += (uint64_t)(s->last_sect - s->first_sect + 1);
    }
    uint64_t start = req->sector_number;
    if (start > disk->sectors || total > disk->sectors - start)
        return fail(why, BLKB_BEYOND_DISK, st);
    uint64_t sector = start;
    for (unsigned i = 0; i < n; i++) {
        const struct blkif_request_segment *s = &req->seg[i];
        uint32_t nsec = (uint32_t)(s->last_sect - s->first_sect + 1);
        if (io->io(io->ctx, s->gref, (uint32_t)s->first_sect * BLKIF_SECTOR_SIZE,
                   sector * BLKIF_SECTOR_SIZE, nsec * BLKIF_SECTOR_SIZE, write) < 0)
            return fail(why, BLKB_IO_FAILED, st);
        sector += nsec;
    }
    st->segments += n;
    if (write)
        st->writes++;
    else
        st->reads++;
    return BLKIF_RSP_OKAY;
}

void blkback_init(struct blkback *b, struct blkif_sring *page, const struct blk_disk *disk,
                  const struct blk_seg_io *io)
{
    blk_back_init(&b->ring, page);
    b->disk = *disk;
    b->io = *io;
    b->stats = (struct blkback_stats){ 0 };
    b->broken = 0;
    b->crash_after = 0;
}

int blkback_serve(struct blkback *b, unsigned budget, int *notify)
{
    *notify = 0;
    if (b->broken)
        return -1;
    unsigned done = 0, looks = 0;
    /* bounded: each pass serves one request or looks at the indices, and a
     * frontend that moves req_prod back and forth gets at most budget looks */
    while (done < budget && looks++ < 2 * budget + 2) {
        int avail = blk_back_unconsumed(&b->ring);
        if (avail < 0) {
            b->broken = 1;
            break;
        }
        if (avail == 0) {
            /* nothing left: arm req_event and look once more */
            int more = blk_back_final_check(&b->ring);
            if (more < 0) {
                b->broken = 1;
                break;
            }
            if (!more)
                break;
            continue;
        }
        struct blkif_request req;
        blk_back_take_request(&b->ring, &req);
        int why;
        struct blkif_response rsp = { req.id, req.operation,
                                      blkback_handle(&b->disk, &b->io, &req, &why, &b->stats) };
        blk_back_put_response(&b->ring, &rsp);
        done++;
    }
    if (done)
        *notify = blk_back_push_responses(&b->ring);
    return b->broken ? -1 : (int)done;
}
