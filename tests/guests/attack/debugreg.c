/*
 * debugreg: attacks through the debug registers (test=debugreg).
 *
 * The guest's breakpoints must be in the CPU only while it runs, and never
 * on the hypervisor's area. So: addresses in the hypervisor area are
 * refused; addresses the hypervisor's own code, stack and data have in its
 * own address space (the test passes them: hvtrap=, hvstack=, hvcur=) are
 * ours too and accepted, but must never fire in the hypervisor (the boot
 * checks that no "#DB in the hypervisor" line appears); breakpoints on
 * the innocent domain's code and data (innfn=, innhc= from its ELF, its
 * pattern at GUEST_SCRATCH_VA and its shared_info) stay ours while it runs,
 * and after we are gone; words of our own pages that the hypervisor writes
 * (event bits, a domU's console ring) raise no #DB; single steps into a
 * hypercall that yields to the innocent and through a bounced #PF give the
 * exact #DBs and nothing to anyone else.
 */
#include "guest.h"

#include "attack.h"

#define EFLAGS_TF 0x100u
#define EFLAGS_RF 0x10000u
#define DR7_L(n) (1u << (2 * (n)))
#define DR7_RWLEN(n, rw, len) ((uint32_t)((len) << 2 | (rw)) << (16 + 4 * (n)))
#define RW_EXEC 0
#define RW_WRITE 1
#define RW_ACCESS 3
#define LEN1 0
#define LEN4 3
#define MS 1000000ull
#define U(p) ((uint32_t)(uintptr_t)(p))

void atk_db_stub(void), trap_stub_1(void);
void atk_set_dr0(uint32_t), atk_set_dr1(uint32_t), atk_set_dr2(uint32_t), atk_set_dr3(uint32_t);
void atk_store(volatile uint32_t *p, uint32_t v);
void atk_step(void);
extern char atk_store_done[], as_1[], as_2[], as_3[], as_4[], as_5[], as_6[], as_7[], as_8[];

#define DB_MAX 16
struct db_frame {
    uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
    uint32_t eip, cs, eflags;
};
static volatile unsigned db_count;
static volatile uint32_t db_eip[DB_MAX], db_dr6[DB_MAX];

void atk_db(struct db_frame *f);
void atk_db(struct db_frame *f)
{
    unsigned i = db_count++;
    if (i < DB_MAX) {
        db_eip[i] = f->eip;
        db_dr6[i] = hv_get_debugreg(6);
    }
    hv_set_debugreg(6, 0);
    f->eflags |= EFLAGS_RF;             /* past an execution breakpoint */
}

static void db_reset(void)
{
    db_count = 0;
    for (unsigned i = 0; i < DB_MAX; i++)
        db_eip[i] = db_dr6[i] = 0;
}

static int set_db_handler(void (*fn)(void))
{
    const struct trap_info t[2] = {
        { 1, 0, FLAT_RING1_CS, U(fn) }, { 0, 0, 0, 0 },
    };
    return hv_set_trap_table(t);
}

static int32_t set_timer_op(uint64_t t)
{
    return hv_hypercall5(__HYPERVISOR_set_timer_op, (uint32_t)t, (uint32_t)(t >> 32), 0, 0, 0);
}

/* Run beside the innocent for `ms` of system time: yields and short polls. */
static void share_cpu(uint64_t ms)
{
    uint64_t t0 = system_time_ns();
    while (system_time_ns() - t0 < ms * MS) {
        hv_sched_op(SCHEDOP_yield, NULL);
        poll_port(0, system_time_ns() + 2 * MS);
    }
}

/* ---- the hypervisor's area: refused */
static void hypervisor_area(void)
{
    static const uint32_t hv[] = { 0xF5800000u, 0xF6800000u, 0xFFE00000u, 0xFFE15FFCu,
                                   0xFFFFFFFCu };
    int refused = 0;
    for (unsigned i = 0; i < sizeof(hv) / sizeof(hv[0]); i++)
        for (uint32_t r = 0; r < 4; r++)
            refused += hv_set_debugreg(r, hv[i]) == -XEN_EPERM;
    ok(refused == 20, "debugreg: DR0-3 on the M2P, the switcher's code and entry stack, the "
       "top page: -EPERM, %d of 20", refused);

    void (*const mov[4])(uint32_t) = { atk_set_dr0, atk_set_dr1, atk_set_dr2, atk_set_dr3 };
    int gp = 0;
    for (unsigned r = 0; r < 4; r++) {
        unsigned before = last_trap.count;
        mov[r](0xFFE00000u + 16 * r);
        gp += last_trap.count == before + 1 && last_trap.vector == 13 && last_trap.error == 0;
    }
    ok(gp == 4 && hv_get_debugreg(0) == 0 && hv_get_debugreg(3) == 0,
       "debugreg: mov of the switcher's address to %%dr0-3 in ring 1: #GP(0), %d of 4", gp);
}

