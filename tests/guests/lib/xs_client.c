/* xs_client.c: the guest's xenstore ring client (see xs_client.h). */
#include <pv86/errno.h>

#include "guest.h"
#include "xs_client.h"
#include "xs_ring.h"

volatile struct xenstore_domain_interface *xs_intf;
uint32_t xs_port;
unsigned xs_events_dropped;
uint64_t xs_timeout_ns = XS_TIMEOUT_NS;
uint64_t xs_poll_ns = 10000000u;
static uint32_t req_id;

#define NEVENTS 16
static struct { char path[96]; char token[24]; } evq[NEVENTS];
static unsigned ev_head, ev_count;

static void mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static uint32_t slen(const char *s) { uint32_t n = 0; while (s[n]) n++; return n; }

static int ring_wait(void *arg, int req);
static uint64_t ring_deadline;         /* the message's, set before each */
static struct xs_ring ring = { .notify = evtchn_send, .wait = ring_wait, .arg = &ring_deadline };

int xs_init(void)
{
    xs_port = start_info->store_evtchn;
    if (!xs_port)
        return -1;
    uint32_t pfn = mfn_to_pfn(start_info->store_mfn);
    xs_intf = (volatile struct xenstore_domain_interface *)(uintptr_t)(pfn << 12);
    ring.intf = xs_intf;
    ring.port = xs_port;
    return 0;
}

/* one SCHEDOP_poll of the store port, at most ns, its pending bit cleared */
static void poll_store(uint64_t ns)
{
    poll_port(xs_port, system_time_ns() + ns);
    __atomic_and_fetch(&shared_info->evtchn_pending[xs_port / 32], ~(1u << (xs_port % 32)),
                       __ATOMIC_SEQ_CST);
}

void xs_wait(void)
{
    poll_store(10000000u);
}

/* the ring's wait (xs_ring.h): one poll of xs_poll_ns, or give up, said,
 * once the deadline (*arg) has passed */
static int ring_wait(void *arg, int req)
{
    if (system_time_ns() >= *(const uint64_t *)arg) {
        printf("xs: error: the store did not %s in %u s\n", req ? "take our request" : "answer",
               (unsigned)(xs_timeout_ns / 1000000000u));
        return 1;
    }
    poll_store(xs_poll_ns);
    return 0;
}

