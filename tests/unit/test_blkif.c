/* Unit tests: the blkif ring (blk/ring.c), the backend's request handling
 * over a RAM disk (blk/blkback.c) and the frontend's bookkeeping
 * (blk/blkfront.c), with exact statuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "blkback.h"
#include "blkfront.h"

#define DISK_SECTORS 64u                   /* 32 KiB */
static uint8_t disk[DISK_SECTORS * 512];
static uint8_t pages[16][4096];            /* grefs 0..15 name these */
static _Alignas(4096) uint8_t ring_page[4096];
static unsigned io_calls, fail_gref = ~0u;

static int ram_io(void *ctx, blkif_gref gref, uint32_t off, uint64_t disk_off, uint32_t len,
                  int write)
{
    (void)ctx;
    io_calls++;
    if (gref >= 16 || gref == fail_gref)
        return -1;
    assert_true(off + len <= 4096 && disk_off + len <= sizeof(disk));
    if (write)
        memcpy(disk + disk_off, pages[gref] + off, len);
    else
        memcpy(pages[gref] + off, disk + disk_off, len);
    return 0;
}
static const struct blk_seg_io io = { ram_io, NULL };
static const struct blk_disk rw_disk = { DISK_SECTORS, 0 };

static int setup(void **state)
{
    (void)state;
    memset(disk, 0, sizeof(disk));
    memset(pages, 0, sizeof(pages));
    memset(ring_page, 0xEE, sizeof(ring_page));
    io_calls = 0;
    fail_gref = ~0u;
    return 0;
}

static struct blkif_request rq(uint8_t op, uint8_t nseg, uint64_t sector)
{
    struct blkif_request r;
    memset(&r, 0, sizeof(r));
    r.operation = op;
    r.nr_segments = nseg;
    r.id = 0x1122334455667788ull;
    r.sector_number = sector;
    for (unsigned i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
        r.seg[i].gref = i;
        r.seg[i].first_sect = 0;
        r.seg[i].last_sect = 7;
    }
    return r;
}

static int16_t handle(const struct blk_disk *d, const struct blkif_request *r, int *why)
{
    struct blkback_stats st = { 0 };
    return blkback_handle(d, &io, r, why, &st);
}

/* ---- layout: Xen's x86_32 offsets */
static void test_layout(void **state)
{
    (void)state;
    assert_int_equal(sizeof(struct blkif_request), 108);
    assert_int_equal(offsetof(struct blkif_request, operation), 0);
    assert_int_equal(offsetof(struct blkif_request, nr_segments), 1);
    assert_int_equal(offsetof(struct blkif_request, handle), 2);
    assert_int_equal(offsetof(struct blkif_request, id), 4);
    assert_int_equal(offsetof(struct blkif_request, sector_number), 12);
    assert_int_equal(offsetof(struct blkif_request, seg), 20);
    assert_int_equal(offsetof(struct blkif_request, seg[1].gref), 28);
    assert_int_equal(offsetof(struct blkif_request, seg[10].last_sect), 20 + 80 + 5);
    assert_int_equal(offsetof(struct blkif_request_segment, first_sect), 4);
    assert_int_equal(offsetof(struct blkif_request_segment, last_sect), 5);
    assert_int_equal(sizeof(struct blkif_response), 12);
    assert_int_equal(offsetof(struct blkif_response, operation), 8);
    assert_int_equal(offsetof(struct blkif_response, status), 10);
    assert_int_equal(sizeof(union blkif_sring_entry), 108);
    assert_int_equal(offsetof(struct blkif_sring, req_event), 4);
    assert_int_equal(offsetof(struct blkif_sring, rsp_prod), 8);
    assert_int_equal(offsetof(struct blkif_sring, rsp_event), 12);
    assert_int_equal(offsetof(struct blkif_sring, ring), 64);
    /* __RING_SIZE: (4096 - 64) / 108 = 37, rounded down to a power of 2 */
    unsigned fit = (4096 - 64) / 108, p = 1;
    while (p * 2 <= fit)
        p *= 2;
    assert_int_equal(fit, 37);
    assert_int_equal(p, BLKIF_RING_SIZE);
    assert_int_equal(BLKIF_RING_SIZE, 32);
    assert_true(64 + 32 * 108 <= 4096);
}

