/* blkfront.c: the block frontend's ring bookkeeping (see blkfront.h). */
#include "blkfront.h"

#define FREE_SLOT 0xff

void blkfront_init(struct blkfront *f, struct blkif_sring *page)
{
    blk_front_init(&f->ring, page);
    for (unsigned i = 0; i < BLKIF_RING_SIZE; i++)
        f->op[i] = FREE_SLOT;
    f->outstanding = 0;
    f->broken = 0;
    f->stats = (struct blkfront_stats){ 0 };
}

int blkfront_queue(struct blkfront *f, uint8_t op, blkif_sector sector, const blkif_gref *grefs,
                   unsigned nseg)
{
    if (f->broken || nseg == 0 || nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return -1;
    unsigned id = 0;
    while (id < BLKIF_RING_SIZE && f->op[id] != FREE_SLOT)
        id++;
    if (id == BLKIF_RING_SIZE)
        return -1;
    struct blkif_request *r = blk_front_next_request(&f->ring);
    if (!r)
        return -1;
    struct blkif_request q = { 0 };
    q.operation = op;
    q.nr_segments = (uint8_t)nseg;
    q.handle = 0;
    q.id = id;
    q.sector_number = sector;
    for (unsigned i = 0; i < nseg; i++) {
        q.seg[i].gref = grefs[i];
        q.seg[i].first_sect = 0;
        q.seg[i].last_sect = BLKIF_SECTORS_PER_PAGE - 1;
    }
    *r = q;
    f->op[id] = op;
    f->outstanding++;
    f->stats.requests++;
    return (int)id;
}

int blkfront_push(struct blkfront *f)
{
    return blk_front_push_requests(&f->ring);
}

int blkfront_collect(struct blkfront *f, void (*done)(void *ctx, unsigned id, int16_t status),
                     void *ctx)
{
    if (f->broken)
        return -1;
    int taken = 0;
    for (unsigned looks = 0; looks < 2 * BLKIF_RING_SIZE + 2; looks++) {
        int n = blk_front_unconsumed(&f->ring);
        if (n == 0)
            n = blk_front_final_check(&f->ring);
        if (n < 0)
            goto broken;
        if (n == 0)
            break;
        struct blkif_response rsp;
        blk_front_take_response(&f->ring, &rsp);
        if (rsp.id >= BLKIF_RING_SIZE || f->op[rsp.id] == FREE_SLOT ||
            f->op[rsp.id] != rsp.operation)
            goto broken;
        unsigned id = (unsigned)rsp.id;
        f->op[id] = FREE_SLOT;
        f->outstanding--;
        f->stats.responses++;
        if (rsp.status != BLKIF_RSP_OKAY)
            f->stats.errors++;
        done(ctx, id, rsp.status);
        taken++;
    }
    return taken;
broken:
    f->broken = 1;
    return -1;
}
