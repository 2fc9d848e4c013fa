/*
 * selftest: the kernel's behaviour as a TAP suite, the same program in both
 * flavours with the same expected output: each system call, fork/wait/exit
 * codes, copy-on-write isolation, demand paging, protection faults, pipes,
 * exec, preemption of a busy loop and sleep. Faults in children are on
 * purpose: the kernel must end that process (with a message) and nothing
 * else.
 */
#include "ulib.h"

#define PAGE 4096u
#define KILLED_BY(v) (W_KILLED | (v))

static volatile int counter = 5;
static volatile uint8_t big[64 * PAGE];     /* bss: demand-zero */

static int all_zero(const volatile uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void child_exit_42(void *arg) { (void)arg; exit(42); }
static void child_read(void *p) { exit(*(volatile uint8_t *)p == 7 ? 0 : 1); }
static void child_write(void *p) { *(volatile uint8_t *)p = 1; exit(0); }
static void child_ud2(void *arg) { (void)arg; __asm__ __volatile__("ud2"); exit(0); }
static void child_cli(void *arg) { (void)arg; __asm__ __volatile__("cli"); exit(0); }
static void child_hlt(void *arg) { (void)arg; __asm__ __volatile__("hlt"); exit(0); }
static void child_div0(void *arg)
{
    volatile int zero = (int)(uintptr_t)arg;
    volatile int x = 10 / zero;
    (void)x;
    exit(0);
}

static void test_basics(void)
{
    int pid = getpid();
    ok(pid > 1, "getpid: a pid above init's, which is 1");
    ok(write(1, "# a line written with write()\n", 30) == 30,
       "write to the console returns the byte count");
    ok(write(9, "x", 1) == -EBADF, "write to a closed descriptor: -EBADF");
    ok(write(1, (const void *)0x1000, 4) == -EFAULT, "write from a kernel address: -EFAULT");
    ok(write(1, (const void *)0x70000000, 4) == -EFAULT, "write from an unmapped address: -EFAULT");
    ok(syscall3(999, 0, 0, 0) == -ENOSYS, "an unknown system call: -ENOSYS");
    uint32_t t0 = time_ms();
    for (volatile int i = 0; i < 100000; i++)
        ;
    ok(time_ms() >= t0, "time does not go backwards");
    ok(yield() == 0, "yield returns 0");
}

static void test_fork_wait(void)
{
    ok(run_child(child_exit_42, NULL) == 42, "fork, exit(42), wait: status 42");
    int st = -1;
    ok(wait(&st) == -ECHILD, "wait without children: -ECHILD");

    int parent = getpid(), fds[2];
    pipe(fds);
    int pid = fork();
    if (pid == 0) {
        int me = getpid();
        write(fds[1], &me, sizeof(me));
        exit(0);
    }
    int child = -1;
    read(fds[0], &child, sizeof(child));
    close(fds[0]);
    close(fds[1]);
    ok(pid > parent && child == pid, "fork returns the child's pid, which getpid in the child gives");
    ok(wait(&st) == pid && st == 0, "wait returns that pid, status 0");

    enum { N = 20 };
    int sum = 0, reaped = 0;
    for (int i = 0; i < N; i++)
        if (fork() == 0)
            exit(i);
    for (int i = 0; i < N; i++)
        if (wait(&st) > 0) {
            reaped++;
            sum += W_CODE(st);
        }
    ok(reaped == N && sum == N * (N - 1) / 2, "%d children at once: all reaped, exit codes sum to %d",
       N, N * (N - 1) / 2);
}

static void cow_child(void *arg)
{
    (void)arg;
    int saw = counter;
    counter = 99;
    big[0] = 2;
    exit(saw == 5 && counter == 99 && big[0] == 2 ? 0 : 1);
}

static void test_cow(void)
{
    counter = 5;
    big[0] = 1;
    ok(run_child(cow_child, NULL) == 0,
       "the child sees the parent's memory at fork and its own writes");
    ok(counter == 5 && big[0] == 1, "the child's writes do not reach the parent (copy-on-write)");
    counter = 6;
    ok(counter == 6, "the parent writes its pages again after the child is gone");
}

static void test_demand_paging(void)
{
    ok(all_zero(big + 1, sizeof(big) - 1), "64 pages of bss read as zero");
    for (uint32_t i = 0; i < sizeof(big); i += PAGE)
        big[i] = (uint8_t)(i / PAGE + 1);
    int good = 1;
    for (uint32_t i = 0; i < sizeof(big); i += PAGE)
        good &= big[i] == (uint8_t)(i / PAGE + 1);
    ok(good, "64 pages of bss keep what was written");

    uint8_t *brk0 = sbrk(0);
    uint8_t *p = sbrk(16 * PAGE);
    ok(p == brk0 && sbrk(0) == brk0 + 16 * PAGE, "sbrk returns the old break and moves it");
    ok(all_zero(p, 16 * PAGE), "new heap pages read as zero");
    for (uint32_t i = 0; i < 16 * PAGE; i++)
        p[i] = 0x5a;
    ok(sbrk(-(int32_t)(16 * PAGE)) == brk0 + 16 * PAGE && sbrk(0) == brk0,
       "sbrk with a negative increment gives memory back");
    p = sbrk(16 * PAGE);
    ok(p == brk0 && all_zero(p, 16 * PAGE), "memory given back comes back zeroed");
    ok(is_err(sbrk(0x7fffffff)) && sbrk(0) == brk0 + 16 * PAGE,
       "sbrk beyond the heap's room: -ENOMEM, the break stays");
    ok(run_child(child_write, p + 15 * PAGE) == 0, "a child writes the heap");
}

static void test_mmap(void)
{
    uint8_t *p = mmap(3 * PAGE, PROT_READ | PROT_WRITE);
    ok(!is_err(p) && ((uint32_t)(uintptr_t)p & (PAGE - 1)) == 0 &&
       (uint32_t)(uintptr_t)p >= USER_MMAP_BASE, "mmap returns page-aligned memory");
    ok(!is_err(p) && all_zero(p, 3 * PAGE), "mmap'ed memory reads as zero");
    p[0] = 7;
    p[3 * PAGE - 1] = 8;
    ok(p[0] == 7 && p[3 * PAGE - 1] == 8, "mmap'ed memory keeps what was written");
    ok(is_err(mmap(0, PROT_READ)), "mmap of 0 bytes: -EINVAL");
    ok(munmap(p + 1, PAGE) == -EINVAL, "munmap of an unaligned address: -EINVAL");
    ok(munmap(p + PAGE, PAGE) == 0, "munmap of the middle page");
    ok(p[0] == 7 && p[2 * PAGE] == 0, "the pages around it stay");
    ok(run_child(child_read, p + PAGE) == KILLED_BY(14),
       "touching the unmapped page ends the child with a page fault");

    uint8_t *q = mmap(PAGE, PROT_READ | PROT_WRITE);
    q[0] = 7;
    ok(mprotect(q, PAGE, PROT_READ) == 0, "mprotect read-only");
    ok(run_child(child_read, q) == 0, "a child reads the read-only page");
    ok(run_child(child_write, q) == KILLED_BY(14),
       "a child writing the read-only page is ended by a page fault");
    ok(mprotect(q, PAGE, PROT_NONE) == 0 && run_child(child_read, q) == KILLED_BY(14),
       "PROT_NONE: even reading ends the child");
    ok(mprotect(q, PAGE, PROT_READ | PROT_WRITE) == 0 && q[0] == 7 && (q[1] = 3) == 3,
       "mprotect read-write again: the data is still there");
    ok(mprotect(p + PAGE, PAGE, PROT_READ) == -ENOMEM, "mprotect of unmapped memory: -ENOMEM");
    ok(write(1, p + PAGE, 1) == -EFAULT, "write from unmapped memory: -EFAULT");
}

static void child_getppid(void *parent) { exit(getppid() == (int)(uintptr_t)parent ? 0 : 1); }
static void child_catch(void *arg) { (void)arg; exit(catch_probe_ud2() == 6 ? 0 : 1); }

static void test_faults(void)
{
    ok(run_child(child_getppid, (void *)(uintptr_t)getpid()) == 0, "getppid in a child: its parent");
    ok(run_child(child_catch, NULL) == 0,
       "catch: ud2 resumes at the handler with the vector (6) in EAX");
    ok(run_child(child_read, NULL) == KILLED_BY(14), "a NULL read ends the child: page fault");
    ok(run_child(child_write, (void *)0x00400000) == KILLED_BY(14),
       "a write into the kernel ends the child: page fault");
    ok(run_child(child_write, (void *)USER_BASE) == KILLED_BY(14),
       "a write into the program's text ends the child: page fault");
    ok(run_child(child_ud2, NULL) == KILLED_BY(6), "ud2 ends the child: invalid opcode");
    ok(run_child(child_cli, NULL) == KILLED_BY(13), "cli in ring 3 ends the child: #GP");
    ok(run_child(child_hlt, NULL) == KILLED_BY(13), "hlt in ring 3 ends the child: #GP");
    ok(run_child(child_div0, NULL) == KILLED_BY(0), "division by zero ends the child: #DE");
}

static void pipe_writer(void *arg)
{
    int fd = *(int *)arg;
    uint8_t buf[100];
    for (int i = 0; i < 30; i++) {
        for (int j = 0; j < 100; j++)
            buf[j] = (uint8_t)(i * 100 + j);
        if (write(fd, buf, sizeof(buf)) != sizeof(buf))
            exit(1);
    }
    exit(0);
}

static void test_pipes(void)
{
    int fds[2];
    ok(pipe(fds) == 0 && fds[0] >= 3 && fds[1] > fds[0], "pipe returns two new descriptors");
    int pid = fork();
    if (pid == 0) {
        close(fds[0]);
        pipe_writer(&fds[1]);
    }
    close(fds[1]);
    uint8_t buf[128];
    uint32_t total = 0, bad = 0;
    int n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0) {
        for (int i = 0; i < n; i++)
            bad += buf[i] != (uint8_t)(total + (uint32_t)i);
        total += (uint32_t)n;
    }
    int st = -1;
    ok(total == 3000 && bad == 0, "3000 bytes through a 512-byte pipe, in order");
    ok(n == 0, "read returns 0 at end of file, once the writer is gone");
    ok(wait(&st) == pid && st == 0, "the writer exits with 0");
    close(fds[0]);

    ok(pipe(fds) == 0 && close(fds[0]) == 0 && write(fds[1], "x", 1) == -EPIPE,
       "write with no reader left: -EPIPE");
    close(fds[1]);
    ok(close(fds[1]) == -EBADF, "close of a closed descriptor: -EBADF");

    int d = dup(1);
    ok(d == 3, "dup returns the lowest free descriptor (3)");
    ok(write(d, "# written through dup\n", 22) == 22, "write through the duplicate");
    ok(close(d) == 0 && dup(42) == -EBADF, "close it; dup of a bad descriptor: -EBADF");
}