/* ---- the ring's producer/consumer rules */
static void test_init(void **state)
{
    (void)state;
    struct blk_front_ring f;
    struct blkif_sring *s = (struct blkif_sring *)ring_page;
    blk_front_init(&f, s);
    assert_int_equal(s->req_prod, 0);
    assert_int_equal(s->rsp_prod, 0);
    assert_int_equal(s->req_event, 1);
    assert_int_equal(s->rsp_event, 1);
    for (unsigned i = 16; i < 64; i++)
        assert_int_equal(ring_page[i], 0);
    assert_int_equal(ring_page[64], 0xEE);         /* entries untouched */
    assert_int_equal(blk_front_free(&f), 32);
}

static void test_push_notify(void **state)
{
    (void)state;
    struct blk_front_ring f;
    struct blk_back_ring b;
    struct blkif_sring *s = (struct blkif_sring *)ring_page;
    blk_front_init(&f, s);
    blk_back_init(&b, s);
    assert_non_null(blk_front_next_request(&f));
    assert_int_equal(blk_front_push_requests(&f), 1);      /* req_event 1: 0 -> 1 crosses it */
    assert_int_equal(s->req_prod, 1);
    assert_non_null(blk_front_next_request(&f));
    assert_int_equal(blk_front_push_requests(&f), 0);      /* 1 -> 2: the back is awake */
    assert_int_equal(blk_back_unconsumed(&b), 2);
    struct blkif_request r;
    blk_back_take_request(&b, &r);
    blk_back_take_request(&b, &r);
    assert_int_equal(blk_back_unconsumed(&b), 0);
    assert_int_equal(blk_back_final_check(&b), 0);
    assert_int_equal(s->req_event, 3);                     /* armed for the next one */
    assert_non_null(blk_front_next_request(&f));
    assert_int_equal(blk_front_push_requests(&f), 1);
    assert_int_equal(blk_back_final_check(&b), 1);         /* work: no re-arm */
    assert_int_equal(s->req_event, 3);

    /* responses: rsp_event 1 */
    struct blkif_response rsp = { 7, BLKIF_OP_READ, 0 };
    blk_back_put_response(&b, &rsp);
    assert_int_equal(blk_back_push_responses(&b), 1);
    blk_back_put_response(&b, &rsp);
    assert_int_equal(blk_back_push_responses(&b), 0);
    assert_int_equal(blk_front_unconsumed(&f), 2);
    struct blkif_response got;
    blk_front_take_response(&f, &got);
    assert_int_equal(got.id, 7);
    blk_front_take_response(&f, &got);
    assert_int_equal(blk_front_final_check(&f), 0);
    assert_int_equal(s->rsp_event, 3);
    blk_back_put_response(&b, &rsp);
    assert_int_equal(blk_back_push_responses(&b), 1);
    assert_int_equal(blk_front_final_check(&f), 1);
}

static void test_full_and_wrap(void **state)
{
    (void)state;
    struct blk_front_ring f;
    struct blk_back_ring b;
    struct blkif_sring *s = (struct blkif_sring *)ring_page;
    blk_front_init(&f, s);
    blk_back_init(&b, s);
    /* indices near the 32-bit wrap: all differences stay right */
    f.req_prod_pvt = f.rsp_cons = b.req_cons = b.rsp_prod_pvt = 0xFFFFFFF0u;
    s->req_prod = s->rsp_prod = 0xFFFFFFF0u;
    for (unsigned i = 0; i < 32; i++)
        assert_non_null(blk_front_next_request(&f));
    assert_null(blk_front_next_request(&f));
    assert_int_equal(blk_front_free(&f), 0);
    blk_front_push_requests(&f);
    assert_int_equal(s->req_prod, 0x10u);
    assert_int_equal(blk_back_unconsumed(&b), 32);
}

/* ---- the backend's request handler */
static void test_read_write(void **state)
{
    (void)state;
    int why;
    memset(pages[0], 0xA1, 4096);
    memset(pages[1], 0xB2, 4096);
    struct blkif_request w = rq(BLKIF_OP_WRITE, 2, 8);
    assert_int_equal(handle(&rw_disk, &w, &why), BLKIF_RSP_OKAY);
    assert_int_equal(why, BLKB_OK);
    assert_int_equal(disk[8 * 512], 0xA1);
    assert_int_equal(disk[16 * 512 - 1], 0xA1);
    assert_int_equal(disk[16 * 512], 0xB2);
    assert_int_equal(disk[24 * 512 - 1], 0xB2);
    assert_int_equal(disk[24 * 512], 0);
    assert_int_equal(disk[8 * 512 - 1], 0);
    /* a partial segment: sectors 2..3 of page 2 from disk sector 9 */
    struct blkif_request r = rq(BLKIF_OP_READ, 1, 9);
    r.seg[0].gref = 2;
    r.seg[0].first_sect = 2;
    r.seg[0].last_sect = 3;
    assert_int_equal(handle(&rw_disk, &r, &why), BLKIF_RSP_OKAY);
    assert_int_equal(pages[2][2 * 512 - 1], 0);
    assert_int_equal(pages[2][2 * 512], 0xA1);
    assert_int_equal(pages[2][4 * 512 - 1], 0xA1);
    assert_int_equal(pages[2][4 * 512], 0);
    /* the last sector of the disk, 11 segments ending exactly at the end */
    struct blkif_request last = rq(BLKIF_OP_READ, 11, DISK_SECTORS - 11);
    for (unsigned i = 0; i < 11; i++)
        last.seg[i].first_sect = last.seg[i].last_sect = 7;
    assert_int_equal(handle(&rw_disk, &last, &why), BLKIF_RSP_OKAY);
}

