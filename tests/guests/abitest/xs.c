/*
 * xs (pv): the smallest xenstore client the ping/pong pair needs, over the
 * store ring the domain builder gives (start_info.store_mfn, store_evtchn)
 * and the xenstore domain serves (docs/xenstore.md). The wire format is
 * the store's own header (xenstore/wire.h, Xen's io/xs_wire.h).
 *
 * Requests run with events masked and wait with SCHEDOP_poll on the store
 * port (10 ms at a time), so the store's notifications stay pending for
 * the poll and never reach the upcall. Every wait is bounded: a store that
 * never answers makes the request fail (XS_TIMEOUT), never hang.
 */
#include "pv.h"

#include "kernel.h"
#include "lib/format.h"
#include "lib/string.h"
#include "wire.h"
#include "xs.h"
/* the ring's byte transfer, shared with the guests' client (header-only:
 * none of tests/guests/lib's runtime comes with it) */
#include "../lib/xs_ring.h"

#define STORE_VA   0x00202000u       /* free page below the image */
#define WAIT_NS    10000000ull       /* one poll: 10 ms */
#define MAX_WAITS  2000u             /* per request: 20 s of system time */

static volatile struct xenstore_domain_interface *intf;
static uint32_t store_port, req_id, waits;

char xs_reply[XS_REPLY_MAX + 1];
uint32_t xs_reply_len;
unsigned xs_watch_events;

static void mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static int ring_wait(void *arg, int req);
static struct xs_ring ring = { .notify = evtchn_send_port, .wait = ring_wait };

int xs_init(void)
{
    if (intf)
        return 1;
    store_port = start_info_va->store_evtchn;
    if (!store_port || pv_map(STORE_VA, start_info_va->store_mfn, 0x23 /* P|RW|A */))
        return 0;
    intf = (volatile struct xenstore_domain_interface *)STORE_VA;
    ring.intf = intf;
    ring.port = store_port;
    return 1;
}

/* One wait for the store: 0 when the request's budget is spent. */
static int wait_store(void)
{
    if (waits++ >= MAX_WAITS)
        return 0;
    uint32_t ports[1] = { store_port };
    struct sched_poll p = { (uint32_t)(uintptr_t)ports, 1, system_time_ns() + WAIT_NS };
    hv_sched_op(SCHEDOP_poll, &p);
    __atomic_fetch_and(&shared_info->evtchn_pending[store_port / 32], ~(1u << (store_port % 32)),
                       __ATOMIC_SEQ_CST);
    return 1;
}

/* the ring's wait (../lib/xs_ring.h): give up when the budget is spent */
static int ring_wait(void *arg, int req)
{
    (void)arg;
    (void)req;
    return !wait_store();
}

/* One message into xs_reply: its type, or XS_TIMEOUT. */
static uint32_t read_msg(void)
{
    struct xsd_sockmsg h;
    if (xs_ring_get(&ring, &h, sizeof(h)))
        return XS_TIMEOUT;
    uint32_t n = h.len < XS_REPLY_MAX ? h.len : XS_REPLY_MAX;
    if (xs_ring_get(&ring, xs_reply, n) || (h.len > n && xs_ring_get(&ring, NULL, h.len - n)))
        return XS_TIMEOUT;
    xs_reply[n] = 0;
    xs_reply_len = n;
    if (h.type == XS_WATCH_EVENT)
        xs_watch_events++;
    return h.type;
}

uint32_t xs_request(uint32_t type, const char *a, uint32_t alen, const char *b, uint32_t blen)
{
    if (!intf)
        return XS_TIMEOUT;
    uint8_t flags = events_save_disable();
    struct xsd_sockmsg h = { type, ++req_id, 0, alen + blen };
    uint32_t t = XS_TIMEOUT;
    waits = 0;
    if (!xs_ring_put(&ring, &h, sizeof(h)) && !xs_ring_put(&ring, a, alen) &&
        (!blen || !xs_ring_put(&ring, b, blen))) {
        evtchn_send_port(store_port);
        do
            t = read_msg();
        while (t == XS_WATCH_EVENT);
    }
    events_restore(flags);
    return t;
}

uint32_t xs_read(const char *path)
{
    return xs_request(XS_READ, path, (uint32_t)strlen(path) + 1, NULL, 0);
}

uint32_t xs_write(const char *path, const char *value)
{
    return xs_request(XS_WRITE, path, (uint32_t)strlen(path) + 1, value, (uint32_t)strlen(value));
}

uint32_t xs_watch(const char *path, const char *token)
{
    char buf[128];
    size_t pl = strlen(path), tl = strlen(token);
    if (pl + tl + 2 > sizeof(buf))
        return XS_TIMEOUT;
    memcpy(buf, path, pl + 1);
    memcpy(buf + pl + 1, token, tl + 1);
    return xs_request(XS_WATCH, buf, (uint32_t)(pl + tl + 2), NULL, 0);
}

int xs_wait_event(void)
{
    if (!intf)
        return 0;
    uint8_t flags = events_save_disable();
    unsigned before = xs_watch_events;
    waits = 0;
    mb();
    if (intf->rsp_cons == intf->rsp_prod)
        wait_store();                       /* one wait: 10 ms at most */
    mb();
    while (intf->rsp_cons != intf->rsp_prod && read_msg() != XS_TIMEOUT)
        mb();
    events_restore(flags);
    return xs_watch_events != before;
}

uint32_t xs_read_number(const char *path, uint32_t *value)
{
    uint32_t t = xs_read(path), n = 0;
    if (t != XS_READ)
        return t;
    if (xs_reply_len == 0 || xs_reply_len > 9)
        return XS_ERROR;
    for (uint32_t i = 0; i < xs_reply_len; i++) {
        if (xs_reply[i] < '0' || xs_reply[i] > '9')
            return XS_ERROR;
        n = n * 10 + (uint32_t)(xs_reply[i] - '0');
    }
    *value = n;
    return t;
}
