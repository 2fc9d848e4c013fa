/* Unit tests: the batch and multicall decisions of core/batch.c, continued
 * as Xen's: a batch stopped anywhere and made again with its continuation's
 * arguments runs each entry exactly once, restarts at the right entry with
 * the right count, leaves *done right, returns an error found after
 * restarts, finishes a release it owes before anything else; a multicall
 * restarts at the right entry, with a preempted entry's new arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pv86/counters.h>
#include <pv86/xen.h>

#include "core/batch.h"
#include "mm/pagetable.h"

#define BASE 0x10000u
#define MEMSZ 0x10000u
#define OP 26u                          /* the number a continuation returns */

static uint8_t mem[MEMSZ];
static int fake_read(void *ctx, void *dst, uint32_t va, uint32_t len)
{
    (void)ctx;
    if (va < BASE || va - BASE > MEMSZ || len > MEMSZ - (va - BASE))
        return -1;
    memcpy(dst, mem + (va - BASE), len);
    return 0;
}
static int fake_write(void *ctx, uint32_t va, const void *src, uint32_t len)
{
    (void)ctx;
    if (va < BASE || va - BASE > MEMSZ || len > MEMSZ - (va - BASE))
        return -1;
    memcpy(mem + (va - BASE), src, len);
    return 0;
}

static unsigned preempt_every, preempt_calls;
static int fake_preempt(void *ctx)
{
    (void)ctx;
    preempt_calls++;
    return preempt_every && preempt_calls % preempt_every == 0;
}

static int cont_made;
static uint32_t cont_args[6];
static unsigned cont_n;
static int32_t fake_cont(void *ctx, unsigned nargs, const uint32_t *args)
{
    (void)ctx;
    cont_made = 1;
    cont_n = nargs;
    memcpy(cont_args, args, nargs * sizeof(args[0]));
    return OP;
}

/* Batch entries: { kind, id, arg, pad }. */
enum { CHEAP, FAIL, LONG, OWES, FAIL_OWES, HEAVY };
struct entry { uint32_t kind, id, arg, pad; };
static unsigned applied[512], calls_of[512];
static uint64_t owed;                   /* release calls still needed */
static int fake_one(void *ctx, const void *p)
{
    const struct entry *e = p;
    (void)ctx;
    calls_of[e->id]++;
    switch (e->kind) {
    case CHEAP:
        applied[e->id]++;
        return 0;
    case FAIL:
        return -XEN_EINVAL;
    case LONG:                          /* arg calls to finish */
        if (calls_of[e->id] < e->arg)
            return -PT_ERESTART;
        applied[e->id]++;
        return 0;
    case HEAVY:                         /* done, and it was arg units of work */
        applied[e->id]++;
        return (int)e->arg;
    case OWES:                          /* done; its release goes on later */
        applied[e->id]++;
        owed = e->arg;
        return 0;
    default:                            /* fails, leaving an undoing */
        owed = e->arg;
        return -XEN_EPERM;
    }
}
static int fake_release(void *ctx)
{
    (void)ctx;
    if (--owed)
        return -PT_ERESTART;
    return 0;
}

static int32_t fake_call(void *ctx, uint32_t op, uint32_t *args, int *preempted)
{
    (void)ctx;
    if (op == 99) {                     /* stops until args[0] reaches args[1] */
        if (args[0] < args[1]) {
            args[0]++;
            *preempted = 1;
            return (int32_t)op;
        }
        return 1000 + (int32_t)args[0];
    }
    if (op == __HYPERVISOR_sched_op) {  /* yields: done, the batch stops after it */
        *preempted = MC_STOP_AFTER;
        return 0;
    }
    if (op == __HYPERVISOR_iret)        /* what the restored EAX was */
        return (int32_t)0x5A5A0001;
    return (int32_t)(op * 10 + args[0]);
}

static const struct batch_ops ops = { fake_read, fake_write, fake_preempt, fake_cont,
                                      fake_one, fake_release, fake_call };

