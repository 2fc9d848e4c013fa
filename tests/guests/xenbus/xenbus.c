/*
 * xenbus: a PV guest's xenstore start-up, as Linux and MiniOS do it, over
 * the store ring the domain builder gives (start_info.store_mfn, store_evtchn)
 * and the xenstore domain serves (docs/xenstore.md). Its own copy of the
 * wire format (Xen's io/xs_wire.h), as a guest carries one.
 *
 * Client (default): grant table set-up, then READ "domid" and "name",
 * WRITE/READ "data/probe", READ another domain's name (EACCES),
 * GET_DOMAIN_PATH, WATCH "control/shutdown", WRITE "data/ready"; it powers
 * off when the watch fires with "poweroff".
 *   peer=N    the other domain (for the EACCES read); without it (alone,
 *             e.g. make run GUEST=xenbus.elf) it powers off after the WATCH;
 *             with it, it waits for control/shutdown (d1's or the toolstack's)
 *   max_ms=N  waits at most N ms for control/shutdown to say poweroff (then
 *             "not ok", powers off); default: no bound
 *   ignore=1  sees the request and ignores it: runs on until max_ms (a guest
 *             the toolstack must destroy after its timeout)
 * role=ctl peer=N: the privileged client (d1): waits for N's data/ready,
 * writes /local/domain/N/control/shutdown = "poweroff", powers off.
 * hostile=ring: corrupt ring indices; hostile=revoke: revokes the store
 * page's grant (GNTTAB_RESERVED_XENSTORE) first (tests/guests/xenbus.sh).
 */
#include <pv86/grant_table.h>

#include "guest.h"

/* ---- the wire format (Xen's xen/include/public/io/xs_wire.h) ---- */
enum { XS_READ = 2, XS_WATCH = 4, XS_GET_DOMAIN_PATH = 10, XS_WRITE = 11, XS_ERROR = 16,
       XS_WATCH_EVENT = 15 };
struct xsd_sockmsg { uint32_t type, req_id, tx_id, len; };
#define XENSTORE_RING_SIZE 1024
struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE];
    char rsp[XENSTORE_RING_SIZE];
    uint32_t req_cons, req_prod;
    uint32_t rsp_cons, rsp_prod;
    uint32_t server_features, connection, error;
};

static volatile struct xenstore_domain_interface *intf;
static uint32_t port, req_id;
static char reply[4097];
static uint32_t reply_len, reply_type;
static int events;                      /* watch events seen */
static char event_path[128];

static void mb(void) { __atomic_thread_fence(__ATOMIC_SEQ_CST); }

static void wait_store(void)
{
    poll_port(port, system_time_ns() + 10000000u);
    shared_info->evtchn_pending[port / 32] &= ~(1u << (port % 32));
}

static void ring_write(const void *data, uint32_t len)
{
    const char *p = data;
    while (len) {
        uint32_t prod = intf->req_prod;
        mb();
        if (prod - intf->req_cons >= XENSTORE_RING_SIZE) {
            evtchn_send(port);
            wait_store();
            continue;
        }
        intf->req[prod % XENSTORE_RING_SIZE] = *p++;
        mb();
        intf->req_prod = prod + 1;
        len--;
    }
}

static void ring_read(void *data, uint32_t len)
{
    char *p = data;
    for (uint32_t i = 0; i < len;) {
        uint32_t cons = intf->rsp_cons;
        mb();
        if (cons == intf->rsp_prod) {
            wait_store();
            continue;
        }
        char c = intf->rsp[cons % XENSTORE_RING_SIZE];
        mb();
        intf->rsp_cons = cons + 1;
        evtchn_send(port);
        if (p)
            p[i] = c;
        i++;
    }
}

/* one message from the ring: events recorded, the reply into reply[] */
static void read_msg(void)
{
    struct xsd_sockmsg h;
    ring_read(&h, sizeof(h));
    uint32_t n = h.len < sizeof(reply) - 1 ? h.len : sizeof(reply) - 1;
    ring_read(reply, n);
    if (h.len > n)
        ring_read(NULL, h.len - n);
    reply[n] = 0;
    reply_len = n;
    reply_type = h.type;
    if (h.type == XS_WATCH_EVENT) {
        events++;
        memcpy(event_path, reply, n < sizeof(event_path) - 1 ? n + 1 : sizeof(event_path) - 1);
        event_path[sizeof(event_path) - 1] = 0;
    }
}

/* Until a watch event (1), or 0 once deadline (ns, 0: none) passed with the
 * ring empty. */
