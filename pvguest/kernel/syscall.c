/*
 * syscall: the int $0x80 interface (pvguest/include/pvguest/syscall.h) and
 * the common trap handler. In the pv flavour int $0x80 is a direct trap
 * gate: a system call reaches this code without entering the hypervisor.
 */
#include <pv86/counters.h>
#include <pvguest/census.h>

#include "kernel/kernel.h"
#include "lib/string.h"

static struct file *fd_file(int fd)
{
    return fd >= 0 && fd < NFILE ? current->files[fd] : NULL;
}

static int fd_install(struct file *f)
{
    for (int fd = 0; fd < NFILE; fd++)
        if (!current->files[fd]) {
            current->files[fd] = f;
            return fd;
        }
    return -EMFILE;
}

static int sys_pipe(uint32_t ufds)
{
    struct file *rd, *wr;
    int rc = pipe_create(&rd, &wr);
    if (rc)
        return rc;
    int fds[2] = { fd_install(rd), -1 };
    if (fds[0] >= 0)
        fds[1] = fd_install(wr);
    if (fds[1] < 0 || copy_to_user(&current->as, ufds, fds, sizeof(fds))) {
        rc = fds[1] < 0 ? -EMFILE : -EFAULT;
        for (int i = 0; i < 2; i++)
            if (fds[i] >= 0)
                current->files[fds[i]] = NULL;
        file_put(rd);
        file_put(wr);
        return rc;
    }
    return 0;
}

static int sys_close(int fd)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    current->files[fd] = NULL;
    file_put(f);
    return 0;
}

static int sys_dup(int fd)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    int nfd = fd_install(f);
    if (nfd >= 0)
        file_get(f);
    return nfd;
}

static int sys_bench(uint32_t op, uint32_t count, uint32_t arg)
{
    switch (op) {
    case BENCH_DEVICE_READ:
        for (uint32_t i = 0; i < count; i++)
            arch_device_read();
        return 0;
    case BENCH_IRQFLAGS:
        arch_irq_enable();
        for (uint32_t i = 0; i < count; i++)
            arch_irq_restore(arch_irq_save());
        arch_irq_save();                        /* the kernel runs with them off */
        return 0;
    case BENCH_PTEMOD:
        return vm_bench_ptemod(&current->as, arg, count);
    default:
        return -EINVAL;
    }
}

static int sys_hvcounters(uint32_t ubuf)
{
    struct pv86_counters c;
    int rc = arch_hv_counters(&c);
    if (rc)
        return rc;
    return copy_to_user(&current->as, ubuf, &c, sizeof(c)) ? -EFAULT : 0;
}

/* SYS_hvcpuid: n CPUIDs of one leaf, subleaves 0 .. n-1, in kernel context. */
static int sys_hvcpuid(uint32_t leaf, uint32_t ubuf, uint32_t n)
{
    uint32_t r[16][4];
    if (n < 1 || n > 16)
        return -EINVAL;
    for (uint32_t i = 0; i < n; i++) {
        int rc = arch_hv_cpuid(leaf, i, r[i]);
        if (rc)
            return rc;
    }
    return copy_to_user(&current->as, ubuf, r, n * sizeof(r[0])) ? -EFAULT : 0;
}

uint32_t kernel_catch_eip;

static int sys_census(uint32_t probe, uint32_t ubuf)
{
    struct census_obs o = { { 0, 0 }, -1 };
    if (probe >= CENSUS_NR)
        return -EINVAL;
    int rc = arch_census((int)probe, &o);
    if (rc)
        return rc;
    return copy_to_user(&current->as, ubuf, &o, sizeof(o)) ? -EFAULT : 0;
}

static int sys_census_info(uint32_t ubuf)
{
    struct census_info ki;
    memset(&ki, 0, sizeof(ki));
    arch_census_info(&ki);
    return copy_to_user(&current->as, ubuf, &ki, sizeof(ki)) ? -EFAULT : 0;
}

static int32_t syscall_do(uint32_t nr, uint32_t a, uint32_t b, uint32_t c)
{
    struct file *f;
    int err;
    uint32_t v;
    switch (nr) {
    case SYS_exit:
        proc_exit((int)(a & 0xff));
    case SYS_fork:
        return proc_fork();
    case SYS_read:
        return (f = fd_file((int)a)) ? file_read(f, b, c) : -EBADF;
    case SYS_write:
        return (f = fd_file((int)a)) ? file_write(f, b, c) : -EBADF;
    case SYS_close:
        return sys_close((int)a);
    case SYS_wait:
        return proc_wait(a);
    case SYS_exec:
        return proc_exec(a, b);
    case SYS_time:
        return (int32_t)time_ms();
    case SYS_getpid:
        return current->pid;
    case SYS_getppid:
        return current->ppid;
    case SYS_catch:
        current->catch_eip = a;
        return 0;
    case SYS_bench:
        return sys_bench(a, b, c);
    case SYS_hvcounters:
        return sys_hvcounters(a);
    case SYS_hvcpuid:
        return sys_hvcpuid(a, b, c);
    case SYS_census:
        return sys_census(a, b);
    case SYS_census_info:
        return sys_census_info(a);
    case SYS_kill:
        return proc_kill((int)a);
    case SYS_dup:
        return sys_dup((int)a);
    case SYS_pipe:
        return sys_pipe(a);
    case SYS_sbrk:
        err = vm_sbrk(&current->as, (int32_t)a, &v);
        return err ? err : (int32_t)v;
    case SYS_mmap:
        v = vm_mmap(&current->as, a, b, &err);
        return err ? err : (int32_t)v;
    case SYS_munmap:
        return vm_unmap_region(&current->as, a, b);
    case SYS_mprotect:
        return vm_protect(&current->as, a, b, c);
    case SYS_yield:
        schedule();
        return 0;
    case SYS_sleep:
        return proc_sleep(a);
    default:
        return -ENOSYS;
    }
}

void syscall_dispatch(struct trap_frame *f)
{
    f->eax = (uint32_t)syscall_do(f->eax, f->ebx, f->ecx, f->edx);
}

void trap(struct trap_frame *f)
{
    int user = (f->cs & 3) == 3;
    if (f->vector == VECTOR_SYSCALL && user) {
        syscall_dispatch(f);
    } else if (f->vector == 7 && user) {
        fpu_device_not_available();             /* its FPU registers, lazily */
    } else if (f->vector < 32) {
        if (!user && kernel_catch_eip) {
            f->eip = kernel_catch_eip;
            f->eax = f->vector;
            kernel_catch_eip = 0;
            return;
        }
        if (!user)
            panic("trap %u in the kernel at eip %#x, error %#x, fault address %#x",
                  (unsigned)f->vector, (unsigned)f->eip, (unsigned)f->error,
                  (unsigned)arch_fault_addr());
        const char *why = NULL;
        if (f->vector != 14 ||
            vm_fault(&current->as, arch_fault_addr(), (f->error & 2) != 0, &why)) {
            if (!current->catch_eip)
                proc_fault(f, why);
            f->eip = current->catch_eip;        /* SYS_catch */
            f->eax = f->vector;
        }
    } else {
        arch_interrupt(f);
    }
    if (user) {
        if (current->killed)
            proc_exit(W_KILLED | W_KILLED_BY_KILL);
        if (need_resched)
            schedule();
    }
}
