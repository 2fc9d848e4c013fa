/* ulib: the user-side library of pvguest programs: system calls, printing
 * and TAP. */
#ifndef PVGUEST_ULIB_H
#define PVGUEST_ULIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <pvguest/syscall.h>

#include "lib/string.h"

static inline int32_t syscall3(uint32_t nr, uint32_t a, uint32_t b, uint32_t c)
{
    int32_t ret;
    __asm__ __volatile__("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c)
                         : "memory");
    return ret;
}

__attribute__((noreturn)) void exit(int code);
static inline int fork(void) { return syscall3(SYS_fork, 0, 0, 0); }
static inline int read(int fd, void *buf, uint32_t n)
{ return syscall3(SYS_read, (uint32_t)fd, (uint32_t)(uintptr_t)buf, n); }
static inline int write(int fd, const void *buf, uint32_t n)
{ return syscall3(SYS_write, (uint32_t)fd, (uint32_t)(uintptr_t)buf, n); }
static inline int close(int fd) { return syscall3(SYS_close, (uint32_t)fd, 0, 0); }
static inline int wait(int *status)
{ return syscall3(SYS_wait, (uint32_t)(uintptr_t)status, 0, 0); }
static inline int exec(const char *name, char *const argv[])
{ return syscall3(SYS_exec, (uint32_t)(uintptr_t)name, (uint32_t)(uintptr_t)argv, 0); }
static inline uint32_t time_ms(void) { return (uint32_t)syscall3(SYS_time, 0, 0, 0); }
static inline int getpid(void) { return syscall3(SYS_getpid, 0, 0, 0); }
static inline int getppid(void) { return syscall3(SYS_getppid, 0, 0, 0); }
static inline int kill(int pid) { return syscall3(SYS_kill, (uint32_t)pid, 0, 0); }
static inline int dup(int fd) { return syscall3(SYS_dup, (uint32_t)fd, 0, 0); }
static inline int pipe(int fds[2]) { return syscall3(SYS_pipe, (uint32_t)(uintptr_t)fds, 0, 0); }
static inline void *sbrk(int32_t incr)
{ return (void *)(intptr_t)syscall3(SYS_sbrk, (uint32_t)incr, 0, 0); }
static inline void *mmap(uint32_t len, uint32_t prot)
{ return (void *)(intptr_t)syscall3(SYS_mmap, len, prot, 0); }
static inline int munmap(void *addr, uint32_t len)
{ return syscall3(SYS_munmap, (uint32_t)(uintptr_t)addr, len, 0); }
static inline int mprotect(void *addr, uint32_t len, uint32_t prot)
{ return syscall3(SYS_mprotect, (uint32_t)(uintptr_t)addr, len, prot); }
static inline int yield(void) { return syscall3(SYS_yield, 0, 0, 0); }
static inline int sleep_ms(uint32_t ms) { return syscall3(SYS_sleep, ms, 0, 0); }
/* A pointer result is an error when it is a negative errno. */
static inline int is_err(const void *p) { return (uint32_t)(uintptr_t)p >= (uint32_t)-4095; }

/* uasm.S */
uint32_t catch_probe_ud2(void);     /* catch, ud2: the vector the kernel gave */
void bench_divzero(uint32_t count);
void bench_divzero_resume(void);
void bench_call(uint32_t count);

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Run fn in a child; return its wait status (or a negative errno). */
int run_child(void (*fn)(void *), void *arg);

/* TAP */
void ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int tap_done(void);                 /* prints the plan; returns failures */

#endif
