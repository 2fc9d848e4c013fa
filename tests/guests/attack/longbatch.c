/*
 * longbatch: the longest work one hypercall can ask for (issue 13, finding
 * 4), each case one boot (test=NAME) beside the innocent domain and the
 * latency neighbour. Without continuations each of these held the CPU for
 * its whole length while no other domain ran; with them the neighbour's
 * longest gap stays about one time slice. Every case checks its exact
 * results (return values, *done counts, multicall results, the tables'
 * final state: every frame used is free again), then signals the innocent
 * (innocent=, default 1) and the neighbour (neighbour=, default 3).
 *
 * The tables: L1s whose 512 entries all map one data page, L2s over 512 such
 * L1s (a pin validates 262,144 entries, an unpin releases them), an L3
 * over three such L2s. Frames come from pfn 4096 up (boot with mem=64).
 *   long-mmuext    one mmuext_op of 4096 ops: pairs= pin/unpin of a full L2,
 *                  then pin/unpin pairs of one full L1 up to 4096
 *   long-multicall a multicall of calls= mmuext_ops, each a pin and an unpin
 *                  of the full L2
 *   long-mmu       one mmu_update of 4096 entries: pairs= times an L3 entry
 *                  set to the full L2 and cleared, then cheap L1 writes
 *   long-l3        pin and unpin of an L3 over three full L2s; then one whose
 *                  last L1 holds a bad entry: -EPERM, and nothing kept
 *   long-teardown  the domain powers off from an event handler in the middle
 *                  of that L3's pin: torn down with tables half validated
 *   long-ldt       one mmuext_op of ops= SET_LDTs of 8192 descriptors, between two
 *                  such LDTs (16 frames each, checked at every op)
 *   long-dying     l2s= full L2s pinned, then power off: the teardown
 *                  releases them all (the neighbour is not signalled)
 */
#include "guest.h"

#define EQ(call, want) ((int32_t)(call) == (int32_t)(want))
#define FILL_VA (GUEST_SCRATCH_VA + 700u * 4096u)
#define MAX_L1S (3u * 512u)

static uint32_t next_pfn = 4096, data_mfn, l1s[MAX_L1S], nl1s;
static uint32_t used[MAX_L1S + 16], nused;
static struct mmuext_op ops[4096];
static struct mmu_update reqs[4096];

static uint32_t new_frame(void)
{
    if (next_pfn >= start_info->nr_pages) {
        printf("attack: out of frames (boot with mem=64)\n");
        poweroff(0);
    }
    uint32_t mfn = pfn_to_mfn(next_pfn++);
    used[nused++] = mfn;
    return mfn;
}

static uint64_t *fill_map(uint32_t mfn)
{
    if (map_page(FILL_VA, mfn, PTE_P | PTE_RW | PTE_A | PTE_D)) {
        printf("attack: cannot map frame %#x writable\n", (unsigned)mfn);
        poweroff(0);
    }
    return (uint64_t *)FILL_VA;
}

static void fill_unmap(void)
{
    map_page(FILL_VA, 0, 0);
}

/* An L2 over n new full L1s (first ones made then). */
static uint32_t full_l2(unsigned n, uint32_t bad_last)
{
    uint32_t first = nl1s;
    for (unsigned i = 0; i < n; i++) {
        uint32_t mfn = new_frame();
        uint64_t *t = fill_map(mfn);
        for (unsigned j = 0; j < 512; j++)
            t[j] = ((uint64_t)data_mfn << 12) | PTE_P | PTE_A;
        if (bad_last && i == n - 1)
            t[511] = ((uint64_t)bad_last << 12) | PTE_P | PTE_A;
        fill_unmap();
        l1s[nl1s++] = mfn;
    }
    uint32_t l2 = new_frame();
    uint64_t *t = fill_map(l2);
    memset(t, 0, 4096);
    for (unsigned i = 0; i < n; i++)
        t[i] = ((uint64_t)l1s[first + i] << 12) | PTE_P | PTE_RW | PTE_A;
    fill_unmap();
    return l2;
}

/* An L3 over l2s[0..n) in slots 0..n-1, a fresh L2 in slot 3. */
static uint32_t new_l3(const uint32_t *l2s, unsigned n)
{
    uint32_t l2h = new_frame(), l3 = new_frame();
    memset(fill_map(l2h), 0, 4096);
    fill_unmap();
    uint64_t *t = fill_map(l3);
    memset(t, 0, 4096);
    for (unsigned i = 0; i < n; i++)
        t[i] = ((uint64_t)l2s[i] << 12) | PTE_P;
    t[3] = ((uint64_t)l2h << 12) | PTE_P;
    fill_unmap();
    return l3;
}