/* ---- the linear addresses the hypervisor's own code and data have */
static void hypervisor_linear(void)
{
    uint32_t trap = cmdline_num("hvtrap", 0), stack = cmdline_num("hvstack", 0),
             cur = cmdline_num("hvcur", 0);
    int32_t rc = hv_set_debugreg(0, trap) | hv_set_debugreg(1, stack - 4) |
                 hv_set_debugreg(2, stack - 64) | hv_set_debugreg(3, cur);
    const uint32_t dr7 = DR7_L(0) | DR7_RWLEN(0, RW_EXEC, LEN1) |
                         DR7_L(1) | DR7_RWLEN(1, RW_WRITE, LEN4) |
                         DR7_L(2) | DR7_RWLEN(2, RW_ACCESS, LEN4) |
                         DR7_L(3) | DR7_RWLEN(3, RW_ACCESS, LEN4);
    rc |= hv_set_debugreg(7, dr7);
    ok(trap && stack && cur && rc == 0,
       "debugreg: breakpoints on hv_trap_entry %#x, the hypervisor's stack below %#x and "
       "current_domain %#x (linear addresses we have too): accepted", trap, stack, cur);

    /* Every way into the hypervisor, many times, while they are armed. */
    db_reset();
    unsigned faults = last_trap.count;
    for (int i = 0; i < 100; i++) {
        uint32_t regs[4];
        hv_xen_version(XENVER_version, NULL);
        probe_read(0xF6000000u);                       /* #PF, bounced */
        hv_cpuid(0, 0, regs);                          /* #UD, emulated */
    }
    share_cpu(30);
    faults = last_trap.count - faults;
    ok(db_count == 0 && faults == 100 && hv_get_debugreg(7) == (dr7 | 0x400u),
       "debugreg: 100 hypercalls, #PFs and emulated cpuids and 30 ms of yields with them "
       "armed: %u #DB (the hypervisor's accesses are not ours), DR7 %#x", db_count,
       hv_get_debugreg(7));
    hv_set_debugreg(7, 0);
}

/* ---- the innocent's addresses (ours too, in our address space) */
static void arm_on_innocent(void)
{
    uint32_t fn = cmdline_num("innfn", 0), hc = cmdline_num("innhc", 0);
    int32_t rc = hv_set_debugreg(0, fn) | hv_set_debugreg(1, hc + 32 * __HYPERVISOR_sched_op) |
                 hv_set_debugreg(2, GUEST_SCRATCH_VA + 64) |
                 hv_set_debugreg(3, U(&shared_info->evtchn_pending[0]));
    rc |= hv_set_debugreg(7, DR7_L(0) | DR7_RWLEN(0, RW_EXEC, LEN1) |
                             DR7_L(1) | DR7_RWLEN(1, RW_EXEC, LEN1) |
                             DR7_L(2) | DR7_RWLEN(2, RW_ACCESS, LEN4) |
                             DR7_L(3) | DR7_RWLEN(3, RW_ACCESS, LEN4));
    ok(fn && hc && rc == 0,
       "debugreg: breakpoints on the innocent's system_time_ns() %#x, its sched_op slot %#x, "
       "its pattern at %#x and its event bits: accepted (they are our addresses too)", fn,
       hc + 32 * __HYPERVISOR_sched_op, GUEST_SCRATCH_VA + 64);
}

static void innocent_addresses(void)
{
    arm_on_innocent();
    share_cpu(100);                     /* it wakes every 20 ms: reads the time, its pattern */
    hv_set_debugreg(7, 0);
    db_reset();
}

