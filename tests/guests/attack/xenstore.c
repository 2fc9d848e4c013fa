/*
 * xenstore (test=xenstore, beside the innocent and the xenstore domain, as
 * d1 and as a domU: tests/guests/xsatk.sh): the store protocol turned
 * against the xenstore domain (xenstore/, docs/xenstore.md "Limits and
 * abuse") and the innocent's nodes, over our own store ring with a
 * minimal client of our own (an attacker carries its own code). Each case
 * passes only with xenstored's answer for our role: as d1 we are the
 * privileged client (dom0 in Xen: the innocent's nodes are ours to read
 * and write, quotas do not apply, INTRODUCE/RELEASE are allowed), as a domU
 * every touch of the innocent's nodes and every privileged operation is
 * EACCES. Then the ring itself: floods of requests never read, of watch
 * events, of notifications, the store grant revoked and retargeted while
 * mapped, a message over 4096 bytes (the ring is ignored from then on, as
 * xenstored ignores such a client), the store port closed.
 */
#include <pv86/grant_table.h>

#include "attack.h"
#include "guest.h"

enum { XS_CONTROL = 0, XS_DIRECTORY = 1, XS_READ = 2, XS_GET_PERMS = 3, XS_WATCH = 4,
       XS_UNWATCH = 5, XS_TRANSACTION_START = 6, XS_TRANSACTION_END = 7, XS_INTRODUCE = 8,
       XS_RELEASE = 9, XS_GET_DOMAIN_PATH = 10, XS_WRITE = 11, XS_MKDIR = 12, XS_RM = 13,
       XS_SET_PERMS = 14, XS_WATCH_EVENT = 15, XS_ERROR = 16, XS_IS_DOMAIN_INTRODUCED = 17,
       XS_RESUME = 18, XS_SET_TARGET = 19, XS_RESET_WATCHES = 21, XS_TYPE_COUNT = 27 };
struct xsd_sockmsg { uint32_t type, req_id, tx_id, len; };
#define RING 1024u
struct xs_intf {
    char req[RING], rsp[RING];
    uint32_t req_cons, req_prod, rsp_cons, rsp_prod;
    uint32_t server_features, connection, error, evtchn_port;
};

#define MS 1000000ull
static volatile struct xs_intf *ring;
static uint32_t port, me, inn, req_id;
static int priv;                        /* we are d1: privileged in the store */
static char rbuf[4200];                 /* the last reply's payload, NUL added */
static uint32_t rlen, rtype, events;    /* events: watch events seen */
static char evpath[128];

static void mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
static uint32_t slen(const char *s) { uint32_t n = 0; while (s[n]) n++; return n; }
static int same(const char *a, const char *b) { return slen(a) == slen(b) && !memcmp(a, b, slen(a)); }
static int has(const char *s, const char *w)
{
    for (uint32_t n = slen(w); *s; s++)
        if (!memcmp(s, w, n))
            return 1;
    return 0;
}
static int fmt(char *buf, size_t size, const char *f, ...) __attribute__((format(printf, 3, 4)));
static int fmt(char *buf, size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(buf, size, f, ap);
    va_end(ap);
    return n;
}
static int is(const char *s) { return rlen == slen(s) && memcmp(rbuf, s, rlen) == 0; }

static void kick(void) { evtchn_send(port); }
static void nap(uint64_t ns)
{
    poll_port(port, system_time_ns() + ns);
    shared_info->evtchn_pending[port / 32] &= ~(1u << (port % 32));
}

/* bytes into req; with a deadline, waits for room, else takes what fits */
static uint32_t put(const void *d, uint32_t n, uint64_t deadline)
{
    const char *p = d;
    uint32_t done = 0;
    while (done < n) {
        uint32_t prod = ring->req_prod;
        mb();
        if (prod - ring->req_cons >= RING) {
            if (!deadline || system_time_ns() > deadline)
                break;
            kick();
            nap(2 * MS);
            continue;
        }
        ring->req[prod % RING] = p[done++];
        mb();
        ring->req_prod = prod + 1;
    }
    return done;
}

static uint32_t rsp_avail(void)
{
    uint32_t a = ring->rsp_prod - ring->rsp_cons;
    mb();
    return a;
}

