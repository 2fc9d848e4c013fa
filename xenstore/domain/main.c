/*
 * The xenstore domain's skeleton: a PV guest written against abi/ only that
 * starts, sets up the store (xenstore/store.c) with its local privileged
 * client, checks itself through that client, prints a line and then waits
 * on its event channels, serving rings (xenstore/ring.c) as they are
 * introduced. Not yet started by the domain builder: that needs grant
 * tables to reach the other domains' store pages (docs/xenstore.md).
 *
 * Command line: "selftest" powers off after the start-up line (tests).
 */
#include <pv86/elfnote.h>
#include <pv86/guest.h>
#include <pv86/hypercall.h>

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
    /* Wait for events. No ring is introduced yet (the builder will bind one
     * port per domain and map its page through the grant table); with none,
     * poll on port 0, which never fires. */
    uint32_t ports[1] = { 0 };
    for (;;) {
        struct sched_poll p = { (uint32_t)(uintptr_t)ports, 1, 0 };
        hv_sched_op(SCHEDOP_poll, &p);
    }
}
