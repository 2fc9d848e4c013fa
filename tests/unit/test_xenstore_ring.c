/* Unit tests: pv86's xenstore ring (xenstore/ring.c): requests and replies
 * through a shared page, wrap-around, partial messages, flow control and
 * corrupt indices from an untrusted domain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "xs_test.h"

/* ---- the ring ---- */

static struct xenstore_domain_interface page[2];
static struct xs_ring ring[2];

static void guest_put(struct xenstore_domain_interface *p, const void *data, uint32_t len)
{
    const uint8_t *d = data;
    for (uint32_t i = 0; i < len; i++)
        p->req[MASK_XENSTORE_IDX(p->req_prod + i)] = (char)d[i];
    p->req_prod += len;
}
static void guest_msg(struct xenstore_domain_interface *p, uint32_t type, uint32_t id,
                      const void *data, uint32_t len)
{
    struct xsd_sockmsg h = { type, id, 0, len };
    guest_put(p, &h, sizeof(h));
    guest_put(p, data, len);
}
/* the guest reads one message from rsp */
static struct xsd_sockmsg guest_get(struct xenstore_domain_interface *p, char *out)
{
    struct xsd_sockmsg h;
    assert_true(p->rsp_prod - p->rsp_cons >= sizeof(h));
    for (uint32_t i = 0; i < sizeof(h); i++)
        ((uint8_t *)&h)[i] = (uint8_t)p->rsp[MASK_XENSTORE_IDX(p->rsp_cons + i)];
    assert_true(p->rsp_prod - p->rsp_cons >= sizeof(h) + h.len);
    for (uint32_t i = 0; i < h.len; i++)
        out[i] = p->rsp[MASK_XENSTORE_IDX(p->rsp_cons + sizeof(h) + i)];
    p->rsp_cons += sizeof(h) + h.len;
    return h;
}

static int ring_setup(void **state)
{
    setup(state);
    memset(page, 0, sizeof(page));
    xs_ring_init(&ring[0], 1, &page[0]);
    xs_ring_init(&ring[1], 2, &page[1]);
    return 0;
}

static void test_ring_basic(void **state)
{
    (void)state;
    char out[4200];
    assert_int_equal(page[0].server_features, XENSTORE_SERVER_FEATURE_ERROR);
    assert_false(xs_ring_process(&st, &ring[0], &page[0]));     /* nothing to do */
    guest_msg(&page[0], XS_READ, 77, P("name"));
    assert_true(xs_ring_process(&st, &ring[0], &page[0]));
    assert_int_equal(page[0].req_cons, page[0].req_prod);
    struct xsd_sockmsg h = guest_get(&page[0], out);
    assert_int_equal(h.type, XS_READ);
    assert_int_equal(h.req_id, 77);
    assert_int_equal(h.len, 3);
    assert_memory_equal(out, "one", 3);
    /* several in one go, replies in order */
    guest_msg(&page[0], XS_WRITE, 1, R("data/k\0v"));
    guest_msg(&page[0], XS_READ, 2, P("data/k"));
    guest_msg(&page[0], XS_READ, 3, P("/local/domain/2/name"));
    assert_true(xs_ring_process(&st, &ring[0], &page[0]));
    h = guest_get(&page[0], out);
    assert_int_equal(h.req_id, 1);
    assert_string_equal(out, "OK");
    h = guest_get(&page[0], out);
    assert_int_equal(h.req_id, 2);
    assert_memory_equal(out, "v", 1);
    h = guest_get(&page[0], out);
    assert_int_equal(h.req_id, 3);
    assert_int_equal(h.type, XS_ERROR);
    assert_string_equal(out, "EACCES");
    assert_int_equal(ring[0].requests, 4);
    assert_int_equal(page[0].rsp_prod, page[0].rsp_cons);
}