/* bytes out of rsp (d NULL: dropped); 0 if the deadline passed first */
static int get(void *d, uint32_t n, uint64_t deadline)
{
    char *p = d;
    for (uint32_t i = 0; i < n;) {
        if (!rsp_avail()) {
            if (system_time_ns() > deadline)
                return 0;
            nap(2 * MS);
            continue;
        }
        uint32_t cons = ring->rsp_cons;
        char c = ring->rsp[cons % RING];
        mb();
        ring->rsp_cons = cons + 1;
        if (p)
            p[i] = c;
        i++;
    }
    kick();
    return 1;
}

/* the next message (events counted, their path kept); 0: none in time */
static int next_msg(struct xsd_sockmsg *h, uint64_t wait_ns)
{
    uint64_t deadline = system_time_ns() + wait_ns;
    if (!get(h, sizeof(*h), deadline))
        return 0;
    uint32_t n = h->len < sizeof(rbuf) - 1 ? h->len : sizeof(rbuf) - 1;
    if (!get(rbuf, n, deadline + 1000 * MS) || (h->len > n && !get(NULL, h->len - n, deadline + 1000 * MS)))
        return 0;
    rbuf[n] = 0;
    rlen = n;
    rtype = h->type;
    if (h->type == XS_WATCH_EVENT) {
        events++;
        memcpy(evpath, rbuf, n < sizeof(evpath) - 1 ? n + 1 : sizeof(evpath));
        evpath[sizeof(evpath) - 1] = 0;
    }
    return 1;
}

static int send(uint32_t type, uint32_t tx, const void *a, uint32_t alen, const void *b, uint32_t blen)
{
    uint64_t deadline = system_time_ns() + 2000 * MS;
    struct xsd_sockmsg h = { type, ++req_id, tx, alen + blen };
    return put(&h, sizeof(h), deadline) == sizeof(h) && put(a, alen, deadline) == alen &&
           put(b, blen, deadline) == blen;
}

/* a request and its reply (events before it skipped): the reply's type, 0 if none */
static uint32_t rqx(uint32_t type, uint32_t tx, const void *a, uint32_t alen, const void *b,
                    uint32_t blen)
{
    rtype = 0;
    rlen = 0;
    rbuf[0] = 0;
    if (!send(type, tx, a, alen, b, blen))
        return 0;
    kick();
    struct xsd_sockmsg h;
    while (next_msg(&h, 2000 * MS))
        if (h.type != XS_WATCH_EVENT)
            return h.req_id == req_id ? h.type : 0;
    return 0;
}
static uint32_t rq(uint32_t type, const char *s) { return rqx(type, 0, s, slen(s) + 1, NULL, 0); }
static uint32_t rq2(uint32_t type, const char *a, const char *b)
{
    return rqx(type, 0, a, slen(a) + 1, b, slen(b) + 1);
}
static uint32_t wr(const char *path, const char *v) { return rqx(XS_WRITE, 0, path, slen(path) + 1, v, slen(v)); }
/* an error reply is its name, NUL-terminated ("EACCES\0"), an ack "OK\0" */
static int err(uint32_t t, const char *name) { return t == XS_ERROR && rlen == slen(name) + 1 && same(rbuf, name); }
static int okay(uint32_t t, uint32_t type) { return t == type && rlen == 3 && same(rbuf, "OK"); }

static char path[2200], tmp[64];
static const char *ipath(const char *rel)       /* the innocent's node */
{
    fmt(tmp, sizeof(tmp), "/local/domain/%u/%s", (unsigned)inn, rel);
    return tmp;
}
static const char *shown(uint32_t t)            /* a reply for the TAP line */
{
    return t == 0 ? "no reply" : t == XS_ERROR ? rbuf : t == XS_WATCH_EVENT ? "event" : rbuf;
}

