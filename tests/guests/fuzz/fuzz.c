/*
 * fuzz: a hypercall fuzzer. From a seeded PRNG it makes n hypercalls
 * (`seed=`, `n=` on the command line), over every number, with arguments
 * that mix garbage with nearly valid values: pointers into its scratch
 * pages, across a page hole, into the hypervisor; its own frames, other
 * domains' frames, hypervisor frames; structures filled half right. It
 * only keeps away from what would end itself for its own reasons: shutdown,
 * blocking with no wakeup, iret, writes into its own live code, data or
 * page tables (arrays the hypervisor would run as commands are either
 * built here or unreadable), switching to an address space without its
 * code, and printing garbage on the console. After the run it says how many calls it
 * made and which results it saw, then signals the innocent domain
 * (`innocent=`, default 2: its domain number, whose port we leave alone)
 * and, with `neighbour=N`, the latency neighbour (tests/guests/neighbour).
 * It runs as d1 or as a domU; as a domU its console ring page is live too.
 */
#include "guest.h"

/* Scratch pages 16-17 hold the arguments we build (the hypervisor may
 * write into them; they are refilled before every call); pages 32-255 are
 * the victims: frames and addresses the calls may map, unmap, pin and
 * rewrite. We never touch the victims, and never hand their contents over
 * as arguments. */
#define ARG_VA      (GUEST_SCRATCH_VA + 16u * 4096u)
#define ARG_PAGES   2u
#define FUZZ_VA     (GUEST_SCRATCH_VA + 32u * 4096u)
#define FUZZ_PAGES  224u
#define HOLE_VA     0x00C00000u                 /* never mapped */

static uint64_t state;
static uint32_t rnd(void)                       /* xorshift64* */
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return (uint32_t)((state * 0x2545F4914F6CDD1Dull) >> 32);
}
static uint32_t below(uint32_t n) { return n ? rnd() % n : 0; }
static uint32_t innocent = 2;                   /* the innocent domain's number */
static uint32_t neighbour;                      /* the latency neighbour's, or 0 */
static int spared(uint32_t dom) { return dom == innocent || (neighbour && dom == neighbour); }

static uint8_t owned[65536 / 8];                /* from the p2m, not the M2P */
static uint32_t fuzz_mfn[FUZZ_PAGES];
static int is_owned(uint32_t mfn) { return mfn < 65536 && (owned[mfn / 8] >> (mfn % 8)) & 1; }
static int is_fuzz_mfn(uint32_t mfn)
{
    for (uint32_t i = 0; i < FUZZ_PAGES; i++)
        if (fuzz_mfn[i] == mfn)
            return 1;
    return 0;
}

/* A frame number: one of our fuzz pages, someone else's, or anything. */
static uint32_t any_mfn(void)
{
    switch (below(4)) {
    case 0: return fuzz_mfn[below(FUZZ_PAGES)];
    case 1: return below(65536);
    case 2: return rnd();
    default: return below(16);
    }
}
/* A frame that is safe to hand over: not one of our live pages. */
static uint32_t safe_mfn(void)
{
    for (;;) {
        uint32_t m = any_mfn();
        if (!is_owned(m) || is_fuzz_mfn(m))
            return m;
    }
}

/* A pointer: into the fuzz pages, straddling the hole, into the
 * hypervisor, unmapped, or garbage. */
static uint32_t any_ptr(void)
{
    switch (below(6)) {
    case 0:
    case 1: return FUZZ_VA + below(FUZZ_PAGES * 4096u - 64);
    case 2: return HOLE_VA - below(16);
    case 3: return HYPERVISOR_VIRT_START + below(0x0A800000u);
    case 4: return HOLE_VA + below(0x100000);
    default: return rnd();
    }
}
/* A pointer the hypervisor may read and write: our argument pages (every
 * word of which we chose), the hole, or the hypervisor's area. */
