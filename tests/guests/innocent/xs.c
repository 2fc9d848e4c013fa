/*
 * The innocent's own xenstore use (xs=1, tests/guests/xsatk.sh): at every
 * wake-up one round trip over its store ring, WRITE data/inn = a counter
 * then READ it back, each answer checked and timed. A minimal client of
 * its own (Xen's io/xs_wire.h layout), bounded everywhere: a store that
 * stops answering is reported, never waited on for ever.
 */
#include "guest.h"
#include "xs.h"

enum { XS_READ = 2, XS_WRITE = 11, XS_WATCH_EVENT = 15 };
struct xsd_sockmsg { uint32_t type, req_id, tx_id, len; };
struct xs_intf {
    char req[1024], rsp[1024];
    uint32_t req_cons, req_prod, rsp_cons, rsp_prod;
};

static volatile struct xs_intf *intf;
static uint32_t port, req_id;
static char buf[64];

static void mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

/* wait for the store's event, at most until deadline; 0 if it passed */
static int wait_store(uint64_t deadline)
{
    if (system_time_ns() >= deadline)
        return 0;
    poll_port(port, system_time_ns() + 5000000u < deadline ? system_time_ns() + 5000000u : deadline);
    shared_info->evtchn_pending[port / 32] &= ~(1u << (port % 32));
    return 1;
}

static int put(const void *data, uint32_t len, uint64_t deadline)
{
    const char *p = data;
    while (len) {
        uint32_t prod = intf->req_prod;
        mb();
        if (prod - intf->req_cons >= sizeof(intf->req)) {
            evtchn_send(port);
            if (!wait_store(deadline))
                return -1;
            continue;
        }
        intf->req[prod % sizeof(intf->req)] = *p++;
        mb();
        intf->req_prod = prod + 1;
        len--;
    }
    return 0;
}

static int get(void *data, uint32_t len, uint64_t deadline)
{
    char *p = data;
    for (uint32_t i = 0; i < len;) {
        uint32_t cons = intf->rsp_cons;
        mb();
        if (cons == intf->rsp_prod) {
            if (!wait_store(deadline))
                return -1;
            continue;
        }
        char c = intf->rsp[cons % sizeof(intf->rsp)];
        mb();
        intf->rsp_cons = cons + 1;
        if (p)
            p[i] = c;
        i++;
    }
    evtchn_send(port);
    return 0;
}

/* one request, its reply into buf; 0 if answered in time with `type` */
static int request(uint32_t type, const char *a, uint32_t alen, const char *b, uint32_t blen,
                   uint32_t *rlen)
{
    uint64_t deadline = system_time_ns() + 2000000000ull;      /* 2 s */
    struct xsd_sockmsg h = { type, ++req_id, 0, alen + blen };
    if (put(&h, sizeof(h), deadline) || put(a, alen, deadline) || put(b, blen, deadline))
        return -1;
    evtchn_send(port);
    for (;;) {
        struct xsd_sockmsg r;
        if (get(&r, sizeof(r), deadline))
            return -1;
        uint32_t n = r.len < sizeof(buf) - 1 ? r.len : sizeof(buf) - 1;
        if (get(buf, n, deadline) || (r.len > n && get(NULL, r.len - n, deadline)))
            return -1;
        buf[n] = 0;
        *rlen = n;
        if (r.type == XS_WATCH_EVENT)
            continue;
        return r.type == type && r.req_id == h.req_id ? 0 : -1;
    }
}

void innocent_xs_init(void)
{
    port = start_info->store_evtchn;
    intf = (volatile struct xs_intf *)(uintptr_t)(mfn_to_pfn(start_info->store_mfn) << 12);
}

int innocent_xs_round(uint32_t counter, uint64_t *took_ns)
{
    if (!port)
        return -1;
    uint64_t t0 = system_time_ns();
    char val[12];
    int n = 0;
    uint32_t v = counter;
    do { val[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    for (int i = 0; i < n / 2; i++) {
        char t = val[i];
        val[i] = val[n - 1 - i];
        val[n - 1 - i] = t;
    }
    uint32_t rlen;
    if (request(XS_WRITE, "data/inn", 9, val, (uint32_t)n, &rlen) || rlen != 3 ||
        memcmp(buf, "OK", 3))
        return -1;
    if (request(XS_READ, "data/inn", 9, NULL, 0, &rlen) || rlen != (uint32_t)n ||
        memcmp(buf, val, (size_t)n))
        return -1;
    *took_ns = system_time_ns() - t0;
    return 0;
}
