/* kernel: what the shared kernel code offers and what each arch provides. */
#ifndef PVGUEST_KERNEL_H
#define PVGUEST_KERNEL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Provided by the kernel. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kmain(void);
/* TAP: numbered test points, a plan at the end, and a count of failures. */
void tap_ok(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
unsigned tap_done(void);            /* prints the plan; returns failures */
/* Value of "key=" in the command line, or NULL. */
const char *cmdline_get(const char *cmdline, const char *key, size_t *len);
/* The decimal value of "key=" on this kernel's command line, or dflt. */
uint32_t cmdline_number(const char *key, uint32_t dflt);

/* Provided by the arch layer. */
void arch_early_init(void);
void arch_console_write(const char *s, size_t n);
const char *arch_cmdline(void);
const char *arch_name(void);
/* Run the arch's own checks (TAP) or the test mode named by `mode`. */
void arch_selftest(void);
int arch_run_mode(const char *mode, size_t len);   /* 0 if unknown mode */
__attribute__((noreturn)) void arch_poweroff(int ok);

#endif
