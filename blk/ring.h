/*
 * ring.h: the two private halves of a blkif shared ring and the producer/
 * consumer rules of Xen's io/ring.h (RING_PUSH_*_AND_CHECK_NOTIFY,
 * RING_FINAL_CHECK_FOR_*, the overflow checks) as functions. The shared
 * page's indices are written by the other end: every function that reads
 * one treats it as untrusted (docs/blkif.md).
 */
#ifndef PV86_BLK_RING_H
#define PV86_BLK_RING_H

#include "blkif.h"

struct blk_front_ring {
    blkif_ring_idx req_prod_pvt, rsp_cons;
    struct blkif_sring *sring;
};
struct blk_back_ring {
    blkif_ring_idx rsp_prod_pvt, req_cons;
    struct blkif_sring *sring;
};

/* SHARED_RING_INIT + FRONT_RING_INIT (only the front initialises the page). */
void blk_front_init(struct blk_front_ring *r, struct blkif_sring *page);
void blk_back_init(struct blk_back_ring *r, struct blkif_sring *page);

/* front: free slots (RING_FREE_REQUESTS), the next request slot (NULL when
 * full; advances req_prod_pvt), publish them (1: notify the back). */
unsigned blk_front_free(const struct blk_front_ring *r);
struct blkif_request *blk_front_next_request(struct blk_front_ring *r);
int blk_front_push_requests(struct blk_front_ring *r);
/* Responses waiting: >= 0, or -1 when rsp_prod claims more responses than
 * requests outstanding (RING_RESPONSE_PROD_OVERFLOW: a broken backend). */
int blk_front_unconsumed(const struct blk_front_ring *r);
/* Copy out the next response (RING_COPY_RESPONSE) and consume it. */
void blk_front_take_response(struct blk_front_ring *r, struct blkif_response *out);
/* RING_FINAL_CHECK_FOR_RESPONSES: 1 (or -1, broken) when more arrived,
 * else arms rsp_event and looks once more. */
int blk_front_final_check(struct blk_front_ring *r);

/* back: requests waiting (RING_HAS_UNCONSUMED_REQUESTS: the min of what the
 * front published and the room for responses), or -1 when req_prod is more
 * than a ring ahead of our responses (RING_REQUEST_PROD_OVERFLOW). */
int blk_back_unconsumed(const struct blk_back_ring *r);
void blk_back_take_request(struct blk_back_ring *r, struct blkif_request *out);
void blk_back_put_response(struct blk_back_ring *r, const struct blkif_response *rsp);
int blk_back_push_responses(struct blk_back_ring *r);
int blk_back_final_check(struct blk_back_ring *r);

#endif
