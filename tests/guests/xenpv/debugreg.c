/*
 * debugreg: breakpoints and single-step as a Xen PV kernel uses them:
 * set_debugreg/get_debugreg and mov to/from %drN in ring 1, with Xen's
 * answers to every bad value; an execution breakpoint, data breakpoints and
 * single steps through our own #DB handler, with the exact EIP and DR6 of
 * each #DB (debugreg_code.S holds the code, at labels).
 */
#include <pv86/xen.h>

#include "xenpv.h"

#define EFLAGS_TF 0x100u
#define EFLAGS_RF 0x10000u
#define DR6_CLEAR 0xFFFF0FF0u
#define DR7_CLEAR 0x00000400u
#define DR7_L(n) (1u << (2 * (n)))
#define DR7_RWLEN(n, rw, len) ((uint32_t)((len) << 2 | (rw)) << (16 + 4 * (n)))
#define RW_EXEC 0
#define RW_WRITE 1
#define RW_IO 2
#define RW_ACCESS 3
#define LEN1 0
#define LEN4 3

void db_stub(void), trap_stub_1(void);
uint32_t bp_target(uint32_t x);
void store_word(volatile uint32_t *p, uint32_t v), store_byte(volatile void *p, uint32_t v);
uint32_t load_word(volatile uint32_t *p);
uint32_t step_run(void);
extern char store_word_done[], store_byte_done[], load_word_done[];
extern char step_1[], step_2[], step_3[], step_4[], step_5[], step_6[], step_7[], step_8[],
     step_9[], step_10[], step_11[];
extern char u_get_dr7[], u_set_dr0[], u_step[], u_step_1[], u_step_2[], u_step_3[];
#define R1_PROBES(n) void r1_set_dr##n(uint32_t); uint32_t r1_get_dr##n(void);
R1_PROBES(0) R1_PROBES(1) R1_PROBES(2) R1_PROBES(3) R1_PROBES(6) R1_PROBES(7)
uint32_t r1_get_dr4(void);
void r1_set_dr5(uint32_t), r1_set_dr1_prefixed(uint32_t);

/* What our #DB handler saw. */
#define DB_MAX 32
struct db_frame {
    uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
    uint32_t eip, cs, eflags;
};
static volatile struct {
    unsigned count;
    uint32_t eip[DB_MAX], cs[DB_MAX], dr6[DB_MAX], eflags[DB_MAX];
    unsigned rf_from;       /* set RF in the frame from this #DB on (1: always) */
    int reset_dr6;          /* write DR6 back to its default, as a kernel does */
} db;

void db_trap(struct db_frame *f);
void db_trap(struct db_frame *f)
{
    unsigned i = db.count++;
    if (i < DB_MAX) {
        db.eip[i] = f->eip;
        db.cs[i] = f->cs & 0xFFFF;
        db.eflags[i] = f->eflags;
        db.dr6[i] = hv_get_debugreg(6);
    }
    if (db.reset_dr6)
        hv_set_debugreg(6, 0);
    if (db.count >= db.rf_from)
        f->eflags |= EFLAGS_RF;
    if (db.count >= 2 * DB_MAX) {           /* runaway: stop it, the checks fail */
        f->eflags &= ~EFLAGS_TF;
        hv_set_debugreg(7, 0);
    }
}

static void db_reset(unsigned rf_from, int reset_dr6)
{
    db.count = 0;
    db.rf_from = rf_from;
    db.reset_dr6 = reset_dr6;
    for (unsigned i = 0; i < DB_MAX; i++)
        db.eip[i] = db.cs[i] = db.dr6[i] = db.eflags[i] = 0;
}

static int set_trap(unsigned vector, void (*handler)(void))
{
    const struct trap_info t[2] = {
        { (uint8_t)vector, 0, FLAT_RING1_CS, (uint32_t)(uintptr_t)handler }, { 0, 0, 0, 0 },
    };
    return hv_set_trap_table(t);
}