static uint32_t out_ptr(void)
{
    switch (below(3)) {
    case 0: return ARG_VA + below(ARG_PAGES * 4096u);
    case 1: return HOLE_VA - below(16);
    default: return HYPERVISOR_VIRT_START + below(0x0A800000u);
    }
}
/* A pointer the hypervisor cannot read: for arrays it would run as commands. */
static uint32_t bad_ptr(void)
{
    return below(2) ? HYPERVISOR_VIRT_START + below(0x0A800000u) : HOLE_VA + below(0x100000) - 8;
}

/* Values that would land in our shared_info page or our image (code, data,
 * stack, page tables) as pointers are turned into pointers we can spare. */
static uint32_t sanitize(uint32_t v);

static uint32_t any_val(void)
{
    switch (below(5)) {
    case 0: return below(16);
    case 1: return rnd();
    case 2: return 0xFFFFFFFFu - below(4);
    case 3: return DOMID_SELF + below(3) - 1;
    default: return 1u << below(32);
    }
}

static uint32_t fuzz_buf(void) { return ARG_VA + below(ARG_PAGES * 4096u - 512) / 8 * 8; }

static uint32_t sanitize(uint32_t v)
{
    if ((v >= GUEST_SHARED_VA && v < GUEST_SHARED_VA + 4096u) ||
        (v >= GUEST_CONSOLE_VA && v < GUEST_CONSOLE_VA + 4096u) ||
        (v >= GUEST_SCRATCH_END && v < HOLE_VA))
        return fuzz_buf();
    return v;
}

/* The argument pages get new words before each call: whatever the
 * hypervisor reads there as a nested pointer is then one we can spare. */
static void scrub_args(void)
{
    uint32_t *w = (uint32_t *)ARG_VA;
    for (uint32_t i = 0; i < ARG_PAGES * 1024u; i++)
        w[i] = sanitize(any_val());
}

static uint64_t any_pte(void)
{
    uint64_t flags = below(2) ? (PTE_P | PTE_A | (below(2) ? PTE_RW : 0) | (below(2) ? PTE_U : 0))
                              : (uint64_t)rnd() & 0xFFF;
    uint64_t hi = below(8) ? 0 : (uint64_t)rnd() << 32;
    return hi | ((uint64_t)safe_mfn() << 12) | flags;
}

/* Fill a buffer with requests for a batch: machine addresses only of our
 * fuzz frames, of other frames, or garbage. */
static void fill_mmu_updates(struct mmu_update *u, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        uint64_t ptr = ((uint64_t)safe_mfn() << 12) | (below(512) * 8u) | below(4);
        if (below(8) == 0)
            ptr = ((uint64_t)rnd() << 32) | rnd();
        if (is_owned((uint32_t)(ptr >> 12)) && !is_fuzz_mfn((uint32_t)(ptr >> 12)))
            ptr = (uint64_t)fuzz_mfn[0] << 12;
        u[i].ptr = ptr;
        u[i].val = any_pte();
    }
}

static void fill_mmuext(struct mmuext_op *o, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        o[i].cmd = below(4) ? below(14) : rnd();
        o[i].arg1 = below(2) ? safe_mfn() : any_ptr();
        o[i].arg2 = below(2) ? below(10) : any_val();
        if (o[i].cmd == MMUEXT_NEW_BASEPTR && is_owned(o[i].arg1))
            o[i].arg1 = 0;          /* a fuzz frame made an L3 would lose our code */
        if (o[i].cmd == MMUEXT_UNPIN_TABLE && is_owned(o[i].arg1) && !is_fuzz_mfn(o[i].arg1))
            o[i].arg1 = fuzz_mfn[0];
    }
}

/* One hypercall; returns its result. */
static int32_t one_call(uint32_t nr, int nested);