/* Every frame we made tables of is a plain page again: it maps writable. */
static unsigned frames_not_free(void)
{
    unsigned bad = 0;
    for (unsigned i = 0; i < nused; i++) {
        if (map_page(FILL_VA, used[i], PTE_P | PTE_RW | PTE_A | PTE_D))
            bad++;
        fill_unmap();
    }
    return bad;
}

static uint32_t foreign_frame(void)
{
    uint32_t m = 1;
    while (owns_mfn(m))
        m++;
    return m;
}

/* The neighbour first, and let it see the signal at once: its gap is then
 * the batches', not our own teardown's or the innocent's last check. */
static void signal_both(void)
{
    signal_domain(cmdline_num("neighbour", 3));
    hv_sched_op(SCHEDOP_yield, NULL);
    signal_domain(cmdline_num("innocent", 1));
}

static __attribute__((noreturn)) void finish(void)
{
    signal_both();
    poweroff(tap_done() == 0);
}

/* Let the neighbour run first (it measures only once it runs), then time. */
static uint64_t t0;
static void clock_start(void)
{
    uint64_t until = system_time_ns() + 30000000u;
    while (system_time_ns() < until)
        hv_sched_op(SCHEDOP_yield, NULL);
    t0 = system_time_ns();
}
static unsigned clock_ms(void) { return (unsigned)((system_time_ns() - t0) / 1000000u); }

static void long_mmuext(void)
{
    uint32_t pairs = cmdline_num("pairs", 4), done = 12345;
    uint32_t l2 = full_l2(512, 0);
    unsigned n = 0;
    for (uint32_t i = 0; i < pairs && n < 4094; i++) {
        ops[n++] = (struct mmuext_op){ MMUEXT_PIN_L2_TABLE, l2, 0 };
        ops[n++] = (struct mmuext_op){ MMUEXT_UNPIN_TABLE, l2, 0 };
    }
    while (n < 4096) {
        ops[n++] = (struct mmuext_op){ MMUEXT_PIN_L1_TABLE, l1s[0], 0 };
        ops[n++] = (struct mmuext_op){ MMUEXT_UNPIN_TABLE, l1s[0], 0 };
    }
    clock_start();
    int32_t rc = hv_mmuext_op(ops, 4096, &done, DOMID_SELF);
    printf("attack: mmuext_op of 4096 ops (%u pin/unpin pairs of an L2 over 512 full L1s) "
           "took %u ms\n", (unsigned)pairs, clock_ms());
    ok(rc == 0 && done == 4096, "mmuext_op of 4096 ops: 0, done 4096 (rc %d, done %u)",
       (int)rc, (unsigned)done);
    ok(EQ(hv_mmuext_op(ops, 1, NULL, DOMID_SELF), 0) &&
       EQ(hv_mmuext_op(ops, 1, NULL, DOMID_SELF), -XEN_EINVAL) &&
       EQ(hv_mmuext_op(ops + 1, 1, NULL, DOMID_SELF), 0),
       "the L2 was left unpinned: pinned again, twice is -EINVAL, unpinned");
    ok(frames_not_free() == 0, "all %u frames are plain pages again", (unsigned)nused);
}

static void long_multicall(void)
{
    uint32_t calls = cmdline_num("calls", 8);
    static struct multicall_entry mc[64];
    static uint32_t done[64];
    static struct mmuext_op pair[2];
    uint32_t l2 = full_l2(512, 0);
    if (calls > 64)
        calls = 64;
    pair[0] = (struct mmuext_op){ MMUEXT_PIN_L2_TABLE, l2, 0 };
    pair[1] = (struct mmuext_op){ MMUEXT_UNPIN_TABLE, l2, 0 };
    for (uint32_t i = 0; i < calls; i++) {
        done[i] = 777;
        mc[i] = (struct multicall_entry){ __HYPERVISOR_mmuext_op, 0xDEAD,
            { (uint32_t)(uintptr_t)pair, 2, (uint32_t)(uintptr_t)&done[i], DOMID_SELF, 0, 0 } };
    }
    clock_start();
    int32_t rc = hv_multicall(mc, calls);
    printf("attack: multicall of %u mmuext_ops (pin and unpin of an L2 over 512 full L1s) "
           "took %u ms\n", (unsigned)calls, clock_ms());
    unsigned good = 0;
    for (uint32_t i = 0; i < calls; i++)
        good += mc[i].result == 0 && done[i] == 2;
    ok(rc == 0 && good == calls, "multicall: 0, and every entry's result 0 with done 2 "
       "(%u of %u)", good, (unsigned)calls);
    ok(frames_not_free() == 0, "all %u frames are plain pages again", (unsigned)nused);
}