static int wait_event(uint64_t deadline)
{
    int before = events;
    while (events == before) {
        if (intf->rsp_cons == intf->rsp_prod) {
            if (deadline && system_time_ns() >= deadline)
                return 0;
            wait_store();
            continue;
        }
        read_msg();
    }
    return 1;
}

/* a request; returns the reply's type (XS_ERROR: reply holds the name) */
static uint32_t request(uint32_t type, const char *a, uint32_t alen, const char *b, uint32_t blen)
{
    struct xsd_sockmsg h = { type, ++req_id, 0, alen + blen };
    ring_write(&h, sizeof(h));
    ring_write(a, alen);
    if (blen)
        ring_write(b, blen);
    evtchn_send(port);
    do
        read_msg();
    while (reply_type == XS_WATCH_EVENT);
    return reply_type;
}

static uint32_t slen(const char *s) { uint32_t n = 0; while (s[n]) n++; return n; }
static int streq(const char *a, const char *b) { return slen(a) == slen(b) && !memcmp(a, b, slen(a)); }

static uint32_t xs_read(const char *path) { return request(XS_READ, path, slen(path) + 1, NULL, 0); }
static uint32_t xs_write(const char *path, const char *val)
{
    return request(XS_WRITE, path, slen(path) + 1, val, slen(val));
}

static void power_off(void)
{
    struct sched_shutdown s = { SHUTDOWN_poweroff };
    hv_sched_op(SCHEDOP_shutdown, &s);
}

static void fmt(char *buf, size_t size, const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, size, f, ap);
    va_end(ap);
}

static int ctl(uint32_t peer)
{
    char path[64];
    fmt(path, sizeof(path), "/local/domain/%u/data/ready", (unsigned)peer);
    int tries = 0;
    while (xs_read(path) != XS_READ && tries < 2000) {
        tries++;
        wait_store();                   /* 10 ms */
    }
    ok(reply_type == XS_READ && streq(reply, "1"), "ctl: d%u is ready (%s)", (unsigned)peer,
       reply_type == XS_READ ? "data/ready = 1" : "never");
    fmt(path, sizeof(path), "/local/domain/%u/control/shutdown", (unsigned)peer);
    uint32_t t = xs_write(path, "poweroff");
    ok(t == XS_WRITE, "ctl: WRITE %s = poweroff: %s", path, reply);
    return tap_done();
}

static int client(uint32_t peer)
{
    uint32_t frames[1] = { 0 };
    struct gnttab_setup_table st = { DOMID_SELF, 0, 1, 0, 0, (uint32_t)(uintptr_t)frames };
    int32_t rc = hv_grant_table_op(GNTTABOP_setup_table, &st, 1);
    ok(rc == 0 && st.status == GNTST_okay, "grant table: setup_table 1 frame: %d, status %d",
       (int)rc, st.status);

    uint32_t t = xs_read("domid");
    uint32_t me = 0;
    for (uint32_t i = 0; t == XS_READ && i < reply_len; i++)
        me = me * 10 + (uint32_t)(reply[i] - '0');
    ok(t == XS_READ && me > 0, "READ domid: %s", reply);

    size_t nl;
    const char *nv = cmdline_arg("name", &nl);
    char want[20];
    if (nv && nl < sizeof(want)) {
        memcpy(want, nv, nl);
        want[nl] = 0;
    } else
        fmt(want, sizeof(want), "d%u", (unsigned)me);
    t = xs_read("name");
    ok(t == XS_READ && streq(reply, want), "READ name: %s", reply);

    t = xs_write("data/probe", "hello xenbus");
    ok(t == XS_WRITE && streq(reply, "OK"), "WRITE data/probe: %s", reply);
    t = xs_read("data/probe");
    ok(t == XS_READ && streq(reply, "hello xenbus"), "READ data/probe: %s", reply);

    char path[64];
    if (peer) {
        fmt(path, sizeof(path), "/local/domain/%u/name", (unsigned)peer);
        t = xs_read(path);
        ok(t == XS_ERROR && streq(reply, "EACCES"), "READ %s: %s", path, reply);
    }

    char id[12];
    fmt(id, sizeof(id), "%u", (unsigned)me);
    t = request(XS_GET_DOMAIN_PATH, id, slen(id) + 1, NULL, 0);
    fmt(path, sizeof(path), "/local/domain/%u", (unsigned)me);
    ok(t == XS_GET_DOMAIN_PATH && streq(reply, path), "GET_DOMAIN_PATH %u: %s", (unsigned)me,
       reply);

    int before = events;
    t = request(XS_WATCH, "control/shutdown\0sd", 20, NULL, 0);
    ok(t == XS_WATCH && streq(reply, "OK"), "WATCH control/shutdown: %s", reply);
    while (events == before)
        read_msg();
    ok(streq(event_path, "control/shutdown"), "the watch fires at once: %s", event_path);

    if (!peer)                          /* alone (make run): nobody will tell us */
        return tap_done();
    t = xs_write("data/ready", "1");
    ok(t == XS_WRITE, "WRITE data/ready: %s", reply);
    uint32_t max_ms = cmdline_num("max_ms", 0);
    uint64_t deadline = max_ms ? system_time_ns() + (uint64_t)max_ms * 1000000u : 0;
    int ignore = cmdline_num("ignore", 0) != 0, ignored = 0;
    for (int waited = 0; waited < 100; waited++) {
        /* the first look: the watch's own event (or a write made before it) */
        if (waited && !wait_event(deadline))
            break;
        t = xs_read("control/shutdown");
        if (t == XS_READ && streq(reply, "poweroff") && ignore) {
            if (!ignored++)
                printf("xenbus: control/shutdown = poweroff: ignored (ignore=1)\n");
            continue;
        }
        if (t == XS_READ && streq(reply, "poweroff")) {
            ok(1, "control/shutdown fired: poweroff");
            int r = tap_done();
            if (r == 0)
                power_off();
            return r;
        }
    }
    if (ignore && ignored) {
        while (!deadline || system_time_ns() < deadline)    /* until max_ms or destroyed */
            wait_store();
        ok(1, "control/shutdown said poweroff, ignored for %u ms", (unsigned)max_ms);
        return tap_done();
    }
    ok(0, "control/shutdown never said poweroff%s", deadline ? " within max_ms" : "");
    return tap_done();
}