static void test_exec(void)
{
    int pid = fork();
    if (pid == 0) {
        char *argv[] = { "hello", "42", "from-selftest", NULL };
        exec("hello", argv);
        exit(99);
    }
    int st = -1;
    ok(wait(&st) == pid && st == 42, "exec runs hello with arguments; it exits with 42");
    char *argv[] = { "nothing", NULL };
    ok(exec("no-such-program", argv) == -ENOENT, "exec of a missing program: -ENOENT");
    ok(exec((const char *)0x1000, argv) == -EFAULT, "exec with a kernel pointer: -EFAULT");
}

static void spin(void *arg)
{
    (void)arg;
    for (;;)
        ;
}

static void test_time(void)
{
    uint32_t t0 = time_ms();
    ok(sleep_ms(50) == 0, "sleep(50) returns 0");
    uint32_t dt = time_ms() - t0;
    ok(dt >= 50, "sleep(50) sleeps at least 50 ms");
    ok(dt < 1000, "sleep(50) wakes within a second");

    int pid = fork();
    if (pid == 0)
        spin(NULL);
    ok(sleep_ms(30) == 0, "the parent wakes while its child spins (the timer preempts it)");
    int st = -1;
    ok(kill(pid) == 0 && wait(&st) == pid && st == (W_KILLED | W_KILLED_BY_KILL),
       "kill ends the spinning child");
    ok(kill(pid) == -ESRCH, "kill of a process that is gone: -ESRCH");
}

int main(void)
{
    printf("# pvguest selftest\n");
    test_basics();
    test_fork_wait();
    test_cow();
    test_demand_paging();
    test_mmap();
    test_faults();
    test_pipes();
    test_exec();
    test_time();
    return tap_done();
}