static int setup(void **state)
{
    (void)state;
    memset(mem, 0, sizeof(mem));
    memset(applied, 0, sizeof(applied));
    memset(calls_of, 0, sizeof(calls_of));
    owed = 0;
    preempt_every = 1;
    preempt_calls = 0;
    return 0;
}

static struct entry *entries(void) { return (struct entry *)(void *)mem; }
#define PDONE (BASE + MEMSZ - 4)
static uint32_t *pdone_word(void) { return (uint32_t *)(void *)(mem + MEMSZ - 4); }

/* The guest: make the call, and again with the continuation's arguments,
 * until it returns without one. */
static int32_t guest_batch(uint32_t base, uint32_t count, uint32_t pdone, unsigned *restarts,
                           uint32_t *first_cont)
{
    uint32_t domid = DOMID_SELF;
    *restarts = 0;
    for (;;) {
        uint32_t ran;
        cont_made = 0;
        int32_t rc = batch_run(&ops, NULL, &owed, base, count, pdone, domid, sizeof(struct entry), 1, &ran);
        if (!cont_made)
            return rc;
        assert_int_equal(rc, OP);
        assert_int_equal(cont_n, 4);
        if (first_cont && *restarts == 0)
            memcpy(first_cont, cont_args, 4 * sizeof(uint32_t));
        base = cont_args[0];
        count = cont_args[1];
        pdone = cont_args[2];
        domid = cont_args[3];
        (*restarts)++;
    }
}

static void fill(unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        entries()[i] = (struct entry){ CHEAP, i, 0, 0 };
}

static void all_applied_once(unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (applied[i] != 1)
            fail_msg("entry %u applied %u times", i, applied[i]);
}

static void test_restarts_every_8_entries(void **state)
{
    (void)state;
    unsigned restarts;
    uint32_t first[4];
    fill(100);
    *pdone_word() = 12345;
    assert_int_equal(guest_batch(BASE, 100, PDONE, &restarts, first), 0);
    assert_int_equal(restarts, 12);                    /* stopped at 8, 16, ... 96 */
    assert_int_equal(first[0], BASE + 8 * sizeof(struct entry));
    assert_int_equal(first[1], (100 - 8) | MMU_UPDATE_PREEMPTED);
    assert_int_equal(first[2], PDONE);
    assert_int_equal(first[3], DOMID_SELF);
    assert_int_equal(*pdone_word(), 100);
    all_applied_once(100);
}

/* An entry that says it was heavy (a SET_LDT of 16 descriptor frames)
 * brings the next check forward: the batch may stop right after it, and the
 * count of cheap entries starts again from there. */
static void test_heavy_entry_checks_next(void **state)
{
    (void)state;
    unsigned restarts;
    uint32_t first[4];
    fill(30);
    entries()[2] = (struct entry){ HEAVY, 2, 16, 0 };
    *pdone_word() = 7;
    assert_int_equal(guest_batch(BASE, 30, PDONE, &restarts, first), 0);
    assert_int_equal(first[0], BASE + 3 * sizeof(struct entry));   /* right after it */
    assert_int_equal(first[1], (30 - 3) | MMU_UPDATE_PREEMPTED);
    assert_int_equal(restarts, 4);                     /* then at 11, 19, 27 */
    assert_int_equal(*pdone_word(), 30);
    all_applied_once(30);
}

/* Every entry heavy: a check before each one but the first of a call. */
static void test_every_entry_heavy(void **state)
{
    (void)state;
    unsigned restarts;
    for (unsigned i = 0; i < 10; i++)
        entries()[i] = (struct entry){ HEAVY, i, 8, 0 };
    assert_int_equal(guest_batch(BASE, 10, 0, &restarts, NULL), 0);
    assert_int_equal(restarts, 9);
    all_applied_once(10);
}

static void test_long_entry_restarts_itself(void **state)
{
    (void)state;
    unsigned restarts;
    fill(40);
    entries()[21] = (struct entry){ LONG, 21, 5, 0 };
    preempt_every = 0;                                 /* only the entry stops */
    assert_int_equal(guest_batch(BASE, 40, PDONE, &restarts, NULL), 0);
    assert_int_equal(restarts, 4);
    assert_int_equal(calls_of[21], 5);
    assert_int_equal(*pdone_word(), 40);
    all_applied_once(40);
}

