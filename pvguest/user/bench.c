/*
 * bench: the benchmark suite, the same program in every mode. Each
 * benchmark runs a number of rounds of n operations; it reports the median
 * over the rounds of the RDTSC cycles per operation (under QEMU's
 * -icount shift=0, RDTSC counts instructions) and, where a hypervisor is
 * below, its event counters per operation (pv86_counters_op through
 * SYS_hvcounters). Under the hw mode, where the kernel is unmodified and
 * makes no hypercall, the #VMEXITs per operation instead: every exit, and
 * each exit code that occurred (hex), read through the hypervisor CPUID
 * range (hvexits.h) around each round, the readings not counted. Under the
 * bt mode, the translation statistics per operation (bt/counters.h: blocks
 * translated, cache bytes, callouts, traps, chaining, translation time),
 * read through the kernel (hvbt.h) around each round, the readings' own
 * cost taken off, and the chaining hit rate of the whole benchmark
 * (hits / (hits + misses), when any were counted). One line per benchmark
 * (under bt followed by lines of four bt figures each, the same name first:
 * a console line is at most 256 characters, hypervisor/core/console.c):
 *
 *   bench NAME ops=N rounds=R cycles_per_op=C.CC [COUNTER_per_op=X.XXX ...]
 *   bench NAME ops=N rounds=R cycles_per_op=C.CC exits_per_op=X.XXX [exit_CODE_per_op=X.XXX ...]
 *   bench NAME ops=N rounds=R cycles_per_op=C.CC
 *   bench NAME bt_blocks_per_op=X.XXX bt_insns_per_op=X.XXX ... (4 a line)
 *   ... [bt_chain_hit_rate=0.XXX]
 *
 * `bench quick` divides every n by 100: a check of the pipeline, not a
 * measurement; `bench full|quick NAME...` runs only the benchmarks named.
 * tools/bench-report turns these lines into the report.
 *
 * Nanobenchmarks after Adams & Agesen (ASPLOS 2006): syscall, in,
 * irqflags (their cr8wr), call_ret, pgfault, divzero, ptemod; lmbench
 * latencies as in the Xen paper (SOSP 2003): null_call, null_io,
 * fork_exit, fork_exec, ctxsw, mmap; ctxsw_fpu (ctxsw with the FPU in use); forkwait (Adams & Agesen's 40,000
 * fork+wait pairs); cpu, a user-mode job that should cost the same in
 * every mode (the control).
 */
#include <pv86/counters.h>

#include "hvbt.h"
#include "hvexits.h"
#include "lib/format.h"
#include "ulib.h"

#define PAGE 4096u

static int quick;
static int have_counters;
static int have_exits;              /* the hw mode's exit counters (no hvcounters there) */
static int have_bt;                 /* the bt mode's translation statistics */
static char **only;                 /* names to run, NULL-terminated; NULL: all */

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void counters(struct pv86_counters *c)
{
    if (have_counters && syscall3(SYS_hvcounters, (uint32_t)(uintptr_t)c, 0, 0) != 0)
        have_counters = 0;
}

/* ---- the operations: each runs n of them */

static void op_syscall(uint32_t n, void *a) { (void)a; for (uint32_t i = 0; i < n; i++) getpid(); }
static void op_null_call(uint32_t n, void *a)
{
    (void)a;
    for (uint32_t i = 0; i < n; i++)
        getppid();
}
static void op_in(uint32_t n, void *a) { (void)a; syscall3(SYS_bench, BENCH_DEVICE_READ, n, 0); }
static void op_irqflags(uint32_t n, void *a) { (void)a; syscall3(SYS_bench, BENCH_IRQFLAGS, n, 0); }
static void op_call_ret(uint32_t n, void *a) { (void)a; bench_call(n); }
static void op_divzero(uint32_t n, void *a) { (void)a; bench_divzero(n); }
static void op_ptemod(uint32_t n, void *page)
{
    syscall3(SYS_bench, BENCH_PTEMOD, n, (uint32_t)(uintptr_t)page);
}

static void op_pgfault(uint32_t n, void *region)
{
    volatile uint8_t *p = region;
    for (uint32_t i = 0; i < n; i++)
        p[i * PAGE] = 1;
}

static void op_null_io(uint32_t n, void *fdsp)
{
    int *fds = fdsp;
    char c = 'x';
    for (uint32_t i = 0; i < n; i++) {
        write(fds[1], &c, 1);
        read(fds[0], &c, 1);
    }
}

static void op_fork_exit(uint32_t n, void *a)
{
    (void)a;
    for (uint32_t i = 0; i < n; i++) {
        int pid = fork();
        if (pid == 0)
            exit(0);
        wait(NULL);
    }
}

