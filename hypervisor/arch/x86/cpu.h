/*
 * cpu: every instruction the hypervisor's C code needs that C cannot say.
 * The only file with inline assembly.
 */
#ifndef HV_ARCH_X86_CPU_H
#define HV_ARCH_X86_CPU_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{ __asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v)
{ __asm__ __volatile__("outw %0, %1" : : "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v)
{ __asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{ uint8_t v; __asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline uint32_t read_cr0(void)
{ uint32_t v; __asm__ __volatile__("mov %%cr0, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint32_t v)
{ __asm__ __volatile__("mov %0, %%cr0" : : "r"(v) : "memory"); }
static inline uint32_t read_cr2(void)
{ uint32_t v; __asm__ __volatile__("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint32_t read_cr3(void)
{ uint32_t v; __asm__ __volatile__("mov %%cr3, %0" : "=r"(v)); return v; }
static inline void write_cr3(uint32_t v)
{ __asm__ __volatile__("mov %0, %%cr3" : : "r"(v) : "memory"); }
static inline uint32_t read_cr4(void)
{ uint32_t v; __asm__ __volatile__("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr4(uint32_t v)
{ __asm__ __volatile__("mov %0, %%cr4" : : "r"(v) : "memory"); }

/* Debug registers (arch/x86/debugreg_hw.c only). */
#define DEFINE_WRITE_DR(n) \
    static inline void write_dr##n(uint32_t v) \
    { __asm__ __volatile__("mov %0, %%db" #n : : "r"(v) : "memory"); }
DEFINE_WRITE_DR(0) DEFINE_WRITE_DR(1) DEFINE_WRITE_DR(2) DEFINE_WRITE_DR(3)
DEFINE_WRITE_DR(6) DEFINE_WRITE_DR(7)
#undef DEFINE_WRITE_DR
static inline uint32_t read_dr6(void)
{ uint32_t v; __asm__ __volatile__("mov %%db6, %0" : "=r"(v)); return v; }
static inline uint32_t read_dr7(void)
{ uint32_t v; __asm__ __volatile__("mov %%db7, %0" : "=r"(v)); return v; }
static inline uint32_t read_eflags(void)
{ uint32_t v; __asm__ __volatile__("pushfl; popl %0" : "=r"(v)); return v; }
static inline void write_eflags(uint32_t v)
{ __asm__ __volatile__("pushl %0; popfl" : : "r"(v) : "memory", "cc"); }

struct __attribute__((packed)) desc_ptr {
    uint16_t limit;
    uint32_t base;
};
static inline void lgdt(const struct desc_ptr *p)
{ __asm__ __volatile__("lgdt %0" : : "m"(*p)); }
static inline void lidt(const struct desc_ptr *p)
{ __asm__ __volatile__("lidt %0" : : "m"(*p)); }
static inline void lldt(uint16_t sel)
{ __asm__ __volatile__("lldt %0" : : "r"(sel)); }
static inline void ltr(uint16_t sel)
{ __asm__ __volatile__("ltr %0" : : "r"(sel)); }

/* Reload CS and the data segments after a new GDT. */
static inline void load_segments(uint16_t cs, uint16_t ds)
{
    __asm__ __volatile__(
        "pushl %0\n\t"
        "pushl $1f\n\t"
        "lret\n"
        "1:\n\t"
        "mov %1, %%ds\n\t"
        "mov %1, %%es\n\t"
        "mov %1, %%fs\n\t"
        "mov %1, %%gs\n\t"
        "mov %1, %%ss\n\t"
        : : "r"((uint32_t)cs), "r"((uint32_t)ds) : "memory");
}

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ __volatile__("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                         : "a"(leaf), "c"(sub));
}

static inline uint64_t rdmsr(uint32_t msr)
{ uint32_t lo, hi; __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr)); return ((uint64_t)hi << 32) | lo; }
static inline void wrmsr(uint32_t msr, uint64_t v)
{ __asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory"); }

static inline uint64_t rdtsc(void)
{ uint32_t lo, hi; __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }

static inline uint64_t rdtscp(uint32_t *aux)
{ uint32_t lo, hi; __asm__ __volatile__("rdtscp" : "=a"(lo), "=d"(hi), "=c"(*aux)); return ((uint64_t)hi << 32) | lo; }

/* Idle: wait for an interrupt with interrupts on, then off again (sti's
 * one-instruction shadow makes "sti; hlt" race-free). */
static inline void idle_halt(void)
{ __asm__ __volatile__("sti; hlt; cli" : : : "memory"); }

/* Take the device interrupts pending now, through the hypervisor's own
 * interrupt path (hv_irq_idle), then interrupts off again: the hw mode,
 * after a #VMEXIT (sti's shadow covers the nop, so the window is after it). */
static inline void irq_take_pending(void)
{ __asm__ __volatile__("sti; nop; cli" : : : "memory"); }

static inline void halt_forever(void)
{
    for (;;)
        __asm__ __volatile__("cli; hlt");
}

/* The FPU, for arch/x86/fpu.c only: the hypervisor's own code never uses
 * it. The save areas are 16-byte aligned (fxsave) or 108 bytes (fnsave). */
static inline void fxsave(void *area)
{ __asm__ __volatile__("fxsave %0" : "=m"(*(char (*)[512])area)); }
static inline void fxrstor(const void *area)
{ __asm__ __volatile__("fxrstor %0" : : "m"(*(const char (*)[512])area)); }
static inline void fnsave(void *area)
{ __asm__ __volatile__("fnsave %0" : "=m"(*(char (*)[108])area)); }
static inline void frstor(const void *area)
{ __asm__ __volatile__("frstor %0" : : "m"(*(const char (*)[108])area)); }
static inline uint16_t fnstsw(void)
{ uint16_t sw; __asm__ __volatile__("fnstsw %0" : "=a"(sw)); return sw; }

static inline uint32_t read_esp(void)
{ uint32_t v; __asm__ __volatile__("mov %%esp, %0" : "=r"(v)); return v; }
static inline uint32_t read_ebp(void)
{ uint32_t v; __asm__ __volatile__("mov %%ebp, %0" : "=r"(v)); return v; }

#define CR0_PE  (1u << 0)
#define CR0_MP  (1u << 1)
#define CR0_EM  (1u << 2)
#define CR0_TS  (1u << 3)
#define CR0_NE  (1u << 5)
#define CR0_WP  (1u << 16)
#define CR0_PG  (1u << 31)
#define CR4_TSD (1u << 2)
#define CR4_PAE (1u << 5)
#define CR4_PGE (1u << 7)
#define CR4_OSFXSR     (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define EFLAGS_CF   (1u << 0)
#define EFLAGS_TF   (1u << 8)
#define EFLAGS_IF   (1u << 9)
#define EFLAGS_DF   (1u << 10)
#define EFLAGS_IOPL (3u << 12)
#define EFLAGS_NT   (1u << 14)
#define EFLAGS_RF   (1u << 16)
#define EFLAGS_VM   (1u << 17)
#define EFLAGS_AC   (1u << 18)
#define EFLAGS_VIF  (1u << 19)
#define EFLAGS_VIP  (1u << 20)
#define EFLAGS_ID   (1u << 21)

#endif