static void test_error_after_restarts(void **state)
{
    (void)state;
    unsigned restarts;
    fill(100);
    entries()[50] = (struct entry){ FAIL, 50, 0, 0 };
    assert_int_equal(guest_batch(BASE, 100, PDONE, &restarts, NULL), -XEN_EINVAL);
    assert_int_equal(restarts, 6);
    assert_int_equal(*pdone_word(), 50);
    all_applied_once(50);
    assert_int_equal(calls_of[51], 0);
}

static void test_owed_release_first(void **state)
{
    (void)state;
    unsigned restarts;
    fill(20);
    entries()[5] = (struct entry){ OWES, 5, 4, 0 };
    preempt_every = 0;
    assert_int_equal(guest_batch(BASE, 20, PDONE, &restarts, NULL), 0);
    assert_int_equal(restarts, 4);      /* stop before 6; three calls releasing */
    assert_int_equal(owed, 0);
    assert_int_equal(*pdone_word(), 20);
    all_applied_once(20);
}

/* The last entry owes a release: the result comes after it, through the
 * continuation (NULL, MMU_UPDATE_PREEMPTED, NULL, result). */
static void test_owed_after_last_entry(void **state)
{
    (void)state;
    unsigned restarts;
    uint32_t first[4];
    fill(3);
    entries()[2] = (struct entry){ OWES, 2, 3, 0 };
    preempt_every = 0;
    assert_int_equal(guest_batch(BASE, 3, PDONE, &restarts, first), 0);
    assert_int_equal(first[0], 0);
    assert_int_equal(first[1], MMU_UPDATE_PREEMPTED);
    assert_int_equal(first[2], 0);
    assert_int_equal(first[3], 0);
    assert_int_equal(restarts, 3);
    assert_int_equal(*pdone_word(), 3);

    /* An error that leaves an undoing: the error, after the undoing. */
    setup(NULL);
    fill(12);
    entries()[10] = (struct entry){ FAIL_OWES, 10, 3, 0 };
    preempt_every = 0;
    assert_int_equal(guest_batch(BASE, 12, PDONE, &restarts, first), -XEN_EPERM);
    assert_int_equal(first[3], (uint32_t)-XEN_EPERM);
    assert_int_equal(owed, 0);
    assert_int_equal(*pdone_word(), 10);
}

static void test_arguments(void **state)
{
    (void)state;
    uint32_t ran;
    fill(4);
    assert_int_equal(batch_run(&ops, NULL, &owed, HYPERVISOR_VIRT_START - 32, 3, 0, DOMID_SELF, 16, 1, &ran),
                     -XEN_EFAULT);
    assert_int_equal(batch_run(&ops, NULL, &owed, BASE, 0xFFFFFFFFu, 0, DOMID_SELF, 16, 1, &ran),
                     -XEN_EFAULT);
    assert_int_equal(batch_run(&ops, NULL, &owed, BASE, 4, 0, 2, 16, 0, &ran), -XEN_EPERM);
    assert_int_equal(calls_of[0], 0);
    assert_int_equal(batch_run(&ops, NULL, &owed, BASE, 4, 0, DOMID_SELF, 16, 1, &ran), 0);   /* no done */
    assert_int_equal(ran, 4);
    /* An unreadable group: -EFAULT, *done says what ran. */
    preempt_every = 0;
    mem[0x100] = 7;
    assert_int_equal(batch_run(&ops, NULL, &owed, BASE + MEMSZ - 16 * 18, 20, BASE + 0x100, DOMID_SELF, 16, 1,
                               &ran), -XEN_EFAULT);
    assert_int_equal(ran, 16);
    assert_int_equal(mem[0x100], 16);
}

/* One entry with no *done takes batch_run's short way: for every kind of
 * entry, every starting state (a release owed or not) and a bad base, the
 * same result, continuation, entries run and release as the loop gives
 * (the same entry with a *done, which takes the loop). */