static void fill_multicall(struct multicall_entry *e, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        e[i].op = below(4) ? below(49) : rnd();
        e[i].result = rnd();
        for (int a = 0; a < 6; a++)
            e[i].args[a] = sanitize(any_val());
        /* The calls a multicall would make are made safe as if direct. */
        if (e[i].op == __HYPERVISOR_mmu_update || e[i].op == __HYPERVISOR_mmuext_op ||
            e[i].op == __HYPERVISOR_update_va_mapping || e[i].op == __HYPERVISOR_console_io ||
            e[i].op == __HYPERVISOR_set_trap_table || e[i].op == __HYPERVISOR_stack_switch ||
            e[i].op == __HYPERVISOR_set_callbacks || e[i].op == __HYPERVISOR_callback_op ||
            e[i].op == __HYPERVISOR_event_channel_op || e[i].op == __HYPERVISOR_set_gdt ||
            e[i].op == __HYPERVISOR_update_descriptor || e[i].op == __HYPERVISOR_set_debugreg ||
            e[i].op == __HYPERVISOR_grant_table_op ||
            e[i].op == __HYPERVISOR_sched_op ||     /* a poll without deadline would hang us */
            e[i].op == __HYPERVISOR_iret)          /* ends the batch by returning elsewhere */
            e[i].op = __HYPERVISOR_xen_version;
    }
}