static void op_fork_exec(uint32_t n, void *a)
{
    (void)a;
    for (uint32_t i = 0; i < n; i++) {
        int pid = fork();
        if (pid == 0) {
            char *argv[] = { "true", NULL };
            exec("true", argv);
            exit(127);
        }
        wait(NULL);
    }
}

/* Two processes pass a byte back and forth over two pipes: n/2 round
 * trips, n switches from one process to the other. ctxsw_fpu: the same,
 * each process touching the FPU (fnop) after every switch, so each switch
 * moves FPU registers (lazily: an #NM each). */
static void ctxsw(uint32_t n, int fpu)
{
    int there[2], back[2];
    char c = 'x';
    pipe(there);
    pipe(back);
    int pid = fork();
    if (pid == 0) {
        for (uint32_t i = 0; i < n / 2; i++) {
            read(there[0], &c, 1);
            if (fpu)
                __asm__ __volatile__("fnop");
            write(back[1], &c, 1);
        }
        exit(0);
    }
    for (uint32_t i = 0; i < n / 2; i++) {
        write(there[1], &c, 1);
        read(back[0], &c, 1);
        if (fpu)
            __asm__ __volatile__("fnop");
    }
    wait(NULL);
    close(there[0]), close(there[1]), close(back[0]), close(back[1]);
}

static void op_ctxsw(uint32_t n, void *a)
{
    (void)a;
    ctxsw(n, 0);
}

static void op_ctxsw_fpu(uint32_t n, void *a)
{
    (void)a;
    ctxsw(n, 1);
}

static void op_mmap(uint32_t n, void *a)
{
    (void)a;
    for (uint32_t i = 0; i < n; i++) {
        volatile uint8_t *p = mmap(PAGE, PROT_READ | PROT_WRITE);
        p[0] = 1;
        munmap((void *)p, PAGE);
    }
}

/* The control: FNV-1a over 1 KiB, n times. */
static uint8_t cpu_buf[1024];
static volatile uint32_t cpu_sink;
static void op_cpu(uint32_t n, void *a)
{
    (void)a;
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < sizeof(cpu_buf); j++)
            h = (h ^ cpu_buf[j]) * 16777619u;
    cpu_sink = h;
}

/* ---- running and reporting */

static void print_fixed(const char *name, uint64_t value, unsigned decimals)
{
    uint64_t scale = decimals == 2 ? 100 : 1000;
    printf(" %s=%u.%0*u", name, (unsigned)(value / scale), (int)decimals,
           (unsigned)(value % scale));
}

/* Per operation, in thousandths: (after - before) * 1000 / ops. */
static void print_count(const char *name, uint32_t delta, uint32_t ops)
{
    print_fixed(name, ((uint64_t)delta * 1000 + ops / 2) / ops, 3);
}

#define MAX_ROUNDS 5