static void long_mmu(void)
{
    uint32_t pairs = cmdline_num("pairs", 4), done = 999;
    uint32_t big = full_l2(512, 0), l3 = new_l3(NULL, 0);
    ok(EQ(hv_mmuext_op(&(struct mmuext_op){ MMUEXT_PIN_L3_TABLE, l3, 0 }, 1, NULL, DOMID_SELF), 0),
       "an empty L3 pinned");
    /* The cheap entries: the L1 entry that maps FILL_VA, to the data page. */
    const uint64_t *l3live = (const uint64_t *)start_info->pt_base;
    const uint64_t *l2live = (const uint64_t *)(mfn_to_pfn((uint32_t)(l3live[0] >> 12)) << 12);
    uint32_t l1_mfn = (uint32_t)(l2live[(FILL_VA >> 21) & 511] >> 12) & 0xFFFFFu;
    uint64_t l1e = ((uint64_t)l1_mfn << 12) + ((FILL_VA >> 12) & 511) * 8;
    unsigned n = 0;
    for (uint32_t i = 0; i < pairs && n < 4094; i++) {
        reqs[n++] = (struct mmu_update){ ((uint64_t)l3 << 12) + 8, ((uint64_t)big << 12) | PTE_P };
        reqs[n++] = (struct mmu_update){ ((uint64_t)l3 << 12) + 8, 0 };
    }
    while (n < 4096) {
        reqs[n] = (struct mmu_update){ l1e, (n & 1) ? 0 : (((uint64_t)data_mfn << 12) | PTE_P | PTE_A) };
        n++;
    }
    clock_start();
    int32_t rc = hv_mmu_update(reqs, 4096, &done, DOMID_SELF);
    printf("attack: mmu_update of 4096 entries (%u times an L3 entry set to an L2 over 512 "
           "full L1s and cleared) took %u ms\n", (unsigned)pairs, clock_ms());
    ok(rc == 0 && done == 4096, "mmu_update of 4096 entries: 0, done 4096 (rc %d, done %u)",
       (int)rc, (unsigned)done);
    ok(EQ(hv_mmuext_op(&(struct mmuext_op){ MMUEXT_UNPIN_TABLE, l3, 0 }, 1, NULL, DOMID_SELF), 0),
       "the L3 unpinned");
    ok(frames_not_free() == 0, "all %u frames are plain pages again", (unsigned)nused);
}

static uint32_t l3_over_full_l2s(uint32_t bad_last)
{
    uint32_t l2s[3];
    for (unsigned i = 0; i < 3; i++)
        l2s[i] = full_l2(512, i == 2 ? bad_last : 0);
    return new_l3(l2s, 3);
}

static void long_l3(void)
{
    uint32_t done = 5;
    uint32_t l3 = l3_over_full_l2s(0);
    struct mmuext_op pair[2] = { { MMUEXT_PIN_L3_TABLE, l3, 0 }, { MMUEXT_UNPIN_TABLE, l3, 0 } };
    clock_start();
    int32_t rc = hv_mmuext_op(pair, 2, &done, DOMID_SELF);
    printf("attack: pin and unpin of an L3 over three L2s over 512 full L1s each took %u ms\n",
           clock_ms());
    ok(rc == 0 && done == 2, "pin and unpin of the L3: 0, done 2 (rc %d, done %u)", (int)rc,
       (unsigned)done);
    ok(frames_not_free() == 0, "all %u frames are plain pages again", (unsigned)nused);

    /* The same with one bad entry at the very end: refused after all the
     * work, and the undoing (as long) done too. */
    nl1s = 0;
    nused = 0;
    uint32_t bad = l3_over_full_l2s(foreign_frame());
    struct mmuext_op pin[2] = { { MMUEXT_PIN_L3_TABLE, bad, 0 }, { MMUEXT_TLB_FLUSH_LOCAL, 0, 0 } };
    done = 5;
    clock_start();
    rc = hv_mmuext_op(pin, 2, &done, DOMID_SELF);
    printf("attack: pin of an L3 over three full L2s, the last L1 entry bad, took %u ms\n",
           clock_ms());
    ok(rc == -XEN_EPERM && done == 0, "its last L1 entry names a frame not ours: -EPERM, "
       "done 0 (rc %d, done %u)", (int)rc, (unsigned)done);
    ok(frames_not_free() == 0, "all %u frames are plain pages again", (unsigned)nused);
}

static void teardown_now(void)
{
    printf("attack: powering off in the middle of the pin\n");
    signal_both();
    poweroff(1);
}

