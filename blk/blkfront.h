/*
 * blkfront.h: the frontend's side of the ring (docs/blkif.md): requests of
 * whole pages, ids that name a slot of its own table, and responses checked
 * against what is in flight: a response for an id not in flight, with the
 * wrong operation, or more responses than requests break the connection.
 */
#ifndef PV86_BLKFRONT_H
#define PV86_BLKFRONT_H

#include "ring.h"

struct blkfront_stats {
    unsigned requests, responses, errors;
};

struct blkfront {
    struct blk_front_ring ring;
    uint8_t op[BLKIF_RING_SIZE];        /* 0xff: slot free */
    unsigned outstanding;
    int broken;
    struct blkfront_stats stats;
};

void blkfront_init(struct blkfront *f, struct blkif_sring *page);
/* Queue op (BLKIF_OP_READ/WRITE) of nseg whole pages (grefs) from sector.
 * Returns the request's id (its slot), or -1 when full or nseg is not
 * 1..11. Call blk_front_push_requests (blkfront_push) to publish. */
int blkfront_queue(struct blkfront *f, uint8_t op, blkif_sector sector, const blkif_gref *grefs,
                   unsigned nseg);
int blkfront_push(struct blkfront *f);
/* Take every response waiting; done(ctx, id, status) for each. Returns the
 * number taken, or -1 when the backend broke the protocol (f->broken). */
int blkfront_collect(struct blkfront *f, void (*done)(void *ctx, unsigned id, int16_t status),
                     void *ctx);

#endif