/* ---- the innocent's nodes, privileged operations */
static void others(void)
{
    char want[16];
    fmt(want, sizeof(want), "d%u", (unsigned)inn);
    uint32_t t = rq(XS_READ, ipath("name"));
    ok(priv ? t == XS_READ && is(want) : err(t, "EACCES"), "READ %s: %s", tmp, shown(t));
    t = wr(ipath("data/attack"), "x");
    ok(priv ? okay(t, XS_WRITE) : err(t, "EACCES"), "WRITE %s: %s", tmp, shown(t));
    char perm[8];
    fmt(perm, sizeof(perm), "b%u", (unsigned)me);
    t = rq2(XS_SET_PERMS, ipath(priv ? "data/attack" : "data"), perm);
    ok(priv ? okay(t, XS_SET_PERMS) : err(t, "EACCES"), "SET_PERMS %s %s: %s", tmp, perm, shown(t));
    t = rq(XS_GET_PERMS, ipath("data"));
    fmt(want, sizeof(want), "n%u", (unsigned)inn);
    ok(priv ? t == XS_GET_PERMS && same(rbuf, want) : err(t, "EACCES"), "GET_PERMS %s: %s", tmp, shown(t));
    t = rq(XS_DIRECTORY, ipath("data"));
    ok(priv ? t == XS_DIRECTORY : err(t, "EACCES"), "DIRECTORY %s: %s", tmp,
       t == XS_DIRECTORY ? "listed" : shown(t));
    t = rq(XS_MKDIR, ipath("data/attack2"));
    ok(priv ? okay(t, XS_MKDIR) : err(t, "EACCES"), "MKDIR %s: %s", tmp, shown(t));
    t = rq(XS_RM, ipath(priv ? "data/attack" : "data"));
    int rm_ok = priv ? okay(t, XS_RM) && okay(rq(XS_RM, ipath("data/attack2")), XS_RM)
                     : err(t, "EACCES");
    ok(rm_ok, "RM %s: %s", priv ? "/local/domain/<innocent>/data/attack and attack2" : tmp,
       priv ? "OK" : "EACCES");
    t = rq(XS_READ, ipath("nonexistent"));
    ok(err(t, priv ? "ENOENT" : "EACCES"), "READ of a missing node there: %s (no probing)", shown(t));

    /* a watch on the innocent's data: set (xenstored allows it), fired once
     * up front; the innocent's writes reach us only if we may read them */
    t = rq2(XS_WATCH, ipath("data"), "spy");
    struct xsd_sockmsg h;
    int at_once = okay(t, XS_WATCH) && next_msg(&h, 1000 * MS) && h.type == XS_WATCH_EVENT &&
                  same(evpath, tmp);
    ok(at_once, "WATCH %s: OK, its event at once (xenstored sets it, fires it up front)", tmp);
    unsigned before = events;
    uint64_t end = system_time_ns() + 300 * MS;
    unsigned theirs = 0;
    while (system_time_ns() < end)
        if (next_msg(&h, 20 * MS) && h.type == XS_WATCH_EVENT && has(evpath, "/data/inn"))
            theirs++;
    ok(priv ? theirs > 0 && events - before == theirs : events == before,
       "300 ms of the innocent's writes to data/inn: %u events reach us (%s)", events - before,
       priv ? "privileged: all" : "none: we may not read them");
    t = rq2(XS_UNWATCH, ipath("data"), "spy");
    ok(okay(t, XS_UNWATCH), "UNWATCH: %s", shown(t));

    /* privileged operations (xenstored's XS_FLAG_PRIV) */
    char arg[32];
    int n = fmt(arg, sizeof(arg), "%u", (unsigned)inn) + 1;
    n += fmt(arg + n, sizeof(arg) - (size_t)n, "1") + 1;
    n += fmt(arg + n, sizeof(arg) - (size_t)n, "1") + 1;
    t = rqx(XS_INTRODUCE, 0, arg, (uint32_t)n, NULL, 0);
    ok(err(t, priv ? "EINVAL" : "EACCES"), "INTRODUCE d%u again with port 1: %s%s", (unsigned)inn,
       shown(t), priv ? " (its own binding kept)" : "");
    t = rqx(XS_INTRODUCE, 0, "7\0" "0\0" "1", 6, NULL, 0);
    ok(err(t, priv ? "EINVAL" : "EACCES"), "INTRODUCE d7 (no such domain): %s", shown(t));
    fmt(arg, sizeof(arg), "%u", (unsigned)(priv ? 7 : inn));
    t = rq(XS_RELEASE, arg);
    ok(err(t, priv ? "ENOENT" : "EACCES"), "RELEASE d%s: %s", arg, shown(t));
    fmt(arg, sizeof(arg), "%u", (unsigned)inn);
    t = rq(XS_IS_DOMAIN_INTRODUCED, arg);
    ok(priv ? t == XS_IS_DOMAIN_INTRODUCED && same(rbuf, "T") : err(t, "EACCES"),
       "IS_DOMAIN_INTRODUCED d%u: %s", (unsigned)inn, shown(t));
    fmt(perm, sizeof(perm), "%u", (unsigned)me);
    t = rq2(XS_SET_TARGET, arg, perm);
    ok(err(t, priv ? "ENOSYS" : "EACCES"), "SET_TARGET d%u d%u: %s", (unsigned)inn, (unsigned)me,
       shown(t));
    t = rq(XS_RESUME, arg);
    ok(err(t, priv ? "ENOSYS" : "EACCES"), "RESUME d%u: %s", (unsigned)inn, shown(t));
    t = rq(XS_CONTROL, "print");
    ok(err(t, priv ? "ENOSYS" : "EACCES"), "CONTROL print: %s", shown(t));
    t = rq(XS_GET_DOMAIN_PATH, arg);
    fmt(want, sizeof(want), "/local/domain/%u", (unsigned)inn);
    ok(t == XS_GET_DOMAIN_PATH && same(rbuf, want), "GET_DOMAIN_PATH d%u: %s (anyone may)",
       (unsigned)inn, shown(t));
}

