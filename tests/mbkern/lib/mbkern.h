/*
 * mbkern: the small runtime of the multiboot test kernels in tests/mbkern,
 * written the way bare-QEMU test suites are: a kernel per test prints one
 * TAP line per check on COM1 ("ok N - ..." / "not ok N - ..."), comments
 * ("# ...") for what it saw, the plan "1..N" at the end, and stops by
 * writing the number of failed checks to the isa-debug-exit port 0xf4 (QEMU
 * exits with (failures << 1) | 1: 1 when every check passed).
 *
 * The lib gives each kernel flat segments (code 0x08, data 0x10), an IDT
 * with a stub for each of the 256 vectors that counts it (mbk_count) and
 * calls the handler installed with mbk_handle, the 8259 pair remapped to
 * vectors 0x20-0x2f and masked, the multiboot information, and mbk_catch
 * for the checks that expect an exception. Paging is off.
 */
#ifndef MBKERN_H
#define MBKERN_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* ---- port I/O, MSRs, CPUID ---- */

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline void cpuid(uint32_t leaf, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}
static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }

/* ---- output and reports ---- */

void mbk_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mbk_vprintf(const char *fmt, va_list ap);
/* report: one TAP line for a check; returns ok. */
int report(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* mbk_exit: print the plan and "# NAME: N checks, F failed", then stop
 * through the exit port with F; mbk_exit_code: stop with code, printing
 * nothing (the machine halts if there is no exit port). */
void mbk_exit(void) __attribute__((noreturn));
void mbk_exit_code(unsigned code) __attribute__((noreturn));
extern unsigned mbk_checks, mbk_failures;

/* ---- traps ---- */

struct mbk_frame {
    uint32_t gs, fs, es, ds;
    uint32_t edi, esi, ebp, esp_, ebx, edx, ecx, eax;
    uint32_t vector, error, eip, cs, eflags;
};
typedef void (*mbk_handler)(struct mbk_frame *f);
/* Vector v calls h (NULL: only counted). An exception without a handler
 * outside mbk_catch is a failure that ends the kernel. */
void mbk_handle(unsigned v, mbk_handler h);
extern volatile uint32_t mbk_count[256];    /* times each vector was taken */
extern volatile uint32_t mbk_last_vector, mbk_last_error, mbk_last_cr2, mbk_last_cs;
/* fn(arg); -1 if it returned, else the vector of the exception it raised
 * (its error code and, for #PF, CR2 in mbk_last_error / mbk_last_cr2). */
int mbk_catch(void (*fn)(void *), void *arg);
/* An IDT gate: vector v to stub v through code selector sel. */
void mbk_set_gate(unsigned v, uint16_t sel);
extern uint64_t mbk_gdt[8];
void mbk_load_idt(void);

/* Wait (hlt with interrupts on) until *counter reaches target. No time
 * limit: the test script's timeout is the limit. */
void mbk_wait(volatile uint32_t *counter, uint32_t target);

/* ---- the 8259 pair and the 8254 ---- */

#define PIC_VEC 0x20             /* IRQ n at vector 0x20 + n */
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
/* The 8254's channel 0 in rate-generator mode with divisor div (1193182 /
 * div Hz) on IRQ 0, counted in pit_ticks. */
void pit_start(uint16_t div);
void pit_stop(void);
extern volatile uint32_t pit_ticks;

/* ---- multiboot ---- */

#define MB_LOADER_MAGIC 0x2BADB002
struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name;
} __attribute__((packed));
struct mb_module { uint32_t mod_start, mod_end, string, reserved; } __attribute__((packed));
struct mb_mmap {
    uint32_t size;
    uint64_t addr, len;
    uint32_t type;
} __attribute__((packed));
extern uint32_t mbk_magic;
extern struct mb_info *mbk_info;
extern const char *mbk_cmdline;         /* "" when the loader gave none */
extern char __image_start[], _start[], _end[];   /* the loaded image; the entry */

/* The value of word "key=value" on the command line (NULL when absent) and
 * whether a word is present. The first word, the kernel's own name when the
 * loader passes it (QEMU does), is a word like the others. */
const char *cmdline_value(const char *key);
int cmdline_has(const char *word);
int streq(const char *a, const char *b);
size_t mbk_strlen(const char *s);
/* The decimal or 0x-hex number at s (0 and *ok = 0 when it is not one). */
uint32_t mbk_strtou(const char *s, int *ok);

/* The kernel's tests, called with everything above set up. */
void mbk_main(void);
extern const char mbk_name[];           /* each kernel defines its name */

#endif
