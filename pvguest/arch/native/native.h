/* native: what the native flavour's files share: its selectors, its
 * devices' ports and the port instructions. */
#ifndef PVGUEST_ARCH_NATIVE_H
#define PVGUEST_ARCH_NATIVE_H

#include <stdint.h>

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define USER_CS   0x1B
#define USER_DS   0x23
#define TSS_SEL   0x28
#define COM1      0x3F8

static inline void outb(uint16_t port, uint8_t v) { __asm__ __volatile__("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ __volatile__("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* Timer ticks since arch_start_timer (arch.c). */
uint64_t native_ticks(void);

#endif