/* ---- malformed messages and the limits */
static void malformed(void)
{
    uint32_t t = rqx(XS_READ, 0, "name\0junk", 10, NULL, 0);
    ok(err(t, "EINVAL"), "READ with len 10 over \"name\\0junk\\0\" (two strings): %s", shown(t));
    t = rqx(XS_READ, 0, "name", 4, NULL, 0);
    ok(err(t, "EINVAL"), "READ \"name\" without its NUL: %s", shown(t));
    t = rqx(XS_READ, 0, "", 0, NULL, 0);
    ok(err(t, "EINVAL"), "READ with len 0: %s", shown(t));
    static const uint32_t unknown[] = { XS_TYPE_COUNT, 0xffff, 0xffffffffu, XS_ERROR, XS_WATCH_EVENT };
    unsigned nosys = 0;
    for (unsigned i = 0; i < 5; i++)
        nosys += err(rqx(unknown[i], 0, "name", 5, NULL, 0), "ENOSYS");
    ok(nosys == 5, "types 27, 0xffff, 0xffffffff, ERROR, WATCH_EVENT as requests: %u of 5 ENOSYS", nosys);
    t = rq(XS_READ, "a b");
    ok(err(t, "EINVAL"), "READ \"a b\" (a space): %s", shown(t));
    memset(path, 'p', 2049);
    memcpy(path, "data/", 5);
    path[2049] = 0;
    t = rq(XS_READ, path);
    ok(err(t, "EINVAL"), "READ of a 2049-byte relative path: %s", shown(t));
    static char big[2100];
    memset(big, 'v', sizeof(big));
    t = rqx(XS_WRITE, 0, "data/big", 9, big, 2049);
    ok(priv ? okay(t, XS_WRITE) : err(t, "ENOSPC"), "WRITE of a 2049-byte value: %s", shown(t));
    if (priv)
        rq(XS_RM, "data/big");

    /* deep: data/d/d/.../d, 300 levels below data */
    uint32_t n = 0;
    memcpy(path, "data", 4);
    n = 4;
    for (int i = 0; i < 300; i++) {
        path[n++] = '/';
        path[n++] = 'd';
    }
    path[n] = 0;
    t = wr(path, "deep");
    char first[16];
    fmt(first, sizeof(first), "%s", shown(t));
    int deep_ok = priv ? okay(t, XS_WRITE) : err(t, "ENOSPC");
    uint32_t t2 = rq(XS_READ, "data/d");
    ok(deep_ok && (priv ? t2 == XS_READ : err(t2, "ENOENT")), "WRITE 300 levels deep: %s; data/d then: %s",
       first, priv ? "there" : shown(t2));
    int rm_ok = okay(rq(XS_RM, "data/d"), XS_RM);  /* a domU's: missing, its parent there: OK */
    t2 = rq(XS_READ, "data/d");
    ok(rm_ok && err(t2, "ENOENT"), "RM data/d: OK; READ then: %s", shown(t2));
}