static void long_teardown(void)
{
    uint32_t l3 = l3_over_full_l2s(0);
    struct evtchn_bind_virq b = { VIRQ_TIMER, 0, 0 };
    hv_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);  /* only our 3 ms deadline */
    if (hv_event_channel_op(EVTCHNOP_bind_virq, &b)) {
        printf("attack: bind_virq failed\n");
        poweroff(0);
    }
    shared_info->evtchn_mask[b.port / 32] &= ~(1u << (b.port % 32));
    event_handler = teardown_now;
    clock_start();
    uint64_t when = system_time_ns() + 3000000u;
    hv_hypercall5(__HYPERVISOR_set_timer_op, (uint32_t)when, (uint32_t)(when >> 32), 0, 0, 0);
    shared_info->vcpu_info[0].evtchn_upcall_mask = 0;
    hv_mmuext_op(&(struct mmuext_op){ MMUEXT_PIN_L3_TABLE, l3, 0 }, 1, NULL, DOMID_SELF);
    shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
    printf("attack: the pin finished before the timer: no teardown halfway\n");
    finish();
}

/* l2s= (default: as many as memory allows) L2s over 512 full L1s pinned,
 * then power off without a word to the neighbour: its gap, measured until
 * its max_ms, takes in our teardown (which releases all of them). */
static void long_dying(void)
{
    static struct mmuext_op pin;
    unsigned n = 0, want = cmdline_num("l2s", 1000);
    while (n < want && next_pfn + 513 < start_info->nr_pages) {
        nl1s = 0;
        nused = 0;
        pin = (struct mmuext_op){ MMUEXT_PIN_L2_TABLE, full_l2(512, 0), 0 };
        if (hv_mmuext_op(&pin, 1, NULL, DOMID_SELF) == 0)
            n++;
    }
    clock_start();
    printf("attack: %u L2s over 512 full L1s pinned; powering off\n", n);
    signal_domain(cmdline_num("innocent", 1));
    poweroff(1);
}

/* SET_LDT of the largest LDT (8192 descriptors, 16 frames), alternating
 * between two such LDTs so that every op validates 16 fresh frames (the
 * one it replaces drops to no reference): 4096 ops. */
#define LDT_A_VA (GUEST_SCRATCH_VA + 710u * 4096u)
#define LDT_B_VA (GUEST_SCRATCH_VA + 726u * 4096u)
static void long_ldt(void)
{
    uint32_t done = 4321, ops_n = cmdline_num("ops", 4096);
    if (ops_n > 4095)
        ops_n = 4095;
    for (unsigned i = 0; i < 32; i++) {
        uint32_t mfn = new_frame();
        uint64_t *t = fill_map(mfn);
        for (unsigned j = 0; j < 512; j++)
            t[j] = 0x00CFF2000000FFFFull;      /* flat data, DPL 3: checked, truncated */
        fill_unmap();
        if (map_page((i < 16 ? LDT_A_VA : LDT_B_VA) + (i % 16) * 4096u, mfn, PTE_P | PTE_A)) {
            printf("attack: cannot map LDT frame %u read-only\n", i);
            poweroff(0);
        }
    }
    unsigned n = 0;
    while (n < ops_n) {
        ops[n] = (struct mmuext_op){ MMUEXT_SET_LDT, (n & 1) ? LDT_B_VA : LDT_A_VA, 8192 };
        n++;
    }
    ops[n++] = (struct mmuext_op){ MMUEXT_SET_LDT, 0, 0 };
    clock_start();
    int32_t rc = hv_mmuext_op(ops, n, &done, DOMID_SELF);
    printf("attack: mmuext_op of %u SET_LDTs of 8192 descriptors took %u ms\n", n, clock_ms());
    ok(rc == 0 && done == n, "mmuext_op of %u SET_LDTs: 0, done %u (rc %d, done %u)", n, n,
       (int)rc, (unsigned)done);
    ok(frames_not_free() == 0, "all %u LDT frames are plain pages again", (unsigned)nused);
}

void long_batch_case(const char *name, size_t len)
{
#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
    void (*fn)(void) = IS("long-mmuext") ? long_mmuext : IS("long-multicall") ? long_multicall :
                       IS("long-mmu") ? long_mmu : IS("long-l3") ? long_l3 :
                       IS("long-teardown") ? long_teardown :
                       IS("long-dying") ? long_dying : IS("long-ldt") ? long_ldt : NULL;
#undef IS
    if (!fn)
        return;
    data_mfn = pfn_to_mfn(GUEST_SCRATCH_VA >> 12);
    fn();
    finish();
}