static void cut(char *dst, uint32_t size, const char *src, uint32_t n)
{
    if (!size)
        return;
    if (n > size - 1)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

/* one message: a watch event is queued; else its type, payload in buf
 * (-1 if it is not the reply to request want, 0: any) */
static int read_msg(char *buf, uint32_t size, uint32_t *len, uint32_t want)
{
    static char body[4097];
    struct xsd_sockmsg h;
    if (xs_ring_get(&ring, &h, sizeof(h)))
        return -1;
    uint32_t n = h.len < sizeof(body) - 1 ? h.len : sizeof(body) - 1;
    if (xs_ring_get(&ring, body, n) || (h.len > n && xs_ring_get(&ring, NULL, h.len - n)))
        return -1;
    body[n] = 0;
    if (h.type == XS_WATCH_EVENT) {
        if (ev_count == NEVENTS) {
            xs_events_dropped++;
            return XS_WATCH_EVENT;
        }
        unsigned i = (ev_head + ev_count++) % NEVENTS;
        uint32_t pl = slen(body);
        cut(evq[i].path, sizeof(evq[i].path), body, pl);
        cut(evq[i].token, sizeof(evq[i].token), pl < n ? body + pl + 1 : "",
            pl < n ? slen(body + pl + 1) : 0);
        return XS_WATCH_EVENT;
    }
    if (want && h.req_id != want) {
        printf("xs: error: a reply to request %u, not to %u\n", h.req_id, want);
        return -1;
    }
    cut(buf, size, body, n);
    if (len)
        *len = n < size ? n : (size ? size - 1 : 0);
    return (int)h.type;
}

int xs_request(uint32_t tx, uint32_t type, const void *a, uint32_t alen, const void *b,
               uint32_t blen, char *reply, uint32_t size, uint32_t *len)
{
    ring_deadline = system_time_ns() + xs_timeout_ns;
    struct xsd_sockmsg h = { type, ++req_id, tx, alen + blen };
    if (xs_ring_put(&ring, &h, sizeof(h)) || xs_ring_put(&ring, a, alen) ||
        (blen && xs_ring_put(&ring, b, blen)))
        return -1;
    evtchn_send(xs_port);
    int t;
    do
        t = read_msg(reply, size, len, h.req_id);
    while (t == XS_WATCH_EVENT);
    return t;
}

static const struct { const char *name; int num; } errs[] = {
    { "EINVAL", XEN_EINVAL }, { "EACCES", XEN_EACCES }, { "EEXIST", XEN_EEXIST },
    { "EISDIR", 21 }, { "ENOENT", XEN_ENOENT }, { "ENOMEM", XEN_ENOMEM },
    { "ENOSPC", XEN_ENOSPC }, { "EIO", XEN_EIO }, { "ENOTEMPTY", 39 },
    { "ENOSYS", XEN_ENOSYS }, { "EROFS", 30 }, { "EBUSY", XEN_EBUSY },
    { "EAGAIN", XEN_EAGAIN }, { "EISCONN", 106 }, { "E2BIG", XEN_E2BIG },
    { "EPERM", XEN_EPERM },
};

int xs_errno(const char *name)
{
    for (unsigned i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
        if (slen(name) == slen(errs[i].name) && !memcmp(name, errs[i].name, slen(name)))
            return errs[i].num;
    return XEN_EIO;
}

/* a request expecting reply type `want`: 0 or -errno */
static int call(uint32_t tx, uint32_t type, const void *a, uint32_t alen, const void *b,
                uint32_t blen, char *buf, uint32_t size, uint32_t *len)
{
    char local[32];
    if (!buf) {
        buf = local;
        size = sizeof(local);
    }
    int t = xs_request(tx, type, a, alen, b, blen, buf, size, len);
    if (t < 0)
        return -XEN_ETIME;
    if (t == XS_ERROR)
        return -xs_errno(buf);
    return t == (int)type ? 0 : -XEN_EIO;
}

int xs_read(uint32_t tx, const char *path, char *buf, uint32_t size)
{
    uint32_t len = 0;
    int r = call(tx, XS_READ, path, slen(path) + 1, NULL, 0, buf, size, &len);
    return r < 0 ? r : (int)len;
}

int xs_write(uint32_t tx, const char *path, const char *value)
{
    return call(tx, XS_WRITE, path, slen(path) + 1, value, slen(value), NULL, 0, NULL);
}

int xs_mkdir(uint32_t tx, const char *path)
{
    return call(tx, XS_MKDIR, path, slen(path) + 1, NULL, 0, NULL, 0, NULL);
}

int xs_rm(uint32_t tx, const char *path)
{
    return call(tx, XS_RM, path, slen(path) + 1, NULL, 0, NULL, 0, NULL);
}

int xs_set_perms(uint32_t tx, const char *path, const char *perms, uint32_t len)
{
    return call(tx, XS_SET_PERMS, path, slen(path) + 1, perms, len, NULL, 0, NULL);
}

int xs_get_perms(uint32_t tx, const char *path, char *buf, uint32_t size)
{
    uint32_t len = 0;
    int r = call(tx, XS_GET_PERMS, path, slen(path) + 1, NULL, 0, buf, size, &len);
    if (r < 0)
        return r;
    while (len && buf[len - 1] == 0)       /* the last entry's NUL */
        len--;
    for (uint32_t i = 0; i < len; i++)
        if (buf[i] == 0)
            buf[i] = ' ';
    buf[len] = 0;
    return (int)len;
}

int xs_watch(const char *path, const char *token)
{
    return call(0, XS_WATCH, path, slen(path) + 1, token, slen(token) + 1, NULL, 0, NULL);
}

int xs_tx_start(uint32_t *tx)
{
    char id[16];
    uint32_t len = 0;
    int r = call(0, XS_TRANSACTION_START, "", 1, NULL, 0, id, sizeof(id), &len);
    if (r < 0)
        return r;
    uint32_t v = 0;
    for (uint32_t i = 0; i < len && id[i]; i++) {
        if (id[i] < '0' || id[i] > '9')
            return -XEN_EIO;
        v = v * 10 + (uint32_t)(id[i] - '0');
    }
    *tx = v;
    return v ? 0 : -XEN_EIO;
}

int xs_tx_end(uint32_t tx, int commit)
{
    return call(tx, XS_TRANSACTION_END, commit ? "T" : "F", 2, NULL, 0, NULL, 0, NULL);
}

int xs_next_event(char *path, uint32_t psize, char *token, uint32_t tsize, uint64_t deadline_ns)
{
    while (!ev_count) {
        if (system_time_ns() >= deadline_ns)
            return 0;
        mb();
        if (xs_intf->rsp_cons == xs_intf->rsp_prod) {
            xs_wait();
            continue;
        }
        char scratch[8];
        /* a whole message is bounded by the usual timeout */
        ring_deadline = system_time_ns() + xs_timeout_ns;
        if (read_msg(scratch, sizeof(scratch), NULL, 0) < 0)
            return 0;
    }
    unsigned i = ev_head;
    ev_head = (ev_head + 1) % NEVENTS;
    ev_count--;
    cut(path, psize, evq[i].path, slen(evq[i].path));
    cut(token, tsize, evq[i].token, slen(evq[i].token));
    return 1;
}
