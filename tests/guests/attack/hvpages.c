/*
 * hvpages: the pages the hypervisor keeps writing after we start (see
 * hypervisor/core/guest_ptr.h) attacked as pv86 issue 13 found them: each
 * made read-only everywhere we map it, zeroed where that makes its contents
 * valid tables and descriptors, and then offered as an L1, an L2, an L2's
 * entry, a GDT frame, an LDT and a descriptor to update. Every one must be
 * refused, -EINVAL as Xen answers (but for one descriptor written with
 * update_descriptor, which Xen accepts in any frame it could map
 * writable): the console ring and the xenstore page
 * hold the hypervisor's writable type reference, and shared_info is a
 * hypervisor page typed writable for good (Xen: "Bad type", or set_gdt's
 * -EINVAL for any frame it cannot take). start_info, written only while
 * we were built, is ours afterwards (as in Xen): it may become an L1, and
 * nothing writes it meanwhile.
 *
 *   test=hvpages         the above, in either role
 *   test=console-close   (a domU) close the console ring's event channel,
 *                        bind a new port that gets the same number, and
 *                        check it stays idle while the hypervisor drains
 *                        the ring 50 times
 *   test=console-indices (a domU) ring indices that claim more than the ring
 *                        holds: the hypervisor leaves the ring alone
 */
#include "guest.h"

#include "attack.h"

#define EQ(call, want) ((int32_t)(call) == (int32_t)(want))
#define SCRATCH(i) (GUEST_SCRATCH_VA + (uint32_t)(i) * 4096u)
#define CONS_INDICES 3080u          /* out_cons, out_prod: one 8-byte word */
#define MS 1000000ull

