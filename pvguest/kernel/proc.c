/*
 * proc: processes and the scheduler. Each process has a kernel stack whose
 * top holds its user trap frame. The kernel is not preemptible: a process
 * gives up the CPU by sleeping, exiting or yielding, and the timer only sets
 * need_resched, which is honoured on the way back to user mode. Scheduling
 * is round-robin over the process table, one TICK_MS slice each.
 */
#include "kernel/kernel.h"

#include "lib/string.h"

struct proc *current;
volatile int need_resched;
static struct proc procs[NPROC];
static uint8_t kstacks[NPROC][KSTACK_SIZE] __attribute__((aligned(16)));
static int next_pid = 1;
static uint64_t boot_ns;

/* swtch.S: save the callee-saved registers on this stack, store ESP in
 * *old_sp, load new_sp and pop what it saved there. */
void swtch(uint32_t *old_sp, uint32_t new_sp);

uint64_t time_ms(void)
{
    return (arch_time_ns() - boot_ns) / 1000000u;
}

void proc_init(void)
{
    boot_ns = arch_time_ns();
    for (int i = 0; i < NPROC; i++)
        procs[i].kstack_top = (uint32_t)(uintptr_t)&kstacks[i][KSTACK_SIZE];
}

static struct proc *proc_alloc(void)
{
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = &procs[i];
        if (p->state != P_FREE)
            continue;
        uint32_t top = p->kstack_top;
        memset(p, 0, offsetof(struct proc, fpu));  /* fpu_used 0: the area is stale */
        p->kstack_top = top;
        p->pid = next_pid++;
        p->tf = (struct trap_frame *)(uintptr_t)(top - sizeof(struct trap_frame));
        return p;
    }
    return NULL;
}

/* A new process starts in proc_first_run, through swtch's return. */
static void proc_first_run(void)
{
    trap_return_to(current->tf);
}

static void proc_prepare_stack(struct proc *p)
{
    uint32_t *sp = (uint32_t *)p->tf;
    *--sp = (uint32_t)(uintptr_t)proc_first_run;
    for (int i = 0; i < 4; i++)
        *--sp = 0;                              /* ebp, ebx, esi, edi */
    p->ksp = (uint32_t)(uintptr_t)sp;
}

static void switch_to(struct proc *next)
{
    struct proc *prev = current;
    current = next;
    fpu_switch(next);
    arch_switch(next->as.l3_pfn, next->kstack_top);
    swtch(&prev->ksp, next->ksp);
}

static const char sleep_chan[] = "sleep";

/* The earliest sleep() deadline, in arch_time_ns's clock; 0 if none. */
static uint64_t next_wake_ns(void)
{
    uint64_t ms = UINT64_MAX;
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state == P_SLEEPING && procs[i].chan == sleep_chan &&
            procs[i].wake_ms < ms)
            ms = procs[i].wake_ms;
    return ms == UINT64_MAX ? 0 : boot_ns + ms * 1000000u;
}

void schedule(void)
{
    need_resched = 0;
    for (;;) {
        int start = (int)(current - procs);
        for (int k = 1; k <= NPROC; k++) {
            struct proc *p = &procs[(start + k) % NPROC];
            if (p->state == P_RUNNABLE) {
                if (p != current)
                    switch_to(p);
                return;
            }
        }
        arch_idle(next_wake_ns());              /* an interrupt may wake one */
    }
}

void sleep_on(const void *chan)
{
    current->state = P_SLEEPING;
    current->chan = chan;
    schedule();
}

void wakeup(const void *chan)
{
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state == P_SLEEPING && procs[i].chan == chan)
            procs[i].state = P_RUNNABLE;
}

void kernel_tick(void)
{
    uint64_t now = time_ms();
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state == P_SLEEPING && procs[i].chan == sleep_chan &&
            procs[i].wake_ms <= now)
            procs[i].state = P_RUNNABLE;
    need_resched = 1;
}

int proc_sleep(uint32_t ms)
{
    current->wake_ms = time_ms() + ms;
    while (time_ms() < current->wake_ms) {
        if (current->killed)
            return -EINTR;
        sleep_on(sleep_chan);
    }
    return 0;
}