#define U(p) ((uint32_t)(uintptr_t)(p))

/* ---- the hypercalls and their answers */
static void hypercalls(void)
{
    ok(hv_get_debugreg(0) == 0 && hv_get_debugreg(1) == 0 && hv_get_debugreg(2) == 0 &&
       hv_get_debugreg(3) == 0 && hv_get_debugreg(6) == DR6_CLEAR &&
       hv_get_debugreg(7) == DR7_CLEAR,
       "debugreg: at start DR0-3 are 0, DR6 %#x, DR7 %#x (Xen's reset values)",
       hv_get_debugreg(6), hv_get_debugreg(7));

    static const uint32_t addr[4] = { 0x00001000u, 0x00400000u, 0x40000000u, 0xF57FFFFCu };
    int good = 1;
    for (uint32_t r = 0; r < 4; r++)
        good &= hv_set_debugreg(r, addr[r]) == 0;
    ok(good && hv_get_debugreg(0) == addr[0] && hv_get_debugreg(1) == addr[1] &&
       hv_get_debugreg(2) == addr[2] && hv_get_debugreg(3) == addr[3],
       "debugreg: DR0-3 set and read back, up to %#x (its 4 bytes end at the hypervisor area)",
       addr[3]);

    static const uint32_t hv[] = { 0xF57FFFFDu, 0xF5800000u, 0xF6000000u, 0xFFE00000u,
                                   0xFFFFFFFFu };
    int refused = 0;
    for (unsigned i = 0; i < sizeof(hv) / sizeof(hv[0]); i++)
        for (uint32_t r = 0; r < 4; r++)
            refused += hv_set_debugreg(r, hv[i]) == -XEN_EPERM;
    ok(refused == 20 && hv_get_debugreg(3) == addr[3],
       "debugreg: DR0-3 in the hypervisor area (0xf57ffffd .. 0xffffffff): -EPERM, %d of 20, "
       "nothing changed", refused);

    int32_t a = hv_set_debugreg(6, 0);
    uint32_t a6 = hv_get_debugreg(6);
    int32_t b = hv_set_debugreg(6, 0xFFFFFFFFu);
    uint32_t b6 = hv_get_debugreg(6);
    ok(a == 0 && a6 == 0xFFFF0FF0u && b == 0 && b6 == 0xFFFFEFFFu,
       "debugreg: DR6 0 reads %#x, 0xffffffff reads %#x (reserved bits as Xen's)", a6, b6);
    hv_set_debugreg(6, 0);

    a = hv_set_debugreg(7, 0xFFFF5F00u);
    uint32_t a7 = hv_get_debugreg(7);
    b = hv_set_debugreg(7, 0x00002000u);
    uint32_t b7 = hv_get_debugreg(7);
    ok(a == 0 && a7 == 0xFFFF0700u && b == -XEN_EPERM && b7 == a7,
       "debugreg: DR7 0xffff5f00 reads %#x; GD: %d, DR7 unchanged", a7, b);

    int32_t io = hv_set_debugreg(7, DR7_L(0) | DR7_RWLEN(0, RW_IO, LEN1));
    int32_t io_off = hv_set_debugreg(7, DR7_RWLEN(0, RW_IO, LEN1));
    ok(io == -XEN_EPERM && io_off == 0 && hv_get_debugreg(7) == 0x00020400u,
       "debugreg: an enabled I/O breakpoint without CR4.DE: %d; not enabled: %d, reads %#x",
       io, io_off, hv_get_debugreg(7));
    hv_set_debugreg(7, 0);

    a = hv_set_debugreg(4, 0x4000);
    a6 = hv_get_debugreg(6);
    b = hv_set_debugreg(5, 0x00010000u);
    ok(a == 0 && a6 == 0xFFFF4FF0u && hv_get_debugreg(4) == a6 && b == 0 &&
       hv_get_debugreg(7) == 0x00010400u && hv_get_debugreg(5) == 0x00010400u,
       "debugreg: DR4 and DR5 are DR6 and DR7 (CR4.DE clear): DR6 %#x, DR7 %#x", a6,
       hv_get_debugreg(7));
    hv_set_debugreg(6, 0);
    hv_set_debugreg(7, 0);

    static const uint32_t bad[] = { 8, 9, 15, 0x80000000u, 0xFFFFFFFFu };
    int nodev = 0;
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        nodev += (hv_set_debugreg(bad[i], 0) == -XEN_ENODEV) +
                 (hv_get_debugreg(bad[i]) == (uint32_t)-XEN_ENODEV);
    ok(nodev == 10, "debugreg: registers 8, 9, 15, 0x80000000, 0xffffffff: -ENODEV, %d of 10",
       nodev);
}