static int32_t mmuext1(uint32_t cmd, uint32_t arg1, uint32_t arg2)
{
    struct mmuext_op op = { cmd, arg1, arg2 };
    return hv_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

static int is_domu(void)
{
    return !(start_info->flags & SIF_INITDOMAIN);
}

static void wait_ms(uint64_t ms)
{
    uint64_t t0 = system_time_ns();
    while (system_time_ns() - t0 < ms * MS)
        hv_sched_op(SCHEDOP_yield, NULL);
}

/* Wait until the hypervisor has printed all we wrote into our ring. */
static int ring_drained(uint64_t ms)
{
    volatile struct xencons_interface *c = (struct xencons_interface *)GUEST_CONSOLE_VA;
    uint64_t t0 = system_time_ns();
    while (c->out_cons != c->out_prod) {
        if (system_time_ns() - t0 > ms * MS)
            return 0;
        hv_sched_op(SCHEDOP_yield, NULL);
    }
    return 1;
}

struct target {
    const char *name;
    uint32_t mfn;
    uint32_t va[2];             /* where we map it writable (0: none) */
    int32_t want;               /* what every attempt must return */
};

enum { PIN_L1, PIN_L2, L2_ENTRY, GDT, LDT, DESC, ATTEMPTS };
static const char *const attempt_name[ATTEMPTS] = {
    "pinned as an L1", "pinned as an L2", "named by an L2 entry (as an L1)",
    "a GDT frame (set_gdt)", "an LDT (SET_LDT)", "a descriptor written (update_descriptor)",
};

/* One attempt; whatever is accepted is undone at once, so that the run goes
 * on and reports it. */
static int32_t attempt(int which, const struct target *t, uint32_t l2_mfn)
{
    int32_t rc;
    uint32_t frames[1] = { t->mfn };
    switch (which) {
    case PIN_L1:
    case PIN_L2:
        rc = mmuext1(which == PIN_L1 ? MMUEXT_PIN_L1_TABLE : MMUEXT_PIN_L2_TABLE, t->mfn, 0);
        if (rc == 0)
            mmuext1(MMUEXT_UNPIN_TABLE, t->mfn, 0);
        return rc;
    case L2_ENTRY:
        rc = mmuext1(MMUEXT_PIN_L2_TABLE, l2_mfn, 0);
        if (rc == 0)
            mmuext1(MMUEXT_UNPIN_TABLE, l2_mfn, 0);
        return rc;
    case GDT:
        rc = hv_set_gdt(frames, 512);
        if (rc == 0)
            hv_set_gdt(frames, 0);
        return rc;
    case LDT:
        rc = mmuext1(MMUEXT_SET_LDT, t->va[0], 512);
        if (rc == 0)
            mmuext1(MMUEXT_SET_LDT, 0, 0);
        return rc;
    default:    /* a flat ring-1 data segment: a valid descriptor */
        return hv_update_descriptor(((uint64_t)t->mfn << 12) + 8, 0x00CFB2000000FFFFull);
    }
}

static void attack_page(const struct target *t)
{
    int32_t rc[ATTEMPTS];
    /* An L2 whose entry 0 names the target as its L1. */
    uint32_t *l2 = (uint32_t *)SCRATCH(40);
    uint32_t l2_mfn = pfn_to_mfn(SCRATCH(40) >> 12);
    memset(l2, 0, 4096);
    l2[0] = (t->mfn << 12) | 0x67;
    map_page(SCRATCH(40), l2_mfn, PTE_P | PTE_A);
    /* Nothing of ours maps it writable from here on. */
    for (unsigned i = 0; i < 2; i++)
        if (t->va[i])
            map_page(t->va[i], t->mfn, PTE_P | PTE_A);
    for (int i = 0; i < ATTEMPTS; i++)
        rc[i] = attempt(i, t, l2_mfn);
    for (unsigned i = 0; i < 2; i++)
        if (t->va[i])
            map_page(t->va[i], t->mfn, PTE_P | PTE_RW | PTE_A | PTE_D);
    map_page(SCRATCH(40), l2_mfn, PTE_P | PTE_RW | PTE_A | PTE_D);
    /* update_descriptor writes into any frame Xen could map writable (the
     * write alone makes it no descriptor page): accepted, as Xen. */
    for (int i = 0; i < ATTEMPTS; i++) {
        int32_t want = i == DESC ? 0 : t->want;
        ok(rc[i] == want, "%s %s: %d (want %d)", t->name, attempt_name[i], (int)rc[i],
           (int)want);
    }
}

static void hvpages(void)
{
    uint32_t store = start_info->store_mfn;
    printf("attack: the pages the hypervisor writes, made tables and descriptors\n");

    struct target si = { "shared_info", start_info->shared_info >> 12,
                         { GUEST_SHARED_VA, 0 }, -XEN_EINVAL };
    attack_page(&si);

    /* The xenstore page: zero, so that it would validate as anything. */
    struct target xs = { "the xenstore page", store, { mfn_to_pfn(store) << 12, 0 }, -XEN_EINVAL };
    memset((void *)xs.va[0], 0, 4096);
    attack_page(&xs);

    if (is_domu()) {
        /* The console ring, emptied and zeroed: the two output indices in
         * one 8-byte write (an mmu_update into a plain frame), so that no
         * drain sees half of it. */
        uint32_t cons = start_info->console.domU.mfn;
        int drained = ring_drained(200);       /* nothing printed until it is zeroed */
        struct xencons_interface *c = (struct xencons_interface *)GUEST_CONSOLE_VA;
        memset(c->in, 0, sizeof(c->in));
        memset(c->out, 0, sizeof(c->out));
        c->in_cons = c->in_prod = 0;
        struct mmu_update u = { ((uint64_t)cons << 12) + CONS_INDICES, 0 };
        int32_t rc = hv_mmu_update(&u, 1, NULL, DOMID_SELF);
        struct target ring = { "the console ring", cons,
                               { GUEST_CONSOLE_VA, mfn_to_pfn(cons) << 12 }, -XEN_EINVAL };
        attack_page(&ring);
        ok(drained && rc == 0, "the console ring drained and zeroed, then still works");
    }

    /* start_info: ours after the build. Saved, zeroed, made an L1. */
    static uint8_t saved[4096];
    uint32_t si_va = (uint32_t)(uintptr_t)start_info, si_mfn = pfn_to_mfn(si_va >> 12);
    memcpy(saved, start_info, sizeof(saved));
    memset(start_info, 0, sizeof(saved));
    map_page(si_va, si_mfn, PTE_P | PTE_A);
    struct mmuext_op pin = { MMUEXT_PIN_L1_TABLE, si_mfn, 0 };
    int32_t pinned = hv_mmuext_op(&pin, 1, NULL, DOMID_SELF);
    wait_ms(30);                                /* 30 ticks, drains and all */
    unsigned nonzero = 0;
    for (unsigned i = 0; i < 4096; i++)
        nonzero += ((const volatile uint8_t *)si_va)[i] != 0;
    int32_t unpinned = mmuext1(MMUEXT_UNPIN_TABLE, si_mfn, 0);
    map_page(si_va, si_mfn, PTE_P | PTE_RW | PTE_A | PTE_D);
    memcpy(start_info, saved, sizeof(saved));
    ok(pinned == 0 && unpinned == 0 && nonzero == 0,
       "start_info (written only at build) may become an L1 (%d, %d); nothing wrote it in "
       "30 ms (%u bytes changed)", (int)pinned, (int)unpinned, nonzero);
    ok(hv_xen_version(XENVER_version, NULL) == 0x30000, "the hypervisor still serves us");
}

static void console_close(void)
{
    if (!is_domu()) {
        ok(0, "console-close needs a domU (d1 has no console ring)");
        return;
    }
    struct xencons_interface *c = (struct xencons_interface *)GUEST_CONSOLE_VA;
    uint32_t p = start_info->console.domU.evtchn;
    printf("attack: closing the console ring's port %u\n", (unsigned)p);
    int drained = ring_drained(200);
    struct evtchn_port_arg arg = { p };
    int32_t closed = hv_event_channel_op(EVTCHNOP_close, &arg);
    int32_t send = hv_event_channel_op(EVTCHNOP_send, &arg);
    struct evtchn_bind_ipi ipi = { 0, 0 };
    int32_t bound = hv_event_channel_op(EVTCHNOP_bind_ipi, &ipi);
    uint32_t q = ipi.port, bit = 1u << (q % 32);
    volatile uint32_t *pend = &shared_info->evtchn_pending[q / 32];
    shared_info->evtchn_mask[q / 32] |= bit;          /* no upcall; poll sees it */
    __atomic_and_fetch(pend, ~bit, __ATOMIC_SEQ_CST);
    /* 50 times: a line into the ring without a notification, then 3 ms in
     * which the 1 ms drain prints it. The new port must stay idle. */
    unsigned went_pending = 0;
    for (unsigned i = 0; i < 50; i++) {
        char line[48];
        int n = 0;
        const char *s = "console-close: line ";
        while (s[n]) {
            line[n] = s[n];
            n++;
        }
        line[n++] = (char)('0' + i / 10);
        line[n++] = (char)('0' + i % 10);
        line[n++] = '\n';
        pv86_console_put(c, line, (uint32_t)n);
        poll_port(q, system_time_ns() + 3 * MS);
        if (*pend & bit) {
            went_pending++;
            __atomic_and_fetch(pend, ~bit, __ATOMIC_SEQ_CST);
        }
    }
    int printed = ring_drained(200);
    struct evtchn_status st = { DOMID_SELF, 0, p, 0, 0, { { 0, 0 } } };
    int32_t status = hv_event_channel_op(EVTCHNOP_status, &st);
    ok(drained && closed == 0, "EVTCHNOP_close of the console's port %u: %d", (unsigned)p,
       (int)closed);
    ok(send == -XEN_EINVAL, "a send on it once closed: %d (want -EINVAL)", (int)send);
    ok(bound == 0 && q == p, "a new port (bind_ipi) gets the same number: %u", (unsigned)q);
    ok(went_pending == 0 && printed,
       "over 50 drains of the ring it went pending %u times (want 0); all printed", went_pending);
    ok(status == 0 && st.status == EVTCHNSTAT_ipi, "its status: an IPI port (%d, %u)",
       (int)status, (unsigned)st.status);
}

/* The ring's indices are guest data: out_prod set 2049, 2^31 and -1 bytes
 * ahead of out_cons, 10 ms each. The hypervisor must leave the ring alone
 * (out_cons unchanged, nothing printed from it) and say so once; with sane
 * indices again, output goes on. */
static void console_indices(void)
{
    if (!is_domu()) {
        ok(0, "console-indices needs a domU (d1 has no console ring)");
        return;
    }
    volatile struct xencons_interface *c = (struct xencons_interface *)GUEST_CONSOLE_VA;
    static const uint32_t ahead[] = { 2049, 0x80000000u, 0xFFFFFFFFu };
    int drained = ring_drained(200);
    uint32_t cons = c->out_cons, moved = 0;
    for (unsigned i = 0; i < 3; i++) {
        c->out_prod = cons + ahead[i];          /* one 32-bit store */
        wait_ms(10);
        moved += c->out_cons != cons;
        c->out_prod = cons;
    }
    ok(drained && moved == 0, "out_prod 2049, 2^31 and 2^32-1 bytes ahead, 10 ms each: "
       "out_cons left alone (%u times moved)", moved);
    ok(ring_drained(200), "sane indices again: the ring is drained as before");
}

int hvpages_case(const char *name, size_t len)
{
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
    if (IS("hvpages"))
        hvpages();
    else if (IS("console-close"))
        console_close();
    else if (IS("console-indices"))
        console_indices();
    else
        return -1;
#undef IS
    signal_innocent();
    return tap_done();
}