int proc_fork(void)
{
    struct proc *p = proc_alloc();
    if (!p)
        return -ENOMEM;
    if (vm_clone(&p->as, &current->as)) {
        p->state = P_FREE;
        return -ENOMEM;
    }
    p->ppid = current->pid;
    memcpy(p->name, current->name, sizeof(p->name));
    p->catch_eip = current->catch_eip;
    for (int fd = 0; fd < NFILE; fd++)
        if ((p->files[fd] = current->files[fd]))
            file_get(p->files[fd]);
    *p->tf = *current->tf;
    p->tf->eax = 0;
    fpu_fork(p);
    proc_prepare_stack(p);
    p->state = P_RUNNABLE;
    return p->pid;
}

void proc_exit(int status)
{
    struct proc *init = &procs[0];
    for (int fd = 0; fd < NFILE; fd++)
        if (current->files[fd]) {
            file_put(current->files[fd]);
            current->files[fd] = NULL;
        }
    if (current->pid == 1) {
        kprintf("init: exited with status %d: %s\n", status,
                status == 0 ? "powering off" : "stopping, failed");
        arch_poweroff(status == 0);
    }
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state != P_FREE && procs[i].ppid == current->pid) {
            procs[i].ppid = 1;                  /* orphans go to init */
            if (procs[i].state == P_ZOMBIE)
                wakeup(init);
        }
    fpu_forget(current);
    current->status = status;
    current->state = P_ZOMBIE;
    for (int i = 0; i < NPROC; i++)
        if (procs[i].state != P_FREE && procs[i].pid == current->ppid)
            wakeup(&procs[i]);
    schedule();
    panic("a zombie ran");
}

int proc_wait(uint32_t ustatus)
{
    for (;;) {
        int children = 0;
        for (int i = 0; i < NPROC; i++) {
            struct proc *p = &procs[i];
            if (p->state == P_FREE || p->ppid != current->pid)
                continue;
            children++;
            if (p->state != P_ZOMBIE)
                continue;
            int pid = p->pid, status = p->status;
            if (ustatus && copy_to_user(&current->as, ustatus, &status, sizeof(status)))
                return -EFAULT;
            vm_destroy(&p->as);
            p->state = P_FREE;
            return pid;
        }
        if (!children)
            return -ECHILD;
        if (current->killed)
            return -EINTR;
        sleep_on(current);
    }
}

int proc_kill(int pid)
{
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = &procs[i];
        if (p->state == P_FREE || p->state == P_ZOMBIE || p->pid != pid)
            continue;
        p->killed = 1;
        if (p->state == P_SLEEPING)
            p->state = P_RUNNABLE;              /* its wait loop sees killed */
        return 0;
    }
    return -ESRCH;
}

static const char *vector_name(uint32_t v)
{
    static const char *const names[] = {
        "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
        "invalid opcode", "device not available", "double fault", "coprocessor",
        "invalid TSS", "segment not present", "stack fault", "general protection",
        "page fault", "reserved", "x87 error", "alignment check", "machine check",
        "SIMD error",
    };
    return v < sizeof(names) / sizeof(names[0]) ? names[v] : "exception";
}

void proc_fault(struct trap_frame *f, const char *why)
{
    if (f->vector == 14)
        kprintf("%s[%d]: page fault at %#x (%s), eip %#x: killed\n", current->name,
                current->pid, (unsigned)arch_fault_addr(), why, (unsigned)f->eip);
    else
        kprintf("%s[%d]: %s (error %#x) at eip %#x: killed\n", current->name, current->pid,
                vector_name(f->vector), (unsigned)f->error, (unsigned)f->eip);
    proc_exit(W_KILLED | (int)f->vector);
}

/* ---- exec: a program image, its arguments on a fresh stack */

struct exec_args {
    char name[32];
    int argc;
    char strings[EXEC_MAX_BYTES];
    uint32_t offsets[EXEC_MAX_ARGS];
    uint32_t used;
};

static int args_add(struct exec_args *a, const char *s, size_t len)
{
    if (a->argc >= EXEC_MAX_ARGS)
        return -E2BIG;
    if (len + 1 > sizeof(a->strings) - a->used)
        return -E2BIG;
    a->offsets[a->argc++] = a->used;
    memcpy(a->strings + a->used, s, len);
    a->strings[a->used + len] = 0;
    a->used += (uint32_t)len + 1;
    return 0;
}