/* hostile=ring: impossible request indices; the store must mark the ring
 * broken (error XENSTORE_ERROR_RINGIDX, 2) and serve the others on. */
static int hostile_ring(void)
{
    intf->req_prod = intf->req_cons + 5000;
    mb();
    evtchn_send(port);
    uint32_t err = 0;
    for (int i = 0; i < 200 && !(err = intf->error); i++)
        wait_store();
    ok(err == 2, "hostile: req_prod 5000 ahead of req_cons: the ring's error is %u", (unsigned)err);
    return tap_done();
}

/* hostile=revoke: our grant of the store page revoked before the xenstore
 * domain maps it; its introduce of us must fail alone. */
static int hostile_revoke(void)
{
    uint32_t frames[1] = { 0 };
    struct gnttab_setup_table st = { DOMID_SELF, 0, 1, 0, 0, (uint32_t)(uintptr_t)frames };
    int32_t rc = hv_grant_table_op(GNTTABOP_setup_table, &st, 1);
    int mapped = rc == 0 && st.status == GNTST_okay &&
                 map_page(GUEST_SCRATCH_VA, frames[0], PTE_P | PTE_RW | PTE_A | PTE_D) == 0;
    volatile struct grant_entry_v1 *e = (volatile struct grant_entry_v1 *)GUEST_SCRATCH_VA;
    uint16_t was = mapped ? e[GNTTAB_RESERVED_XENSTORE].flags : 0;
    if (mapped)
        e[GNTTAB_RESERVED_XENSTORE].flags = 0;
    ok(mapped && was == GTF_permit_access, "hostile: entry %u had flags %#x (permit access): revoked",
       GNTTAB_RESERVED_XENSTORE, (unsigned)was);
    for (int i = 0; i < 20; i++)        /* 200 ms: the xenstore domain tries */
        wait_store();
    return tap_done();
}

int guest_main(void)
{
    port = start_info->store_evtchn;
    uint32_t pfn = mfn_to_pfn(start_info->store_mfn);
    intf = (volatile struct xenstore_domain_interface *)(uintptr_t)(pfn << 12);
    uint32_t peer = cmdline_num("peer", 0);
    printf("xenbus: store ring at pfn %u, port %u\n", (unsigned)pfn, (unsigned)port);
    if (!port) {
        ok(0, "no xenstore: start_info.store_evtchn is 0");
        return tap_done();
    }
    size_t rl;
    const char *role = cmdline_arg("role", &rl);
    if (role && rl == 3 && !memcmp(role, "ctl", 3))
        return ctl(peer);
    const char *h = cmdline_arg("hostile", &rl);
    if (h && rl == 4 && !memcmp(h, "ring", 4))
        return hostile_ring();
    if (h && rl == 6 && !memcmp(h, "revoke", 6))
        return hostile_revoke();
    return client(peer);
}
