/*
 * xenbus: a PV guest's xenstore start-up, as Linux and MiniOS do it, over
 * the store ring the domain builder gives (start_info.store_mfn, store_evtchn)
 * and the xenstore domain serves (docs/xenstore.md). Its own copy of the
 * ring client, tests/guests/lib/xs_client.c, shared with tests/guests/blk.
 *
 * Client (default): grant table set-up, then READ "domid" and "name",
 * WRITE/READ "data/probe", READ another domain's name (EACCES),
 * GET_DOMAIN_PATH, WATCH "control/shutdown", WRITE "data/ready"; it powers
 * off when the watch fires with "poweroff".
 *   peer=N    the other domain (for the EACCES read); without it (alone,
 *             e.g. make run GUEST=xenbus.elf) it powers off after the WATCH
 * role=ctl peer=N: the privileged client (d1): waits for N's data/ready,
 * writes /local/domain/N/control/shutdown = "poweroff", powers off.
 * hostile=ring: corrupt ring indices; hostile=revoke: revokes the store
 * page's grant (GNTTAB_RESERVED_XENSTORE) first (tests/guests/xenbus.sh).
 */
#include <pv86/grant_table.h>

#include "guest.h"
#include "xs_client.h"

static char reply[4097];
static uint32_t reply_len;
static int reply_type;
static char event_path[128];

/* a request; returns the reply's type (XS_ERROR: reply holds the name; -1:
 * no answer, the line said) */
static int request(uint32_t type, const char *a, uint32_t alen, const char *b, uint32_t blen)
{
    reply_type = xs_request(0, type, a, alen, b, blen, reply, sizeof(reply), &reply_len);
    if (reply_type < 0) {
        reply[0] = 0;
        reply_len = 0;
    }
    return reply_type;
}

/* the next watch event's path into event_path: 0, or -1 after 10 s */
static int next_event(void)
{
    char token[16];
    if (xs_next_event(event_path, sizeof(event_path), token, sizeof(token),
                      system_time_ns() + XS_TIMEOUT_NS))
        return 0;
    printf("xenbus: error: no watch event in 10 s\n");
    event_path[0] = 0;
    return -1;
}

static uint32_t slen(const char *s) { uint32_t n = 0; while (s[n]) n++; return n; }
static int streq(const char *a, const char *b) { return slen(a) == slen(b) && !memcmp(a, b, slen(a)); }

static int x_read(const char *path) { return request(XS_READ, path, slen(path) + 1, NULL, 0); }
static int x_write(const char *path, const char *val)
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
    while (x_read(path) != XS_READ && tries < 2000) {
        tries++;
        xs_wait();                      /* 10 ms */
    }
    ok(reply_type == XS_READ && streq(reply, "1"), "ctl: d%u is ready (%s)", (unsigned)peer,
       reply_type == XS_READ ? "data/ready = 1" : "never");
    fmt(path, sizeof(path), "/local/domain/%u/control/shutdown", (unsigned)peer);
    int t = x_write(path, "poweroff");
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

    int t = x_read("domid");
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
    t = x_read("name");
    ok(t == XS_READ && streq(reply, want), "READ name: %s", reply);

    t = x_write("data/probe", "hello xenbus");
    ok(t == XS_WRITE && streq(reply, "OK"), "WRITE data/probe: %s", reply);
    t = x_read("data/probe");
    ok(t == XS_READ && streq(reply, "hello xenbus"), "READ data/probe: %s", reply);

    char path[64];
    if (peer) {
        fmt(path, sizeof(path), "/local/domain/%u/name", (unsigned)peer);
        t = x_read(path);
        ok(t == XS_ERROR && streq(reply, "EACCES"), "READ %s: %s", path, reply);
    }

    char id[12];
    fmt(id, sizeof(id), "%u", (unsigned)me);
    t = request(XS_GET_DOMAIN_PATH, id, slen(id) + 1, NULL, 0);
    fmt(path, sizeof(path), "/local/domain/%u", (unsigned)me);
    ok(t == XS_GET_DOMAIN_PATH && streq(reply, path), "GET_DOMAIN_PATH %u: %s", (unsigned)me,
       reply);

    t = request(XS_WATCH, "control/shutdown\0sd", 20, NULL, 0);
    ok(t == XS_WATCH && streq(reply, "OK"), "WATCH control/shutdown: %s", reply);
    next_event();
    ok(streq(event_path, "control/shutdown"), "the watch fires at once: %s", event_path);

    if (!peer)                          /* alone (make run): nobody will tell us */
        return tap_done();
    t = x_write("data/ready", "1");
    ok(t == XS_WRITE, "WRITE data/ready: %s", reply);
    for (int waited = 0; waited < 100; waited++) {
        if (waited) {                   /* the first look: the watch's own event */
            if (next_event())
                break;
        }
        t = x_read("control/shutdown");
        if (t == XS_READ && streq(reply, "poweroff")) {
            ok(1, "control/shutdown fired: poweroff");
            int r = tap_done();
            if (r == 0)
                power_off();
            return r;
        }
    }
    ok(0, "control/shutdown never said poweroff");
    return tap_done();
}

/* hostile=ring: impossible request indices; the store must mark the ring
 * broken (error XENSTORE_ERROR_RINGIDX, 2) and serve the others on. */
static int hostile_ring(void)
{
    xs_intf->req_prod = xs_intf->req_cons + 5000;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    evtchn_send(xs_port);
    uint32_t err = 0;
    for (int i = 0; i < 200 && !(err = xs_intf->error); i++)
        xs_wait();
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
        xs_wait();
    return tap_done();
}

int guest_main(void)
{
    int none = xs_init();
    uint32_t peer = cmdline_num("peer", 0);
    printf("xenbus: store ring at pfn %u, port %u\n",
           (unsigned)mfn_to_pfn(start_info->store_mfn), (unsigned)xs_port);
    if (none) {
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