static int32_t one_call(uint32_t nr, int nested)
{
    uint32_t a[5];
    for (int i = 0; i < 5; i++)
        a[i] = any_val();
    switch (nr) {
    case __HYPERVISOR_iret:
        return 0;                                   /* would return elsewhere */
    case __HYPERVISOR_set_trap_table:
    case __HYPERVISOR_set_callbacks:
    case __HYPERVISOR_stack_switch:
    case __HYPERVISOR_callback_op: {
        int32_t rc;
        if (nr == __HYPERVISOR_set_trap_table) {
            struct trap_info *t = (struct trap_info *)fuzz_buf();
            for (int i = 0; i < 8; i++) {
                t[i].vector = (uint8_t)rnd();
                t[i].flags = (uint8_t)rnd();
                t[i].cs = (uint16_t)(below(2) ? FLAT_RING1_CS : rnd());
                t[i].address = below(8) ? rnd() : 0;
            }
            rc = hv_set_trap_table(below(8) ? t : (const struct trap_info *)(uintptr_t)any_ptr());
        } else {
            uint32_t p = any_ptr();
            rc = hv_hypercall5(nr, a[0], below(2) ? p : a[1], a[2], a[3], a[4]);
        }
        if (guest_traps_install())                  /* ours back */
            poweroff(0);
        return rc;
    }
    case __HYPERVISOR_mmu_update:
    case __HYPERVISOR_mmuext_op: {
        uint32_t n = below(4) ? below(8) + 1 : any_val();
        void *buf = (void *)(uintptr_t)fuzz_buf();
        if (nr == __HYPERVISOR_mmu_update)
            fill_mmu_updates(buf, 8);
        else
            fill_mmuext(buf, 8);
        uint32_t p = n <= 8 && below(8) ? (uint32_t)(uintptr_t)buf : bad_ptr();
        return hv_hypercall5(nr, p, n, below(2) ? out_ptr() : 0, below(4) ? DOMID_SELF : any_val(), 0);
    }
    case __HYPERVISOR_update_va_mapping: {
        uint32_t va = below(2) ? FUZZ_VA + below(FUZZ_PAGES) * 4096u : any_ptr();
        if (va < 0x00800000u && (va < FUZZ_VA || va >= GUEST_SCRATCH_END))
            va = FUZZ_VA;                           /* not our own pages */
        uint64_t pte = any_pte();
        uint32_t flags = below(2) ? below(8) : any_val();
        if ((flags & ~7u) && below(2))
            flags = (flags & 7u) | (out_ptr() & ~7u);
        return hv_hypercall5(nr, va, (uint32_t)pte, (uint32_t)(pte >> 32), flags, 0);
    }
    case __HYPERVISOR_console_io:                   /* never print garbage */
        if (a[0] == CONSOLEIO_write && below(2))
            return hv_hypercall5(nr, a[0], 0, any_ptr(), 0, 0);
        return hv_hypercall5(nr, a[0] == CONSOLEIO_write ? CONSOLEIO_read : a[0], a[1], out_ptr(), 0, 0);
    case __HYPERVISOR_sched_op: {
        uint32_t cmd = below(4) ? below(6) : a[0];
        if (cmd == SCHEDOP_shutdown || cmd == SCHEDOP_block)
            cmd = SCHEDOP_yield;
        if (cmd == SCHEDOP_poll) {                  /* always with a near deadline */
            uint32_t *ports = (uint32_t *)fuzz_buf();
            for (int i = 0; i < 4; i++)
                ports[i] = below(2) ? below(64) : rnd();
            struct sched_poll poll = { (uint32_t)(uintptr_t)ports, below(5), 1 };   /* past */
            return hv_sched_op(cmd, &poll);
        }
        return hv_hypercall5(nr, cmd, below(2) ? any_ptr() : 0, 0, 0, 0);
    }
    case __HYPERVISOR_event_channel_op: {
        uint32_t cmd = below(4) ? below(13) : a[0];
        uint32_t *arg = (uint32_t *)fuzz_buf();
        for (int i = 0; i < 8; i++)
            arg[i] = below(2) ? below(64) : any_val();
        if (cmd == EVTCHNOP_bind_interdomain && spared(arg[0] & 0xFFFF))
            arg[0] = 0x7FEF;                        /* leave the innocent's port alone */
        if (cmd == EVTCHNOP_alloc_unbound && spared(arg[0] & 0xFFFF))
            arg[0] = DOMID_SELF;
        return hv_event_channel_op(cmd, below(8) ? (void *)arg : (void *)(uintptr_t)bad_ptr());
    }
    case __HYPERVISOR_set_gdt: {
        uint32_t *frames = (uint32_t *)fuzz_buf();
        for (int i = 0; i < 16; i++)
            frames[i] = safe_mfn();
        return hv_hypercall5(nr, below(8) ? (uint32_t)(uintptr_t)frames : any_ptr(),
                             below(2) ? below(600) : a[1], 0, 0, 0);
    }
    case __HYPERVISOR_update_descriptor: {
        uint64_t ma = ((uint64_t)safe_mfn() << 12) | (below(512) * 8u) | below(2);
        return hv_hypercall5(nr, (uint32_t)ma, (uint32_t)(ma >> 32), rnd(), rnd(), 0);
    }
    case __HYPERVISOR_multicall: {
        struct multicall_entry *e = (struct multicall_entry *)fuzz_buf();
        uint32_t n = below(4) ? below(6) + 1 : any_val();
        fill_multicall(e, 6);
        if (nested)
            return 0;
        /* Only the 6 entries built here may run; a longer list is unreadable. */
        return hv_hypercall5(nr, n <= 6 && below(8) ? (uint32_t)(uintptr_t)e : bad_ptr(), n, 0, 0, 0);
    }
    case __HYPERVISOR_pv86_counters_op:
        return hv_hypercall5(nr, below(4) ? 0 : a[0], out_ptr(), 0, 0, 0);
    case __HYPERVISOR_grant_table_op: {
        /* Requests of any op, built here: a word that names one of our
         * frames other than a fuzz frame becomes a fuzz frame, one that
         * would point into our image a spare address (a copy into our own
         * stack frame, or a grant map over its page, would end us by our
         * own doing, as on Xen). A long count goes with an unreadable list. */
        uint32_t *w = (uint32_t *)fuzz_buf();
        for (int i = 0; i < 64; i++) {
            uint32_t v = sanitize(any_val());
            w[i] = is_owned(v) && !is_fuzz_mfn(v) ? fuzz_mfn[0] : v;
        }
        uint32_t cmd = below(4) ? below(13) : a[0];
        if (below(4))
            return hv_hypercall5(nr, cmd, (uint32_t)(uintptr_t)w, below(8) + 1, 0, 0);
        return hv_hypercall5(nr, cmd, bad_ptr(), a[2], 0, 0);
    }
    case __HYPERVISOR_set_debugreg:
        /* Any register and value, but DR7 (and its alias DR5) never enables
         * a breakpoint: one on our own pages would end us with a #DB. */
        if ((a[0] & ~2u) == 5)
            a[1] &= ~0xFFu;
        return hv_hypercall5(nr, a[0], a[1], 0, 0, 0);
    default:
        /* The rest take values and pointers the hypervisor may write. */
        return hv_hypercall5(nr, a[0], below(2) ? out_ptr() : sanitize(a[1]),
                             below(2) ? out_ptr() : sanitize(a[2]), sanitize(a[3]), sanitize(a[4]));
    }
}

