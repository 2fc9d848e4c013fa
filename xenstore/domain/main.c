/*
 * The xenstore domain's skeleton: a PV guest written against abi/ only that
 * starts, sets up the store (xenstore/store.c) with its local privileged
 * client, checks itself through that client, prints a line and then waits
 * on its event channels, serving rings (xenstore/ring.c) as they are
 * introduced.
 *
 * Command line: "selftest" powers off after the start-up line (tests);
 * "role=xenstore" (the hypervisor starts it last and connects every PV
 * domain to it): it introduces the domains its introduce page lists
 * (abi/include/pv86/xs_introduce.h) and serves their rings until the
 * hypervisor stops it (docs/xenstore.md, "How the domain starts").
 */
#include <pv86/elfnote.h>
#include <pv86/guest.h>
#include <pv86/grant_table.h>
#include <pv86/hypercall.h>
#include <pv86/xs_introduce.h>

#include "../ring.h"
#include "../store.h"

/* Entry: ESI = start_info, ESP = the boot stack; our own stack for the store's depth. */
extern uint8_t stack[16384];
uint8_t stack[16384] __attribute__((aligned(16)));
__asm__(
    ".section .text.entry, \"ax\"\n"
    ".globl _start\n"
    "_start:\n"
    "    cld\n"
    "    movl $stack + 16384, %esp\n"
    "    pushl %esi\n"
    "    call xenstore_main\n"
    "1:  jmp 1b\n"
    ".section .text.hypercall_page, \"ax\"\n"
    ".align 4096\n"
    ".globl hypercall_page\n"
    "hypercall_page:\n"
    "    .fill 4096, 1, 0\n"
    ".text\n");