/* ---- words of our own pages that the hypervisor writes */
static void hypervisor_writes(void)
{
    struct evtchn_bind_virq b = { VIRQ_TIMER, 0, 0 };
    int32_t rc = hv_event_channel_op(EVTCHNOP_bind_virq, &b);
    volatile uint32_t *pend = &shared_info->evtchn_pending[b.port / 32];
    uint32_t bit = 1u << (b.port % 32);
    volatile struct vcpu_info *vi = &shared_info->vcpu_info[0];
    __atomic_and_fetch(pend, ~bit, __ATOMIC_SEQ_CST);
    vi->evtchn_pending_sel = 0;
    vi->evtchn_upcall_pending = 0;
    hv_set_debugreg(0, U(pend));
    hv_set_debugreg(1, U(&vi->evtchn_pending_sel));
    hv_set_debugreg(2, U(&vi->evtchn_upcall_pending));
    hv_set_debugreg(3, U(&vi->time.version));
    hv_set_debugreg(7, DR7_L(0) | DR7_RWLEN(0, RW_WRITE, LEN4) |
                       DR7_L(1) | DR7_RWLEN(1, RW_WRITE, LEN4) |
                       DR7_L(2) | DR7_RWLEN(2, RW_WRITE, LEN1) |
                       DR7_L(3) | DR7_RWLEN(3, RW_WRITE, LEN4));
    db_reset();
    uint64_t t0 = system_time_ns();
    set_timer_op(t0 + 2 * MS);
    while (!(*pend & bit) && system_time_ns() - t0 < 200 * MS)
        poll_port(b.port, t0 + 200 * MS);
    unsigned seen = db_count;
    ok(rc == 0 && (*pend & bit) && (vi->evtchn_pending_sel & (1u << (b.port / 32))) &&
       vi->evtchn_upcall_pending && seen == 0,
       "debugreg: write breakpoints on our event bits and vcpu_info time: the hypervisor "
       "set them (port %u) and no #DB came (%u)", b.port, seen);

    atk_store(pend, *pend & ~bit);
    ok(db_count == 1 && db_eip[0] == U(atk_store_done) && db_dr6[0] == 0xFFFF0FF1u,
       "debugreg: our own store to the same word: 1 #DB (%u) at atk_store_done, DR6 %#x",
       db_count, db_dr6[0]);
    hv_set_debugreg(7, 0);
    struct evtchn_port_arg c = { b.port };
    hv_event_channel_op(EVTCHNOP_close, &c);
}

/* ---- a domU's console ring: the hypervisor moves out_cons as it drains */
static void console_ring(void)
{
    volatile struct xencons_interface *ring = (struct xencons_interface *)GUEST_CONSOLE_VA;
    hv_set_debugreg(0, U(&ring->out_cons));
    hv_set_debugreg(7, DR7_L(0) | DR7_RWLEN(0, RW_WRITE, LEN4));
    db_reset();
    uint32_t before = ring->out_cons;
    for (int i = 0; i < 10; i++)
        printf("# debugreg: a line through the console ring (%d)\n", i);
    share_cpu(10);
    unsigned seen = db_count;
    uint32_t after = ring->out_cons;
    hv_set_debugreg(7, 0);
    ok(seen == 0 && after != before,
       "debugreg: write breakpoint on our console ring's out_cons: the hypervisor moved it "
       "(%u to %u) and no #DB came (%u)", before, after, seen);
}

/* ---- single steps into a hypercall and through a bounce */
static void single_steps(void)
{
    const uint32_t slot = U(hypercall_page) + __HYPERVISOR_sched_op * 32;
    const uint32_t want[] = { U(as_1), U(as_2), U(as_3), slot, slot + 5, U(as_4), U(as_5),
                              U(as_6), U(as_7), U(as_8) };
    const unsigned n = sizeof(want) / sizeof(want[0]);
    db_reset();
    unsigned faults = last_trap.count;
    atk_step();
    faults = last_trap.count - faults;
    unsigned same = 0, bs = 0;
    for (unsigned i = 0; i < n; i++) {
        same += db_eip[i] == want[i];
        bs += db_dr6[i] == 0xFFFF4FF0u;
    }
    ok(db_count == n && same == n && bs == n && faults == 1 && last_trap.vector == 14,
       "debugreg: single steps into a yielding int $0x82 and through a bounced #PF: %u #DB "
       "(want %u), %u at the expected eip, %u with DR6 0xffff4ff0, %u #PF", db_count, n,
       same, bs, faults);
    for (unsigned i = 0; i < n && i < db_count; i++)
        if (db_eip[i] != want[i])
            printf("# step %u: eip %#x, want %#x\n", i, db_eip[i], want[i]);
}

int debugreg_case(const char *name, size_t len)
{
    if (len != 8 || memcmp(name, "debugreg", 8) != 0)
        return -1;
    printf("attack: breakpoints and single steps against the hypervisor and the innocent\n");
    if (set_db_handler(atk_db_stub)) {
        ok(0, "debugreg: our #DB handler");
        signal_innocent();
        return tap_done();
    }
    hypervisor_area();
    hypervisor_linear();
    innocent_addresses();
    hypervisor_writes();
    if (!(start_info->flags & SIF_INITDOMAIN))
        console_ring();
    single_steps();
    /* Armed on the innocent as we go: nothing of it may outlive us. */
    arm_on_innocent();
    signal_innocent();
    return tap_done();
}