static void test_ring_wrap_and_partial(void **state)
{
    (void)state;
    char out[4200];
    /* indices near 2^32 and the message across the ring's end */
    page[0].req_cons = page[0].req_prod = 0xfffffff0u;
    page[0].rsp_cons = page[0].rsp_prod = 0xfffffffau;
    guest_msg(&page[0], XS_READ, 9, P("domid"));
    assert_true(xs_ring_process(&st, &ring[0], &page[0]));
    struct xsd_sockmsg h = guest_get(&page[0], out);
    assert_int_equal(h.req_id, 9);
    assert_memory_equal(out, "1", 1);
    assert_int_equal(page[0].req_cons, 0xfffffff0u + 16 + 6);
    /* a message given a few bytes at a time */
    struct xsd_sockmsg q = { XS_READ, 10, 0, 5 };
    uint8_t bytes[21];
    memcpy(bytes, &q, 16);
    memcpy(bytes + 16, "name", 5);
    for (int i = 0; i < 21; i += 4) {
        guest_put(&page[0], bytes + i, i + 4 <= 21 ? 4 : 21 - (uint32_t)i);
        (void)xs_ring_process(&st, &ring[0], &page[0]);
        if (i + 4 < 21)
            assert_int_equal(page[0].rsp_prod, page[0].rsp_cons);   /* no reply yet */
    }
    h = guest_get(&page[0], out);
    assert_int_equal(h.req_id, 10);
    assert_memory_equal(out, "one", 3);
    /* a reply larger than the ring: goes out as the guest makes room */
    static char wr[8 + 3000];
    memcpy(wr, "data/L", 7);
    memset(wr + 7, 'L', 2000);
    /* a request larger than the ring (2023 bytes): given as space frees up */
    static uint8_t msg[16 + 2007];
    struct xsd_sockmsg w = { XS_WRITE, 11, 0, 7 + 2000 };
    memcpy(msg, &w, 16);
    memcpy(msg + 16, wr, 7 + 2000);
    uint32_t put = 0;
    for (int i = 0; i < 10 && put < sizeof(msg); i++) {
        uint32_t room = XENSTORE_RING_SIZE - (page[0].req_prod - page[0].req_cons);
        uint32_t n = sizeof(msg) - put < room ? (uint32_t)sizeof(msg) - put : room;
        guest_put(&page[0], msg + put, n);
        put += n;
        (void)xs_ring_process(&st, &ring[0], &page[0]);
    }
    assert_int_equal(put, sizeof(msg));
    h = guest_get(&page[0], out);
    assert_int_equal(h.req_id, 11);
    guest_msg(&page[0], XS_READ, 12, P("data/L"));
    (void)xs_ring_process(&st, &ring[0], &page[0]);
    assert_int_equal(page[0].rsp_prod - page[0].rsp_cons, XENSTORE_RING_SIZE);   /* full */
    uint32_t got = 0;
    static char big[2100];
    for (int round = 0; round < 10 && got < 16 + 2000; round++) {
        while (page[0].rsp_cons != page[0].rsp_prod)
            big[got++] = page[0].rsp[MASK_XENSTORE_IDX(page[0].rsp_cons++)];
        (void)xs_ring_process(&st, &ring[0], &page[0]);
    }
    assert_int_equal(got, 16 + 2000);
    memcpy(&h, big, 16);
    assert_int_equal(h.req_id, 12);
    assert_int_equal(h.len, 2000);
    assert_int_equal(big[16 + 1999], 'L');
}