struct one_run {
    int32_t rc;
    int cont;
    uint32_t args[4], ran, applied, calls;
    uint64_t owed;
};

static struct one_run run_one(struct entry e, uint64_t owed0, uint32_t base, uint32_t pdone)
{
    struct one_run r;
    setup(NULL);
    preempt_every = 0;
    entries()[0] = e;
    owed = owed0;
    cont_made = 0;
    memset(cont_args, 0, sizeof(cont_args));
    r.rc = batch_run(&ops, NULL, &owed, base, 1, pdone, DOMID_SELF, sizeof(struct entry), 1, &r.ran);
    r.cont = cont_made;
    memcpy(r.args, cont_args, sizeof(r.args));
    r.applied = applied[e.id];
    r.calls = calls_of[e.id];
    r.owed = owed;
    return r;
}

static void test_single_entry_short_way(void **state)
{
    (void)state;
    const struct entry kinds[] = {
        { CHEAP, 1, 0, 0 }, { FAIL, 1, 0, 0 }, { LONG, 1, 2, 0 }, { OWES, 1, 2, 0 },
        { FAIL_OWES, 1, 2, 0 }, { HEAVY, 1, 5, 0 },
    };
    const uint32_t bases[] = { BASE, BASE + MEMSZ - 8, HYPERVISOR_VIRT_START - 8 };
    unsigned compared = 0;
    for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        for (unsigned b = 0; b < 3; b++)
            for (uint64_t owed0 = 0; owed0 < 3; owed0++) {
                struct one_run shortw = run_one(kinds[k], owed0, bases[b], 0);
                struct one_run loop = run_one(kinds[k], owed0, bases[b], PDONE);
                if (loop.cont)
                    loop.args[2] = 0;     /* its continuation carries its *done */
                assert_int_equal(shortw.rc, loop.rc);
                assert_int_equal(shortw.cont, loop.cont);
                assert_memory_equal(shortw.args, loop.args, sizeof(shortw.args));
                assert_int_equal(shortw.ran, loop.ran);
                assert_int_equal(shortw.applied, loop.applied);
                assert_int_equal(shortw.calls, loop.calls);
                assert_int_equal(shortw.owed, loop.owed);
                compared++;
            }
    assert_int_equal(compared, 54);
    /* What the short way answers, spelled out for the cases that matter. */
    struct one_run r = run_one(kinds[0], 0, BASE, 0);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.ran, 1);
    assert_false(r.cont);
    r = run_one(kinds[2], 0, BASE, 0);          /* not done: the same entry again */
    assert_int_equal(r.rc, OP);
    assert_int_equal(r.args[0], BASE);
    assert_int_equal(r.args[1], 1 | MMU_UPDATE_PREEMPTED);
    assert_int_equal(r.ran, 0);
    r = run_one(kinds[3], 0, BASE, 0);          /* done, owing: the result after it */
    assert_int_equal(r.rc, OP);
    assert_int_equal(r.args[1], MMU_UPDATE_PREEMPTED);
    assert_int_equal(r.args[3], 0);
    assert_int_equal(r.ran, 1);
    r = run_one(kinds[4], 0, BASE, 0);          /* failed, owing: the error after it */
    assert_int_equal(r.args[3], (uint32_t)-XEN_EPERM);
    assert_int_equal(r.ran, 0);
    r = run_one(kinds[0], 0, HYPERVISOR_VIRT_START - 8, 0);
    assert_int_equal(r.rc, -XEN_EFAULT);
    assert_int_equal(r.calls, 0);
}

static struct multicall_entry *mcs(void) { return (struct multicall_entry *)(void *)mem; }

static int32_t guest_multicall(uint32_t calls, uint32_t nr, unsigned *restarts)
{
    *restarts = 0;
    for (;;) {
        cont_made = 0;
        int32_t rc = multicall_run(&ops, NULL, calls, nr);
        if (!cont_made)
            return rc;
        assert_int_equal(rc, OP);
        assert_int_equal(cont_n, 2);
        calls = cont_args[0];
        nr = cont_args[1];
        (*restarts)++;
    }
}