static void quotas(void)
{
    /* nodes: a domU owns 128 at most (its home's control, control/shutdown,
     * data, device and data/q count); d1 has no quota, as dom0 */
    uint32_t t = rq(XS_MKDIR, "data/q");
    unsigned made = 0, limit = priv ? 200 : 1000;
    char p[32];
    while (made < limit) {
        fmt(p, sizeof(p), "data/q/n%u", made);
        if ((t = rq(XS_MKDIR, p)) != XS_MKDIR)
            break;
        made++;
    }
    ok(priv ? made == 200 : made == 123 && err(t, "ENOSPC"), "node quota: %u nodes made, then %s",
       made, priv ? "we stopped (no quota)" : shown(t));
    int rm_ok = okay(rq(XS_RM, "data/q"), XS_RM);
    uint32_t t2 = rq(XS_MKDIR, "data/q2");
    ok(rm_ok && okay(t2, XS_MKDIR), "RM data/q: OK; a node can be made again: %s", shown(t2));
    rq(XS_RM, "data/q2");

    /* bytes: a domU's nodes hold 16 KiB at most */
    static char v[2000];
    memset(v, 'b', sizeof(v));
    made = 0;
    limit = priv ? 12 : 100;
    while (made < limit) {
        fmt(p, sizeof(p), "data/s/v%u", made);
        if ((t = rqx(XS_WRITE, 0, p, slen(p) + 1, v, sizeof(v))) != XS_WRITE)
            break;
        made++;
    }
    ok(priv ? made == 12 : made == 8 && err(t, "ENOSPC"), "size quota: %u values of 2000 bytes, then %s",
       made, priv ? "we stopped (no quota)" : shown(t));
    t = rq(XS_RM, "data/s");
    ok(okay(t, XS_RM), "RM data/s: %s", shown(t));

    /* watches: 16 for a domU (then E2BIG); d1 none */
    unsigned set = 0;
    limit = priv ? 20 : 40;
    while (set < limit) {
        fmt(p, sizeof(p), "w%u", set);
        if ((t = rq2(XS_WATCH, "data/w", p)) != XS_WATCH)
            break;
        set++;
    }
    ok(priv ? set == 20 : set == 16 && err(t, "E2BIG"), "watch quota: %u watches, then %s",
       set, priv ? "we stopped (no quota)" : shown(t));
    t = rq(XS_RESET_WATCHES, "");
    ok(okay(t, XS_RESET_WATCHES), "RESET_WATCHES: %s", shown(t));

    /* transactions: 2 for a domU, then ENOSPC; d1 takes the pool (4) */
    uint32_t ids[8], started = 0;
    for (;;) {
        t = rqx(XS_TRANSACTION_START, 0, "", 1, NULL, 0);
        if (t != XS_TRANSACTION_START || started == 8)
            break;
        uint32_t id = 0;
        for (const char *c = rbuf; *c; c++)
            id = id * 10 + (uint32_t)(*c - '0');
        ids[started++] = id;
    }
    ok(started == (priv ? 4u : 2u) && err(t, "ENOSPC"), "TRANSACTION_START flood: %u started, then %s",
       (unsigned)started, shown(t));
    t = rqx(XS_TRANSACTION_START, ids[0], "", 1, NULL, 0);
    ok(err(t, "EBUSY"), "TRANSACTION_START inside transaction %u: %s", (unsigned)ids[0], shown(t));
    unsigned ended = 0;
    for (uint32_t i = 0; i < started; i++)
        ended += okay(rqx(XS_TRANSACTION_END, ids[i], "F", 2, NULL, 0), XS_TRANSACTION_END);
    ok(ended == started, "TRANSACTION_END F of each: %u OK", ended);
    int bogus = err(rqx(XS_TRANSACTION_END, 0xdead, "F", 2, NULL, 0), "ENOENT");
    bogus += err(rqx(XS_TRANSACTION_END, ids[0], "T", 2, NULL, 0), "ENOENT");
    bogus += err(rqx(XS_READ, 0xdead, "name", 5, NULL, 0), "ENOENT");
    ok(bogus == 3,
       "TRANSACTION_END with tx 0xdead, with an ended one, READ in 0xdead: ENOENT each");
}