/* ---- mov to and from %drN */
static int faulted(unsigned before, uint32_t vector, uint32_t error)
{
    return last_trap.count == before + 1 && last_trap.vector == vector &&
           last_trap.error == error;
}

static void movs(void)
{
    unsigned before = last_trap.count;
    r1_set_dr0(0x00300000u);
    r1_set_dr1(0x00301000u);
    r1_set_dr2(0x00302000u);
    r1_set_dr3(0x00303000u);
    r1_set_dr6(0x00008000u);
    r1_set_dr7(0x00AA0000u);                 /* no enables: nothing armed */
    int same = hv_get_debugreg(0) == 0x00300000u && hv_get_debugreg(1) == 0x00301000u &&
               hv_get_debugreg(2) == 0x00302000u && hv_get_debugreg(3) == 0x00303000u &&
               hv_get_debugreg(6) == 0xFFFF8FF0u && hv_get_debugreg(7) == 0x00AA0400u;
    hv_set_debugreg(0, 0x00304000u);
    same &= r1_get_dr0() == 0x00304000u && r1_get_dr1() == 0x00301000u &&
            r1_get_dr2() == 0x00302000u && r1_get_dr3() == 0x00303000u &&
            r1_get_dr6() == 0xFFFF8FF0u && r1_get_dr7() == 0x00AA0400u;
    ok(same && last_trap.count == before,
       "debugreg: mov to and from %%dr0-3, %%dr6, %%dr7 in ring 1: emulated, the registers "
       "the hypercalls see (DR6 %#x, DR7 %#x)", r1_get_dr6(), r1_get_dr7());

    r1_set_dr5(0x00550000u);
    r1_set_dr1_prefixed(0x00123450u);
    ok(last_trap.count == before && r1_get_dr4() == 0xFFFF8FF0u &&
       hv_get_debugreg(7) == 0x00550400u && hv_get_debugreg(1) == 0x00123450u,
       "debugreg: mov %%dr4 is DR6, mov to %%dr5 is DR7, prefixes 66 2e change nothing");

    r1_set_dr7(0x00002000u);
    int gd = faulted(before, 13, 0);
    before = last_trap.count;
    r1_set_dr0(0xF5800000u);
    int hv = faulted(before, 13, 0);
    ok(gd && hv && hv_get_debugreg(7) == 0x00550400u && hv_get_debugreg(0) == 0x00304000u,
       "debugreg: mov to %%dr7 with GD, mov of 0xf5800000 to %%dr0 in ring 1: #GP(0), as "
       "Xen's emulator answers -EPERM");
    hv_set_debugreg(6, 0);
    hv_set_debugreg(7, 0);

    uint32_t u1 = user_run(U(u_get_dr7));
    uint32_t u2 = user_run(U(u_set_dr0));
    ok(u1 == (USER_TRAPPED | 13) && u2 == (USER_TRAPPED | 13) && last_trap.error == 0 &&
       hv_get_debugreg(0) == 0x00304000u,
       "debugreg: mov from %%dr7 and to %%dr0 in ring 3: #GP(0) (%#x, %#x)", u1, u2);
}