/* Build the new image in a fresh address space; the old one survives any
 * failure. On success the process runs the program when it returns. */
static int exec_image(struct proc *p, const struct exec_args *a)
{
    const struct program *prog = program_find(a->name);
    if (!prog)
        return -ENOENT;
    struct aspace as;
    uint32_t entry;
    int rc = vm_create(&as);
    if (rc)
        return rc;
    rc = elf_load(&as, prog->start, (size_t)(prog->end - prog->start), &entry);
    if (!rc)
        rc = vm_map_region(&as, USER_STACK_TOP - USER_STACK_MAX, USER_STACK_TOP,
                           PROT_READ | PROT_WRITE);
    /* Stack: the strings, then argv[] (NULL-terminated), argv, argc. */
    uint32_t strings = USER_STACK_TOP - ((a->used + 15) & ~15u);
    uint32_t argv[EXEC_MAX_ARGS + 1];
    for (int i = 0; i < a->argc; i++)
        argv[i] = strings + a->offsets[i];
    argv[a->argc] = 0;
    uint32_t argv_at = strings - sizeof(uint32_t) * (uint32_t)(a->argc + 1);
    uint32_t head[2] = { (uint32_t)a->argc, argv_at };
    uint32_t sp = argv_at - sizeof(head);
    if (!rc)
        rc = copy_to_user(&as, strings, a->strings, a->used);
    if (!rc)
        rc = copy_to_user(&as, argv_at, argv, sizeof(uint32_t) * (uint32_t)(a->argc + 1));
    if (!rc)
        rc = copy_to_user(&as, sp, head, sizeof(head));
    if (rc) {
        vm_destroy(&as);
        return rc;
    }
    struct aspace old = p->as;
    p->as = as;
    if (p == current)
        arch_switch(as.l3_pfn, p->kstack_top);
    if (old.l3_pfn)
        vm_destroy(&old);
    size_t n = strlen(a->name);
    if (n >= sizeof(p->name))
        n = sizeof(p->name) - 1;
    memcpy(p->name, a->name, n);
    p->name[n] = 0;
    p->catch_eip = 0;
    fpu_forget(p);                              /* a new program: a clean FPU */
    memset(p->tf, 0, sizeof(*p->tf));
    p->tf->eip = entry;
    p->tf->user_esp = sp;
    arch_user_frame(p->tf);
    return 0;
}

int proc_exec(uint32_t uname, uint32_t uargv)
{
    struct exec_args a;
    memset(&a, 0, sizeof(a));
    int rc = copy_string_from_user(&current->as, a.name, uname, sizeof(a.name));
    if (rc)
        return rc == -E2BIG ? -ENOENT : rc;
    for (int i = 0; uargv; i++) {
        uint32_t ptr;
        char s[EXEC_MAX_BYTES];
        if ((rc = copy_from_user(&current->as, &ptr, uargv + 4u * (uint32_t)i, 4)))
            return rc;
        if (!ptr)
            break;
        if ((rc = copy_string_from_user(&current->as, s, ptr, sizeof(s))) ||
            (rc = args_add(&a, s, strlen(s))))
            return rc;
    }
    return exec_image(current, &a);
}

/* init: pid 1 runs the init program with the run= list as arguments. */
void proc_start_init(const char *list, size_t len)
{
    struct exec_args a;
    memset(&a, 0, sizeof(a));
    memcpy(a.name, "init", 5);
    args_add(&a, "init", 4);
    while (len) {
        size_t n = 0;
        while (n < len && list[n] != ',')
            n++;
        if (n && args_add(&a, list, n))
            panic("run=: more than %d programs or %d bytes", EXEC_MAX_ARGS - 1,
                  EXEC_MAX_BYTES);
        list += n;
        len -= n;
        if (len) {
            list++;
            len--;
        }
    }
    struct proc *p = proc_alloc();
    int rc = exec_image(p, &a);
    if (rc)
        panic("cannot start init: error %d", rc);
    p->files[0] = p->files[1] = p->files[2] = file_console();
    file_get(p->files[0]);
    file_get(p->files[0]);
    p->state = P_RUNNABLE;
    current = p;
    arch_switch(p->as.l3_pfn, p->kstack_top);
    trap_return_to(p->tf);
}