static void test_bad_requests(void **state)
{
    (void)state;
    int why;
    struct blkif_request r = rq(BLKIF_OP_READ, 0, 0);
    assert_int_equal(handle(&rw_disk, &r, &why), BLKIF_RSP_ERROR);
    assert_int_equal(why, BLKB_NO_SEGMENTS);
    r = rq(BLKIF_OP_WRITE, 12, 0);
    assert_int_equal(handle(&rw_disk, &r, &why), BLKIF_RSP_ERROR);
    assert_int_equal(why, BLKB_TOO_MANY_SEGMENTS);
    r = rq(BLKIF_OP_READ, 255, 0);
    assert_int_equal(handle(&rw_disk, &r, &why), BLKIF_RSP_ERROR);
    assert_int_equal(why, BLKB_TOO_MANY_SEGMENTS);
    r = rq(BLKIF_OP_READ, 3, 0);
    r.seg[2].first_sect = 5;
    r.seg[2].last_sect = 4;
    assert_int_equal(handle(&rw_disk, &r, &why), BLKIF_RSP_ERROR);
    assert_int_equal(why, BLKB_BAD_SEGMENT);
    r = rq(BLKIF_OP_READ, 1, 0);
    r.seg[0].last_sect = 8;
    assert_int_equal(handle(&rw_disk, &r, &why), BLKIF_RSP_ERROR);
    assert_int_equal(why, BLKB_BAD_SEGMENT);
    r.seg[0].first_sect = 8;
    assert_int_equal(handle(&rw_disk, &r, &why), BLKIF_RSP_ERROR);
    assert_int_equal(why, BLKB_BAD_SEGMENT);
    r = rq(BLKIF_OP_READ, 1, DISK_SECTORS - 7);        /* one sector past the end */
    assert_int_equal(handle(&rw_disk, &r, &why), BLKIF_RSP_ERROR);
    assert_int_equal(why, BLKB_BEYOND_DISK);
    r = rq(BLKIF_OP_READ, 1, DISK_SECTORS);
    assert_int_equal(handle(&rw_disk, &r, &why), BLKIF_RSP_ERROR);
    assert_int_equal(why, BLKB_BEYOND_DISK);
    r = rq(BLKIF_OP_WRITE, 2, UINT64_MAX - 3);          /* wraps */
    assert_int_equal(handle(&rw_disk, &r, &why), BLKIF_RSP_ERROR);
    assert_int_equal(why, BLKB_BEYOND_DISK);
    /* a bad segment after good ones: nothing moved at all */
    r = rq(BLKIF_OP_WRITE, 3, 0);
    r.seg[2].last_sect = 9;
    memset(pages[0], 0x77, 4096);
    assert_int_equal(handle(&rw_disk, &r, &why), BLKIF_RSP_ERROR);
    assert_int_equal(io_calls, 0);
    assert_int_equal(disk[0], 0);
    /* a write to a read-only disk */
    const struct blk_disk ro = { DISK_SECTORS, 1 };
    r = rq(BLKIF_OP_WRITE, 1, 0);
    assert_int_equal(handle(&ro, &r, &why), BLKIF_RSP_ERROR);
    assert_int_equal(why, BLKB_READONLY);
    r.operation = BLKIF_OP_READ;
    assert_int_equal(handle(&ro, &r, &why), BLKIF_RSP_OKAY);
    /* the grant operation fails */
    fail_gref = 1;
    r = rq(BLKIF_OP_READ, 2, 0);
    assert_int_equal(handle(&rw_disk, &r, &why), BLKIF_RSP_ERROR);
    assert_int_equal(why, BLKB_IO_FAILED);
}

