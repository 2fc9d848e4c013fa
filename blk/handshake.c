/* handshake.c: the XenbusState handshake (see handshake.h). */
#include "handshake.h"

#define VALUE 32

static int join(char *out, const char *a, const char *b)
{
    unsigned n = 0;
    for (; *a; a++) {
        if (n + 1 >= BLKHS_PATH)
            return -1;
        out[n++] = *a;
    }
    if (n + 1 >= BLKHS_PATH)
        return -1;
    out[n++] = '/';
    for (; *b; b++) {
        if (n + 1 >= BLKHS_PATH)
            return -1;
        out[n++] = *b;
    }
    out[n] = '\0';
    return 0;
}

static int copy_path(char *out, const char *s)
{
    unsigned n = 0;
    for (; s[n]; n++) {
        if (n + 1 >= BLKHS_PATH)
            return -1;
        out[n] = s[n];
    }
    out[n] = '\0';
    return n ? 0 : -1;
}

static void fmt_u64(char *buf, uint64_t v)
{
    char tmp[21];
    unsigned n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (unsigned i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
}

int blkhs_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    unsigned n = 0;
    for (; s[n]; n++) {
        if (s[n] < '0' || s[n] > '9' || n >= 20)
            return -1;
        uint64_t d = (uint64_t)(s[n] - '0');
        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    if (n == 0)
        return -1;
    *out = v;
    return 0;
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/* read dir/key into buf */
static int read_key(const struct xenbus *xb, const char *dir, const char *key, char *buf,
                    size_t size)
{
    char p[BLKHS_PATH];
    if (join(p, dir, key))
        return -1;
    int n = xb->read(xb->ctx, p, buf, size);
    return n < 0 ? n : 0;
}

static int read_num(const struct xenbus *xb, const char *dir, const char *key, uint64_t max,
                    uint64_t *out)
{
    char v[VALUE];
    if (read_key(xb, dir, key, v, sizeof(v)))
        return -1;
    return blkhs_parse_u64(v, max, out);
}

static int write_key(const struct xenbus *xb, const char *dir, const char *key, const char *v)
{
    char p[BLKHS_PATH];
    if (join(p, dir, key))
        return -1;
    return xb->write(xb->ctx, p, v) < 0 ? -1 : 0;
}

static int write_num(const struct xenbus *xb, const char *dir, const char *key, uint64_t v)
{
    char buf[VALUE];
    fmt_u64(buf, v);
    return write_key(xb, dir, key, buf);
}

/* the peer's state, or -1 when it cannot be read or is not a state */
static int peer_state(const struct xenbus *xb, const char *dir)
{
    uint64_t s;
    if (read_num(xb, dir, "state", XenbusStateReconfigured, &s))
        return -1;
    return (int)s;
}

static int set_state(const struct xenbus *xb, const char *dir, int *state, int s)
{
    if (write_num(xb, dir, "state", (uint64_t)s))
        return -1;
    *state = s;
    return 0;
}

static int front_fail(struct blkfront_hs *h, const char *why)
{
    h->why = why;
    if (h->state != XenbusStateClosed)
        (void)set_state(h->xb, h->path, &h->state, XenbusStateClosed);
    h->state = XenbusStateClosed;
    return BLKHS_FAILED;
}

int blkfront_hs_start(struct blkfront_hs *h, const struct xenbus *xb, const char *path,
                      uint32_t ring_ref, uint32_t evtchn)
{
    h->xb = xb;
    h->ring_ref = ring_ref;
    h->evtchn = evtchn;
    h->state = XenbusStateUnknown;
    h->sectors = 0;
    h->info = h->sector_size = 0;
    h->why = NULL;
    h->backend[0] = '\0';
    if (copy_path(h->path, path))
        return front_fail(h, "device path too long");
    if (read_key(xb, path, "backend", h->backend, sizeof(h->backend)) || !h->backend[0])
        return front_fail(h, "no backend path");
    char w[BLKHS_PATH];
    if (set_state(xb, path, &h->state, XenbusStateInitialising) || join(w, h->backend, "state") ||
        xb->watch(xb->ctx, w, "blkfront") < 0)
        return front_fail(h, "store error");
    return blkfront_hs_step(h);
}

int blkfront_hs_step(struct blkfront_hs *h)
{
    const struct xenbus *xb = h->xb;
    if (h->state == XenbusStateClosed)
        return BLKHS_FAILED;
    if (h->state == XenbusStateConnected)
        return BLKHS_CONNECTED;
    int peer = peer_state(xb, h->backend);
    if (peer < 0)
        return BLKHS_WAITING;               /* not written yet */
    if (peer == XenbusStateClosing || peer == XenbusStateClosed)
        return front_fail(h, "the backend closed");
    if (h->state == XenbusStateInitialising &&
        (peer == XenbusStateInitWait || peer == XenbusStateConnected)) {
        if (write_num(xb, h->path, "ring-ref", h->ring_ref) ||
            write_num(xb, h->path, "event-channel", h->evtchn) ||
            write_key(xb, h->path, "protocol", "x86_32-abi") ||
            set_state(xb, h->path, &h->state, XenbusStateInitialised))
            return front_fail(h, "store error");
    }
    if (h->state == XenbusStateInitialised && peer == XenbusStateConnected) {
        uint64_t sectors, info, ssize;
        if (read_num(xb, h->backend, "sectors", UINT64_MAX, &sectors) ||
            read_num(xb, h->backend, "info", UINT32_MAX, &info) ||
            read_num(xb, h->backend, "sector-size", UINT32_MAX, &ssize))
            return front_fail(h, "bad sectors, info or sector-size");
        if (ssize != 512)
            return front_fail(h, "sector-size is not 512");
        h->sectors = sectors;
        h->info = (uint32_t)info;
        h->sector_size = (uint32_t)ssize;
        if (set_state(xb, h->path, &h->state, XenbusStateConnected))
            return front_fail(h, "store error");
        return BLKHS_CONNECTED;
    }
    return BLKHS_WAITING;
}

static int back_fail(struct blkback_hs *h, const char *why)
{
    h->why = why;
    if (h->state != XenbusStateClosing && h->state != XenbusStateClosed)
        (void)set_state(h->xb, h->path, &h->state, XenbusStateClosing);
    h->state = XenbusStateClosed;
    return BLKHS_FAILED;
}

int blkback_hs_start(struct blkback_hs *h, const struct xenbus *xb, const char *path,
                     uint64_t sectors, uint32_t info,
                     int (*connect)(void *ctx, uint32_t ring_ref, uint32_t evtchn), void *ctx)
{
    h->xb = xb;
    h->state = XenbusStateUnknown;
    h->sectors = sectors;
    h->info = info;
    h->sector_size = 512;
    h->ring_ref = h->evtchn = 0;
    h->connect = connect;
    h->ctx = ctx;
    h->why = NULL;
    h->frontend[0] = '\0';
    if (copy_path(h->path, path))
        return back_fail(h, "device path too long");
    if (read_key(xb, path, "frontend", h->frontend, sizeof(h->frontend)) || !h->frontend[0])
        return back_fail(h, "no frontend path");
    char w[BLKHS_PATH];
    if (set_state(xb, path, &h->state, XenbusStateInitWait) || join(w, h->frontend, "state") ||
        xb->watch(xb->ctx, w, "blkback") < 0)
        return back_fail(h, "store error");
    return blkback_hs_step(h);
}

int blkback_hs_step(struct blkback_hs *h)
{
    const struct xenbus *xb = h->xb;
    if (h->state == XenbusStateClosed)
        return BLKHS_FAILED;
    int peer = peer_state(xb, h->frontend);
    if (peer == XenbusStateClosing || peer == XenbusStateClosed)
        return back_fail(h, "the frontend closed");
    if (h->state == XenbusStateConnected)
        return BLKHS_CONNECTED;
    if (peer != XenbusStateInitialised && peer != XenbusStateConnected)
        return BLKHS_WAITING;
    uint64_t ref, port;
    if (read_num(xb, h->frontend, "ring-ref", UINT32_MAX, &ref) ||
        read_num(xb, h->frontend, "event-channel", UINT32_MAX, &port))
        return back_fail(h, "bad ring-ref or event-channel");
    char proto[VALUE];
    int rc = read_key(xb, h->frontend, "protocol", proto, sizeof(proto));
    if (rc == 0 && !streq(proto, "x86_32-abi"))
        return back_fail(h, "unsupported protocol");
    h->ring_ref = (uint32_t)ref;
    h->evtchn = (uint32_t)port;
    if (h->connect(h->ctx, h->ring_ref, h->evtchn) < 0)
        return back_fail(h, "cannot connect the ring");
    if (write_num(xb, h->path, "sectors", h->sectors) ||
        write_num(xb, h->path, "info", h->info) ||
        write_num(xb, h->path, "sector-size", h->sector_size) ||
        set_state(xb, h->path, &h->state, XenbusStateConnected))
        return back_fail(h, "store error");
    return BLKHS_CONNECTED;
}