static void test_ring_corrupt(void **state)
{
    (void)state;
    char out[64];
    sendm(1, XS_WATCH, R("data\0w\0"));                         /* to check they are dropped */
    OK(1, XS_WATCH);
    EVENT(1, "data\0w");
    /* impossible producer index: d1 ignored, nothing else affected */
    page[0].req_prod = page[0].req_cons + XENSTORE_RING_SIZE + 1;
    assert_false(xs_ring_process(&st, &ring[0], &page[0]));
    assert_true(ring[0].broken);
    assert_int_equal(page[0].error, XENSTORE_ERROR_RINGIDX);
    assert_int_equal(xs_watch_count(&st, 1), 0);
    assert_false(xs_ring_process(&st, &ring[0], &page[0]));     /* stays ignored */
    struct xsd_sockmsg h = { XS_READ, 1, 0, 5 };
    assert_int_equal(xs_request(&st, 1, &h, "name"), XSE_EIO);
    guest_msg(&page[1], XS_READ, 5, P("name"));
    assert_true(xs_ring_process(&st, &ring[1], &page[1]));
    h = guest_get(&page[1], out);
    assert_memory_equal(out, "two", 3);
    /* a payload over 4096: d2 ignored too (XENSTORE_ERROR_PROTO) */
    struct xsd_sockmsg bad = { XS_WRITE, 6, 0, XENSTORE_PAYLOAD_MAX + 1 };
    guest_put(&page[1], &bad, sizeof(bad));
    (void)xs_ring_process(&st, &ring[1], &page[1]);
    assert_true(ring[1].broken);
    assert_int_equal(page[1].error, XENSTORE_ERROR_PROTO);
    /* the toolstack still works; RELEASE then INTRODUCE gives a fresh start */
    sendm(0, XS_RELEASE, P("1"));
    OK(0, XS_RELEASE);
    sendm(0, XS_INTRODUCE, R("1\0" "1\0" "1\0"));
    OK(0, XS_INTRODUCE);
    memset(&page[0], 0, sizeof(page[0]));
    xs_ring_init(&ring[0], 1, &page[0]);
    guest_msg(&page[0], XS_READ, 7, P("name"));
    assert_true(xs_ring_process(&st, &ring[0], &page[0]));
    h = guest_get(&page[0], out);
    assert_memory_equal(out, "one", 3);
}

static void test_ring_corrupt_rsp(void **state)
{
    (void)state;
    guest_msg(&page[0], XS_READ, 1, P("name"));
    page[0].rsp_cons = page[0].rsp_prod + 5;                    /* consumer ahead of producer */
    (void)xs_ring_process(&st, &ring[0], &page[0]);
    assert_true(ring[0].broken);
    assert_int_equal(page[0].error, XENSTORE_ERROR_RINGIDX);
    assert_false(ring[1].broken);
}

static void test_ring_flood(void **state)
{
    (void)state;
    char out[64];
    /* the guest floods requests and never reads: bounded, nothing lost */
    uint32_t sent = 0;
    for (int round = 0; round < 200; round++) {
        while (page[0].req_prod - page[0].req_cons <= XENSTORE_RING_SIZE - 21) {
            guest_msg(&page[0], XS_READ, sent++, P("name"));
        }
        (void)xs_ring_process(&st, &ring[0], &page[0]);
    }
    assert_false(ring[0].broken);
    assert_true(page[0].req_prod - page[0].req_cons <= XENSTORE_RING_SIZE);
    assert_true(xs_out_pending(xs_conn_find(&st, 1)) <= XS_OUTQ_BYTES);
    uint32_t taken = ring[0].requests;
    assert_true(taken < sent);
    /* now it reads: every request answered in order */
    for (uint32_t want = 0; want < sent; want++) {
        (void)xs_ring_process(&st, &ring[0], &page[0]);
        struct xsd_sockmsg h = guest_get(&page[0], out);
        assert_int_equal(h.req_id, want);
        assert_memory_equal(out, "one", 3);
    }
    assert_int_equal(ring[0].requests, sent);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_ring_basic, ring_setup),
        cmocka_unit_test_setup(test_ring_wrap_and_partial, ring_setup),
        cmocka_unit_test_setup(test_ring_corrupt, ring_setup),
        cmocka_unit_test_setup(test_ring_corrupt_rsp, ring_setup),
        cmocka_unit_test_setup(test_ring_flood, ring_setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