static void test_multicall_restarts(void **state)
{
    (void)state;
    unsigned restarts;
    for (unsigned i = 0; i < 10; i++)
        mcs()[i] = (struct multicall_entry){ 7, 0xDEAD, { i, 0, 0, 0, 0, 0 } };
    mcs()[3] = (struct multicall_entry){ 99, 0xDEAD, { 0, 3, 0, 0, 0, 0 } };
    mcs()[6] = (struct multicall_entry){ __HYPERVISOR_multicall, 0xDEAD, { 0, 1, 0, 0, 0, 0 } };
    preempt_every = 0;
    /* The first run stops inside entry 3: its new arguments and, until it
     * finishes, its hypercall number as result; 0-2 are done. */
    cont_made = 0;
    assert_int_equal(multicall_run(&ops, NULL, BASE, 10), OP);
    assert_int_equal(cont_args[0], BASE + 3 * sizeof(struct multicall_entry));
    assert_int_equal(cont_args[1], 7);
    assert_int_equal(mcs()[3].args[0], 1);
    assert_int_equal(mcs()[3].result, 99);
    assert_int_equal(mcs()[2].result, 72);
    assert_int_equal(mcs()[4].result, 0xDEAD);
    assert_int_equal(guest_multicall(cont_args[0], cont_args[1], &restarts), 0);
    assert_int_equal(restarts, 2);
    for (unsigned i = 0; i < 10; i++) {
        uint32_t want = i == 3 ? 1003 : i == 6 ? (uint32_t)-XEN_EINVAL : 70 + i;
        if (mcs()[i].result != want)
            fail_msg("entry %u: result %u, want %u", i, mcs()[i].result, want);
    }
    /* Preempted between entries: restarts at the first not run. */
    setup(NULL);
    for (unsigned i = 0; i < 20; i++)
        mcs()[i] = (struct multicall_entry){ 7, 0xDEAD, { i, 0, 0, 0, 0, 0 } };
    assert_int_equal(guest_multicall(BASE, 20, &restarts), 0);
    assert_int_equal(restarts, 9);                     /* at 2, 4, ... 18 */
    assert_int_equal(cont_args[0], BASE + 18 * sizeof(struct multicall_entry));
    assert_int_equal(cont_args[1], 2);
    for (unsigned i = 0; i < 20; i++)
        assert_int_equal(mcs()[i].result, 70 + i);
    assert_int_equal(multicall_run(&ops, NULL, HYPERVISOR_VIRT_START - 64, 3), -XEN_EFAULT);
    assert_int_equal(multicall_run(&ops, NULL, BASE, 0x7FFFFFFF), -XEN_EFAULT);
}

/* Xen's mc_exit: an iret entry ends the batch. The entries before it ran,
 * its result is what the iret returned, the multicall returns it too, and
 * the entries after it are neither run nor written. */
static void test_multicall_iret_ends_batch(void **state)
{
    (void)state;
    preempt_every = 0;
    for (unsigned i = 0; i < 12; i++)
        mcs()[i] = (struct multicall_entry){ 7, 0xDEAD, { i, 0, 0, 0, 0, 0 } };
    mcs()[3].op = __HYPERVISOR_iret;
    mcs()[9].op = __HYPERVISOR_iret;
    cont_made = 0;
    assert_int_equal(multicall_run(&ops, NULL, BASE, 12), 0x5A5A0001);
    assert_int_equal(cont_made, 0);
    for (unsigned i = 0; i < 12; i++) {
        uint32_t want = i < 3 ? 70 + i : i == 3 ? 0x5A5A0001u : 0xDEAD;
        if (mcs()[i].result != want)
            fail_msg("entry %u: result %#x, want %#x", i, mcs()[i].result, want);
        assert_int_equal(mcs()[i].args[0], i);        /* nobody else touched */
    }
    /* First in the batch; and the last entry of it. */
    mcs()[0].op = __HYPERVISOR_iret;
    assert_int_equal(multicall_run(&ops, NULL, BASE, 2), 0x5A5A0001);
    assert_int_equal(mcs()[0].result, 0x5A5A0001u);
    assert_int_equal(mcs()[1].result, 71);
    /* Its result field not writable: best effort, the iret stands. */
    uint32_t last = BASE + MEMSZ - sizeof(struct multicall_entry);
    memcpy(mem + (last - BASE), &(struct multicall_entry){ __HYPERVISOR_iret, 0, { 0 } },
           sizeof(struct multicall_entry));
    assert_int_equal(multicall_run(&ops, NULL, last, 1), 0x5A5A0001);
}

