/* Helpers of the xenstore unit tests (test_xenstore.c, test_xenstore_ring.c):
 * one store, requests from a domain, its queued messages checked exactly. */
#ifndef XS_TEST_H
#define XS_TEST_H

#include <stdio.h>
#include <string.h>

#include "wire.h"
#include "store.h"
#include "ring.h"

static struct xs_store st;
static uint32_t next_req = 100;
static unsigned introduced, released;
static uint32_t intro_args[3];
static int intro_refuse;                /* an XSE_* the hook answers (0: accept) */

static inline int hook_introduce(void *ctx, uint16_t domid, uint32_t mfn, uint32_t port)
{
    (void)ctx;
    if (intro_refuse)
        return intro_refuse;
    introduced++;
    intro_args[0] = domid; intro_args[1] = mfn; intro_args[2] = port;
    return XS_OK;
}
static inline void hook_release(void *ctx, uint16_t domid) { (void)ctx; (void)domid; released++; }

/* payload helpers: P("a") is "a\0" (3 bytes with its NUL), R("a") raw */
#define P(s) s, (uint32_t)sizeof(s)
#define R(s) s, (uint32_t)(sizeof(s) - 1)

static inline void send_tx(uint16_t dom, uint32_t type, uint32_t tx, const void *data, uint32_t len)
{
    struct xsd_sockmsg h = { type, next_req++, tx, len };
    assert_int_equal(xs_request(&st, dom, &h, data), XS_OK);
}
static inline void sendm(uint16_t dom, uint32_t type, const void *data, uint32_t len)
{
    send_tx(dom, type, 0, data, len);
}

static uint8_t msgbuf[XENSTORE_PAYLOAD_MAX + 64];
/* pop one whole message from dom's queue */
static inline struct xsd_sockmsg pop(uint16_t dom)
{
    struct xs_conn *c = xs_conn_find(&st, dom);
    struct xsd_sockmsg h;
    assert_non_null(c);
    assert_true(xs_out_pending(c) >= sizeof(h));
    uint32_t got = 0, want = sizeof(h);
    while (got < want) {
        uint32_t n;
        const uint8_t *p = xs_out_peek(c, &n);
        if (n > want - got)
            n = want - got;
        memcpy(msgbuf + got, p, n);
        xs_out_consume(c, n);
        got += n;
        if (got == sizeof(h)) {
            memcpy(&h, msgbuf, sizeof(h));
            want += h.len;
        }
    }
    return h;
}
static inline void expect(uint16_t dom, uint32_t type, const void *data, uint32_t len)
{
    struct xsd_sockmsg h = pop(dom);
    if (h.type != type || h.len != len || memcmp(msgbuf + 16, data, len) != 0)
        fail_msg("d%u: got type %u len %u \"%.*s\", want type %u len %u \"%.*s\"", dom, h.type,
                 h.len, (int)h.len, (const char *)msgbuf + 16, type, len, (int)len, (const char *)data);
}
#define OK(dom, type) expect(dom, type, "OK", 3)
#define ERR(dom, name) expect(dom, XS_ERROR, name, sizeof(name))
#define EVENT(dom, s) expect(dom, XS_WATCH_EVENT, s, sizeof(s))
static inline void nothing(uint16_t dom) { assert_int_equal(xs_out_pending(xs_conn_find(&st, dom)), 0); }

static inline int setup(void **state)
{
    (void)state;
    struct xs_hooks h = { NULL, hook_introduce, hook_release };
    xs_init(&st, &h);
    introduced = released = 0;
    intro_refuse = 0;
    assert_int_equal(xs_conn_add(&st, 1, false), XS_OK);
    assert_int_equal(xs_conn_add(&st, 2, false), XS_OK);
    assert_int_equal(xs_make_domain_home(&st, 1, "one"), XS_OK);
    assert_int_equal(xs_make_domain_home(&st, 2, "two"), XS_OK);
    return 0;
}

#endif