/* ---- breakpoints */
static void breakpoints(void)
{
    hv_set_debugreg(0, U(bp_target));
    hv_set_debugreg(7, DR7_L(0) | DR7_RWLEN(0, RW_EXEC, LEN1));
    db_reset(1, 1);
    uint32_t r = bp_target(2);
    ok(db.count == 1 && db.eip[0] == U(bp_target) && db.cs[0] == FLAT_RING1_CS &&
       db.dr6[0] == 0xFFFF0FF1u && r == 7,
       "debugreg: execution breakpoint: %u #DB at %#x (bp_target %#x), cs %#x, DR6 %#x; "
       "with RF it runs on (returned %u)", db.count, db.eip[0], U(bp_target), db.cs[0],
       db.dr6[0], r);

    db_reset(3, 1);
    r = bp_target(4);
    ok(db.count == 3 && db.eip[0] == U(bp_target) && db.eip[1] == U(bp_target) &&
       db.eip[2] == U(bp_target) && r == 13,
       "debugreg: without RF in the iret frame the breakpoint fires again: %u #DB at the "
       "same eip, then RF", db.count);

    hv_set_debugreg(7, 0);
    db_reset(1, 1);
    r = bp_target(1);
    ok(db.count == 0 && r == 4, "debugreg: DR7 off: no #DB (%u)", db.count);

    static volatile uint32_t watched[4] __attribute__((aligned(16)));
    hv_set_debugreg(1, U(&watched[1]));
    hv_set_debugreg(7, DR7_L(1) | DR7_RWLEN(1, RW_WRITE, LEN4));
    db_reset(1, 1);
    store_word(&watched[1], 0x5e5e);
    ok(db.count == 1 && db.eip[0] == U(store_word_done) && db.dr6[0] == 0xFFFF0FF2u &&
       watched[1] == 0x5e5e,
       "debugreg: data write breakpoint: #DB after the store (eip %#x, store_word_done "
       "%#x), DR6 %#x, the value written", db.eip[0], U(store_word_done), db.dr6[0]);

    db_reset(1, 1);
    uint32_t v = load_word(&watched[1]);
    store_word(&watched[0], 1);
    store_word(&watched[2], 2);
    unsigned quiet = db.count;
    store_byte((volatile uint8_t *)&watched[1] + 3, 0x77);
    ok(quiet == 0 && v == 0x5e5e && db.count == 1 && db.eip[0] == U(store_byte_done) &&
       watched[1] == 0x77005e5eu,
       "debugreg: not on a read nor on the words beside it (%u); a byte store inside it: "
       "#DB at store_byte_done", quiet);

    hv_set_debugreg(7, DR7_L(1) | DR7_RWLEN(1, RW_ACCESS, LEN4));
    db_reset(1, 1);
    v = load_word(&watched[1]);
    ok(db.count == 1 && db.eip[0] == U(load_word_done) && db.dr6[0] == 0xFFFF0FF2u &&
       v == 0x77005e5eu,
       "debugreg: read/write breakpoint: a load gives #DB at load_word_done, DR6 %#x",
       db.dr6[0]);

    /* Both at once, DR6 left alone by the handler: B0-B3 are replaced at
     * each #DB (Xen's x86_merge_dr6). */
    hv_set_debugreg(0, U(bp_target));
    hv_set_debugreg(7, DR7_L(0) | DR7_RWLEN(0, RW_EXEC, LEN1) | DR7_L(1) |
                       DR7_RWLEN(1, RW_WRITE, LEN4));
    db_reset(1, 0);
    store_word(&watched[1], 3);
    bp_target(0);
    ok(db.count == 2 && db.dr6[0] == 0xFFFF0FF2u && db.dr6[1] == 0xFFFF0FF1u &&
       hv_get_debugreg(6) == 0xFFFF0FF1u,
       "debugreg: B1 then B0 without a DR6 write: %#x then %#x (replaced, not or-ed)",
       db.dr6[0], db.dr6[1]);
    hv_set_debugreg(7, 0);
    hv_set_debugreg(6, 0);
}