/* A sched_op entry that yields or blocks (Xen: the scheduler's softirq,
 * seen by the next preemption check): its result 0 written, the batch
 * continued from the entry after it; as the last entry, no continuation. */
static void test_multicall_sched_op_stops_after(void **state)
{
    (void)state;
    preempt_every = 0;
    for (unsigned i = 0; i < 6; i++)
        mcs()[i] = (struct multicall_entry){ 7, 0xDEAD, { i, 0, 0, 0, 0, 0 } };
    mcs()[2].op = __HYPERVISOR_sched_op;
    cont_made = 0;
    assert_int_equal(multicall_run(&ops, NULL, BASE, 6), OP);
    assert_int_equal(cont_args[0], BASE + 3 * sizeof(struct multicall_entry));
    assert_int_equal(cont_args[1], 3);
    assert_int_equal(mcs()[1].result, 71);
    assert_int_equal(mcs()[2].result, 0);
    assert_int_equal(mcs()[3].result, 0xDEAD);
    cont_made = 0;
    assert_int_equal(multicall_run(&ops, NULL, BASE, 3), 0);
    assert_int_equal(cont_made, 0);
}

/* Entries are read a few at a time; a group that runs off readable memory
 * is read again entry by entry: those before the hole run, as in Xen. */
static void test_multicall_fault_mid_group(void **state)
{
    (void)state;
    preempt_every = 0;
    uint32_t start = BASE + MEMSZ - 3 * sizeof(struct multicall_entry);
    struct multicall_entry *e = (struct multicall_entry *)(void *)(mem + (start - BASE));
    for (unsigned i = 0; i < 3; i++)
        e[i] = (struct multicall_entry){ 7, 0xDEAD, { i, 0, 0, 0, 0, 0 } };
    assert_int_equal(multicall_run(&ops, NULL, start, 5), -XEN_EFAULT);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(e[i].result, 70 + i);
    /* Xen's range check: the last byte below the hypervisor area, and
     * calls - 1 for an empty list (NULL, 0 is -EFAULT). */
    assert_int_equal(multicall_run(&ops, NULL, 0, 0), -XEN_EFAULT);
    assert_int_equal(multicall_run(&ops, NULL, HYPERVISOR_VIRT_START, 0), 0);
    assert_int_equal(multicall_run(&ops, NULL, HYPERVISOR_VIRT_START + 1, 0), -XEN_EFAULT);
    assert_int_equal(multicall_run(&ops, NULL, HYPERVISOR_VIRT_START - 32, 1), -XEN_EFAULT);
    assert_int_equal(multicall_run(&ops, NULL, 1, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_restarts_every_8_entries, setup),
        cmocka_unit_test_setup(test_long_entry_restarts_itself, setup),
        cmocka_unit_test_setup(test_heavy_entry_checks_next, setup),
        cmocka_unit_test_setup(test_every_entry_heavy, setup),
        cmocka_unit_test_setup(test_error_after_restarts, setup),
        cmocka_unit_test_setup(test_owed_release_first, setup),
        cmocka_unit_test_setup(test_owed_after_last_entry, setup),
        cmocka_unit_test_setup(test_arguments, setup),
        cmocka_unit_test_setup(test_single_entry_short_way, setup),
        cmocka_unit_test_setup(test_multicall_restarts, setup),
        cmocka_unit_test_setup(test_multicall_iret_ends_batch, setup),
        cmocka_unit_test_setup(test_multicall_fault_mid_group, setup),
        cmocka_unit_test_setup(test_multicall_sched_op_stops_after, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