/* ---- the ring flooded */
static void floods(void)
{
    /* 16 watches on data/ev, then 40 WRITEs of it without reading: each
     * fires 16 events; the replies must all come, in order */
    char p[16];
    unsigned set = 0;
    for (unsigned i = 0; i < 16; i++) {
        fmt(p, sizeof(p), "t%u", i);
        set += okay(rq2(XS_WATCH, "data/ev", p), XS_WATCH);
    }
    struct xsd_sockmsg h;
    while (next_msg(&h, 50 * MS))                       /* the last watch's first event */
        ;
    uint32_t first = req_id + 1;
    unsigned sent = 0;
    for (unsigned i = 0; i < 40; i++) {
        fmt(p, sizeof(p), "%u", i);
        sent += send(XS_WRITE, 0, "data/ev", 8, p, slen(p));
        kick();
    }
    nap(100 * MS);
    unsigned replies = 0, in_order = 1, ev = events;
    while (replies < 40 && next_msg(&h, 2000 * MS)) {
        if (h.type == XS_WATCH_EVENT)
            continue;
        in_order &= h.req_id == first + replies && h.type == XS_WRITE && rlen == 3 && same(rbuf, "OK");
        replies++;
    }
    while (next_msg(&h, 50 * MS))
        ;
    ev = events - ev;
    ok(set == 16 && sent == 40 && replies == 40 && in_order && ev >= 16 && ev <= 640,
       "40 WRITEs under 16 watches, nothing read meanwhile: %u replies in order, %u of 640 events "
       "(16 at least; the rest dropped)", replies, ev);
    rq(XS_RESET_WATCHES, "");
    rq(XS_RM, "data/ev");

    /* requests as fast as the ring takes them, replies never read: the
     * store stops taking them when its queue for us is full */
    const uint32_t msg = sizeof(struct xsd_sockmsg) + 6;          /* READ "domid" */
    first = req_id + 1;
    unsigned flood = 0, idle = 0;
    while (idle < 50) {
        uint32_t free_bytes = RING - (ring->req_prod - ring->req_cons);
        if (free_bytes >= msg) {
            send(XS_READ, 0, "domid", 6, NULL, 0);
            flood++;
            idle = 0;
            continue;
        }
        kick();
        nap(2 * MS);
        idle++;
    }
    uint32_t in_rsp = rsp_avail(), in_req = ring->req_prod - ring->req_cons;
    /* taken: 60 replies (17 bytes) fill rsp, 64 more wait in our queue (the
     * 61st's last 13 bytes among them): 124 of 22 bytes; 46 more in req */
    ok(flood == 170 && in_rsp == RING && in_req == 46 * msg,
       "flood: %u READs written, then the store stops taking them "
       "(rsp full: %u bytes; req: %u bytes waiting)", flood, (unsigned)in_rsp, (unsigned)in_req);

    /* notifications by the ten thousand, the ring still stuck */
    unsigned sends = 0;
    for (unsigned i = 0; i < 10000; i++)
        sends += evtchn_send(port) == 0;
    ok(sends == 10000 && rsp_avail() == RING, "10000 notifications on the store port: all sent, "
       "nothing moves until we read");

    /* now read: every reply, in order */
    unsigned got = 0, right = 1;
    char want[8];
    fmt(want, sizeof(want), "%u", (unsigned)me);
    while (got < flood && next_msg(&h, 2000 * MS)) {
        right &= h.type == XS_READ && h.req_id == first + got && is(want);
        got++;
    }
    ok(got == flood && right && !next_msg(&h, 50 * MS), "the flood's %u replies, in order, all \"%s\"",
       got, want);
}

