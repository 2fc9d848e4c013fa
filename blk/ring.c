/* ring.c: Xen's shared-ring producer/consumer rules (see ring.h). */
#include "ring.h"

#define MASK(i) ((i) & (BLKIF_RING_SIZE - 1))

static blkif_ring_idx load(const blkif_ring_idx *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}
static void store(blkif_ring_idx *p, blkif_ring_idx v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}
static void mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

static void copy_bytes(void *dst, const volatile void *src, size_t n)
{
    /* volatile: one read of each byte, so the other end cannot change the
     * copy while we validate it (RING_COPY_*) */
    const volatile uint8_t *s = src;
    uint8_t *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
}

void blk_front_init(struct blk_front_ring *r, struct blkif_sring *page)
{
    page->req_prod = page->rsp_prod = 0;
    page->req_event = page->rsp_event = 1;
    for (unsigned i = 0; i < sizeof(page->pvt_pad); i++)
        page->pvt_pad[i] = 0;
    for (unsigned i = 0; i < sizeof(page->pad); i++)
        page->pad[i] = 0;
    r->req_prod_pvt = r->rsp_cons = 0;
    r->sring = page;
}

void blk_back_init(struct blk_back_ring *r, struct blkif_sring *page)
{
    r->rsp_prod_pvt = r->req_cons = 0;
    r->sring = page;
}

unsigned blk_front_free(const struct blk_front_ring *r)
{
    return BLKIF_RING_SIZE - (r->req_prod_pvt - r->rsp_cons);
}

struct blkif_request *blk_front_next_request(struct blk_front_ring *r)
{
    if (blk_front_free(r) == 0)
        return NULL;
    return &r->sring->ring[MASK(r->req_prod_pvt++)].req;
}

static int push_and_check(blkif_ring_idx *prod, const blkif_ring_idx *event, blkif_ring_idx now)
{
    blkif_ring_idx old = *prod;
    store(prod, now);                   /* entries visible before the index */
    mb();                               /* the index visible before we read the event */
    blkif_ring_idx ev = load(event);
    return (blkif_ring_idx)(now - ev) < (blkif_ring_idx)(now - old);
}

int blk_front_push_requests(struct blk_front_ring *r)
{
    return push_and_check(&r->sring->req_prod, &r->sring->req_event, r->req_prod_pvt);
}

int blk_front_unconsumed(const struct blk_front_ring *r)
{
    blkif_ring_idx n = load(&r->sring->rsp_prod) - r->rsp_cons;
    if (n > r->req_prod_pvt - r->rsp_cons)      /* more than we asked for */
        return -1;
    return (int)n;
}

void blk_front_take_response(struct blk_front_ring *r, struct blkif_response *out)
{
    copy_bytes(out, &r->sring->ring[MASK(r->rsp_cons)].rsp, sizeof(*out));
    r->rsp_cons++;
}

int blk_front_final_check(struct blk_front_ring *r)
{
    int n = blk_front_unconsumed(r);
    if (n)
        return n < 0 ? -1 : 1;
    store(&r->sring->rsp_event, r->rsp_cons + 1);
    mb();
    n = blk_front_unconsumed(r);
    return n < 0 ? -1 : n > 0;
}

int blk_back_unconsumed(const struct blk_back_ring *r)
{
    blkif_ring_idx prod = load(&r->sring->req_prod);
    if (prod - r->rsp_prod_pvt > BLKIF_RING_SIZE)   /* RING_REQUEST_PROD_OVERFLOW */
        return -1;
    blkif_ring_idx req = prod - r->req_cons;
    blkif_ring_idx room = BLKIF_RING_SIZE - (r->req_cons - r->rsp_prod_pvt);
    return (int)(req < room ? req : room);
}

void blk_back_take_request(struct blk_back_ring *r, struct blkif_request *out)
{
    copy_bytes(out, &r->sring->ring[MASK(r->req_cons)].req, sizeof(*out));
    r->req_cons++;
}

void blk_back_put_response(struct blk_back_ring *r, const struct blkif_response *rsp)
{
    struct blkif_response *slot = &r->sring->ring[MASK(r->rsp_prod_pvt)].rsp;
    *slot = *rsp;
    r->rsp_prod_pvt++;
}

int blk_back_push_responses(struct blk_back_ring *r)
{
    return push_and_check(&r->sring->rsp_prod, &r->sring->rsp_event, r->rsp_prod_pvt);
}

int blk_back_final_check(struct blk_back_ring *r)
{
    int n = blk_back_unconsumed(r);
    if (n)
        return n < 0 ? -1 : 1;
    store(&r->sring->req_event, r->req_cons + 1);
    mb();
    n = blk_back_unconsumed(r);
    return n < 0 ? -1 : n > 0;
}