/* ---- single steps */
static void single_steps(void)
{
    const uint32_t slot = U(hypercall_page) + __HYPERVISOR_xen_version * 32;
    const uint32_t want[] = { U(step_1), U(step_2), U(step_3), U(step_4), slot, slot + 5,
                              U(step_5), U(step_6), U(step_7), U(step_8), U(step_9),
                              U(step_10), U(step_11) };
    const unsigned n = sizeof(want) / sizeof(want[0]);
    db_reset(1, 1);
    uint32_t ver = step_run();
    unsigned same = 0, bs = 0, tf = 0;
    for (unsigned i = 0; i < n && i < DB_MAX; i++) {
        same += db.eip[i] == want[i];
        bs += db.dr6[i] == 0xFFFF4FF0u;
        tf += (db.eflags[i] & EFLAGS_TF) != 0;
    }
    ok(db.count == n && same == n && bs == n && tf == n - 1 && !(db.eflags[n - 1] & EFLAGS_TF),
       "debugreg: single step in ring 1: %u #DB (want %u), %u at the expected eip, %u with "
       "DR6 0xffff4ff0, TF in the frame of all but the last (%u)", db.count, n, same, bs, tf);
    for (unsigned i = 0; i < n && i < db.count; i++)
        if (db.eip[i] != want[i])
            printf("# step %u: eip %#x, want %#x\n", i, db.eip[i], want[i]);
    ok(ver == 0x30000,
       "debugreg: stepped over int $0x82 (the ret after it runs before the next #DB), a "
       "mov from %%dr7 and a forced cpuid (#DB right after each); xen_version %#x", ver);

    /* DR6 left alone: BS accumulates, then a breakpoint adds B0 to it. */
    db_reset(1, 0);
    step_run();
    hv_set_debugreg(0, U(bp_target));
    hv_set_debugreg(7, DR7_L(0) | DR7_RWLEN(0, RW_EXEC, LEN1));
    bp_target(0);
    hv_set_debugreg(7, 0);
    ok(db.count == n + 1 && db.dr6[n - 1] == 0xFFFF4FF0u && db.dr6[n] == 0xFFFF4FF1u,
       "debugreg: BS is kept by the next #DB: DR6 %#x after a breakpoint", db.dr6[n]);
    hv_set_debugreg(6, 0);

    db_reset(1, 1);
    uint32_t rv = user_run(U(u_step));
    ok(rv == 0x5e9 && db.count == 3 && db.eip[0] == U(u_step_1) && db.eip[1] == U(u_step_2) &&
       db.eip[2] == U(u_step_3) && db.cs[0] == FLAT_RING3_CS && db.cs[2] == FLAT_RING3_CS &&
       db.dr6[2] == 0xFFFF4FF0u,
       "debugreg: single step in ring 3: %u #DB at u_step_1..3, cs %#x, DR6 %#x; int $0x80 "
       "ends it (%#x)", db.count, db.cs[0], db.dr6[2], rv);
}

void xenpv_debugreg(void)
{
    hypercalls();
    if (user_setup() || set_trap(1, db_stub)) {
        ok(0, "debugreg: user pages and our #DB handler");
        return;
    }
    movs();
    breakpoints();
    single_steps();
    set_trap(1, trap_stub_1);
    ok(hv_set_debugreg(7, 0) == 0 && hv_get_debugreg(7) == DR7_CLEAR &&
       hv_get_debugreg(6) == DR6_CLEAR,
       "debugreg: all off at the end: DR7 %#x, DR6 %#x", hv_get_debugreg(7),
       hv_get_debugreg(6));
}
