/* kernel: the portable part of pvguest, shared by both flavours. */
#ifndef PVGUEST_KERNEL_H
#define PVGUEST_KERNEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <pvguest/syscall.h>

#include "kernel/arch.h"

#define PAGE_SIZE   4096u
#define PAGE_SHIFT  12
#define PAGE_UP(x)  (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_DOWN(x) ((x) & ~(PAGE_SIZE - 1))
#define TICK_MS     10u
#define MAX_PFNS    16384u          /* the kernel manages at most 64 MiB */
#define NPROC       32
#define FPU_AREA_SIZE 512           /* an FXSAVE image; FNSAVE uses 108 bytes */
#define NFILE       16              /* descriptors per process */
#define NVMA        16              /* regions per address space */
#define KSTACK_SIZE 8192u

/* PAE entry bits; PTE_COW is one of the bits left to software. */
#define PTE_P   0x001ull
#define PTE_RW  0x002ull
#define PTE_U   0x004ull
#define PTE_A   0x020ull
#define PTE_D   0x040ull
#define PTE_COW 0x200ull
#define PTE_FLAGS 0xFFFull

/* The registers the trap entry saved (pushal), then the CPU's frame. The
 * layout is the same in both flavours. */
struct trap_frame {
    uint32_t edi, esi, ebp, esp0, ebx, edx, ecx, eax;
    uint32_t vector, error;
    uint32_t eip, cs, eflags;
    uint32_t user_esp, user_ss;     /* only from ring 3 */
};
#define VECTOR_SYSCALL 0x80

void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
#define KASSERT(c) do { if (!(c)) panic("%s:%d: %s", __FILE__, __LINE__, #c); } while (0)
uint32_t cmdline_number(const char *key, uint32_t dflt);

/* pmm: page frames with reference counts (a frame shared copy-on-write has
 * one reference per mapping). */
void pmm_add_range(uint32_t first, uint32_t end);
uint32_t pmm_alloc(void);            /* zeroed frame, or 0 if none left */
void pmm_get(uint32_t pfn);
void pmm_put(uint32_t pfn);          /* frees at zero */
unsigned pmm_refs(uint32_t pfn);
uint32_t pmm_free_count(void);
#ifdef PVGUEST_HOST_TEST
void *pfn_va(uint32_t pfn);          /* tests/unit: frames in host memory */
#else
static inline void *pfn_va(uint32_t pfn) { return (void *)(uintptr_t)(pfn << PAGE_SHIFT); }
#endif

/* vm: address spaces. */
struct vma {
    uint32_t start, end;            /* page aligned; end exclusive; 0-0 unused */
    uint32_t prot;                  /* PROT_* */
};
struct aspace {
    uint32_t l3_pfn, l2_pfn;        /* the L3 and its user L2 (slot 1) */
    struct vma vma[NVMA];
    uint32_t brk_start, brk;
};
void vm_init(void);
int vm_create(struct aspace *as);                 /* 0 or -ENOMEM */
void vm_destroy(struct aspace *as);
void vm_trim(void);              /* give back the address-space roots kept for reuse */
int vm_clone(struct aspace *child, struct aspace *parent);
int vm_map_region(struct aspace *as, uint32_t start, uint32_t end, uint32_t prot);
int vm_unmap_region(struct aspace *as, uint32_t start, uint32_t len);
int vm_protect(struct aspace *as, uint32_t start, uint32_t len, uint32_t prot);
int vm_sbrk(struct aspace *as, int32_t incr, uint32_t *old);
uint32_t vm_mmap(struct aspace *as, uint32_t len, uint32_t prot, int *err);
/* BENCH_PTEMOD: flip the write bit of va's PTE and flush it, count times. */
int vm_bench_ptemod(struct aspace *as, uint32_t va, uint32_t count);
/* Resolve a user fault; 0 if the access may go on, else a reason string
 * is stored in *why. */
int vm_fault(struct aspace *as, uint32_t va, int write, const char **why);
/* Copy to and from user memory, resolving faults as the CPU would;
 * -EFAULT if any byte is not accessible that way. */
int copy_to_user(struct aspace *as, uint32_t dst, const void *src, size_t n);
int copy_from_user(struct aspace *as, void *dst, uint32_t src, size_t n);
/* A NUL-terminated string of at most max bytes (with the NUL). */
int copy_string_from_user(struct aspace *as, char *dst, uint32_t src, size_t max);
/* Write into user memory whatever its protection (loading a program). */
int vm_fill(struct aspace *as, uint32_t dst, const void *src, size_t n);

/* files: the console and pipes */
struct file;
struct file *file_console(void);
void file_get(struct file *f);
void file_put(struct file *f);
int file_read(struct file *f, uint32_t ubuf, uint32_t n);
int file_write(struct file *f, uint32_t ubuf, uint32_t n);
int pipe_create(struct file **rd, struct file **wr);
void console_input(char c);         /* from the arch's input interrupt */

/* processes */
enum proc_state { P_FREE, P_RUNNABLE, P_SLEEPING, P_ZOMBIE };
struct proc {
    enum proc_state state;
    int pid, ppid;
    char name[16];
    struct aspace as;
    struct file *files[NFILE];
    uint32_t ksp;                   /* saved kernel stack pointer */
    uint32_t kstack_top;
    struct trap_frame *tf;          /* its user frame, at the top of kstack */
    const void *chan;               /* what it sleeps on */
    uint64_t wake_ms;               /* sleeping in sleep(): when to wake */
    int status;                     /* for the parent's wait */
    int killed;
    uint32_t catch_eip;             /* SYS_catch: where exceptions resume */
    int fpu_used;                   /* fpu holds its registers (kernel/fpu.c) */
    uint8_t fpu[FPU_AREA_SIZE] __attribute__((aligned(16)));
};
extern struct proc *current;

/* fpu: each process's FPU registers, switched lazily (kernel/fpu.c) */
void fpu_init(void);
void fpu_switch(struct proc *next);     /* next is about to run */
void fpu_device_not_available(void);    /* #NM from user mode */
void fpu_fork(struct proc *child);      /* child gets a copy of current's */
void fpu_forget(struct proc *p);        /* exit, exec: its state is dropped */

extern volatile int need_resched;
void proc_init(void);
__attribute__((noreturn)) void proc_start_init(const char *list, size_t len);
void schedule(void);                /* run something else (or idle) */
void sleep_on(const void *chan);
void wakeup(const void *chan);
void kernel_tick(void);             /* from the arch's timer, every TICK_MS */
uint64_t time_ms(void);
int proc_fork(void);
__attribute__((noreturn)) void proc_exit(int status);
int proc_wait(uint32_t ustatus);
int proc_kill(int pid);
int proc_sleep(uint32_t ms);
int proc_exec(uint32_t uname, uint32_t uargv);
void proc_fault(struct trap_frame *f, const char *what);   /* kills current */

/* exec: programs built into the kernel image */
struct program { const char *name; const uint8_t *start, *end; };
const struct program *program_find(const char *name);
int elf_load(struct aspace *as, const uint8_t *image, size_t size, uint32_t *entry);

void syscall_dispatch(struct trap_frame *f);
/* Where an exception in kernel mode resumes (EAX = its vector) instead of
 * a panic; one use, then cleared. Only the census probes set it. */
extern uint32_t kernel_catch_eip;
void trap(struct trap_frame *f);

#endif