extern char _start[];
PV86_ELFNOTE_STR(guest_os, XEN_ELFNOTE_GUEST_OS, "pv86-xenstore");
PV86_ELFNOTE_STR(xen_version, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
PV86_ELFNOTE_STR(loader, XEN_ELFNOTE_LOADER, "generic");
PV86_ELFNOTE_STR(pae_mode, XEN_ELFNOTE_PAE_MODE, "yes");
PV86_ELFNOTE_U32(virt_base, XEN_ELFNOTE_VIRT_BASE, 0);
PV86_ELFNOTE_U32(entry, XEN_ELFNOTE_ENTRY, (uintptr_t)_start);
PV86_ELFNOTE_U32(hypercall_page, XEN_ELFNOTE_HYPERCALL_PAGE, (uintptr_t)hypercall_page);

/* the freestanding build's memcpy/memset (the compiler may call them) */
void *memcpy(void *d, const void *s, unsigned n);
void *memset(void *d, int c, unsigned n);
void *memcpy(void *d, const void *s, unsigned n)
{
    uint8_t *dd = d;
    const uint8_t *ss = s;
    while (n--)
        *dd++ = *ss++;
    return d;
}
void *memset(void *d, int c, unsigned n)
{
    uint8_t *dd = d;
    while (n--)
        *dd++ = (uint8_t)c;
    return d;
}

#define CONSOLE_VA 0x00002000u          /* below the image: a domU's console ring */
#define INTRO_VA   0x00003000u          /* the introduce page (our store page) */
#define SHINFO_VA  0x00004000u          /* shared_info: to clear pending ports */
#define RING_VA(domid) (0x00010000u + (uint32_t)(domid) * 0x1000u)   /* a domain's store page */

static const struct start_info *si;
static struct xs_store store;

static void print(const char *s)
{
    uint32_t n = 0;
    while (s[n])
        n++;
    if (si->flags & SIF_INITDOMAIN)
        hv_console_io(CONSOLEIO_write, n, (char *)(uintptr_t)s);
    else
        pv86_console_write((struct xencons_interface *)CONSOLE_VA, si->console.domU.evtchn, s, n);
}

static void print_uint(uint32_t v)
{
    char buf[12];
    int n = 11;
    buf[n] = 0;
    do { buf[--n] = (char)('0' + v % 10); v /= 10; } while (v);
    print(buf + n);
}

static bool has_word(const char *s, const char *w)
{
    for (; *s; s++) {
        uint32_t i = 0;
        while (w[i] && s[i] == w[i])
            i++;
        if (!w[i] && (s[i] == 0 || s[i] == ' '))
            return true;
    }
    return false;
}

/* one request through the local client; the reply's payload into out */
static uint32_t local(uint32_t type, const char *data, uint32_t len, char *out, uint32_t max)
{
    static uint32_t id;
    struct xsd_sockmsg h = { type, ++id, 0, len };
    struct xs_conn *c = xs_conn_find(&store, XS_DOMID_LOCAL);
    if (xs_request(&store, XS_DOMID_LOCAL, &h, data) != XS_OK)
        return 0;
    uint8_t buf[sizeof(struct xsd_sockmsg) + 64];
    uint32_t got = 0;
    while (xs_out_pending(c)) {
        uint32_t n;
        const uint8_t *p = xs_out_peek(c, &n);
        for (uint32_t i = 0; i < n; i++)
            if (got < sizeof(buf))
                buf[got++] = p[i];
        xs_out_consume(c, n);
    }
    struct xsd_sockmsg r;
    memcpy(&r, buf, sizeof(r));
    uint32_t n = r.len < max ? r.len : max;
    memcpy(out, buf + sizeof(r), n);
    return r.type == type ? n : 0;
}

/* ---- serving the domains the hypervisor lists (role=xenstore) ---- */
struct client {
    bool introduced, mapped, broken_said;
    bool failed;                        /* its INTRODUCE was refused */
    uint32_t shutdown_seen;             /* the slot's shutdown_seq done */
    uint32_t handle, port;              /* the grant map's handle, our local port */
    struct xs_ring ring;
};
static struct client client[PV86_XS_SLOTS + 1];     /* by domid */
static volatile struct pv86_xs_page *intro;
static volatile struct shared_info *shinfo;

static int hook_introduce(void *ctx, uint16_t domid, uint32_t mfn, uint32_t port)
{
    (void)ctx; (void)mfn;
    if (domid == 0 || domid > PV86_XS_SLOTS)
        return XSE_EINVAL;
    struct client *c = &client[domid];
    if (c->mapped) {
        /* INTRODUCE of a domain already connected (xenstored: "recreating
         * the xenbus event-channel"): its page stays mapped as it is; the
         * port is rebound only if the new one binds (a bogus port from a
         * privileged client must not disconnect the domain or, remapped,
         * leave its ring unmapped under us). */
        struct evtchn_bind_interdomain b = { domid, 0, port, 0 };
        if (hv_event_channel_op(EVTCHNOP_bind_interdomain, &b))
            return XSE_EINVAL;
        if (c->port) {
            struct evtchn_port_arg a = { c->port };
            hv_event_channel_op(EVTCHNOP_close, &a);
        }
        c->port = b.local_port;
        return XS_OK;
    }
    struct gnttab_map_grant_ref m = { RING_VA(domid), GNTMAP_host_map,
                                      intro->slot[domid - 1].gref, domid, 0, 0, 0 };
    if (hv_grant_table_op(GNTTABOP_map_grant_ref, &m, 1) || m.status != GNTST_okay)
        return XSE_EINVAL;
    c->mapped = true;
    c->handle = m.handle;
    struct evtchn_bind_interdomain b = { domid, 0, port, 0 };
    if (hv_event_channel_op(EVTCHNOP_bind_interdomain, &b)) {
        struct gnttab_unmap_grant_ref u = { RING_VA(domid), 0, c->handle, 0, 0 };
        hv_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
        c->mapped = false;
        return XSE_EINVAL;
    }
    c->port = b.local_port;
    xs_ring_init(&c->ring, domid, (struct xenstore_domain_interface *)RING_VA(domid));
    return XS_OK;
}

static void hook_release(void *ctx, uint16_t domid)
{
    (void)ctx;
    if (domid == 0 || domid > PV86_XS_SLOTS)
        return;
    struct client *c = &client[domid];
    if (c->mapped) {
        struct gnttab_unmap_grant_ref u = { RING_VA(domid), 0, c->handle, 0, 0 };
        hv_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
    }
    if (c->port) {
        struct evtchn_port_arg a = { c->port };
        hv_event_channel_op(EVTCHNOP_close, &a);
    }
    c->mapped = false;
    c->port = 0;
}

static uint32_t put_uint(char *p, uint32_t v)
{
    char buf[12];
    uint32_t n = 0, k = 0;
    do { buf[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n)
        p[k++] = buf[--n];
    p[k++] = 0;
    return k;
}

/* The hypervisor's introduce page: introduce the new, release the dead. */
static void scan(void)
{
    char msg[64], out[16];
    for (uint16_t domid = 1; domid <= PV86_XS_SLOTS; domid++) {
        volatile struct pv86_xs_slot *s = &intro->slot[domid - 1];
        struct client *c = &client[domid];
        uint8_t state = s->state;
        xs_rmb();
        if (state == PV86_XS_RUNNING && !c->introduced && s->domid == domid) {
            char name[16];
            for (unsigned i = 0; i < sizeof(name); i++)
                name[i] = s->name[i];
            name[sizeof(name) - 1] = 0;
            c->introduced = true;
            c->broken_said = false;
            c->shutdown_seen = 0;           /* a request made before: done at the next scan */
            xs_make_domain_home(&store, domid, name);
            uint32_t n = put_uint(msg, domid);
            n += put_uint(msg + n, s->mfn);
            n += put_uint(msg + n, s->port);
            if (!local(XS_INTRODUCE, msg, n, out, sizeof(out))) {
                print("xenstore: d");
                print_uint(domid);
                print(": introduce failed\n");
                hook_release(NULL, domid);      /* whatever the hook got done */
                c->failed = true;
                continue;
            }
            struct xs_conn *conn = xs_conn_find(&store, domid);
            if (conn && s->privileged)
                conn->priv = true;
            print("xenstore: introduced d");
            print_uint(domid);
            print(" (");
            print(name);
            print(s->privileged ? "), privileged\n" : ")\n");
        } else if (state == PV86_XS_RUNNING && c->introduced && s->shutdown_seq != c->shutdown_seen) {
            /* the toolstack asks: xl's write of control/shutdown */
            c->shutdown_seen = s->shutdown_seq;
            const char *word = s->shutdown_reason == SHUTDOWN_reboot ? "reboot" : "poweroff";
            static const char pre[] = "/local/domain/";
            static const char post[] = "/control/shutdown";
            uint32_t n = 0;
            for (uint32_t k = 0; pre[k]; k++)
                msg[n++] = pre[k];
            n += put_uint(msg + n, domid) - 1;
            for (uint32_t k = 0; k < sizeof(post); k++)
                msg[n++] = post[k];             /* with its NUL */
            for (uint32_t k = 0; word[k]; k++)
                msg[n++] = word[k];
            bool done = local(XS_WRITE, msg, n, out, sizeof(out)) != 0;
            print(done ? "xenstore: d" : "xenstore: could not ask d");
            print_uint(domid);
            print(done ? ": control/shutdown = " : " to shut down: ");
            print(done ? word : "write refused");
            print("\n");
        } else if (state == PV86_XS_DEAD && c->introduced) {
            c->introduced = false;
            uint32_t n = put_uint(msg, domid);
            local(XS_RELEASE, msg, n, out, sizeof(out));
            static const char rm[] = "/local/domain/";
            uint32_t k = 0;
            for (; rm[k]; k++)
                msg[k] = rm[k];
            n = put_uint(msg + k, domid) + k;
            local(XS_RM, msg, n, out, sizeof(out));
            print(c->failed ? "xenstore: removed the home of d" : "xenstore: released d");
            print_uint(domid);
            print("\n");
            c->failed = false;
        }
    }
}

static __attribute__((noreturn)) void serve(void)
{
    hv_update_va_mapping(INTRO_VA, ((uint64_t)si->store_mfn << 12) | 0x61, UVMF_INVLPG);
    hv_update_va_mapping(SHINFO_VA, (uint64_t)si->shared_info | 0x63, UVMF_INVLPG);
    intro = (volatile struct pv86_xs_page *)INTRO_VA;
    shinfo = (volatile struct shared_info *)SHINFO_VA;
    struct evtchn_bind_virq bv = { VIRQ_DOM_EXC, 0, 0 };
    hv_event_channel_op(EVTCHNOP_bind_virq, &bv);
    struct xs_hooks hooks = { NULL, hook_introduce, hook_release };
    store.hooks = hooks;
    if (intro->magic != PV86_XS_MAGIC) {
        print("xenstore: no introduce page\n");
        struct sched_shutdown s = { SHUTDOWN_crash };
        hv_sched_op(SCHEDOP_shutdown, &s);
    }
    print("xenstore: serving as d");
    print_uint(intro->self);
    print("\n");
    for (;;) {
        uint32_t ports[PV86_XS_SLOTS + 1], np = 0;
        ports[np++] = bv.port;
        for (uint16_t d = 1; d <= PV86_XS_SLOTS; d++)
            if (client[d].port)
                ports[np++] = client[d].port;
        for (uint32_t i = 0; i < np; i++)
            __atomic_fetch_and(&shinfo->evtchn_pending[ports[i] / 32], ~(1u << (ports[i] % 32)),
                               __ATOMIC_SEQ_CST);
        scan();
        scan();                         /* a request seen at its introduce */
        /* every ring: a request of one may queue watch events for another */
        for (int round = 0; round < 4; round++) {
            bool again = false;
            for (uint16_t d = 1; d <= PV86_XS_SLOTS; d++) {
                struct client *c = &client[d];
                if (!c->introduced || !c->mapped || !c->port)
                    continue;
                struct xs_conn *conn = xs_conn_find(&store, d);
                uint32_t before = conn ? xs_out_pending(conn) : 0;
                if (xs_ring_process(&store, &c->ring,
                                    (volatile struct xenstore_domain_interface *)RING_VA(d))) {
                    struct evtchn_port_arg a = { c->port };
                    hv_event_channel_op(EVTCHNOP_send, &a);
                }
                if (conn && xs_out_pending(conn) != before)
                    again = true;
                if (c->ring.broken && !c->broken_said) {
                    c->broken_said = true;
                    print("xenstore: d");
                    print_uint(d);
                    print(": ring broken (");
                    print(c->ring.why ? c->ring.why : "?");
                    print("): ignored until released\n");
                }
            }
            if (!again)
                break;
        }
        np = 0;
        ports[np++] = bv.port;
        for (uint16_t d = 1; d <= PV86_XS_SLOTS; d++)
            if (client[d].port)
                ports[np++] = client[d].port;
        struct sched_poll p = { (uint32_t)(uintptr_t)ports, np, 0 };
        hv_sched_op(SCHEDOP_poll, &p);
    }
}

void xenstore_main(const struct start_info *start);
void xenstore_main(const struct start_info *start)
{
    si = start;
    if (!(si->flags & SIF_INITDOMAIN))
        hv_update_va_mapping(CONSOLE_VA, ((uint64_t)si->console.domU.mfn << 12) | 0x63, UVMF_INVLPG);

    xs_init(&store, NULL);
    /* a self-check through the local client: the store answers */
    char out[16];
    static const char wr[] = "/tool/xenstored\0pv86";
    uint32_t n = local(XS_WRITE, wr, sizeof(wr) - 1, out, sizeof(out));
    uint32_t m = local(XS_READ, "/tool/xenstored", 16, out, sizeof(out));
    bool ok = n == 3 && m == 4 && out[0] == 'p' && out[3] == '6';
    print("xenstore: ready, ");
    print_uint(xs_node_count(&store));
    print(" nodes, ");
    print_uint((uint32_t)sizeof(store) / 1024);
    print(" KiB of store, self-check ");
    print(ok ? "passed\n" : "FAILED\n");

    if (has_word(si->cmd_line, "selftest")) {
        struct sched_shutdown s = { ok ? SHUTDOWN_poweroff : SHUTDOWN_crash };
        hv_sched_op(SCHEDOP_shutdown, &s);
    }
    if (has_word(si->cmd_line, "role=xenstore"))
        serve();
    /* Not the xenstore domain of a run: nothing to serve; poll on port 0,
     * which never fires. */
    uint32_t ports[1] = { 0 };
    for (;;) {
        struct sched_poll p = { (uint32_t)(uintptr_t)ports, 1, 0 };
        hv_sched_op(SCHEDOP_poll, &p);
    }
}
