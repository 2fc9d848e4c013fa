/*
 * pvguest system calls: the interface between the mini kernel and its user
 * programs, the same in both flavours. A program calls `int $0x80` with the
 * number in EAX and arguments in EBX, ECX, EDX; the result comes back in
 * EAX, a negative errno on failure. Numbers follow Linux i386 where the call
 * exists there; the semantics are this kernel's, as described on each line.
 */
#ifndef PVGUEST_SYSCALL_H
#define PVGUEST_SYSCALL_H

#define SYS_exit       1    /* exit(code): ends the process; code & 0xff */
#define SYS_fork       2    /* fork(): child pid in the parent, 0 in the child */
#define SYS_read       3    /* read(fd, buf, n): bytes read, 0 at end of file */
#define SYS_write      4    /* write(fd, buf, n): bytes written */
#define SYS_close      6    /* close(fd) */
#define SYS_wait       7    /* wait(int *status): pid of a child that ended */
#define SYS_exec      11    /* exec(name, argv): only returns on error */
#define SYS_time      13    /* time(): milliseconds since boot */
#define SYS_getpid    20    /* getpid() */
#define SYS_getppid   64    /* getppid(): the parent's pid */
#define SYS_kill      37    /* kill(pid): ends a process (status W_KILLED|0xff) */
#define SYS_dup       41    /* dup(fd): the lowest free descriptor */
#define SYS_catch     48    /* catch(eip): an exception that would end the
                             * process resumes at eip instead, with EAX = the
                             * vector (0: off; inherited by fork, reset by exec) */
#define SYS_pipe      42    /* pipe(int fds[2]): fds[0] reads, fds[1] writes */
#define SYS_sbrk      45    /* sbrk(increment): the old break (demand-zero heap) */
#define SYS_mmap      90    /* mmap(len, prot): anonymous, demand-zero pages */
#define SYS_munmap    91    /* munmap(addr, len) */
#define SYS_mprotect 125    /* mprotect(addr, len, prot) */
#define SYS_yield    158    /* yield(): let another process run */
#define SYS_sleep    162    /* sleep(ms): at least ms milliseconds */
/* pvguest's own, for the benchmarks (pvguest/user/bench.c): */
#define SYS_bench    400    /* bench(op, count, arg): count kernel operations */
#define SYS_hvcounters 401  /* hvcounters(struct pv86_counters *): the
                             * hypervisor's counters for this domain (pv);
                             * -ENOSYS on bare hardware */
/* 402 census and 403 census_info: the sensitive-instruction census, see
 * <pvguest/census.h> */
#define SYS_hvcpuid  404    /* hvcpuid(leaf, uint32_t out[4 * n], n): CPUID
                             * (leaf, subleaf i) run by the kernel for i in
                             * 0 .. n-1 (1 <= n <= 16), EAX EBX ECX EDX each:
                             * a hypervisor's CPUID range that only kernel
                             * CPUID reaches (bt: hypervisor/bt/counters.h);
                             * -ENOSYS in the pv flavour, -EINVAL for n */

/* bench operations: what the kernel repeats count times */
#define BENCH_DEVICE_READ 1 /* read a device register: in from the UART (native),
                             * the console through the hypervisor (pv) */
#define BENCH_IRQFLAGS    2 /* save and disable the interrupt flag, restore it
                             * (interrupts on around the loop) */
#define BENCH_PTEMOD      3 /* flip the write bit of arg's PTE and flush it */

/* mmap and mprotect protections */
#define PROT_NONE   0
#define PROT_READ   1
#define PROT_WRITE  2
#define PROT_EXEC   4

/* wait status: the exit code, or W_KILLED | the exception vector (0-31) that
 * ended the process, or W_KILLED | 0xff for kill(). */
#define W_KILLED        0x100
#define W_KILLED_BY_KILL 0xff
#define W_EXITED(s)     (((s) & W_KILLED) == 0)
#define W_CODE(s)       ((s) & 0xff)

/* errno values (returned negated) */
#define ENOENT   2
#define ESRCH    3
#define EINTR    4
#define E2BIG    7
#define ENOEXEC  8
#define EBADF    9
#define ECHILD  10
#define EAGAIN  11
#define ENOMEM  12
#define EFAULT  14
#define EINVAL  22
#define EMFILE  24
#define EPIPE   32
#define ENOSYS  38

/* User address space: programs are linked at USER_BASE. */
#define USER_BASE       0x40000000u
#define USER_MMAP_BASE  0x60000000u
#define USER_STACK_TOP  0x80000000u
#define USER_STACK_MAX  (256u * 1024)
#define USER_END        0x80000000u

#define EXEC_MAX_ARGS   8
#define EXEC_MAX_BYTES  256     /* name and argument strings together */

#endif