static void test_unsupported(void **state)
{
    (void)state;
    static const uint8_t ops[] = { BLKIF_OP_WRITE_BARRIER, BLKIF_OP_FLUSH_DISKCACHE, 4,
                                   BLKIF_OP_DISCARD, BLKIF_OP_INDIRECT, 7, 200, 255 };
    for (unsigned i = 0; i < sizeof(ops); i++) {
        int why;
        struct blkif_request r = rq(ops[i], 1, 0);
        assert_int_equal(handle(&rw_disk, &r, &why), BLKIF_RSP_EOPNOTSUPP);
        assert_int_equal(why, BLKB_UNSUPPORTED);
    }
    assert_int_equal(io_calls, 0);
}

/* ---- the backend serving a ring */
static void test_serve(void **state)
{
    (void)state;
    struct blkfront f;
    struct blkback b;
    struct blkif_sring *s = (struct blkif_sring *)ring_page;
    blkfront_init(&f, s);
    blkback_init(&b, s, &rw_disk, &io);
    blkif_gref g[2] = { 0, 1 };
    memset(pages[0], 0x31, 4096);
    memset(pages[1], 0x32, 4096);
    assert_int_equal(blkfront_queue(&f, BLKIF_OP_WRITE, 0, g, 2), 0);
    assert_int_equal(blkfront_queue(&f, BLKIF_OP_READ, 60, g, 1), 1);    /* past the end */
    struct blkif_request *odd = blk_front_next_request(&f.ring);         /* by hand: op 3 */
    *odd = rq(BLKIF_OP_FLUSH_DISKCACHE, 0, 0);
    odd->id = 2;
    f.op[2] = BLKIF_OP_FLUSH_DISKCACHE;
    f.outstanding++;
    assert_int_equal(blkfront_push(&f), 1);
    int notify;
    assert_int_equal(blkback_serve(&b, 16, &notify), 3);
    assert_int_equal(notify, 1);
    assert_int_equal(s->req_event, 4);          /* final check armed it */
    assert_int_equal(b.stats.requests, 3);
    assert_int_equal(b.stats.writes, 1);
    assert_int_equal(b.stats.errors, 1);
    assert_int_equal(b.stats.unsupported, 1);
    assert_int_equal(disk[4095], 0x31);
    assert_int_equal(disk[4096], 0x32);
    struct blkif_response *r1 = &s->ring[1].rsp;
    assert_int_equal(r1->status, BLKIF_RSP_ERROR);
    assert_int_equal(r1->id, 1);
    assert_int_equal(s->ring[2].rsp.status, BLKIF_RSP_EOPNOTSUPP);
    assert_int_equal(s->ring[2].rsp.operation, BLKIF_OP_FLUSH_DISKCACHE);
    assert_int_equal(s->ring[0].rsp.status, BLKIF_RSP_OKAY);
    assert_int_equal(s->ring[0].rsp.operation, BLKIF_OP_WRITE);
    assert_int_equal(blkback_serve(&b, 16, &notify), 0);
    assert_int_equal(notify, 0);
}

static int16_t statuses[BLKIF_RING_SIZE];
static unsigned dones;
static void done(void *ctx, unsigned id, int16_t st)
{
    (void)ctx;
    statuses[id] = st;
    dones++;
}

static void test_budget(void **state)
{
    (void)state;
    struct blkfront f;
    struct blkback b;
    struct blkif_sring *s = (struct blkif_sring *)ring_page;
    blkfront_init(&f, s);
    blkback_init(&b, s, &rw_disk, &io);
    blkif_gref g = 3;
    for (unsigned i = 0; i < 32; i++)
        assert_int_equal(blkfront_queue(&f, BLKIF_OP_READ, i, &g, 1), (int)i);
    assert_int_equal(blkfront_queue(&f, BLKIF_OP_READ, 0, &g, 1), -1);      /* full */
    blkfront_push(&f);
    int notify;
    assert_int_equal(blkback_serve(&b, 10, &notify), 10);
    assert_int_equal(blkback_serve(&b, 10, &notify), 10);
    assert_int_equal(blkback_serve(&b, 100, &notify), 12);
    dones = 0;
    assert_int_equal(blkfront_collect(&f, done, NULL), 32);
    assert_int_equal(dones, 32);
    assert_int_equal(statuses[31], BLKIF_RSP_OKAY);
    assert_int_equal(f.outstanding, 0);
    assert_int_equal(blk_front_free(&f.ring), 32);
}