/* setup/teardown, when given, run outside the timed part of each round. */
static void run(const char *name, void (*op)(uint32_t, void *), uint32_t n, void *arg,
                void *(*setup)(uint32_t), void (*teardown)(void *, uint32_t))
{
    if (only) {
        char **o = only;
        while (*o && strcmp(*o, name) != 0)
            o++;
        if (!*o)
            return;
    }
    unsigned rounds = MAX_ROUNDS;
    if (quick) {
        n = n / 100 ? n / 100 : 1;
        rounds = 3;
    }
    uint64_t per[MAX_ROUNDS];
    struct pv86_counters before, after;
    uint32_t d[6] = { 0 };
    static struct hv_exits xb, xa, xd, xsum;
    xsum.n = 0;
    xsum.total = 0;
    static struct hv_bt bb, ba, bsum;
    for (unsigned i = 0; i < BT_NR_COUNTERS; i++)
        bsum.c[i] = 0;
    for (unsigned r = 0; r < rounds; r++) {
        void *a = setup ? setup(n) : arg;
        counters(&before);
        if (have_exits)
            hv_exits_read(&xb);
        if (have_bt)
            hv_bt_read(&bb);
        uint64_t t0 = rdtsc();
        op(n, a);
        uint64_t t1 = rdtsc();
        if (have_bt) {
            hv_bt_read(&ba);
            hv_bt_add_delta(&bsum, &bb, &ba);
        }
        if (have_exits) {
            hv_exits_read(&xa);
            hv_exits_delta(&xb, &xa, &xd);
            hv_exits_add(&xsum, &xd);
        }
        counters(&after);
        if (teardown)
            teardown(a, n);
        per[r] = ((t1 - t0) * 100 + n / 2) / n;
        d[0] += after.hypercalls_total - before.hypercalls_total;
        d[1] += (after.hypercalls_total + after.traps + after.interrupts) -
                (before.hypercalls_total + before.traps + before.interrupts);
        d[2] += after.bounced - before.bounced;
        d[3] += after.pt_validated - before.pt_validated;
        d[4] += after.tlb_flushes - before.tlb_flushes;
        d[5] += after.upcalls - before.upcalls;
    }
    for (unsigned i = 1; i < rounds; i++)           /* sort: insertion */
        for (unsigned j = i; j > 0 && per[j - 1] > per[j]; j--) {
            uint64_t t = per[j];
            per[j] = per[j - 1];
            per[j - 1] = t;
        }
    printf("bench %s ops=%u rounds=%u", name, (unsigned)n, rounds);
    print_fixed("cycles_per_op", per[rounds / 2], 2);
    if (have_counters) {
        uint32_t total = n * rounds;
        print_count("hypercalls_per_op", d[0], total);
        print_count("entries_per_op", d[1], total);
        print_count("bounces_per_op", d[2], total);
        print_count("pt_validated_per_op", d[3], total);
        print_count("tlb_flushes_per_op", d[4], total);
        print_count("upcalls_per_op", d[5], total);
    }
    if (have_exits) {
        uint32_t total = n * rounds;
        char name[32];
        print_count("exits_per_op", xsum.total, total);
        for (unsigned i = 0; i < xsum.n; i++) {
            fmt_snprintf(name, sizeof(name), "exit_%x_per_op", (unsigned)xsum.code[i]);
            print_count(name, xsum.count[i], total);
        }
    }
    if (have_bt) {
        uint32_t total = n * rounds;
        char key[40];
        for (unsigned i = 0; i < BT_NR_COUNTERS; i++) {
            if (i % 4 == 0)
                printf("\nbench %s", name);
            fmt_snprintf(key, sizeof(key), "bt_%s_per_op", bt_counter_name(i));
            print_count(key, bsum.c[i], total);
        }
        uint32_t hits = bsum.c[BT_CTR_CHAIN_HITS], misses = bsum.c[BT_CTR_CHAIN_MISSES];
        if (hits + misses)
            print_fixed("bt_chain_hit_rate",
                        ((uint64_t)hits * 1000 + (hits + misses) / 2) / ((uint64_t)hits + misses), 3);
    }
    printf("\n");
}

static void *pgfault_setup(uint32_t n) { return mmap(n * PAGE, PROT_READ | PROT_WRITE); }
static void pgfault_teardown(void *p, uint32_t n) { munmap(p, n * PAGE); }

int main(int argc, char **argv)
{
    quick = argc > 1 && strcmp(argv[1], "quick") == 0;
    if (argc > 2)
        only = &argv[2];
    struct pv86_counters probe;
    have_counters = 1;
    counters(&probe);
    have_exits = !have_counters && hv_exits_present();
    have_bt = !have_counters && !have_exits && hv_bt_present();
    if (have_bt)
        hv_bt_calibrate();
    printf("# bench: %s run, hypervisor counters %s\n", quick ? "quick" : "full",
           have_counters ? "available" : have_exits ? "available (hw exits)" :
           have_bt ? "available (bt translation statistics)" : "not available");

    static int fds[2];
    pipe(fds);
    volatile uint8_t *page = mmap(PAGE, PROT_READ | PROT_WRITE);
    page[0] = 1;
    syscall3(SYS_catch, (uint32_t)(uintptr_t)bench_divzero_resume, 0, 0);
    memset(cpu_buf, 1, sizeof(cpu_buf));            /* no fault inside the control */
    cpu_sink = 0;

    run("syscall", op_syscall, 20000, NULL, NULL, NULL);
    run("in", op_in, 20000, NULL, NULL, NULL);
    run("irqflags", op_irqflags, 100000, NULL, NULL, NULL);
    run("call_ret", op_call_ret, 100000, NULL, NULL, NULL);
    run("pgfault", op_pgfault, 256, NULL, pgfault_setup, pgfault_teardown);
    run("divzero", op_divzero, 5000, NULL, NULL, NULL);
    run("ptemod", op_ptemod, 10000, (void *)page, NULL, NULL);
    run("null_call", op_null_call, 20000, NULL, NULL, NULL);
    run("null_io", op_null_io, 10000, fds, NULL, NULL);
    run("fork_exit", op_fork_exit, 500, NULL, NULL, NULL);
    run("fork_exec", op_fork_exec, 300, NULL, NULL, NULL);
    run("ctxsw", op_ctxsw, 10000, NULL, NULL, NULL);
    run("ctxsw_fpu", op_ctxsw_fpu, 10000, NULL, NULL, NULL);
    run("mmap", op_mmap, 2000, NULL, NULL, NULL);
    run("forkwait", op_fork_exit, 8000, NULL, NULL, NULL);
    run("cpu", op_cpu, 200, NULL, NULL, NULL);
    syscall3(SYS_catch, 0, 0, 0);
    printf("# bench: done\n");
    return 0;
}