/* What the last call was, said when a trap ends us. */
static uint32_t last_i, last_nr;
static void say_last_call(void)
{
    guest_crash_hook = 0;                       /* once */
    printf("fuzz: during call %u (seed's sequence): hypercall %u\n", (unsigned)last_i,
           (unsigned)last_nr);
}

static void signal_innocent(void)
{
    signal_domain(innocent);
    if (neighbour)
        signal_domain(neighbour);
}

int guest_main(void)
{
    uint32_t seed = cmdline_num("seed", 1), n = cmdline_num("n", 3000);
    uint32_t trace = cmdline_num("trace", 0xFFFFFFFFu);     /* say each call from there on */
    innocent = cmdline_num("innocent", 2);
    neighbour = cmdline_num("neighbour", 0);
    state = 0x9E3779B97F4A7C15ull ^ seed;
    for (uint32_t pfn = 0; pfn < start_info->nr_pages; pfn++) {
        uint32_t m = pfn_to_mfn(pfn);
        if (m < 65536)
            owned[m / 8] |= (uint8_t)(1u << (m % 8));
    }
    for (uint32_t i = 0; i < FUZZ_PAGES; i++)
        fuzz_mfn[i] = pfn_to_mfn((FUZZ_VA >> 12) + i);
    printf("fuzz: %u hypercalls from seed %u\n", (unsigned)n, (unsigned)seed);
    guest_crash_hook = say_last_call;
    /* A latency neighbour measures only once it runs: let it start first. */
    if (cmdline_num("neighbour", 0))
        for (int i = 0; i < 3; i++)
            hv_sched_op(SCHEDOP_yield, NULL);

    static int32_t seen[64];
    unsigned nseen = 0, ok_calls = 0;
    uint32_t per_nr[PV86_NR_HYPERCALLS] = { 0 };
    for (uint32_t i = 0; i < n; i++) {
        uint32_t nr = below(4) ? below(PV86_NR_HYPERCALLS) : below(128);
        if (nr < PV86_NR_HYPERCALLS)
            per_nr[nr]++;
        scrub_args();
        last_i = i;
        last_nr = nr;
        guest_crash_hook = say_last_call;
        int32_t rc = one_call(nr, 0);
        if (i >= trace)
            printf("fuzz: call %u: hypercall %u -> %d\n", (unsigned)i, (unsigned)nr, (int)rc);
        if (rc >= 0) {
            ok_calls++;
            continue;
        }
        unsigned k = 0;
        while (k < nseen && seen[k] != rc)
            k++;
        if (k == nseen && nseen < 64)
            seen[nseen++] = rc;
    }
    unsigned numbers = 0;
    for (unsigned i = 0; i < PV86_NR_HYPERCALLS; i++)
        numbers += per_nr[i] != 0;
    for (unsigned i = 1; i < nseen; i++)            /* sort the codes */
        for (unsigned j = i; j > 0 && seen[j - 1] < seen[j]; j--) {
            int32_t t = seen[j];
            seen[j] = seen[j - 1];
            seen[j - 1] = t;
        }
    printf("fuzz: %u calls over %u hypercall numbers, %u returned >= 0, %u distinct error codes:",
           (unsigned)n, numbers, ok_calls, nseen);
    for (unsigned i = 0; i < nseen; i++)
        printf(" %d", (int)seen[i]);
    printf("\nfuzz: the hypervisor still answers: xen_version %#x\n",
           (unsigned)hv_xen_version(XENVER_version, NULL));
    signal_innocent();
    return 0;
}