static void test_corrupt_req_prod(void **state)
{
    (void)state;
    struct blkfront f;
    struct blkback b;
    struct blkif_sring *s = (struct blkif_sring *)ring_page;
    blkfront_init(&f, s);
    blkback_init(&b, s, &rw_disk, &io);
    s->req_prod = 33;                 /* 33 requests in a 32-entry ring */
    int notify = 7;
    assert_int_equal(blkback_serve(&b, 1000, &notify), -1);
    assert_int_equal(notify, 0);
    assert_int_equal(b.broken, 1);
    assert_int_equal(b.stats.requests, 0);
    assert_int_equal(s->rsp_prod, 0);
    s->req_prod = 1;                  /* sane again: still not served */
    assert_int_equal(blkback_serve(&b, 1000, &notify), -1);
    assert_int_equal(b.stats.requests, 0);
    /* behind our responses (a huge unsigned distance) */
    blkback_init(&b, s, &rw_disk, &io);
    s->req_prod = 0xFFFFFFFFu;
    assert_int_equal(blkback_serve(&b, 1000, &notify), -1);
    /* exactly a ring ahead is legal (32 requests) */
    blkback_init(&b, s, &rw_disk, &io);
    memset(s->ring, 0, 32 * sizeof(s->ring[0]));
    s->req_prod = 32;
    assert_int_equal(blkback_serve(&b, 1000, &notify), 32);
    assert_int_equal(b.stats.errors, 32);          /* zeroed entries: reads of 0 segments */
    assert_int_equal(s->rsp_prod, 32);
}

static void test_front_checks_backend(void **state)
{
    (void)state;
    struct blkfront f;
    struct blkif_sring *s = (struct blkif_sring *)ring_page;
    blkif_gref g = 0;
    /* more responses than requests */
    blkfront_init(&f, s);
    assert_int_equal(blkfront_queue(&f, BLKIF_OP_READ, 0, &g, 1), 0);
    blkfront_push(&f);
    s->rsp_prod = 2;
    dones = 0;
    assert_int_equal(blkfront_collect(&f, done, NULL), -1);
    assert_int_equal(f.broken, 1);
    assert_int_equal(dones, 0);
    assert_int_equal(blkfront_queue(&f, BLKIF_OP_READ, 0, &g, 1), -1);
    /* a response for an id not in flight */
    blkfront_init(&f, s);
    assert_int_equal(blkfront_queue(&f, BLKIF_OP_READ, 0, &g, 1), 0);
    s->ring[0].rsp = (struct blkif_response){ 5, BLKIF_OP_READ, 0 };
    s->rsp_prod = 1;
    assert_int_equal(blkfront_collect(&f, done, NULL), -1);
    /* an id beyond the table */
    blkfront_init(&f, s);
    assert_int_equal(blkfront_queue(&f, BLKIF_OP_READ, 0, &g, 1), 0);
    s->ring[0].rsp = (struct blkif_response){ 1ull << 40, BLKIF_OP_READ, 0 };
    s->rsp_prod = 1;
    assert_int_equal(blkfront_collect(&f, done, NULL), -1);
    /* the wrong operation */
    blkfront_init(&f, s);
    assert_int_equal(blkfront_queue(&f, BLKIF_OP_READ, 0, &g, 1), 0);
    s->ring[0].rsp = (struct blkif_response){ 0, BLKIF_OP_WRITE, 0 };
    s->rsp_prod = 1;
    assert_int_equal(blkfront_collect(&f, done, NULL), -1);
    /* right: taken, an error status counted */
    blkfront_init(&f, s);
    assert_int_equal(blkfront_queue(&f, BLKIF_OP_READ, 0, &g, 1), 0);
    s->ring[0].rsp = (struct blkif_response){ 0, BLKIF_OP_READ, BLKIF_RSP_ERROR };
    s->rsp_prod = 1;
    dones = 0;
    assert_int_equal(blkfront_collect(&f, done, NULL), 1);
    assert_int_equal(statuses[0], BLKIF_RSP_ERROR);
    assert_int_equal(f.stats.errors, 1);
    assert_int_equal(blkfront_queue(&f, BLKIF_OP_READ, 0, &g, 0), -1);      /* 0 segments */
    assert_int_equal(blkfront_queue(&f, BLKIF_OP_READ, 0, &g, 12), -1);     /* 12 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_layout, setup),
        cmocka_unit_test_setup(test_init, setup),
        cmocka_unit_test_setup(test_push_notify, setup),
        cmocka_unit_test_setup(test_full_and_wrap, setup),
        cmocka_unit_test_setup(test_read_write, setup),
        cmocka_unit_test_setup(test_bad_requests, setup),
        cmocka_unit_test_setup(test_unsupported, setup),
        cmocka_unit_test_setup(test_serve, setup),
        cmocka_unit_test_setup(test_budget, setup),
        cmocka_unit_test_setup(test_corrupt_req_prod, setup),
        cmocka_unit_test_setup(test_front_checks_backend, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