/* ---- the store page and the port */
static void page_and_port(void)
{
    uint32_t frames[1] = { 0 };
    struct gnttab_setup_table st = { DOMID_SELF, 0, 1, 0, 0, (uint32_t)(uintptr_t)frames };
    int32_t rc = hv_grant_table_op(GNTTABOP_setup_table, &st, 1);
    const uint32_t gva = GUEST_SCRATCH_VA + 800 * 4096u;
    int mapped = rc == 0 && st.status == GNTST_okay && map_page(gva, frames[0], PTE_P | PTE_RW | PTE_A | PTE_D) == 0;
    volatile struct grant_entry_v1 *e = (volatile struct grant_entry_v1 *)gva;
    uint16_t was = mapped ? e[GNTTAB_RESERVED_XENSTORE].flags : 0;
    if (mapped)
        e[GNTTAB_RESERVED_XENSTORE].flags = 0;
    mb();
    uint32_t t = rq(XS_READ, "domid");
    char want[8];
    fmt(want, sizeof(want), "%u", (unsigned)me);
    ok(mapped && was == (GTF_permit_access | GTF_reading | GTF_writing) && t == XS_READ && is(want),
       "store grant revoked while mapped (flags were %#x): still served (a map outlives a revoke)",
       (unsigned)was);
    if (mapped) {
        e[GNTTAB_RESERVED_XENSTORE].frame = pfn_to_mfn((GUEST_SCRATCH_VA >> 12) + 801);
        mb();
        e[GNTTAB_RESERVED_XENSTORE].flags = GTF_permit_access;
    }
    t = rq(XS_READ, "domid");
    ok(mapped && t == XS_READ && is(want), "store grant pointed at another frame: the store's map is "
       "still our ring (%s)", shown(t));

    /* the store page made a page table under the store's writable map */
    struct mmuext_op pin = { MMUEXT_PIN_L1_TABLE, start_info->store_mfn, 0 };
    int32_t pr = hv_mmuext_op(&pin, 1, NULL, DOMID_SELF);
    t = rq(XS_READ, "domid");
    ok(pr == -XEN_EINVAL && t == XS_READ && is(want), "the store page pinned as an L1 while mapped "
       "writable: %d (-EINVAL); still served", (int)pr);

    /* a header saying 5000 bytes: we are ignored from now on */
    struct xsd_sockmsg h = { XS_READ, ++req_id, 0, 5000 };
    put(&h, sizeof(h), system_time_ns() + 1000 * MS);
    kick();
    uint32_t error = 0;
    for (int i = 0; i < 200 && !(error = ring->error); i++)
        nap(5 * MS);
    ok(error == 3, "a message of len 5000: the ring's error is %u (XENSTORE_ERROR_PROTO)", (unsigned)error);
    uint32_t prod = ring->rsp_prod;
    send(XS_READ, 0, "domid", 6, NULL, 0);
    kick();
    nap(100 * MS);
    ok(ring->rsp_prod == prod, "then a READ: no answer (ignored, as xenstored ignores such a client)");

    struct evtchn_port_arg a = { port };
    int32_t c = hv_event_channel_op(EVTCHNOP_close, &a);
    int32_t s = evtchn_send(port);
    ok(c == 0 && s == -XEN_EINVAL, "the store port closed: %d; a send on it then: %d", (int)c, (int)s);
}

int xenstore_case(const char *name, size_t len)
{
    if (!(len == 8 && memcmp(name, "xenstore", 8) == 0))
        return -1;
    inn = cmdline_num("innocent", 2);
    me = inn == 1 ? 2 : 1;
    priv = (start_info->flags & SIF_PRIVILEGED) != 0;
    port = start_info->store_evtchn;
    ring = (volatile struct xs_intf *)(uintptr_t)(mfn_to_pfn(start_info->store_mfn) << 12);
    printf("attack: xenstore against the store and the innocent (we are d%u, %s)\n", (unsigned)me,
           priv ? "privileged" : "unprivileged");
    if (cmdline_num("neighbour", 0))
        for (int i = 0; i < 3; i++)
            hv_sched_op(SCHEDOP_yield, NULL);
    uint32_t t = rq(XS_READ, "domid");
    char want[8];
    fmt(want, sizeof(want), "%u", (unsigned)me);
    ok(port && t == XS_READ && is(want), "READ domid: %s (port %u)", shown(t), (unsigned)port);
    if (t == XS_READ) {
        others();
        malformed();
        quotas();
        floods();
        page_and_port();
    }
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "the hypervisor still serves us");
    signal_innocent();
    return tap_done();
}
