/*
 * The innocent's own xenstore use (xs=1, tests/guests/xsatk.sh): at every
 * wake-up one round trip over its store ring, WRITE data/inn = a counter
 * then READ it back, each answer checked and timed. Through the guests'
 * shared client (tests/guests/lib/xs_client.c), bounded everywhere: its
 * timeout cut to 2 s (polls of 5 ms), a store that stops answering (or
 * answers another request) is reported, never waited on for ever.
 */
#include "guest.h"
#include "xs.h"
#include "xs_client.h"

static int have_store;
static char buf[64];

void innocent_xs_init(void)
{
    xs_timeout_ns = 2000000000ull;                             /* 2 s */
    xs_poll_ns = 5000000u;                                     /* 5 ms */
    have_store = xs_init() == 0;
}

/* one request, its reply into buf; 0 if answered in time with `type` */
static int request(uint32_t type, const char *a, uint32_t alen, const char *b, uint32_t blen,
                   uint32_t *rlen)
{
    *rlen = 0;
    return xs_request(0, type, a, alen, b, blen, buf, sizeof(buf), rlen) == (int)type ? 0 : -1;
}

int innocent_xs_round(uint32_t counter, uint64_t *took_ns)
{
    if (!have_store)
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
